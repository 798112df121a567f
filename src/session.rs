//! One tracing run: a dedicated thread polls the BPF ring buffers and decodes records;
//! a bounded channel carries the events, in batches, to this thread, which formats and
//! writes NDJSON, prints stats, and decides when to stop (Ctrl-C, SIGTERM, --duration,
//! --max-events, stdout closed). On stop the poll thread drains what the kernel already
//! delivered before the summary is written.
//!
//! The channel never drops: when it is full the poll thread waits, records back up in
//! the kernel ring buffer, and whatever the kernel then cannot store is counted there
//! (`lost`). So every event ends up counted exactly once. With `-o` to a file or socket,
//! the writer hands its lines to the delivery thread (delivery.rs) without waiting, and
//! of the records written, those that never reach the destination are counted `unsent`.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};

use anyhow::{Context, Result};
use crossbeam_channel::{bounded, Receiver, Sender};
use serde::Serialize;

use crate::clock::{Timestamp, WallClock};
use crate::config::Config;
use crate::delivery::{Dest, Link, Remote};
use crate::follow::{Follow, Follower, Held};
use crate::format::{Format, Renderer};
use crate::kinds::exec::snapshot::{scan, Scan, Scope};
use crate::kinds::{Event, Kind};
use crate::loader::{Dedupe, Hooks, Loaded, Periodic, Shared, Sources};
use crate::transport::{Events, Transport};
use crate::writer::{Batch, Limits, Setup, Sink, Writer, WRITE_BUFFER};

/// Events sent to the writer together, at most: the events one drain of the ring
/// decodes, cut at this many. A batch costs the channel one send and one receive, and
/// the cache lines the two threads hand each other are whole batches.
const SEND_BATCH: usize = 256;
/// Batches in flight between the poll thread and the writer (16 Ki events when full).
const CHANNEL_BATCHES: usize = 64;

/// A tracing run: loads every kind `config` chose (in `all`, going on without an
/// optional one that cannot be loaded, and saying so), says what is traced once every
/// program is live, and runs until a stop condition.
/// With -- CMD, `command` is CMD, held stopped: it is followed and let go once tracing
/// is live.
pub fn trace(config: &Config, verbose: bool, command: Option<&Held>, out: impl Write) -> Result<()> {
    // Before anything loads: a port in use is a usage problem to report at once.
    let metrics_server = config.metrics.map(crate::metrics::Server::bind).transpose()?;
    let shared = Shared::new(&config.plan, verbose)?;
    let link = match &config.output {
        Dest::Stdout => None,
        dest => Some(Link::open(dest.clone(), &config.tls)?),
    };
    let mut loaded = Vec::new();
    let mut skipped = Vec::new();
    // The processes already running, read from /proc while the writer holds the live
    // stream; not with -- CMD, which starts once tracing is live. Started before the
    // capabilities are given up: the scan's threads keep theirs (capabilities are per
    // thread) to read every process's exe and cwd, and end with the scan.
    let start_scan = |max_arg_bytes: usize| {
        let filters = &config.plan.filters;
        let scope = Scope {
            tgid: filters.tgid,
            tid: filters.tid,
            uid: filters.uid,
            comm: filters.comm.clone(),
            failed: filters.failed,
            cgroup: shared.cgroup().map(Path::to_path_buf),
            follow: filters.follow,
            max_arg_bytes,
        };
        thread::Builder::new().name("sysnoop-snapshot".into()).spawn(move || scan(&scope)).context("starting the /proc snapshot")
    };
    let mut snapshot: Option<JoinHandle<Scan>> = None;
    // The kinds load side by side: most of a load is libbpf relocating the object
    // against the kernel's BTF and the verifier checking it, each object on its own.
    // The snapshot starts as soon as the kinds it needs are live (exec and exit, not
    // waiting for the others): a process it lists has its exec and its exit traced
    // from then on, which is what makes each one introduced exactly once. With
    // --follow, once the followed set is filled (below). Meanwhile those kinds have a
    // CPU to themselves (`Reserved`), so that the snapshot overlaps the other loads.
    let early_scan = config.follow.is_none() && config.kinds.iter().any(|k| k.snapshot);
    let reserved = Reserved::new(early_scan);
    let results: Vec<Result<Loaded>> = thread::scope(|scope| -> Result<Vec<Result<Loaded>>> {
        let (shared, reserved) = (&shared, &reserved);
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        for (i, kind) in config.kinds.iter().enumerate() {
            let done = done_tx.clone();
            scope.spawn(move || {
                reserved.enter(kind.snapshot_needs);
                // The receiver stays until every loader has sent.
                let _ = done.send((i, kind.load(shared)));
            });
        }
        drop(done_tx);
        let mut results: Vec<Option<Result<Loaded>>> = config.kinds.iter().map(|_| None).collect();
        for (i, result) in done_rx {
            results[i] = Some(result);
            if early_scan && snapshot.is_none() && config.kinds.iter().zip(&results).all(|(k, r)| !k.snapshot_needs || r.is_some()) {
                reserved.release();
                if let Some(max_arg_bytes) = results.iter_mut().find_map(|r| r.as_mut()?.as_mut().ok()?.snapshot.take()) {
                    snapshot = Some(start_scan(max_arg_bytes)?);
                }
            }
        }
        // A loader that panicked sent nothing: the scope's end re-raises its panic.
        Ok(results.into_iter().flatten().collect())
    })?;
    for (kind, result) in config.kinds.iter().zip(results) {
        match result {
            Ok(l) => loaded.push(l),
            Err(e) => match kind.optional {
                Some(unavailable) => {
                    crate::say!("sysnoop: {unavailable}: {e:#}");
                    skipped.push(Skipped { kind: kind.name, reason: format!("{e:#}") });
                }
                None => return Err(e),
            },
        }
    }
    // After every kind: see Follower::load.
    let follower = match &config.follow {
        None => None,
        Some(follow) => {
            let mut follower = Follower::load(&shared)?;
            match (follow, command) {
                (Follow::Pid(pid), _) => follower.add_tree(*pid)?,
                (Follow::Command { .. }, Some(command)) => follower.add(command.pid())?,
                (Follow::Command { .. }, None) => anyhow::bail!("-- CMD without its process"),
            }
            Some(follower)
        }
    };
    for l in &mut loaded {
        l.hooks.records = l.sources.iter().map(|s| s.kind.name()).collect();
    }
    let sources = Sources::new(loaded.iter_mut().flat_map(|l| std::mem::take(&mut l.sources)).collect());
    let periodic: Vec<Periodic> = loaded.iter_mut().filter_map(|l| l.periodic.take()).collect();
    let dedups: Vec<(Kind, Dedupe)> = loaded.iter_mut().filter_map(|l| l.dedup.take()).collect();
    let snapshot = match (snapshot, loaded.iter_mut().find_map(|l| l.snapshot.take()), &config.follow) {
        (Some(early), _, _) => Some(early),
        (None, Some(_), Some(Follow::Command { .. })) | (None, None, _) => None,
        (None, Some(max_arg_bytes), _) => Some(start_scan(max_arg_bytes)?),
    };
    let announce = || {
        let hooks: Vec<&Hooks> = loaded.iter().map(|l| &l.hooks).collect();
        let transport = config.kinds.iter().any(|k| k.per_task).then_some(shared.events.transport);
        let line = tracing_line(&hooks, &config.plan.filters.describe(), transport);
        if !config.quiet {
            crate::say!("{line}");
        }
        // systemd (Type=notify): the service is up now, -q or not.
        crate::notify::send(&format!("READY=1\n{}", crate::notify::status(line.trim_start_matches("sysnoop: "))));
        if let Some(command) = command {
            command.release();
        }
    };
    let renderer = Renderer::new(config.format, &sources.kinds(), &config.session);
    let start = Start {
        kind: "start",
        time: WallClock::new().now(),
        session: &config.session,
        version: env!("CARGO_PKG_VERSION"),
        kernel: crate::preflight::kernel_release().ok(),
        host: crate::identity::Host::read(),
        format: config.format,
        kinds: loaded.iter().map(|l| &l.hooks).collect(),
        skipped,
        filters: &config.plan.filters,
        ring_size: config.plan.ring_size,
        transport: shared.events.transport,
        fallbacks: crate::features::get().fallbacks(loaded.iter().fold(0, |mask, l| mask | l.hooks.without)),
    };
    let mut first = Vec::new();
    renderer.start(&start, start.time, &mut first);
    let board = metrics_server.as_ref().map(|_| std::sync::Arc::new(crate::metrics::Board::default()));
    let metrics = match &board {
        None => None,
        Some(board) => {
            let board = board.clone();
            let info = crate::metrics::Info {
                version: env!("CARGO_PKG_VERSION"),
                kernel: start.kernel.clone().unwrap_or_default(),
                transport: shared.events.transport.name(),
                session: config.session.clone(),
                start_time_s: start.time.0 as f64 / 1e9,
            };
            let ring = match shared.events.transport {
                Transport::Ringbuf => Some(crate::ring::Fill::new(std::os::fd::AsFd::as_fd(&shared.events.map))?),
                Transport::Perf => None,
            };
            Some(crate::metrics::Metrics { board, info, ring_buffer_bytes: config.plan.ring_size.into(), programs: shared.take_programs(), ring })
        }
    };
    let output = Output { renderer, session: config.session.clone(), first, link, queue_size: config.queue_size, cgroup_path: config.cgroup_path };
    // Tracing is live, and nothing from here on needs a capability (src/caps.rs): give
    // them all up while this is the only thread, before the threads that read and send.
    let keep: &[u32] = match &config.follow {
        Some(Follow::Command { user: Some(_), .. }) => &[crate::caps::CAP_KILL],
        _ => &[],
    };
    // Whether bpf() still answers: the events map's info, which any kernel gives to a
    // process holding its descriptor unless it refuses bpf() altogether.
    let bpf_works = || {
        let mut info = libbpf_rs::libbpf_sys::bpf_map_info::default();
        let mut len = std::mem::size_of_val(&info) as u32;
        use std::os::fd::{AsFd, AsRawFd};
        // SAFETY: `info` is as long as `len` says.
        unsafe { libbpf_rs::libbpf_sys::bpf_map_get_info_by_fd(shared.events.map.as_fd().as_raw_fd(), &mut info, &mut len) == 0 }
    };
    crate::caps::drop_all_but(keep, bpf_works).context("giving up capabilities once tracing is live")?;
    // The metrics server reads what any client on the network sends: started only now,
    // it holds no capability (they are per thread, and a new thread has its creator's).
    if let (Some(server), Some(board)) = (metrics_server, board) {
        server.spawn(board)?;
    }
    let run = Run { events: &shared.events, sources: &sources, limits: &config.limits, periodic, dedups, follower, snapshot, output, metrics };
    self::run(run, announce, out)
}

/// A CPU kept for the loads the /proc snapshot waits for (exec and exit), while the
/// other kinds load on the rest: with every kind loading at once on a few CPUs, the
/// scheduler shares them out evenly, exec (the most for the verifier to check) finished
/// last, and the snapshot then came after every load instead of beside them. Each
/// loader thread takes its side as it starts; `release` gives the others every CPU
/// back once the snapshot's kinds are loaded. Nothing where the process may run on one
/// CPU only, or affinity cannot be read or set (it only ever speeds the start up).
struct Reserved {
    /// The CPUs the process may run on, and the one kept.
    cpus: Option<(nix::sched::CpuSet, usize)>,
    /// The other loaders' threads, until released (then None).
    others: std::sync::Mutex<Option<Vec<nix::unistd::Pid>>>,
}

impl Reserved {
    fn new(wanted: bool) -> Reserved {
        use nix::sched::{sched_getaffinity, CpuSet};
        let cpus = wanted.then(|| sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()).flatten().and_then(|allowed| {
            let mut on = (0..CpuSet::count()).filter(|&cpu| allowed.is_set(cpu).unwrap_or(false));
            let kept = on.next()?;
            on.next().map(|_| (allowed, kept))
        });
        Reserved { cpus, others: std::sync::Mutex::new(Some(Vec::new())) }
    }

    /// The calling loader thread takes the kept CPU (`needed`: a kind the snapshot waits
    /// for), or the others until `release`.
    fn enter(&self, needed: bool) {
        use nix::sched::{sched_setaffinity, CpuSet};
        let Some((allowed, kept)) = &self.cpus else { return };
        let me = nix::unistd::Pid::from_raw(0);
        let mut set = if needed { CpuSet::new() } else { *allowed };
        let _ = if needed { set.set(*kept) } else { set.unset(*kept) };
        if needed {
            let _ = sched_setaffinity(me, &set);
        } else if let Ok(mut others) = self.others.lock() {
            if let Some(others) = others.as_mut() {
                if sched_setaffinity(me, &set).is_ok() {
                    others.push(nix::unistd::gettid());
                }
            }
        }
    }

    /// Every CPU back to the other loaders (those that have ended are gone: no matter).
    fn release(&self) {
        let Some((allowed, _)) = &self.cpus else { return };
        if let Some(others) = self.others.lock().ok().and_then(|mut others| others.take()) {
            for tid in others {
                let _ = nix::sched::sched_setaffinity(tid, allowed);
            }
        }
    }
}

/// How a run's records are written: in which format, under which session id, after
/// what first (the start record, or text's headers), and where: to `run`'s `out`
/// (stdout), or to a file or socket through a queue of `queue_size` bytes.
pub(crate) struct Output {
    pub(crate) renderer: Renderer,
    pub(crate) session: String,
    pub(crate) first: Vec<u8>,
    pub(crate) link: Option<Link>,
    pub(crate) queue_size: usize,
    /// --cgroup-path.
    pub(crate) cgroup_path: bool,
}

/// The first record of every run, even with -q: what the "tracing" line says, for
/// machines. Made once every program is live, just before records are read.
#[derive(Serialize)]
struct Start<'a> {
    kind: &'static str,
    /// When tracing began.
    time: Timestamp,
    session: &'a str,
    version: &'static str,
    /// The kernel release; null if uname failed.
    kernel: Option<String>,
    /// hostname, machine_id, boot_id.
    #[serde(flatten)]
    host: crate::identity::Host,
    format: Format,
    /// Each kind traced, with its hooks.
    kinds: Vec<&'a Hooks>,
    /// The kinds `all` goes on without, and why.
    skipped: Vec<Skipped>,
    filters: &'a crate::filter::Filters,
    ring_size: u32,
    transport: Transport,
    /// The kernel features the loaded programs do without, why, and what they do
    /// instead (each kind's `without` names them).
    fallbacks: Vec<crate::features::Fallback>,
}

#[derive(Serialize)]
struct Skipped {
    kind: &'static str,
    reason: String,
}

/// `sysnoop: tracing open (openat, ...) [not on this kernel: ...]; exec (...); pid 42;
/// through the BPF ring buffer. Ctrl-C to stop.` The transport is named when records
/// go through it (not for traffic alone).
fn tracing_line(hooks: &[&Hooks], filters: &str, transport: Option<Transport>) -> String {
    let parts: Vec<String> = hooks
        .iter()
        .map(|h| {
            let mut part = format!("{} ({})", h.kind, h.traced.join(", "));
            if let Some(detail) = &h.detail {
                part += &format!(" {detail}");
            }
            if !h.absent.is_empty() {
                part += &format!(" [not on this kernel: {}]", h.absent.join(", "));
            }
            if h.without != 0 {
                part += &format!(" [fallbacks without {}]", crate::features::names(h.without).collect::<Vec<_>>().join(", "));
            }
            part
        })
        .collect();
    let mut line = format!("sysnoop: tracing {}", parts.join("; "));
    if !filters.is_empty() {
        line += &format!("; {filters}");
    }
    if let Some(transport) = transport {
        line += &format!("; through {}", transport.describe());
    }
    line + ". Ctrl-C to stop."
}

/// What a run is made of, once every program is live: the kernel's buffers, the record
/// sources, the limits, what is made every so often, the --dedup tables, the followed
/// tasks, and how and where records are written.
pub(crate) struct Run<'s> {
    pub(crate) events: &'s Events,
    pub(crate) sources: &'s Sources,
    pub(crate) limits: &'s Limits,
    pub(crate) periodic: Vec<Periodic>,
    pub(crate) dedups: Vec<(Kind, Dedupe)>,
    pub(crate) follower: Option<Follower>,
    /// The /proc snapshot under way, if the run begins with one.
    pub(crate) snapshot: Option<JoinHandle<Scan>>,
    pub(crate) output: Output,
    /// --metrics: where the writer leaves pages for the metrics server.
    pub(crate) metrics: Option<crate::metrics::Metrics>,
}

/// Runs until a stop condition: a poll thread reads `run.events` and decodes each
/// record; this thread writes them (src/writer.rs) to `out`, or to the output's link.
/// Calls `ready` once the poll thread is running and the /proc snapshot, if any, is
/// written. With a follower, the run also ends
/// when every followed task has exited. Returns after the summary record is written,
/// or quietly when `out` was closed (broken pipe).
pub(crate) fn run(run: Run<'_>, ready: impl FnOnce(), out: impl Write) -> Result<()> {
    let Run { events, sources, limits, periodic, dedups, follower, snapshot, output, metrics } = run;
    let Output { renderer, session, first, link, queue_size, cgroup_path } = output;
    // Malformed records per source, and one more slot for records of no known kind.
    let malformed: Vec<AtomicU64> = (0..=sources.len()).map(|_| AtomicU64::new(0)).collect();
    let counted = &malformed;
    let stop = AtomicBool::new(false);
    let stopping = &stop;
    let (tx, rx) = bounded::<Batch>(CHANNEL_BATCHES);
    // The writer sends each batch back when it has written it (the channel holds them
    // all, so the writer never waits on it).
    let (spent_tx, spent_rx) = bounded::<Batch>(CHANNEL_BATCHES + 2);

    // SYSNOOP_RECORD_RING=FILE: every ring-buffer record's bytes, each after its length
    // (u32, little-endian), for bench/replay to feed the writer without a kernel.
    let mut recording = std::env::var_os("SYSNOOP_RECORD_RING")
        .map(|path| std::fs::File::create(&path).map(io::BufWriter::new).with_context(|| format!("creating {}", path.to_string_lossy())))
        .transpose()?;
    // Each record, decoded, to the writer. A failed send means the writer has gone
    // (stdout closed): stop consuming.
    let mut batcher = Batcher { batch: Vec::with_capacity(SEND_BATCH), tx, spent: spent_rx };
    let forward = move |bytes: Option<&[u8]>| match bytes.map(|bytes| crate::kinds::record(record_ring(&mut recording, bytes))) {
        None => batcher.send(),
        Some(Ok(event)) => batcher.push(sources.index(Some(event.kind())), event),
        Some(Err((kind, _))) => {
            counted[sources.index(kind)].fetch_add(1, Ordering::Relaxed);
            true
        }
    };
    let sink = match link {
        None => Sink::Direct(io::BufWriter::with_capacity(WRITE_BUFFER, out)),
        Some(link) => Sink::Queued(Box::new(Remote::start(link, queue_size, sources.len() + 1)?)),
    };

    thread::scope(|scope| {
        let poller = thread::Builder::new()
            .name("sysnoop-poll".into())
            .spawn_scoped(scope, move || events.read(forward, stopping))
            .context("starting the poll thread")?;
        let writer = Writer::new(Setup {
            sources,
            limits,
            malformed: &malformed,
            periodic,
            dedups,
            follower,
            snapshot,
            events,
            renderer,
            session,
            cgroup_path,
            sink,
            metrics,
        });
        let written = writer.run(&first, rx, spent_tx, &stop, ready);
        stop.store(true, Ordering::SeqCst);
        let polled = poller.join().expect("the poll thread panicked");
        written.and(polled)
    })
}

/// With SYSNOOP_RECORD_RING, appends `bytes` to the recording; returns them.
fn record_ring<'b>(recording: &mut Option<io::BufWriter<std::fs::File>>, bytes: &'b [u8]) -> &'b [u8] {
    if let Some(file) = recording {
        // A developer's switch: a failed write only leaves the recording short.
        let _ = file.write_all(&(bytes.len() as u32).to_le_bytes()).and_then(|()| file.write_all(bytes));
    }
    bytes
}

/// The poll thread's end of the channel. Events are gathered into a batch, sent when it
/// is full and at the end of each drain of the ring. The writer sends each batch back
/// once written, and it is emptied here: its events' buffers go back to the pool the
/// next records' decoding takes them from (src/pool.rs), and the batch's own memory is
/// reused.
struct Batcher {
    batch: Batch,
    tx: Sender<Batch>,
    spent: Receiver<Batch>,
}

impl Batcher {
    /// false when the writer has gone.
    #[inline]
    fn push(&mut self, index: usize, event: Event) -> bool {
        self.batch.push((index, event));
        self.batch.len() < SEND_BATCH || self.send()
    }

    /// Sends what is gathered (waits while the channel is full); false when the writer
    /// has gone.
    fn send(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let next = match self.spent.try_recv() {
            Ok(mut spent) => {
                for (_, event) in spent.drain(..) {
                    event.recycle();
                }
                spent
            }
            Err(_) => Vec::with_capacity(SEND_BATCH),
        };
        self.tx.send(std::mem::replace(&mut self.batch, next)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record that fails to decode is counted as malformed under its kind's source when
    /// its header names one, and under "unknown" (one past the last source) otherwise.
    #[test]
    fn the_tracing_line() {
        let mut open = Hooks::new("open", vec!["openat".into(), "creat".into()]);
        open.absent.push("openat2".into());
        let mut traffic = Hooks::new("traffic", vec!["cgroup_skb ingress, egress".into()]);
        traffic.detail = Some("of cgroup / under /sys/fs/cgroup, every 1s".into());
        assert_eq!(
            tracing_line(&[&open, &traffic], "pid 42, failed only", Some(Transport::Ringbuf)),
            "sysnoop: tracing open (openat, creat) [not on this kernel: openat2]; traffic (cgroup_skb ingress, egress) \
             of cgroup / under /sys/fs/cgroup, every 1s; pid 42, failed only; through the BPF ring buffer. Ctrl-C to stop."
        );
        let exit = Hooks::new("exit", vec!["sched_process_exit".into()]);
        assert_eq!(
            tracing_line(&[&exit], "", Some(Transport::Perf)),
            "sysnoop: tracing exit (sched_process_exit); through perf buffers, one per CPU. Ctrl-C to stop."
        );
        assert_eq!(
            tracing_line(&[&traffic], "", None),
            "sysnoop: tracing traffic (cgroup_skb ingress, egress) of cgroup / under /sys/fs/cgroup, every 1s. Ctrl-C to stop."
        );
    }
}
