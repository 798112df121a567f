//! The writer: the thread that formats each event the poll thread decoded (src/session.rs),
//! writes it to stdout or hands it to the delivery thread (src/delivery.rs), makes the
//! periodic records, prints stats, decides when the run stops, and counts every event
//! it was given under exactly one count; then writes the summary.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::delivery::{Origin, Remote};
use crate::event::RecordContext;
use crate::follow::Follower;
use crate::format::Renderer;
use crate::identity::ExecId;
use crate::kinds::exec::snapshot::Scan;
use crate::kinds::exec::ExecEvent;
use crate::kinds::{Event, Kind};
use crate::loader::{Dedupe, Periodic, Sources};
use crate::metrics::{Gauges, Metrics};
use crate::signals;
use crate::stats::{Counts, KernelCounts, Marked, Report, SnapshotCounts};
use crate::transport::Events;

/// How long a channel wait blocks before the stop flag is checked (as a poll of the
/// kernel's buffers does).
const TICK: Duration = crate::transport::TICK;
/// Bytes buffered before a write to stdout.
pub(crate) const WRITE_BUFFER: usize = 64 * 1024;
/// Events written between looks at the stop conditions and the stats timer: under
/// sustained load the channel is never empty, so the batch must end by count.
const BATCH: usize = 1024;
/// How often the writer looks for losses to mark in the stream.
const MARK_EVERY: Duration = Duration::from_millis(100);

/// How long the live stream stays held after the /proc snapshot before the poll thread
/// is asked for what the kernel holds: an exec that replaced a process's image before
/// the scan read it reaches sched_process_exec within microseconds (the rest of loading
/// the binary), and its record must be among those held to be matched.
const SNAPSHOT_GRACE: Duration = Duration::from_millis(10);
/// The longest the writer waits for the poll thread to serve its ask.
const ASK_TIMEOUT: Duration = Duration::from_secs(1);

/// Events decoded by the poll thread, each with the index of its source, on their way
/// to the writer.
pub(crate) type Batch = Vec<(usize, Event)>;

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
    /// Records made in user space that the filters dropped (the snapshot's).
    filtered: u64,
    emitted: u64,
    unwritten: u64,
    deduplicated: u64,
}

/// What became of a line written at once (Sink::write_now).
#[derive(Debug, PartialEq, Eq)]
enum Handed {
    /// Written to stdout, or queued for the file or socket.
    Out,
    /// A file or socket's queue had no room for it: dropped.
    NoRoom,
    /// stdout is closed.
    Closed,
}

/// Where the writer's lines go.
pub(crate) enum Sink<W: Write> {
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

    /// Writes `line`, which is no event (loss markers), and the lines before it at once.
    fn write_now(&mut self, line: &[u8]) -> Result<Handed> {
        match self {
            Sink::Direct(out) => Ok(if closed_is_false(out.write_all(line))? && closed_is_false(out.flush())? { Handed::Out } else { Handed::Closed }),
            Sink::Queued(remote) => Ok(if remote.line(line, None) && remote.flush() { Handed::Out } else { Handed::NoRoom }),
        }
    }

    /// A file or socket's queued bytes and whether it is connected.
    fn gauges(&self) -> Option<(u64, bool)> {
        match self {
            Sink::Direct(_) => None,
            Sink::Queued(remote) => Some(remote.gauges()),
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

/// What the writer works from, whole: the run's sources and limits, what is made every
/// so often, the --dedup tables, the followed tasks, the kernel's buffers, how records
/// are rendered, and where they go.
pub(crate) struct Setup<'s, W: Write> {
    pub(crate) sources: &'s Sources,
    pub(crate) limits: &'s Limits,
    /// Malformed records per source (one more for records of no known kind), counted
    /// by the poll thread.
    pub(crate) malformed: &'s [AtomicU64],
    pub(crate) periodic: Vec<Periodic>,
    pub(crate) dedups: Vec<(Kind, Dedupe)>,
    pub(crate) follower: Option<Follower>,
    /// The /proc snapshot under way: written first, the live stream held meanwhile.
    pub(crate) snapshot: Option<JoinHandle<Scan>>,
    pub(crate) events: &'s Events,
    pub(crate) renderer: Renderer,
    pub(crate) session: String,
    /// --cgroup-path.
    pub(crate) cgroup_path: bool,
    pub(crate) sink: Sink<W>,
    pub(crate) metrics: Option<Metrics>,
}

/// The thread that formats and writes records, prints stats, and decides when the run
/// stops.
pub(crate) struct Writer<'s, W: Write> {
    sources: &'s Sources,
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
    render: RecordContext,
    renderer: Renderer,
    line: Vec<u8>,
    started: Instant,
    total_emitted: u64,
    /// -- CMD, --follow: the followed tasks; the run ends when none is left.
    follower: Option<Follower>,
    /// The kernel's buffers (for what the perf transport says it lost).
    events: &'s Events,
    /// The /proc snapshot: under way until it is written, then its counts.
    snapshot: Option<JoinHandle<Scan>>,
    snapshot_counts: Option<SnapshotCounts>,
    /// --metrics: a page of the counts whenever a scrape asks.
    metrics: Option<Metrics>,
    /// The losses marked in the stream so far.
    marked: Marked,
}

impl<'s, W: Write> Writer<'s, W> {
    pub(crate) fn new(setup: Setup<'s, W>) -> Self {
        let Setup { sources, limits, malformed, periodic, dedups, follower, snapshot, events, renderer, session, cgroup_path, sink, metrics } = setup;
        let started = Instant::now();
        let periodic = periodic
            .into_iter()
            .map(|p| {
                let due = p.every.map(|every| started + every);
                (p, due)
            })
            .collect();
        let mut dedup: Vec<Option<Dedupe>> = (0..=sources.len()).map(|_| None).collect();
        for (kind, table) in dedups {
            dedup[sources.index(Some(kind))] = Some(table);
        }
        Writer {
            sources,
            limits,
            malformed,
            periodic,
            user: (0..=sources.len()).map(|_| UserCounts::default()).collect(),
            dedup,
            sink,
            render: RecordContext { cgroups: RefCell::new(crate::cgroup::Cgroups::new()), cgroup_path, ..RecordContext::new(session) },
            renderer,
            line: Vec::with_capacity(512),
            started,
            total_emitted: 0,
            follower,
            events,
            snapshot,
            snapshot_counts: None,
            metrics,
            marked: Marked::default(),
        }
    }

    /// Writes `first` (the start record), then the /proc snapshot, if any; calls
    /// `ready`; then writes every event until a stop condition, then the summary.
    pub(crate) fn run(mut self, first: &[u8], rx: Receiver<Batch>, spent: Sender<Batch>, stop: &AtomicBool, ready: impl FnOnce()) -> Result<()> {
        // Losses are marked from here: the snapshot's hold (below) is part of the run.
        self.marked = Marked::from(self.render.clock.now());
        if !(self.sink.write(first, None)? && self.flush()?) {
            return Ok(());
        }
        if let Some(scan) = self.snapshot.take() {
            if !self.write_snapshot(scan, &rx, &spent)? {
                return Ok(());
            }
        }
        // "tracing": the snapshot, if any, is written, and its threads and their
        // capabilities are gone.
        ready();
        let deadline = self.limits.duration.map(|d| self.started + d);
        let mut next_stats = self.limits.stats_interval.map(|i| self.started + i);
        let mut next_mark = Instant::now() + MARK_EVERY;
        loop {
            self.render.clock.refresh();
            let now = Instant::now();
            let all_exited = self.follower.as_mut().is_some_and(Follower::done);
            if !stop.load(Ordering::SeqCst) && (signals::stop_requested() || deadline.is_some_and(|d| now >= d) || all_exited) {
                self.stop(stop);
            }
            if now >= next_mark {
                if !self.write_losses()? {
                    return Ok(());
                }
                next_mark = now + MARK_EVERY;
            }
            if self.metrics.as_ref().is_some_and(|m| m.board.wanted()) {
                let report = self.report("stats")?;
                self.publish(&report);
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
            // Once stopping, nothing is due but the poll thread's end.
            let wait = match stop.load(Ordering::SeqCst) {
                true => TICK,
                false => [deadline, next_stats]
                    .into_iter()
                    .chain(self.periodic.iter().map(|&(_, due)| due))
                    .flatten()
                    .map(|t| t.saturating_duration_since(now))
                    .fold(TICK, Duration::min),
            };
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
                    if self.limits.max_events.is_some_and(|max| self.total_emitted >= max) && !stop.load(Ordering::SeqCst) {
                        self.stop(stop);
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
        crate::notify::send("STOPPING=1");
        self.sink.drain();
        let summary = self.report("summary")?;
        // The last page: the summary's counts, for a scrape while the summary goes out.
        self.publish(&summary);
        self.line.clear();
        // The last markers (what the end of the run lost, and what the destination
        // never got), just before the summary: each loss count is the sum of its markers.
        for loss in self.marked.take(&summary) {
            self.renderer.loss(&loss, &mut self.line);
        }
        self.renderer.summary(&summary, &mut self.line);
        self.sink.summary(&self.line)
    }

    /// Tells the poll thread to stop, and wakes it: it drains what the kernel holds and
    /// ends, which ends the run's loop.
    fn stop(&self, stop: &AtomicBool) {
        stop.store(true, Ordering::SeqCst);
        self.events.ask_drain();
    }

    /// Holds the live stream until the /proc snapshot is done (and GRACE longer, for
    /// execs under way then), writes the snapshot's records but those of processes the
    /// held stream introduces by an exec of their own (`ProcessEvent::introduced_by`),
    /// then the held stream. Ok(false) when stdout is closed.
    fn write_snapshot(&mut self, scan: JoinHandle<Scan>, rx: &Receiver<Batch>, spent: &Sender<Batch>) -> Result<bool> {
        let mut held: Vec<Batch> = Vec::new();
        // Looks at `done` every few ms: the scan's end is not signalled on the channel.
        let mut hold_until = |done: &dyn Fn() -> bool| {
            while !done() {
                match rx.recv_timeout(Duration::from_millis(2)) {
                    Ok(batch) => held.push(batch),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        hold_until(&|| scan.is_finished());
        let scan = scan.join().expect("the /proc snapshot panicked");
        // From the scan's end: it may have run while the last kinds loaded.
        let grace = scan.ended.unwrap_or_else(Instant::now) + SNAPSHOT_GRACE;
        hold_until(&|| Instant::now() >= grace);
        // What the kernel holds now, without waiting for the poll thread's next TICK:
        // once served, the drain's batches are all in the channel.
        let ask = self.events.ask_drain();
        let give_up = Instant::now() + ASK_TIMEOUT;
        hold_until(&|| self.events.served(ask) || Instant::now() >= give_up);
        held.extend(rx.try_iter());
        let index = self.sources.index(Some(Kind::Process));
        // The held stream's successful execs, by process.
        let mut execs: HashMap<ExecId, Vec<&ExecEvent>> = HashMap::new();
        for (_, event) in held.iter().flatten() {
            if let Event::Exec(exec) = event {
                if exec.ret == 0 {
                    execs.entry(self.render.exec_id(exec.start_ns, exec.task.pid)).or_default().push(exec);
                }
            }
        }
        let mut superseded = 0;
        for process in scan.processes {
            if execs.get(&process.exec_id(&self.render)).is_some_and(|execs| process.introduced_by(execs)) {
                superseded += 1;
            } else if !self.write_event(index, &Event::Process(process))? {
                return Ok(false);
            }
        }
        drop(execs);
        self.user[index].filtered += scan.filtered;
        self.snapshot_counts =
            Some(SnapshotCounts { listed: scan.listed, superseded, vanished: scan.vanished, unread: scan.unread, duration_ns: scan.duration_ns });
        for batch in held {
            for (index, event) in &batch {
                if !self.write_event(*index, event)? {
                    return Ok(false);
                }
            }
            let _ = spent.try_send(batch);
        }
        self.flush()
    }

    /// Writes what periodic producer `i` makes now. Ok(false) when stdout is closed.
    fn write_periodic(&mut self, i: usize) -> Result<bool> {
        for event in (self.periodic[i].0.produce)()? {
            let index = self.sources.index(Some(event.kind()));
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
                    filtered: kernel.filtered + user.filtered,
                    lost: kernel.lost,
                    pairing_misses: kernel.pairing_misses,
                    malformed: self.malformed[index].load(Ordering::Relaxed),
                    unwritten: user.unwritten,
                    deduplicated: user.deduplicated,
                    unsent: self.sink.unsent(index),
                },
            );
        }
        let mut skipped = BTreeMap::new();
        for skippable in self.sources.iter().filter_map(|s| s.skippable.as_ref()) {
            let n = skippable.skipped()?;
            if n > 0 {
                skipped.insert(skippable.hook, n);
            }
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
            perf_lost: self.events.perf_lost(),
            skipped,
            snapshot: self.snapshot_counts.clone(),
        })
    }

    /// Marks in the stream the losses counted since the last look. Ok(false) when
    /// stdout is closed.
    /// A marker that a full queue turned away is not lost: it is made again at the next
    /// look, from the last marker that went out, and so counts its events too.
    fn write_losses(&mut self) -> Result<bool> {
        let before = self.marked.clone();
        let losses = self.marked.take(&self.report("stats")?);
        if losses.is_empty() {
            return Ok(true);
        }
        self.line.clear();
        for loss in &losses {
            self.renderer.loss(loss, &mut self.line);
        }
        if self.line.is_empty() {
            return Ok(true); // text: said on stderr
        }
        match self.sink.write_now(&self.line)? {
            Handed::Out => Ok(true),
            Handed::NoRoom => {
                self.marked = before;
                Ok(true)
            }
            Handed::Closed => Ok(false),
        }
    }

    /// --metrics: `report` as a page, for the scrape that asked.
    fn publish(&self, report: &Report) {
        if let Some(m) = &self.metrics {
            let gauges = Gauges {
                ring_buffer_bytes: m.ring_buffer_bytes,
                ring_buffer_used_bytes: m.ring.as_ref().map(crate::ring::Fill::used),
                destination: self.sink.gauges(),
                programs: m.program_runs(),
            };
            m.board.publish(crate::metrics::render(report, &m.info, &gauges));
        }
    }

    fn print_stats(&self) -> Result<()> {
        let report = self.report("stats")?;
        let line = serde_json::to_string(&report).expect("serializing stats");
        crate::say!("{line}");
        if crate::notify::enabled() {
            crate::notify::send(&crate::notify::status(crate::format::sentence(&report).trim_start_matches("sysnoop: ")));
        }
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
