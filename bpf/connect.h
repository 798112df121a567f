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
	CONNECT_RESULT_SIZE = 128,
	/* TCP connects whose outcome is awaited at once (the `pending` map). */
	CONNECT_PENDING_MAX = 8192,
};

/* How a TCP connect ended (connect_result.state). */
enum connect_state {
	/* Not yet: still connecting when tracing stopped (user space reads `pending`). */
	CONNECT_PENDING = 0,
	/* The handshake completed. */
	CONNECT_ESTABLISHED = 1,
	/* It never did: the socket closed; connect_result.error says why (0: its process closed it). */
	CONNECT_CLOSED = 2,
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
	/* A TCP connect that returned before its outcome: the connect_result's id, else 0. */
	__u64 connect_id;
};

_Static_assert(sizeof(struct connect_event) == CONNECT_EVENT_SIZE, "connect_event layout is ABI");

/*
 * The outcome of a TCP connect that returned before it was known (EINPROGRESS, EALREADY,
 * interrupted): sent when the socket leaves SYN_SENT, joined to its connect record by
 * connect_id. The task is the connecting thread's, as it was at connect; ts_ns is when the
 * record was sent: when the outcome came, or (an outcome that came while connect(2) was
 * still returning) just after the connect record, so records stay in time order.
 */
struct connect_result {
	struct task_header task;
	__u64 connect_id;   /* the connect record's; unique in the run */
	__u64 connect_ns;   /* when the connect began (CLOCK_BOOTTIME): duration = ts_ns - connect_ns */
	__s32 error;        /* the socket's error when it closed (ECONNREFUSED, ETIMEDOUT, ...), else 0 */
	__u16 family;       /* AF_INET or AF_INET6 */
	__u16 sport;        /* local port, host order */
	__u16 dport;        /* destination port, host order */
	__u8 state;         /* enum connect_state */
	__u8 __pad[5];
	__u8 saddr[16];     /* 4 bytes for AF_INET, 16 for AF_INET6 */
	__u8 daddr[16];
	__u64 outcome_ns;   /* when the socket left SYN_SENT; 0 while pending */
};

_Static_assert(sizeof(struct connect_result) == CONNECT_RESULT_SIZE, "connect_result layout is ABI");

#endif /* SYSNOOP_CONNECT_H */
