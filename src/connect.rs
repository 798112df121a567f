//! `sysnoop connect`: loads bpf/connect.bpf.c on the connect(2) syscall tracepoints,
//! which load on every kernel sysnoop supports.

use anyhow::{bail, Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};

use crate::bpf::connect::types::connect_slot;
use crate::bpf::connect::{ConnectBpfSkel, ConnectBpfSkelBuilder};
use crate::event::Kind;
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: ConnectBpfSkel<'static>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Connect, counters: Some(&self.skel.maps.counters) }
    }
}

pub fn load(cfg: &Config) -> Result<Tracer> {
    if !cfg.has_syscall_tracepoints("connect") {
        bail!("connect has no syscall tracepoints in {}", cfg.syscall_tracepoints.display());
    }
    let mut open_skel = ConnectBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the connect BPF object")?;
    let rodata = open_skel.maps.rodata_data.as_deref_mut().expect("connect.bpf.c has rodata");
    apply_filters!(&mut *rodata, &cfg.filters, cfg.ring_size);
    for (slot, &port) in rodata.targ_ports.iter_mut().zip(&cfg.ports) {
        *slot = port;
    }
    rodata.targ_nports = cfg.ports.len() as u32;
    reuse_ring(&mut open_skel.maps.events, cfg)?;

    let mut skel = open_skel.load().context("loading the connect BPF programs")?;
    skel.attach().context("attaching the connect tracepoints")?;
    let bss = skel.maps.bss_data.as_deref().expect("connect.bpf.c has bss");
    let slots = [connect_slot::CONNECT_SLOT_ENTER.0, connect_slot::CONNECT_SLOT_EXIT.0];
    live::wait(&slots, &bss.self_seen, probe_calls, "connect", cfg.verbose)?;
    Ok(Tracer { skel, hooks: Hooks { kind: "connect", traced: vec!["connect".into()], absent: Vec::new() } })
}

/// A connect(2) on a bad fd: fails with EBADF at once, and reaches both programs.
fn probe_calls() {
    use nix::libc;
    let addr = [0u8; 16];
    // SAFETY: a raw connect on fd -1 with a valid 16-byte buffer; it only fails.
    unsafe { libc::syscall(libc::SYS_connect, -1, addr.as_ptr(), addr.len()) };
}
