/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the bind tracer: bpf/bind.bpf.c writes these records, src/kinds/bind.rs reads them. */
#ifndef SYSNOOP_BIND_H
#define SYSNOOP_BIND_H

#include "sysnoop.h"

enum bind_abi {
	BIND_PATH_MAX = 108,
	BIND_EVENT_SIZE = 208,
};

/* Each program's slot in self_seen. */
enum bind_slot {
	BIND_SLOT_ENTER = 0,
	BIND_SLOT_EXIT = 1,
	LISTEN_SLOT_ENTER = 2,
	LISTEN_SLOT_EXIT = 3,
};

/* One bind(2) (SN_KIND_BIND) or listen(2) (SN_KIND_LISTEN), failed ones included. */
struct bind_event {
	struct task_header task;
	__s32 ret;          /* 0, or -errno */
	__u32 fd;
	__s32 backlog;      /* listen: the backlog passed; bind: 0 */
	__u16 family;       /* bind: of the address passed; listen: the socket's */
	__u16 protocol;     /* the socket's sk_protocol (IPPROTO_TCP, IPPROTO_UDP), 0 if unknown */
	__u16 sock_type;    /* the socket's sk_type, 0 if unknown */
	__u16 port;         /* bind: the port bound once it succeeded (the kernel's choice for 0), else the
			     * port passed; listen: the socket's. Host order. */
	__u16 path_len;     /* AF_UNIX: bytes of path (an abstract name starts with a NUL) */
	__u16 __pad;
	__u8 addr[16];      /* the address: 4 bytes for AF_INET, 16 for AF_INET6 */
	char path[BIND_PATH_MAX];
	__u32 __pad2;
};

_Static_assert(sizeof(struct bind_event) == BIND_EVENT_SIZE, "bind_event layout is ABI");

#endif /* SYSNOOP_BIND_H */
