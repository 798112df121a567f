// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * accept(2) and accept4(2), from their syscall tracepoints: the enter side keeps the
 * listening fd (and accept4's flags), the exit side reads, through the fd table, the
 * listening socket (its family, protocol, type, a unix socket's path) and the new one
 * (both ends' addresses and ports), then sends one record, failures included. (io_uring's
 * accept makes no syscall: it is not seen.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "accept.h"

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct args {
	__u32 fd;
	__u32 flags;
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"

enum accept_abi _accept_abi = 0;
struct accept_event _accept_event = {};
enum accept_slot _accept_slot = 0;

static __always_inline int enter(struct trace_event_raw_sys_enter *ctx, __u32 slot, __u32 flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct args args = { .fd = ctx->args[0], .flags = flags };

	if (is_self(pid_tgid, slot))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	pair_enter((__u32)pid_tgid, &args);
	return 0;
}

/* The peer's end of connected socket `sk` of `family`. */
static __always_inline void peer_end(struct sock *sk, __u16 family, __u16 *dport, __u8 daddr[16])
{
	*dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__be32 addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(daddr, &addr, 4);
	} else if (family == AF_INET6) {
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline int exit(struct trace_event_raw_sys_exit *ctx, __u32 slot, __u8 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct accept_event e = {};
	struct sock *listener, *sk;
	long ret = ctx->ret;
	struct args *ap;

	if (is_self(pid_tgid, slot))
		return 0;
	ap = pair_lookup(tid);
	if (!ap) {
		pair_miss(trace_allowed(pid_tgid));
		return 0;
	}
	if (targ_failed && ret >= 0) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}
	e.ret = ret;
	e.fd = ap->fd;
	e.flags = ap->flags;
	e.syscall = syscall;
	listener = sock_of_fd(ap->fd);
	if (listener) {
		e.family = BPF_CORE_READ(listener, __sk_common.skc_family);
		if (e.family == AF_UNIX) {
			e.sock_type = BPF_CORE_READ(listener, sk_type);
			e.path_len = socket_unix_path(listener, e.path);
		} else {
			/* The listening end; the new connection's own, once there is one. */
			socket_local_end(listener, e.family, &e.protocol, &e.sock_type, &e.sport, e.saddr);
			sk = ret >= 0 ? sock_of_fd(ret) : NULL;
			if (sk) {
				socket_local_end(sk, e.family, &e.protocol, &e.sock_type, &e.sport, e.saddr);
				peer_end(sk, e.family, &e.dport, e.daddr);
			}
		}
	}
	fill_task_header(&e.task, SN_KIND_ACCEPT, pid_tgid);
	if (is_probe_child(e.task.ppid))
		goto cleanup;
	submit(ctx, &e, sizeof(e));
cleanup:
	pair_done(tid, ap);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int tracepoint__syscalls__sys_enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, ACCEPT_SLOT_ENTER, 0);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tracepoint__syscalls__sys_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, ACCEPT_SLOT_EXIT, 0);
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int tracepoint__syscalls__sys_enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, ACCEPT4_SLOT_ENTER, ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tracepoint__syscalls__sys_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, ACCEPT4_SLOT_EXIT, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
