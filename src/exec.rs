//! `sysnoop exec`: loads bpf/exec.bpf.c. Successful execs come from
//! `sched_process_exec`, through tp_btf where it attaches and the classic tracepoint
//! elsewhere; failed ones from the exit of execve/execveat.

use anyhow::{bail, Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};

use crate::bpf::exec::types::exec_slot;
use crate::bpf::exec::{ExecBpfSkel, ExecBpfSkelBuilder};
use crate::event::Kind;
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, tp_btf_or_tracepoint, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: ExecBpfSkel<'static>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Exec, counters: Some(&self.skel.maps.counters) }
    }
}

/// The failed-exec syscalls and their programs' self_seen slots (bpf/exec.h).
const SYSCALLS: [(&str, exec_slot, exec_slot); 2] = [
    ("execve", exec_slot::EXEC_SLOT_ENTER_EXECVE, exec_slot::EXEC_SLOT_EXIT_EXECVE),
    ("execveat", exec_slot::EXEC_SLOT_ENTER_EXECVEAT, exec_slot::EXEC_SLOT_EXIT_EXECVEAT),
];

pub fn load(cfg: &Config) -> Result<Tracer> {
    tp_btf_or_tracepoint(cfg, "sched_process_exec", |btf| load_with(cfg, btf))
}

fn load_with(cfg: &Config, btf: bool) -> Result<Tracer> {
    let mut open_skel = ExecBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the exec BPF object")?;
    let rodata = open_skel.maps.rodata_data.as_deref_mut().expect("exec.bpf.c has rodata");
    apply_filters!(&mut *rodata, &cfg.filters, cfg.ring_size);
    rodata.targ_max_args = cfg.max_arg_bytes;
    reuse_ring(&mut open_skel.maps.events, cfg)?;
    let cpus = libbpf_rs::num_possible_cpus().context("counting CPUs")?;
    open_skel.maps.heap.set_max_entries(cpus as u32).context("sizing the exec scratch map")?;

    let progs = &mut open_skel.progs;
    progs.tp_btf__sched_process_exec.set_autoload(btf);
    progs.tracepoint__sched__sched_process_exec.set_autoload(!btf);
    let mut traced = vec![format!("sched_process_exec{}", if btf { " (tp_btf)" } else { "" })];
    let mut absent = Vec::new();
    let mut slots = vec![exec_slot::EXEC_SLOT_SCHED.0];
    let variants = [
        (SYSCALLS[0], &mut progs.tracepoint__syscalls__sys_enter_execve, &mut progs.tracepoint__syscalls__sys_exit_execve),
        (SYSCALLS[1], &mut progs.tracepoint__syscalls__sys_enter_execveat, &mut progs.tracepoint__syscalls__sys_exit_execveat),
    ];
    for ((name, enter_slot, exit_slot), enter, exit) in variants {
        if cfg.has_syscall_tracepoints(name) {
            traced.push(format!("failed {name}"));
            slots.extend([enter_slot.0, exit_slot.0]);
        } else {
            enter.set_autoload(false);
            exit.set_autoload(false);
            absent.push(name.to_owned());
        }
    }
    if slots.len() == 1 {
        bail!("neither execve nor execveat has syscall tracepoints in {}", cfg.syscall_tracepoints.display());
    }

    let mut skel = open_skel.load().context("loading the exec BPF programs")?;
    skel.attach().context("attaching the exec programs")?;
    let bss = skel.maps.bss_data.as_deref().expect("exec.bpf.c has bss");
    live::wait(&slots, &bss.self_seen, probe_calls, "exec", cfg.verbose)?;
    Ok(Tracer { skel, hooks: Hooks { kind: "exec", traced, absent } })
}

/// A child that execs this binary (`--version`, then exits: it reaches
/// sched_process_exec), and a failing execve and execveat of an empty path from
/// sysnoop itself. sysnoop's children and its own calls are never reported.
pub fn probe_calls() {
    use nix::libc;
    let _ = std::process::Command::new("/proc/self/exe")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let empty = c"".as_ptr();
    let argv = [std::ptr::null::<libc::c_char>()];
    // SAFETY: an empty path makes both calls fail with ENOENT before anything is
    // replaced; argv and envp are valid NULL-terminated arrays.
    unsafe {
        libc::syscall(libc::SYS_execve, empty, argv.as_ptr(), argv.as_ptr());
        libc::syscall(libc::SYS_execveat, libc::AT_FDCWD, empty, argv.as_ptr(), argv.as_ptr(), 0);
    }
}
