/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the BPF-LSM tracer: bpf/lsm.bpf.c writes these records, src/kinds/lsm.rs reads them. */
#ifndef SYSNOOP_LSM_H
#define SYSNOOP_LSM_H

#include "sysnoop.h"

enum lsm_abi {
	/* bpf_d_path's room: PATH_MAX, with the NUL. */
	LSM_PATH_MAX = 4096,
	LSM_FILE_HEADER_SIZE = 80,
	/* sizeof(((struct sockaddr_un *)0)->sun_path) */
	LSM_UNIX_PATH_MAX = 108,
	LSM_CONNECT_EVENT_SIZE = 216,
};

/* Each program's slot in self_seen. */
enum lsm_slot {
	LSM_SLOT_FILE_OPEN = 0,
	LSM_SLOT_SOCKET_CONNECT = 1,
};

/*
 * lsm/file_open: a file being opened, whoever opens it (open(2), exec, io_uring,
 * the kernel). Variable-length: the header, then path_len bytes of path with its NUL.
 */
struct lsm_file_open_event {
	struct task_header task;
	__u64 inode;
	__u32 dev;            /* the kernel's dev_t: major << 20 | minor */
	__u32 flags;          /* file->f_flags */
	__u16 mode;           /* inode->i_mode: file type and permission bits */
	/*
	 * path_source SN_PATH_NONE: path is bpf_d_path's, path_len bytes with its NUL, and
	 * path_truncated is 1 when it could not fit the path (ENAMETOOLONG). Else path is a
	 * walked name (bpf/path.bpf.h) of path_len bytes meaning enum sysnoop_path_source,
	 * and path_truncated holds its enum sysnoop_path_flags.
	 */
	__u8 path_truncated;
	__u8 path_source;
	__u32 path_len;
	char path[LSM_PATH_MAX];
};

_Static_assert(__builtin_offsetof(struct lsm_file_open_event, path) == LSM_FILE_HEADER_SIZE,
	       "lsm_file_open_event header layout is ABI");

/* lsm/socket_connect: a connect about to be made, by connect(2) or io_uring. */
struct lsm_connect_event {
	struct task_header task;
	__u16 family;       /* of the address: AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 protocol;     /* the socket's sk_protocol */
	__u16 sock_type;    /* the socket's type (SOCK_STREAM, SOCK_DGRAM) */
	__u16 sport;        /* local port, host order (0 when not bound yet) */
	__u16 dport;        /* destination port, host order */
	__u16 path_len;     /* AF_UNIX: bytes of path (an abstract name starts with a NUL) */
	__u32 __pad;
	__u8 saddr[16];     /* local address: 4 bytes for AF_INET, 16 for AF_INET6 */
	__u8 daddr[16];     /* destination address, likewise */
	char path[LSM_UNIX_PATH_MAX];
	__u32 __pad2;
};

_Static_assert(sizeof(struct lsm_connect_event) == LSM_CONNECT_EVENT_SIZE, "lsm_connect_event layout is ABI");

#endif /* SYSNOOP_LSM_H */
