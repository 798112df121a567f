/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the accept tracer: bpf/accept.bpf.c writes these records, src/kinds/accept.rs reads them. */
#ifndef SYSNOOP_ACCEPT_H
#define SYSNOOP_ACCEPT_H

#include "sysnoop.h"

enum accept_abi {
	ACCEPT_PATH_MAX = 108,
	ACCEPT_EVENT_SIZE = 224,
};

/* Each program's slot in self_seen. */
enum accept_slot {
	ACCEPT_SLOT_ENTER = 0,
	ACCEPT_SLOT_EXIT = 1,
	ACCEPT4_SLOT_ENTER = 2,
	ACCEPT4_SLOT_EXIT = 3,
};

/* One accept(2) or accept4(2), failed ones included. */
struct accept_event {
	struct task_header task;
	__s32 ret;          /* the new socket's fd, or -errno */
	__u32 fd;           /* the listening socket's */
	__u16 family;       /* the listening socket's: AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 protocol;     /* its sk_protocol (IPPROTO_TCP, ...), 0 if unknown */
	__u16 sock_type;    /* its sk_type (SOCK_STREAM, SOCK_SEQPACKET) */
	__u16 sport;        /* local port of the new connection (the listening port), host order */
	__u16 dport;        /* the peer's port, host order */
	__u16 path_len;     /* AF_UNIX: bytes of the listener's path (an abstract name starts with a NUL) */
	__u8 saddr[16];     /* local address of the new connection: 4 bytes for AF_INET, 16 for AF_INET6 */
	__u8 daddr[16];     /* the peer's address, likewise */
	char path[ACCEPT_PATH_MAX];
	__u32 flags;        /* accept4's flags (SOCK_NONBLOCK, SOCK_CLOEXEC); 0 for accept */
	__u8 syscall;       /* 0: accept, 1: accept4 */
	__u8 __pad[3];
};

_Static_assert(sizeof(struct accept_event) == ACCEPT_EVENT_SIZE, "accept_event layout is ABI");

#endif /* SYSNOOP_ACCEPT_H */
