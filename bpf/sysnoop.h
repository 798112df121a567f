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
	/* Syscall numbers below this are looked up by a program on several calls (common.bpf.h call_of). */
	SYSNOOP_CALL_NR_LIMIT = 512,
	/* Calls in flight at once per object (the pairing layer's LRU map, common.bpf.h). */
	SYSNOOP_INFLIGHT_MAX = 10240,
	/* Process exits being claimed at once (bpf/exit.bpf.c). */
	SYSNOOP_EXIT_CLAIMS_MAX = 8192,
	/* --max-tasks when it is not given: tasks followed at once (bpf/follow.bpf.c). */
	SYSNOOP_FOLLOW_MAX_DEFAULT = 65536,
	/*
	 * The perf transport (bpf/common.bpf.h): the most bytes of record one sample
	 * carries. A sample is its 8-byte header, a u32 size and the record, padded to 8
	 * bytes, and its size is 16 bits: 8 + 65520 <= 65535.
	 */
	SN_PERF_RECORD_MAX = 65516,
	/* The largest record built in place with reserve() (the perf transport's room for one). */
	SN_RESERVE_MAX = 256,
};

/* Indexes into each object's per-CPU `counters` array. */
enum sysnoop_counter {
	/* Events that reached a program and were dropped by a filter. */
	SN_CTR_FILTERED = 0,
	/* A record could not be sent: the ring buffer (or this CPU's perf buffer) was full. */
	SN_CTR_LOST = 1,
	/*
	 * A traced call whose exit found no entry from its enter: it began before tracing
	 * did, or its entry could not be stored or was evicted (more calls in flight than
	 * SYSNOOP_INFLIGHT_MAX). Counted once, at the exit (see pairing in common.bpf.h).
	 */
	SN_CTR_PAIR_MISS = 2,
	/* The follower's (bpf/follow.bpf.c): new tasks of followed tasks, now followed too, */
	SN_CTR_FOLLOWED = 3,
	/* and those the full set could not take: not traced. */
	SN_CTR_UNTRACKED = 4,
	SN_CTR_NR = 5,
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
	SN_KIND_LSM_FILE_OPEN = 6,
	SN_KIND_LSM_CONNECT = 7,
	SN_KIND_CONNECT_RESULT = 8,
	SN_KIND_ACCEPT = 9,
	SN_KIND_BIND = 10,
	SN_KIND_LISTEN = 11,
	SN_KIND_FILE = 12,
	SN_KIND_CRED = 13,
	SN_KIND_PTRACE = 14,
	SN_KIND_BPF_PROG = 15,
	SN_KIND_MOUNT = 16,
	SN_KIND_MODULE = 17,
	/* One past the last: the Rust registry asserts each value below has a decoder. */
	SN_KIND_NR,
};

/*
 * Full paths (bpf/path.bpf.h): how a record's walked name is to be read. The BPF side
 * walks dentries as the kernel's d_path() does; user space assembles the text.
 */
enum sysnoop_path_abi {
	/* Room for a walked name, like PATH_MAX: at most 4095 bytes. */
	SN_PATH_MAX = 4096,
	/* Steps of one walk: components and mount crossings (a 4095-byte path has at most 2048 components). */
	SN_PATH_STEPS_MAX = 2100,
	/* Without bpf_loop (before Linux 5.17): a bounded loop the verifier walks step by step. */
	SN_PATH_STEPS_BOUNDED = 64,
	/*
	 * The same, for the file kind's walks (bpf/file.bpf.c): a rename's or a link's two
	 * in one program, in 25 programs, stay within the verifier's budget at half the steps.
	 */
	SN_PATH_STEPS_BOUNDED_FILE = 32,
};

enum sysnoop_path_source {
	/* No name: the file or base directory could not be looked up. */
	SN_PATH_NONE = 0,
	/* The walked name is the file's, from its struct file (a successful open). */
	SN_PATH_FILE = 1,
	/* The walked name is the base directory's (cwd or dirfd): join the path as passed. */
	SN_PATH_BASE = 2,
	/* The path as passed is absolute: it is the full path (a failed open). */
	SN_PATH_ABSOLUTE = 3,
	/* pipe:[ino] */
	SN_PATH_PIPE = 4,
	/* socket:[ino] */
	SN_PATH_SOCKET = 5,
	/* anon_inode:NAME, with NAME walked */
	SN_PATH_ANON_INODE = 6,
	/* NAME:[ino], a namespace (nsfs), with NAME walked */
	SN_PATH_NAMESPACE = 7,
	/* /NAME (deleted), NAME walked: a memfd or another internal shmem file */
	SN_PATH_SHMEM = 8,
	/* A pseudo file the kernel names with a function of its filesystem sysnoop does not mirror. */
	SN_PATH_UNNAMED = 9,
	/* A record's second walked name is its first's: the base directory of both its paths. */
	SN_PATH_SAME_BASE = 10,
};

enum sysnoop_path_flags {
	/* The walk was cut (too deep or too long): the name holds the components nearest the file. */
	SN_PATH_TRUNCATED = 1,
	/* The file is unlinked: the kernel adds " (deleted)". */
	SN_PATH_DELETED = 2,
};

/* The first 56 bytes of every record. */
struct task_header {
	__u64 ts_ns; /* CLOCK_BOOTTIME, bpf_ktime_get_boot_ns() */
	__u32 kind;  /* enum sysnoop_kind */
	__u32 pid;   /* thread-group id */
	__u32 tid;
	__u32 ppid;  /* real_parent's thread-group id */
	__u32 uid;
	__u32 __pad;
	char comm[SYSNOOP_COMM_LEN];
	__u64 cgroup_id; /* the task's cgroup v2 id, bpf_get_current_cgroup_id() */
};

_Static_assert(sizeof(struct task_header) == 56, "task_header layout is ABI");

#endif /* SYSNOOP_H */
