//! `sysnoop exec` against the real kernel.

use std::path::Path;

use serde_json::{json, Value};

use crate::child::{self, exec_line, Waiting};
use crate::util::{cgroup_id, cgroup_of, require_bpf, Output, TestDir, Trace};

const TRUE: &str = "/bin/true";

/// The one exec record whose argv contains `marker`.
fn the_exec<'a>(out: &'a Output, marker: &str) -> &'a Value {
    let found: Vec<&Value> = out.of_kind("exec").filter(|r| r["argv"].as_array().unwrap().iter().any(|a| a.as_str().unwrap().contains(marker))).collect();
    assert_eq!(found.len(), 1, "expected one exec with {marker}, got {found:?}\nstderr:\n{}", out.stderr);
    found[0]
}

fn unique(name: &str) -> String {
    format!("{name}-{}-{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn exec_records_the_argv_exactly() {
    require_bpf();
    let marker = unique("argv");
    let argv: [&[u8]; 5] = [TRUE.as_bytes(), marker.as_bytes(), b"with space", b"with\"quote", b""];
    let trace = Trace::start(&["exec"]);
    let child = Waiting::spawn(&["wait".into(), exec_line("exec", Path::new(TRUE), &argv)]);
    let (pid, cgroup) = (child.pid, cgroup_of(child.pid));
    child.go();
    let out = trace.stop();
    out.assert_success();
    let r = the_exec(&out, &marker);
    assert_eq!(r["pid"], pid, "{r}");
    // The child exec'd from a thread that was not the leader: it takes over the pid.
    assert_eq!(r["tid"], pid, "{r}");
    assert_eq!(r["ppid"], std::process::id(), "{r}");
    assert_eq!(r["uid"], 0);
    assert_eq!(r["comm"], "true");
    assert_eq!(r["filename"], TRUE);
    let expected: Vec<String> = argv.iter().map(|a| String::from_utf8(a.to_vec()).unwrap()).collect();
    assert_eq!(r["argv"], json!(expected));
    assert_eq!(r["argv_truncated"], false);
    assert_eq!(r["ret"], 0);
    assert!(r["errno"].is_null());
    // The cgroup the child ran in: the inode of its cgroup v2 directory.
    assert_eq!(r["cgroup_id"], cgroup_id(&cgroup), "{r} in {cgroup}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn hundreds_of_arguments_in_full_or_marked_cut() {
    require_bpf();
    let marker = unique("many");
    let args: Vec<String> = (0..400).map(|i| format!("{marker}-{i}")).collect();
    let mut argv: Vec<&[u8]> = vec![TRUE.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let total: usize = argv.iter().map(|a| a.len() + 1).sum();
    assert!(total > 4096 && total < 65536, "{total}");

    // Raised limit: everything.
    let trace = Trace::start(&["exec", "--max-arg-bytes", "65536"]);
    child::run(&[exec_line("exec", Path::new(TRUE), &argv)]);
    let out = trace.stop();
    let r = the_exec(&out, &format!("{marker}-0"));
    assert_eq!(r["argv"].as_array().unwrap().len(), 401);
    assert_eq!(r["argv"][400], format!("{marker}-399"));
    assert_eq!(r["argv_truncated"], false);

    // The default 4096 bytes: a prefix, and said to be cut.
    let trace = Trace::start(&["exec"]);
    child::run(&[exec_line("exec", Path::new(TRUE), &argv)]);
    let out = trace.stop();
    let r = the_exec(&out, &format!("{marker}-0"));
    assert_eq!(r["argv_truncated"], true, "{r}");
    let got = r["argv"].as_array().unwrap();
    assert!(got.len() > 10 && got.len() < 401, "{}", got.len());
    let bytes: usize = got.iter().map(|a| a.as_str().unwrap().len() + 1).sum();
    assert!(bytes <= 4096 + 1, "{bytes}");
    for (i, a) in got.iter().enumerate().skip(1).take(got.len() - 2) {
        assert_eq!(a, &format!("{marker}-{}", i - 1));
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn execveat_and_scripts_are_caught() {
    require_bpf();
    let dir = TestDir::new("script");
    let script = dir.executable("hello.sh", b"#!/bin/sh\nexit 0\n");
    let (at, via_script) = (unique("execveat"), unique("script"));
    let trace = Trace::start(&["exec"]);
    child::run(&[exec_line("execveat", Path::new(TRUE), &[b"true", at.as_bytes()])]);
    child::run(&[exec_line("exec", &script, &[b"hello.sh", via_script.as_bytes()])]);
    let out = trace.stop();

    let r = the_exec(&out, &at);
    assert_eq!((&r["filename"], &r["ret"]), (&json!(TRUE), &json!(0)), "{r}");
    assert_eq!(r["argv"], json!(["true", at]));

    // The kernel runs a #! script through its interpreter: the record names the
    // script, and argv is the interpreter's.
    let r = the_exec(&out, &via_script);
    let script = script.to_str().unwrap();
    assert_eq!(r["filename"], script, "{r}");
    assert_eq!(r["argv"], json!(["/bin/sh", script, via_script]));
    assert_eq!(r["comm"], "hello.sh");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn failed_execs_carry_the_errno() {
    require_bpf();
    let dir = TestDir::new("noexec");
    let missing = dir.path("missing");
    let not_exec = dir.file("not-executable"); // mode 0644
    let (m1, m2, m3) = (unique("enoent"), unique("eacces"), unique("at-enoent"));
    let trace = Trace::start(&["exec", "-x"]);
    let (pid, failed) = child::run(&[
        exec_line("exec", &missing, &[b"missing", m1.as_bytes()]),
        exec_line("exec", &not_exec, &[b"not-executable", m2.as_bytes()]),
        exec_line("execveat", &missing, &[b"missing", m3.as_bytes()]),
        // Succeeds last: -x must drop it.
        exec_line("exec", Path::new(TRUE), &[b"true", b"kept-out"]),
    ]);
    let out = trace.stop();
    assert_eq!(failed.len(), 3);
    for ((marker, path, errno), got) in [(&m1, &missing, "ENOENT"), (&m2, &not_exec, "EACCES"), (&m3, &missing, "ENOENT")].iter().zip(&failed) {
        let r = the_exec(&out, marker);
        assert_eq!(r["pid"], pid, "{r}");
        assert_eq!(r["tid"], got.tid, "{r}");
        assert_eq!(r["filename"], path.to_str().unwrap(), "{r}");
        assert_eq!(r["ret"], got.ret, "{r}");
        assert_eq!(r["errno"], *errno, "{r}");
        assert_eq!(r["argv"][1], marker.as_str());
    }
    assert!(out.of_kind("exec").all(|r| r["ret"].as_i64().unwrap() < 0), "-x kept a success");
    // At least the child's own start (this test binary) and its last exec; -x also drops
    // every other successful exec on the host meanwhile, which no test can know.
    assert!(out.summary()["counts"]["exec"]["filtered"].as_u64().unwrap() >= 2);
}

/// A failed exec's argv is read from the caller's pointer array, at most 64 pointers
/// (one step of the kernel's loop each): 64 arguments come whole, and 65 are the first
/// 64, marked cut.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_failed_execs_arguments_up_to_64() {
    require_bpf();
    let dir = TestDir::new("noexec-args");
    let missing = dir.path("missing");
    let (whole, cut) = (unique("args-64"), unique("args-65"));
    let args = |marker: &str, n: usize| -> Vec<String> { (0..n).map(|i| format!("{marker}-{i}")).collect() };
    let (args64, args65) = (args(&whole, 64), args(&cut, 65));
    let bytes = |args: &[String]| -> Vec<Vec<u8>> { args.iter().map(|a| a.as_bytes().to_vec()).collect() };
    let (argv64, argv65) = (bytes(&args64), bytes(&args65));
    let trace = Trace::start(&["exec", "-x"]);
    let (_, failed) = child::run(&[
        exec_line("exec", &missing, &argv64.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        exec_line("exec", &missing, &argv65.iter().map(Vec::as_slice).collect::<Vec<_>>()),
    ]);
    let out = trace.stop();
    assert_eq!(failed.len(), 2);
    let r = the_exec(&out, &format!("{whole}-0"));
    assert_eq!((&r["argv"], &r["argv_truncated"], &r["errno"]), (&json!(args64), &json!(false), &json!("ENOENT")), "{r}");
    let r = the_exec(&out, &format!("{cut}-0"));
    assert_eq!((&r["argv"], &r["argv_truncated"]), (&json!(args65[..64]), &json!(true)), "{r}");
}

/// `exe` is the executable as /proc/PID/exe names it (a symlink resolved, a script's
/// interpreter), and `cwd` the working directory as /proc/PID/cwd names it; both are
/// what the process itself read back. A failed exec has no exe, and its cwd.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn exe_and_cwd_as_the_kernel_names_them() {
    require_bpf();
    let dir = TestDir::new("exe");
    let marker = unique("exe");
    let link = dir.path("a-shell");
    std::os::unix::fs::symlink("/bin/sh", &link).unwrap();
    std::fs::create_dir(dir.path("work")).unwrap();
    std::os::unix::fs::symlink("work", dir.path("here")).unwrap();
    let missing = dir.path("no-such-program");
    let trace = Trace::start(&["exec"]);
    let run = std::process::Command::new(&link)
        .args(["-c", r#"readlink /proc/$$/exe; readlink /proc/$$/cwd; : "$0""#, &marker])
        .current_dir(dir.path("here"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let failed = std::process::Command::new(&missing).arg(&marker).current_dir(dir.path("work")).status();
    assert!(failed.is_err());
    let out = trace.stop();
    out.assert_success();
    let seen = String::from_utf8(run.stdout).unwrap();
    let (exe, cwd) = seen.trim_end().split_once('\n').unwrap();
    let r = out
        .of_kind("exec")
        .find(|r| r["argv"].as_array().unwrap().iter().any(|a| a == marker.as_str()) && r["ret"] == 0)
        .unwrap_or_else(|| panic!("no exec of {marker}: {:?}", out.records));
    assert_eq!(r["filename"], link.to_str().unwrap(), "filename is as passed");
    assert_eq!((&r["exe"], &r["exe_truncated"]), (&json!(exe), &json!(false)), "{r}");
    assert_ne!(exe, link.to_str().unwrap(), "the symlink is resolved");
    assert_eq!((&r["cwd"], &r["cwd_truncated"]), (&json!(cwd), &json!(false)), "{r}");
    assert_eq!(cwd, dir.path("work").to_str().unwrap());
    let f = out.of_kind("exec").find(|r| r["filename"] == missing.to_str().unwrap()).unwrap_or_else(|| panic!("no failed exec: {:?}", out.records));
    assert_eq!((&f["errno"], &f["exe"], &f["cwd"]), (&json!("ENOENT"), &Value::Null, &json!(dir.path("work").to_str().unwrap())), "{f}");
}
