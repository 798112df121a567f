/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ABI shared by every sysnoop BPF object and the Rust side: the record header every
 * event starts with, and the in-kernel counters. Only fixed-width types and no C
 * `bool`: libbpf-cargo turns these into the Rust structs the decoder reads.
 */
#ifndef SYSNOOP_H
#define SYSNOOP_H

enum sysnoop_abi {
	SYSNOOP_COMM_LEN = 16,
	/* Slots in each object's `self_seen` array: one per program. */
	SYSNOOP_SELF_SLOTS = 32,
	/* Calls in flight at once per object (the pairing layer's LRU map, common.bpf.h). */
	SYSNOOP_INFLIGHT_MAX = 10240,
	/* Process exits being claimed at once (bpf/exit.bpf.c). */
	SYSNOOP_EXIT_CLAIMS_MAX = 8192,
};

/* Indexes into each object's per-CPU `counters` array. */
enum sysnoop_counter {
	/* Events that reached a program and were dropped by a filter. */
	SN_CTR_FILTERED = 0,
	/* bpf_ringbuf_output() failed: the ring buffer was full. */
	SN_CTR_LOST = 1,
	/*
	 * A traced call whose exit found no entry from its enter: it began before tracing
	 * did, or its entry could not be stored or was evicted (more calls in flight than
	 * SYSNOOP_INFLIGHT_MAX). Counted once, at the exit (see pairing in common.bpf.h).
	 */
	SN_CTR_PAIR_MISS = 2,
	SN_CTR_NR = 3,
};

/*
 * What a record is (task_header.kind). Every object writes into the one ring buffer
 * of the session, so the reader tells records apart by this. 0 is never valid.
 */
enum sysnoop_kind {
	SN_KIND_OPEN = 1,
	SN_KIND_EXEC = 2,
	SN_KIND_EXIT = 3,
	SN_KIND_CONNECT = 4,
	SN_KIND_SYSCALL = 5,
	/* One past the last: the Rust registry asserts each value below has a decoder. */
	SN_KIND_NR,
};

/* The first 48 bytes of every record. */
struct task_header {
	__u64 ts_ns; /* CLOCK_BOOTTIME, bpf_ktime_get_boot_ns() */
	__u32 kind;  /* enum sysnoop_kind */
	__u32 pid;   /* thread-group id */
	__u32 tid;
	__u32 ppid;  /* real_parent's thread-group id */
	__u32 uid;
	__u32 __pad;
	char comm[SYSNOOP_COMM_LEN];
};

_Static_assert(sizeof(struct task_header) == 48, "task_header layout is ABI");

#endif /* SYSNOOP_H */
