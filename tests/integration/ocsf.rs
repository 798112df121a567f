//! `--format ocsf` against the real kernel: every kind sysnoop can emit is produced for
//! real, and every line it prints is validated against its OCSF 1.3.0 class's JSON
//! Schema (tests/ocsf/, written by scripts/gen-ocsf-schemas from the official export);
//! then the child's events are checked field by field.

use std::net::TcpListener;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::child::{self, exec_line, hex, open_line, Waiting};
use crate::util::{exec_id, require_bpf, Output, TestDir, Trace};

/// The schema of each OCSF class sysnoop emits, by class_uid.
fn validators() -> &'static [(u64, jsonschema::Validator)] {
    static VALIDATORS: OnceLock<Vec<(u64, jsonschema::Validator)>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        [
            (0, include_str!("../ocsf/base_event.json")),
            (1001, include_str!("../ocsf/file_activity.json")),
            (1002, include_str!("../ocsf/kernel_extension.json")),
            (1003, include_str!("../ocsf/kernel_activity.json")),
            (1007, include_str!("../ocsf/process_activity.json")),
            (4001, include_str!("../ocsf/network_activity.json")),
            (5015, include_str!("../ocsf/process_query.json")),
        ]
        .into_iter()
        .map(|(class, schema)| {
            let schema: Value = serde_json::from_str(schema).unwrap();
            (class, jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("schema of class {class}: {e}")))
        })
        .collect()
    })
}

/// Every line must be one JSON object that its class's schema accepts: a schema error
/// fails the test, with the line.
pub fn parse(stdout: &[u8], context: &str) -> Vec<Value> {
    let text = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    text.lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\nstderr:\n{context}"));
            let class = event["class_uid"].as_u64().unwrap_or_else(|| panic!("no class_uid: {line}"));
            let (_, validator) = validators().iter().find(|(c, _)| *c == class).unwrap_or_else(|| panic!("class {class} is not one sysnoop emits: {line}"));
            let errors: Vec<String> = validator.iter_errors(&event).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "not a valid OCSF 1.3.0 event of class {class}: {errors:#?}\n{line}");
            assert_eq!(event["metadata"]["version"], "1.3.0", "{line}");
            assert_eq!(event["type_uid"], class * 100 + event["activity_id"].as_u64().unwrap(), "{line}");
            event
        })
        .collect()
}

/// (class_uid, activity_id, type_uid).
fn ids(e: &Value) -> (u64, u64, u64) {
    (e["class_uid"].as_u64().unwrap(), e["activity_id"].as_u64().unwrap(), e["type_uid"].as_u64().unwrap())
}

/// The events of class `class` and activity `activity`.
fn of<'a>(out: &'a Output, class: u64, activity: u64) -> impl Iterator<Item = &'a Value> + 'a {
    out.records.iter().filter(move |e| e["class_uid"] == class && e["activity_id"] == activity)
}

/// The one event of `class`/`activity` that `pick` selects.
fn the(out: &Output, class: u64, activity: u64, pick: impl Fn(&Value) -> bool) -> &Value {
    let found: Vec<&Value> = of(out, class, activity).filter(|e| pick(e)).collect();
    assert_eq!(found.len(), 1, "expected one {class}/{activity} event, got {found:#?}\nstderr:\n{}", out.stderr);
    found[0]
}

/// The summary: the last line, a Base Event with the native summary under `unmapped`.
fn summary(out: &Output) -> &Value {
    let last = out.records.last().expect("no output");
    assert_eq!((&last["class_uid"], &last["activity_id"], &last["unmapped"]["kind"]), (&json!(0), &json!(99), &json!("summary")), "{last}");
    last
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_kind_of_all_is_a_valid_ocsf_event() {
    require_bpf();
    let dir = TestDir::new("ocsf");
    let file = dir.file("seen");
    let missing = dir.path("missing");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let refused = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(); // dropped
    let no_socket = dir.path("no.sock");

    // The child, traced by pid (a host-wide `all` under the other tests would be
    // hundreds of thousands of events), ends by exec'ing a shell that exits 3.
    let child = Waiting::spawn(&[
        "wait".into(),
        "comm s11-ocsf".into(),
        open_line("openat", nix::libc::O_RDONLY, 0, &file),
        open_line("openat", nix::libc::O_RDONLY, 0, &missing),
        format!("connect tcp 127.0.0.1:{port}"),
        format!("connect tcp 127.0.0.1:{refused}"),
        format!("connect unix {}", hex(no_socket.as_os_str().as_bytes())),
        exec_line("exec", &missing, &[b"missing", b"arg"]),
        "sleep 300".into(), // a traffic interval or more
        exec_line("exec", Path::new("/bin/sh"), &[b"sh", b"-c", b"exit 3"]),
    ]);
    let pid = child.pid;
    let (id, our_id) = (exec_id(pid), exec_id(std::process::id()));
    let trace = Trace::start(&["all", "--format", "ocsf", "-p", &pid.to_string(), "--traffic-interval", "100ms"]);
    let (status, got) = child.go_to_end();
    let out = trace.stop_ocsf();
    out.assert_success();
    assert_eq!(status.code(), Some(3));
    assert_eq!(got.len(), 6, "{got:?}");
    let mine = |e: &Value| e["actor"]["process"]["pid"] == pid;
    let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
    let release = nix::sys::utsname::uname().unwrap().release().to_str().unwrap().to_owned();
    let device = json!({"type_id": 0, "hostname": host, "os": {"name": "Linux", "type_id": 200, "version": release}});

    // The child, running before tracing began: Process Query, Query, Exists.
    let found = the(&out, 5015, 1, |e| e["process"]["pid"] == pid);
    assert_eq!((&found["query_result_id"], &found["process"]["uid"]), (&json!(1), &json!(id)), "{found}");
    assert_eq!(found["process"]["parent_process"], json!({"pid": std::process::id(), "uid": our_id}), "{found}");
    assert_eq!(found["metadata"]["profiles"], json!(["host"]), "{found}");

    // exec: Process Activity, Launch. The failed one, under the name the child set ...
    let failed = the(&out, 1007, 1, |e| e["process"]["pid"] == pid && e["status_id"] == 2);
    assert_eq!(failed["process"]["name"], "s11-ocsf");
    assert_eq!(failed["process"]["cmd_line"], "missing arg");
    assert_eq!(failed["process"]["file"], json!({"name": "missing", "type_id": 0, "path": missing.to_str().unwrap()}));
    assert_eq!((&failed["status_detail"], &failed["unmapped"]["ret"], &failed["unmapped"]["argv"]), (&json!("ENOENT"), &json!(-2), &json!(["missing", "arg"])));
    assert_eq!(failed["actor"], json!({"process": {"pid": std::process::id(), "uid": our_id}, "user": {"uid": "0"}}));
    assert_eq!(failed["process"]["uid"], id, "the process's exec_id");
    assert_eq!(failed["device"], device);
    // ... and the shell it became.
    let launch = the(&out, 1007, 1, |e| e["process"]["pid"] == pid && e["status_id"] == 1);
    assert_eq!(launch["process"]["file"], json!({"name": "sh", "type_id": 1, "path": "/bin/sh"}));
    assert_eq!((&launch["process"]["cmd_line"], &launch["process"]["name"]), (&json!("sh -c exit 3"), &json!("sh")));
    assert!(launch.get("status_detail").is_none(), "{launch}");
    assert_eq!(launch["process"]["uid"], id, "an exec keeps the exec_id");

    // open: File System Activity, Open.
    let opened = the(&out, 1001, 14, |e| mine(e) && e["file"]["path"] == file.to_str().unwrap());
    assert_eq!(opened["file"], json!({"name": "seen", "type_id": 0, "path": file.to_str().unwrap()}));
    assert_eq!((&opened["status_id"], opened.get("status_detail")), (&json!(1), None));
    assert_eq!(opened["actor"]["process"]["tid"], got[0].tid);
    assert_eq!(opened["actor"]["process"]["parent_process"], json!({"pid": std::process::id()}));
    assert_eq!(opened["actor"]["user"], json!({"uid": "0"}));
    assert_eq!(
        opened["unmapped"],
        json!({"syscall": "openat", "dirfd": "AT_FDCWD", "path": file.to_str().unwrap(), "full_path_truncated": false,
               "flags": ["O_RDONLY"], "mode": 0, "ret": got[0].ret})
    );
    assert_eq!(opened["device"], device);
    let not_there = the(&out, 1001, 14, |e| mine(e) && e["file"]["path"] == missing.to_str().unwrap());
    assert_eq!((&not_there["status_id"], &not_there["status_detail"], &not_there["unmapped"]["ret"]), (&json!(2), &json!("ENOENT"), &json!(-2)));

    // connect: Network Activity, Open / Refuse / Fail, from the host profile.
    let connected = the(&out, 4001, 1, mine);
    assert_eq!(connected["metadata"]["profiles"], json!(["host"]));
    assert_eq!(connected["dst_endpoint"], json!({"ip": "127.0.0.1", "port": port}));
    assert_eq!(connected["src_endpoint"], json!({"ip": "127.0.0.1", "port": got[2].sport}));
    assert_eq!(connected["connection_info"], json!({"direction_id": 2, "protocol_num": 6, "protocol_name": "tcp", "protocol_ver_id": 4}));
    assert_eq!((&connected["status_id"], &connected["unmapped"]["fd"]), (&json!(1), &json!(got[2].fd)));
    let refusal = the(&out, 4001, 5, mine);
    assert_eq!((&refusal["dst_endpoint"]["port"], &refusal["status_detail"]), (&json!(refused), &json!("ECONNREFUSED")));
    let failure = the(&out, 4001, 4, mine);
    assert_eq!(failure["dst_endpoint"], json!({"name": no_socket.to_str().unwrap()}));
    assert_eq!((&failure["status_detail"], &failure["unmapped"]["family"]), (&json!("ENOENT"), &json!("unix")));
    assert!(failure["connection_info"].get("protocol_num").is_none(), "{failure}");

    // exit: Process Activity, Terminate.
    let exit = the(&out, 1007, 2, |e| e["process"]["pid"] == pid);
    assert_eq!(exit["process"]["name"], "sh");
    assert_eq!((&exit["exit_code"], &exit["unmapped"]["signal"]), (&json!(3), &Value::Null));
    let duration_ns = exit["unmapped"]["duration_ns"].as_u64().unwrap();
    assert_eq!(exit["duration"], duration_ns / 1_000_000);
    assert!(duration_ns >= 300_000_000, "{exit}");

    // traffic: Network Activity, Traffic, every interval while the host talks (the
    // child's connects did); its total is the sum of both ways.
    let traffic: Vec<&Value> = of(&out, 4001, 6).collect();
    assert!(!traffic.is_empty(), "no traffic event");
    for t in traffic {
        let v = &t["traffic"];
        assert_eq!(v["bytes"], v["bytes_in"].as_u64().unwrap() + v["bytes_out"].as_u64().unwrap(), "{t}");
        assert_eq!(v["packets"], v["packets_in"].as_u64().unwrap() + v["packets_out"].as_u64().unwrap(), "{t}");
        assert_eq!(t["actor"]["app_name"], t["unmapped"]["cgroup"], "{t}");
        assert_eq!(t["duration"], t["unmapped"]["interval_ns"].as_u64().unwrap() / 1_000_000, "{t}");
    }

    // The start record first, a Base Event with the native record; the summary last,
    // counting exactly the lines between them.
    let start = &out.records[0];
    assert_eq!((ids(start), &start["unmapped"]["kind"], &start["unmapped"]["format"]), ((0, 99, 99), &json!("start"), &json!("ocsf")));
    crate::records::check(&start["unmapped"]).unwrap();
    let counts = &summary(&out)["unmapped"]["counts"];
    let emitted: u64 = ["open", "exec", "process", "exit", "connect", "traffic", "alert"].iter().map(|k| counts[k]["emitted"].as_u64().unwrap()).sum();
    assert_eq!(emitted as usize, out.records.len() - 2);
}

/// connect_result: Network Activity, Open (established), Refuse, Close (its process
/// closed the socket first), with the connect's id under `unmapped` on both events.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn connect_outcomes_are_network_activity() {
    require_bpf();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let silent = crate::connect::Silent::new(false);
    let script = [
        "comm s29-ocsf".to_string(),
        format!("connect-nb {} 0 5000", listener.local_addr().unwrap()),
        format!("connect-nb {refused} 0 5000"),
        format!("connect-nb {} 0 200", silent.addr),
    ];
    let trace = Trace::start(&["connect", "--format", "ocsf", "-n", "s29-ocsf"]);
    let (pid, got) = child::run(&script);
    let out = trace.stop_ocsf();
    out.assert_success();
    assert_eq!(got.iter().map(|g| g.error).collect::<Vec<_>>(), [0, 111, -1]);
    let results: Vec<&Value> = out.records.iter().filter(|e| e["class_uid"] == 4001 && e["unmapped"]["outcome"].is_string()).collect();
    assert_eq!(results.len(), 3, "{:?}", out.records);
    for (e, (activity, status, outcome)) in results.iter().zip([(1, 1, "established"), (5, 2, "refused"), (2, 2, "closed")]) {
        assert_eq!((ids(e), &e["status_id"], &e["unmapped"]["outcome"]), ((4001, activity, 400100 + activity), &json!(status), &json!(outcome)), "{e}");
        assert_eq!(e["actor"]["process"]["pid"], pid, "{e}");
        assert_eq!(e["duration"], e["unmapped"]["duration_ns"].as_u64().unwrap() / 1_000_000, "{e}");
        let id = &e["unmapped"]["connect_id"];
        let connects: Vec<&Value> = out.records.iter().filter(|c| c["unmapped"]["connect_id"] == *id && c["unmapped"]["fd"].is_number()).collect();
        assert_eq!(connects.len(), 1, "{e}");
        assert_eq!((&connects[0]["status_id"], &connects[0]["status_detail"]), (&json!(99), &json!("EINPROGRESS")));
        assert_eq!(connects[0]["dst_endpoint"], e["dst_endpoint"], "{e}");
    }
    assert_eq!(results[1]["status_detail"], "ECONNREFUSED");
    assert_eq!(results[0]["src_endpoint"], json!({"ip": "127.0.0.1", "port": got[0].sport}));
}

/// accept, bind and listen: Network Activity, inbound; accept Open (Fail when it
/// failed) with the peer as the source; listen Listen; bind Other, named "Bind".
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn inbound_sockets_are_network_activity() {
    require_bpf();
    let trace = Trace::start(&["all", "--format", "ocsf", "-n", "s29-inbound"]);
    let (pid, got) = child::run(&["comm s29-inbound".into(), "serve tcp 127.0.0.1:0 1".into()]);
    let out = trace.stop_ocsf();
    out.assert_success();
    let (listener, accepted) = (&got[0], &got[1]);
    let mine = |e: &Value| e["actor"]["process"]["pid"] == pid;
    let local = json!({"ip": "127.0.0.1", "port": listener.sport});
    let bind = the(&out, 4001, 99, |e| mine(e) && e["status_id"] == 1);
    assert_eq!((&bind["activity_name"], &bind["dst_endpoint"], &bind["connection_info"]["direction_id"]), (&json!("Bind"), &local, &json!(1)), "{bind}");
    let in_use = the(&out, 4001, 99, |e| mine(e) && e["status_id"] == 2);
    assert_eq!(in_use["status_detail"], "EADDRINUSE", "{in_use}");
    let listen = the(&out, 4001, 7, mine);
    assert_eq!((&listen["dst_endpoint"], &listen["unmapped"]["backlog"]), (&local, &json!(7)), "{listen}");
    let open = the(&out, 4001, 1, |e| mine(e) && e["unmapped"]["syscall"] == "accept");
    assert_eq!((&open["src_endpoint"], &open["dst_endpoint"]), (&json!({"ip": "127.0.0.1", "port": accepted.sport}), &local), "{open}");
    assert_eq!((&open["connection_info"]["direction_id"], &open["status_id"], &open["unmapped"]["ret"]), (&json!(1), &json!(1), &json!(accepted.ret)));
    let failed = the(&out, 4001, 4, |e| mine(e) && e["unmapped"]["syscall"] == "accept4");
    assert_eq!((&failed["status_detail"], failed.get("src_endpoint")), (&json!("EAGAIN"), None), "{failed}");
}

/// file: File System Activity, by what the call does; a rename's new name in
/// `file_result`; the native record under `unmapped`.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn file_changes_are_file_system_activity() {
    require_bpf();
    let dir = TestDir::new("ocsf-file");
    let trace = Trace::start(&["file", "--format", "ocsf", "-n", "s29-file"]);
    let (pid, _) = child::run(&["comm s29-file".into(), format!("chdir {}", hex(dir.path("").as_os_str().as_bytes())), "file-calls".into()]);
    let out = trace.stop_ocsf();
    out.assert_success();
    let work = dir.path("");
    let work = work.to_str().unwrap().trim_end_matches('/');
    fn call(pid: u32, syscall: &'static str, status: u64) -> impl Fn(&Value) -> bool {
        move |e: &Value| e["actor"]["process"]["pid"] == pid && e["unmapped"]["syscall"] == syscall && e["status_id"] == status
    }
    let mine = |syscall: &'static str, status: u64| call(pid, syscall, status);
    let mkdir = the(&out, 1001, 1, mine("mkdirat", 1));
    assert_eq!(mkdir["file"], json!({"name": "sub", "type_id": 2, "path": format!("{work}/dir/sub")}));
    let rename = the(&out, 1001, 5, mine("rename", 1));
    assert_eq!((&rename["file"]["path"], &rename["file_result"]["path"]), (&json!(format!("{work}/c")), &json!(format!("{work}/new"))));
    let failed = the(&out, 1001, 5, mine("rename", 2));
    assert_eq!((&failed["status_detail"], &failed["unmapped"]["ret"]), (&json!("ENOENT"), &json!(-2)));
    the(&out, 1001, 4, mine("unlink", 1));
    let chmod = the(&out, 1001, 7, mine("chmod", 1));
    assert_eq!(chmod["unmapped"]["mode"], 0o600);
    the(&out, 1001, 3, mine("ftruncate", 1));
    let utimes: Vec<&Value> = of(&out, 1001, 6).filter(|e| mine("utimensat", 1)(e)).collect();
    assert_eq!(utimes.len(), 2, "{utimes:#?}");
}

/// syscall and syscall_count records, and alerts, have no OCSF class: Base Events, the
/// native record under `unmapped`.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn records_without_a_class_are_base_events() {
    require_bpf();
    let script = ["comm s11-base".to_string(), "close-bad 5".into()];

    let trace = Trace::start(&["syscalls", "--format", "ocsf", "-n", "s11-base", "--syscall", "close"]);
    let (pid, _) = child::run(&script);
    let out = trace.stop_ocsf();
    out.assert_success();
    let calls: Vec<&Value> = of(&out, 0, 99).filter(|e| e["unmapped"]["kind"] == "syscall").collect();
    assert_eq!(calls.len(), 5, "{:?}", out.records);
    for e in calls {
        let native = &e["unmapped"];
        assert_eq!(
            (&native["pid"], &native["syscall"], &native["errno"], &native["comm"]),
            (&json!(pid), &json!("close"), &json!("EBADF"), &json!("s11-base")),
            "{e}"
        );
        crate::records::check(native).unwrap_or_else(|err| panic!("not a native record ({err}): {native}"));
    }
    summary(&out);

    let trace = Trace::start(&["syscalls", "--format", "ocsf", "-n", "s11-base", "--count"]);
    child::run(&script);
    let out = trace.stop_ocsf();
    let close = the(&out, 0, 99, |e| e["unmapped"]["kind"] == "syscall_count" && e["unmapped"]["syscall"] == "close");
    assert_eq!((&close["unmapped"]["count"], &close["unmapped"]["errors"]), (&json!(5), &json!(5)), "{close}");
    crate::records::check(&close["unmapped"]).unwrap();

    let trace = Trace::start(&["traffic", "--format", "ocsf", "-i", "100ms", "--alert-bytes-per-sec", "1"]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    child::run(&[format!("connect tcp {}", listener.local_addr().unwrap())]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = trace.stop_ocsf();
    let alerts: Vec<&Value> = of(&out, 0, 99).filter(|e| e["unmapped"]["kind"] == "alert").collect();
    assert!(!alerts.is_empty(), "no alert at 1 byte/s: {:?}", out.records);
    for a in alerts {
        crate::records::check(&a["unmapped"]).unwrap();
        assert!(same_ms(&a["time"], &a["unmapped"]["time"]), "{a}");
    }
}

/// OCSF's `time` (milliseconds) names the millisecond of the native record's RFC 3339
/// `time`: written the native way, it reads the same up to the milliseconds.
fn same_ms(ocsf_ms: &Value, native: &Value) -> bool {
    let ms = sysnoop::clock::Timestamp(i128::from(ocsf_ms.as_i64().unwrap()) * 1_000_000).to_string();
    ms[..23] == native.as_str().unwrap()[..23]
}

/// cred and ptrace: Process Activity. Set User ID for a call that sets user ids (the
/// actor with its user before, the process with its user after), Other for the rest;
/// ptrace's attach is Open, with the target as the process. bpf_prog: Kernel Activity,
/// Create (OCSF has no class for BPF): `kernel` names the program and its type; a
/// refused load is a Failure.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn privilege_calls_are_process_activity() {
    require_bpf();
    let waiting = child::Waiting::spawn(&["wait".into(), "priv-calls".into()]);
    let pid = waiting.pid;
    let trace = Trace::start(&["priv", "--format", "ocsf", "--follow", &pid.to_string()]);
    let reports = waiting.go();
    let out = trace.stop_ocsf();
    out.assert_success();
    let mine = |syscall: &'static str| move |e: &Value| e["actor"]["process"]["pid"] == pid && e["unmapped"]["syscall"] == syscall;
    let setresuid = the(&out, 1007, 5, mine("setresuid"));
    assert_eq!((&setresuid["actor"]["user"]["uid"], &setresuid["process"]["user"]["uid"], &setresuid["status_id"]), (&json!("0"), &json!("1000"), &json!(1)));
    assert_eq!(setresuid["process"]["uid"], setresuid["unmapped"]["exec_id"]);
    let setgid = the(&out, 1007, 99, mine("setgid"));
    assert_eq!((&setgid["status_id"], &setgid["status_detail"]), (&json!(2), &json!("EPERM")));
    the(&out, 1007, 99, mine("capset"));
    let attach = the(&out, 1007, 3, |e| e["actor"]["process"]["pid"] == pid && e["unmapped"]["request"] == "PTRACE_ATTACH");
    let tracee = attach["unmapped"]["target_pid"].clone();
    assert_eq!((&attach["process"]["pid"], &attach["process"]["uid"]), (&tracee, &attach["unmapped"]["target"]["exec_id"]));
    let traceme = the(&out, 1007, 3, |e| e["actor"]["process"]["pid"] == reports[0].fd);
    assert_eq!((&traceme["process"]["pid"], &traceme["unmapped"]["request"]), (&json!(pid), &json!("PTRACE_TRACEME")));
    let failed = the(&out, 1007, 99, |e| e["actor"]["process"]["pid"] == pid && e["unmapped"]["errno"] == "ESRCH");
    assert_eq!((&failed["process"], &failed["status_detail"]), (&json!({"pid": 1}), &json!("ESRCH")));
    let loads: Vec<&Value> = of(&out, 1003, 1).filter(|e| e["actor"]["process"]["pid"] == pid).collect();
    assert_eq!(loads.len(), 2, "{loads:#?}");
    assert_eq!(
        (&loads[0]["kernel"], &loads[0]["status_id"], &loads[0]["unmapped"]["id"]),
        (&json!({"name": "sn_test", "type": "bpf_prog:socket_filter", "type_id": 99}), &json!(1), &json!(reports[0].id))
    );
    assert_eq!((&loads[1]["status_id"], &loads[1]["status_detail"]), (&json!(2), &json!("E2BIG")));
}

/// mount: File System Activity, Mount (mount, move_mount, fsmount) or Unmount, with the
/// mount point as a folder; pivot_root is Other.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn mount_calls_are_file_system_activity() {
    require_bpf();
    let dir = TestDir::new("ocsf-mount");
    let work = dir.path("work");
    std::fs::create_dir_all(work.join("a")).unwrap();
    let waiting = child::Waiting::spawn(&[format!("chdir {}", hex(work.as_os_str().as_bytes())), "wait".into(), "mount-calls".into()]);
    let pid = waiting.pid;
    let trace = Trace::start(&["priv", "--format", "ocsf", "--follow", &pid.to_string()]);
    waiting.go();
    let out = trace.stop_ocsf();
    out.assert_success();
    let work = work.to_str().unwrap();
    let mine = |syscall: &'static str| move |e: &Value| e["actor"]["process"]["pid"] == pid && e["unmapped"]["syscall"] == syscall;
    let mounts: Vec<&Value> = of(&out, 1001, 12).filter(|e| mine("mount")(e)).collect();
    assert_eq!(mounts[1]["file"], json!({"name": "a", "type_id": 2, "path": format!("{work}/a")}));
    the(&out, 1001, 12, mine("move_mount"));
    the(&out, 1001, 12, mine("fsmount"));
    let failed = the(&out, 1001, 13, |e| mine("umount2")(e) && e["status_id"] == 2);
    assert_eq!((&failed["status_detail"], &failed["file"]["path"]), (&json!("ENOENT"), &json!(format!("{work}/missing"))));
    the(&out, 1001, 99, mine("pivot_root"));
}
