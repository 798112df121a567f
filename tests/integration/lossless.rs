//! Nothing is lost silently: right after start-up, after thousands of process exits,
//! when threads die inside blocking calls or a whole threaded process is killed, and
//! when sysnoop itself is killed.

use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::sys::signal::Signal;
use serde_json::Value;

use crate::child::{self, hex, repeat_line, Waiting};
use crate::util::{
    has_syscall_tracepoints, has_tracepoint, map_keys, map_type, open_calls, open_maps, per_object, require_bpf, task_storage_has, without, Held, TestDir,
    Trace,
};

/// The "tracing" line means tracing: a process started the moment it is read loses none
/// of its calls (bench/startup-window checks the same from a shell).
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_child_started_the_instant_tracing_is_read_loses_no_call() {
    require_bpf();
    const N: usize = 20_000;
    let dir = TestDir::new("startup");
    let path = dir.file("first-calls");
    let trace = Trace::start(&["open", "-n", "s9-start"]);
    child::run(&["comm s9-start".into(), repeat_line(N as u32, &path)]);
    let out = trace.stop();
    out.assert_success();
    assert_eq!(out.opens_of(&path).len(), N, "{}", out.stderr);
    let counts = &out.summary()["counts"]["open"];
    assert_eq!((counts["lost"].as_u64(), counts["pairing_misses"].as_u64()), (Some(0), Some(0)), "{counts}");
}

/// exit and exit_group never return, so a pairing that stored them filled up after
/// ~10,000 process exits and then dropped every later call without a word. Now they are
/// reported at their enter and never stored: after 11,000 processes have come and gone,
/// 1,000 getpriority() calls are all counted, and so is every exit_group (with
/// --latency, which pairs; counted at the exit alone, exit_group is not counted).
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn process_exits_do_not_fill_the_pairing() {
    require_bpf();
    const RUNS: u64 = 11_000;
    const CALLS: u64 = 1_000;
    let dir = TestDir::new("exits");
    // Run under names of their own (no other test's command contains "s9x-"), so the
    // counts are exactly theirs.
    let t = dir.path("s9x-true");
    std::os::unix::fs::symlink("/bin/true", &t).unwrap();
    let trace = Trace::start(&["syscalls", "--count", "--latency", "--syscall", "getpriority,exit_group", "-n", "s9x-"]);
    for _ in 0..RUNS {
        assert!(std::process::Command::new(&t).status().unwrap().success());
    }
    child::run(&["comm s9x-prio".into(), format!("getpriority {CALLS}")]);
    let out = trace.stop();
    out.assert_success();
    let count = |name: &str| -> Option<u64> {
        let found: Vec<&Value> = out.of_kind("syscall_count").filter(|r| r["syscall"] == name).collect();
        assert!(found.len() <= 1, "{found:?}");
        found.first().and_then(|r| r["count"].as_u64())
    };
    assert_eq!(count("getpriority"), Some(CALLS), "{:?}\n{}", out.records, out.stderr);
    assert_eq!(count("exit_group"), Some(RUNS), "{:?}", out.records);
    let counts = &out.summary()["counts"]["syscall_count"];
    assert_eq!((counts["lost"].as_u64(), counts["pairing_misses"].as_u64()), (Some(0), Some(0)), "{counts}");
}

/// Per-event mode: an exit_group is a record at its enter, with no result; seen by the
/// enter program on exit_group's own tracepoint, and with -L on raw sys_enter.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn calls_that_never_return_are_reported_without_a_result() {
    require_bpf();
    for latency in [&[][..], &["-L"]] {
        let trace = Trace::start(&[&["syscalls", "--syscall", "exit_group", "-n", "s9-exit"], latency].concat());
        let (pid, status, _) = child::run_to_end(&["comm s9-exit".into(), "exit 3".into()]);
        assert_eq!(status.code(), Some(3));
        let out = trace.stop();
        out.assert_success();
        let found: Vec<&Value> = out.of_kind("syscall").filter(|r| r["pid"] == pid).collect();
        assert_eq!(found.len(), 1, "{latency:?}: {:?}", out.records);
        let r = found[0];
        assert_eq!(r["syscall"], "exit_group");
        assert_eq!(r["nr"], sysnoop::syscalls::number("exit_group").unwrap());
        assert_eq!(r["comm"], "s9-exit");
        for field in ["ret", "errno", "latency_ns"] {
            assert!(r[field].is_null(), "{field}: {r}");
        }
    }
}

/// Under SIGKILL every thread of a process can read "no thread left" on its way out,
/// and each used to report the process's exit. Exactly one does now: 50 processes of 4
/// threads each give 50 process exits, and with --threads 150 thread exits beside them.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_killed_threaded_process_exits_once() {
    require_bpf();
    const PROCESSES: usize = 50;
    const THREADS: usize = 4;
    let trace = Trace::start(&["exit", "--threads"]);
    let children: Vec<Waiting> = (0..PROCESSES).map(|_| Waiting::spawn(&[format!("threads {THREADS}"), "wait".into()])).collect();
    for c in &children {
        assert_eq!(std::fs::read_dir(format!("/proc/{}/task", c.pid)).unwrap().count(), THREADS);
    }
    let pids: Vec<u32> = children.iter().map(|c| c.pid).collect();
    for c in &children {
        c.signal(Signal::SIGKILL);
    }
    for c in children {
        c.reap();
    }
    let out = trace.stop();
    out.assert_success();
    let mut exits: HashMap<u32, (usize, usize)> = HashMap::new(); // pid -> (process, thread)
    for r in out.of_kind("exit") {
        let pid = r["pid"].as_u64().unwrap() as u32;
        if pids.contains(&pid) {
            let e = exits.entry(pid).or_default();
            if r["thread"] == true {
                e.1 += 1;
            } else {
                assert_eq!(r["signal"], "SIGKILL", "{r}");
                e.0 += 1;
            }
        }
    }
    let wrong: Vec<(&u32, &(usize, usize))> = exits.iter().filter(|(_, &n)| n != (1, THREADS - 1)).collect();
    assert!(wrong.is_empty() && exits.len() == PROCESSES, "(process, thread) exits per pid: {wrong:?} of {exits:?}");
}

/// A thread killed inside a blocking call leaves no entry in any pairing map (in an LRU
/// hash, without task storage; task storage goes with its thread), and its call is
/// reported with the kernel's ERESTARTSYS (open pairs nothing: it reads its arguments at
/// the exit).
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn threads_killed_inside_blocking_calls_leave_nothing_behind() {
    require_bpf();
    let dir = TestDir::new("blocking");
    let fifo = dir.path("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let socket = dir.path("sock");
    let trace = Trace::start(&["all", "-n", "s9-block"]);
    let held = Held::by(trace.pid());
    let inflight = held.maps_named("inflight");
    assert_eq!(inflight.len(), 5, "exec, connect, accept, bind and priv pair their calls: {inflight:?}");
    let hexed = |p: &Path| hex(p.as_os_str().as_bytes());
    let waiting = Waiting::spawn(&["comm s9-block".into(), format!("block open {}", hexed(&fifo)), format!("block connect {}", hexed(&socket)), "wait".into()]);
    let blocked = [blocked_in(waiting.pid, "openat"), blocked_in(waiting.pid, "connect")];
    if inflight.iter().all(|&id| map_type(id) == "task_storage") {
        // Task storage (bpf/common.bpf.h): the entry lives in the thread, whose first
        // paired call is the connect it blocks in, and the kernel frees it with the thread.
        assert!(inflight.iter().any(|&id| task_storage_has(id, blocked[1])), "no entry in the blocked thread {}", blocked[1]);
        waiting.kill(Signal::SIGKILL);
    } else {
        let keys = || -> Vec<u64> { inflight.iter().flat_map(|&id| map_keys(id)).collect() };
        assert!(keys().contains(&u64::from(blocked[1])), "no entry for the blocked thread {}: {:?}", blocked[1], keys());
        waiting.kill(Signal::SIGKILL);
        let left: Vec<u64> = keys().into_iter().filter(|k| blocked.iter().any(|&t| u64::from(t) == *k)).collect();
        assert!(left.is_empty(), "entries left behind for {left:?}");
    }
    let out = trace.stop();
    out.assert_success();
    let open = out.opens_of(&fifo);
    assert_eq!(open.len(), 1, "{:?}", out.records);
    assert_eq!((&open[0]["tid"], &open[0]["errno"]), (&Value::from(blocked[0]), &Value::from("ERESTARTSYS")));
    let connects: Vec<&Value> = out.of_kind("connect").filter(|r| r["path"] == socket.to_str().unwrap() && r["tid"] == blocked[1]).collect();
    assert_eq!(connects.len(), 2, "{:?}", out.records);
    assert_eq!((&connects[0]["ret"], &connects[1]["errno"]), (&Value::from(0), &Value::from("ERESTARTSYS")));
}

/// The thread of process `pid` that is blocked inside `syscall`, from
/// /proc/PID/task/TID/syscall (its first field is the number of the call it is in).
fn blocked_in(pid: u32, syscall: &str) -> u32 {
    let nr = sysnoop::syscalls::number(syscall).unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
            let state = std::fs::read_to_string(task.path().join("syscall")).unwrap_or_default();
            if state.split_whitespace().next() == Some(nr.as_str()) {
                return task.file_name().to_str().unwrap().parse().unwrap();
            }
        }
        assert!(std::time::Instant::now() < deadline, "no thread of {pid} blocked in {syscall}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The syscalls `sysnoop file` has a program for (src/kinds/file.rs).
const FILE_SYSCALLS: [&str; 25] = [
    "unlink",
    "unlinkat",
    "rmdir",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "truncate",
    "ftruncate",
    "utimensat",
];

/// The calls `sysnoop priv` traces: an enter and an exit program each.
const PRIV_SYSCALLS: [&str; 11] =
    ["setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "capset", "ptrace"];

/// kill -9 gives sysnoop no chance to clean up: the kernel must drop everything with
/// its last fd.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn sigkill_of_sysnoop_leaves_nothing_in_the_kernel() {
    require_bpf();
    let trace = Trace::start(&["all", "-n", "s9-nothing"]);
    let held = Held::by(trace.pid());
    // Every kind in `all`: open's program (util::open_calls: a link to each call's
    // exit), exec's sched_process_exec, the enter of each failed-exec syscall this
    // kernel has and one program on their exits, exit's sched_process_exit, connect's
    // enter and exit and inet_sock_set_state, accept's and accept4's, bind's and
    // listen's enter and exit, file's program on the exit of each file syscall this
    // kernel has (a program per call before bpf_loop), priv's enter and exit of each
    // privilege syscall it has, bpf's exit, one program on the exit of each mount call
    // it has, the exit of each module call it has (and module_load), traffic's ingress
    // and egress; a link for each program and hook.
    let execs = ["execve", "execveat"].iter().filter(|s| has_syscall_tracepoints(s)).count();
    let files = FILE_SYSCALLS.iter().filter(|s| has_syscall_tracepoints(s)).count();
    let privs = PRIV_SYSCALLS.iter().filter(|s| has_syscall_tracepoints(s)).count();
    let mounts = ["mount", "umount", "move_mount", "fsmount", "pivot_root"].iter().filter(|s| has_syscall_tracepoints(s)).count();
    // The module calls' exits and the tracepoint module_load, where the kernel has them.
    let modules = ["init_module", "finit_module", "delete_module"].iter().filter(|s| has_syscall_tracepoints(s)).count()
        + usize::from(has_tracepoint("module", "module_load"));
    // file's one program for every call takes bpf_loop; before, a program per call.
    let file_progs = if without().contains(&"bpf_loop") { files } else { 1 };
    let progs = 1 + (1 + execs + 1) + 1 + 3 + 4 + 4 + file_progs + 2 * privs + 1 + usize::from(mounts > 0) + modules + 2;
    let links = open_calls() + (1 + 2 * execs) + 1 + 3 + 4 + 4 + files + 2 * privs + 1 + mounts + modules + 2;
    assert_eq!((held.progs.len(), held.links.len()), (progs, links), "{held:?}");
    // Each object's maps (its per-CPU counters and globals, and its own: the pairing's
    // inflight, scratch records, exit's claims, connect's awaited outcomes, traffic's
    // counts), and the run's ring.
    let mut maps = open_maps();
    maps.extend(["counters", "inflight", "heap", "exec_bpf.bss", "exec_bpf.rodata", "path_scratch"]);
    maps.extend(["counters", "claims", "exit_bpf.bss", "exit_bpf.rodata"]);
    maps.extend(["counters", "inflight", "connect_.bss", "connect_.rodata", "result_counters", "pending", "handed", "next_id"]);
    maps.extend(["counters", "inflight", "accept_b.bss", "accept_b.rodata"]);
    maps.extend(["counters", "inflight", "bind_bpf.bss", "bind_bpf.rodata", "listen_counters"]);
    maps.extend(["counters", "heap", "path_scratch", "file_bpf.bss", "file_bpf.rodata"]);
    maps.extend([
        "counters",
        "inflight",
        "ptrace_counters",
        "bpf_counters",
        "mount_counters",
        "mount_heap",
        "module_counters",
        "module_heap",
        "module_loading",
        "path_scratch",
        "pending_heap",
        "cred_heap",
        "privileg.bss",
        "privileg.rodata",
    ]);
    maps.extend(["counters", "traffic", "traffic_.bss", "traffic_.rodata"]);
    maps.extend(["cgroup_filter", "followed"].repeat(8)); // exec, exit, connect, accept, bind, file, priv, traffic's placeholders
    maps.extend(per_object().repeat(8));
    maps.sort_unstable();
    assert_eq!(held.map_names(), maps, "{held:?}");
    held.assert_in_kernel();
    let status = trace.kill(Signal::SIGKILL);
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
    held.assert_released();
}
