/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the file tracer: bpf/file.bpf.c writes these records, src/kinds/file.rs reads them. */
#ifndef SYSNOOP_FILE_H
#define SYSNOOP_FILE_H

#include "sysnoop.h"

enum file_abi {
	/* Includes the NUL; the kernel rejects longer paths with ENAMETOOLONG. */
	FILE_PATH_MAX = 4096,
	FILE_EVENT_HEADER_SIZE = 112,
	/*
	 * Room for the record's four names (at most 2 * 4096 + 2 * 4095 bytes) at offsets
	 * the verifier can bound: each starts below 16384 and takes at most 4096.
	 */
	FILE_DATA_SIZE = 16384 + 4096,
};

/*
 * Which call it was (file_event.syscall); each call's slot in self_seen is its
 * number here.
 */
enum file_syscall {
	FILE_UNLINK = 0,
	FILE_UNLINKAT = 1,
	FILE_RMDIR = 2,
	FILE_RENAME = 3,
	FILE_RENAMEAT = 4,
	FILE_RENAMEAT2 = 5,
	FILE_LINK = 6,
	FILE_LINKAT = 7,
	FILE_SYMLINK = 8,
	FILE_SYMLINKAT = 9,
	FILE_MKDIR = 10,
	FILE_MKDIRAT = 11,
	FILE_MKNOD = 12,
	FILE_MKNODAT = 13,
	FILE_CHMOD = 14,
	FILE_FCHMOD = 15,
	FILE_FCHMODAT = 16,
	FILE_FCHMODAT2 = 17,
	FILE_CHOWN = 18,
	FILE_FCHOWN = 19,
	FILE_LCHOWN = 20,
	FILE_FCHOWNAT = 21,
	FILE_TRUNCATE = 22,
	FILE_FTRUNCATE = 23,
	FILE_UTIMENSAT = 24,
	FILE_SYSCALL_NR = 25,
};

/*
 * One call that changes a file. Records are variable-length: the header, then
 * path_len bytes of the path as passed (with its NUL; for a call on a descriptor,
 * none), full_len bytes of its walked name (no NUL; see enum sysnoop_path_source), then
 * new_path_len bytes of the second path as passed (rename's and link's new path,
 * symlink's target) and new_full_len bytes of its walked name.
 */
struct file_event {
	struct task_header task;
	__s32 ret;            /* 0, or -errno */
	__u16 syscall;        /* enum file_syscall */
	__u16 path_len;
	__s32 dirfd;          /* the *at calls' dirfd (AT_FDCWD is -100); the fd of fchmod, fchown, ftruncate */
	__s32 new_dirfd;      /* renameat(2), linkat, symlinkat: the new path's dirfd */
	__u32 mode;           /* mkdir, mknod, chmod: the mode passed */
	__u32 uid;            /* chown: the owner passed ((uid_t)-1: unchanged) */
	__u32 gid;
	__u32 flags;          /* unlinkat, renameat2, linkat, fchmodat2, fchownat, utimensat */
	__u64 size;           /* truncate: the length; mknod: the device number */
	__u16 full_len;
	__u16 new_path_len;
	__u16 new_full_len;
	__u8 full_source;     /* enum sysnoop_path_source */
	__u8 full_flags;      /* enum sysnoop_path_flags */
	__u8 new_full_source;
	__u8 new_full_flags;
	__u8 __pad1[6];
	char data[FILE_DATA_SIZE];
};

_Static_assert(__builtin_offsetof(struct file_event, data) == FILE_EVENT_HEADER_SIZE, "file_event header layout is ABI");

#endif /* SYSNOOP_FILE_H */
