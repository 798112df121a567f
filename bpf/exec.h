/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the exec tracer: bpf/exec.bpf.c writes these records, src/kinds/exec.rs reads them. */
#ifndef SYSNOOP_EXEC_H
#define SYSNOOP_EXEC_H

#include "sysnoop.h"

enum exec_abi {
	/* Includes the NUL. */
	EXEC_FILENAME_MAX = 4096,
	/* The most argv bytes a record can carry (--max-arg-bytes is at most this). */
	EXEC_ARGS_MAX = 65536,
	/* --max-arg-bytes when it is not given. */
	EXEC_ARGS_DEFAULT = 4096,
	/* The most arguments read from a failed exec's argv pointer array. */
	EXEC_FAILED_ARGS_MAX = 64,
	/* The most ancestors a record carries (--ancestors is at most this). */
	EXEC_ANCESTORS_MAX = 8,
	EXEC_EVENT_HEADER_SIZE = 368,
	/*
	 * The most argv bytes a record carries on the perf transport: the biggest record,
	 * with every other part at its longest, must fit a sample (SN_PERF_RECORD_MAX).
	 * Longer argv is cut and flagged, as --max-arg-bytes cuts it.
	 */
	EXEC_ARGS_PERF_MAX = SN_PERF_RECORD_MAX - EXEC_EVENT_HEADER_SIZE - EXEC_FILENAME_MAX - 2 * (SN_PATH_MAX - 1),
};

/* Each program's slot in self_seen (src/kinds/exec.rs waits for the slots of those it attached). */
enum exec_slot {
	EXEC_SLOT_SCHED = 0,
	EXEC_SLOT_ENTER_EXECVE = 1,
	EXEC_SLOT_EXIT_EXECVE = 2,
	EXEC_SLOT_ENTER_EXECVEAT = 3,
	EXEC_SLOT_EXIT_EXECVEAT = 4,
};

/* Where the record came from (exec_event.source). */
enum exec_source {
	/* sched_process_exec: the exec succeeded; argv is the new image's. */
	EXEC_SOURCE_SCHED = 0,
	/* the exit of a failed execve(2). */
	EXEC_SOURCE_EXECVE = 1,
	/* the exit of a failed execveat(2). */
	EXEC_SOURCE_EXECVEAT = 2,
};

/* A process above the exec'ing one: its parent, the parent's parent, ... */
struct exec_ancestor {
	__u64 start_ns;                 /* its group leader's start_boottime: part of its exec_id */
	__u32 pid;                      /* thread-group id */
	__u32 __pad;
	char comm[SYSNOOP_COMM_LEN];    /* its group leader's, as /proc/PID/stat shows it */
};

_Static_assert(sizeof(struct exec_ancestor) == 32, "exec_ancestor layout is ABI");

/*
 * One exec. Variable-length: the header, then filename_len bytes of filename (with its
 * NUL), then args_len bytes of arguments, each with its NUL, then exe_len bytes of the
 * executable's walked name and cwd_len bytes of the cwd's (no NULs; see enum
 * sysnoop_path_source).
 */
struct exec_event {
	struct task_header task;
	__s32 ret;             /* 0, or -errno */
	__u32 old_tid;         /* the tid that called exec (differs from tid when a thread exec'd) */
	__u32 filename_len;
	__u32 args_len;
	__u32 args_total;      /* bytes argv really has (more than args_len when cut) */
	__u8 source;           /* enum exec_source */
	__u8 args_truncated;
	__u16 __pad;
	__u16 exe_len;
	__u16 cwd_len;
	__u8 exe_source;       /* enum sysnoop_path_source: SN_PATH_NONE for a failed exec */
	__u8 exe_flags;        /* enum sysnoop_path_flags */
	__u8 cwd_source;
	__u8 cwd_flags;
	/*
	 * The process's start (its group leader's start_boottime, CLOCK_BOOTTIME ns: what
	 * /proc/PID/stat's starttime counts in clock ticks) and its real parent's: with the
	 * pids and the boot id, the records' exec_id and parent_exec_id.
	 */
	__u64 start_ns;
	__u64 parent_start_ns;
	__u8 ancestors_len;       /* entries of ancestors[] filled, nearest first */
	__u8 ancestors_truncated; /* --ancestors stopped the walk below pid 1 */
	__u8 __pad2[6];
	struct exec_ancestor ancestors[EXEC_ANCESTORS_MAX];
	/*
	 * Records use at most EXEC_FILENAME_MAX + EXEC_ARGS_MAX + 2 * (SN_PATH_MAX - 1) bytes
	 * of this (filename, args, exe, cwd). The extra
	 * EXEC_ARGS_MAX is room the verifier needs: it bounds a write's offset and size
	 * separately, each up to EXEC_ARGS_MAX.
	 */
	char data[EXEC_FILENAME_MAX + 2 * EXEC_ARGS_MAX];
};

_Static_assert(__builtin_offsetof(struct exec_event, data) == EXEC_EVENT_HEADER_SIZE,
	       "exec_event header layout is ABI");

#endif /* SYSNOOP_EXEC_H */
