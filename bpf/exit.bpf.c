// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process exits, from sched_process_exit, which every exiting task reaches in do_exit()
 * after its exit_code is set and signal->live is decremented. A process has exited when
 * its last thread has (live == 0): the leader's own exit is not enough, since exec from
 * another thread kills the old leader while the process lives on. But live == 0 is not
 * "the last thread": under SIGKILL several threads decrement it before any of them gets
 * here, and all of them read 0. So exactly one of those claims the process's exit (see
 * claim_process_exit); the others are thread exits. --threads adds every thread exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "exit.h"
#include "common.bpf.h"

const volatile __u8 targ_threads = 0;

#define EEXIST 17

/* A process, told apart from any later one that reuses its pid by its start time. */
struct claim_key {
	__u64 start_time; /* the group leader's (exec from a thread carries it over) */
	__u32 tgid;
	__u32 __pad;
};

/*
 * Processes whose exit has been claimed. Nothing looks a claim up once its process is
 * gone: an LRU map reclaims them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYSNOOP_EXIT_CLAIMS_MAX);
	__type(key, struct claim_key);
	__type(value, __u8);
} claims SEC(".maps");

enum exit_abi _exit_abi = 0;
struct exit_event _exit_event = {};

enum exit_slot _exit_slot = 0;

/*
 * Does this thread, which saw its process's last thread leave, report the process's
 * exit? Exactly one thread does: the first to insert the process into `claims`
 * (BPF_NOEXIST is atomic). 6.18's tp_btf passes a `group_dead` flag that would say it
 * directly, but 6.1 and 6.12 do not have it; this rule works on every kernel.
 */
static __always_inline bool claim_process_exit(__u64 pid_tgid, __u64 start_time)
{
	struct claim_key key = { .start_time = start_time, .tgid = pid_tgid >> 32 };
	__u8 one = 1;

	/*
	 * Any failure but "already claimed" reports the exit: a double beats a loss. The
	 * result is compared as an int: before 6.4 the verifier turns this call into a
	 * direct call of the map's update function, which returns an int, so the upper 32
	 * bits of the 64-bit result are not a sign extension (6.1 gives 0xffffffef, not
	 * -EEXIST, and every racing thread then reported the process's exit).
	 */
	return (int)bpf_map_update_elem(&claims, &key, &one, BPF_NOEXIST) != -EEXIST;
}

static __always_inline int on_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct exit_event e = {};
	__u64 start_time;
	__u32 exit_code;

	if (is_self_or_child(pid_tgid, EXIT_SLOT_EXIT))
		return 0;
	start_time = BPF_CORE_READ(task, group_leader, start_time);
	e.is_thread = BPF_CORE_READ(task, signal, live.counter) != 0 ||
		      !claim_process_exit(pid_tgid, start_time);
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
	e.duration_ns = bpf_ktime_get_ns() - start_time;
	e.exit_code = exit_code;
	e.start_ns = process_start(task);
	submit(ctx, &e, sizeof(e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf__sched_process_exit)
{
	return on_exit(ctx);
}

/* The classic tracepoint, for kernels where tp_btf cannot attach. */
SEC("tracepoint/sched/sched_process_exit")
int tracepoint__sched__sched_process_exit(void *ctx)
{
	return on_exit(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
