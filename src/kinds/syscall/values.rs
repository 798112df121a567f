//! How a syscall's arguments print, as strace prints them: each argument of the
//! generated prototypes (src/syscall_args.rs) gets a `Value` from its raw register.
//! Strings read from user memory are not here (src/kinds/syscall.rs reads them from
//! the record); everything else is.
//!
//! The text is strace 6.1's with `-xx` (checked against it on x86_64): named flags in
//! its order, bits without a name after them as hex, a value with no name at all as
//! `0x.. /* PREFIX_??? */`, modes in octal, signals by name. The constants are the
//! kernel's uapi values (include/uapi/...), x86_64 unless marked otherwise.

// The open(2) flags whose bits differ by architecture: src/flags.rs's.
use crate::flags::arch as o_arch;

/// One argument, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A signed integer (an fd, a pid, an int): a JSON number.
    Int(i64),
    /// An unsigned integer (a count, a size, a uid): a JSON number.
    Uint(u64),
    /// As strace prints it: named flags (`O_RDONLY|O_CLOEXEC`, unknown bits as `0x..`
    /// after them), a mode (`0644`), a pointer (`0x7ffd5e2a1b40`, or `NULL`), a signal
    /// (`SIGTERM`), an enum (`F_GETFD`), a dirfd's `AT_FDCWD`.
    Text(String),
}

/// How one argument of one syscall is decoded, worked out once from its syscall's name,
/// its own and its C type (a record's arguments are then decoded without looking
/// anything up by name).
#[derive(Clone, Copy)]
pub(crate) struct Plan {
    ty: CType,
    /// A syscall whose arguments strace leaves raw: hex.
    undecoded: bool,
    /// By meaning, first.
    named: Option<Named>,
    /// Else (or when the meaning's guard did not hold), by what the argument is.
    by: By,
}

#[derive(Clone, Copy)]
enum By {
    Pointer,
    Dirfd,
    Fd,
    /// A user or group id: (uid_t)-1 prints as -1.
    Id,
    Type,
}

impl Plan {
    /// Argument `name` (of C type `ctype`) of syscall `syscall`. Not for string arguments.
    pub(crate) fn of(syscall: &str, name: &str, ctype: &str) -> Plan {
        let ty = CType::of(ctype);
        let by = if ty == CType::Pointer {
            By::Pointer
        } else if is_dirfd(syscall, name) {
            By::Dirfd
        } else if is_fd(name) {
            By::Fd
        } else if ADDRESSES.contains(&(syscall, name)) {
            By::Pointer
        } else if matches!(ctype, "uid_t" | "gid_t") {
            By::Id
        } else {
            By::Type
        };
        Plan { ty, undecoded: UNDECODED.contains(&syscall), named: named(syscall, name), by }
    }

    /// The argument whose raw register is `raw` (all six registers in `all`).
    pub(crate) fn decode(&self, raw: u64, all: &[u64; 6]) -> Value {
        if self.undecoded {
            return Value::Text(hex(raw));
        }
        if let Some(value) = self.named.and_then(|named| named(self.ty.bits(raw), raw, all)) {
            return value;
        }
        match self.by {
            By::Pointer => pointer(raw),
            By::Dirfd => dirfd(raw),
            By::Fd => Value::Int(raw as i32 as i64),
            By::Id if raw as u32 == u32::MAX => Value::Int(-1), // strace prints (uid_t)-1 as -1
            By::Id | By::Type => self.ty.default(raw),
        }
    }
}

/// Argument `name` (of C type `ctype`) of syscall `syscall`, from its raw register
/// `raw` (all six registers in `all`, for arguments whose meaning depends on another).
/// Not called for string arguments.
#[cfg(test)]
pub(crate) fn decode(syscall: &str, name: &str, ctype: &str, raw: u64, all: &[u64; 6]) -> Value {
    Plan::of(syscall, name, ctype).decode(raw, all)
}

/// Whether argument `name` (of C type `ctype`) of `syscall` is a NUL-terminated
/// string the kernel reads from user memory, so the BPF side should read it: every
/// `const char *` but the data buffers, and the `char *` paths and names of the
/// syscalls whose prototypes drop the `const` (mount, umount2, utime, utimes).
/// Output buffers (getcwd's, readlink's) and length-counted names (sethostname's)
/// are not.
pub(crate) fn is_string(syscall: &str, name: &str, ctype: &str) -> bool {
    match ctype {
        "const char *" => !matches!((syscall, name), ("write" | "pwrite64", "buf") | ("mq_timedsend", "u_msg_ptr")),
        "char *" => matches!((syscall, name), ("mount", "dev_name" | "dir_name" | "type") | ("umount2", "name") | ("utime" | "utimes", "filename")),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------
// C types and the defaults by type

/// What an argument's C type says about its register (LP64: x86_64, aarch64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CType {
    /// A pointer: `0x..` or `NULL`.
    Pointer,
    /// `int`, `pid_t`, `clockid_t`...: the low 32 bits, sign-extended.
    I32,
    /// `long`, `loff_t`, `off_t`.
    I64,
    /// `umode_t` (an unsigned short in the kernel).
    U16,
    /// `unsigned int`, `u32`, `uid_t`...: the low 32 bits.
    U32,
    /// `unsigned long`, `size_t`, `u64`...
    U64,
}

impl CType {
    /// The kind of C type `ctype`, as the prototypes spell it (`const` ignored).
    fn of(ctype: &str) -> CType {
        if ctype.contains('*') || ctype.contains("cap_user_") {
            return CType::Pointer; // cap_user_header_t and cap_user_data_t are pointer typedefs
        }
        let base = ctype.strip_prefix("const ").unwrap_or(ctype);
        match base {
            "long" | "loff_t" | "off_t" => CType::I64,
            "umode_t" => CType::U16,
            "unsigned int" | "unsigned" | "u32" | "__u32" | "uid_t" | "gid_t" | "qid_t" => CType::U32,
            "unsigned long" | "size_t" | "u64" | "__u64" | "aio_context_t" => CType::U64,
            _ if base.starts_with("enum ") => CType::I32,
            "int" | "pid_t" | "key_t" | "mqd_t" | "timer_t" | "clockid_t" | "key_serial_t" | "rwf_t" | "__s32" => CType::I32,
            _ => CType::U64,
        }
    }

    /// The bits of `raw` the type keeps (the low 32 for a 32-bit type), unsigned.
    fn bits(self, raw: u64) -> u64 {
        match self {
            CType::I32 | CType::U32 => raw & 0xffff_ffff,
            CType::U16 => raw & 0xffff,
            CType::Pointer | CType::I64 | CType::U64 => raw,
        }
    }

    /// The value by type alone: a number, or a pointer.
    fn default(self, raw: u64) -> Value {
        match self {
            CType::Pointer => pointer(raw),
            CType::I32 => Value::Int(raw as i32 as i64),
            CType::I64 => Value::Int(raw as i64),
            CType::U16 | CType::U32 | CType::U64 => Value::Uint(self.bits(raw)),
        }
    }
}

/// Syscalls strace 6.1 prints undecoded (every argument `%#lx`): rseq, and those newer
/// than it, which it prints as `syscall_0x..(...)`.
const UNDECODED: &[&str] = &[
    "rseq",
    "cachestat",
    "fchmodat2",
    "map_shadow_stack",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "statmount",
    "listmount",
    "lsm_get_self_attr",
    "lsm_set_self_attr",
    "lsm_list_modules",
    "mseal",
    "uretprobe",
];

/// `unsigned long` arguments strace prints as addresses (`0x..`, `NULL`).
const ADDRESSES: &[(&str, &str)] = &[
    ("mmap", "addr"),
    ("munmap", "addr"),
    ("mremap", "addr"),
    ("mremap", "new_addr"),
    ("mprotect", "start"),
    ("pkey_mprotect", "start"),
    ("madvise", "start"),
    ("mlock", "start"),
    ("mlock2", "start"),
    ("munlock", "start"),
    ("msync", "start"),
    ("mincore", "start"),
    ("mbind", "start"),
    ("remap_file_pages", "start"),
    ("brk", "brk"),
    ("get_mempolicy", "addr"),
    ("clone", "newsp"),
    ("clone", "tls"),
    ("ptrace", "addr"),
    ("ptrace", "data"),
];

/// Argument names that are fds: printed as a signed int whatever their C type (strace
/// prints `read(-1, ...)` though read's fd is an `unsigned int`).
fn is_fd(name: &str) -> bool {
    matches!(
        name,
        "fd" | "fildes"
            | "oldfd"
            | "newfd"
            | "ufd"
            | "epfd"
            | "fd_in"
            | "fd_out"
            | "out_fd"
            | "in_fd"
            | "fdin"
            | "fdout"
            | "pidfd"
            | "ruleset_fd"
            | "fanotify_fd"
            | "kernel_fd"
            | "initrd_fd"
            | "group_fd"
            | "fs_fd"
    )
}

/// Whether the argument is a directory fd (`AT_FDCWD` by name).
fn is_dirfd(syscall: &str, name: &str) -> bool {
    matches!(name, "dfd" | "olddfd" | "newdfd" | "from_dfd" | "to_dfd" | "mountdirfd") || (syscall == "execveat" && name == "fd")
}

/// A dirfd: `AT_FDCWD`, or the fd.
fn dirfd(raw: u64) -> Value {
    match raw as i32 {
        AT_FDCWD => text("AT_FDCWD"),
        fd => Value::Int(fd as i64),
    }
}

const AT_FDCWD: i32 = -100;

// ---------------------------------------------------------------------------------
// Formatting

/// A (value, name) table. Flags print in table order; an entry of several bits prints
/// when all of them are set (so a combination listed first wins over its parts).
type Table = &'static [(u64, &'static str)];

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// strace's `%#x`: `0` for zero, else `0x` and lower-case hex.
fn hex(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// A pointer: `NULL` or `0x..`.
fn pointer(raw: u64) -> Value {
    if raw == 0 {
        text("NULL")
    } else {
        text(format!("{raw:#x}"))
    }
}

/// An octal mode as strace prints it (`%#03o`): `0644`, `000`, `04755`.
fn octal(v: u64) -> String {
    format!("{:0>3}", format!("0{v:o}"))
}

/// The names in `table` set in `v`, with the bits left over.
fn set_names(v: u64, table: Table) -> (Vec<&'static str>, u64) {
    let mut rest = v;
    let mut names = Vec::new();
    for &(bits, name) in table {
        if bits != 0 && rest & bits == bits {
            names.push(name);
            rest &= !bits;
        }
    }
    (names, rest)
}

/// A flags word: its names joined by `|`, unknown bits after them as hex; `0` when
/// nothing is set; `0x.. /* unknown */` when no bit has a name.
fn flags(v: u64, table: Table, unknown: &str) -> String {
    if v == 0 {
        return "0".into();
    }
    let (mut names, rest) = set_names(v, table);
    if names.is_empty() {
        return format!("{} /* {unknown} */", hex(v));
    }
    let hex_rest;
    if rest != 0 {
        hex_rest = hex(rest);
        names.push(&hex_rest);
    }
    names.join("|")
}

/// An enum: its name, or `0x.. /* unknown */`.
fn choice(v: u64, table: Table, unknown: &str) -> String {
    match table.iter().find(|&&(value, _)| value == v) {
        Some(&(_, name)) => name.into(),
        None => format!("{} /* {unknown} */", hex(v)),
    }
}

/// The name of an exact value in `table`, if it has one.
fn lookup(v: u64, table: Table) -> Option<&'static str> {
    table.iter().find(|&&(value, _)| value == v).map(|&(_, name)| name)
}

// ---------------------------------------------------------------------------------
// By syscall and argument

/// An argument decoded by meaning, from `v` (its register cut to the C type's width),
/// the raw register, and all six (for a meaning another argument decides); None: by its
/// type after all.
type Named = fn(u64, u64, &[u64; 6]) -> Option<Value>;

fn t(s: String) -> Option<Value> {
    Some(Value::Text(s))
}

/// How argument `name` of `syscall` is decoded by meaning, if it is.
fn named(syscall: &str, name: &str) -> Option<Named> {
    let named: Named = match (syscall, name) {
        ("open" | "openat" | "mq_open", "flags" | "oflag") => |v, _, _| t(open_flags(v, true)),
        ("open" | "openat" | "creat" | "mq_open" | "mkdir" | "mkdirat" | "chmod" | "fchmod" | "fchmodat", "mode") => |v, _, _| t(octal(v & 0xffff)),
        ("umask", "mask") => |v, _, _| t(octal(v & 0xffff)),
        ("mknod" | "mknodat", "mode") => |v, _, _| t(file_mode(v & 0xffff)),
        ("mknod" | "mknodat", "dev") => |v, _, _| t(makedev(v)),
        ("access" | "faccessat" | "faccessat2", "mode") => |v, _, _| t(access_mode(v)),
        ("faccessat2", "flags") => |v, _, _| t(flags(v, AT_ACCESS, "AT_???")),
        ("newfstatat" | "unlinkat" | "fchownat" | "linkat" | "utimensat" | "execveat" | "name_to_handle_at", "flag" | "flags") => |v, _, _| t(flags(v, AT, "AT_???")),
        ("statx", "flags") => |v, _, _| t(statx_flags(v)),
        ("statx", "mask") => |v, _, _| t(flags(v, STATX, "STATX_???")),
        ("renameat2", "flags") => |v, _, _| t(flags(v, RENAME, "RENAME_??")),
        ("mmap" | "mprotect" | "pkey_mprotect", "prot") => |v, _, _| t(prot(v)),
        ("mmap", "flags") => |v, _, _| t(map_flags(v)),
        ("mmap", "off") => |_, raw, _| t(hex(raw)),
        ("madvise" | "process_madvise", "behavior") => |v, _, _| t(choice(v, MADV, "MADV_???")),
        ("clone", "clone_flags") => |v, _, _| t(clone_flags(v)),
        ("unshare", "unshare_flags") => |v, _, _| t(flags(v, UNSHARE, "CLONE_???")),
        ("setns", "flags") => |v, _, _| t(flags(v, SETNS, "CLONE_???")),
        ("kill" | "tkill" | "tgkill" | "rt_sigaction" | "rt_sigqueueinfo" | "rt_tgsigqueueinfo" | "pidfd_send_signal", "sig") => |v, _, _| t(signal(v)),
        ("rt_sigprocmask", "how") => |v, _, _| t(choice(v, SIG_HOW, "SIG_???")),
        ("wait4" | "waitid", "options") => |v, _, _| t(flags(v, WAIT, "W???")),
        ("waitid", "which") => |v, _, _| t(choice(v, IDTYPE, "P_???")),
        ("socket" | "socketpair", "family") => |v, _, _| t(choice(v, AF, "AF_???")),
        ("socket" | "socketpair", "type") => |v, _, _| t(socket_type(v)),
        ("socket" | "socketpair", "protocol") => |v, _, all| socket_protocol(all[0] & 0xffff_ffff, v),
        ("accept4", "flags") => |v, _, _| t(flags(v, SOCK_FLAGS, "SOCK_???")),
        ("shutdown", "how") => |v, _, _| t(choice(v, SHUT, "SHUT_???")),
        ("sendto" | "recvfrom" | "sendmsg" | "recvmsg" | "sendmmsg" | "recvmmsg", "flags") => |v, _, _| t(flags(v, MSG, "MSG_???")),
        ("epoll_ctl", "op") => |v, _, _| t(choice(v, EPOLL_CTL, "EPOLL_CTL_???")),
        ("setsockopt" | "getsockopt", "level") => |v, _, _| t(choice(v, SOL, "SOL_??")),
        ("setsockopt" | "getsockopt", "optname") => |v, _, all| if all[1] & 0xffff_ffff == SOL_SOCKET { t(choice(v, SO, "SO_???")) } else { None },
        ("fcntl", "cmd") => |v, _, _| t(choice(v, FCNTL, "F_???")),
        ("fcntl", "arg") => |_, raw, all| Some(fcntl_arg(all[1] & 0xffff_ffff, raw)),
        ("lseek", "whence") => |v, _, _| t(choice(v, SEEK, "SEEK_???")),
        ("flock", "cmd") => |v, _, _| t(flags(v, LOCK, "LOCK_???")),
        ("futex", "op") => |v, _, _| t(futex_op(v)),
        ("futex", "utime") => |_, raw, all| if futex_has_val2(all[1]) { Some(Value::Uint(raw & 0xffff_ffff)) } else { None },
        ("futex", "val3") => |v, _, all| Some(futex_val3(all[1], v)),
        ("pipe2" | "dup3", "flags") => |v, _, _| t(open_flags(v, false)),
        ("eventfd2", "flags") => |v, _, _| t(flags(v, EFD, "EFD_???")),
        ("inotify_init1", "flags") => |v, _, _| t(flags(v, IN_INIT, "IN_???")),
        ("inotify_add_watch", "mask") => |v, _, _| t(flags(v, IN_MASK, "IN_???")),
        ("epoll_create1", "flags") => |v, _, _| t(flags(v, EPOLL_CREATE, "EPOLL_???")),
        ("signalfd4", "flags") => |v, _, _| t(flags(v, SFD, "SFD_???")),
        ("timerfd_create", "flags") | ("timerfd_settime", "flags") => |v, _, _| t(flags(v, TFD, "TFD_???")),
        ("timerfd_create", "clockid") => |v, _, _| t(clock(v)),
        ("clock_gettime" | "clock_settime" | "clock_getres" | "clock_nanosleep" | "clock_adjtime" | "timer_create", "which_clock") => |v, _, _| t(clock(v)),
        ("clock_nanosleep" | "timer_settime", "flags") => |v, _, _| t(flags(v, TIMER, "TIMER_???")),
        ("ioctl", "cmd") => |v, _, _| t(hex(v)),
        ("prctl", "option") => |v, _, _| t(choice(v, PR, "PR_???")),
        ("prctl", "arg2") => |_, raw, all| if all[0] & 0xffff_ffff == PR_SET_PDEATHSIG { t(signal(raw & 0xffff_ffff)) } else { None },
        ("arch_prctl", "option") => |v, _, _| t(choice(v, ARCH, "ARCH_???")),
        // the ARCH_GET_* codes but ARCH_GET_CPUID take a pointer to write to
        ("arch_prctl", "arg2") => |_, raw, all| if matches!(all[0] & 0xffff_ffff, 0x1003 | 0x1004 | 0x1021 | 0x1022 | 0x1024) { Some(pointer(raw)) } else { t(hex(raw)) },
        ("fanotify_mark", "dfd") => |_, raw, _| if raw as i32 == -1 { t("FAN_NOFD".into()) } else { None },
        ("getrandom", "flags") => |v, _, _| t(flags(v, GRND, "GRND_???")),
        ("prlimit64" | "getrlimit" | "setrlimit", "resource") => |v, _, _| t(choice(v, RLIMIT, "RLIMIT_???")),
        ("mount", "flags") => |v, _, _| t(mount_flags(v)),
        ("umount2", "flags") => |v, _, _| t(flags(v, UMOUNT, "MNT_???")),
        ("memfd_create", "flags") => |v, _, _| t(memfd_flags(v)),
        ("personality", "personality") => |v, _, _| t(personality(v)),
        ("mlockall", "flags") => |v, _, _| t(flags(v, MCL, "MCL_???")),
        ("msync", "flags") => |v, _, _| t(flags(v, MS_SYNC, "MS_???")),
        ("mremap", "flags") => |v, _, _| t(flags(v, MREMAP, "MREMAP_???")),
        ("close_range", "flags") => |v, _, _| t(flags(v, CLOSE_RANGE, "CLOSE_RANGE_???")),
        ("pidfd_open", "flags") => |v, _, _| t(flags(v, PIDFD, "PIDFD_???")),
        ("fadvise64", "advice") => |v, _, _| t(choice(v, FADV, "POSIX_FADV_???")),
        ("fallocate", "mode") => |v, _, _| t(flags(v, FALLOC, "FALLOC_FL_???")),
        ("getitimer" | "setitimer", "which") => |v, _, _| t(choice(v, ITIMER, "ITIMER_???")),
        ("getrusage", "who") => |v, _, _| t(choice(v, RUSAGE, "RUSAGE_???")),
        ("getpriority" | "setpriority", "which") => |v, _, _| t(choice(v, PRIO, "PRIO_???")),
        ("sched_setscheduler" | "sched_get_priority_max" | "sched_get_priority_min", "policy") => |v, _, _| t(choice(v, SCHED, "SCHED_???")),
        ("seccomp", "op") => |v, _, _| t(choice(v, SECCOMP_OP, "SECCOMP_SET_MODE_???")),
        ("seccomp", "flags") => |v, _, all| if all[0] & 0xffff_ffff == SECCOMP_SET_MODE_FILTER { t(flags(v, SECCOMP_FILTER, "SECCOMP_FILTER_FLAG_???")) } else { t(hex(v)) },
        ("ptrace", "request") => |_, raw, _| t(choice(raw, PTRACE, "PTRACE_???")),
        // PTRACE_SETOPTIONS' and PTRACE_SEIZE's data are options; PTRACE_GET_SYSCALL_INFO's
        // addr is a size
        ("ptrace", "data") => |_, raw, all| if matches!(all[0], 0x4200 | 0x4206) { t(hex(raw)) } else { None },
        ("ptrace", "addr") => |_, raw, all| if all[0] == 0x420e { Some(Value::Uint(raw)) } else { None },
        ("bpf", "cmd") => |v, _, _| t(choice(v, BPF, "BPF_???")),
        _ => return None,
    };
    Some(named)
}

// ---------------------------------------------------------------------------------
// Files

/// The access modes (`flags & O_ACCMODE`).
const O_ACCMODE: &[&str] = &["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"];

/// `O_SYNC` is `__O_SYNC | O_DSYNC`, `O_TMPFILE` is `__O_TMPFILE | O_DIRECTORY`:
/// listed before their parts.
const O_SYNC: u64 = 0o4010000;
const O_TMPFILE: u64 = 0o20000000 | o_arch::O_DIRECTORY;

/// open(2) flags in strace's order (`FASYNC` is its name for O_ASYNC, printed last).
const O_FLAGS: Table = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (O_SYNC, "O_SYNC"),
    (0o10000, "O_DSYNC"),
    (o_arch::O_DIRECT, "O_DIRECT"),
    (o_arch::O_LARGEFILE, "O_LARGEFILE"),
    (o_arch::O_NOFOLLOW, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (O_TMPFILE, "O_TMPFILE"),
    (o_arch::O_DIRECTORY, "O_DIRECTORY"),
    (0o20000, "FASYNC"),
];

/// open(2)'s flags (and F_SETFL's): the access mode, then the flags. Without the
/// access mode (pipe2, dup3), its bits are unknown bits and 0 is `0`.
fn open_flags(v: u64, access_mode: bool) -> String {
    let (names, rest) = set_names(if access_mode { v & !3 } else { v }, O_FLAGS);
    let mut out: Vec<String> = Vec::with_capacity(names.len() + 2);
    if access_mode {
        out.push(O_ACCMODE[(v & 3) as usize].into());
    } else if v == 0 {
        return "0".into();
    } else if names.is_empty() {
        return format!("{} /* O_??? */", hex(v));
    }
    out.extend(names.into_iter().map(String::from));
    if rest != 0 {
        out.push(hex(rest));
    }
    out.join("|")
}

/// File types (`mode & S_IFMT`), as mknod's mode prints them.
const S_IFMT: Table = &[
    (0o140000, "S_IFSOCK"),
    (0o120000, "S_IFLNK"),
    (0o100000, "S_IFREG"),
    (0o060000, "S_IFBLK"),
    (0o040000, "S_IFDIR"),
    (0o020000, "S_IFCHR"),
    (0o010000, "S_IFIFO"),
];

const S_ISUID: Table = &[(0o4000, "S_ISUID"), (0o2000, "S_ISGID"), (0o1000, "S_ISVTX")];

/// mknod's mode: `S_IFCHR|S_ISUID|0755`; a mode of no known type in octal.
fn file_mode(v: u64) -> String {
    let kind = v & 0o170000;
    let mut parts: Vec<String> = Vec::new();
    let mut rest = v;
    if kind != 0 {
        match lookup(kind, S_IFMT) {
            Some(name) => {
                parts.push(name.into());
                rest &= !0o170000;
            }
            None => return octal(v),
        }
    }
    let (special, perm) = set_names(rest, S_ISUID);
    parts.extend(special.into_iter().map(String::from));
    parts.push(octal(perm));
    parts.join("|")
}

/// A device number (32-bit, the kernel's new encoding): `makedev(0x8, 0x11)`.
fn makedev(v: u64) -> String {
    let dev = v & 0xffff_ffff;
    let major = (dev >> 8) & 0xfff;
    let minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    format!("makedev({}, {})", hex(major), hex(minor))
}

const ACCESS: Table = &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")];

/// access(2)'s mode: `F_OK`, `R_OK|X_OK`.
fn access_mode(v: u64) -> String {
    if v == 0 {
        "F_OK".into()
    } else {
        flags(v, ACCESS, "?_OK")
    }
}

/// The AT_* flags of the *at syscalls (strace prints them all for each).
const AT: Table = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
    (0x8000, "AT_RECURSIVE"),
];

/// faccessat2's flags (0x200 is AT_EACCESS there).
const AT_ACCESS: Table = &[(0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_EACCESS"), (0x1000, "AT_EMPTY_PATH")];

const AT_STATX_SYNC_TYPE: u64 = 0x6000;
const AT_STATX: Table = &[(0x2000, "AT_STATX_FORCE_SYNC"), (0x4000, "AT_STATX_DONT_SYNC")];

/// statx's flags: the sync type first (`AT_STATX_SYNC_AS_STAT` when 0), then AT_*.
fn statx_flags(v: u64) -> String {
    let mut parts: Vec<String> = Vec::new();
    if v & AT_STATX_SYNC_TYPE == 0 {
        parts.push("AT_STATX_SYNC_AS_STAT".into());
    } else {
        parts.extend(set_names(v & AT_STATX_SYNC_TYPE, AT_STATX).0.into_iter().map(String::from));
    }
    let rest = v & !AT_STATX_SYNC_TYPE;
    if rest != 0 {
        let (names, unknown) = set_names(rest, AT);
        parts.extend(names.into_iter().map(String::from));
        if unknown != 0 {
            parts.push(hex(unknown));
        }
    }
    parts.join("|")
}

/// statx's mask: the combinations first.
const STATX: Table = &[
    (0xfff, "STATX_ALL"),
    (0x7ff, "STATX_BASIC_STATS"),
    (0x1, "STATX_TYPE"),
    (0x2, "STATX_MODE"),
    (0x4, "STATX_NLINK"),
    (0x8, "STATX_UID"),
    (0x10, "STATX_GID"),
    (0x20, "STATX_ATIME"),
    (0x40, "STATX_MTIME"),
    (0x80, "STATX_CTIME"),
    (0x100, "STATX_INO"),
    (0x200, "STATX_SIZE"),
    (0x400, "STATX_BLOCKS"),
    (0x800, "STATX_BTIME"),
    (0x1000, "STATX_MNT_ID"),
    (0x2000, "STATX_DIOALIGN"),
];

const RENAME: Table = &[(1, "RENAME_NOREPLACE"), (2, "RENAME_EXCHANGE"), (4, "RENAME_WHITEOUT")];

const SEEK: Table = &[(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE")];

/// flock(2)'s operation (LOCK_RW before its parts).
const LOCK: Table =
    &[(1, "LOCK_SH"), (2, "LOCK_EX"), (4, "LOCK_NB"), (8, "LOCK_UN"), (32, "LOCK_MAND"), (192, "LOCK_RW"), (64, "LOCK_READ"), (128, "LOCK_WRITE")];

const FADV: Table = &[
    (0, "POSIX_FADV_NORMAL"),
    (1, "POSIX_FADV_RANDOM"),
    (2, "POSIX_FADV_SEQUENTIAL"),
    (3, "POSIX_FADV_WILLNEED"),
    (4, "POSIX_FADV_DONTNEED"),
    (5, "POSIX_FADV_NOREUSE"),
];

const FALLOC: Table = &[
    (0x01, "FALLOC_FL_KEEP_SIZE"),
    (0x02, "FALLOC_FL_PUNCH_HOLE"),
    (0x04, "FALLOC_FL_NO_HIDE_STALE"),
    (0x08, "FALLOC_FL_COLLAPSE_RANGE"),
    (0x10, "FALLOC_FL_ZERO_RANGE"),
    (0x20, "FALLOC_FL_INSERT_RANGE"),
    (0x40, "FALLOC_FL_UNSHARE_RANGE"),
];

const CLOSE_RANGE: Table = &[(2, "CLOSE_RANGE_UNSHARE"), (4, "CLOSE_RANGE_CLOEXEC")];

const IN_INIT: Table = &[(0o4000, "IN_NONBLOCK"), (0o2000000, "IN_CLOEXEC")];

const IN_MASK: Table = &[
    (0x1, "IN_ACCESS"),
    (0x2, "IN_MODIFY"),
    (0x4, "IN_ATTRIB"),
    (0x8, "IN_CLOSE_WRITE"),
    (0x10, "IN_CLOSE_NOWRITE"),
    (0x20, "IN_OPEN"),
    (0x40, "IN_MOVED_FROM"),
    (0x80, "IN_MOVED_TO"),
    (0x100, "IN_CREATE"),
    (0x200, "IN_DELETE"),
    (0x400, "IN_DELETE_SELF"),
    (0x800, "IN_MOVE_SELF"),
    (0x2000, "IN_UNMOUNT"),
    (0x4000, "IN_Q_OVERFLOW"),
    (0x8000, "IN_IGNORED"),
    (0x0100_0000, "IN_ONLYDIR"),
    (0x0200_0000, "IN_DONT_FOLLOW"),
    (0x0400_0000, "IN_EXCL_UNLINK"),
    (0x1000_0000, "IN_MASK_CREATE"),
    (0x2000_0000, "IN_MASK_ADD"),
    (0x4000_0000, "IN_ISDIR"),
    (0x8000_0000, "IN_ONESHOT"),
];

// ---------------------------------------------------------------------------------
// fcntl

const F_SETFD: u64 = 2;
const F_SETFL: u64 = 4;
const F_SETSIG: u64 = 10;
const F_SETLEASE: u64 = 1024;
const F_NOTIFY: u64 = 1026;
const F_ADD_SEALS: u64 = 1033;

const FCNTL: Table = &[
    (0, "F_DUPFD"),
    (1, "F_GETFD"),
    (F_SETFD, "F_SETFD"),
    (3, "F_GETFL"),
    (F_SETFL, "F_SETFL"),
    (5, "F_GETLK"),
    (6, "F_SETLK"),
    (7, "F_SETLKW"),
    (8, "F_SETOWN"),
    (9, "F_GETOWN"),
    (F_SETSIG, "F_SETSIG"),
    (11, "F_GETSIG"),
    (15, "F_SETOWN_EX"),
    (16, "F_GETOWN_EX"),
    (17, "F_GETOWNER_UIDS"),
    (36, "F_OFD_GETLK"),
    (37, "F_OFD_SETLK"),
    (38, "F_OFD_SETLKW"),
    (F_SETLEASE, "F_SETLEASE"),
    (1025, "F_GETLEASE"),
    (F_NOTIFY, "F_NOTIFY"),
    (1030, "F_DUPFD_CLOEXEC"),
    (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"),
    (F_ADD_SEALS, "F_ADD_SEALS"),
    (1034, "F_GET_SEALS"),
];

const FD_FLAGS: Table = &[(1, "FD_CLOEXEC")];
const LEASE: Table = &[(0, "F_RDLCK"), (1, "F_WRLCK"), (2, "F_UNLCK")];
const DN: Table =
    &[(0x1, "DN_ACCESS"), (0x2, "DN_MODIFY"), (0x4, "DN_CREATE"), (0x8, "DN_DELETE"), (0x10, "DN_RENAME"), (0x20, "DN_ATTRIB"), (0x8000_0000, "DN_MULTISHOT")];
const SEALS: Table = &[(0x1, "F_SEAL_SEAL"), (0x2, "F_SEAL_SHRINK"), (0x4, "F_SEAL_GROW"), (0x8, "F_SEAL_WRITE"), (0x10, "F_SEAL_FUTURE_WRITE")];

/// fcntl's third argument, by command `cmd`.
fn fcntl_arg(cmd: u64, raw: u64) -> Value {
    let v = raw & 0xffff_ffff;
    match cmd {
        F_SETFD => text(flags(v, FD_FLAGS, "FD_???")),
        F_SETFL => text(open_flags(v, true)),
        F_SETLEASE => text(choice(v, LEASE, "F_???")),
        F_NOTIFY => text(flags(v, DN, "DN_???")),
        F_ADD_SEALS => text(flags(v, SEALS, "F_SEAL_???")),
        F_SETSIG => text(signal(v)),
        // F_DUPFD, F_DUPFD_CLOEXEC, F_SETPIPE_SZ: a number
        0 | 1030 | 1031 => Value::Uint(raw),
        8 => Value::Int(raw as i32 as i64), // F_SETOWN: a pid, or -pgid
        5 | 6 | 7 | 15 | 16 | 17 | 36 | 37 | 38 => pointer(raw),
        _ => text(hex(raw)),
    }
}

// ---------------------------------------------------------------------------------
// Memory

const PROT: Table =
    &[(0x1, "PROT_READ"), (0x2, "PROT_WRITE"), (0x4, "PROT_EXEC"), (0x8, "PROT_SEM"), (0x0100_0000, "PROT_GROWSDOWN"), (0x0200_0000, "PROT_GROWSUP")];

/// A protection: `PROT_NONE` for 0.
fn prot(v: u64) -> String {
    if v == 0 {
        "PROT_NONE".into()
    } else {
        flags(v, PROT, "PROT_???")
    }
}

/// The mapping types (`flags & MAP_TYPE`).
const MAP_TYPE: Table = &[(0, "MAP_FILE"), (1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE")];

/// mmap's other flags in strace's order (x86_64 values; MAP_32BIT is x86 only).
const MAP: Table = &[
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    #[cfg(target_arch = "x86_64")]
    (0x40, "MAP_32BIT"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x1_0000, "MAP_NONBLOCK"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x2_0000, "MAP_STACK"),
    (0x4_0000, "MAP_HUGETLB"),
    (0x8_0000, "MAP_SYNC"),
    (0x10_0000, "MAP_FIXED_NOREPLACE"),
];

/// Bits 26..31 of mmap's and memfd_create's flags: log2 of the huge page size.
const HUGE_SHIFT: u32 = 26;
const HUGE_MASK: u64 = 0x3f;

/// mmap's flags: `MAP_PRIVATE|MAP_ANONYMOUS`, `MAP_HUGETLB|21<<MAP_HUGE_SHIFT`.
fn map_flags(v: u64) -> String {
    let mut parts: Vec<String> = vec![choice(v & 0xf, MAP_TYPE, "MAP_???")];
    let huge = (v >> HUGE_SHIFT) & HUGE_MASK;
    let (names, rest) = set_names(v & !0xf & !(HUGE_MASK << HUGE_SHIFT), MAP);
    parts.extend(names.into_iter().map(String::from));
    if rest != 0 {
        parts.push(hex(rest));
    }
    if huge != 0 {
        parts.push(format!("{huge}<<MAP_HUGE_SHIFT"));
    }
    parts.join("|")
}

const MADV: Table = &[
    (0, "MADV_NORMAL"),
    (1, "MADV_RANDOM"),
    (2, "MADV_SEQUENTIAL"),
    (3, "MADV_WILLNEED"),
    (4, "MADV_DONTNEED"),
    (8, "MADV_FREE"),
    (9, "MADV_REMOVE"),
    (10, "MADV_DONTFORK"),
    (11, "MADV_DOFORK"),
    (12, "MADV_MERGEABLE"),
    (13, "MADV_UNMERGEABLE"),
    (14, "MADV_HUGEPAGE"),
    (15, "MADV_NOHUGEPAGE"),
    (16, "MADV_DONTDUMP"),
    (17, "MADV_DODUMP"),
    (18, "MADV_WIPEONFORK"),
    (19, "MADV_KEEPONFORK"),
    (20, "MADV_COLD"),
    (21, "MADV_PAGEOUT"),
    (22, "MADV_POPULATE_READ"),
    (23, "MADV_POPULATE_WRITE"),
    (24, "MADV_DONTNEED_LOCKED"),
    (25, "MADV_COLLAPSE"),
    (100, "MADV_HWPOISON"),
    (101, "MADV_SOFT_OFFLINE"),
];

const MCL: Table = &[(1, "MCL_CURRENT"), (2, "MCL_FUTURE"), (4, "MCL_ONFAULT")];
const MS_SYNC: Table = &[(4, "MS_SYNC"), (1, "MS_ASYNC"), (2, "MS_INVALIDATE")];
const MREMAP: Table = &[(1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP")];

const MFD: Table = &[(1, "MFD_CLOEXEC"), (2, "MFD_ALLOW_SEALING"), (4, "MFD_HUGETLB")];

/// memfd_create's flags: `MFD_HUGETLB|21<<MFD_HUGE_SHIFT`.
fn memfd_flags(v: u64) -> String {
    let huge = (v >> HUGE_SHIFT) & HUGE_MASK;
    let low = v & !(HUGE_MASK << HUGE_SHIFT);
    let mut out = if low == 0 && huge != 0 { String::new() } else { flags(low, MFD, "MFD_???") };
    if huge != 0 {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(&format!("{huge}<<MFD_HUGE_SHIFT"));
    }
    out
}

// ---------------------------------------------------------------------------------
// Processes and signals

/// A signal number (32-bit): `SIGTERM`, `SIGRTMIN`, `SIGRT_3`; others in decimal.
fn signal(v: u64) -> String {
    let sig = v as u32 as i32;
    match sig {
        32 => "SIGRTMIN".into(),
        33..=64 => format!("SIGRT_{}", sig - 32),
        // 1..31 by name (as exit records name them), 0 and the rest in decimal
        _ => nix::sys::signal::Signal::try_from(sig).map_or_else(|_| sig.to_string(), |s| s.as_str().into()),
    }
}

const SIG_HOW: Table = &[(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")];

/// clone's flags in strace's order (CLONE_DETACHED has no name there; the low byte is
/// the exit signal, printed last).
const CLONE: Table = &[
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x1000, "CLONE_PIDFD"),
    (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"),
    (0x8000, "CLONE_PARENT"),
    (0x1_0000, "CLONE_THREAD"),
    (0x2_0000, "CLONE_NEWNS"),
    (0x4_0000, "CLONE_SYSVSEM"),
    (0x8_0000, "CLONE_SETTLS"),
    (0x10_0000, "CLONE_PARENT_SETTID"),
    (0x20_0000, "CLONE_CHILD_CLEARTID"),
    (0x80_0000, "CLONE_UNTRACED"),
    (0x100_0000, "CLONE_CHILD_SETTID"),
    (0x200_0000, "CLONE_NEWCGROUP"),
    (0x400_0000, "CLONE_NEWUTS"),
    (0x800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
    (0x8000_0000, "CLONE_IO"),
];

/// clone's flags: `CLONE_VM|...|SIGCHLD`.
fn clone_flags(v: u64) -> String {
    let signal_byte = v & 0xff;
    let (names, rest) = set_names(v & !0xff, CLONE);
    let mut parts: Vec<String> = names.into_iter().map(String::from).collect();
    if rest != 0 {
        parts.push(hex(rest));
    }
    if signal_byte != 0 {
        parts.push(signal(signal_byte));
    }
    if parts.is_empty() {
        return "0".into();
    }
    parts.join("|")
}

/// unshare's flags (CLONE_NEWTIME, 0x80, first).
const UNSHARE: Table = &[
    (0x80, "CLONE_NEWTIME"),
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x1_0000, "CLONE_THREAD"),
    (0x2_0000, "CLONE_NEWNS"),
    (0x4_0000, "CLONE_SYSVSEM"),
    (0x200_0000, "CLONE_NEWCGROUP"),
    (0x400_0000, "CLONE_NEWUTS"),
    (0x800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
];

/// setns's namespace types.
const SETNS: Table = &[
    (0x80, "CLONE_NEWTIME"),
    (0x2_0000, "CLONE_NEWNS"),
    (0x200_0000, "CLONE_NEWCGROUP"),
    (0x400_0000, "CLONE_NEWUTS"),
    (0x800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
];

/// wait4/waitid options in strace's order (WUNTRACED is WSTOPPED).
const WAIT: Table = &[
    (0x1, "WNOHANG"),
    (0x4, "WEXITED"),
    (0x2, "WSTOPPED"),
    (0x8, "WCONTINUED"),
    (0x100_0000, "WNOWAIT"),
    (0x8000_0000, "__WCLONE"),
    (0x4000_0000, "__WALL"),
    (0x2000_0000, "__WNOTHREAD"),
];

const IDTYPE: Table = &[(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")];

const PIDFD: Table = &[(0o4000, "PIDFD_NONBLOCK")];

const PRIO: Table = &[(0, "PRIO_PROCESS"), (1, "PRIO_PGRP"), (2, "PRIO_USER")];

/// getrusage's who (RUSAGE_CHILDREN is -1).
const RUSAGE: Table = &[(0, "RUSAGE_SELF"), (0xffff_ffff, "RUSAGE_CHILDREN"), (1, "RUSAGE_THREAD")];

const SCHED: Table = &[(0, "SCHED_OTHER"), (1, "SCHED_FIFO"), (2, "SCHED_RR"), (3, "SCHED_BATCH"), (4, "SCHED_ISO"), (5, "SCHED_IDLE"), (6, "SCHED_DEADLINE")];

const RLIMIT: Table = &[
    (0, "RLIMIT_CPU"),
    (1, "RLIMIT_FSIZE"),
    (2, "RLIMIT_DATA"),
    (3, "RLIMIT_STACK"),
    (4, "RLIMIT_CORE"),
    (5, "RLIMIT_RSS"),
    (6, "RLIMIT_NPROC"),
    (7, "RLIMIT_NOFILE"),
    (8, "RLIMIT_MEMLOCK"),
    (9, "RLIMIT_AS"),
    (10, "RLIMIT_LOCKS"),
    (11, "RLIMIT_SIGPENDING"),
    (12, "RLIMIT_MSGQUEUE"),
    (13, "RLIMIT_NICE"),
    (14, "RLIMIT_RTPRIO"),
    (15, "RLIMIT_RTTIME"),
];

/// Execution domains strace names (those whose value is only the low byte).
const PER: Table = &[(0x00, "PER_LINUX"), (0x06, "PER_BSD"), (0x08, "PER_LINUX32"), (0x0c, "PER_RISCOS"), (0x0f, "PER_OSF4"), (0x10, "PER_HPUX")];

const PER_FLAGS: Table = &[
    (0x002_0000, "UNAME26"),
    (0x004_0000, "ADDR_NO_RANDOMIZE"),
    (0x008_0000, "FDPIC_FUNCPTRS"),
    (0x010_0000, "MMAP_PAGE_ZERO"),
    (0x020_0000, "ADDR_COMPAT_LAYOUT"),
    (0x040_0000, "READ_IMPLIES_EXEC"),
    (0x080_0000, "ADDR_LIMIT_32BIT"),
    (0x100_0000, "SHORT_INODE"),
    (0x200_0000, "WHOLE_SECONDS"),
    (0x400_0000, "STICKY_TIMEOUTS"),
    (0x800_0000, "ADDR_LIMIT_3GB"),
];

/// personality's argument: `PER_LINUX|ADDR_NO_RANDOMIZE`; 0xffffffff (a query) in hex.
fn personality(v: u64) -> String {
    if v == 0xffff_ffff {
        return hex(v);
    }
    let mut parts = vec![choice(v & 0xff, PER, "PER_???")];
    let (names, rest) = set_names(v & !0xff, PER_FLAGS);
    parts.extend(names.into_iter().map(String::from));
    if rest != 0 {
        parts.push(hex(rest));
    }
    parts.join("|")
}

const PR_SET_PDEATHSIG: u64 = 1;

const PR: Table = &[
    (1, "PR_SET_PDEATHSIG"),
    (2, "PR_GET_PDEATHSIG"),
    (3, "PR_GET_DUMPABLE"),
    (4, "PR_SET_DUMPABLE"),
    (5, "PR_GET_UNALIGN"),
    (6, "PR_SET_UNALIGN"),
    (7, "PR_GET_KEEPCAPS"),
    (8, "PR_SET_KEEPCAPS"),
    (9, "PR_GET_FPEMU"),
    (10, "PR_SET_FPEMU"),
    (11, "PR_GET_FPEXC"),
    (12, "PR_SET_FPEXC"),
    (13, "PR_GET_TIMING"),
    (14, "PR_SET_TIMING"),
    (15, "PR_SET_NAME"),
    (16, "PR_GET_NAME"),
    (19, "PR_GET_ENDIAN"),
    (20, "PR_SET_ENDIAN"),
    (21, "PR_GET_SECCOMP"),
    (22, "PR_SET_SECCOMP"),
    (23, "PR_CAPBSET_READ"),
    (24, "PR_CAPBSET_DROP"),
    (25, "PR_GET_TSC"),
    (26, "PR_SET_TSC"),
    (27, "PR_GET_SECUREBITS"),
    (28, "PR_SET_SECUREBITS"),
    (29, "PR_SET_TIMERSLACK"),
    (30, "PR_GET_TIMERSLACK"),
    (31, "PR_TASK_PERF_EVENTS_DISABLE"),
    (32, "PR_TASK_PERF_EVENTS_ENABLE"),
    (33, "PR_MCE_KILL"),
    (34, "PR_MCE_KILL_GET"),
    (35, "PR_SET_MM"),
    (36, "PR_SET_CHILD_SUBREAPER"),
    (37, "PR_GET_CHILD_SUBREAPER"),
    (38, "PR_SET_NO_NEW_PRIVS"),
    (39, "PR_GET_NO_NEW_PRIVS"),
    (40, "PR_GET_TID_ADDRESS"),
    (41, "PR_SET_THP_DISABLE"),
    (42, "PR_GET_THP_DISABLE"),
    (43, "PR_MPX_ENABLE_MANAGEMENT"),
    (44, "PR_MPX_DISABLE_MANAGEMENT"),
    (45, "PR_SET_FP_MODE"),
    (46, "PR_GET_FP_MODE"),
    (47, "PR_CAP_AMBIENT"),
    (50, "PR_SVE_SET_VL"),
    (51, "PR_SVE_GET_VL"),
    (52, "PR_GET_SPECULATION_CTRL"),
    (53, "PR_SET_SPECULATION_CTRL"),
    (54, "PR_PAC_RESET_KEYS"),
    (55, "PR_SET_TAGGED_ADDR_CTRL"),
    (56, "PR_GET_TAGGED_ADDR_CTRL"),
    (57, "PR_SET_IO_FLUSHER"),
    (58, "PR_GET_IO_FLUSHER"),
    (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    (60, "PR_PAC_SET_ENABLED_KEYS"),
    (61, "PR_PAC_GET_ENABLED_KEYS"),
    (62, "PR_SCHED_CORE"),
    (63, "PR_SME_SET_VL"),
    (64, "PR_SME_GET_VL"),
    (0x5356_4d41, "PR_SET_VMA"),
    (0x5961_6d61, "PR_SET_PTRACER"),
];

/// arch_prctl's codes (x86 only; asm/prctl.h).
const ARCH: Table = &[
    (0x1001, "ARCH_SET_GS"),
    (0x1002, "ARCH_SET_FS"),
    (0x1003, "ARCH_GET_FS"),
    (0x1004, "ARCH_GET_GS"),
    (0x1011, "ARCH_GET_CPUID"),
    (0x1012, "ARCH_SET_CPUID"),
    (0x1021, "ARCH_GET_XCOMP_SUPP"),
    (0x1022, "ARCH_GET_XCOMP_PERM"),
    (0x1023, "ARCH_REQ_XCOMP_PERM"),
    (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
    (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"),
    (0x2001, "ARCH_MAP_VDSO_X32"),
    (0x2002, "ARCH_MAP_VDSO_32"),
    (0x2003, "ARCH_MAP_VDSO_64"),
];

const SECCOMP_SET_MODE_FILTER: u64 = 1;
const SECCOMP_OP: Table =
    &[(0, "SECCOMP_SET_MODE_STRICT"), (SECCOMP_SET_MODE_FILTER, "SECCOMP_SET_MODE_FILTER"), (2, "SECCOMP_GET_ACTION_AVAIL"), (3, "SECCOMP_GET_NOTIF_SIZES")];
const SECCOMP_FILTER: Table = &[
    (1, "SECCOMP_FILTER_FLAG_TSYNC"),
    (2, "SECCOMP_FILTER_FLAG_LOG"),
    (4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
    (8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"),
    (16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
    (32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
];

/// ptrace requests (the generic ones, and x86's).
const PTRACE: Table = &[
    (0, "PTRACE_TRACEME"),
    (1, "PTRACE_PEEKTEXT"),
    (2, "PTRACE_PEEKDATA"),
    (3, "PTRACE_PEEKUSER"),
    (4, "PTRACE_POKETEXT"),
    (5, "PTRACE_POKEDATA"),
    (6, "PTRACE_POKEUSER"),
    (7, "PTRACE_CONT"),
    (8, "PTRACE_KILL"),
    (9, "PTRACE_SINGLESTEP"),
    #[cfg(target_arch = "x86_64")]
    (12, "PTRACE_GETREGS"),
    #[cfg(target_arch = "x86_64")]
    (13, "PTRACE_SETREGS"),
    #[cfg(target_arch = "x86_64")]
    (14, "PTRACE_GETFPREGS"),
    #[cfg(target_arch = "x86_64")]
    (15, "PTRACE_SETFPREGS"),
    (16, "PTRACE_ATTACH"),
    (17, "PTRACE_DETACH"),
    (24, "PTRACE_SYSCALL"),
    #[cfg(target_arch = "x86_64")]
    (30, "PTRACE_ARCH_PRCTL"),
    #[cfg(target_arch = "x86_64")]
    (31, "PTRACE_SYSEMU"),
    #[cfg(target_arch = "x86_64")]
    (32, "PTRACE_SYSEMU_SINGLESTEP"),
    (0x4200, "PTRACE_SETOPTIONS"),
    (0x4201, "PTRACE_GETEVENTMSG"),
    (0x4202, "PTRACE_GETSIGINFO"),
    (0x4203, "PTRACE_SETSIGINFO"),
    (0x4204, "PTRACE_GETREGSET"),
    (0x4205, "PTRACE_SETREGSET"),
    (0x4206, "PTRACE_SEIZE"),
    (0x4207, "PTRACE_INTERRUPT"),
    (0x4208, "PTRACE_LISTEN"),
    (0x4209, "PTRACE_PEEKSIGINFO"),
    (0x420a, "PTRACE_GETSIGMASK"),
    (0x420b, "PTRACE_SETSIGMASK"),
    (0x420c, "PTRACE_SECCOMP_GET_FILTER"),
    (0x420d, "PTRACE_SECCOMP_GET_METADATA"),
    (0x420e, "PTRACE_GET_SYSCALL_INFO"),
    (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
];

/// bpf(2) commands (those strace 6.1 knows).
const BPF: Table = &[
    (0, "BPF_MAP_CREATE"),
    (1, "BPF_MAP_LOOKUP_ELEM"),
    (2, "BPF_MAP_UPDATE_ELEM"),
    (3, "BPF_MAP_DELETE_ELEM"),
    (4, "BPF_MAP_GET_NEXT_KEY"),
    (5, "BPF_PROG_LOAD"),
    (6, "BPF_OBJ_PIN"),
    (7, "BPF_OBJ_GET"),
    (8, "BPF_PROG_ATTACH"),
    (9, "BPF_PROG_DETACH"),
    (10, "BPF_PROG_TEST_RUN"),
    (11, "BPF_PROG_GET_NEXT_ID"),
    (12, "BPF_MAP_GET_NEXT_ID"),
    (13, "BPF_PROG_GET_FD_BY_ID"),
    (14, "BPF_MAP_GET_FD_BY_ID"),
    (15, "BPF_OBJ_GET_INFO_BY_FD"),
    (16, "BPF_PROG_QUERY"),
    (17, "BPF_RAW_TRACEPOINT_OPEN"),
    (18, "BPF_BTF_LOAD"),
    (19, "BPF_BTF_GET_FD_BY_ID"),
    (20, "BPF_TASK_FD_QUERY"),
    (21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"),
    (22, "BPF_MAP_FREEZE"),
    (23, "BPF_BTF_GET_NEXT_ID"),
    (24, "BPF_MAP_LOOKUP_BATCH"),
    (25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"),
    (26, "BPF_MAP_UPDATE_BATCH"),
    (27, "BPF_MAP_DELETE_BATCH"),
    (28, "BPF_LINK_CREATE"),
    (29, "BPF_LINK_UPDATE"),
    (30, "BPF_LINK_GET_FD_BY_ID"),
    (31, "BPF_LINK_GET_NEXT_ID"),
    (32, "BPF_ENABLE_STATS"),
    (33, "BPF_ITER_CREATE"),
    (34, "BPF_LINK_DETACH"),
    (35, "BPF_PROG_BIND_MAP"),
];

// ---------------------------------------------------------------------------------
// Time

const CLOCKS: Table = &[
    (0, "CLOCK_REALTIME"),
    (1, "CLOCK_MONOTONIC"),
    (2, "CLOCK_PROCESS_CPUTIME_ID"),
    (3, "CLOCK_THREAD_CPUTIME_ID"),
    (4, "CLOCK_MONOTONIC_RAW"),
    (5, "CLOCK_REALTIME_COARSE"),
    (6, "CLOCK_MONOTONIC_COARSE"),
    (7, "CLOCK_BOOTTIME"),
    (8, "CLOCK_REALTIME_ALARM"),
    (9, "CLOCK_BOOTTIME_ALARM"),
    (10, "CLOCK_SGI_CYCLE"),
    (11, "CLOCK_TAI"),
];

/// A clock id: `CLOCK_MONOTONIC`; CPU and fd clocks (negative) as `0x.. /* CLOCK_??? */`.
fn clock(v: u64) -> String {
    choice(v & 0xffff_ffff, CLOCKS, "CLOCK_???")
}

const TIMER: Table = &[(1, "TIMER_ABSTIME")];
const TFD: Table = &[(1, "TFD_TIMER_ABSTIME"), (2, "TFD_TIMER_CANCEL_ON_SET"), (0o2000000, "TFD_CLOEXEC"), (0o4000, "TFD_NONBLOCK")];
const ITIMER: Table = &[(0, "ITIMER_REAL"), (1, "ITIMER_VIRTUAL"), (2, "ITIMER_PROF")];

// ---------------------------------------------------------------------------------
// fds made by flags

const EFD: Table = &[(1, "EFD_SEMAPHORE"), (0o2000000, "EFD_CLOEXEC"), (0o4000, "EFD_NONBLOCK")];
const EPOLL_CREATE: Table = &[(0o2000000, "EPOLL_CLOEXEC")];
const EPOLL_CTL: Table = &[(1, "EPOLL_CTL_ADD"), (2, "EPOLL_CTL_DEL"), (3, "EPOLL_CTL_MOD")];
const SFD: Table = &[(0o2000000, "SFD_CLOEXEC"), (0o4000, "SFD_NONBLOCK")];
const GRND: Table = &[(1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE")];

// ---------------------------------------------------------------------------------
// Futexes

const FUTEX_PRIVATE: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;

const FUTEX_CMD: Table = &[
    (0, "FUTEX_WAIT"),
    (1, "FUTEX_WAKE"),
    (2, "FUTEX_FD"),
    (3, "FUTEX_REQUEUE"),
    (4, "FUTEX_CMP_REQUEUE"),
    (5, "FUTEX_WAKE_OP"),
    (6, "FUTEX_LOCK_PI"),
    (7, "FUTEX_UNLOCK_PI"),
    (8, "FUTEX_TRYLOCK_PI"),
    (9, "FUTEX_WAIT_BITSET"),
    (10, "FUTEX_WAKE_BITSET"),
    (11, "FUTEX_WAIT_REQUEUE_PI"),
    (12, "FUTEX_CMP_REQUEUE_PI"),
    (13, "FUTEX_LOCK_PI2"),
];

/// futex's op: `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`.
fn futex_op(v: u64) -> String {
    let cmd = v & !(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
    let Some(name) = lookup(cmd, FUTEX_CMD) else {
        return format!("{} /* FUTEX_??? */", hex(v));
    };
    let mut out = String::from(name);
    if v & FUTEX_PRIVATE != 0 {
        out.push_str("_PRIVATE");
    }
    if v & FUTEX_CLOCK_REALTIME != 0 {
        out.push_str("|FUTEX_CLOCK_REALTIME");
    }
    out
}

/// The futex ops whose fourth argument is a number (val2), not a timeout.
fn futex_has_val2(op: u64) -> bool {
    matches!(op & 0x7f, 3 | 4 | 5 | 12)
}

const FUTEX_OP_OP: Table = &[(0, "FUTEX_OP_SET"), (1, "FUTEX_OP_ADD"), (2, "FUTEX_OP_OR"), (3, "FUTEX_OP_ANDN"), (4, "FUTEX_OP_XOR")];
const FUTEX_OP_CMP: Table =
    &[(0, "FUTEX_OP_CMP_EQ"), (1, "FUTEX_OP_CMP_NE"), (2, "FUTEX_OP_CMP_LT"), (3, "FUTEX_OP_CMP_LE"), (4, "FUTEX_OP_CMP_GT"), (5, "FUTEX_OP_CMP_GE")];

/// futex's last argument: a bitset (`FUTEX_BITSET_MATCH_ANY`), FUTEX_WAKE_OP's
/// encoded operation, or a number.
fn futex_val3(op: u64, v: u64) -> Value {
    match op & 0x7f {
        9 | 10 => text(if v == 0xffff_ffff { "FUTEX_BITSET_MATCH_ANY".into() } else { hex(v) }),
        5 => {
            let mut out = String::new();
            if (v >> 28) & 8 != 0 {
                out.push_str("FUTEX_OP_OPARG_SHIFT<<28|");
            }
            let (op_bits, oparg, cmp, cmparg) = ((v >> 28) & 7, (v >> 12) & 0xfff, (v >> 24) & 0xf, v & 0xfff);
            match lookup(op_bits, FUTEX_OP_OP) {
                Some(name) => out.push_str(&format!("{name}<<28")),
                None => out.push_str(&format!("{}<<28 /* FUTEX_OP_??? */", hex(op_bits))),
            }
            out.push_str(&format!("|{}<<12|", hex(oparg)));
            match lookup(cmp, FUTEX_OP_CMP) {
                Some(name) => out.push_str(&format!("{name}<<24")),
                None => out.push_str(&format!("{}<<24 /* FUTEX_OP_CMP_??? */", hex(cmp))),
            }
            out.push_str(&format!("|{}", hex(cmparg)));
            text(out)
        }
        _ => Value::Uint(v),
    }
}

// ---------------------------------------------------------------------------------
// Sockets

const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const AF_NETLINK: u64 = 16;

const AF: Table = &[
    (0, "AF_UNSPEC"),
    (1, "AF_UNIX"),
    (AF_INET, "AF_INET"),
    (3, "AF_AX25"),
    (4, "AF_IPX"),
    (5, "AF_APPLETALK"),
    (6, "AF_NETROM"),
    (7, "AF_BRIDGE"),
    (8, "AF_ATMPVC"),
    (9, "AF_X25"),
    (AF_INET6, "AF_INET6"),
    (11, "AF_ROSE"),
    (12, "AF_DECnet"),
    (13, "AF_NETBEUI"),
    (14, "AF_SECURITY"),
    (15, "AF_KEY"),
    (AF_NETLINK, "AF_NETLINK"),
    (17, "AF_PACKET"),
    (18, "AF_ASH"),
    (19, "AF_ECONET"),
    (20, "AF_ATMSVC"),
    (21, "AF_RDS"),
    (22, "AF_SNA"),
    (23, "AF_IRDA"),
    (24, "AF_PPPOX"),
    (25, "AF_WANPIPE"),
    (26, "AF_LLC"),
    (27, "AF_IB"),
    (28, "AF_MPLS"),
    (29, "AF_CAN"),
    (30, "AF_TIPC"),
    (31, "AF_BLUETOOTH"),
    (32, "AF_IUCV"),
    (33, "AF_RXRPC"),
    (34, "AF_ISDN"),
    (35, "AF_PHONET"),
    (36, "AF_IEEE802154"),
    (37, "AF_CAIF"),
    (38, "AF_ALG"),
    (39, "AF_NFC"),
    (40, "AF_VSOCK"),
    (41, "AF_KCM"),
    (42, "AF_QIPCRTR"),
    (43, "AF_SMC"),
    (44, "AF_XDP"),
    (45, "AF_MCTP"),
];

const SOCK_TYPE: Table =
    &[(1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET"), (6, "SOCK_DCCP"), (10, "SOCK_PACKET")];

const SOCK_FLAGS: Table = &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")];

/// socket's type: `SOCK_STREAM|SOCK_CLOEXEC`.
fn socket_type(v: u64) -> String {
    let kind = v & 0xf;
    let mut out = if kind == 0 { "0".to_string() } else { choice(kind, SOCK_TYPE, "SOCK_???") };
    let rest = v & !0xf;
    if rest != 0 {
        let (names, unknown) = set_names(rest, SOCK_FLAGS);
        for name in &names {
            out.push('|');
            out.push_str(name);
        }
        if unknown != 0 {
            out.push('|');
            out.push_str(&hex(unknown));
            if names.is_empty() {
                out.push_str(" /* SOCK_??? */");
            }
        }
    }
    out
}

const IPPROTO: Table = &[
    (0, "IPPROTO_IP"),
    (1, "IPPROTO_ICMP"),
    (2, "IPPROTO_IGMP"),
    (4, "IPPROTO_IPIP"),
    (6, "IPPROTO_TCP"),
    (8, "IPPROTO_EGP"),
    (12, "IPPROTO_PUP"),
    (17, "IPPROTO_UDP"),
    (22, "IPPROTO_IDP"),
    (29, "IPPROTO_TP"),
    (33, "IPPROTO_DCCP"),
    (41, "IPPROTO_IPV6"),
    (46, "IPPROTO_RSVP"),
    (47, "IPPROTO_GRE"),
    (50, "IPPROTO_ESP"),
    (51, "IPPROTO_AH"),
    (58, "IPPROTO_ICMPV6"),
    (92, "IPPROTO_MTP"),
    (94, "IPPROTO_BEETPH"),
    (98, "IPPROTO_ENCAP"),
    (103, "IPPROTO_PIM"),
    (108, "IPPROTO_COMP"),
    (115, "IPPROTO_L2TP"),
    (132, "IPPROTO_SCTP"),
    (136, "IPPROTO_UDPLITE"),
    (137, "IPPROTO_MPLS"),
    (143, "IPPROTO_ETHERNET"),
    (255, "IPPROTO_RAW"),
    (262, "IPPROTO_MPTCP"),
];

const NETLINK: Table = &[
    (0, "NETLINK_ROUTE"),
    (1, "NETLINK_UNUSED"),
    (2, "NETLINK_USERSOCK"),
    (3, "NETLINK_FIREWALL"),
    (4, "NETLINK_SOCK_DIAG"),
    (5, "NETLINK_NFLOG"),
    (6, "NETLINK_XFRM"),
    (7, "NETLINK_SELINUX"),
    (8, "NETLINK_ISCSI"),
    (9, "NETLINK_AUDIT"),
    (10, "NETLINK_FIB_LOOKUP"),
    (11, "NETLINK_CONNECTOR"),
    (12, "NETLINK_NETFILTER"),
    (13, "NETLINK_IP6_FW"),
    (14, "NETLINK_DNRTMSG"),
    (15, "NETLINK_KOBJECT_UEVENT"),
    (16, "NETLINK_GENERIC"),
    (18, "NETLINK_SCSITRANSPORT"),
    (19, "NETLINK_ECRYPTFS"),
    (20, "NETLINK_RDMA"),
    (21, "NETLINK_CRYPTO"),
    (22, "NETLINK_SMC"),
];

/// socket's protocol, by family (IPPROTO_* for IPv4/IPv6, NETLINK_* for netlink);
/// other families' protocols are numbers here.
fn socket_protocol(family: u64, v: u64) -> Option<Value> {
    match family {
        AF_INET | AF_INET6 => Some(text(choice(v, IPPROTO, "IPPROTO_???"))),
        AF_NETLINK => Some(text(choice(v, NETLINK, "NETLINK_???"))),
        _ => None,
    }
}

const SHUT: Table = &[(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")];

/// send/recv flags.
const MSG: Table = &[
    (0x1, "MSG_OOB"),
    (0x2, "MSG_PEEK"),
    (0x4, "MSG_DONTROUTE"),
    (0x8, "MSG_CTRUNC"),
    (0x10, "MSG_PROBE"),
    (0x20, "MSG_TRUNC"),
    (0x40, "MSG_DONTWAIT"),
    (0x80, "MSG_EOR"),
    (0x100, "MSG_WAITALL"),
    (0x200, "MSG_FIN"),
    (0x400, "MSG_SYN"),
    (0x800, "MSG_CONFIRM"),
    (0x1000, "MSG_RST"),
    (0x2000, "MSG_ERRQUEUE"),
    (0x4000, "MSG_NOSIGNAL"),
    (0x8000, "MSG_MORE"),
    (0x1_0000, "MSG_WAITFORONE"),
    (0x2_0000, "MSG_SENDPAGE_NOTLAST"),
    (0x4_0000, "MSG_BATCH"),
    (0x8_0000, "MSG_NO_SHARED_FRAGS"),
    (0x400_0000, "MSG_ZEROCOPY"),
    (0x2000_0000, "MSG_FASTOPEN"),
    (0x4000_0000, "MSG_CMSG_CLOEXEC"),
    (0x8000_0000, "MSG_CMSG_COMPAT"),
];

const SOL_SOCKET: u64 = 1;

/// Socket option levels.
const SOL: Table = &[
    (0, "SOL_IP"),
    (SOL_SOCKET, "SOL_SOCKET"),
    (6, "SOL_TCP"),
    (17, "SOL_UDP"),
    (41, "SOL_IPV6"),
    (58, "SOL_ICMPV6"),
    (132, "SOL_SCTP"),
    (136, "SOL_UDPLITE"),
    (255, "SOL_RAW"),
    (263, "SOL_PACKET"),
    (270, "SOL_NETLINK"),
    (274, "SOL_BLUETOOTH"),
    (279, "SOL_ALG"),
    (282, "SOL_TLS"),
    (283, "SOL_XDP"),
    (284, "SOL_MPTCP"),
];

/// SOL_SOCKET options (asm-generic/socket.h; x86_64 and aarch64).
const SO: Table = &[
    (1, "SO_DEBUG"),
    (2, "SO_REUSEADDR"),
    (3, "SO_TYPE"),
    (4, "SO_ERROR"),
    (5, "SO_DONTROUTE"),
    (6, "SO_BROADCAST"),
    (7, "SO_SNDBUF"),
    (8, "SO_RCVBUF"),
    (9, "SO_KEEPALIVE"),
    (10, "SO_OOBINLINE"),
    (11, "SO_NO_CHECK"),
    (12, "SO_PRIORITY"),
    (13, "SO_LINGER"),
    (14, "SO_BSDCOMPAT"),
    (15, "SO_REUSEPORT"),
    (16, "SO_PASSCRED"),
    (17, "SO_PEERCRED"),
    (18, "SO_RCVLOWAT"),
    (19, "SO_SNDLOWAT"),
    (20, "SO_RCVTIMEO_OLD"),
    (21, "SO_SNDTIMEO_OLD"),
    (25, "SO_BINDTODEVICE"),
    (26, "SO_ATTACH_FILTER"),
    (27, "SO_DETACH_FILTER"),
    (28, "SO_PEERNAME"),
    (30, "SO_ACCEPTCONN"),
    (31, "SO_PEERSEC"),
    (32, "SO_SNDBUFFORCE"),
    (33, "SO_RCVBUFFORCE"),
    (34, "SO_PASSSEC"),
    (36, "SO_MARK"),
    (38, "SO_PROTOCOL"),
    (39, "SO_DOMAIN"),
    (66, "SO_RCVTIMEO_NEW"),
    (67, "SO_SNDTIMEO_NEW"),
];

// ---------------------------------------------------------------------------------
// Mounts

const MS_MGC_VAL: u64 = 0xc0ed_0000;
const MS_MGC_MSK: u64 = 0xffff_0000;

const MS: Table = &[
    (0x1, "MS_RDONLY"),
    (0x2, "MS_NOSUID"),
    (0x4, "MS_NODEV"),
    (0x8, "MS_NOEXEC"),
    (0x10, "MS_SYNCHRONOUS"),
    (0x20, "MS_REMOUNT"),
    (0x40, "MS_MANDLOCK"),
    (0x80, "MS_DIRSYNC"),
    (0x100, "MS_NOSYMFOLLOW"),
    (0x400, "MS_NOATIME"),
    (0x800, "MS_NODIRATIME"),
    (0x1000, "MS_BIND"),
    (0x2000, "MS_MOVE"),
    (0x4000, "MS_REC"),
    (0x8000, "MS_SILENT"),
    (0x1_0000, "MS_POSIXACL"),
    (0x2_0000, "MS_UNBINDABLE"),
    (0x4_0000, "MS_PRIVATE"),
    (0x8_0000, "MS_SLAVE"),
    (0x10_0000, "MS_SHARED"),
    (0x20_0000, "MS_RELATIME"),
    (0x40_0000, "MS_KERNMOUNT"),
    (0x80_0000, "MS_I_VERSION"),
    (0x100_0000, "MS_STRICTATIME"),
    (0x200_0000, "MS_LAZYTIME"),
    (0x400_0000, "MS_SUBMOUNT"),
    (0x800_0000, "MS_NOREMOTELOCK"),
    (0x1000_0000, "MS_NOSEC"),
    (0x2000_0000, "MS_BORN"),
    (0x4000_0000, "MS_ACTIVE"),
    (0x8000_0000, "MS_NOUSER"),
];

/// mount's flags: `MS_MGC_VAL|...` when the old magic is in the top half.
fn mount_flags(v: u64) -> String {
    if v & MS_MGC_MSK == MS_MGC_VAL {
        let rest = v & !MS_MGC_MSK;
        return if rest == 0 { "MS_MGC_VAL".into() } else { format!("MS_MGC_VAL|{}", flags(rest, MS, "MS_???")) };
    }
    flags(v, MS, "MS_???")
}

const UMOUNT: Table = &[(1, "MNT_FORCE"), (2, "MNT_DETACH"), (4, "MNT_EXPIRE"), (8, "UMOUNT_NOFOLLOW")];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall_args::PROTOTYPES;

    /// A value as strace's text.
    fn shown(value: &Value) -> String {
        match value {
            Value::Int(v) => v.to_string(),
            Value::Uint(v) => v.to_string(),
            Value::Text(s) => s.clone(),
        }
    }

    /// Every argument of each call as `decode` prints it, against strace's text for it
    /// (an empty string: an argument strace prints from memory, a string or a struct).
    fn check(calls: &[(&str, &[u64], &[&str])]) {
        let mut wrong = Vec::new();
        for &(syscall, regs, want) in calls {
            let Some(&(_, _, args)) = PROTOTYPES.iter().find(|&&(name, _, _)| name == syscall) else {
                panic!("{syscall} is not in PROTOTYPES");
            };
            let mut all = [0u64; 6];
            all[..regs.len()].copy_from_slice(regs);
            for (index, (&(ctype, name), &want)) in args.iter().zip(want).enumerate() {
                if want.is_empty() {
                    continue;
                }
                let got = shown(&decode(syscall, name, ctype, all[index], &all));
                if got != want {
                    wrong.push(format!("{syscall} arg {index} ({name}) {:#x}: {got:?}, strace {want:?}", all[index]));
                }
            }
        }
        assert!(wrong.is_empty(), "{} differ:\n{}", wrong.len(), wrong.join("\n"));
    }

    /// Calls made by throwaway test programs on an x86_64 host (Linux 6.18), each run
    /// twice under strace 6.1 (`strace -f -qqq -xx -s 4096 -e signal=none`, once with
    /// `-e raw=all` for the registers): the registers, and strace's decoded text of
    /// each argument. A few calls per syscall, every name seen kept.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn matches_strace() {
        check(&[
            ("brk", &[0], &["NULL"]),
            ("mmap", &[0, 0x2000, 0x3, 0x22, 0xffffffff, 0], &["NULL", "8192", "PROT_READ|PROT_WRITE", "MAP_PRIVATE|MAP_ANONYMOUS", "-1", "0"]),
            ("access", &[0x7ffff7ff42a0, 0x4], &["", "R_OK"]),
            ("openat", &[0xffffff9c, 0x7ffff7ff30b1, 0x80000, 0], &["AT_FDCWD", "", "O_RDONLY|O_CLOEXEC", ""]),
            ("newfstatat", &[0x3, 0x7ffff7ff3c99, 0x7fffffffd820, 0x1000], &["3", "", "", "AT_EMPTY_PATH"]),
            ("mmap", &[0, 0xbe37, 0x1, 0x2, 0x3, 0], &["NULL", "48695", "PROT_READ", "MAP_PRIVATE", "3", "0"]),
            ("close", &[0x3], &["3"]),
            ("read", &[0x3, 0x7fffffffd988, 0x340], &["3", "", "832"]),
            ("pread64", &[0x3, 0x7fffffffd5a0, 0x310, 0x40], &["3", "", "784", "64"]),
            ("mmap", &[0, 0x1e1f50, 0x1, 0x802, 0x3, 0], &["NULL", "1974096", "PROT_READ", "MAP_PRIVATE|MAP_DENYWRITE", "3", "0"]),
            ("mmap", &[0x7ffff7df8000, 0x156000, 0x5, 0x812, 0x3, 0x26000], &["0x7ffff7df8000", "1400832", "PROT_READ|PROT_EXEC", "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE", "3", "0x26000"]),
            ("mmap", &[0x7ffff7fa7000, 0xcf50, 0x3, 0x32, 0xffffffff, 0], &["0x7ffff7fa7000", "53072", "PROT_READ|PROT_WRITE", "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS", "-1", "0"]),
            ("arch_prctl", &[0x1002, 0x7ffff7dcf740], &["ARCH_SET_FS", "0x7ffff7dcf740"]),
            ("set_tid_address", &[0x7ffff7dcfa10], &["0x7ffff7dcfa10"]),
            ("set_robust_list", &[0x7ffff7dcfa20, 0x18], &["0x7ffff7dcfa20", "24"]),
            ("rseq", &[0x7ffff7dd0060, 0x20, 0, 0x53053053], &["0x7ffff7dd0060", "0x20", "0", "0x53053053"]),
            ("mprotect", &[0x7ffff7fa1000, 0x4000, 0x1], &["0x7ffff7fa1000", "16384", "PROT_READ"]),
            ("prlimit64", &[0, 0x3, 0, 0x7fffffffe360], &["0", "RLIMIT_STACK", "NULL", ""]),
            ("munmap", &[0x7ffff7fb4000, 0xbe37], &["0x7ffff7fb4000", "48695"]),
            ("mkdir", &[0x555555559004, 0x1ed], &["", "0755"]),
            ("mkdir", &[0x55555555900e, 0], &["", "000"]),
            ("mkdirat", &[0xffffff9c, 0x55555555901c, 0x3ff], &["AT_FDCWD", "", "01777"]),
            ("openat", &[0xffffff9c, 0x555555559004, 0x90000, 0x7ffff7fca848], &["AT_FDCWD", "", "O_RDONLY|O_CLOEXEC|O_DIRECTORY", ""]),
            ("openat", &[0xffffff9c, 0x55555555902b, 0, 0x1a4], &["AT_FDCWD", "", "O_RDONLY", ""]),
            ("openat", &[0xffffff9c, 0x55555555902b, 0x241, 0x180], &["AT_FDCWD", "", "O_WRONLY|O_CREAT|O_TRUNC", "0600"]),
            ("openat", &[0x3, 0x555555559037, 0x241, 0x3c0], &["3", "", "O_WRONLY|O_CREAT|O_TRUNC", "01700"]),
            ("openat", &[0xffffff9c, 0x55555555902b, 0xc2, 0x9ed], &["AT_FDCWD", "", "O_RDWR|O_CREAT|O_EXCL", "04755"]),
            ("openat", &[0x3, 0x555555559037, 0xc2, 0x5e8], &["3", "", "O_RDWR|O_CREAT|O_EXCL", "02750"]),
            ("openat", &[0xffffff9c, 0x55555555902b, 0x441, 0x1ff], &["AT_FDCWD", "", "O_WRONLY|O_CREAT|O_APPEND", "0777"]),
            ("open", &[0x555555559039, 0x241, 0x1a0], &["", "O_WRONLY|O_CREAT|O_TRUNC", "0640"]),
            ("open", &[0x555555559039, 0, 0x7ffff7eca9f0], &["", "O_RDONLY", ""]),
            ("creat", &[0x555555559045, 0x180], &["", "0600"]),
            ("chmod", &[0x555555559039, 0x1a4], &["", "0644"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x1a4], &["3", "", "0644"]),
            ("chmod", &[0x555555559039, 0], &["", "000"]),
            ("fchmodat", &[0x3, 0x555555559051, 0], &["3", "", "000"]),
            ("chmod", &[0x555555559039, 0x180], &["", "0600"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x180], &["3", "", "0600"]),
            ("chmod", &[0x555555559039, 0x9ed], &["", "04755"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x9ed], &["3", "", "04755"]),
            ("chmod", &[0x555555559039, 0x1ff], &["", "0777"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x1ff], &["3", "", "0777"]),
            ("chmod", &[0x555555559039, 0x3c0], &["", "01700"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x3c0], &["3", "", "01700"]),
            ("chmod", &[0x555555559039, 0x5e8], &["", "02750"]),
            ("fchmodat", &[0x3, 0x555555559051, 0x5e8], &["3", "", "02750"]),
            ("chmod", &[0x555555559039, 0xfff], &["", "07777"]),
            ("fchmodat", &[0x3, 0x555555559051, 0xfff], &["3", "", "07777"]),
            ("fchmod", &[0x4, 0x1a4], &["4", "0644"]),
            ("fchmod", &[0x4, 0], &["4", "000"]),
            ("mknod", &[0x555555559053, 0x11a4, 0], &["", "S_IFIFO|0644", ""]),
            ("mknod", &[0x555555559062, 0x2180, 0x103], &["", "S_IFCHR|0600", "makedev(0x1, 0x3)"]),
            ("mknodat", &[0x3, 0x555555559070, 0x61b0, 0x811], &["3", "", "S_IFBLK|0660", "makedev(0x8, 0x11)"]),
            ("mknodat", &[0x3, 0x555555559074, 0x8000, 0], &["3", "", "S_IFREG|000", ""]),
            ("mknodat", &[0x3, 0x555555559078, 0xc1ed, 0], &["3", "", "S_IFSOCK|0755", ""]),
            ("mknod", &[0x55555555907d, 0x1a4, 0], &["", "0644", ""]),
            ("umask", &[0x12], &["022"]),
            ("umask", &[0], &["000"]),
            ("umask", &[0x3f], &["077"]),
            ("umask", &[0x1ff], &["0777"]),
            ("access", &[0x555555559039, 0], &["", "F_OK"]),
            ("faccessat", &[0x3, 0x555555559051, 0], &["3", "", "F_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0, 0x300], &["AT_FDCWD", "", "F_OK", "AT_SYMLINK_NOFOLLOW|AT_EACCESS"]),
            ("faccessat", &[0x3, 0x555555559051, 0x4], &["3", "", "R_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x4, 0x200], &["AT_FDCWD", "", "R_OK", "AT_EACCESS"]),
            ("access", &[0x555555559039, 0x2], &["", "W_OK"]),
            ("faccessat", &[0x3, 0x555555559051, 0x2], &["3", "", "W_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x2, 0x300], &["AT_FDCWD", "", "W_OK", "AT_SYMLINK_NOFOLLOW|AT_EACCESS"]),
            ("access", &[0x555555559039, 0x1], &["", "X_OK"]),
            ("faccessat", &[0x3, 0x555555559051, 0x1], &["3", "", "X_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x1, 0x200], &["AT_FDCWD", "", "X_OK", "AT_EACCESS"]),
            ("access", &[0x555555559039, 0x5], &["", "R_OK|X_OK"]),
            ("faccessat", &[0x3, 0x555555559051, 0x5], &["3", "", "R_OK|X_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x5, 0x300], &["AT_FDCWD", "", "R_OK|X_OK", "AT_SYMLINK_NOFOLLOW|AT_EACCESS"]),
            ("access", &[0x555555559039, 0x7], &["", "R_OK|W_OK|X_OK"]),
            ("faccessat", &[0x3, 0x555555559051, 0x7], &["3", "", "R_OK|W_OK|X_OK"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x7, 0x200], &["AT_FDCWD", "", "R_OK|W_OK|X_OK", "AT_EACCESS"]),
            ("access", &[0x555555559039, 0x8], &["", "0x8 /* ?_OK */"]),
            ("faccessat", &[0x3, 0x555555559051, 0x8], &["3", "", "0x8 /* ?_OK */"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x8, 0x300], &["AT_FDCWD", "", "0x8 /* ?_OK */", "AT_SYMLINK_NOFOLLOW|AT_EACCESS"]),
            ("access", &[0x555555559039, 0x14], &["", "R_OK|0x10"]),
            ("faccessat", &[0x3, 0x555555559051, 0x14], &["3", "", "R_OK|0x10"]),
            ("faccessat2", &[0xffffff9c, 0x555555559039, 0x14, 0x200], &["AT_FDCWD", "", "R_OK|0x10", "AT_EACCESS"]),
            ("newfstatat", &[0xffffff9c, 0x555555559051, 0x7fffffffe4b0, 0], &["AT_FDCWD", "", "0x7fffffffe4b0", "0"]),
            ("newfstatat", &[0x3, 0x555555559051, 0x7fffffffe4b0, 0x100], &["3", "", "", "AT_SYMLINK_NOFOLLOW"]),
            ("newfstatat", &[0x3, 0x555555559051, 0x7fffffffe4b0, 0x900], &["3", "", "", "AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT"]),
            ("newfstatat", &[0xffffff9c, 0x555555559051, 0x7fffffffe4b0, 0x1100], &["AT_FDCWD", "", "0x7fffffffe4b0", "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"]),
            ("newfstatat", &[0x3, 0x555555559051, 0x7fffffffe4b0, 0x10000000], &["3", "", "0x7fffffffe4b0", "0x10000000 /* AT_??? */"]),
            ("unlinkat", &[0x3, 0x55555555908d, 0], &["3", "", "0"]),
            ("unlinkat", &[0x3, 0x55555555908d, 0x200], &["3", "", "AT_REMOVEDIR"]),
            ("unlinkat", &[0x3, 0x55555555908d, 0x100], &["3", "", "AT_SYMLINK_NOFOLLOW"]),
            ("fchownat", &[0x3, 0x555555559051, 0, 0, 0x100], &["3", "", "0", "0", "AT_SYMLINK_NOFOLLOW"]),
            ("fchownat", &[0x3, 0x555555559051, 0xffffffff, 0xffffffff, 0], &["3", "", "-1", "-1", "0"]),
            ("fchownat", &[0x3, 0x55555555908c, 0, 0, 0x1000], &["3", "", "0", "0", "AT_EMPTY_PATH"]),
            ("linkat", &[0x3, 0x555555559051, 0x3, 0x555555559096, 0x400], &["3", "", "3", "", "AT_SYMLINK_FOLLOW"]),
            ("linkat", &[0xffffff9c, 0x555555559039, 0x3, 0x555555559099, 0], &["AT_FDCWD", "", "3", "", "0"]),
            ("linkat", &[0x3, 0x555555559051, 0xffffff9c, 0x55555555909c, 0x1000], &["3", "", "AT_FDCWD", "", "AT_EMPTY_PATH"]),
            ("statx", &[0x3, 0x555555559051, 0, 0x7ff, 0x7fffffffe4b0], &["3", "", "AT_STATX_SYNC_AS_STAT", "STATX_BASIC_STATS", ""]),
            ("statx", &[0x3, 0x555555559051, 0x100, 0xfff, 0x7fffffffe4b0], &["3", "", "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW", "STATX_ALL", ""]),
            ("statx", &[0x3, 0x555555559051, 0x2000, 0x3, 0x7fffffffe4b0], &["3", "", "AT_STATX_FORCE_SYNC", "STATX_TYPE|STATX_MODE", ""]),
            ("statx", &[0x3, 0x555555559051, 0x4800, 0x800, 0x7fffffffe4b0], &["3", "", "AT_STATX_DONT_SYNC|AT_NO_AUTOMOUNT", "STATX_BTIME", ""]),
            ("statx", &[0x3, 0x55555555908c, 0x1000, 0, 0x7fffffffe4b0], &["3", "", "AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH", "0", ""]),
            ("statx", &[0x3, 0x555555559051, 0x6000, 0x1000, 0x7fffffffe4b0], &["3", "", "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC", "STATX_MNT_ID", "0x7fffffffe4b0"]),
            ("statx", &[0x3, 0x555555559051, 0x100000, 0x80000000, 0x7fffffffe4b0], &["3", "", "AT_STATX_SYNC_AS_STAT|0x100000", "0x80000000 /* STATX_??? */", "0x7fffffffe4b0"]),
            ("statx", &[0x3, 0x555555559051, 0x4100, 0x300, 0x7fffffffe4b0], &["3", "", "AT_STATX_DONT_SYNC|AT_SYMLINK_NOFOLLOW", "STATX_INO|STATX_SIZE", ""]),
            ("utimensat", &[0x3, 0x555555559051, 0, 0x100], &["3", "", "NULL", "AT_SYMLINK_NOFOLLOW"]),
            ("utimensat", &[0xffffff9c, 0x555555559039, 0, 0], &["AT_FDCWD", "", "NULL", "0"]),
            ("execveat", &[0x3, 0x55555555908d, 0x7fffffffe398, 0x7fffffffe398, 0x1100], &["3", "", "", "", "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"]),
            ("renameat2", &[0x3, 0x555555559099, 0x3, 0x55555555909f, 0x1], &["3", "", "3", "", "RENAME_NOREPLACE"]),
            ("renameat2", &[0x3, 0x55555555909f, 0x3, 0x555555559096, 0x2], &["3", "", "3", "", "RENAME_EXCHANGE"]),
            ("renameat2", &[0x3, 0x5555555590a4, 0x3, 0x5555555590a2, 0x4], &["3", "", "3", "", "RENAME_WHITEOUT"]),
            ("renameat2", &[0x3, 0x5555555590a4, 0x3, 0x5555555590a2, 0x10], &["3", "", "3", "", "0x10 /* RENAME_?? */"]),
            ("renameat", &[0x3, 0x5555555590a4, 0xffffff9c, 0x5555555590a2], &["3", "", "AT_FDCWD", ""]),
            ("mmap", &[0, 0x1000, 0, 0x22, 0xffffffff, 0], &["NULL", "4096", "PROT_NONE", "MAP_PRIVATE|MAP_ANONYMOUS", "-1", "0"]),
            ("mmap", &[0, 0x1000, 0x1, 0x21, 0xffffffff, 0], &["NULL", "4096", "PROT_READ", "MAP_SHARED|MAP_ANONYMOUS", "-1", "0"]),
            ("mmap", &[0, 0x1000, 0x3, 0x4022, 0xffffffff, 0], &["NULL", "4096", "PROT_READ|PROT_WRITE", "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE", "-1", "0"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0], &["0x7ffff7dbf000", "4096", "PROT_NONE"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x3], &["0x7ffff7dbf000", "4096", "PROT_READ|PROT_WRITE"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x5], &["0x7ffff7dbf000", "4096", "PROT_READ|PROT_EXEC"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x7], &["0x7ffff7dbf000", "4096", "PROT_READ|PROT_WRITE|PROT_EXEC"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x2], &["0x7ffff7dbf000", "4096", "PROT_WRITE"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x1000001], &["0x7ffff7dbf000", "4096", "PROT_READ|PROT_GROWSDOWN"]),
            ("mprotect", &[0x7ffff7dbf000, 0x1000, 0x11], &["0x7ffff7dbf000", "4096", "PROT_READ|0x10"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0], &["0x7ffff7dbf000", "4096", "MADV_NORMAL"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x1], &["0x7ffff7dbf000", "4096", "MADV_RANDOM"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x2], &["0x7ffff7dbf000", "4096", "MADV_SEQUENTIAL"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x3], &["0x7ffff7dbf000", "4096", "MADV_WILLNEED"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x4], &["0x7ffff7dbf000", "4096", "MADV_DONTNEED"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x8], &["0x7ffff7dbf000", "4096", "MADV_FREE"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0x9], &["0x7ffff7dbf000", "4096", "MADV_REMOVE"]),
            ("madvise", &[0x7ffff7dbf000, 0x1000, 0xa], &["0x7ffff7dbf000", "4096", "MADV_DONTFORK"]),
            ("clone", &[0x800, 0, 0, 0, 0], &["CLONE_SIGHAND", "NULL", "", "", ""]),
            ("clone", &[0x10011, 0, 0, 0, 0], &["CLONE_THREAD|SIGCHLD", "NULL", "", "", ""]),
            ("clone", &[0x20200, 0, 0, 0, 0], &["CLONE_FS|CLONE_NEWNS", "NULL", "", "", ""]),
            ("clone", &[0x1000020f, 0, 0, 0, 0], &["CLONE_FS|CLONE_NEWUSER|SIGTERM", "NULL", "", "", ""]),
            ("clone", &[0x380c11, 0, 0, 0, 0], &["CLONE_FILES|CLONE_SIGHAND|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD", "NULL", "NULL", "NULL", "NULL"]),
            ("clone", &[0xc50000, 0, 0, 0, 0], &["CLONE_THREAD|CLONE_SYSVSEM|CLONE_UNTRACED|0x400000", "NULL", "", "", ""]),
            ("clone", &[0x6e020280, 0, 0, 0, 0], &["CLONE_FS|CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|128", "NULL", "", "", ""]),
            ("clone", &[0x8101f000, 0, 0, 0, 0], &["CLONE_PIDFD|CLONE_PTRACE|CLONE_VFORK|CLONE_PARENT|CLONE_THREAD|CLONE_CHILD_SETTID|CLONE_IO", "NULL", "NULL", "NULL", ""]),
            ("kill", &[0x3ffed0, 0], &["4194000", "0"]),
            ("tkill", &[0x3ffed0, 0], &["4194000", "0"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0], &["4194000", "4194000", "0"]),
            ("rt_sigaction", &[0, 0, 0x7fffffffe4b0, 0x8], &["0", "NULL", "0x7fffffffe4b0", "8"]),
            ("kill", &[0x3ffed0, 0x1], &["4194000", "SIGHUP"]),
            ("tkill", &[0x3ffed0, 0x1], &["4194000", "SIGHUP"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x1], &["4194000", "4194000", "SIGHUP"]),
            ("rt_sigaction", &[0x1, 0, 0x7fffffffe4b0, 0x8], &["SIGHUP", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x2], &["4194000", "SIGINT"]),
            ("tkill", &[0x3ffed0, 0x2], &["4194000", "SIGINT"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x2], &["4194000", "4194000", "SIGINT"]),
            ("rt_sigaction", &[0x2, 0, 0x7fffffffe4b0, 0x8], &["SIGINT", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x3], &["4194000", "SIGQUIT"]),
            ("tkill", &[0x3ffed0, 0x3], &["4194000", "SIGQUIT"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x3], &["4194000", "4194000", "SIGQUIT"]),
            ("rt_sigaction", &[0x3, 0, 0x7fffffffe4b0, 0x8], &["SIGQUIT", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x4], &["4194000", "SIGILL"]),
            ("tkill", &[0x3ffed0, 0x4], &["4194000", "SIGILL"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x4], &["4194000", "4194000", "SIGILL"]),
            ("rt_sigaction", &[0x4, 0, 0x7fffffffe4b0, 0x8], &["SIGILL", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x5], &["4194000", "SIGTRAP"]),
            ("tkill", &[0x3ffed0, 0x5], &["4194000", "SIGTRAP"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x5], &["4194000", "4194000", "SIGTRAP"]),
            ("rt_sigaction", &[0x5, 0, 0x7fffffffe4b0, 0x8], &["SIGTRAP", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x6], &["4194000", "SIGABRT"]),
            ("tkill", &[0x3ffed0, 0x6], &["4194000", "SIGABRT"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x6], &["4194000", "4194000", "SIGABRT"]),
            ("rt_sigaction", &[0x6, 0, 0x7fffffffe4b0, 0x8], &["SIGABRT", "NULL", "", "8"]),
            ("kill", &[0x3ffed0, 0x7], &["4194000", "SIGBUS"]),
            ("tkill", &[0x3ffed0, 0x7], &["4194000", "SIGBUS"]),
            ("tgkill", &[0x3ffed0, 0x3ffed0, 0x7], &["4194000", "4194000", "SIGBUS"]),
            ("rt_sigaction", &[0x7, 0, 0x7fffffffe4b0, 0x8], &["SIGBUS", "NULL", "", "8"]),
            ("rt_sigqueueinfo", &[0x3ffed0, 0xa, 0x7fffffffe4b0], &["4194000", "SIGUSR1", ""]),
            ("rt_sigprocmask", &[0, 0, 0x7fffffffe4b0, 0x8], &["SIG_BLOCK", "NULL", "", "8"]),
            ("rt_sigprocmask", &[0x1, 0, 0x7fffffffe4b0, 0x8], &["SIG_UNBLOCK", "NULL", "", "8"]),
            ("rt_sigprocmask", &[0x2, 0, 0x7fffffffe4b0, 0x8], &["SIG_SETMASK", "NULL", "", "8"]),
            ("rt_sigprocmask", &[0x3, 0, 0x7fffffffe4b0, 0x8], &["0x3 /* SIG_??? */", "NULL", "", "8"]),
            ("rt_sigprocmask", &[0x4, 0, 0x7fffffffe4b0, 0x8], &["0x4 /* SIG_??? */", "NULL", "", "8"]),
            ("wait4", &[0xffffffff, 0, 0, 0], &["-1", "NULL", "0", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x1, 0], &["-1", "NULL", "WNOHANG", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x40000001, 0], &["-1", "NULL", "WNOHANG|__WALL", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x2, 0], &["-1", "NULL", "WSTOPPED", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x9, 0], &["-1", "NULL", "WNOHANG|WCONTINUED", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x80000000, 0], &["-1", "NULL", "__WCLONE", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x20000001, 0], &["-1", "NULL", "WNOHANG|__WNOTHREAD", "NULL"]),
            ("wait4", &[0xffffffff, 0, 0x101, 0], &["-1", "NULL", "WNOHANG|0x100", "NULL"]),
            ("waitid", &[0, 0, 0x7fffffffe4b0, 0x5, 0], &["P_ALL", "0", "0x7fffffffe4b0", "WNOHANG|WEXITED", "NULL"]),
            ("waitid", &[0, 0, 0x7fffffffe4b0, 0xe, 0], &["P_ALL", "0", "0x7fffffffe4b0", "WEXITED|WSTOPPED|WCONTINUED", "NULL"]),
            ("waitid", &[0, 0, 0x7fffffffe4b0, 0x1000004, 0], &["P_ALL", "0", "0x7fffffffe4b0", "WEXITED|WNOWAIT", "NULL"]),
            ("waitid", &[0, 0, 0x7fffffffe4b0, 0x40000004, 0], &["P_ALL", "0", "0x7fffffffe4b0", "WEXITED|__WALL", "NULL"]),
            ("waitid", &[0x1, 0x3039, 0x7fffffffe4b0, 0x4, 0], &["P_PID", "12345", "0x7fffffffe4b0", "WEXITED", "NULL"]),
            ("waitid", &[0x2, 0, 0x7fffffffe4b0, 0x4, 0], &["P_PGID", "0", "0x7fffffffe4b0", "WEXITED", "NULL"]),
            ("waitid", &[0x3, 0x3, 0x7fffffffe4b0, 0x4, 0], &["P_PIDFD", "3", "0x7fffffffe4b0", "WEXITED", "NULL"]),
            ("socket", &[0x1, 0x1, 0], &["AF_UNIX", "SOCK_STREAM", "0"]),
            ("socket", &[0x2, 0x80002, 0], &["AF_INET", "SOCK_DGRAM|SOCK_CLOEXEC", "IPPROTO_IP"]),
            ("socket", &[0xa, 0x3, 0], &["AF_INET6", "SOCK_RAW", "IPPROTO_IP"]),
            ("socket", &[0x10, 0x80805, 0], &["AF_NETLINK", "SOCK_SEQPACKET|SOCK_CLOEXEC|SOCK_NONBLOCK", "NETLINK_ROUTE"]),
            ("socket", &[0, 0x2, 0], &["AF_UNSPEC", "SOCK_DGRAM", "0"]),
            ("socket", &[0x28, 0x4, 0], &["AF_VSOCK", "SOCK_RDM", "0"]),
            ("socket", &[0x26, 0x5, 0], &["AF_ALG", "SOCK_SEQPACKET", "0"]),
            ("socket", &[0xc8, 0xa, 0], &["0xc8 /* AF_??? */", "SOCK_PACKET", "0"]),
            ("socketpair", &[0x1, 0x80001, 0, 0x7fffffffe5b0], &["AF_UNIX", "SOCK_STREAM|SOCK_CLOEXEC", "0", ""]),
            ("shutdown", &[0x4, 0], &["4", "SHUT_RD"]),
            ("shutdown", &[0x4, 0x1], &["4", "SHUT_WR"]),
            ("shutdown", &[0x4, 0x2], &["4", "SHUT_RDWR"]),
            ("shutdown", &[0x4, 0x7], &["4", "0x7 /* SHUT_??? */"]),
            ("socketpair", &[0x1, 0x2, 0, 0x7fffffffe5b0], &["AF_UNIX", "SOCK_DGRAM", "0", ""]),
            ("open", &[0x555555559039, 0x2, 0x7ffff7eca9f0], &["", "O_RDWR", ""]),
            ("fcntl", &[0x4, 0x1, 0x7ffff7ed3829], &["4", "F_GETFD", ""]),
            ("fcntl", &[0x4, 0x2, 0x1], &["4", "F_SETFD", "FD_CLOEXEC"]),
            ("fcntl", &[0x4, 0x2, 0x3], &["4", "F_SETFD", "FD_CLOEXEC|0x2"]),
            ("fcntl", &[0x4, 0x3, 0x7ffff7ed3829], &["4", "F_GETFL", ""]),
            ("fcntl", &[0x4, 0x4, 0xc00], &["4", "F_SETFL", "O_RDONLY|O_APPEND|O_NONBLOCK"]),
            ("fcntl", &[0x4, 0x4, 0], &["4", "F_SETFL", "O_RDONLY"]),
            ("fcntl", &[0x4, 0x4, 0x40002], &["4", "F_SETFL", "O_RDWR|O_NOATIME"]),
            ("fcntl", &[0x4, 0, 0xa], &["4", "F_DUPFD", "10"]),
            ("lseek", &[0x4, 0, 0], &["4", "0", "SEEK_SET"]),
            ("lseek", &[0x4, 0xa, 0x1], &["4", "10", "SEEK_CUR"]),
            ("lseek", &[0x4, 0xffffffff, 0x2], &["4", "4294967295", "SEEK_END"]),
            ("lseek", &[0x4, 0, 0x3], &["4", "0", "SEEK_DATA"]),
            ("lseek", &[0x4, 0, 0x4], &["4", "0", "SEEK_HOLE"]),
            ("lseek", &[0x4, 0, 0x9], &["4", "0", "0x9 /* SEEK_??? */"]),
            ("flock", &[0x4, 0x1], &["4", "LOCK_SH"]),
            ("flock", &[0x4, 0x6], &["4", "LOCK_EX|LOCK_NB"]),
            ("flock", &[0x4, 0x8], &["4", "LOCK_UN"]),
            ("flock", &[0x4, 0x5], &["4", "LOCK_SH|LOCK_NB"]),
            ("flock", &[0x4, 0x40], &["4", "LOCK_READ"]),
            ("pipe2", &[0x7fffffffe5b0, 0x80800], &["", "O_NONBLOCK|O_CLOEXEC"]),
            ("dup3", &[0x4, 0x32, 0x80000], &["4", "50", "O_CLOEXEC"]),
            ("dup2", &[0x4, 0x34], &["4", "52"]),
            ("pipe2", &[0x7fffffffe5b0, 0x4000], &["", "O_DIRECT"]),
            ("eventfd2", &[0, 0x80800], &["0", "EFD_CLOEXEC|EFD_NONBLOCK"]),
            ("eventfd2", &[0x3, 0x1], &["3", "EFD_SEMAPHORE"]),
            ("inotify_init1", &[0x80800], &["IN_NONBLOCK|IN_CLOEXEC"]),
            ("epoll_create1", &[0x80000], &["EPOLL_CLOEXEC"]),
            ("signalfd4", &[0xffffffff, 0x7fffffffe0e8, 0x8, 0x80800], &["-1", "", "8", "SFD_CLOEXEC|SFD_NONBLOCK"]),
            ("timerfd_create", &[0x1, 0x80800], &["CLOCK_MONOTONIC", "TFD_CLOEXEC|TFD_NONBLOCK"]),
            ("timerfd_create", &[0, 0], &["CLOCK_REALTIME", "0"]),
            ("timerfd_create", &[0x7, 0x80000], &["CLOCK_BOOTTIME", "TFD_CLOEXEC"]),
            ("futex", &[0x7fffffffe4a4, 0, 0x4, 0, 0, 0], &["0x7fffffffe4a4", "FUTEX_WAIT", "4", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x80, 0x4, 0x7fffffffe490, 0, 0], &["0x7fffffffe4a4", "FUTEX_WAIT_PRIVATE", "4", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x81, 0x1, 0, 0, 0], &["0x7fffffffe4a4", "FUTEX_WAKE_PRIVATE", "1", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x1, 0x7fffffff, 0, 0, 0], &["0x7fffffffe4a4", "FUTEX_WAKE", "2147483647", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x189, 0x4, 0, 0, 0xffffffffffffffff], &["0x7fffffffe4a4", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME", "4", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x9, 0x4, 0, 0, 0x1], &["0x7fffffffe4a4", "FUTEX_WAIT_BITSET", "4", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x8a, 0x1, 0, 0, 0x2], &["0x7fffffffe4a4", "FUTEX_WAKE_BITSET_PRIVATE", "1", "", "", ""]),
            ("futex", &[0x7fffffffe4a4, 0x84, 0x1, 0x2, 0x7fffffffe4a4, 0x5], &["0x7fffffffe4a4", "FUTEX_CMP_REQUEUE_PRIVATE", "1", "2", "0x7fffffffe4a4", "5"]),
            ("prctl", &[0xf, 0x5555555590a6, 0, 0, 0], &["PR_SET_NAME", "", "", "", ""]),
            ("prctl", &[0x10, 0x7fffffffe4b0, 0, 0, 0], &["PR_GET_NAME", "", "", "", ""]),
            ("prctl", &[0x3, 0, 0, 0, 0], &["PR_GET_DUMPABLE", "", "", "", ""]),
            ("prctl", &[0x1, 0x9, 0, 0, 0], &["PR_SET_PDEATHSIG", "SIGKILL", "", "", ""]),
            ("prctl", &[0x27, 0, 0, 0, 0], &["PR_GET_NO_NEW_PRIVS", "0", "0", "0", "0"]),
            ("prctl", &[0x15, 0, 0, 0, 0], &["PR_GET_SECCOMP", "", "", "", ""]),
            ("prctl", &[0x24, 0, 0, 0, 0], &["PR_SET_CHILD_SUBREAPER", "0", "", "", ""]),
            ("prctl", &[0x7, 0, 0, 0, 0], &["PR_GET_KEEPCAPS", "", "", "", ""]),
            ("getrandom", &[0x7fffffffe4b0, 0x10, 0], &["", "16", "0"]),
            ("getrandom", &[0x7fffffffe4b0, 0x10, 0x1], &["", "16", "GRND_NONBLOCK"]),
            ("getrandom", &[0x7fffffffe4b0, 0x10, 0x3], &["", "16", "GRND_NONBLOCK|GRND_RANDOM"]),
            ("getrandom", &[0x7fffffffe4b0, 0x10, 0x4], &["", "16", "GRND_INSECURE"]),
            ("getrandom", &[0x7fffffffe4b0, 0x10, 0x10], &["0x7fffffffe4b0", "16", "0x10 /* GRND_??? */"]),
            ("arch_prctl", &[0x1003, 0x7fffffffe4a8], &["ARCH_GET_FS", ""]),
            ("arch_prctl", &[0x1004, 0x7fffffffe4a8], &["ARCH_GET_GS", ""]),
            ("arch_prctl", &[0x1011, 0], &["ARCH_GET_CPUID", ""]),
            ("arch_prctl", &[0x9999, 0], &["0x9999 /* ARCH_??? */", "0"]),
            ("arch_prctl", &[0x1021, 0x7fffffffe4a8], &["ARCH_GET_XCOMP_SUPP", ""]),
            ("arch_prctl", &[0x5001, 0x7fffffffe4a8], &["0x5001 /* ARCH_??? */", "0x7fffffffe4a8"]),
            ("prlimit64", &[0, 0, 0, 0x7fffffffe4b0], &["0", "RLIMIT_CPU", "NULL", ""]),
            ("prlimit64", &[0, 0x1, 0, 0x7fffffffe4b0], &["0", "RLIMIT_FSIZE", "NULL", ""]),
            ("prlimit64", &[0, 0x2, 0, 0x7fffffffe4b0], &["0", "RLIMIT_DATA", "NULL", ""]),
            ("prlimit64", &[0, 0x4, 0, 0x7fffffffe4b0], &["0", "RLIMIT_CORE", "NULL", ""]),
            ("prlimit64", &[0, 0x5, 0, 0x7fffffffe4b0], &["0", "RLIMIT_RSS", "NULL", ""]),
            ("prlimit64", &[0, 0x6, 0, 0x7fffffffe4b0], &["0", "RLIMIT_NPROC", "NULL", ""]),
            ("prlimit64", &[0, 0x7, 0, 0x7fffffffe4b0], &["0", "RLIMIT_NOFILE", "NULL", ""]),
            ("getrlimit", &[0x3, 0x7fffffffe0d0], &["RLIMIT_STACK", ""]),
            ("setrlimit", &[0x3, 0x7fffffffe0d0], &["RLIMIT_STACK", ""]),
            ("getrlimit", &[0x63, 0x7fffffffe0d0], &["0x63 /* RLIMIT_??? */", "0x7fffffffe0d0"]),
            ("sched_getaffinity", &[0, 0x80, 0x7fffffffe4b0], &["0", "128", ""]),
            ("sched_setaffinity", &[0x3ffed0, 0x80, 0x7fffffffe4b0], &["4194000", "128", ""]),
            ("unshare", &[0x4000000], &["CLONE_NEWUTS"]),
            ("unshare", &[0x600], &["CLONE_FS|CLONE_FILES"]),
            ("unshare", &[0x1], &["0x1 /* CLONE_??? */"]),
            ("unshare", &[0x8060000], &["CLONE_NEWNS|CLONE_SYSVSEM|CLONE_NEWIPC"]),
            ("setns", &[0xffffffff, 0x40000000], &["-1", "CLONE_NEWNET"]),
            ("setns", &[0xffffffff, 0x30000000], &["-1", "CLONE_NEWUSER|CLONE_NEWPID"]),
            ("mount", &[0x5555555590c6, 0x5555555590b3, 0x5555555590ad, 0xf, 0], &["", "", "", "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC", "NULL"]),
            ("mount", &[0x5555555590c6, 0x5555555590b3, 0, 0x1021, 0], &["", "", "NULL", "MS_RDONLY|MS_REMOUNT|MS_BIND", "NULL"]),
            ("mount", &[0, 0x5555555590b3, 0, 0x44000, 0], &["NULL", "", "NULL", "MS_REC|MS_PRIVATE", "NULL"]),
            ("mount", &[0x5555555590cb, 0x5555555590b3, 0, 0x2000, 0], &["", "", "NULL", "MS_MOVE", "NULL"]),
            ("mount", &[0x5555555590c6, 0x5555555590b3, 0x5555555590db, 0xc3ed0410, 0], &["", "", "0x5555555590db", "MS_SYNCHRONOUS|MS_NOATIME|MS_POSIXACL|MS_PRIVATE|MS_SLAVE|MS_RELATIME|MS_KERNMOUNT|MS_I_VERSION|MS_STRICTATIME|MS_LAZYTIME|MS_ACTIVE|MS_NOUSER", "NULL"]),
            ("mount", &[0x5555555590c6, 0x5555555590b3, 0x5555555590db, 0x9b88c0, 0], &["", "", "0x5555555590db", "MS_MANDLOCK|MS_DIRSYNC|MS_NODIRATIME|MS_SILENT|MS_POSIXACL|MS_UNBINDABLE|MS_SLAVE|MS_SHARED|MS_I_VERSION", "NULL"]),
            ("umount2", &[0x5555555590b3, 0x2], &["", "MNT_DETACH"]),
            ("umount2", &[0x5555555590b3, 0x9], &["", "MNT_FORCE|UMOUNT_NOFOLLOW"]),
            ("umount2", &[0x5555555590b3, 0x104], &["", "MNT_EXPIRE|0x100"]),
            ("memfd_create", &[0x5555555590a4, 0x3], &["", "MFD_CLOEXEC|MFD_ALLOW_SEALING"]),
            ("memfd_create", &[0x5555555590e0, 0x54000004], &["", "MFD_HUGETLB|21<<MFD_HUGE_SHIFT"]),
            ("memfd_create", &[0x5555555590e0, 0x101], &["", "MFD_CLOEXEC|0x100"]),
            ("close", &[0xffffffff], &["-1"]),
            ("personality", &[0xffffffff], &["0xffffffff"]),
            ("personality", &[0], &["PER_LINUX"]),
            ("personality", &[0x40000], &["PER_LINUX|ADDR_NO_RANDOMIZE"]),
            ("clock_gettime", &[0, 0x7fffffffe490], &["CLOCK_REALTIME", ""]),
            ("clock_gettime", &[0x1, 0x7fffffffe490], &["CLOCK_MONOTONIC", ""]),
            ("clock_gettime", &[0x2, 0x7fffffffe490], &["CLOCK_PROCESS_CPUTIME_ID", ""]),
            ("clock_gettime", &[0x3, 0x7fffffffe490], &["CLOCK_THREAD_CPUTIME_ID", ""]),
            ("clock_gettime", &[0x4, 0x7fffffffe490], &["CLOCK_MONOTONIC_RAW", ""]),
            ("clock_gettime", &[0x5, 0x7fffffffe490], &["CLOCK_REALTIME_COARSE", ""]),
            ("clock_gettime", &[0x6, 0x7fffffffe490], &["CLOCK_MONOTONIC_COARSE", ""]),
            ("clock_gettime", &[0x7, 0x7fffffffe490], &["CLOCK_BOOTTIME", ""]),
            ("clock_getres", &[0x1, 0x7fffffffe490], &["CLOCK_MONOTONIC", ""]),
            ("clock_nanosleep", &[0x1, 0, 0x7fffffffe490, 0], &["CLOCK_MONOTONIC", "0", "", "NULL"]),
            ("clock_nanosleep", &[0, 0x1, 0x7fffffffe490, 0], &["CLOCK_REALTIME", "TIMER_ABSTIME", "", "NULL"]),
            ("clock_nanosleep", &[0x7, 0, 0x7fffffffe490, 0], &["CLOCK_BOOTTIME", "0", "", "NULL"]),
            ("read", &[0xffffffff, 0x7fffffffe4b0, 0xa], &["-1", "0x7fffffffe4b0", "10"]),
            ("write", &[0xffffffff, 0x7fffffffe4b0, 0], &["-1", "", "0"]),
            ("pread64", &[0xffffffff, 0x7fffffffe4b0, 0xa, 0xfffffffb], &["-1", "0x7fffffffe4b0", "10", "4294967291"]),
            ("ftruncate", &[0xffffffff, 0xffffffff], &["-1", "4294967295"]),
            ("getpgid", &[0xffffffff], &["-1"]),
            ("setuid", &[0xffffffff], &["-1"]),
            ("fchown", &[0xffffffff, 0xffffffff, 0x5], &["-1", "-1", "5"]),
            ("munmap", &[0, 0], &["NULL", "0"]),
            ("alarm", &[0], &["0"]),
            ("getpriority", &[0, 0], &["PRIO_PROCESS", "0"]),
            ("setpgid", &[0, 0], &["0", "0"]),
            ("exit_group", &[0], &["0"]),
            ("waitid", &[0, 0, 0x7fffffffe510, 0xffffffff, 0], &["P_ALL", "0", "0x7fffffffe510", "WNOHANG|WEXITED|WSTOPPED|WCONTINUED|WNOWAIT|__WCLONE|__WALL|__WNOTHREAD|0x1efffff0", "NULL"]),
            ("newfstatat", &[0xffffff9c, 0x555555557004, 0x7fffffffe510, 0xffff], &["AT_FDCWD", "", "0x7fffffffe510", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("unlinkat", &[0xffffff9c, 0x555555557004, 0xffff], &["AT_FDCWD", "", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("linkat", &[0xffffff9c, 0x555555557004, 0xffffff9c, 0x555555557004, 0xffff], &["AT_FDCWD", "", "AT_FDCWD", "", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("utimensat", &[0xffffff9c, 0x555555557004, 0, 0xffff], &["AT_FDCWD", "", "NULL", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("renameat2", &[0xffffff9c, 0x555555557004, 0xffffff9c, 0x555555557004, 0xff], &["AT_FDCWD", "", "AT_FDCWD", "", "RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT|0xf8"]),
            ("fchownat", &[0xffffff9c, 0x555555557004, 0, 0, 0xffff], &["AT_FDCWD", "", "0", "0", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("execveat", &[0xffffff9c, 0x555555557004, 0, 0, 0xffff], &["AT_FDCWD", "", "NULL", "NULL", "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"]),
            ("mount", &[0, 0x555555557004, 0, 0xc0ed0001, 0], &["NULL", "", "NULL", "MS_MGC_VAL|MS_RDONLY", "NULL"]),
            ("mount", &[0, 0x555555557004, 0, 0xc0ed0000, 0], &["NULL", "", "NULL", "MS_MGC_VAL", "NULL"]),
            ("umount2", &[0x555555557004, 0xffffffff], &["", "MNT_FORCE|MNT_DETACH|MNT_EXPIRE|UMOUNT_NOFOLLOW|0xfffffff0"]),
            ("memfd_create", &[0x555555557015, 0xffffffff], &["", "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_HUGETLB|0x3fffff8|63<<MFD_HUGE_SHIFT"]),
            ("memfd_create", &[0x555555557015, 0x3fffff], &["", "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_HUGETLB|0x3ffff8"]),
            ("eventfd2", &[0, 0xffffffff], &["0", "EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK|0xfff7f7fe"]),
            ("inotify_init1", &[0xffffffff], &["IN_NONBLOCK|IN_CLOEXEC|0xfff7f7ff"]),
            ("epoll_create1", &[0xffffffff], &["EPOLL_CLOEXEC|0xfff7ffff"]),
            ("signalfd4", &[0xffffffff, 0x7fffffffe510, 0x8, 0xffffffff], &["-1", "", "8", "SFD_CLOEXEC|SFD_NONBLOCK|0xfff7f7ff"]),
            ("timerfd_create", &[0x1, 0xffffffff], &["CLOCK_MONOTONIC", "TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET|TFD_CLOEXEC|TFD_NONBLOCK|0xfff7f7fc"]),
            ("pipe2", &[0x7fffffffe508, 0xffffffff], &["0x7fffffffe508", "O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003f"]),
            ("dup3", &[0, 0x64, 0xffffffff], &["0", "100", "O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003f"]),
            ("getrandom", &[0x7fffffffe510, 0x1, 0xffffffff], &["0x7fffffffe510", "1", "GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE|0xfffffff8"]),
            ("unshare", &[0xffffffff], &["CLONE_NEWTIME|CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|0x81f8f07f"]),
            ("setns", &[0xffffffff, 0xffffffff], &["-1", "CLONE_NEWTIME|CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|0x81fdff7f"]),
            ("flock", &[0xffffffff, 0xffffffff], &["-1", "LOCK_SH|LOCK_EX|LOCK_NB|LOCK_UN|LOCK_MAND|LOCK_RW|0xffffff10"]),
            ("flock", &[0xffffffff, 0x4], &["-1", "LOCK_NB"]),
            ("personality", &[0x8], &["PER_LINUX32"]),
            ("personality", &[0x420000], &["PER_LINUX|UNAME26|READ_IMPLIES_EXEC"]),
            ("personality", &[0xffff00], &["PER_LINUX|UNAME26|ADDR_NO_RANDOMIZE|FDPIC_FUNCPTRS|MMAP_PAGE_ZERO|ADDR_COMPAT_LAYOUT|READ_IMPLIES_EXEC|ADDR_LIMIT_32BIT|0x1ff00"]),
            ("personality", &[0x5f], &["0x5f /* PER_??? */"]),
            ("personality", &[0x4000000], &["PER_LINUX|STICKY_TIMEOUTS"]),
            ("rt_sigprocmask", &[0xffffffff, 0, 0, 0x8], &["0xffffffff /* SIG_??? */", "NULL", "NULL", "8"]),
            ("sendto", &[0xffffffff, 0x7fffffffe510, 0x1, 0x4040, 0, 0], &["-1", "", "1", "MSG_DONTWAIT|MSG_NOSIGNAL", "NULL", "0"]),
            ("recvfrom", &[0xffffffff, 0x7fffffffe510, 0x1, 0xffffffff, 0, 0], &["-1", "0x7fffffffe510", "1", "MSG_OOB|MSG_PEEK|MSG_DONTROUTE|MSG_CTRUNC|MSG_PROBE|MSG_TRUNC|MSG_DONTWAIT|MSG_EOR|MSG_WAITALL|MSG_FIN|MSG_SYN|MSG_CONFIRM|MSG_RST|MSG_ERRQUEUE|MSG_NOSIGNAL|MSG_MORE|MSG_WAITFORONE|MSG_SENDPAGE_NOTLAST|MSG_BATCH|MSG_NO_SHARED_FRAGS|MSG_ZEROCOPY|MSG_FASTOPEN|MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT|0x1bf00000", "NULL", "NULL"]),
            ("sendmsg", &[0xffffffff, 0, 0x8080], &["-1", "NULL", "MSG_EOR|MSG_MORE"]),
            ("recvmsg", &[0xffffffff, 0, 0x40000022], &["-1", "NULL", "MSG_PEEK|MSG_TRUNC|MSG_CMSG_CLOEXEC"]),
            ("accept4", &[0xffffffff, 0, 0, 0x80800], &["-1", "NULL", "NULL", "SOCK_CLOEXEC|SOCK_NONBLOCK"]),
            ("accept4", &[0xffffffff, 0, 0, 0xffffffff], &["-1", "NULL", "NULL", "SOCK_CLOEXEC|SOCK_NONBLOCK|0xfff7f7ff"]),
            ("epoll_ctl", &[0xffffffff, 0, 0xffffffff, 0], &["-1", "0 /* EPOLL_CTL_??? */", "-1", "NULL"]),
            ("epoll_ctl", &[0xffffffff, 0x1, 0xffffffff, 0], &["-1", "EPOLL_CTL_ADD", "-1", "NULL"]),
            ("epoll_ctl", &[0xffffffff, 0x2, 0xffffffff, 0], &["-1", "EPOLL_CTL_DEL", "-1", "NULL"]),
            ("epoll_ctl", &[0xffffffff, 0x3, 0xffffffff, 0], &["-1", "EPOLL_CTL_MOD", "-1", "NULL"]),
            ("epoll_ctl", &[0xffffffff, 0x4, 0xffffffff, 0], &["-1", "0x4 /* EPOLL_CTL_??? */", "-1", "NULL"]),
            ("mlockall", &[0x3], &["MCL_CURRENT|MCL_FUTURE"]),
            ("mlockall", &[0xffffffff], &["MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT|0xfffffff8"]),
            ("msync", &[0, 0, 0x3], &["NULL", "0", "MS_ASYNC|MS_INVALIDATE"]),
            ("msync", &[0, 0, 0xffffffff], &["NULL", "0", "MS_SYNC|MS_ASYNC|MS_INVALIDATE|0xfffffff8"]),
            ("mremap", &[0, 0, 0, 0xffffffff, 0], &["NULL", "0", "0", "MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP|0xfffffff8", "NULL"]),
            ("mremap", &[0, 0, 0, 0x1, 0], &["NULL", "0", "0", "MREMAP_MAYMOVE", ""]),
            ("close_range", &[0x3e8, 0x3e9, 0xffffffff], &["1000", "1001", "CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC|0xfffffff9"]),
            ("pidfd_open", &[0xf423f, 0xffffffff], &["999999", "PIDFD_NONBLOCK|0xfffff7ff"]),
            ("pidfd_send_signal", &[0xffffffff, 0xf, 0, 0], &["-1", "SIGTERM", "NULL", "0"]),
            ("inotify_add_watch", &[0xffffffff, 0x555555557004, 0xffffffff], &["-1", "", "IN_ACCESS|IN_MODIFY|IN_ATTRIB|IN_CLOSE_WRITE|IN_CLOSE_NOWRITE|IN_OPEN|IN_MOVED_FROM|IN_MOVED_TO|IN_CREATE|IN_DELETE|IN_DELETE_SELF|IN_MOVE_SELF|IN_UNMOUNT|IN_Q_OVERFLOW|IN_IGNORED|IN_ONLYDIR|IN_DONT_FOLLOW|IN_EXCL_UNLINK|IN_MASK_CREATE|IN_MASK_ADD|IN_ISDIR|IN_ONESHOT|0x8ff1000"]),
            ("inotify_add_watch", &[0xffffffff, 0x555555557004, 0x302], &["-1", "", "IN_MODIFY|IN_CREATE|IN_DELETE"]),
            ("inotify_add_watch", &[0xffffffff, 0x555555557004, 0xfff], &["-1", "", "IN_ACCESS|IN_MODIFY|IN_ATTRIB|IN_CLOSE_WRITE|IN_CLOSE_NOWRITE|IN_OPEN|IN_MOVED_FROM|IN_MOVED_TO|IN_CREATE|IN_DELETE|IN_DELETE_SELF|IN_MOVE_SELF"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0], &["-1", "0", "0", "POSIX_FADV_NORMAL"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x1], &["-1", "0", "0", "POSIX_FADV_RANDOM"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x2], &["-1", "0", "0", "POSIX_FADV_SEQUENTIAL"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x3], &["-1", "0", "0", "POSIX_FADV_WILLNEED"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x4], &["-1", "0", "0", "POSIX_FADV_DONTNEED"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x5], &["-1", "0", "0", "POSIX_FADV_NOREUSE"]),
            ("fadvise64", &[0xffffffff, 0, 0, 0x6], &["-1", "0", "0", "0x6 /* POSIX_FADV_??? */"]),
            ("fallocate", &[0xffffffff, 0, 0, 0], &["-1", "0", "0", "0"]),
            ("fallocate", &[0xffffffff, 0xffffffff, 0, 0], &["-1", "FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE|FALLOC_FL_NO_HIDE_STALE|FALLOC_FL_COLLAPSE_RANGE|FALLOC_FL_ZERO_RANGE|FALLOC_FL_INSERT_RANGE|FALLOC_FL_UNSHARE_RANGE|0xffffff80", "0", "0"]),
            ("fallocate", &[0xffffffff, 0x3, 0, 0], &["-1", "FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE", "0", "0"]),
            ("getitimer", &[0, 0x7fffffffe510], &["ITIMER_REAL", ""]),
            ("getitimer", &[0x1, 0x7fffffffe510], &["ITIMER_VIRTUAL", ""]),
            ("getitimer", &[0x2, 0x7fffffffe510], &["ITIMER_PROF", ""]),
            ("getitimer", &[0x3, 0x7fffffffe510], &["0x3 /* ITIMER_??? */", "0x7fffffffe510"]),
            ("getrusage", &[0, 0x7fffffffe510], &["RUSAGE_SELF", ""]),
            ("getrusage", &[0xffffffff, 0x7fffffffe510], &["RUSAGE_CHILDREN", ""]),
            ("getrusage", &[0x1, 0x7fffffffe510], &["RUSAGE_THREAD", ""]),
            ("getrusage", &[0x5, 0x7fffffffe510], &["0x5 /* RUSAGE_??? */", "0x7fffffffe510"]),
            ("timerfd_settime", &[0xffffffff, 0xffffffff, 0, 0], &["-1", "TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET|TFD_CLOEXEC|TFD_NONBLOCK|0xfff7f7fc", "NULL", "NULL"]),
            ("timerfd_settime", &[0xffffffff, 0x1, 0, 0], &["-1", "TFD_TIMER_ABSTIME", "NULL", "NULL"]),
            ("timer_settime", &[0xffffffff, 0x1, 0, 0], &["-1", "TIMER_ABSTIME", "NULL", "NULL"]),
            ("timer_settime", &[0xffffffff, 0xffffffff, 0, 0], &["-1", "TIMER_ABSTIME|0xfffffffe", "NULL", "NULL"]),
            ("clock_nanosleep", &[0x1, 0xffffffff, 0x7fffffffe4f0, 0], &["CLOCK_MONOTONIC", "TIMER_ABSTIME|0xfffffffe", "", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0, 0], &["999999", "SCHED_OTHER", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x1, 0], &["999999", "SCHED_FIFO", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x2, 0], &["999999", "SCHED_RR", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x3, 0], &["999999", "SCHED_BATCH", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x4, 0], &["999999", "SCHED_ISO", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x5, 0], &["999999", "SCHED_IDLE", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x6, 0], &["999999", "SCHED_DEADLINE", "NULL"]),
            ("sched_setscheduler", &[0xf423f, 0x7, 0], &["999999", "0x7 /* SCHED_??? */", "NULL"]),
            ("setpriority", &[0x1, 0, 0], &["PRIO_PGRP", "0", "0"]),
            ("setpriority", &[0x2, 0, 0x64], &["PRIO_USER", "0", "100"]),
            ("getpriority", &[0x9, 0], &["0x9 /* PRIO_??? */", "0"]),
            ("seccomp", &[0, 0xffffffff, 0], &["SECCOMP_SET_MODE_STRICT", "0xffffffff", "NULL"]),
            ("seccomp", &[0x1, 0xffffffff, 0], &["SECCOMP_SET_MODE_FILTER", "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG|SECCOMP_FILTER_FLAG_SPEC_ALLOW|SECCOMP_FILTER_FLAG_NEW_LISTENER|SECCOMP_FILTER_FLAG_TSYNC_ESRCH|SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV|0xffffffc0", "NULL"]),
            ("seccomp", &[0x2, 0xffffffff, 0], &["SECCOMP_GET_ACTION_AVAIL", "0xffffffff", "NULL"]),
            ("seccomp", &[0x3, 0xffffffff, 0], &["SECCOMP_GET_NOTIF_SIZES", "0xffffffff", "NULL"]),
            ("seccomp", &[0x4, 0xffffffff, 0], &["0x4 /* SECCOMP_SET_MODE_??? */", "0xffffffff", "NULL"]),
            ("seccomp", &[0x5, 0xffffffff, 0], &["0x5 /* SECCOMP_SET_MODE_??? */", "0xffffffff", "NULL"]),
            ("ptrace", &[0xffff, 0, 0, 0], &["0xffff /* PTRACE_??? */", "0", "NULL", "NULL"]),
            ("ptrace", &[0x10, 0xf423f, 0, 0], &["PTRACE_ATTACH", "999999", "", ""]),
            ("ptrace", &[0x4206, 0xf423f, 0, 0], &["PTRACE_SEIZE", "999999", "NULL", "0"]),
            ("setsockopt", &[0xffffffff, 0x1, 0x2, 0x7fffffffe510, 0x4], &["-1", "SOL_SOCKET", "SO_REUSEADDR", "", "4"]),
            ("setsockopt", &[0xffffffff, 0x3e7, 0x1, 0x7fffffffe510, 0x4], &["-1", "0x3e7 /* SOL_?? */", "1", "", "4"]),
            ("lseek", &[0xffffffff, 0, 0xffffffff], &["-1", "0", "0xffffffff /* SEEK_??? */"]),
            ("rt_tgsigqueueinfo", &[0xf423f, 0xf423f, 0xc, 0x7fffffffe510], &["999999", "999999", "SIGUSR2", ""]),
            ("mknodat", &[0xffffff9c, 0x555555557004, 0xf1a4, 0], &["AT_FDCWD", "", "0170644", ""]),
            ("mknodat", &[0xffffff9c, 0x555555557004, 0xffffffff, 0xffffffff], &["AT_FDCWD", "", "0177777", ""]),
            ("mknodat", &[0xffffff9c, 0x555555557004, 0, 0x12345678], &["AT_FDCWD", "", "000", ""]),
            ("umask", &[0xffffffff], &["0177777"]),
            ("mkdir", &[0x555555557004, 0xf1ff], &["", "0170777"]),
            ("mq_open", &[0x55555555603d, 0, 0, 0], &["", "O_RDONLY", "", ""]),
            ("getxattr", &[0x55555555601e, 0x555555556051, 0x7fffffffe5f0, 0], &["", "", "0x7fffffffe5f0", "0"]),
            ("add_key", &[0x55555555606d, 0x555555556060, 0, 0, 0], &["", "", "NULL", "0", "0"]),
            ("request_key", &[0x55555555606d, 0x555555556060, 0x555555556078, 0], &["", "", "", "0"]),
            ("delete_module", &[0x555555556087, 0], &["", "0"]),
            ("finit_module", &[0xffffffff, 0x555555556094, 0], &["-1", "", "0"]),
            ("fsopen", &[0x55555555609f, 0], &["", "0"]),
            ("kexec_file_load", &[0xffffffff, 0xffffffff, 0xc, 0x5555555560ac, 0], &["-1", "-1", "12", "", "0"]),
            ("inotify_add_watch", &[0xffffffff, 0x55555555601e, 0x1], &["-1", "", "IN_ACCESS"]),
            ("utime", &[0x55555555601e, 0], &["", "NULL"]),
            ("utimes", &[0x55555555601e, 0], &["", "NULL"]),
            ("move_mount", &[0xffffffff, 0x55555555601e, 0xffffffff, 0x55555555601e, 0], &["-1", "", "-1", "", "0"]),
            ("open_tree", &[0xffffffff, 0x55555555601e, 0], &["-1", "", "0"]),
            ("fspick", &[0xffffffff, 0x55555555601e, 0], &["-1", "", "0"]),
            ("mount_setattr", &[0xffffffff, 0x55555555601e, 0, 0, 0], &["-1", "", "0", "NULL", "0"]),
            ("fanotify_mark", &[0xffffffff, 0, 0, 0xffffffff, 0x55555555601e], &["-1", "0", "0", "FAN_NOFD", ""]),
            ("name_to_handle_at", &[0xffffffff, 0x55555555601e, 0, 0, 0], &["-1", "", "NULL", "NULL", "0"]),
            ("readlink", &[0x55555555601e, 0x7fffffffe5f0, 0xa], &["", "0x7fffffffe5f0", "10"]),
            ("truncate", &[0x55555555601e, 0], &["", "0"]),
            ("mknodat", &[0xffffff9c, 0x55555555601e, 0x89ed, 0], &["AT_FDCWD", "", "S_IFREG|S_ISUID|0755", ""]),
            ("mknodat", &[0xffffff9c, 0x55555555601e, 0x41ed, 0], &["AT_FDCWD", "", "S_IFDIR|0755", ""]),
            ("mkdir", &[0x55555555601e, 0x8fed], &["", "0107755"]),
            ("bpf", &[0x5, 0, 0], &["BPF_PROG_LOAD", "NULL", "0"]),
            ("bpf", &[0xa, 0, 0], &["BPF_PROG_TEST_RUN", "NULL", "0"]),
            ("bpf", &[0x24, 0, 0], &["0x24 /* BPF_??? */", "NULL", "0"]),
            ("bpf", &[0x63, 0, 0], &["0x63 /* BPF_??? */", "NULL", "0"]),
            ("arch_prctl", &[0x1024, 0], &["ARCH_GET_XCOMP_GUEST_PERM", "NULL"]),
            ("ptrace", &[0x420f, 0xf423f, 0, 0], &["PTRACE_GET_RSEQ_CONFIGURATION", "999999", "NULL", "NULL"]),
            ("ptrace", &[0x420e, 0xf423f, 0, 0], &["PTRACE_GET_SYSCALL_INFO", "999999", "0", "NULL"]),
            ("ptrace", &[0x1e, 0xf423f, 0, 0], &["PTRACE_ARCH_PRCTL", "999999", "NULL", "NULL"]),
            ("setsockopt", &[0xffffffff, 0x1, 0x14, 0x7fffffffe5f0, 0x4], &["-1", "SOL_SOCKET", "SO_RCVTIMEO_OLD", "", "4"]),
            ("setsockopt", &[0xffffffff, 0x1, 0x3e7, 0x7fffffffe5f0, 0x4], &["-1", "SOL_SOCKET", "0x3e7 /* SO_??? */", "", "4"]),
            ("setsockopt", &[0xffffffff, 0x1, 0x42, 0x7fffffffe5f0, 0x4], &["-1", "SOL_SOCKET", "SO_RCVTIMEO_NEW", "", "4"]),
            ("getsockopt", &[0xffffffff, 0x1, 0x26, 0x7fffffffe5f0, 0x7fffffffe5f0], &["-1", "SOL_SOCKET", "SO_PROTOCOL", "0x7fffffffe5f0", ""]),
        ]);
    }

    #[test]
    fn strings_the_kernel_reads() {
        assert!(is_string("openat", "filename", "const char *"));
        assert!(is_string("setxattr", "name", "const char *"));
        assert!(is_string("mount", "type", "char *"));
        assert!(is_string("umount2", "name", "char *"));
        assert!(!is_string("write", "buf", "const char *"));
        assert!(!is_string("pwrite64", "buf", "const char *"));
        assert!(!is_string("mq_timedsend", "u_msg_ptr", "const char *"));
        assert!(!is_string("getcwd", "buf", "char *"));
        assert!(!is_string("readlink", "buf", "char *"));
        assert!(!is_string("sethostname", "name", "char *"));
    }
}
