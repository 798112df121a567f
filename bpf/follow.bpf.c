// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The set of followed tasks (-- CMD, --follow PID), by thread id, in the `followed` map
 * every object's trace_allowed() checks (bpf/common.bpf.h). User space puts the first
 * tasks in; from then on the kernel keeps it:
 *
 *  - sched_process_fork, which the parent fires after copy_process() and before
 *    wake_up_new_task(), so before the child can run: a followed task's new process or
 *    thread is followed. A full set counts the child as untracked, never silently.
 *  - sched_process_exit: a task leaves the set, after the kinds' programs on the same
 *    tracepoint have reported it (programs on one tracepoint run in the order they
 *    were attached, kernel/tracepoint.c func_add(), and this object is attached last).
 *    A thread-group leader that exits while its other threads live stays: its pid
 *    stays taken until the group is gone, and a thread that execs takes it over
 *    (de_thread()). The group's last thread removes it.
 *  - sched_process_exec: a thread that exec'd has the leader's pid now; its old tid is
 *    gone without an exit of its own.
 *
 * User space ends the run when the set is empty.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "follow.h"
#include "common.bpf.h"

enum follow_slot _follow_slot = 0;

SEC("raw_tp/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, child_tid;
	__u8 one = 1;

	/* sysnoop's own threads prove this program runs. */
	if (is_self(pid_tgid, FOLLOW_SLOT_FORK) || !bpf_map_lookup_elem(&followed, &tid))
		return 0;
	child_tid = BPF_CORE_READ(child, pid);
	/* An int: see claim_process_exit() in exit.bpf.c. */
	if ((int)bpf_map_update_elem(&followed, &child_tid, &one, BPF_ANY))
		count(SN_CTR_UNTRACKED);
	else
		count(SN_CTR_FOLLOWED);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(follow_exec, struct task_struct *p, pid_t old_pid)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, old_tid = old_pid;

	if (is_self_or_child(pid_tgid, FOLLOW_SLOT_EXEC))
		return 0;
	if (old_tid != tid)
		bpf_map_delete_elem(&followed, &old_tid);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(follow_exit)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, tgid = pid_tgid >> 32;

	if (is_self(pid_tgid, FOLLOW_SLOT_EXIT))
		return 0;
	if (BPF_CORE_READ(task, signal, live.counter) == 0) {
		bpf_map_delete_elem(&followed, &tid);
		bpf_map_delete_elem(&followed, &tgid);
	} else if (tid != tgid) {
		bpf_map_delete_elem(&followed, &tid);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
