//! `sysnoop syscalls`: loads bpf/syscall.bpf.c on the raw sys_enter/sys_exit
//! tracepoints: every completed syscall, or those named with --syscall.

use anyhow::{Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};

use crate::bpf::syscall::{SyscallBpfSkel, SyscallBpfSkelBuilder};
use crate::event::Kind;
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: SyscallBpfSkel<'static>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Syscall, counters: Some(&self.skel.maps.counters) }
    }
}

/// `numbers`: only these syscalls (empty: all).
pub fn load(cfg: &Config, numbers: &[u32]) -> Result<Tracer> {
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
    reuse_ring(&mut open_skel.maps.events, cfg)?;

    let mut skel = open_skel.load().context("loading the syscall BPF programs")?;
    skel.attach().context("attaching the raw syscall tracepoints")?;
    let bss = skel.maps.bss_data.as_deref().expect("syscall.bpf.c has bss");
    // Any syscall of sysnoop's reaches both programs.
    let probe = || {
        unsafe { nix::libc::syscall(nix::libc::SYS_getppid) };
    };
    live::wait(&[0, 1], &bss.self_seen, probe, "syscall", cfg.verbose)?;
    let traced = vec!["raw_syscalls sys_enter, sys_exit".to_string()];
    Ok(Tracer { skel, hooks: Hooks { kind: "syscalls", traced, absent: Vec::new() } })
}
