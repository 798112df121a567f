//! Ring-buffer bytes to events. This module owns every `unsafe impl Plain` and every
//! length check: a record that is short or inconsistent is reported as `Malformed` (and
//! counted by the caller), never a panic. Reads use `copy_from_bytes`, which does not
//! need the ring buffer's bytes to be aligned.

use std::mem::{offset_of, size_of};

use plain::Plain;
use thiserror::Error;

use crate::bpf::connect::types::{connect_abi, connect_event};
use crate::bpf::exec::types::{exec_abi, exec_event, exec_source};
use crate::bpf::exit::types::{exit_abi, exit_event};
use crate::bpf::syscall::types::{syscall_abi, syscall_count, syscall_count_key, syscall_event};
use crate::bpf::traffic::types::{traffic_key, traffic_value};
use crate::bpf::open::types::{open_abi, open_event, open_syscall, sysnoop_kind, task_header};
use crate::event::{ConnectEvent, Event, SyscallEvent, ExecEvent, ExecSource, ExitEvent, Kind, OpenEvent, OpenSyscall, Task};
use crate::text;

// SAFETY: generated from the C ABI structs: integers and byte arrays only, every bit
// pattern valid, no padding the C side leaves uninitialised (explicit __pad fields).
unsafe impl Plain for task_header {}
unsafe impl Plain for open_event {}
unsafe impl Plain for exec_event {}
unsafe impl Plain for exit_event {}
unsafe impl Plain for connect_event {}
unsafe impl Plain for traffic_key {}
unsafe impl Plain for traffic_value {}
unsafe impl Plain for syscall_event {}
unsafe impl Plain for syscall_count_key {}
unsafe impl Plain for syscall_count {}

/// The Rust structs libbpf-cargo generated must have the layout the C header asserts.
const OPEN_HEADER: usize = open_abi::OPEN_EVENT_HEADER_SIZE.0 as usize;
const _: () = {
    assert!(size_of::<task_header>() == 48);
    assert!(offset_of!(task_header, kind) == KIND_OFFSET);
    assert!(offset_of!(open_event, path) == OPEN_HEADER);
    assert!(size_of::<open_event>() == OPEN_HEADER + open_abi::OPEN_PATH_MAX.0 as usize);
    assert!(offset_of!(open_event, task) == 0);
    assert!(offset_of!(exec_event, data) == EXEC_HEADER);
    assert!(offset_of!(exec_event, task) == 0);
    assert!(size_of::<exit_event>() == exit_abi::EXIT_EVENT_SIZE.0 as usize);
    assert!(size_of::<connect_event>() == connect_abi::CONNECT_EVENT_SIZE.0 as usize);
    assert!(size_of::<syscall_event>() == syscall_abi::SYSCALL_EVENT_SIZE.0 as usize);
};
const EXEC_HEADER: usize = exec_abi::EXEC_EVENT_HEADER_SIZE.0 as usize;

const KIND_OFFSET: usize = 8;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Malformed {
    #[error("unknown record kind {0}")]
    UnknownKind(u32),
    #[error("record of {len} bytes is shorter than its {need}-byte header")]
    Short { len: usize, need: usize },
    #[error("path_len {path_len} does not fit in a record of {len} bytes")]
    PathLen { path_len: usize, len: usize },
    #[error("unknown open syscall id {0}")]
    UnknownSyscall(u16),
    #[error("filename_len {filename_len} + args_len {args_len} do not fit in a record of {len} bytes")]
    ExecLengths { filename_len: usize, args_len: usize, len: usize },
    #[error("unknown exec source {0}")]
    UnknownSource(u8),
}

fn read<T: Plain + Default>(bytes: &[u8], offset: usize) -> T {
    let mut value = T::default();
    plain::copy_from_bytes(&mut value, &bytes[offset..offset + size_of::<T>()])
        .expect("caller checked the length");
    value
}

fn task(bytes: &[u8]) -> Task {
    let h: task_header = read(bytes, 0);
    Task {
        ts_ns: h.ts_ns,
        pid: h.pid,
        tid: h.tid,
        ppid: h.ppid,
        uid: h.uid,
        comm: text::c_bytes(&h.comm).to_vec(),
    }
}

/// Every entry of a per-CPU hash map: each key with its per-CPU values. Entries whose
/// bytes do not fit the types are skipped (they cannot come from our own programs).
pub fn percpu_entries<K: Plain + Default, V: Plain + Default>(map: &dyn libbpf_rs::MapCore) -> Vec<(K, Vec<V>)> {
    map.keys()
        .filter_map(|key_bytes| {
            let mut key = K::default();
            plain::copy_from_bytes(&mut key, &key_bytes).ok()?;
            let per_cpu = map.lookup_percpu(&key_bytes, libbpf_rs::MapFlags::ANY).ok()??;
            let values = per_cpu
                .iter()
                .filter_map(|bytes| {
                    let mut value = V::default();
                    plain::copy_from_bytes(&mut value, bytes).ok().map(|()| value)
                })
                .collect();
            Some((key, values))
        })
        .collect()
}

/// Any record from the session's ring buffer, told apart by its header's `kind`. A
/// record that fails to decode comes back with its kind when that much was readable.
pub fn record(bytes: &[u8]) -> Result<Event, (Option<Kind>, Malformed)> {
    let Some(raw) = bytes.get(KIND_OFFSET..KIND_OFFSET + 4) else {
        return Err((None, Malformed::Short { len: bytes.len(), need: KIND_OFFSET + 4 }));
    };
    let kind = u32::from_ne_bytes(raw.try_into().unwrap());
    let (kind, decode): (Kind, fn(&[u8]) -> Result<Event, Malformed>) = match sysnoop_kind(kind) {
        sysnoop_kind::SN_KIND_OPEN => (Kind::Open, open),
        sysnoop_kind::SN_KIND_EXEC => (Kind::Exec, exec),
        sysnoop_kind::SN_KIND_EXIT => (Kind::Exit, exit),
        sysnoop_kind::SN_KIND_CONNECT => (Kind::Connect, connect),
        sysnoop_kind::SN_KIND_SYSCALL => (Kind::Syscall, syscall),
        _ => return Err((None, Malformed::UnknownKind(kind))),
    };
    decode(bytes).map_err(|e| (Some(kind), e))
}

/// A record from the open tracer: the fixed header, then `path_len`
/// bytes of path (with its NUL).
pub fn open(bytes: &[u8]) -> Result<Event, Malformed> {
    if bytes.len() < OPEN_HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: OPEN_HEADER });
    }
    let path_len = usize::from(read::<u16>(bytes, offset_of!(open_event, path_len)));
    let path = bytes
        .get(OPEN_HEADER..OPEN_HEADER + path_len)
        .ok_or(Malformed::PathLen { path_len, len: bytes.len() })?;
    let syscall = match open_syscall(u32::from(read::<u16>(bytes, offset_of!(open_event, syscall)))) {
        open_syscall::OPEN_SYSCALL_OPEN => OpenSyscall::Open,
        open_syscall::OPEN_SYSCALL_OPENAT => OpenSyscall::Openat,
        open_syscall::OPEN_SYSCALL_OPENAT2 => OpenSyscall::Openat2,
        open_syscall::OPEN_SYSCALL_CREAT => OpenSyscall::Creat,
        open_syscall(other) => return Err(Malformed::UnknownSyscall(other as u16)),
    };
    Ok(Event::Open(OpenEvent {
        task: task(bytes),
        syscall,
        flags: read(bytes, offset_of!(open_event, flags)),
        mode: read(bytes, offset_of!(open_event, mode)),
        ret: read(bytes, offset_of!(open_event, ret)),
        path: text::until_nul(path).to_vec(),
    }))
}

/// A record from the exec tracer's ring buffer: the fixed header, `filename_len`
/// bytes of filename (with its NUL), then `args_len` bytes of NUL-separated argv.
pub fn exec(bytes: &[u8]) -> Result<Event, Malformed> {
    if bytes.len() < EXEC_HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: EXEC_HEADER });
    }
    let filename_len = read::<u32>(bytes, offset_of!(exec_event, filename_len)) as usize;
    let args_len = read::<u32>(bytes, offset_of!(exec_event, args_len)) as usize;
    let lengths = Malformed::ExecLengths { filename_len, args_len, len: bytes.len() };
    let args_start = EXEC_HEADER.checked_add(filename_len).ok_or(lengths.clone())?;
    let filename = bytes.get(EXEC_HEADER..args_start).ok_or(lengths.clone())?;
    let args = bytes.get(args_start..args_start.checked_add(args_len).ok_or(lengths.clone())?).ok_or(lengths)?;
    let source = match exec_source(u32::from(read::<u8>(bytes, offset_of!(exec_event, source)))) {
        exec_source::EXEC_SOURCE_SCHED => ExecSource::Sched,
        exec_source::EXEC_SOURCE_EXECVE => ExecSource::Execve,
        exec_source::EXEC_SOURCE_EXECVEAT => ExecSource::Execveat,
        exec_source(other) => return Err(Malformed::UnknownSource(other as u8)),
    };
    Ok(Event::Exec(ExecEvent {
        task: task(bytes),
        cgroup_id: read(bytes, offset_of!(exec_event, cgroup_id)),
        ret: read(bytes, offset_of!(exec_event, ret)),
        old_tid: read(bytes, offset_of!(exec_event, old_tid)),
        source,
        filename: text::until_nul(filename).to_vec(),
        args: args.to_vec(),
        args_truncated: read::<u8>(bytes, offset_of!(exec_event, args_truncated)) != 0,
    }))
}

/// A record from the exit tracer's ring buffer: fixed size.
pub fn exit(bytes: &[u8]) -> Result<Event, Malformed> {
    let need = size_of::<exit_event>();
    if bytes.len() < need {
        return Err(Malformed::Short { len: bytes.len(), need });
    }
    let e: exit_event = read(bytes, 0);
    Ok(Event::Exit(ExitEvent {
        task: task(bytes),
        duration_ns: e.duration_ns,
        raw_exit_code: e.exit_code,
        is_thread: e.is_thread != 0,
    }))
}

/// A record from the connect tracer: fixed size.
pub fn connect(bytes: &[u8]) -> Result<Event, Malformed> {
    let need = size_of::<connect_event>();
    if bytes.len() < need {
        return Err(Malformed::Short { len: bytes.len(), need });
    }
    let e: connect_event = read(bytes, 0);
    let path_len = usize::from(e.path_len);
    let path = text::c_bytes(&e.path);
    if path_len > e.path.len() {
        return Err(Malformed::PathLen { path_len, len: e.path.len() });
    }
    // An abstract socket name starts with a NUL and may hold more; a filesystem path
    // ends at its first NUL.
    let raw: Vec<u8> = e.path[..path_len].iter().map(|&c| c as u8).collect();
    let path = if raw.first() == Some(&0) { raw } else { path.to_vec() };
    Ok(Event::Connect(ConnectEvent {
        task: task(bytes),
        ret: e.ret,
        fd: e.fd,
        family: e.family,
        protocol: e.protocol,
        sock_type: e.sock_type,
        sport: e.sport,
        dport: e.dport,
        saddr: e.saddr,
        daddr: e.daddr,
        path,
    }))
}

/// A record from the syscall tracer: fixed size.
pub fn syscall(bytes: &[u8]) -> Result<Event, Malformed> {
    let need = size_of::<syscall_event>();
    if bytes.len() < need {
        return Err(Malformed::Short { len: bytes.len(), need });
    }
    let e: syscall_event = read(bytes, 0);
    let result = (e.returned != 0).then_some((e.ret, e.latency_ns));
    Ok(Event::Syscall(SyscallEvent { task: task(bytes), nr: e.nr, result }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes the kernel sends: built field by field at the C layout's offsets
    /// (bpf/sysnoop.h, bpf/open.h), not through the Rust struct.
    fn kernel_record(syscall: u16, ret: i32, path: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 72];
        b[0..8].copy_from_slice(&123_456_789u64.to_ne_bytes()); // ts_ns
        b[8..12].copy_from_slice(&1u32.to_ne_bytes()); // kind: SN_KIND_OPEN
        b[12..16].copy_from_slice(&4242u32.to_ne_bytes()); // pid
        b[16..20].copy_from_slice(&4243u32.to_ne_bytes()); // tid
        b[20..24].copy_from_slice(&1u32.to_ne_bytes()); // ppid
        b[24..28].copy_from_slice(&1000u32.to_ne_bytes()); // uid
        b[32..36].copy_from_slice(b"cat\0"); // comm[16]
        b[48..56].copy_from_slice(&0o2000000u64.to_ne_bytes()); // flags
        b[56..60].copy_from_slice(&ret.to_ne_bytes()); // ret
        b[60..64].copy_from_slice(&0o644u32.to_ne_bytes()); // mode
        b[64..66].copy_from_slice(&syscall.to_ne_bytes()); // syscall
        let path_len = if path.is_empty() { 0 } else { path.len() as u16 + 1 };
        b[66..68].copy_from_slice(&path_len.to_ne_bytes()); // path_len
        if !path.is_empty() {
            b.extend_from_slice(path);
            b.push(0);
        }
        b
    }

    #[test]
    fn decodes_a_kernel_record() {
        let Event::Open(e) = open(&kernel_record(1, 3, b"/etc/hostname")).unwrap() else { panic!() };
        assert_eq!(
            e,
            OpenEvent {
                task: Task { ts_ns: 123_456_789, pid: 4242, tid: 4243, ppid: 1, uid: 1000, comm: b"cat".to_vec() },
                syscall: OpenSyscall::Openat,
                flags: 0o2000000,
                mode: 0o644,
                ret: 3,
                path: b"/etc/hostname".to_vec(),
            }
        );
    }

    #[test]
    fn unaligned_bytes_decode() {
        let record = kernel_record(2, -2, b"/nope");
        let mut shifted = vec![0u8; 1];
        shifted.extend_from_slice(&record);
        let Event::Open(e) = open(&shifted[1..]).unwrap() else { panic!() };
        assert_eq!((e.syscall, e.ret, e.path.as_slice()), (OpenSyscall::Openat2, -2, &b"/nope"[..]));
    }

    #[test]
    fn unreadable_path_is_empty() {
        let Event::Open(e) = open(&kernel_record(0, -14, b"")).unwrap() else { panic!() };
        assert_eq!(e.path, b"");
    }

    #[test]
    fn malformed_records_are_errors_not_panics() {
        assert_eq!(open(&[0u8; 10]), Err(Malformed::Short { len: 10, need: 72 }));
        assert_eq!(open(&[]), Err(Malformed::Short { len: 0, need: 72 }));
        let mut long_path = kernel_record(1, 3, b"/x");
        long_path[66..68].copy_from_slice(&500u16.to_ne_bytes());
        assert_eq!(open(&long_path), Err(Malformed::PathLen { path_len: 500, len: 75 }));
        assert_eq!(open(&kernel_record(9, 3, b"/x")), Err(Malformed::UnknownSyscall(9)));
        // Every truncation of a valid record is either decoded or reported.
        let good = kernel_record(1, 3, b"/etc/hostname");
        for n in 0..good.len() {
            assert!(open(&good[..n]).is_err(), "{n}");
        }
    }

    /// An exec record as the kernel sends it (bpf/exec.h offsets).
    fn exec_record(source: u8, ret: i32, filename: &[u8], args: &[u8], truncated: bool) -> Vec<u8> {
        let mut b = vec![0u8; 80];
        b[0..8].copy_from_slice(&5u64.to_ne_bytes()); // ts_ns
        b[8..12].copy_from_slice(&2u32.to_ne_bytes()); // kind: SN_KIND_EXEC
        b[12..16].copy_from_slice(&100u32.to_ne_bytes()); // pid
        b[16..20].copy_from_slice(&100u32.to_ne_bytes()); // tid
        b[20..24].copy_from_slice(&1u32.to_ne_bytes()); // ppid
        b[32..36].copy_from_slice(b"ls\0\0"); // comm
        b[48..56].copy_from_slice(&777u64.to_ne_bytes()); // cgroup_id
        b[56..60].copy_from_slice(&ret.to_ne_bytes()); // ret
        b[60..64].copy_from_slice(&99u32.to_ne_bytes()); // old_tid
        let mut name = filename.to_vec();
        name.push(0);
        b[64..68].copy_from_slice(&(name.len() as u32).to_ne_bytes()); // filename_len
        b[68..72].copy_from_slice(&(args.len() as u32).to_ne_bytes()); // args_len
        b[72..76].copy_from_slice(&(args.len() as u32).to_ne_bytes()); // args_total
        b[76] = source;
        b[77] = u8::from(truncated);
        b.extend_from_slice(&name);
        b.extend_from_slice(args);
        b
    }

    #[test]
    fn decodes_an_exec_record() {
        let record = exec_record(0, 0, b"/usr/bin/ls", b"ls\0-l\0\0a b\0", false);
        let Event::Exec(e) = exec(&record).unwrap() else { panic!() };
        assert_eq!(e.task.pid, 100);
        assert_eq!(e.task.comm, b"ls");
        assert_eq!(e.cgroup_id, 777);
        assert_eq!(e.old_tid, 99);
        assert_eq!(e.source, ExecSource::Sched);
        assert_eq!(e.filename, b"/usr/bin/ls");
        assert_eq!(e.argv(), [&b"ls"[..], b"-l", b"", b"a b"]);
        assert!(!e.args_truncated);
    }

    #[test]
    fn failed_and_truncated_execs() {
        let Event::Exec(e) = exec(&exec_record(1, -2, b"/nope", b"/nope\0x", true)).unwrap() else { panic!() };
        assert_eq!((e.source, e.ret), (ExecSource::Execve, -2));
        // Cut inside the second argument: its start is kept.
        assert_eq!(e.argv(), [&b"/nope"[..], b"x"]);
        assert!(e.args_truncated);
        let Event::Exec(e) = exec(&exec_record(2, -13, b"", b"", false)).unwrap() else { panic!() };
        assert_eq!(e.source, ExecSource::Execveat);
        assert!(e.argv().is_empty() && e.filename.is_empty());
    }

    #[test]
    fn malformed_exec_records() {
        assert!(matches!(exec(&[0u8; 79]), Err(Malformed::Short { .. })));
        let mut bad = exec_record(0, 0, b"/bin/ls", b"ls\0", false);
        bad[68..72].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(matches!(exec(&bad), Err(Malformed::ExecLengths { .. })));
        assert_eq!(exec(&exec_record(7, 0, b"/x", b"", false)), Err(Malformed::UnknownSource(7)));
        let good = exec_record(0, 0, b"/bin/ls", b"ls\0-a\0", false);
        for n in 0..good.len() {
            assert!(exec(&good[..n]).is_err(), "{n}");
        }
    }

    #[test]
    fn decodes_an_exit_record() {
        let mut b = vec![0u8; 64];
        b[8..12].copy_from_slice(&3u32.to_ne_bytes()); // kind: SN_KIND_EXIT
        b[12..16].copy_from_slice(&321u32.to_ne_bytes()); // pid
        b[16..20].copy_from_slice(&322u32.to_ne_bytes()); // tid
        b[32..36].copy_from_slice(b"job\0");
        b[48..56].copy_from_slice(&250_000_000u64.to_ne_bytes()); // duration_ns
        b[56..60].copy_from_slice(&0x0700u32.to_ne_bytes()); // exit_code: exit(7)
        b[60] = 1; // is_thread
        let Event::Exit(e) = exit(&b).unwrap() else { panic!() };
        assert_eq!((e.task.pid, e.task.tid, e.duration_ns, e.raw_exit_code, e.is_thread), (321, 322, 250_000_000, 0x700, true));
        assert_eq!(e.task.comm, b"job");
        assert!(matches!(exit(&b[..63]), Err(Malformed::Short { len: 63, need: 64 })));
    }

    #[test]
    fn records_are_told_apart_by_kind() {
        assert!(matches!(record(&kernel_record(1, 3, b"/x")), Ok(Event::Open(_))));
        assert!(matches!(record(&exec_record(0, 0, b"/x", b"x\0", false)), Ok(Event::Exec(_))));
        let mut unknown = kernel_record(1, 3, b"/x");
        unknown[8..12].copy_from_slice(&0u32.to_ne_bytes());
        assert_eq!(record(&unknown), Err((None, Malformed::UnknownKind(0))));
        assert_eq!(record(&[1, 2, 3]), Err((None, Malformed::Short { len: 3, need: 12 })));
        // A known kind with a bad body is attributed to that kind.
        let short = &kernel_record(1, 3, b"/x")[..40];
        assert!(matches!(record(short), Err((Some(Kind::Open), Malformed::Short { .. }))));
    }

    #[test]
    fn decodes_a_syscall_record() {
        let mut b = vec![0u8; 72];
        b[8..12].copy_from_slice(&5u32.to_ne_bytes()); // kind: SN_KIND_SYSCALL
        b[12..16].copy_from_slice(&77u32.to_ne_bytes()); // pid
        b[48..56].copy_from_slice(&(-9i64).to_ne_bytes()); // ret: -EBADF
        b[56..64].copy_from_slice(&1234u64.to_ne_bytes()); // latency_ns
        b[64..68].copy_from_slice(&3u32.to_ne_bytes()); // nr
        b[68] = 1; // returned
        let Ok(Event::Syscall(e)) = record(&b) else { panic!() };
        assert_eq!((e.task.pid, e.nr, e.result), (77, 3, Some((-9, 1234))));
        assert!(matches!(record(&b[..71]), Err((Some(Kind::Syscall), Malformed::Short { .. }))));
        // exit_group, reported at its enter: no result.
        b[64..68].copy_from_slice(&231u32.to_ne_bytes());
        b[68] = 0;
        let Ok(Event::Syscall(e)) = record(&b) else { panic!() };
        assert_eq!((e.nr, e.result), (231, None));
    }

    /// One real record of every kind the ring buffer carries, as the kernel lays it out.
    fn real_records() -> Vec<(Kind, Vec<u8>)> {
        let fixed = |kind: u32, size: usize, fill: &dyn Fn(&mut Vec<u8>)| {
            let mut b = vec![0u8; size];
            b[8..12].copy_from_slice(&kind.to_ne_bytes());
            b[12..16].copy_from_slice(&7u32.to_ne_bytes()); // pid
            b[32..36].copy_from_slice(b"job\0"); // comm
            fill(&mut b);
            b
        };
        vec![
            (Kind::Open, kernel_record(1, 3, b"/etc/hostname")),
            (Kind::Exec, exec_record(0, 0, b"/bin/ls", b"ls\0-l\0", false)),
            (Kind::Exit, fixed(3, 64, &|_| ())),
            (Kind::Connect, fixed(4, 216, &|b| {
                b[56..58].copy_from_slice(&1u16.to_ne_bytes()); // family: AF_UNIX
                b[66..68].copy_from_slice(&5u16.to_ne_bytes()); // path_len
                b[100..105].copy_from_slice(b"/sock"); // path
            })),
            (Kind::Syscall, fixed(5, 72, &|b| b[68] = 1)),
        ]
    }

    #[test]
    fn real_records_of_every_kind_decode() {
        for (kind, bytes) in real_records() {
            assert_eq!(record(&bytes).map(|e| e.kind()), Ok(kind));
        }
    }

    /// Every truncation of a real record of every kind is malformed, and attributed to its
    /// kind once the kind is readable.
    #[test]
    fn every_truncation_of_every_kind_is_malformed() {
        for (kind, bytes) in real_records() {
            for n in 0..bytes.len() {
                match record(&bytes[..n]) {
                    Err((Some(k), _)) => assert!(n >= 12 && k == kind, "{kind:?} cut at {n}"),
                    Err((None, _)) => assert!(n < 12, "{kind:?} cut at {n}"),
                    Ok(_) => panic!("{kind:?} cut at {n} decoded"),
                }
            }
        }
    }

    proptest::proptest! {
        /// Arbitrary bytes, with a kind sysnoop knows or not: a record or an error, never
        /// a panic; an error names the kind in the header when there is one.
        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), kind in 0u32..8) {
            if bytes.len() >= 12 {
                bytes[8..12].copy_from_slice(&kind.to_ne_bytes());
            }
            match record(&bytes) {
                Ok(event) => proptest::prop_assert!(bytes.len() >= 48 && (1..=5).contains(&kind), "{event:?}"),
                Err((Some(k), _)) => proptest::prop_assert_eq!(Some(k), real_records().iter().map(|(k, _)| *k).nth(kind as usize - 1)),
                Err((None, _)) => proptest::prop_assert!(bytes.len() < 12 || !(1..=5).contains(&kind)),
            }
        }

        /// Real records of every kind with bytes overwritten anywhere after the header's
        /// kind (lengths and ids included) and cut anywhere: never a panic.
        #[test]
        fn corrupted_real_records_never_panic(
            which in 0usize..5,
            edits in proptest::collection::vec((12usize..400, proptest::num::u8::ANY), 0..16),
            cut in proptest::option::of(0usize..400),
        ) {
            let (kind, mut bytes) = real_records().swap_remove(which);
            for (at, value) in edits {
                if let Some(b) = bytes.get_mut(at) {
                    *b = value;
                }
            }
            let bytes = &bytes[..cut.unwrap_or(usize::MAX).min(bytes.len())];
            match record(bytes) {
                Ok(event) => proptest::prop_assert_eq!(event.kind(), kind),
                Err((k, _)) => proptest::prop_assert!(k.is_none() || k == Some(kind)),
            }
        }
    }
}
