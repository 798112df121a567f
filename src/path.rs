//! Full paths: the text of a name the BPF side walked (bpf/path.bpf.h), put together
//! the way the kernel's d_path() writes it, so a record's `full_path` is what `readlink
//! /proc/PID/fd/N` showed. Pure: unit-tested with the bytes records carry.

use std::borrow::Cow;

use serde::Serialize;

use crate::abi::{sysnoop_path_flags, sysnoop_path_source};
use crate::decode::Malformed;
use crate::text;

/// What a record's walked name is, as bpf/sysnoop.h's `enum sysnoop_path_source` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    None,
    /// The file's own name.
    File,
    /// The base directory's name: the path as passed is joined to it.
    Base,
    /// The path as passed is absolute.
    Absolute,
    Pipe,
    Socket,
    AnonInode,
    Namespace,
    Shmem,
    /// A pseudo file whose filesystem names it in a way sysnoop does not mirror.
    Unnamed,
}

impl Source {
    pub(crate) fn from_abi(value: u8) -> Option<Source> {
        Some(match sysnoop_path_source(u32::from(value)) {
            sysnoop_path_source::SN_PATH_NONE => Source::None,
            sysnoop_path_source::SN_PATH_FILE => Source::File,
            sysnoop_path_source::SN_PATH_BASE => Source::Base,
            sysnoop_path_source::SN_PATH_ABSOLUTE => Source::Absolute,
            sysnoop_path_source::SN_PATH_PIPE => Source::Pipe,
            sysnoop_path_source::SN_PATH_SOCKET => Source::Socket,
            sysnoop_path_source::SN_PATH_ANON_INODE => Source::AnonInode,
            sysnoop_path_source::SN_PATH_NAMESPACE => Source::Namespace,
            sysnoop_path_source::SN_PATH_SHMEM => Source::Shmem,
            sysnoop_path_source::SN_PATH_UNNAMED => Source::Unnamed,
            _ => return None,
        })
    }
}

/// A full path as a record carries it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FullPath {
    /// None when there is none to give: the file could not be looked up, or its
    /// filesystem names it in a way sysnoop does not mirror.
    pub(crate) path: Option<Vec<u8>>,
    /// The walk was cut (too deep, or longer than PATH_MAX): `path` holds the
    /// components nearest the file, without the leading ones.
    pub(crate) truncated: bool,
}

impl FullPath {
    /// Gives its buffer back to the poll thread's pool (src/pool.rs), which `assemble`
    /// takes it from.
    pub(crate) fn recycle(self) {
        if let Some(path) = self.path {
            crate::pool::give(path);
        }
    }

    /// The path as records show it, and its bytes in hex when they are not UTF-8.
    pub(crate) fn rendered(&self) -> (Option<Cow<'_, str>>, Option<String>) {
        match self.path.as_deref().map(text::render) {
            Some(r) => (Some(r.text), r.hex),
            None => (None, None),
        }
    }
}

const DELETED: &[u8] = b" (deleted)";

/// Is a walked name (its ABI source and flags) a file with no name on any filesystem:
/// an internal shmem file (a memfd), another pseudo file, or an unlinked one? What an
/// exec's `fileless` says of its executable.
pub(crate) fn in_memory(source: u8, flags: u8) -> bool {
    let deleted = u32::from(flags) & sysnoop_path_flags::SN_PATH_DELETED.0 != 0;
    match Source::from_abi(source) {
        Some(Source::Shmem | Source::Unnamed | Source::AnonInode) => true,
        Some(Source::File) => deleted,
        _ => false,
    }
}

/// A walked name in a record: `len` bytes at `start` of `bytes`, meaning `source` (the
/// ABI byte), put together with `passed`; `field` names the length when it overruns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode(
    bytes: &[u8],
    start: usize,
    len: usize,
    source: u8,
    flags: u8,
    ino: u64,
    passed: &[u8],
    field: &'static str,
) -> Result<FullPath, Malformed> {
    let walked = start.checked_add(len).and_then(|end| bytes.get(start..end)).ok_or(Malformed::Length { field, value: len, len: bytes.len() })?;
    let source = Source::from_abi(source).ok_or(Malformed::Unknown { field: "full path source", value: u32::from(source) })?;
    Ok(assemble(source, walked, passed, ino, flags))
}

/// Puts the name together: `walked` is what the BPF side walked (meaning `source`),
/// `passed` the path as passed to the call, `ino` a pseudo file's inode, `flags`
/// `enum sysnoop_path_flags`.
pub(crate) fn assemble(source: Source, walked: &[u8], passed: &[u8], ino: u64, flags: u8) -> FullPath {
    let truncated = u32::from(flags) & sysnoop_path_flags::SN_PATH_TRUNCATED.0 != 0;
    let deleted = u32::from(flags) & sysnoop_path_flags::SN_PATH_DELETED.0 != 0;
    let rooted = |walked: &[u8]| crate::pool::bytes(if walked.is_empty() { b"/" } else { walked });
    let path = match source {
        Source::None | Source::Unnamed => None,
        Source::File => {
            let mut path = rooted(walked);
            if deleted {
                path.extend_from_slice(DELETED);
            }
            Some(path)
        }
        Source::Base => {
            let mut path = crate::pool::bytes(walked); // "" for the root: "/" + passed
            if !passed.is_empty() {
                path.push(b'/');
                path.extend_from_slice(passed);
            }
            if path.is_empty() {
                path.push(b'/');
            }
            Some(path)
        }
        Source::Absolute => Some(crate::pool::bytes(passed)),
        Source::Pipe => Some(format!("pipe:[{ino}]").into_bytes()),
        Source::Socket => Some(format!("socket:[{ino}]").into_bytes()),
        Source::AnonInode => Some([b"anon_inode:", walked].concat()),
        Source::Namespace => Some([walked, format!(":[{ino}]").as_bytes()].concat()),
        Source::Shmem => Some([b"/", walked, DELETED].concat()),
    };
    FullPath { path, truncated }
}

pub(crate) const AT_FDCWD: i32 = -100;

/// A descriptor argument: "AT_FDCWD" or the number.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Dirfd {
    Cwd(&'static str),
    Fd(i32),
}

pub(crate) fn dirfd(fd: i32) -> Dirfd {
    if fd == AT_FDCWD {
        Dirfd::Cwd("AT_FDCWD")
    } else {
        Dirfd::Fd(fd)
    }
}

/// Bytes as records show them, with their hex when not UTF-8.
pub(crate) fn shown(bytes: Option<&[u8]>) -> (Option<Cow<'static, str>>, Option<String>) {
    match bytes.map(text::render) {
        Some(r) => (Some(Cow::Owned(r.text.into_owned())), r.hex),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(source: Source, walked: &[u8], passed: &[u8], ino: u64, flags: u8) -> Option<String> {
        assemble(source, walked, passed, ino, flags).path.map(|p| String::from_utf8(p).unwrap())
    }

    #[test]
    fn files_in_memory() {
        let source = |s: sysnoop_path_source| s.0 as u8;
        let deleted = sysnoop_path_flags::SN_PATH_DELETED.0 as u8;
        assert!(in_memory(source(sysnoop_path_source::SN_PATH_SHMEM), 0), "a memfd");
        assert!(in_memory(source(sysnoop_path_source::SN_PATH_FILE), deleted), "an unlinked file");
        assert!(in_memory(source(sysnoop_path_source::SN_PATH_UNNAMED), 0));
        assert!(!in_memory(source(sysnoop_path_source::SN_PATH_FILE), 0));
        assert!(!in_memory(source(sysnoop_path_source::SN_PATH_NONE), 0), "a failed exec has no file");
    }

    /// Each form as `readlink /proc/PID/fd/N` shows it (fs/d_path.c and the
    /// filesystems' d_dname).
    #[test]
    fn names_as_the_kernel_writes_them() {
        assert_eq!(full(Source::File, b"/etc/hostname", b"hostname", 0, 0).as_deref(), Some("/etc/hostname"));
        assert_eq!(full(Source::File, b"", b"/", 0, 0).as_deref(), Some("/"));
        assert_eq!(full(Source::File, b"/tmp/x", b"x", 0, 2).as_deref(), Some("/tmp/x (deleted)"));
        assert_eq!(full(Source::Base, b"/home/u", b"../v/./f", 0, 0).as_deref(), Some("/home/u/../v/./f"));
        assert_eq!(full(Source::Base, b"", b"etc/x", 0, 0).as_deref(), Some("/etc/x"));
        assert_eq!(full(Source::Base, b"/srv", b"", 0, 0).as_deref(), Some("/srv"));
        assert_eq!(full(Source::Base, b"", b"", 0, 0).as_deref(), Some("/"));
        assert_eq!(full(Source::Absolute, b"", b"/no/such", 0, 0).as_deref(), Some("/no/such"));
        assert_eq!(full(Source::Pipe, b"", b"/proc/self/fd/3", 41_234, 0).as_deref(), Some("pipe:[41234]"));
        assert_eq!(full(Source::Socket, b"", b"x", 7, 0).as_deref(), Some("socket:[7]"));
        assert_eq!(full(Source::AnonInode, b"[eventfd]", b"x", 0, 0).as_deref(), Some("anon_inode:[eventfd]"));
        assert_eq!(full(Source::Namespace, b"net", b"/proc/self/ns/net", 4_026_531_840, 0).as_deref(), Some("net:[4026531840]"));
        assert_eq!(full(Source::Shmem, b"memfd:buf", b"/proc/self/fd/5", 0, 0).as_deref(), Some("/memfd:buf (deleted)"));
        assert_eq!(full(Source::None, b"", b"rel", 0, 0), None);
        assert_eq!(full(Source::Unnamed, b"", b"x", 0, 0), None);
    }

    #[test]
    fn a_cut_walk_is_flagged() {
        let cut = assemble(Source::File, b"/c/d", b"d", 0, 1);
        assert_eq!((cut.path.as_deref(), cut.truncated), (Some(&b"/c/d"[..]), true));
        assert!(!assemble(Source::File, b"/c/d", b"d", 0, 2).truncated);
    }

    #[test]
    fn every_abi_source_is_known() {
        for value in 0..=9 {
            assert!(Source::from_abi(value).is_some(), "{value}");
        }
        assert_eq!(Source::from_abi(10), None);
    }
}
