//! Full paths: every open record's `full_path` is what readlink(/proc/self/fd/N) gave
//! the child right after that open, however the path was passed (relative, through a
//! dirfd, a symlink, `..`, a bind mount); a failed open's is its base directory joined
//! with the path as passed; inside a chroot it is as the chrooted process sees it; a
//! path longer than PATH_MAX is cut and says so.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::child::{open_line, path_line, repeat_line, Opened, Waiting};
use crate::util::{require_bpf, TestDir, Trace};

const O_RDONLY: i32 = nix::libc::O_RDONLY;

/// Traces the child running `script` (after its first `wait`) and returns its open
/// records beside what it reported for each open, in order.
fn opens(script: &[String]) -> Vec<(Value, Opened)> {
    let child = Waiting::spawn(&[&["wait".to_string()], script].concat());
    let trace = Trace::start(&["open", "-p", &child.pid.to_string()]);
    let reports = child.go();
    let out = trace.stop();
    out.assert_success();
    let records: Vec<Value> = out.of_kind("open").cloned().collect();
    assert_eq!(records.len(), reports.len(), "one record per open the child made: {records:#?}\n{reports:#?}");
    for (record, report) in records.iter().zip(&reports) {
        assert_eq!(record["ret"], report.ret, "{record}");
        assert_eq!(record["tid"], report.tid, "{record}");
        assert_eq!(record["full_path_truncated"], false, "{record}");
    }
    records.into_iter().zip(reports).collect()
}

fn text(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

/// The full path is the kernel's name for what was opened, exactly as readlink shows it.
fn assert_as_readlink(record: &Value, report: &Opened) {
    let link = report.link.as_deref().unwrap_or_else(|| panic!("the child could not readlink: {report:?}"));
    assert_eq!(record["full_path"], link, "{record}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn relative_dirfd_symlink_dotdot_and_failed_opens() {
    require_bpf();
    let dir = TestDir::new("paths");
    std::fs::create_dir(dir.path("sub")).unwrap();
    std::fs::create_dir(dir.path("other")).unwrap();
    let file = dir.file("sub/file");
    let target = dir.file("other/target");
    std::os::unix::fs::symlink("sub/file", dir.path("link")).unwrap();
    let doomed = dir.file("doomed");
    let rel = |p: &str| PathBuf::from(p);
    let opens = opens(&[
        path_line("chdir", &[&dir.path("sub")]),
        open_line("openat", O_RDONLY, 0, &rel("file")),
        open_line("openat", O_RDONLY, 0, &rel("../other/target")),
        open_line("openat", O_RDONLY, 0, &rel("../link")),
        open_line("open", O_RDONLY, 0, &rel("file")),
        open_line("openat2", O_RDONLY, 0, &rel("./file")),
        open_line("openat", O_RDONLY, 0, &rel("missing")),
        open_line("openat", O_RDONLY, 0, &rel("../nope/../x")),
        open_line("openat", O_RDONLY, 0, &dir.path("link")),
        open_line("openat", O_RDONLY, 0, &dir.path("absent")),
        path_line("opendir", &[&dir.path("other")]),
        path_line("openat-dir 0 0", &[&rel("target")]),
        path_line("openat-dir 0 0", &[&rel("absent")]),
        path_line("reopen-deleted", &[&doomed]),
        "reopen memfd".into(),
        "reopen pipe".into(),
    ]);
    let [relative, dotdot, via_link, open, openat2, missing, joined, abs_link, abs_missing, opendir, at_dir, at_dir_missing, doomed_open, deleted, memfd, pipe] =
        opens.try_into().unwrap_or_else(|v: Vec<_>| panic!("{} opens", v.len()));

    for (record, report) in [&relative, &dotdot, &via_link, &open, &openat2, &abs_link, &opendir, &at_dir, &doomed_open, &deleted, &memfd, &pipe] {
        assert_as_readlink(record, report);
    }
    assert_eq!(relative.0["full_path"], text(&file));
    assert_eq!(dotdot.0["full_path"], text(&target));
    assert_eq!(via_link.0["full_path"], text(&file), "a symlink is resolved as the kernel resolved it");
    assert_eq!(abs_link.0["full_path"], text(&file));
    assert_eq!(deleted.0["full_path"], format!("{} (deleted)", text(&doomed)));
    assert_eq!(memfd.0["full_path"], "/memfd:buf (deleted)");
    assert!(pipe.0["full_path"].as_str().unwrap().starts_with("pipe:["), "{}", pipe.0);

    // Failed: the base directory taken at the call, joined with the path as passed.
    assert_eq!(missing.0["full_path"], format!("{}/missing", text(&dir.path("sub"))));
    assert_eq!(joined.0["full_path"], format!("{}/../nope/../x", text(&dir.path("sub"))));
    assert_eq!(abs_missing.0["full_path"], text(&dir.path("absent")), "an absolute path is its own full path");
    assert_eq!(at_dir_missing.0["full_path"], format!("{}/absent", text(&dir.path("other"))));

    // dirfd: the argument; AT_FDCWD by name; none for open(2).
    assert_eq!(relative.0["dirfd"], "AT_FDCWD");
    assert_eq!(openat2.0["dirfd"], "AT_FDCWD");
    assert!(open.0["dirfd"].is_null(), "{}", open.0);
    assert_eq!(at_dir.0["dirfd"], opendir.1.ret);
    assert_eq!(at_dir_missing.0["dirfd"], opendir.1.ret);
    assert_eq!(at_dir.0["path"], "target", "path stays as passed");
}

/// Through a bind mount the name is the mount's; a path near PATH_MAX is whole; inside a
/// chroot, the name is as the chrooted process sees it.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn bind_mounts_long_paths_and_chroot() {
    require_bpf();
    let dir = TestDir::new("paths-mnt");
    std::fs::create_dir_all(dir.path("src")).unwrap();
    std::fs::create_dir_all(dir.path("dst")).unwrap();
    dir.file("src/f");
    // About 4,000 bytes (PATH_MAX is 4,096 with the NUL): 16 directories of 245 bytes
    // under the test directory.
    let mut long = dir.path("long");
    for i in 0..16 {
        long.push(format!("{i:02}{}", "d".repeat(243)));
    }
    std::fs::create_dir_all(&long).unwrap();
    let long_file = long.join("f");
    std::fs::write(&long_file, b"x").unwrap();
    assert!((3950..4096).contains(&long_file.as_os_str().len()), "{} bytes", long_file.as_os_str().len());
    let root = dir.path("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/f"), b"x").unwrap();

    let opens = opens(&[
        path_line("bind", &[&dir.path("src"), &dir.path("dst")]),
        open_line("openat", O_RDONLY, 0, &dir.path("dst/f")),
        open_line("openat", O_RDONLY, 0, &long_file),
        path_line("chroot", &[&root]),
        open_line("openat", O_RDONLY, 0, Path::new("/etc/f")),
        open_line("openat", O_RDONLY, 0, Path::new("etc/f")),
        open_line("openat", O_RDONLY, 0, Path::new("etc/none")),
    ]);
    let [bound, long_open, chrooted, chrooted_rel, chrooted_missing] = opens.try_into().unwrap_or_else(|v: Vec<_>| panic!("{} opens", v.len()));
    assert_as_readlink(&bound.0, &bound.1);
    assert_eq!(bound.0["full_path"], text(&dir.path("dst/f")));
    assert_as_readlink(&long_open.0, &long_open.1);
    assert_eq!(long_open.0["full_path"], text(&long_file));
    assert_eq!(chrooted.0["full_path"], "/etc/f");
    assert_eq!(chrooted_rel.0["full_path"], "/etc/f");
    assert_eq!(chrooted_missing.0["full_path"], "/etc/none");
}

/// Deeper than PATH_MAX: the open succeeds (relative to a deep cwd), and the full path
/// is cut, flagged, and holds the components nearest the file.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_path_longer_than_path_max_is_cut_and_flagged() {
    require_bpf();
    let dir = TestDir::new("paths-deep");
    // 24 directories of 250 bytes: about 6,000 bytes, made a step at a time with
    // mkdirat/openat (no single path this long can be passed).
    let name = |i: usize| format!("{i:02}{}", "e".repeat(248));
    let mut fd = nix::fcntl::open(&dir.path(""), nix::fcntl::OFlag::O_DIRECTORY, nix::sys::stat::Mode::empty()).unwrap();
    let mut script = vec![path_line("chdir", &[&dir.path("")])];
    for i in 0..24 {
        nix::sys::stat::mkdirat(&fd, name(i).as_str(), nix::sys::stat::Mode::from_bits_truncate(0o755)).unwrap();
        fd = nix::fcntl::openat(&fd, name(i).as_str(), nix::fcntl::OFlag::O_DIRECTORY, nix::sys::stat::Mode::empty()).unwrap();
        script.push(path_line("chdir", &[Path::new(&name(i))]));
    }
    let file = nix::fcntl::openat(&fd, "f", nix::fcntl::OFlag::O_CREAT | nix::fcntl::OFlag::O_WRONLY, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    drop(file);
    script.push(open_line("openat", O_RDONLY, 0, Path::new("f")));
    let child = Waiting::spawn(&[&["wait".to_string()], script.as_slice()].concat());
    let trace = Trace::start(&["open", "-p", &child.pid.to_string()]);
    let reports = child.go();
    let out = trace.stop();
    out.assert_success();
    let record = out.of_kind("open").last().unwrap().clone();
    assert!(reports.last().unwrap().ret >= 0 && reports.last().unwrap().link.is_none(), "{reports:?}: readlink fails, ENAMETOOLONG");
    assert_eq!(record["full_path_truncated"], true, "{record}");
    let full = record["full_path"].as_str().unwrap();
    assert!(full.len() <= 4095 && full.len() > 3000, "{} bytes", full.len());
    assert!(full.ends_with(&format!("/{}/f", name(23))), "{full}");
    let whole: String = (0..24).map(|i| format!("/{}", name(i))).collect::<String>() + "/f";
    assert!(whole.ends_with(full), "the components nearest the file");
}

/// The normalizer, three runs over one child at once, each count exact: path prefixes
/// in the kernel (excluded opens never reach the ring: counted as filtered), and
/// --dedup in sysnoop (counted as deduplicated), which keys on the outcome of an open,
/// not on its fd: a opened again while the keep directory holds an fd (so as fd 4, not
/// 3) is a repeat all the same.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn path_prefixes_and_dedup_count_exactly() {
    require_bpf();
    let dir = TestDir::new("normalizer");
    std::fs::create_dir(dir.path("keep")).unwrap();
    std::fs::create_dir(dir.path("skip")).unwrap();
    let (a, b, c) = (dir.file("keep/a"), dir.file("keep/b"), dir.file("skip/c"));
    let child = Waiting::spawn(&[
        "wait".into(),
        repeat_line(3, &a),
        open_line("openat", O_RDONLY, 0, &b),
        format!("opendir {}", crate::child::hex(dir.path("keep").as_os_str().as_encoded_bytes())),
        repeat_line(1, &a),
        repeat_line(2, &c),
        open_line("openat", O_RDONLY, 0, Path::new("/etc/hostname")),
        open_line("openat", O_RDONLY, 0, Path::new("/proc/self/status")),
        open_line("openat", O_RDONLY, 0, Path::new("/dev/null")),
        "sleep 1200".into(),
        repeat_line(1, &a),
    ]);
    let pid = child.pid.to_string();
    let skip = format!("{}/", text(&dir.path("skip")));
    let keep = format!("{}/", text(&dir.path("keep")));
    let excluding = Trace::start(&["open", "-p", &pid, "--exclude-path", &skip, "--dedup", "1s"]);
    let system = Trace::start(&["open", "-p", &pid, "--exclude-system-paths"]);
    let including = Trace::start(&["open", "-p", &pid, "--include-path", &keep]);
    child.go();
    let paths = |out: &crate::util::Output| -> Vec<String> { out.of_kind("open").map(|r| r["full_path"].as_str().unwrap().to_owned()).collect() };
    let counts = |out: &crate::util::Output| out.summary()["counts"]["open"].clone();

    let out = excluding.stop();
    out.assert_success();
    let status = format!("/proc/{pid}/status");
    assert_eq!(
        paths(&out),
        [text(&a), text(&b), text(&dir.path("keep")), "/etc/hostname".into(), status, "/dev/null".into(), text(&a)],
        "the repeats of a within 1s are dropped (the one as fd 4 too), c excluded"
    );
    // a's last open, after the window, shows the fd the dropped repeat got as well.
    let fds: Vec<i64> = out.of_kind("open").filter(|r| r["full_path"] == text(&a)).map(|r| r["ret"].as_i64().unwrap()).collect();
    assert_eq!(fds.len(), 2);
    assert_eq!(fds[1], fds[0] + 1, "{:?}", out.records);
    let n = counts(&out);
    assert_eq!((n["emitted"].as_u64(), n["deduplicated"].as_u64()), (Some(7), Some(3)), "{n}");
    assert!(n["filtered"].as_u64().unwrap() >= 2, "c's two opens are filtered: {n}");

    let out = system.stop();
    out.assert_success();
    assert_eq!(paths(&out), ["/etc/hostname"], "everything else is under /tmp/, /proc/ or /dev/");
    assert_eq!((counts(&out)["emitted"].as_u64(), counts(&out)["deduplicated"].as_u64()), (Some(1), Some(0)));

    let out = including.stop();
    out.assert_success();
    assert_eq!(paths(&out), [text(&a), text(&a), text(&a), text(&b), text(&a), text(&a)]);
}

/// The dedup table holds --dedup-entries written opens and no more: with 2,000 distinct
/// files opened twice, a table of 5,000 drops every second open, and a table of 1,000
/// (the oldest forgotten first) has forgotten each by the time it comes again.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_dedup_table_is_bounded() {
    require_bpf();
    const FILES: u32 = 2000;
    let dir = TestDir::new("dedup-bound");
    for i in 0..FILES {
        std::fs::write(dir.path(&i.to_string()), b"").unwrap();
    }
    // DIR without its trailing slash: the child adds "/N".
    let each = path_line(&format!("open-each {FILES}"), &[dir.path("0").parent().unwrap()]);
    let child = Waiting::spawn(&["wait".into(), each.clone(), each]);
    let pid = child.pid.to_string();
    let large = Trace::start(&["open", "-p", &pid, "--dedup", "60s", "--dedup-entries", "5000"]);
    let small = Trace::start(&["open", "-p", &pid, "--dedup", "60s", "--dedup-entries", "1000"]);
    child.go();
    for (trace, emitted, deduplicated) in [(large, FILES, FILES), (small, 2 * FILES, 0)] {
        let out = trace.stop();
        out.assert_success();
        let n = &out.summary()["counts"]["open"];
        assert_eq!((n["emitted"].as_u64(), n["deduplicated"].as_u64()), (Some(emitted.into()), Some(deduplicated.into())), "{n}");
    }
}
