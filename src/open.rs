//! `sysnoop open`: loads bpf/open.bpf.c, turns off the syscall variants this kernel
//! does not have (no `open`/`creat` on arm64, no `openat2` before 5.6), attaches the
//! rest and proves they fire.

use anyhow::{bail, Context, Result};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};

use crate::bpf::open::types::open_syscall;
use crate::bpf::open::{OpenBpfSkel, OpenBpfSkelBuilder};
use crate::event::Kind;
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, Config, Hooks};
use crate::{apply_filters, live};

pub struct Tracer {
    skel: OpenBpfSkel<'static>,
    pub hooks: Hooks,
}

impl Tracer {
    pub fn source(&self) -> Source<'_> {
        Source { kind: Kind::Open, counters: Some(&self.skel.maps.counters) }
    }
}

pub fn load(cfg: &Config) -> Result<Tracer> {
    let mut open_skel = OpenBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the open BPF object")?;
    apply_filters!(
        open_skel.maps.rodata_data.as_deref_mut().expect("open.bpf.c has rodata"),
        &cfg.filters,
        cfg.ring_size
    );
    reuse_ring(&mut open_skel.maps.events, cfg)?;

    let progs = &mut open_skel.progs;
    let variants = [
        ("open", open_syscall::OPEN_SYSCALL_OPEN, &mut progs.tracepoint__syscalls__sys_enter_open, &mut progs.tracepoint__syscalls__sys_exit_open),
        ("openat", open_syscall::OPEN_SYSCALL_OPENAT, &mut progs.tracepoint__syscalls__sys_enter_openat, &mut progs.tracepoint__syscalls__sys_exit_openat),
        ("openat2", open_syscall::OPEN_SYSCALL_OPENAT2, &mut progs.tracepoint__syscalls__sys_enter_openat2, &mut progs.tracepoint__syscalls__sys_exit_openat2),
        ("creat", open_syscall::OPEN_SYSCALL_CREAT, &mut progs.tracepoint__syscalls__sys_enter_creat, &mut progs.tracepoint__syscalls__sys_exit_creat),
    ];
    let (mut traced, mut absent): (Vec<(&'static str, open_syscall)>, Vec<String>) = (Vec::new(), Vec::new());
    for (name, id, enter, exit) in variants {
        if cfg.has_syscall_tracepoints(name) {
            traced.push((name, id));
        } else {
            enter.set_autoload(false);
            exit.set_autoload(false);
            absent.push(name.to_owned());
        }
    }
    if traced.is_empty() {
        bail!("none of the open syscall tracepoints exist in {}", cfg.syscall_tracepoints.display());
    }

    let mut skel = open_skel.load().context("loading the open BPF programs")?;
    skel.attach().context("attaching the open tracepoints")?;
    let bss = skel.maps.bss_data.as_deref().expect("open.bpf.c has bss");
    let slots: Vec<u32> = traced.iter().flat_map(|&(_, id)| [2 * id.0, 2 * id.0 + 1]).collect();
    live::wait(&slots, &bss.self_seen, probe_calls, "open", cfg.verbose)?;
    let hooks = Hooks {
        kind: "open",
        traced: traced.iter().map(|&(name, _)| name.to_owned()).collect(),
        absent,
    };
    Ok(Tracer { skel, hooks })
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
