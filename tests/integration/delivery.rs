//! `-o`: records sent to a real collector (syslog-ng, started here with a private
//! configuration that listens on a Unix stream socket, on a loopback TCP port and on a
//! TLS one, with certificates made here, and writes each line it receives to a file),
//! and to a file that logrotate moves away.
//! Every line the collector wrote is parsed like stdout is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::Value;

use crate::child::{repeat_line, Waiting};
use crate::util::{parse_ndjson, require_bpf, TestDir, Trace};

/// syslog-ng with its own configuration, persist file, pid file and control socket in
/// a test directory: no system service is touched. Flow control makes it stop reading
/// rather than drop a message when its queue is full.
struct Collector {
    dir: TestDir,
    port: u16,
    tls_port: u16,
    process: Option<Child>,
}

/// A CA, and a certificate it signs for `localhost` (not for 127.0.0.1), made with
/// openssl in `dir`: ca.pem, server.pem, server.key; and other-ca.pem, a CA that signs
/// nothing here.
pub(crate) fn make_certificates(dir: &TestDir) {
    let script = r#"set -e
ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" -days 2 \
  -subj "/CN=sysnoop test $1" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null; }
ca ca
ca other-ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
"#;
    let out = Command::new("sh").args(["-c", script]).current_dir(dir.path("")).output().expect("running openssl");
    assert!(out.status.success(), "making certificates: {out:?}");
}

impl Collector {
    fn start() -> Collector {
        let dir = TestDir::new("collector");
        let port = free_port();
        let tls_port = free_port();
        make_certificates(&dir);
        let config = format!(
            r#"@version: 3.38
options {{ stats_freq(0); log_fifo_size(100000); }};
source s_in {{
  unix-stream("{sock}" flags(no-parse) log-msg-size(1048576) max-connections(16) log-iw-size(16000));
  network(ip("127.0.0.1") port({port}) transport("tcp") flags(no-parse) log-msg-size(1048576) max-connections(16) log-iw-size(16000));
  network(ip("127.0.0.1") port({tls_port}) transport("tls") tls(key-file("{key}") cert-file("{cert}") peer-verify(optional-untrusted))
    flags(no-parse) log-msg-size(1048576) max-connections(16) log-iw-size(16000));
}};
destination d_out {{ file("{out}" template("${{MSG}}\n")); }};
log {{ source(s_in); destination(d_out); flags(flow-control); }};
"#,
            sock = dir.path("collector.sock").display(),
            out = dir.path("received").display(),
            key = dir.path("server.key").display(),
            cert = dir.path("server.pem").display(),
        );
        std::fs::write(dir.path("syslog-ng.conf"), config).unwrap();
        let mut collector = Collector { dir, port, tls_port, process: None };
        collector.run();
        collector
    }

    /// Starts syslog-ng and waits until both its sockets take connections.
    fn run(&mut self) {
        self.process = Some(spawn_syslog_ng(&self.dir, "syslog-ng.log"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::os::unix::net::UnixStream::connect(self.dir.path("collector.sock")).is_err()
            || std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err()
            || std::net::TcpStream::connect(("127.0.0.1", self.tls_port)).is_err()
        {
            assert!(Instant::now() < deadline, "syslog-ng did not start: {}", self.log());
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn unix(&self) -> String {
        format!("unix:{}", self.dir.path("collector.sock").display())
    }

    fn tcp(&self) -> String {
        format!("tcp:127.0.0.1:{}", self.port)
    }

    /// Its TLS port, by the name its certificate is for.
    fn tls(&self) -> String {
        format!("tls:localhost:{}", self.tls_port)
    }

    /// The options that make sysnoop trust its certificate.
    fn tls_args(&self) -> [String; 2] {
        ["--tls-ca".into(), self.dir.path("ca.pem").display().to_string()]
    }

    fn pid(&self) -> nix::unistd::Pid {
        nix::unistd::Pid::from_raw(self.process.as_ref().expect("running").id() as i32)
    }

    /// Stops it the way a service manager does (SIGTERM) and waits for it to end.
    fn stop(&mut self) {
        let mut process = self.process.take().expect("running");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(process.id() as i32), Signal::SIGTERM).unwrap();
        process.wait().unwrap();
    }

    /// It stops reading (SIGSTOP) until `resume`.
    fn pause(&self) {
        nix::sys::signal::kill(self.pid(), Signal::SIGSTOP).unwrap();
    }

    fn resume(&self) {
        nix::sys::signal::kill(self.pid(), Signal::SIGCONT).unwrap();
    }

    fn received(&self) -> String {
        std::fs::read_to_string(self.dir.path("received")).unwrap_or_default()
    }

    /// Waits until what it received satisfies `done`, and returns it.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(Instant::now() < deadline, "the collector never received {what}; it has:\n{received}\nlog: {}", self.log());
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the summary, which ends every run, and parses every line received.
    fn records(&self, context: &str) -> Vec<Value> {
        let received = self.wait_for("the summary", |r| r.lines().last().is_some_and(is_summary));
        parse_ndjson(received.as_bytes(), context)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path("syslog-ng.log")).unwrap_or_default()
    }
}

/// syslog-ng in the foreground on `dir`'s syslog-ng.conf, its persist file, pid file and
/// control socket in `dir` too, its messages in `dir`'s file `log`.
pub(crate) fn spawn_syslog_ng(dir: &TestDir, log: &str) -> Child {
    let arg = |flag: &str, name: &str| format!("--{flag}={}", dir.path(name).display());
    Command::new("syslog-ng")
        .args(["-F", "--no-caps"])
        .args([arg("cfgfile", "syslog-ng.conf"), arg("persist-file", "persist"), arg("pidfile", "pid"), arg("control", "ctl")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path(log)).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("starting syslog-ng (scripts/setup installs syslog-ng-core): {e}"))
}

impl Drop for Collector {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(process.id() as i32), Signal::SIGKILL);
            let _ = process.wait();
        }
    }
}

pub(crate) fn is_summary(line: &str) -> bool {
    line.contains(r#""kind":"summary""#)
}

/// A loopback port nothing listens on.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

/// The open records of `path`.
pub(crate) fn opens_of<'a>(records: &'a [Value], path: &Path) -> Vec<&'a Value> {
    records.iter().filter(|r| r["kind"] == "open" && r["path"] == path.to_str().unwrap()).collect()
}

/// A child that opens `path` N times per phase, waiting before each phase.
pub(crate) fn phases(phases: &[(u32, &Path)]) -> Waiting {
    let mut script = vec!["wait".to_string()];
    for (i, &(n, path)) in phases.iter().enumerate() {
        script.push(repeat_line(n, path));
        if i + 1 < phases.len() {
            script.push("wait".into());
        }
    }
    Waiting::spawn(&script)
}

/// Every record sysnoop emitted arrives once and whole, over a Unix stream socket in
/// the native format and over TCP as OCSF; nothing goes to stdout.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn every_record_arrives_once_and_intact() {
    require_bpf();
    const N: u32 = 3000;
    let collector = Collector::start();
    let files = TestDir::new("delivered");
    for (dest, format) in [(collector.unix(), "native"), (collector.tcp(), "ocsf")] {
        let before = collector.received().lines().count();
        let path = files.file(&format!("opened-{format}"));
        let child = phases(&[(N, &path)]);
        let trace = Trace::start(&["open", "-p", &child.pid.to_string(), "-o", &dest, "--format", format]);
        child.go();
        let out = trace.stop();
        out.assert_success();
        assert!(out.records.is_empty(), "stdout: {:?}", out.records);
        let received = collector.wait_for("the summary", |r| r.lines().skip(before).last().is_some_and(is_summary));
        let lines: Vec<&str> = received.lines().skip(before).collect();
        let text = lines.join("\n");
        // (With exactly N opens among N + 2 lines, none came twice. OCSF's times are
        // in ms, so its lines need not differ.)
        let (records, summary) = if format == "ocsf" {
            let events = crate::ocsf::parse(text.as_bytes(), &out.stderr);
            let opened = events.iter().filter(|e| e["file"]["path"] == path.to_str().unwrap()).count();
            (opened, events.last().unwrap()["unmapped"].clone())
        } else {
            let records = parse_ndjson(text.as_bytes(), &out.stderr);
            assert_eq!(records[0]["kind"], "start");
            (opens_of(&records, &path).len(), records.last().unwrap().clone())
        };
        assert_eq!(records, N as usize, "{dest}");
        assert_eq!(lines.len(), N as usize + 2, "{dest}: start, the opens, summary");
        let counts = &summary["counts"]["open"];
        assert_eq!(counts["emitted"], N, "{dest}: {counts}");
        for zero in ["lost", "unsent", "pairing_misses", "malformed", "unwritten"] {
            assert_eq!(counts[zero], 0, "{dest}: {zero}: {counts}");
        }
    }
}

/// The collector goes away between records and comes back: sysnoop reconnects, the
/// records made meanwhile wait in the queue and arrive after the restart, and
/// delivered + unsent = emitted, over a Unix socket, over TCP and over TLS.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_restarted_collector_receives_again() {
    require_bpf();
    const N: u32 = 500;
    let mut collector = Collector::start();
    let files = TestDir::new("restart");
    for dest in [collector.unix(), collector.tcp(), collector.tls()] {
        let before = collector.received().lines().count();
        let [a, b, c] = ["before", "while-down", "after"].map(|name| files.file(&format!("{name}-{}", &dest[..3])));
        let mut child = phases(&[(N, &a), (N, &b), (N, &c)]);
        let pid = child.pid.to_string();
        let mut args = vec!["open", "-p", &pid, "-o", &dest];
        let tls_args = collector.tls_args();
        if dest.starts_with("tls:") {
            args.extend(tls_args.iter().map(String::as_str));
        }
        let mut trace = Trace::start(&args);
        child.step();
        collector.wait_for("the first opens", |r| r.lines().skip(before).filter(|l| l.contains(a.to_str().unwrap())).count() == N as usize);
        collector.stop();
        child.step();
        trace.wait_for_stderr_line("the connection lost", |l| l.contains(&dest) && l.contains("reconnecting"), Duration::from_secs(30));
        collector.run();
        trace.wait_for_stderr_line("connected again", |l| l.contains(&dest) && l.contains("connected again"), Duration::from_secs(30));
        child.go();
        let out = trace.stop();
        out.assert_success();
        let received = collector.wait_for("the summary", |r| r.lines().skip(before).last().is_some_and(is_summary));
        let lines: Vec<&str> = received.lines().skip(before).collect();
        assert_eq!(lines.iter().collect::<HashSet<_>>().len(), lines.len(), "a line arrived twice");
        let records = parse_ndjson(lines.join("\n").as_bytes(), &out.stderr);
        let counts = &records.last().unwrap()["counts"]["open"];
        let (emitted, unsent) = (counts["emitted"].as_u64().unwrap(), counts["unsent"].as_u64().unwrap());
        let delivered = records.iter().filter(|r| r["kind"] == "open").count() as u64;
        assert_eq!(emitted, 3 * u64::from(N), "{dest}: {counts}");
        assert_eq!(delivered + unsent, emitted, "{dest}: {counts}");
        assert_eq!(counts["lost"], 0, "{dest}: {counts}");
        assert_eq!(opens_of(&records, &a).len(), N as usize, "{dest}");
        assert_eq!(opens_of(&records, &c).len(), N as usize, "{dest}: after the restart");
        assert_eq!(opens_of(&records, &b).len() as u64 + unsent, u64::from(N), "{dest}");
    }
}

/// A collector that stops reading: the queue fills, sysnoop goes on reading the ring
/// buffer and counts `unsent` (seen in --stats-interval while it happens), and the
/// kernel loses nothing. Once it reads again, what was queued arrives, and
/// delivered + unsent = emitted.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_stalled_collector_makes_records_unsent_while_the_kernel_loses_nothing() {
    require_bpf();
    const N: u32 = 30_000;
    let collector = Collector::start();
    let files = TestDir::new("stalled");
    let path = files.file("opened");
    let child = phases(&[(N, &path)]);
    let dest = collector.unix();
    let mut trace = Trace::start(&["open", "-p", &child.pid.to_string(), "-o", &dest, "--queue-size", "64K", "--stats-interval", "100ms"]);
    collector.wait_for("the start record", |r| r.lines().count() == 1);
    collector.pause();
    child.go();
    let unsent = |line: &str| -> u64 {
        let stats: Value = serde_json::from_str(line).unwrap();
        stats["counts"]["open"]["unsent"].as_u64().unwrap()
    };
    let stats = trace.wait_for_stderr_line(
        "stats with every open emitted, some unsent",
        |l| l.starts_with(r#"{"kind":"stats""#) && l.contains(&format!(r#""emitted":{N},"#)) && unsent(l) > 0,
        Duration::from_secs(30),
    );
    collector.resume();
    let out = trace.stop();
    out.assert_success();
    let records = collector.records(&out.stderr);
    let counts = &records.last().unwrap()["counts"]["open"];
    let (emitted, unsent_at_end) = (counts["emitted"].as_u64().unwrap(), counts["unsent"].as_u64().unwrap());
    assert_eq!((emitted, counts["lost"].as_u64(), counts["pairing_misses"].as_u64()), (u64::from(N), Some(0), Some(0)), "{counts}");
    assert!(unsent_at_end >= unsent(&stats), "{counts} after {stats}");
    let delivered = opens_of(&records, &path).len() as u64;
    assert!(delivered > 0 && unsent_at_end > 0, "{counts}");
    assert_eq!(delivered + unsent_at_end, emitted, "{counts}");
    // The stream says where: its unsent markers add up to the summary's count, though
    // the full queue turned the markers away too while the collector was stalled.
    let marked: u64 =
        records.iter().filter(|r| r["kind"] == "loss" && r["of"] == "open" && r["counter"] == "unsent").map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(marked, unsent_at_end, "the unsent markers, against {counts}");
}

/// When the collector is gone at the end, the summary goes to stderr.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_summary_goes_to_stderr_when_the_collector_is_gone() {
    require_bpf();
    let mut collector = Collector::start();
    let trace = Trace::start(&["exec", "-n", "s12-nothing", "-o", &collector.unix()]);
    collector.wait_for("the start record", |r| r.lines().count() == 1);
    collector.stop();
    let out = trace.stop();
    out.assert_success();
    let last = out.stderr.lines().last().unwrap();
    let summary = parse_ndjson(last.as_bytes(), &out.stderr);
    assert_eq!(summary[0]["kind"], "summary", "{}", out.stderr);
    assert_eq!(summary[0]["counts"]["exec"]["emitted"], 0);
}

/// `file:PATH` appends; after logrotate moves the file away and sends SIGHUP, records
/// go to a new file at PATH. Between the two files, every record once.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_file_destination_is_opened_again_on_sighup() {
    require_bpf();
    const N: u32 = 200;
    let dir = TestDir::new("rotate");
    let (a, b) = (dir.file("before"), dir.file("after"));
    let log: PathBuf = dir.path("sysnoop.json");
    let rotated = dir.path("sysnoop.json.1");
    std::fs::write(&log, b"").unwrap();
    let mut child = phases(&[(N, &a), (N, &b)]);
    let trace = Trace::start(&["open", "-p", &child.pid.to_string(), "-o", &format!("file:{}", log.display())]);
    child.step();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&log).unwrap().lines().count() < 1 + N as usize {
        assert!(Instant::now() < deadline, "the first opens never reached {}", log.display());
        thread::sleep(Duration::from_millis(20));
    }
    std::fs::rename(&log, &rotated).unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(trace.pid() as i32), Signal::SIGHUP).unwrap();
    while !log.exists() {
        assert!(Instant::now() < deadline, "SIGHUP did not make a new {}", log.display());
        thread::sleep(Duration::from_millis(20));
    }
    child.go();
    let out = trace.stop();
    out.assert_success();
    let first = parse_ndjson(&std::fs::read(&rotated).unwrap(), &out.stderr);
    let second = parse_ndjson(&std::fs::read(&log).unwrap(), &out.stderr);
    assert_eq!(first[0]["kind"], "start");
    assert_eq!((opens_of(&first, &a).len(), opens_of(&first, &b).len()), (N as usize, 0));
    assert_eq!((opens_of(&second, &a).len(), opens_of(&second, &b).len()), (0, N as usize));
    assert_eq!(first.len(), 1 + N as usize);
    assert_eq!(second.len(), N as usize + 1);
    let counts = &second.last().unwrap()["counts"]["open"];
    assert_eq!((counts["emitted"].as_u64(), counts["unsent"].as_u64()), (Some(2 * u64::from(N)), Some(0)), "{counts}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&rotated).unwrap().permissions().mode() & 0o777, 0o666 & !0o022, "the file existed: its mode is kept");
    assert_eq!(std::fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600, "a file sysnoop makes is its owner's only");
}

/// A destination that cannot be opened at start: exit 1, naming it, before tracing.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_destination_that_cannot_be_opened_is_named() {
    require_bpf();
    let dir = TestDir::new("unreachable");
    let refused = format!("tcp:127.0.0.1:{}", free_port());
    let missing = format!("unix:{}", dir.path("no-socket-here").display());
    let no_dir = format!("file:{}", dir.path("no-such-dir/out.json").display());
    for (dest, reason) in [
        (missing.as_str(), "No such file or directory"),
        (refused.as_str(), "Connection refused"),
        (no_dir.as_str(), "No such file or directory"),
        ("tcp:no-such-host.invalid:514", "failed to lookup address"),
    ] {
        let out = crate::util::run(&["open", "-q", "-d", "10s", "-o", dest]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{dest}: {stderr}");
        assert!(stderr.contains(&format!("cannot send records to {dest}: {reason}")), "{dest}: {stderr}");
        assert!(out.stdout.is_empty() && !stderr.contains("tracing"), "{dest}: {stderr}");
    }
}

/// Runs `argv` as nobody (uid and gid 65534, no capabilities): a hostile local user.
fn as_nobody(argv: &[&str]) {
    let status = std::process::Command::new("setpriv").args(["--reuid=65534", "--regid=65534", "--clear-groups"]).args(argv).status().unwrap();
    assert!(status.success(), "as nobody: {argv:?}");
}

/// `sysnoop exec -o SCHEME:PATH` exits 1 before tracing with one line: the destination
/// refused, naming PATH and `why`.
fn refused(scheme: &str, path: &Path, why: &str) {
    let dest = format!("{scheme}:{}", path.display());
    let out = crate::util::run(&["exec", "-q", "-o", &dest, "--duration", "1s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{dest}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with(&format!("sysnoop: error: cannot send records to {dest}: refusing to write to {}: {why}", path.display())), "{dest}: {stderr}");
}

/// Another user cannot redirect `-o file:`: in a sticky world-writable directory (as
/// /tmp), nobody plants a symlink to a root-only file at the path root will write to,
/// or a symlinked directory above it, or a FIFO there. sysnoop exits 1 before tracing,
/// naming the path and why, and the root-only file is byte for byte what it was.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_planted_link_does_not_redirect_the_output() {
    require_bpf();
    let sticky = TestDir::new("planted");
    crate::util::set_mode(&sticky.path(""), 0o1777);
    let private = TestDir::new("root-only");
    crate::util::set_mode(&private.path(""), 0o755);
    let secret = private.path("trace.ndjson");
    std::fs::write(&secret, b"root's own bytes\n").unwrap();
    crate::util::set_mode(&secret, 0o600);
    let link = sticky.path("trace.ndjson");
    as_nobody(&["ln", "-s", secret.to_str().unwrap(), link.to_str().unwrap()]);
    let dir_link = sticky.path("logs");
    as_nobody(&["ln", "-s", private.path("").to_str().unwrap(), dir_link.to_str().unwrap()]);
    let fifo = sticky.path("fifo");
    as_nobody(&["mkfifo", fifo.to_str().unwrap()]);
    let through_dir = dir_link.join("trace.ndjson");
    for (path, why) in [
        (&link, "it is a symbolic link"),
        (&through_dir, "its directory logs is a symbolic link of uid 65534, which sysnoop does not follow"),
        (&fifo, "it is a FIFO nobody reads"),
    ] {
        refused("file", path, why);
        assert_eq!(std::fs::read(&secret).unwrap(), b"root's own bytes\n");
    }
    // A file nobody made there first is not root's to append to either.
    let theirs = sticky.path("theirs.ndjson");
    as_nobody(&["touch", theirs.to_str().unwrap()]);
    let out = crate::util::run(&["exec", "-q", "-o", &format!("file:{}", theirs.display()), "--duration", "1s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it belongs to uid 65534, not to sysnoop's user (uid 0)"), "{out:?}");
    assert_eq!(std::fs::metadata(&theirs).unwrap().len(), 0);
}

/// Nor `-o unix:`: in a sticky world-writable directory, a socket another user made (it
/// listens, to be sent the records) is refused, and so is a symlink nobody plants to a
/// socket elsewhere; the same socket of root's own is sent to.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn a_planted_socket_is_not_sent_to() {
    use std::os::unix::net::UnixListener;
    require_bpf();
    let sticky = TestDir::new("planted-socket");
    crate::util::set_mode(&sticky.path(""), 0o1777);
    let theirs = sticky.path("collector.sock");
    let listener = UnixListener::bind(&theirs).unwrap();
    listener.set_nonblocking(true).unwrap();
    std::os::unix::fs::lchown(&theirs, Some(65534), Some(65534)).unwrap();
    let private = TestDir::new("private-socket");
    let elsewhere = private.path("real.sock");
    let _real = UnixListener::bind(&elsewhere).unwrap();
    let link = sticky.path("link.sock");
    as_nobody(&["ln", "-s", elsewhere.to_str().unwrap(), link.to_str().unwrap()]);
    for (path, why) in [
        (&theirs, "it is a socket of uid 65534 in a directory other users can write (mode 1777), so anyone could have made it"),
        (&link, "it is a symbolic link (sysnoop does not send through one"),
    ] {
        refused("unix", path, why);
    }
    assert_eq!(listener.accept().map(|_| ()).unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "sysnoop connected to the planted socket");
    // Root's own socket in the same directory is root's collector.
    std::os::unix::fs::lchown(&theirs, Some(0), Some(0)).unwrap();
    let dest = format!("unix:{}", theirs.display());
    let trace = Trace::start(&["exec", "-o", &dest, "--duration", "1s"]);
    let (mut stream, _) = loop {
        match listener.accept() {
            Ok(accepted) => break accepted,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    let mut received = String::new();
    std::io::Read::read_to_string(&mut stream, &mut received).unwrap();
    let out = trace.wait();
    assert!(out.status.success(), "{out:?}");
    assert!(received.starts_with("{\"kind\":\"start\"") && received.lines().last().is_some_and(|l| l.starts_with("{\"kind\":\"summary\"")), "{received}");
}

/// TLS to the collector: a certificate signed by another CA, or not for the name
/// connected to, is refused at start, before anything loads, with the reason; TLS
/// options without a tls: destination are refused too.
#[test]
fn a_collector_tls_does_not_trust_is_refused_at_start() {
    let collector = Collector::start();
    let run = |args: &[&str]| {
        let out = Command::new(crate::util::SYSNOOP).args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let other_ca = collector.dir.path("other-ca.pem").display().to_string();
    let (code, stderr) = run(&["open", "-o", &collector.tls(), "--tls-ca", &other_ca]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot send records to {}", collector.tls())) && stderr.contains("not signed by a CA in --tls-ca"), "{stderr}");
    let by_ip = format!("tls:127.0.0.1:{}", collector.tls_port);
    let ca = collector.dir.path("ca.pem").display().to_string();
    let (code, stderr) = run(&["open", "-o", &by_ip, "--tls-ca", &ca]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is not for this name") && stderr.contains("localhost"), "{stderr}");
    let (code, stderr) = run(&["open", "-o", &collector.tcp(), "--tls-ca", &ca]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("are for -o tls:HOST:PORT"), "{stderr}");
    let missing = collector.dir.path("missing.pem").display().to_string();
    let (code, stderr) = run(&["open", "-o", &collector.tls(), "--tls-ca", &missing]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("--tls-ca") && stderr.contains("cannot read it"), "{stderr}");
}
