//! Cgroups on every record: `cgroup_id`, and `container_id` and `container_runtime`
//! for cgroups named as container runtimes name them; `--cgroup` keeps exactly one
//! subtree, in the kernel.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::child::{open_line, Waiting};
use crate::util::{cgroup_id, cgroup_of, require_bpf, Cgroup, TestDir, Trace};

/// Container ids: 64 hex digits, one per runtime's form.
fn id(n: u8) -> String {
    format!("{:02x}", n).repeat(32)
}

/// A child that waits, then opens `file`; moved into `cgroup` first when there is one.
fn opener(file: &std::path::Path, cgroup: Option<&Cgroup>) -> Waiting {
    let child = Waiting::spawn(&["wait".into(), open_line("openat", 0, 0, file)]);
    if let Some(cgroup) = cgroup {
        cgroup.adopt(child.pid);
    }
    child
}

/// A child in each container-style cgroup (made here, under one test cgroup) and one
/// outside them open a file each while `sysnoop open --cgroup <test cgroup>` runs:
/// the records are exactly the children's inside, each with its cgroup's id, path and
/// container.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn records_name_their_container_and_cgroup_keeps_its_subtree() {
    require_bpf();
    let dir = TestDir::new("containers");
    let top = Cgroup::new("containers");
    let docker_parent = top.child("docker");
    // (cgroup, container id, runtime), the leaf in each form.
    let forms = [
        (top.child(&format!("docker-{}.scope", id(1))), id(1), "docker"),
        (top.child(&format!("cri-containerd-{}.scope", id(2))), id(2), "containerd"),
        (top.child(&format!("libpod-{}.scope", id(3))), id(3), "podman"),
        (top.child(&format!("crio-{}.scope", id(4))), id(4), "cri-o"),
        (docker_parent.child(&id(5)), id(5), "docker"),
    ];
    let plain = top.child("plain.service");
    let mut children = Vec::new();
    for (i, (cgroup, _, _)) in forms.iter().enumerate() {
        children.push(opener(&dir.file(&format!("in-{i}")), Some(cgroup)));
    }
    let in_plain = opener(&dir.file("plain"), Some(&plain));
    let outside = opener(&dir.file("outside"), None);
    assert!(!cgroup_of(outside.pid).starts_with(&top.name), "the test runs outside its own cgroups");

    let trace = Trace::start(&["open", "--cgroup", &top.name, "--cgroup-path"]);
    for child in children {
        child.go();
    }
    in_plain.go();
    outside.go();
    let out = trace.stop();
    out.assert_success();
    assert_eq!(out.start()["filters"]["cgroup"], top.name.as_str());

    for (i, (cgroup, container, runtime)) in forms.iter().enumerate() {
        let opens = out.opens_of(&dir.path(&format!("in-{i}")));
        assert_eq!(opens.len(), 1, "{}: {:?}", cgroup.name, out.records);
        let r = opens[0];
        assert_eq!(
            (&r["cgroup_id"], &r["cgroup"], &r["container_id"], &r["container_runtime"]),
            (&Value::from(cgroup_id(&cgroup.name)), &Value::from(cgroup.name.as_str()), &Value::from(container.as_str()), &Value::from(*runtime)),
            "{r}"
        );
    }
    let r = out.opens_of(&dir.path("plain"))[0];
    assert_eq!((&r["cgroup_id"], &r["cgroup"]), (&Value::from(plain.id()), &Value::from(plain.name.as_str())), "{r}");
    assert!(r.get("container_id").is_none() && r.get("container_runtime").is_none(), "not a container: {r}");
    assert!(out.opens_of(&dir.path("outside")).is_empty(), "a task outside --cgroup was traced");
    // Every record comes from the subtree, and names its cgroup.
    let subtree: BTreeMap<u64, &str> = forms.iter().map(|(c, _, _)| c).chain([&plain]).map(|c| (c.id(), c.name.as_str())).collect();
    for r in out.of_kind("open") {
        let id = r["cgroup_id"].as_u64().unwrap();
        assert_eq!(subtree.get(&id).copied(), r["cgroup"].as_str(), "outside the subtree: {r}");
    }
    drop(forms);
    drop(docker_parent);
    drop(plain);
}

/// --cgroup of one leaf: the records are that leaf's and no sibling's. Without
/// --cgroup-path, no `cgroup` field; the container fields stay.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn cgroup_keeps_one_leaf() {
    require_bpf();
    let dir = TestDir::new("one-leaf");
    let top = Cgroup::new("one-leaf");
    let [kept, sibling] = [top.child(&format!("docker-{}.scope", id(7))), top.child("sibling")];
    let a = opener(&dir.file("kept"), Some(&kept));
    let b = opener(&dir.file("sibling"), Some(&sibling));
    let trace = Trace::start(&["open", "--cgroup", &kept.path.display().to_string()]);
    a.go();
    b.go();
    let out = trace.stop();
    out.assert_success();
    let opens: Vec<&Value> = out.of_kind("open").collect();
    assert!(opens.iter().all(|r| r["cgroup_id"] == kept.id()), "{opens:?}");
    let r = out.opens_of(&dir.path("kept"))[0];
    assert_eq!((&r["container_id"], &r["container_runtime"]), (&Value::from(id(7)), &Value::from("docker")), "{r}");
    assert!(r.get("cgroup").is_none(), "{r}");
    assert!(out.opens_of(&dir.path("sibling")).is_empty());
}

/// A --cgroup that is not a cgroup v2 directory is refused before tracing.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_missing_cgroup_is_an_error() {
    require_bpf();
    let out = crate::util::run(&["open", "--cgroup", "/no-such-cgroup-here"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-cgroup-here is not a cgroup v2 directory"), "{stderr}");
}

/// In OCSF, a task in a container's cgroup is a process with a `container` (uid and
/// runtime), and the event lists the container profile; other tasks neither. Every
/// event is validated against its class's schema with that profile.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn ocsf_events_carry_the_container() {
    require_bpf();
    let dir = TestDir::new("ocsf-container");
    let top = Cgroup::new("ocsf-container");
    let [podman, plain] = [top.child(&format!("libpod-{}.scope", id(9))), top.child("plain")];
    let a = opener(&dir.file("in-podman"), Some(&podman));
    let b = opener(&dir.file("in-plain"), Some(&plain));
    let trace = Trace::start(&["open", "--cgroup", &top.name, "--format", "ocsf"]);
    a.go();
    b.go();
    let out = trace.stop_ocsf();
    out.assert_success();
    let event = |name: &str| {
        let path = dir.path(name).display().to_string();
        let events: Vec<&Value> = out.records.iter().filter(|e| e["file"]["path"] == path.as_str()).collect();
        assert_eq!(events.len(), 1, "{name}: {:?}", out.records);
        events[0]
    };
    let e = event("in-podman");
    assert_eq!(e["actor"]["process"]["container"], serde_json::json!({"uid": id(9), "runtime": "podman"}), "{e}");
    assert_eq!(e["metadata"]["profiles"], serde_json::json!(["container"]), "{e}");
    let e = event("in-plain");
    assert!(e["actor"]["process"].get("container").is_none() && e["metadata"].get("profiles").is_none(), "{e}");
}
