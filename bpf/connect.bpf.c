// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * connect(2), from its syscall tracepoints (they load on every kernel sysnoop supports,
 * unlike kprobes): the enter side keeps the fd and the user's sockaddr pointer, the exit
 * side reads the destination from that sockaddr and the socket's protocol, type and
 * local address through the fd table, then sends one record, failures included.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "connect.h"

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct args {
	const void *uaddr;
	__u32 fd;
	__u32 addrlen;
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"

#define ENOTSOCK 88
#define EBADF 9

/* --port: destination ports to keep (host order); none set keeps all. */
const volatile __u16 targ_ports[CONNECT_PORTS_MAX] = {};
const volatile __u32 targ_nports = 0;

enum connect_abi _connect_abi = 0;
struct connect_event _connect_event = {};

enum connect_slot _connect_slot = 0;

static __always_inline bool port_allowed(__u16 dport)
{
	__u32 i;

	if (!targ_nports)
		return true;
	for (i = 0; i < CONNECT_PORTS_MAX; i++) {
		if (i >= targ_nports)
			break;
		if (targ_ports[i] == dport)
			return true;
	}
	return false;
}

/* The socket behind `fd` of the current task, or NULL. */
static __always_inline struct sock *sock_of_fd(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds, *file = NULL;
	struct socket *socket;
	unsigned int max_fds;

	max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	if (fd >= max_fds)
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	return socket ? BPF_CORE_READ(socket, sk) : NULL;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tracepoint__syscalls__sys_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct args args = {
		.fd = ctx->args[0],
		.uaddr = (const void *)ctx->args[1],
		.addrlen = ctx->args[2],
	};

	if (is_self(pid_tgid, CONNECT_SLOT_ENTER))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	pair_enter(tid, &args);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tracepoint__syscalls__sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct connect_event e = {};
	struct args *ap;
	struct sock *sk;
	long ret = ctx->ret;
	__u32 len;

	if (is_self(pid_tgid, CONNECT_SLOT_EXIT))
		return 0;
	ap = pair_lookup(tid);
	if (!ap) {
		/* Filtered at enter (counted there), or a traced call's miss. */
		pair_miss(trace_allowed(pid_tgid));
		return 0;
	}
	if (targ_failed && ret >= 0) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}
	e.ret = ret;
	e.fd = ap->fd;
	bpf_probe_read_user(&e.family, sizeof(e.family), ap->uaddr);
	if (e.family == AF_INET) {
		struct sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), ap->uaddr);
		e.dport = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(e.daddr, &sin.sin_addr, 4);
	} else if (e.family == AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), ap->uaddr);
		e.dport = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(e.daddr, &sin6.sin6_addr, 16);
	} else if (e.family == AF_UNIX) {
		len = ap->addrlen > 2 ? ap->addrlen - 2 : 0;
		if (len > CONNECT_PATH_MAX)
			len = CONNECT_PATH_MAX;
		if (len && bpf_probe_read_user(e.path, len & 0x7f, ap->uaddr + 2))
			len = 0;
		e.path_len = len;
	}
	if (!port_allowed(e.dport)) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}

	/* The socket, unless the fd was not one. */
	if (ret != -ENOTSOCK && ret != -EBADF && (sk = sock_of_fd(ap->fd)))
		socket_local_end(sk, e.family, &e.protocol, &e.sock_type, &e.sport, e.saddr);
	fill_task_header(&e.task, SN_KIND_CONNECT, pid_tgid);
	if (is_probe_child(e.task.ppid))
		goto cleanup; /* sysnoop's own probe children */
	submit(ctx, &e, sizeof(e));
cleanup:
	pair_done(tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
