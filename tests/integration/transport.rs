//! How records reach sysnoop: the BPF ring buffer or perf buffers (--transport,
//! SYSNOOP_TRANSPORT). The whole suite runs once with each (scripts/test); these tests
//! pick one where it matters.

use std::path::Path;

use nix::libc;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::child::{self, exec_line, open_line, repeat_line};
use crate::records::{Record, Start, Summary};
use crate::util::{require_bpf, transport, Output, TestDir, Trace};

const TRUE: &str = "/bin/true";

fn start(out: &Output) -> Start {
    match serde_json::from_value(out.start().clone()).unwrap() {
        Record::Start(start) => start,
        other => panic!("not a start record: {other:?}"),
    }
}

/// `sysnoop ARGS` to its end, with SYSNOOP_TRANSPORT set to `env`, or unset (whatever
/// the suite's pass set it to).
fn run_with_transport_env(args: &[&str], env: Option<&str>) -> std::process::Output {
    let mut cmd = std::process::Command::new(crate::util::SYSNOOP);
    cmd.args(args);
    match env {
        Some(v) => cmd.env("SYSNOOP_TRANSPORT", v),
        None => cmd.env_remove("SYSNOOP_TRANSPORT"),
    };
    cmd.output().unwrap()
}

fn summary(out: &Output) -> Summary {
    match serde_json::from_value(out.summary().clone()).unwrap() {
        Record::Summary(summary) => summary,
        other => panic!("not a summary: {other:?}"),
    }
}

/// Each transport is named in the start record and on the "tracing" line; --transport
/// wins over SYSNOOP_TRANSPORT.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_transport_is_named_where_tracing_starts() {
    require_bpf();
    for (forced, said) in [("perf", "through perf buffers, one per CPU."), ("ringbuf", "through the BPF ring buffer.")] {
        let out = Trace::start(&["open", "-p", "1", "--transport", forced]).stop();
        out.assert_success();
        let line = out.stderr.lines().find(|l| l.starts_with("sysnoop: tracing")).unwrap();
        assert!(line.ends_with(&format!("{said} Ctrl-C to stop.")), "{line}");
        assert_eq!(start(&out).transport, forced);
        let summary = summary(&out);
        assert_eq!(summary.perf_lost, (forced == "perf").then_some(0), "{:?}", out.summary());
    }
}

/// Records of one process that moves from CPU to CPU between its calls come out in the
/// order it made them: with perf buffers each CPU's stream arrives on its own, and
/// sysnoop merges them back by time.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn calls_made_on_alternating_cpus_come_out_in_order() {
    require_bpf();
    const N: usize = 200;
    let cpus = std::thread::available_parallelism().unwrap().get();
    let dir = TestDir::new("order");
    let paths: Vec<_> = (0..N).map(|i| dir.path(&format!("{i:03}"))).collect();
    let mut script = vec!["comm s17-order".to_string()];
    for (i, path) in paths.iter().enumerate() {
        script.push(format!("cpu {}", i % cpus));
        script.push(open_line("openat", libc::O_RDONLY, 0, path));
    }
    for forced in ["ringbuf", "perf"] {
        let trace = Trace::start(&["open", "-n", "s17-order", "--transport", forced]);
        child::run(&script);
        let out = trace.stop();
        out.assert_success();
        let seen: Vec<&str> = out.of_kind("open").filter_map(|r| r["path"].as_str()).filter(|p| p.starts_with(dir.path("").to_str().unwrap())).collect();
        let made: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(seen, made, "{forced} ({cpus} CPUs)");
    }
}

/// A transport that does not exist is a usage error, from the flag or the environment.
#[test]
fn an_unknown_transport_is_a_usage_error() {
    for (args, env) in [(&["open", "--transport", "pipe"][..], None), (&["open"][..], Some("pipe"))] {
        let out = run_with_transport_env(args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains("invalid value 'pipe'") && stderr.contains("[possible values: ringbuf, perf]"), "{stderr}");
    }
}

/// Overload, in whichever transport the suite runs: sysnoop is stopped (SIGSTOP) while
/// a process opens a file 3,000 times, so its smallest buffer (4 KiB: a few dozen open
/// records; per CPU with perf) fills, and the kernel must drop the rest. Every open is
/// either written or counted lost, exactly.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_full_buffer_loses_exactly_what_it_counts() {
    require_bpf();
    const N: u32 = 3_000;
    let dir = TestDir::new("overload");
    let path = dir.file("opened");
    let trace = Trace::start(&["open", "-n", "s17-over", "--ring-size", "4096", "--full-path", "off"]);
    let sysnoop = Pid::from_raw(trace.pid() as i32);
    kill(sysnoop, Signal::SIGSTOP).unwrap();
    child::run(&["comm s17-over".into(), repeat_line(N, &path)]);
    kill(sysnoop, Signal::SIGCONT).unwrap();
    let out = trace.stop();
    out.assert_success();
    let summary = summary(&out);
    let counts = &summary.counts["open"];
    let written = out.opens_of(&path).len() as u64;
    assert_eq!((written + counts.lost, counts.emitted), (u64::from(N), written), "{counts:?}");
    assert!(counts.lost > u64::from(N) / 2 && written > 0, "{counts:?}");
    assert_eq!((counts.malformed, counts.unwritten, counts.pairing_misses), (0, 0, 0), "{counts:?}");
    // The perf buffers count the same losses, without their kind, and report them with
    // their next record that fits (here maybe none came: the process was done).
    match transport().as_str() {
        "perf" => assert!(summary.perf_lost.is_some_and(|lost| lost <= counts.lost), "{summary:?}"),
        _ => assert_eq!(summary.perf_lost, None),
    }
    // The stream says where: loss markers, before the summary, that add up to each count.
    let markers: Vec<&serde_json::Value> = out.of_kind("loss").collect();
    let sum = |of: &str, counter: &str| markers.iter().filter(|m| m["of"] == of && m["counter"] == counter).map(|m| m["count"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("open", "lost"), counts.lost, "{markers:?}");
    assert_eq!(sum("perf", "perf_lost"), summary.perf_lost.unwrap_or(0), "{markers:?}");
    assert_eq!(markers.len(), markers.iter().filter(|m| ["lost", "perf_lost"].contains(&m["counter"].as_str().unwrap())).count(), "{markers:?}");
    for m in &markers {
        assert!(m["since"].as_str() < m["until"].as_str() && m["until"] == m["time"], "{m}");
    }
    let last = out.records.last().unwrap();
    assert_eq!(last["kind"], "summary");
}

/// A record must fit one perf sample (64 KiB with its headers), so the perf transport
/// cuts an exec's argv at 52,862 bytes, flags the cut and says so when tracing starts;
/// the ring buffer carries the 64 KiB --max-arg-bytes allows.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn an_argv_too_big_for_a_perf_sample_is_cut_and_flagged() {
    require_bpf();
    let marker = format!("s17-argv-{}", std::process::id());
    // 1,500 arguments of 40 bytes with their NULs: 60,000 bytes.
    let args: Vec<String> = (0..1500).map(|i| format!("{marker}-{i:0>width$}", width = 39 - marker.len() - 1)).collect();
    let mut argv: Vec<&[u8]> = vec![TRUE.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let total: usize = argv.iter().map(|a| a.len() + 1).sum();
    assert!(total > 52_862 && total < 65_536, "{total}");
    for forced in ["ringbuf", "perf"] {
        let trace = Trace::start(&["exec", "--max-arg-bytes", "65536", "--transport", forced]);
        child::run(&[exec_line("exec", Path::new(TRUE), &argv)]);
        let out = trace.stop();
        out.assert_success();
        let start = start(&out);
        let r = out.of_kind("exec").find(|r| r["argv"][1].as_str().is_some_and(|a| a.starts_with(&marker))).expect("the exec");
        let got: Vec<&str> = r["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let bytes: usize = got.iter().map(|a| a.len() + 1).sum();
        if forced == "perf" {
            assert_eq!(start.kinds[0].detail.as_deref(), Some("with argv cut at 52862 bytes, the most a perf sample holds"));
            assert_eq!(r["argv_truncated"], true, "{forced}");
            // Whole arguments, then the one the cut fell in, as far as it goes.
            assert!(bytes <= 52_862 + 1 && bytes > 52_862 - 41, "{bytes}");
            assert_eq!(got[1..got.len() - 1], args[..got.len() - 2].iter().map(String::as_str).collect::<Vec<_>>()[..]);
        } else {
            assert_eq!(start.kinds[0].detail, None);
            assert_eq!((r["argv_truncated"].as_bool(), got.len(), bytes), (Some(false), 1501, total), "{forced}");
        }
    }
}

/// doctor names the transport a run would take, and why.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn doctor_says_which_transport() {
    require_bpf();
    for (env, detail) in
        [(None, "ringbuf: the BPF ring buffer (this kernel has it)"), (Some("perf"), "perf: perf buffers, one per CPU (forced by SYSNOOP_TRANSPORT)")]
    {
        let out = run_with_transport_env(&["doctor"], env);
        assert!(out.status.success(), "{out:?}");
        let checks = crate::util::parse_ndjson(&out.stdout, "");
        let check = checks.iter().find(|c| c["check"] == "transport").unwrap();
        assert_eq!((check["ok"].as_bool(), check["required"].as_bool(), check["detail"].as_str()), (Some(true), Some(true), Some(detail)));
    }
}
