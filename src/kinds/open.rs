//! `sysnoop open`: file opens (open, openat, openat2, creat) from bpf/open.bpf.c. The
//! loader turns off the syscall variants this kernel does not have (no `open`/`creat`
//! on arm64, no `openat2` before 5.6), attaches the rest and proves they fire.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::offset_of;

use anyhow::{bail, Result};

use crate::abi::sysnoop_kind;
use crate::bpf::open::types::{open_abi, open_event, open_prefix_action, open_syscall};
use crate::dedup::{self, Dedup};
use crate::kinds::Event;
use crate::bpf::open::OpenBpfSkel;
use crate::event::RecordContext;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_head, Decoder, Record, Task};
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{attach_exits, number_call, Hooks, Loaded, Shared};
use crate::ocsf::{self, Class, Ocsf};
use crate::schema::Field;
use crate::path::{self, FullPath};
use crate::{errno, flags, json, plain_abi, text};

/// Trace file opens (open, openat, openat2, creat) on the whole host.
///
/// One record per completed open: who opened what, with which flags, and the
/// result (fd, or the errno name when it failed).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Open options")]
pub(crate) struct OpenOptions {
    /// Name each opened file by its absolute path (`full_path`), walked in the kernel
    /// as readlink(/proc/PID/fd/N) would show it: `on` (the default) or `off`, which
    /// saves that walk and leaves `full_path` null.
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    pub(crate) full_path: bool,

    /// Drop opens whose full path starts with PREFIX (repeatable), in the kernel:
    /// counted as filtered. A directory is given with its slash: /var/cache/.
    #[arg(long, value_name = "PREFIX", value_parser = parse_prefix)]
    pub(crate) exclude_path: Vec<String>,

    /// Keep only opens whose full path starts with PREFIX (repeatable; any of them),
    /// in the kernel; the others are counted as filtered.
    #[arg(long, value_name = "PREFIX", value_parser = parse_prefix)]
    pub(crate) include_path: Vec<String>,

    /// Also drop opens under /proc/, /sys/, /dev/, /run/, /tmp/, /usr/lib/,
    /// /usr/lib64/, /usr/share/, /usr/bin/, /usr/sbin/, /lib/ and /lib64/.
    #[arg(long)]
    pub(crate) exclude_system_paths: bool,

    /// Do not write an open identical to one written less than WINDOW earlier (same
    /// pid, full path, flags and outcome: success, or the same errno; the fd number
    /// does not count), e.g. 100ms; counted as deduplicated.
    #[arg(long, value_name = "WINDOW", value_parser = crate::units::parse_duration)]
    pub(crate) dedup: Option<std::time::Duration>,

    /// How many written opens --dedup remembers; past it the oldest is forgotten first.
    #[arg(long, value_name = "N", default_value_t = dedup::DEFAULT_ENTRIES, requires = "dedup",
          value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u64).range(1..=10_000_000), |n| n as usize))]
    pub(crate) dedup_entries: usize,
}

/// The prefixes --exclude-system-paths adds.
pub(crate) const SYSTEM_PATHS: [&str; 12] =
    ["/proc/", "/sys/", "/dev/", "/run/", "/tmp/", "/usr/lib/", "/usr/lib64/", "/usr/share/", "/usr/bin/", "/usr/sbin/", "/lib/", "/lib64/"];

const PREFIXES_MAX: usize = open_abi::OPEN_PREFIXES_MAX.0 as usize;
const PREFIX_MAX: usize = open_abi::OPEN_PREFIX_MAX.0 as usize;

/// A path prefix the kernel can match: 1 to 128 bytes.
fn parse_prefix(s: &str) -> Result<String, String> {
    match s.len() {
        0 => Err("the prefix is empty".into()),
        1..=PREFIX_MAX => Ok(s.to_owned()),
        n => Err(format!("`{s}` is {n} bytes; a path prefix is at most {PREFIX_MAX}")),
    }
}

impl OpenOptions {
    /// Every prefix with what it does: the excludes (the system ones included), then
    /// the includes.
    fn prefixes(&self) -> Vec<(&str, open_prefix_action)> {
        let system = SYSTEM_PATHS.iter().copied().filter(|_| self.exclude_system_paths);
        let excludes = self.exclude_path.iter().map(String::as_str).chain(system);
        excludes
            .map(|p| (p, open_prefix_action::OPEN_PREFIX_EXCLUDE))
            .chain(self.include_path.iter().map(|p| (p.as_str(), open_prefix_action::OPEN_PREFIX_INCLUDE)))
            .collect()
    }
}

/// `on` or `off`.
fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("`{s}`: use on or off")),
    }
}

pub(crate) struct Open;

impl Tracer for Open {
    const NAME: &'static str = "open";
    const IN_ALL: InAll = InAll::Required;
    type Options = OpenOptions;

    fn load(shared: &Shared, options: &OpenOptions) -> Result<Loaded> {
        let mut open = shared.open::<OpenBpfSkel>()?;
        let rodata = open.maps.rodata_data.as_deref_mut().expect("open.bpf.c has rodata");
        rodata.targ_full_path = u8::from(options.full_path);
        let prefixes = options.prefixes();
        for (slot, (prefix, action)) in rodata.targ_prefixes.iter_mut().zip(&prefixes) {
            slot.len = prefix.len() as u32;
            slot.action = action.0;
            for (dst, &src) in slot.text.iter_mut().zip(prefix.as_bytes()) {
                *dst = src as _;
            }
        }
        rodata.targ_nprefixes = prefixes.len() as u32;
        rodata.targ_ninclude = options.include_path.len() as u32;
        let calls = [
            ("open", open_syscall::OPEN_SYSCALL_OPEN),
            ("openat", open_syscall::OPEN_SYSCALL_OPENAT),
            ("openat2", open_syscall::OPEN_SYSCALL_OPENAT2),
            ("creat", open_syscall::OPEN_SYSCALL_CREAT),
        ];
        let mut hooks = Hooks::new(Self::NAME, Vec::new()).on::<OpenBpfSkel>();
        let mut slots = Vec::new();
        // One program for every open call (bpf/open.bpf.c): it knows a call by its number.
        for (name, syscall) in calls {
            if shared.has_syscall_tracepoints(name) && number_call(&mut rodata.open_syscall_of, name, syscall.0) {
                hooks.traced.push(name.to_owned());
                slots.push(syscall.0);
            } else {
                hooks.absent.push(name.to_owned());
            }
        }
        if slots.is_empty() {
            bail!("none of the open syscall tracepoints exist in {}", shared.syscall_tracepoints().display());
        }
        hooks.detail = describe(options);
        let skel = shared.load::<OpenBpfSkel>(open)?;
        let links = attach_exits(&skel.progs.sys_exit_open_calls, &hooks.traced)?;
        shared.live(&skel, &slots, probe_calls)?;
        let mut loaded = Loaded::ring_linked(Kind::Open, skel, links, hooks)?;
        if let Some(window) = options.dedup {
            let mut table = Dedup::new(window, options.dedup_entries);
            let mut key = Vec::new();
            let repeats = move |event: &Event| match event {
                Event::Open(open) => {
                    open.dedup_key(&mut key);
                    table.repeats(&key, open.task.ts_ns)
                }
                _ => false,
            };
            loaded.dedup = Some((Kind::Open, Box::new(repeats)));
        }
        Ok(loaded)
    }

    fn check(options: &OpenOptions) -> Result<(), String> {
        let n = options.prefixes().len();
        if n > PREFIXES_MAX {
            return Err(format!("{n} path prefixes given (--exclude-system-paths adds 12); at most {PREFIXES_MAX}"));
        }
        if n > 0 && !options.full_path {
            return Err("--exclude-path, --include-path and --exclude-system-paths match full paths: they need --full-path on".into());
        }
        Ok(())
    }
}

/// What the "tracing" line and the start record say besides the hooks.
fn describe(options: &OpenOptions) -> Option<String> {
    let mut parts = Vec::new();
    if !options.full_path {
        parts.push("without full paths".to_owned());
    }
    if !options.exclude_path.is_empty() || options.exclude_system_paths {
        let mut excluded = options.exclude_path.clone();
        if options.exclude_system_paths {
            excluded.push("system paths".into());
        }
        parts.push(format!("excluding {}", excluded.join(", ")));
    }
    if !options.include_path.is_empty() {
        parts.push(format!("only under {}", options.include_path.join(", ")));
    }
    if let Some(window) = options.dedup {
        parts.push(format!("deduplicated over {window:?} ({} entries)", options.dedup_entries));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

impl OpenEvent {
    /// What --dedup compares: pid, flags, the outcome (success, or which errno: not the
    /// fd number, which differs while another fd is held) and the full path (the path as
    /// passed when there is none).
    fn dedup_key(&self, key: &mut Vec<u8>) {
        key.clear();
        key.extend_from_slice(&self.task.pid.to_ne_bytes());
        key.extend_from_slice(&self.flags.to_ne_bytes());
        key.extend_from_slice(&self.ret.min(0).to_ne_bytes());
        key.push(u8::from(self.full.path.is_some()));
        key.extend_from_slice(self.full.path.as_deref().unwrap_or(&self.path));
    }
}

/// One call of each open syscall on an empty path: each fails with ENOENT before
/// touching any file, and reaches that syscall's enter and exit programs. A syscall
/// this kernel lacks just fails with ENOSYS.
fn probe_calls() {
    use nix::libc;
    let empty = c"".as_ptr();
    let how = [0u64; 3]; // struct open_how { flags, mode, resolve }
    // SAFETY: raw syscalls with a valid empty C string and a valid open_how; their
    // results are deliberately ignored.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            libc::syscall(libc::SYS_open, empty, libc::O_RDONLY);
            libc::syscall(libc::SYS_creat, empty, 0);
        }
        libc::syscall(libc::SYS_openat, libc::AT_FDCWD, empty, libc::O_RDONLY);
        libc::syscall(libc::SYS_openat2, libc::AT_FDCWD, empty, how.as_ptr(), size_of_val(&how));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenSyscall {
    Open,
    Openat,
    Openat2,
    Creat,
}

impl OpenSyscall {
    pub(crate) fn name(self) -> &'static str {
        match self {
            OpenSyscall::Open => "open",
            OpenSyscall::Openat => "openat",
            OpenSyscall::Openat2 => "openat2",
            OpenSyscall::Creat => "creat",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenEvent {
    pub(crate) task: Task,
    pub(crate) syscall: OpenSyscall,
    /// openat, openat2: the dirfd argument; None for open and creat.
    pub(crate) dirfd: Option<i32>,
    pub(crate) flags: u64,
    pub(crate) mode: u32,
    pub(crate) ret: i32,
    /// As passed.
    pub(crate) path: Vec<u8>,
    pub(crate) full: FullPath,
}

plain_abi!(open_event);

const HEADER: usize = open_abi::OPEN_EVENT_HEADER_SIZE.0 as usize;
// The generated struct has the layout bpf/open.h asserts.
const _: () = {
    assert!(offset_of!(open_event, task) == 0);
    assert!(offset_of!(open_event, data) == HEADER);
};

/// `dirfd`'s AT_FDCWD: the cwd.
const AT_FDCWD: i32 = -100;

/// The fixed header, then `path_len` bytes of path (with its NUL), then `full_len`
/// bytes of the walked name.
fn decode(bytes: &[u8]) -> Result<OpenEvent, Malformed> {
    if bytes.len() < HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: HEADER });
    }
    let path_len = usize::from(decode::read::<u16>(bytes, offset_of!(open_event, path_len)));
    let path = bytes.get(HEADER..HEADER + path_len).ok_or(Malformed::Length { field: "path_len", value: path_len, len: bytes.len() })?;
    let syscall = match open_syscall(u32::from(decode::read::<u16>(bytes, offset_of!(open_event, syscall)))) {
        open_syscall::OPEN_SYSCALL_OPEN => OpenSyscall::Open,
        open_syscall::OPEN_SYSCALL_OPENAT => OpenSyscall::Openat,
        open_syscall::OPEN_SYSCALL_OPENAT2 => OpenSyscall::Openat2,
        open_syscall::OPEN_SYSCALL_CREAT => OpenSyscall::Creat,
        open_syscall(other) => return Err(Malformed::Unknown { field: "open syscall", value: other }),
    };
    let path = crate::pool::bytes(text::until_nul(path));
    let full = path::decode(
        bytes,
        HEADER + path_len,
        usize::from(decode::read::<u16>(bytes, offset_of!(open_event, full_len))),
        decode::read(bytes, offset_of!(open_event, full_source)),
        decode::read(bytes, offset_of!(open_event, full_flags)),
        decode::read(bytes, offset_of!(open_event, full_ino)),
        &path,
        "full_len",
    )?;
    Ok(OpenEvent {
        task: decode::task(bytes),
        syscall,
        dirfd: matches!(syscall, OpenSyscall::Openat | OpenSyscall::Openat2).then(|| decode::read(bytes, offset_of!(open_event, dirfd))),
        flags: decode::read(bytes, offset_of!(open_event, flags)),
        mode: decode::read(bytes, offset_of!(open_event, mode)),
        ret: decode::read(bytes, offset_of!(open_event, ret)),
        path,
        full,
    })
}

impl OpenEvent {
    /// Gives its buffers back to the poll thread's pool (src/pool.rs).
    pub(crate) fn recycle(self) {
        crate::pool::give(self.path);
        self.full.recycle();
    }

    /// `dirfd` in a record: null (open, creat), "AT_FDCWD", or the descriptor.
    fn write_dirfd(&self, line: &mut Vec<u8>) {
        match self.dirfd {
            None => json::null(line),
            Some(AT_FDCWD) => json::string(line, "AT_FDCWD"),
            Some(fd) => json::int(line, fd),
        }
    }
}

impl OpenEvent {
    /// `full_path_truncated`, `flags` (the names `flags::open_flags` gives), `mode` and
    /// `ret`, in that order in both formats.
    fn write_truncated_flags_mode_ret(&self, line: &mut Vec<u8>) {
        json::key!(line, "full_path_truncated");
        json::boolean(line, self.full.truncated);
        json::key!(line, "flags");
        let mut separator = b'[';
        flags::each_open_flag(self.flags, |name| {
            line.push(separator);
            json::string(line, &name);
            separator = b',';
        });
        line.push(b']');
        json::key!(line, "mode");
        json::uint(line, self.mode.into());
        json::key!(line, "ret");
        json::int(line, self.ret);
    }
}

impl Record for OpenEvent {
    const NAME: &'static str = "open";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_OPEN.0, decode));

    /// Written by hand (src/json.rs), field for field as serde would write them: the
    /// most frequent record of all (the replay test in src/replay.rs holds the bytes).
    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_head(line, Self::NAME, ctx, &self.task);
        json::key!(line, "syscall");
        json::string(line, self.syscall.name());
        json::key!(line, "dirfd");
        self.write_dirfd(line);
        json::key!(line, "path");
        if let Some(hex) = &json::text(line, &self.path) {
            json::key!(line, "path_hex");
            json::string(line, hex);
        }
        json::key!(line, "full_path");
        let full_path_hex = match &self.full.path {
            Some(full) => json::text(line, full),
            None => {
                json::null(line);
                None
            }
        };
        if let Some(hex) = &full_path_hex {
            json::key!(line, "full_path_hex");
            json::string(line, hex);
        }
        self.write_truncated_flags_mode_ret(line);
        json::key!(line, "errno");
        match errno::of_ret(self.ret.into()) {
            Some(name) => json::string(line, &name),
            None => json::null(line),
        }
        line.extend_from_slice(b"}\n");
    }

    /// `file.path` is the full path when there is one, else the path as passed, which
    /// `unmapped.path` always carries.
    /// Written by hand as `write_json` is, field for field as the OCSF objects serialize.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        ocsf.task_head(line, Class::FileSystem, ACTIVITY_OPEN, ctx, &self.task);
        let path = text::render(&self.path);
        let full = self.full.path.as_deref().map(text::render);
        // `file`: File::at the full path, else the path as passed.
        let (file_path, full_path_hex) = match &full {
            Some(full) => (&full.text, full.hex.as_deref()),
            None => (&path.text, None),
        };
        let name = match file_path.trim_end_matches('/').rsplit('/').next() {
            Some(name) if !name.is_empty() => name,
            _ => file_path,
        };
        json::key!(line, "file");
        line.extend_from_slice(b"{\"name\":");
        json::string(line, name);
        line.extend_from_slice(b",\"type_id\":0,\"path\":");
        json::string(line, file_path);
        line.push(b'}');
        let (status_id, status_detail) = ocsf::status(self.ret.into());
        json::key!(line, "status_id");
        json::uint(line, status_id.into());
        if let Some(detail) = &status_detail {
            json::key!(line, "status_detail");
            json::string(line, detail);
        }
        json::key!(line, "unmapped");
        line.extend_from_slice(b"{\"syscall\":");
        json::string(line, self.syscall.name());
        json::key!(line, "dirfd");
        self.write_dirfd(line);
        json::key!(line, "path");
        json::string(line, &path.text);
        self.write_truncated_flags_mode_ret(line);
        for (key, hex) in [(&b",\"path_hex\":"[..], path.hex.as_deref()), (b",\"full_path_hex\":", full_path_hex), (b",\"comm_hex\":", text::render(&self.task.comm).hex.as_deref())] {
            if let Some(hex) = hex {
                line.extend_from_slice(key);
                json::string(line, hex);
            }
        }
        line.extend_from_slice(b"}}\n");
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(Self::NAME, "One completed open(2), openat(2), openat2(2) or creat(2).", vec![
            Field::with("syscall", serde_json::json!({"enum": ["open", "openat", "openat2", "creat"]}), "the syscall that opened"),
            Field::with(
                "dirfd",
                serde_json::json!({"type": ["integer", "string", "null"]}),
                "`openat`, `openat2`: the directory fd argument, `\"AT_FDCWD\"` for the cwd; `null` for `open` and `creat`",
            ),
            Field::string(
                "path",
                "the path as passed, at most 4095 bytes, which is the kernel's own limit; empty if the kernel could not read it from user memory",
            ),
            Field::hex("path_hex", "path"),
            Field::string(
                "full_path",
                "absolute, as the opening process's root sees it (inside a chroot, the chroot's view): what `readlink /proc/PID/fd/N` shows. \
                 A successful open's file is named from the new fd's `struct file`, so symlinks, `..` and bind mounts are resolved as the kernel \
                 resolved them; an unlinked file ends in ` (deleted)`, and pipes, sockets, anonymous inodes, namespaces and memfds are named as \
                 the kernel names them (`pipe:[4242]`, `anon_inode:[eventfd]`, `net:[4026531833]`, `/memfd:buf (deleted)`). A failed open's is \
                 its path when absolute, else its base directory (the cwd, or the dirfd's directory, taken when the call returned) joined with \
                 the path as passed, unresolved. `null` when there is no name to give: the dirfd was not open, or a pseudo file's filesystem \
                 names it in a way sysnoop does not mirror",
            )
            .nullable(),
            Field::hex("full_path_hex", "full_path"),
            Field::boolean(
                "full_path_truncated",
                "`true` when the name was cut: the file is deeper than the walk goes, or its name is longer than PATH_MAX (4095 bytes); \
                 `full_path` then holds the components nearest the file, without the leading ones",
            ),
            Field::strings(
                "flags",
                "the access mode first, then every flag that is set, by name; bits with no name appear as one hex string (`\"0x10000000000\"`). \
                 For `creat` this is `O_WRONLY`, `O_CREAT`, `O_TRUNC`",
            ),
            Field::count("mode", "the mode argument as passed, as a number (only meaningful with `O_CREAT`/`O_TMPFILE`)"),
            Field::integer("ret", "the file descriptor, or the negative errno"),
            Field::string("errno", "the errno name (`\"ENOENT\"`) when the call failed, otherwise `null`").nullable(),
        ])
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("FD", 3), ("ERR", 7)], last: "PATH" };

    /// As opensnoop: FD -1 when it failed, ERR the errno name (0 when it did not).
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let fd = if self.ret >= 0 { self.ret } else { -1 };
        let err = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &fd, &err];
        Self::TEXT.row(line, &cells, &escape(&self.path));
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        Some(tests::kernel_record(1, 3, b"/etc/hostname"))
    }
}

/// File System Activity: Open.
const ACTIVITY_OPEN: u8 = 14;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{assert_keys_in_order, json, task};
    use crate::kinds::Event;

    /// The bytes the kernel sends: built field by field at the C layout's offsets
    /// (bpf/sysnoop.h, bpf/open.h), not through the Rust struct.
    pub(crate) fn kernel_record(syscall: u16, ret: i32, path: &[u8]) -> Vec<u8> {
        kernel_record_full(syscall, ret, -100, path, 0, b"", 0, 0)
    }

    /// With a walked name: `source` and `flags` as bpf/sysnoop.h numbers them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn kernel_record_full(syscall: u16, ret: i32, dirfd: i32, path: &[u8], source: u8, walked: &[u8], ino: u64, flags: u8) -> Vec<u8> {
        let mut b = vec![0u8; 96];
        b[0..8].copy_from_slice(&123_456_789u64.to_ne_bytes()); // ts_ns
        b[8..12].copy_from_slice(&1u32.to_ne_bytes()); // kind: SN_KIND_OPEN
        b[12..16].copy_from_slice(&4242u32.to_ne_bytes()); // pid
        b[16..20].copy_from_slice(&4243u32.to_ne_bytes()); // tid
        b[20..24].copy_from_slice(&1u32.to_ne_bytes()); // ppid
        b[24..28].copy_from_slice(&1000u32.to_ne_bytes()); // uid
        b[32..36].copy_from_slice(b"cat\0"); // comm[16]
        b[48..56].copy_from_slice(&1u64.to_ne_bytes()); // cgroup_id
        b[56..64].copy_from_slice(&0o2000000u64.to_ne_bytes()); // flags
        b[64..68].copy_from_slice(&ret.to_ne_bytes()); // ret
        b[68..72].copy_from_slice(&0o644u32.to_ne_bytes()); // mode
        b[72..74].copy_from_slice(&syscall.to_ne_bytes()); // syscall
        let path_len = if path.is_empty() { 0 } else { path.len() as u16 + 1 };
        b[74..76].copy_from_slice(&path_len.to_ne_bytes()); // path_len
        b[76..80].copy_from_slice(&dirfd.to_ne_bytes()); // dirfd
        b[80..88].copy_from_slice(&ino.to_ne_bytes()); // full_ino
        b[88..90].copy_from_slice(&(walked.len() as u16).to_ne_bytes()); // full_len
        b[90] = source; // full_source
        b[91] = flags; // full_flags
        if !path.is_empty() {
            b.extend_from_slice(path);
            b.push(0);
        }
        b.extend_from_slice(walked);
        b
    }

    #[test]
    fn decodes_a_kernel_record() {
        assert_eq!(
            decode(&kernel_record_full(1, 3, -100, b"hostname", 1, b"/etc/hostname", 0, 0)).unwrap(),
            OpenEvent {
                task: Task { ts_ns: 123_456_789, pid: 4242, tid: 4243, ppid: 1, uid: 1000, comm: crate::event::Comm::new(b"cat"), cgroup_id: 1 },
                syscall: OpenSyscall::Openat,
                dirfd: Some(-100),
                flags: 0o2000000,
                mode: 0o644,
                ret: 3,
                path: b"hostname".to_vec(),
                full: FullPath { path: Some(b"/etc/hostname".to_vec()), truncated: false },
            }
        );
        // open and creat have no dirfd; a failed relative open joins its base directory.
        let e = decode(&kernel_record_full(0, -2, 0, b"../x", 2, b"/srv/a", 0, 1)).unwrap();
        assert_eq!((e.dirfd, e.full), (None, FullPath { path: Some(b"/srv/a/../x".to_vec()), truncated: true }));
    }

    #[test]
    fn unaligned_bytes_decode() {
        let record = kernel_record(2, -2, b"/nope");
        let mut shifted = vec![0u8; 1];
        shifted.extend_from_slice(&record);
        let e = decode(&shifted[1..]).unwrap();
        assert_eq!((e.syscall, e.ret, e.path.as_slice()), (OpenSyscall::Openat2, -2, &b"/nope"[..]));
    }

    #[test]
    fn unreadable_path_is_empty() {
        assert_eq!(decode(&kernel_record(0, -14, b"")).unwrap().path, b"");
    }

    #[test]
    fn malformed_records_are_errors_not_panics() {
        assert_eq!(decode(&[0u8; 10]), Err(Malformed::Short { len: 10, need: 96 }));
        assert_eq!(decode(&[]), Err(Malformed::Short { len: 0, need: 96 }));
        let mut long_path = kernel_record(1, 3, b"/x");
        long_path[74..76].copy_from_slice(&500u16.to_ne_bytes());
        assert_eq!(decode(&long_path), Err(Malformed::Length { field: "path_len", value: 500, len: 99 }));
        let mut long_full = kernel_record_full(1, 3, -100, b"x", 1, b"/x", 0, 0);
        long_full[88..90].copy_from_slice(&3u16.to_ne_bytes());
        assert_eq!(decode(&long_full), Err(Malformed::Length { field: "full_len", value: 3, len: 100 }));
        assert_eq!(decode(&kernel_record_full(1, 3, -100, b"x", 10, b"", 0, 0)), Err(Malformed::Unknown { field: "full path source", value: 10 }));
        assert_eq!(decode(&kernel_record(9, 3, b"/x")), Err(Malformed::Unknown { field: "open syscall", value: 9 }));
        // A known kind with a bad body is attributed to that kind.
        assert!(matches!(crate::kinds::record(&kernel_record(1, 3, b"/x")[..40]), Err((Some(Kind::Open), Malformed::Short { .. }))));
    }

    #[test]
    fn record_fields_in_order() {
        let e = Event::Open(OpenEvent {
            task: task(b"cat"),
            syscall: OpenSyscall::Openat,
            dirfd: Some(7),
            flags: 0o2000000,
            mode: 0,
            ret: 3,
            path: b"hostname".to_vec(),
            full: FullPath { path: Some(b"/etc/hostname".to_vec()), truncated: false },
        });
        assert_keys_in_order(
            &e,
            &["kind", "time", "session", "pid", "tid", "ppid", "uid", "comm", "cgroup_id", "syscall", "dirfd", "path", "full_path", "full_path_truncated", "flags", "mode", "ret", "errno"],
        );
        let v = json(&e);
        assert_eq!(v["kind"], "open");
        assert_eq!((v["pid"].as_u64(), v["tid"].as_u64(), v["ppid"].as_u64(), v["uid"].as_u64()), (Some(4242), Some(4243), Some(1), Some(0)));
        assert_eq!(v["comm"], "cat");
        assert_eq!(v["dirfd"], 7);
        assert_eq!(v["path"], "hostname");
        assert_eq!(v["full_path"], "/etc/hostname");
        assert_eq!(v["full_path_truncated"], false);
        assert_eq!(v["flags"], serde_json::json!(["O_RDONLY", "O_CLOEXEC"]));
        assert_eq!(v["ret"], 3);
        assert!(v["errno"].is_null());
        assert!(v["time"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn failed_open_and_hostile_bytes() {
        let e = Event::Open(OpenEvent {
            task: task(b"ev\xffl\n"),
            syscall: OpenSyscall::Creat,
            dirfd: None,
            flags: 0o1101,
            mode: 0o644,
            ret: -13,
            path: b"/tmp/a\"b\nc\xfe".to_vec(),
            full: FullPath { path: Some(b"/tmp/a\"b\nc\xfe".to_vec()), truncated: false },
        });
        let v = json(&e);
        assert_eq!(v["syscall"], "creat");
        assert_eq!(v["errno"], "EACCES");
        assert_eq!(v["ret"], -13);
        assert_eq!(v["mode"], 0o644);
        assert_eq!(v["flags"], serde_json::json!(["O_WRONLY", "O_CREAT", "O_TRUNC"]));
        assert_eq!(v["path"], "/tmp/a\"b\nc\u{fffd}");
        assert_eq!(v["path_hex"], text::hex(b"/tmp/a\"b\nc\xfe"));
        assert_eq!((&v["full_path"], &v["full_path_hex"]), (&v["path"], &v["path_hex"]));
        assert!(v["dirfd"].is_null());
        assert_eq!(v["comm"], "ev\u{fffd}l\n");
        assert_eq!(v["comm_hex"], "6576ff6c0a");

        // OCSF: the same text in OCSF's fields, the same hex under `unmapped`.
        let o = crate::ocsf::json(&e);
        assert_eq!(crate::ocsf::ids(&o), (1001, 14, 100114));
        assert_eq!(o["file"], serde_json::json!({"name": "a\"b\nc\u{fffd}", "type_id": 0, "path": "/tmp/a\"b\nc\u{fffd}"}));
        assert_eq!((&o["status_id"], &o["status_detail"]), (&serde_json::json!(2), &serde_json::json!("EACCES")));
        assert_eq!(o["actor"]["process"]["name"], "ev\u{fffd}l\n");
        assert_eq!(
            o["unmapped"],
            serde_json::json!({"syscall": "creat", "dirfd": null, "path": "/tmp/a\"b\nc\u{fffd}", "full_path_truncated": false,
                               "flags": ["O_WRONLY", "O_CREAT", "O_TRUNC"], "mode": 0o644, "ret": -13,
                               "path_hex": text::hex(b"/tmp/a\"b\nc\xfe"), "full_path_hex": text::hex(b"/tmp/a\"b\nc\xfe"), "comm_hex": "6576ff6c0a"})
        );
    }
}
