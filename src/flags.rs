//! open(2) flags to their names, with the kernel's values for the target architecture
//! (`include/uapi/asm-generic/fcntl.h` and the arch overrides). libc's constants are not
//! used because some are 0 on 64-bit user space (O_LARGEFILE) while the kernel still
//! sees the bit from 32-bit callers.

use std::borrow::Cow;

const O_ACCMODE: u64 = 0o3;

#[cfg(not(target_arch = "aarch64"))]
pub(crate) mod arch {
    pub(crate) const O_DIRECT: u64 = 0o40000;
    pub(crate) const O_LARGEFILE: u64 = 0o100000;
    pub(crate) const O_DIRECTORY: u64 = 0o200000;
    pub(crate) const O_NOFOLLOW: u64 = 0o400000;
}

#[cfg(target_arch = "aarch64")]
pub(crate) mod arch {
    pub(crate) const O_DIRECTORY: u64 = 0o40000;
    pub(crate) const O_NOFOLLOW: u64 = 0o100000;
    pub(crate) const O_DIRECT: u64 = 0o200000;
    pub(crate) const O_LARGEFILE: u64 = 0o400000;
}

const O_DSYNC: u64 = 0o10000;
const O_SYNC_ONLY: u64 = 0o4000000; // __O_SYNC: O_SYNC is __O_SYNC | O_DSYNC
const O_TMPFILE_ONLY: u64 = 0o20000000; // __O_TMPFILE: O_TMPFILE is __O_TMPFILE | O_DIRECTORY

/// Single-bit flags in the order they are printed.
const NAMED: &[(u64, &str)] = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o20000, "O_ASYNC"),
    (arch::O_DIRECT, "O_DIRECT"),
    (arch::O_LARGEFILE, "O_LARGEFILE"),
    (arch::O_NOFOLLOW, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
];

/// Names for an open flags word: the access mode first, then every set flag; bits with
/// no name are kept as one hex string so nothing is hidden.
pub(crate) fn open_flags(flags: u64) -> Vec<Cow<'static, str>> {
    let mut names = Vec::with_capacity(4);
    each_open_flag(flags, |name| names.push(name));
    names
}

/// `open_flags`' names, one at a time, without collecting them (the writer's hot path).
pub(crate) fn each_open_flag(flags: u64, mut name: impl FnMut(Cow<'static, str>)) {
    name(Cow::Borrowed(match flags & O_ACCMODE {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE", // 3: "special" access, used by some drivers for ioctl-only opens
    }));
    let mut rest = flags & !O_ACCMODE;
    for &(bit, flag) in NAMED {
        if rest & bit != 0 {
            name(Cow::Borrowed(flag));
            rest &= !bit;
        }
    }
    // Multi-bit flags: name the combination, not its parts.
    if rest & O_SYNC_ONLY != 0 {
        name(Cow::Borrowed("O_SYNC"));
        rest &= !(O_SYNC_ONLY | O_DSYNC);
    } else if rest & O_DSYNC != 0 {
        name(Cow::Borrowed("O_DSYNC"));
        rest &= !O_DSYNC;
    }
    if rest & O_TMPFILE_ONLY != 0 {
        name(Cow::Borrowed("O_TMPFILE"));
        rest &= !(O_TMPFILE_ONLY | arch::O_DIRECTORY);
    } else if rest & arch::O_DIRECTORY != 0 {
        name(Cow::Borrowed("O_DIRECTORY"));
        rest &= !arch::O_DIRECTORY;
    }
    if rest != 0 {
        name(Cow::Owned(format!("{rest:#x}")));
    }
}

/// `flags` by the names in `known` (single bits, in the order they are printed), any
/// other bit as one hex string so nothing is hidden.
pub(crate) fn named(flags: u64, known: &[(u64, &'static str)]) -> Vec<Cow<'static, str>> {
    let mut rest = flags;
    let mut names = Vec::new();
    for &(bit, name) in known {
        if rest & bit != 0 {
            names.push(Cow::Borrowed(name));
            rest &= !bit;
        }
    }
    if rest != 0 {
        names.push(Cow::Owned(format!("{rest:#x}")));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(flags: u64) -> Vec<String> {
        open_flags(flags).into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn access_modes() {
        assert_eq!(names(0), ["O_RDONLY"]);
        assert_eq!(names(1), ["O_WRONLY"]);
        assert_eq!(names(2), ["O_RDWR"]);
    }

    #[test]
    fn common_combinations_match_libc() {
        use nix::libc;
        let f = |v: libc::c_int| v as u64;
        assert_eq!(names(f(libc::O_RDONLY | libc::O_CLOEXEC)), ["O_RDONLY", "O_CLOEXEC"]);
        assert_eq!(names(f(libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC)), ["O_WRONLY", "O_CREAT", "O_TRUNC"]);
        assert_eq!(names(f(libc::O_RDONLY | libc::O_NONBLOCK | libc::O_DIRECTORY | libc::O_CLOEXEC)), ["O_RDONLY", "O_NONBLOCK", "O_CLOEXEC", "O_DIRECTORY"]);
        assert_eq!(names(f(libc::O_RDWR | libc::O_SYNC)), ["O_RDWR", "O_SYNC"]);
        assert_eq!(names(f(libc::O_WRONLY | libc::O_DSYNC)), ["O_WRONLY", "O_DSYNC"]);
        assert_eq!(names(f(libc::O_RDWR | libc::O_TMPFILE)), ["O_RDWR", "O_TMPFILE"]);
        assert_eq!(names(f(libc::O_PATH | libc::O_NOFOLLOW)), ["O_RDONLY", "O_NOFOLLOW", "O_PATH"]);
        assert_eq!(names(f(libc::O_WRONLY | libc::O_APPEND | libc::O_EXCL | libc::O_CREAT)), ["O_WRONLY", "O_CREAT", "O_EXCL", "O_APPEND"]);
    }

    #[test]
    fn unknown_bits_are_shown_not_dropped() {
        assert_eq!(names(0o2000000 | (1 << 40)), ["O_RDONLY", "O_CLOEXEC", "0x10000000000"]);
    }
}
