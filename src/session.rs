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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use serde::Serialize;

use crate::clock::{Timestamp, WallClock};
use crate::config::Config;
use crate::delivery::{Dest, Link, Origin, Remote};
use crate::event::Render;
use crate::follow::{Follow, Follower, Held};
use crate::format::{Format, Renderer};
use crate::kinds::{Event, Kind};
use crate::loader::{Dedupe, Hooks, Loaded, Periodic, Shared, Source};
use crate::signals;
use crate::stats::{Counts, KernelCounts, Report};
use crate::transport::{Events, Transport};

/// Events sent to the writer together, at most: the events one drain of the ring
/// decodes, cut at this many. A batch costs the channel one send and one receive, and
/// the cache lines the two threads hand each other are whole batches.
const SEND_BATCH: usize = 256;
/// Batches in flight between the poll thread and the writer (16 Ki events when full).
const CHANNEL_BATCHES: usize = 64;
/// How long a channel wait blocks before the stop flag is checked (as a poll of the
/// kernel's buffers does).
const TICK: Duration = crate::transport::TICK;
/// Bytes buffered before a write to stdout.
const WRITE_BUFFER: usize = 64 * 1024;
/// Events written between looks at the stop conditions and the stats timer: under
/// sustained load the channel is never empty, so the batch must end by count.
const BATCH: usize = 1024;

/// When a run ends and what it reports on the way.
#[derive(Debug, Clone, Default)]
pub(crate) struct Limits {
    pub(crate) duration: Option<Duration>,
    pub(crate) max_events: Option<u64>,
    pub(crate) stats_interval: Option<Duration>,
}

/// Per-source counts kept in user space.
#[derive(Default)]
struct UserCounts {
    emitted: u64,
    unwritten: u64,
    deduplicated: u64,
}

/// A tracing run: loads every kind `config` chose (in `all`, going on without an
/// optional one that cannot be loaded, and saying so), says what is traced once every
/// program is live, and runs until a stop condition.
/// With -- CMD, `command` is CMD, held stopped: it is followed and let go once tracing
/// is live.
pub fn trace(config: &Config, verbose: bool, command: Option<&Held>, out: impl Write) -> Result<()> {
    let shared = Shared::new(&config.plan(), verbose)?;
    let link = match &config.output {
        Dest::Stdout => None,
        dest => Some(Link::open(dest.clone())?),
    };
    let mut loaded = Vec::new();
    let mut skipped = Vec::new();
    // The kinds load side by side: most of a load is libbpf relocating the object
    // against the kernel's BTF and the verifier checking it, each object on its own.
    let results: Vec<Result<Loaded>> = thread::scope(|scope| {
        let shared = &shared;
        let loading: Vec<_> = config.kinds.iter().map(|kind| scope.spawn(move || kind.load(shared))).collect();
        loading.into_iter().map(|l| l.join().expect("a loader thread panicked")).collect()
    });
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
    let sources: Vec<Source> = loaded.iter_mut().flat_map(|l| std::mem::take(&mut l.sources)).collect();
    let periodic: Vec<Periodic> = loaded.iter_mut().filter_map(|l| l.periodic.take()).collect();
    let dedups: Vec<(Kind, Dedupe)> = loaded.iter_mut().filter_map(|l| l.dedup.take()).collect();
    let announce = || {
        if !config.quiet {
            let hooks: Vec<&Hooks> = loaded.iter().map(|l| &l.hooks).collect();
            let transport = config.kinds.iter().any(|k| k.per_task).then_some(shared.events.transport);
            crate::say!("{}", tracing_line(&hooks, &config.filters.describe(), transport));
        }
        if let Some(command) = command {
            command.release();
        }
    };
    let renderer = Renderer::new(config.format, &sources.iter().map(|s| s.kind).collect::<Vec<_>>(), &config.session);
    let start = Start {
        kind: "start",
        time: WallClock::new().now(),
        session: &config.session,
        version: env!("CARGO_PKG_VERSION"),
        kernel: crate::preflight::kernel_release().ok(),
        format: config.format,
        kinds: loaded.iter().map(|l| &l.hooks).collect(),
        skipped,
        filters: &config.filters,
        ring_size: config.ring_size,
        transport: shared.events.transport,
        fallbacks: crate::features::get().fallbacks(loaded.iter().fold(0, |mask, l| mask | l.hooks.without)),
    };
    let mut first = Vec::new();
    renderer.start(&start, start.time, &mut first);
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
    run(&shared.events, &sources, &config.limits, periodic, dedups, follower, output, announce, out)
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

/// Runs until a stop condition, writing the records of `events` to `out` (or `output`'s
/// link), but those `dedups` say repeat; calls `ready` once the poll thread is running.
/// With a `follower`, the run also ends when every followed task has exited.
/// Returns after the summary record is written, or quietly when `out` was closed
/// (broken pipe).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    events: &Events,
    sources: &[Source],
    limits: &Limits,
    periodic: Vec<Periodic>,
    dedups: Vec<(Kind, Dedupe)>,
    follower: Option<Follower>,
    mut output: Output,
    ready: impl FnOnce(),
    out: impl Write,
) -> Result<()> {
    // Malformed records per source, and one more slot for records of no known kind.
    let malformed: Vec<AtomicU64> = (0..=sources.len()).map(|_| AtomicU64::new(0)).collect();
    let counted = &malformed;
    let index_of = |kind: Option<Kind>| source_index(sources, kind);
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
        Some(Ok(event)) => batcher.push(index_of(Some(event.kind())), event),
        Some(Err((kind, _))) => {
            counted[index_of(kind)].fetch_add(1, Ordering::Relaxed);
            true
        }
    };
    let sink = match output.link.take() {
        None => Sink::Direct(io::BufWriter::with_capacity(WRITE_BUFFER, out)),
        Some(link) => Sink::Queued(Box::new(Remote::start(link, output.queue_size, sources.len() + 1)?)),
    };

    thread::scope(|scope| {
        let poller = thread::Builder::new()
            .name("sysnoop-poll".into())
            .spawn_scoped(scope, move || events.read(forward, stopping))
            .context("starting the poll thread")?;
        ready();
        let first = std::mem::take(&mut output.first);
        let mut writer = Writer::new(sources, limits, &malformed, periodic, output, sink);
        writer.follower = follower;
        writer.events = Some(events);
        for (kind, dedup) in dedups {
            writer.dedup[source_index(sources, Some(kind))] = Some(dedup);
        }
        let written = writer.run(&first, rx, spent_tx, &stop);
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

/// Which source a record of `kind` is counted under; one past the last for a kind no
/// source claims (or an unreadable one).
fn source_index(sources: &[Source], kind: Option<Kind>) -> usize {
    kind.and_then(|k| sources.iter().position(|s| s.kind == k)).unwrap_or(sources.len())
}

/// Events decoded by the poll thread, each with the index of its source, on their way
/// to the writer.
type Batch = Vec<(usize, Event)>;

/// The poll thread's end of the channel. Events are gathered into a batch, sent when it
/// is full and at the end of each drain of the ring. The writer sends each batch back
/// once written, and it is emptied here: an event's memory is freed by the thread that
/// allocated it (glibc's per-thread cache takes it back at once, for the next record),
/// and the batch's own memory is reused.
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
                spent.clear();
                spent
            }
            Err(_) => Vec::with_capacity(SEND_BATCH),
        };
        self.tx.send(std::mem::replace(&mut self.batch, next)).is_ok()
    }
}

/// Where the writer's lines go.
enum Sink<W: Write> {
    /// stdout, written by the writer itself: a slow reader holds the run back.
    Direct(io::BufWriter<W>),
    /// A file or socket, through the delivery thread's queue (never waits).
    Queued(Box<Remote>),
}

impl<W: Write> Sink<W> {
    /// Ok(false) when stdout is closed.
    fn write(&mut self, line: &[u8], origin: Origin) -> Result<bool> {
        match self {
            Sink::Direct(out) => closed_is_false(out.write_all(line)),
            Sink::Queued(remote) => {
                remote.line(line, origin);
                Ok(true)
            }
        }
    }

    fn flush(&mut self) -> Result<bool> {
        match self {
            Sink::Direct(out) => closed_is_false(out.flush()),
            Sink::Queued(remote) => {
                remote.flush();
                Ok(true)
            }
        }
    }

    /// Records of source `index` that a file or socket never got.
    fn unsent(&self, index: usize) -> u64 {
        match self {
            Sink::Direct(_) => 0,
            Sink::Queued(remote) => remote.unsent(index),
        }
    }

    /// At the end of the run, a file or socket's queue: waits until it is delivered, or
    /// given up and counted unsent.
    fn drain(&mut self) {
        if let Sink::Queued(remote) = self {
            remote.drain();
        }
    }

    /// Writes the summary `line` (after `drain`): to stdout, or to the file or socket,
    /// and to stderr when it cannot be delivered there.
    fn summary(&mut self, line: &[u8]) -> Result<()> {
        match self {
            Sink::Direct(out) => {
                if closed_is_false(out.write_all(line))? {
                    closed_is_false(out.flush())?;
                }
            }
            Sink::Queued(remote) => {
                if !remote.send_last(line) {
                    let _ = io::stderr().write_all(line); // best effort, as every stderr line
                }
            }
        }
        Ok(())
    }
}

struct Writer<'s, W: Write> {
    sources: &'s [Source],
    limits: &'s Limits,
    malformed: &'s [AtomicU64],
    /// Each producer, with when it is due next (None: only at the end).
    periodic: Vec<(Periodic, Option<Instant>)>,
    /// Per source, and one more for events of a kind no source claims (a bug).
    user: Vec<UserCounts>,
    /// Per source likewise: --dedup's table, for the kinds that have one.
    dedup: Vec<Option<Dedupe>>,
    sink: Sink<W>,
    /// The wall clock and the session id.
    render: Render,
    renderer: Renderer,
    line: Vec<u8>,
    started: Instant,
    total_emitted: u64,
    /// -- CMD, --follow: the followed tasks; the run ends when none is left.
    follower: Option<Follower>,
    /// The kernel's buffers (for what the perf transport says it lost).
    events: Option<&'s Events>,
}

impl<'s, W: Write> Writer<'s, W> {
    fn new(sources: &'s [Source], limits: &'s Limits, malformed: &'s [AtomicU64], periodic: Vec<Periodic>, output: Output, sink: Sink<W>) -> Self {
        let started = Instant::now();
        let periodic = periodic
            .into_iter()
            .map(|p| {
                let due = p.every.map(|every| started + every);
                (p, due)
            })
            .collect();
        Writer {
            sources,
            limits,
            malformed,
            periodic,
            user: (0..=sources.len()).map(|_| UserCounts::default()).collect(),
            dedup: (0..=sources.len()).map(|_| None).collect(),
            sink,
            render: Render { cgroups: RefCell::new(crate::cgroup::Cgroups::new()), cgroup_path: output.cgroup_path, ..Render::new(output.session) },
            renderer: output.renderer,
            line: Vec::with_capacity(512),
            started,
            total_emitted: 0,
            follower: None,
            events: None,
        }
    }

    /// Writes `first` (the start record), then every event until a stop condition, then
    /// the summary.
    fn run(mut self, first: &[u8], rx: Receiver<Batch>, spent: Sender<Batch>, stop: &AtomicBool) -> Result<()> {
        if !(self.sink.write(first, None)? && self.flush()?) {
            return Ok(());
        }
        let deadline = self.limits.duration.map(|d| self.started + d);
        let mut next_stats = self.limits.stats_interval.map(|i| self.started + i);
        loop {
            self.render.clock.refresh();
            let now = Instant::now();
            let all_exited = self.follower.as_mut().is_some_and(Follower::done);
            if signals::stop_requested() || deadline.is_some_and(|d| now >= d) || all_exited {
                stop.store(true, Ordering::SeqCst);
            }
            if let Some(due) = next_stats.filter(|&due| now >= due) {
                self.print_stats()?;
                next_stats = Some(due + self.limits.stats_interval.unwrap_or_default());
            }
            for i in 0..self.periodic.len() {
                let (every, due) = (self.periodic[i].0.every, self.periodic[i].1);
                if let Some(due) = due.filter(|&due| now >= due && !stop.load(Ordering::SeqCst)) {
                    if !self.write_periodic(i)? {
                        return Ok(());
                    }
                    self.periodic[i].1 = every.map(|every| due + every);
                }
            }
            let wait = [deadline, next_stats]
                .into_iter()
                .chain(self.periodic.iter().map(|&(_, due)| due))
                .flatten()
                .map(|t| t.saturating_duration_since(now))
                .fold(TICK, Duration::min);
            match rx.recv_timeout(wait) {
                Ok(first) => {
                    // Low rate: each event is flushed at once. High rate: what is
                    // already queued goes out in one write of BATCH or so.
                    let (mut next, mut written) = (Some(first), 0);
                    while let Some(batch) = next {
                        for (index, event) in &batch {
                            if !self.write_event(*index, event)? {
                                return Ok(()); // stdout closed
                            }
                        }
                        written += batch.len();
                        // Back to the poll thread to be emptied there (or, should it
                        // have gone, emptied here).
                        let _ = spent.try_send(batch);
                        next = if written < BATCH { rx.try_recv().ok() } else { None };
                    }
                    if !self.flush()? {
                        return Ok(());
                    }
                    if self.limits.max_events.is_some_and(|max| self.total_emitted >= max) {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // The last, partial interval.
        for i in 0..self.periodic.len() {
            if !self.write_periodic(i)? {
                return Ok(());
            }
        }
        self.sink.drain();
        let summary = self.report("summary")?;
        self.line.clear();
        self.renderer.summary(&summary, &mut self.line);
        self.sink.summary(&self.line)
    }

    /// Writes what periodic producer `i` makes now. Ok(false) when stdout is closed.
    fn write_periodic(&mut self, i: usize) -> Result<bool> {
        for event in (self.periodic[i].0.produce)()? {
            let index = source_index(self.sources, Some(event.kind()));
            if !self.write_event(index, &event)? {
                return Ok(false);
            }
        }
        self.flush()
    }

    /// Writes one event, or counts it as unwritten past --max-events. Ok(false) when
    /// stdout is closed.
    fn write_event(&mut self, index: usize, event: &Event) -> Result<bool> {
        if self.dedup[index].as_mut().is_some_and(|repeats| repeats(event)) {
            self.user[index].deduplicated += 1;
            return Ok(true);
        }
        if self.limits.max_events.is_some_and(|max| self.total_emitted >= max) {
            self.user[index].unwritten += 1;
            return Ok(true);
        }
        self.line.clear();
        self.renderer.event(event, &self.render, &mut self.line);
        if self.sink.write(&self.line, Some(index))? {
            self.user[index].emitted += 1;
            self.total_emitted += 1;
            Ok(true)
        } else {
            self.user[index].unwritten += 1;
            Ok(false)
        }
    }

    fn flush(&mut self) -> Result<bool> {
        self.sink.flush()
    }

    fn report(&self, kind: &'static str) -> Result<Report> {
        let mut counts = BTreeMap::new();
        for (index, source) in self.sources.iter().enumerate() {
            let kernel = source.counters.as_ref().map(|c| KernelCounts::read(c)).transpose()?.unwrap_or_default();
            let user = &self.user[index];
            counts.insert(
                source.kind.name(),
                Counts {
                    emitted: user.emitted,
                    filtered: kernel.filtered,
                    lost: kernel.lost,
                    pairing_misses: kernel.pairing_misses,
                    malformed: self.malformed[index].load(Ordering::Relaxed),
                    unwritten: user.unwritten,
                    deduplicated: user.deduplicated,
                    unsent: self.sink.unsent(index),
                },
            );
        }
        let (unknown, unknown_malformed) = (&self.user[self.sources.len()], self.malformed[self.sources.len()].load(Ordering::Relaxed));
        if unknown.emitted + unknown.unwritten + unknown_malformed > 0 {
            counts.insert(
                "unknown",
                Counts {
                    emitted: unknown.emitted,
                    unwritten: unknown.unwritten,
                    malformed: unknown_malformed,
                    unsent: self.sink.unsent(self.sources.len()),
                    ..Counts::default()
                },
            );
        }
        Ok(Report {
            kind,
            time: self.render.clock.now(),
            session: self.render.session.clone(),
            elapsed_ns: self.started.elapsed().as_nanos() as u64,
            counts,
            follow: self.follower.as_ref().map(Follower::counts).transpose()?,
            perf_lost: self.events.and_then(Events::perf_lost),
        })
    }

    fn print_stats(&self) -> Result<()> {
        let line = serde_json::to_string(&self.report("stats")?).expect("serializing stats");
        crate::say!("{line}");
        Ok(())
    }
}

/// A closed stdout (EPIPE) is a normal end of the run, as in ripgrep: Ok(false).
fn closed_is_false(result: io::Result<()>) -> Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e).context("writing to stdout"),
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

    #[test]
    fn malformed_records_are_counted_under_their_kind() {
        let sources = [Source { kind: Kind::Open, counters: None }, Source { kind: Kind::Exec, counters: None }];
        assert_eq!(source_index(&sources, Some(Kind::Exec)), 1);
        assert_eq!(source_index(&sources, Some(Kind::Connect)), 2);
        assert_eq!(source_index(&sources, None), 2);
    }
}
