/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the privilege tracer: bpf/privilege.bpf.c writes these records, src/kinds/privilege.rs reads them. */
#ifndef SYSNOOP_PRIV_H
#define SYSNOOP_PRIV_H

#include "sysnoop.h"

enum priv_abi {
	/* The supplementary groups a cred record carries of each list (setgroups). */
	PRIV_GROUPS_MAX = 32,
	/* A cred record without its groups (every call but setgroups), */
	CRED_EVENT_BASE_SIZE = 240,
	/* and with them. */
	CRED_EVENT_SIZE = CRED_EVENT_BASE_SIZE + 3 * PRIV_GROUPS_MAX * 4,
	PTRACE_EVENT_SIZE = 128,
	BPF_PROG_EVENT_SIZE = 184,
	MOUNT_EVENT_HEADER_SIZE = 112,
	/* mount's filesystem type and its options (data), as passed: at most these bytes each, NUL included. */
	MOUNT_FS_TYPE_MAX = 64,
	MOUNT_OPTIONS_MAX = 256,
	/* Room for a record's strings at offsets the verifier can bound (each starts below 16384). */
	MOUNT_DATA_SIZE = 16384 + 4096,
	/* The bytes of a program's attach function name (a tracing or lsm program's hook) a record carries. */
	BPF_PROG_ATTACH_FUNC_MAX = 64,
	MODULE_EVENT_HEADER_SIZE = 176,
	/* A module's name (the kernel's MODULE_NAME_LEN is 56 on 64-bit), NUL included. */
	MODULE_NAME_MAX = 64,
	/* A module's parameters as passed (init_module's and finit_module's uargs): at most these bytes, NUL included. */
	MODULE_PARAMS_MAX = 256,
	/* Room for the parameters and then the file's name at offsets the verifier can bound. */
	MODULE_DATA_SIZE = 512 + 4096,
	/* Loads named (module_load) whose call's exit has not come yet. */
	MODULE_LOADING_MAX = 1024,
	/* Tracees a ptrace call's caller is searched among for its target (current->ptraced). */
	PRIV_PTRACED_MAX = 16,
	/*
	 * Calls in flight at once (the pairing layer's map, common.bpf.h): fewer than other
	 * kinds, as each entry holds a task's credentials (about 300 bytes), and none of
	 * these calls waits long.
	 */
	PRIV_INFLIGHT_MAX = 4096,
};

/*
 * The calls that change a task's credentials (cred_event.syscall). Their programs'
 * slots in self_seen: the enter's is this number, the exit's this number +
 * PRIV_SLOT_CRED_EXIT.
 */
enum priv_cred_syscall {
	CRED_SETUID = 0,
	CRED_SETGID = 1,
	CRED_SETREUID = 2,
	CRED_SETREGID = 3,
	CRED_SETRESUID = 4,
	CRED_SETRESGID = 5,
	CRED_SETFSUID = 6,
	CRED_SETFSGID = 7,
	CRED_SETGROUPS = 8,
	CRED_CAPSET = 9,
	CRED_SYSCALL_NR = 10,
};

enum priv_slot {
	PRIV_SLOT_CRED_EXIT = CRED_SYSCALL_NR,
	PRIV_SLOT_PTRACE_ENTER = 2 * CRED_SYSCALL_NR,
	PRIV_SLOT_PTRACE_EXIT = 2 * CRED_SYSCALL_NR + 1,
	PRIV_SLOT_BPF_EXIT = 2 * CRED_SYSCALL_NR + 2,
	/* Each mount call's exit: this + its enum priv_mount_syscall number. */
	PRIV_SLOT_MOUNT_EXIT = 2 * CRED_SYSCALL_NR + 3,
	/* Each module call's exit: this + its enum priv_module_syscall number. */
	PRIV_SLOT_MODULE_EXIT = 2 * CRED_SYSCALL_NR + 3 + 5, /* after the mount calls' (asserted below) */
};

/* The calls that change mounts (mount_event.syscall). */
enum priv_mount_syscall {
	MOUNT_MOUNT = 0,
	MOUNT_UMOUNT2 = 1, /* its tracepoint is sys_exit_umount */
	MOUNT_MOVE_MOUNT = 2,
	MOUNT_FSMOUNT = 3,
	MOUNT_PIVOT_ROOT = 4,
	MOUNT_SYSCALL_NR = 5,
};

/* The calls that load and unload kernel modules (module_event.syscall). */
enum priv_module_syscall {
	MODULE_INIT = 0,   /* init_module: an image in the caller's memory */
	MODULE_FINIT = 1,  /* finit_module: a file */
	MODULE_DELETE = 2, /* delete_module */
	MODULE_SYSCALL_NR = 3,
};

_Static_assert(PRIV_SLOT_MODULE_EXIT == PRIV_SLOT_MOUNT_EXIT + MOUNT_SYSCALL_NR, "the module calls' slots follow the mount calls'");
_Static_assert(PRIV_SLOT_MODULE_EXIT + MODULE_SYSCALL_NR <= SYSNOOP_SELF_SLOTS, "every privilege program has a self_seen slot");

/* Where a module record's name comes from (module_event.name_source). */
enum priv_module_name {
	MODULE_NAME_NONE = 0,   /* a load refused before the kernel named the module */
	MODULE_NAME_KERNEL = 1, /* a load: the name the kernel gave the module (tracepoint module_load) */
	MODULE_NAME_PASSED = 2, /* delete_module: the name as passed */
};

/* A task's credentials, as struct cred has them (the ids' kuid/kgid values). */
struct priv_ids {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
};

/* Capability sets (kernel_cap_t: a u64 since 6.3, two u32s before: the same bytes). */
struct priv_caps {
	__u64 effective, permitted, inheritable;
};

/*
 * One call that sets credentials: the ids, capabilities and (setgroups) groups before
 * it (read at its enter) and after it (at its exit). setgroups records end with three
 * lists of PRIV_GROUPS_MAX gids: as passed, before, after; the others stop before them.
 */
struct cred_event {
	struct task_header task;
	__u64 start_ns;            /* the process's start (its exec_id) */
	__s64 args[3];             /* as passed: set*id's ids; setgroups' size; capset's version and pid */
	struct priv_ids before;
	struct priv_ids after;
	struct priv_caps caps_before;
	struct priv_caps caps_after;
	struct priv_caps caps_passed; /* capset: the sets passed (when they could be read) */
	__s32 ret;
	__u16 syscall;             /* enum priv_cred_syscall */
	__u8 caps_passed_read;     /* capset: caps_passed holds the sets passed */
	__u8 __pad;
	__u32 ngroups_before;      /* setgroups: how many groups each list has (the lists hold at most PRIV_GROUPS_MAX) */
	__u32 ngroups_after;
	__u32 groups_passed[PRIV_GROUPS_MAX];
	__u32 groups_before[PRIV_GROUPS_MAX];
	__u32 groups_after[PRIV_GROUPS_MAX];
};

_Static_assert(__builtin_offsetof(struct cred_event, groups_passed) == CRED_EVENT_BASE_SIZE, "cred_event layout is ABI");
_Static_assert(sizeof(struct cred_event) == CRED_EVENT_SIZE, "cred_event layout is ABI");

/*
 * One ptrace(2) call. Its target is looked up among the caller's tracees at the enter
 * (and, for an attach, again at the exit); TRACEME's is the caller's parent.
 */
struct ptrace_event {
	struct task_header task;
	__u64 start_ns;            /* the caller's process's start (its exec_id) */
	__s64 request;
	__u64 addr;
	__u64 data;
	__u64 target_start_ns;     /* the target's process's start, when target_tid is known */
	__s32 ret;                 /* 0 (a raw PEEK* call stores the word at data), or -errno */
	__s32 pid;                 /* as passed, in the caller's pid namespace */
	__u32 target_tid;          /* the target thread's global id; 0 when not found */
	__u32 target_tgid;
	char target_comm[SYSNOOP_COMM_LEN];
};

_Static_assert(sizeof(struct ptrace_event) == PTRACE_EVENT_SIZE, "ptrace_event layout is ABI");

/*
 * One BPF program load (bpf(BPF_PROG_LOAD, ...)), failed ones included. A loaded one is
 * described as the kernel holds it (from its fd: what the caller cannot change after);
 * a refused one as passed.
 */
struct bpf_prog_event {
	struct task_header task;
	__u64 start_ns;            /* the loader's process's start (its exec_id) */
	__s32 ret;                 /* the new program's fd, or -errno */
	__u32 prog_type;           /* enum bpf_prog_type */
	__u32 expected_attach_type;
	__u32 insn_cnt;            /* instructions passed */
	__u32 prog_flags;          /* as passed */
	__u32 id;                  /* the kernel's id of the program (bpftool's), 0 when refused */
	__u32 len;                 /* instructions the kernel holds, 0 when refused */
	__u8 tag[8];               /* the kernel's tag of the program, zeros when refused */
	char name[16];             /* the program's name (the kernel's copy, or as passed) */
	char attach_func[BPF_PROG_ATTACH_FUNC_MAX]; /* a tracing or lsm program's hook, else empty */
	__u8 loaded;               /* described from the loaded program */
	__u8 attr_read;            /* the attributes passed could be read */
	__u8 __pad[2];
};

_Static_assert(sizeof(struct bpf_prog_event) == BPF_PROG_EVENT_SIZE, "bpf_prog_event layout is ABI");

/*
 * One call that changes the mount tree, failed ones included. Variable-length: the
 * header, then source_len bytes of the source as passed (with its NUL: mount's device
 * or path, move_mount's from path, pivot_root's put_old), target_len bytes of the target
 * as passed (mount's, umount2's, move_mount's to path, pivot_root's new root),
 * full_len bytes of the target's walked base (no NUL; see enum sysnoop_path_source),
 * fs_type_len bytes of mount's filesystem type and options_len bytes of its options.
 */
struct mount_event {
	struct task_header task;
	__u64 start_ns;            /* the caller's process's start (its exec_id) */
	__u64 flags;               /* mount's MS_*, umount2's MNT_*, move_mount's and fsmount's flags */
	__u32 mnt_ns;              /* the caller's mount namespace (its inode number) */
	__s32 ret;
	__s32 dirfd;               /* move_mount's to_dfd; fsmount's fs_fd */
	__s32 from_dirfd;          /* move_mount's from_dfd */
	__u32 attr_flags;          /* fsmount's MOUNT_ATTR_* */
	__u16 syscall;             /* enum priv_mount_syscall */
	__u16 source_len;
	__u16 target_len;
	__u16 full_len;
	__u16 fs_type_len;
	__u16 options_len;
	__u8 full_source;          /* enum sysnoop_path_source */
	__u8 full_flags;           /* enum sysnoop_path_flags */
	__u8 __pad[6];
	char data[MOUNT_DATA_SIZE];
};

_Static_assert(__builtin_offsetof(struct mount_event, data) == MOUNT_EVENT_HEADER_SIZE, "mount_event header layout is ABI");

/*
 * One call that loads or unloads a kernel module, failed ones included. Variable-length:
 * the header, then params_len bytes of the parameters as passed (with their NUL) and
 * path_len bytes of finit_module's file's walked name (no NUL; enum sysnoop_path_source).
 */
struct module_event {
	struct task_header task;
	__u64 start_ns;            /* the caller's process's start (its exec_id) */
	__u64 len;                 /* init_module: the image's length as passed */
	__u64 flags;               /* finit_module's MODULE_INIT_*, delete_module's O_NONBLOCK and O_TRUNC */
	__u64 ino;                 /* finit_module: the file's inode (names a pipe or other pseudo file) */
	__s32 ret;
	__s32 fd;                  /* finit_module's */
	__u16 syscall;             /* enum priv_module_syscall */
	__u16 params_len;
	__u16 path_len;
	__u8 name_source;          /* enum priv_module_name */
	__u8 path_source;          /* enum sysnoop_path_source */
	__u8 path_flags;           /* enum sysnoop_path_flags */
	__u8 __pad[7];
	char name[MODULE_NAME_MAX];
	char data[MODULE_DATA_SIZE];
};

_Static_assert(__builtin_offsetof(struct module_event, data) == MODULE_EVENT_HEADER_SIZE, "module_event header layout is ABI");

#endif /* SYSNOOP_PRIV_H */
