/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the follower: bpf/follow.bpf.c keeps the set of followed tasks, src/follow.rs reads its counters (SN_CTR_FOLLOWED, SN_CTR_UNTRACKED). */
#ifndef SYSNOOP_FOLLOW_H
#define SYSNOOP_FOLLOW_H

#include "sysnoop.h"

/* Each program's slot in self_seen. */
enum follow_slot {
	FOLLOW_SLOT_FORK = 0,
	FOLLOW_SLOT_EXEC = 1,
	FOLLOW_SLOT_EXIT = 2,
};

#endif /* SYSNOOP_FOLLOW_H */
