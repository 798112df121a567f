// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * connect(2), from its syscall tracepoints (they load on every kernel sysnoop supports,
 * unlike kprobes): the enter side keeps the fd and the user's sockaddr pointer, the exit
 * side reads the destination from that sockaddr and the socket's protocol, type and
 * local address through the fd table, then sends one record, failures included. A TCP
 * connect that returns before its outcome is known gets a connect_result record when
 * the socket leaves SYN_SENT (the inet_sock_set_state raw tracepoint, 4.16+; below).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "connect.h"

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct args {
	const void *uaddr;
	__u32 fd;
	__u32 addrlen;
	/* The TCP socket this connect put in SYN_SENT (its key in `pending`), else 0. */
	__u64 tracked;
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"

#define ENOTSOCK 88
#define EBADF 9
#define EEXIST 17

/* --port: destination ports to keep (host order); none set keeps all. */
const volatile __u16 targ_ports[CONNECT_PORTS_MAX] = {};
const volatile __u32 targ_nports = 0;

enum connect_abi _connect_abi = 0;
struct connect_event _connect_event = {};

enum connect_slot _connect_slot = 0;
enum connect_state _connect_state = 0;
struct connect_result _connect_result = {};

/*
 * The outcome of a TCP connect. A connect that puts its socket in SYN_SENT (the
 * inet_sock_set_state tracepoint, in the connecting thread) is tracked in `pending`,
 * keyed by the socket, with the connect_result to send. When the socket leaves SYN_SENT
 * (established, or closed: refused, timed out, unreachable, closed by its process) the
 * outcome is written into that entry. The connect's exit decides whether it is a record
 * of its own: a connect that returned 0 or a final error carries its outcome in its own
 * result, and the entry is dropped; one that returned before the outcome (EINPROGRESS,
 * EALREADY, interrupted) hands it over by adding the socket to `handed`.
 *
 * Whoever deletes the `handed` entry sends the connect_result, exactly once: the state
 * change when it comes after the hand-over, the exit when the outcome came first (the
 * exit adds the entry, then looks for an outcome; the state change writes the outcome,
 * then tries the delete, so one of the two sees the other), and user space at the end
 * of the run for a connect still pending (src/kinds/connect.rs). A map delete succeeds
 * for one caller only, on every kernel (no atomics needed: 5.10 has no cmpxchg).
 */

/* The connect_result records' own counters (the object's `counters` are the connects'). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} result_counters SEC(".maps");

/* TCP connects awaiting their outcome, by socket. Full: the outcome is counted lost. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CONNECT_PENDING_MAX);
	__type(key, __u64);
	__type(value, struct connect_result);
} pending SEC(".maps");

/* The sockets of `pending` whose connect returned before the outcome. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CONNECT_PENDING_MAX);
	__type(key, __u64);
	__type(value, __u8);
} handed SEC(".maps");

/* Connect ids made on each CPU: an id is (this count << 12) | the CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} next_id SEC(".maps");

#define EINTR 4
#define EALREADY 114
#define EINPROGRESS 115
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

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

/* Whether a connect that returned `ret` left its socket still connecting. */
static __always_inline bool returned_before_outcome(long ret)
{
	return ret == -EINPROGRESS || ret == -EALREADY || ret == -EINTR || ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

/* The socket's addresses and ports (as the inet_sock_set_state tracepoint reads them). */
static __always_inline void result_ends(struct sock *sk, struct connect_result *r)
{
	struct inet_sock *inet = (struct inet_sock *)sk;

	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	r->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r->family == AF_INET) {
		__be32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr), daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(r->saddr, &saddr, 4);
		__builtin_memcpy(r->daddr, &daddr, 4);
	} else {
		bpf_core_read(r->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(r->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/*
 * Whether the socket at `held`'s key is still the one it was tracked for. The kernel
 * skips this program when it is already running on that CPU (a softirq's state change
 * in the middle of a run in a task: the program's recursion_misses, which user space
 * reports as `skipped`, 6.7+), so an outcome can be missed; its socket is then freed with its
 * entry still here, and a later socket at the same address must not take that outcome.
 * The destination is set before SYN_SENT (the source port only after it).
 */
static __always_inline bool same_socket(const struct connect_result *held, const struct connect_result *now)
{
	__u64 a[2], b[2];

	__builtin_memcpy(a, held->daddr, 16);
	__builtin_memcpy(b, now->daddr, 16);
	return held->family == now->family && held->dport == now->dport && a[0] == b[0] && a[1] == b[1];
}

/*
 * A tracked socket's entry whose outcome was missed (see same_socket): dropped, and its
 * connect_result counted lost by whoever takes its `handed` entry, as a send would be (a
 * connect that was not handed over reported its outcome itself, or was not reported).
 */
static __always_inline void drop_stale(__u64 key)
{
	bpf_map_delete_elem(&pending, &key);
	if ((int)bpf_map_delete_elem(&handed, &key) == 0)
		count_in(&result_counters, SN_CTR_LOST);
}

static __always_inline void send_result(void *ctx, struct connect_result *r)
{
	if (targ_failed && r->state == CONNECT_ESTABLISHED) {
		count_in(&result_counters, SN_CTR_FILTERED);
		return;
	}
	submit_counted(ctx, r, sizeof(*r), &result_counters);
}

/* A traced connect put `sk` in SYN_SENT: await its outcome. */
static __always_inline void track(struct sock *sk)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), key = (__u64)sk, *count;
	struct connect_result r = {};
	struct args *ap;
	__u32 zero = 0;
	int err;

	ap = pair_lookup((__u32)pid_tgid);
	if (!ap)
		return; /* not in a traced connect(2) */
	result_ends(sk, &r);
	if (!port_allowed(r.dport))
		return; /* its connect record is counted filtered */
	count = bpf_map_lookup_elem(&next_id, &zero);
	if (!count)
		return;
	*count += 1;
	r.connect_id = (*count << 12) | bpf_get_smp_processor_id();
	r.connect_ns = bpf_ktime_get_boot_ns();
	fill_task_header(&r.task, SN_KIND_CONNECT_RESULT, pid_tgid);
	err = bpf_map_update_elem(&pending, &key, &r, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* A socket at this address before this one had its outcome missed. */
		drop_stale(key);
		err = bpf_map_update_elem(&pending, &key, &r, BPF_NOEXIST);
	}
	if (err) {
		count_in(&result_counters, SN_CTR_LOST);
		return;
	}
	ap->tracked = key;
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(connect_state, struct sock *sk, int oldstate, int newstate)
{
	struct connect_result r, *held;
	__u64 key = (__u64)sk;

	if (newstate == TCP_SYN_SENT) {
		track(sk);
		return 0;
	}
	if ((oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV) || (newstate != TCP_ESTABLISHED && newstate != TCP_CLOSE))
		return 0;
	held = bpf_map_lookup_elem(&pending, &key);
	if (!held)
		return 0;
	r = *held;
	result_ends(sk, &r);
	if (!same_socket(held, &r)) {
		drop_stale(key);
		return 0;
	}
	r.outcome_ns = bpf_ktime_get_boot_ns();
	r.task.ts_ns = r.outcome_ns;
	r.state = newstate == TCP_ESTABLISHED ? CONNECT_ESTABLISHED : CONNECT_CLOSED;
	r.error = newstate == TCP_CLOSE ? BPF_CORE_READ(sk, sk_err) : 0;
	/* The whole entry replaced: a reader sees the outcome or none of it. */
	bpf_map_update_elem(&pending, &key, &r, BPF_EXIST);
	if ((int)bpf_map_delete_elem(&handed, &key) == 0) {
		send_result(ctx, &r);
		bpf_map_delete_elem(&pending, &key);
	}
	return 0;
}

/* The connect of `key`'s socket returned before its outcome: hand it over (see above). */
static __always_inline void hand_over(void *ctx, __u64 key)
{
	struct connect_result r, *held;
	__u8 one = 1;
	int err;

	err = bpf_map_update_elem(&handed, &key, &one, BPF_NOEXIST);
	if (err == -EEXIST)
		return; /* handed over already (EALREADY after EINPROGRESS) */
	if (err) {
		count_in(&result_counters, SN_CTR_LOST);
		bpf_map_delete_elem(&pending, &key);
		return;
	}
	held = bpf_map_lookup_elem(&pending, &key);
	if (!held || held->state == CONNECT_PENDING)
		return; /* the state change sends it, or has */
	r = *held;
	r.task.ts_ns = bpf_ktime_get_boot_ns();
	if ((int)bpf_map_delete_elem(&handed, &key) == 0) {
		send_result(ctx, &r);
		bpf_map_delete_elem(&pending, &key);
	}
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
	struct connect_result *held = NULL;
	bool awaited = false;
	struct args *ap;
	struct sock *sk;
	long ret = ctx->ret;
	__u64 key;

	if (is_self(pid_tgid, CONNECT_SLOT_EXIT))
		return 0;
	ap = pair_lookup(tid);
	if (!ap) {
		/* Filtered at enter (counted there), or a traced call's miss. */
		pair_miss(trace_allowed(pid_tgid));
		return 0;
	}
	key = ap->tracked;
	if (key)
		held = bpf_map_lookup_elem(&pending, &key);
	if (targ_failed && ret >= 0) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}
	e.ret = ret;
	e.fd = ap->fd;
	user_sockaddr(ap->uaddr, ap->addrlen, &e.family, &e.dport, e.daddr, e.path, &e.path_len);
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
	awaited = held && returned_before_outcome(ret);
	if (awaited)
		e.connect_id = held->connect_id;
	/* The connect record first, then (hand_over) any outcome already known. */
	submit(ctx, &e, sizeof(e));
	if (awaited)
		hand_over(ctx, key);
cleanup:
	/* Returned with its outcome, or not reported: no outcome record. */
	if (held && !awaited)
		bpf_map_delete_elem(&pending, &key);
	pair_done(tid, ap);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
