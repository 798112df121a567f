//! `sysnoop traffic` against the real kernel: a process in a fresh cgroup sends a known
//! number of bytes over loopback.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;

use serde_json::Value;

use crate::child::Waiting;
use crate::util::{require_bpf, Output, Trace};

const BYTES: u64 = 300_000;

/// A fresh cgroup v2 directory, removed on drop (once its processes are gone).
struct Cgroup {
    path: PathBuf,
    /// Its name under the mount point, as records show it.
    name: String,
}

impl Cgroup {
    fn new(tag: &str) -> Cgroup {
        let root = sysnoop::preflight::cgroup2_mount().expect("a cgroup v2 mount");
        let name = format!("/sysnoop-{tag}-{}", std::process::id());
        let path = root.join(&name[1..]);
        std::fs::create_dir_all(&path).unwrap();
        Cgroup { path, name }
    }

    fn adopt(&self, pid: u32) {
        std::fs::write(self.path.join("cgroup.procs"), pid.to_string()).unwrap();
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// Runs `sysnoop traffic ARGS` while a child in `cgroup` sends BYTES to a listener here
/// (which must receive them all: the programs drop nothing).
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
    let mut full = vec!["traffic", "-i", "200ms"];
    full.extend_from_slice(args);
    let trace = Trace::start(&full);
    child.go();
    assert_eq!(receiver.join().unwrap(), BYTES, "the traffic did not all get through");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = trace.stop();
    out.assert_success();
    out
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
    // Sent: the payload plus headers. Received: acknowledgements only.
    let (tx, rx) = (sum(&records, "tx_bytes"), sum(&records, "rx_bytes"));
    assert!(tx >= BYTES, "tx {tx} < {BYTES}");
    assert!(rx < BYTES / 2, "rx {rx}");
    let tcp_tx: u64 = records.iter().map(|r| r["protocols"]["tcp"]["tx_bytes"].as_u64().unwrap_or(0)).sum();
    assert!(tcp_tx >= BYTES, "tcp tx {tcp_tx}");
    for r in &records {
        assert!(r["cgroup_id"].as_u64().unwrap() > 0 && r["interval_ns"].as_u64().unwrap() > 0, "{r}");
        assert!(r["tx_packets"].as_u64().is_some() && r["rx_packets"].as_u64().is_some(), "{r}");
    }
    // Above the threshold: an alert.
    let alerts: Vec<&Value> = of_cgroup(&out, "alert", &cgroup).collect();
    assert!(!alerts.is_empty(), "no alert: {:?}", out.records);
    assert_eq!(alerts[0]["severity"], "warning");
    assert_eq!(alerts[0]["threshold"], 1000);
    assert!(alerts[0]["bytes_per_sec"].as_u64().unwrap() > 1000);
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
    assert!(sum(&records, "tx_bytes") >= BYTES);
}
