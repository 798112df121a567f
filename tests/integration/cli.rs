//! Usage errors: exit status 2 and the reason in one line, before anything loads.

use crate::util::run;

fn usage_error(args: &[&str], reason: &str) {
    let out = run(args);
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(reason), "{args:?}: expected `{reason}` in:\n{stderr}");
    assert!(stderr.starts_with("sysnoop: error: ") && stderr.ends_with(" (see --help)\n"), "{args:?}: {stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(!stderr.trim_end().contains(|c: char| c.is_control()), "{args:?}: {stderr:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2_with_the_reason() {
    usage_error(&["open", "--ring-size", "3M"], "power of two");
    usage_error(&["open", "-d", "5parsecs"], "unknown unit");
    usage_error(&["open", "-n", "a-name-longer-than-15"], "15 bytes");
    usage_error(&["open", "-p", "0"], "0");
    usage_error(&["open", "-p", "nope"], "invalid digit");
    usage_error(&["open", "-u", "no-such-user-here"], "no user named");
    usage_error(&["open", "--max-events", "0"], "0");
    usage_error(&["open", "--no-such-flag"], "--no-such-flag");
    usage_error(&["frobnicate"], "frobnicate");
    usage_error(&["open", "--format", "xml"], "[possible values: native, ocsf, text]");
    usage_error(&["traffic", "-p", "1"], "unexpected argument '-p'");
    usage_error(&["all", "--count"], "unexpected argument '--count'");
    usage_error(&[], "a subcommand is required: doctor, open, exec");
    usage_error(&["open", "-p", "1", "-p", "2"], "'--pid <PID>' cannot be used multiple times");
    // What the user typed is quoted exactly, escaped.
    usage_error(&["exec", "--duration", "x\ny\u{1b}[31m"], r"invalid value 'x\ny\u{1b}[31m' for '--duration <DURATION>'");
    usage_error(&["connect", "--port", "\n\nUsage: x"], r"invalid value '\n\nUsage: x' for '--port <PORT[,PORT]>': `\n\nUsage: x` is not a port");
    usage_error(&["open", "-o", "out.json"], "a file is file:out.json");
    usage_error(&["open", "-o", "udp:host:514"], "unknown destination `udp:`");
    usage_error(&["open", "-o", "tcp:localhost"], "no port");
    usage_error(&["open", "-o", "tcp:::1:514"], "brackets");
    usage_error(&["exec", "--output", "unix:"], "the path is empty");
    usage_error(&["open", "--queue-size", "4K"], "from 64K to 1G");
}

#[test]
fn help_explains_every_flag() {
    let out = run(&["open", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--pid",
        "--tid",
        "--uid",
        "--name",
        "--failed",
        "--duration",
        "--max-events",
        "--ring-size",
        "--stats-interval",
        "--quiet",
        "--format",
        "--output",
        "--queue-size",
        "--session-id",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

/// `all` takes every kind's own options, under the kind's name.
#[test]
fn all_explains_each_kinds_options() {
    let out = run(&["all", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (heading, flag) in
        [("Exec options:", "--max-arg-bytes"), ("Exit options:", "--threads"), ("Connect options:", "--port"), ("Traffic options:", "--alert-bytes-per-sec")]
    {
        let at = help.find(heading).unwrap_or_else(|| panic!("no {heading} in:\n{help}"));
        assert!(help[at..].contains(flag), "{flag} is not under {heading}:\n{help}");
    }
    assert!(!help.contains("--count"), "{help}");
}

/// `sysnoop schema`: every record kind, each field described; one kind alone.
#[test]
fn schema_describes_every_record() {
    let out = run(&["schema"]);
    assert!(out.status.success());
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // In the registry's order, as the fields are in their records' (serde_json's preserve_order).
    let kinds: Vec<&str> = all["$defs"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "open",
            "exec",
            "process",
            "exit",
            "connect",
            "connect_result",
            "accept",
            "bind",
            "listen",
            "file",
            "cred",
            "ptrace",
            "bpf_prog",
            "mount",
            "module",
            "syscall",
            "syscall_count",
            "lsm_file_open",
            "lsm_socket_connect",
            "traffic",
            "alert",
            "start",
            "loss",
            "summary",
            "stats"
        ]
    );
    for (kind, schema) in all["$defs"].as_object().unwrap() {
        assert_eq!(schema["properties"]["kind"]["const"], kind.as_str());
        for (field, property) in schema["properties"].as_object().unwrap() {
            assert!(property["description"].as_str().is_some_and(|d| !d.is_empty()), "{kind}.{field} is not described");
        }
    }
    let out = run(&["schema", "open"]);
    let open: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&open["title"], &open["required"][0], &open["additionalProperties"]), (&"open".into(), &"kind".into(), &false.into()));
    assert!(jsonschema::draft202012::new(&open).is_ok());
    usage_error(
        &["schema", "nope"],
        "[possible values: open, exec, process, exit, connect, connect_result, accept, bind, listen, file, cred, ptrace, bpf_prog, mount, module, syscall, syscall_count, lsm_file_open, lsm_socket_connect, traffic, alert, start, loss, summary, stats]",
    );
}

/// A name sysnoop is given can hold anything (a newline, a terminal's escape sequence):
/// on stderr, in an error or on the "tracing" line, it is escaped, so every message
/// stays one line that cannot rewrite the terminal.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn hostile_names_reach_stderr_escaped() {
    crate::util::require_bpf();
    use std::os::unix::ffi::OsStrExt;
    // Bytes that are not UTF-8 clap refuses in an option (not in CMD): exit 2.
    let out =
        std::process::Command::new(crate::util::SYSNOOP).args(["open".as_ref(), "-o".as_ref(), std::ffi::OsStr::from_bytes(b"file:\xff\n")]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "sysnoop: error: `file:\\xff\\n` (after `-o`) is not UTF-8 (only the command after -- may be any bytes) (see --help)\n"
    );
    let hostile = std::ffi::OsStr::from_bytes(b"x\ny\x1b[31m");
    let dir = crate::util::TestDir::new("hostile");
    let mut dest = std::ffi::OsString::from("file:");
    dest.push(dir.path("no-such-dir").join(hostile));
    for args in [
        vec![std::ffi::OsString::from("open"), "-o".into(), dest],
        vec!["open".into(), "--".into(), hostile.to_owned()],
        vec!["open".into(), "--cgroup".into(), hostile.to_owned()],
    ] {
        let out = std::process::Command::new(crate::util::SYSNOOP).args(&args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        assert_eq!(out.status.code(), Some(if args[1] == "--" { 127 } else { 1 }), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
        assert!(stderr.contains(r"x\ny\u{1b}[31m") && !stderr.contains('\x1b'), "{stderr:?}");
    }
    // The tracing line names the command run, escaped.
    let out = std::process::Command::new(crate::util::SYSNOOP).args(["open", "--", "true", "a\nb"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.lines().any(|l| l.starts_with("sysnoop: tracing open") && l.contains(r"`true a\nb` and its descendants")), "{stderr:?}");
}
