//! Syscall numbers and names for the target architecture, from the generated tables in
//! `syscall_names.rs` (regenerate with scripts/gen-syscalls). Numbers the table does not
//! know (syscalls newer than the headers it came from) print as `syscall_<nr>`. Each
//! syscall's arguments and tracepoint name come from `syscall_args.rs`
//! (scripts/gen-syscall-args).

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::{syscall_args, syscall_names};

#[cfg(target_arch = "aarch64")]
const TABLE: &[(u32, &str)] = syscall_names::AARCH64;
#[cfg(not(target_arch = "aarch64"))]
const TABLE: &[(u32, &str)] = syscall_names::X86_64;

/// The table by number: a record per call looks its name up, and an index is cheaper
/// than a search.
const NAMES: [&str; names_len(TABLE)] = by_number(TABLE);

/// The name of syscall `nr` on this architecture, or `syscall_<nr>`.
pub(crate) fn name(nr: u32) -> Cow<'static, str> {
    name_in(&NAMES, nr)
}

/// One past the highest number in `table` (sorted).
const fn names_len(table: &[(u32, &str)]) -> usize {
    table[table.len() - 1].0 as usize + 1
}

/// `table`'s names at their numbers, "" where it has none.
const fn by_number<const N: usize>(table: &[(u32, &'static str)]) -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < table.len() {
        names[table[i].0 as usize] = table[i].1;
        i += 1;
    }
    names
}

/// The number of the syscall called `name` on this architecture.
pub fn number(name: &str) -> Option<u32> {
    TABLE.iter().find(|&&(_, n)| n == name).map(|&(nr, _)| nr)
}

/// A syscall's arguments, as (C type, name), in order.
pub(crate) type Args = &'static [(&'static str, &'static str)];

/// The arguments of syscall `nr` on this architecture, when the generated table has them.
pub(crate) fn args(nr: u32) -> Option<Args> {
    static BY_NUMBER: OnceLock<Vec<Option<Args>>> = OnceLock::new();
    let table = BY_NUMBER.get_or_init(|| NAMES.iter().map(|&name| prototype(name).map(|(_, args)| args)).collect());
    table.get(nr as usize).copied().flatten()
}

/// The name of `syscall`'s sys_enter_/sys_exit_ tracepoints: its own, but for the few
/// the kernel defines under another (stat is sys_newstat).
pub(crate) fn tracepoint(syscall: &str) -> &str {
    prototype(syscall).map_or(syscall, |(tracepoint, _)| tracepoint)
}

fn prototype(name: &str) -> Option<(&'static str, Args)> {
    let table = syscall_args::PROTOTYPES;
    table.binary_search_by(|&(n, _, _)| n.cmp(name)).ok().map(|i| (table[i].1, table[i].2))
}

fn name_in(names: &[&'static str], nr: u32) -> Cow<'static, str> {
    match names.get(nr as usize) {
        Some(&name) if !name.is_empty() => Cow::Borrowed(name),
        _ => Cow::Owned(format!("syscall_{nr}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique() {
        for table in [syscall_names::X86_64, syscall_names::AARCH64] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
            let mut names: Vec<&str> = table.iter().map(|&(_, n)| n).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), table.len());
        }
    }

    #[test]
    fn x86_64_names() {
        let t = &by_number::<{ names_len(syscall_names::X86_64) }>(syscall_names::X86_64);
        for (nr, expected) in [(0, "read"), (2, "open"), (3, "close"), (59, "execve"), (257, "openat"), (322, "execveat"), (437, "openat2"), (462, "mseal")] {
            assert_eq!(name_in(t, nr), expected);
        }
        assert_eq!(name_in(t, 9999), "syscall_9999");
        // 335..=386 are unused on x86_64.
        assert_eq!(name_in(t, 380), "syscall_380");
    }

    #[test]
    fn aarch64_names() {
        let t = &by_number::<{ names_len(syscall_names::AARCH64) }>(syscall_names::AARCH64);
        for (nr, expected) in [(56, "openat"), (57, "close"), (63, "read"), (80, "fstat"), (203, "connect"), (221, "execve"), (437, "openat2")] {
            assert_eq!(name_in(t, nr), expected);
        }
        // aarch64 has no open(2).
        assert!(!t.contains(&"open"));
    }

    #[test]
    fn prototypes_are_sorted_and_known() {
        assert!(syscall_args::PROTOTYPES.windows(2).all(|w| w[0].0 < w[1].0));
        let openat = args(number("openat").unwrap()).unwrap();
        assert_eq!(openat, &[("int", "dfd"), ("const char *", "filename"), ("int", "flags"), ("umode_t", "mode")]);
        assert_eq!(args(number("getppid").unwrap()), Some(&[][..]));
        assert!(syscall_args::PROTOTYPES.iter().all(|&(_, _, args)| args.len() <= 6));
        assert_eq!(tracepoint("stat"), "newstat");
        assert_eq!(tracepoint("openat"), "openat");
        assert_eq!(args(9999), None);
    }

    #[test]
    fn numbers_for_this_arch() {
        assert_eq!(number("openat"), Some(if cfg!(target_arch = "aarch64") { 56 } else { 257 }));
        assert_eq!(number("no_such_syscall"), None);
        assert_eq!(name(number("close").unwrap()), "close");
    }
}
