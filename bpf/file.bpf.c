// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Calls that change files: delete, rename, link, symlink, mkdir, mknod, chmod, chown,
 * truncate, utimensat. One program on the exit tracepoint of them all, as for opens
 * (open.bpf.c): it reads the call's arguments from the task's saved registers and its
 * paths from user memory (the kernel has already faulted them in), names each path's
 * base directory (the cwd, or the dirfd's file) as d_path() would (path.bpf.h), or for
 * a call on a descriptor the descriptor's file, and sends one variable-length record,
 * failures included.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "file.h"

#define AT_FDCWD -100

#include "common.bpf.h"
#if SN_HAVE_LOOP
#define SN_NAME_PASSED_STEPS SN_PATH_STEPS_BOUNDED_FILE
#endif
#include "path.bpf.h"

/* Scratch space to build a record in: too big for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_event);
} heap SEC(".maps");

enum file_abi _file_abi = 0;
enum file_syscall _file_syscall = 0;

/* A call's path arguments, as the task passed them (the others go into the record). */
struct args {
	const char *path;
	const char *new_path;  /* rename, link: the new path; symlink: the target */
	__u8 on_fd;            /* fchmod, fchown, ftruncate: dirfd is the file's descriptor */
};

#define ARG(n) SN_SYSCALL_ARG(n, regs)

/* The call's arguments: its paths into `a`, the rest into the record `r` (its fields zeroed first). */
static __always_inline void args_of(__u16 syscall, long nr, struct args *a, struct file_event *r)
{
	struct pt_regs *regs = current_regs();

#if !SN_USE_TASK_PT_REGS
	/* As in open.bpf.c: registers found on the stack must hold this call's number. */
	if (regs_syscall_nr(regs) != nr)
		return;
#endif
	r->dirfd = AT_FDCWD;
	r->new_dirfd = AT_FDCWD;
	switch (syscall) {
	case FILE_UNLINK:
	case FILE_RMDIR:
		a->path = (const char *)ARG(1);
		break;
	case FILE_UNLINKAT:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->flags = ARG(3);
		break;
	case FILE_RENAME:
	case FILE_LINK:
		a->path = (const char *)ARG(1);
		a->new_path = (const char *)ARG(2);
		break;
	case FILE_RENAMEAT:
	case FILE_RENAMEAT2:
	case FILE_LINKAT:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->new_dirfd = ARG(3);
		a->new_path = (const char *)ARG(4);
		if (syscall != FILE_RENAMEAT)
			r->flags = ARG(5);
		break;
	case FILE_SYMLINK:
		a->new_path = (const char *)ARG(1);
		a->path = (const char *)ARG(2);
		break;
	case FILE_SYMLINKAT:
		a->new_path = (const char *)ARG(1);
		r->dirfd = ARG(2);
		a->path = (const char *)ARG(3);
		break;
	case FILE_MKDIR:
	case FILE_CHMOD:
		a->path = (const char *)ARG(1);
		r->mode = ARG(2);
		break;
	case FILE_MKNOD:
		a->path = (const char *)ARG(1);
		r->mode = ARG(2);
		r->size = ARG(3);
		break;
	case FILE_MKDIRAT:
	case FILE_FCHMODAT:
	case FILE_FCHMODAT2:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->mode = ARG(3);
		if (syscall == FILE_FCHMODAT2)
			r->flags = ARG(4);
		break;
	case FILE_MKNODAT:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->mode = ARG(3);
		r->size = ARG(4);
		break;
	case FILE_FCHMOD:
		r->dirfd = ARG(1);
		r->mode = ARG(2);
		a->on_fd = 1;
		break;
	case FILE_CHOWN:
	case FILE_LCHOWN:
		a->path = (const char *)ARG(1);
		r->uid = ARG(2);
		r->gid = ARG(3);
		break;
	case FILE_FCHOWN:
		r->dirfd = ARG(1);
		r->uid = ARG(2);
		r->gid = ARG(3);
		a->on_fd = 1;
		break;
	case FILE_FCHOWNAT:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->uid = ARG(3);
		r->gid = ARG(4);
		r->flags = ARG(5);
		break;
	case FILE_TRUNCATE:
		a->path = (const char *)ARG(1);
		r->size = ARG(2);
		break;
	case FILE_FTRUNCATE:
		r->dirfd = ARG(1);
		r->size = ARG(2);
		a->on_fd = 1;
		break;
	case FILE_UTIMENSAT:
		r->dirfd = ARG(1);
		a->path = (const char *)ARG(2);
		r->flags = ARG(4);
		break;
	}
}

/*
 * Names what a path passed as `len` bytes at `passed` (its NUL included) relative to
 * `dirfd` is, into `name`: an absolute path is its own full path; a relative one its
 * base directory's walked name (the cwd, or the dirfd's file); none (a call on a
 * descriptor, AT_EMPTY_PATH, utimensat's NULL) the descriptor's own file. With bpf_loop,
 * path.bpf.h's name_passed() (a global function). Before, a function of this object's
 * own, as it was: 5.10's verifier refuses rename's program calling name_passed() (the
 * same work, one more argument) over a bound that contradicts itself. Not inlined:
 * inlined, symlink's program needs more than clang's 512 bytes of stack.
 */
#if SN_HAVE_LOOP
#define name_of(passed, len, dirfd, name) name_passed(passed, len, dirfd, 1, name)
#else
static __noinline void name_of(const char *passed, long len, int dirfd, struct path_name *name)
{
	/* Without bpf_loop, each walk is inlined: at most SN_PATH_STEPS_BOUNDED_FILE steps. */
	const __u32 bounded = SN_PATH_STEPS_BOUNDED_FILE;

	if (len > 1 && passed[0] == '/') {
		name->source = SN_PATH_ABSOLUTE;
	} else if (len > 1) {
		name_base_bounded(dirfd, name, bounded);
	} else if (dirfd != AT_FDCWD) {
		struct file *file = task_file(dirfd);

		if (file)
			name_file_bounded(file, SN_PATH_FILE, name, bounded);
	}
}
#endif

static __always_inline int exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct path_name name = {};
	struct file_event *e;
	__u64 off, full, len;
	struct args a = {};
	long ret = ctx->ret, n;
	__u32 zero = 0;

	if (is_self(pid_tgid, syscall))
		return 0;
	if (!trace_allowed(pid_tgid) || (targ_failed && ret >= 0)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		return 0;
	fill_task_header(&e->task, SN_KIND_FILE, pid_tgid);
	if (is_probe_child(e->task.ppid))
		return 0;
	e->ret = ret;
	e->syscall = syscall;
	e->dirfd = AT_FDCWD;
	e->new_dirfd = AT_FDCWD;
	e->mode = 0;
	e->uid = 0;
	e->gid = 0;
	e->flags = 0;
	e->size = 0;
	__builtin_memset(e->__pad1, 0, sizeof(e->__pad1));
	args_of(syscall, ctx->id, &a, e);

	/* The path, and its full name. */
	n = a.path ? bpf_probe_read_user_str(e->data, FILE_PATH_MAX, a.path) : 0;
	len = n > 0 ? n : 0;
	if (len > FILE_PATH_MAX)
		len = FILE_PATH_MAX;
	e->path_len = len;
	if (a.on_fd)
		name_of(e->data, 0, e->dirfd, &name);
	else
		name_of(e->data, len, e->dirfd, &name);
	e->full_source = name.source;
	e->full_flags = name.flags;
	full = copy_name(&e->data[len & (2 * SN_PATH_MAX - 1)], &name);
	e->full_len = full;
	off = (len + full) & (16384 - 1);

	/* The second path: rename's and link's new one, named too; symlink's target, text. */
	e->new_path_len = 0;
	e->new_full_len = 0;
	e->new_full_source = SN_PATH_NONE;
	e->new_full_flags = 0;
	if (syscall == FILE_SYMLINK || syscall == FILE_SYMLINKAT) {
		n = bpf_probe_read_user_str(&e->data[off], FILE_PATH_MAX, a.new_path);
		len = n > 0 ? n : 0;
		if (len > FILE_PATH_MAX)
			len = FILE_PATH_MAX;
		e->new_path_len = len;
		off = (off + len) & (16384 - 1);
	} else if (syscall == FILE_RENAME || syscall == FILE_RENAMEAT || syscall == FILE_RENAMEAT2 || syscall == FILE_LINK ||
		   syscall == FILE_LINKAT) {
		/* `name` again: the first one is in the record already. */
		__u8 first = name.source;

		__builtin_memset(&name, 0, sizeof(name));
		n = bpf_probe_read_user_str(&e->data[off], FILE_PATH_MAX, a.new_path);
		len = n > 0 ? n : 0;
		if (len > FILE_PATH_MAX)
			len = FILE_PATH_MAX;
		e->new_path_len = len;
		/* A relative new path in the same directory as a relative first one: the same base, not walked twice. */
		if (len > 1 && e->data[off] != '/' && e->new_dirfd == e->dirfd && first == SN_PATH_BASE)
			name.source = SN_PATH_SAME_BASE;
		else
			name_of(&e->data[off], len, e->new_dirfd, &name);
		e->new_full_source = name.source;
		e->new_full_flags = name.flags;
		off = (off + len) & (16384 - 1);
		full = copy_name(&e->data[off], &name);
		e->new_full_len = full;
		off = (off + full) & (16384 - 1);
	}
	submit(ctx, e, FILE_EVENT_HEADER_SIZE + off);
	return 0;
}

/*
 * With bpf_loop (5.17+): one program for every call (common.bpf.h call_of), which
 * src/kinds/file.rs attaches to each call's exit tracepoint.
 */
SN_EXIT_OF_CALLS(sys_exit_file_calls, file_syscall_of, FILE_SYSCALL_NR, exit)

/*
 * Before (5.10-5.16): a program per call, each with its call a constant. 5.10's verifier
 * refuses the one program: given the call as a variable, or each call's code inlined
 * with its own (clang merges their common tails), it follows a path whose bounds
 * contradict themselves (2 <= len <= 1) and refuses a pointer moved by such a value.
 */
#define FILE_PROGRAM(name, syscall)                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                   \
	int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx) \
	{                                                                            \
		return exit(ctx, syscall);                                           \
	}

FILE_PROGRAM(unlink, FILE_UNLINK)
FILE_PROGRAM(unlinkat, FILE_UNLINKAT)
FILE_PROGRAM(rmdir, FILE_RMDIR)
FILE_PROGRAM(rename, FILE_RENAME)
FILE_PROGRAM(renameat, FILE_RENAMEAT)
FILE_PROGRAM(renameat2, FILE_RENAMEAT2)
FILE_PROGRAM(link, FILE_LINK)
FILE_PROGRAM(linkat, FILE_LINKAT)
FILE_PROGRAM(symlink, FILE_SYMLINK)
FILE_PROGRAM(symlinkat, FILE_SYMLINKAT)
FILE_PROGRAM(mkdir, FILE_MKDIR)
FILE_PROGRAM(mkdirat, FILE_MKDIRAT)
FILE_PROGRAM(mknod, FILE_MKNOD)
FILE_PROGRAM(mknodat, FILE_MKNODAT)
FILE_PROGRAM(chmod, FILE_CHMOD)
FILE_PROGRAM(fchmod, FILE_FCHMOD)
FILE_PROGRAM(fchmodat, FILE_FCHMODAT)
FILE_PROGRAM(fchmodat2, FILE_FCHMODAT2)
FILE_PROGRAM(chown, FILE_CHOWN)
FILE_PROGRAM(fchown, FILE_FCHOWN)
FILE_PROGRAM(lchown, FILE_LCHOWN)
FILE_PROGRAM(fchownat, FILE_FCHOWNAT)
FILE_PROGRAM(truncate, FILE_TRUNCATE)
FILE_PROGRAM(ftruncate, FILE_FTRUNCATE)
FILE_PROGRAM(utimensat, FILE_UTIMENSAT)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
