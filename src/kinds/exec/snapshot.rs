//! The processes already running when tracing starts: one `process` record each, read
//! from /proc once every program is live (`all` by default, `exec --snapshot`).
//!
//! Each process is read as a whole (stat, status, cmdline, exe, cwd, cgroup), from the
//! moment `read_from_ns` to the record's time, by a few worker threads. A process that
//! is gone by the end of its read is not reported (`vanished`: its exit is in the
//! stream), nor one whose pid another process took meanwhile. The writer holds the live
//! stream while the scan runs, and then drops the record of a process the stream
//! introduces by an exec of its own (src/writer.rs applies `introduced_by`): so each
//! image of a process is introduced once, by this record or by its exec record.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::value::RawValue;

use super::{rendered_argv, split_args, ExecEvent};
use crate::clock::{self, Timestamp};
use crate::columns::{escape, time_of_day, Header};
use crate::event::{push_task_line, Comm, Record, RecordContext, Task};
use crate::identity::{self, ExecId};
use crate::ocsf::{self, Actor, Class, File, Ocsf, Process, User};
use crate::schema::Field;
use crate::text;

/// PF_KTHREAD (include/linux/sched.h), in /proc/PID/stat's flags.
const PF_KTHREAD: u64 = 0x0020_0000;
/// The most worker threads reading /proc.
const WORKERS: usize = 8;
/// How long the scan waits for its workers: a read of /proc/PID/cmdline can block on
/// the process's memory map (a process stuck in a page fault on a dead NFS server).
/// What is not read by then is counted `unread`.
const DEADLINE: Duration = Duration::from_secs(5);

/// One process found running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcessEvent {
    /// Its pid, parent, real uid, name (its main thread's) and cgroup; `ts_ns` is when
    /// its read ended.
    pub(crate) task: Task,
    /// When its read began (CLOCK_BOOTTIME ns).
    pub(crate) read_from_ns: u64,
    /// /proc/PID/stat's start time: clock ticks since boot.
    pub(crate) start_ticks: u64,
    /// The parent's, when the parent was read too.
    pub(crate) parent_start_ticks: Option<u64>,
    pub(crate) euid: u32,
    /// /proc/PID/stat's state: R, S, D, Z, T, t, X, I, ...
    pub(crate) state: u8,
    pub(crate) kernel_thread: bool,
    /// readlink /proc/PID/exe; None for kernel threads and zombies.
    pub(crate) exe: Option<Vec<u8>>,
    pub(crate) fileless: bool,
    /// /proc/PID/cmdline: each argument with its NUL (as exec records hold argv).
    pub(crate) args: Vec<u8>,
    pub(crate) args_truncated: bool,
    pub(crate) cwd: Option<Vec<u8>>,
    /// Its cgroup v2 directory, for --cgroup (records name it by `cgroup_id`).
    pub(crate) cgroup: Option<PathBuf>,
}

impl ProcessEvent {
    fn argv(&self) -> Vec<&[u8]> {
        split_args(&self.args)
    }

    /// This record's exec_id.
    pub(crate) fn exec_id(&self, ctx: &RecordContext) -> ExecId {
        ctx.identity.of_ticks(self.start_ticks, self.task.pid)
    }

    /// Whether the live stream introduces this process's image instead, given the
    /// process's successful execs there, in the stream's order: one done before this
    /// record's read ended (the read may have seen its new image), or the first one
    /// after it when it shows the very image the read found (an exec whose image was in
    /// place before the read, but whose sched_process_exec came after it).
    pub(crate) fn introduced_by(&self, execs: &[&ExecEvent]) -> bool {
        execs.iter().any(|e| e.task.ts_ns <= self.task.ts_ns)
            || execs.iter().find(|e| e.task.ts_ns > self.task.ts_ns).is_some_and(|e| e.exe.path == self.exe && e.args == self.args)
    }
}

/// What the snapshot keeps: the run's task filters, applied to what /proc says.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) tgid: Option<u32>,
    pub(crate) tid: Option<u32>,
    pub(crate) uid: Option<u32>,
    pub(crate) comm: Option<String>,
    /// -x: a snapshot has no failures, so nothing.
    pub(crate) failed: bool,
    /// --cgroup: the cgroup v2 directory (and below).
    pub(crate) cgroup: Option<PathBuf>,
    /// --follow: this process and its descendants.
    pub(crate) follow: Option<u32>,
    /// --max-arg-bytes.
    pub(crate) max_arg_bytes: usize,
}

/// A scan's records (sorted by start, then pid) and what became of every process
/// /proc listed: `listed` = records + filtered + vanished + unread.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) processes: Vec<ProcessEvent>,
    pub(crate) listed: u64,
    pub(crate) filtered: u64,
    pub(crate) vanished: u64,
    pub(crate) unread: u64,
    pub(crate) duration_ns: u64,
    /// When the scan ended (None: not yet).
    pub(crate) ended: Option<Instant>,
}

/// Reads every process /proc lists but sysnoop itself (whose events are never
/// reported either).
pub(crate) fn scan(scope: &Scope) -> Scan {
    let started = Instant::now();
    let me = std::process::id();
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")
        .map(|dir| dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).filter(|&pid| pid != me).collect())
        .unwrap_or_default();
    pids.sort_unstable();
    let pids = Arc::new(pids);
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = crossbeam_channel::unbounded();
    let cgroup_mount = crate::preflight::cgroup2_mount();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(WORKERS);
    let mut running = 0;
    for _ in 0..workers {
        let (pids, next, tx, max, mount) = (pids.clone(), next.clone(), tx.clone(), scope.max_arg_bytes, cgroup_mount.clone());
        // Detached: one blocked on a process's memory stays behind without holding the
        // run (see DEADLINE); each ends when the pids do.
        let spawned = std::thread::Builder::new().name("sysnoop-snapshot".into()).spawn(move || {
            let mut cgroups = HashMap::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&pid) = pids.get(i) else { break };
                if tx.send(Some(read(pid, max, mount.as_deref(), &mut cgroups))).is_err() {
                    break;
                }
            }
            // Started with the capabilities the scan needs (see session.rs): none left
            // once it is done, before it says so.
            let _ = crate::caps::drop_all_but(&[], || true);
            let _ = tx.send(None);
        });
        if spawned.is_err() {
            break; // fewer workers (or none: everything unread)
        }
        running += 1;
    }
    drop(tx);
    let deadline = started + DEADLINE;
    let mut read = Vec::with_capacity(pids.len());
    while running > 0 {
        match rx.recv_deadline(deadline) {
            Ok(Some(result)) => read.push(result),
            Ok(None) => running -= 1,
            Err(_) => break,
        }
    }
    let mut scan = Scan { listed: pids.len() as u64, unread: (pids.len() - read.len()) as u64, ..Scan::default() };
    let mut found: Vec<ProcessEvent> = read.into_iter().flatten().collect();
    scan.vanished = scan.listed - scan.unread - found.len() as u64;
    let starts: HashMap<u32, u64> = found.iter().map(|p| (p.task.pid, p.start_ticks)).collect();
    let parents: HashMap<u32, u32> = found.iter().map(|p| (p.task.pid, p.task.ppid)).collect();
    for p in &mut found {
        p.parent_start_ticks = starts.get(&p.task.ppid).copied();
    }
    let total = found.len();
    found.retain(|p| scope.keeps(p, &parents));
    scan.filtered = (total - found.len()) as u64;
    found.sort_by_key(|p| (p.start_ticks, p.task.pid));
    scan.processes = found;
    scan.duration_ns = started.elapsed().as_nanos() as u64;
    scan.ended = Some(Instant::now());
    scan
}

impl Scope {
    fn keeps(&self, p: &ProcessEvent, parents: &HashMap<u32, u32>) -> bool {
        let descends = |from: u32| {
            let mut pid = p.task.pid;
            // Bounded: a cycle cannot happen in one reading, but pids read at
            // different moments could make one.
            for _ in 0..4096 {
                if pid == from {
                    return true;
                }
                match parents.get(&pid) {
                    Some(&parent) if parent != 0 => pid = parent,
                    _ => return false,
                }
            }
            false
        };
        !self.failed
            && self.tgid.is_none_or(|t| t == p.task.pid)
            && self.tid.is_none_or(|t| t == p.task.pid)
            && self.uid.is_none_or(|u| u == p.task.uid)
            && self.comm.as_deref().is_none_or(|c| p.task.comm.windows(c.len()).any(|w| w == c.as_bytes()))
            && self.follow.is_none_or(descends)
            && self.cgroup.as_deref().is_none_or(|dir| p.cgroup.as_deref().is_some_and(|c| c.starts_with(dir)))
    }
}

/// One process's reading; None when it is gone, or its pid is another's by the end.
fn read(pid: u32, max_arg_bytes: usize, cgroup_mount: Option<&Path>, cgroups: &mut HashMap<PathBuf, u64>) -> Option<ProcessEvent> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    let read_from_ns = clock::boot_ns();
    let stat = std::fs::read(dir.join("stat")).ok()?;
    let open = stat.iter().position(|&b| b == b'(')?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let fields = identity::stat_fields(&stat)?;
    let start_ticks = identity::stat_field(&fields, 22)?;
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let ids = |key: &str| -> Option<Vec<u32>> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].split_whitespace().map(|n| n.parse().ok()).collect()
    };
    let uids = ids("Uid:")?;
    let mut args = std::fs::read(dir.join("cmdline")).unwrap_or_default();
    let args_truncated = args.len() > max_arg_bytes;
    args.truncate(max_arg_bytes);
    let exe = std::fs::read_link(dir.join("exe")).ok().map(|p| p.into_os_string().into_vec());
    // The executable itself (the link followed): no link left to it on any filesystem.
    let fileless = exe.is_some() && std::fs::metadata(dir.join("exe")).is_ok_and(|m| m.nlink() == 0);
    let cwd = std::fs::read_link(dir.join("cwd")).ok().map(|p| p.into_os_string().into_vec());
    let cgroup = std::fs::read_to_string(dir.join("cgroup"))
        .ok()
        .and_then(|c| c.lines().find_map(|l| l.strip_prefix("0::").map(|p| p.trim_start_matches('/').to_owned())));
    let cgroup_dir = cgroup_mount.zip(cgroup).map(|(mount, rel)| mount.join(rel));
    let cgroup_id = match &cgroup_dir {
        Some(dir) => match cgroups.get(dir) {
            Some(&id) => id,
            None => {
                let id = std::fs::metadata(dir).map_or(0, |m| m.ino());
                cgroups.insert(dir.clone(), id);
                id
            }
        },
        None => 0,
    };
    // Still the same process: a pid freed and taken again during the read is another's.
    let again = std::fs::read(dir.join("stat")).ok()?;
    if identity::stat_field(&identity::stat_fields(&again)?, 22)? != start_ticks {
        return None;
    }
    let read_to_ns = clock::boot_ns();
    Some(ProcessEvent {
        task: Task {
            ts_ns: read_to_ns,
            pid,
            tid: pid,
            ppid: identity::stat_field(&fields, 4)? as u32,
            uid: *uids.first()?,
            comm: Comm::new(&stat[open + 1..close]),
            cgroup_id,
        },
        read_from_ns,
        start_ticks,
        parent_start_ticks: None,
        euid: *uids.get(1)?,
        state: *fields.first()?.first()?,
        kernel_thread: identity::stat_field(&fields, 9)? & PF_KTHREAD != 0,
        fileless: fileless || exe.as_deref().is_some_and(|e| e.starts_with(b"/memfd:")),
        exe,
        args,
        args_truncated,
        cwd,
        cgroup: cgroup_dir,
    })
}

impl Record for ProcessEvent {
    const NAME: &'static str = "process";

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let (argv, argv_hex) = rendered_argv(&self.argv());
        let exe = self.exe.as_deref().map(text::render);
        let cwd = self.cwd.as_deref().map(text::render);
        let body = ProcessRecord {
            exec_id: ctx.identity.of_ticks(self.start_ticks, self.task.pid),
            parent_exec_id: self.parent_start_ticks.map(|t| ctx.identity.of_ticks(t, self.task.ppid)),
            start_time: ctx.utc(ctx.identity.ticks_ns(self.start_ticks)),
            state: char::from(self.state),
            kernel_thread: self.kernel_thread,
            euid: self.euid,
            exe: exe.as_ref().map(|e| e.text.clone()),
            exe_hex: exe.and_then(|e| e.hex),
            fileless: self.fileless,
            argv,
            argv_hex,
            argv_truncated: self.args_truncated,
            cwd: cwd.as_ref().map(|c| c.text.clone()),
            cwd_hex: cwd.and_then(|c| c.hex),
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Process Query (Discovery), Query, the process Exists: the process as for an
    /// exec's Launch, with its exec_id and start.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let (argv, argv_hex) = rendered_argv(&self.argv());
        let exe = self.exe.as_deref().map(text::render);
        let process = Process {
            cmd_line: (!argv.is_empty()).then(|| argv.join(" ")),
            file: exe.as_ref().map(|e| File { type_id: 1, ..File::at(e.text.clone()) }),
            uid: Some(ctx.identity.of_ticks(self.start_ticks, self.task.pid)),
            created_time: Some(ocsf::time_ms(ctx.utc(ctx.identity.ticks_ns(self.start_ticks)))),
            tid: None,
            parent_process: Some(Box::new(Process {
                pid: self.task.ppid,
                uid: self.parent_start_ticks.map(|t| ctx.identity.of_ticks(t, self.task.ppid)),
                ..Process::default()
            })),
            ..Process::task(&self.task, ctx)
        };
        let body = ProcessOcsf {
            actor: Actor { process: None, user: Some(User::uid(self.task.uid)), app_name: Some("sysnoop") },
            device: ocsf.device(),
            process,
            query_result_id: QUERY_RESULT_EXISTS,
            unmapped: ProcessUnmapped {
                state: char::from(self.state),
                kernel_thread: self.kernel_thread,
                euid: self.euid,
                fileless: self.fileless,
                argv,
                argv_hex,
                argv_truncated: self.args_truncated,
                exe_hex: exe.and_then(|e| e.hex),
                cwd: self.cwd.as_deref().map(|c| text::render(c).text),
                comm_hex: text::render(&self.task.comm).hex,
                cgroup_id: self.task.cgroup_id,
            },
        };
        ocsf.push_task(line, Class::ProcessQuery, ACTIVITY_QUERY, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(
            Self::NAME,
            "A process that was running when tracing began, read from /proc (`all`; `exec --snapshot`).",
            vec![
                Field::count("tid", "the pid again: the process, not one of its threads"),
                Field::count("uid", "its real user id, from /proc/PID/status"),
                Field::string("comm", "its command name (its main thread's), as /proc/PID/stat shows it"),
                Field::exec_id("exec_id", "its id, as its `exec` and `exit` records give it (docs/records.md, Process identity)"),
                Field::exec_id("parent_exec_id", "its parent's (`ppid`'s) `exec_id`; `null` when the parent could not be read (pid 0, or gone)")
                    .nullable(),
                Field::time("start_time", "when the process began, UTC, to the clock tick (10 ms): /proc/PID/stat's start time"),
                Field::string("state", "its state then, as /proc/PID/stat gives it: `R` running, `S` sleeping, `D` in disk sleep, `Z` zombie, `T` stopped, `I` idle, ..."),
                Field::boolean("kernel_thread", "a kernel thread (no executable, no argv)"),
                Field::count("euid", "its effective user id"),
                Field::string("exe", "readlink /proc/PID/exe; `null` for a kernel thread or a zombie").nullable(),
                Field::hex("exe_hex", "exe"),
                Field::boolean("fileless", "`true` when the executable has no link on any filesystem (a memfd, or unlinked), as for `exec`"),
                Field::strings(
                    "argv",
                    "/proc/PID/cmdline's arguments (up to --max-arg-bytes): what the process shows there now, which it may have rewritten since its exec",
                ),
                Field::with(
                    "argv_hex",
                    serde_json::json!({"type": "array", "items": {"type": "string", "pattern": "^([0-9a-f]{2})*$"}}),
                    "every argument's exact bytes, hex-encoded; present only when one is not UTF-8",
                )
                .optional(),
                Field::boolean("argv_truncated", "`true` when --max-arg-bytes cut argv"),
                Field::string("cwd", "readlink /proc/PID/cwd; `null` when it cannot be read").nullable(),
                Field::hex("cwd_hex", "cwd"),
            ],
        )
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PCOMM", 16), ("PID", 7), ("PPID", 7), ("STATE", 5)], last: "ARGS" };

    /// As exec's, with the state instead of the result: a process already running.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let args: Vec<Cow<'_, str>> = self.argv().into_iter().map(escape).collect();
        let mut args = args.join(" ");
        if self.args_truncated {
            args += " ...";
        }
        let state = char::from(self.state);
        let cells: [&dyn Display; 5] = [&time_of_day(ctx.utc(self.task.ts_ns)), &escape(&self.task.comm), &self.task.pid, &self.task.ppid, &state];
        Self::TEXT.row(line, &cells, &args);
    }
}

/// Process Query: Query.
const ACTIVITY_QUERY: u8 = 1;
/// query_result_id: Exists.
const QUERY_RESULT_EXISTS: u8 = 1;

#[derive(Serialize)]
struct ProcessRecord<'a> {
    exec_id: ExecId,
    parent_exec_id: Option<ExecId>,
    start_time: Timestamp,
    state: char,
    kernel_thread: bool,
    euid: u32,
    exe: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exe_hex: Option<String>,
    fileless: bool,
    argv: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    argv_hex: Option<Vec<String>>,
    argv_truncated: bool,
    cwd: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwd_hex: Option<String>,
}

#[derive(Serialize)]
struct ProcessOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    process: Process<'a>,
    query_result_id: u8,
    unmapped: ProcessUnmapped<'a>,
}

#[derive(Serialize)]
struct ProcessUnmapped<'a> {
    state: char,
    kernel_thread: bool,
    euid: u32,
    fileless: bool,
    argv: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    argv_hex: Option<Vec<String>>,
    argv_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    exe_hex: Option<String>,
    cwd: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
    cgroup_id: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{json, task};
    use crate::kinds::Event;

    fn process() -> ProcessEvent {
        ProcessEvent {
            task: Task { tid: 4242, ..task(b"python3") },
            read_from_ns: 900,
            start_ticks: 1234,
            parent_start_ticks: Some(100),
            euid: 0,
            state: b'S',
            kernel_thread: false,
            exe: Some(b"/usr/bin/python3.11".to_vec()),
            fileless: false,
            args: b"python3\0-c\0pass\0".to_vec(),
            args_truncated: false,
            cwd: Some(b"/root".to_vec()),
            cgroup: None,
        }
    }

    #[test]
    fn process_records() {
        let v = json(&Event::Process(process()));
        assert_eq!((v["kind"].as_str(), v["pid"].as_u64(), v["tid"].as_u64()), (Some("process"), Some(4242), Some(4242)));
        assert_eq!(v["exec_id"].as_str().unwrap()[16..], *"00000004d2001092");
        assert_eq!(v["parent_exec_id"].as_str().unwrap()[16..], *"0000000064000001");
        assert_eq!(v["argv"], serde_json::json!(["python3", "-c", "pass"]));
        assert_eq!((v["state"].as_str(), v["exe"].as_str(), v["cwd"].as_str()), (Some("S"), Some("/usr/bin/python3.11"), Some("/root")));
        let kthread = ProcessEvent { exe: None, args: Vec::new(), cwd: None, kernel_thread: true, parent_start_ticks: None, ..process() };
        let v = json(&Event::Process(kthread));
        assert!(v["exe"].is_null() && v["cwd"].is_null() && v["parent_exec_id"].is_null());
        assert_eq!((v["argv"].as_array().map(Vec::len), &v["kernel_thread"]), (Some(0), &serde_json::json!(true)));
    }

    #[test]
    fn filters_on_what_proc_says() {
        let parents: HashMap<u32, u32> = [(4242, 1), (1, 0), (5000, 4242)].into_iter().collect();
        let p = process();
        let child = ProcessEvent { task: Task { pid: 5000, ppid: 4242, ..p.task }, ..p.clone() };
        assert!(Scope::default().keeps(&p, &parents));
        assert!(!Scope { failed: true, ..Scope::default() }.keeps(&p, &parents), "-x: no process has failed");
        assert!(Scope { comm: Some("thon".into()), ..Scope::default() }.keeps(&p, &parents));
        assert!(!Scope { comm: Some("perl".into()), ..Scope::default() }.keeps(&p, &parents));
        assert!(!Scope { uid: Some(1000), ..Scope::default() }.keeps(&p, &parents));
        let follow = Scope { follow: Some(4242), ..Scope::default() };
        assert!(follow.keeps(&p, &parents) && follow.keeps(&child, &parents));
        assert!(!Scope { follow: Some(5000), ..Scope::default() }.keeps(&p, &parents));
        let in_cgroup = Scope { cgroup: Some("/sys/fs/cgroup/a".into()), ..Scope::default() };
        assert!(!in_cgroup.keeps(&p, &parents));
        assert!(in_cgroup.keeps(&ProcessEvent { cgroup: Some("/sys/fs/cgroup/a/b".into()), ..p.clone() }, &parents));
    }

    /// The exactly-once rule: a process read until time 1000 (image `a`) is introduced
    /// by the stream instead when it exec'd by then, or when its first exec after that
    /// shows image `a` again (its image was in place before the read).
    #[test]
    fn the_stream_introduces_what_it_exec_d() {
        let p = ProcessEvent { task: Task { ts_ns: 1000, ..process().task }, args: b"a\0".to_vec(), ..process() };
        let exec = |ts_ns, image: &[u8]| super::super::ExecEvent {
            task: Task { ts_ns, ..p.task },
            ret: 0,
            old_tid: p.task.pid,
            source: super::super::ExecSource::Sched,
            filename: b"/usr/bin/python3.11".to_vec(),
            args: image.to_vec(),
            args_truncated: false,
            exe: crate::path::FullPath { path: p.exe.clone(), truncated: false },
            cwd: crate::path::FullPath::default(),
            fileless: false,
            start_ns: 12_345_678_901,
            parent_start_ns: 0,
            ancestors: Vec::new(),
            ancestors_truncated: false,
        };
        let (before, same, other, same_later) = (exec(900, b"b\0"), exec(1100, b"a\0"), exec(1100, b"b\0"), exec(1200, b"a\0"));
        assert!(!p.introduced_by(&[]));
        assert!(p.introduced_by(&[&before]), "exec'd before the read ended");
        assert!(p.introduced_by(&[&same]), "the image read, exec'd before the read but seen after");
        assert!(!p.introduced_by(&[&other]), "read, then a new image");
        assert!(!p.introduced_by(&[&other, &same_later]), "back to the first image later: a new exec");
    }

    /// This test's own process, read as the scan reads it.
    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        let p = read(me, 4096, crate::preflight::cgroup2_mount().as_deref(), &mut HashMap::new()).unwrap();
        assert_eq!((p.task.pid, p.task.ppid), (me, std::os::unix::process::parent_id()));
        assert_eq!(p.exe.as_deref(), Some(std::env::current_exe().unwrap().as_os_str().as_encoded_bytes()));
        assert_eq!(p.argv()[0], std::env::args_os().next().unwrap().as_encoded_bytes());
        assert!(!p.kernel_thread && !p.fileless && p.read_from_ns <= p.task.ts_ns);
        assert!(read(u32::MAX, 4096, None, &mut HashMap::new()).is_none(), "no such process");
    }
}
