// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File opens: one program on the exit tracepoint of each of open, openat, openat2 and
 * creat. It reads the call's arguments from the task's saved registers and the path
 * (the kernel has already faulted it in), names the opened file from its fd (or, when
 * the open failed, the base directory: the cwd or the dirfd's file) as d_path() would
 * (path.bpf.h), and sends one variable-length record.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "open.h"

#define AT_FDCWD -100
#define O_CREAT 0100
#define O_WRONLY 01
#define O_TRUNC 01000

#include "common.bpf.h"
#include "path.bpf.h"

/* 0: no full paths (--full-path off): neither the base directory nor the walk. */
const volatile __u8 targ_full_path = 1;

/* Path prefixes (--exclude-path, --include-path), matched against the full path. */
const volatile __u32 targ_nprefixes = 0;
const volatile __u32 targ_ninclude = 0;
const volatile struct open_prefix targ_prefixes[OPEN_PREFIXES_MAX] = {};

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
enum open_prefix_action _open_prefix_action = 0;

/*
 * The head of a record's full path, as the prefixes see it: its first
 * OPEN_PREFIX_MAX bytes (no prefix is longer), copied out of the record being built
 * (the walked name at data[path_len, ...), or the path as passed, or the walked base,
 * '/' and the path as passed) so that matching is a plain comparison. The text lives
 * in the second half of the path walk's scratch buffer, free once the walked name is
 * in the record.
 */
struct full_head {
	char *text;
	__u32 len;
	__u8 matched_exclude;
	__u8 matched_include;
};

/*
 * Appends `n` bytes at `src` (in the record) to the head, as much as fits. It always
 * copies OPEN_PREFIX_MAX bytes, a size the verifier can bound, past the end too: only
 * the first `len` bytes of the head count, and a later append overwrites the rest.
 */
static __always_inline void head_append(struct full_head *h, const void *src, __u32 n)
{
	__u32 off = h->len;

	if (off >= OPEN_PREFIX_MAX)
		return;
	bpf_probe_read_kernel(h->text + (off & (OPEN_PREFIX_MAX - 1)), OPEN_PREFIX_MAX, src);
	h->len = n < OPEN_PREFIX_MAX - off ? off + n : OPEN_PREFIX_MAX;
}

static __always_inline void head_slash(struct full_head *h)
{
	if (h->len >= OPEN_PREFIX_MAX)
		return;
	h->text[h->len & (OPEN_PREFIX_MAX - 1)] = '/';
	h->len += 1;
}

static __always_inline void head_of(struct full_head *h, struct open_event *e, __u32 path_len, __u32 full_len,
				    __u8 source)
{
	__u32 passed = path_len ? path_len - 1 : 0;
	const char *walked = &e->data[path_len & (2 * SN_PATH_MAX - 1)];

	h->len = 0;
	switch (source) {
	case SN_PATH_ABSOLUTE:
		head_append(h, e->data, passed);
		break;
	case SN_PATH_FILE:
		if (full_len)
			head_append(h, walked, full_len);
		else
			head_slash(h);
		break;
	case SN_PATH_BASE:
		head_append(h, walked, full_len);
		head_slash(h);
		head_append(h, e->data, passed);
		break;
	}
}

SN_CALLBACK match_prefix(__u64 index, void *data)
{
	struct full_head *h = data;
	__u32 k = index & (OPEN_PREFIXES_MAX - 1), len = targ_prefixes[k].len, i;

	if (index >= targ_nprefixes)
		return 1;
	if (len > h->len)
		return 0;
	for (i = 0; i < OPEN_PREFIX_MAX; i++) {
		if (i >= len)
			break;
		if (h->text[i] != targ_prefixes[k].text[i])
			return 0;
	}
	if (targ_prefixes[k].action == OPEN_PREFIX_INCLUDE)
		h->matched_include = 1;
	else
		h->matched_exclude = 1;
	return 0;
}

/* Whether the path prefixes keep this record (`source`: enum sysnoop_path_source). */
static __always_inline bool prefixes_keep(struct open_event *e, __u32 path_len, __u32 full_len, __u8 source)
{
	struct full_head h = {};
	struct path_scratch *scratch;
	__u32 zero = 0;

	if (!targ_nprefixes)
		return true;
	scratch = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!scratch)
		return true;
	h.text = scratch->buf + SN_PATH_MAX;
	head_of(&h, e, path_len, full_len, source);
	/* Without bpf_loop: every prefix still (at most OPEN_PREFIXES_MAX are set). */
	SN_LOOP(OPEN_PREFIXES_MAX, OPEN_PREFIXES_MAX, match_prefix, &h);
	return !h.matched_exclude && (!targ_ninclude || h.matched_include);
}

/* A call's arguments, as the task passed them. */
struct args {
	const char *fname;
	__u64 flags;
	__s32 dirfd;
	__u32 mode;
};

/*
 * Reads `syscall`'s arguments at its exit, from the user registers the task saved when
 * it entered the kernel (the syscall does not change them; on arm64 the first one lives
 * on in orig_x0, which PARM1_SYSCALL reads). One program per open instead of an enter
 * and an exit paired through a map: no pairing, so no pairing misses either.
 */
static __always_inline void args_of(__u16 syscall, long nr, struct args *a)
{
	struct pt_regs *regs = current_regs();

#if !SN_USE_TASK_PT_REGS
	/*
	 * Registers found on the stack are checked: they are this call's if they hold its
	 * number (a kernel whose stack is laid out otherwise gives no arguments, never wrong ones).
	 */
	if (regs_syscall_nr(regs) != nr)
		return;
#endif

	switch (syscall) {
	case OPEN_SYSCALL_OPEN:
		a->dirfd = AT_FDCWD;
		a->fname = (const char *)SN_SYSCALL_ARG(1, regs);
		a->flags = SN_SYSCALL_ARG(2, regs);
		a->mode = SN_SYSCALL_ARG(3, regs);
		break;
	case OPEN_SYSCALL_OPENAT:
		a->dirfd = SN_SYSCALL_ARG(1, regs);
		a->fname = (const char *)SN_SYSCALL_ARG(2, regs);
		a->flags = SN_SYSCALL_ARG(3, regs);
		a->mode = SN_SYSCALL_ARG(4, regs);
		break;
	case OPEN_SYSCALL_OPENAT2: {
		struct open_how how = {};

		a->dirfd = SN_SYSCALL_ARG(1, regs);
		a->fname = (const char *)SN_SYSCALL_ARG(2, regs);
		/* flags and mode live in user memory; a failed read leaves them 0. */
		bpf_probe_read_user(&how, sizeof(how.flags) + sizeof(how.mode), (void *)SN_SYSCALL_ARG(3, regs));
		a->flags = how.flags;
		a->mode = how.mode;
		break;
	}
	case OPEN_SYSCALL_CREAT:
		/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode). */
		a->dirfd = AT_FDCWD;
		a->fname = (const char *)SN_SYSCALL_ARG(1, regs);
		a->flags = O_CREAT | O_WRONLY | O_TRUNC;
		a->mode = SN_SYSCALL_ARG(2, regs);
		break;
	}
}

static __always_inline int exit(struct trace_event_raw_sys_exit *ctx, __u16 syscall)
{
	struct task_struct *t = sn_current(); /* once: each fetch is a helper call */
	__u64 pid_tgid = pid_tgid_of(t);
	__u32 zero = 0;
	struct path_name name = {};
	struct open_event *e;
	struct args a = {};
	long ret = ctx->ret, len;
	__u32 full;

	if (is_self(pid_tgid, syscall))
		return 0;
	if (!trace_allowed_of(pid_tgid, t) || (targ_failed && ret >= 0)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		return 0;

	fill_task_header_of(&e->task, SN_KIND_OPEN, pid_tgid, t);
	/* The children sysnoop starts to probe exec and exit open files too. */
	if (is_probe_child(e->task.ppid))
		return 0;
	args_of(syscall, ctx->id, &a);
	e->flags = a.flags;
	e->ret = ret;
	e->mode = a.mode;
	e->syscall = syscall;
	e->dirfd = a.dirfd;
	e->__pad = 0;
	len = bpf_probe_read_user_str(e->data, OPEN_PATH_MAX, a.fname);
	if (len < 0)
		len = 0;
	if (len > OPEN_PATH_MAX)
		len = OPEN_PATH_MAX;
	e->path_len = len;

	if (!targ_full_path) {
		/* name.source stays SN_PATH_NONE */
	} else if (ret >= 0) {
		struct file *file = task_file_of(ret, t);

		if (file)
			name_file(file, SN_PATH_FILE, &name);
	} else if (len > 1 && e->data[0] == '/') {
		name.source = SN_PATH_ABSOLUTE;
	} else if (len > 0) {
		name_base(a.dirfd, &name);
	}
	e->full_source = name.source;
	e->full_flags = name.flags;
	e->full_ino = name.ino;
	full = copy_name(&e->data[len & (2 * SN_PATH_MAX - 1)], &name);
	e->full_len = full;
	if (!prefixes_keep(e, len, full, name.source)) {
		count(SN_CTR_FILTERED);
		return 0;
	}
	submit(ctx, e, OPEN_EVENT_HEADER_SIZE + len + full);
	return 0;
}

/* One program for every open call (common.bpf.h call_of): src/kinds/open.rs attaches it to each. */
SN_EXIT_OF_CALLS(sys_exit_open_calls, open_syscall_of, OPEN_SYSCALL_NR, exit)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
