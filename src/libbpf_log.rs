//! libbpf's messages. With -v they go to stderr as libbpf writes them (relocations,
//! the verifier's whole log). Without it they are kept, per thread, and only what
//! explains a failure reaches the error: which program the kernel refused and the
//! verifier's last word on it, in a line or two, however long the kernel's log is.
//! Per thread because the kinds load side by side (session::trace), each on its own.

use std::cell::RefCell;

use libbpf_rs::PrintLevel;

/// At most this much of a thread's messages is kept (the end of a verifier log is
/// what names the problem).
const KEEP: usize = 256 << 10;

thread_local! {
    static CAPTURED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Routes libbpf's messages: to stderr with `verbose`, else into this thread's capture.
pub fn install(verbose: bool) {
    if verbose {
        libbpf_rs::set_print(Some((PrintLevel::Debug, |_, msg: String| {
            let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        })));
    } else {
        libbpf_rs::set_print(Some((PrintLevel::Warn, |_, msg: String| {
            CAPTURED.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() + msg.len() > KEEP {
                    let cut = (c.len() + msg.len()).saturating_sub(KEEP).min(c.len());
                    let cut = (cut..=c.len()).find(|&i| c.is_char_boundary(i)).unwrap_or(c.len());
                    c.drain(..cut);
                }
                c.push_str(&msg);
            })
        })));
    }
}

/// Forgets what this thread captured so far (before a load).
pub(crate) fn clear() {
    CAPTURED.with(|c| c.borrow_mut().clear());
}

/// What this thread's captured messages say about a failure, in a line; None when
/// they say nothing (or -v printed them).
pub(crate) fn explain() -> Option<String> {
    let text = CAPTURED.with(|c| std::mem::take(&mut *c.borrow_mut()));
    summarize(&text)
}

/// The refused program and the verifier's complaint (the last line of its log before
/// its statistics), or else libbpf's first line that says something failed.
pub(crate) fn summarize(text: &str) -> Option<String> {
    let mut program = None;
    let mut complaint = None;
    let mut in_log = false;
    let mut last = None;
    for line in text.lines() {
        let line = line.trim_end();
        if line.contains("-- BEGIN PROG LOAD LOG --") {
            in_log = true;
            last = None;
            program = program.or_else(|| quoted_prog(line));
        } else if line.contains("-- END PROG LOAD LOG --") {
            in_log = false;
            complaint = complaint.or(last.take());
        } else if in_log {
            let stats = line.starts_with("processed ") || line.starts_with("verification time") || line.starts_with("stack depth");
            if !line.is_empty() && !stats {
                last = Some(line.to_owned());
            }
        }
    }
    if in_log {
        complaint = complaint.or(last);
    }
    match (program, complaint) {
        (Some(p), Some(c)) => Some(format!("the kernel's verifier refused program {p}: {c}")),
        (None, Some(c)) => Some(format!("the kernel's verifier refused a program: {c}")),
        // Lines that only restate the error code the caller has anyway say nothing, and
        // libbpf's guess at an EPERM (raise `ulimit -l`) misleads where memory is
        // accounted by cgroup, as on every kernel sysnoop supports.
        _ => text
            .lines()
            .filter(|l| !l.contains("BPF program load failed") && !l.contains("failed to load") && !l.contains("ulimit"))
            .find(|l| l.contains("failed"))
            .map(|l| l.trim_start_matches("libbpf: ").trim().to_owned()),
    }
}

/// `P` in "libbpf: prog 'P': ...".
fn quoted_prog(line: &str) -> Option<String> {
    let rest = &line[line.find("prog '")? + 6..];
    Some(rest[..rest.find('\'')?].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As 5.10 refused open's programs before the fallbacks: libbpf's lines, the log,
    /// and the line that names the problem.
    #[test]
    fn a_verifier_log_comes_down_to_its_last_word() {
        let text = "libbpf: prog 'tracepoint__syscalls__sys_exit_open': BPF program load failed: Invalid argument\n\
                    libbpf: prog 'tracepoint__syscalls__sys_exit_open': -- BEGIN PROG LOAD LOG --\n\
                    0: R1=ctx() R10=fp0\n\
                    ; fill_task_header @ common.bpf.h:358\n\
                    12: (85) call unknown#158\n\
                    invalid func unknown#158\n\
                    processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n\
                    -- END PROG LOAD LOG --\n\
                    libbpf: prog 'tracepoint__syscalls__sys_exit_open': failed to load: -22\n";
        assert_eq!(summarize(text).as_deref(), Some("the kernel's verifier refused program tracepoint__syscalls__sys_exit_open: invalid func unknown#158"));
    }

    #[test]
    fn without_a_log_the_first_failure_is_said() {
        let text =
            "libbpf: map 'events': created\nlibbpf: prog 'x': failed to create tracepoint 'syscalls/sys_exit_open' perf event: No such file or directory\n";
        assert_eq!(summarize(text).as_deref(), Some("prog 'x': failed to create tracepoint 'syscalls/sys_exit_open' perf event: No such file or directory"));
        assert_eq!(summarize("libbpf: all is well\n"), None);
        // An EPERM refusal: libbpf's line only restates it.
        let eperm = "libbpf: prog 'file_open': BPF program load failed: -EPERM\n\
                     libbpf: permission error while running as root; try raising 'ulimit -l'? current value: 8.0 MiB\n\
                     libbpf: prog 'file_open': failed to load: -1\n";
        assert_eq!(summarize(eperm), None);
    }
}
