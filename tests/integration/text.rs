//! `--format text` against the real kernel: a header, then aligned columns, with what a
//! traced process controls escaped, and the summary as a sentence on stderr.

use std::os::unix::ffi::OsStrExt;

use crate::child::{self, open_line, Waiting};
use crate::util::{require_bpf, TestDir, Trace};

fn lines(out: &crate::util::Output) -> Vec<&str> {
    out.records.iter().map(|l| l.as_str().unwrap()).collect()
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn opens_in_columns_with_hostile_bytes_escaped() {
    require_bpf();
    let dir = TestDir::new("text");
    let plain = dir.file("plain");
    // A name that would clear the screen and forge a line of its own.
    let hostile = dir.path("").join(std::ffi::OsStr::from_bytes(b"evil\x1b[2J\nforged\xff"));
    let trace = Trace::start(&["open", "--format", "text", "-n", "s11-text"]);
    let (pid, got) =
        child::run(&["comm s11-text".into(), open_line("openat", nix::libc::O_RDONLY, 0, &plain), open_line("openat", nix::libc::O_RDONLY, 0, &hostile)]);
    let out = trace.stop_text();
    out.assert_success();
    let lines = lines(&out);
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["TIME(UTC)", "PID", "COMM", "FD", "ERR", "PATH"]);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let path_at = lines[0].find("PATH").unwrap();
    for (line, (path, fd, err)) in lines[1..].iter().zip([
        (plain.to_str().unwrap().to_owned(), got[0].ret.to_string(), "0"),
        (format!("{}/evil\\u{{1b}}[2J\\nforged\\xff", dir.path("").to_str().unwrap().trim_end_matches('/')), "-1".to_owned(), "ENOENT"),
    ]) {
        let columns: Vec<&str> = line[..path_at].split_whitespace().collect();
        assert_eq!(columns[1..], [pid.to_string().as_str(), "s11-text", fd.as_str(), err], "{line}");
        assert_eq!(columns[0].len(), 12, "{line}"); // HH:MM:SS.mmm
        assert_eq!(&line[path_at..], path, "{line}");
    }
    // The summary, on stderr, as a sentence.
    let said = out.stderr.lines().last().unwrap();
    assert!(said.starts_with("sysnoop: traced for ") && said.ends_with("Nothing was lost."), "{said}");
    assert!(said.contains(": open 2 written, "), "{said}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn all_prefixes_each_line_with_its_kind() {
    require_bpf();
    let dir = TestDir::new("text-all");
    let path = dir.file("seen");
    let child = Waiting::spawn(&["wait".into(), open_line("openat", nix::libc::O_RDONLY, 0, &path), "exit 0".into()]);
    let pid = child.pid;
    let trace = Trace::start(&["all", "--format", "text", "-p", &pid.to_string()]);
    child.go();
    let out = trace.stop_text();
    out.assert_success();
    let lines = lines(&out);
    let headers: Vec<&str> = lines.iter().take_while(|l| l.starts_with("KIND ")).copied().collect();
    let firsts: Vec<&str> = headers.iter().map(|h| h.split_whitespace().nth(2).unwrap()).collect();
    assert_eq!(
        firsts,
        ["PID", "PCOMM", "PCOMM", "PCOMM", "PID", "PID", "PID", "PID", "PID", "PID", "PID", "PID", "PID", "PID", "PID", "RX_BYTES", "BYTES/S"],
        "{headers:#?}"
    );
    let exit = lines.iter().find(|l| l.starts_with("exit ") && l.contains(&format!(" {pid} "))).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(exit.ends_with("code 0"), "{exit}");
    let open = lines.iter().find(|l| l.starts_with("open ") && l.ends_with(path.to_str().unwrap())).unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(open.split_whitespace().nth(2), Some(pid.to_string().as_str()), "{open}");
    assert!(
        lines[headers.len()..].iter().all(|l| [
            "open ",
            "exec ",
            "process ",
            "exit ",
            "connect ",
            "connect_result ",
            "accept ",
            "bind ",
            "listen ",
            "file ",
            "traffic ",
            "alert "
        ]
        .iter()
        .any(|k| l.starts_with(k))),
        "{lines:#?}"
    );
}
