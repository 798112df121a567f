//! `sysnoop open` against the real kernel.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use nix::libc;
use serde_json::{json, Value};

use crate::child::{self, open_line, repeat_line, Waiting};
use crate::util::{open_calls, open_maps, parse_ndjson, require_bpf, run_as_nobody, spawn_live, Held, Output, TestDir, Trace, SYSNOOP};

fn the_one_open<'a>(out: &'a Output, path: &Path) -> &'a Value {
    let found = out.opens_of(path);
    assert_eq!(found.len(), 1, "expected one open of {}, got {found:?}\nstderr:\n{}", path.display(), out.stderr);
    found[0]
}

/// `t` as records write a time: the same format, so string order is time order.
fn rfc3339(t: SystemTime) -> String {
    sysnoop::clock::Timestamp(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i128).to_string()
}

fn assert_no_open(out: &Output, path: &Path) {
    let found = out.opens_of(path);
    assert!(found.is_empty(), "{} should have been filtered: {found:?}", path.display());
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_open_syscall_is_recorded_exactly() {
    require_bpf();
    let dir = TestDir::new("exact");
    let existing = dir.file("exists");
    let missing = dir.path("does-not-exist");
    let created = dir.path("created");
    let via_open = dir.file("via-open");
    let via_creat = dir.path("via-creat");
    let via_openat2 = dir.path("via-openat2");

    let trace = Trace::start(&["open"]);
    let (pid, opened) = child::run(&[
        "comm snoop-exact".into(),
        open_line("openat", libc::O_RDONLY | libc::O_CLOEXEC, 0, &existing),
        open_line("openat", libc::O_RDONLY, 0, &missing),
        open_line("openat", libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, 0o640, &created),
        open_line("open", libc::O_RDWR | libc::O_APPEND, 0, &via_open),
        open_line("creat", 0, 0o600, &via_creat),
        open_line("openat2", libc::O_RDWR | libc::O_CREAT | libc::O_CLOEXEC, 0o644, &via_openat2),
    ]);
    let out = trace.stop();
    out.assert_success();

    let me = std::process::id();
    let expect = [
        (&existing, "openat", json!(["O_RDONLY", "O_CLOEXEC"]), 0),
        (&missing, "openat", json!(["O_RDONLY"]), 0),
        (&created, "openat", json!(["O_WRONLY", "O_CREAT", "O_EXCL"]), 0o640),
        (&via_open, "open", json!(["O_RDWR", "O_APPEND"]), 0),
        (&via_creat, "creat", json!(["O_WRONLY", "O_CREAT", "O_TRUNC"]), 0o600),
        (&via_openat2, "openat2", json!(["O_RDWR", "O_CREAT", "O_CLOEXEC"]), 0o644),
    ];
    assert_eq!(opened.len(), expect.len());
    for ((path, syscall, flags, mode), got) in expect.iter().zip(&opened) {
        let r = the_one_open(&out, path);
        assert_eq!(r["pid"], pid, "{r}");
        assert_eq!(got.pid, pid);
        assert_eq!(r["tid"], got.tid, "{r}");
        assert_eq!(r["ppid"], me, "{r}");
        assert_eq!(r["uid"], 0, "{r}");
        assert_eq!(r["comm"], "snoop-exact", "{r}");
        assert_eq!(r["syscall"], *syscall, "{r}");
        assert_eq!(r["flags"], *flags, "{r}");
        assert_eq!(r["mode"], *mode, "{r}");
        assert_eq!(r["ret"], got.ret, "{r}");
        if got.ret >= 0 {
            assert!(r["errno"].is_null(), "{r}");
        }
        assert!(r.get("path_hex").is_none() && r.get("comm_hex").is_none(), "{r}");
    }
    // The failure is the kernel's ENOENT; the rest succeeded.
    let failed = the_one_open(&out, &missing);
    assert_eq!(failed["ret"], -libc::ENOENT);
    assert_eq!(failed["errno"], "ENOENT");
    assert!(opened.iter().enumerate().all(|(i, o)| (i == 1) == (o.ret < 0)), "{opened:?}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn time_is_wall_clock_utc_with_nanoseconds() {
    require_bpf();
    let dir = TestDir::new("time");
    let path = dir.file("when");
    let trace = Trace::start(&["open"]);
    let before = SystemTime::now();
    child::run(&[open_line("openat", libc::O_RDONLY, 0, &path)]);
    let after = SystemTime::now();
    let out = trace.stop();
    let time = the_one_open(&out, &path)["time"].as_str().unwrap().to_owned();
    // 2026-11-22T03:18:00.123456789Z
    assert_eq!(time.len(), 30, "{time}");
    assert!(time.ends_with('Z') && &time[10..11] == "T" && &time[19..20] == ".", "{time}");
    let (lo, hi) = (rfc3339(before), rfc3339(after));
    assert!(lo <= time && time <= hi, "{lo} <= {time} <= {hi}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn hostile_paths_stay_one_valid_json_line() {
    require_bpf();
    let dir = TestDir::new("hostile");
    let mut name = dir.path("").as_os_str().as_bytes().to_vec();
    name.extend_from_slice(b"q\"uo\\te\nnew\x01line\xff\xfe");
    let path = std::ffi::OsStr::from_bytes(&name);
    let trace = Trace::start(&["open"]);
    let script = format!("openat 0 0 {}", child::hex(&name));
    child::run(&[script]);
    let out = trace.stop(); // parse_ndjson already proved every line is one JSON object
    let hits: Vec<&Value> = out.of_kind("open").filter(|r| r["path_hex"] == child::hex(&name)).collect();
    assert_eq!(hits.len(), 1, "{:?}", out.records);
    let text = hits[0]["path"].as_str().unwrap();
    assert_eq!(text, String::from_utf8_lossy(&name));
    assert!(text.contains("q\"uo\\te\nnew\u{1}line\u{fffd}\u{fffd}"));
    assert_eq!(hits[0]["errno"], "ENOENT");
    let _ = path;
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn pid_filter_keeps_one_process() {
    require_bpf();
    let dir = TestDir::new("pid");
    let (mine, other) = (dir.file("mine"), dir.file("other"));
    let waiting = Waiting::spawn(&["wait".into(), open_line("openat", libc::O_RDONLY, 0, &mine)]);
    let pid = waiting.pid.to_string();
    let trace = Trace::start(&["open", "-p", &pid]);
    child::run(&[open_line("openat", libc::O_RDONLY, 0, &other)]);
    waiting.go();
    let out = trace.stop();
    the_one_open(&out, &mine);
    assert_no_open(&out, &other);
    assert!(out.of_kind("open").all(|r| r["pid"].as_u64() == pid.parse().ok()), "{:?}", out.records);
    // At least the other child's open; -p also drops every other open on the host
    // meanwhile, which no test can know.
    assert!(out.summary()["counts"]["open"]["filtered"].as_u64().unwrap() >= 1);
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn tid_filter_keeps_one_thread() {
    require_bpf();
    let dir = TestDir::new("tid");
    let (mine, other) = (dir.file("mine"), dir.file("other"));
    let waiting = Waiting::spawn(&["wait".into(), open_line("openat", libc::O_RDONLY, 0, &mine)]);
    // The child runs its script on a thread of its own: the tid is not the pid.
    assert_ne!(waiting.tid, waiting.pid);
    let tid = waiting.tid.to_string();
    let trace = Trace::start(&["open", "--tid", &tid]);
    child::run(&[open_line("openat", libc::O_RDONLY, 0, &other)]);
    waiting.go();
    let out = trace.stop();
    assert_eq!(the_one_open(&out, &mine)["tid"].to_string(), tid);
    assert_no_open(&out, &other);
    assert!(out.of_kind("open").all(|r| r["tid"].as_u64() == tid.parse().ok()));
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn uid_filter_keeps_one_user_including_root() {
    require_bpf();
    let dir = TestDir::new("uid");
    let (as_root, as_nobody) = (dir.file("root"), dir.file("nobody"));
    let script = |path: &Path, uid: Option<u32>| {
        let mut s: Vec<String> = uid.map(|u| format!("setuid {u}")).into_iter().collect();
        s.push(open_line("openat", libc::O_RDONLY, 0, path));
        s
    };
    for (filter, kept, dropped) in [("65534", &as_nobody, &as_root), ("0", &as_root, &as_nobody)] {
        let trace = Trace::start(&["open", "-u", filter]);
        child::run(&script(&as_root, None));
        child::run(&script(&as_nobody, Some(65534)));
        let out = trace.stop();
        assert_eq!(the_one_open(&out, kept)["uid"].to_string(), filter);
        assert_no_open(&out, dropped);
        assert!(out.of_kind("open").all(|r| r["uid"].as_u64() == filter.parse().ok()));
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn name_filter_matches_a_substring_of_comm() {
    require_bpf();
    let dir = TestDir::new("comm");
    let (mine, other) = (dir.file("mine"), dir.file("other"));
    let trace = Trace::start(&["open", "-n", "nomfil"]);
    child::run(&["comm xnomfilx".into(), open_line("openat", libc::O_RDONLY, 0, &mine)]);
    child::run(&["comm snoop-other".into(), open_line("openat", libc::O_RDONLY, 0, &other)]);
    let out = trace.stop();
    assert_eq!(the_one_open(&out, &mine)["comm"], "xnomfilx");
    assert_no_open(&out, &other);
    assert!(out.of_kind("open").all(|r| r["comm"].as_str().unwrap().contains("nomfil")));
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn failed_filter_keeps_only_failures() {
    require_bpf();
    let dir = TestDir::new("failed");
    let (good, bad) = (dir.file("good"), dir.path("missing"));
    let trace = Trace::start(&["open", "-x"]);
    child::run(&[open_line("openat", libc::O_RDONLY, 0, &good), open_line("openat", libc::O_RDONLY, 0, &bad)]);
    let out = trace.stop();
    assert_eq!(the_one_open(&out, &bad)["errno"], "ENOENT");
    assert_no_open(&out, &good);
    assert!(out.of_kind("open").all(|r| r["ret"].as_i64().unwrap() < 0 && r["errno"].is_string()));
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn summary_counts_what_was_written() {
    require_bpf();
    let dir = TestDir::new("summary");
    let path = dir.file("counted");
    let before = SystemTime::now();
    let trace = Trace::start(&["open"]);
    let sysnoop_pid = trace.pid();
    child::run(&["comm snoop-sum".into(), repeat_line(25, &path)]);
    let out = trace.stop();
    let after = SystemTime::now();
    out.assert_success();
    // sysnoop's own opens (tracefs, its probe calls) are never reported.
    assert!(out.of_kind("open").all(|r| r["pid"] != sysnoop_pid), "sysnoop reported itself");
    let summary = out.summary();
    let counts = &summary["counts"]["open"];
    assert_eq!(out.opens_of(&path).len(), 25);
    assert_eq!(counts["emitted"].as_u64().unwrap(), out.of_kind("open").count() as u64);
    // No filter: nothing is filtered; and an open has no enter to miss (its program
    // reads the arguments at the exit), even one in flight when tracing began.
    for zero in ["filtered", "lost", "malformed", "unwritten", "pairing_misses"] {
        assert_eq!(counts[zero], 0, "{summary}");
    }
    // The run, as long as it was and when it ended, within what this test saw of it.
    let elapsed = summary["elapsed_ns"].as_u64().unwrap();
    assert!(elapsed > 0 && u128::from(elapsed) <= after.duration_since(before).unwrap().as_nanos(), "{summary}");
    let time = summary["time"].as_str().unwrap();
    assert!(rfc3339(before).as_str() <= time && time <= rfc3339(after).as_str(), "{summary}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn max_events_stops_after_n_records() {
    require_bpf();
    let dir = TestDir::new("max");
    let path = dir.file("many");
    let trace = Trace::start(&["open", "-n", "snoop-max", "--max-events", "3"]);
    child::run(&["comm snoop-max".into(), repeat_line(20, &path)]);
    let out = trace.wait();
    out.assert_success();
    assert_eq!(out.of_kind("open").count(), 3, "{:?}", out.records);
    let counts = &out.summary()["counts"]["open"];
    assert_eq!(counts["emitted"], 3);
    // The rest were delivered but not written: counted, not silently dropped.
    assert_eq!(counts["unwritten"].as_u64().unwrap(), 17, "{counts}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn duration_ends_the_run() {
    require_bpf();
    let before = std::time::Instant::now();
    let out = Trace::start(&["open", "-d", "300ms", "-n", "no-such-comm"]).wait();
    let took = before.elapsed();
    out.assert_success();
    assert_eq!(out.records.len(), 2, "the start record and the summary");
    out.start();
    let elapsed = out.summary()["elapsed_ns"].as_u64().unwrap();
    assert!(elapsed >= 300_000_000 && u128::from(elapsed) <= took.as_nanos(), "{elapsed} (the run took {took:?})");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn records_stream_while_tracing() {
    require_bpf();
    let dir = TestDir::new("stream");
    let path = dir.file("live");
    let (mut sysnoop, _stderr) = spawn_live(&["open", "-n", "snoop-live"]);
    child::run(&["comm snoop-live".into(), open_line("openat", libc::O_RDONLY, 0, &path)]);
    // The record arrives while sysnoop is still running, not only at exit.
    let (tx, rx) = std::sync::mpsc::channel();
    let out = sysnoop.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
        let _ = tx.send([(); 2].map(|()| lines.next().unwrap().unwrap()));
    });
    let [start, first] = rx.recv_timeout(Duration::from_secs(10)).expect("no record while tracing");
    assert!(sysnoop.try_wait().unwrap().is_none(), "sysnoop ended early");
    assert_eq!(parse_ndjson(start.as_bytes(), "")[0]["kind"], "start");
    let record = &parse_ndjson(first.as_bytes(), "")[0];
    assert_eq!(record["path"], path.to_str().unwrap());
    sysnoop.kill().unwrap();
    sysnoop.wait().unwrap();
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn closed_stdout_ends_the_run_with_success() {
    require_bpf();
    let dir = TestDir::new("pipe");
    let path = dir.file("piped");
    let (mut sysnoop, mut err) = spawn_live(&["open", "-n", "snoop-pipe"]);
    // `sysnoop open | head -1`: read one line, close the pipe, keep opening.
    let mut out = std::io::BufReader::new(sysnoop.stdout.take().unwrap());
    child::run(&["comm snoop-pipe".into(), open_line("openat", libc::O_RDONLY, 0, &path)]);
    let mut lines = [String::new(), String::new()];
    for line in &mut lines {
        std::io::BufRead::read_line(&mut out, line).unwrap();
    }
    assert!(lines[0].starts_with(r#"{"kind":"start""#), "{}", lines[0]);
    assert!(lines[1].starts_with(r#"{"kind":"open""#) && lines[1].contains("snoop-pipe"), "{}", lines[1]);
    drop(out);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        child::run(&["comm snoop-pipe".into(), repeat_line(5, &path)]);
        if let Some(status) = sysnoop.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "sysnoop kept running with stdout closed");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(status.success(), "exit {status}; stderr: {rest}");
    assert!(!rest.contains("error"), "{rest}");
}

/// `sysnoop open --stats-interval 100ms 2>&1 >out | head -1`: stderr closed after its
/// first line. What sysnoop says there is best effort; the run goes on and ends with its
/// summary.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn closed_stderr_does_not_end_the_run() {
    require_bpf();
    let (sysnoop, err) = spawn_live(&["open", "-n", "snoop-noerr", "-d", "1s", "--stats-interval", "100ms"]);
    drop(err);
    let out = sysnoop.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {}", out.status);
    let records = parse_ndjson(&out.stdout, "");
    assert_eq!(records.last().unwrap()["kind"], "summary");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn nothing_is_left_in_the_kernel_after_exit() {
    require_bpf();
    let trace = Trace::start(&["open", "-n", "snoop-leak"]);
    let held = Held::by(trace.pid());
    // One program for the open syscalls, a link to the exit of each this kernel has,
    // and the maps: bpf/open.bpf.c's (the per-CPU scratch record, globals) and the run's
    // ring buffer.
    assert_eq!((held.progs.len(), held.links.len()), (1, open_calls()), "{held:?}");
    assert_eq!(held.map_names(), open_maps(), "{held:?}");
    held.assert_in_kernel();
    trace.stop().assert_success();
    held.assert_released();
}

/// `sh -c SCRIPT` in a private mount namespace of its own, where tracefs is unmounted
/// (both of its usual places) before SCRIPT runs; exit 99 if it could not be.
fn without_tracefs(script: &str) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c"]).arg(format!(
        "umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/tracing 2>/dev/null; \
         if grep -q ' - tracefs ' /proc/self/mountinfo; then echo 'tracefs still mounted' >&2; exit 99; fi; {script}"
    ));
    cmd
}

/// In a private mount namespace with tracefs unmounted, sysnoop mounts it and traces.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn works_when_tracefs_is_not_mounted() {
    require_bpf();
    let dir = TestDir::new("tracefs");
    let path = dir.file("no-tracefs");
    let trace = Trace::start_command(without_tracefs(&format!("exec {SYSNOOP} open -n snoop-tracefs")));
    child::run(&["comm snoop-tracefs".into(), open_line("openat", libc::O_RDONLY, 0, &path)]);
    let out = trace.stop();
    out.assert_success();
    assert!(out.stderr.contains("tracefs was not mounted; mounted it at /sys/kernel/tracing"), "{}", out.stderr);
    the_one_open(&out, &path);
}

/// Several sysnoops starting at once where tracefs is not mounted (a fresh machine; a
/// unit and a user at boot) all find it unmounted and all mount it: the kernel takes
/// the first mount and refuses the others (EBUSY), which find it mounted and trace.
/// Exactly one says it mounted tracefs.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn sysnoops_starting_at_once_share_the_tracefs_one_mounts() {
    require_bpf();
    // Before the fix, one round in about five had a sysnoop fail (EBUSY).
    const N: usize = 8;
    const ROUNDS: usize = 3;
    for round in 1..=ROUNDS {
        let dir = TestDir::new("tracefs-race");
        let out = without_tracefs(&format!(
            "for i in $(seq 1 {N}); do ({SYSNOOP} open -q -d 300ms -n snoop-nothing >/dev/null 2>{dir}/err-$i; echo $? >{dir}/rc-$i) & done; wait",
            dir = dir.path("").display()
        ))
        .output()
        .unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut mounted = 0;
        for i in 1..=N {
            let stderr = std::fs::read_to_string(dir.path(&format!("err-{i}"))).unwrap();
            let rc = std::fs::read_to_string(dir.path(&format!("rc-{i}"))).unwrap();
            assert_eq!(rc.trim(), "0", "round {round}: sysnoop {i} of {N}: {stderr}");
            mounted += stderr.matches("tracefs was not mounted; mounted it at /sys/kernel/tracing").count();
        }
        assert_eq!(mounted, 1, "round {round}: one of the {N} mounted tracefs");
    }
}

/// Without CAP_SYS_ADMIN sysnoop cannot mount tracefs, and says what to do.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn missing_tracefs_without_cap_sys_admin_is_explained() {
    require_bpf();
    let out = without_tracefs(&format!("exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin {SYSNOOP} open -d 1s")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("tracefs is not mounted"), "{stderr}");
    assert!(stderr.contains("mount -t tracefs tracefs /sys/kernel/tracing"), "{stderr}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn unprivileged_run_names_the_missing_capabilities() {
    require_bpf();
    let out = run_as_nobody(&["open", "-d", "1s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missing CAP_BPF and CAP_PERFMON"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// The first line of every run says what is traced, how and since when; -q silences
/// only the stderr line.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_start_record_says_what_is_traced() {
    require_bpf();
    let before = SystemTime::now();
    let session = "0195c4a0-5555-7000-8000-00000000abcd";
    let out = crate::util::run(&["open", "-q", "-d", "200ms", "-p", "1", "-x", "--ring-size", "4M", "--session-id", session]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("sysnoop: tracing"), "{stderr}");
    let records = crate::util::parse_ndjson(&out.stdout, &stderr);
    let mut start = records[0].clone();
    // Each fallback taken, named with why: SYSNOOP_AS_KERNEL, the only way to get one here.
    let fallbacks = start.as_object_mut().unwrap().remove("fallbacks").unwrap();
    let without = crate::util::without();
    let named: Vec<(&str, &str)> = fallbacks.as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap(), f["why"].as_str().unwrap())).collect();
    assert_eq!(named, without.iter().map(|&w| (w, "SYSNOOP_AS_KERNEL=5.10")).collect::<Vec<_>>());
    let (traced, absent): (Vec<&str>, Vec<&str>) = ["open", "openat", "openat2", "creat"].into_iter().partition(|s| crate::util::has_syscall_tracepoints(s));
    let release = nix::sys::utsname::uname().unwrap().release().to_str().unwrap().to_owned();
    let time = start["time"].as_str().unwrap();
    assert_eq!(
        start,
        serde_json::json!({
            "kind": "start",
            "time": time,
            "session": session,
            "version": env!("CARGO_PKG_VERSION"),
            "kernel": release,
            "hostname": nix::unistd::gethostname().unwrap().to_str().unwrap(),
            "machine_id": std::fs::read_to_string("/etc/machine-id").ok().map(|id| id.trim().to_owned()),
            "boot_id": std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap().trim(),
            "format": "native",
            "kinds": [{"kind": "open", "records": ["open"], "hooks": traced, "detail": null, "absent": absent, "without": without}],
            "skipped": [],
            "filters": {"pid": 1, "tid": null, "uid": null, "comm": null, "failed": true, "cgroup": null, "follow": null, "command": null},
            "ring_size": 4 << 20,
            "transport": crate::util::transport(),
        })
    );
    assert!(rfc3339(before).as_str() <= time && time <= rfc3339(SystemTime::now()).as_str(), "{time}");
    assert_eq!(records.last().unwrap()["kind"], "summary");
}

/// Every record of a run carries its session id: the one given, or a fresh UUID v7; in
/// OCSF as `metadata.correlation_uid`. A session id that is not a UUID exits 2.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_record_carries_the_session_id() {
    require_bpf();
    let dir = TestDir::new("session");
    let path = dir.file("seen");
    let script = ["comm s12-session".to_string(), open_line("openat", libc::O_RDONLY, 0, &path)];
    let sessions = |records: &[serde_json::Value]| -> Vec<String> { records.iter().map(|r| r["session"].as_str().unwrap().to_owned()).collect() };

    let given = "0195c4a0-1234-7abc-8def-0123456789ab";
    let trace = Trace::start(&["open", "-n", "s12-session", "--session-id", given]);
    child::run(&script);
    let out = trace.stop();
    assert_eq!(out.opens_of(&path).len(), 1);
    assert!(out.records.len() >= 3);
    assert!(sessions(&out.records).iter().all(|s| s == given), "{:?}", out.records);

    let trace = Trace::start(&["open", "-n", "s12-session"]);
    child::run(&script);
    let out = trace.stop();
    let all = sessions(&out.records);
    assert!(all.iter().all(|s| s == &all[0]), "{all:?}");
    let id = uuid::Uuid::parse_str(&all[0]).unwrap();
    assert_eq!((id.get_version_num(), all[0].clone()), (7, id.hyphenated().to_string()));
    assert_ne!(all[0], given);

    let trace = Trace::start(&["open", "-n", "s12-session", "--format", "ocsf", "--session-id", &given.to_uppercase()]);
    child::run(&script);
    let out = trace.stop_ocsf();
    assert!(out.records.iter().all(|e| e["metadata"]["correlation_uid"] == given), "{:?}", out.records);
    assert!(out.records.iter().filter(|e| e["class_uid"] == 0).all(|e| e["unmapped"]["session"] == given));

    let bad = crate::util::run(&["open", "--session-id", "not-a-uuid"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`not-a-uuid` is not a UUID"));
}
