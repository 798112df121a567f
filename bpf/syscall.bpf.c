// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall, from the raw sys_enter/sys_exit tracepoints (one program for all
 * syscalls), or where those cannot attach, from the per-syscall tracepoints. Each call
 * is reported (or counted) at its exit alone, but for calls that never return, seen at
 * their enter. With --latency, enter and exit are paired per thread by the pairing layer
 * (common.bpf.h): the enter side keeps the number and the time, so the exit side reads
 * the number from the registers only to classify an exit that found no entry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "syscall.h"

#define EFAULT 14

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct start {
	__u64 ts_ns; /* bpf_ktime_get_boot_ns(), the records' clock */
	__u32 nr;
	__u32 __pad;
	__u64 args[SYSCALL_ARGS]; /* as the call entered */
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
/* --latency: enter and exit paired; else the enter program sees only calls that never return. */
const volatile __u8 targ_latency = 0;

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
/*
 * rt_sigreturn restores every register of the interrupted context, the syscall number
 * included, which it sets to -1 (so that no syscall restart follows): its exit, where
 * it is taken without --latency, sees -1. Such an exit is rt_sigreturn's. (A tracer that
 * cancels a call also sets -1; that call's exit is then reported as rt_sigreturn too.)
 */
const volatile __s32 nr_rt_sigreturn = -1;
/*
 * Through the per-syscall tracepoints, rt_sigreturn's exit is never seen (the kernel
 * does not fire sys_exit_rt_sigreturn): there it is reported at its enter, as exit and
 * exit_group are, without a result. -1 elsewhere.
 */
const volatile __s32 nr_at_enter = -1;
/*
 * A successful execve or execveat returns into the new program: its registers and its
 * memory are no longer the caller's. The enter program keeps their arguments and
 * filename per thread (in `execs`), for their exit.
 */
const volatile __s32 nr_execve = -1;
const volatile __s32 nr_execveat = -1;

/*
 * Per syscall number: bit i when argument i is a string to read from the caller's
 * memory, set by user space from the generated prototypes (src/syscall_args.rs) that
 * also print the arguments.
 */
const volatile __u8 targ_strings[SYSCALL_NR_MAX] = {};

/* Room after a record's header for its strings: the verifier bounds the offset (a mask) and the read separately. */
#define SYSCALL_DATA_MASK (4 * 4096 - 1)
#define SYSCALL_STRING_READ (SYSCALL_STRING_MAX + 2) /* the string, one byte more to see it is longer, its NUL */

/* A record with strings is built here (per CPU), then sent. */
struct syscall_record {
	struct syscall_event e;
	char data[SYSCALL_DATA_MASK + 1 + SYSCALL_STRING_READ];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_record);
} scratch SEC(".maps");

/* An execve or execveat as it entered: its arguments and filename. */
struct exec_start {
	__u64 args[SYSCALL_ARGS];
	__s16 len;      /* bytes of filename, or -errno */
	__u8 cut;       /* 1: the filename was longer than SYSCALL_STRING_MAX bytes */
	__u8 __pad[5];
	char filename[SYSCALL_STRING_READ];
};

/* Calls of execve/execveat in flight, by thread: an LRU hash, as `inflight`. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYSCALL_EXECS_MAX);
	__type(key, __u32);
	__type(value, struct exec_start);
} execs SEC(".maps");

/* Where an exec_start is built before it is stored (per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_start);
} exec_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SYSCALL_COUNT_KEYS_MAX);
	__type(key, struct syscall_count_key);
	__type(value, struct syscall_count);
} counts SEC(".maps");

enum syscall_abi _syscall_abi = 0;
struct syscall_event _syscall_event = {};
enum syscall_args_from _syscall_args_from = 0;

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
	return nr == nr_exit || nr == nr_exit_group || nr == nr_at_enter;
}

static __always_inline bool makes_a_task(long nr)
{
	return nr == nr_fork || nr == nr_vfork || nr == nr_clone || nr == nr_clone3;
}

/*
 * The current task's six syscall argument registers (at enter, or at exit: see enum
 * syscall_args_from): from `regs`, the tp_btf programs' own pt_regs argument (loads
 * through a BTF pointer), or where that is NULL from current_regs().
 */
static __always_inline void read_args(__u64 *args, struct pt_regs *regs)
{
	if (regs) {
		args[0] = PT_REGS_PARM1_SYSCALL(regs);
		args[1] = PT_REGS_PARM2_SYSCALL(regs);
		args[2] = PT_REGS_PARM3_SYSCALL(regs);
		args[3] = PT_REGS_PARM4_SYSCALL(regs);
		args[4] = PT_REGS_PARM5_SYSCALL(regs);
		args[5] = PT_REGS_PARM6_SYSCALL(regs);
		return;
	}
	regs = current_regs();
	args[0] = SN_SYSCALL_ARG(1, regs);
	args[1] = SN_SYSCALL_ARG(2, regs);
	args[2] = SN_SYSCALL_ARG(3, regs);
	args[3] = SN_SYSCALL_ARG(4, regs);
	args[4] = SN_SYSCALL_ARG(5, regs);
	args[5] = SN_SYSCALL_ARG(6, regs);
}

static __always_inline bool is_exec(long nr)
{
	return nr == nr_execve || nr == nr_execveat;
}

/* Which arguments of syscall `nr` are strings to read. */
static __always_inline __u8 string_args(__u32 nr)
{
	__u32 i = nr & (SYSCALL_NR_MAX - 1);

	barrier_var(i); /* or clang bounds nr and indexes with an unbounded copy */
	return nr < SYSCALL_NR_MAX ? targ_strings[i] : 0;
}

/*
 * Reads the user string at `ptr` into `dst` (room for SYSCALL_STRING_READ bytes): its
 * length without the NUL, at most SYSCALL_STRING_MAX (`*cut` set when it was longer),
 * or -errno.
 */
static __always_inline long read_string(char *dst, __u64 ptr, bool *cut)
{
	long n = bpf_probe_read_user_str(dst, SYSCALL_STRING_READ, (const void *)ptr);

	if (n <= 0)
		return n < 0 ? n : -EFAULT;
	n -= 1;
	*cut = n > SYSCALL_STRING_MAX;
	return *cut ? SYSCALL_STRING_MAX : n;
}

/* The header of a record of one call; the caller fills args, strings and lengths. */
static __always_inline void fill_event(struct syscall_event *e, __u32 nr, __u64 pid_tgid, long ret, __u64 start_ns, __u8 returned, __u8 from,
				       struct task_struct *t)
{
	fill_task_header_of(&e->task, SN_KIND_SYSCALL, pid_tgid, t);
	e->ret = ret;
	e->latency_ns = start_ns ? e->task.ts_ns - start_ns : 0;
	e->nr = nr;
	e->returned = returned;
	e->untimed = !targ_latency;
	e->args_from = from;
	e->strings = 0;
	e->str_cut = 0;
	e->__pad[0] = 0;
	e->__pad[1] = 0;
	e->__pad[2] = 0;
	for (int i = 0; i < SYSCALL_ARGS; i++)
		e->str_len[i] = 0;
}

/*
 * A call with string arguments: built in `scratch`, each string read after the header
 * (SYSCALL_STRINGS_MAX at most), then sent with its strings' bytes.
 */
static __always_inline void send_with_strings(void *ctx, struct syscall_record *r, __u8 strings)
{
	struct syscall_event *e = &r->e;
	__u32 off = 0, read = 0;
	bool cut;
	long n;

	for (int i = 0; i < SYSCALL_ARGS; i++) {
		if (!(strings & (1 << i)) || read >= SYSCALL_STRINGS_MAX)
			continue;
		read++;
		off &= SYSCALL_DATA_MASK;
		n = read_string(&r->data[off], e->args[i], &cut);
		e->strings |= 1 << i;
		e->str_len[i] = n;
		if (n <= 0)
			continue;
		if (cut)
			e->str_cut |= 1 << i;
		off += n;
	}
	off &= SYSCALL_DATA_MASK;
	submit(ctx, r, sizeof(*e) + off);
}

/* An execve or execveat at its exit: its arguments and filename as kept at its enter. */
static __always_inline void send_exec(void *ctx, struct syscall_record *r, __u32 tid)
{
	struct syscall_event *e = &r->e;
	struct exec_start *x = bpf_map_lookup_elem(&execs, &tid);
	__u32 i = e->nr == nr_execveat ? 1 : 0, len;

	if (!x) {
		e->args_from = SYSCALL_ARGS_NONE;
		for (int j = 0; j < SYSCALL_ARGS; j++)
			e->args[j] = 0;
		submit(ctx, r, sizeof(*e));
		return;
	}
	e->args_from = SYSCALL_ARGS_AT_ENTER;
	for (int j = 0; j < SYSCALL_ARGS; j++)
		e->args[j] = x->args[j];
	e->strings = 1 << i;
	e->str_len[i & 1] = x->len;
	e->str_cut = x->cut << i;
	len = x->len > 0 ? x->len : 0;
	len &= SYSCALL_DATA_MASK;
	if (len > SYSCALL_STRING_MAX)
		len = SYSCALL_STRING_MAX;
	barrier_var(len);
	bpf_probe_read_kernel(r->data, len, x->filename);
	bpf_map_delete_elem(&execs, &tid);
	submit(ctx, r, sizeof(*e) + len);
}

/* At the exit of an execve or execveat that is not reported: what its enter kept goes. */
static __always_inline void forget_exec(long nr, __u64 pid_tgid)
{
	__u32 tid = (__u32)pid_tgid;

	if (is_exec(nr))
		bpf_map_delete_elem(&execs, &tid);
}

/* At an execve or execveat's enter: keeps its arguments and filename for its exit. */
static __always_inline void keep_exec(long nr, __u32 tid, struct pt_regs *regs)
{
	static const __u32 zero = 0;
	struct exec_start *x = bpf_map_lookup_elem(&exec_scratch, &zero);
	bool cut = false;

	if (!x)
		return;
	read_args(x->args, regs);
	x->len = read_string(x->filename, x->args[nr == nr_execveat ? 1 : 0], &cut);
	x->cut = cut;
	bpf_map_update_elem(&execs, &tid, x, BPF_ANY);
}

/*
 * One completed call, or one that never returns (`returned` 0, ret 0: no result that -x
 * or --errno could keep): filtered by its result, then counted or sent. `start_ns`:
 * with --latency, when the call entered (bpf_ktime_get_boot_ns(), the records' clock);
 * else 0. `entered`: its arguments as kept at its enter (--latency), else NULL: they
 * are read from the registers now.
 */
static __always_inline void report(void *ctx, __u32 nr, __u64 pid_tgid, long ret, __u64 start_ns, __u8 returned, const __u64 *entered,
				   struct pt_regs *regs, struct task_struct *t)
{
	static const __u32 zero = 0;
	__u8 from = entered || !returned ? SYSCALL_ARGS_AT_ENTER : SYSCALL_ARGS_AT_EXIT;
	struct syscall_record *r;
	__u8 strings;
	struct syscall_event *e;

	if ((targ_failed && ret >= 0) || (targ_errno && ret != -(long)targ_errno)) {
		count(SN_CTR_FILTERED);
		forget_exec(nr, pid_tgid);
		return;
	}
	if (targ_count) {
		aggregate(nr, pid_tgid, ret, start_ns ? bpf_ktime_get_boot_ns() - start_ns : 0);
		return;
	}
	strings = string_args(nr);
	if (!strings && !is_exec(nr)) {
		/* The common case: a fixed-size record, built in place. */
		e = reserve(sizeof(*e));
		if (!e)
			return;
		fill_event(e, nr, pid_tgid, ret, start_ns, returned, from, t);
		if (entered)
			__builtin_memcpy(e->args, entered, sizeof(e->args));
		else
			read_args(e->args, regs);
		commit(ctx, e, sizeof(*e));
		return;
	}
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return;
	fill_event(&r->e, nr, pid_tgid, ret, start_ns, returned, from, t);
	if (is_exec(nr)) {
		send_exec(ctx, r, (__u32)pid_tgid);
		return;
	}
	if (entered)
		__builtin_memcpy(r->e.args, entered, sizeof(r->e.args));
	else
		read_args(r->e.args, regs);
	send_with_strings(ctx, r, strings);
}

static __always_inline int on_enter(void *ctx, long nr, struct pt_regs *regs)
{
	struct task_struct *t = sn_current();
	__u64 pid_tgid = pid_tgid_of(t);
	__u32 tid = (__u32)pid_tgid;
	struct start s;

	if (is_exec(nr) && !targ_count && syscall_allowed(nr) && !is_self(pid_tgid, SYSCALL_SLOT_ENTER)) {
		/* Kept whatever the task filters say: its exit decides (forget_exec()). */
		keep_exec(nr, (__u32)pid_tgid, regs);
		if (!targ_latency)
			return 0;
	}
	if (never_returns(nr)) {
		/*
		 * Neither sysnoop's probe children: without --latency, where the enter
		 * program is attached to exit and exit_group alone, their exits prove it runs.
		 */
		if (is_self_or_child(pid_tgid, SYSCALL_SLOT_ENTER))
			return 0;
	} else if (is_self(pid_tgid, SYSCALL_SLOT_ENTER) || !targ_latency) {
		/*
		 * Never sysnoop itself: each record it writes would make another one. Without
		 * --latency, calls that return are seen at their exit alone.
		 */
		return 0;
	}
	if (!syscall_allowed(nr) || !trace_allowed_of(pid_tgid, t)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	if (never_returns(nr)) {
		report(ctx, nr, pid_tgid, 0, 0, 0, NULL, regs, t);
		return 0;
	}
	s.ts_ns = bpf_ktime_get_boot_ns();
	s.nr = nr;
	s.__pad = 0;
	if (!targ_count)
		read_args(s.args, regs);
	pair_enter(tid, &s);
	return 0;
}

/* `nr` is read only when the exit finds no entry, to classify the miss. */
static __always_inline int on_exit(void *ctx, long ret, long nr)
{
	struct task_struct *t = sn_current();
	__u64 pid_tgid = pid_tgid_of(t);
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
		pair_miss(!(ret == 0 && makes_a_task(nr)) && syscall_allowed(nr) && trace_allowed_of(pid_tgid, t));
		forget_exec(nr, pid_tgid);
		return 0;
	}
	report(ctx, s->nr, pid_tgid, ret, s->ts_ns, 1, s->args, NULL, t);
	pair_done(tid, s);
	return 0;
}

/*
 * Without --latency, as syscount counts and strace reports: at the exit alone, with no
 * pairing (in per-event mode the enter program reports the calls that never return,
 * exit and exit_group; --count does not count them, as strace -c does not). A new
 * task's return from the fork or clone that made it is not a call of its own. The
 * filters look at the thread as the call ends.
 */
static __always_inline int on_exit_unpaired(void *ctx, long ret, long nr, struct pt_regs *regs)
{
	struct task_struct *t = sn_current();
	__u64 pid_tgid = pid_tgid_of(t);

	if (nr == -1)
		nr = nr_rt_sigreturn;
	if (is_self(pid_tgid, SYSCALL_SLOT_EXIT) || (ret == 0 && makes_a_task(nr)))
		return 0;
	if (!syscall_allowed(nr) || !trace_allowed_of(pid_tgid, t)) {
		count(SN_CTR_FILTERED);
		forget_exec(nr, pid_tgid);
		return 0;
	}
	report(ctx, nr, pid_tgid, ret, 0, 1, NULL, regs, t);
	return 0;
}

/* The syscall number in saved registers `regs` that loads can read. */
#if defined(__TARGET_ARCH_x86)
#define SN_REGS_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SN_REGS_NR(regs) ((regs)->syscallno)
#else
#error "SN_REGS_NR: unsupported architecture"
#endif

/*
 * The number of the syscall the current task returns from, from its saved registers:
 * the task's (one load), or the raw tracepoint's own pt_regs argument (a probe read).
 */
static __always_inline long regs_nr(struct bpf_raw_tracepoint_args *ctx)
{
#if SN_USE_TASK_PT_REGS
	return SN_REGS_NR(current_regs());
#else
	return regs_syscall_nr((struct pt_regs *)ctx->args[0]);
#endif
}

/*
 * The raw tracepoints with their arguments typed (tp_btf, 5.5): the saved registers are
 * the tracepoint's own pt_regs argument, read with plain loads. Where the raw ones read
 * them from the task instead, two helper calls each time, and calls cost: on this
 * project's AMD machines each call and return pays the kernel's return-thunk mitigation
 * (docs/benchmarks.md).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf__sys_enter, struct pt_regs *regs, long id)
{
	return on_enter(ctx, id, regs);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf__sys_exit, struct pt_regs *regs, long ret)
{
	return on_exit(ctx, ret, SN_REGS_NR(regs));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf__sys_exit_unpaired, struct pt_regs *regs, long ret)
{
	return on_exit_unpaired(ctx, ret, SN_REGS_NR(regs), regs);
}

SEC("raw_tp/sys_enter")
int raw_tp__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return on_enter(ctx, ctx->args[1], NULL);
}

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit(ctx, ctx->args[1], regs_nr(ctx));
}

SEC("raw_tp/sys_exit")
int raw_tp__sys_exit_unpaired(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit_unpaired(ctx, ctx->args[1], regs_nr(ctx), NULL);
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
	return on_enter(ctx, ctx->syscall_nr, NULL);
}

SEC("tracepoint")
int tracepoint__syscalls__sys_exit(struct syscalls_exit *ctx)
{
	return on_exit(ctx, ctx->ret, ctx->syscall_nr);
}

SEC("tracepoint")
int tracepoint__syscalls__sys_exit_unpaired(struct syscalls_exit *ctx)
{
	return on_exit_unpaired(ctx, ctx->ret, ctx->syscall_nr, NULL);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
