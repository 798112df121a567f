//! The README's usage block, run as written: every command in it, through `sh -c` with
//! `sysnoop` on the PATH, with a pid, paths and durations of this test's own, while a
//! workload makes the events each one is about; then what its comment promises is
//! checked. A command the block gains without a check here fails the test.

use std::collections::HashSet;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::child::{repeat_line, Waiting};
use crate::util::{parse_ndjson, require_bpf, Cgroup, TestDir, SYSNOOP};

/// The commands of the README's `## Usage` block, each with its comment.
fn usage_block() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let usage = &readme[readme.find("\n## Usage").expect("a Usage section")..];
    let block = &usage[usage.find("```sh\n").expect("a sh block") + 6..];
    let block = &block[..block.find("```").unwrap()];
    block
        .lines()
        .map(|line| match line.split_once("   # ").or_else(|| line.split_once("  # ")) {
            Some((command, comment)) => (command.trim().to_owned(), comment.trim().to_owned()),
            None => (line.trim().to_owned(), String::new()),
        })
        .collect()
}

/// What one command printed, and how it ended.
struct Ran {
    status: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Ran {
    fn records(&self) -> Vec<Value> {
        parse_ndjson(&self.stdout, &self.stderr)
    }

    fn ok(&self, command: &str) {
        assert_eq!(self.status, Some(0), "`{command}`: stderr:\n{}", self.stderr);
    }
}

/// `command` through `sh -c` in `dir`, `sysnoop` found on the PATH in `bin`; killed
/// and failed after a minute.
fn sh(command: &str, dir: &Path, bin: &Path) -> Ran {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut child = Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut bytes).unwrap();
        bytes
    });
    let erring = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut err, &mut text).unwrap();
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("`{command}` did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran { status: status.code(), stdout: reading.join().unwrap(), stderr: erring.join().unwrap() }
}

/// This test's own values for the block's: the pid, the collector's socket, the cgroup;
/// and a run that would go on until Ctrl-C gets a duration.
fn own(command: &str, pid: u32, socket: &Path, cgroup: &str) -> String {
    let mut command = command
        .replace("4242", &pid.to_string())
        .replace("-d 10s", "-d 2s")
        .replace("unix:/run/eventbus.sock", &format!("unix:{}", socket.display()))
        .replace("/system.slice/docker.service", cgroup);
    let words: Vec<&str> = command.split_whitespace().collect();
    let ends_by_itself = ["doctor", "schema"].contains(&words[1]) || words.contains(&"-d") || words.contains(&"--") || words.contains(&"--follow");
    if !ends_by_itself {
        let at = command.find(" | ").unwrap_or(command.len());
        command.insert_str(at, " -d 2s");
    }
    command
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_usage_examples_do_what_they_say() {
    require_bpf();
    let dir = TestDir::new("readme");
    let bin = dir.path("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(SYSNOOP, bin.join("sysnoop")).unwrap();
    let work = dir.path("work");
    std::fs::create_dir(&work).unwrap();
    let configure = dir.executable("configure", b"#!/bin/sh\nls / >/dev/null\n");
    std::fs::rename(configure, work.join("configure")).unwrap();
    dir.copy_executable(Path::new("/bin/cat"), "python3");
    let socket = dir.path("eventbus.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let received = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut { stream }, &mut text).unwrap();
        text
    });
    // The workload, in a cgroup of its own, until it is killed: a failing exec, a
    // non-zero exit, a refused connect to 5432, a failed open by a `python3`.
    let cgroup = Cgroup::new("readme");
    let script = format!(
        "while :; do {} 2>/dev/null; sh -c 'exit 3'; bash -c 'echo > /dev/tcp/127.0.0.1/5432' 2>/dev/null; {} /nonexistent-readme 2>/dev/null; sleep 0.1; done",
        dir.path("no-such-program").display(),
        dir.path("python3").display()
    );
    let mut workload = Command::new("bash").args(["-c", &script]).stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    cgroup.adopt(workload.id());
    let www_data = nix::unistd::User::from_name("www-data").unwrap().map(|u| u.uid.as_raw());

    let block = usage_block();
    assert!(block.len() >= 10, "{block:?}");
    let mut seen = HashSet::new();
    for (line, comment) in &block {
        // A process of ours, opening a file and failing a syscall every 50 ms for 3 s.
        let file = dir.file("busy");
        let busy = Waiting::spawn(
            &std::iter::once("wait".to_string())
                .chain((0..60).flat_map(|_| [repeat_line(1, &file), "close-bad 1".into(), "sleep 50".into()]))
                .collect::<Vec<_>>(),
        );
        let pid = busy.pid;
        let command = own(line, pid, &socket, &cgroup.name);
        let going = std::thread::spawn(move || busy.go_to_end());
        let ran = sh(&command, &work, &bin);
        let _ = going.join();
        let context = format!("`{command}` ({comment}):\nstderr:\n{}", ran.stderr);
        let words: Vec<&str> = line.split_whitespace().collect();
        let key = words[1..].iter().take_while(|w| !w.starts_with('|')).copied().collect::<Vec<_>>().join(" ");
        let records = || ran.records();
        let of = |records: &[Value], kind: &str| -> Vec<Value> { records.iter().filter(|r| r["kind"] == kind).cloned().collect() };
        match key.as_str() {
            "doctor" => {
                ran.ok(&command);
                let text = String::from_utf8(ran.stdout.clone()).unwrap();
                assert!(text.lines().all(|l| serde_json::from_str::<Value>(l).unwrap()["check"].is_string()), "{context}");
            }
            "schema open" => {
                ran.ok(&command);
                let schema: Value = serde_json::from_slice(&ran.stdout).unwrap();
                assert_eq!(schema["title"], "open", "{context}");
            }
            "all" => {
                ran.ok(&command);
                let records = records();
                let kinds: Vec<&str> = records[0]["kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
                assert!(["open", "exec", "exit", "connect"].iter().all(|k| kinds.contains(k)), "{kinds:?} {context}");
                assert!(!of(&records, "exec").is_empty() && !of(&records, "open").is_empty(), "{context}");
                // One name per record kind: what the start record says each kind writes
                // is what the summary counts.
                let written: std::collections::BTreeSet<&str> =
                    records[0]["kinds"].as_array().unwrap().iter().flat_map(|k| k["records"].as_array().unwrap()).map(|r| r.as_str().unwrap()).collect();
                let counted: std::collections::BTreeSet<&str> = records.last().unwrap()["counts"].as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(written, counted, "{context}");
            }
            "open" => {
                ran.ok(&command);
                assert!(of(&records(), "open").iter().any(|r| r["pid"] == pid), "{context}");
            }
            "exec -x" => {
                ran.ok(&command);
                let execs = of(&records(), "exec");
                assert!(!execs.is_empty() && execs.iter().all(|r| r["errno"].is_string()), "{execs:?} {context}");
            }
            "exit -x" => {
                ran.ok(&command);
                let exits = of(&records(), "exit");
                assert!(!exits.is_empty() && exits.iter().all(|r| r["exit_code"] != 0), "{exits:?} {context}");
                assert!(exits.iter().any(|r| r["exit_code"] == 3), "{context}");
            }
            "connect --port 443,5432" => {
                ran.ok(&command);
                let connects = of(&records(), "connect");
                assert!(connects.iter().all(|r| r["dport"] == 443 || r["dport"] == 5432), "{context}");
                assert!(connects.iter().any(|r| r["dport"] == 5432 && r["errno"] == "ECONNREFUSED"), "{connects:?} {context}");
            }
            "traffic --alert-bytes-per-sec 50000000" => {
                ran.ok(&command);
                assert!(records().iter().all(|r| ["start", "traffic", "alert", "summary"].contains(&r["kind"].as_str().unwrap())), "{context}");
            }
            "syscalls -p 4242 -x -L" => {
                ran.ok(&command);
                let calls = of(&records(), "syscall");
                assert!(calls.iter().any(|r| r["syscall"] == "close"), "{context}");
                assert!(calls.iter().all(|r| r["pid"] == pid && r["errno"].is_string() && r["latency_ns"].is_u64()), "{calls:?} {context}");
            }
            "syscalls -c -P --top 10 -i 1s" => {
                ran.ok(&command);
                let records = records();
                assert_eq!(records[0]["kinds"][0]["records"], serde_json::json!(["syscall_count"]), "{context}");
                let counts = of(&records, "syscall_count");
                assert!(!counts.is_empty() && counts.iter().all(|r| r["pid"].is_u64()), "{context}");
                let mut per_interval = std::collections::HashMap::new();
                for r in &counts {
                    *per_interval.entry(r["time"].as_str().unwrap().to_owned()).or_insert(0) += 1;
                }
                assert!(per_interval.values().all(|&n| n <= 10), "{per_interval:?} {context}");
            }
            "open -n python -x" => {
                ran.ok(&command);
                let opens = of(&records(), "open");
                assert!(!opens.is_empty(), "{context}");
                assert!(opens.iter().all(|r| r["comm"].as_str().unwrap().contains("python") && r["errno"].is_string()), "{opens:?} {context}");
            }
            "open -p 4242 -d 10s" => {
                ran.ok(&command);
                let paths: Vec<String> = String::from_utf8(ran.stdout.clone()).unwrap().lines().map(str::to_owned).collect();
                assert!(!paths.is_empty() && paths.iter().all(|p| p == file.to_str().unwrap()), "{paths:?} {context}");
            }
            "open -u www-data --max-events 100 --stats-interval 1s" => {
                ran.ok(&command);
                let opens = of(&records(), "open");
                assert!(opens.len() <= 100 && opens.iter().all(|r| Some(r["uid"].as_u64().unwrap() as u32) == www_data), "{context}");
                assert!(ran.stderr.lines().any(|l| l.starts_with(r#"{"kind":"stats""#)), "{context}");
            }
            "open -o unix:/run/eventbus.sock" => {
                ran.ok(&command);
                assert!(ran.stdout.is_empty(), "{context}");
            }
            "all -o file:trace.ndjson -- make -j8" => {
                // No makefile here: make fails with 2, and so does sysnoop.
                assert_eq!(ran.status, Some(2), "{context}");
                let records = parse_ndjson(&std::fs::read(work.join("trace.ndjson")).unwrap(), &context);
                assert!(of(&records, "exec").iter().any(|r| r["comm"] == "make"), "{context}");
                assert_eq!(records.last().unwrap()["kind"], "summary", "{context}");
            }
            "syscalls -c -- ./configure" => {
                ran.ok(&command);
                assert!(!of(&records(), "syscall_count").is_empty(), "{context}");
            }
            "open --follow 4242" => {
                // Ends by itself when the process (and its descendants) have exited.
                ran.ok(&command);
                let opens = of(&records(), "open");
                assert!(opens.iter().any(|r| r["path"] == file.to_str().unwrap()) && opens.iter().all(|r| r["pid"] == pid), "{context}");
            }
            "exec --cgroup /system.slice/docker.service" => {
                ran.ok(&command);
                let execs = of(&records(), "exec");
                assert!(!execs.is_empty() && execs.iter().all(|r| r["cgroup_id"] == cgroup.id()), "{context}");
            }
            other => panic!("the README's usage line `{line}` has no check here (key `{other}`)"),
        }
        seen.insert(key);
    }
    let _ = workload.kill();
    let _ = workload.wait();
    let text = received.join().unwrap();
    assert!(text.starts_with(r#"{"kind":"start""#) && text.trim_end().lines().last().unwrap().starts_with(r#"{"kind":"summary""#), "{text}");
    assert_eq!(seen.len(), block.len(), "a usage line is there twice");
}
