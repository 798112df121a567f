//! Every line sysnoop prints, as a typed record that rejects unknown and missing fields.
//! `util::parse_ndjson` deserializes each line into one, so a renamed, dropped or stray
//! field fails the test that printed it instead of reading as `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A field that must be present and may be null. (serde takes a missing `Option` field
/// as `None`; with a `deserialize_with` it must be there.)
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::deserialize(d)
}

/// A record kind that starts with the task head (`time`, then who did it, as
/// `TaskFields` in src/event.rs), then has its own fields. Written out, not with serde's
/// `flatten`, which turns `deny_unknown_fields` off.
macro_rules! task_record {
    ($name:ident { $($(#[$attr:meta])* $field:ident: $ty:ty,)* }) => {
        #[allow(dead_code)]
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub time: String,
            pub session: String,
            pub pid: u32,
            pub tid: u32,
            pub ppid: u32,
            pub uid: u32,
            pub comm: String,
            #[serde(default)]
            pub comm_hex: Option<String>,
            pub cgroup_id: u64,
            /// --cgroup-path.
            #[serde(default)]
            pub cgroup: Option<String>,
            #[serde(default)]
            pub container_id: Option<String>,
            #[serde(default)]
            pub container_runtime: Option<String>,
            $($(#[$attr])* pub $field: $ty,)*
        }
    };
}

/// A stdout line of a tracing run, told apart by `kind`.
#[allow(dead_code)] // the fields are read through serde_json::Value by the tests
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Open(Open),
    Exec(Exec),
    Process(Process),
    Exit(Exit),
    Connect(Connect),
    ConnectResult(ConnectResult),
    Accept(Accept),
    Bind(Bind),
    Listen(Listen),
    File(File),
    Cred(Cred),
    Ptrace(Ptrace),
    BpfProg(BpfProg),
    Mount(Mount),
    Module(Module),
    Syscall(Syscall),
    SyscallCount(SyscallCount),
    Traffic(Traffic),
    Alert(Alert),
    LsmFileOpen(LsmFileOpen),
    LsmSocketConnect(LsmSocketConnect),
    Start(Start),
    Loss(Loss),
    Summary(Summary),
}

task_record! {
    Open {
        syscall: String,
        #[serde(deserialize_with = "nullable")]
        dirfd: Option<Dirfd>,
        path: String,
        #[serde(default)]
        path_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        full_path: Option<String>,
        #[serde(default)]
        full_path_hex: Option<String>,
        full_path_truncated: bool,
        flags: Vec<String>,
        mode: u32,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    LsmFileOpen {
        path: String,
        #[serde(default)]
        path_hex: Option<String>,
        path_truncated: bool,
        inode: u64,
        dev: String,
        file_type: String,
        mode: String,
        flags: Vec<String>,
    }
}

task_record! {
    LsmSocketConnect {
        family: String,
        #[serde(deserialize_with = "nullable")]
        protocol: Option<String>,
        #[serde(deserialize_with = "nullable")]
        socket_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        daddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        dport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
    }
}

/// openat's dirfd: a descriptor, or "AT_FDCWD" (and nothing else).
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Dirfd {
    Fd(i32),
    Cwd(AtFdcwd),
}

#[derive(Debug, Deserialize)]
pub enum AtFdcwd {
    #[serde(rename = "AT_FDCWD")]
    AtFdcwd,
}

task_record! {
    Exec {
        exec_id: String,
        parent_exec_id: String,
        start_time: String,
        filename: String,
        #[serde(default)]
        filename_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        exe: Option<String>,
        #[serde(default)]
        exe_hex: Option<String>,
        exe_truncated: bool,
        fileless: bool,
        argv: Vec<String>,
        #[serde(default)]
        argv_hex: Option<Vec<String>>,
        argv_truncated: bool,
        #[serde(deserialize_with = "nullable")]
        cwd: Option<String>,
        #[serde(default)]
        cwd_hex: Option<String>,
        cwd_truncated: bool,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
        ancestors: Vec<Ancestor>,
        ancestors_truncated: bool,
    }
}

task_record! {
    Process {
        exec_id: String,
        #[serde(deserialize_with = "nullable")]
        parent_exec_id: Option<String>,
        start_time: String,
        state: String,
        kernel_thread: bool,
        euid: u32,
        #[serde(deserialize_with = "nullable")]
        exe: Option<String>,
        #[serde(default)]
        exe_hex: Option<String>,
        fileless: bool,
        argv: Vec<String>,
        #[serde(default)]
        argv_hex: Option<Vec<String>>,
        argv_truncated: bool,
        #[serde(deserialize_with = "nullable")]
        cwd: Option<String>,
        #[serde(default)]
        cwd_hex: Option<String>,
    }
}

/// One of an exec's ancestors.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ancestor {
    pub pid: u32,
    pub exec_id: String,
    pub comm: String,
    #[serde(default)]
    pub comm_hex: Option<String>,
}

task_record! {
    Exit {
        exec_id: String,
        #[serde(deserialize_with = "nullable")]
        exit_code: Option<u8>,
        #[serde(deserialize_with = "nullable")]
        signal: Option<String>,
        core_dumped: bool,
        duration_ns: u64,
        /// Present (and true) only on a thread's exit, with --threads.
        #[serde(default)]
        thread: Option<bool>,
    }
}

task_record! {
    Connect {
        fd: u32,
        family: String,
        #[serde(deserialize_with = "nullable")]
        protocol: Option<String>,
        #[serde(deserialize_with = "nullable")]
        socket_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        daddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        dport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
        #[serde(deserialize_with = "nullable")]
        connect_id: Option<u64>,
    }
}

task_record! {
    ConnectResult {
        connect_id: u64,
        outcome: Outcome,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
        family: String,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        daddr: Option<String>,
        dport: u16,
        duration_ns: u64,
    }
}

task_record! {
    Accept {
        syscall: String,
        fd: u32,
        family: String,
        #[serde(deserialize_with = "nullable")]
        protocol: Option<String>,
        #[serde(deserialize_with = "nullable")]
        socket_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        daddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        dport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
        flags: Vec<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    Bind {
        fd: u32,
        family: String,
        #[serde(deserialize_with = "nullable")]
        protocol: Option<String>,
        #[serde(deserialize_with = "nullable")]
        socket_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    Listen {
        fd: u32,
        backlog: i32,
        family: String,
        #[serde(deserialize_with = "nullable")]
        protocol: Option<String>,
        #[serde(deserialize_with = "nullable")]
        socket_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        saddr: Option<String>,
        #[serde(deserialize_with = "nullable")]
        sport: Option<u16>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    File {
        syscall: String,
        op: String,
        #[serde(deserialize_with = "nullable")]
        dirfd: Option<Dirfd>,
        #[serde(deserialize_with = "nullable")]
        fd: Option<i32>,
        #[serde(deserialize_with = "nullable")]
        path: Option<String>,
        #[serde(default)]
        path_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        full_path: Option<String>,
        #[serde(default)]
        full_path_hex: Option<String>,
        full_path_truncated: bool,
        #[serde(deserialize_with = "nullable")]
        new_dirfd: Option<Dirfd>,
        #[serde(deserialize_with = "nullable")]
        new_path: Option<String>,
        #[serde(default)]
        new_path_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        new_full_path: Option<String>,
        #[serde(default)]
        new_full_path_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        target: Option<String>,
        #[serde(default)]
        target_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        mode: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        owner: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        group: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        size: Option<u64>,
        #[serde(deserialize_with = "nullable")]
        dev: Option<String>,
        flags: Vec<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

/// A task's ids, in a cred record.
#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Groups {
    pub passed: Vec<u32>,
    pub before: Vec<u32>,
    pub after: Vec<u32>,
    pub truncated: bool,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CapSets {
    pub effective: Vec<String>,
    pub permitted: Vec<String>,
    pub inheritable: Vec<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredCaps {
    pub before: CapSets,
    pub after: CapSets,
    #[serde(deserialize_with = "nullable")]
    pub passed: Option<CapSets>,
}

task_record! {
    Cred {
        exec_id: String,
        syscall: String,
        args: Vec<i64>,
        before: Ids,
        after: Ids,
        #[serde(deserialize_with = "nullable")]
        groups: Option<Groups>,
        #[serde(deserialize_with = "nullable")]
        caps: Option<CredCaps>,
        failed: bool,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

/// A ptrace call's target.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub pid: u32,
    pub tid: u32,
    pub exec_id: String,
    pub comm: String,
    #[serde(default)]
    pub comm_hex: Option<String>,
}

task_record! {
    Ptrace {
        exec_id: String,
        request: String,
        request_id: i64,
        target_pid: i32,
        addr: String,
        data: String,
        #[serde(deserialize_with = "nullable")]
        target: Option<Target>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    BpfProg {
        exec_id: String,
        #[serde(deserialize_with = "nullable")]
        prog_type: Option<String>,
        #[serde(deserialize_with = "nullable")]
        prog_type_id: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        expected_attach_type: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        name: Option<String>,
        #[serde(default)]
        name_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        attach_func: Option<String>,
        #[serde(deserialize_with = "nullable")]
        insn_cnt: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        prog_flags: Option<u32>,
        loaded: bool,
        #[serde(deserialize_with = "nullable")]
        id: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        tag: Option<String>,
        #[serde(deserialize_with = "nullable")]
        insns: Option<u32>,
        #[serde(deserialize_with = "nullable")]
        fd: Option<i32>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    Mount {
        exec_id: String,
        syscall: String,
        mnt_ns: u64,
        #[serde(deserialize_with = "nullable")]
        source: Option<String>,
        #[serde(default)]
        source_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        from_dirfd: Option<Dirfd>,
        #[serde(deserialize_with = "nullable")]
        target: Option<String>,
        #[serde(default)]
        target_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        target_dirfd: Option<Dirfd>,
        #[serde(deserialize_with = "nullable")]
        target_full_path: Option<String>,
        #[serde(default)]
        target_full_path_hex: Option<String>,
        target_full_path_truncated: bool,
        #[serde(deserialize_with = "nullable")]
        put_old: Option<String>,
        #[serde(default)]
        put_old_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        fs_type: Option<String>,
        #[serde(default)]
        fs_type_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        options: Option<String>,
        #[serde(default)]
        options_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        fs_fd: Option<i32>,
        flags: Vec<String>,
        attr_flags: Vec<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

task_record! {
    Module {
        exec_id: String,
        syscall: String,
        #[serde(deserialize_with = "nullable")]
        name: Option<String>,
        #[serde(default)]
        name_hex: Option<String>,
        #[serde(deserialize_with = "nullable")]
        fd: Option<i32>,
        #[serde(deserialize_with = "nullable")]
        file: Option<String>,
        #[serde(default)]
        file_hex: Option<String>,
        file_truncated: bool,
        #[serde(deserialize_with = "nullable")]
        len: Option<u64>,
        #[serde(deserialize_with = "nullable")]
        params: Option<String>,
        #[serde(default)]
        params_hex: Option<String>,
        flags: Vec<String>,
        ret: i32,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
    }
}

/// How a connect ended (and nothing else).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Established,
    Refused,
    TimedOut,
    Unreachable,
    Reset,
    Closed,
    Failed,
    Pending,
}

task_record! {
    Syscall {
        syscall: String,
        nr: u32,
        /// null for exit and exit_group, which never return; so are errno and latency_ns
        /// (which is null without -L too).
        #[serde(deserialize_with = "nullable")]
        ret: Option<i64>,
        #[serde(deserialize_with = "nullable")]
        errno: Option<String>,
        #[serde(deserialize_with = "nullable")]
        latency_ns: Option<u64>,
        /// The registers in hex; null for an exec whose entry was not seen, as is decoded.
        #[serde(deserialize_with = "nullable")]
        args: Option<Vec<String>>,
        #[serde(deserialize_with = "nullable")]
        decoded: Option<serde_json::Map<String, serde_json::Value>>,
    }
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyscallCount {
    pub time: String,
    pub session: String,
    pub syscall: String,
    pub nr: u32,
    /// Only with -P, as is `comm`.
    #[serde(default)]
    pub pid: Option<u32>,
    #[serde(default)]
    pub comm: Option<String>,
    pub count: u64,
    pub errors: u64,
    /// --latency only.
    #[serde(deserialize_with = "nullable")]
    pub total_ns: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    pub max_ns: Option<u64>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    pub time: String,
    pub session: String,
    pub cgroup_id: u64,
    pub cgroup: String,
    pub interval_ns: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub protocols: BTreeMap<String, Flow>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    pub time: String,
    pub session: String,
    pub severity: String,
    pub cgroup_id: u64,
    pub cgroup: String,
    pub bytes_per_sec: u64,
    pub threshold: u64,
}

/// The first line of every run.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    pub time: String,
    pub session: String,
    pub version: String,
    #[serde(deserialize_with = "nullable")]
    pub kernel: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub machine_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub boot_id: Option<String>,
    pub format: String,
    pub kinds: Vec<Hooks>,
    pub skipped: Vec<Skipped>,
    pub filters: Filters,
    pub ring_size: u32,
    /// "ringbuf" or "perf".
    pub transport: String,
    pub fallbacks: Vec<Fallback>,
}

/// Where events went missing (src/stats.rs's Loss).
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loss {
    pub time: String,
    pub session: String,
    pub of: String,
    pub counter: String,
    pub count: u64,
    pub since: String,
    pub until: String,
}

/// A kernel feature the programs do without (src/features.rs).
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    pub name: String,
    pub since: String,
    pub instead: String,
    pub why: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hooks {
    pub kind: String,
    /// The record kinds it writes.
    pub records: Vec<String>,
    pub hooks: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub detail: Option<String>,
    pub absent: Vec<String>,
    /// The kernel features its programs do without here.
    pub without: Vec<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub kind: String,
    pub reason: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    #[serde(deserialize_with = "nullable")]
    pub pid: Option<u32>,
    #[serde(deserialize_with = "nullable")]
    pub tid: Option<u32>,
    #[serde(deserialize_with = "nullable")]
    pub uid: Option<u32>,
    #[serde(deserialize_with = "nullable")]
    pub comm: Option<String>,
    pub failed: bool,
    #[serde(deserialize_with = "nullable")]
    pub cgroup: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub follow: Option<u32>,
    #[serde(deserialize_with = "nullable")]
    pub command: Option<Vec<String>>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub time: String,
    pub session: String,
    pub elapsed_ns: u64,
    pub counts: BTreeMap<String, Counts>,
    /// -- CMD, --follow.
    #[serde(default)]
    pub follow: Option<FollowCounts>,
    /// The perf transport's own count of lost samples.
    #[serde(default)]
    pub perf_lost: Option<u64>,
    /// By hook: the runs of a program the kernel skipped, when any were.
    #[serde(default)]
    pub skipped: BTreeMap<String, u64>,
    /// The /proc snapshot (`all`, `exec --snapshot`).
    #[serde(default)]
    pub snapshot: Option<SnapshotCounts>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SnapshotCounts {
    pub listed: u64,
    pub superseded: u64,
    pub vanished: u64,
    pub unread: u64,
    pub duration_ns: u64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FollowCounts {
    pub tasks: u64,
    pub untracked: u64,
}

/// Written out rather than taken from sysnoop::stats::Counts: a field renamed there must
/// fail here.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub emitted: u64,
    pub filtered: u64,
    pub lost: u64,
    pub pairing_misses: u64,
    pub malformed: u64,
    pub unwritten: u64,
    pub deduplicated: u64,
    pub unsent: u64,
}

/// A `sysnoop doctor` line.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub required: bool,
    pub detail: String,
}

/// Fails unless `value` is exactly one of the records above.
pub fn check(value: &serde_json::Value) -> Result<(), String> {
    let typed = if value.get("kind").is_some() {
        serde_json::from_value::<Record>(value.clone()).map(drop)
    } else {
        serde_json::from_value::<Check>(value.clone()).map(drop)
    };
    typed.map_err(|e| e.to_string())
}

#[test]
fn records_reject_unknown_missing_and_mistyped_fields() {
    let open = serde_json::json!({
        "kind": "open", "time": "2026-11-22T05:13:35.915000289Z", "session": "0195c4a0-0000-7000-8000-000000000000", "pid": 1, "tid": 1, "ppid": 0,
        "uid": 0, "comm": "cat", "cgroup_id": 1, "syscall": "openat", "dirfd": "AT_FDCWD", "path": "/x", "full_path": "/x",
        "full_path_truncated": false, "flags": ["O_RDONLY"], "mode": 0,
        "ret": 3, "errno": null
    });
    assert_eq!(check(&open), Ok(()));
    let mut stray = open.clone();
    stray["pth"] = "/x".into();
    assert!(check(&stray).unwrap_err().contains("unknown field `pth`"));
    let mut missing = open.clone();
    missing.as_object_mut().unwrap().remove("errno");
    assert!(check(&missing).unwrap_err().contains("missing field `errno`"));
    let mut mistyped = open.clone();
    mistyped["ret"] = "3".into();
    assert!(check(&mistyped).is_err());
    // dirfd: a descriptor, null, or "AT_FDCWD", and nothing else.
    let with_dirfd = |dirfd: serde_json::Value| {
        let mut r = open.clone();
        r["dirfd"] = dirfd;
        check(&r)
    };
    assert_eq!(with_dirfd(serde_json::json!(7)), Ok(()));
    assert_eq!(with_dirfd(serde_json::json!(null)), Ok(()));
    assert_eq!(with_dirfd(serde_json::json!("AT_FDCWD")), Ok(()));
    assert!(with_dirfd(serde_json::json!("cwd")).is_err());
    assert!(check(&serde_json::json!({"kind": "opn"})).is_err());
}
