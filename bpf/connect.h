/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the connect tracer: bpf/connect.bpf.c writes these records, src/kinds/connect.rs reads them. */
#ifndef SYSNOOP_CONNECT_H
#define SYSNOOP_CONNECT_H

#include "sysnoop.h"

enum connect_abi {
	/* sizeof(((struct sockaddr_un *)0)->sun_path) */
	CONNECT_PATH_MAX = 108,
	CONNECT_EVENT_SIZE = 224,
	/* The most destination ports --port takes. */
	CONNECT_PORTS_MAX = 8,
};

/* Each program's slot in self_seen. */
enum connect_slot {
	CONNECT_SLOT_ENTER = 0,
	CONNECT_SLOT_EXIT = 1,
};

/* One connect(2), successful or not. */
struct connect_event {
	struct task_header task;
	__s32 ret;          /* 0, or -errno (EINPROGRESS for a non-blocking connect) */
	__u32 fd;
	__u16 family;       /* of the address passed: AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 protocol;     /* the socket's sk_protocol (IPPROTO_TCP, IPPROTO_UDP), 0 if unknown */
	__u16 sock_type;    /* the socket's sk_type (SOCK_STREAM, SOCK_DGRAM), 0 if unknown */
	__u16 sport;        /* local port, host order (0 when not bound) */
	__u16 dport;        /* destination port, host order */
	__u16 path_len;     /* AF_UNIX: bytes of path (an abstract name starts with a NUL) */
	__u8 saddr[16];     /* local address: 4 bytes for AF_INET, 16 for AF_INET6 */
	__u8 daddr[16];     /* destination address, likewise */
	char path[CONNECT_PATH_MAX];
	__u32 __pad;
};

_Static_assert(sizeof(struct connect_event) == CONNECT_EVENT_SIZE, "connect_event layout is ABI");

#endif /* SYSNOOP_CONNECT_H */
