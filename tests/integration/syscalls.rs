//! `sysnoop syscalls` against the real kernel.

use serde_json::Value;

use crate::child::Waiting;
use crate::require_bpf;
use crate::util::Trace;

#[test]
fn each_call_with_result_and_latency() {
    require_bpf!();
    const N: usize = 17;
    let waiting = Waiting::spawn(&["wait".into(), format!("close-bad {N}")]);
    let pid = waiting.pid.to_string();
    let trace = Trace::start(&["syscalls", "-p", &pid, "--syscall", "close"]);
    waiting.go();
    let out = trace.stop();
    out.assert_success();
    let records: Vec<&Value> = out.of_kind("syscall").collect();
    assert!(records.iter().all(|r| r["pid"].to_string() == pid && r["syscall"] == "close"), "{records:?}");
    let failed: Vec<&&Value> = records.iter().filter(|r| r["errno"] == "EBADF").collect();
    assert_eq!(failed.len(), N, "{records:?}");
    for r in failed {
        assert_eq!(r["ret"], -9, "{r}");
        assert_eq!(r["nr"], sysnoop::syscalls::number("close").unwrap(), "{r}");
        assert!(r["latency_ns"].as_u64().unwrap() > 0, "{r}");
    }
    assert!(out.summary()["counts"]["syscall"]["filtered"].as_u64().unwrap() > 0);
}

#[test]
fn unknown_syscall_names_are_usage_errors() {
    let out = crate::util::run(&["syscalls", "--syscall", "close,no_such_call"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no_such_call` is not a syscall"));
}
