// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process execution. Successful execs come from sched_process_exec, which every exec
 * path reaches (execve, execveat, binfmt_script, binfmt_misc): there the new image's
 * argv lies contiguous at mm->arg_start..arg_end and is copied in one read. Failed
 * execs never get there: they come from the exit of execve/execveat with ret < 0, and
 * their argv is read from the caller's pointer array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "exec.h"

/* What a failed exec's exit needs from its enter, kept per thread by the pairing layer. */
struct args {
	const char *filename;
	const char *const *argv;
	__u8 source;
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"
#include "path.bpf.h"

/* --max-arg-bytes: at most EXEC_ARGS_MAX (EXEC_ARGS_PERF_MAX on the perf transport). */
const volatile __u32 targ_max_args = EXEC_ARGS_DEFAULT;
/* --ancestors: at most EXEC_ANCESTORS_MAX. */
const volatile __u32 targ_ancestors = EXEC_ANCESTORS_MAX;

/*
 * Scratch records, one per CPU (user space sets max_entries to the number of CPUs): a
 * record is too big for the stack and for a per-CPU array's 32 KiB value limit.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} heap SEC(".maps");

enum exec_abi _exec_abi = 0;
enum exec_source _exec_source = 0;

enum exec_slot _exec_slot = 0;

static __always_inline struct exec_event *scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&heap, &cpu);
}

static __always_inline __u32 max_args(void)
{
	__u32 most = use_perf ? EXEC_ARGS_PERF_MAX : EXEC_ARGS_MAX;

	return targ_max_args < most ? targ_max_args : most;
}

/*
 * Who the process is: its start and its parent's, and up to --ancestors processes
 * above it, nearest first, following real_parent (the tree as it is at the exec: an
 * orphan's parent is its reaper). The walk ends at pid 1 (or 2, kthreadd), whose
 * parent is the idle task (pid 0). Pids are global: the chain crosses pid namespaces.
 */
static __always_inline void fill_identity(struct exec_event *e, struct task_struct *task)
{
	struct task_struct *t = BPF_CORE_READ(task, real_parent);
	__u32 i;

	e->start_ns = process_start(task);
	e->parent_start_ns = process_start(t);
	e->ancestors_len = 0;
	e->ancestors_truncated = 0;
	__builtin_memset(e->__pad2, 0, sizeof(e->__pad2));
	for (i = 0; i < EXEC_ANCESTORS_MAX; i++) {
		struct task_struct *leader;
		__u32 pid = BPF_CORE_READ(t, tgid);

		if (!pid)
			return;
		if (i >= targ_ancestors) {
			e->ancestors_truncated = 1;
			return;
		}
		leader = BPF_CORE_READ(t, group_leader);
		e->ancestors[i].pid = pid;
		e->ancestors[i].__pad = 0;
		e->ancestors[i].start_ns = BPF_CORE_READ(leader, start_boottime);
		BPF_CORE_READ_INTO(&e->ancestors[i].comm, leader, comm);
		e->ancestors_len = i + 1;
		t = BPF_CORE_READ(t, real_parent);
	}
	/* All EXEC_ANCESTORS_MAX filled: cut when there is one more above. */
	e->ancestors_truncated = BPF_CORE_READ(t, tgid) != 0;
}

/*
 * Appends the executable's name (none for a failed exec: `exe` NULL) and the cwd's after
 * filename and args, and sends the record.
 */
static __always_inline void send(void *ctx, struct exec_event *e, struct file *exe)
{
	__u64 fname = e->filename_len, args = e->args_len, off, exe_len = 0, cwd_len;
	struct path_name name = {};
	struct path cwd = {};

	if (fname > EXEC_FILENAME_MAX)
		fname = EXEC_FILENAME_MAX;
	if (args > EXEC_ARGS_MAX)
		args = EXEC_ARGS_MAX;
	off = fname + args; /* at most EXEC_FILENAME_MAX + EXEC_ARGS_MAX: the mask below keeps it */
	if (exe)
		name_file(exe, SN_PATH_FILE, &name);
	e->exe_source = name.source;
	e->exe_flags = name.flags;
	if (exe)
		exe_len = copy_name(&e->data[off & (2 * EXEC_ARGS_MAX - 1)], &name);
	e->exe_len = exe_len;
	off += exe_len;
	task_fs_path(true, &cwd);
	name_path(cwd.dentry, cwd.mnt, SN_PATH_FILE, &name);
	e->cwd_source = name.source;
	e->cwd_flags = name.flags;
	cwd_len = copy_name(&e->data[off & (2 * EXEC_ARGS_MAX - 1)], &name);
	e->cwd_len = cwd_len;
	submit(ctx, e, EXEC_EVENT_HEADER_SIZE + fname + args + exe_len + cwd_len);
}

/* A successful exec: the new image's argv is contiguous in its memory. */
static __always_inline int on_exec(void *ctx, const void *filename, __u32 old_tid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	unsigned long arg_start, arg_end;
	struct exec_event *e;
	__u64 fname, total, len;

	if (is_self_or_child(pid_tgid, EXEC_SLOT_SCHED))
		return 0;
	/*
	 * The exec succeeded: its pairing entry is done with, and when a thread other than
	 * the leader exec'd, its exit comes under the new tid and would never find it.
	 * Deleted before the filters, which see the new comm and may not match.
	 */
	pair_done(old_tid, NULL);
	if (!trace_allowed(pid_tgid) || targ_failed) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	e = scratch();
	if (!e)
		return 0;
	fill_task_header(&e->task, SN_KIND_EXEC, pid_tgid);
	e->ret = 0;
	e->old_tid = old_tid;
	e->source = EXEC_SOURCE_SCHED;
	e->__pad = 0;

	fname = bpf_probe_read_kernel_str(e->data, EXEC_FILENAME_MAX, filename);
	if ((long)fname < 0)
		fname = 0;
	if (fname > EXEC_FILENAME_MAX)
		fname = EXEC_FILENAME_MAX;
	e->filename_len = fname;

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	total = arg_end > arg_start ? arg_end - arg_start : 0;
	len = total;
	if (len > max_args())
		len = max_args();
	if (len > EXEC_ARGS_MAX)
		len = EXEC_ARGS_MAX;
	if (len && bpf_probe_read_user(e->data + fname, len, (void *)arg_start))
		len = 0;
	e->args_len = len;
	e->args_total = total > 0xffffffff ? 0xffffffff : total;
	e->args_truncated = len < total;
	fill_identity(e, task);
	send(ctx, e, BPF_CORE_READ(task, mm, exe_file));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf__sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(ctx, BPF_CORE_READ(bprm, filename), old_pid);
}

/* The classic tracepoint, for kernels where tp_btf cannot attach. */
SEC("tracepoint/sched/sched_process_exec")
int tracepoint__sched__sched_process_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	unsigned int offset = ctx->__data_loc_filename & 0xffff;

	return on_exec(ctx, (void *)ctx + offset, ctx->old_pid);
}

static __always_inline int enter(const char *filename, const char *const *argv, __u8 source, __u32 slot)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct args args = { .filename = filename, .argv = argv, .source = source };

	if (is_self_or_child(pid_tgid, slot))
		return 0;
	/* Filtered calls are counted where the outcome is known: on_exec or exit. */
	if (!trace_allowed(pid_tgid))
		return 0;
	pair_enter(tid, &args);
	return 0;
}

/* Where failed_arg() copies a failed exec's argv to, and how far it got. */
struct failed_args {
	struct exec_event *e;
	const char *const *argv;
	__u64 fname; /* the filename's bytes before the args in e->data */
	__u64 off;   /* the args' bytes so far */
	__u32 max;   /* max_args() */
	__u8 done;   /* argv's NULL (or an unreadable pointer) was reached, or the room ran out */
};

/*
 * Copies argv[index] after the ones before it. One call per argument: with bpf_loop (a
 * callback the verifier checks once) where the kernel has it, else a bounded loop of
 * EXEC_FAILED_ARGS_MAX steps.
 */
SN_CALLBACK failed_arg(__u64 index, void *data)
{
	struct failed_args *f = data;
	const char *arg = NULL;
	__u64 room, off = f->off, fname = f->fname;
	long n;

	if (bpf_probe_read_user(&arg, sizeof(arg), &f->argv[index & (EXEC_FAILED_ARGS_MAX - 1)]) || !arg)
		goto done;
	if (off >= f->max) {
		f->e->args_truncated = 1;
		goto done;
	}
	room = f->max - off;
	if (room > EXEC_ARGS_MAX)
		room = EXEC_ARGS_MAX;
	if (off > EXEC_ARGS_MAX)
		goto done;
	if (fname > EXEC_FILENAME_MAX)
		fname = EXEC_FILENAME_MAX;
	n = bpf_probe_read_user_str(f->e->data + fname + off, room, arg);
	if (n <= 0)
		goto done;
	f->off = off + n;
	if ((__u64)n == room) {
		/* The argument filled the room: it was cut (or fit exactly; count it cut). */
		f->e->args_truncated = 1;
		goto done;
	}
	return 0;
done:
	f->done = 1;
	return 1;
}

/* A failed exec: argv from the caller's pointer array, up to EXEC_FAILED_ARGS_MAX. */
static __always_inline int exit(struct trace_event_raw_sys_exit *ctx, __u32 slot)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	long ret = ctx->ret;
	struct failed_args f = {};
	struct exec_event *e;
	struct args *ap;
	__u64 fname;

	if (is_self_or_child(pid_tgid, slot))
		return 0;
	ap = pair_lookup(tid);
	if (!ap) {
		/*
		 * A success is reported by sched_process_exec, which took its entry (also
		 * when a non-leader exec'd and its tid changed): not a miss. A failure without
		 * an entry was filtered at enter, where it was not counted since its outcome
		 * was unknown: counted as filtered now. Or it is a traced call's miss.
		 */
		if (ret < 0) {
			if (trace_allowed(pid_tgid))
				pair_miss(true);
			else
				count(SN_CTR_FILTERED);
		}
		return 0;
	}
	if (ret >= 0)
		goto cleanup; /* reported by sched_process_exec */
	e = scratch();
	if (!e)
		goto cleanup;
	fill_task_header(&e->task, SN_KIND_EXEC, pid_tgid);
	e->ret = ret;
	e->old_tid = tid;
	e->source = ap->source;
	e->args_truncated = 0;
	e->__pad = 0;

	fname = bpf_probe_read_user_str(e->data, EXEC_FILENAME_MAX, ap->filename);
	if ((long)fname < 0)
		fname = 0;
	if (fname > EXEC_FILENAME_MAX)
		fname = EXEC_FILENAME_MAX;
	e->filename_len = fname;

	f.e = e;
	f.argv = ap->argv;
	f.fname = fname;
	f.max = max_args();
	SN_LOOP(EXEC_FAILED_ARGS_MAX, EXEC_FAILED_ARGS_MAX, failed_arg, &f);
	if (!f.done) {
		/* All EXEC_FAILED_ARGS_MAX copied: cut when there is one more. */
		const char *more = NULL;

		bpf_probe_read_user(&more, sizeof(more), &ap->argv[EXEC_FAILED_ARGS_MAX]);
		if (more)
			e->args_truncated = 1;
	}
	e->args_len = f.off;
	e->args_total = f.off;
	fill_identity(e, (struct task_struct *)bpf_get_current_task());
	send(ctx, e, NULL);
cleanup:
	pair_done(tid, ap);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[0], (const char *const *)ctx->args[1], EXEC_SOURCE_EXECVE,
		     EXEC_SLOT_ENTER_EXECVE);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int tracepoint__syscalls__sys_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[1], (const char *const *)ctx->args[2], EXEC_SOURCE_EXECVEAT,
		     EXEC_SLOT_ENTER_EXECVEAT);
}

/*
 * One program on the exit of both (common.bpf.h call_of): src/kinds/exec.rs attaches it
 * to each, and marks each call's number with its exit's slot.
 */
const volatile __u8 exec_exit_slot_of[SYSNOOP_CALL_NR_LIMIT] = {};

SEC("tracepoint")
int sys_exit_exec_calls(struct trace_event_raw_sys_exit *ctx)
{
	__u32 slot = call_of(exec_exit_slot_of, SYSNOOP_CALL_NR_LIMIT, ctx->id, SYSNOOP_SELF_SLOTS);

	if (slot != EXEC_SLOT_EXIT_EXECVE && slot != EXEC_SLOT_EXIT_EXECVEAT)
		return 0;
	return exit(ctx, slot);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
