//! `sysnoop accept` and `sysnoop bind` against the real kernel: listeners (TCP over IPv4
//! and IPv6, a unix socket) that accept connections from clients of their own.

use std::os::unix::ffi::OsStrExt;

use serde_json::{json, Value};

use crate::child::{self, hex, Opened};
use crate::util::{require_bpf, TestDir};

/// The child's script: a listener of each family accepting `n` connections each, then
/// a non-blocking accept4 with nothing waiting and a bind to an address in use.
fn script(dir: &TestDir) -> Vec<String> {
    let sock = dir.path("listener.sock");
    vec!["serve tcp 127.0.0.1:0 3".into(), "serve tcp [::1]:0 2".into(), format!("serve unix {} 2", hex(sock.as_os_str().as_bytes()))]
}

/// What the child saw of each listener: (the listener, the accepts, the failed accept,
/// the failed bind).
fn listeners(got: &[Opened]) -> Vec<(&Opened, &[Opened], &Opened, &Opened)> {
    let mut out = Vec::new();
    let mut rest = got;
    for n in [3, 2, 2] {
        let (this, next) = rest.split_at(n + 3);
        out.push((&this[0], &this[1..=n], &this[n + 1], &this[n + 2]));
        rest = next;
    }
    assert!(rest.is_empty(), "{got:?}");
    out
}

/// Every accept the listeners made is one record with both ends exact (the peer is the
/// client's socket), the failed one with its errno and no peer; nothing else is
/// recorded, and the counts say so.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_accept_with_both_ends() {
    require_bpf();
    let dir = TestDir::new("accept");
    let script = script(&dir);
    let (records, got, stderr) = child::traced(&["accept"], &script);
    let accepts: Vec<&Value> = records.iter().filter(|r| r["kind"] == "accept").collect();
    assert_eq!(accepts.len(), 3 + 1 + 2 + 1 + 2 + 1, "{accepts:#?}\n{stderr}");
    let mut accepts = accepts.into_iter();
    let sock = dir.path("listener.sock");
    for ((listener, ok, failed, _), (family, addr)) in listeners(&got).into_iter().zip([("inet", "127.0.0.1"), ("inet6", "::1"), ("unix", "")]) {
        for a in ok.iter().chain([failed]) {
            let r = accepts.next().unwrap();
            // The connections by accept, the failure by accept4 with SOCK_CLOEXEC.
            let (syscall, flags) = if a.ret >= 0 { ("accept", json!([])) } else { ("accept4", json!(["SOCK_CLOEXEC"])) };
            assert_eq!((&r["pid"], &r["tid"], &r["syscall"], &r["fd"]), (&json!(a.pid), &json!(a.tid), &json!(syscall), &json!(listener.fd)), "{r}");
            assert_eq!((&r["ret"], &r["flags"]), (&json!(a.ret), &flags), "{r}");
            assert_eq!((&r["family"], &r["socket_type"]), (&json!(family), &json!("stream")), "{r}");
            if family == "unix" {
                assert_eq!(
                    (&r["path"], &r["protocol"], &r["saddr"], &r["sport"], &r["daddr"]),
                    (&json!(sock.to_str().unwrap()), &Value::Null, &Value::Null, &Value::Null, &Value::Null),
                    "{r}"
                );
            } else {
                assert_eq!((&r["protocol"], &r["saddr"], &r["sport"], &r["path"]), (&json!("tcp"), &json!(addr), &json!(listener.sport), &Value::Null), "{r}");
                let peer = if a.ret >= 0 { (json!(addr), json!(a.sport)) } else { (Value::Null, Value::Null) };
                assert_eq!((&r["daddr"], &r["dport"]), (&peer.0, &peer.1), "{r}");
            }
            assert_eq!(r["errno"], if a.ret >= 0 { Value::Null } else { json!("EAGAIN") }, "{r}");
        }
    }
    let counts = &records.last().unwrap()["counts"];
    assert_eq!(counts.as_object().unwrap().keys().collect::<Vec<_>>(), ["accept"]);
    // `filtered` counts the rest of the host's accepts (not the command's).
    assert_eq!((&counts["accept"]["emitted"], &counts["accept"]["lost"], &counts["accept"]["pairing_misses"]), (&json!(10), &json!(0), &json!(0)));
}

/// Every bind and listen the listeners made is one record: the address and the port the
/// kernel chose for port 0, listen's backlog, the failed bind with EADDRINUSE.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_bind_and_listen() {
    require_bpf();
    let dir = TestDir::new("bind");
    let script = script(&dir);
    let (records, got, stderr) = child::traced(&["bind"], &script);
    let calls: Vec<&Value> = records.iter().filter(|r| r["kind"] == "bind" || r["kind"] == "listen").collect();
    assert_eq!(calls.len(), 3 * 3, "{calls:#?}\n{stderr}");
    let sock = dir.path("listener.sock");
    for ((listener, _, _, again), (family, addr), mine) in
        listeners(&got).into_iter().zip([("inet", "127.0.0.1"), ("inet6", "::1"), ("unix", "")]).zip(calls.chunks(3)).map(|((a, b), c)| (a, b, c))
    {
        let kinds: Vec<&Value> = mine.iter().map(|r| &r["kind"]).collect();
        assert_eq!(kinds, ["bind", "listen", "bind"], "{mine:#?}");
        let (bind, listen, refused) = (mine[0], mine[1], mine[2]);
        assert_eq!((&bind["fd"], &listen["fd"], &refused["fd"]), (&json!(listener.fd), &json!(listener.fd), &json!(again.fd)));
        assert_eq!(
            (&bind["ret"], &listen["ret"], &listen["backlog"], &refused["ret"], &refused["errno"]),
            (&json!(0), &json!(0), &json!(7), &json!(again.ret), &json!("EADDRINUSE"))
        );
        assert_eq!(again.ret, -98);
        assert!(bind.get("backlog").is_none(), "{bind}");
        for r in [bind, listen, refused] {
            assert_eq!((&r["pid"], &r["family"], &r["socket_type"]), (&json!(listener.pid), &json!(family), &json!("stream")), "{r}");
            if family == "unix" {
                assert_eq!(
                    (&r["path"], &r["saddr"], &r["sport"], &r["protocol"]),
                    (&json!(sock.to_str().unwrap()), &Value::Null, &Value::Null, &Value::Null),
                    "{r}"
                );
            } else {
                // The port the kernel chose for port 0, as the socket has it.
                assert_eq!((&r["saddr"], &r["sport"], &r["protocol"], &r["path"]), (&json!(addr), &json!(listener.sport), &json!("tcp"), &Value::Null), "{r}");
            }
        }
    }
    let counts = &records.last().unwrap()["counts"];
    assert_eq!(
        (&counts["bind"]["emitted"], &counts["listen"]["emitted"], &counts["bind"]["lost"], &counts["listen"]["lost"]),
        (&json!(6), &json!(3), &json!(0), &json!(0))
    );
}

/// -x keeps the failures alone (under `all`), counting the rest filtered under their
/// own kinds.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn failed_only() {
    require_bpf();
    let dir = TestDir::new("accept-x");
    let script = script(&dir);
    let (records, _, stderr) = child::traced(&["all", "-x"], &script);
    let kinds: Vec<(&Value, &Value)> =
        records.iter().filter(|r| ["accept", "bind", "listen"].contains(&r["kind"].as_str().unwrap())).map(|r| (&r["kind"], &r["errno"])).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}\n{stderr}");
    assert!(kinds.iter().all(|(k, e)| (*k == "accept" && *e == "EAGAIN") || (*k == "bind" && *e == "EADDRINUSE")), "{kinds:?}");
    let counts = &records.last().unwrap()["counts"];
    // The command's successes, and whatever the rest of the host did meanwhile.
    let filtered = |kind: &str| counts[kind]["filtered"].as_u64().unwrap();
    assert!(filtered("accept") >= 7 && filtered("bind") >= 3 && filtered("listen") >= 3, "{counts}");
}
