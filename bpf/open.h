/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the open tracer: bpf/open.bpf.c writes these records, src/kinds/open.rs reads them. */
#ifndef SYSNOOP_OPEN_H
#define SYSNOOP_OPEN_H

#include "sysnoop.h"

enum open_abi {
	/* Includes the NUL; the kernel rejects longer paths with ENAMETOOLONG. */
	OPEN_PATH_MAX = 4096,
	OPEN_EVENT_HEADER_SIZE = 96,
	/* --exclude-path/--include-path (and the system prefixes) the kernel matches. */
	OPEN_PREFIXES_MAX = 32,
	OPEN_PREFIX_MAX = 128,
};

/* What a path prefix does (open_prefix.action). */
enum open_prefix_action {
	/* Drop opens whose full path starts with it. */
	OPEN_PREFIX_EXCLUDE = 0,
	/* Keep only opens whose full path starts with one of these (when there is one). */
	OPEN_PREFIX_INCLUDE = 1,
};

struct open_prefix {
	__u32 len;
	__u32 action; /* enum open_prefix_action */
	char text[OPEN_PREFIX_MAX];
};

/* Which syscall opened the file (open_event.syscall). */
enum open_syscall {
	OPEN_SYSCALL_OPEN = 0,
	OPEN_SYSCALL_OPENAT = 1,
	OPEN_SYSCALL_OPENAT2 = 2,
	OPEN_SYSCALL_CREAT = 3,
	OPEN_SYSCALL_NR = 4,
};

/*
 * Each call's slot in self_seen (src/kinds/open.rs waits for the slots of the calls it
 * attached to) is its number in enum open_syscall.
 */

/*
 * One completed open. Records are variable-length: the header, then path_len bytes of
 * the path as passed (with its NUL), then full_len bytes of the walked name (no NUL;
 * see enum sysnoop_path_source for what it is).
 */
struct open_event {
	struct task_header task;
	__u64 flags;       /* as passed: open(2) flags, or open_how.flags for openat2 */
	__s32 ret;         /* fd, or -errno */
	__u32 mode;
	__u16 syscall;     /* enum open_syscall */
	__u16 path_len;    /* bytes of path including its NUL; 0 when it could not be read */
	__s32 dirfd;       /* openat, openat2: the dirfd argument (AT_FDCWD is -100) */
	__u64 full_ino;    /* the inode of a pipe, socket or namespace (enum sysnoop_path_source) */
	__u16 full_len;    /* bytes of the walked name */
	__u8 full_source;  /* enum sysnoop_path_source */
	__u8 full_flags;   /* enum sysnoop_path_flags */
	__u32 __pad;
	/*
	 * Records use at most OPEN_PATH_MAX + SN_PATH_MAX - 1 bytes of this; the rest is room
	 * the verifier needs to bound the walked name's offset and size separately.
	 */
	char data[OPEN_PATH_MAX + 2 * SN_PATH_MAX];
};

_Static_assert(__builtin_offsetof(struct open_event, data) == OPEN_EVENT_HEADER_SIZE,
	       "open_event header layout is ABI");

#endif /* SYSNOOP_OPEN_H */
