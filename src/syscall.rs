//! `sysnoop syscalls`: loads bpf/syscall.bpf.c on the raw sys_enter/sys_exit
//! tracepoints: every completed syscall, or those named with --syscall.

use std::collections::HashMap;

use anyhow::{Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::MapCore;

use crate::bpf::syscall::types::{syscall_count, syscall_count_key, syscall_slot};
use crate::bpf::syscall::{SyscallBpfSkel, SyscallBpfSkelBuilder};
use crate::event::{Event, Kind, SyscallCountEvent};
use crate::session::Source;
use crate::trace::{object_storage, preferred_or_fallback, reuse_ring, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: SyscallBpfSkel<'static>,
    /// The per-syscall tracepoints' links (fallback); the raw ones live in `skel`.
    _links: Vec<libbpf_rs::Link>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Syscall, counters: Some(&self.skel.maps.counters) }
    }

    /// Count mode's records, which carry the same in-kernel counters.
    pub fn count_source(&self) -> Source<'_> {
        Source { kind: Kind::SyscallCount, counters: Some(&self.skel.maps.counters) }
    }

    /// Reads of the in-kernel totals (count mode).
    pub fn counts(&self, top: Option<usize>) -> Counts<'_> {
        Counts { map: &self.skel.maps.counts, top, last: HashMap::new() }
    }
}

/// Count mode: what the kernel aggregated, as records of the change since last time.
pub struct Counts<'a> {
    map: &'a dyn MapCore,
    top: Option<usize>,
    /// Totals at the last snapshot, per (nr, pid): count, errors, total_ns.
    last: HashMap<(u32, u32), (u64, u64, u64)>,
}

impl Counts<'_> {
    /// One record per syscall (per process with -P) that was called since the last
    /// snapshot, most called first; only the first --top N.
    pub fn snapshot(&mut self) -> Vec<Event> {
        let ts_ns = {
            let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_BOOTTIME).expect("CLOCK_BOOTTIME");
            ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
        };
        let mut events = Vec::new();
        for (key, per_cpu) in crate::decode::percpu_entries::<syscall_count_key, syscall_count>(self.map) {
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
                process: (key.pid != 0).then(|| (key.pid, crate::text::c_bytes(&total.comm).to_vec())),
                count: now.0 - count,
                errors: now.1 - errors,
                total_ns: now.2 - total_ns,
                max_ns: total.max_ns,
            });
        }
        events.sort_by(|a, b| b.count.cmp(&a.count).then(a.nr.cmp(&b.nr)));
        events.truncate(self.top.unwrap_or(usize::MAX));
        events.into_iter().map(Event::SyscallCount).collect()
    }
}

/// Count mode's options.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountMode {
    pub per_process: bool,
    /// Count only calls that fail with this errno.
    pub errno: Option<i32>,
}

/// `numbers`: only these syscalls (empty: all). `count`: aggregate in the kernel
/// instead of sending a record per call. The raw sys_enter/sys_exit tracepoints where
/// they attach, else the per-syscall tracepoints of those syscalls.
pub fn load(cfg: &Config, numbers: &[u32], count: Option<CountMode>) -> Result<Tracer> {
    preferred_or_fallback(cfg, cfg.raw_tp, "raw_tp/sys_enter", |raw| load_with(cfg, numbers, count, raw))
}

/// The syscall sysnoop makes to prove the programs fire: attached in every mode.
const PROBE: &str = "getppid";

fn load_with(cfg: &Config, numbers: &[u32], count: Option<CountMode>, raw: bool) -> Result<Tracer> {
    let mut open_skel = SyscallBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the syscall BPF object")?;
    let rodata = open_skel.maps.rodata_data.as_deref_mut().expect("syscall.bpf.c has rodata");
    apply_filters!(&mut *rodata, &cfg.filters, cfg.ring_size);
    for &nr in numbers {
        let slot = rodata.targ_syscalls.get_mut(nr as usize).with_context(|| format!("syscall number {nr} is out of range"))?;
        *slot = 1;
    }
    rodata.targ_syscalls_set = u8::from(!numbers.is_empty());
    // The calls that never return, and those that return in a new task too.
    let nr = |name: &str| crate::syscalls::number(name).map_or(-1, |nr| nr as i32);
    rodata.nr_exit = nr("exit");
    rodata.nr_exit_group = nr("exit_group");
    rodata.nr_fork = nr("fork");
    rodata.nr_vfork = nr("vfork");
    rodata.nr_clone = nr("clone");
    rodata.nr_clone3 = nr("clone3");
    if let Some(mode) = count {
        rodata.targ_count = 1;
        rodata.targ_per_process = u8::from(mode.per_process);
        rodata.targ_errno = mode.errno.unwrap_or(0) as u32;
    }
    reuse_ring(&mut open_skel.maps.events, cfg)?;
    let progs = &mut open_skel.progs;
    progs.raw_tp__sys_enter.set_autoload(raw);
    progs.raw_tp__sys_exit.set_autoload(raw);
    progs.tracepoint__syscalls__sys_enter.set_autoload(!raw);
    progs.tracepoint__syscalls__sys_exit.set_autoload(!raw);

    let mut skel = open_skel.load().context("loading the syscall BPF programs")?;
    let mut links = Vec::new();
    let mut traced = Vec::new();
    let mut absent = Vec::new();
    if raw {
        skel.attach().context("attaching the raw syscall tracepoints")?;
        traced.push("raw_syscalls sys_enter, sys_exit".to_string());
    } else {
        // The requested syscalls (all that have tracepoints when none was named), and
        // the probe's.
        let mut names: Vec<String> = if numbers.is_empty() {
            std::fs::read_dir(&cfg.syscall_tracepoints)
                .context("listing the syscall tracepoints")?
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.strip_prefix("sys_enter_").map(str::to_owned))
                .collect()
        } else {
            numbers.iter().map(|&nr| crate::syscalls::name(nr).into_owned()).collect()
        };
        names.push(PROBE.into());
        names.sort();
        names.dedup();
        for name in &names {
            if !cfg.has_syscall_tracepoints(name) {
                absent.push(name.clone());
                continue;
            }
            use libbpf_rs::TracepointCategory::Syscalls;
            for (prog, side) in [(&skel.progs.tracepoint__syscalls__sys_enter, "enter"), (&skel.progs.tracepoint__syscalls__sys_exit, "exit")] {
                links.push(
                    prog.attach_tracepoint(Syscalls, format!("sys_{side}_{name}"))
                        .with_context(|| format!("attaching syscalls/sys_{side}_{name}"))?,
                );
            }
        }
        traced.push(format!("per-syscall tracepoints of {} syscalls", names.len() - absent.len()));
    }
    if count.is_some() {
        traced.push("counted in the kernel".into());
    }
    let bss = skel.maps.bss_data.as_deref().expect("syscall.bpf.c has bss");
    let probe = || {
        unsafe { nix::libc::syscall(nix::libc::SYS_getppid) };
    };
    let slots = [syscall_slot::SYSCALL_SLOT_ENTER.0, syscall_slot::SYSCALL_SLOT_EXIT.0];
    live::wait(&slots, &bss.self_seen, probe, "syscall", cfg.verbose)?;
    Ok(Tracer { skel, _links: links, hooks: Hooks { kind: "syscalls", traced, absent } })
}
