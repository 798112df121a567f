// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall, from the raw sys_enter/sys_exit tracepoints (one program for all
 * syscalls), or where those cannot attach, from the per-syscall tracepoints; paired
 * per thread by the pairing layer (common.bpf.h): the enter side keeps the number and
 * the time, so the exit side reads the number from the registers only to classify an
 * exit that found no entry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "syscall.h"

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct start {
	__u64 ts_ns;
	__u32 nr;
};

#define SYSNOOP_PAIRED struct start
#include "common.bpf.h"

/* --syscall: 1 for each number to keep; targ_syscalls_set 0 keeps all. */
const volatile __u8 targ_syscalls[SYSCALL_NR_MAX] = {};
const volatile __u8 targ_syscalls_set = 0;
/* --count: aggregate here instead of sending records; -P keys by process; --errno. */
const volatile __u8 targ_count = 0;
const volatile __u8 targ_per_process = 0;
const volatile __u32 targ_errno = 0; /* 0: count every call */

/*
 * This architecture's numbers of the syscalls that need handling of their own, set by
 * user space from the generated table (src/syscall_names.rs); -1 where there is none.
 * exit and exit_group never return: they are reported at their enter and never stored.
 * fork, vfork, clone and clone3 return twice: the new task's return (ret 0) is not a
 * call of its own, and has no enter.
 */
const volatile __s32 nr_exit = -1;
const volatile __s32 nr_exit_group = -1;
const volatile __s32 nr_fork = -1;
const volatile __s32 nr_vfork = -1;
const volatile __s32 nr_clone = -1;
const volatile __s32 nr_clone3 = -1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SYSCALL_COUNT_KEYS_MAX);
	__type(key, struct syscall_count_key);
	__type(value, struct syscall_count);
} counts SEC(".maps");

enum syscall_abi _syscall_abi = 0;
struct syscall_event _syscall_event = {};

enum syscall_slot _syscall_slot = 0;

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

static __always_inline bool never_returns(long nr)
{
	return nr == nr_exit || nr == nr_exit_group;
}

static __always_inline bool makes_a_task(long nr)
{
	return nr == nr_fork || nr == nr_vfork || nr == nr_clone || nr == nr_clone3;
}

/*
 * One completed call, or one that never returns (`returned` 0, ret 0: no result that -x
 * or --errno could keep): filtered by its result, then counted or sent.
 */
static __always_inline void report(__u32 nr, __u64 pid_tgid, long ret, __u64 latency, __u8 returned)
{
	struct syscall_event e = {};

	if ((targ_failed && ret >= 0) || (targ_errno && ret != -(long)targ_errno)) {
		count(SN_CTR_FILTERED);
		return;
	}
	if (targ_count) {
		aggregate(nr, pid_tgid, ret, latency);
		return;
	}
	fill_task_header(&e.task, SN_KIND_SYSCALL, pid_tgid);
	e.ret = ret;
	e.latency_ns = latency;
	e.nr = nr;
	e.returned = returned;
	submit(&e, sizeof(e));
}

static __always_inline int on_enter(long nr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct start s;

	/* Never sysnoop itself: each record it writes would make another one. */
	if (is_self(pid_tgid, SYSCALL_SLOT_ENTER))
		return 0;
	if (!syscall_allowed(nr) || !trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	if (never_returns(nr)) {
		report(nr, pid_tgid, 0, 0, 0);
		return 0;
	}
	s.ts_ns = bpf_ktime_get_ns();
	s.nr = nr;
	pair_enter(tid, &s);
	return 0;
}

/* `nr` is read only when the exit finds no entry, to classify the miss. */
static __always_inline int on_exit(long ret, long nr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct start *s;

	if (is_self(pid_tgid, SYSCALL_SLOT_EXIT))
		return 0;
	s = pair_lookup(tid);
	if (!s) {
		/*
		 * Filtered at enter (counted there), or a new task's return from the fork
		 * or clone that made it (its parent's call is the one reported); else a
		 * traced call's miss.
		 */
		pair_miss(!(ret == 0 && makes_a_task(nr)) && syscall_allowed(nr) && trace_allowed(pid_tgid));
		return 0;
	}
	report(s->nr, pid_tgid, ret, bpf_ktime_get_ns() - s->ts_ns, 1);
	pair_done(tid);
	return 0;
}

/*
 * --count without --latency, as syscount counts: at the exit alone, one program per
 * call instead of two, and no pairing. A new task's return from the fork or clone that
 * made it is not a call of its own. Calls that never return (exit, exit_group) have no
 * exit, so they are not counted (strace -c does not count them either); the filters
 * look at the thread as the call ends.
 */
static __always_inline int on_exit_count(long ret, long nr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (is_self(pid_tgid, SYSCALL_SLOT_EXIT) || (ret == 0 && makes_a_task(nr)))
		return 0;
	if (!syscall_allowed(nr) || !trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	report(nr, pid_tgid, ret, 0, 1);
	return 0;
}

/* The number of the syscall a raw sys_exit returns from, from its registers. */
static __always_inline long regs_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
#error "regs_nr: unsupported architecture"
#endif
}

SEC("raw_tp/sys_enter")
int raw_tp__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return on_enter(ctx->args[1]);
}

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit(ctx->args[1], regs_nr((struct pt_regs *)ctx->args[0]));
}

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit_count(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit_count(ctx->args[1], regs_nr((struct pt_regs *)ctx->args[0]));
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

/* A syscalls/sys_exit_<name> record: likewise, then the return value. */
struct syscalls_exit {
	struct trace_entry ent;
	int syscall_nr;
	long ret;
};

SEC("tracepoint")
int tracepoint__syscalls__sys_enter(struct syscalls_enter *ctx)
{
	return on_enter(ctx->syscall_nr);
}

SEC("tracepoint")
int tracepoint__syscalls__sys_exit(struct syscalls_exit *ctx)
{
	return on_exit(ctx->ret, ctx->syscall_nr);
}

SEC("tracepoint")
int tracepoint__syscalls__sys_exit_count(struct syscalls_exit *ctx)
{
	return on_exit_count(ctx->ret, ctx->syscall_nr);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
