//! `sysnoop priv` against the real kernel, with strace as the oracle: a workload that
//! ptraces a child and then, as root, gives up its groups, gids, capabilities and uids,
//! traced by strace and sysnoop at once.

use serde_json::Value;

use crate::child::Waiting;
use crate::util::{require_bpf, TestDir, Trace};

/// The calls `sysnoop priv` traces, as strace's -e trace= names them.
const CALLS: &str = "setuid,setgid,setreuid,setregid,setresuid,setresgid,setfsuid,setfsgid,setgroups,capset,ptrace,bpf";

/// One call as strace -X raw printed it: (name, its arguments as printed, the result: the
/// value, or the errno name).
type Call = (String, Vec<String>, String);

fn strace_calls(text: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    for line in text.lines() {
        if line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        let (call, result) = line.rsplit_once(" = ").unwrap_or_else(|| panic!("not a call: {line}"));
        let (name, args) = call.trim_end().strip_suffix(')').and_then(|c| c.split_once('(')).unwrap_or_else(|| panic!("not a call: {line}"));
        // Arguments at the top level (capset's and setgroups' hold commas of their own).
        let (mut depth, mut args_list, mut arg) = (0, Vec::new(), String::new());
        for c in args.chars() {
            match c {
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    args_list.push(std::mem::take(&mut arg).trim().to_owned());
                    continue;
                }
                _ => {}
            }
            arg.push(c);
        }
        args_list.push(arg.trim().to_owned());
        let mut result = result.split_whitespace();
        let ret = result.next().unwrap();
        let ret = if ret == "-1" { result.next().unwrap().to_owned() } else { ret.to_owned() };
        calls.push((name.to_owned(), args_list, ret));
    }
    calls
}

/// strace of thread `tid` of `pid` alone (no -f: a child it ptraces must be free for it
/// to attach), tracing `calls` into `out`; returns once strace is attached.
fn strace_thread(pid: u32, tid: u32, calls: &str, out: &std::path::Path) -> std::process::Child {
    let strace = std::process::Command::new("strace")
        .args(["-qq", "-X", "raw", "-e", &format!("trace={calls}"), "-o", out.to_str().unwrap(), "-p", &tid.to_string()])
        .spawn()
        .unwrap();
    let status = format!("/proc/{pid}/task/{tid}/status");
    while std::fs::read_to_string(&status).unwrap().lines().any(|l| l.starts_with("TracerPid:") && l.ends_with("\t0")) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    strace
}

/// An integer as strace -X raw prints one: decimal, hex, or NULL.
fn number(text: &str) -> i64 {
    match text {
        "NULL" => 0,
        _ => match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).unwrap() as i64,
            None => text.parse().unwrap_or_else(|_| panic!("not a number: {text}")),
        },
    }
}

/// What both sides must agree on: the call, its integer arguments (set*id's ids,
/// setgroups' size, ptrace's request, pid and addr; capset's are structures, checked
/// apart), and the result.
fn key(call: &Call) -> (String, Vec<i64>, String) {
    let (name, args, ret) = call;
    let ints = match name.as_str() {
        "setgroups" => vec![number(&args[0])],
        "capset" => vec![],
        // strace leaves out what a request ignores (PTRACE_TRACEME: all but the request).
        "ptrace" => (0..3).map(|i| args.get(i).map_or(0, |a| number(a))).collect(),
        // The command (BPF_PROG_LOAD is the only one traced).
        "bpf" => vec![number(&args[0])],
        // set*id: ids are unsigned; -1 is "unchanged".
        _ => args.iter().map(|a| i64::from(number(a) as u32 as i32)).collect(),
    };
    (name.clone(), ints, ret.clone())
}

/// The same of a cred or ptrace record.
fn record_key(r: &Value) -> (String, Vec<i64>, String) {
    let ret = match r["errno"].as_str() {
        Some(errno) => errno.to_owned(),
        None => r["ret"].to_string(),
    };
    if r["kind"] == "bpf_prog" {
        return ("bpf".into(), vec![5], ret);
    }
    if r["kind"] == "ptrace" {
        let addr = number(r["addr"].as_str().unwrap());
        return ("ptrace".into(), vec![r["request_id"].as_i64().unwrap(), r["target_pid"].as_i64().unwrap(), addr], ret);
    }
    let syscall = r["syscall"].as_str().unwrap().to_owned();
    let ints = match syscall.as_str() {
        "capset" => vec![],
        _ => r["args"].as_array().unwrap().iter().map(|a| a.as_i64().unwrap()).collect(),
    };
    (syscall, ints, ret)
}

fn ids(r: &Value, when: &str) -> [u64; 8] {
    ["uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid"].map(|k| r[when][k].as_u64().unwrap())
}

/// Every call strace saw of the workload is one record with the same call, arguments and
/// result, in the same order, and there is no other; each carries the ids, groups and
/// capabilities before and after, and each ptrace its target.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_privilege_call_strace_sees() {
    require_bpf();
    let dir = TestDir::new("priv-oracle");
    let strace_out = dir.path("strace.txt");
    let waiting = Waiting::spawn(&["wait".into(), "priv-calls".into()]);
    let (pid, tid) = (waiting.pid, waiting.tid);
    let trace = Trace::start(&["priv", "--follow", &pid.to_string()]);
    let mut strace = strace_thread(pid, tid, CALLS, &strace_out);
    let reports = waiting.go();
    assert!(strace.wait().unwrap().success());
    let out = trace.stop();
    let traceme = reports[0].fd;

    let oracle_text = std::fs::read_to_string(&strace_out).unwrap();
    // bpf(): only its BPF_PROG_LOAD calls are traced (not the BPF_OBJ_GET_INFO_BY_FD after).
    let mut oracle = strace_calls(&oracle_text);
    oracle.retain(|(name, args, _)| name != "bpf" || number(&args[0]) == 5);
    let expected: Vec<_> = oracle.iter().map(key).collect();
    let records: Vec<&Value> =
        out.records.iter().filter(|r| ["cred", "ptrace", "bpf_prog"].contains(&r["kind"].as_str().unwrap()) && r["tid"] == tid).collect();
    let seen: Vec<_> = records.iter().map(|r| record_key(r)).collect();
    assert_eq!(seen, expected, "sysnoop (left) and strace (right) differ\n{}", out.stderr);
    assert_eq!(expected.len(), 16, "{oracle:#?}");

    // Each call's effect, from the records alone.
    let by = |name: &'static str| records.iter().copied().filter(move |r| r["syscall"] == name || r["request"] == name);
    let one = |name: &'static str| by(name).next().unwrap_or_else(|| panic!("no {name} record"));
    let root = [0; 8];
    let groups = one("setgroups");
    assert_eq!((ids(groups, "before"), ids(groups, "after")), (root, root));
    assert_eq!(groups["groups"], serde_json::json!({"passed": [200, 100], "before": [], "after": [100, 200], "truncated": false}));
    assert_eq!(ids(one("setresgid"), "after"), [0, 0, 0, 0, 1000, 1000, 0, 1000]);
    assert_eq!(ids(one("setregid"), "after"), [0, 0, 0, 0, 1000, 1001, 1001, 1001]);
    let fsgid = one("setfsgid");
    assert_eq!((ids(fsgid, "after")[7], &fsgid["ret"], &fsgid["failed"]), (2000, &1001.into(), &false.into()));
    let capset = one("capset");
    let kept = serde_json::json!(["CAP_SETGID", "CAP_SETUID"]);
    assert_eq!(
        (&capset["args"], &capset["caps"]["after"]["effective"], &capset["caps"]["passed"]["permitted"]),
        (&serde_json::json!([0x2008_0522, 0]), &kept, &kept)
    );
    assert!(capset["caps"]["before"]["effective"].as_array().unwrap().len() > 30, "{capset}");
    // Leaving uid 0 clears the capabilities.
    let setresuid = one("setresuid");
    assert_eq!(ids(setresuid, "after"), [1000, 1000, 1000, 1000, 1000, 1001, 1001, 2000]);
    assert_eq!(
        (&setresuid["caps"]["before"]["permitted"], &setresuid["caps"]["after"]["permitted"], &setresuid["uid"]),
        (&kept, &serde_json::json!([]), &1000.into())
    );
    for name in ["setuid", "setgid"] {
        let r = one(name);
        assert_eq!((&r["errno"], &r["failed"], ids(r, "before") == ids(r, "after")), (&"EPERM".into(), &true.into(), true));
    }
    // setfsuid returns the old id: the second one (to 0) changed nothing.
    let fsuid: Vec<_> = by("setfsuid").collect();
    assert_eq!(
        fsuid.iter().map(|r| (r["ret"].as_i64().unwrap(), r["failed"].as_bool().unwrap(), r["errno"].is_null())).collect::<Vec<_>>(),
        [(0, false, true), (1000, true, true)]
    );

    // ptrace: the attach, peek and detach name their target; the peek of pid 1 failed.
    let attach = one("PTRACE_ATTACH");
    let tracee = attach["target_pid"].as_u64().unwrap();
    let tracee_id = attach["target"]["exec_id"].as_str().unwrap_or_else(|| panic!("{attach}"));
    // The tracee is gone: its id is its pid after the boot id and its start.
    assert!(tracee_id.ends_with(&format!("{tracee:06x}")) && tracee_id[..16] == records[0]["exec_id"].as_str().unwrap()[..16], "{tracee_id}");
    for request in ["PTRACE_ATTACH", "PTRACE_PEEKDATA", "PTRACE_DETACH"] {
        let r = one(request);
        assert_eq!(
            (&r["target"]["pid"], &r["target"]["tid"], &r["target"]["exec_id"], &r["target"]["comm"]),
            (&tracee.into(), &tracee.into(), &tracee_id.into(), &attach["comm"]),
            "{r}"
        );
    }
    let failed: Vec<_> = by("PTRACE_PEEKDATA").filter(|r| r["errno"] == "ESRCH").collect();
    assert_eq!((failed.len(), &failed[0]["target_pid"], &failed[0]["target"]), (1, &1.into(), &Value::Null));
    // The child that asked its parent, the workload (the thread that forked it), to trace it.
    let asked: Vec<_> = out.of_kind("ptrace").filter(|r| r["pid"] == traceme).collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!((&asked[0]["request"], &asked[0]["target"]["pid"], &asked[0]["target"]["tid"]), (&"PTRACE_TRACEME".into(), &pid.into(), &tid.into()));
    assert_eq!(asked[0]["target"]["exec_id"], records[0]["exec_id"]);
    // Every record of the workload names it by the same id.
    assert!(records.iter().all(|r| r["exec_id"] == records[0]["exec_id"]));
    // The program as the kernel holds it, under the id the loader was given; the refused one as passed.
    let loads: Vec<&Value> = records.iter().copied().filter(|r| r["kind"] == "bpf_prog").collect();
    let (loaded, refused) = (loads[0], loads[1]);
    assert_eq!(
        (&loaded["prog_type"], &loaded["name"], &loaded["id"], &loaded["insn_cnt"], &loaded["insns"], &loaded["loaded"], &loaded["attach_func"]),
        (&"socket_filter".into(), &"sn_test".into(), &reports[0].id.into(), &2.into(), &2.into(), &true.into(), &Value::Null),
        "{loaded}"
    );
    assert_eq!(loaded["tag"].as_str().map(str::len), Some(16), "{loaded}");
    assert_eq!(
        (&refused["errno"], &refused["name"], &refused["insn_cnt"], &refused["loaded"], &refused["id"], &refused["fd"]),
        (&"E2BIG".into(), &"sn_test".into(), &0.into(), &false.into(), &Value::Null, &Value::Null),
        "{refused}"
    );
    let summary = out.summary();
    for kind in ["cred", "ptrace", "bpf_prog"] {
        assert_eq!(summary["counts"][kind]["lost"], 0);
        assert_eq!(summary["counts"][kind]["pairing_misses"], 0);
    }
}

/// -x keeps the calls that failed (setfsuid's that left the id as it was among them),
/// and -u decides on the uid the task had when it made the call: root's setresuid to
/// 1000 is root's, the setuid(0) it then fails is 1000's.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn filters_decide_on_the_call_as_it_was_made() {
    require_bpf();
    let calls = |args: &[&str]| -> (Vec<(String, String)>, Value) {
        let waiting = Waiting::spawn(&["wait".into(), "priv-calls".into()]);
        let waiting_pid = waiting.pid;
        let pid = waiting_pid.to_string();
        let mut all = vec!["priv", "--follow", &pid];
        all.extend(args);
        let trace = Trace::start(&all);
        waiting.go();
        let out = trace.stop();
        let seen = out
            .records
            .iter()
            .filter(|r| r["pid"] == waiting_pid && ["cred", "ptrace", "bpf_prog"].contains(&r["kind"].as_str().unwrap()))
            .map(|r| {
                (r["syscall"].as_str().or(r["request"].as_str()).or(r["kind"].as_str()).unwrap().to_owned(), r["errno"].as_str().unwrap_or("-").to_owned())
            })
            .collect();
        (seen, out.summary()["counts"].clone())
    };
    let (failed, counts) = calls(&["-x"]);
    let expected = [("PTRACE_PEEKDATA", "ESRCH"), ("bpf_prog", "E2BIG"), ("setuid", "EPERM"), ("setgid", "EPERM"), ("setfsuid", "-")];
    assert_eq!(failed, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert!(counts["cred"]["filtered"].as_u64().unwrap() >= 7 && counts["ptrace"]["filtered"].as_u64().unwrap() >= 3, "{counts}");
    let (root, counts) = calls(&["-u", "0"]);
    let names: Vec<&str> = root.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "PTRACE_ATTACH",
            "PTRACE_PEEKDATA",
            "PTRACE_DETACH",
            "PTRACE_PEEKDATA",
            "bpf_prog",
            "bpf_prog",
            "setgroups",
            "setresgid",
            "setregid",
            "setfsgid",
            "setfsuid",
            "capset",
            "setresuid"
        ]
    );
    assert!(counts["cred"]["filtered"].as_u64().unwrap() >= 3, "{counts}");
}

/// sysnoop's own program loads (of the kinds that load after priv, in `all`, and its
/// probe of bpf()) are counted `filtered`, never reported.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn sysnoops_own_loads_are_counted_not_reported() {
    require_bpf();
    let trace = Trace::start(&["all", "--no-snapshot"]);
    let sysnoop = trace.pid();
    let out = trace.stop();
    out.assert_success();
    assert!(out.of_kind("bpf_prog").all(|r| r["pid"] != sysnoop), "{:?}", out.records);
    assert!(out.summary()["counts"]["bpf_prog"]["filtered"].as_u64().unwrap() >= 1, "{}", out.summary());
}

/// Every mount call strace saw is one record with the same call, strings and result, in
/// the same order; each names its target in full (pivot_root's in the new root) and its
/// mount namespace, the workload's own.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_mount_call_strace_sees() {
    require_bpf();
    let dir = TestDir::new("mount-oracle");
    let work = dir.path("work");
    std::fs::create_dir_all(work.join("a")).unwrap();
    let strace_out = dir.path("strace.txt");
    let waiting = Waiting::spawn(&[format!("chdir {}", crate::child::hex(work.as_os_str().as_encoded_bytes())), "wait".into(), "mount-calls".into()]);
    let (pid, tid) = (waiting.pid, waiting.tid);
    let host_ns = std::fs::read_link("/proc/self/ns/mnt").unwrap();
    let trace = Trace::start(&["priv", "--follow", &pid.to_string()]);
    let mut strace = strace_thread(pid, tid, "mount,umount2,move_mount,fsmount,pivot_root", &strace_out);
    waiting.go();
    assert!(strace.wait().unwrap().success());
    let out = trace.stop();

    // (name, the quoted strings, the result) on both sides.
    let oracle: Vec<(String, Vec<String>, String)> = strace_calls(&std::fs::read_to_string(&strace_out).unwrap())
        .into_iter()
        .map(|(name, args, ret)| {
            let strings = args.iter().filter_map(|a| a.strip_prefix('"').and_then(|a| a.strip_suffix('"'))).map(str::to_owned).collect();
            (name, strings, ret)
        })
        .collect();
    let records: Vec<&Value> = out.of_kind("mount").filter(|r| r["tid"] == tid).collect();
    let seen: Vec<(String, Vec<String>, String)> = records
        .iter()
        .map(|r| {
            let strings = ["source", "target", "fs_type", "options", "put_old"].iter().filter_map(|k| r[k].as_str().map(str::to_owned)).collect();
            let ret = r["errno"].as_str().map_or_else(|| r["ret"].to_string(), str::to_owned);
            (r["syscall"].as_str().unwrap().to_owned(), strings, ret)
        })
        .collect();
    assert_eq!(seen, oracle, "sysnoop (left) and strace (right) differ\n{}", out.stderr);
    assert_eq!(oracle.len(), 8, "{oracle:#?}");

    let work = work.to_str().unwrap();
    let one = |syscall: &str, ret: &str| {
        *records
            .iter()
            .find(|r| r["syscall"] == syscall && (r["errno"] == ret || r["ret"].as_i64() == ret.parse().ok()))
            .unwrap_or_else(|| panic!("no {syscall} = {ret}"))
    };
    let mount = records[1];
    assert_eq!(
        (&mount["target_full_path"], &mount["flags"], &mount["fs_type"], &mount["options"]),
        (&format!("{work}/a").into(), &serde_json::json!(["MS_NOSUID"]), &"tmpfs".into(), &"size=1m".into())
    );
    assert_eq!(records[0]["flags"], serde_json::json!(["MS_REC", "MS_PRIVATE"]));
    assert_eq!((&records[2]["flags"], &records[2]["target_full_path"]), (&serde_json::json!(["MNT_DETACH"]), &format!("{work}/a").into()));
    assert_eq!(one("umount2", "ENOENT")["target_full_path"], format!("{work}/missing"));
    let fsmount = one("fsmount", &records[4]["ret"].to_string());
    assert_eq!(
        (&fsmount["flags"], &fsmount["attr_flags"], &fsmount["target"]),
        (&serde_json::json!(["FSMOUNT_CLOEXEC"]), &serde_json::json!(["MOUNT_ATTR_NODEV"]), &Value::Null)
    );
    let moved = one("move_mount", "0");
    assert_eq!(
        (&moved["from_dirfd"], &moved["source"], &moved["target_dirfd"], &moved["target_full_path"]),
        (&fsmount["ret"], &"".into(), &"AT_FDCWD".into(), &format!("{work}/a").into())
    );
    assert_eq!(moved["flags"], serde_json::json!(["MOVE_MOUNT_F_EMPTY_PATH"]));
    let pivot = one("pivot_root", "0");
    assert_eq!((&pivot["target"], &pivot["put_old"]), (&"a".into(), &"a/old".into()));
    // Named once the call returned: the working directory is under the old root, now at /old.
    assert_eq!(pivot["target_full_path"], format!("/old{work}/a"), "{pivot}");
    // The workload's own mount namespace, not the host's.
    let ns = records[0]["mnt_ns"].as_u64().unwrap();
    assert!(records.iter().all(|r| r["mnt_ns"] == ns) && format!("mnt:[{ns}]") != host_ns.to_str().unwrap(), "{ns} {host_ns:?}");
    let summary = out.summary();
    assert_eq!((&summary["counts"]["mount"]["lost"], &summary["counts"]["mount"]["malformed"]), (&0.into(), &0.into()));
}
