// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall, from the raw sys_enter/sys_exit tracepoints (no tracefs needed, one
 * program for all syscalls), paired per thread: the enter side keeps the number and
 * the time, so the exit side needs no architecture-specific register reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "syscall.h"
#include "common.bpf.h"

/* --syscall: 1 for each number to keep; targ_syscalls_set 0 keeps all. */
const volatile __u8 targ_syscalls[SYSCALL_NR_MAX] = {};
const volatile __u8 targ_syscalls_set = 0;

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

SEC("raw_tp/sys_enter")
int raw_tp__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	long nr = ctx->args[1];
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

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct syscall_event e = {};
	struct start *s;
	long ret = ctx->args[1];

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
	if (targ_failed && ret >= 0) {
		count(SN_CTR_FILTERED);
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
