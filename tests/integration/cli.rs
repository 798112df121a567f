//! Usage errors: exit status 2 and the reason, before anything loads.

use crate::util::run;

fn usage_error(args: &[&str], reason: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(reason), "{args:?}: expected `{reason}` in:\n{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2_with_the_reason() {
    usage_error(&["open", "--ring-size", "3M"], "power of two");
    usage_error(&["open", "-d", "5parsecs"], "unknown unit");
    usage_error(&["open", "-n", "a-name-longer-than-15"], "15 bytes");
    usage_error(&["open", "-p", "0"], "0");
    usage_error(&["open", "-p", "nope"], "invalid digit");
    usage_error(&["open", "-u", "no-such-user-here"], "no user named");
    usage_error(&["open", "--max-events", "0"], "0");
    usage_error(&["open", "--no-such-flag"], "--no-such-flag");
    usage_error(&["frobnicate"], "frobnicate");
    usage_error(&[], "Usage");
}

#[test]
fn help_explains_every_flag() {
    let out = run(&["open", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--pid", "--tid", "--uid", "--name", "--failed", "--duration", "--max-events", "--ring-size", "--stats-interval", "--quiet"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
