//! What every tracing command shares: the options resolved from the command line, the
//! storage skeletons live in, the "tracing ..." announcement, and the run itself.

use std::io::Write;
use std::mem::MaybeUninit;
use std::path::PathBuf;

use std::os::fd::AsFd;

use anyhow::{Context, Result};
use libbpf_rs::{MapCore, MapHandle, OpenMapMut, OpenObject};

use crate::cli::TraceArgs;
use crate::filter::Filters;
use crate::preflight;
use crate::session::{self, Limits, Source};

/// Everything a tracer needs to open, configure and load its object.
pub struct Config {
    pub filters: Filters,
    /// The run's one ring buffer: every object reuses it (see `reuse_ring`).
    pub ring: MapHandle,
    pub ring_size: u32,
    pub verbose: bool,
    /// tracefs's `events/syscalls` directory, to tell which syscall tracepoints exist.
    pub syscall_tracepoints: PathBuf,
    /// exec: how many argv bytes a record carries.
    pub max_arg_bytes: u32,
    /// exit: report every thread's exit, not only whole processes'.
    pub threads: bool,
    /// connect: only these destination ports (empty: all).
    pub ports: Vec<u16>,
    /// Try tp_btf programs before their classic-tracepoint fallbacks. Off with
    /// SYSNOOP_NO_TP_BTF=1, so the fallbacks can be tested where tp_btf works.
    pub tp_btf: bool,
    /// syscalls: try the raw sys_enter/sys_exit tracepoints before the per-syscall
    /// ones. Off with SYSNOOP_NO_RAW_TP=1, likewise.
    pub raw_tp: bool,
}

impl Config {
    /// Whether this kernel has both the enter and the exit tracepoint of `syscall`.
    pub fn has_syscall_tracepoints(&self, syscall: &str) -> bool {
        ["enter", "exit"].iter().all(|side| self.syscall_tracepoints.join(format!("sys_{side}_{syscall}")).is_dir())
    }

    /// Runs the preflight checks (the same as doctor's) and resolves the options.
    pub fn new(args: &TraceArgs, verbose: bool) -> Result<Config> {
        let tracefs = preflight::require_tracefs()?;
        Ok(Config {
            filters: Filters::from_args(args),
            // Named like the objects' map: libbpf takes a reused map's name from the
            // kernel, and the skeletons look their maps up by name.
            ring: preflight::create_ringbuf("events", args.ring_size)?,
            ring_size: args.ring_size,
            verbose,
            syscall_tracepoints: preflight::syscall_tracepoints(&tracefs)?,
            max_arg_bytes: crate::cli::DEFAULT_MAX_ARG_BYTES,
            threads: false,
            ports: Vec::new(),
            tp_btf: !env_set("SYSNOOP_NO_TP_BTF"),
            raw_tp: !env_set("SYSNOOP_NO_RAW_TP"),
        })
    }
}

/// Storage for one BPF object for the rest of the run. Leaked on purpose (a few bytes
/// per loaded object, once): skeletons borrow it, and a 'static borrow lets a tracer
/// retry a load with other programs without lifetime juggling.
pub fn object_storage() -> &'static mut MaybeUninit<OpenObject> {
    Box::leak(Box::new(MaybeUninit::uninit()))
}

/// Points an object's `events` map at the run's ring buffer, before load: records of
/// every kind then share one ring, in the order the kernel stored them.
pub fn reuse_ring(events: &mut OpenMapMut<'_>, cfg: &Config) -> Result<()> {
    events.reuse_fd(cfg.ring.as_fd()).context("sharing the ring buffer")
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// Loads with the preferred programs (`load(true)`: tp_btf, raw tracepoints), and when
/// that fails, with their fallbacks (`load(false)`); straight to the fallbacks when
/// `prefer` is off (SYSNOOP_NO_TP_BTF, SYSNOOP_NO_RAW_TP). `hook` names the preferred
/// programs for messages.
pub fn preferred_or_fallback<T>(cfg: &Config, prefer: bool, hook: &str, load: impl Fn(bool) -> Result<T>) -> Result<T> {
    if !prefer {
        return load(false);
    }
    load(true).or_else(|error| {
        if cfg.verbose {
            eprintln!("sysnoop: {hook} unavailable ({error:#}); using the fallback");
        }
        load(false).with_context(|| format!("({hook} had failed too: {error:#})"))
    })
}

/// exec and exit: tp_btf programs, else their classic tracepoints.
pub fn tp_btf_or_tracepoint<T>(cfg: &Config, hook: &str, load: impl Fn(bool) -> Result<T>) -> Result<T> {
    preferred_or_fallback(cfg, cfg.tp_btf, &format!("tp_btf/{hook}"), load)
}

/// What one loaded tracer reports on the "tracing" line: its kind and its hooks.
pub struct Hooks {
    pub kind: &'static str,
    pub traced: Vec<String>,
    pub absent: Vec<String>,
}

/// Announces the run once every source is being polled, then runs the session.
pub fn run(cfg: &Config, sources: &[Source<'_>], hooks: &[&Hooks], args: &TraceArgs, out: impl Write) -> Result<()> {
    run_with(cfg, sources, hooks, None, args, out)
}

/// `run`, with events made in user space every so often (traffic snapshots in `all`).
pub fn run_with(
    cfg: &Config,
    sources: &[Source<'_>],
    hooks: &[&Hooks],
    periodic: Option<session::Periodic<'_>>,
    args: &TraceArgs,
    out: impl Write,
) -> Result<()> {
    let filters = cfg.filters.describe();
    let announce = || {
        if args.quiet {
            return;
        }
        let parts: Vec<String> = hooks
            .iter()
            .map(|h| {
                let mut part = format!("{} ({})", h.kind, h.traced.join(", "));
                if !h.absent.is_empty() {
                    part += &format!(" [not on this kernel: {}]", h.absent.join(", "));
                }
                part
            })
            .collect();
        let mut line = format!("sysnoop: tracing {}", parts.join("; "));
        if !filters.is_empty() {
            line += &format!("; {filters}");
        }
        eprintln!("{line}. Ctrl-C to stop.");
    };
    let limits = Limits { duration: args.duration, max_events: args.max_events, stats_interval: args.stats_interval };
    session::run(&cfg.ring as &dyn MapCore, sources, &limits, periodic, announce, out)
}
