//! Who a process is: exec and exit records' `exec_id`, `parent_exec_id` and `ancestors`
//! against what /proc says of the same processes, pid reuse, and `fileless` execs.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::child::{self, exec_line};
use crate::util::{exec_id_of, require_bpf, Output, Trace};

/// A live process as /proc shows it: its exec id (made as sysnoop makes it, from the
/// boot id, /proc/PID/stat's start time in clock ticks and the pid), its parent and
/// its name.
#[derive(Debug, Clone)]
struct Proc {
    pid: u32,
    exec_id: String,
    ppid: u32,
    comm: String,
}

/// /proc/PID/stat's fields as this test reads them: the name in parentheses (which may
/// hold spaces) and the fields after it.
fn proc_of(stat: &str) -> Proc {
    let open = stat.find('(').unwrap();
    let close = stat.rfind(')').unwrap();
    let pid: u32 = stat[..open].trim().parse().unwrap();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // proc(5): field 4 is ppid, field 22 starttime; `fields` starts at field 3.
    Proc { pid, exec_id: exec_id_of(pid, fields[19].parse().unwrap()), ppid: fields[1].parse().unwrap(), comm: stat[open + 1..close].to_owned() }
}

fn proc(pid: u32) -> Proc {
    proc_of(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap())
}

/// The process and its ancestors up to pid 1, nearest first.
fn chain(pid: u32) -> Vec<Proc> {
    let mut chain = vec![proc(pid)];
    while chain.last().unwrap().ppid != 0 {
        chain.push(proc(chain.last().unwrap().ppid));
    }
    chain
}

fn ancestors(r: &Value) -> Vec<(u32, String, String)> {
    r["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["pid"].as_u64().unwrap() as u32, a["exec_id"].as_str().unwrap().to_owned(), a["comm"].as_str().unwrap().to_owned()))
        .collect()
}

fn expected(chain: &[Proc]) -> Vec<(u32, String, String)> {
    chain.iter().take(8).map(|p| (p.pid, p.exec_id.clone(), p.comm.clone())).collect()
}

fn of_pid<'a>(out: &'a Output, kind: &'a str, pid: u32) -> Vec<&'a Value> {
    out.of_kind(kind).filter(|r| r["pid"] == pid).collect()
}

/// `sysnoop all -- sh` whose sh starts 20 children and writes each one's
/// /proc/PID/stat, and its own, while they live: every child's exec and exit records
/// carry the id /proc gives, its parent's is sh's, and its ancestors are sh, sysnoop,
/// this test and on up to pid 1, as /proc shows them, cut at 8.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn exec_ids_and_ancestors_are_what_proc_says() {
    require_bpf();
    let dir = crate::util::TestDir::new("identity");
    let stats = dir.path("stats");
    let script = format!(
        "i=0; while [ $i -lt 20 ]; do sleep 1 & pids=\"$pids $!\"; i=$((i+1)); done; \
         for p in $pids; do cat /proc/$p/stat; done > {0}; cat /proc/$$/stat >> {0}; wait",
        stats.display()
    );
    let trace = Trace::start(&["all", "--", "sh", "-c", &script]);
    // sysnoop and the processes above it, read while it runs.
    let above = chain(trace.pid());
    let out = trace.wait();
    out.assert_success();
    let procs: Vec<Proc> = std::fs::read_to_string(&stats).unwrap().lines().map(proc_of).collect();
    let (sh, children) = procs.split_last().unwrap();
    assert_eq!(children.len(), 20);
    let sh_exec = of_pid(&out, "exec", sh.pid);
    assert_eq!(sh_exec.len(), 1, "{sh:?}");
    assert_eq!((&sh_exec[0]["exec_id"], &sh_exec[0]["parent_exec_id"]), (&Value::from(sh.exec_id.clone()), &Value::from(above[0].exec_id.clone())));
    assert_eq!(ancestors(sh_exec[0]), expected(&above), "sh's ancestors: sysnoop and up");
    assert_eq!(sh_exec[0]["ancestors_truncated"], above.len() > 8);
    for child in children {
        let [exec] = of_pid(&out, "exec", child.pid)[..] else { panic!("one exec of {child:?}") };
        let [exit] = of_pid(&out, "exit", child.pid)[..] else { panic!("one exit of {child:?}") };
        assert_eq!(exec["exec_id"], child.exec_id, "{exec}");
        assert_eq!(exit["exec_id"], child.exec_id, "{exit}");
        assert_eq!(exec["parent_exec_id"], sh.exec_id, "{exec}");
        assert_eq!((child.ppid, &exec["comm"]), (sh.pid, &Value::from("sleep")));
        let mut chain = vec![sh.clone()];
        chain.extend(above.iter().cloned());
        assert_eq!(ancestors(exec), expected(&chain), "{exec}");
        assert_eq!(exec["ancestors_truncated"], chain.len() > 8, "{exec}");
        assert_eq!(exec["fileless"], false);
        // The start is the fork's: at or before the exec, in the tick /proc gives.
        let start = &exec["start_time"].as_str().unwrap()[..22];
        assert!(start <= &exec["time"].as_str().unwrap()[..22], "{exec}");
    }
}

/// Writes `pid - 1` to the init pid namespace's ns_last_pid and spawns `sleep`, until
/// it gets `pid` (another fork may take it first: the suite's other tests fork all the
/// time, and one CI run lost the race 32 times in two rounds).
fn sleep_at(pid: u32, marker: &str) -> std::process::Child {
    for _ in 0..1000 {
        std::fs::write("/proc/sys/kernel/ns_last_pid", (pid - 1).to_string()).unwrap();
        let mut child = Command::new("/bin/sleep").arg0(marker).arg("5").spawn().unwrap();
        if child.id() == pid {
            return child;
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    panic!("never got pid {pid}");
}

/// Two processes that are given the same pid, one after the other, have different ids,
/// each the one /proc gives it. The reuse is forced in the init pid namespace, through
/// /proc/sys/kernel/ns_last_pid: ids hold the host's pid, which a pid namespace of
/// the test's own would not repeat. With --ancestors 2 their ancestors are this test
/// and its parent, cut.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_reused_pid_gets_a_new_id() {
    require_bpf();
    let marker = format!("s30-reuse-{}", std::process::id());
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max").unwrap().trim().parse().unwrap();
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid").unwrap().trim().parse().unwrap();
    let pid = (last + 1000..pid_max).chain(300..last).find(|p| !Path::new(&format!("/proc/{p}")).exists()).unwrap();
    let trace = Trace::start(&["exec", "--ancestors", "2"]);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut child = sleep_at(pid, &marker);
        ids.push(proc(pid).exec_id);
        child.kill().unwrap();
        child.wait().unwrap();
        // A tick apart at least: a pid reused within one tick (10 ms) would share it.
        std::thread::sleep(Duration::from_millis(30));
    }
    let out = trace.stop();
    out.assert_success();
    assert_ne!(ids[0], ids[1]);
    // The tries that got another pid exec'd too: only those at `pid` count.
    let execs: Vec<&Value> = out.of_kind("exec").filter(|r| r["argv"][0] == marker.as_str() && r["pid"] == pid && r["ret"] == 0).collect();
    assert_eq!(execs.len(), 2, "{execs:?}");
    let us = chain(std::process::id());
    for (exec, id) in execs.iter().zip(&ids) {
        assert_eq!((&exec["pid"], &exec["exec_id"]), (&Value::from(pid), &Value::from(id.clone())), "{exec}");
        assert_eq!(exec["parent_exec_id"], us[0].exec_id);
        assert_eq!(ancestors(exec), expected(&us[..2]), "{exec}");
        assert_eq!(exec["ancestors_truncated"], true, "{exec}");
    }
}

/// An executable with no name on any filesystem is flagged `fileless`: a memfd and an
/// unlinked file, each exec'd through its descriptor. A plain exec is not.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn fileless_execs_are_flagged() {
    require_bpf();
    let dir = crate::util::TestDir::new("fileless");
    let marker = format!("s30-fileless-{}", std::process::id());
    let trace = Trace::start(&["exec"]);
    let line = |how: &str| {
        let arg = format!("{marker}-{how}");
        let exec = exec_line("exec", Path::new("/bin/true"), &[arg.as_bytes()]);
        match how {
            "plain" => exec,
            _ => exec.replacen("exec ", &format!("exec-fd {how} "), 1),
        }
    };
    let chdir = format!("chdir {}", child::hex(dir.path(".").as_os_str().as_encoded_bytes()));
    child::run(&[chdir.clone(), line("memfd")]);
    child::run(&[chdir, line("unlinked")]);
    child::run(&[line("plain")]);
    let out = trace.stop();
    out.assert_success();
    let exec = |how: &str| {
        let found: Vec<&Value> = out.of_kind("exec").filter(|r| r["argv"][0] == format!("{marker}-{how}").as_str()).collect();
        assert_eq!(found.len(), 1, "{how}: {found:?}");
        found[0].clone()
    };
    let memfd = exec("memfd");
    assert_eq!((&memfd["fileless"], &memfd["exe"]), (&Value::from(true), &Value::from("/memfd:sn-fileless (deleted)")), "{memfd}");
    let unlinked = exec("unlinked");
    let name = format!("sn-unlinked-{}", unlinked["pid"]);
    assert_eq!(unlinked["fileless"], true, "{unlinked}");
    assert_eq!(unlinked["exe"], format!("{} (deleted)", dir.path(&name).display()), "{unlinked}");
    let plain = exec("plain");
    assert_eq!(
        (&plain["fileless"], &plain["exe"]),
        (&Value::from(false), &Value::from(std::fs::canonicalize("/bin/true").unwrap().to_str().unwrap())),
        "{plain}"
    );
}
