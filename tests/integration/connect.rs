//! `sysnoop connect` against the real kernel: connects to listeners on loopback.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use serde_json::{json, Value};

use crate::child::{self, hex, Opened, Waiting};
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

/// A TCP listener on loopback that answers no SYN: its accept queue (backlog 0) is full
/// with one connection never accepted, so the kernel drops every SYN that comes. The
/// listener and that connection are held as long as it is.
pub struct Silent {
    pub addr: SocketAddr,
    _held: (OwnedFd, std::net::TcpStream),
}

impl Silent {
    pub fn new(v6: bool) -> Silent {
        use nix::sys::socket::{bind, getsockname, listen, socket, AddressFamily, Backlog, SockFlag, SockType, SockaddrStorage};
        let (family, any): (_, SocketAddr) =
            if v6 { (AddressFamily::Inet6, "[::1]:0".parse().unwrap()) } else { (AddressFamily::Inet, "127.0.0.1:0".parse().unwrap()) };
        let listener = socket(family, SockType::Stream, SockFlag::empty(), None).unwrap();
        bind(listener.as_raw_fd(), &SockaddrStorage::from(any)).unwrap();
        listen(&listener, Backlog::new(0).unwrap()).unwrap();
        let local = getsockname::<SockaddrStorage>(listener.as_raw_fd()).unwrap();
        let port = local.as_sockaddr_in().map(|a| a.port()).or_else(|| local.as_sockaddr_in6().map(|a| a.port())).unwrap();
        let addr = SocketAddr::new(any.ip(), port);
        let queued = std::net::TcpStream::connect(addr).unwrap();
        Silent { addr, _held: (listener, queued) }
    }
}

const ETIMEDOUT: i64 = 110;
const ECONNREFUSED: i64 = 111;

/// Non-blocking connects (EINPROGRESS) that are established, refused (IPv4 and IPv6),
/// time out (a listener that drops every SYN, with TCP_SYNCNT 1: about 3 s), and one its
/// process closes while it is still connecting: each connect record has a connect_id,
/// and exactly one connect_result follows with that id, the outcome the process saw,
/// the local port it was given, and how long it took. A blocking connect returns its
/// outcome itself: no connect_id, no connect_result. Every connect_result is counted:
/// emitted + lost + filtered = the connects awaited.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_nonblocking_connect_gets_its_outcome() {
    require_bpf();
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let open6 = TcpListener::bind("[::1]:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let closed6 = TcpListener::bind("[::1]:0").unwrap().local_addr().unwrap();
    let (silent, silent6) = (Silent::new(false), Silent::new(true));
    let script = [
        format!("connect-nb {} 0 5000", open.local_addr().unwrap()),
        format!("connect-nb {} 0 5000", open6.local_addr().unwrap()),
        format!("connect-nb {closed} 0 5000"),
        format!("connect-nb {closed6} 0 5000"),
        format!("connect-nb {} 1 10000", silent.addr),
        format!("connect-nb {} 1 10000", silent6.addr),
        format!("connect-nb {} 0 200", silent.addr),
        format!("connect tcp {}", open.local_addr().unwrap()),
    ];
    let (records, got, stderr) = child::traced(&["connect"], &script);
    assert_eq!(got.len(), script.len(), "{stderr}");
    let expect = [
        ("established", 0, Value::Null),
        ("established", 0, Value::Null),
        ("refused", ECONNREFUSED, json!("ECONNREFUSED")),
        ("refused", ECONNREFUSED, json!("ECONNREFUSED")),
        ("timed_out", ETIMEDOUT, json!("ETIMEDOUT")),
        ("timed_out", ETIMEDOUT, json!("ETIMEDOUT")),
        ("closed", -1, Value::Null),
    ];
    let summary = records.last().unwrap();
    let results: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect_result").collect();
    if summary["skipped"]["inet_sock_set_state"].as_u64().is_some() || results.iter().any(|r| r["outcome"] == "pending") {
        // The load of the tests beside this one made the kernel miss a state change, so an
        // outcome may be `pending` or lost (outcomes_the_kernel_misses_are_never_wrong):
        // the counts still add up, and no connect has another's outcome.
        let awaited = records.iter().filter(|r| r["kind"] == "connect" && r["connect_id"].is_u64()).count() as u64;
        let counts = &summary["counts"]["connect_result"];
        assert_eq!(counts["emitted"].as_u64().unwrap() + counts["lost"].as_u64().unwrap(), awaited, "{summary}");
        let connects = records.iter().filter(|r| r["kind"] == "connect" && r["family"] != "unix");
        for (((outcome, _, _), got), connect) in expect.iter().zip(&got).zip(connects) {
            let result: Vec<&&Value> = results.iter().filter(|r| r["connect_id"] == connect["connect_id"]).collect();
            assert!(result.len() <= 1 && result.iter().all(|r| r["outcome"] == *outcome || r["outcome"] == "pending"), "{got:?}: {result:?}");
        }
        return eprintln!("the kernel missed a state change: {summary}");
    }
    let connects: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect" && r["family"] != "unix").collect();
    assert_eq!((connects.len(), results.len()), (script.len(), expect.len()), "{records:#?}");
    for (((outcome, error, errno), got), connect) in expect.iter().zip(&got).zip(&connects) {
        assert_eq!((got.ret, got.error), (-115, *error), "what the child saw: {got:?}");
        assert_eq!(connect["errno"], "EINPROGRESS", "{connect}");
        let id = connect["connect_id"].as_u64().unwrap_or_else(|| panic!("no connect_id: {connect}"));
        let result: Vec<&&Value> = results.iter().filter(|r| r["connect_id"] == id).collect();
        assert_eq!(result.len(), 1, "{id}: {results:#?}");
        let r = result[0];
        assert_eq!((&r["outcome"], &r["errno"]), (&json!(outcome), errno), "{r}");
        assert_eq!((&r["pid"], &r["tid"], &r["comm"]), (&connect["pid"], &connect["tid"], &connect["comm"]), "{r}");
        assert_eq!((&r["family"], &r["daddr"], &r["dport"]), (&connect["family"], &connect["daddr"], &connect["dport"]), "{r}");
        assert_eq!((&r["saddr"], &r["sport"]), (&connect["daddr"], &json!(got.sport)), "the local end the child was given: {r}");
        let took = r["duration_ns"].as_u64().unwrap();
        match *outcome {
            "timed_out" => assert!((2_500_000_000..10_000_000_000).contains(&took), "{r}"),
            "closed" => assert!((150_000_000..5_000_000_000).contains(&took), "{r}"),
            _ => assert!(took < 5_000_000_000, "{r}"),
        }
        // In time order: each result after its connect.
        assert!(r["time"].as_str().unwrap() >= connect["time"].as_str().unwrap(), "{connect}\n{r}");
    }
    let blocking = connects.last().unwrap();
    assert_eq!((&blocking["ret"], &blocking["connect_id"]), (&json!(0), &Value::Null), "{blocking}");
    let counts = &records.last().unwrap()["counts"]["connect_result"];
    assert_eq!(counts, &json!({"emitted": 7, "filtered": 0, "lost": 0, "pairing_misses": 0, "malformed": 0, "unwritten": 0, "deduplicated": 0, "unsent": 0}));
}

/// Under a load that makes the kernel miss state changes (other processes' loopback
/// connections on every CPU while 300 traced connects time out in softirq timers: the
/// kernel skips the program when it is already running on that CPU, counted as the
/// summary's `skipped`, and on 6.18 has been seen to leave a whole timer batch of SYN
/// timeouts unreported to any BPF program, counted nowhere), nothing is lost silently and
/// no outcome goes to the wrong connect: every awaited connect's result is emitted or
/// counted lost, at most one per connect, and each that is not `timed_out` is `pending`
/// (no outcome seen) -- or `closed`, when the child's SO_ERROR read took the socket's
/// error between the kernel setting it and closing the socket.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn outcomes_the_kernel_misses_are_never_wrong() {
    require_bpf();
    let silent = Silent::new(false);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let listener = TcpListener::bind("127.0.0.1:0").unwrap();
                let reset = nix::libc::linger { l_onoff: 1, l_linger: 0 };
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // Closed by a reset: no TIME_WAIT left behind to use up the local ports
                    // the tests beside this one connect from.
                    let Ok(client) = std::net::TcpStream::connect(listener.local_addr().unwrap()) else { continue };
                    nix::sys::socket::setsockopt(&client, nix::sys::socket::sockopt::Linger, &reset).unwrap();
                    drop((listener.accept(), client));
                }
            })
        })
        .collect();
    let (records, got, stderr) = child::traced(&["connect"], &[format!("connect-many {} 300 1", silent.addr)]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.into_iter().for_each(|t| t.join().unwrap());
    let summary = records.last().unwrap();
    assert_eq!(got[0].ret, 300, "every connect timed out, as the child saw: {stderr}");
    let counts = &summary["counts"]["connect_result"];
    let connects: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect" && r["dport"] == silent.addr.port()).collect();
    assert_eq!(connects.len(), 300, "{stderr}");
    let awaited: Vec<u64> = connects.iter().filter_map(|c| c["connect_id"].as_u64()).collect();
    let results: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect_result").collect();
    for id in &awaited {
        assert!(results.iter().filter(|r| r["connect_id"] == *id).count() <= 1, "{id}: {results:#?}");
    }
    assert!(results.iter().all(|r| awaited.contains(&r["connect_id"].as_u64().unwrap())), "{results:#?}");
    let (emitted, lost) = (counts["emitted"].as_u64().unwrap(), counts["lost"].as_u64().unwrap());
    assert_eq!(emitted + lost, awaited.len() as u64, "{summary}");
    let missed: Vec<&&Value> = results.iter().filter(|r| r["outcome"] != "timed_out").collect();
    assert!(missed.iter().all(|r| r["outcome"] == "pending" || (r["outcome"] == "closed" && r["errno"].is_null())), "{missed:#?}");
    eprintln!("skipped {}: {} not timed out, {} without an id, {lost} lost", summary["skipped"], missed.len(), 300 - awaited.len());
}

/// -x keeps the outcomes that are failures (counting the others filtered); --port keeps
/// the outcomes of the connects it keeps.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn outcomes_follow_the_filters() {
    require_bpf();
    let open = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let _listening = TcpListener::bind(open);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let script = [format!("connect-nb {} 0 5000", listener.local_addr().unwrap()), format!("connect-nb {closed} 0 5000")];
    let (records, _, _) = child::traced(&["connect", "-x"], &script);
    let outcomes: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect_result").map(|r| &r["outcome"]).collect();
    assert_eq!(outcomes, [&json!("refused")]);
    assert_eq!(records.last().unwrap()["counts"]["connect_result"]["filtered"], 1);
    let (records, _, _) = child::traced(&["connect", "--port", &closed.port().to_string()], &script);
    let results: Vec<&Value> = records.iter().filter(|r| r["kind"] == "connect_result").collect();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!((&results[0]["dport"], &results[0]["outcome"]), (&json!(closed.port()), &json!("refused")));
}

/// A connect still connecting when the run ends: its connect_result says `pending`,
/// written when the run stops.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_connect_still_connecting_at_the_end_is_pending() {
    require_bpf();
    let silent = Silent::new(false);
    let trace = Trace::start(&["connect"]);
    let child = Waiting::spawn(&[format!("connect-nb {} 0 keep", silent.addr), "wait".into()]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = trace.stop();
    child.kill(nix::sys::signal::Signal::SIGKILL);
    let connect: Vec<&Value> = out.of_kind("connect").filter(|r| r["pid"] == child_pid(&out, &silent)).collect();
    assert_eq!(connect.len(), 1, "{:?}", out.records);
    let results: Vec<&Value> = out.of_kind("connect_result").filter(|r| r["connect_id"] == connect[0]["connect_id"]).collect();
    assert_eq!(results.len(), 1, "{:?}", out.records);
    assert_eq!((&results[0]["outcome"], &results[0]["errno"]), (&json!("pending"), &Value::Null), "{}", results[0]);
    assert!(results[0]["duration_ns"].as_u64().unwrap() >= 250_000_000, "{}", results[0]);
}

/// The pid of the one process that connected to `silent`.
fn child_pid(out: &Output, silent: &Silent) -> Value {
    let pids: Vec<&Value> = out.of_kind("connect").filter(|r| r["dport"] == silent.addr.port() && r["errno"] == "EINPROGRESS").map(|r| &r["pid"]).collect();
    assert_eq!(pids.len(), 1, "{:?}", out.records);
    pids[0].clone()
}
