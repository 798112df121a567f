/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the exit tracer: bpf/exit.bpf.c writes these records, src/kinds/exit.rs reads them. */
#ifndef SYSNOOP_EXIT_H
#define SYSNOOP_EXIT_H

#include "sysnoop.h"

enum exit_abi {
	EXIT_EVENT_SIZE = 80,
};

/* The program's slot in self_seen. */
enum exit_slot {
	EXIT_SLOT_EXIT = 0,
};

/* One exit: of a whole process (its last thread), or of another thread (--threads). */
struct exit_event {
	struct task_header task;
	__u64 duration_ns;  /* since the process started (group_leader->start_time) */
	__u32 exit_code;    /* task->exit_code as wait(2) sees it: status << 8 | core 0x80 | signal */
	__u8 is_thread;     /* a thread exited, not the process (others still live) */
	__u8 __pad[3];
	__u64 start_ns;     /* the group leader's start_boottime: part of the exec_id */
};

_Static_assert(sizeof(struct exit_event) == EXIT_EVENT_SIZE, "exit_event layout is ABI");

#endif /* SYSNOOP_EXIT_H */
