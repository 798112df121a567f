//! `sysnoop traffic` against the real kernel: a process in a fresh cgroup sends a known
//! number of bytes over loopback.

use std::io::Read;
use std::net::TcpListener;

use serde_json::Value;

use crate::child::Waiting;
use crate::util::{cgroup_id, require_bpf, Cgroup, Output, Trace};

const BYTES: u64 = 300_000;
/// The interval sysnoop is run with (-i).
const INTERVAL: &str = "200ms";
const INTERVAL_NS: u64 = 200_000_000;

/// Runs `sysnoop traffic ARGS` while a child in `cgroup` sends BYTES to a listener here
/// (which must receive them all: the programs drop nothing). Checks every traffic
/// record's interval (`assert_interval`).
fn send_through(cgroup: &Cgroup, args: &[&str]) -> Output {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let receiver = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        all.len() as u64
    });
    let child = Waiting::spawn(&["wait".into(), format!("send {addr} {BYTES}")]);
    cgroup.adopt(child.pid);
    let mut full = vec!["traffic", "-i", INTERVAL];
    full.extend_from_slice(args);
    let started = wall_ns();
    let trace = Trace::start(&full);
    child.go();
    assert_eq!(receiver.join().unwrap(), BYTES, "the traffic did not all get through");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let stopping = wall_ns();
    let out = trace.stop();
    let ended = wall_ns();
    out.assert_success();
    for r in out.of_kind("traffic") {
        assert_interval(r, started, stopping, ended);
    }
    out
}

/// Nanoseconds since the epoch, on the wall clock.
fn wall_ns() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i128
}

/// As records write a time: the same format, so string order is time order.
fn rfc3339(ns: i128) -> String {
    sysnoop::clock::Timestamp(ns).to_string()
}

/// A traffic record covers one interval that ends at its `time`: it lies within the run
/// (it began after sysnoop was started, and ended before sysnoop had exited). A snapshot
/// is due every INTERVAL, and each measures from the one before (the first from the
/// attach, a little before the run's clock starts): a regular one lasts INTERVAL, give
/// or take how late the writer got to it and to the one before, which the bounds leave
/// room for. The last, partial one is taken when sysnoop is told to stop: it can be any
/// part of an interval.
fn assert_interval(r: &Value, started: i128, stopping: i128, ended: i128) {
    let interval = r["interval_ns"].as_u64().unwrap();
    let time = r["time"].as_str().unwrap();
    assert!(rfc3339(started + i128::from(interval)).as_str() <= time && time <= rfc3339(ended).as_str(), "{r} not within the run");
    let shortest = if time < rfc3339(stopping).as_str() { INTERVAL_NS / 2 } else { 1 };
    assert!((shortest..=3 * INTERVAL_NS).contains(&interval), "interval_ns out of [{shortest}, {}]: {r}", 3 * INTERVAL_NS);
}

fn of_cgroup<'a>(out: &'a Output, kind: &'a str, cgroup: &'a Cgroup) -> impl Iterator<Item = &'a Value> + 'a {
    out.of_kind(kind).filter(move |r| r["cgroup"] == cgroup.name.as_str())
}

fn sum(records: &[&Value], field: &str) -> u64 {
    records.iter().map(|r| r[field].as_u64().unwrap()).sum()
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_cgroups_bytes_are_counted_by_direction() {
    require_bpf();
    let cgroup = Cgroup::new("traffic");
    let out = send_through(&cgroup, &["--alert-bytes-per-sec", "1000"]);
    let records: Vec<&Value> = of_cgroup(&out, "traffic", &cgroup).collect();
    assert!(!records.is_empty(), "no traffic records for {}: {:?}", cgroup.name, out.records);
    let id = cgroup_id(&cgroup.name);
    // Sent: the payload plus headers. Received: acknowledgements only.
    let (tx, rx) = (sum(&records, "tx_bytes"), sum(&records, "rx_bytes"));
    assert!(tx >= BYTES, "tx {tx} < {BYTES}");
    assert!(rx < BYTES / 2, "rx {rx}");
    let tcp_tx: u64 = records.iter().map(|r| r["protocols"]["tcp"]["tx_bytes"].as_u64().unwrap_or(0)).sum();
    assert!(tcp_tx >= BYTES, "tcp tx {tcp_tx}");
    // The id the kernel gave the cgroup: its directory's inode.
    assert!(records.iter().all(|r| r["cgroup_id"] == id), "not {id}: {records:?}");
    // Above the threshold: an alert with each record whose rate, the bytes both ways
    // per second of its interval, was over it, made with it (the same time).
    let over: Vec<(&Value, u64)> = records
        .iter()
        .map(|r| {
            let bytes = u128::from(r["rx_bytes"].as_u64().unwrap() + r["tx_bytes"].as_u64().unwrap());
            (&r["time"], (bytes * 1_000_000_000 / u128::from(r["interval_ns"].as_u64().unwrap())) as u64)
        })
        .filter(|&(_, rate)| rate > 1000)
        .collect();
    let alerts: Vec<&Value> = of_cgroup(&out, "alert", &cgroup).collect();
    assert!(!alerts.is_empty(), "no alert: {:?}", out.records);
    let rates: Vec<(&Value, u64)> = alerts.iter().map(|a| (&a["time"], a["bytes_per_sec"].as_u64().unwrap())).collect();
    assert_eq!(rates, over, "{alerts:?}\n{records:?}");
    for a in &alerts {
        assert_eq!((&a["cgroup_id"], &a["severity"], &a["threshold"]), (&Value::from(id), &Value::from("warning"), &Value::from(1000)), "{a}");
    }
    let counts = &out.summary()["counts"];
    assert_eq!(counts["traffic"]["lost"], 0, "{counts}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn no_alert_below_the_threshold_and_subtrees() {
    require_bpf();
    let cgroup = Cgroup::new("subtree");
    let out = send_through(&cgroup, &["--alert-bytes-per-sec", "1000000000000", "--cgroup", &cgroup.name]);
    assert!(out.of_kind("alert").next().is_none(), "{:?}", out.records);
    // Attached to the subtree only: nothing from elsewhere.
    let records: Vec<&Value> = out.of_kind("traffic").collect();
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r["cgroup"] == cgroup.name.as_str()), "{records:?}");
    let id = cgroup_id(&cgroup.name);
    assert!(records.iter().all(|r| r["cgroup_id"] == id), "not {id}: {records:?}");
    assert!(sum(&records, "tx_bytes") >= BYTES);
}
