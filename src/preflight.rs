//! Host checks before anything loads, shared by `sysnoop doctor` and every tracer, so a
//! tracer fails with the same precise message doctor gives instead of a raw libbpf error.

use std::fs;
use std::path::{Path, PathBuf};

use nix::mount::{mount, MsFlags};
use thiserror::Error;

/// The oldest kernel sysnoop supports (src/features.rs: what its fallbacks are built
/// and tested for).
pub(crate) const MIN_KERNEL: (u32, u32) = (crate::features::FLOOR.0, crate::features::FLOOR.1);
pub(crate) const BTF_PATH: &str = "/sys/kernel/btf/vmlinux";
pub(crate) const TRACEFS_PATH: &str = "/sys/kernel/tracing";
/// Where debugfs exposes tracefs on older setups; libbpf looks here second.
pub(crate) const DEBUGFS_TRACING_PATH: &str = "/sys/kernel/debug/tracing";
pub(crate) const SECURITYFS_PATH: &str = "/sys/kernel/security";

/// The capabilities every kind together needs, as `setcap` takes them (the README's
/// table has each kind's own): CAP_BPF and CAP_PERFMON to load and attach, and
/// CAP_DAC_READ_SEARCH to read tracefs (mode 0700 root) for the tracepoint kinds,
/// CAP_NET_ADMIN to attach to a cgroup for traffic.
pub(crate) const SETCAP: &str = "cap_bpf,cap_perfmon,cap_dac_read_search,cap_net_admin+ep";

const CAP_NET_ADMIN: u32 = 12;
pub(crate) const CAP_IPC_LOCK: u32 = 14;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

/// Why sysnoop cannot trace on this host. Callers branch on the kind.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub(crate) enum PreflightError {
    #[error("kernel {release} is too old: sysnoop needs Linux {}.{} or newer (the oldest its BPF programs are built and tested for; the BPF ring buffer and bpf_ktime_get_boot_ns arrived in 5.8, BTF-typed tracepoints in 5.5)", MIN_KERNEL.0, MIN_KERNEL.1)]
    KernelTooOld { release: String },
    #[error("cannot read the kernel release: {0}")]
    UnknownKernel(String),
    #[error("no kernel BTF at {BTF_PATH} (a kernel built without CONFIG_DEBUG_INFO_BTF=y): give sysnoop this kernel's BTF with --btf FILE, from BTFHub's archive (github.com/aquasecurity/btfhub-archive, by distribution and release) or made with `pahole --btf_encode_detached FILE vmlinux` from the kernel's debug vmlinux")]
    MissingBtf,
    #[error("not enough privileges: missing {} ({why}); run as root, or give the binary the capabilities sysnoop needs: setcap {SETCAP} sysnoop", missing.join(" and "))]
    NotPrivileged { missing: Vec<&'static str>, why: &'static str },
    #[error("tracefs is not mounted and {reason}; mount it with: mount -t tracefs tracefs {TRACEFS_PATH}")]
    NoTracefs { reason: String },
    #[error("this kernel has no syscall tracepoints ({0} is missing): it needs CONFIG_FTRACE_SYSCALLS=y")]
    NoSyscallTracepoints(PathBuf),
    #[error("tracefs at {} is mode {mode:04o} and owned by uid {uid} gid {gid}, and this process (uid {me}) may not read it: give it CAP_DAC_READ_SEARCH as well (setcap {SETCAP} sysnoop), or mount tracefs so that a group of this user's may read it (mount -o remount,gid=GID,mode=0750 {})", tracefs.display(), tracefs.display())]
    TracefsNotReadable { tracefs: PathBuf, mode: u32, uid: u32, gid: u32, me: u32 },
    #[error("kernel lockdown is in confidentiality mode: it hides tracefs events and forbids BPF from reading kernel memory, so sysnoop cannot trace here (boot with lockdown=integrity or none)")]
    LockedDown,
    #[error("Linux {release} charges BPF maps to the locked-memory limit (RLIMIT_MEMLOCK, until 5.11), which is {limit_kib} KiB for this process and may not be raised without CAP_SYS_RESOURCE: give sysnoop that as well (setcap {},cap_sys_resource+ep sysnoop), or raise the limit where sysnoop starts (ulimit -l unlimited; LimitMEMLOCK=infinity in a systemd unit)", SETCAP.trim_end_matches("+ep"))]
    MemlockTooLow { release: String, limit_kib: u64 },
    #[error("kernel.perf_event_paranoid is {paranoid} and this kernel refuses perf_event_open (which attaching a tracepoint takes) to a process without CAP_SYS_ADMIN ({why}): set kernel.perf_event_paranoid=2 (sysctl -w kernel.perf_event_paranoid=2), or give sysnoop CAP_SYS_ADMIN")]
    PerfEventsRefused { paranoid: i32, why: String },
    #[error("the kernel refused to create a BPF ring buffer: {0}")]
    NoRingBuf(String),
    #[error("the kernel refused to create the perf buffers' map (BPF_MAP_TYPE_PERF_EVENT_ARRAY): {0}")]
    NoPerfBuffer(String),
    #[error("no cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo); mount one with: mount -t cgroup2 none /sys/fs/cgroup/unified")]
    NoCgroup2,
}

/// One check as doctor prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Check {
    pub(crate) check: &'static str,
    pub(crate) ok: bool,
    /// Whether sysnoop can trace at all without this.
    pub(crate) required: bool,
    pub(crate) detail: String,
}

// ---------------------------------------------------------------------------------------
// Kernel release

/// (major, minor) from a release string such as `6.18.44-fc-v769` or `5.10.0-28-amd64`.
pub(crate) fn parse_release(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

pub(crate) fn kernel_release() -> Result<String, PreflightError> {
    nix::sys::utsname::uname().map(|u| u.release().to_string_lossy().into_owned()).map_err(|e| PreflightError::UnknownKernel(e.to_string()))
}

pub(crate) fn check_kernel() -> Result<String, PreflightError> {
    let release = kernel_release()?;
    match parse_release(&release) {
        Some(version) if version >= MIN_KERNEL => Ok(release),
        Some(_) => Err(PreflightError::KernelTooOld { release }),
        None => Err(PreflightError::UnknownKernel(format!("unrecognised release `{release}`"))),
    }
}

/// --btf's file, set once at start (main): the programs are relocated against it.
static BTF_FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub fn set_btf_file(path: PathBuf) {
    let _ = BTF_FILE.set(path);
}

pub(crate) fn btf_file() -> Option<&'static Path> {
    BTF_FILE.get().map(PathBuf::as_path)
}

/// Whether the kernel shows its own BTF.
pub(crate) fn kernel_has_btf() -> bool {
    Path::new(BTF_PATH).is_file()
}

/// BTF to relocate the programs against: the kernel's, or --btf's file. Says which.
pub(crate) fn check_btf() -> Result<String, PreflightError> {
    match (kernel_has_btf(), btf_file()) {
        (_, Some(file)) => Ok(format!(
            "{} (--btf){}",
            shown(file),
            if kernel_has_btf() {
                ""
            } else {
                "; the kernel shows no BTF of its own: exec and exit use their classic tracepoints, lsm cannot attach, and the task is read without bpf_get_current_task_btf"
            }
        )),
        (true, None) => Ok(format!("{BTF_PATH} present")),
        (false, None) => Err(PreflightError::MissingBtf),
    }
}

// ---------------------------------------------------------------------------------------
// Privileges

/// The effective capability set from /proc/self/status (`CapEff:` hex mask).
pub(crate) fn effective_caps() -> u64 {
    fs::read_to_string("/proc/self/status").ok().as_deref().and_then(parse_cap_eff).unwrap_or(0)
}

pub(crate) fn parse_cap_eff(status: &str) -> Option<u64> {
    status.lines().find_map(|l| l.strip_prefix("CapEff:")).and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
}

fn has(caps: u64, cap: u32) -> bool {
    caps & (1 << cap) != 0
}

/// Loading tracing programs needs CAP_BPF and CAP_PERFMON; CAP_SYS_ADMIN implies both.
pub(crate) fn missing_caps(caps: u64) -> Vec<&'static str> {
    let admin = has(caps, CAP_SYS_ADMIN);
    let mut missing = Vec::new();
    if !admin && !has(caps, CAP_BPF) {
        missing.push("CAP_BPF");
    }
    if !admin && !has(caps, CAP_PERFMON) {
        missing.push("CAP_PERFMON");
    }
    missing
}

pub(crate) fn check_privileges() -> Result<(), PreflightError> {
    let missing = missing_caps(effective_caps());
    if missing.is_empty() {
        Ok(())
    } else {
        Err(PreflightError::NotPrivileged { missing, why: "to load BPF programs" })
    }
}

/// Attaching to a cgroup (sysnoop traffic) also needs CAP_NET_ADMIN.
pub(crate) fn check_net_admin() -> Result<(), PreflightError> {
    missing_net_admin(effective_caps())
}

/// At least this much locked memory, or a kernel that charges BPF maps to the locked-
/// memory limit (before 5.11) refuses sysnoop's ring buffer and maps (EPERM).
const MEMLOCK_NEEDED: u64 = 64 << 20;

/// Before 5.11 the kernel charges BPF maps to RLIMIT_MEMLOCK (from 5.11, to the memory
/// cgroup). Raises the limit as libbpf would (to infinity, which takes CAP_SYS_RESOURCE
/// when the hard limit is lower; else the soft limit to the hard one), and refuses when
/// what is left is too small, rather than fail later with a bare EPERM from the first map.
pub(crate) fn check_memlock() -> Result<(), PreflightError> {
    let release = kernel_release()?;
    if parse_release(&release).is_none_or(|v| v >= (5, 11)) {
        return Ok(());
    }
    use nix::sys::resource::{getrlimit, setrlimit, Resource::RLIMIT_MEMLOCK, RLIM_INFINITY};
    if setrlimit(RLIMIT_MEMLOCK, RLIM_INFINITY, RLIM_INFINITY).is_ok() {
        return Ok(());
    }
    // Not allowed above the hard limit (no CAP_SYS_RESOURCE): up to it, then.
    let Ok((soft, hard)) = getrlimit(RLIMIT_MEMLOCK) else { return Ok(()) };
    let limit = if soft < hard && setrlimit(RLIMIT_MEMLOCK, hard, hard).is_ok() { hard } else { soft };
    if limit == RLIM_INFINITY || limit >= MEMLOCK_NEEDED {
        return Ok(());
    }
    Err(PreflightError::MemlockTooLow { release, limit_kib: limit / 1024 })
}

/// Attaching a tracepoint opens a perf event. Debian's and Android's kernels add
/// kernel.perf_event_paranoid=3 (their default), under which some kernels (Debian's 5.10)
/// refuse every perf_event_open to a process without CAP_SYS_ADMIN, CAP_PERFMON or not:
/// tried here with a software clock on this thread, which any other setting allows.
pub(crate) fn check_perf_events() -> Result<(), PreflightError> {
    let paranoid: i32 = fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").ok().and_then(|t| t.trim().parse().ok()).unwrap_or(2);
    if paranoid <= 2 || has(effective_caps(), CAP_SYS_ADMIN) {
        return Ok(());
    }
    let mut attr = libbpf_rs::libbpf_sys::perf_event_attr {
        type_: libbpf_rs::libbpf_sys::PERF_TYPE_SOFTWARE,
        size: std::mem::size_of::<libbpf_rs::libbpf_sys::perf_event_attr>() as u32,
        config: libbpf_rs::libbpf_sys::PERF_COUNT_SW_TASK_CLOCK.into(),
        ..Default::default()
    };
    attr.set_disabled(1);
    attr.set_exclude_kernel(1);
    attr.set_exclude_hv(1);
    // SAFETY: perf_event_open(2) with a valid attr, for this thread on any CPU; the
    // descriptor it returns is closed at once.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_perf_event_open, &attr as *const _, 0, -1, -1, libbpf_rs::libbpf_sys::PERF_FLAG_FD_CLOEXEC) };
    if fd >= 0 {
        // SAFETY: a descriptor just opened and owned here.
        unsafe { nix::libc::close(fd as i32) };
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(nix::libc::EACCES | nix::libc::EPERM) => Err(PreflightError::PerfEventsRefused { paranoid, why: e.to_string() }),
        _ => Ok(()),
    }
}

fn missing_net_admin(caps: u64) -> Result<(), PreflightError> {
    if has(caps, CAP_NET_ADMIN) {
        Ok(())
    } else {
        Err(PreflightError::NotPrivileged { missing: vec!["CAP_NET_ADMIN"], why: "to attach to a cgroup, as traffic does" })
    }
}

fn can_mount() -> bool {
    has(effective_caps(), CAP_SYS_ADMIN)
}

// ---------------------------------------------------------------------------------------
// Mounts

/// One line of /proc/self/mountinfo: where, and which filesystem type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    pub(crate) mount_point: PathBuf,
    pub(crate) fs_type: String,
}

/// Parses /proc/self/mountinfo (proc(5)): field 5 is the mount point (octal-escaped),
/// and the filesystem type follows the ` - ` separator.
pub(crate) fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let mount_point = unescape_octal(left.split(' ').nth(4)?);
            let fs_type = right.split(' ').next()?.to_owned();
            Some(Mount { mount_point: PathBuf::from(mount_point), fs_type })
        })
        .collect()
}

fn unescape_octal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() && bytes[i + 1..i + 4].iter().all(|b| (b'0'..=b'7').contains(b)) {
            let v = (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn mounts() -> Vec<Mount> {
    fs::read_to_string("/proc/self/mountinfo").map(|t| parse_mountinfo(&t)).unwrap_or_default()
}

fn mounted_at(mounts: &[Mount], fs_type: &str, path: &str) -> bool {
    mounts.iter().any(|m| m.fs_type == fs_type && m.mount_point == Path::new(path))
}

/// The cgroup v2 mount point (`/sys/fs/cgroup` on unified hosts, `/sys/fs/cgroup/unified`
/// on hybrid ones), from mountinfo rather than assumed.
pub(crate) fn cgroup2_mount() -> Option<PathBuf> {
    mounts().into_iter().find(|m| m.fs_type == "cgroup2").map(|m| m.mount_point)
}

/// The cgroup v2 mount, and the directory `cgroup` names (--cgroup: a path under the
/// mount, or an absolute directory in it), else the mount's root.
pub(crate) fn cgroup_dir(cgroup: Option<&Path>) -> anyhow::Result<(PathBuf, PathBuf)> {
    let root = cgroup2_mount().ok_or(PreflightError::NoCgroup2)?;
    let dir = match cgroup {
        None => root.clone(),
        Some(p) if p.is_absolute() && p.starts_with(&root) => p.to_path_buf(),
        Some(p) => root.join(p.strip_prefix("/").unwrap_or(p)),
    };
    anyhow::ensure!(dir.is_dir(), "{} is not a cgroup v2 directory (under {})", shown(&dir), shown(&root));
    Ok((root, dir))
}

/// A path for a message: escaped, since it reaches stderr and may hold anything.
pub(crate) fn shown(path: &Path) -> std::borrow::Cow<'_, str> {
    use std::os::unix::ffi::OsStrExt;
    crate::columns::escape(path.as_os_str().as_bytes())
}

/// Where tracefs is, mounting it at /sys/kernel/tracing when it is missing and we may.
/// Says on stderr when it mounts.
pub(crate) fn ensure_tracefs() -> Result<PathBuf, PreflightError> {
    let all = mounts();
    // libbpf's own lookup order: /sys/kernel/tracing, then debugfs's tracing directory.
    for path in [TRACEFS_PATH, DEBUGFS_TRACING_PATH] {
        if mounted_at(&all, "tracefs", path) {
            return Ok(PathBuf::from(path));
        }
    }
    if !can_mount() {
        return Err(PreflightError::NoTracefs { reason: "mounting it needs CAP_SYS_ADMIN, which this process does not have".into() });
    }
    match mount_once("tracefs", TRACEFS_PATH) {
        Ok(true) => crate::say!("sysnoop: tracefs was not mounted; mounted it at {TRACEFS_PATH}"),
        Ok(false) => {}
        Err(e) => return Err(PreflightError::NoTracefs { reason: format!("mounting it at {TRACEFS_PATH} failed: {e}") }),
    }
    Ok(PathBuf::from(TRACEFS_PATH))
}

/// Mounts the single-instance file system `fs` at `path`: Ok(true) when this call
/// mounted it, Ok(false) when another process did meanwhile. Two sysnoops starting at
/// once both find it unmounted and both mount; the kernel refuses the second with EBUSY
/// (the same file system on the same mount point), which is then no error.
fn mount_once(fs: &str, path: &str) -> nix::Result<bool> {
    match mount(Some(fs), path, Some(fs), MsFlags::empty(), None::<&str>) {
        Ok(()) => Ok(true),
        Err(nix::errno::Errno::EBUSY) if mounted_at(&mounts(), fs, path) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The syscall tracepoints directory in tracefs.
pub(crate) fn syscall_tracepoints(tracefs: &Path) -> Result<PathBuf, PreflightError> {
    let dir = tracefs.join("events/syscalls");
    if dir.is_dir() {
        Ok(dir)
    } else if fs::metadata(&dir).is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied) {
        // Not missing: out of this process's reach (tracefs is mode 0700 root).
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(tracefs).map_err(|_| PreflightError::NoSyscallTracepoints(dir.clone()))?;
        Err(PreflightError::TracefsNotReadable {
            tracefs: tracefs.to_path_buf(),
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            me: nix::unistd::geteuid().as_raw(),
        })
    } else if lockdown_mode().as_deref() == Some("confidentiality") {
        // tracefs mounts, but lockdown hides its events.
        Err(PreflightError::LockedDown)
    } else {
        Err(PreflightError::NoSyscallTracepoints(dir))
    }
}

/// The active kernel lockdown mode (`none`, `integrity`, `confidentiality`), from
/// securityfs: the bracketed word of "none [integrity] confidentiality".
pub(crate) fn lockdown_mode() -> Option<String> {
    parse_lockdown(&read_securityfs("lockdown").ok()?)
}

pub(crate) fn parse_lockdown(text: &str) -> Option<String> {
    let start = text.find('[')? + 1;
    let end = start + text[start..].find(']')?;
    Some(text[start..end].to_owned())
}

/// Mounts securityfs at /sys/kernel/security when it is not mounted and we may; says
/// so on stderr when it mounts.
pub(crate) fn ensure_securityfs() -> Result<(), String> {
    if mounted_at(&mounts(), "securityfs", SECURITYFS_PATH) {
        return Ok(());
    }
    if !can_mount() {
        return Err("securityfs is not mounted, and mounting it needs CAP_SYS_ADMIN".into());
    }
    if mount_once("securityfs", SECURITYFS_PATH).map_err(|e| format!("securityfs is not mounted and mounting it failed: {e}"))? {
        crate::say!("sysnoop: securityfs was not mounted; mounted it at {SECURITYFS_PATH}");
    }
    Ok(())
}

/// A file in securityfs, mounting securityfs first when needed.
fn read_securityfs(name: &str) -> Result<String, String> {
    let path = Path::new(SECURITYFS_PATH).join(name);
    if !path.exists() {
        ensure_securityfs()?;
    }
    fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// The active LSMs.
pub(crate) fn active_lsms() -> Result<Vec<String>, String> {
    let text = read_securityfs("lsm")?;
    Ok(text.trim().split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
}

/// Whether the kernel will create a ring buffer map: a real creation, not a guess.
pub(crate) fn check_ringbuf() -> Result<(), PreflightError> {
    create_ringbuf("sysnoop_probe", 4096).map(drop)
}

/// The transport a run here would use (SYSNOOP_TRANSPORT, else what the kernel has),
/// and that its map can be created.
fn check_transport() -> Result<String, String> {
    use crate::transport::{Events, Transport};
    let forced = Transport::from_env()?;
    let transport = Transport::choose(forced);
    Events::create(transport, 4096).map_err(|e| e.to_string())?;
    let why = match (forced, transport) {
        (Some(_), _) => format!("forced by {}", crate::transport::ENV),
        (None, Transport::Ringbuf) => "this kernel has it".into(),
        (None, Transport::Perf) => "this kernel has no BPF ring buffer".into(),
    };
    Ok(format!("{}: {} ({why})", transport.name(), transport.describe()))
}

/// A BPF ring buffer map of `size` bytes (a power of two, a multiple of the page size).
pub(crate) fn create_ringbuf(name: &str, size: u32) -> Result<libbpf_rs::MapHandle, PreflightError> {
    use libbpf_rs::libbpf_sys::bpf_map_create_opts;
    let opts = bpf_map_create_opts { sz: std::mem::size_of::<bpf_map_create_opts>() as _, ..Default::default() };
    libbpf_rs::MapHandle::create(libbpf_rs::MapType::RingBuf, Some(name), 0, 0, size, &opts).map_err(|e| PreflightError::NoRingBuf(e.to_string()))
}

/// What every BPF object needs before it loads: kernel, BTF, privileges.
pub(crate) fn require() -> Result<(), PreflightError> {
    check_kernel()?;
    check_btf()?;
    check_privileges()?;
    check_memlock()
}

/// `require`, and tracefs and perf events for tracepoint-based tracers: where tracefs
/// is mounted.
pub(crate) fn require_tracefs() -> Result<PathBuf, PreflightError> {
    require()?;
    check_perf_events()?;
    ensure_tracefs()
}

/// Every check, in the order doctor prints them.
pub(crate) fn all_checks() -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |check, required, result: Result<String, String>| {
        let (ok, detail) = match result {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        checks.push(Check { check, ok, required, detail });
    };
    let err = |e: PreflightError| e.to_string();

    push("kernel", true, check_kernel().map(|r| format!("Linux {r} (sysnoop supports {}.{} and later)", MIN_KERNEL.0, MIN_KERNEL.1)).map_err(err));
    push("btf", true, check_btf().map_err(err));
    let privileged = check_privileges();
    push("privileges", true, privileged.clone().map(|()| "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) held".into()).map_err(err));
    push(
        "memlock",
        true,
        check_memlock().map(|()| "BPF maps fit the locked-memory limit (or are charged to the memory cgroup, Linux 5.11+)".into()).map_err(err),
    );
    push("perf_events", true, check_perf_events().map(|()| "perf_event_open allowed (tracepoints can be attached)".into()).map_err(err));
    // traffic's own: the same words its run fails with.
    push("cgroup_attach", false, check_net_admin().map(|()| "CAP_NET_ADMIN held: traffic may attach to cgroups".into()).map_err(err));
    push(
        "tracefs",
        true,
        ensure_tracefs().and_then(|p| syscall_tracepoints(&p).map(|_| p)).map(|p| format!("mounted at {}, with syscall tracepoints", p.display())).map_err(err),
    );
    push(
        "cgroup2",
        false,
        cgroup2_mount()
            .map(|p| format!("cgroup v2 mounted at {}", p.display()))
            .ok_or_else(|| "no cgroup2 mount in /proc/self/mountinfo: per-cgroup tracing is unavailable".into()),
    );
    push(
        "bpf_lsm",
        false,
        active_lsms().and_then(|lsms| {
            let list = lsms.join(",");
            if lsms.iter().any(|l| l == "bpf") {
                Ok(format!("BPF-LSM active (lsm={list})"))
            } else {
                Err(format!("BPF-LSM not active (lsm={list}); boot with lsm={list},bpf to enable it"))
            }
        }),
    );
    // Without the ring buffer, records go through perf buffers: not required.
    push(
        "ringbuf",
        false,
        match &privileged {
            Ok(()) => check_ringbuf().map(|()| "BPF ring buffer map created".into()).map_err(|e| format!("{e}: sysnoop uses perf buffers instead")),
            Err(_) => Err("not checked: creating a BPF map needs CAP_BPF".into()),
        },
    );
    push(
        "transport",
        true,
        match &privileged {
            Ok(()) => check_transport(),
            Err(_) => Err("not checked: creating a BPF map needs CAP_BPF".into()),
        },
    );
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases() {
        assert_eq!(parse_release("6.18.44-fc-v769"), Some((6, 18)));
        assert_eq!(parse_release("5.10.0-28-amd64"), Some((5, 10)));
        assert_eq!(parse_release("6.1.0-27-cloud-amd64"), Some((6, 1)));
        assert_eq!(parse_release("4.19"), Some((4, 19)));
        assert_eq!(parse_release("junk"), None);
        assert!((5, 8) < MIN_KERNEL && (5, 10) >= MIN_KERNEL && (6, 1) >= MIN_KERNEL);
    }

    #[test]
    fn capabilities() {
        let status = "Name:\tcat\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n";
        let caps = parse_cap_eff(status).unwrap();
        assert!(missing_caps(caps).is_empty());
        assert_eq!(missing_caps(0), ["CAP_BPF", "CAP_PERFMON"]);
        assert_eq!(missing_caps(1 << CAP_BPF), ["CAP_PERFMON"]);
        assert!(missing_caps(1 << CAP_SYS_ADMIN).is_empty());
        assert!(missing_caps((1 << CAP_BPF) | (1 << CAP_PERFMON)).is_empty());
        assert_eq!(
            missing_net_admin((1 << CAP_BPF) | (1 << CAP_PERFMON)),
            Err(PreflightError::NotPrivileged { missing: vec!["CAP_NET_ADMIN"], why: "to attach to a cgroup, as traffic does" })
        );
        assert!(missing_net_admin(caps).is_ok());
    }

    #[test]
    fn lockdown() {
        assert_eq!(parse_lockdown("none [integrity] confidentiality\n").as_deref(), Some("integrity"));
        assert_eq!(parse_lockdown("none integrity [confidentiality]").as_deref(), Some("confidentiality"));
        assert_eq!(parse_lockdown("garbage"), None);
    }

    #[test]
    fn mountinfo() {
        let text = "\
36 35 98:0 /mnt1 /mnt/parent\\040dir rw,noatime master:1 - ext3 /dev/root rw,errors=continue
40 30 0:35 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw
41 30 0:12 / /sys/kernel/tracing rw,relatime shared:20 - tracefs tracefs rw
42 30 0:36 / /sys/fs/cgroup/cpu rw,relatime shared:10 master:3 - cgroup cgroup rw,cpu
";
        let mounts = parse_mountinfo(text);
        assert_eq!(mounts.len(), 4);
        assert_eq!(mounts[0].mount_point, Path::new("/mnt/parent dir"));
        assert_eq!(mounts[1], Mount { mount_point: "/sys/fs/cgroup/unified".into(), fs_type: "cgroup2".into() });
        assert!(mounted_at(&mounts, "tracefs", TRACEFS_PATH));
        assert!(!mounted_at(&mounts, "tracefs", DEBUGFS_TRACING_PATH));
    }
}
