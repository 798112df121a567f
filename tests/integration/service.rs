//! sysnoop as a service: `--metrics` scraped by a real Prometheus (Debian's, started per
//! test with a private config and storage) and checked by promtool; systemd's readiness
//! protocol against a datagram socket standing in for NOTIFY_SOCKET; options from
//! SYSNOOP_* variables; shell completions; the start record's host identity.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::child::{repeat_line, Waiting};
use crate::util::{require_bpf, run, TestDir, Trace, SYSNOOP};

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET path` over HTTP/1.1: (the status line, the headers, the body).
fn http_get(addr: SocketAddr, path: &str) -> (String, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP head in {answer:?}"));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_owned(), headers.to_owned(), body.to_owned())
}

/// A tool the suite installs (scripts/setup); a test without it fails with CI=true.
fn have(tool: &str) -> bool {
    let found = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    assert!(found || std::env::var_os("CI").is_none_or(|ci| ci != "true"), "{tool} is missing (scripts/setup installs it)");
    found
}

/// Prometheus, on a port of its own, scraping `target` every second.
struct Prometheus {
    child: Child,
    addr: SocketAddr,
    _dir: TestDir,
}

impl Prometheus {
    fn start(target: SocketAddr) -> Prometheus {
        let dir = TestDir::new("prometheus");
        let config = dir.path("prometheus.yml");
        std::fs::write(
            &config,
            format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: sysnoop\n    static_configs:\n      - targets: ['{target}']\n"),
        )
        .unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path("data").display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting prometheus");
        let prometheus = Prometheus { child, addr, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(addr).is_err() || !http_get(addr, "/-/ready").0.contains(" 200 ") {
            assert!(Instant::now() < deadline, "prometheus did not get ready at {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        prometheus
    }

    /// Waits for a first good scrape (Prometheus hands new targets to its scrapers a few
    /// seconds after it starts).
    fn wait_until_scraping(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let targets = http_get(self.addr, "/api/v1/targets").2;
            if targets.contains(r#""health":"up""#) {
                return;
            }
            assert!(Instant::now() < deadline, "Prometheus never scraped sysnoop: {targets}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The value of every series of `metric` at its target's last scrape, by its labels:
    /// `last_over_time`, since once the target is gone Prometheus marks its series stale
    /// and an instant query finds none.
    fn query(&self, metric: &str) -> Vec<(Value, f64)> {
        let (status, _, body) = http_get(self.addr, &format!("/api/v1/query?query=last_over_time%28{metric}%5B5m%5D%29"));
        assert!(status.contains(" 200 "), "{status}: {body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        answer["data"]["result"].as_array().unwrap().iter().map(|s| (s["metric"].clone(), s["value"][1].as_str().unwrap().parse().unwrap())).collect()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real Prometheus scrapes a run that writes a known number of opens: the page passes
/// promtool's checks, and what Prometheus stored is the summary's counts exactly
/// (`filtered` aside: the host's other opens add to it until the run ends).
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn prometheus_scrapes_the_summarys_counts() {
    require_bpf();
    if !have("prometheus") || !have("promtool") {
        return;
    }
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let prometheus = Prometheus::start(metrics);
    let dir = TestDir::new("metrics");
    let path = dir.file("opened");
    // 50 opens, then 4 s of nothing, for scrapes to see them all before the run ends.
    let child = Waiting::spawn(&["wait".into(), repeat_line(50, &path), "sleep 4000".into()]);
    let trace = Trace::start(&["open", "--follow", &child.pid.to_string(), "--metrics", &metrics.to_string()]);
    prometheus.wait_until_scraping();

    let (status, headers, page) = http_get(metrics, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"), "{headers}");
    let mut promtool = Command::new("promtool").args(["check", "metrics"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    promtool.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(checked.status.success() && checked.stdout.is_empty() && checked.stderr.is_empty(), "promtool check metrics: {checked:?}\n{page}");
    assert_eq!(http_get(metrics, "/").0, "HTTP/1.1 404 Not Found");
    assert_eq!(page.contains("\nsysnoop_ring_buffer_used_bytes "), crate::util::transport() != "perf", "{page}");
    // The thread that reads what clients send holds no capability.
    let tasks = std::fs::read_dir(format!("/proc/{}/task", trace.pid())).unwrap();
    let server = tasks
        .flatten()
        .map(|t| std::fs::read_to_string(t.path().join("status")).unwrap())
        .find(|status| status.starts_with("Name:\tsysnoop-metrics\n"))
        .expect("a sysnoop-metrics thread");
    assert!(server.lines().any(|l| l == "CapEff:\t0000000000000000") && server.lines().any(|l| l == "CapPrm:\t0000000000000000"), "{server}");

    child.go();
    let out = trace.wait();
    out.assert_success();
    let summary = &out.summary()["counts"]["open"];
    assert_eq!(summary["emitted"], 50, "{summary}");
    let stored = prometheus.query("sysnoop_events_total");
    assert!(!stored.is_empty(), "Prometheus stored nothing; its targets: {}", http_get(prometheus.addr, "/api/v1/targets").2);
    let fate = |name: &str| stored.iter().find(|(labels, _)| labels["kind"] == "open" && labels["fate"] == name).map(|(_, v)| *v as u64);
    for name in ["emitted", "lost", "pairing_misses", "malformed", "unwritten", "deduplicated", "unsent"] {
        assert_eq!(fate(name), summary[name].as_u64(), "{name}: {stored:?}\n{summary}");
    }
    assert!(fate("filtered").unwrap() <= summary["filtered"].as_u64().unwrap(), "{stored:?}\n{summary}");
    let info = prometheus.query("sysnoop_build_info");
    assert_eq!(info.len(), 1, "{info:?}");
    assert_eq!((&info[0].0["session"], &info[0].0["version"]), (&out.start()["session"], &out.start()["version"]));
    assert_eq!(info[0].0["transport"], out.start()["transport"]);
}

/// --metrics on a port already taken, or not an address: a clear error before tracing.
#[test]
fn a_metrics_port_in_use_is_refused_at_start() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run(&["open", "--metrics", &addr]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("--metrics {addr}: cannot listen there")) && stderr.contains("in use"), "{stderr}");
    assert!(!stderr.contains("sysnoop: tracing"), "{stderr}");
    let out = run(&["open", "--metrics", "localhost:9464"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an address and port to listen on"));
}

/// Type=notify: READY=1 once tracing is live (with the "tracing" line as its status),
/// STATUS= with the counts at each stats interval, STOPPING=1 at the end; a command run
/// under sysnoop does not see NOTIFY_SOCKET.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn systemd_hears_ready_status_and_stopping() {
    require_bpf();
    let dir = TestDir::new("notify");
    let socket = dir.path("notify");
    let systemd = UnixDatagram::bind(&socket).unwrap();
    systemd.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let out = Command::new(SYSNOOP)
        .args(["exit", "--stats-interval", "300ms", "--", "sh", "-c", "echo ${NOTIFY_SOCKET-unset}; sleep 1"])
        .env("NOTIFY_SOCKET", &socket)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l == "unset"), "the command saw NOTIFY_SOCKET: {stdout}");
    let mut messages = Vec::new();
    let mut buf = [0; 4096];
    systemd.set_nonblocking(true).unwrap();
    while let Ok(n) = systemd.recv(&mut buf) {
        messages.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    assert!(messages.len() >= 3, "{messages:?}");
    assert!(messages[0].starts_with("READY=1\nSTATUS=tracing exit (sched_process_exit"), "{messages:?}");
    assert!(messages[1..messages.len() - 1].iter().all(|m| m.starts_with("STATUS=traced for ") && !m.contains('\n')), "{messages:?}");
    assert_eq!(messages.last().unwrap(), "STOPPING=1");

    // A socket that is not there: refused before anything loads.
    let out = Command::new(SYSNOOP).args(["exit", "-d", "1s"]).env("NOTIFY_SOCKET", dir.path("nobody")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("NOTIFY_SOCKET=") && stderr.contains("systemd's readiness socket"), "{stderr}");
}

/// A daemon's options from SYSNOOP_* variables, a flag winning over its variable; a bad
/// value names the variable it came from; --help shows each.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn options_come_from_the_environment() {
    require_bpf();
    let session = "01a24d94-9dc8-7626-8800-cf92b8de096d";
    let sysnoop = |env: &[(&str, &str)], args: &[&str]| Command::new(SYSNOOP).args(args).envs(env.iter().copied()).output().unwrap();
    let out = sysnoop(&[("SYSNOOP_FORMAT", "text"), ("SYSNOOP_SESSION_ID", session)], &["exit", "-d", "200ms"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("TIME(UTC)"), "{out:?}");
    let out = sysnoop(&[("SYSNOOP_FORMAT", "text"), ("SYSNOOP_SESSION_ID", session)], &["exit", "-d", "200ms", "--format", "native"]);
    let start: Value = serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!((&start["kind"], &start["session"]), (&"start".into(), &session.into()));

    let out = sysnoop(&[("SYSNOOP_FORMAT", "xml")], &["exit"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(the environment has SYSNOOP_FORMAT=xml)"), "{stderr}");

    let help = String::from_utf8(run(&["open", "--help"]).stdout).unwrap();
    for var in
        ["SYSNOOP_OUTPUT", "SYSNOOP_FORMAT", "SYSNOOP_SESSION_ID", "SYSNOOP_METRICS", "SYSNOOP_QUEUE_SIZE", "SYSNOOP_STATS_INTERVAL", "SYSNOOP_TRANSPORT"]
    {
        assert!(help.contains(&format!("[env: {var}")), "--help does not show {var}:\n{help}");
    }
}

/// `sysnoop completions bash`, sourced by bash, completes a subcommand.
#[test]
fn bash_completes_a_subcommand() {
    let script = String::from_utf8(run(&["completions", "bash"]).stdout).unwrap();
    let dir = TestDir::new("completions");
    let file = dir.file("sysnoop.bash");
    std::fs::write(&file, &script).unwrap();
    let out = Command::new("bash")
        .args(["-c", &format!("source {}; COMP_WORDS=(sysnoop op); COMP_CWORD=1; COMP_LINE='sysnoop op'; COMP_POINT=10; _sysnoop sysnoop op sysnoop; echo \"${{COMPREPLY[@]}}\"", file.display())])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "open", "{out:?}");
    for shell in ["zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("doctor"), "{shell}: {out:?}");
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

/// The start record names the host: its hostname, machine id and boot id.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_start_record_names_the_host() {
    require_bpf();
    let out = Trace::start(&["exit"]).stop();
    let start = out.start();
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    assert_eq!(start["boot_id"], boot_id.trim());
    assert_eq!(start["hostname"], nix::unistd::gethostname().unwrap().to_str().unwrap());
    let machine_id = std::fs::read_to_string("/etc/machine-id").ok().map(|id| id.trim().to_owned());
    assert_eq!(start["machine_id"].as_str(), machine_id.as_deref());
}

/// The unit shipped in packaging/debian/ passes `systemd-analyze verify` (with the binary under
/// test where the package puts /usr/bin/sysnoop), and keeps its sandbox.
#[test]
fn the_unit_passes_systemd_analyze_verify() {
    if !have("systemd-analyze") {
        return;
    }
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/debian/sysnoop.service")).unwrap();
    assert!(unit.contains("\nExecStart=/usr/bin/sysnoop all $SYSNOOP_ARGS\n") && unit.contains("\nType=notify\n"), "{unit}");
    for directive in ["NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=read-only", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter="]
    {
        assert!(unit.contains(&format!("\n{directive}")), "no {directive}");
    }
    let dir = TestDir::new("unit");
    let path = dir.path("sysnoop.service");
    std::fs::write(&path, unit.replace("/usr/bin/sysnoop", SYSNOOP)).unwrap();
    let out = Command::new("systemd-analyze").args(["verify", "--man=no", "--recursive-errors=yes"]).arg(&path).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(), "systemd-analyze verify: {out:?}");
}

/// With kernel.bpf_stats_enabled on, the page has each program's runs and run time, by
/// kind and program: open's exit program ran for each open made.
#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_page_has_each_programs_runs_when_the_kernel_counts_them() {
    require_bpf();
    const STATS: &str = "/proc/sys/kernel/bpf_stats_enabled";
    let before = std::fs::read_to_string(STATS).unwrap();
    struct Restore(String);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = std::fs::write(STATS, &self.0);
        }
    }
    let _restore = Restore(before);
    std::fs::write(STATS, "1").unwrap();
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let dir = TestDir::new("program-runs");
    let path = dir.file("opened");
    let child = Waiting::spawn(&["wait".into(), repeat_line(20, &path), "sleep 1000".into()]);
    let trace = Trace::start(&["open", "--follow", &child.pid.to_string(), "--metrics", &metrics.to_string()]);
    child.go();
    let page = http_get(metrics, "/metrics").2;
    trace.wait().assert_success();
    let runs = |program: &str| -> u64 {
        let prefix = format!("sysnoop_bpf_program_runs_total{{kind=\"open\",program=\"{program}\"}} ");
        page.lines().find_map(|l| l.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("no {program}:\n{page}")).parse().unwrap()
    };
    assert!(runs("sys_exit_open_calls") >= 20, "{page}");
    assert!(page.contains("# TYPE sysnoop_bpf_program_run_seconds_total counter\n"), "{page}");
}
