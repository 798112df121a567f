// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process exits, from sched_process_exit, which every exiting task reaches in do_exit()
 * after its exit_code is set and signal->live is decremented. A process has exited when
 * its last thread does (live == 0), whichever thread that is: the leader's own exit is
 * not enough, since exec from another thread kills the old leader while the process
 * lives on. --threads adds every other thread's exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "exit.h"
#include "common.bpf.h"

const volatile __u8 targ_threads = 0;

enum exit_abi _exit_abi = 0;
struct exit_event _exit_event = {};

#define SLOT_EXIT 0

static __always_inline int on_exit(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct exit_event e = {};
	__u32 exit_code;

	if (is_self_or_child(pid_tgid, SLOT_EXIT))
		return 0;
	e.is_thread = BPF_CORE_READ(task, signal, live.counter) != 0;
	/* Not an event of this kind unless asked for: not counted as filtered. */
	if (e.is_thread && !targ_threads)
		return 0;
	exit_code = BPF_CORE_READ(task, exit_code);
	if (!trace_allowed(pid_tgid) || (targ_failed && exit_code == 0)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	fill_task_header(&e.task, SN_KIND_EXIT, pid_tgid);
	/* The leader's start is the process's (exec from a thread carries it over). */
	e.duration_ns = bpf_ktime_get_ns() - BPF_CORE_READ(task, group_leader, start_time);
	e.exit_code = exit_code;
	submit(&e, sizeof(e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf__sched_process_exit)
{
	return on_exit();
}

/* The classic tracepoint, for kernels where tp_btf cannot attach. */
SEC("tracepoint/sched/sched_process_exit")
int tracepoint__sched__sched_process_exit(void *ctx)
{
	return on_exit();
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
