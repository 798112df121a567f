//! `sysnoop doctor` on this host.

use crate::util::{parse_ndjson, require_bpf, run, run_as_nobody};

const CHECKS: [&str; 8] = ["kernel", "btf", "privileges", "tracefs", "cgroup2", "bpf_lsm", "ringbuf", "transport"];

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
