//! docs/fleet.md's collector configurations, run as written: its `syslog-ng` and
//! `rsyslog` blocks, with only their ports (free ones, on 127.0.0.1) and paths (this
//! test's directory) changed, each run by its collector, which then receives a run of
//! `sysnoop open` over plain TCP and over TLS. Every record must arrive once and whole,
//! and the summary's counts add up.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::delivery::{free_port, is_summary, make_certificates, opens_of, phases, spawn_syslog_ng};
use crate::util::{parse_ndjson, require_bpf, TestDir, Trace};

/// The fenced block of docs/fleet.md whose info string is `tag` (there must be one).
fn fleet_block(tag: &str) -> String {
    let fleet = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fleet.md")).unwrap();
    let fence = format!("\n```{tag}\n");
    assert_eq!(fleet.matches(&fence).count(), 1, "docs/fleet.md has one ```{tag} block");
    let block = &fleet[fleet.find(&fence).unwrap() + fence.len()..];
    block[..block.find("\n```").expect("the block ends")].to_owned() + "\n"
}

/// `text` with each `(from, to)` replaced, every one of them found at least once: a
/// placeholder the block no longer has would leave the collector on a path or port of
/// the host's.
fn replace_all(mut text: String, replacements: &[(&str, String)]) -> String {
    for (from, to) in replacements {
        assert!(text.contains(from), "docs/fleet.md's block no longer has {from:?}:\n{text}");
        text = text.replace(from, to);
    }
    text
}

/// A collector running a docs/fleet.md block: TCP on `port`, TLS on `tls_port`, each
/// line it receives written to `received` in its directory.
struct DocCollector {
    name: &'static str,
    dir: TestDir,
    port: u16,
    tls_port: u16,
    process: Child,
}

impl DocCollector {
    /// The certificates the blocks name (/etc/ssl/sysnoop/): ca.pem, and collector.pem
    /// and collector.key for `localhost`, signed by it.
    fn directory(name: &str) -> TestDir {
        let dir = TestDir::new(name);
        make_certificates(&dir);
        std::fs::copy(dir.path("server.pem"), dir.path("collector.pem")).unwrap();
        std::fs::copy(dir.path("server.key"), dir.path("collector.key")).unwrap();
        dir
    }

    /// The block's paths, made this directory's.
    fn paths(dir: &TestDir) -> Vec<(&'static str, String)> {
        vec![("/etc/ssl/sysnoop/", dir.path("").display().to_string()), ("/var/log/sysnoop/all.ndjson", dir.path("received").display().to_string())]
    }

    fn syslog_ng() -> DocCollector {
        let dir = Self::directory("syslog-ng-doc");
        let (port, tls_port) = (free_port(), free_port());
        let mut replacements = Self::paths(&dir);
        replacements.push(("port(6000)", format!(r#"ip("127.0.0.1") port({port})"#)));
        replacements.push(("port(6514)", format!(r#"ip("127.0.0.1") port({tls_port})"#)));
        // The drop-in as syslog-ng.conf of its own: the version line and the statistics
        // off are what Debian's main file has before its conf.d include.
        let config = "@version: 3.38\noptions { stats_freq(0); };\n".to_owned() + &replace_all(fleet_block("syslog-ng"), &replacements);
        std::fs::write(dir.path("syslog-ng.conf"), config).unwrap();
        let process = spawn_syslog_ng(&dir, "log");
        DocCollector { name: "syslog-ng", dir, port, tls_port, process }.started()
    }

    /// rsyslogd as scripts/setup unpacks it (Debian's rsyslog and syslog-ng-core
    /// conflict, so it is not installed): its modules with -M, the libraries the machine
    /// lacks with LD_LIBRARY_PATH.
    fn rsyslog() -> DocCollector {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cache/rsyslog");
        let rsyslogd = root.join("usr/sbin/rsyslogd");
        assert!(rsyslogd.exists(), "{} is missing: scripts/setup unpacks Debian's rsyslog there", rsyslogd.display());
        let libs: PathBuf = root.join("usr/lib/x86_64-linux-gnu");
        let dir = Self::directory("rsyslog-doc");
        let (port, tls_port) = (free_port(), free_port());
        let mut replacements = Self::paths(&dir);
        replacements.push((r#"port="6000""#, format!(r#"address="127.0.0.1" port="{port}""#)));
        replacements.push((r#"port="6514""#, format!(r#"address="127.0.0.1" port="{tls_port}""#)));
        // Its work directory (state files), which the host's rsyslog.conf sets.
        replacements.push(("global(", format!(r#"global(workDirectory="{}""#, dir.path("").display().to_string().trim_end_matches('/'))));
        std::fs::write(dir.path("rsyslog.conf"), replace_all(fleet_block("rsyslog"), &replacements)).unwrap();
        let process = Command::new(&rsyslogd)
            .args(["-n", "-iNONE", "-f"])
            .arg(dir.path("rsyslog.conf"))
            .arg("-M")
            .arg(libs.join("rsyslog"))
            .env("LD_LIBRARY_PATH", &libs)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path("log")).unwrap())
            .stderr(std::fs::File::create(dir.path("log.stderr")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", rsyslogd.display()));
        DocCollector { name: "rsyslog", dir, port, tls_port, process }.started()
    }

    /// Waits until both its ports take connections.
    fn started(mut self) -> DocCollector {
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() || std::net::TcpStream::connect(("127.0.0.1", self.tls_port)).is_err() {
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("{} exited ({status}): {}", self.name, self.log());
            }
            assert!(Instant::now() < deadline, "{} did not start: {}", self.name, self.log());
            thread::sleep(Duration::from_millis(20));
        }
        self
    }

    fn received(&self) -> String {
        std::fs::read_to_string(self.dir.path("received")).unwrap_or_default()
    }

    fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.path(name)).unwrap_or_default();
        read("log") + &read("log.stderr")
    }

    /// Sends it one run of `sysnoop open` of `n` opens to `dest`, and checks what it
    /// wrote: the start record, the n opens, the summary, each once.
    fn receives_a_run(&self, dest: &str, extra: &[String], n: u32) {
        let before = self.received().lines().count();
        let path = self.dir.file(&format!("opened-{}", dest.split(':').next().unwrap()));
        let child = phases(&[(n, &path)]);
        let mut args = vec!["open".to_owned(), "-p".into(), child.pid.to_string(), "-o".into(), dest.to_owned()];
        args.extend_from_slice(extra);
        let trace = Trace::start(&args.iter().map(String::as_str).collect::<Vec<_>>());
        child.go();
        let out = trace.stop();
        out.assert_success();
        let deadline = Instant::now() + Duration::from_secs(30);
        let received = loop {
            let received = self.received();
            if received.lines().skip(before).last().is_some_and(is_summary) {
                break received;
            }
            assert!(
                Instant::now() < deadline,
                "{} never received the summary from {dest}; sysnoop: {}\nit has:\n{received}\nlog: {}",
                self.name,
                out.stderr,
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        };
        let text = received.lines().skip(before).collect::<Vec<_>>().join("\n");
        let records = parse_ndjson(text.as_bytes(), &format!("{} from {dest}", self.name));
        assert_eq!(records.len(), n as usize + 2, "{} from {dest}: start, the opens, summary", self.name);
        assert_eq!(records[0]["kind"], "start", "{}", self.name);
        assert_eq!(opens_of(&records, &path).len(), n as usize, "{} from {dest}", self.name);
        let counts = &records.last().unwrap()["counts"]["open"];
        assert_eq!(counts["emitted"], n, "{} from {dest}: {counts}", self.name);
        for zero in ["lost", "unsent", "pairing_misses", "malformed", "unwritten"] {
            assert_eq!(counts[zero], 0, "{} from {dest}: {zero}: {counts}", self.name);
        }
    }

    /// A run over plain TCP, then one over TLS, the collector's certificate verified
    /// against the CA and the name `localhost`.
    fn receives_over_tcp_and_tls(&self) {
        const N: u32 = 1000;
        self.receives_a_run(&format!("tcp:127.0.0.1:{}", self.port), &[], N);
        let ca = vec!["--tls-ca".to_owned(), self.dir.path("ca.pem").display().to_string()];
        self.receives_a_run(&format!("tls:localhost:{}", self.tls_port), &ca, N);
    }
}

impl Drop for DocCollector {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.process.id() as i32), Signal::SIGKILL);
        let _ = self.process.wait();
    }
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_syslog_ng_configuration_receives_every_record() {
    require_bpf();
    DocCollector::syslog_ng().receives_over_tcp_and_tls();
}

#[test]
#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]
fn the_rsyslog_configuration_receives_every_record() {
    require_bpf();
    DocCollector::rsyslog().receives_over_tcp_and_tls();
}
