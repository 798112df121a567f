//! Capabilities, given up once tracing is live. Everything that needs one is done by
//! then: tracefs and securityfs mounted, the maps, ring buffer and perf buffers created
//! and mapped, the programs loaded, attached and seen to run, the followed tasks seeded,
//! the output opened, and the command of `-- CMD` forked (and given its own identity
//! with --user). What is left needs none: reading the buffers and maps through the
//! descriptors sysnoop holds, writing, reopening its own output file on SIGHUP (root's
//! files are root's by owner, not by capability), reconnecting to a collector, and
//! reading /proc and cgroupfs, which any user may. Naming a cgroup by its id with
//! open_by_handle_at(2) needs CAP_DAC_READ_SEARCH: without it sysnoop finds a new
//! cgroup's name by walking cgroupfs instead (src/cgroup.rs), once per cgroup.
//!
//! So every capability goes: effective, permitted, inheritable and ambient, of the only
//! thread there is at that point (every later thread inherits the sets), and
//! no_new_privs is set, so nothing sysnoop could still exec would gain any. Two
//! exceptions:
//!
//!  - CAP_BPF, where this kernel wants it for every bpf() command, reading a map through
//!    a descriptor one holds included (kernels before 6.5 refuse every bpf() command to
//!    a process without it while `kernel.unprivileged_bpf_disabled` is set, as
//!    distributions set it; 5.10 and 6.1 here). Found by trying: CAP_BPF is taken out of
//!    the effective set first, a map is read, and it goes for good only if that works.
//!  - CAP_KILL with `-- CMD --user USER` (if held), since ending the run early sends the
//!    command, another user's process, SIGTERM and then SIGKILL.

use std::io;

use nix::libc;

/// `struct __user_cap_header_struct` (linux/capability.h).
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// CAP_KILL (linux/capability.h).
pub(crate) const CAP_KILL: u32 = 5;

/// CAP_BPF (linux/capability.h).
pub(crate) const CAP_BPF: u32 = 39;

/// Gives up every capability of the calling thread but those of `keep` it has, and
/// CAP_BPF if `bpf_works` (a bpf() command on a descriptor sysnoop holds) fails without
/// it; sets no_new_privs. Call it while the process has one thread: capabilities are per
/// thread. Returns whether CAP_BPF was kept.
pub(crate) fn drop_all_but(keep: &[u32], bpf_works: impl Fn() -> bool) -> io::Result<bool> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // Ambient capabilities (Linux 4.3+) would survive an exec; none are left either.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) };
    let held = crate::preflight::effective_caps();
    let bits = |caps: &[u32]| caps.iter().filter(|&&c| held & (1 << c) != 0).fold(0u64, |m, &c| m | 1 << c);
    let kept = bits(keep);
    let bpf = bits(&[CAP_BPF]);
    // CAP_BPF out of the effective set only, to see whether reading maps needs it.
    set(kept, kept | bpf)?;
    if bpf != 0 && !bpf_works() {
        set(kept | bpf, kept | bpf)?;
        return Ok(true);
    }
    set(kept, kept)?;
    Ok(false)
}

/// capset: `effective` and `permitted`, no inheritable ones.
fn set(effective: u64, permitted: u64) -> io::Result<()> {
    let mut header = CapHeader { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let mut data = [CapData::default(); 2];
    for (i, d) in data.iter_mut().enumerate() {
        (d.effective, d.permitted) = ((effective >> (32 * i)) as u32, (permitted >> (32 * i)) as u32);
    }
    // SAFETY: capset reads a version 3 header and two data structs.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header as *mut CapHeader, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
