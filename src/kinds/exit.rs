//! `sysnoop exit`: process exits from bpf/exit.bpf.c on `sched_process_exit`, through
//! tp_btf where it attaches and the classic tracepoint elsewhere.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::size_of;

use anyhow::Result;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::abi::sysnoop_kind;
use crate::bpf::exit::types::{exit_abi, exit_event, exit_slot};
use crate::bpf::exit::ExitBpfSkel;
use crate::event::RecordContext;
use crate::columns::{duration, escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, Task};
use crate::identity::ExecId;
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{Hooks, Loaded, Shared};
use crate::ocsf::{self, Actor, Class, Ocsf, Process};
use crate::schema::Field;
use crate::{plain_abi, text};

/// Trace process exits on the whole host: how (exit status, or the signal that
/// killed it, and whether it dumped core) and after how long. -x keeps only
/// processes that exited non-zero or were killed.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Exit options")]
pub(crate) struct ExitOptions {
    /// Also report the exit of every thread, not only of whole processes.
    #[arg(long)]
    pub(crate) threads: bool,
}

pub(crate) struct Exit;

impl Tracer for Exit {
    const NAME: &'static str = "exit";
    const IN_ALL: InAll = InAll::Required;
    const SNAPSHOT_NEEDS: bool = true;
    type Options = ExitOptions;

    fn load(shared: &Shared, options: &ExitOptions) -> Result<Loaded> {
        shared.tp_btf_or_tracepoint("sched_process_exit", |btf| load_with(shared, options, btf))
    }
}

fn load_with(shared: &Shared, options: &ExitOptions, btf: bool) -> Result<Loaded> {
    let mut open = shared.open::<ExitBpfSkel>()?;
    open.maps.rodata_data.as_deref_mut().expect("exit.bpf.c has rodata").targ_threads = u8::from(options.threads);
    open.progs.tp_btf__sched_process_exit.set_autoload(btf);
    open.progs.tracepoint__sched__sched_process_exit.set_autoload(!btf);
    let skel = shared.load_and_attach::<ExitBpfSkel>(open)?;
    // exec's probe starts a child, whose exit reaches the program.
    shared.live(&skel, &[exit_slot::EXIT_SLOT_EXIT.0], crate::live::child)?;
    let mut hook = format!("sched_process_exit{}", if btf { " (tp_btf)" } else { "" });
    if options.threads {
        hook += ", threads";
    }
    Loaded::ring(Kind::Exit, skel, Hooks::new(Exit::NAME, vec![hook]).on::<ExitBpfSkel>())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExitEvent {
    pub(crate) task: Task,
    pub(crate) duration_ns: u64,
    /// As wait(2) reports it: exit status << 8, 0x80 when a core was dumped, and the
    /// killing signal in the low 7 bits.
    pub(crate) raw_exit_code: u32,
    pub(crate) is_thread: bool,
    /// When the process began (CLOCK_BOOTTIME ns): with the pid, its exec_id.
    pub(crate) start_ns: u64,
}

impl ExitEvent {
    /// The killing signal's number, if a signal ended it.
    pub(crate) fn signal(&self) -> Option<i32> {
        let signal = (self.raw_exit_code & 0x7f) as i32;
        (signal != 0).then_some(signal)
    }

    /// The exit status (0-255), if it exited rather than being killed.
    pub(crate) fn exit_code(&self) -> Option<u8> {
        self.signal().is_none().then_some(((self.raw_exit_code >> 8) & 0xff) as u8)
    }

    pub(crate) fn core_dumped(&self) -> bool {
        self.raw_exit_code & 0x80 != 0
    }
}

/// `9` -> `"SIGKILL"`; real-time and unknown signals -> `"signal_<n>"`.
pub(crate) fn signal_name(signal: i32) -> Cow<'static, str> {
    match nix::sys::signal::Signal::try_from(signal) {
        Ok(s) => Cow::Borrowed(s.as_str()),
        Err(_) => Cow::Owned(format!("signal_{signal}")),
    }
}

plain_abi!(exit_event);
const _: () = assert!(size_of::<exit_event>() == exit_abi::EXIT_EVENT_SIZE.0 as usize);

/// Fixed size.
fn decode(bytes: &[u8]) -> Result<ExitEvent, Malformed> {
    let e: exit_event = decode::fixed(bytes)?;
    Ok(ExitEvent { task: decode::task(bytes), duration_ns: e.duration_ns, raw_exit_code: e.exit_code, is_thread: e.is_thread != 0, start_ns: e.start_ns })
}

impl Record for ExitEvent {
    const NAME: &'static str = "exit";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_EXIT.0, decode));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let body = ExitRecord {
            exec_id: ctx.exec_id(self.start_ns, self.task.pid),
            exit_code: self.exit_code(),
            signal: self.signal().map(signal_name),
            core_dumped: self.core_dumped(),
            duration_ns: self.duration_ns,
            thread: self.is_thread,
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Process Activity, Terminate: the process is its own actor.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let body = ExitOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            process: Process { uid: Some(ctx.exec_id(self.start_ns, self.task.pid)), ..Process::task(&self.task, ctx) },
            exit_code: self.exit_code(),
            duration: ocsf::duration_ms(self.duration_ns),
            unmapped: ExitUnmapped {
                signal: self.signal().map(signal_name),
                core_dumped: self.core_dumped(),
                duration_ns: self.duration_ns,
                thread: self.is_thread,
                comm_hex: text::render(&self.task.comm).hex,
            },
        };
        ocsf.push_task(line, Class::Process, ACTIVITY_TERMINATE, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(Self::NAME, "One process exit (with --threads, thread exits too).", vec![
            Field::count(
                "tid",
                "the thread that reports it: for a process's exit, a thread that was among the last to leave (when several threads leave \
                 at once, as under SIGKILL, exactly one of them reports the process's exit and the others are thread exits); for a thread \
                 exit, that thread",
            ),
            Field::string("comm", "the command name (at most 15 bytes) of that thread"),
            Field::exec_id(
                "exec_id",
                "the process's id, as its `exec` records and its `process` record give it: unique on this host across pid reuse and reboots",
            ),
            Field::with(
                "exit_code",
                serde_json::json!({"type": ["integer", "null"], "minimum": 0, "maximum": 255}),
                "the exit status (0-255), or `null` when a signal killed it",
            ),
            Field::string("signal", "the signal that killed it (`\"SIGKILL\"`), else `null`").nullable(),
            Field::boolean("core_dumped", "whether it dumped core"),
            Field::count("duration_ns", "how long the process (or, for a thread exit, the thread) lived"),
            Field::with(
                "thread",
                serde_json::json!({"const": true}),
                "only with `--threads`: `true` on the exit of a thread while others live on (absent on a process's exit)",
            )
            .optional(),
        ])
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("PCOMM", 16), ("PID", 7), ("PPID", 7), ("TID", 7), ("AGE", 9)], last: "EXIT" };

    /// As exitsnoop: how long it lived, and `code N` or `signal NAME` (and a core dump).
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let how = match self.signal() {
            None => format!("code {}", (self.raw_exit_code >> 8) & 0xff),
            Some(signal) => format!("signal {}{}", signal_name(signal), if self.core_dumped() { ", core dumped" } else { "" }),
        };
        let cells: [&dyn Display; 6] =
            [&time_of_day(ctx.utc(self.task.ts_ns)), &escape(&self.task.comm), &self.task.pid, &self.task.ppid, &self.task.tid, &duration(self.duration_ns)];
        Self::TEXT.row(line, &cells, &how);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        Some(tests::exit_record())
    }
}

/// Process Activity: Terminate.
const ACTIVITY_TERMINATE: u8 = 2;

#[derive(Serialize)]
struct ExitOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    process: Process<'a>,
    /// Absent when a signal ended it (`unmapped.signal` says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<u8>,
    /// Milliseconds since the process started.
    duration: u64,
    unmapped: ExitUnmapped,
}

#[derive(Serialize)]
struct ExitUnmapped {
    signal: Option<Cow<'static, str>>,
    core_dumped: bool,
    duration_ns: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    thread: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

#[derive(Serialize)]
struct ExitRecord {
    exec_id: ExecId,
    exit_code: Option<u8>,
    signal: Option<Cow<'static, str>>,
    core_dumped: bool,
    duration_ns: u64,
    /// Only with --threads, on threads other than the leader.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    thread: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{json, task};
    use crate::kinds::Event;

    /// exit(7) of thread 322 of process 321 after 250 ms (bpf/exit.h offsets).
    pub(crate) fn exit_record() -> Vec<u8> {
        let mut b = crate::decode::tests::header(3, 80); // SN_KIND_EXIT
        b[12..16].copy_from_slice(&321u32.to_ne_bytes()); // pid
        b[16..20].copy_from_slice(&322u32.to_ne_bytes()); // tid
        b[56..64].copy_from_slice(&250_000_000u64.to_ne_bytes()); // duration_ns
        b[64..68].copy_from_slice(&0x0700u32.to_ne_bytes()); // exit_code: exit(7)
        b[68] = 1; // is_thread
        b[72..80].copy_from_slice(&12_345_678_901u64.to_ne_bytes()); // start_ns
        b
    }

    #[test]
    fn decodes_an_exit_record() {
        let b = exit_record();
        let e = decode(&b).unwrap();
        assert_eq!((e.task.pid, e.task.tid, e.duration_ns, e.raw_exit_code, e.is_thread), (321, 322, 250_000_000, 0x700, true));
        assert_eq!(&e.task.comm[..], b"job");
        assert_eq!(e.start_ns, 12_345_678_901);
        assert_eq!(decode(&b[..79]), Err(Malformed::Short { len: 79, need: 80 }));
    }

    #[test]
    fn exit_records() {
        let exit = |raw, is_thread| Event::Exit(ExitEvent { task: task(b"job"), duration_ns: 5, raw_exit_code: raw, is_thread, start_ns: 12_345_678_901 });
        let v = json(&exit(0x0700, false));
        assert_eq!((v["kind"].as_str(), v["exit_code"].as_u64()), (Some("exit"), Some(7)));
        assert!(v["signal"].is_null() && v["core_dumped"] == false && v.get("thread").is_none());
        assert_eq!(v["duration_ns"], 5);
        assert_eq!(v["exec_id"].as_str().unwrap()[16..], *"00000004d2001092", "tick 1234, pid 4242");
        let v = json(&exit(9, false));
        assert!(v["exit_code"].is_null());
        assert_eq!(v["signal"], "SIGKILL");
        let v = json(&exit(0x80 | 11, true));
        assert_eq!((v["signal"].as_str(), v["core_dumped"].as_bool()), (Some("SIGSEGV"), Some(true)));
        assert_eq!(v["thread"], true);
        assert_eq!(signal_name(40), "signal_40");
        assert_eq!(json(&exit(0, false))["exit_code"], 0);
    }
}
