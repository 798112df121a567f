//! `sysnoop connect` against the real kernel: connects to listeners on loopback.

use std::net::{TcpListener, UdpSocket};
use std::os::unix::ffi::OsStrExt;

use serde_json::{json, Value};

use crate::child::{self, hex, Opened};
use crate::util::{require_bpf, Output, TestDir, Trace};

/// The one connect record of `pid` to this destination port (None: a unix socket),
/// with the result the child saw. Each socket is closed after its connect, so fds are
/// reused: the destination tells records apart.
fn the_connect<'a>(out: &'a Output, pid: u32, got: &Opened, dport: Option<u16>) -> &'a Value {
    let found: Vec<&Value> = out.of_kind("connect").filter(|r| r["pid"] == pid && r["ret"] == got.ret && r["dport"] == json!(dport)).collect();
    assert_eq!(found.len(), 1, "expected one connect for {got:?}, got {found:?}\nstderr:\n{}", out.stderr);
    found[0]
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn connects_are_recorded_exactly() {
    require_bpf();
    let tcp4 = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp6 = TcpListener::bind("[::1]:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(); // dropped: refused
    let dir = TestDir::new("unix");
    let sock = dir.path("listener.sock");
    let _unix = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let port = |l: &TcpListener| l.local_addr().unwrap().port();
    let (p4, p6, pu) = (port(&tcp4), port(&tcp6), udp.local_addr().unwrap().port());

    let trace = Trace::start(&["connect"]);
    let (pid, got) = child::run(&[
        format!("connect tcp 127.0.0.1:{p4}"),
        format!("connect tcp [::1]:{p6}"),
        format!("connect udp 127.0.0.1:{pu}"),
        format!("connect tcp 127.0.0.1:{closed}"),
        format!("connect unix {}", hex(sock.as_os_str().as_bytes())),
    ]);
    let out = trace.stop();
    out.assert_success();
    assert_eq!(got.len(), 5);

    let expect = [
        ("inet", "tcp", "stream", "127.0.0.1", Some(p4), Value::Null),
        ("inet6", "tcp", "stream", "::1", Some(p6), Value::Null),
        ("inet", "udp", "dgram", "127.0.0.1", Some(pu), Value::Null),
        ("inet", "tcp", "stream", "127.0.0.1", Some(closed), json!("ECONNREFUSED")),
    ];
    for ((family, protocol, socket_type, addr, dport, errno), got) in expect.iter().zip(&got) {
        let r = the_connect(&out, pid, got, *dport);
        assert_eq!(r["tid"], got.tid, "{r}");
        assert_eq!(r["ppid"], std::process::id(), "{r}");
        assert_eq!((&r["family"], &r["protocol"], &r["socket_type"]), (&json!(family), &json!(protocol), &json!(socket_type)), "{r}");
        assert_eq!((&r["daddr"], &r["dport"]), (&json!(addr), &json!(dport)), "{r}");
        assert_eq!(r["errno"], *errno, "{r}");
        if got.ret == 0 {
            assert_eq!(r["fd"], got.fd, "{r}");
            // The local end, as the socket itself reports it.
            assert_eq!((&r["saddr"], &r["sport"]), (&json!(addr), &json!(got.sport)), "{r}");
        }
    }
    assert_eq!(got[3].ret, -111);
    let r = the_connect(&out, pid, &got[4], None);
    assert_eq!((&r["family"], &r["socket_type"], &r["path"]), (&json!("unix"), &json!("stream"), &json!(sock.to_str().unwrap())), "{r}");
    assert!(r["protocol"].is_null() && r["daddr"].is_null() && r["dport"].is_null(), "{r}");
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn port_and_failed_filters() {
    require_bpf();
    let (a, b) = (TcpListener::bind("127.0.0.1:0").unwrap(), TcpListener::bind("127.0.0.1:0").unwrap());
    let (pa, pb) = (a.local_addr().unwrap().port(), b.local_addr().unwrap().port());
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = [format!("connect tcp 127.0.0.1:{pa}"), format!("connect tcp 127.0.0.1:{pb}"), format!("connect tcp 127.0.0.1:{closed}")];

    let trace = Trace::start(&["connect", "--port", &format!("{pa},{closed}")]);
    let (pid, _) = child::run(&script);
    let out = trace.stop();
    let ports: Vec<&Value> = out.of_kind("connect").filter(|r| r["pid"] == pid).map(|r| &r["dport"]).collect();
    assert_eq!(ports, [&json!(pa), &json!(closed)], "{:?}", out.records);

    let trace = Trace::start(&["connect", "-x"]);
    let (pid, _) = child::run(&script);
    let out = trace.stop();
    let mine: Vec<&Value> = out.of_kind("connect").filter(|r| r["pid"] == pid).collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!((&mine[0]["dport"], &mine[0]["errno"]), (&json!(closed), &json!("ECONNREFUSED")));
    // At least the child's two connects that succeeded; -x also drops every other
    // successful connect on the host meanwhile, which no test can know.
    assert!(out.summary()["counts"]["connect"]["filtered"].as_u64().unwrap() >= 2);
}
