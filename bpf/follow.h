/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the follower: bpf/follow.bpf.c keeps the set of followed tasks, src/follow.rs reads its counters. */
#ifndef SYSNOOP_FOLLOW_H
#define SYSNOOP_FOLLOW_H

#include "sysnoop.h"

/* Each program's slot in self_seen. */
enum follow_slot {
	FOLLOW_SLOT_FORK = 0,
	FOLLOW_SLOT_EXEC = 1,
	FOLLOW_SLOT_EXIT = 2,
};

/* Indexes into the per-CPU `follow_counts` array. */
enum follow_counter {
	/* New tasks (processes and threads) of followed tasks, now followed too. */
	FOLLOW_CTR_TASKS = 0,
	/* New tasks of followed tasks that the full set could not take: not traced. */
	FOLLOW_CTR_UNTRACKED = 1,
	FOLLOW_CTR_NR = 2,
};

#endif /* SYSNOOP_FOLLOW_H */
