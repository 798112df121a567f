//! `--metrics ADDR`: the run's counts as a Prometheus scrape target (`GET /metrics`,
//! text exposition format 0.0.4), served by a thread of its own that never holds
//! tracing back. The page is made by the writer from the same report as the summary
//! and the stats lines (src/writer.rs), when a scrape asks for it: the server raises a
//! flag, the writer (which looks at it at least every 50 ms) publishes a fresh page,
//! and the server sends it, or the last one when the writer is busy for a second.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::stats::Report;

/// How long a scrape waits for a fresh page before it takes the last one.
const FRESH_WAIT: Duration = Duration::from_secs(1);
/// How long a client may take to send its request, or to take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes of a request read (its head: a scrape sends a few hundred).
const REQUEST_MAX: usize = 8192;
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Where the writer leaves pages for the server.
#[derive(Default)]
pub(crate) struct Board {
    state: Mutex<Page>,
    published: Condvar,
}

#[derive(Default)]
struct Page {
    /// A scrape is waiting for a fresh page.
    wanted: bool,
    /// Pages published so far.
    generation: u64,
    text: String,
}

impl Board {
    /// Whether a scrape waits for a page (the writer's cheap look, every loop).
    pub(crate) fn wanted(&self) -> bool {
        self.state.lock().map(|p| p.wanted).unwrap_or(false)
    }

    pub(crate) fn publish(&self, text: String) {
        if let Ok(mut page) = self.state.lock() {
            page.text = text;
            page.wanted = false;
            page.generation += 1;
            self.published.notify_all();
        }
    }

    /// A page made after this call, or the last one when none comes within FRESH_WAIT
    /// (the run has ended, or the writer is busy).
    fn fresh(&self) -> String {
        let Ok(mut page) = self.state.lock() else { return String::new() };
        let seen = page.generation;
        page.wanted = true;
        let (page, _) = self.published.wait_timeout_while(page, FRESH_WAIT, |p| p.generation == seen).unwrap_or_else(|e| e.into_inner());
        page.text.clone()
    }
}

/// `--metrics`'s listening socket, bound before tracing starts (a port in use is an
/// error then).
pub(crate) struct Server {
    listener: TcpListener,
}

impl Server {
    pub(crate) fn bind(addr: SocketAddr) -> Result<Server> {
        let listener = TcpListener::bind(addr).with_context(|| format!("--metrics {addr}: cannot listen there"))?;
        Ok(Server { listener })
    }

    /// Serves scrapes from `board` until the process exits, one client at a time.
    pub(crate) fn spawn(self, board: Arc<Board>) -> Result<()> {
        std::thread::Builder::new()
            .name("sysnoop-metrics".into())
            .spawn(move || {
                for stream in self.listener.incoming().flatten() {
                    // A client that misbehaves only loses its own answer.
                    let _ = serve(stream, &board);
                }
            })
            .context("starting the metrics server")?;
        Ok(())
    }
}

fn serve(mut stream: TcpStream, board: &Board) -> std::io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let mut request = Vec::with_capacity(512);
    let mut buf = [0; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < REQUEST_MAX {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut words = line.split(|&b| b == b' ');
    let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    let (status, content_type, body) = match (method, path) {
        (b"GET" | b"HEAD", b"/metrics") => ("200 OK", CONTENT_TYPE, board.fresh()),
        (b"GET" | b"HEAD", _) => ("404 Not Found", "text/plain; charset=utf-8", "sysnoop serves /metrics only\n".to_owned()),
        _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", "GET /metrics\n".to_owned()),
    };
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    stream.write_all(head.as_bytes())?;
    if method != b"HEAD" {
        stream.write_all(body.as_bytes())?;
    }
    stream.flush()
}

/// What the writer needs to make pages: where to leave them, and what they say of the run.
pub(crate) struct Metrics {
    pub(crate) board: Arc<Board>,
    pub(crate) info: Info,
    pub(crate) ring_buffer_bytes: u64,
    /// Every program loaded, for its run count and time.
    pub(crate) programs: Vec<crate::stats::Program>,
    /// The BPF ring buffer's fill (not for perf buffers).
    pub(crate) ring: Option<crate::ring::Fill>,
}

/// Where the kernel says whether it counts each program's runs and their time.
const BPF_STATS_ENABLED: &str = "/proc/sys/kernel/bpf_stats_enabled";

impl Metrics {
    /// Each program's runs and run time (ns), when `kernel.bpf_stats_enabled` is 1
    /// (else the kernel counts nothing, and there is nothing to show).
    pub(crate) fn program_runs(&self) -> Vec<ProgramRuns> {
        if std::fs::read_to_string(BPF_STATS_ENABLED).map_or(true, |v| v.trim() != "1") {
            return Vec::new();
        }
        self.programs
            .iter()
            .filter_map(|p| p.runs().ok().map(|(runs, run_ns)| ProgramRuns { kind: kind_of(p.object), program: p.name.clone(), runs, run_ns }))
            .collect()
    }
}

/// The kind a BPF object serves (its file name, but priv's).
fn kind_of(object: &'static str) -> &'static str {
    match object {
        "privilege" => "priv",
        other => other,
    }
}

/// One program's runs, as the kernel counted them.
pub(crate) struct ProgramRuns {
    pub(crate) kind: &'static str,
    pub(crate) program: String,
    pub(crate) runs: u64,
    pub(crate) run_ns: u64,
}

/// What the page says of the run besides its counts.
pub(crate) struct Info {
    pub(crate) version: &'static str,
    pub(crate) kernel: String,
    pub(crate) transport: &'static str,
    pub(crate) session: String,
    /// When tracing began, in seconds since the Unix epoch.
    pub(crate) start_time_s: f64,
}

/// The run as a page: `report`'s counts (the summary's and the stats lines') and the
/// gauges of the moment.
pub(crate) struct Gauges {
    pub(crate) ring_buffer_bytes: u64,
    /// The BPF ring buffer's bytes written and not yet read.
    pub(crate) ring_buffer_used_bytes: Option<u64>,
    /// With a file or socket -o: the bytes of records waiting for it, and whether it
    /// is connected (open).
    pub(crate) destination: Option<(u64, bool)>,
    /// With kernel.bpf_stats_enabled: each program's runs.
    pub(crate) programs: Vec<ProgramRuns>,
}

/// A label value as the format escapes it: backslash, double quote, newline.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn family(page: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(page, "# HELP {name} {help}");
    let _ = writeln!(page, "# TYPE {name} {kind}");
}

/// The page: every count of `report` by kind and fate, then the run's gauges.
pub(crate) fn render(report: &Report, info: &Info, gauges: &Gauges) -> String {
    let mut page = String::with_capacity(4096);
    family(
        &mut page,
        "sysnoop_events_total",
        "counter",
        "Events by record kind and what became of them (the summary's counts): emitted, filtered, lost, pairing_misses, malformed, unwritten, deduplicated, unsent.",
    );
    for (kind, c) in &report.counts {
        for (fate, n) in c.fates() {
            let _ = writeln!(page, "sysnoop_events_total{{kind=\"{kind}\",fate=\"{}\"}} {n}", fate.name);
        }
    }
    if let Some(lost) = report.perf_lost {
        family(&mut page, "sysnoop_perf_lost_total", "counter", "Samples the perf buffers reported lost (the perf transport only).");
        let _ = writeln!(page, "sysnoop_perf_lost_total {lost}");
    }
    if !report.skipped.is_empty() {
        family(&mut page, "sysnoop_skipped_runs_total", "counter", "Runs of a BPF program the kernel skipped, by hook.");
        for (hook, n) in &report.skipped {
            let _ = writeln!(page, "sysnoop_skipped_runs_total{{hook=\"{}\"}} {n}", label(hook));
        }
    }
    if let Some(follow) = &report.follow {
        family(&mut page, "sysnoop_followed_tasks", "gauge", "Tasks followed (-- CMD, --follow) so far.");
        let _ = writeln!(page, "sysnoop_followed_tasks {}", follow.tasks);
        family(&mut page, "sysnoop_untracked_tasks_total", "counter", "New tasks of followed ones that did not fit in --max-tasks.");
        let _ = writeln!(page, "sysnoop_untracked_tasks_total {}", follow.untracked);
    }
    family(&mut page, "sysnoop_ring_buffer_bytes", "gauge", "The kernel buffer's size in bytes (--ring-size; the perf buffers' together).");
    let _ = writeln!(page, "sysnoop_ring_buffer_bytes {}", gauges.ring_buffer_bytes);
    if let Some(used) = gauges.ring_buffer_used_bytes {
        family(
            &mut page,
            "sysnoop_ring_buffer_used_bytes",
            "gauge",
            "Bytes of records in the BPF ring buffer not yet read (a full ring loses what comes next).",
        );
        let _ = writeln!(page, "sysnoop_ring_buffer_used_bytes {used}");
    }
    if let Some((queued, up)) = gauges.destination {
        family(&mut page, "sysnoop_queue_bytes", "gauge", "Bytes of records waiting for the -o destination.");
        let _ = writeln!(page, "sysnoop_queue_bytes {queued}");
        family(&mut page, "sysnoop_destination_up", "gauge", "1 while the -o destination is open (connected), else 0.");
        let _ = writeln!(page, "sysnoop_destination_up {}", u8::from(up));
    }
    if !gauges.programs.is_empty() {
        family(&mut page, "sysnoop_bpf_program_runs_total", "counter", "Runs of each BPF program, by kind and program (while kernel.bpf_stats_enabled is 1).");
        for p in &gauges.programs {
            let _ = writeln!(page, "sysnoop_bpf_program_runs_total{{kind=\"{}\",program=\"{}\"}} {}", p.kind, label(&p.program), p.runs);
        }
        family(
            &mut page,
            "sysnoop_bpf_program_run_seconds_total",
            "counter",
            "Time each BPF program ran, by kind and program (while kernel.bpf_stats_enabled is 1).",
        );
        for p in &gauges.programs {
            let _ =
                writeln!(page, "sysnoop_bpf_program_run_seconds_total{{kind=\"{}\",program=\"{}\"}} {:.9}", p.kind, label(&p.program), p.run_ns as f64 / 1e9);
        }
    }
    family(&mut page, "sysnoop_start_time_seconds", "gauge", "When tracing began, in seconds since the Unix epoch.");
    let _ = writeln!(page, "sysnoop_start_time_seconds {:.3}", info.start_time_s);
    family(&mut page, "sysnoop_build_info", "gauge", "sysnoop's version, the kernel, the transport and the session, as labels; always 1.");
    let _ = writeln!(
        page,
        "sysnoop_build_info{{version=\"{}\",kernel=\"{}\",transport=\"{}\",session=\"{}\"}} 1",
        label(info.version),
        label(&info.kernel),
        info.transport,
        label(&info.session)
    );
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::stats::Counts;

    fn report() -> Report {
        let mut report = Report {
            kind: "stats",
            time: Timestamp(0),
            session: "s".into(),
            elapsed_ns: 0,
            counts: Default::default(),
            follow: None,
            perf_lost: None,
            skipped: Default::default(),
            snapshot: None,
        };
        report.counts.insert("open", Counts { emitted: 10, filtered: 4, lost: 1, ..Counts::default() });
        report
    }

    fn info() -> Info {
        Info { version: "0.1.0", kernel: "6.1.0-56-cloud-amd64".into(), transport: "ringbuf", session: "01a2".into(), start_time_s: 1_700_000_000.25 }
    }

    #[test]
    fn every_count_by_kind_and_fate() {
        let programs = vec![ProgramRuns { kind: "open", program: "tracepoint__syscalls__sys_exit_openat".into(), runs: 7, run_ns: 2_500 }];
        let page =
            render(&report(), &info(), &Gauges { ring_buffer_bytes: 16 << 20, ring_buffer_used_bytes: Some(4096), destination: Some((42, true)), programs });
        assert!(page.contains("sysnoop_bpf_program_runs_total{kind=\"open\",program=\"tracepoint__syscalls__sys_exit_openat\"} 7\n"), "{page}");
        assert!(
            page.contains("sysnoop_bpf_program_run_seconds_total{kind=\"open\",program=\"tracepoint__syscalls__sys_exit_openat\"} 0.000002500\n"),
            "{page}"
        );
        assert!(page.contains("sysnoop_events_total{kind=\"open\",fate=\"emitted\"} 10\n"), "{page}");
        assert!(page.contains("sysnoop_events_total{kind=\"open\",fate=\"lost\"} 1\n"), "{page}");
        assert!(page.contains("sysnoop_events_total{kind=\"open\",fate=\"unsent\"} 0\n"), "{page}");
        assert!(page.contains("sysnoop_queue_bytes 42\n") && page.contains("sysnoop_destination_up 1\n"), "{page}");
        assert!(page.contains("sysnoop_start_time_seconds 1700000000.250\n"), "{page}");
        assert!(page.contains("sysnoop_ring_buffer_used_bytes 4096\n"), "{page}");
        assert!(page.contains("sysnoop_build_info{version=\"0.1.0\",kernel=\"6.1.0-56-cloud-amd64\",transport=\"ringbuf\",session=\"01a2\"} 1\n"), "{page}");
        // Each family is declared once, before its samples.
        for line in page.lines().filter(|l| l.starts_with("# TYPE ")) {
            let name = line.split(' ').nth(2).unwrap();
            assert_eq!(page.matches(&format!("# TYPE {name} ")).count(), 1, "{name}");
            let first_sample = page.lines().position(|l| l.starts_with(name) && !l.starts_with('#')).unwrap();
            assert!(page.lines().position(|l| l == line).unwrap() < first_sample, "{name}");
        }
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    /// A scrape over a real socket: the page the writer publishes when asked, with the
    /// format's content type; anything else is 404 or 405.
    #[test]
    fn a_scrape_gets_a_fresh_page() {
        let server = Server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = server.listener.local_addr().unwrap();
        let board = Arc::new(Board::default());
        server.spawn(board.clone()).unwrap();
        // The writer's side: publish whenever asked.
        let writer = board.clone();
        std::thread::spawn(move || {
            for n in 1.. {
                if writer.wanted() {
                    writer.publish(format!("page {n}\n"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let get = |request: &str| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        };
        let first = get("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(first.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), "{first}");
        assert!(first.ends_with("\r\n\r\npage") || first.contains("\r\n\r\npage "), "{first}");
        let second = get("GET /metrics?x=1 HTTP/1.1\r\n\r\n");
        assert_ne!(first.rsplit("\r\n\r\n").next(), second.rsplit("\r\n\r\n").next(), "each scrape gets a page made for it");
        assert!(get("GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
        assert!(get("POST /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 "));
        assert!(Server::bind(addr).is_err(), "the port is taken");
    }
}
