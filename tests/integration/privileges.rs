//! What sysnoop holds while it runs, and what it says when privileges fall short.

use std::time::Duration;

use crate::util::{require_bpf, Trace};

/// The capability sets and no_new_privs of every thread of process `pid`: (CapPrm,
/// CapEff, NoNewPrivs) each.
fn thread_caps(pid: u32) -> Vec<(u64, u64, u32)> {
    let mut all = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
        let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).unwrap().trim().to_owned();
        let hex = |name: &str| u64::from_str_radix(&field(name), 16).unwrap();
        all.push((hex("CapPrm:"), hex("CapEff:"), field("NoNewPrivs:").parse().unwrap()));
    }
    all
}

/// Once tracing is live, sysnoop holds no capability in any thread and has set
/// no_new_privs (this kernel reads maps for a process without CAP_BPF; on those that do
/// not, the VM checks find CAP_BPF alone); records, the summary and the exit status are
/// as ever. With -- CMD --user it keeps CAP_KILL alone, to end another user's command.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn capabilities_are_given_up_once_tracing_is_live() {
    require_bpf();
    for args in [
        &["open", "-n", "s28-caps"][..],
        &["all", "-n", "s28-caps"][..],
        &["syscalls", "-c", "-n", "s28-caps", "-i", "100ms"][..],
        &["traffic", "-i", "100ms"][..],
        &["exec", "-o", "file:/dev/null"][..],
    ] {
        let trace = Trace::start(args);
        // The writer and the poll thread are running: the threads there will be.
        std::thread::sleep(Duration::from_millis(300));
        let caps = thread_caps(trace.pid());
        assert!(caps.len() >= 2, "{args:?}: {caps:?}");
        assert!(caps.iter().all(|&c| c == (0, 0, 1)), "{args:?}: (CapPrm, CapEff, NoNewPrivs) per thread: {caps:x?}");
        let out = trace.stop();
        out.assert_success();
        if !args.contains(&"-o") {
            out.summary();
        }
    }
    let trace = Trace::start(&["exec", "--user", "nobody", "--", "sleep", "30"]);
    std::thread::sleep(Duration::from_millis(300));
    let caps = thread_caps(trace.pid());
    assert!(caps.iter().all(|&c| c == (1 << 5, 1 << 5, 1)), "CAP_KILL alone: {caps:x?}");
    // Stopped early: the command, nobody's, is ended with SIGTERM (exit status 128 + 15).
    let out = trace.stop();
    assert_eq!(out.status.code(), Some(143), "{}", out.stderr);
}

/// With CAP_BPF and CAP_PERFMON but not the right to read tracefs (mode 0700 root), the
/// error says that, with the two remedies, not that the kernel lacks syscall tracepoints.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn an_unreadable_tracefs_is_named_with_its_remedies() {
    require_bpf();
    let out = crate::util::run(&["doctor"]); // mounts tracefs if needed
    assert!(out.status.success(), "{out:?}");
    let out = run_as_nobody_with(&["bpf", "perfmon"], &["open", "-d", "100ms"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("sysnoop: error: tracefs at /sys/kernel/tracing is mode 0700 and owned by uid 0 gid 0, and this process (uid 65534) may not read it: give it CAP_DAC_READ_SEARCH as well (setcap cap_bpf,cap_perfmon,cap_dac_read_search,cap_net_admin+ep sysnoop)"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // doctor, run the same way, names the same cause in its tracefs check.
    let doctor = run_as_nobody_with(&["bpf", "perfmon"], &["doctor"]);
    assert_eq!(doctor.status.code(), Some(1));
    let checks = crate::util::parse_ndjson(&doctor.stdout, "");
    let tracefs = checks.iter().find(|c| c["check"] == "tracefs").unwrap();
    assert_eq!((&tracefs["ok"], tracefs["detail"].as_str().unwrap()), (&false.into(), stderr.trim_end().trim_start_matches("sysnoop: error: ")));
    let attach = checks.iter().find(|c| c["check"] == "cgroup_attach").unwrap();
    assert!(
        attach["ok"] == false && attach["detail"].as_str().unwrap().starts_with("not enough privileges: missing CAP_NET_ADMIN (to attach to a cgroup"),
        "{attach}"
    );
}

/// `sysnoop ARGS` as nobody with exactly the capabilities `caps` (by setpriv's names),
/// as ambient capabilities, the way `setcap` on the binary would give them.
pub fn run_as_nobody_with(caps: &[&str], args: &[&str]) -> std::process::Output {
    let dir = crate::util::TestDir::new("caps");
    let copy = dir.copy_executable(std::path::Path::new(crate::util::SYSNOOP), "sysnoop");
    let set = caps.iter().map(|c| format!("+{c}")).collect::<Vec<_>>().join(",");
    std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", &format!("--inh-caps=-all,{set}"), &format!("--ambient-caps=-all,{set}")])
        .arg(&copy)
        .args(args)
        .output()
        .unwrap()
}

/// The least-privilege set of each kind (the README's table), as an unprivileged user
/// (nobody) holding exactly it: the kind traces. With each capability of the set taken
/// away in turn, the run exits 1 naming the one missing, in one line.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn each_kind_runs_with_exactly_its_capabilities() {
    require_bpf();
    let out = crate::util::run(&["doctor"]); // mounts tracefs if needed: as root, once
    assert!(out.status.success(), "{out:?}");
    // Perf buffers (the suite's perf pass) beyond kernel.perf_event_mlock_kb take
    // CAP_IPC_LOCK too, for the kinds that send records through them; unless
    // kernel.perf_event_paranoid is -1, which lifts that limit (perf_mmap()).
    let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").unwrap();
    let perf: &[&str] = if crate::util::transport() == "perf" && paranoid.trim() != "-1" { &["ipc_lock"] } else { &[] };
    let tracers: Vec<&str> = ["bpf", "perfmon", "dac_read_search"].iter().chain(perf).copied().collect();
    // traffic sends no records through the kernel's buffers: no perf buffers to map.
    let traffic: Vec<&str> = vec!["bpf", "perfmon", "net_admin"];
    for (kind, set) in
        [("open", &tracers), ("exec", &tracers), ("exit", &tracers), ("connect", &tracers), ("priv", &tracers), ("syscalls", &tracers), ("traffic", &traffic)]
    {
        let out = run_as_nobody_with(set, &[kind, "-d", "300ms"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{kind} with {set:?}: {stderr}");
        let records = crate::util::parse_ndjson(&out.stdout, &stderr);
        assert_eq!((records[0]["kind"].as_str(), records.last().unwrap()["kind"].as_str()), (Some("start"), Some("summary")), "{kind}");
        for gone in set.iter() {
            let fewer: Vec<&str> = set.iter().copied().filter(|c| c != gone).collect();
            let out = run_as_nobody_with(&fewer, &[kind, "-d", "300ms"]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{kind} without {gone}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{kind} without {gone}: {stderr}");
            let (named, setcap) = match *gone {
                // Without it, tracefs (mode 0700 root) is what this uid cannot read.
                "dac_read_search" => ("may not read it: give it CAP_DAC_READ_SEARCH".to_owned(), "cap_net_admin+ep"),
                "ipc_lock" => ("lets a user map without CAP_IPC_LOCK: give sysnoop cap_ipc_lock as well".to_owned(), "cap_net_admin,cap_ipc_lock+ep"),
                cap => (format!("missing CAP_{}", cap.to_uppercase()), "cap_net_admin+ep"),
            };
            assert!(stderr.starts_with("sysnoop: error: ") && stderr.contains(&named), "{kind} without {gone}: {stderr}");
            assert!(stderr.contains(&format!("setcap cap_bpf,cap_perfmon,cap_dac_read_search,{setcap} sysnoop")), "{stderr}");
        }
    }
    // `all`: every kind its set allows, saying which it goes on without.
    let out = run_as_nobody_with(&tracers, &["all", "-d", "300ms"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("sysnoop: traffic is not counted: not enough privileges: missing CAP_NET_ADMIN"), "{stderr}");
}
