//! `sysnoop syscalls` arguments against strace: a real workload (Python opening,
//! statting, listing, renaming and removing files, some calls failing, a pipe, a refused
//! connect, and `git init` and `git status` in a small repository) under strace and
//! sysnoop at once. Each thread's calls are the same calls in the same order, with the
//! same results; the arguments sysnoop decodes match strace's decoding (paths byte for
//! byte), and for the other syscalls its registers match strace's `-e raw=`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::child;
use crate::util::{require_bpf, TestDir};

/// The syscalls whose decoded arguments are compared with strace's decoding; strace
/// prints every other one raw (`-e raw=!...`), and its registers are compared instead.
const DECODED: &[&str] = &[
    "open",
    "openat",
    "creat",
    "close",
    "read",
    "write",
    "pread64",
    "pwrite64",
    "lseek",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getcwd",
    "chdir",
    "fchdir",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "getdents64",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "pipe2",
    "mmap",
    "mprotect",
    "munmap",
    "brk",
    "madvise",
    "execve",
    "wait4",
    "kill",
    "tgkill",
    "socket",
    "connect",
    "bind",
    "futex",
    "getrandom",
    "exit_group",
    "set_tid_address",
    "rt_sigprocmask",
    "prlimit64",
    "arch_prctl",
    "umask",
];

/// The workload, run by /usr/bin/python3 with the work directory as its argument.
const WORKLOAD: &str = r#"
import os, socket, subprocess, sys
os.chdir(sys.argv[1])
os.mkdir("sub", 0o750)
fd = os.open("sub/f", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o640)
os.write(fd, b"hello\n")
os.close(fd)
os.stat("sub/f"); os.lstat("sub")
for missing in ("missing", b"sub/\xff\x01 odd"):
    try:
        os.stat(missing)
    except FileNotFoundError:
        pass
os.access("sub/f", os.R_OK | os.W_OK)
os.listdir("sub")
os.rename("sub/f", "sub/g")
os.unlink("sub/g")
try:
    os.rmdir("nonexistent")
except FileNotFoundError:
    pass
os.rmdir("sub")
r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
os.dup2(r, 10)
os.close(r); os.close(w); os.close(10)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect(("127.0.0.1", 9))
except OSError:
    pass
s.close()
os.kill(os.getpid(), 0)
subprocess.run(["/usr/bin/git", "init", "-q", "repo"], check=True)
open("repo/a", "w").write("a\n")
subprocess.run(["/usr/bin/git", "-C", "repo", "status", "--short"], check=True, stdout=subprocess.DEVNULL)
"#;

/// One call as strace printed it (`-f -xx`), its unfinished and resumed halves joined.
#[derive(Debug)]
struct Call {
    tid: u32,
    name: String,
    /// The arguments, split at top-level commas, comments dropped.
    args: Vec<String>,
    /// The result: a value (decimal or hex), `?` for a call that never returns, or the
    /// errno name.
    ret: String,
}

fn strace_calls(text: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut unfinished: BTreeMap<u32, String> = BTreeMap::new();
    for line in text.lines() {
        let (tid, rest) = line.split_once(' ').unwrap_or_else(|| panic!("not a strace line: {line}"));
        let tid: u32 = tid.parse().unwrap();
        let rest = rest.trim_start();
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        let whole = if let Some(first) = rest.strip_suffix(" <unfinished ...>") {
            assert!(unfinished.insert(tid, first.to_owned()).is_none(), "{line}");
            continue;
        } else if let Some(resumed) = rest.strip_prefix("<... ") {
            let (_, tail) = resumed.split_once(" resumed>").unwrap_or_else(|| panic!("{line}"));
            let first = unfinished.remove(&tid).unwrap_or_else(|| panic!("resumed without a start: {line}"));
            // The second half goes on where the first stopped (", " when strace cut
            // after an argument).
            format!("{first}{tail}")
        } else {
            rest.to_owned()
        };
        // strace pads the call out to a column before " = ".
        let (call, result) = whole.rsplit_once(" = ").unwrap_or_else(|| panic!("not a call: {whole}"));
        let call = call.trim_end().strip_suffix(')').unwrap_or_else(|| panic!("not a call: {whole}"));
        let (name, args) = call.split_once('(').unwrap_or_else(|| panic!("not a call: {whole}"));
        let mut result = result.split_whitespace();
        let ret = result.next().unwrap();
        let ret = if ret == "-1" { result.next().unwrap().to_owned() } else { ret.to_owned() };
        calls.push(Call { tid, name: name.to_owned(), args: split_args(args), ret });
    }
    assert!(unfinished.is_empty(), "calls strace never finished: {unfinished:?}");
    calls
}

/// `a, "b,c", {d, e}, [f] /* g */` -> `a`, `"b,c"`, `{d, e}`, `[f]`.
fn split_args(args: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut quoted, mut escaped) = (Vec::new(), String::new(), 0, false, false);
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            current.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => depth -= 1,
            '/' if chars.peek() == Some(&'*') => {
                // A comment: to its end.
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                continue;
            }
            ',' if depth == 0 => {
                out.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

/// A `-xx` string (`"\x2f\x65"`, perhaps followed by `...`) as bytes.
fn unquote(token: &str) -> Option<Vec<u8>> {
    let inner = token.strip_suffix("...").unwrap_or(token).strip_prefix('"')?.strip_suffix('"')?;
    inner.split("\\x").skip(1).map(|h| u8::from_str_radix(h, 16).ok()).collect()
}

/// strace's integer, decimal or hex.
fn number(token: &str) -> Option<i128> {
    let (negative, digits) = token.strip_prefix('-').map_or((false, token), |d| (true, d));
    let n = match digits.strip_prefix("0x") {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    Some(if negative { -n } else { n })
}

/// Whether sysnoop's `ours` (from `register`) says what strace's `token` says; None when strace shows
/// something sysnoop does not decode (a struct or buffer it points to).
fn same(ours: &Value, register: u64, token: &str) -> Option<bool> {
    // Keyword arguments (clone's `flags=...`).
    let token = match token.split_once('=') {
        Some((key, value)) if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !token.starts_with('"') => value,
        _ => token,
    };
    match ours {
        // A pointer sysnoop does not follow: its register, as a hex string.
        Value::String(s) if number(s) == Some(i128::from(register)) || (s == "NULL" && register == 0) => match token {
            t if t.starts_with(['{', '[', '"', '&', '~']) => None, // what the pointer points to, as strace reads it
            t => Some(number(t).or((t == "NULL").then_some(0)) == Some(i128::from(register))),
        },
        Value::String(s) if token.starts_with('"') => Some(unquote(token).unwrap_or_else(|| panic!("{token}")) == s.as_bytes()),
        Value::Number(n) => Some(number(token)? == n.as_i64().map(i128::from).or(n.as_u64().map(i128::from))?),
        Value::String(s) => {
            let set = |t: &str| -> Vec<String> {
                let mut v: Vec<String> = t.split('|').map(str::to_owned).collect();
                v.sort();
                v
            };
            Some(set(s) == set(token))
        }
        Value::Null => Some(token == "NULL" || number(token).is_some()),
        _ => None,
    }
}

/// sysnoop's result as strace prints it: the errno name, the value, or `?`.
fn result(r: &Value) -> String {
    match (&r["ret"], r["errno"].as_str()) {
        (Value::Null, _) => "?".into(),
        (_, Some(errno)) => errno.into(),
        (ret, None) => ret.to_string(),
    }
}

/// The registers as each call returns (the default), and as it enters (-L).
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn arguments_match_strace() {
    require_bpf();
    against_strace(&["syscalls"]);
    against_strace(&["syscalls", "-L"]);
}

fn against_strace(sysnoop: &[&str]) {
    let dir = TestDir::new("syscall-args");
    let work = dir.path("work");
    std::fs::create_dir(&work).unwrap();
    let strace_out = dir.path("strace.txt");
    let raw = format!("raw=!{}", DECODED.join(","));
    let work_arg = work.to_str().unwrap();
    let strace = [
        "strace",
        "-f",
        "-qqq",
        "-xx",
        "-s",
        "4096",
        "-e",
        "signal=none",
        "-e",
        &raw,
        "-o",
        strace_out.to_str().unwrap(),
        "/usr/bin/python3",
        "-c",
        WORKLOAD,
        work_arg,
    ];
    let env = [("GIT_CONFIG_NOSYSTEM", "1".to_owned()), ("HOME", work_arg.to_owned())];
    let (records, _, stderr) = child::traced_command(sysnoop, &strace, &env);
    let oracle = strace_calls(&std::fs::read_to_string(&strace_out).unwrap());

    // Each of the workload's threads: sysnoop's records from its first call strace shows
    // (before it, strace's own child prepares the exec), the same calls in the same order.
    let mut by_tid: BTreeMap<u32, Vec<&Value>> = BTreeMap::new();
    for r in records.iter().filter(|r| r["kind"] == "syscall") {
        by_tid.entry(r["tid"].as_u64().unwrap() as u32).or_default().push(r);
    }
    let mut strace_by_tid: BTreeMap<u32, Vec<&Call>> = BTreeMap::new();
    for call in &oracle {
        strace_by_tid.entry(call.tid).or_default().push(call);
    }
    assert!(strace_by_tid.len() >= 3, "python and two gits at least: {:?}", strace_by_tid.keys());
    let (mut decoded, mut raw_compared, mut paths, mut named) = (0, 0, 0, 0);
    let mut differences = Vec::new();
    for (tid, calls) in &strace_by_tid {
        let ours = by_tid.get(tid).map_or(&[][..], Vec::as_slice);
        // The workload's first thread: strace shows it from its execve.
        let first = ours.iter().position(|r| r["syscall"] == calls[0].name.as_str() && result(r) == calls[0].ret).unwrap_or(0);
        let ours = &ours[first..];
        let names = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>();
        assert_eq!(
            names(&mut ours.iter().map(|r| r["syscall"].as_str().unwrap().to_owned())),
            names(&mut calls.iter().map(|c| c.name.clone())),
            "thread {tid}: sysnoop's calls (left) and strace's (right) differ\n{stderr}"
        );
        for (r, call) in ours.iter().zip(calls) {
            let at = || format!("thread {tid} {}({}) = {}", call.name, call.args.join(", "), call.ret);
            if result(r) != call.ret && number(&call.ret) != r["ret"].as_i64().map(i128::from) {
                differences.push(format!("{}: result {}", at(), result(r)));
            }
            if DECODED.contains(&call.name.as_str()) {
                let Some(args) = r["decoded"].as_object() else {
                    differences.push(format!("{}: no decoded arguments: {r}", at()));
                    continue;
                };
                // Strings' companions (`_hex`) are not arguments.
                let values: Vec<(&String, &Value)> = args.iter().filter(|(k, _)| !k.ends_with("_hex") && !k.ends_with("_truncated")).collect();
                let registers: Vec<u64> = r["args"].as_array().unwrap().iter().map(|a| number(a.as_str().unwrap()).unwrap() as u64).collect();
                for ((token, (name, value)), &register) in call.args.iter().zip(&values).zip(&registers) {
                    let hex = args.get(&format!("{name}_hex")).and_then(Value::as_str);
                    let verdict = match hex {
                        Some(hex) => Some(unquote(token).is_some_and(|b| b.iter().map(|b| format!("{b:02x}")).collect::<String>() == hex)),
                        None => same(value, register, token),
                    };
                    match verdict {
                        Some(true) => {
                            decoded += 1;
                            paths += usize::from(token.starts_with('"'));
                            named += usize::from(token.starts_with(|c: char| c.is_ascii_uppercase()));
                        }
                        Some(false) => differences.push(format!("{}: {name} is {value}, strace says {token}", at())),
                        None => {}
                    }
                }
            } else {
                let args: Vec<&str> = r["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
                for (i, token) in call.args.iter().enumerate() {
                    match args.get(i) {
                        Some(a) if number(a) == number(token) => raw_compared += 1,
                        a => differences.push(format!("{}: argument {i} is {a:?}, strace says {token}", at())),
                    }
                }
            }
        }
    }
    assert!(differences.is_empty(), "{sysnoop:?}: {} differences:\n{}", differences.len(), differences.join("\n"));
    let compared = format!("{sysnoop:?}: compared {decoded} decoded arguments ({paths} strings, {named} named values) and {raw_compared} registers");
    assert!(decoded >= 1000 && raw_compared >= 50 && paths >= 200 && named >= 200, "{compared}");
    eprintln!("{compared}");
}
