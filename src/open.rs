//! `sysnoop open`: loads bpf/open.bpf.c, turns off the syscall variants this kernel
//! does not have (no `open`/`creat` on arm64, no `openat2` before 5.6), attaches the
//! rest and runs the session.

use std::io::Write;
use std::mem::MaybeUninit;

use anyhow::{bail, Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::{MapCore, OpenObject};

use crate::bpf::open::OpenBpfSkelBuilder;
use crate::cli::TraceArgs;
use crate::event::Kind;
use crate::filter::Filters;
use crate::session::{self, Limits, Source};
use crate::{apply_filters, decode, preflight};

pub fn run(args: &TraceArgs, out: impl Write) -> Result<()> {
    let tracefs = preflight::require(true)?.expect("asked for tracefs");
    let tracepoints = preflight::syscall_tracepoints(&tracefs)?;
    let filters = Filters::from_args(args);

    let mut object = MaybeUninit::<OpenObject>::uninit();
    let mut open_skel = OpenBpfSkelBuilder::default()
        .open(&mut object)
        .context("opening the open BPF object")?;
    apply_filters!(
        open_skel.maps.rodata_data.as_deref_mut().expect("open.bpf.c has rodata"),
        &filters
    );
    open_skel
        .maps
        .events
        .set_max_entries(args.ring_size)
        .context("sizing the ring buffer")?;

    let progs = &mut open_skel.progs;
    let variants = [
        ("open", &mut progs.tracepoint__syscalls__sys_enter_open, &mut progs.tracepoint__syscalls__sys_exit_open),
        ("openat", &mut progs.tracepoint__syscalls__sys_enter_openat, &mut progs.tracepoint__syscalls__sys_exit_openat),
        ("openat2", &mut progs.tracepoint__syscalls__sys_enter_openat2, &mut progs.tracepoint__syscalls__sys_exit_openat2),
        ("creat", &mut progs.tracepoint__syscalls__sys_enter_creat, &mut progs.tracepoint__syscalls__sys_exit_creat),
    ];
    let (mut traced, mut absent) = (Vec::new(), Vec::new());
    for (name, enter, exit) in variants {
        let here = ["enter", "exit"]
            .iter()
            .all(|side| tracepoints.join(format!("sys_{side}_{name}")).is_dir());
        if here {
            traced.push(name);
        } else {
            enter.set_autoload(false);
            exit.set_autoload(false);
            absent.push(name);
        }
    }
    if traced.is_empty() {
        bail!("none of the open syscall tracepoints exist in {}", tracepoints.display());
    }

    let mut skel = open_skel.load().context("loading the open BPF programs")?;
    skel.attach().context("attaching the open tracepoints")?;

    if !args.quiet {
        let mut line = format!("sysnoop: tracing {}", traced.join(", "));
        if !absent.is_empty() {
            line += &format!(" (not on this kernel: {})", absent.join(", "));
        }
        let filters = filters.describe();
        if !filters.is_empty() {
            line += &format!("; {filters}");
        }
        eprintln!("{line}. Ctrl-C to stop.");
    }

    let sources = [Source {
        kind: Kind::Open,
        events: &skel.maps.events as &dyn MapCore,
        counters: &skel.maps.counters,
        decode: decode::open,
    }];
    session::run(&sources, &limits(args), out)
}

pub fn limits(args: &TraceArgs) -> Limits {
    Limits {
        duration: args.duration,
        max_events: args.max_events,
        stats_interval: args.stats_interval,
    }
}
