// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall, from the raw sys_enter/sys_exit tracepoints (one program for all
 * syscalls), or where those cannot attach, from the per-syscall tracepoints; paired
 * per thread: the enter side keeps the number and the time, so the exit side needs no
 * architecture-specific register reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "syscall.h"
#include "common.bpf.h"

/* --syscall: 1 for each number to keep; targ_syscalls_set 0 keeps all. */
const volatile __u8 targ_syscalls[SYSCALL_NR_MAX] = {};
const volatile __u8 targ_syscalls_set = 0;
/* --count: aggregate here instead of sending records; -P keys by process; --errno. */
const volatile __u8 targ_count = 0;
const volatile __u8 targ_per_process = 0;
const volatile __u32 targ_errno = 0; /* 0: count every call */

struct start {
	__u64 ts_ns;
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct start);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SYSCALL_COUNT_KEYS_MAX);
	__type(key, struct syscall_count_key);
	__type(value, struct syscall_count);
} counts SEC(".maps");

enum syscall_abi _syscall_abi = 0;
struct syscall_event _syscall_event = {};

#define SLOT_ENTER 0
#define SLOT_EXIT 1

static __always_inline bool syscall_allowed(long nr)
{
	if (!targ_syscalls_set)
		return true;
	if (nr < 0 || nr >= SYSCALL_NR_MAX)
		return false;
	return targ_syscalls[nr & (SYSCALL_NR_MAX - 1)];
}

/* Count mode: one call into the per-CPU totals. A full map counts a loss. */
static __always_inline void aggregate(__u32 nr, __u64 pid_tgid, long ret, __u64 latency)
{
	struct syscall_count_key key = { .nr = nr, .pid = targ_per_process ? pid_tgid >> 32 : 0 };
	struct syscall_count *c, first = {};

	c = bpf_map_lookup_elem(&counts, &key);
	if (!c) {
		if (targ_per_process)
			bpf_get_current_comm(first.comm, sizeof(first.comm));
		bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &key);
		if (!c) {
			count(SN_CTR_LOST);
			return;
		}
	}
	c->count += 1; /* per-CPU: no atomics needed */
	if (ret < 0 && ret >= -4095)
		c->errors += 1;
	c->total_ns += latency;
	if (latency > c->max_ns)
		c->max_ns = latency;
}

static __always_inline int on_enter(long nr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct start s;

	/* Never sysnoop itself: each record it writes would make another one. */
	if (is_self(pid_tgid, SLOT_ENTER))
		return 0;
	if (!syscall_allowed(nr) || !trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	s.ts_ns = bpf_ktime_get_ns();
	s.nr = nr;
	bpf_map_update_elem(&start, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct syscall_event e = {};
	struct start *s;

	if (is_self(pid_tgid, SLOT_EXIT))
		return 0;
	s = bpf_map_lookup_elem(&start, &tid);
	if (!s) {
		/*
		 * Filtered at enter (counted there), or a call that began before tracing
		 * did, or one that never returns to its caller (execve, exit): only a
		 * traced thread's miss is counted.
		 */
		return 0;
	}
	if ((targ_failed && ret >= 0) || (targ_errno && ret != -(long)targ_errno)) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}
	if (targ_count) {
		aggregate(s->nr, pid_tgid, ret, bpf_ktime_get_ns() - s->ts_ns);
		goto cleanup;
	}
	fill_task_header(&e.task, SN_KIND_SYSCALL, pid_tgid);
	e.ret = ret;
	e.latency_ns = bpf_ktime_get_ns() - s->ts_ns;
	e.nr = s->nr;
	submit(&e, sizeof(e));
cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_tp__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return on_enter(ctx->args[1]);
}

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit(ctx->args[1]);
}

/*
 * The fallback where the raw tracepoints cannot attach: the same programs on the
 * per-syscall tracepoints. No target in the section: user space attaches them to
 * syscalls/sys_enter_<name> and sys_exit_<name> for each syscall it traces.
 */
/*
 * A syscalls/sys_enter_<name> record: the common fields, then a 4-byte syscall number
 * (then that syscall's arguments). Reading 8 bytes there, as raw_syscalls' `long id`,
 * goes past the record of an argument-less syscall, and the kernel then refuses to
 * attach the program (EACCES).
 */
struct syscalls_enter {
	struct trace_entry ent;
	int syscall_nr;
};

SEC("tracepoint")
int tracepoint__syscalls__sys_enter(struct syscalls_enter *ctx)
{
	return on_enter(ctx->syscall_nr);
}

SEC("tracepoint")
int tracepoint__syscalls__sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
