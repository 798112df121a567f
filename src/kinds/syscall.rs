//! `sysnoop syscalls`: every completed syscall, or those named with --syscall, from
//! bpf/syscall.bpf.c on the raw sys_enter/sys_exit tracepoints (the per-syscall ones
//! where raw ones do not load); or, with --count, counts aggregated in the kernel.

use std::borrow::Cow;
use std::fmt::Display;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::mem::size_of;
use std::time::Duration;

use anyhow::{Context, Result};
use libbpf_rs::{MapCore, MapHandle};
use serde::Serialize;

use crate::abi::sysnoop_kind;
use crate::bpf::syscall::types::{syscall_abi, syscall_args_from, syscall_count, syscall_count_key, syscall_event, syscall_slot};
use crate::bpf::syscall::SyscallBpfSkel;
use crate::units::parse_duration;
use crate::event::RecordContext;
use crate::columns::{duration, escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_record_line, push_task_head, Decoder, Record, Task};
use crate::kinds::Event;
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{counted, Hooks, Loaded, Shared};
use crate::ocsf::Ocsf;
use crate::loader::Periodic;
use crate::schema::Field;
use crate::{errno, json, plain_abi, syscalls, text};

mod values;
use values::Value;

/// Trace every syscall on the host, with its result (strace without ptrace), and its
/// latency with -L; usually with -p, and --syscall to pick some.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Syscalls options")]
pub(crate) struct SyscallsOptions {
    /// Only these syscalls, by name, e.g. openat,close.
    #[arg(long, value_name = "NAME[,NAME]", value_parser = parse_syscalls)]
    pub(crate) syscall: Option<SyscallNumbers>,

    /// Count in the kernel instead (like syscount): calls and errors per syscall, as
    /// "syscall_count" records at the end (or every -i), counted at each call's exit
    /// (calls that never return, exit and exit_group, are not counted).
    #[arg(short = 'c', long)]
    pub(crate) count: bool,

    /// Also measure each call's latency, from its enter to its exit (as strace -T):
    /// each record's latency_ns, or with --count the total and longest per syscall
    /// (exit and exit_group then counted at their enter). Costs a second program per
    /// call and a map to pair them.
    #[arg(short = 'L', long)]
    pub(crate) latency: bool,

    /// --count: count per process too.
    #[arg(short = 'P', long, requires = "count")]
    pub(crate) per_process: bool,

    /// --count: only the N most called.
    #[arg(long, value_name = "N", requires = "count", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) top: Option<u64>,

    /// --count: print the counts of each interval this often, e.g. 1s.
    #[arg(short = 'i', long, value_name = "DURATION", requires = "count", value_parser = parse_duration)]
    pub(crate) interval: Option<Duration>,

    /// --count: count only calls that fail with this error, e.g. EBADF.
    #[arg(long, value_name = "NAME", requires = "count", value_parser = parse_errno)]
    pub(crate) errno: Option<i32>,
}

/// `EBADF` -> 9.
pub(crate) fn parse_errno(s: &str) -> Result<i32, String> {
    errno::number(s).ok_or_else(|| format!("`{s}` is not an errno name (e.g. EBADF, ENOENT)"))
}

/// Syscall numbers for this architecture, from names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyscallNumbers(pub Vec<u32>);

/// `openat,close`: names this architecture has.
pub(crate) fn parse_syscalls(s: &str) -> Result<SyscallNumbers, String> {
    s.split(',')
        .map(|name| {
            let name = name.trim();
            syscalls::number(name).ok_or_else(|| format!("`{name}` is not a syscall on this architecture"))
        })
        .collect::<Result<Vec<u32>, String>>()
        .map(SyscallNumbers)
}

pub(crate) struct Syscalls;

impl Tracer for Syscalls {
    const NAME: &'static str = "syscalls";
    const IN_ALL: InAll = InAll::No;
    type Options = SyscallsOptions;

    /// The raw sys_enter/sys_exit tracepoints where they attach (with typed arguments,
    /// tp_btf, where those load), else the per-syscall tracepoints of the syscalls asked
    /// for.
    fn load(shared: &Shared, options: &SyscallsOptions) -> Result<Loaded> {
        let untyped = |raw| load_with(shared, options, if raw { Hook::Raw } else { Hook::PerSyscall });
        let raw = || shared.preferred_or_fallback(shared.raw_tp, "raw_tp/sys_enter", untyped);
        shared.preferred_or_fallback(shared.tp_btf && shared.raw_tp, "tp_btf/sys_enter", |typed| if typed { load_with(shared, options, Hook::Typed) } else { raw() })
    }
}

/// The syscall sysnoop makes to prove the programs fire: attached in every mode.
const PROBE: &str = "getppid";

/// The calls that never return: without --latency, what the enter program reports.
const NEVER_RETURN: [&str; 2] = ["exit", "exit_group"];

/// The call whose exit the per-syscall tracepoints never show (the kernel does not
/// fire sys_exit_rt_sigreturn): there the enter program reports it, without a result.
const RETURN_UNSEEN: &str = "rt_sigreturn";

/// The calls whose arguments the enter program keeps for their exit (a successful one
/// returns into a new program, whose registers and memory are not the caller's).
const EXECS: [&str; 2] = ["execve", "execveat"];

/// Bit i when argument i of syscall `name` is a string the kernel reads.
fn string_args(name: &str, args: syscalls::Args) -> u8 {
    args.iter().enumerate().filter(|(_, &(ctype, arg))| values::is_string(name, arg, ctype)).fold(0, |bits, (i, _)| bits | 1 << i)
}

/// Where the programs hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hook {
    /// The raw sys_enter/sys_exit tracepoints, their arguments typed (tp_btf): the saved
    /// registers are the tracepoint's argument, read with loads.
    Typed,
    /// The raw tracepoints: the registers are found from the task (two helper calls).
    Raw,
    /// The per-syscall tracepoints.
    PerSyscall,
}

/// Which calls the enter program sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enter {
    /// --count without --latency: it is not loaded.
    Nowhere,
    /// --latency: every call, paired with its exit.
    Every,
    /// Per-event mode without --latency: exit and exit_group (and execve and execveat,
    /// whose arguments it keeps), on their own tracepoints.
    NeverReturning,
}

/// A child that exits at once (exit_group): the proof that an enter program attached
/// to the calls that never return runs. It makes no other call, so nothing of it is
/// reported (sysnoop's children never are; its return from fork is no call of its own).
fn exiting_child() {
    // SAFETY: the child only calls _exit, which is async-signal-safe.
    match unsafe { nix::unistd::fork() } {
        // SAFETY: _exit is async-signal-safe.
        Ok(nix::unistd::ForkResult::Child) => unsafe { nix::libc::_exit(0) },
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            let _ = nix::sys::wait::waitpid(child, None);
        }
        Err(_) => {} // no proof this time: live::wait tries again, then says so
    }
}

fn load_with(shared: &Shared, options: &SyscallsOptions, hook: Hook) -> Result<Loaded> {
    let raw = hook != Hook::PerSyscall;
    let typed = hook == Hook::Typed;
    let numbers = options.syscall.as_ref().map_or(&[][..], |s| &s.0);
    let mut open = shared.open::<SyscallBpfSkel>()?;
    let rodata = open.maps.rodata_data.as_deref_mut().expect("syscall.bpf.c has rodata");
    for &nr in numbers {
        let slot = rodata.targ_syscalls.get_mut(nr as usize).with_context(|| format!("syscall number {nr} is out of range"))?;
        *slot = 1;
    }
    rodata.targ_syscalls_set = u8::from(!numbers.is_empty());
    // The calls that never return, and those that return in a new task too.
    let nr = |name: &str| syscalls::number(name).map_or(-1, |nr| nr as i32);
    [rodata.nr_exit, rodata.nr_exit_group] = NEVER_RETURN.map(nr);
    rodata.nr_fork = nr("fork");
    rodata.nr_vfork = nr("vfork");
    rodata.nr_clone = nr("clone");
    rodata.nr_clone3 = nr("clone3");
    rodata.nr_rt_sigreturn = nr("rt_sigreturn");
    if !raw && !options.count {
        rodata.nr_at_enter = nr(RETURN_UNSEEN);
    }
    [rodata.nr_execve, rodata.nr_execveat] = EXECS.map(nr);
    // Which arguments the kernel reads as strings: the table that prints them says.
    for (nr, slot) in rodata.targ_strings.iter_mut().enumerate() {
        *slot = syscalls::args(nr as u32).map_or(0, |args| string_args(&syscalls::name(nr as u32), args));
    }
    if options.count {
        rodata.targ_count = 1;
        rodata.targ_per_process = u8::from(options.per_process);
        rodata.targ_errno = options.errno.unwrap_or(0) as u32;
    }
    // Calls are taken at their exit alone (on_exit_unpaired in the C), but with
    // --latency, which pairs enter and exit on every call. In per-event mode the enter
    // program also reports the calls that never return: on their own tracepoints where
    // this kernel has them (then it costs the other calls nothing), else on raw
    // sys_enter, where it returns at once for the others. Counting without latency
    // needs no enter.
    rodata.targ_latency = u8::from(options.latency);
    let paired = options.latency;
    let never_returning_tracepoints = NEVER_RETURN.iter().chain(&EXECS).all(|name| shared.has_syscall_tracepoints(name));
    let enter = if paired {
        Enter::Every
    } else if options.count {
        Enter::Nowhere
    } else if never_returning_tracepoints || !raw {
        Enter::NeverReturning
    } else {
        Enter::Every
    };
    let progs = &mut open.progs;
    progs.tp_btf__sys_enter.set_autoload(typed && enter == Enter::Every);
    progs.tp_btf__sys_exit.set_autoload(typed && paired);
    progs.tp_btf__sys_exit_unpaired.set_autoload(typed && !paired);
    progs.raw_tp__sys_enter.set_autoload(hook == Hook::Raw && enter == Enter::Every);
    progs.raw_tp__sys_exit.set_autoload(hook == Hook::Raw && paired);
    progs.raw_tp__sys_exit_unpaired.set_autoload(hook == Hook::Raw && !paired);
    progs.tracepoint__syscalls__sys_enter.set_autoload(enter == Enter::NeverReturning || (!raw && enter == Enter::Every));
    progs.tracepoint__syscalls__sys_exit.set_autoload(!raw && paired);
    progs.tracepoint__syscalls__sys_exit_unpaired.set_autoload(!raw && !paired);

    let attach = |prog: &libbpf_rs::ProgramMut<'_>, side: &str, name: &str| {
        prog.attach_tracepoint(libbpf_rs::TracepointCategory::Syscalls, format!("sys_{side}_{name}")).with_context(|| format!("attaching syscalls/sys_{side}_{name}"))
    };
    let mut links = Vec::new();
    let mut hooks = Hooks::new(Syscalls::NAME, Vec::new()).on::<SyscallBpfSkel>();
    // Whether the enter program runs on calls that never return alone.
    let mut enter_on_exits_alone = false;
    let skel = if raw {
        let skel = shared.load_and_attach::<SyscallBpfSkel>(open)?;
        let typed = if typed { " (tp_btf)" } else { "" };
        hooks.traced.push(match enter {
            Enter::Every => format!("raw_syscalls sys_enter, sys_exit{typed}"),
            Enter::Nowhere => format!("raw_syscalls sys_exit{typed}"),
            Enter::NeverReturning => {
                for name in NEVER_RETURN.iter().chain(&EXECS) {
                    links.push(attach(&skel.progs.tracepoint__syscalls__sys_enter, "enter", name)?);
                }
                enter_on_exits_alone = true;
                format!("raw_syscalls sys_exit{typed}; syscalls sys_enter_{}, sys_enter_{}", NEVER_RETURN.join(", sys_enter_"), EXECS.join(", sys_enter_"))
            }
        });
        skel
    } else {
        let skel = shared.load::<SyscallBpfSkel>(open)?;
        // The requested syscalls (all that have tracepoints when none was named), and
        // the probe's.
        let mut names: Vec<String> = if numbers.is_empty() {
            std::fs::read_dir(shared.syscall_tracepoints())
                .context("listing the syscall tracepoints")?
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.strip_prefix("sys_enter_").map(str::to_owned))
                .collect()
        } else {
            numbers.iter().map(|&nr| syscalls::name(nr).into_owned()).collect()
        };
        names.push(PROBE.into());
        names.sort();
        names.dedup();
        let exit = if paired { &skel.progs.tracepoint__syscalls__sys_exit } else { &skel.progs.tracepoint__syscalls__sys_exit_unpaired };
        for name in &names {
            // Their tracepoints' names, which are not always theirs (stat's is newstat).
            let tracepoint = syscalls::tracepoint(name);
            if !shared.has_syscall_tracepoints(tracepoint) {
                hooks.absent.push(name.clone());
                continue;
            }
            let at_enter = NEVER_RETURN.contains(&name.as_str()) || (!options.count && (EXECS.contains(&name.as_str()) || name == RETURN_UNSEEN));
            if enter == Enter::Every || (enter == Enter::NeverReturning && at_enter) {
                links.push(attach(&skel.progs.tracepoint__syscalls__sys_enter, "enter", tracepoint)?);
                enter_on_exits_alone = enter == Enter::NeverReturning;
            }
            links.push(attach(exit, "exit", tracepoint)?);
        }
        // What proves an enter program on these calls alone runs is the exit_group of
        // sysnoop's probe child: on exit_group's tracepoint too, even if not asked for
        // (its calls then filtered).
        let probe_exit = NEVER_RETURN[1];
        if enter_on_exits_alone && !names.iter().any(|name| name == probe_exit) && shared.has_syscall_tracepoints(probe_exit) {
            links.push(attach(&skel.progs.tracepoint__syscalls__sys_enter, "enter", probe_exit)?);
        }
        hooks.traced.push(format!("per-syscall tracepoints of {} syscalls", names.len() - hooks.absent.len()));
        skel
    };
    if options.count {
        hooks.traced.push(if paired { "counted in the kernel, with latency" } else { "counted in the kernel at exit" }.into());
    }
    let probe = || {
        // SAFETY: getppid has no arguments and cannot fail.
        unsafe { nix::libc::syscall(nix::libc::SYS_getppid) };
        if enter_on_exits_alone {
            exiting_child();
        }
    };
    let enters = enter == Enter::Every || enter_on_exits_alone;
    let slots: &[u32] = if enters { &[syscall_slot::SYSCALL_SLOT_ENTER.0, syscall_slot::SYSCALL_SLOT_EXIT.0] } else { &[syscall_slot::SYSCALL_SLOT_EXIT.0] };
    shared.live(&skel, slots, probe)?;

    let (sources, periodic) = if options.count {
        let mut counts = Counts {
            map: MapHandle::try_from(&skel.maps.counts).context("reading the syscall counts")?,
            top: options.top.map(|n| n as usize),
            latency: options.latency,
            last: HashMap::new(),
        };
        let periodic = Periodic { every: options.interval, produce: Box::new(move || counts.snapshot()) };
        (vec![counted(Kind::SyscallCount, &skel)?], Some(periodic))
    } else {
        (vec![counted(Kind::Syscall, &skel)?], None)
    };
    Ok(Loaded { hooks, sources, periodic, dedup: None, snapshot: None, attached: Box::new((skel, links)) })
}

/// Count mode: what the kernel aggregated, as records of the change since last time.
struct Counts {
    map: MapHandle,
    top: Option<usize>,
    /// --latency: the totals carry latencies.
    latency: bool,
    /// Totals at the last snapshot, per (nr, pid): count, errors, total_ns.
    last: HashMap<(u32, u32), (u64, u64, u64)>,
}

impl Counts {
    /// One record per syscall (per process with -P) that was called since the last
    /// snapshot, most called first; only the first --top N.
    fn snapshot(&mut self) -> anyhow::Result<Vec<Event>> {
        let ts_ns = crate::clock::boot_ns();
        let mut events = Vec::new();
        for (key, per_cpu) in decode::percpu_entries::<syscall_count_key, syscall_count>(&self.map as &dyn MapCore)? {
            let mut total = syscall_count::default();
            for c in &per_cpu {
                total.count += c.count;
                total.errors += c.errors;
                total.total_ns += c.total_ns;
                total.max_ns = total.max_ns.max(c.max_ns);
                if total.comm[0] == 0 {
                    total.comm = c.comm;
                }
            }
            let now = (total.count, total.errors, total.total_ns);
            let (count, errors, total_ns) = self.last.insert((key.nr, key.pid), now).unwrap_or_default();
            if now.0 == count {
                continue;
            }
            events.push(SyscallCountEvent {
                ts_ns,
                nr: key.nr,
                process: (key.pid != 0).then(|| (key.pid, text::c_bytes(&total.comm).to_vec())),
                count: now.0 - count,
                errors: now.1 - errors,
                latency: self.latency.then_some((now.2 - total_ns, total.max_ns)),
            });
        }
        events.sort_by(|a, b| b.count.cmp(&a.count).then(a.nr.cmp(&b.nr)));
        events.truncate(self.top.unwrap_or(usize::MAX));
        Ok(events.into_iter().map(Event::SyscallCount).collect())
    }
}

plain_abi!(syscall_event, syscall_count_key, syscall_count);
const _: () = assert!(size_of::<syscall_event>() == syscall_abi::SYSCALL_EVENT_HEADER_SIZE.0 as usize);

/// The argument registers a record carries.
const ARGS: usize = syscall_abi::SYSCALL_ARGS.0 as usize;

/// One completed syscall, or one that never returns (exit, exit_group): then `result`
/// is None.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyscallEvent {
    pub(crate) task: Task,
    pub(crate) nr: u32,
    /// The return value and, with --latency, the latency, once it returned.
    pub(crate) result: Option<(i64, Option<u64>)>,
    /// The argument registers; None for an execve or execveat whose entry was not seen.
    pub(crate) args: Option<[u64; ARGS]>,
    /// The string arguments read from the caller's memory, by argument index.
    pub(crate) strings: Vec<(usize, Read)>,
}

/// A string argument, as read from the caller's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// Its bytes (no NUL); `cut`: it was longer than SYSCALL_STRING_MAX bytes.
    Bytes { bytes: Vec<u8>, cut: bool },
    /// It could not be read (a NULL or bad pointer): the errno.
    Failed(i32),
}

/// The header, then the strings' bytes.
#[inline]
fn decode(bytes: &[u8]) -> Result<SyscallEvent, Malformed> {
    let e: syscall_event = decode::fixed(bytes)?;
    let result = (e.returned != 0).then_some((e.ret, (e.untimed == 0).then_some(e.latency_ns)));
    let mut strings = Vec::new();
    let mut offset = size_of::<syscall_event>();
    for i in (0..ARGS).filter(|i| e.strings & (1 << i) != 0) {
        let len = e.str_len[i];
        if len < 0 {
            strings.push((i, Read::Failed(-i32::from(len))));
            continue;
        }
        let end = offset + len as usize;
        let text = bytes.get(offset..end).ok_or(Malformed::Length { field: "str_len", value: end, len: bytes.len() })?;
        strings.push((i, Read::Bytes { bytes: crate::pool::bytes(text), cut: e.str_cut & (1 << i) != 0 }));
        offset = end;
    }
    let args = (u32::from(e.args_from) != syscall_args_from::SYSCALL_ARGS_NONE.0).then_some(e.args);
    Ok(SyscallEvent { task: decode::task(bytes), nr: e.nr, result, args, strings })
}

/// The arguments of syscall `nr` by name, each with how it is decoded (values::Plan):
/// its prototype's, or six `unsigned long`s named arg0..arg5 when the table does not
/// know it. Worked out once per run, for every number at once.
fn plans(nr: u32) -> &'static [(&'static str, values::Plan)] {
    type Planned = Vec<(&'static str, values::Plan)>;
    static BY_NUMBER: OnceLock<(Vec<Planned>, Planned)> = OnceLock::new();
    let (known, unknown) = BY_NUMBER.get_or_init(|| {
        let known = (0..syscall_abi::SYSCALL_NR_MAX.0)
            .map(|nr| {
                let syscall = syscalls::name(nr);
                syscalls::args(nr).unwrap_or_default().iter().map(|&(ctype, name)| (name, values::Plan::of(&syscall, name, ctype))).collect()
            })
            .collect();
        let unknown = ["arg0", "arg1", "arg2", "arg3", "arg4", "arg5"].into_iter().map(|name| (name, values::Plan::of("", name, "unsigned long"))).collect();
        (known, unknown)
    });
    match known.get(nr as usize) {
        Some(args) if syscalls::args(nr).is_some() => args,
        _ => unknown,
    }
}

/// One argument as the record shows it.
enum Shown<'a> {
    Value(Value),
    String(&'a Read),
}

impl SyscallEvent {
    /// Gives its strings' buffers back to the poll thread's pool (src/pool.rs).
    pub(crate) fn recycle(self) {
        for (_, read) in self.strings {
            if let Read::Bytes { bytes, .. } = read {
                crate::pool::give(bytes);
            }
        }
    }

    /// Its arguments, named and shown, when known: the prototype's (all six registers,
    /// named arg0..arg5, for a syscall the table does not know).
    fn shown(&self) -> Option<impl Iterator<Item = (&'static str, Shown<'_>)>> {
        let args = self.args.as_ref()?;
        Some(plans(self.nr).iter().enumerate().map(move |(i, &(name, plan))| {
            let shown = match self.strings.iter().find(|(at, _)| *at == i) {
                Some((_, read)) => Shown::String(read),
                None => Shown::Value(plan.decode(args[i], args)),
            };
            (name, shown)
        }))
    }

    /// How many argument registers the call takes (six when the table does not know it).
    fn arity(&self) -> usize {
        syscalls::args(self.nr).map_or(ARGS, <[_]>::len)
    }

    /// As strace prints a call: `openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC)`;
    /// `execve(?)` when its arguments are not known.
    fn call(&self) -> String {
        use std::fmt::Write as _;
        let mut out = format!("{}(", syscalls::name(self.nr));
        match self.shown() {
            None => out.push('?'),
            Some(shown) => {
                for (i, (_, arg)) in shown.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = match arg {
                        Shown::Value(Value::Int(v)) => write!(out, "{v}"),
                        Shown::Value(Value::Uint(v)) => write!(out, "{v}"),
                        Shown::Value(Value::Text(t)) => write!(out, "{t}"),
                        Shown::String(Read::Bytes { bytes, cut }) => write!(out, "\"{}\"{}", escape(bytes).replace('"', "\\\""), if *cut { "..." } else { "" }),
                        Shown::String(Read::Failed(_)) => write!(out, "{:#x}", self.args.map_or(0, |a| a[i])),
                    };
                }
            }
        }
        out.push(')');
        out
    }
}

impl Record for SyscallEvent {
    const NAME: &'static str = "syscall";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_SYSCALL.0, decode));

    /// Written by hand (src/json.rs), field for field as serde would write them: a
    /// record per call is the most there can be (the replay test in src/replay.rs holds
    /// the bytes).
    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_task_head(line, Self::NAME, ctx, &self.task);
        json::key!(line, "syscall");
        json::string(line, &syscalls::name(self.nr));
        json::key!(line, "nr");
        json::uint(line, self.nr.into());
        let (ret, latency) = self.result.unzip();
        json::key!(line, "ret");
        match ret {
            Some(ret) => json::int(line, ret),
            None => json::null(line),
        }
        json::key!(line, "errno");
        match ret.and_then(errno::of_ret) {
            Some(name) => json::string(line, &name),
            None => json::null(line),
        }
        json::key!(line, "latency_ns");
        match latency.flatten() {
            Some(ns) => json::uint(line, ns),
            None => json::null(line),
        }
        json::key!(line, "args");
        match &self.args {
            Some(args) => {
                line.push(b'[');
                for (i, &arg) in args[..self.arity()].iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    json::hex(line, arg);
                }
                line.push(b']');
            }
            None => json::null(line),
        }
        json::key!(line, "decoded");
        match self.shown() {
            Some(shown) => {
                line.push(b'{');
                for (i, (name, arg)) in shown.enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    json::quoted_key(line, name);
                    match arg {
                        Shown::Value(Value::Int(v)) => json::int(line, v),
                        Shown::Value(Value::Uint(v)) => json::uint(line, v),
                        Shown::Value(Value::Text(t)) => json::string(line, &t),
                        Shown::String(Read::Failed(_)) => json::null(line),
                        Shown::String(Read::Bytes { bytes, cut }) => {
                            if let Some(hex) = json::text(line, bytes) {
                                line.push(b',');
                                json::quoted_key(line, &format!("{name}_hex"));
                                json::string(line, &hex);
                            }
                            if *cut {
                                line.push(b',');
                                json::quoted_key(line, &format!("{name}_truncated"));
                                json::boolean(line, true);
                            }
                        }
                    }
                }
                line.push(b'}');
            }
            None => json::null(line),
        }
        line.extend_from_slice(b"}\n");
    }

    /// No OCSF class is about one syscall: a Base Event with the native record.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        ocsf.push_unmapped(line, ctx.utc(self.task.ts_ns), |native| self.write_json(ctx, native));
    }

    fn schema() -> serde_json::Value {
        crate::schema::task_record(Self::NAME, "One completed syscall, or one that never returns (exit, exit_group).", vec![
            Field::string(
                "syscall",
                "the name on this architecture (from `src/syscall_names.rs`, generated by `scripts/gen-syscalls` from the 6.12 kernel's \
                 uapi headers for x86_64 and aarch64); numbers the table does not know as `\"syscall_<nr>\"`",
            ),
            Field::count("nr", "the syscall's number"),
            Field::integer(
                "ret",
                "the return value (an fd, a count, an address...) or the negative errno; `null` for `exit` and `exit_group`, which never \
                 return (strace's `= ?`), and for `rt_sigreturn` through the per-syscall tracepoints, which never show its return",
            )
            .nullable(),
            Field::string("errno", "the errno name when it failed, else `null`").nullable(),
            Field::count(
                "latency_ns",
                "with `-L`/`--latency` (as `strace -T`), from entry to return; `null` without it, and for `exit` and `exit_group`",
            )
            .nullable(),
            Field::with(
                "args",
                serde_json::json!({"type": "array", "maxItems": 6, "items": {"type": "string", "pattern": "^0x[0-9a-f]+$"}}),
                "the argument registers, as many as the syscall takes (all six for one the table does not know), in hex as `strace -e \
                 raw=all` prints them: the full register, not sign-extended to the argument's type (`AT_FDCWD` passed as an `int` is \
                 `0xffffff9c`). With `-L` they are taken as the call enters; else as it returns, from the registers the task saved when \
                 it entered the kernel, which still hold the entry values unless the call restores them (`rt_sigreturn`) or a tracer \
                 (ptrace) changed them. `execve` and `execveat` are always taken as they enter (a successful one returns into the new \
                 program); `null` for one that began before tracing did",
            )
            .nullable(),
            Field::with(
                "decoded",
                serde_json::json!({"type": "object", "additionalProperties": {"type": ["integer", "string", "boolean", "null"]}}),
                "the arguments by their kernel names (`dfd`, `filename`, `flags`, `mode`...) as strace prints them: integers as numbers; \
                 strings the call reads (paths, names) as read from its memory, at most 4095 bytes, with `<name>_truncated: true` when \
                 longer and `<name>_hex` (every byte) when they are not UTF-8, `null` when they could not be read (a `NULL` or bad \
                 pointer); flags by name (`O_RDONLY|O_CLOEXEC`, unknown bits in hex after them), modes in octal (`0644`), signals \
                 and other named values by name (`SIGTERM`, `F_GETFD`, `AT_FDCWD`), pointers in hex (`NULL` for 0) and the structs \
                 they point to not read. Strings are read as the call returns (an `execve`'s filename as it enters), so a string the \
                 call changes, or another thread changes meanwhile, shows its later bytes. `null` when `args` is",
            )
            .nullable(),
        ])
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("TID", 7), ("COMM", 16), ("RET", 12), ("LATENCY", 10)],
        last: "CALL",
    };

    /// As strace: RET the value, or the errno name when it failed, `?` for a call that
    /// never returns; the call as strace prints it.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let (ret, latency) = match self.result {
            Some((ret, latency)) => (errno::of_ret(ret).map_or_else(|| ret.to_string(), Cow::into_owned), latency.map_or_else(|| "-".to_owned(), duration)),
            None => ("?".to_owned(), "-".to_owned()),
        };
        let cells: [&dyn Display; 6] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &self.task.tid, &escape(&self.task.comm), &ret, &latency];
        Self::TEXT.row(line, &cells, &self.call());
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(5, 144); // SN_KIND_SYSCALL
        b[76] = 1; // returned
        Some(b)
    }
}

/// Count mode: one syscall's totals over an interval (of one process with -P).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyscallCountEvent {
    pub(crate) ts_ns: u64,
    pub(crate) nr: u32,
    /// With -P: the process and its command name.
    pub(crate) process: Option<(u32, Vec<u8>)>,
    pub(crate) count: u64,
    pub(crate) errors: u64,
    /// --latency: the interval's total latency, and the longest single call since
    /// tracing started.
    pub(crate) latency: Option<(u64, u64)>,
}

impl Record for SyscallCountEvent {
    const NAME: &'static str = "syscall_count";

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let comm = self.process.as_ref().map(|(_, comm)| text::render(comm));
        push_record_line(line, Self::NAME, ctx.utc(self.ts_ns), &ctx.session, &SyscallCountRecord {
            syscall: syscalls::name(self.nr),
            nr: self.nr,
            pid: self.process.as_ref().map(|&(pid, _)| pid),
            comm: comm.map(|c| c.text),
            count: self.count,
            errors: self.errors,
            total_ns: self.latency.map(|(total, _)| total),
            max_ns: self.latency.map(|(_, max)| max),
        })
    }

    fn schema() -> serde_json::Value {
        crate::schema::record(Self::NAME, "syscalls --count: one syscall's totals over an interval (of one process with -P).", vec![
            Field::string("syscall", "the name on this architecture, as in `syscall` records; else `\"syscall_<nr>\"`"),
            Field::count("nr", "the syscall's number"),
            Field::count("pid", "with `-P`: the process").optional(),
            Field::string("comm", "with `-P`: the process's command name").optional(),
            Field::count("count", "calls in the interval (the whole run without `-i`)"),
            Field::count("errors", "calls that failed in the interval (the whole run without `-i`)"),
            Field::count("total_ns", "with `-L`/`--latency`: their total latency in the interval; `null` without it").nullable(),
            Field::count("max_ns", "with `-L`/`--latency`: the longest single call since tracing started; `null` without it").nullable(),
        ])
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("SYSCALL", 18), ("COUNT", 10), ("ERRORS", 8), ("TOTAL", 10), ("MAX", 10)],
        last: "PROCESS",
    };

    /// As syscount: the interval's calls, errors and time, the longest call; with -P the
    /// process.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let process = self.process.as_ref().map_or_else(String::new, |(pid, comm)| format!("{pid} {}", escape(comm)));
        let (total, max) = match self.latency {
            Some((total, max)) => (duration(total), duration(max)),
            None => ("-".into(), "-".into()),
        };
        let cells: [&dyn Display; 6] = [&time_of_day(ctx.utc(self.ts_ns)), &syscalls::name(self.nr), &self.count, &self.errors, &total, &max];
        Self::TEXT.row(line, &cells, &process);
    }

    /// Counts have no OCSF class: a Base Event with the native record.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        ocsf.push_unmapped(line, ctx.utc(self.ts_ns), |native| self.write_json(ctx, native));
    }
}

#[derive(Serialize)]
struct SyscallCountRecord<'a> {
    syscall: Cow<'static, str>,
    nr: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm: Option<Cow<'a, str>>,
    count: u64,
    errors: u64,
    total_ns: Option<u64>,
    max_ns: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_syscall_record() {
        let mut b = crate::decode::tests::header(5, 144);
        b[12..16].copy_from_slice(&77u32.to_ne_bytes()); // pid
        b[56..64].copy_from_slice(&(-9i64).to_ne_bytes()); // ret: -EBADF
        b[64..72].copy_from_slice(&1234u64.to_ne_bytes()); // latency_ns
        b[72..76].copy_from_slice(&3u32.to_ne_bytes()); // nr
        b[76] = 1; // returned
        b[80..88].copy_from_slice(&u64::MAX.to_ne_bytes()); // args[0]
        let Ok(Event::Syscall(e)) = crate::kinds::record(&b) else { panic!() };
        assert_eq!((e.task.pid, e.nr, e.result), (77, 3, Some((-9, Some(1234)))));
        assert_eq!((e.args.map(|a| a[0]), e.strings.len()), (Some(u64::MAX), 0));
        // Without --latency: untimed, no latency.
        b[77] = 1;
        assert_eq!(decode(&b).map(|e| e.result), Ok(Some((-9, None))));
        b[77] = 0;
        assert!(matches!(crate::kinds::record(&b[..143]), Err((Some(Kind::Syscall), Malformed::Short { .. }))));
        // An exec whose entry was not seen: no arguments.
        b[78] = 2; // SYSCALL_ARGS_NONE
        assert_eq!(decode(&b).map(|e| e.args), Ok(None));
        b[78] = 0;
        // exit_group, reported at its enter: no result.
        b[72..76].copy_from_slice(&231u32.to_ne_bytes());
        b[76] = 0;
        assert_eq!(decode(&b).map(|e| (e.nr, e.result)), Ok((231, None)));
    }

    /// The text form's last column: the call as strace prints it, strings quoted and
    /// escaped, an unreadable one as its pointer.
    #[test]
    fn prints_the_call_as_strace_does() {
        let openat = syscalls::number("openat").unwrap();
        let mut e = SyscallEvent {
            task: decode(&crate::decode::tests::header(5, 144)).unwrap().task,
            nr: openat,
            result: Some((3, None)),
            args: Some([0xffff_ff9c, 0x7ffd_0000_1000, 0o2_000_000 | 0o100 | 1, 0o640, 0, 0]),
            strings: vec![(1, Read::Bytes { bytes: b"/tmp/a \"b\"\n".to_vec(), cut: false })],
        };
        assert_eq!(e.call(), r#"openat(AT_FDCWD, "/tmp/a \"b\"\n", O_WRONLY|O_CREAT|O_CLOEXEC, 0640)"#);
        e.strings = vec![(1, Read::Failed(14))];
        assert_eq!(e.call(), "openat(AT_FDCWD, 0x7ffd00001000, O_WRONLY|O_CREAT|O_CLOEXEC, 0640)");
        e.args = None;
        assert_eq!(e.call(), "openat(?)");
    }

    /// Strings follow the header in argument order: here arguments 1 (cut) and 3
    /// (unreadable), as renameat's oldname and newname.
    #[test]
    fn decodes_strings_after_the_header() {
        let mut b = crate::decode::tests::header(5, 144);
        b[72..76].copy_from_slice(&264u32.to_ne_bytes()); // renameat on x86_64
        b[76] = 1;
        b[79] = 0b1010; // strings: arguments 1 and 3
        b[128 + 2..128 + 4].copy_from_slice(&3i16.to_ne_bytes()); // str_len[1]
        b[128 + 6..128 + 8].copy_from_slice(&(-14i16).to_ne_bytes()); // str_len[3]: -EFAULT
        b[140] = 0b10; // str_cut: argument 1
        b.extend_from_slice(b"abc");
        let e = decode(&b).unwrap();
        assert_eq!(e.strings, vec![(1, Read::Bytes { bytes: b"abc".to_vec(), cut: true }), (3, Read::Failed(14))]);
        // A length past the record's end is malformed, not a panic.
        b[128 + 2..128 + 4].copy_from_slice(&4i16.to_ne_bytes());
        assert!(matches!(decode(&b), Err(Malformed::Length { field: "str_len", .. })));
    }
}
