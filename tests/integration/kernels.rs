//! The kernels sysnoop starts on (docs/kernels.md): a kernel that shows no BTF of its
//! own, and the fallbacks of each older kernel forced on this one.

use std::process::Command;

use crate::util::{parse_ndjson, require_bpf, without, TestDir, SYSNOOP};

/// Runs `sysnoop ARGS` in a private mount namespace where /sys/kernel/btf is hidden (an
/// empty tmpfs over it): to sysnoop, a kernel built without BTF.
fn without_kernel_btf(args: &[&str]) -> std::process::Output {
    Command::new("unshare").args(["-m", "sh", "-c", "mount -t tmpfs tmpfs /sys/kernel/btf && exec \"$@\"", "sh", SYSNOOP]).args(args).output().unwrap()
}

/// No BTF at /sys/kernel/btf/vmlinux: sysnoop exits 1 saying so and how to run anyway;
/// doctor says the same. With --btf FILE (the kernel's own BTF, copied before it was
/// hidden, as BTFHub would give it) the programs are relocated against the file, and
/// the records are exactly what they are with the kernel's BTF.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn without_kernel_btf_a_btf_file_is_taken() {
    require_bpf();
    let dir = TestDir::new("btf");
    let btf = dir.path("vmlinux.btf");
    std::fs::copy("/sys/kernel/btf/vmlinux", &btf).unwrap();
    let btf = btf.to_str().unwrap();

    let refused = without_kernel_btf(&["open", "-d", "100ms"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("sysnoop: error: no kernel BTF at /sys/kernel/btf/vmlinux"), "{stderr}");
    assert!(stderr.contains("--btf FILE"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let doctor = without_kernel_btf(&["doctor"]);
    let checks = parse_ndjson(&doctor.stdout, "");
    let check = |name: &str| checks.iter().find(|c| c["check"] == name).unwrap().clone();
    assert_eq!(check("btf")["ok"], false);
    assert_eq!(doctor.status.code(), Some(1));
    let doctor = without_kernel_btf(&["--btf", btf, "doctor"]);
    let checks = parse_ndjson(&doctor.stdout, "");
    let check = |name: &str| checks.iter().find(|c| c["check"] == name).unwrap().clone();
    assert_eq!(check("btf")["ok"], true, "{}", check("btf"));
    assert!(check("btf")["detail"].as_str().unwrap().starts_with(&format!("{btf} (--btf); the kernel shows no BTF of its own")));
    assert_eq!(check("bpf_get_current_task_btf")["ok"], false);

    // A command of its own, followed: its open of /etc/hostname, and nothing lost.
    let traced = without_kernel_btf(&["--btf", btf, "open", "--", "head", "-c0", "/etc/hostname"]);
    let stderr = String::from_utf8_lossy(&traced.stderr);
    assert!(traced.status.success(), "{stderr}");
    let records = parse_ndjson(&traced.stdout, &stderr);
    let start = &records[0];
    // Without BTF of the kernel's own, the task is read without its BTF pointer.
    let expected = if without().is_empty() { vec!["bpf_get_current_task_btf", "bpf_rdonly_cast"] } else { without() };
    assert_eq!(start["kinds"][0]["without"], serde_json::json!(expected), "{start}");
    let open = records.iter().find(|r| r["kind"] == "open" && r["path"] == "/etc/hostname").unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!((&open["comm"], &open["full_path"], &open["errno"]), (&"head".into(), &"/etc/hostname".into(), &serde_json::Value::Null));
    let summary = records.last().unwrap();
    assert_eq!(summary["counts"]["open"]["lost"], 0, "{summary}");
}

/// Each older kernel's fallbacks, forced on this one (a variant of each object per
/// combination of features): every one loads, names what it does without, and names
/// the file an open opened, full path included.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_older_kernels_fallbacks_load_and_trace() {
    require_bpf();
    for (version, lacks) in [
        ("6.1", &["bpf_rdonly_cast"][..]),
        ("5.16", &["bpf_loop", "bpf_rdonly_cast"][..]),
        ("5.14", &["bpf_task_pt_regs", "bpf_loop", "bpf_rdonly_cast"][..]),
        ("5.10", &["bpf_get_current_task_btf", "bpf_task_pt_regs", "bpf_loop", "bpf_rdonly_cast"][..]),
    ] {
        let out = Command::new(SYSNOOP).env("SYSNOOP_AS_KERNEL", version).args(["open", "--", "head", "-c0", "/etc/hostname"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "SYSNOOP_AS_KERNEL={version}: {stderr}");
        let records = parse_ndjson(&out.stdout, &stderr);
        assert_eq!(records[0]["kinds"][0]["without"], serde_json::json!(lacks), "{version}");
        let whys: Vec<&str> = records[0]["fallbacks"].as_array().unwrap().iter().map(|f| f["why"].as_str().unwrap()).collect();
        assert_eq!(whys, vec![format!("SYSNOOP_AS_KERNEL={version}"); lacks.len()], "{version}");
        let open = records.iter().find(|r| r["kind"] == "open" && r["path"] == "/etc/hostname").unwrap_or_else(|| panic!("{version}: {records:?}"));
        assert_eq!(
            (&open["comm"], &open["full_path"], &open["flags"]),
            (&"head".into(), &"/etc/hostname".into(), &serde_json::json!(["O_RDONLY"])),
            "{version}"
        );
    }
}

/// Without bpf_loop a path is walked at most 64 steps (SN_PATH_STEPS_BOUNDED): a deeper
/// one comes out as its 64 components nearest the file, flagged full_path_truncated,
/// never as a wrong path. With bpf_loop the same path comes out whole.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn without_bpf_loop_a_deep_path_is_cut_and_flagged() {
    require_bpf();
    let dir = TestDir::new("deep");
    let mut deep = dir.path("");
    for i in 0..80 {
        deep.push(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    let file = deep.join("f");
    std::fs::write(&file, "x").unwrap();
    let real = std::fs::canonicalize(&file).unwrap();
    let real = real.to_str().unwrap();
    assert!(real.split('/').count() > 80);
    for (version, cut) in [(None, false), (Some("5.16"), true)] {
        let mut cmd = Command::new(SYSNOOP);
        cmd.env_remove("SYSNOOP_AS_KERNEL");
        if let Some(v) = version {
            cmd.env("SYSNOOP_AS_KERNEL", v);
        }
        let out = cmd.args(["open", "--", "head", "-c0", file.to_str().unwrap()]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let records = parse_ndjson(&out.stdout, &stderr);
        let open = records.iter().find(|r| r["kind"] == "open" && r["path"] == file.to_str().unwrap()).unwrap();
        let full = open["full_path"].as_str().unwrap();
        assert_eq!(open["full_path_truncated"], cut, "{version:?}: {open}");
        if cut {
            assert!(real.ends_with(full), "{full} is not the end of {real}");
            assert_eq!(full.split('/').skip(1).count(), 64, "{full}");
        } else {
            assert_eq!(full, real);
        }
    }
}
