//! `sysnoop exit`: loads bpf/exit.bpf.c on `sched_process_exit`, through tp_btf where it
//! attaches and the classic tracepoint elsewhere.

use anyhow::{Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};

use crate::bpf::exit::types::exit_slot;
use crate::bpf::exit::{ExitBpfSkel, ExitBpfSkelBuilder};
use crate::event::Kind;
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, tp_btf_or_tracepoint, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: ExitBpfSkel<'static>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Exit, counters: Some(&self.skel.maps.counters) }
    }
}

pub fn load(cfg: &Config) -> Result<Tracer> {
    tp_btf_or_tracepoint(cfg, "sched_process_exit", |btf| load_with(cfg, btf))
}

fn load_with(cfg: &Config, btf: bool) -> Result<Tracer> {
    let mut open_skel = ExitBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the exit BPF object")?;
    let rodata = open_skel.maps.rodata_data.as_deref_mut().expect("exit.bpf.c has rodata");
    apply_filters!(&mut *rodata, &cfg.filters, cfg.ring_size);
    rodata.targ_threads = u8::from(cfg.threads);
    reuse_ring(&mut open_skel.maps.events, cfg)?;
    open_skel.progs.tp_btf__sched_process_exit.set_autoload(btf);
    open_skel.progs.tracepoint__sched__sched_process_exit.set_autoload(!btf);

    let mut skel = open_skel.load().context("loading the exit BPF programs")?;
    skel.attach().context("attaching the exit programs")?;
    let bss = skel.maps.bss_data.as_deref().expect("exit.bpf.c has bss");
    live::wait(&[exit_slot::EXIT_SLOT_EXIT.0], &bss.self_seen, crate::exec::probe_calls, "exit", cfg.verbose)?;
    let mut hook = format!("sched_process_exit{}", if btf { " (tp_btf)" } else { "" });
    if cfg.threads {
        hook += ", threads";
    }
    Ok(Tracer { skel, hooks: Hooks { kind: "exit", traced: vec![hook], absent: Vec::new() } })
}
