//! The processes already running when tracing starts: `process` records, read from
//! /proc, against what /proc says; exactly one introduction of each process while
//! others fork and exec during the scan; and the counts that add up.

use std::collections::{HashMap, HashSet};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{cgroup_id, cgroup_of, exec_id, require_bpf, Output, Trace};

/// Every process the snapshot listed is counted once: a `process` record written (or
/// filtered, unwritten, unsent), superseded by its exec record, vanished or unread.
fn assert_accounted(out: &Output) -> &Value {
    let summary = out.summary();
    let snapshot = &summary["snapshot"];
    let process = &summary["counts"]["process"];
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    assert_eq!(n(process, "emitted"), out.of_kind("process").count() as u64, "{summary}");
    assert_eq!(
        n(snapshot, "listed"),
        ["emitted", "filtered", "unwritten", "unsent"].iter().map(|k| n(process, k)).sum::<u64>()
            + ["superseded", "vanished", "unread"].iter().map(|k| n(snapshot, k)).sum::<u64>(),
        "{summary}"
    );
    assert_eq!(n(snapshot, "unread"), 0, "{summary}");
    summary
}

fn spawn(cmd: &mut Command) -> Child {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap()
}

/// The processes whose parent is `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            stat.rfind(')').and_then(|at| stat[at + 2..].split(' ').nth(1).map(|ppid| ppid == pid.to_string())).unwrap_or(false)
        })
        .collect()
}

fn state(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat[stat.rfind(')').unwrap() + 2..][..1].to_owned()
}

/// A sleeper, one run by another user, a zombie and a kernel thread, each as /proc
/// shows it; `exec --snapshot` and `all` have them, `exec` alone and `all -- CMD` not.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn process_records_are_what_proc_says() {
    require_bpf();
    let marker = format!("s30-snapshot-{}", std::process::id());
    let dir = crate::util::TestDir::new("snapshot");
    let mut sleeper = spawn(Command::new("/bin/sleep").arg0(&marker).arg("60").current_dir(dir.path(".")));
    let mut nobody = spawn(Command::new("/bin/sleep").arg0(&marker).arg("61").uid(65534).gid(65534));
    // sh execs a sleep that never waits for the child sh left: a zombie.
    let mut parent = spawn(Command::new("/bin/sh").args(["-c", &format!("/bin/true {marker} & exec /bin/sleep 62")]));
    std::thread::sleep(Duration::from_millis(300));
    let zombie = children_of(parent.id());
    assert_eq!((zombie.len(), state(zombie[0]).as_str()), (1, "Z"), "{zombie:?}");
    let zombie = zombie[0];

    let trace = Trace::start(&["exec", "--snapshot"]);
    let out = trace.stop();
    out.assert_success();
    let summary = assert_accounted(&out);
    let records: HashMap<u32, &Value> = out.of_kind("process").map(|r| (r["pid"].as_u64().unwrap() as u32, r)).collect();
    assert_eq!(records.len(), out.of_kind("process").count(), "one record per pid");
    // They come first, after the start record, in the order the processes began.
    let first: Vec<&str> = out.records.iter().map(|r| r["kind"].as_str().unwrap()).take(1 + records.len()).collect();
    assert!(first[1..].iter().all(|k| *k == "process"), "{first:?}");
    let starts: Vec<&str> = out.of_kind("process").map(|r| r["start_time"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));

    let me = std::process::id();
    for (child, uid) in [(&sleeper, 0), (&nobody, 65534)] {
        let pid = child.id();
        let r = records.get(&pid).unwrap_or_else(|| panic!("no process record of {pid}: {summary}"));
        assert_eq!((&r["exec_id"], &r["parent_exec_id"]), (&Value::from(exec_id(pid)), &Value::from(exec_id(me))), "{r}");
        assert_eq!((r["ppid"].as_u64(), r["uid"].as_u64(), r["euid"].as_u64()), (Some(me.into()), Some(uid), Some(uid)), "{r}");
        assert_eq!((&r["tid"], &r["comm"], &r["state"]), (&Value::from(pid), &Value::from("sleep"), &Value::from("S")), "{r}");
        assert_eq!(r["exe"], std::fs::canonicalize("/bin/sleep").unwrap().to_str().unwrap());
        assert_eq!((&r["kernel_thread"], &r["fileless"], &r["argv_truncated"]), (&Value::from(false), &Value::from(false), &Value::from(false)));
        assert_eq!(r["cgroup_id"], cgroup_id(&cgroup_of(pid)));
    }
    let r = records[&sleeper.id()];
    assert_eq!((&r["argv"], &r["cwd"]), (&serde_json::json!([marker, "60"]), &Value::from(dir.path(".").canonicalize().unwrap().to_str().unwrap())));
    let z = records.get(&zombie).unwrap_or_else(|| panic!("no record of the zombie {zombie}"));
    assert_eq!((&z["state"], &z["exe"], &z["argv"], &z["ppid"]), (&Value::from("Z"), &Value::Null, &serde_json::json!([]), &Value::from(parent.id())), "{z}");
    let kthreadd = records.get(&2).expect("kthreadd");
    assert_eq!((&kthreadd["kernel_thread"], &kthreadd["exe"], &kthreadd["comm"]), (&Value::from(true), &Value::Null, &Value::from("kthreadd")));
    assert!(records[&1]["parent_exec_id"].is_null(), "pid 1's parent is no process");

    // Filtered in user space as in the kernel: one pid.
    let trace = Trace::start(&["exec", "--snapshot", "-p", &sleeper.id().to_string()]);
    let out = trace.stop();
    assert_accounted(&out);
    let pids: Vec<u64> = out.of_kind("process").map(|r| r["pid"].as_u64().unwrap()).collect();
    assert_eq!(pids, [u64::from(sleeper.id())]);
    // exec alone has none; `all -- CMD` neither (its command starts after the snapshot
    // would be taken), nor `all --no-snapshot`.
    for args in [&["exec", "-d", "100ms"][..], &["all", "--", "/bin/true"], &["all", "--no-snapshot", "-d", "100ms"]] {
        let out = Trace::start(args).wait();
        out.assert_success();
        assert_eq!(out.of_kind("process").count(), 0, "{args:?}");
        assert!(out.summary().get("snapshot").is_none(), "{args:?}");
    }
    for child in [&mut sleeper, &mut nobody, &mut parent] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// While the snapshot is taken, processes fork, exec and exit all the time: no process
/// has two `process` records; every process running from before tracing to after it
/// is introduced exactly once: a `process` record for those that never exec (sleepers,
/// shells that fork), and for those that exec all the time (between two images) a
/// `process` record or, superseded, exec records; a process with a `process` record and
/// exec records of its own shows the image it was read with first, then others, later;
/// and the counts add up.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn each_process_is_introduced_once_while_others_churn() {
    require_bpf();
    let marker = format!("s30-churn-{}", std::process::id());
    let dir = crate::util::TestDir::new("churn");
    // Many processes make the scan take a while ...
    let mut sleepers: Vec<Child> = (0..1000).map(|_| spawn(Command::new("/bin/sleep").arg0(&marker).arg("120"))).collect();
    // ... while these fork children that exec, or only exit, as fast as they can ...
    let churn = format!("while :; do /bin/true {marker}; (exit 0); sh -c 'exec /bin/true {marker}'; done");
    let mut churners: Vec<Child> = (0..2).map(|_| spawn(Command::new("/bin/sh").args(["-c", &churn]))).collect();
    // ... and these exec from one image to another, a and b, and back, in one process:
    // two at once, four after a pause in each image (some then read, some not).
    let flip = dir.path("flip");
    std::fs::write(&flip, "[ \"$2\" ] && sleep \"$2\"; case \"$1\" in a) exec /bin/sh \"$0\" b \"$2\" ;; *) exec /bin/sh \"$0\" a \"$2\" ;; esac\n").unwrap();
    let mut flippers: Vec<Child> =
        ["", "", "0.7", "0.9", "1.3", "1.7"].iter().map(|pause| spawn(Command::new("/bin/sh").arg(&flip).args(["a", pause]))).collect();
    std::thread::sleep(Duration::from_millis(200));
    let steady: HashSet<u32> = sleepers.iter().chain(&churners).map(Child::id).collect();
    let flipping: HashSet<u32> = flippers.iter().map(Child::id).collect();
    assert!(steady.iter().chain(&flipping).all(|pid| state(*pid) != "Z"), "every process runs");

    let trace = Trace::start(&["exec", "--snapshot", "-d", "1s"]);
    let out = trace.wait();
    out.assert_success();
    let summary = assert_accounted(&out);
    let ids: HashMap<u32, String> = steady.iter().chain(&flipping).map(|&pid| (pid, exec_id(pid))).collect();
    assert!(steady.iter().chain(&flipping).all(|pid| state(*pid) != "Z"), "every process lived through the run");
    for child in sleepers.iter_mut().chain(&mut churners).chain(&mut flippers) {
        child.kill().unwrap();
        child.wait().unwrap();
    }

    let mut records: HashMap<&str, Vec<&Value>> = HashMap::new();
    for r in out.of_kind("process") {
        records.entry(r["exec_id"].as_str().unwrap()).or_default().push(r);
    }
    assert!(records.values().all(|rs| rs.len() == 1), "an exec_id in two process records");
    let mut execs: HashMap<&str, Vec<&Value>> = HashMap::new();
    for e in out.of_kind("exec").filter(|e| e["ret"] == 0) {
        execs.entry(e["exec_id"].as_str().unwrap()).or_default().push(e);
    }
    for pid in &steady {
        let id = ids[pid].as_str();
        assert!(records.contains_key(id), "no process record of {pid}: {summary}");
        assert!(!execs.contains_key(id), "{pid} exec'd: {:?}", execs[id]);
    }
    let (mut read, mut superseded) = (0, 0);
    for pid in &flipping {
        let id = ids[pid].as_str();
        let Some(r) = records.get(id).map(|rs| rs[0]) else {
            assert!(execs.contains_key(id), "{pid} is neither read nor exec'd: {summary}");
            superseded += 1;
            continue;
        };
        read += 1;
        // Its exec records, if any, come after the read, and the first shows another image.
        let its = execs.get(id).cloned().unwrap_or_default();
        assert!(its.iter().all(|e| e["time"].as_str() > r["time"].as_str()), "an exec before the read ended:\n{r}\n{its:?}");
        if let Some(first) = its.first() {
            assert_ne!(first["argv"], r["argv"], "the image read, introduced twice:\n{r}\n{first}");
        }
    }
    println!("snapshot {}: of {} flipping processes, {read} read, {superseded} introduced by their exec records", summary["snapshot"], flipping.len());
    assert!(summary["snapshot"]["superseded"].as_u64() >= Some(superseded), "{summary}");
}
