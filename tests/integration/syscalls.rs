//! `sysnoop syscalls` against the real kernel.

use serde_json::Value;

use crate::child::Waiting;
use crate::util::{require_bpf, Trace};

/// Where the programs hang: each hook is forced by the variable that turns off the
/// ones before it (all attach here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hook {
    /// The raw sys_enter/sys_exit tracepoints with typed arguments (tp_btf): the default.
    Typed,
    /// The raw tracepoints as such: SYSNOOP_NO_TP_BTF=1.
    Raw,
    /// The per-syscall tracepoints: SYSNOOP_NO_RAW_TP=1.
    PerSyscall,
}

impl Hook {
    const ALL: [Hook; 3] = [Hook::Typed, Hook::Raw, Hook::PerSyscall];

    fn on(self, cmd: &mut std::process::Command) {
        match self {
            Hook::Typed => {}
            Hook::Raw => _ = cmd.env("SYSNOOP_NO_TP_BTF", "1"),
            Hook::PerSyscall => _ = cmd.env("SYSNOOP_NO_RAW_TP", "1"),
        }
    }

    /// Whether the "tracing" line on `stderr` names this hook.
    fn named_in(self, stderr: &str) -> bool {
        match self {
            Hook::Typed => stderr.contains("raw_syscalls") && stderr.contains("(tp_btf)"),
            Hook::Raw => stderr.contains("raw_syscalls") && !stderr.contains("(tp_btf)"),
            Hook::PerSyscall => stderr.contains("per-syscall tracepoints"),
        }
    }
}

/// `sysnoop syscalls ARGS -p CHILD --syscall close` through `hook` while a child makes
/// `n` close(-1) calls: the child's pid, and the run's output.
fn bad_closes(n: u64, args: &[&str], hook: Hook) -> (String, crate::util::Output) {
    let waiting = Waiting::spawn(&["wait".into(), format!("close-bad {n}")]);
    let pid = waiting.pid.to_string();
    let mut cmd = std::process::Command::new(crate::util::SYSNOOP);
    cmd.arg("syscalls").args(args).args(["-p", &pid, "--syscall", "close"]);
    hook.on(&mut cmd);
    let trace = Trace::start_command(cmd);
    waiting.go();
    (pid, trace.stop())
}

/// Through the raw tracepoints with typed arguments, the raw ones as such, then the
/// per-syscall ones they fall back to; each without a latency, then with -L.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn each_call_with_result_and_latency() {
    require_bpf();
    const N: usize = 17;
    for hook in Hook::ALL {
        for latency in [false, true] {
            let (pid, out) = bad_closes(N as u64, if latency { &["-L"] } else { &[] }, hook);
            out.assert_success();
            assert!(hook.named_in(&out.stderr), "{hook:?}: {}", out.stderr);
            // The child closes nothing else once it goes on: its N bad closes are all.
            let records: Vec<&Value> = out.of_kind("syscall").collect();
            assert!(records.iter().all(|r| r["pid"].as_u64() == pid.parse().ok() && r["syscall"] == "close"), "{records:?}");
            assert_eq!(records.len(), N, "{hook:?}, latency {latency}: {records:?}");
            for r in records {
                assert_eq!(r["errno"], "EBADF", "{r}");
                assert_eq!(r["ret"], -9, "{r}");
                assert_eq!((&r["args"], &r["decoded"]), (&serde_json::json!(["0xffffffff"]), &serde_json::json!({"fd": -1})), "close(-1): {r}");
                assert_eq!(r["nr"], sysnoop::syscalls::number("close").unwrap(), "{r}");
                match latency {
                    true => assert!(r["latency_ns"].as_u64().unwrap() > 0, "{r}"),
                    false => assert!(r["latency_ns"].is_null(), "{r}"),
                }
            }
            // At least this test's own closes (of the child's pipes) meanwhile; the rest
            // is every other call on the host that -p or --syscall dropped, which no test
            // can know.
            assert!(out.summary()["counts"]["syscall"]["filtered"].as_u64().unwrap() > 0);
        }
    }
}

/// A caught signal's handler returns through rt_sigreturn, which restores the syscall
/// number to -1 before its exit: each of the child's N is one rt_sigreturn record
/// (strace -f shows them so), at the exit alone and with -L, and N counted with -c;
/// through the per-syscall tracepoints (which never show its exit) at its enter,
/// without a result.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_signal_handlers_return_is_rt_sigreturn() {
    require_bpf();
    const N: usize = 5;
    for (args, hook) in
        [(&[][..], Hook::Typed), (&["-L"], Hook::Typed), (&["-c"], Hook::Typed), (&[], Hook::Raw), (&[], Hook::PerSyscall), (&["-L"], Hook::PerSyscall)]
    {
        let fallback = hook == Hook::PerSyscall;
        let waiting = Waiting::spawn(&["wait".into(), format!("signals {N}")]);
        let pid = waiting.pid.to_string();
        let mut cmd = std::process::Command::new(crate::util::SYSNOOP);
        cmd.args(["syscalls", "-p", &pid, "--syscall", "rt_sigreturn,tgkill"]).args(args);
        hook.on(&mut cmd);
        let trace = Trace::start_command(cmd);
        waiting.go();
        let out = trace.stop();
        out.assert_success();
        let calls = |name: &str| -> u64 {
            match args {
                ["-c"] => out.of_kind("syscall_count").filter(|r| r["syscall"] == name).map(|r| r["count"].as_u64().unwrap()).sum(),
                _ => out.of_kind("syscall").filter(|r| r["syscall"] == name).count() as u64,
            }
        };
        assert_eq!((calls("tgkill"), calls("rt_sigreturn")), (N as u64, N as u64), "{args:?}, {hook:?}: {:?}", out.records);
        let nr = sysnoop::syscalls::number("rt_sigreturn").unwrap();
        for r in out.of_kind("syscall").filter(|r| r["syscall"] == "rt_sigreturn") {
            assert_eq!(r["nr"], nr, "{r}");
            assert_eq!(r["ret"].is_null(), fallback, "{r}");
            assert_eq!(r["args"], serde_json::json!([]), "rt_sigreturn takes no arguments: {r}");
        }
    }
}

#[test]
fn unknown_syscall_names_are_usage_errors() {
    let out = crate::util::run(&["syscalls", "--syscall", "close,no_such_call"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no_such_call` is not a syscall"));
}

/// Count mode, per process: a rarely used syscall and failing closes, counted in the
/// kernel; then --errno counts only EBADF failures, and -i gives interval snapshots.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn counted_in_the_kernel() {
    require_bpf();
    const N: u64 = 23;
    let script = ["comm snoop-count".to_string(), "wait".into(), format!("getpriority {N}"), format!("close-bad {N}")];
    let count_of = |out: &crate::util::Output, pid: &str, name: &str| -> Vec<Value> {
        out.of_kind("syscall_count").filter(|r| r["pid"].as_u64() == pid.parse().ok() && r["syscall"] == name).cloned().collect()
    };

    let waiting = Waiting::spawn(&script);
    let pid = waiting.pid.to_string();
    let trace = Trace::start(&["syscalls", "--count", "-P", "-p", &pid]);
    waiting.go();
    let out = trace.stop();
    out.assert_success();
    assert!(out.of_kind("syscall").next().is_none(), "count mode sent per-call records");
    let rare = count_of(&out, &pid, "getpriority");
    assert_eq!(rare.len(), 1, "{:?}", out.records);
    assert_eq!((rare[0]["count"].as_u64(), rare[0]["errors"].as_u64()), (Some(N), Some(0)), "{}", rare[0]);
    // Counted at the exit alone: no latency without -L.
    assert!(rare[0]["total_ns"].is_null() && rare[0]["max_ns"].is_null(), "{}", rare[0]);
    // The child closes nothing else once it goes on: N calls, all failed.
    let close = count_of(&out, &pid, "close");
    assert_eq!(close.len(), 1);
    assert_eq!((close[0]["count"].as_u64(), close[0]["errors"].as_u64()), (Some(N), Some(N)), "{}", close[0]);
    // -P names a process's entry after the thread of its first call: the script's.
    assert_eq!((&rare[0]["comm"], &close[0]["comm"]), (&Value::from("snoop-count"), &Value::from("snoop-count")));

    // Only EBADF failures, only close: exactly the N.
    let waiting = Waiting::spawn(&script);
    let pid = waiting.pid.to_string();
    let trace = Trace::start(&["syscalls", "-c", "-L", "-P", "-p", &pid, "--syscall", "close", "--errno", "EBADF", "-i", "100ms"]);
    waiting.go();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = trace.stop();
    let close = count_of(&out, &pid, "close");
    let (count, errors): (u64, u64) = close.iter().fold((0, 0), |(c, e), r| (c + r["count"].as_u64().unwrap(), e + r["errors"].as_u64().unwrap()));
    assert_eq!((count, errors), (N, N), "{close:?}");
    assert!(out.of_kind("syscall_count").all(|r| r["syscall"] == "close"));
    // -L: each interval's total latency, and the longest call so far.
    assert!(close.iter().all(|r| r["total_ns"].as_u64() >= Some(1) && r["max_ns"].as_u64() >= Some(1)), "{close:?}");
}

#[test]
fn count_options_need_count() {
    let out = crate::util::run(&["syscalls", "-P"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--count"));
    let out = crate::util::run(&["syscalls", "-c", "--errno", "ENOPE"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Counting at the exit alone, through each hook: N failing closes, counted exactly,
/// with no latency.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn count_at_exit_through_each_hook() {
    require_bpf();
    const N: u64 = 23;
    for hook in Hook::ALL {
        let (_, out) = bad_closes(N, &["-c"], hook);
        out.assert_success();
        assert!(hook.named_in(&out.stderr) && out.stderr.contains("counted in the kernel at exit"), "{hook:?}: {}", out.stderr);
        let close: Vec<&Value> = out.of_kind("syscall_count").collect();
        assert_eq!(close.len(), 1, "{close:?}");
        assert_eq!((&close[0]["count"], &close[0]["errors"], &close[0]["total_ns"]), (&Value::from(N), &Value::from(N), &Value::Null), "{}", close[0]);
    }
}
