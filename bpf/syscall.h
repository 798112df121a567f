/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the syscall tracer: bpf/syscall.bpf.c writes these records, src/kinds/syscall.rs reads them. */
#ifndef SYSNOOP_SYSCALL_H
#define SYSNOOP_SYSCALL_H

#include "sysnoop.h"

enum syscall_abi {
	/* Syscall numbers --syscall can select (both architectures stay below this). */
	SYSCALL_NR_MAX = 1024,
	SYSCALL_EVENT_HEADER_SIZE = 144,
	/* Argument registers a record carries. */
	SYSCALL_ARGS = 6,
	/* Strings read per call at most (mount and request_key take three). */
	SYSCALL_STRINGS_MAX = 3,
	/* Bytes kept of each string, as a path's longest (PATH_MAX less its NUL). */
	SYSCALL_STRING_MAX = 4095,
	/*
	 * execve/execveat calls in flight at once whose arguments are kept (about 4 KiB
	 * each, preallocated): past it the oldest goes, and its record has no arguments.
	 */
	SYSCALL_EXECS_MAX = 256,
	/* Distinct (syscall, process) pairs counted at once. */
	SYSCALL_COUNT_KEYS_MAX = 16384,
};

/* Each program's slot in self_seen (the raw and the per-syscall tracepoint programs alike). */
enum syscall_slot {
	SYSCALL_SLOT_ENTER = 0,
	SYSCALL_SLOT_EXIT = 1,
};

/* Where a record's argument registers come from (syscall_event.args_from). */
enum syscall_args_from {
	/*
	 * The task's saved user registers as the call returns: the values it entered with,
	 * unless the call or a tracer changed them (see docs/records.md).
	 */
	SYSCALL_ARGS_AT_EXIT = 0,
	/* Taken as the call entered (-L, and execve/execveat always). */
	SYSCALL_ARGS_AT_ENTER = 1,
	/* None: an execve/execveat whose entry was not seen (the registers are the new program's). */
	SYSCALL_ARGS_NONE = 2,
};

/*
 * One completed syscall, or one that never returns (exit, exit_group), seen at its enter.
 * Records are variable-length: this header, then the strings of the arguments in
 * `strings`, in argument order, each str_len[i] bytes (no NUL).
 */
struct syscall_event {
	struct task_header task;
	__s64 ret;          /* 0 when it never returns */
	__u64 latency_ns;   /* from enter to exit; 0 when it never returns or untimed */
	__u32 nr;
	__u8 returned;      /* 0: a call that never returns, reported at its enter */
	__u8 untimed;       /* 1: latency not measured (no --latency) */
	__u8 args_from;     /* enum syscall_args_from */
	__u8 strings;       /* bit i: argument i is a string read from the caller's memory */
	__u64 args[SYSCALL_ARGS]; /* the argument registers, in the syscall ABI's order */
	/* Per string argument: bytes that follow (at most SYSCALL_STRING_MAX), or -errno when it could not be read. */
	__s16 str_len[SYSCALL_ARGS];
	__u8 str_cut;       /* bit i: argument i's string was longer than SYSCALL_STRING_MAX bytes */
	__u8 __pad[3];
};

_Static_assert(sizeof(struct syscall_event) == SYSCALL_EVENT_HEADER_SIZE, "syscall_event layout is ABI");
_Static_assert(sizeof(struct syscall_event) <= SN_RESERVE_MAX, "syscall_event is built in place (reserve() in common.bpf.h)");

/* Count mode: aggregated in the kernel, read by user space from the `counts` map. */
struct syscall_count_key {
	__u32 nr;
	__u32 pid;   /* 0 unless counting per process (-P) */
};

/* Per CPU: user space sums count, errors and total_ns, and takes the largest max_ns. */
struct syscall_count {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
	char comm[SYSNOOP_COMM_LEN]; /* per process: the command that made the calls */
};

#endif /* SYSNOOP_SYSCALL_H */
