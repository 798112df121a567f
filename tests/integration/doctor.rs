//! `sysnoop doctor` on this host.

use crate::util::{parse_ndjson, require_bpf, run, run_as_nobody};

const CHECKS: [&str; 16] = [
    "kernel",
    "btf",
    "bpf_get_current_task_btf",
    "bpf_task_pt_regs",
    "bpf_loop",
    "bpf_rdonly_cast",
    "bpf_task_storage_get",
    "privileges",
    "memlock",
    "perf_events",
    "cgroup_attach",
    "tracefs",
    "cgroup2",
    "bpf_lsm",
    "ringbuf",
    "transport",
];

/// doctor's word on each kernel feature (ok: used) is what a run then does: the
/// features doctor says are not used are those open's programs do without (open uses
/// them all), named in the start record with the same reason.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn doctor_names_the_fallbacks_a_run_takes() {
    require_bpf();
    let out = run(&["doctor"]);
    let checks = parse_ndjson(&out.stdout, &String::from_utf8_lossy(&out.stderr));
    let features = &checks[2..6];
    let unused: Vec<&str> = features.iter().filter(|c| c["ok"] == false).map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(unused, crate::util::without(), "{features:?}");
    for c in features {
        let name = c["check"].as_str().unwrap();
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.starts_with(&format!("{name} (Linux ")), "{c}");
        let used = detail.contains(") present");
        assert_eq!(used, c["ok"] == true, "{c}");
        assert!(used || detail.contains("not used (SYSNOOP_AS_KERNEL=5.10): "), "{c}");
    }
    let traced = run(&["open", "-d", "100ms", "-p", "1"]);
    let records = parse_ndjson(&traced.stdout, &String::from_utf8_lossy(&traced.stderr));
    let start = &records[0];
    assert_eq!(start["kinds"][0]["without"], serde_json::json!(unused));
    let names: Vec<&str> = start["fallbacks"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, unused);
    let line = String::from_utf8_lossy(&traced.stderr);
    let said = line.lines().find(|l| l.starts_with("sysnoop: tracing")).unwrap();
    assert_eq!(said.contains("[fallbacks without "), !unused.is_empty(), "{said}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn doctor_passes_as_root() {
    require_bpf();
    let out = run(&["doctor"]);
    let checks = parse_ndjson(&out.stdout, &String::from_utf8_lossy(&out.stderr));
    let names: Vec<&str> = checks.iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(names, CHECKS);
    for c in &checks {
        if c["required"] == true {
            assert_eq!(c["ok"], true, "{c}");
        }
    }
    assert_eq!(out.status.code(), Some(0));
    // Every kernel the tests run on has the ring buffer; the suite's second pass forces
    // perf buffers.
    let transport = checks.iter().find(|c| c["check"] == "transport").unwrap();
    let expected = match crate::util::transport().as_str() {
        "perf" => "perf: perf buffers, one per CPU (forced by SYSNOOP_TRANSPORT)",
        _ => "ringbuf: the BPF ring buffer (this kernel has it)",
    };
    assert_eq!((transport["ok"].as_bool(), transport["detail"].as_str()), (Some(true), Some(expected)), "{transport}");
    let cgroup = checks.iter().find(|c| c["check"] == "cgroup2").unwrap();
    // Found from mountinfo, wherever this host mounts it.
    if cgroup["ok"] == true {
        let mount = cgroup["detail"].as_str().unwrap().rsplit(' ').next().unwrap();
        assert!(std::path::Path::new(mount).join("cgroup.controllers").exists(), "{cgroup}");
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn doctor_fails_unprivileged_and_says_why() {
    require_bpf();
    let out = run_as_nobody(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let checks = parse_ndjson(&out.stdout, "");
    let privileges = checks.iter().find(|c| c["check"] == "privileges").unwrap();
    assert_eq!(privileges["ok"], false);
    assert!(privileges["detail"].as_str().unwrap().contains("CAP_BPF and CAP_PERFMON"), "{privileges}");
}
