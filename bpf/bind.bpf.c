// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bind(2) and listen(2), from their syscall tracepoints: the enter side keeps the fd and
 * bind's sockaddr pointer or listen's backlog; the exit side reads bind's address from
 * that sockaddr (and the port the kernel bound, once it succeeded) or, for listen, the
 * socket's own address through the fd table, then sends one record, failures included.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bind.h"

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct args {
	const void *uaddr;  /* bind */
	__u32 fd;
	__u32 addrlen;      /* bind */
	__s32 backlog;      /* listen */
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"

#define ENOTSOCK 88
#define EBADF 9

enum bind_abi _bind_abi = 0;
struct bind_event _bind_event = {};
enum bind_slot _bind_slot = 0;

/* The listen records' own counters (the object's `counters` are bind's). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} listen_counters SEC(".maps");

/* Each call is counted in `ctrs`: `counters` (bind) or `listen_counters`. */
static __always_inline int enter(__u32 slot, const struct args *args, void *ctrs)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (is_self(pid_tgid, slot))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count_in(ctrs, SN_CTR_FILTERED);
		return 0;
	}
	pair_enter((__u32)pid_tgid, args);
	return 0;
}

/* The paired call of this exit, or NULL (then counted as needed). */
static __always_inline struct args *exit_lookup(long ret, __u64 pid_tgid, __u32 slot, void *ctrs)
{
	struct args *ap;

	if (is_self(pid_tgid, slot))
		return NULL;
	ap = pair_lookup((__u32)pid_tgid);
	if (!ap) {
		/* As pair_miss(): a call filtered at enter was counted there. */
		if (trace_allowed(pid_tgid))
			count_in(ctrs, SN_CTR_PAIR_MISS);
		return NULL;
	}
	if (targ_failed && ret >= 0) {
		count_in(ctrs, SN_CTR_FILTERED);
		pair_done((__u32)pid_tgid, ap);
		return NULL;
	}
	return ap;
}

/* Sends the record of the paired call `ap` (exit_lookup()'s), which is then done with. */
static __always_inline void send(void *ctx, struct bind_event *e, __u32 kind, __u64 pid_tgid, void *ctrs, struct args *ap)
{
	fill_task_header(&e->task, kind, pid_tgid);
	if (!is_probe_child(e->task.ppid))
		submit_counted(ctx, e, sizeof(*e), ctrs);
	pair_done((__u32)pid_tgid, ap);
}

SEC("tracepoint/syscalls/sys_enter_bind")
int tracepoint__syscalls__sys_enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	struct args args = { .fd = ctx->args[0], .uaddr = (const void *)ctx->args[1], .addrlen = ctx->args[2] };

	return enter(BIND_SLOT_ENTER, &args, &counters);
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tracepoint__syscalls__sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct bind_event e = {};
	long ret = ctx->ret;
	struct args *ap;
	struct sock *sk;

	ap = exit_lookup(ret, pid_tgid, BIND_SLOT_EXIT, &counters);
	if (!ap)
		return 0;
	e.ret = ret;
	e.fd = ap->fd;
	user_sockaddr(ap->uaddr, ap->addrlen, &e.family, &e.port, e.addr, e.path, &e.path_len);
	if (ret != -ENOTSOCK && ret != -EBADF && (sk = sock_of_fd(ap->fd))) {
		e.protocol = BPF_CORE_READ(sk, sk_protocol);
		e.sock_type = BPF_CORE_READ(sk, sk_type);
		/* Bound: the port the socket has (the kernel's choice when 0 was passed). */
		if (ret == 0 && (e.family == AF_INET || e.family == AF_INET6))
			e.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	}
	send(ctx, &e, SN_KIND_BIND, pid_tgid, &counters, ap);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_listen")
int tracepoint__syscalls__sys_enter_listen(struct trace_event_raw_sys_enter *ctx)
{
	struct args args = { .fd = ctx->args[0], .backlog = ctx->args[1] };

	return enter(LISTEN_SLOT_ENTER, &args, &listen_counters);
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tracepoint__syscalls__sys_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct bind_event e = {};
	long ret = ctx->ret;
	struct args *ap;
	struct sock *sk;

	ap = exit_lookup(ret, pid_tgid, LISTEN_SLOT_EXIT, &listen_counters);
	if (!ap)
		return 0;
	e.ret = ret;
	e.fd = ap->fd;
	e.backlog = ap->backlog;
	if (ret != -ENOTSOCK && ret != -EBADF && (sk = sock_of_fd(ap->fd))) {
		e.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (e.family == AF_UNIX) {
			e.sock_type = BPF_CORE_READ(sk, sk_type);
			e.path_len = socket_unix_path(sk, e.path);
		} else {
			socket_local_end(sk, e.family, &e.protocol, &e.sock_type, &e.port, e.addr);
		}
	}
	send(ctx, &e, SN_KIND_LISTEN, pid_tgid, &listen_counters, ap);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
