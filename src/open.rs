//! `sysnoop open`: loads bpf/open.bpf.c, turns off the syscall variants this kernel
//! does not have (no `open`/`creat` on arm64, no `openat2` before 5.6), attaches the
//! rest and runs the session.

use std::io::Write;
use std::mem::MaybeUninit;

use anyhow::{bail, Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::{MapCore, OpenObject};

use crate::bpf::open::types::open_syscall;
use crate::bpf::open::OpenBpfSkelBuilder;
use crate::cli::TraceArgs;
use crate::event::Kind;
use crate::filter::Filters;
use crate::session::{self, Limits, Source};
use crate::{apply_filters, decode, live, preflight};

pub fn run(args: &TraceArgs, verbose: bool, out: impl Write) -> Result<()> {
    let tracefs = preflight::require(true)?.expect("asked for tracefs");
    let tracepoints = preflight::syscall_tracepoints(&tracefs)?;
    let filters = Filters::from_args(args);

    let mut object = MaybeUninit::<OpenObject>::uninit();
    let mut open_skel = OpenBpfSkelBuilder::default()
        .open(&mut object)
        .context("opening the open BPF object")?;
    apply_filters!(
        open_skel.maps.rodata_data.as_deref_mut().expect("open.bpf.c has rodata"),
        &filters,
        args.ring_size
    );
    open_skel
        .maps
        .events
        .set_max_entries(args.ring_size)
        .context("sizing the ring buffer")?;

    let progs = &mut open_skel.progs;
    let variants = [
        ("open", open_syscall::OPEN_SYSCALL_OPEN, &mut progs.tracepoint__syscalls__sys_enter_open, &mut progs.tracepoint__syscalls__sys_exit_open),
        ("openat", open_syscall::OPEN_SYSCALL_OPENAT, &mut progs.tracepoint__syscalls__sys_enter_openat, &mut progs.tracepoint__syscalls__sys_exit_openat),
        ("openat2", open_syscall::OPEN_SYSCALL_OPENAT2, &mut progs.tracepoint__syscalls__sys_enter_openat2, &mut progs.tracepoint__syscalls__sys_exit_openat2),
        ("creat", open_syscall::OPEN_SYSCALL_CREAT, &mut progs.tracepoint__syscalls__sys_enter_creat, &mut progs.tracepoint__syscalls__sys_exit_creat),
    ];
    let (mut traced, mut absent): (Vec<(&'static str, open_syscall)>, Vec<&str>) = (Vec::new(), Vec::new());
    for (name, id, enter, exit) in variants {
        let here = ["enter", "exit"]
            .iter()
            .all(|side| tracepoints.join(format!("sys_{side}_{name}")).is_dir());
        if here {
            traced.push((name, id));
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
    let bss = skel.maps.bss_data.as_deref().expect("open.bpf.c has bss");
    let slots: Vec<u32> = traced.iter().flat_map(|&(_, id)| [2 * id.0, 2 * id.0 + 1]).collect();
    let took = live::wait(
        &slots,
        // The bss is mmapped and written by the kernel: read it afresh every time.
        |slot| unsafe { std::ptr::read_volatile(&bss.self_seen[slot as usize]) } != 0,
        probe_calls,
        "open",
    )?;
    if verbose {
        eprintln!("sysnoop: open programs live {took:?} after attach");
    }

    let announce = || {
        if args.quiet {
            return;
        }
        let names: Vec<&str> = traced.iter().map(|&(name, _)| name).collect();
        let mut line = format!("sysnoop: tracing {}", names.join(", "));
        if !absent.is_empty() {
            line += &format!(" (not on this kernel: {})", absent.join(", "));
        }
        let filters = filters.describe();
        if !filters.is_empty() {
            line += &format!("; {filters}");
        }
        eprintln!("{line}. Ctrl-C to stop.");
    };
    let sources = [Source {
        kind: Kind::Open,
        events: &skel.maps.events as &dyn MapCore,
        counters: &skel.maps.counters,
        decode: decode::open,
    }];
    session::run(&sources, &limits(args), announce, out)
}

/// One call of each open syscall on an empty path: each fails with ENOENT before
/// touching any file, and reaches that syscall's enter and exit programs. A syscall
/// this kernel lacks just fails with ENOSYS.
fn probe_calls() {
    use nix::libc;
    let empty = c"".as_ptr();
    let how = [0u64; 3]; // struct open_how { flags, mode, resolve }
    // SAFETY: raw syscalls with a valid empty C string and a valid open_how; their
    // results are deliberately ignored.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            libc::syscall(libc::SYS_open, empty, libc::O_RDONLY);
            libc::syscall(libc::SYS_creat, empty, 0);
        }
        libc::syscall(libc::SYS_openat, libc::AT_FDCWD, empty, libc::O_RDONLY);
        libc::syscall(libc::SYS_openat2, libc::AT_FDCWD, empty, how.as_ptr(), size_of_val(&how));
    }
}

pub fn limits(args: &TraceArgs) -> Limits {
    Limits {
        duration: args.duration,
        max_events: args.max_events,
        stats_interval: args.stats_interval,
    }
}
