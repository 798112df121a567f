//! `sysnoop file`: the calls that change files (delete, rename, link, symlink, mkdir,
//! mknod, chmod, chown, truncate, utimensat) from bpf/file.bpf.c, one program on the exit
//! tracepoints of them all, every path named in full as open's records name theirs.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::offset_of;

use anyhow::{bail, Result};
use serde::Serialize;

use crate::abi::{sysnoop_kind, sysnoop_path_source};
use crate::bpf::file::types::{file_abi, file_event, file_syscall};
use crate::bpf::file::FileBpfSkel;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::kinds::{InAll, Kind, Tracer};
use crate::features::Feature;
use crate::loader::{attach_exits, number_call, Hooks, Loaded, Object, Shared};
use crate::ocsf::{self, Actor, Class, File, Ocsf};
use crate::path::{self, dirfd, shown, Dirfd, FullPath};
use crate::schema::Field;
use crate::{errno, plain_abi, text};

/// Trace the calls that change files on the whole host, failed ones included: unlink,
/// rmdir, rename (with renameat2's flags), link, symlink, mkdir, mknod, chmod, chown,
/// truncate and utimensat, in all their forms, each path named in full (both of a rename
/// or a link; a descriptor's file for fchmod, fchown and ftruncate), with the new mode,
/// owner or size.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "File options")]
pub(crate) struct FileOptions {}

pub(crate) struct FileChanges;

/// Each call: its syscall (and tracepoint) name, its number in `enum file_syscall`, what
/// it does.
const CALLS: [(&str, file_syscall, Op); file_syscall::FILE_SYSCALL_NR.0 as usize] = [
    ("unlink", file_syscall::FILE_UNLINK, Op::Unlink),
    ("unlinkat", file_syscall::FILE_UNLINKAT, Op::Unlink),
    ("rmdir", file_syscall::FILE_RMDIR, Op::Rmdir),
    ("rename", file_syscall::FILE_RENAME, Op::Rename),
    ("renameat", file_syscall::FILE_RENAMEAT, Op::Rename),
    ("renameat2", file_syscall::FILE_RENAMEAT2, Op::Rename),
    ("link", file_syscall::FILE_LINK, Op::Link),
    ("linkat", file_syscall::FILE_LINKAT, Op::Link),
    ("symlink", file_syscall::FILE_SYMLINK, Op::Symlink),
    ("symlinkat", file_syscall::FILE_SYMLINKAT, Op::Symlink),
    ("mkdir", file_syscall::FILE_MKDIR, Op::Mkdir),
    ("mkdirat", file_syscall::FILE_MKDIRAT, Op::Mkdir),
    ("mknod", file_syscall::FILE_MKNOD, Op::Mknod),
    ("mknodat", file_syscall::FILE_MKNODAT, Op::Mknod),
    ("chmod", file_syscall::FILE_CHMOD, Op::Chmod),
    ("fchmod", file_syscall::FILE_FCHMOD, Op::Chmod),
    ("fchmodat", file_syscall::FILE_FCHMODAT, Op::Chmod),
    ("fchmodat2", file_syscall::FILE_FCHMODAT2, Op::Chmod),
    ("chown", file_syscall::FILE_CHOWN, Op::Chown),
    ("fchown", file_syscall::FILE_FCHOWN, Op::Chown),
    ("lchown", file_syscall::FILE_LCHOWN, Op::Chown),
    ("fchownat", file_syscall::FILE_FCHOWNAT, Op::Chown),
    ("truncate", file_syscall::FILE_TRUNCATE, Op::Truncate),
    ("ftruncate", file_syscall::FILE_FTRUNCATE, Op::Truncate),
    ("utimensat", file_syscall::FILE_UTIMENSAT, Op::Utimes),
];

impl Tracer for FileChanges {
    const NAME: &'static str = "file";
    const IN_ALL: InAll = InAll::Required;
    type Options = FileOptions;

    fn load(shared: &Shared, _options: &FileOptions) -> Result<Loaded> {
        let mut open = shared.open::<FileBpfSkel>()?;
        let mut hooks = Hooks::new(Self::NAME, Vec::new()).on::<FileBpfSkel>();
        let mut slots = Vec::new();
        // With bpf_loop, one program for every call, which knows a call by its number;
        // before, a program per call (bpf/file.bpf.c says why).
        let one = <FileBpfSkel as Object>::variant_mask() & 1 << Feature::Loop as u32 != 0;
        let rodata = open.maps.rodata_data.as_deref_mut().expect("file.bpf.c has rodata");
        for &(name, syscall, _) in &CALLS {
            if shared.has_syscall_tracepoints(name) && number_call(&mut rodata.file_syscall_of, name, syscall.0) {
                hooks.traced.push(name.to_owned());
                slots.push(syscall.0);
            } else {
                hooks.absent.push(name.to_owned());
            }
        }
        if slots.is_empty() {
            bail!("none of the file syscalls' tracepoints exist in {}", shared.syscall_tracepoints().display());
        }
        slots.sort_unstable();
        open.progs.sys_exit_file_calls.set_autoload(one);
        // The per-call programs: each loaded where its call is traced and there is no one program.
        let mut per_call = Vec::new();
        for mut program in <FileBpfSkel as Object>::object_mut(&mut open).progs_mut() {
            if let Some(name) = program.name().to_string_lossy().strip_prefix("tracepoint__syscalls__sys_exit_") {
                if !CALLS.iter().any(|(call, _, _)| *call == name) {
                    bail!("file.bpf.c has a program for {name}, which file.rs does not know");
                }
                program.set_autoload(!one && hooks.traced.iter().any(|t| t == name));
                per_call.push(name.to_owned());
            }
        }
        if let Some((name, _, _)) = CALLS.iter().find(|(call, _, _)| !per_call.iter().any(|p| p == call)) {
            bail!("file.bpf.c has no program for {name}, which file.rs knows");
        }
        let (skel, links) = if one {
            let skel = shared.load::<FileBpfSkel>(open)?;
            let links = attach_exits(&skel.progs.sys_exit_file_calls, &hooks.traced)?;
            (skel, links)
        } else {
            (shared.load_and_attach::<FileBpfSkel>(open)?, Vec::new())
        };
        shared.live(&skel, &slots, probe_calls)?;
        Loaded::ring_linked(Kind::File, skel, links, hooks)
    }
}

/// Each call with arguments it refuses at once (EFAULT, EBADF), reaching its program.
fn probe_calls() {
    use nix::libc::{self, c_long};
    let bad = 1 as c_long; // an address in no mapping: EFAULT
    let calls: [(c_long, [c_long; 5]); 25] = [
        (libc::SYS_unlink, [bad, 0, 0, 0, 0]),
        (libc::SYS_unlinkat, [-1, bad, 0, 0, 0]),
        (libc::SYS_rmdir, [bad, 0, 0, 0, 0]),
        (libc::SYS_rename, [bad, bad, 0, 0, 0]),
        (libc::SYS_renameat, [-1, bad, -1, bad, 0]),
        (libc::SYS_renameat2, [-1, bad, -1, bad, 0]),
        (libc::SYS_link, [bad, bad, 0, 0, 0]),
        (libc::SYS_linkat, [-1, bad, -1, bad, 0]),
        (libc::SYS_symlink, [bad, bad, 0, 0, 0]),
        (libc::SYS_symlinkat, [bad, -1, bad, 0, 0]),
        (libc::SYS_mkdir, [bad, 0, 0, 0, 0]),
        (libc::SYS_mkdirat, [-1, bad, 0, 0, 0]),
        (libc::SYS_mknod, [bad, 0, 0, 0, 0]),
        (libc::SYS_mknodat, [-1, bad, 0, 0, 0]),
        (libc::SYS_chmod, [bad, 0, 0, 0, 0]),
        (libc::SYS_fchmod, [-1, 0, 0, 0, 0]),
        (libc::SYS_fchmodat, [-1, bad, 0, 0, 0]),
        (452, [-1, bad, 0, 0, 0]), // fchmodat2 (6.6+; ENOSYS before, which reaches no program)
        (libc::SYS_chown, [bad, -1, -1, 0, 0]),
        (libc::SYS_fchown, [-1, -1, -1, 0, 0]),
        (libc::SYS_lchown, [bad, -1, -1, 0, 0]),
        (libc::SYS_fchownat, [-1, bad, -1, -1, 0]),
        (libc::SYS_truncate, [bad, 0, 0, 0, 0]),
        (libc::SYS_ftruncate, [-1, 0, 0, 0, 0]),
        (libc::SYS_utimensat, [-1, bad, 0, 0, 0]),
    ];
    for (nr, [a, b, c, d, e]) in calls {
        // SAFETY: raw calls whose addresses are in no mapping and whose descriptors are
        // -1: the kernel refuses each before it changes anything.
        unsafe { libc::syscall(nr, a, b, c, d, e) };
    }
}

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Unlink,
    Rmdir,
    Rename,
    Link,
    Symlink,
    Mkdir,
    Mknod,
    Chmod,
    Chown,
    Truncate,
    Utimes,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Unlink => "unlink",
            Op::Rmdir => "rmdir",
            Op::Rename => "rename",
            Op::Link => "link",
            Op::Symlink => "symlink",
            Op::Mkdir => "mkdir",
            Op::Mknod => "mknod",
            Op::Chmod => "chmod",
            Op::Chown => "chown",
            Op::Truncate => "truncate",
            Op::Utimes => "utimes",
        }
    }

    /// File System Activity's activity: Create 1, Update 3, Delete 4, Rename 5, Set
    /// Attributes 6, Set Security 7.
    fn activity(self) -> u8 {
        match self {
            Op::Link | Op::Symlink | Op::Mkdir | Op::Mknod => 1,
            Op::Truncate => 3,
            Op::Unlink | Op::Rmdir => 4,
            Op::Rename => 5,
            Op::Utimes => 6,
            Op::Chmod | Op::Chown => 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileEvent {
    pub(crate) task: Task,
    pub(crate) syscall: &'static str,
    pub(crate) op: Op,
    pub(crate) ret: i32,
    /// The *at calls' dirfd; the descriptor of fchmod, fchown and ftruncate (`fd`).
    pub(crate) dirfd: i32,
    pub(crate) new_dirfd: i32,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) flags: u32,
    pub(crate) size: u64,
    /// As passed; None for a call on a descriptor (or a NULL path).
    pub(crate) path: Option<Vec<u8>>,
    pub(crate) full: FullPath,
    /// rename's and link's new path, symlink's target, as passed.
    pub(crate) new_path: Option<Vec<u8>>,
    pub(crate) new_full: FullPath,
}

const HEADER: usize = file_abi::FILE_EVENT_HEADER_SIZE.0 as usize;
plain_abi!(file_event);
const _: () = assert!(offset_of!(file_event, data) == HEADER);

/// The header, then the path as passed (path_len bytes with its NUL), its walked name
/// (full_len), the second path (new_path_len) and its walked name (new_full_len).
fn decode(bytes: &[u8]) -> Result<FileEvent, Malformed> {
    if bytes.len() < HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: HEADER });
    }
    let field = |offset: usize| usize::from(decode::read::<u16>(bytes, offset));
    let number = decode::read::<u16>(bytes, offset_of!(file_event, syscall));
    let &(syscall, _, op) = CALLS.get(usize::from(number)).ok_or(Malformed::Unknown { field: "file syscall", value: number.into() })?;
    let flags: u32 = decode::read(bytes, offset_of!(file_event, flags));
    // unlinkat(AT_REMOVEDIR) removes a directory.
    let op = if op == Op::Unlink && flags & AT_REMOVEDIR != 0 { Op::Rmdir } else { op };
    let (path_len, full_len) = (field(offset_of!(file_event, path_len)), field(offset_of!(file_event, full_len)));
    let (new_path_len, new_full_len) = (field(offset_of!(file_event, new_path_len)), field(offset_of!(file_event, new_full_len)));
    // Where each piece starts; the walked names are checked by path::decode.
    let full_start = HEADER + path_len;
    let new_path_start = full_start + full_len;
    let new_full_start = new_path_start + new_path_len;
    let piece = |start: usize, len: usize, name: &'static str| bytes.get(start..start + len).ok_or(Malformed::Length { field: name, value: len, len: bytes.len() });
    let path = (path_len > 0).then(|| piece(HEADER, path_len, "path_len").map(|p| text::until_nul(p).to_vec())).transpose()?;
    piece(full_start, full_len, "full_len")?;
    let new_path = (new_path_len > 0).then(|| piece(new_path_start, new_path_len, "new_path_len").map(|p| text::until_nul(p).to_vec())).transpose()?;
    let byte = |offset: usize| decode::read::<u8>(bytes, offset);
    let full = path::decode(
        bytes,
        full_start,
        full_len,
        byte(offset_of!(file_event, full_source)),
        byte(offset_of!(file_event, full_flags)),
        0,
        path.as_deref().unwrap_or_default(),
        "full_len",
    )?;
    // A second path relative to the first one's base directory: that walked name again.
    let same_base = u32::from(byte(offset_of!(file_event, new_full_source))) == sysnoop_path_source::SN_PATH_SAME_BASE.0;
    let (start, len, source, walk_flags) = if same_base {
        (full_start, full_len, sysnoop_path_source::SN_PATH_BASE.0 as u8, byte(offset_of!(file_event, full_flags)))
    } else {
        (new_full_start, new_full_len, byte(offset_of!(file_event, new_full_source)), byte(offset_of!(file_event, new_full_flags)))
    };
    let new_full = path::decode(bytes, start, len, source, walk_flags, 0, new_path.as_deref().unwrap_or_default(), "new_full_len")?;
    Ok(FileEvent {
        task: decode::task(bytes),
        syscall,
        op,
        ret: decode::read(bytes, offset_of!(file_event, ret)),
        dirfd: decode::read(bytes, offset_of!(file_event, dirfd)),
        new_dirfd: decode::read(bytes, offset_of!(file_event, new_dirfd)),
        mode: decode::read(bytes, offset_of!(file_event, mode)),
        uid: decode::read(bytes, offset_of!(file_event, uid)),
        gid: decode::read(bytes, offset_of!(file_event, gid)),
        flags,
        size: decode::read(bytes, offset_of!(file_event, size)),
        path,
        full,
        new_path,
        new_full,
    })
}

const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
const AT_REMOVEDIR: u32 = 0x200;
const AT_SYMLINK_FOLLOW: u32 = 0x400;
const AT_EMPTY_PATH: u32 = 0x1000;
const RENAME_NOREPLACE: u32 = 1;
const RENAME_EXCHANGE: u32 = 2;
const RENAME_WHITEOUT: u32 = 4;

impl FileEvent {
    /// fchmod, fchown, ftruncate: the call names its file by a descriptor.
    fn on_fd(&self) -> bool {
        matches!(self.syscall, "fchmod" | "fchown" | "ftruncate")
    }

    /// The *at calls take a dirfd.
    fn takes_dirfd(&self) -> bool {
        self.syscall.ends_with("at") || self.syscall.ends_with("at2")
    }

    fn two_paths(&self) -> bool {
        matches!(self.op, Op::Rename | Op::Link)
    }

    /// The call's flags by name (renameat2's RENAME_*, the AT_* ones), any other bit in hex.
    fn flag_names(&self) -> Vec<Cow<'static, str>> {
        let known: &[(u64, &str)] = match self.syscall {
            "renameat2" => &[(RENAME_NOREPLACE as u64, "RENAME_NOREPLACE"), (RENAME_EXCHANGE as u64, "RENAME_EXCHANGE"), (RENAME_WHITEOUT as u64, "RENAME_WHITEOUT")],
            _ => &[(AT_SYMLINK_NOFOLLOW as u64, "AT_SYMLINK_NOFOLLOW"), (AT_REMOVEDIR as u64, "AT_REMOVEDIR"), (AT_SYMLINK_FOLLOW as u64, "AT_SYMLINK_FOLLOW"), (AT_EMPTY_PATH as u64, "AT_EMPTY_PATH")],
        };
        crate::flags::named(self.flags.into(), known)
    }

    /// chown's owner or group: None when not chown, or -1 (unchanged).
    fn id(&self, id: u32) -> Option<u32> {
        (self.op == Op::Chown && id != u32::MAX).then_some(id)
    }

    /// mknod's device: "major:minor" of a character or block device.
    fn dev(&self) -> Option<String> {
        const S_IFMT: u32 = 0o170000;
        let is_device = matches!(self.mode & S_IFMT, 0o020000 | 0o060000);
        (self.op == Op::Mknod && is_device).then(|| {
            let dev = self.size;
            let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
            let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
            format!("{major}:{minor}")
        })
    }
}

#[derive(Serialize)]
struct FileRecord {
    syscall: &'static str,
    op: &'static str,
    dirfd: Option<Dirfd>,
    fd: Option<i32>,
    path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    full_path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_path_hex: Option<String>,
    full_path_truncated: bool,
    new_dirfd: Option<Dirfd>,
    new_path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_path_hex: Option<String>,
    new_full_path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_full_path_hex: Option<String>,
    target: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_hex: Option<String>,
    mode: Option<u32>,
    owner: Option<u32>,
    group: Option<u32>,
    size: Option<u64>,
    dev: Option<String>,
    flags: Vec<Cow<'static, str>>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct FileOcsf<'a> {
    actor: Actor<'a>,
    device: &'a serde_json::value::RawValue,
    file: File<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_result: Option<File<'a>>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: serde_json::Value,
}

impl Record for FileEvent {
    const NAME: &'static str = "file";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_FILE.0, decode));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_line(line, Self::NAME, ctx, &self.task, &self.body());
    }

    /// File System Activity: Delete (unlink, rmdir), Rename (`file_result` the new
    /// name), Create (link, symlink, mkdir, mknod: `file` the new one), Update
    /// (truncate), Set Security (chmod, chown), Set Attributes (utimes).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let body = self.body();
        let type_id = match self.op {
            Op::Mkdir | Op::Rmdir => 2,
            Op::Symlink => 7,
            _ => 0,
        };
        let at = |full: &Option<Cow<'static, str>>, passed: &Option<Cow<'static, str>>| -> File<'static> {
            let mut file = File::at(full.clone().or_else(|| passed.clone()).unwrap_or(Cow::Borrowed("")));
            file.type_id = type_id;
            file
        };
        let (file, file_result) = match self.op {
            // link: the existing file, and the new name for it.
            Op::Rename | Op::Link => (at(&body.full_path, &body.path), Some(at(&body.new_full_path, &body.new_path))),
            _ => (at(&body.full_path, &body.path), None),
        };
        let (status_id, status_detail) = ocsf::status(self.ret.into());
        let mut unmapped = serde_json::to_value(&body).expect("a file record serializes");
        if let Some(comm_hex) = text::render(&self.task.comm).hex {
            unmapped["comm_hex"] = comm_hex.into();
        }
        let event = FileOcsf { actor: Actor::task(&self.task, ctx), device: ocsf.device(), file, file_result, status_id, status_detail, unmapped };
        ocsf.push_task(line, Class::FileSystem, self.op.activity(), ctx, &self.task, &event);
    }

    fn schema() -> serde_json::Value {
        let fd = serde_json::json!({"type": ["integer", "string", "null"]});
        let ops = serde_json::json!({"enum": ["unlink", "rmdir", "rename", "link", "symlink", "mkdir", "mknod", "chmod", "chown", "truncate", "utimes"]});
        let fields = vec![
            Field::with("syscall", serde_json::json!({"enum": CALLS.iter().map(|c| c.0).collect::<Vec<_>>()}), "the call"),
            Field::with("op", ops, "what it does: `unlink` (unlinkat without AT_REMOVEDIR too), `rmdir` (with it), `rename`, `link`, `symlink`, `mkdir`, `mknod`, `chmod`, `chown`, `truncate`, `utimes` (utimensat)"),
            Field::with("dirfd", fd.clone(), "the *at calls: the dirfd passed (`\"AT_FDCWD\"` or a descriptor), which a relative `path` is relative to; else `null`"),
            Field::with("fd", serde_json::json!({"type": ["integer", "null"]}), "fchmod, fchown, ftruncate: the descriptor of the file; else `null`"),
            Field::string("path", "the path as passed (symlink: the link made); `null` for a call on a descriptor, or utimensat's NULL").nullable(),
            Field::hex("path_hex", "path"),
            Field::string("full_path", "`path` in full: an absolute path as passed, else the base directory (the cwd, or the dirfd's file) as the kernel names it, `/`, and the path as passed (not resolved further: `..` and symlinks stay); the descriptor's file for a call on one (and for AT_EMPTY_PATH); `null` when it could not be named").nullable(),
            Field::hex("full_path_hex", "full_path"),
            Field::boolean("full_path_truncated", "the base directory's name was cut (too deep, or longer than PATH_MAX)"),
            Field::with("new_dirfd", fd, "renameat, renameat2, linkat: the new path's dirfd; else `null` (symlinkat's is `dirfd`: its one path is the link's)"),
            Field::string("new_path", "rename, link: the new path as passed; else `null`").nullable(),
            Field::hex("new_path_hex", "new_path"),
            Field::string("new_full_path", "`new_path` in full, as `full_path`").nullable(),
            Field::hex("new_full_path_hex", "new_full_path"),
            Field::string("target", "symlink: the link's contents as passed (not a path of this host's: never resolved); else `null`").nullable(),
            Field::hex("target_hex", "target"),
            Field::with("mode", serde_json::json!({"type": ["integer", "null"], "minimum": 0}), "mkdir, mknod, chmod: the mode passed (mknod's with its file type bits); else `null`"),
            Field::with("owner", serde_json::json!({"type": ["integer", "null"], "minimum": 0}), "chown: the new owner's uid; `null` when left unchanged (-1), and for other calls"),
            Field::with("group", serde_json::json!({"type": ["integer", "null"], "minimum": 0}), "chown: the new group's gid; `null` when left unchanged (-1), and for other calls"),
            Field::with("size", serde_json::json!({"type": ["integer", "null"], "minimum": 0}), "truncate: the new length; else `null`"),
            Field::string("dev", "mknod of a character or block device: its `major:minor`; else `null`").nullable(),
            Field::strings("flags", "the flags passed (unlinkat, renameat2, linkat, fchmodat2, fchownat, utimensat): `AT_REMOVEDIR`, `RENAME_NOREPLACE`, `RENAME_EXCHANGE`, `RENAME_WHITEOUT`, `AT_SYMLINK_FOLLOW`, `AT_SYMLINK_NOFOLLOW`, `AT_EMPTY_PATH`, any other bit in hex"),
            Field::integer("ret", "`0`, or the negative errno"),
            Field::string("errno", "the errno name when it failed (e.g. `\"ENOENT\"`), else `null`").nullable(),
        ];
        crate::schema::task_record(Self::NAME, "One call that changes a file, failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("OP", 9), ("RET", 12)],
        last: "PATH",
    };

    /// The op, the result, the full path (the path as passed when there is none), and
    /// for a rename or a link `-> ` the new one (a symlink's target `-> target`).
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let name = |full: &FullPath, passed: &Option<Vec<u8>>| -> String {
            match (full.path.as_deref(), passed.as_deref()) {
                (Some(p), _) | (None, Some(p)) => escape(p).into_owned(),
                (None, None) => "-".to_owned(),
            }
        };
        let mut path = name(&self.full, &self.path);
        if self.two_paths() || self.op == Op::Symlink {
            path += " -> ";
            path += &name(&self.new_full, &self.new_path);
        }
        let ret = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.op.name(), &ret];
        Self::TEXT.row(line, &cells, &path);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        // renameat2(AT_FDCWD, "a", AT_FDCWD, "/tmp/b", RENAME_NOREPLACE) in cwd /srv.
        use crate::path::AT_FDCWD;
        let mut b = crate::decode::tests::header(12, HEADER);
        b[60..62].copy_from_slice(&5u16.to_ne_bytes()); // syscall: renameat2
        b[62..64].copy_from_slice(&2u16.to_ne_bytes()); // path_len
        b[64..68].copy_from_slice(&AT_FDCWD.to_ne_bytes());
        b[68..72].copy_from_slice(&AT_FDCWD.to_ne_bytes());
        b[84..88].copy_from_slice(&RENAME_NOREPLACE.to_ne_bytes());
        b[96..98].copy_from_slice(&4u16.to_ne_bytes()); // full_len
        b[98..100].copy_from_slice(&7u16.to_ne_bytes()); // new_path_len
        b[102] = 2; // full_source: SN_PATH_BASE
        b[104] = 3; // new_full_source: SN_PATH_ABSOLUTE
        b.extend_from_slice(b"a\0/srv/tmp/b\0");
        Some(b)
    }
}

impl FileEvent {
    fn body(&self) -> FileRecord {
        let (path, path_hex) = shown(self.path.as_deref());
        let (full_path, full_path_hex) = self.full.rendered();
        let (second, second_hex) = shown(self.new_path.as_deref());
        let (new_full_path, new_full_path_hex) = self.new_full.rendered();
        let symlink = self.op == Op::Symlink;
        let owned = |c: Option<Cow<'_, str>>| c.map(|c| Cow::Owned(c.into_owned()));
        FileRecord {
            syscall: self.syscall,
            op: self.op.name(),
            dirfd: self.takes_dirfd().then(|| dirfd(self.dirfd)),
            fd: self.on_fd().then_some(self.dirfd),
            path,
            path_hex,
            full_path: owned(full_path),
            full_path_hex,
            full_path_truncated: self.full.truncated,
            new_dirfd: (self.takes_dirfd() && self.two_paths()).then(|| dirfd(self.new_dirfd)),
            new_path: if self.two_paths() { second.clone() } else { None },
            new_path_hex: if self.two_paths() { second_hex.clone() } else { None },
            new_full_path: if self.two_paths() { owned(new_full_path) } else { None },
            new_full_path_hex: if self.two_paths() { new_full_path_hex } else { None },
            target: if symlink { second } else { None },
            target_hex: if symlink { second_hex } else { None },
            mode: matches!(self.op, Op::Mkdir | Op::Mknod | Op::Chmod).then_some(self.mode),
            owner: self.id(self.uid),
            group: self.id(self.gid),
            size: (self.op == Op::Truncate).then_some(self.size),
            dev: self.dev(),
            flags: self.flag_names(),
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    #[test]
    fn a_rename_with_both_paths() {
        let e = decode(&<FileEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::File(e.clone()));
        assert_eq!((&v["syscall"], &v["op"], &v["dirfd"], &v["new_dirfd"]), (&"renameat2".into(), &"rename".into(), &"AT_FDCWD".into(), &"AT_FDCWD".into()));
        assert_eq!((&v["path"], &v["full_path"], &v["new_path"], &v["new_full_path"]), (&"a".into(), &"/srv/a".into(), &"/tmp/b".into(), &"/tmp/b".into()));
        assert_eq!((&v["flags"], &v["fd"], &v["target"], &v["mode"]), (&serde_json::json!(["RENAME_NOREPLACE"]), &serde_json::Value::Null, &serde_json::Value::Null, &serde_json::Value::Null));
        let o = crate::ocsf::json(&Event::File(e));
        assert_eq!(crate::ocsf::ids(&o), (1001, 5, 100105));
        assert_eq!((&o["file"]["path"], &o["file_result"]["path"], &o["file_result"]["name"]), (&"/srv/a".into(), &"/tmp/b".into(), &"b".into()));
    }

    /// A new path relative to the same directory reuses the first one's walked base.
    #[test]
    fn a_second_path_in_the_same_directory() {
        let mut b = <FileEvent as Record>::example().unwrap();
        b.truncate(HEADER);
        b[98..100].copy_from_slice(&2u16.to_ne_bytes()); // new_path_len
        b[104] = 10; // new_full_source: SN_PATH_SAME_BASE
        b.extend_from_slice(b"a\0/srvb\0");
        let e = decode(&b).unwrap();
        assert_eq!((e.full.path.as_deref(), e.new_full.path.as_deref()), (Some(&b"/srv/a"[..]), Some(&b"/srv/b"[..])));
    }

    #[test]
    fn malformed_lengths_are_errors() {
        let mut b = <FileEvent as Record>::example().unwrap();
        b[98..100].copy_from_slice(&100u16.to_ne_bytes());
        assert!(matches!(decode(&b), Err(Malformed::Length { field: "new_path_len", .. })));
        let mut b = <FileEvent as Record>::example().unwrap();
        b[60..62].copy_from_slice(&25u16.to_ne_bytes());
        assert_eq!(decode(&b), Err(Malformed::Unknown { field: "file syscall", value: 25 }));
    }

    #[test]
    fn devices_and_owners() {
        let mut e = decode(&<FileEvent as Record>::example().unwrap()).unwrap();
        (e.syscall, e.op, e.mode, e.size) = ("mknod", Op::Mknod, 0o020644, (4 << 8) | 64);
        assert_eq!(e.dev().as_deref(), Some("4:64"));
        (e.syscall, e.op, e.uid, e.gid) = ("fchown", Op::Chown, 1000, u32::MAX);
        assert_eq!((e.id(e.uid), e.id(e.gid)), (Some(1000), None));
        let v = json(&Event::File(e));
        assert_eq!((&v["fd"], &v["dirfd"], &v["owner"], &v["group"]), (&(-100).into(), &serde_json::Value::Null, &1000.into(), &serde_json::Value::Null));
    }
}
