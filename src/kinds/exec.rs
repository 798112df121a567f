//! `sysnoop exec`: program executions from bpf/exec.bpf.c. Successful execs come from
//! `sched_process_exec`, through tp_btf where it attaches and the classic tracepoint
//! elsewhere; failed ones from the exit of execve/execveat.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::{offset_of, size_of};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::abi::sysnoop_kind;
use crate::bpf::exec::types::{exec_abi, exec_ancestor, exec_event, exec_slot, exec_source};
use crate::bpf::exec::ExecBpfSkel;
use crate::event::RecordContext;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Comm, Decoder, Record, Task};
use crate::identity::ExecId;
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{attach_exits, number_call, Hooks, Loaded, Shared, Source};
use crate::clock::Timestamp;
use crate::ocsf::{self, Actor, Class, File, Ocsf, Process, User};
use crate::schema::Field;
use crate::path::{self, FullPath};
use crate::transport::Transport;
use crate::{errno, plain_abi, text};

pub(crate) mod snapshot;
pub(crate) use snapshot::ProcessEvent;

/// Default for --max-arg-bytes.
pub(crate) const DEFAULT_MAX_ARG_BYTES: u32 = exec_abi::EXEC_ARGS_DEFAULT.0;
/// The most argv bytes a record can carry.
pub(crate) const MAX_ARG_BYTES: u32 = exec_abi::EXEC_ARGS_MAX.0;
/// The most on the perf transport, where a record must fit a perf sample (bpf/exec.h).
pub(crate) const PERF_MAX_ARG_BYTES: u32 = exec_abi::EXEC_ARGS_PERF_MAX.0;
/// The most ancestors a record carries.
pub(crate) const MAX_ANCESTORS: u32 = exec_abi::EXEC_ANCESTORS_MAX.0;

/// Trace program executions on the whole host, failed ones included.
///
/// One record per exec: the program, its full argv (up to --max-arg-bytes, and
/// `argv_truncated` says when it was cut), the result, the cgroup, the process's
/// exec_id and its parent's, and its ancestors (pid, exec_id, comm). Successful
/// execs are seen whatever the path (execve, execveat, #! scripts); -x keeps only
/// the failed ones.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Exec options")]
pub(crate) struct ExecOptions {
    /// Capture at most this many bytes of each exec's arguments (up to 65536; 52862
    /// with --transport perf); a cut argv is marked with "argv_truncated": true.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_ARG_BYTES,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ARG_BYTES)))]
    pub(crate) max_arg_bytes: u32,
    /// List at most this many ancestors of each exec's process, nearest first (0-8);
    /// "ancestors_truncated": true when more were above.
    #[arg(long, value_name = "N", default_value_t = MAX_ANCESTORS,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_ANCESTORS)))]
    pub(crate) ancestors: u32,
    /// Begin with one `process` record per process already running, read from /proc
    /// once tracing is live (on by default in `all`; never with `-- CMD`).
    #[arg(long)]
    pub(crate) snapshot: bool,
    /// In `all`: no `process` records of the processes already running.
    #[arg(long, conflicts_with = "snapshot")]
    pub(crate) no_snapshot: bool,
}

pub(crate) struct Exec;

impl Tracer for Exec {
    const NAME: &'static str = "exec";
    const IN_ALL: InAll = InAll::Required;
    const SNAPSHOT_NEEDS: bool = true;
    type Options = ExecOptions;

    fn load(shared: &Shared, options: &ExecOptions) -> Result<Loaded> {
        shared.tp_btf_or_tracepoint("sched_process_exec", |btf| load_with(shared, options, btf))
    }

    fn snapshot(options: &ExecOptions) -> bool {
        options.snapshot
    }

    /// `all` begins with the processes already running unless told not to.
    fn in_all(options: &mut ExecOptions) {
        options.snapshot = !options.no_snapshot;
    }
}

/// The failed-exec syscalls and their programs' self_seen slots (bpf/exec.h).
const SYSCALLS: [(&str, exec_slot, exec_slot); 2] = [
    ("execve", exec_slot::EXEC_SLOT_ENTER_EXECVE, exec_slot::EXEC_SLOT_EXIT_EXECVE),
    ("execveat", exec_slot::EXEC_SLOT_ENTER_EXECVEAT, exec_slot::EXEC_SLOT_EXIT_EXECVEAT),
];

fn load_with(shared: &Shared, options: &ExecOptions, btf: bool) -> Result<Loaded> {
    let mut open = shared.open::<ExecBpfSkel>()?;
    let rodata = open.maps.rodata_data.as_deref_mut().expect("exec.bpf.c has rodata");
    rodata.targ_max_args = options.max_arg_bytes;
    rodata.targ_ancestors = options.ancestors;
    let cpus = libbpf_rs::num_possible_cpus().context("counting CPUs")?;
    open.maps.heap.set_max_entries(cpus as u32).context("sizing the exec scratch map")?;

    let progs = &mut open.progs;
    progs.tp_btf__sched_process_exec.set_autoload(btf);
    progs.tracepoint__sched__sched_process_exec.set_autoload(!btf);
    let mut hooks = Hooks::new(Exec::NAME, vec![format!("sched_process_exec{}", if btf { " (tp_btf)" } else { "" })]).on::<ExecBpfSkel>();
    if shared.events.transport == Transport::Perf && options.max_arg_bytes > PERF_MAX_ARG_BYTES {
        // The BPF side cuts there (and flags the cut); said so the cut is not a surprise.
        hooks.detail = Some(format!("with argv cut at {PERF_MAX_ARG_BYTES} bytes, the most a perf sample holds"));
    }
    let mut slots = vec![exec_slot::EXEC_SLOT_SCHED.0];
    let rodata = open.maps.rodata_data.as_deref_mut().expect("exec.bpf.c has rodata");
    let variants = [(SYSCALLS[0], &mut progs.tracepoint__syscalls__sys_enter_execve), (SYSCALLS[1], &mut progs.tracepoint__syscalls__sys_enter_execveat)];
    // Their exits: one program (bpf/exec.bpf.c), which knows a call by its number.
    let mut exits = Vec::new();
    for ((name, enter_slot, exit_slot), enter) in variants {
        if shared.has_syscall_tracepoints(name) && number_call(&mut rodata.exec_exit_slot_of, name, exit_slot.0) {
            hooks.traced.push(format!("failed {name}"));
            slots.extend([enter_slot.0, exit_slot.0]);
            exits.push(name.to_owned());
        } else {
            enter.set_autoload(false);
            hooks.absent.push(name.to_owned());
        }
    }
    if exits.is_empty() {
        bail!("neither execve nor execveat has syscall tracepoints in {}", shared.syscall_tracepoints().display());
    }
    let skel = shared.load_and_attach::<ExecBpfSkel>(open)?;
    let links = attach_exits(&skel.progs.sys_exit_exec_calls, &exits)?;
    shared.live(&skel, &slots, probe_calls)?;
    let mut loaded = Loaded::ring_linked(Kind::Exec, skel, links, hooks)?;
    if options.snapshot {
        loaded.sources.push(Source { kind: Kind::Process, counters: None, skippable: None });
        loaded.snapshot = Some(options.max_arg_bytes as usize);
    }
    Ok(loaded)
}

/// A child that execs this binary and exits (`live::child`: it reaches
/// sched_process_exec), and a failing execve and execveat of an empty path from
/// sysnoop itself. sysnoop's children and its own calls are never reported.
fn probe_calls() {
    use nix::libc;
    crate::live::child();
    let empty = c"".as_ptr();
    let argv = [std::ptr::null::<libc::c_char>()];
    // SAFETY: an empty path makes both calls fail with ENOENT before anything is
    // replaced; argv and envp are valid NULL-terminated arrays.
    unsafe {
        libc::syscall(libc::SYS_execve, empty, argv.as_ptr(), argv.as_ptr());
        libc::syscall(libc::SYS_execveat, libc::AT_FDCWD, empty, argv.as_ptr(), argv.as_ptr(), 0);
    }
}

/// Where an exec record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExecSource {
    /// sched_process_exec: the exec succeeded.
    Sched,
    /// A failed execve(2).
    Execve,
    /// A failed execveat(2).
    Execveat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecEvent {
    pub(crate) task: Task,
    pub(crate) ret: i32,
    /// The thread that called exec (not the pid when a non-leader thread exec'd).
    pub(crate) old_tid: u32,
    pub(crate) source: ExecSource,
    pub(crate) filename: Vec<u8>,
    /// argv as the kernel holds it: each argument followed by a NUL; when cut, the
    /// last one may lack its NUL.
    pub(crate) args: Vec<u8>,
    pub(crate) args_truncated: bool,
    /// The executable as /proc/PID/exe names it (none for a failed exec).
    pub(crate) exe: FullPath,
    /// The process's cwd at the exec.
    pub(crate) cwd: FullPath,
    /// The executable has no name on a filesystem: a memfd, or unlinked.
    pub(crate) fileless: bool,
    /// When the process began (CLOCK_BOOTTIME ns), and its parent.
    pub(crate) start_ns: u64,
    pub(crate) parent_start_ns: u64,
    /// Nearest first: the parent, its parent, ...
    pub(crate) ancestors: Vec<Ancestor>,
    /// --ancestors stopped the list below pid 1.
    pub(crate) ancestors_truncated: bool,
}

/// A process above an exec's: its pid, start and command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ancestor {
    pub(crate) pid: u32,
    pub(crate) start_ns: u64,
    pub(crate) comm: Comm,
}

impl ExecEvent {
    /// The arguments, in order; empty arguments are kept.
    pub(crate) fn argv(&self) -> Vec<&[u8]> {
        split_args(&self.args)
    }
}

/// argv as the kernel holds it (each argument followed by a NUL; when cut, the last may
/// lack its NUL), as its arguments, in order, empty ones kept. Exec records' and
/// `process` records' (/proc/PID/cmdline) alike.
fn split_args(args: &[u8]) -> Vec<&[u8]> {
    if args.is_empty() {
        return Vec::new();
    }
    args.strip_suffix(&[0]).unwrap_or(args).split(|&b| b == 0).collect()
}

/// Each argument as records show it, and every argument's bytes as hex when one of
/// them is not UTF-8.
fn rendered_argv<'a>(raw: &[&'a [u8]]) -> (Vec<Cow<'a, str>>, Option<Vec<String>>) {
    let rendered: Vec<text::Rendered<'_>> = raw.iter().map(|a| text::render(a)).collect();
    let hex = rendered.iter().any(|r| r.hex.is_some()).then(|| raw.iter().map(|a| text::hex(a)).collect());
    (rendered.into_iter().map(|r| r.text).collect(), hex)
}

plain_abi!(exec_event);

const HEADER: usize = exec_abi::EXEC_EVENT_HEADER_SIZE.0 as usize;
// The generated struct has the layout bpf/exec.h asserts.
const _: () = assert!(offset_of!(exec_event, task) == 0 && offset_of!(exec_event, data) == HEADER);
const ANCESTORS: usize = offset_of!(exec_event, ancestors);
const _: () = assert!(size_of::<exec_ancestor>() == 32);

/// The fixed header, `filename_len` bytes of filename (with its NUL), then `args_len`
/// bytes of NUL-separated argv.
fn decode(bytes: &[u8]) -> Result<ExecEvent, Malformed> {
    if bytes.len() < HEADER {
        return Err(Malformed::Short { len: bytes.len(), need: HEADER });
    }
    let filename_len = decode::read::<u32>(bytes, offset_of!(exec_event, filename_len)) as usize;
    let args_len = decode::read::<u32>(bytes, offset_of!(exec_event, args_len)) as usize;
    let lengths = Malformed::Length { field: "filename_len + args_len", value: filename_len.saturating_add(args_len), len: bytes.len() };
    let args_start = HEADER.checked_add(filename_len).ok_or(lengths.clone())?;
    let filename = bytes.get(HEADER..args_start).ok_or(lengths.clone())?;
    let args = bytes.get(args_start..args_start.checked_add(args_len).ok_or(lengths.clone())?).ok_or(lengths)?;
    let ancestors_len = usize::from(decode::read::<u8>(bytes, offset_of!(exec_event, ancestors_len)));
    if ancestors_len > MAX_ANCESTORS as usize {
        return Err(Malformed::Unknown { field: "ancestors_len", value: ancestors_len as u32 });
    }
    let ancestors = (0..ancestors_len)
        .map(|i| {
            let at = ANCESTORS + i * size_of::<exec_ancestor>();
            Ancestor {
                pid: decode::read(bytes, at + offset_of!(exec_ancestor, pid)),
                start_ns: decode::read(bytes, at + offset_of!(exec_ancestor, start_ns)),
                comm: Comm::new(text::until_nul(&bytes[at + offset_of!(exec_ancestor, comm)..][..16])),
            }
        })
        .collect();
    let source = match exec_source(u32::from(decode::read::<u8>(bytes, offset_of!(exec_event, source)))) {
        exec_source::EXEC_SOURCE_SCHED => ExecSource::Sched,
        exec_source::EXEC_SOURCE_EXECVE => ExecSource::Execve,
        exec_source::EXEC_SOURCE_EXECVEAT => ExecSource::Execveat,
        exec_source(other) => return Err(Malformed::Unknown { field: "exec source", value: other }),
    };
    let exe_start = args_start + args_len;
    let exe_len = usize::from(decode::read::<u16>(bytes, offset_of!(exec_event, exe_len)));
    let exe_source = decode::read(bytes, offset_of!(exec_event, exe_source));
    let exe_flags = decode::read(bytes, offset_of!(exec_event, exe_flags));
    let exe = path::decode(
        bytes,
        exe_start,
        exe_len,
        exe_source,
        exe_flags,
        0,
        b"",
        "exe_len",
    )?;
    let cwd = path::decode(
        bytes,
        exe_start + exe_len,
        usize::from(decode::read::<u16>(bytes, offset_of!(exec_event, cwd_len))),
        decode::read(bytes, offset_of!(exec_event, cwd_source)),
        decode::read(bytes, offset_of!(exec_event, cwd_flags)),
        0,
        b"",
        "cwd_len",
    )?;
    Ok(ExecEvent {
        task: decode::task(bytes),
        ret: decode::read(bytes, offset_of!(exec_event, ret)),
        old_tid: decode::read(bytes, offset_of!(exec_event, old_tid)),
        source,
        filename: text::until_nul(filename).to_vec(),
        args: args.to_vec(),
        args_truncated: decode::read::<u8>(bytes, offset_of!(exec_event, args_truncated)) != 0,
        exe,
        cwd,
        fileless: path::in_memory(exe_source, exe_flags),
        start_ns: decode::read(bytes, offset_of!(exec_event, start_ns)),
        parent_start_ns: decode::read(bytes, offset_of!(exec_event, parent_start_ns)),
        ancestors,
        ancestors_truncated: decode::read::<u8>(bytes, offset_of!(exec_event, ancestors_truncated)) != 0,
    })
}

impl Record for ExecEvent {
    const NAME: &'static str = "exec";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_EXEC.0, decode));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let filename = text::render(&self.filename);
        let (argv, argv_hex) = self.rendered_argv();
        let (exe, exe_hex) = self.exe.rendered();
        let (cwd, cwd_hex) = self.cwd.rendered();
        let body = ExecRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            parent_exec_id: ctx.exec_id(self.parent_start_ns, self.task.ppid),
            start_time: ctx.utc(self.start_ns),
            filename: filename.text,
            filename_hex: filename.hex,
            exe,
            exe_hex,
            exe_truncated: self.exe.truncated,
            fileless: self.fileless,
            argv,
            argv_hex,
            argv_truncated: self.args_truncated,
            cwd,
            cwd_hex,
            cwd_truncated: self.cwd.truncated,
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
            ancestors: self.rendered_ancestors(ctx),
            ancestors_truncated: self.ancestors_truncated,
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Process Activity, Launch: the actor is the parent, the process the new image.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let filename = text::render(&self.filename);
        let (argv, argv_hex) = self.rendered_argv();
        let (status_id, status_detail) = ocsf::status(self.ret.into());
        let mut file = File::at(filename.text);
        if self.ret == 0 {
            file.type_id = 1; // Regular File: the kernel ran it
        }
        let process = Process {
            cmd_line: Some(argv.join(" ")),
            file: Some(file),
            uid: Some(ctx.exec_id(self.start_ns, self.task.pid)),
            created_time: Some(ocsf::time_ms(ctx.utc(self.start_ns))),
            ..Process::task(&self.task, ctx)
        };
        let parent = Process { pid: self.task.ppid, uid: Some(ctx.exec_id(self.parent_start_ns, self.task.ppid)), ..Process::default() };
        let body = ExecOcsf {
            actor: Actor { process: Some(parent), user: Some(User::uid(self.task.uid)), app_name: None },
            device: ocsf.device(),
            process,
            status_id,
            status_detail,
            unmapped: ExecUnmapped {
                exe: self.exe.rendered().0,
                exe_truncated: self.exe.truncated,
                cwd: self.cwd.rendered().0,
                cwd_truncated: self.cwd.truncated,
                argv,
                argv_hex,
                argv_truncated: self.args_truncated,
                filename_hex: filename.hex,
                comm_hex: text::render(&self.task.comm).hex,
                ret: self.ret,
                cgroup_id: self.task.cgroup_id,
                fileless: self.fileless,
                ancestors: self.rendered_ancestors(ctx),
                ancestors_truncated: self.ancestors_truncated,
            },
        };
        ocsf.push_task(line, Class::Process, ACTIVITY_LAUNCH, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(Self::NAME, "One program execution, failed ones included.", vec![
            Field::string("comm", "the command name (at most 15 bytes): the new one after a successful exec; the caller's after a failed one"),
            Field::exec_id(
                "exec_id",
                "the process's id: unique on this host across pid reuse and reboots, the same in its `exit` record and in a `process` \
                 record (the boot id, the process's start in clock ticks and its pid, in hex). An exec keeps it, as it keeps the pid",
            ),
            Field::exec_id("parent_exec_id", "the parent's (`ppid`'s) `exec_id`"),
            Field::time("start_time", "when the process began (its fork, not this exec), UTC"),
            Field::string(
                "filename",
                "the path the kernel executed. For a `#!` script this is the script, and `argv` is the interpreter's: \
                 `[\"/bin/sh\", \"/path/script\", \"arg\"]`",
            ),
            Field::hex("filename_hex", "filename"),
            Field::string(
                "exe",
                "the executable as `readlink /proc/PID/exe` names it, walked in the kernel like `open`'s `full_path` (a symlink resolved; \
                 for a `#!` script, its interpreter; a memfd as `/memfd:NAME (deleted)`); `null` for a failed exec",
            )
            .nullable(),
            Field::hex("exe_hex", "exe"),
            Field::boolean("exe_truncated", "`true` when `exe` was cut (longer than PATH_MAX): it then holds the components nearest the file"),
            Field::boolean(
                "fileless",
                "`true` when the executable has no name on any filesystem: a memfd, another in-memory file, or a file unlinked before the exec; \
                 for a `#!` script, said of its interpreter. `false` for a failed exec",
            ),
            Field::strings(
                "argv",
                "every argument, in order, empty ones included. For a successful exec it is the new program's argv as the kernel laid it out, \
                 whatever the path (execve, execveat, scripts, binfmt_misc). For a failed exec it is read from the caller's argv array \
                 (at most 64 arguments)",
            ),
            Field::with(
                "argv_hex",
                serde_json::json!({"type": "array", "items": {"type": "string", "pattern": "^([0-9a-f]{2})*$"}}),
                "every argument's exact bytes, hex-encoded; present only when one is not UTF-8 (it then shows U+FFFD in `argv`)",
            )
            .optional(),
            Field::boolean(
                "argv_truncated",
                "`true` when `--max-arg-bytes` (or the 64-argument limit of failed execs) cut argv: never a silent cut",
            ),
            Field::string(
                "cwd",
                "the process's working directory at the exec, as `readlink /proc/PID/cwd` names it; `null` when it could not be named",
            )
            .nullable(),
            Field::hex("cwd_hex", "cwd"),
            Field::boolean(
                "cwd_truncated",
                "`true` when `cwd` was cut (longer than PATH_MAX), as for `exe`: it then holds the components nearest the directory",
            ),
            Field::integer("ret", "`0` on success; the negative errno of a failed exec"),
            Field::string("errno", "`null` on success; the errno name of a failed exec").nullable(),
            Field::with(
                "ancestors",
                serde_json::json!({"type": "array", "maxItems": MAX_ANCESTORS, "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["pid", "exec_id", "comm"],
                    "properties": {
                        "pid": {"type": "integer", "minimum": 1, "description": "its pid (thread-group id)"},
                        "exec_id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "its `exec_id`"},
                        "comm": {"type": "string", "description": "its command name, as /proc/PID/stat shows it (its main thread's)"},
                        "comm_hex": {
                            "type": "string",
                            "pattern": "^([0-9a-f]{2})*$",
                            "description": "the exact bytes of `comm`, hex-encoded; present only when they are not UTF-8",
                        },
                    },
                }}),
                "the processes above this one, nearest first (the parent, its parent, ...), up to `--ancestors` (8) and pid 1: each one's \
                 pid, `exec_id` and command name, read in the kernel at the exec. The tree as it was then: an orphan's parent is the \
                 process that reaped it. Pids are the host's, across containers",
            ),
            Field::boolean("ancestors_truncated", "`true` when `--ancestors` cut the list below pid 1"),
        ])
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PCOMM", 16), ("PID", 7), ("PPID", 7), ("RET", 7)], last: "ARGS" };

    /// As execsnoop: RET 0 or the errno name, then argv (`...` when it was cut).
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let ret = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let mut args: Vec<Cow<'_, str>> = self.argv().into_iter().map(escape).collect();
        if self.args_truncated {
            args.push(Cow::Borrowed("..."));
        }
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &escape(&self.task.comm), &self.task.pid, &self.task.ppid, &ret];
        Self::TEXT.row(line, &cells, &args.join(" "));
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        Some(tests::exec_record(0, 0, b"/bin/ls", b"ls\0-l\0", false))
    }
}

impl ExecEvent {
    /// The ancestors as records show them.
    fn rendered_ancestors<'a>(&'a self, ctx: &RecordContext) -> Vec<AncestorRecord<'a>> {
        self.ancestors
            .iter()
            .map(|a| {
                let comm = text::render(&a.comm);
                AncestorRecord { pid: a.pid, exec_id: ctx.exec_id(a.start_ns, a.pid), comm: comm.text, comm_hex: comm.hex }
            })
            .collect()
    }

    /// The arguments as records show them (`rendered_argv`).
    fn rendered_argv(&self) -> (Vec<Cow<'_, str>>, Option<Vec<String>>) {
        rendered_argv(&self.argv())
    }
}

/// Process Activity: Launch.
const ACTIVITY_LAUNCH: u8 = 1;

#[derive(Serialize)]
struct ExecOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    process: Process<'a>,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: ExecUnmapped<'a>,
}

#[derive(Serialize)]
struct ExecUnmapped<'a> {
    exe: Option<Cow<'a, str>>,
    exe_truncated: bool,
    cwd: Option<Cow<'a, str>>,
    cwd_truncated: bool,
    argv: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    argv_hex: Option<Vec<String>>,
    argv_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
    ret: i32,
    cgroup_id: u64,
    fileless: bool,
    ancestors: Vec<AncestorRecord<'a>>,
    ancestors_truncated: bool,
}

#[derive(Serialize)]
struct AncestorRecord<'a> {
    pid: u32,
    exec_id: ExecId,
    comm: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

#[derive(Serialize)]
struct ExecRecord<'a> {
    exec_id: ExecId,
    parent_exec_id: ExecId,
    start_time: Timestamp,
    filename: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename_hex: Option<String>,
    exe: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exe_hex: Option<String>,
    exe_truncated: bool,
    fileless: bool,
    argv: Vec<Cow<'a, str>>,
    /// Present when an argument is not valid UTF-8: every argument's exact bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    argv_hex: Option<Vec<String>>,
    argv_truncated: bool,
    cwd: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwd_hex: Option<String>,
    cwd_truncated: bool,
    ret: i32,
    errno: Option<Cow<'static, str>>,
    ancestors: Vec<AncestorRecord<'a>>,
    ancestors_truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{json, task};
    use crate::kinds::Event;

    /// An exec record as the kernel sends it (bpf/exec.h offsets).
    pub(crate) fn exec_record(source: u8, ret: i32, filename: &[u8], args: &[u8], truncated: bool) -> Vec<u8> {
        let exe: &[u8] = if ret == 0 { b"/usr/bin/ls" } else { b"" };
        let mut b = vec![0u8; 368];
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
        b[80..82].copy_from_slice(&(exe.len() as u16).to_ne_bytes()); // exe_len
        b[82..84].copy_from_slice(&5u16.to_ne_bytes()); // cwd_len
        b[84] = if ret == 0 { 1 } else { 0 }; // exe_source: SN_PATH_FILE, or SN_PATH_NONE
        b[86] = 1; // cwd_source: SN_PATH_FILE
        b[88..96].copy_from_slice(&12_345_678_901u64.to_ne_bytes()); // start_ns: tick 1234
        b[96..104].copy_from_slice(&1_000_000_000u64.to_ne_bytes()); // parent_start_ns: tick 100
        b[104] = 2; // ancestors_len
        b[105] = 1; // ancestors_truncated
        for (i, (start, pid, comm)) in [(1_000_000_000u64, 1u32, &b"sh"[..]), (10_000_000, 1, b"init")].into_iter().enumerate() {
            let at = 112 + i * 32;
            b[at..at + 8].copy_from_slice(&start.to_ne_bytes());
            b[at + 8..at + 12].copy_from_slice(&(pid + i as u32).to_ne_bytes());
            b[at + 16..at + 16 + comm.len()].copy_from_slice(comm);
        }
        b.extend_from_slice(&name);
        b.extend_from_slice(args);
        b.extend_from_slice(exe);
        b.extend_from_slice(b"/home");
        b
    }

    #[test]
    fn decodes_an_exec_record() {
        let e = decode(&exec_record(0, 0, b"/usr/bin/ls", b"ls\0-l\0\0a b\0", false)).unwrap();
        assert_eq!((e.task.pid, &e.task.comm[..], e.task.cgroup_id, e.old_tid), (100, &b"ls"[..], 777, 99));
        assert_eq!(e.source, ExecSource::Sched);
        assert_eq!(e.filename, b"/usr/bin/ls");
        assert_eq!(e.argv(), [&b"ls"[..], b"-l", b"", b"a b"]);
        assert!(!e.args_truncated);
        assert_eq!((e.exe.path.as_deref(), e.cwd.path.as_deref()), (Some(&b"/usr/bin/ls"[..]), Some(&b"/home"[..])));
        assert_eq!((e.start_ns, e.parent_start_ns, e.ancestors_truncated, e.fileless), (12_345_678_901, 1_000_000_000, true, false));
        assert_eq!(
            e.ancestors,
            [Ancestor { pid: 1, start_ns: 1_000_000_000, comm: Comm::new(b"sh") }, Ancestor { pid: 2, start_ns: 10_000_000, comm: Comm::new(b"init") }]
        );
        let mut bad = exec_record(0, 0, b"/usr/bin/ls", b"ls\0", false);
        bad[104] = 9;
        assert_eq!(decode(&bad), Err(Malformed::Unknown { field: "ancestors_len", value: 9 }));
        let mut memfd = exec_record(0, 0, b"/proc/self/fd/3", b"x\0", false);
        memfd[84] = 8; // exe_source: SN_PATH_SHMEM
        assert!(decode(&memfd).unwrap().fileless);
    }

    #[test]
    fn failed_and_truncated_execs() {
        let e = decode(&exec_record(1, -2, b"/nope", b"/nope\0x", true)).unwrap();
        assert_eq!((e.source, e.ret), (ExecSource::Execve, -2));
        // Cut inside the second argument: its start is kept.
        assert_eq!(e.argv(), [&b"/nope"[..], b"x"]);
        assert!(e.args_truncated);
        assert_eq!((e.exe.path.as_deref(), e.cwd.path.as_deref()), (None, Some(&b"/home"[..])), "no exe for a failed exec");
        let e = decode(&exec_record(2, -13, b"", b"", false)).unwrap();
        assert_eq!(e.source, ExecSource::Execveat);
        assert!(e.argv().is_empty() && e.filename.is_empty());
    }

    #[test]
    fn malformed_exec_records() {
        assert!(matches!(decode(&[0u8; 367]), Err(Malformed::Short { .. })));
        let mut bad = exec_record(0, 0, b"/bin/ls", b"ls\0", false);
        bad[68..72].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(matches!(decode(&bad), Err(Malformed::Length { .. })));
        assert_eq!(decode(&exec_record(7, 0, b"/x", b"", false)), Err(Malformed::Unknown { field: "exec source", value: 7 }));
    }

    #[test]
    fn exec_records() {
        let e = ExecEvent {
            task: Task { cgroup_id: 42, ..task(b"sh") },
            ret: 0,
            old_tid: 4243,
            source: ExecSource::Sched,
            filename: b"/bin/sh".to_vec(),
            args: b"sh\0-c\0echo \"hi\"\0\0".to_vec(),
            args_truncated: false,
            exe: FullPath { path: Some(b"/usr/bin/dash".to_vec()), truncated: false },
            cwd: FullPath { path: Some(b"/root/\xff".to_vec()), truncated: true },
            fileless: false,
            start_ns: 12_345_678_901,
            parent_start_ns: 1_000_000_000,
            ancestors: vec![Ancestor { pid: 1, start_ns: 1_000_000_000, comm: Comm::new(b"\xffsh") }],
            ancestors_truncated: false,
        };
        let v = json(&Event::Exec(e.clone()));
        assert_eq!(v["kind"], "exec");
        assert_eq!(v["filename"], "/bin/sh");
        assert_eq!(v["argv"], serde_json::json!(["sh", "-c", "echo \"hi\"", ""]));
        assert_eq!(v["argv_truncated"], false);
        assert_eq!(v["ret"], 0);
        assert!(v["errno"].is_null());
        assert_eq!(v["cgroup_id"], 42);
        assert_eq!((&v["exec_id"].as_str().unwrap()[16..], &v["parent_exec_id"].as_str().unwrap()[16..]), ("00000004d2001092", "0000000064000001"));
        assert_eq!(v["ancestors"], serde_json::json!([{"pid": 1, "exec_id": v["parent_exec_id"], "comm": "\u{fffd}sh", "comm_hex": "ff7368"}]));
        assert_eq!((&v["ancestors_truncated"], &v["fileless"]), (&serde_json::json!(false), &serde_json::json!(false)));
        assert!(v.get("argv_hex").is_none());
        assert_eq!((&v["exe"], &v["exe_truncated"]), (&serde_json::json!("/usr/bin/dash"), &serde_json::json!(false)));
        assert_eq!((&v["cwd"], &v["cwd_hex"], &v["cwd_truncated"]), (&serde_json::json!("/root/\u{fffd}"), &serde_json::json!("2f726f6f742fff"), &serde_json::json!(true)));

        let bad = ExecEvent { args: b"a\0\xff\0".to_vec(), ret: -2, source: ExecSource::Execve, args_truncated: true, ..e };
        let v = json(&Event::Exec(bad));
        assert_eq!(v["argv"], serde_json::json!(["a", "\u{fffd}"]));
        assert_eq!(v["argv_hex"], serde_json::json!(["61", "ff"]));
        assert_eq!(v["errno"], "ENOENT");
        assert_eq!(v["argv_truncated"], true);
    }
}
