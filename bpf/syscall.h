/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the syscall tracer: bpf/syscall.bpf.c writes these records, src/decode.rs reads them. */
#ifndef SYSNOOP_SYSCALL_H
#define SYSNOOP_SYSCALL_H

#include "sysnoop.h"

enum syscall_abi {
	/* Syscall numbers --syscall can select (both architectures stay below this). */
	SYSCALL_NR_MAX = 1024,
	SYSCALL_EVENT_SIZE = 72,
};

/* One completed syscall. */
struct syscall_event {
	struct task_header task;
	__s64 ret;
	__u64 latency_ns;   /* from enter to exit */
	__u32 nr;
	__u32 __pad;
};

_Static_assert(sizeof(struct syscall_event) == SYSCALL_EVENT_SIZE, "syscall_event layout is ABI");

#endif /* SYSNOOP_SYSCALL_H */
