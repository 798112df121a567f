//! `sysnoop lsm` on this host. This host's kernel lists bpf among its LSMs yet refuses
//! lsm programs at load (EPERM): sysnoop must say so, name what would enable BPF-LSM,
//! and `all` must go on without it, saying so; doctor must give the same answer from
//! the same real attempt. Where a kernel runs them (the VM matrix, tests/vm/guest-init
//! `check_lsm`), the records are checked field by field. Each test checks whichever
//! answer this kernel gives, and that every part of sysnoop gives the same one.

use serde_json::Value;

use crate::util::{parse_ndjson, require_bpf, run, Trace};

/// Whether this kernel runs sysnoop's lsm programs, and if not, what `sysnoop lsm` said.
fn lsm_here() -> Result<(), String> {
    let out = run(&["lsm", "-q", "-d", "1s"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(stderr),
        other => panic!("sysnoop lsm exited with {other:?}: {stderr}"),
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn sysnoop_lsm_runs_or_says_why_not_and_how_to_enable_it() {
    require_bpf();
    match lsm_here() {
        Ok(()) => {
            let out = run(&["lsm", "-q", "-d", "1s"]);
            let records = parse_ndjson(&out.stdout, &String::from_utf8_lossy(&out.stderr));
            assert_eq!(records[0]["kinds"][0]["hooks"], serde_json::json!(["lsm/file_open", "lsm/socket_connect"]));
        }
        Err(stderr) => {
            assert!(stderr.starts_with("sysnoop: error: BPF-LSM is not available: "), "{stderr}");
            for what in ["/sys/kernel/security/lsm", "lsm=", ",bpf", "CONFIG_BPF_LSM"] {
                assert!(stderr.contains(what), "{what} missing from: {stderr}");
            }
            // libbpf's own lines about the refusal (a hint to raise `ulimit -l`) would
            // only mislead; -v shows them.
            assert!(!stderr.contains("libbpf"), "{stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        }
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn all_goes_on_without_lsm_and_says_so() {
    require_bpf();
    let here = lsm_here();
    let out = Trace::start(&["all", "-n", "s14-nothing"]).stop();
    out.assert_success();
    let start = out.start();
    let traced: Vec<&str> = start["kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
    let skipped: Vec<&Value> = start["skipped"].as_array().unwrap().iter().filter(|s| s["kind"] == "lsm").collect();
    match here {
        Ok(()) => assert!(traced.contains(&"lsm") && skipped.is_empty(), "{start}"),
        Err(stderr) => {
            assert!(!traced.contains(&"lsm"), "{start}");
            assert_eq!(skipped.len(), 1, "{start}");
            let reason = skipped[0]["reason"].as_str().unwrap();
            assert!(stderr.contains(reason), "the start record's reason is sysnoop lsm's: {reason}\nvs {stderr}");
            assert!(out.stderr.lines().any(|l| l == format!("sysnoop: lsm is not traced: {reason}")), "{}", out.stderr);
        }
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn doctor_reports_bpf_lsm_from_the_real_attempt() {
    require_bpf();
    let here = lsm_here();
    let out = run(&["doctor"]);
    let checks = parse_ndjson(&out.stdout, &String::from_utf8_lossy(&out.stderr));
    let check = checks.iter().find(|c| c["check"] == "bpf_lsm").unwrap();
    assert_eq!(check["required"], false);
    match here {
        Ok(()) => assert_eq!(check["ok"], true, "{check}"),
        Err(stderr) => {
            assert_eq!(check["ok"], false, "{check}");
            assert!(stderr.contains(check["detail"].as_str().unwrap()), "doctor's reason is sysnoop lsm's: {check}\nvs {stderr}");
        }
    }
}
