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
//! thread there is at that point (every later thread inherits the empty sets), and
//! no_new_privs is set, so nothing sysnoop could still exec would gain any. One
//! exception: with `-- CMD --user USER`, CAP_KILL stays (if held), since ending the run
//! early sends the command, another user's process, SIGTERM and then SIGKILL.

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
pub const CAP_KILL: u32 = 5;

/// Gives up every capability of the calling thread but those of `keep` it has, and sets
/// no_new_privs. Call it while the process has one thread: capabilities are per thread.
pub fn drop_all_but(keep: &[u32]) -> io::Result<()> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // Ambient capabilities (Linux 4.3+) would survive an exec; none are left either.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) };
    let mut header = CapHeader { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let held = crate::preflight::effective_caps();
    let kept = keep.iter().filter(|&&c| held & (1 << c) != 0).fold(0u64, |m, &c| m | 1 << c);
    let mut data = [CapData::default(); 2];
    for (i, d) in data.iter_mut().enumerate() {
        let bits = (kept >> (32 * i)) as u32;
        (d.effective, d.permitted) = (bits, bits);
    }
    // SAFETY: capset reads a version 3 header and two data structs.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header as *mut CapHeader, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The number of threads of this process (from /proc/self/status).
pub fn threads() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("Threads:")).and_then(|n| n.trim().parse().ok())
}
