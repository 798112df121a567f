/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF-side helpers every sysnoop object includes: the filters (const volatile globals
 * set in rodata before load), the per-CPU counters, and the common record header.
 * Each object gets its own copy of these globals and maps.
 */
#ifndef SYSNOOP_COMMON_BPF_H
#define SYSNOOP_COMMON_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sysnoop.h"

/*
 * Kernel features beyond sysnoop's floor (Linux 5.10). build.rs builds every object once
 * per combination of the ones it uses, each macro 1 or 0, and the loader opens the
 * variant for what the running kernel has (src/features.rs probes it). A program of a
 * variant without a feature must not mention its helper at all, not even in a branch
 * rodata makes dead: the kernel refuses the whole program.
 *
 *  - SN_HAVE_TASK_BTF: bpf_get_current_task_btf() (5.11). Without it: the task from
 *    bpf_get_current_task() read with CO-RE (probe) reads, comm with bpf_get_current_comm().
 *  - SN_HAVE_TASK_PT_REGS: bpf_task_pt_regs() (5.15), which takes the BTF task. Without
 *    it: the saved user registers at the top of the task's kernel stack (current_regs()).
 *  - SN_HAVE_LOOP: bpf_loop() (5.17) and its callbacks (BPF_PSEUDO_FUNC, 5.13). Without
 *    it: bounded loops the verifier walks iteration by iteration (SN_LOOP below), with
 *    fewer iterations.
 *  - SN_HAVE_RDONLY_CAST: the kfunc bpf_rdonly_cast() (6.2; libbpf's bpf_core_cast()),
 *    which makes any kernel pointer a read-only BTF pointer whose fields are plain
 *    (faulting) loads; the verifier turns the call into a register move. Used with the
 *    three above only (src/features.rs: needs). Without it: a full path's walk reads
 *    each file, dentry and mount field with a bpf_probe_read_kernel() call.
 *  - SN_HAVE_TASK_STORAGE: task local storage (BPF_MAP_TYPE_TASK_STORAGE) from tracing
 *    programs (5.12), used with the BTF task. Enter/exit pairing keeps a call's entry in
 *    its task (below). Without it: an LRU hash keyed by thread id.
 */
#if !defined(SN_HAVE_TASK_BTF) || !defined(SN_HAVE_TASK_PT_REGS) || !defined(SN_HAVE_LOOP) || \
	!defined(SN_HAVE_RDONLY_CAST) || !defined(SN_HAVE_TASK_STORAGE)
#error "build.rs defines SN_HAVE_TASK_BTF, SN_HAVE_TASK_PT_REGS, SN_HAVE_LOOP, SN_HAVE_RDONLY_CAST and SN_HAVE_TASK_STORAGE (0 or 1)"
#endif

/* bpf_task_pt_regs() needs the BTF task: without bpf_get_current_task_btf() it is no use. */
#define SN_USE_TASK_PT_REGS (SN_HAVE_TASK_PT_REGS && SN_HAVE_TASK_BTF)
/* build.rs builds no variant with the cast but without the others; this says so to the C. */
#define SN_USE_RDONLY_CAST (SN_HAVE_RDONLY_CAST && SN_HAVE_TASK_BTF && SN_HAVE_TASK_PT_REGS && SN_HAVE_LOOP)

/* build.rs builds no variant with task storage but without the BTF task; likewise. */
#define SN_USE_TASK_STORAGE (SN_HAVE_TASK_STORAGE && SN_HAVE_TASK_BTF)

/* The current task; read its fields with BPF_CORE_READ (which works with either). */
#if SN_HAVE_TASK_BTF
#define current_task() bpf_get_current_task_btf()
#else
#define current_task() ((struct task_struct *)bpf_get_current_task())
#endif

/*
 * bpf_core_cast(), with the kernel's ID of the type from read-only data, which user
 * space fills from the kernel's BTF (src/loader.rs, Common): `sn_cast(p, dentry)` is
 * `p` as a read-only `struct dentry *`. libbpf's bpf_core_cast() takes the ID from a
 * relocation instead, which would give the ID in the cut-down BTF the objects are
 * relocated against (src/btf.rs; build.rs refuses an object with such a relocation).
 * The verifier reads a frozen read-only map's values as constants, as the kfunc needs.
 * One variable per type cast to; 0 where the kernel has no BTF (no cast is loaded then).
 */
const volatile __u32 kid_task_struct = 0;
const volatile __u32 kid_dentry = 0;
const volatile __u32 kid_mount = 0;
const volatile __u32 kid_file = 0;
#define sn_cast(ptr, type) ((struct type *)bpf_rdonly_cast((ptr), kid_##type))

/*
 * The current task, to load its fields from (with SN_HAVE_TASK_BTF only). Where the
 * kernel has bpf_rdonly_cast, the task cast read-only: the verifier walks an untrusted
 * pointer's fields as they are, where each pointer loaded from a trusted one makes it
 * search the kernel's BTF by name (6.3+: for "task_struct__safe_trusted" and the like,
 * each a pass over every type, in every state it checks: that doubled open's
 * verification time). Else the BTF task itself (before 6.3 there are no such searches).
 */
#if SN_USE_RDONLY_CAST
#define loads_task() sn_cast((void *)bpf_get_current_task(), task_struct)
#elif SN_HAVE_TASK_BTF
#define loads_task() bpf_get_current_task_btf()
#endif

/*
 * The current task, fetched once for a program's hot path: a helper call fetches it,
 * and calls cost (each call and return pays the kernel's return-thunk mitigation on the
 * AMD machines this project measures on: ~20 ns a pair, docs/benchmarks.md), so a path
 * that reads the task for its filters, its pid and its record's header takes it once
 * with sn_current() and passes it down to the *_of() functions below. Where the kernel
 * has no read-only cast the handle is NULL and those read the task as before.
 */
#if SN_USE_RDONLY_CAST
#define sn_current() loads_task()
#else
#define sn_current() ((struct task_struct *)0)
#endif

/* bpf_get_current_pid_tgid(), from the task `t` from sn_current(): two loads, no call. */
static __always_inline __u64 pid_tgid_of(struct task_struct *t)
{
#if SN_USE_RDONLY_CAST
	return (__u64)(__u32)t->tgid << 32 | (__u32)t->pid;
#else
	return bpf_get_current_pid_tgid();
#endif
}

/* Copies the comm of the current task `t` (from sn_current()): SYSNOOP_COMM_LEN bytes, 8-aligned `dst`. */
static __always_inline void current_comm_of(char *dst, struct task_struct *t)
{
#if SN_USE_RDONLY_CAST
	/* Two loads from the task, instead of a helper call. */
	__builtin_memcpy(dst, t->comm, SYSNOOP_COMM_LEN);
#elif SN_HAVE_TASK_BTF
	__builtin_memcpy(dst, loads_task()->comm, SYSNOOP_COMM_LEN);
#else
	bpf_get_current_comm(dst, SYSNOOP_COMM_LEN);
#endif
}

/* Copies the current task's comm (SYSNOOP_COMM_LEN bytes, 8-aligned `dst`). */
static __always_inline void current_comm(char *dst)
{
	current_comm_of(dst, sn_current());
}

/*
 * The user registers the current task saved when it entered the kernel. Without
 * bpf_task_pt_regs() they are where the kernel's task_pt_regs() finds them, at the top
 * of the task's kernel stack (THREAD_SIZE: 16 KiB on x86_64 and arm64 kernels built
 * without KASAN); the pointer may then only be read with probe reads (SN_SYSCALL_ARG()).
 */
#if SN_USE_TASK_PT_REGS
#define current_regs() ((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()))
#define SN_SYSCALL_ARG(n, regs) PT_REGS_PARM##n##_SYSCALL(regs)
#else
#define SN_THREAD_SIZE (16 << 10)
static __always_inline struct pt_regs *current_regs(void)
{
	void *stack = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), stack);

	return (struct pt_regs *)(stack + SN_THREAD_SIZE) - 1;
}
#define SN_SYSCALL_ARG(n, regs) PT_REGS_PARM##n##_CORE_SYSCALL(regs)
#endif

/* The syscall number in saved registers `regs` (a probe read: works with any pointer). */
static __always_inline long regs_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ((struct user_pt_regs *)regs, syscallno);
#else
#error "regs_syscall_nr: unsupported architecture"
#endif
}

/*
 * SN_LOOP(n, bounded, fn, ctx): calls `long fn(__u64 index, void *ctx)` for index
 * 0..n-1 until it returns 1, as bpf_loop() does. Without bpf_loop, a bounded loop of at
 * most `bounded` iterations instead, with `fn` inlined (declare it SN_CALLBACK): the
 * verifier walks every iteration, so keep `bounded` small and the state `fn` leaves
 * the same from one iteration to the next, or its work grows with each (path_step()).
 */
#if SN_HAVE_LOOP
#define SN_CALLBACK static long
#define SN_LOOP(n, bounded, fn, ctx) bpf_loop((n), (fn), (ctx), 0)
#else
#define SN_CALLBACK static __always_inline long
#define SN_LOOP(n, bounded, fn, ctx)                                   \
	({                                                                  \
		__u32 __i;                                                  \
		for (__i = 0; __i < (bounded) && __i < (n); __i++)          \
			if ((fn)(__i, (ctx)))                               \
				break;                                      \
		__i;                                                        \
	})
#endif

/* The shared ABI enums into every object's BTF, so each skeleton's `types` has them. */
enum sysnoop_abi _sysnoop_abi = 0;
enum sysnoop_counter _sysnoop_counter = 0;
enum sysnoop_kind _sysnoop_kind = 0;

/* Filters. Every one has an "unset" value that matches everything. */
const volatile __u32 targ_tgid = 0;            /* 0: any process (pid 0 never makes syscalls) */
const volatile __u32 targ_tid = 0;             /* 0: any thread */
const volatile __u32 targ_uid = (__u32)-1;     /* (uid_t)-1: any user, so uid 0 can be filtered */
const volatile __u32 targ_comm_len = 0;        /* 0: any command name */
const volatile char targ_comm[SYSNOOP_COMM_LEN] = {}; /* substring of comm, targ_comm_len bytes */
const volatile __u8 targ_failed = 0;           /* 1: only failed calls */
const volatile __u8 targ_follow = 0;           /* 1: only tasks in `followed` (-- CMD, --follow) */
const volatile __u8 targ_cgroup = 0;           /* 1: only tasks in cgroup_filter's cgroup or below (--cgroup) */

/*
 * -- CMD and --follow: the tasks followed, by thread id. bpf/follow.bpf.c adds a followed
 * task's new tasks at fork and removes each at its exit; user space creates the map
 * (--max-tasks entries) and every object reuses it. Here it is a placeholder.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* --cgroup: the cgroup v2 directory, at index 0 (user space creates it; every object reuses it). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/*
 * sysnoop's own calls, and its children's, are never reported (in syscall tracing its own
 * writes would feed back on themselves). Instead each program marks its slot in
 * `self_seen` when one of them reaches it: user space makes probe calls (and starts a
 * probe child for exec and exit) after attach and waits for every slot, so "tracing" is
 * only said of programs that demonstrably run.
 */
const volatile __u32 self_tgid = 0;
__u8 self_seen[SYSNOOP_SELF_SLOTS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * Counts one event in `map`: `counters`, or the counters of an object's second record
 * kind (a per-CPU array of SN_CTR_NR u64s of its own, e.g. bpf/connect.bpf.c's).
 */
static __always_inline void count_in(void *map, __u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(map, &counter);

	if (value)
		*value += 1; /* per-CPU: no atomics needed */
}

static __always_inline void count(__u32 counter)
{
	count_in(&counters, counter);
}

/*
 * The transport every object sends its records through (src/transport.rs): user space
 * creates one per run and every object reuses it as `events`.
 *
 *  - The BPF ring buffer (Linux 5.8+; `use_perf` 0): one buffer for all CPUs, so
 *    records of all kinds arrive in the order the kernel stored them. Waking the
 *    consumer costs the traced task more than the rest of the program (measured: ~5.5
 *    us of ~8.5 us per open on 6.18), so records are submitted without a wakeup except
 *    the one that brings the bytes waiting past a multiple of `wakeup_bytes`: one
 *    wakeup per `wakeup_bytes` that arrive while user space is not reading (waking on
 *    every record past the mark, as once here, raised an interrupt per record until
 *    the reader caught up). User space also drains the ring on a short timer, which
 *    bounds the delay at low rates. 0 means: wake on every record.
 *  - A perf buffer per CPU (`use_perf` 1: kernels without the ring buffer, or
 *    --transport perf): `events` is then a PERF_EVENT_ARRAY and each record goes out
 *    with bpf_perf_event_output() on the current CPU; user space merges the CPUs'
 *    streams by time, and sets each buffer's wakeup watermark. A sample holds at most
 *    SN_PERF_RECORD_MAX bytes of record.
 *
 * `use_perf` is read-only data: the verifier sees the branch of the other transport as
 * dead and never checks its helpers, so one object loads with either map.
 */
const volatile __u64 wakeup_bytes = 0;
const volatile __u8 use_perf = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* The perf transport's room for a record built in place (reserve/commit), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[SN_RESERVE_MAX]);
} reserved SEC(".maps");

/*
 * The flags that submit a record of `size` bytes when `waiting` bytes (this record
 * included) are waiting in the ring: a wakeup if it brings them past a multiple of
 * wakeup_bytes (a power of two, so: if the two counts differ in a bit at or above it).
 */
static __always_inline __u64 wakeup_flags(__u64 waiting, __u64 size)
{
	if (!wakeup_bytes)
		return 0;
	return ((waiting - size) ^ waiting) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Sends `size` bytes of `data` as one record from the program whose context is `ctx`;
 * a full buffer counts a loss. A record too big for a perf sample counts a loss too
 * (no kind sends one: exec cuts its argv to fit, see bpf/exec.h).
 */
static __always_inline void submit_counted(void *ctx, void *data, __u64 size, void *counter_map)
{
	__u64 waiting;

	if (use_perf) {
		if (size > SN_PERF_RECORD_MAX || bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, data, size))
			count_in(counter_map, SN_CTR_LOST);
		return;
	}
	waiting = wakeup_bytes ? bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size : 0;
	if (bpf_ringbuf_output(&events, data, size, wakeup_flags(waiting, size)))
		count_in(counter_map, SN_CTR_LOST);
}

/* submit_counted() for the object's own record kind: a loss counts in `counters`. */
static __always_inline void submit(void *ctx, void *data, __u64 size)
{
	submit_counted(ctx, data, size, &counters);
}

/*
 * A fixed-size record built in place (no copy): reserve() it, fill every byte, then
 * commit() it. A full ring counts a loss and gives NULL. With the perf transport the
 * record is built in `reserved` and copied out at commit(): at most SN_RESERVE_MAX
 * bytes (a record's own file asserts its size).
 */
static __always_inline void *reserve(__u64 size)
{
	static const __u32 zero = 0;
	void *record;

	if (use_perf)
		record = size <= SN_RESERVE_MAX ? bpf_map_lookup_elem(&reserved, &zero) : NULL;
	else
		record = bpf_ringbuf_reserve(&events, size, 0);
	if (!record)
		count(SN_CTR_LOST);
	return record;
}

static __always_inline void commit(void *ctx, void *record, __u64 size)
{
	__u64 waiting;

	if (use_perf) {
		submit(ctx, record, size);
		return;
	}
	waiting = wakeup_bytes ? bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) : 0;
	bpf_ringbuf_submit(record, wakeup_flags(waiting, size));
}

/* Is `needle` (targ_comm, targ_comm_len bytes) a substring of the comm of `t` (sn_current())? */
static __always_inline bool comm_allowed_of(struct task_struct *t)
{
	/* 8-aligned, so the copy is two loads, not sixteen. */
	union {
		__u64 words[SYSNOOP_COMM_LEN / 8];
		char text[SYSNOOP_COMM_LEN];
	} current;
	const char *comm = current.text;
	__u32 i, j;

	if (targ_comm_len == 0)
		return true;
	current_comm_of(current.text, t);
	for (i = 0; i < SYSNOOP_COMM_LEN; i++) {
		if (i + targ_comm_len >= SYSNOOP_COMM_LEN)
			break;
		for (j = 0; j < SYSNOOP_COMM_LEN - 1; j++) {
			if (j >= targ_comm_len || i + j >= SYSNOOP_COMM_LEN)
				break;
			if (comm[i + j] != targ_comm[j])
				break;
		}
		if (j >= targ_comm_len)
			return true;
	}
	return false;
}

/*
 * A program attached to the tracepoints of several syscalls (one program, which the
 * verifier checks once, instead of one per call) knows which call fired by its number:
 * `of[nr]` is the call's index + 1, 0 for a number that is none of them, as user space
 * filled it before the load (src/loader.rs `number_call`). The call's index if it is
 * below `calls`, else `calls`; kept in one register, so that the verifier knows the
 * bound wherever the index is used.
 */
static __always_inline __u32 call_of(const volatile __u8 *of, long n, long nr, __u32 calls)
{
	__u32 which;

	if (nr < 0 || nr >= n)
		return calls;
	which = (__u32)of[nr] - 1;
	if (which >= calls)
		return calls;
	barrier_var(which);
	return which;
}

/*
 * A program `name` on the exits of several calls, and its table `of` (call_of()):
 * `fn(ctx, index)` for each of the `calls` calls user space marked in the table.
 */
#define SN_EXIT_OF_CALLS(name, of, calls, fn)                                          \
	const volatile __u8 of[SYSNOOP_CALL_NR_LIMIT] = {};                            \
                                                                                       \
	SEC("tracepoint")                                                              \
	int name(struct trace_event_raw_sys_exit *ctx)                                 \
	{                                                                              \
		__u32 which = call_of(of, SYSNOOP_CALL_NR_LIMIT, ctx->id, calls);       \
                                                                                       \
		if (which >= (calls))                                                  \
			return 0;                                                      \
		return fn(ctx, which);                                                 \
	}

/*
 * `return fn(ctx, which)` for a program on several calls whose index `which` is below
 * `calls` (at most 32). With bpf_loop (5.17+), as is. Before, each call's code is
 * inlined with its index a constant, as when each call had its own program: the form
 * the mount calls' program passed 5.10's verifier in. (file's did not pass in either
 * form: 5.10's verifier followed a path whose bounds contradict themselves, 2 <= len <=
 * 1, and refused a pointer moved by such a value; file keeps a program per call there.)
 */
#if SN_HAVE_LOOP
#define SN_EACH_CALL(which, calls, fn, ctx) \
	return (which) < (calls) ? fn(ctx, which) : 0
#else
#define SN_CALL_CASE(n, calls, fn, ctx) \
	case n:                          \
		if ((n) < (calls))       \
			return fn(ctx, n); \
		break;
#define SN_EACH_CALL(which, calls, fn, ctx) \
	switch (which) {                    \
	SN_CALL_CASE(0, calls, fn, ctx) \
	SN_CALL_CASE(1, calls, fn, ctx) \
	SN_CALL_CASE(2, calls, fn, ctx) \
	SN_CALL_CASE(3, calls, fn, ctx) \
	SN_CALL_CASE(4, calls, fn, ctx) \
	SN_CALL_CASE(5, calls, fn, ctx) \
	SN_CALL_CASE(6, calls, fn, ctx) \
	SN_CALL_CASE(7, calls, fn, ctx) \
	SN_CALL_CASE(8, calls, fn, ctx) \
	SN_CALL_CASE(9, calls, fn, ctx) \
	SN_CALL_CASE(10, calls, fn, ctx) \
	SN_CALL_CASE(11, calls, fn, ctx) \
	SN_CALL_CASE(12, calls, fn, ctx) \
	SN_CALL_CASE(13, calls, fn, ctx) \
	SN_CALL_CASE(14, calls, fn, ctx) \
	SN_CALL_CASE(15, calls, fn, ctx) \
	SN_CALL_CASE(16, calls, fn, ctx) \
	SN_CALL_CASE(17, calls, fn, ctx) \
	SN_CALL_CASE(18, calls, fn, ctx) \
	SN_CALL_CASE(19, calls, fn, ctx) \
	SN_CALL_CASE(20, calls, fn, ctx) \
	SN_CALL_CASE(21, calls, fn, ctx) \
	SN_CALL_CASE(22, calls, fn, ctx) \
	SN_CALL_CASE(23, calls, fn, ctx) \
	SN_CALL_CASE(24, calls, fn, ctx) \
	SN_CALL_CASE(25, calls, fn, ctx) \
	SN_CALL_CASE(26, calls, fn, ctx) \
	SN_CALL_CASE(27, calls, fn, ctx) \
	SN_CALL_CASE(28, calls, fn, ctx) \
	SN_CALL_CASE(29, calls, fn, ctx) \
	SN_CALL_CASE(30, calls, fn, ctx) \
	SN_CALL_CASE(31, calls, fn, ctx) \
	}                                   \
	return 0
#endif

/* Is this sysnoop itself? Then `slot`'s program is live. */
static __always_inline bool is_self(__u64 pid_tgid, __u32 slot)
{
	if (!self_tgid || (pid_tgid >> 32) != self_tgid)
		return false;
	if (slot < SYSNOOP_SELF_SLOTS)
		self_seen[slot] = 1;
	return true;
}

/*
 * Is this sysnoop, or a child it started to probe exec and exit (not the command it
 * runs with -- CMD, which is followed)? Then `slot`'s program is live. This reads the
 * parent (two kernel reads) for every other task: hot paths use is_self() on entry and
 * drop children by the ppid in their record instead.
 */
static __always_inline bool is_self_or_child(__u64 pid_tgid, __u32 slot)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)pid_tgid;

	if (!self_tgid)
		return false;
	if ((pid_tgid >> 32) != self_tgid && BPF_CORE_READ(task, real_parent, tgid) != self_tgid)
		return false;
	/* The command sysnoop runs (-- CMD) is its child too, but a followed one. */
	if (targ_follow && bpf_map_lookup_elem(&followed, &tid))
		return false;
	if (slot < SYSNOOP_SELF_SLOTS)
		self_seen[slot] = 1;
	return true;
}

/*
 * Is a task whose parent is `ppid` one of the children sysnoop starts to probe exec and
 * exit? Kinds that cannot afford is_self_or_child() on every event check the ppid in
 * their record. Never when following (-- CMD, --follow): then only followed tasks pass
 * the filters, and the command sysnoop runs, its own child too, must not be dropped.
 */
static __always_inline bool is_probe_child(__u32 ppid)
{
	return self_tgid && ppid == self_tgid && !targ_follow;
}

/*
 * All task filters in one place; pid_tgid is bpf_get_current_pid_tgid(), `t` the
 * current task from sn_current().
 */
static __always_inline bool trace_allowed_of(__u64 pid_tgid, struct task_struct *t)
{
	__u32 tgid = pid_tgid >> 32;
	__u32 tid = (__u32)pid_tgid;

	if (targ_follow && !bpf_map_lookup_elem(&followed, &tid))
		return false;
	if (targ_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	if (targ_tgid && targ_tgid != tgid)
		return false;
	if (targ_tid && targ_tid != tid)
		return false;
	if (targ_uid != (__u32)-1 && targ_uid != (__u32)bpf_get_current_uid_gid())
		return false;
	return comm_allowed_of(t);
}

/* trace_allowed_of() with the task fetched here. */
static __always_inline bool trace_allowed(__u64 pid_tgid)
{
	return trace_allowed_of(pid_tgid, sn_current());
}

/*
 * Enter/exit pairing: one layer, one policy, for every kind that reports a syscall at
 * its exit (open, connect, failed exec, syscalls). An object that pairs defines
 * SYSNOOP_PAIRED as the type of what its exit needs from the enter, before including
 * this header; it gets the `inflight` map and the pair_*() helpers.
 *
 *  - The enter side decides, once: it runs the filters (counting a drop as filtered)
 *    and stores the arguments under the thread id. The exit side never filters again:
 *    a stored call is always taken out and reported, whatever the thread became
 *    meanwhile (a setuid under -u, a new comm under -n).
 *  - Calls that never return (exit, exit_group) are never stored.
 *  - Where the kernel has task storage (SN_USE_TASK_STORAGE), the entry lives in the
 *    thread's task_struct, with a flag that says it is live: the enter stores it there
 *    (allocated once per thread, on its first traced call), the exit reads it and clears
 *    the flag. The kernel frees it with the task, so an entry whose exit never comes
 *    costs nothing, and there is no map to fill. A thread that execs keeps its task, so
 *    its exec's entry is its own whatever tid it ends with. One get at the enter and one
 *    at the exit, where a hash costs a lookup of its bucket, an update that takes an
 *    element from a free list, and a delete that gives it back (with the LRU's lists too):
 *    `syscalls --count -L` added a third less than with the LRU hash (docs/benchmarks.md).
 *    An allocation that fails (out of memory, or another task storage call on this CPU
 *    in progress) stores nothing: that call is a pairing miss. Before 6.2 a lookup can
 *    fail that way too; its entry then stays live, to be overwritten by the thread's next
 *    traced enter, or taken by the next exit whose enter was filtered (one wrong pairing,
 *    needing two such collisions in a row on one thread).
 *  - Else an LRU hash: an entry whose exit never comes (a thread stuck for good, the old tid
 *    of a thread that exec'd) is reclaimed when room is needed, instead of filling the
 *    map for the rest of the run and silently dropping every later call.
 *  - An exit that finds no entry is classified by the caller and counted with
 *    pair_miss(): a call filtered at enter is not counted again; a traced call is a
 *    pairing miss (it began before tracing did, or its entry could not be stored or
 *    was evicted). A failed insert is counted that way, at the exit, and only there, so
 *    no call is counted twice. The classification runs the filters again, on this rare
 *    path only: a call filtered at enter whose thread then changed what a filter looks
 *    at (a syscall traced under -n that execs into a matching name, a setuid under -u)
 *    is counted once more, as a miss; and a traced call whose entry was lost and whose
 *    thread changed that way is not counted. Both need a filter's input to change inside
 *    the call, and the second an in-flight map overflowing too.
 *
 * Every pair_*() is about the current thread; `tid` is its id (for exec, the id it had
 * before the exec), the hash's key.
 */
#ifdef SYSNOOP_PAIRED
#if SN_USE_TASK_STORAGE
/* The entry first, so that a pointer to it is one to its slot. */
struct pair_slot {
	SYSNOOP_PAIRED entry;
	__u8 live;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pair_slot);
} inflight SEC(".maps");

/* At a traced call's enter: remember `args` for its exit. */
static __always_inline void pair_enter(__u32 tid, const SYSNOOP_PAIRED *args)
{
	struct pair_slot *slot;

	slot = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot)
		return; /* the exit counts the miss */
	__builtin_memcpy(&slot->entry, args, sizeof(slot->entry));
	slot->live = 1;
}

/* At a call's exit: what its enter stored, or NULL. Release a non-NULL one with pair_done(). */
static __always_inline SYSNOOP_PAIRED *pair_lookup(__u32 tid)
{
	struct pair_slot *slot;

	slot = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!slot || !slot->live)
		return NULL;
	return &slot->entry;
}

/* The call is done with: `entry` is what pair_lookup() returned, or NULL to look it up. */
static __always_inline void pair_done(__u32 tid, SYSNOOP_PAIRED *entry)
{
	if (!entry)
		entry = (SYSNOOP_PAIRED *)bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (entry)
		((struct pair_slot *)entry)->live = 0;
}
#else
/* An object whose entries are big may hold fewer (bpf/privilege.bpf.c). */
#ifndef SYSNOOP_PAIRED_MAX
#define SYSNOOP_PAIRED_MAX SYSNOOP_INFLIGHT_MAX
#endif
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYSNOOP_PAIRED_MAX);
	__type(key, __u32); /* thread id */
	__type(value, SYSNOOP_PAIRED);
} inflight SEC(".maps");

/* At a traced call's enter: remember `args` for its exit. */
static __always_inline void pair_enter(__u32 tid, const SYSNOOP_PAIRED *args)
{
	/*
	 * Could not store it: make sure no older entry of this thread is left for the exit
	 * to pair with by mistake. The exit then counts the miss.
	 */
	if ((int)bpf_map_update_elem(&inflight, &tid, args, BPF_ANY)) /* int: see exit.bpf.c */
		bpf_map_delete_elem(&inflight, &tid);
}

/* At a call's exit: what its enter stored, or NULL. Release a non-NULL one with pair_done(). */
static __always_inline SYSNOOP_PAIRED *pair_lookup(__u32 tid)
{
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* The call is done with: `entry` is what pair_lookup() returned, or NULL. */
static __always_inline void pair_done(__u32 tid, SYSNOOP_PAIRED *entry)
{
	bpf_map_delete_elem(&inflight, &tid);
}
#endif

/*
 * An exit with no entry. `traced`: the caller's classification, true when the enter
 * would have stored this call (the filters pass now); false for a call filtered at
 * enter (counted there) or one that is not a call of its own (a new task's return from
 * fork).
 */
static __always_inline void pair_miss(bool traced)
{
	if (traced)
		count(SN_CTR_PAIR_MISS);
}
#endif /* SYSNOOP_PAIRED */

#ifndef AF_INET
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#endif

/*
 * A socket's own end, as the connect records carry it (bpf/connect.h, bpf/lsm.h):
 * its protocol and type, its local port (host order; 0 when not bound) and, for
 * `family` AF_INET or AF_INET6, its local address (4 or 16 bytes of `saddr`).
 */
static __always_inline void socket_local_end(struct sock *sk, __u16 family, __u16 *protocol, __u16 *sock_type,
					     __u16 *sport, __u8 saddr[16])
{
	*protocol = BPF_CORE_READ(sk, sk_protocol);
	*sock_type = BPF_CORE_READ(sk, sk_type);
	*sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == AF_INET) {
		__be32 addr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(saddr, &addr, 4);
	} else if (family == AF_INET6) {
		/* All 16 bytes: `saddr` is a pointer here, so BPF_CORE_READ_INTO would copy one. */
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	}
}

/*
 * The address a task passed to connect(2) or bind(2) (`addrlen` bytes at user `uaddr`):
 * its family; for AF_INET and AF_INET6 its port (host order) and address (4 or 16 bytes
 * of `addr`); for AF_UNIX its path into `path` (108 bytes, which must have 127 bytes of
 * stack after it: the verifier sees a masked length) and that path's length.
 */
static __always_inline void user_sockaddr(const void *uaddr, __u32 addrlen, __u16 *family, __u16 *port, __u8 addr[16],
					  char *path, __u16 *path_len)
{
	__u32 len;

	bpf_probe_read_user(family, sizeof(*family), uaddr);
	if (*family == AF_INET) {
		struct sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		*port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(addr, &sin.sin_addr, 4);
	} else if (*family == AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		*port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(addr, &sin6.sin6_addr, 16);
	} else if (*family == AF_UNIX) {
		len = addrlen > 2 ? addrlen - 2 : 0;
		if (len > 108)
			len = 108;
		if (len && bpf_probe_read_user(path, len & 0x7f, uaddr + 2))
			len = 0;
		*path_len = len;
	}
}

/* The open file `fd` of the current task `t` (from sn_current()), or NULL. */
static __always_inline struct file *task_file_of(int fd, struct task_struct *t)
{
#if SN_HAVE_TASK_BTF
	/* Loads through the BTF task (a faulting load each), not probe-read helper calls. */
#if SN_USE_RDONLY_CAST
	struct fdtable *fdt = t->files->fdt;
#else
	struct fdtable *fdt = loads_task()->files->fdt;
#endif
	struct file **fds = fdt->fd;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	/* An index into an array of pointers: the one read a BTF load cannot make. */
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
#else
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
#endif
}

/* The current task's open file `fd`, or NULL. */
static __always_inline struct file *task_file(int fd)
{
	return task_file_of(fd, sn_current());
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

/*
 * A unix socket's bound path (its unix_address), as a sockaddr_un's sun_path: into
 * `path` (108 bytes), returning its length (an abstract name starts with a NUL), 0 when
 * it is not bound.
 */
static __always_inline __u16 socket_unix_path(struct sock *sk, char path[108])
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	__u64 len; /* 64 bits: a 32-bit one is clamped in a zero-extended copy the verifier does not link */

	if (!addr)
		return 0;
	len = (__u32)BPF_CORE_READ(addr, len); /* it counts sun_family */
	if (len <= sizeof(__u16))
		return 0;
	len -= sizeof(__u16);
	if (len > 108)
		len = 108;
	if (bpf_probe_read_kernel(path, len, (void *)addr + bpf_core_field_offset(struct unix_address, name) + sizeof(__u16)))
		return 0;
	return len;
}

/*
 * When the task's process began: its group leader's start_boottime (CLOCK_BOOTTIME ns),
 * which /proc/PID/stat's field 22 shows in clock ticks. With the pid and the boot id
 * it names the process across pid reuse (src/identity.rs).
 */
static __always_inline __u64 process_start(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/*
 * The header every record starts with. With bpf_rdonly_cast (6.2+), every field of the
 * task's is a load through the task cast read-only. Before that (5.11+), comm and ppid
 * are loads through the task's BTF pointer, uid and the cgroup id come from their
 * helpers: each load of a pointer from a trusted task makes the verifier search the
 * kernel's BTF by name (start-up time: ~80 ms once across sysnoop's programs). On 5.10,
 * helpers and probe reads.
 */
static __always_inline void fill_task_header_of(struct task_header *h, __u32 kind, __u64 pid_tgid, struct task_struct *t)
{
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->kind = kind;
	h->__pad = 0;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
#if SN_USE_RDONLY_CAST
	/* Every field by loads through the task cast read-only: no helper call. */
	h->ppid = t->real_parent->tgid;
	h->uid = t->cred->uid.val; /* the kuid: the uid in the initial namespace, as the helper gives it */
	__builtin_memcpy(h->comm, t->comm, SYSNOOP_COMM_LEN);
	h->cgroup_id = t->cgroups->dfl_cgrp->kn->id; /* bpf_get_current_cgroup_id()'s */
#else
#if SN_HAVE_TASK_BTF
	h->ppid = bpf_get_current_task_btf()->real_parent->tgid; /* two loads through the BTF task */
#else
	h->ppid = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent, tgid);
#endif
	h->uid = (__u32)bpf_get_current_uid_gid();
	current_comm(h->comm);
	h->cgroup_id = bpf_get_current_cgroup_id();
#endif
}

/* fill_task_header_of() with the task fetched here. */
static __always_inline void fill_task_header(struct task_header *h, __u32 kind, __u64 pid_tgid)
{
	fill_task_header_of(h, kind, pid_tgid, sn_current());
}

#endif /* SYSNOOP_COMMON_BPF_H */
