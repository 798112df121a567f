//! `sysnoop file` against the real kernel, with strace as the oracle: a workload that
//! makes every file-changing call (coreutils' forms and the legacy syscalls by number),
//! some failing, traced by strace and sysnoop at once.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::child;
use crate::util::{require_bpf, TestDir};

/// The calls `sysnoop file` traces (strace's -e trace=, where fchmodat2 is not known to
/// strace 6.1).
const CALLS: &str = "unlink,unlinkat,rmdir,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mkdir,mkdirat,mknod,mknodat,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat,truncate,ftruncate,utimensat";

/// One call as strace printed it: `PID name(args) = ret [ERRNO (text)]`: (pid, name,
/// the quoted strings among its arguments, the result: the value, or the errno name).
type Call = (u32, String, Vec<String>, String);

fn strace_calls(text: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else { continue };
        let rest = rest.trim_start();
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        assert!(!rest.contains("unfinished") && !rest.contains("resumed"), "an interleaved strace line: {line}");
        // strace pads the call out to a column before " = ".
        let (call, result) = rest.rsplit_once(" = ").unwrap_or_else(|| panic!("not a call: {line}"));
        let (name, args) = call.trim_end().strip_suffix(')').and_then(|c| c.split_once('(')).unwrap_or_else(|| panic!("not a call: {line}"));
        let strings: Vec<String> = args.split('"').skip(1).step_by(2).map(str::to_owned).collect();
        let mut result = result.split_whitespace();
        let ret = result.next().unwrap();
        let ret = if ret == "-1" { result.next().unwrap().to_owned() } else { ret.to_owned() };
        calls.push((pid.parse().unwrap(), name.to_owned(), strings, ret));
    }
    calls
}

/// The same of a file record: its paths in the call's order (symlink's target first).
fn record_call(r: &Value) -> Call {
    let s = |k: &str| r[k].as_str().map(str::to_owned);
    let strings: Vec<String> = match r["op"].as_str().unwrap() {
        "symlink" => [s("target"), s("path")].into_iter().flatten().collect(),
        _ => [s("path"), s("new_path")].into_iter().flatten().collect(),
    };
    let ret = match r["errno"].as_str() {
        Some(errno) => errno.to_owned(),
        None => r["ret"].to_string(),
    };
    (r["tid"].as_u64().unwrap() as u32, r["syscall"].as_str().unwrap().to_owned(), strings, ret)
}

/// Every call strace saw is one record with the same call, paths and result, and there
/// is no other record; each path is named in full (the working directory joined with a
/// relative one; a descriptor's file), and the mode, owner, size and flags are as passed.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_file_change_strace_sees() {
    require_bpf();
    let dir = TestDir::new("file-oracle");
    let work = dir.path("work");
    std::fs::create_dir(&work).unwrap();
    let strace_out = dir.path("strace.txt");
    let shell = "mkdir d; mkdir d; touch f; chmod 600 f; chown 65534:65534 f; truncate -s 10 f; ln f hard; ln f hard; \
                 ln -s f soft; mv hard moved; mv nofile x; rm moved soft; rmdir d2; rmdir d; mknod fifo p; rm -r fifo f";
    let (cmd, env) = child::command_line(&["file-calls".into()]);
    let script = [format!("cd {} && {shell} 2>/dev/null; {} 2>/dev/null; true", work.display(), cmd.join(" "))];
    let strace = ["strace", "-f", "-qq", "-s", "4096", "-e", &format!("trace={CALLS}"), "-o", strace_out.to_str().unwrap(), "sh", "-c", &script[0]];
    let (records, _, stderr) = child::traced_command(&["file"], &strace, &[env]);
    let oracle = strace_calls(&std::fs::read_to_string(&strace_out).unwrap());
    assert!(oracle.len() >= 45, "{oracle:#?}");
    let files: Vec<&Value> = records.iter().filter(|r| r["kind"] == "file").collect();
    let mut seen: Vec<Call> = files.iter().map(|r| record_call(r)).collect();
    let mut expected = oracle.clone();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected, "sysnoop (left) and strace (right) differ\n{stderr}");

    // Full paths: the work directory joined with each relative path; the file of a
    // call on a descriptor.
    let work = work.to_str().unwrap();
    let in_work = |p: &str| if p.starts_with('/') { p.to_owned() } else { format!("{work}/{p}") };
    for r in &files {
        let op = r["op"].as_str().unwrap();
        match r["path"].as_str() {
            Some(path) => assert_eq!(r["full_path"], in_work(path), "{r}"),
            None if r["errno"] == "EBADF" => assert!(r["full_path"].is_null(), "no file: {r}"),
            None => assert!(r["full_path"].as_str().is_some_and(|f| Path::new(f).starts_with(work)), "a descriptor's file: {r}"),
        }
        if op == "rename" || op == "link" {
            assert_eq!(r["new_full_path"], in_work(r["new_path"].as_str().unwrap()), "{r}");
        } else {
            assert!(r["new_path"].is_null() && r["new_full_path"].is_null(), "{r}");
        }
        assert_eq!(r["target"].is_null(), op != "symlink", "{r}");
    }
    // The arguments, as passed, in the child's calls (the test binary's, named so).
    let one = |syscall: &str, path: Option<&str>| -> &Value {
        let mine = |r: &Value| r["comm"].as_str().is_some_and(|c| c.starts_with("child::"));
        let found: Vec<&&Value> = files.iter().filter(|r| mine(r) && r["syscall"] == syscall && r["path"].as_str() == path && r["errno"].is_null()).collect();
        assert_eq!(found.len(), 1, "{syscall} {path:?}: {found:#?}");
        found[0]
    };
    let by_key = |r: &Value, keys: &[&str]| -> BTreeMap<String, Value> { keys.iter().map(|k| (k.to_string(), r[*k].clone())).collect() };
    let expect = |r: &Value, pairs: &[(&str, Value)]| {
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        let want: BTreeMap<String, Value> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        assert_eq!(by_key(r, &keys), want, "{r}");
    };
    use serde_json::json;
    expect(one("mkdirat", Some("dir/sub")), &[("op", json!("mkdir")), ("mode", json!(0o700)), ("dirfd", json!("AT_FDCWD"))]);
    expect(one("mknod", Some("fifo")), &[("mode", json!(0o10600)), ("dev", Value::Null)]);
    expect(one("fchmod", None), &[("mode", json!(0o640)), ("fd", json!(3)), ("dirfd", Value::Null)]);
    expect(one("fchown", None), &[("owner", Value::Null), ("group", json!(65534))]);
    expect(one("fchownat", Some("a")), &[("owner", json!(0)), ("group", Value::Null), ("flags", json!(["AT_SYMLINK_NOFOLLOW"]))]);
    expect(one("truncate", Some("a")), &[("size", json!(100)), ("op", json!("truncate"))]);
    expect(one("ftruncate", None), &[("size", json!(10)), ("full_path", json!(format!("{work}/a")))]);
    expect(one("renameat2", Some("a")), &[("flags", json!(["RENAME_EXCHANGE"])), ("new_path", json!("c")), ("new_dirfd", json!("AT_FDCWD"))]);
    expect(one("unlinkat", Some("dir/sub")), &[("op", json!("rmdir")), ("flags", json!(["AT_REMOVEDIR"]))]);
    expect(one("symlink", Some("link")), &[("target", json!("a")), ("new_dirfd", Value::Null)]);
    let counts = &records.last().unwrap()["counts"]["file"];
    assert_eq!((&counts["emitted"], &counts["lost"], &counts["pairing_misses"]), (&json!(seen.len()), &json!(0), &json!(0)), "{counts}");
}
