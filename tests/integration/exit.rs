//! `sysnoop exit` and `sysnoop all` against the real kernel.

use std::path::Path;

use nix::libc;
use nix::sys::signal::Signal;
use serde_json::Value;

use crate::child::{self, exec_line, open_line, Waiting};
use crate::util::{require_bpf, Output, TestDir, Trace};

fn the_exit(out: &Output, pid: u32) -> &Value {
    let found: Vec<&Value> = out.of_kind("exit").filter(|r| r["pid"] == pid && r.get("thread").is_none()).collect();
    assert_eq!(found.len(), 1, "expected one exit of {pid}, got {found:?}\nstderr:\n{}", out.stderr);
    found[0]
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn exit_code_and_lifetime() {
    require_bpf();
    let trace = Trace::start(&["exit"]);
    let spawned = std::time::Instant::now();
    let (pid, status, _) = child::run_to_end(&["comm snoop-exit7".into(), "sleep 200".into(), "exit 7".into()]);
    let reaped = spawned.elapsed();
    assert_eq!(status.code(), Some(7));
    let out = trace.stop();
    out.assert_success();
    let r = the_exit(&out, pid);
    assert_eq!(r["ppid"], std::process::id(), "{r}");
    assert_eq!(r["exit_code"], 7, "{r}");
    assert!(r["signal"].is_null(), "{r}");
    assert_eq!(r["core_dumped"], false);
    // At least its sleep; at most from before it was spawned until it was reaped.
    let lived = r["duration_ns"].as_u64().unwrap();
    assert!(lived >= 200_000_000 && u128::from(lived) <= reaped.as_nanos(), "{lived} (reaped after {reaped:?})");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn killed_by_a_signal() {
    require_bpf();
    let trace = Trace::start(&["exit"]);
    let waiting = Waiting::spawn(&["wait".into()]);
    let pid = waiting.pid;
    let status = waiting.kill(Signal::SIGKILL);
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
    let out = trace.stop();
    let r = the_exit(&out, pid);
    assert_eq!(r["signal"], "SIGKILL", "{r}");
    assert!(r["exit_code"].is_null(), "{r}");
    assert_eq!(r["ppid"], std::process::id(), "{r}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn threads_only_when_asked() {
    require_bpf();
    let trace = Trace::start(&["exit", "--threads", "-n", "snoop-thr"]);
    // The child runs its script on a thread of its own, which exits before the process.
    let (pid, _) = child::run(&["comm snoop-thr".into()]);
    let out = trace.stop();
    // Only that thread is named snoop-thr: its exit is the one -n keeps.
    let thread_exits: Vec<&Value> = out.of_kind("exit").filter(|r| r["pid"] == pid && r["thread"] == true).collect();
    assert_eq!(thread_exits.len(), 1, "{:?}", out.records);
    assert!(thread_exits[0]["tid"] != pid && thread_exits[0]["comm"] == "snoop-thr", "{}", thread_exits[0]);

    let trace = Trace::start(&["exit", "-n", "snoop-thr"]);
    let (pid, _) = child::run(&["comm snoop-thr".into()]);
    let out = trace.stop();
    assert!(out.of_kind("exit").all(|r| r.get("thread").is_none()), "{:?}", out.records);
    assert!(out.of_kind("exit").all(|r| r["pid"] != pid), "the leader's comm is not snoop-thr");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn all_shows_exec_opens_and_exit_in_order() {
    require_bpf();
    let dir = TestDir::new("all");
    let path = dir.file("read-me");
    let trace = Trace::start(&["all"]);
    let sysnoop_pid = trace.pid();
    // The child opens a file, then becomes `cat`, which opens another and exits.
    let before = dir.path("before-exec");
    let (pid, _) =
        child::run(&[open_line("openat", libc::O_RDONLY, 0, &before), exec_line("exec", Path::new("/bin/cat"), &[b"cat", path.to_str().unwrap().as_bytes()])]);
    let out = trace.stop();
    out.assert_success();
    let mine: Vec<&Value> = out.records.iter().filter(|r| r["pid"] == pid).collect();
    // For failure messages: the kind and path or filename of each of its records.
    let outline: Vec<String> = mine.iter().map(|r| format!("{} {} {}", r["kind"], r["path"], r["filename"])).collect();
    let position = |pred: &dyn Fn(&Value) -> bool| mine.iter().position(|r| pred(r)).unwrap_or_else(|| panic!("{outline:#?}"));
    let opened_before = position(&|r| r["kind"] == "open" && r["path"] == before.to_str().unwrap());
    let exec = position(&|r| r["kind"] == "exec" && r["filename"] == "/bin/cat");
    let opened = position(&|r| r["kind"] == "open" && r["path"] == path.to_str().unwrap());
    let exit = position(&|r| r["kind"] == "exit" && r.get("thread").is_none());
    assert!(opened_before < exec && exec < opened && opened < exit, "{outline:#?}");
    // Two execs: the child's start (this test binary) and its cat. One exit: the old
    // leader, killed by the exec from another thread, is not a process exit.
    let execs: Vec<&Value> = mine.iter().filter(|r| r["kind"] == "exec").map(|r| &r["filename"]).collect();
    assert_eq!(execs, [std::env::current_exe().unwrap().to_str().unwrap(), "/bin/cat"], "{outline:#?}");
    assert_eq!(mine.iter().filter(|r| r["kind"] == "exit").count(), 1, "{outline:#?}");
    assert_eq!(mine[exit]["exit_code"], 0);
    assert_eq!(mine[opened]["comm"], "cat");
    // Neither sysnoop nor the children it starts to probe exec and exit are reported.
    let own: Vec<&Value> = out.records.iter().filter(|r| r["pid"] == sysnoop_pid || r["ppid"] == sysnoop_pid).collect();
    assert!(own.is_empty(), "sysnoop reported itself: {:?}", own.first());
    // Every kind is in `all`, traffic too where cgroup v2 is mounted (it is here). How
    // many records of each the host made is not knowable, but each count is what was
    // written, with nothing lost, malformed or left unwritten.
    let counts = out.summary()["counts"].as_object().unwrap();
    let kinds: Vec<&str> = counts.keys().map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "accept",
            "alert",
            "bind",
            "bpf_prog",
            "connect",
            "connect_result",
            "cred",
            "exec",
            "exit",
            "file",
            "listen",
            "module",
            "mount",
            "open",
            "process",
            "ptrace",
            "traffic"
        ]
    );
    for (kind, c) in counts {
        assert_eq!(c["emitted"], out.of_kind(kind).count(), "{kind}: {c}");
        for zero in ["lost", "malformed", "unwritten"] {
            assert_eq!(c[zero], 0, "{kind}: {c}");
        }
    }
}

/// The classic tracepoints exec and exit fall back to where tp_btf cannot attach: forced
/// here, since tp_btf attaches on every kernel these tests run on.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn tracepoint_fallbacks_work() {
    require_bpf();
    let dir = TestDir::new("fallback");
    let path = dir.file("via-tracepoint");
    let mut cmd = std::process::Command::new(crate::util::SYSNOOP);
    cmd.args(["all", "-n", "cat"]).env("SYSNOOP_NO_TP_BTF", "1");
    let trace = Trace::start_command(cmd);
    let (pid, _) = child::run(&[exec_line("exec", Path::new("/bin/cat"), &[b"cat", path.to_str().unwrap().as_bytes()])]);
    let out = trace.stop();
    out.assert_success();
    assert!(out.stderr.contains("sched_process_exec,") && !out.stderr.contains("(tp_btf)"), "{}", out.stderr);
    let exec = out.of_kind("exec").find(|r| r["pid"] == pid).unwrap_or_else(|| panic!("no exec: {}", out.stderr));
    assert_eq!(exec["filename"], "/bin/cat");
    assert_eq!(exec["argv"][1], path.to_str().unwrap());
    let exit = out.of_kind("exit").find(|r| r["pid"] == pid).expect("no exit");
    assert_eq!(exit["exit_code"], 0);
}
