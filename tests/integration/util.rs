//! The harness: start `sysnoop`, wait until it is tracing, stop it like a user would
//! (Ctrl-C), and parse everything it printed.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const SYSNOOP: &str = env!("CARGO_BIN_EXE_sysnoop");

/// The runtime half of `#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF
/// programs")]`, which every test that loads BPF carries. build.rs sets that cfg when
/// the build is neither root nor under CI=true, so such a build reports those tests as
/// ignored. If a build made as root (or under CI) runs unprivileged anyway, the test
/// fails here, saying why, rather than passing without having run.
pub fn require_bpf() {
    assert!(nix::unistd::geteuid().is_root(), "needs root to load BPF programs (build as root, or run with CI=true)");
}

/// The transport the suite runs sysnoop with: scripts/test runs it once as is (the ring
/// buffer, on every kernel the tests run on) and once with SYSNOOP_TRANSPORT=perf.
pub fn transport() -> String {
    std::env::var("SYSNOOP_TRANSPORT").ok().filter(|t| !t.is_empty()).unwrap_or_else(|| "ringbuf".into())
}

/// The kernel features sysnoop's programs do without in this run, as the start record
/// and the "tracing" line name them: every one under SYSNOOP_AS_KERNEL=5.10 (scripts/test
/// runs the suite once so), none on the host's own kernel, which has them all.
pub fn without() -> Vec<&'static str> {
    match std::env::var("SYSNOOP_AS_KERNEL").ok().filter(|v| !v.is_empty()).as_deref() {
        None => Vec::new(),
        Some("5.10") => vec!["bpf_get_current_task_btf", "bpf_task_pt_regs", "bpf_loop", "bpf_rdonly_cast"],
        Some(other) => panic!("the tests know SYSNOOP_AS_KERNEL=5.10, not {other}"),
    }
}

/// A fresh directory for one test's files, world-readable so a child that dropped to
/// another uid can still reach it. Removed on drop.
pub struct TestDir(PathBuf);

impl TestDir {
    pub fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("sysnoop-{name}-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst)));
        std::fs::create_dir_all(&dir).unwrap();
        set_mode(&dir, 0o777);
        TestDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A file that exists, readable by anyone.
    pub fn file(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, b"sysnoop test\n").unwrap();
        set_mode(&path, 0o644);
        path
    }

    /// An executable `name` (mode 0755) holding `contents`.
    pub fn executable(&self, name: &str, contents: &[u8]) -> PathBuf {
        let source = self.path(&format!("{name}.source"));
        std::fs::write(&source, contents).unwrap();
        self.copy_executable(&source, name)
    }

    /// A copy of the program at `from`, named `name`, mode 0755. `install` writes it, a
    /// process of its own: a file this process held open for writing could be inherited,
    /// for the moment between fork and exec, by a child another test's thread starts, and
    /// running it then fails with ETXTBSY ("Text file busy").
    pub fn copy_executable(&self, from: &Path, name: &str) -> PathBuf {
        let path = self.path(name);
        let status = Command::new("install").arg("-m0755").arg(from).arg(&path).status().unwrap();
        assert!(status.success(), "install {} {}: {status}", from.display(), path.display());
        path
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A running `sysnoop`.
pub struct Trace {
    child: Child,
    /// Taken when the run is collected.
    stdout: Option<thread::JoinHandle<Vec<u8>>>,
    stderr_lines: mpsc::Receiver<String>,
    stderr_seen: Vec<String>,
}

/// What a finished `sysnoop` printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub records: Vec<Value>,
    pub stderr: String,
}

impl Trace {
    /// Runs `sysnoop ARGS` and waits for its "tracing" line on stderr.
    pub fn start(args: &[&str]) -> Trace {
        let mut cmd = Command::new(SYSNOOP);
        cmd.args(args);
        Trace::start_command(cmd)
    }

    /// Runs a command that ends up exec'ing sysnoop (e.g. under `unshare`), waiting for
    /// its "tracing" line.
    pub fn start_command(mut cmd: Command) -> Trace {
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
        let mut out = child.stdout.take().unwrap();
        let stdout = thread::spawn(move || {
            let mut bytes = Vec::new();
            out.read_to_end(&mut bytes).unwrap();
            bytes
        });
        let (tx, stderr_lines) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut trace = Trace { child, stdout: Some(stdout), stderr_lines, stderr_seen: Vec::new() };
        trace.wait_for_stderr("sysnoop: tracing", Duration::from_secs(60));
        trace
    }

    fn wait_for_stderr(&mut self, prefix: &str, timeout: Duration) {
        self.wait_for_stderr_line(prefix, |line| line.starts_with(prefix), timeout);
    }

    /// Waits for a line on stderr that `found` accepts (`what` says which, when none
    /// comes), and returns it.
    pub fn wait_for_stderr_line(&mut self, what: &str, found: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = found(&line);
                    self.stderr_seen.push(line.clone());
                    if hit {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let status = self.child.wait().unwrap();
                    panic!("sysnoop never printed `{what}` (exit {status}); stderr:\n{}", self.stderr_seen.join("\n"));
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ctrl-C, then collect everything.
    pub fn stop(self) -> Output {
        self.signal(nix::sys::signal::Signal::SIGINT);
        self.wait()
    }

    /// Ctrl-C, then collect everything printed with `--format ocsf`: every line is
    /// validated against its OCSF class's schema (`crate::ocsf::parse`).
    pub fn stop_ocsf(self) -> Output {
        self.signal(nix::sys::signal::Signal::SIGINT);
        self.finish(crate::ocsf::parse)
    }

    fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), signal).unwrap();
    }

    /// Sends sysnoop a signal that ends it without a word (SIGKILL) and waits for it.
    pub fn kill(mut self, signal: nix::sys::signal::Signal) -> ExitStatus {
        self.signal(signal);
        self.child.wait().unwrap()
    }

    /// Ctrl-C, then collect everything printed with `--format text`: one string per
    /// line.
    pub fn stop_text(self) -> Output {
        self.signal(nix::sys::signal::Signal::SIGINT);
        self.finish(|stdout, _| {
            let text = std::str::from_utf8(stdout).expect("stdout is UTF-8");
            text.lines().map(|line| Value::String(line.to_owned())).collect()
        })
    }

    /// Waits for sysnoop to end on its own (--duration, --max-events).
    pub fn wait(self) -> Output {
        self.finish(parse_ndjson)
    }

    /// Waits for sysnoop to end, and parses stdout with `parse` (given stderr, for
    /// messages).
    fn finish(mut self, parse: fn(&[u8], &str) -> Vec<Value>) -> Output {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("sysnoop did not exit within 60 s");
            }
            thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.take().expect("collected once").join().unwrap();
        let mut stderr = std::mem::take(&mut self.stderr_seen);
        stderr.extend(self.stderr_lines.iter());
        let stderr = stderr.join("\n");
        Output { status, records: parse(&stdout, &stderr), stderr }
    }
}

/// A test that fails before it stops sysnoop must not leave it tracing the host under
/// the tests that follow (or a benchmark).
impl Drop for Trace {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `sysnoop schema`: what every native record must match.
fn record_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let out = run(&["schema"]);
        assert!(out.status.success(), "sysnoop schema: {out:?}");
        let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
        jsonschema::draft202012::new(&schema).expect("sysnoop schema is a valid draft 2020-12 schema")
    })
}

/// Every line must be one JSON object, exactly one of the typed records in
/// `records.rs` (no field unknown, missing or of another type), and valid under
/// `sysnoop schema`.
pub fn parse_ndjson(stdout: &[u8], context: &str) -> Vec<Value> {
    let text = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\nstderr:\n{context}"));
            assert!(value.is_object(), "not an object: {line}");
            if let Err(e) = crate::records::check(&value) {
                panic!("not a sysnoop record ({e}): {line}");
            }
            if value.get("kind").is_some() {
                let errors: Vec<String> = record_schema().iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
                assert!(errors.is_empty(), "`sysnoop schema` rejects this record: {errors:#?}\n{line}");
            }
            value
        })
        .collect()
}

impl Output {
    pub fn assert_success(&self) -> &Self {
        assert!(self.status.success(), "sysnoop failed ({}); stderr:\n{}", self.status, self.stderr);
        self
    }

    /// The start record; it must be the first line.
    pub fn start(&self) -> &Value {
        let first = self.records.first().unwrap_or_else(|| panic!("no output; stderr:\n{}", self.stderr));
        assert_eq!(first["kind"], "start", "first line is not the start record: {first}");
        first
    }

    /// The final summary record; it must be the last line.
    pub fn summary(&self) -> &Value {
        let last = self.records.last().unwrap_or_else(|| panic!("no output; stderr:\n{}", self.stderr));
        assert_eq!(last["kind"], "summary", "last line is not the summary: {last}");
        last
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.records.iter().filter(move |r| r["kind"] == kind)
    }

    /// Open records for this exact path.
    pub fn opens_of(&self, path: &Path) -> Vec<&Value> {
        let path = path.to_str().unwrap();
        self.of_kind("open").filter(|r| r["path"] == path).collect()
    }
}

/// Runs sysnoop to completion with no tracing wait (for usage errors and the like).
pub fn run(args: &[&str]) -> std::process::Output {
    Command::new(SYSNOOP).args(args).output().unwrap()
}

/// Starts `sysnoop ARGS` with its stdout piped for the caller to read live, and waits
/// for the "tracing" line on stderr (other lines, such as "tracefs was not mounted",
/// may come first). Returns the child and the rest of its stderr.
#[allow(clippy::zombie_processes)] // returned: the caller waits for it
pub fn spawn_live(args: &[&str]) -> (Child, BufReader<ChildStderr>) {
    let mut sysnoop = Command::new(SYSNOOP).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut err = BufReader::new(sysnoop.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "sysnoop never said it was tracing; stderr:\n{seen}");
        if line.starts_with("sysnoop: tracing") {
            return (sysnoop, err);
        }
        seen += &line;
    }
}

/// Runs `sysnoop ARGS` as uid/gid 65534 with no capabilities (setpriv). nobody cannot
/// reach a binary under a 0700 checkout, so this runs a world-readable copy.
pub fn run_as_nobody(args: &[&str]) -> std::process::Output {
    let dir = TestDir::new("nobody");
    let copy = dir.copy_executable(Path::new(SYSNOOP), "sysnoop");
    Command::new("setpriv").args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&copy).args(args).output().unwrap()
}

/// The mounts of filesystem type `fs_type`, from /proc/self/mountinfo: each as (the
/// directory of the filesystem it shows, its mount point), in mount order.
fn mounts_of(fs_type: &str) -> Vec<(String, PathBuf)> {
    // Fields: id parent major:minor root mount-point options [optional...] - type source ...
    // with spaces and the like in paths written as octal escapes (\040).
    let unescape = |field: &str| -> String {
        let mut out = Vec::new();
        let bytes = field.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match (bytes[i], field.get(i + 1..i + 4).and_then(|o| u8::from_str_radix(o, 8).ok())) {
                (b'\\', Some(byte)) => {
                    out.push(byte);
                    i += 4;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).unwrap()
    };
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let dash = fields.iter().position(|&f| f == "-")?;
            (fields.get(dash + 1) == Some(&fs_type)).then(|| (unescape(fields[3]), PathBuf::from(unescape(fields[4]))))
        })
        .collect()
}

/// The cgroup v2 mount: the cgroup it shows (`/` unless a subtree was mounted) and its
/// mount point (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). The
/// test's own reading of mountinfo, not sysnoop's.
fn cgroup2() -> (String, PathBuf) {
    mounts_of("cgroup2").into_iter().next().expect("no cgroup v2 mount in /proc/self/mountinfo")
}

pub fn cgroup2_mount() -> PathBuf {
    cgroup2().1
}

/// The cgroup v2 directory of process `pid` under the mount (`/` for the mount's own),
/// from the `0::` line of /proc/PID/cgroup.
pub fn cgroup_of(pid: u32) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let path = text.lines().find_map(|l| l.strip_prefix("0::")).unwrap_or_else(|| panic!("no cgroup v2 line: {text}"));
    let root = cgroup2().0;
    let under = path
        .strip_prefix(root.trim_end_matches('/'))
        .filter(|under| under.is_empty() || under.starts_with('/'))
        .unwrap_or_else(|| panic!("{path} is not under the mount's {root}"));
    if under.is_empty() {
        "/".into()
    } else {
        under.to_owned()
    }
}

/// The id the kernel gives the cgroup v2 directory `path` (under the mount, as records
/// and /proc/PID/cgroup name it): the directory's inode number.
pub fn cgroup_id(path: &str) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let dir = cgroup2_mount().join(path.trim_start_matches('/'));
    std::fs::metadata(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).ino()
}

/// Whether this kernel has both syscall tracepoints of `syscall` (sys_enter_NAME and
/// sys_exit_NAME) in tracefs, wherever it is mounted (sysnoop mounts it if need be).
pub fn has_syscall_tracepoints(syscall: &str) -> bool {
    ["enter", "exit"].iter().all(|side| has_tracepoint("syscalls", &format!("sys_{side}_{syscall}")))
}

/// Whether this kernel has the tracepoint GROUP/NAME in tracefs.
pub fn has_tracepoint(group: &str, name: &str) -> bool {
    let mounts = mounts_of("tracefs");
    let events = mounts
        .iter()
        .map(|(_, mount)| mount.join("events"))
        .find(|dir| dir.join("syscalls").is_dir())
        .unwrap_or_else(|| panic!("no tracefs with syscall events: {mounts:?}"));
    events.join(group).join(name).is_dir()
}

/// The open calls `sysnoop open` traces on this kernel, each with a link to its exit
/// tracepoint (one program for them all): those that have tracepoints (no open or
/// creat on arm64, no openat2 before 5.6).
pub fn open_calls() -> usize {
    ["open", "openat", "openat2", "creat"].iter().filter(|s| has_syscall_tracepoints(s)).count()
}

/// The maps `sysnoop open` holds, by name, sorted: bpf/open.bpf.c's own (the per-CPU
/// `counters`, the scratch record `heap`, the full path
/// walk's `path_scratch`, its globals) and the run's ring buffer, `events`, which every
/// object shares; and the one-entry placeholders of the --cgroup filter and the set of
/// followed tasks (bpf/common.bpf.h) when neither is in use.
/// With perf buffers, each object also has `reserved`, its room for records built in
/// place (per_object()).
pub fn open_maps() -> Vec<&'static str> {
    let mut maps = vec!["cgroup_filter", "counters", "events", "followed", "heap", "open_bpf.bss", "open_bpf.rodata", "path_scratch"];
    maps.extend(per_object());
    maps.sort_unstable();
    maps
}

/// The maps every object has only with the transport the suite runs with.
pub fn per_object() -> Vec<&'static str> {
    match transport().as_str() {
        "perf" => vec!["reserved"],
        _ => vec![],
    }
}

/// The BPF programs, maps and links a running process holds, from its fds' fdinfo
/// (`prog_id:`, `map_id:`, `link_id:`): exactly this process's, whatever else runs.
#[derive(Debug)]
pub struct Held {
    pub progs: Vec<u64>,
    pub maps: Vec<u64>,
    pub links: Vec<u64>,
}

impl Held {
    pub fn by(pid: u32) -> Held {
        let ids = |key: &str| {
            let mut ids = Vec::new();
            for entry in std::fs::read_dir(format!("/proc/{pid}/fdinfo")).unwrap() {
                let Ok(info) = std::fs::read_to_string(entry.unwrap().path()) else { continue };
                ids.extend(info.lines().filter_map(|l| l.strip_prefix(key)).filter_map(|v| v.trim().parse::<u64>().ok()));
            }
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        Held { progs: ids("prog_id:"), maps: ids("map_id:"), links: ids("link_id:") }
    }

    fn each(&self) -> [(&'static str, &Vec<u64>); 3] {
        [("prog", &self.progs), ("map", &self.maps), ("link", &self.links)]
    }

    /// bpftool lists every one of them.
    pub fn assert_in_kernel(&self) {
        for (kind, ids) in self.each() {
            let live = bpf_objects(kind);
            assert!(ids.iter().all(|id| live.contains(id)), "bpftool does not list our {kind}s {ids:?}");
        }
    }

    /// None of them is left in the kernel. The kernel frees programs after an RCU grace
    /// period and maps from a workqueue after that, so the ids disappear shortly after
    /// the process ends, not at once.
    pub fn assert_released(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        for (kind, ids) in self.each() {
            loop {
                let after = bpf_objects(kind);
                let left: Vec<&u64> = ids.iter().filter(|id| after.contains(id)).collect();
                if left.is_empty() {
                    break;
                }
                assert!(Instant::now() < deadline, "{kind}s left behind: {left:?}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The names of its maps, sorted (the kernel's names: at most 15 bytes).
    pub fn map_names(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.maps.iter().map(|&id| bpftool_json(&["map", "show", "id", &id.to_string()])["name"].as_str().unwrap().to_owned()).collect();
        names.sort();
        names
    }

    /// The maps called `name` (each object has its own `inflight`, say).
    pub fn maps_named(&self, name: &str) -> Vec<u64> {
        self.maps.iter().copied().filter(|&id| bpftool_json(&["map", "show", "id", &id.to_string()])["name"] == name).collect()
    }
}

/// The ids of every BPF program, map or link (`kind`) in the kernel.
pub fn bpf_objects(kind: &str) -> Vec<u64> {
    let list = bpftool_json(&[kind, "list"]);
    list.as_array().map(|a| a.iter().filter_map(|o| o["id"].as_u64()).collect()).unwrap_or_default()
}

/// The keys of a hash map with integer keys (the pairing maps' thread ids), as bpftool
/// reads them from the kernel.
pub fn map_keys(id: u64) -> Vec<u64> {
    let dump = bpftool_json(&["map", "dump", "id", &id.to_string()]);
    dump.as_array().unwrap().iter().map(|entry| entry["formatted"]["key"].as_u64().unwrap_or_else(|| panic!("no BTF-formatted key: {entry}"))).collect()
}

/// A map's type as bpftool names it ("lru_hash", "task_storage").
pub fn map_type(id: u64) -> String {
    bpftool_json(&["map", "show", "id", &id.to_string()])["type"].as_str().unwrap_or_default().to_string()
}

/// Whether the task storage map `id` holds an entry in thread `tid`: looked up by a
/// pidfd of the thread (PIDFD_THREAD, Linux 6.9), as the kernel takes its keys.
pub fn task_storage_has(id: u64, tid: u32) -> bool {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    const PIDFD_THREAD: nix::libc::c_long = nix::libc::O_EXCL as nix::libc::c_long;
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, tid as nix::libc::c_long, PIDFD_THREAD) };
    assert!(fd >= 0, "pidfd_open({tid}, PIDFD_THREAD): {}", std::io::Error::last_os_error());
    // SAFETY: a new fd, owned here alone.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    use libbpf_rs::MapCore;
    let map = libbpf_rs::MapHandle::from_map_id(id as u32).unwrap_or_else(|e| panic!("map {id}: {e}"));
    map.lookup(&fd.as_raw_fd().to_ne_bytes(), libbpf_rs::MapFlags::ANY).unwrap_or_else(|e| panic!("map {id}, thread {tid}: {e}")).is_some()
}

fn bpftool_json(args: &[&str]) -> Value {
    let out = Command::new("bpftool").arg("-j").args(args).output().expect("bpftool (scripts/setup installs it)");
    assert!(out.status.success(), "bpftool {args:?}: {out:?}");
    if out.stdout.is_empty() {
        return Value::Null; // an empty list prints nothing
    }
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bpftool {args:?}: {e}"))
}

/// A fresh cgroup v2 directory, removed on drop (once its processes are gone).
pub struct Cgroup {
    pub path: PathBuf,
    /// Its name under the mount point, as records show it.
    pub name: String,
}

impl Cgroup {
    pub fn new(tag: &str) -> Cgroup {
        let root = cgroup2_mount();
        let name = format!("/sysnoop-{tag}-{}", std::process::id());
        let path = root.join(&name[1..]);
        std::fs::create_dir_all(&path).unwrap();
        Cgroup { path, name }
    }

    /// A cgroup under this one (drop it first).
    pub fn child(&self, name: &str) -> Cgroup {
        let path = self.path.join(name);
        std::fs::create_dir_all(&path).unwrap();
        Cgroup { path, name: format!("{}/{name}", self.name) }
    }

    /// Its id: the directory's inode number.
    pub fn id(&self) -> u64 {
        cgroup_id(&self.name)
    }

    pub fn adopt(&self, pid: u32) {
        std::fs::write(self.path.join("cgroup.procs"), pid.to_string()).unwrap();
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// The exec_id of a live process, as sysnoop makes it: the boot id's first 8 bytes,
/// /proc/PID/stat's start time in clock ticks and the pid, in hex.
pub fn exec_id(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // proc(5): starttime is field 22, the 20th after the name in parentheses.
    let ticks: u64 = stat[stat.rfind(')').unwrap() + 1..].split_whitespace().nth(19).unwrap().parse().unwrap();
    exec_id_of(pid, ticks)
}

/// The exec_id of the process `pid` that began `start_ticks` clock ticks after boot.
pub fn exec_id_of(pid: u32, start_ticks: u64) -> String {
    let boot: String = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap().chars().filter(|c| c.is_ascii_hexdigit()).take(16).collect();
    format!("{boot}{start_ticks:010x}{pid:06x}")
}
