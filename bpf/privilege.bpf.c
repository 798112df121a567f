// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The calls that change privilege, from their syscall tracepoints:
 *
 *  - cred: setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid,
 *    setgroups and capset. Paired: the enter reads the task's credentials as they are
 *    (at the exit the kernel has already replaced them), the exit reads them again and
 *    sends both, failures included.
 *  - ptrace: paired too, so that a detach still finds its target among the caller's
 *    tracees (at the exit it has left them); an attach finds it at the exit.
 *  - bpf_prog: bpf(BPF_PROG_LOAD), at the exit only (every other bpf() call returns at
 *    once): the loaded program as the kernel holds it, or a refused one as passed.
 *  - mount: mount, umount2, move_mount, fsmount and pivot_root, at the exit only, as the
 *    file kind's calls (file.bpf.c): arguments from the saved registers, strings from
 *    user memory, the target named in full from its base directory.
 *  - module: init_module, finit_module and delete_module, at the exit only; a load's
 *    module is named by the tracepoint module_load, which the kernel fires during the
 *    call in the caller's thread. Kernels without CONFIG_MODULES have none of these.
 *
 * The enter decides the filters, as for every paired kind: -u sees the uid the task had
 * when it made the call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "privilege.h"

#define AT_FDCWD -100

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct pending {
	__s64 args[4];
	struct priv_ids ids;
	struct priv_caps caps;
	__u32 ngroups;
	/* ptrace: the target, when it was found (target_tid non-zero). */
	__u32 target_tid;
	__u32 target_tgid;
	__u32 __pad;
	__u64 target_start_ns;
	char target_comm[SYSNOOP_COMM_LEN];
	__u32 groups[PRIV_GROUPS_MAX];
};

#define SYSNOOP_PAIRED struct pending
#define SYSNOOP_PAIRED_MAX PRIV_INFLIGHT_MAX
#include "common.bpf.h"
#define SN_NAME_PASSED_STEPS SN_PATH_STEPS_BOUNDED
#include "path.bpf.h"

enum priv_abi _priv_abi = 0;
enum priv_cred_syscall _priv_cred_syscall = 0;
enum priv_slot _priv_slot = 0;
struct cred_event _cred_event = {};
struct ptrace_event _ptrace_event = {};
struct bpf_prog_event _bpf_prog_event = {};
enum priv_mount_syscall _priv_mount_syscall = 0;
enum priv_module_syscall _priv_module_syscall = 0;
enum priv_module_name _priv_module_name = 0;
struct module_event _module_event = {};

#define PTRACE_TRACEME 0
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206

/* The ptrace records' own counters (the object's `counters` are the cred records'). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} ptrace_counters SEC(".maps");

/* The bpf_prog records' own counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} bpf_counters SEC(".maps");

/* The mount records' own counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} mount_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mount_event);
} mount_heap SEC(".maps");

/* Scratch space: a pending entry and a cred record are too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending);
} pending_heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cred_event);
} cred_heap SEC(".maps");

/* The current task's credentials (real_cred: what others see of it, and what it acts as). */
static __always_inline const struct cred *current_cred_now(void)
{
	return BPF_CORE_READ(current_task(), real_cred);
}

static __always_inline void read_ids(const struct cred *cred, struct priv_ids *ids)
{
	ids->uid = BPF_CORE_READ(cred, uid.val);
	ids->euid = BPF_CORE_READ(cred, euid.val);
	ids->suid = BPF_CORE_READ(cred, suid.val);
	ids->fsuid = BPF_CORE_READ(cred, fsuid.val);
	ids->gid = BPF_CORE_READ(cred, gid.val);
	ids->egid = BPF_CORE_READ(cred, egid.val);
	ids->sgid = BPF_CORE_READ(cred, sgid.val);
	ids->fsgid = BPF_CORE_READ(cred, fsgid.val);
}

/* Eight bytes of each set: kernel_cap_t is a u64 since 6.3 and `u32 cap[2]` before. */
static __always_inline void read_caps(const struct cred *cred, struct priv_caps *caps)
{
	bpf_core_read(&caps->effective, 8, &cred->cap_effective);
	bpf_core_read(&caps->permitted, 8, &cred->cap_permitted);
	bpf_core_read(&caps->inheritable, 8, &cred->cap_inheritable);
}

/* The bytes `n` gids take, at most PRIV_GROUPS_MAX of them, in a form the verifier bounds. */
static __always_inline __u32 groups_bytes(__u64 n)
{
	n &= 0xffffffff;
	if (n > PRIV_GROUPS_MAX)
		n = PRIV_GROUPS_MAX;
	/* Or clang multiplies the value it had before the clamp when it was below it. */
	barrier_var(n);
	return n * sizeof(__u32);
}

/* The supplementary groups (at most PRIV_GROUPS_MAX of them into `gids`); returns how many there are. */
static __always_inline __u32 read_groups(const struct cred *cred, __u32 gids[PRIV_GROUPS_MAX])
{
	struct group_info *info = BPF_CORE_READ(cred, group_info);
	__u32 n;

	if (!info)
		return 0;
	n = BPF_CORE_READ(info, ngroups);
	bpf_probe_read_kernel(gids, groups_bytes(n), (void *)info + bpf_core_field_offset(struct group_info, gid));
	return n;
}

static __always_inline struct pending *pending_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pending_heap, &zero);
}

/* ---- cred ---- */

static __always_inline int cred_enter(struct trace_event_raw_sys_enter *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	const struct cred *cred;
	struct pending *p;

	if (is_self(pid_tgid, syscall))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	p = pending_scratch();
	if (!p)
		return 0;
	/*
	 * Only the arguments the call has: attaching refuses a program that reads past the
	 * end of its tracepoint's record (EACCES). `syscall` is a constant in each program.
	 */
	p->args[0] = ctx->args[0];
	p->args[1] = 0;
	p->args[2] = 0;
	p->args[3] = 0;
	if (syscall == CRED_SETREUID || syscall == CRED_SETREGID || syscall == CRED_SETRESUID || syscall == CRED_SETRESGID ||
	    syscall == CRED_SETGROUPS || syscall == CRED_CAPSET)
		p->args[1] = ctx->args[1];
	if (syscall == CRED_SETRESUID || syscall == CRED_SETRESGID)
		p->args[2] = ctx->args[2];
	cred = current_cred_now();
	read_ids(cred, &p->ids);
	read_caps(cred, &p->caps);
	p->ngroups = 0;
	if (syscall == CRED_SETGROUPS) {
		/* The scratch entry is reused: no earlier call's groups past this task's. */
		__builtin_memset(p->groups, 0, sizeof(p->groups));
		p->ngroups = read_groups(cred, p->groups);
	}
	pair_enter((__u32)pid_tgid, p);
	return 0;
}

/* Whether the call failed. setfsuid and setfsgid return the old id, never an error: they failed when the id did not become the one passed. */
static __always_inline bool cred_failed(__u16 syscall, long ret, const struct cred_event *e)
{
	if (syscall == CRED_SETFSUID)
		return e->after.fsuid != (__u32)e->args[0];
	if (syscall == CRED_SETFSGID)
		return e->after.fsgid != (__u32)e->args[0];
	return ret < 0;
}

static __always_inline int cred_exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, zero = 0;
	const struct cred *cred;
	struct cred_event *e;
	struct pending *p;
	long ret = ctx->ret;
	__u64 size = CRED_EVENT_BASE_SIZE;

	if (is_self(pid_tgid, syscall + PRIV_SLOT_CRED_EXIT))
		return 0;
	p = pair_lookup(tid);
	if (!p) {
		/* Filtered at enter (counted there), or a traced call's miss. */
		pair_miss(trace_allowed(pid_tgid));
		return 0;
	}
	e = bpf_map_lookup_elem(&cred_heap, &zero);
	if (!e)
		goto done;
	fill_task_header(&e->task, SN_KIND_CRED, pid_tgid);
	if (is_probe_child(e->task.ppid))
		goto done;
	e->start_ns = process_start(current_task());
	e->args[0] = p->args[0];
	e->args[1] = p->args[1];
	e->args[2] = p->args[2];
	e->before = p->ids;
	e->caps_before = p->caps;
	cred = current_cred_now();
	read_ids(cred, &e->after);
	read_caps(cred, &e->caps_after);
	if (targ_failed && !cred_failed(syscall, ret, e)) {
		count(SN_CTR_FILTERED);
		goto done;
	}
	e->ret = ret;
	e->syscall = syscall;
	e->__pad = 0;
	e->caps_passed_read = 0;
	__builtin_memset(&e->caps_passed, 0, sizeof(e->caps_passed));
	e->ngroups_before = 0;
	e->ngroups_after = 0;
	if (syscall == CRED_CAPSET) {
		/* struct __user_cap_data_struct[2]: {effective, permitted, inheritable} of the low, then the high 32 bits. */
		__u32 data[6] = {};
		struct {
			__u32 version;
			__s32 pid;
		} header = {};

		if (p->args[1] && !bpf_probe_read_user(data, sizeof(data), (const void *)p->args[1])) {
			e->caps_passed.effective = data[0] | (__u64)data[3] << 32;
			e->caps_passed.permitted = data[1] | (__u64)data[4] << 32;
			e->caps_passed.inheritable = data[2] | (__u64)data[5] << 32;
			e->caps_passed_read = 1;
		}
		/* The record's args: the header's version and pid (-1 and 0 when it could not be read). */
		if (bpf_probe_read_user(&header, sizeof(header), (const void *)p->args[0]))
			header.version = (__u32)-1;
		e->args[0] = header.version;
		e->args[1] = header.pid;
		e->args[2] = 0;
	}
	if (syscall == CRED_SETGROUPS) {
		__builtin_memset(e->groups_passed, 0, sizeof(e->groups_passed));
		__builtin_memset(e->groups_after, 0, sizeof(e->groups_after));
		bpf_probe_read_user(e->groups_passed, groups_bytes(e->args[0]), (const void *)e->args[1]);
		__builtin_memcpy(e->groups_before, p->groups, sizeof(e->groups_before));
		e->ngroups_before = p->ngroups;
		e->ngroups_after = read_groups(cred, e->groups_after);
		size = CRED_EVENT_SIZE;
	}
	submit(ctx, e, size);
done:
	pair_done(tid, p);
	return 0;
}

#define CRED_PROGRAMS(name, syscall)                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                     \
	int tracepoint__syscalls__sys_enter_##name(struct trace_event_raw_sys_enter *ctx) \
	{                                                                               \
		return cred_enter(ctx, syscall);                                        \
	}                                                                               \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                      \
	int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)   \
	{                                                                               \
		return cred_exit(ctx, syscall);                                         \
	}

CRED_PROGRAMS(setuid, CRED_SETUID)
CRED_PROGRAMS(setgid, CRED_SETGID)
CRED_PROGRAMS(setreuid, CRED_SETREUID)
CRED_PROGRAMS(setregid, CRED_SETREGID)
CRED_PROGRAMS(setresuid, CRED_SETRESUID)
CRED_PROGRAMS(setresgid, CRED_SETRESGID)
CRED_PROGRAMS(setfsuid, CRED_SETFSUID)
CRED_PROGRAMS(setfsgid, CRED_SETFSGID)
CRED_PROGRAMS(setgroups, CRED_SETGROUPS)
CRED_PROGRAMS(capset, CRED_CAPSET)

/* ---- ptrace ---- */

/* `task`'s pid as the pid namespace `level` deep sees it (struct pid's numbers[level].nr). */
static __always_inline __s32 pid_at_level(struct task_struct *task, __u32 level)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	__s32 nr = 0;

	if (!pid || level > 31)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr),
			      (void *)pid + bpf_core_field_offset(struct pid, numbers) + level * bpf_core_type_size(struct upid) +
				      bpf_core_field_offset(struct upid, nr));
	return nr;
}

/* The caller's tracee whose pid (in the caller's pid namespace) is `nr`, among the first PRIV_PTRACED_MAX. */
static __always_inline struct task_struct *tracee(__s32 nr)
{
	struct task_struct *current = current_task();
	struct list_head *head = &current->ptraced;
	struct list_head *pos = BPF_CORE_READ(current, ptraced.next);
	__u32 level = BPF_CORE_READ(current, thread_pid, level);
	struct task_struct *task;
	int i;

	for (i = 0; i < PRIV_PTRACED_MAX; i++) {
		if (!pos || pos == head)
			break;
		task = (void *)pos - bpf_core_field_offset(struct task_struct, ptrace_entry);
		if (pid_at_level(task, level) == nr)
			return task;
		pos = BPF_CORE_READ(pos, next);
	}
	return NULL;
}

static __always_inline void target_of(struct task_struct *task, struct pending *p)
{
	p->target_tid = BPF_CORE_READ(task, pid);
	p->target_tgid = BPF_CORE_READ(task, tgid);
	p->target_start_ns = process_start(task);
	bpf_core_read(p->target_comm, sizeof(p->target_comm), &task->comm);
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int tracepoint__syscalls__sys_enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *target;
	struct pending *p;

	if (is_self(pid_tgid, PRIV_SLOT_PTRACE_ENTER))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count_in(&ptrace_counters, SN_CTR_FILTERED);
		return 0;
	}
	p = pending_scratch();
	if (!p)
		return 0;
	p->args[0] = ctx->args[0];
	p->args[1] = ctx->args[1];
	p->args[2] = ctx->args[2];
	p->args[3] = ctx->args[3];
	p->target_tid = 0;
	p->target_tgid = 0;
	p->target_start_ns = 0;
	__builtin_memset(p->target_comm, 0, sizeof(p->target_comm));
	if (p->args[0] == PTRACE_TRACEME)
		target = BPF_CORE_READ(current_task(), real_parent);
	else
		target = tracee(p->args[1]);
	if (target)
		target_of(target, p);
	pair_enter((__u32)pid_tgid, p);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ptrace")
int tracepoint__syscalls__sys_exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct ptrace_event e = {};
	struct task_struct *target;
	struct pending *p;
	long ret = ctx->ret;

	if (is_self(pid_tgid, PRIV_SLOT_PTRACE_EXIT))
		return 0;
	p = pair_lookup(tid);
	if (!p) {
		if (trace_allowed(pid_tgid))
			count_in(&ptrace_counters, SN_CTR_PAIR_MISS);
		return 0;
	}
	if (targ_failed && ret >= 0) {
		count_in(&ptrace_counters, SN_CTR_FILTERED);
		goto done;
	}
	/* An attach's target joins the caller's tracees during the call. */
	if (!p->target_tid && ret == 0 && (p->args[0] == PTRACE_ATTACH || p->args[0] == PTRACE_SEIZE)) {
		target = tracee(p->args[1]);
		if (target)
			target_of(target, p);
	}
	fill_task_header(&e.task, SN_KIND_PTRACE, pid_tgid);
	if (is_probe_child(e.task.ppid))
		goto done;
	e.start_ns = process_start(current_task());
	e.request = p->args[0];
	e.pid = p->args[1];
	e.addr = p->args[2];
	e.data = p->args[3];
	e.ret = ret;
	e.target_tid = p->target_tid;
	e.target_tgid = p->target_tgid;
	e.target_start_ns = p->target_start_ns;
	__builtin_memcpy(e.target_comm, p->target_comm, sizeof(e.target_comm));
	submit_counted(ctx, &e, sizeof(e), &ptrace_counters);
done:
	pair_done(tid, p);
	return 0;
}

/* ---- bpf_prog ---- */

#define BPF_PROG_LOAD_CMD 5

/* union bpf_attr's BPF_PROG_LOAD part, up to expected_attach_type (include/uapi/linux/bpf.h). */
struct prog_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns;
	__u64 license;
	__u32 log_level;
	__u32 log_size;
	__u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
};

/* The program behind the new fd `fd`: its file must be a BPF program's ("bpf-prog"). */
static __always_inline struct bpf_prog *prog_of_fd(int fd)
{
	struct file *file = task_file(fd);
	union {
		char text[16];
		__u64 words[2];
	} name = {};

	if (!file)
		return NULL;
	bpf_probe_read_kernel_str(name.text, 9, BPF_CORE_READ(file, f_path.dentry, d_name.name));
	/* "bpf-prog", as little-endian bytes, and its NUL. */
	if (name.words[0] != 0x676f72702d667062ULL || name.text[8])
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int tracepoint__syscalls__sys_exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pt_regs *regs = current_regs();
	/* Room for any masked size below: the verifier bounds the read by the mask. */
	union {
		struct prog_load_attr a;
		char raw[128];
	} attr = {};
	struct bpf_prog_event e = {};
	struct bpf_prog *prog;
	const void *uattr;
	long ret = ctx->ret;
	__u32 size;

#if !SN_USE_TASK_PT_REGS
	/* As in open.bpf.c: registers found on the stack must hold this call's number. */
	if (regs_syscall_nr(regs) != ctx->id)
		return 0;
#endif
	if (SN_SYSCALL_ARG(1, regs) != BPF_PROG_LOAD_CMD)
		return 0;
	/* sysnoop's own loads (of its later kinds' programs, and its probes) are counted, never reported. */
	if (is_self(pid_tgid, PRIV_SLOT_BPF_EXIT) || !trace_allowed(pid_tgid) || (targ_failed && ret >= 0)) {
		count_in(&bpf_counters, SN_CTR_FILTERED);
		return 0;
	}
	fill_task_header(&e.task, SN_KIND_BPF_PROG, pid_tgid);
	if (is_probe_child(e.task.ppid))
		return 0;
	e.start_ns = process_start(current_task());
	e.ret = ret;
	uattr = (const void *)SN_SYSCALL_ARG(2, regs);
	size = SN_SYSCALL_ARG(3, regs);
	if (size > sizeof(attr.a))
		size = sizeof(attr.a);
	/* Fields past `size` were not passed: the kernel takes them as zeros, as they are here. */
	if (size >= 8 && !bpf_probe_read_user(attr.raw, size & 0x7f, uattr)) {
		e.attr_read = 1;
		e.prog_type = attr.a.prog_type;
		e.insn_cnt = attr.a.insn_cnt;
		e.prog_flags = attr.a.prog_flags;
		e.expected_attach_type = attr.a.expected_attach_type;
		__builtin_memcpy(e.name, attr.a.prog_name, sizeof(e.name));
	}
	if (ret >= 0 && (prog = prog_of_fd(ret))) {
		struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);
		const char *func = BPF_CORE_READ(aux, attach_func_name);

		e.loaded = 1;
		e.prog_type = BPF_CORE_READ(prog, type);
		e.expected_attach_type = BPF_CORE_READ(prog, expected_attach_type);
		e.len = BPF_CORE_READ(prog, len);
		bpf_core_read(e.tag, sizeof(e.tag), &prog->tag);
		e.id = BPF_CORE_READ(aux, id);
		bpf_core_read(e.name, sizeof(e.name), &aux->name);
		if (func)
			bpf_probe_read_kernel_str(e.attach_func, sizeof(e.attach_func), func);
	}
	submit_counted(ctx, &e, sizeof(e), &bpf_counters);
	return 0;
}

/* ---- mount ---- */

#define MOVE_MOUNT_T_EMPTY_PATH 0x40

/* A user string at `user` into `dst` (at most `max` bytes, NUL included): its length, 0 for none. */
static __always_inline __u64 user_string(char *dst, __u32 max, const char *user)
{
	long n = user ? bpf_probe_read_user_str(dst, max, user) : 0;

	return n > 0 ? (n > max ? max : n) : 0;
}

static __always_inline int mount_exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pt_regs *regs = current_regs();
	const char *source = NULL, *target = NULL, *fs_type = NULL, *options = NULL;
	struct path_name name = {};
	struct mount_event *e;
	long ret = ctx->ret;
	__u64 off, len;
	__u32 zero = 0;

	if (is_self(pid_tgid, PRIV_SLOT_MOUNT_EXIT + syscall))
		return 0;
	if (!trace_allowed(pid_tgid) || (targ_failed && ret >= 0)) {
		count_in(&mount_counters, SN_CTR_FILTERED);
		return 0;
	}
#if !SN_USE_TASK_PT_REGS
	/* As in open.bpf.c: registers found on the stack must hold this call's number. */
	if (regs_syscall_nr(regs) != ctx->id)
		regs = NULL;
#endif
	e = bpf_map_lookup_elem(&mount_heap, &zero);
	if (!e)
		return 0;
	fill_task_header(&e->task, SN_KIND_MOUNT, pid_tgid);
	if (is_probe_child(e->task.ppid))
		return 0;
	e->start_ns = process_start(current_task());
	e->mnt_ns = BPF_CORE_READ(current_task(), nsproxy, mnt_ns, ns.inum);
	e->ret = ret;
	e->syscall = syscall;
	e->flags = 0;
	e->dirfd = AT_FDCWD;
	e->from_dirfd = AT_FDCWD;
	e->attr_flags = 0;
	__builtin_memset(e->__pad, 0, sizeof(e->__pad));
	if (regs) {
		switch (syscall) {
		case MOUNT_MOUNT:
			source = (const char *)SN_SYSCALL_ARG(1, regs);
			target = (const char *)SN_SYSCALL_ARG(2, regs);
			fs_type = (const char *)SN_SYSCALL_ARG(3, regs);
			e->flags = SN_SYSCALL_ARG(4, regs);
			options = (const char *)SN_SYSCALL_ARG(5, regs);
			break;
		case MOUNT_UMOUNT2:
			target = (const char *)SN_SYSCALL_ARG(1, regs);
			e->flags = SN_SYSCALL_ARG(2, regs);
			break;
		case MOUNT_MOVE_MOUNT:
			e->from_dirfd = SN_SYSCALL_ARG(1, regs);
			source = (const char *)SN_SYSCALL_ARG(2, regs);
			e->dirfd = SN_SYSCALL_ARG(3, regs);
			target = (const char *)SN_SYSCALL_ARG(4, regs);
			e->flags = SN_SYSCALL_ARG(5, regs);
			break;
		case MOUNT_FSMOUNT:
			e->dirfd = SN_SYSCALL_ARG(1, regs);
			e->flags = SN_SYSCALL_ARG(2, regs);
			e->attr_flags = SN_SYSCALL_ARG(3, regs);
			break;
		case MOUNT_PIVOT_ROOT:
			target = (const char *)SN_SYSCALL_ARG(1, regs);
			source = (const char *)SN_SYSCALL_ARG(2, regs);
			break;
		}
	}
	/* The source, then the target as passed, then the target's full name. */
	len = user_string(e->data, 4096, source);
	e->source_len = len;
	off = len & (8192 - 1);
	len = user_string(&e->data[off], 4096, target);
	e->target_len = len;
	name_passed(&e->data[off], len, e->dirfd, syscall == MOUNT_MOVE_MOUNT && (e->flags & MOVE_MOUNT_T_EMPTY_PATH), &name);
	off = (off + len) & (16384 - 1);
	e->full_source = name.source;
	e->full_flags = name.flags;
	len = copy_name(&e->data[off], &name);
	e->full_len = len;
	off = (off + len) & (16384 - 1);
	len = user_string(&e->data[off], MOUNT_FS_TYPE_MAX, fs_type);
	e->fs_type_len = len;
	off = (off + len) & (16384 - 1);
	len = user_string(&e->data[off], MOUNT_OPTIONS_MAX, options);
	e->options_len = len;
	off = (off + len) & (16384 - 1);
	submit_counted(ctx, e, MOUNT_EVENT_HEADER_SIZE + off, &mount_counters);
	return 0;
}

/* One program for every mount call (common.bpf.h call_of): src/kinds/privilege attaches it to each. */
const volatile __u8 mount_syscall_of[SYSNOOP_CALL_NR_LIMIT] = {};

SEC("tracepoint")
int sys_exit_mount_calls(struct trace_event_raw_sys_exit *ctx)
{
	__u32 which = call_of(mount_syscall_of, SYSNOOP_CALL_NR_LIMIT, ctx->id, MOUNT_SYSCALL_NR);

	SN_EACH_CALL(which, MOUNT_SYSCALL_NR, mount_exit, ctx);
}

/* ---- module ---- */

/* The module records' own counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} module_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct module_event);
} module_heap SEC(".maps");

struct module_name {
	char name[MODULE_NAME_MAX];
};

/*
 * The name module_load gave a load, by thread, until the call's exit takes it. LRU: a
 * name whose exit never comes (the thread was killed in the module's init) gives way.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MODULE_LOADING_MAX);
	__type(key, __u32);
	__type(value, struct module_name);
} module_loading SEC(".maps");

/* tracepoint/module/module_load's record (include/trace/events/module.h, unchanged since 2.6.33). */
struct module_load_record {
	__u64 common;
	__u32 taints;
	__u32 name_loc; /* __data_loc char[]: the offset in the record (low 16 bits) and the length */
};

/*
 * The module a load made, once the kernel has checked and named it, before its init
 * runs: the thread's init_module or finit_module exit names it (a module whose init
 * then fails included).
 */
SEC("tracepoint/module/module_load")
int tracepoint__module__module_load(struct module_load_record *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct module_name name = {};

	bpf_probe_read_kernel_str(name.name, sizeof(name.name), (void *)ctx + (ctx->name_loc & 0xffff));
	bpf_map_update_elem(&module_loading, &tid, &name, BPF_ANY);
	return 0;
}

static __always_inline int module_exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, zero = 0;
	struct pt_regs *regs = current_regs();
	struct path_name name = {};
	struct module_name *loaded;
	const char *params = NULL;
	struct module_event *e;
	long ret = ctx->ret;
	__u64 off = 0, len;

	if (is_self(pid_tgid, PRIV_SLOT_MODULE_EXIT + syscall))
		return 0;
	/* The name a load left, taken whatever becomes of the record. */
	loaded = syscall == MODULE_DELETE ? NULL : bpf_map_lookup_elem(&module_loading, &tid);
	if (!trace_allowed(pid_tgid) || (targ_failed && ret >= 0)) {
		count_in(&module_counters, SN_CTR_FILTERED);
		goto done;
	}
#if !SN_USE_TASK_PT_REGS
	/* As in open.bpf.c: registers found on the stack must hold this call's number. */
	if (regs_syscall_nr(regs) != ctx->id)
		regs = NULL;
#endif
	e = bpf_map_lookup_elem(&module_heap, &zero);
	if (!e)
		goto done;
	fill_task_header(&e->task, SN_KIND_MODULE, pid_tgid);
	if (is_probe_child(e->task.ppid))
		goto done;
	e->start_ns = process_start(current_task());
	e->ret = ret;
	e->syscall = syscall;
	e->len = 0;
	e->flags = 0;
	e->ino = 0;
	e->fd = -1;
	e->name_source = MODULE_NAME_NONE;
	__builtin_memset(e->__pad, 0, sizeof(e->__pad));
	__builtin_memset(e->name, 0, sizeof(e->name));
	if (loaded) {
		__builtin_memcpy(e->name, loaded->name, sizeof(e->name));
		e->name_source = MODULE_NAME_KERNEL;
	}
	if (regs) {
		switch (syscall) {
		case MODULE_INIT:
			e->len = SN_SYSCALL_ARG(2, regs);
			params = (const char *)SN_SYSCALL_ARG(3, regs);
			break;
		case MODULE_FINIT:
			e->fd = SN_SYSCALL_ARG(1, regs);
			params = (const char *)SN_SYSCALL_ARG(2, regs);
			e->flags = SN_SYSCALL_ARG(3, regs);
			break;
		case MODULE_DELETE:
			/* The kernel reads at most MODULE_NAME_LEN - 1 bytes of it. */
			if (bpf_probe_read_user_str(e->name, 56, (const char *)SN_SYSCALL_ARG(1, regs)) > 0)
				e->name_source = MODULE_NAME_PASSED;
			e->flags = SN_SYSCALL_ARG(2, regs);
			break;
		}
	}
	len = user_string(e->data, MODULE_PARAMS_MAX, params);
	e->params_len = len;
	off = len & (512 - 1);
	if (syscall == MODULE_FINIT) {
		struct file *file = task_file(e->fd);

		if (file) {
			name_file(file, SN_PATH_FILE, &name);
			e->ino = BPF_CORE_READ(file, f_inode, i_ino);
		}
	}
	e->path_source = name.source;
	e->path_flags = name.flags;
	len = copy_name(&e->data[off], &name);
	e->path_len = len;
	off = (off + len) & (8192 - 1);
	submit_counted(ctx, e, MODULE_EVENT_HEADER_SIZE + off, &module_counters);
done:
	if (loaded)
		bpf_map_delete_elem(&module_loading, &tid);
	return 0;
}

#define MODULE_PROGRAM(name, syscall)                                                 \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                    \
	int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx) \
	{                                                                             \
		return module_exit(ctx, syscall);                                     \
	}

MODULE_PROGRAM(init_module, MODULE_INIT)
MODULE_PROGRAM(finit_module, MODULE_FINIT)
MODULE_PROGRAM(delete_module, MODULE_DELETE)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
