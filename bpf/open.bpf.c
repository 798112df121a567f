// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File opens: the enter and exit tracepoints of open, openat, openat2 and creat,
 * paired per thread. The enter side remembers the arguments, and for a relative path
 * the base directory (the cwd, or the dirfd's file); the exit side reads the path (the
 * kernel has already faulted it in), names the opened file from its fd (or, when the
 * open failed, the base directory) as d_path() would (path.bpf.h), and sends one
 * variable-length record.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "open.h"

#define AT_FDCWD -100
#define O_CREAT 0100
#define O_WRONLY 01
#define O_TRUNC 01000

/* What the exit needs from the enter, kept per thread by the pairing layer. */
struct args {
	const char *fname;
	__u64 flags;
	/* A relative path's base directory, taken at the enter; NULL for an absolute one. */
	struct dentry *base_dentry;
	struct vfsmount *base_mnt;
	__s32 dirfd;
	__u32 mode;
	__u16 syscall;
};

#define SYSNOOP_PAIRED struct args
#include "common.bpf.h"
#include "path.bpf.h"

/* 0: no full paths (--full-path off): neither the base directory nor the walk. */
const volatile __u8 targ_full_path = 1;

/* Scratch space to build a record in: too big for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_event);
} heap SEC(".maps");

/* Put the ABI enums into BTF so the Rust skeleton's `types` carries them. */
enum open_abi _open_abi = 0;
enum open_syscall _open_syscall = 0;
enum open_slot _open_slot = 0;

static __always_inline int enter(int dirfd, const char *fname, __u64 flags, __u32 mode, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct args args = {
		.fname = fname,
		.flags = flags,
		.dirfd = dirfd,
		.mode = mode,
		.syscall = syscall,
	};
	char first = 0;

	if (is_self(pid_tgid, OPEN_ENTER_SLOT(syscall)))
		return 0;
	if (!trace_allowed(pid_tgid)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	if (targ_full_path && !bpf_probe_read_user(&first, 1, fname) && first != '/') {
		if (dirfd == AT_FDCWD) {
			struct task_struct *task = (struct task_struct *)bpf_get_current_task();

			args.base_dentry = BPF_CORE_READ(task, fs, pwd.dentry);
			args.base_mnt = BPF_CORE_READ(task, fs, pwd.mnt);
		} else {
			struct file *dir = task_file(dirfd);

			if (dir) {
				args.base_dentry = BPF_CORE_READ(dir, f_path.dentry);
				args.base_mnt = BPF_CORE_READ(dir, f_path.mnt);
			}
		}
	}
	pair_enter(tid, &args);
	return 0;
}

static __always_inline int exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u32 zero = 0;
	struct path_name name = {};
	struct open_event *e;
	struct args *ap;
	long ret, len;
	__u32 full;

	if (is_self(pid_tgid, OPEN_EXIT_SLOT(syscall)))
		return 0;
	ap = pair_lookup(tid);
	if (!ap) {
		/* Filtered at enter (counted there), or a traced call's miss. */
		pair_miss(trace_allowed(pid_tgid));
		return 0;
	}
	ret = BPF_CORE_READ(ctx, ret);
	if (targ_failed && ret >= 0) {
		count(SN_CTR_FILTERED);
		goto cleanup;
	}
	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		goto cleanup;

	fill_task_header(&e->task, SN_KIND_OPEN, pid_tgid);
	/* The children sysnoop starts to probe exec and exit open files too. */
	if (self_tgid && e->task.ppid == self_tgid)
		goto cleanup;
	e->flags = ap->flags;
	e->ret = ret;
	e->mode = ap->mode;
	e->syscall = ap->syscall;
	e->dirfd = ap->dirfd;
	e->__pad = 0;
	len = bpf_probe_read_user_str(e->data, OPEN_PATH_MAX, ap->fname);
	if (len < 0)
		len = 0;
	if (len > OPEN_PATH_MAX)
		len = OPEN_PATH_MAX;
	e->path_len = len;

	if (!targ_full_path) {
		/* name.source stays SN_PATH_NONE */
	} else if (ret >= 0) {
		struct file *file = task_file(ret);

		if (file)
			name_path(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
				  SN_PATH_FILE, &name);
	} else if (len > 1 && e->data[0] == '/') {
		name.source = SN_PATH_ABSOLUTE;
	} else if (ap->base_dentry) {
		name_path(ap->base_dentry, ap->base_mnt, SN_PATH_BASE, &name);
		if (name.source != SN_PATH_BASE)
			name.source = SN_PATH_NONE; /* a base that is not a directory of a filesystem */
	}
	e->full_source = name.source;
	e->full_flags = name.flags;
	e->full_ino = name.ino;
	full = copy_name(&e->data[len & (2 * SN_PATH_MAX - 1)], &name);
	e->full_len = full;
	submit(e, OPEN_EVENT_HEADER_SIZE + len + full);
cleanup:
	pair_done(tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int tracepoint__syscalls__sys_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return enter(AT_FDCWD, (const char *)ctx->args[0], ctx->args[1], ctx->args[2], OPEN_SYSCALL_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_open")
int tracepoint__syscalls__sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, OPEN_SYSCALL_OPEN);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx->args[0], (const char *)ctx->args[1], ctx->args[2], ctx->args[3], OPEN_SYSCALL_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, OPEN_SYSCALL_OPENAT);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int tracepoint__syscalls__sys_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	/* flags and mode live in user memory; a failed read leaves them 0. */
	bpf_probe_read_user(&how, sizeof(how.flags) + sizeof(how.mode), (void *)ctx->args[2]);
	return enter(ctx->args[0], (const char *)ctx->args[1], how.flags, how.mode, OPEN_SYSCALL_OPENAT2);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int tracepoint__syscalls__sys_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, OPEN_SYSCALL_OPENAT2);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int tracepoint__syscalls__sys_enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode). */
	return enter(AT_FDCWD, (const char *)ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC, ctx->args[1],
		     OPEN_SYSCALL_CREAT);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int tracepoint__syscalls__sys_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return exit(ctx, OPEN_SYSCALL_CREAT);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
