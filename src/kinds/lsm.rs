//! `sysnoop lsm`: BPF-LSM's `file_open` and `socket_connect` hooks (bpf/lsm.bpf.c), for
//! observation only. They see what syscall tracepoints miss: every file opened, whoever
//! opens it (exec, io_uring, the kernel) and as the lookup ended, and connects made by
//! io_uring. Where the kernel will not run lsm programs (BPF-LSM not in `lsm=`, or
//! refused at load) the run says so and how to enable it; `all` goes on without them.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::{offset_of, size_of};

use anyhow::{anyhow, Result};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::abi::sysnoop_kind;
use crate::bpf::lsm::types::{lsm_abi, lsm_connect_event, lsm_file_open_event, lsm_slot};
use crate::bpf::lsm::LsmBpfSkel;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::socket::{socket_ends, SocketEnds};
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{counted, Hooks, Loaded, Shared};
use crate::ocsf::{Actor, Class, ConnectionInfo, Endpoint, File, Ocsf};
use crate::schema::Field;
use crate::loader::Source;
use crate::features::{self, Version};
use crate::{flags, plain_abi, text};

/// Trace BPF-LSM's file_open and socket_connect hooks: every file opened, whoever opens
/// it (open(2), exec, io_uring, the kernel), named as the lookup ended, with its inode,
/// device and mode; and every connect about to be made, io_uring's included.
///
/// Needs a kernel booted with BPF-LSM active (bpf in lsm=, CONFIG_BPF_LSM=y). The
/// programs observe only: they return the verdict they were given and deny nothing.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "LSM options")]
pub(crate) struct LsmOptions {}

pub(crate) struct Lsm;

/// What `sysnoop lsm` and `doctor` say when the kernel will not run lsm programs.
pub(crate) const ENABLE: &str = "BPF-LSM needs a kernel built with CONFIG_BPF_LSM=y and booted with bpf in its LSM list: \
                          add it to the lsm= kernel parameter (the current list is in /sys/kernel/security/lsm), \
                          e.g. lsm=lockdown,capability,landlock,bpf";

impl Tracer for Lsm {
    const NAME: &'static str = "lsm";
    const IN_ALL: InAll = InAll::IfAvailable { unavailable: "lsm is not traced" };
    const TRACEPOINTS: bool = false;
    type Options = LsmOptions;

    fn load(shared: &Shared, _: &LsmOptions) -> Result<Loaded> {
        if let Some(e) = refused_outright() {
            return Err(anyhow!("{}", unavailable(&format!("the kernel refused the lsm programs (loading a two-instruction lsm program: {e})"))));
        }
        // bpf_d_path names the file where the kernel lets lsm programs call it (5.11+);
        // else the walk open records use. Which one, the kernel says only by refusing.
        let d_path = features::get().forced_off(D_PATH_SINCE).is_none();
        let load = |d_path: bool| -> Result<LsmBpfSkel<'static>> {
            let mut open = shared.open::<LsmBpfSkel>()?;
            open.progs.file_open.set_autoload(d_path);
            open.progs.file_open_walk.set_autoload(!d_path);
            // A refusal is this kind's expected answer on many hosts: libbpf's own lines
            // about it (a hint to raise `ulimit -l`, wrong here) only with -v, as ever.
            shared.load_and_attach::<LsmBpfSkel>(open)
        };
        let (skel, walked) = match (d_path, load(d_path)) {
            (_, Ok(skel)) => (skel, !d_path),
            // EPERM and the like refuse every lsm program: only a verifier's refusal
            // (EINVAL) can be bpf_d_path's.
            (true, Err(e)) if is_invalid(&e) => match load(false) {
                Ok(skel) => (skel, true),
                Err(walk) => return Err(anyhow!("{}", unavailable(&format!("the kernel refused the lsm programs ({e:#}; without bpf_d_path: {walk:#})")))),
            },
            (_, Err(e)) => return Err(anyhow!("{}", unavailable(&format!("the kernel refused the lsm programs ({e:#})")))),
        };
        shared
            .live(&skel, &[lsm_slot::LSM_SLOT_FILE_OPEN.0, lsm_slot::LSM_SLOT_SOCKET_CONNECT.0], probe_calls)
            .map_err(|e| anyhow!("{}", unavailable(&format!("the lsm programs attached but do not run ({e:#})"))))?;
        let file_open = if walked { FILE_OPEN_WALKED } else { "lsm/file_open" };
        let hooks = Hooks::new(Self::NAME, vec![file_open.into(), "lsm/socket_connect".into()]).on::<LsmBpfSkel>();
        // One object counts for both records: its kernel counts (filtered, lost) are
        // reported under lsm_file_open.
        let sources = vec![counted(Kind::LsmFileOpen, &skel)?, Source { kind: Kind::LsmConnect, counters: None, skippable: None }];
        Ok(Loaded { hooks, sources, periodic: None, dedup: None, snapshot: None, attached: Box::new(skel) })
    }
}

/// The file_open hook as named where it walks the path (no bpf_d_path in lsm programs).
pub(crate) const FILE_OPEN_WALKED: &str = "lsm/file_open (path walked: no bpf_d_path in lsm programs)";

/// Since when lsm programs may call bpf_d_path (on file_open: the sleepable hooks, 5.11).
pub(crate) const D_PATH_SINCE: Version = Version(5, 11);

/// Whether a load failed with EINVAL: the verifier's refusal.
fn is_invalid(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<libbpf_rs::Error>().is_some_and(|e| e.kind() == libbpf_rs::ErrorKind::InvalidInput))
}

/// Why BPF-LSM cannot be used here (`what` happened), with the active LSMs, and what
/// would enable it.
pub(crate) fn unavailable(what: &str) -> String {
    match crate::preflight::active_lsms() {
        Ok(lsms) if lsms.iter().any(|l| l == "bpf") => format!(
            "BPF-LSM is not available: {what}, although bpf is among the active LSMs ({}). Some kernels refuse \
             lsm programs all the same; {ENABLE}",
            lsms.join(",")
        ),
        Ok(lsms) => format!("BPF-LSM is not available: {what}; bpf is not among the active LSMs ({}). {ENABLE}", lsms.join(",")),
        Err(e) => format!("BPF-LSM is not available: {what} (the active LSMs are unknown: {e}). {ENABLE}"),
    }
}

/// Whether the kernel refuses lsm programs before it looks at them: EPERM for a
/// two-instruction one (privileges, or a policy against the program type). Then the
/// object is not opened and relocated against the kernel's BTF (what this kind costs
/// `all`'s start-up, on the hosts that refuse it). Any other answer (its attach point is
/// bogus on purpose) leaves the verdict to the real load.
fn refused_outright() -> Option<std::io::Error> {
    use libbpf_rs::libbpf_sys::{bpf_insn, bpf_prog_load, bpf_prog_load_opts, BPF_LSM_MAC, BPF_PROG_TYPE_LSM};
    // r0 = 0; exit
    let mut insns = [bpf_insn { code: 0xb7, ..Default::default() }, bpf_insn { code: 0x95, ..Default::default() }];
    let mut opts = bpf_prog_load_opts { sz: std::mem::size_of::<bpf_prog_load_opts>() as _, expected_attach_type: BPF_LSM_MAC, attach_btf_id: 1, ..Default::default() };
    // SAFETY: a valid program of two instructions, a NUL-terminated license, sized opts.
    let fd = unsafe { bpf_prog_load(BPF_PROG_TYPE_LSM, std::ptr::null(), c"GPL".as_ptr(), insns.as_mut_ptr(), insns.len() as _, &mut opts) };
    if fd >= 0 {
        // SAFETY: a descriptor the kernel just gave, closed once.
        drop(unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) });
        return None;
    }
    (-fd == nix::libc::EPERM).then(|| std::io::Error::from_raw_os_error(-fd))
}

/// sysnoop opens a file and connects a UDP socket (nothing is sent): each reaches
/// its hook.
fn probe_calls() {
    let _ = std::fs::File::open("/proc/self/stat");
    if let Ok(socket) = std::net::UdpSocket::bind("127.0.0.1:0") {
        let _ = socket.connect("127.0.0.1:9");
    }
}

plain_abi!(lsm_file_open_event);
plain_abi!(lsm_connect_event);

const FILE_HEADER: usize = lsm_abi::LSM_FILE_HEADER_SIZE.0 as usize;
const _: () = {
    assert!(offset_of!(lsm_file_open_event, path) == FILE_HEADER);
    assert!(size_of::<lsm_connect_event>() == lsm_abi::LSM_CONNECT_EVENT_SIZE.0 as usize);
};

/// A file being opened, from lsm/file_open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LsmFileOpenEvent {
    pub(crate) task: Task,
    pub(crate) inode: u64,
    /// The kernel's dev_t: major << 20 | minor.
    pub(crate) dev: u32,
    pub(crate) flags: u32,
    /// i_mode: the file type and permission bits.
    pub(crate) mode: u16,
    pub(crate) path: Vec<u8>,
    pub(crate) path_truncated: bool,
}

fn decode_file(bytes: &[u8]) -> Result<LsmFileOpenEvent, Malformed> {
    if bytes.len() < FILE_HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: FILE_HEADER });
    }
    let path_len = decode::read::<u32>(bytes, offset_of!(lsm_file_open_event, path_len)) as usize;
    let path = FILE_HEADER
        .checked_add(path_len)
        .and_then(|end| bytes.get(FILE_HEADER..end))
        .ok_or(Malformed::Length { field: "path_len", value: path_len, len: bytes.len() })?;
    let truncated = decode::read::<u8>(bytes, offset_of!(lsm_file_open_event, path_truncated));
    let source = decode::read::<u8>(bytes, offset_of!(lsm_file_open_event, path_source));
    let inode = decode::read(bytes, offset_of!(lsm_file_open_event, inode));
    // bpf_d_path's text, or a walked name (Linux 5.10's fallback) put together as
    // bpf_d_path writes it; a walk cut short is a name too long, as for bpf_d_path.
    let (path, path_truncated) = if source == 0 {
        (text::until_nul(path).to_vec(), truncated != 0)
    } else {
        let full = crate::path::decode(bytes, FILE_HEADER, path_len, source, truncated, inode, b"", "path_len")?;
        match full.truncated {
            true => (Vec::new(), true),
            false => (full.path.unwrap_or_default(), false),
        }
    };
    Ok(LsmFileOpenEvent {
        task: decode::task(bytes),
        inode,
        dev: decode::read(bytes, offset_of!(lsm_file_open_event, dev)),
        flags: decode::read(bytes, offset_of!(lsm_file_open_event, flags)),
        mode: decode::read(bytes, offset_of!(lsm_file_open_event, mode)),
        path,
        path_truncated,
    })
}

impl LsmFileOpenEvent {
    /// `major:minor`, as /proc/PID/mountinfo writes a device.
    fn device(&self) -> String {
        format!("{}:{}", self.dev >> 20, self.dev & 0xfffff)
    }
}

/// The file type of an i_mode, by name, and OCSF's file type_id for it.
fn file_type(mode: u16) -> (&'static str, u8) {
    match mode & 0o170000 {
        0o100000 => ("regular", 1),
        0o040000 => ("directory", 2),
        0o020000 => ("char", 3),
        0o060000 => ("block", 4),
        0o140000 => ("socket", 5),
        0o010000 => ("fifo", 6),
        0o120000 => ("symlink", 7),
        _ => ("unknown", 0),
    }
}

/// The permission bits (and setuid, setgid, sticky) in octal, as stat -c %a writes them.
fn permissions(mode: u16) -> String {
    format!("{:o}", mode & 0o7777)
}

impl Record for LsmFileOpenEvent {
    const NAME: &'static str = "lsm_file_open";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_LSM_FILE_OPEN.0, decode_file));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let path = text::render(&self.path);
        let body = LsmFileRecord {
            path: path.text,
            path_hex: path.hex,
            path_truncated: self.path_truncated,
            inode: self.inode,
            dev: self.device(),
            file_type: file_type(self.mode).0,
            mode: permissions(self.mode),
            flags: flags::open_flags(self.flags.into()),
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// File System Activity: Open, with the inode as `file.uid`.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let path = text::render(&self.path);
        let mut file = File::at(path.text);
        file.type_id = file_type(self.mode).1;
        file.uid = Some(self.inode.to_string());
        let body = LsmFileOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            file,
            status_id: 1,
            unmapped: LsmFileUnmapped {
                dev: self.device(),
                mode: permissions(self.mode),
                flags: flags::open_flags(self.flags.into()),
                path_truncated: self.path_truncated,
                path_hex: path.hex,
                comm_hex: text::render(&self.task.comm).hex,
            },
        };
        ocsf.push_task(line, Class::FileSystem, 14, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(Self::NAME, "A file being opened, from BPF-LSM's file_open hook: whoever opens it, as the lookup ended.", vec![
            Field::string(
                "path",
                "the file as `bpf_d_path` names it, as `readlink /proc/PID/fd/N` would show it; empty when it did not fit in PATH_MAX \
                 (`path_truncated`)",
            ),
            Field::hex("path_hex", "path"),
            Field::boolean("path_truncated", "`true` when the path did not fit in PATH_MAX (`path` is then empty)"),
            Field::count("inode", "the inode number, as `stat -c %i` gives it"),
            Field::string("dev", "the filesystem's device as `major:minor` (as in `/proc/PID/mountinfo`)"),
            Field::with(
                "file_type",
                serde_json::json!({"enum": ["regular", "directory", "char", "block", "socket", "fifo", "symlink", "unknown"]}),
                "the file's type",
            ),
            Field::string("mode", "the permission bits in octal, as `stat -c %a` writes them (`\"640\"`, `\"4755\"`)"),
            Field::strings("flags", "the open flags, by name, as in `open`"),
        ])
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("INODE", 10), ("MODE", 5)], last: "PATH" };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.inode, &permissions(self.mode)];
        Self::TEXT.row(line, &cells, &escape(&self.path));
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        Some(tests::file_record(b"/etc/hostname", 0o100644))
    }
}

/// A connect about to be made, from lsm/socket_connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LsmConnectEvent {
    pub(crate) task: Task,
    pub(crate) ends: SocketEnds,
}

fn decode_connect(bytes: &[u8]) -> Result<LsmConnectEvent, Malformed> {
    let e: lsm_connect_event = decode::fixed(bytes)?;
    Ok(LsmConnectEvent { task: decode::task(bytes), ends: socket_ends!(e) })
}

impl Record for LsmConnectEvent {
    const NAME: &'static str = "lsm_socket_connect";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_LSM_CONNECT.0, decode_connect));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.ends.record());
    }

    /// Network Activity: Open (the connect is about to be made).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let ends = self.ends.ocsf_ends();
        let body = LsmConnectOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            src_endpoint: ends.src,
            dst_endpoint: ends.dst,
            connection_info: ends.info,
            status_id: 1,
            unmapped: LsmConnectUnmapped {
                family: self.ends.family_name(),
                socket_type: self.ends.socket_type_name(),
                path_hex: ends.path_hex,
                comm_hex: text::render(&self.task.comm).hex,
            },
        };
        ocsf.push_task(line, Class::Network, 1, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        let mut fields = vec![
            Field::string(
                "family",
                "the address family passed, as in `connect`: `\"inet\"`, `\"inet6\"`, `\"unix\"`, `\"unspec\"`, else `\"af_<n>\"`",
            ),
            Field::string(
                "protocol",
                "as in `connect`: inet sockets: `\"tcp\"`, `\"udp\"`, else `\"ip_<n>\"`, read from the socket; `null` for others",
            )
            .nullable(),
            Field::string(
                "socket_type",
                "as in `connect`: `\"stream\"`, `\"dgram\"`, `\"raw\"`, `\"seqpacket\"`, else `\"type_<n>\"`; `null` when unknown",
            )
            .nullable(),
            Field::string("saddr", "the local address when the socket is already bound; else `null`").nullable(),
            Field::with("sport", crate::socket::port_schema(), "the local port when the socket is already bound; else `null`"),
        ];
        fields.extend(crate::socket::destination_fields());
        crate::schema::task_record(Self::NAME, "A connect about to be made, from BPF-LSM's socket_connect hook (connect(2) and io_uring).", fields)
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("PROTO", 6), ("SADDR", 22)], last: "DADDR" };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let proto = self.ends.protocol_name().unwrap_or_else(|| self.ends.family_name());
        let source = self.ends.source().unwrap_or_else(|| "-".to_owned());
        let destination = match (self.ends.address(&self.ends.daddr), self.ends.shown_path()) {
            (Some(ip), _) => format!("{ip}:{}", self.ends.dport),
            (None, Some(path)) => escape(&path).into_owned(),
            (None, None) => "-".to_owned(),
        };
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &proto, &source];
        Self::TEXT.row(line, &cells, &destination);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(7, 216); // SN_KIND_LSM_CONNECT
        b[56..58].copy_from_slice(&2u16.to_ne_bytes()); // family: AF_INET
        b[58..60].copy_from_slice(&6u16.to_ne_bytes()); // protocol: tcp
        b[60..62].copy_from_slice(&1u16.to_ne_bytes()); // socket type: stream
        b[64..66].copy_from_slice(&443u16.to_ne_bytes()); // dport
        b[88..92].copy_from_slice(&[127, 0, 0, 1]); // daddr
        Some(b)
    }
}

#[derive(Serialize)]
struct LsmFileRecord<'a> {
    path: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    path_truncated: bool,
    inode: u64,
    dev: String,
    file_type: &'static str,
    mode: String,
    flags: Vec<Cow<'static, str>>,
}

#[derive(Serialize)]
struct LsmFileOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    file: File<'a>,
    status_id: u8,
    unmapped: LsmFileUnmapped,
}

#[derive(Serialize)]
struct LsmFileUnmapped {
    dev: String,
    mode: String,
    flags: Vec<Cow<'static, str>>,
    path_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

#[derive(Serialize)]
struct LsmConnectOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint<'a>>,
    dst_endpoint: Endpoint<'a>,
    connection_info: ConnectionInfo,
    status_id: u8,
    unmapped: LsmConnectUnmapped,
}

#[derive(Serialize)]
struct LsmConnectUnmapped {
    family: Cow<'static, str>,
    socket_type: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    /// A file record as the kernel lays it out (bpf/lsm.h).
    pub(crate) fn file_record(path: &[u8], mode: u16) -> Vec<u8> {
        let mut b = crate::decode::tests::header(6, FILE_HEADER); // SN_KIND_LSM_FILE_OPEN
        b[56..64].copy_from_slice(&1234u64.to_ne_bytes()); // inode
        b[64..68].copy_from_slice(&((8u32 << 20) | 1).to_ne_bytes()); // dev 8:1
        b[68..72].copy_from_slice(&0o2000000u32.to_ne_bytes()); // flags: O_CLOEXEC
        b[72..74].copy_from_slice(&mode.to_ne_bytes());
        b[76..80].copy_from_slice(&(path.len() as u32 + 1).to_ne_bytes());
        b.extend_from_slice(path);
        b.push(0);
        b
    }

    #[test]
    fn file_open_records() {
        let e = decode_file(&file_record(b"/etc/hostname", 0o100644)).unwrap();
        let v = json(&Event::LsmFileOpen(e));
        assert_eq!(v["kind"], "lsm_file_open");
        assert_eq!(v["path"], "/etc/hostname");
        assert_eq!((v["inode"].as_u64(), &v["dev"], &v["file_type"], &v["mode"]), (Some(1234), &serde_json::json!("8:1"), &serde_json::json!("regular"), &serde_json::json!("644")));
        assert_eq!(v["flags"], serde_json::json!(["O_RDONLY", "O_CLOEXEC"]));
        assert_eq!(v["path_truncated"], false);
        assert_eq!(file_type(0o040755), ("directory", 2));
        assert_eq!(permissions(0o104755), "4755");
        let o = crate::ocsf::json(&Event::LsmFileOpen(decode_file(&file_record(b"/etc/hostname", 0o100644)).unwrap()));
        assert_eq!(o["file"], serde_json::json!({"name": "hostname", "type_id": 1, "path": "/etc/hostname", "uid": "1234"}));
    }

    /// Where lsm programs may not call bpf_d_path (5.10), the walked name (no NUL; its
    /// source in path_source, its flags in path_truncated) reads as bpf_d_path's text.
    #[test]
    fn walked_file_names_read_as_bpf_d_path_writes_them() {
        let walked = |name: &[u8], source: u8, flags: u8| {
            let mut b = file_record(name, 0o100644);
            b.pop(); // no NUL
            b[76..80].copy_from_slice(&(name.len() as u32).to_ne_bytes());
            b[74] = flags;
            b[75] = source;
            decode_file(&b).unwrap()
        };
        let e = walked(b"/etc/hostname", 1, 0); // SN_PATH_FILE
        assert_eq!((e.path.as_slice(), e.path_truncated), (&b"/etc/hostname"[..], false));
        let e = walked(b"/tmp/gone", 1, 2); // SN_PATH_DELETED
        assert_eq!((e.path.as_slice(), e.path_truncated), (&b"/tmp/gone (deleted)"[..], false));
        let e = walked(b"", 4, 0); // SN_PATH_PIPE: the inode names it
        assert_eq!(e.path.as_slice(), b"pipe:[1234]");
        // A walk cut short: no path, as bpf_d_path gives none for a path too long.
        let e = walked(b"/d62/d63/f", 1, 1); // SN_PATH_TRUNCATED
        assert_eq!((e.path.as_slice(), e.path_truncated), (&b""[..], true));
        let mut bad = file_record(b"/x", 0o100644);
        bad[75] = 200;
        assert!(decode_file(&bad).is_err());
    }

    #[test]
    fn connect_records() {
        let e = decode_connect(&<LsmConnectEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::LsmConnect(e));
        assert_eq!((&v["family"], &v["protocol"], &v["socket_type"]), (&serde_json::json!("inet"), &serde_json::json!("tcp"), &serde_json::json!("stream")));
        assert_eq!((&v["daddr"], &v["dport"]), (&serde_json::json!("127.0.0.1"), &serde_json::json!(443)));
        assert!(v["saddr"].is_null() && v["sport"].is_null() && v["path"].is_null());
    }

    #[test]
    fn a_short_or_overlong_record_is_malformed() {
        assert!(matches!(decode_file(&[0; 10]), Err(Malformed::Short { .. })));
        let mut long = file_record(b"/x", 0o100644);
        long[76..80].copy_from_slice(&100u32.to_ne_bytes());
        assert!(matches!(decode_file(&long), Err(Malformed::Length { .. })));
        let mut bad = <LsmConnectEvent as Record>::example().unwrap();
        bad[66..68].copy_from_slice(&200u16.to_ne_bytes()); // path_len
        assert!(matches!(decode_connect(&bad), Err(Malformed::Length { .. })));
    }
}
