//! How records get from the BPF programs to sysnoop's poll thread (bpf/common.bpf.h).
//!
//! - The BPF ring buffer (`ringbuf`, Linux 5.8+): one buffer shared by every CPU, read
//!   straight from its memory (src/ring.rs). Records arrive in the order the kernel
//!   stored them.
//! - A perf buffer per CPU (`perf`): for kernels without the ring buffer, as
//!   libbpf-tools' compat layer falls back, or forced. The programs send each record
//!   with `bpf_perf_event_output()` to their CPU's buffer, and libbpf's perf_buffer
//!   reads them. Each CPU's stream is in order, but not the streams among themselves: a
//!   task's exec on one CPU and its first open on another can be read either way round.
//!   [`Merge`] puts them back in time order.
//!
//!   The perf buffers are made with libbpf's `perf_buffer__new_raw` (through
//!   libbpf-sys) rather than libbpf-rs's `PerfBufferBuilder`, which takes libbpf's
//!   defaults: those make the kernel wake the reader for every record, which cost the
//!   traced task ~10 us per open here (bench/open: 6.5x an untraced loop). As with the
//!   ring buffer, the kernel wakes the reader once a CPU's buffer holds a watermark of
//!   bytes instead, and the reader also drains every buffer each TICK.
//!
//! The transport is chosen at start: `--transport`, else `SYSNOOP_TRANSPORT`, else
//! by probing whether a ring buffer map can be created here.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ffi::{c_int, c_void};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use libbpf_rs::libbpf_sys;
use libbpf_rs::{MapCore, MapHandle, MapType};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};
use serde::Serialize;

use crate::preflight::PreflightError;
use crate::ring::Ring;

/// The environment switch the tests use to force a transport (`--transport` wins).
pub(crate) const ENV: &str = "SYSNOOP_TRANSPORT";

/// How long a poll blocks before the stop flag is checked, and the longest a record
/// waits in the kernel at low rates (the ring buffer wakes the reader only now and
/// then): the interactive latency budget is 100 ms.
pub(crate) const TICK: Duration = Duration::from_millis(50);

/// The perf transport holds a record back until every CPU's buffer has been read past
/// its time by this much: a BPF program stamps its record (bpf_ktime_get_boot_ns() in
/// fill_task_header) and sends it in the same run, without sleeping, within
/// microseconds; this is the bound on that gap the ordering relies on.
pub(crate) const MERGE_WINDOW_NS: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Transport {
    /// The BPF ring buffer (Linux 5.8+).
    Ringbuf,
    /// A perf buffer per CPU (where the kernel refuses ring buffers).
    Perf,
}

impl Transport {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Transport::Ringbuf => "ringbuf",
            Transport::Perf => "perf",
        }
    }

    /// For the "tracing" line and doctor.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Transport::Ringbuf => "the BPF ring buffer",
            Transport::Perf => "perf buffers, one per CPU",
        }
    }

    /// SYSNOOP_TRANSPORT: None when unset or empty; Err with the reason when it names
    /// no transport.
    pub(crate) fn from_env() -> Result<Option<Transport>, String> {
        match std::env::var(ENV) {
            Err(_) => Ok(None),
            Ok(v) if v.is_empty() => Ok(None),
            Ok(v) => <Transport as clap::ValueEnum>::from_str(&v, false).map(Some).map_err(|_| format!("{ENV}={v}: not a transport (ringbuf or perf)")),
        }
    }

    /// `forced`, else what this kernel has: the ring buffer when a ring buffer map can
    /// be created here, else perf buffers.
    pub(crate) fn choose(forced: Option<Transport>) -> Transport {
        forced.unwrap_or_else(|| if ringbuf_supported().unwrap_or(true) { Transport::Ringbuf } else { Transport::Perf })
    }
}

/// Whether this kernel can create a BPF ring buffer (libbpf's probe makes a small one);
/// Err when the probe itself failed (no privileges, no BPF), which says nothing either
/// way.
pub(crate) fn ringbuf_supported() -> Result<bool, String> {
    // SAFETY: a probe with no options.
    let ret = unsafe { libbpf_sys::libbpf_probe_bpf_map_type(libbpf_sys::BPF_MAP_TYPE_RINGBUF, std::ptr::null()) };
    match ret {
        1 => Ok(true),
        0 => Ok(false),
        e => Err(std::io::Error::from_raw_os_error(-e).to_string()),
    }
}

/// The run's one transport map, which every object reuses as its `events`, and the
/// poll thread's reader of it. Both are set up before any program is attached: a
/// program that ran before its CPU's perf buffer existed would have nowhere to send its
/// record.
pub(crate) struct Events {
    pub(crate) transport: Transport,
    pub(crate) map: MapHandle,
    /// --ring-size: the ring's data bytes, or the perf buffers' together.
    pub(crate) size: u32,
    /// The poll thread's, for the whole run.
    reader: Mutex<Reader>,
    /// The perf transport: what its buffers' callbacks hand over.
    received: Arc<Received>,
    /// Asks for a drain now (see `ask_drain`).
    asks: Asks,
}

/// The writer's asks of the poll thread for a drain that begins now, rather than at the
/// next TICK or the kernel's next wake-up: an eventfd in the poll thread's epoll, the
/// number of the last ask, and of the last one a finished drain began after.
struct Asks {
    kick: EventFd,
    asked: AtomicU64,
    served: AtomicU64,
}

enum Reader {
    Ring(Ring),
    Perf(PerfReader),
}

/// libbpf's perf buffer: a perf event and its mmap'd ring per CPU, in the map's slot
/// for that CPU, read through one epoll.
struct PerfReader {
    buffers: NonNull<libbpf_sys::perf_buffer>,
    /// libbpf's epoll of the buffers, and the asks' eventfd: what a wait waits on.
    epoll: Epoll,
    /// The context on_perf_event() is given: kept alive here, dropped after the buffer.
    _received: Arc<Received>,
}

// SAFETY: libbpf's perf_buffer is plain memory and fds with no tie to the thread that
// made it, used by one thread at a time (behind Events::reader); its callback's context
// is the `Received` this holds an Arc of, which is Sync.
unsafe impl Send for PerfReader {}

impl PerfReader {
    /// Perf buffers of `pages` pages for each CPU slot of `map`, each waking its reader
    /// once it holds `watermark` bytes.
    fn new(map: &MapHandle, pages: usize, watermark: u32, received: Arc<Received>) -> std::io::Result<PerfReader> {
        let mut attr = libbpf_sys::perf_event_attr {
            type_: libbpf_sys::PERF_TYPE_SOFTWARE,
            size: std::mem::size_of::<libbpf_sys::perf_event_attr>() as u32,
            config: libbpf_sys::PERF_COUNT_SW_BPF_OUTPUT.into(),
            sample_type: libbpf_sys::PERF_SAMPLE_RAW.into(),
            ..Default::default()
        };
        attr.__bindgen_anon_1.sample_period = 1;
        attr.__bindgen_anon_2.wakeup_watermark = watermark;
        attr.set_watermark(1);
        let context = Arc::as_ptr(&received).cast_mut().cast::<c_void>();
        // SAFETY: a valid map fd and attr; the context outlives the perf buffer (both are
        // in the PerfReader, which frees the buffer first).
        let raw = unsafe { libbpf_sys::perf_buffer__new_raw(map.as_fd().as_raw_fd(), pages as _, &mut attr, Some(on_perf_event), context, std::ptr::null()) };
        // libbpf 1.x: NULL and errno on failure.
        let buffers = NonNull::new(raw).ok_or_else(std::io::Error::last_os_error)?;
        // From here the buffers are freed on error by the PerfReader's drop.
        let reader = PerfReader { buffers, epoll: Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?, _received: received };
        // SAFETY: a live perf buffer; its epoll fd lives as long as the buffer.
        let inner = unsafe { BorrowedFd::borrow_raw(libbpf_sys::perf_buffer__epoll_fd(reader.buffers.as_ptr())) };
        reader.epoll.add(inner, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
        Ok(reader)
    }

    /// Waits up to `timeout` for a buffer to pass its watermark (or an ask); `consume`
    /// reads them all.
    fn wait(&self, timeout: Duration) -> Result<()> {
        let mut events = [EpollEvent::empty()];
        let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        match self.epoll.wait(&mut events, EpollTimeout::from(ms)) {
            // A signal (Ctrl-C) ends the wait early: the caller looks at the stop flag.
            Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(()),
            Err(e) => Err(e).context("waiting on the perf buffers"),
        }
    }

    /// Reads every CPU's buffer to the end.
    fn consume(&self) -> Result<()> {
        // SAFETY: a live perf buffer.
        let ret = unsafe { libbpf_sys::perf_buffer__consume(self.buffers.as_ptr()) };
        if ret < 0 {
            return Err(std::io::Error::from_raw_os_error(-ret)).context("reading the perf buffers");
        }
        Ok(())
    }
}

impl Drop for PerfReader {
    fn drop(&mut self) {
        // SAFETY: made by perf_buffer__new_raw, freed once; `_received`, its callback's
        // context, is dropped after this.
        unsafe { libbpf_sys::perf_buffer__free(self.buffers.as_ptr()) };
    }
}

/// Each record the perf buffers hold, as libbpf reads them: a sample (a u32 size, then
/// the record, padded to 8 bytes) goes to the merge; a loss record adds to the count.
unsafe extern "C" fn on_perf_event(context: *mut c_void, _cpu: c_int, event: *mut libbpf_sys::perf_event_header) -> libbpf_sys::bpf_perf_event_ret {
    // SAFETY: the context is the PerfReader's `Received`; libbpf hands over one whole
    // record of header.size bytes (copied together when it wrapped around the ring).
    let (received, header) = unsafe { (&*context.cast::<Received>(), &*event) };
    // SAFETY: libbpf's record is header.size bytes long, alive for this call.
    let bytes = unsafe { std::slice::from_raw_parts(event.cast::<u8>(), usize::from(header.size)) };
    match header.type_ {
        libbpf_sys::PERF_RECORD_SAMPLE => {
            if let Some(size) = bytes.get(8..12).map(|b| u32::from_ne_bytes(b.try_into().unwrap()) as usize) {
                let record = &bytes[12..(12 + size).min(bytes.len())];
                received.merge.lock().expect("merge lock").push(record);
            }
        }
        libbpf_sys::PERF_RECORD_LOST => {
            if let Some(lost) = bytes.get(16..24).map(|b| u64::from_ne_bytes(b.try_into().unwrap())) {
                received.lost.fetch_add(lost, Ordering::Relaxed);
            }
        }
        _ => {}
    }
    libbpf_sys::LIBBPF_PERF_EVENT_CONT
}

/// What the perf buffers' callbacks hand over: the records, to be merged, and the
/// samples the buffers said they lost.
#[derive(Default)]
struct Received {
    merge: Mutex<Merge>,
    lost: AtomicU64,
}

/// The BPF side wakes the poll thread once per this many bytes that arrive while it is
/// not reading (see `wakeup_flags()` in bpf/common.bpf.h); below that, the poll thread's
/// TICK drains the ring. A quarter of the ring, at most 256 KiB: a wakeup every few
/// thousand records at high rates, and plenty of room left when one arrives. A power of
/// two, which the BPF side relies on.
pub(crate) fn wakeup_bytes(ring_size: u32) -> u64 {
    let quarter = (u64::from(ring_size) / 4).clamp(1, 256 << 10);
    1 << quarter.ilog2()
}

/// kernel.perf_event_mlock_kb: how much perf buffer memory a user may map without
/// CAP_IPC_LOCK.
fn perf_mlock_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/kernel/perf_event_mlock_kb").ok()?.trim().parse().ok()
}

impl Events {
    pub(crate) fn create(transport: Transport, size: u32) -> Result<Events, PreflightError> {
        let received = Arc::new(Received::default());
        // Named like the objects' map: libbpf takes a reused map's name from the kernel,
        // and the skeletons look their maps up by name.
        let (map, reader) = match transport {
            Transport::Ringbuf => {
                let map = crate::preflight::create_ringbuf("events", size)?;
                let ring = Ring::new(map.as_fd(), map.max_entries()).map_err(|e| PreflightError::NoRingBuf(format!("{e:#}")))?;
                (map, Reader::Ring(ring))
            }
            Transport::Perf => {
                let perf = |e: &dyn std::fmt::Display| PreflightError::NoPerfBuffer(e.to_string());
                let cpus = libbpf_rs::num_possible_cpus().map_err(|e| perf(&format!("counting the CPUs: {e}")))?;
                let opts = libbpf_sys::bpf_map_create_opts { sz: std::mem::size_of::<libbpf_sys::bpf_map_create_opts>() as _, ..Default::default() };
                let map = MapHandle::create(MapType::PerfEventArray, Some("events"), 4, 4, cpus as u32, &opts).map_err(|e| perf(&e))?;
                let pages = perf_pages(size, cpus);
                let watermark = wakeup_bytes((pages * page_size()) as u32) as u32;
                let reader = PerfReader::new(&map, pages, watermark, Arc::clone(&received)).map_err(|e| {
                    // Mapping perf buffers beyond kernel.perf_event_mlock_kb (per user)
                    // takes CAP_IPC_LOCK: the usual EPERM here.
                    let eperm = e.raw_os_error() == Some(nix::errno::Errno::EPERM as i32);
                    let locked = crate::preflight::effective_caps() & (1 << crate::preflight::CAP_IPC_LOCK) != 0;
                    match (eperm && !locked, perf_mlock_kb()) {
                        (true, Some(kb)) => perf(&format!(
                            "setting up the perf buffers: {e}: {} KiB of buffers is more than kernel.perf_event_mlock_kb ({kb} KiB) lets a user map without CAP_IPC_LOCK: give sysnoop cap_ipc_lock as well (setcap {},cap_ipc_lock+ep sysnoop), or a smaller --ring-size",
                            pages * page_size() * cpus / 1024,
                            crate::preflight::SETCAP.trim_end_matches("+ep")
                        )),
                        _ => perf(&format!("setting up the perf buffers: {e}")),
                    }
                })?;
                (map, Reader::Perf(reader))
            }
        };
        // The poll thread's wake-up on an ask (see Asks).
        let kick = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK).context("creating an eventfd").and_then(|kick| {
            match &reader {
                Reader::Ring(ring) => ring.wake_on(kick.as_fd()),
                Reader::Perf(perf) => {
                    perf.epoll.add(kick.as_fd(), EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, 1)).context("watching the poll thread's wake-up")
                }
            }
            .map(|()| kick)
        });
        let kick = kick.map_err(|e| match transport {
            Transport::Ringbuf => PreflightError::NoRingBuf(format!("setting up its reader: {e:#}")),
            Transport::Perf => PreflightError::NoPerfBuffer(format!("setting up their reader: {e:#}")),
        })?;
        let asks = Asks { kick, asked: AtomicU64::new(0), served: AtomicU64::new(0) };
        Ok(Events { transport, map, size, reader: Mutex::new(reader), received, asks })
    }

    /// Asks the poll thread for a drain that begins now; returns the ask's number, which
    /// `served` takes.
    pub(crate) fn ask_drain(&self) -> u64 {
        let ask = self.asks.asked.fetch_add(1, Ordering::SeqCst) + 1;
        // Only fails when the counter is full, which a few asks never fill.
        let _ = self.asks.kick.write(1);
        ask
    }

    /// Whether a drain that began after ask `ask` has handed over all it read (in the
    /// channel now), or the poll thread has ended.
    pub(crate) fn served(&self, ask: u64) -> bool {
        self.asks.served.load(Ordering::SeqCst) >= ask
    }

    /// The perf transport: the samples its buffers have said they lost so far.
    pub(crate) fn perf_lost(&self) -> Option<u64> {
        (self.transport == Transport::Perf).then(|| self.received.lost.load(Ordering::Relaxed))
    }

    /// The poll thread: reads records until `stop`, then what is left, handing each to
    /// `forward` and None at the end of each drain (`forward` returns false when the
    /// writer has gone: then reading stops).
    pub(crate) fn read(&self, mut forward: impl FnMut(Option<&[u8]>) -> bool, stop: &AtomicBool) -> Result<()> {
        let reader = self.reader.lock().expect("one reader");
        match &*reader {
            // The kernel signals only now and then (see `wakeup_bytes`); each
            // wait, signalled or timed out, is followed by taking whatever is there.
            Reader::Ring(ring) => read_until(stop, &self.asks, || ring.wait(TICK), |_| Ok(!ring.consume(|bytes| forward(Some(bytes))) && forward(None))),
            // Each drain of the perf buffers is a pass over every CPU's buffer that began
            // at a known time: every record stamped more than MERGE_WINDOW_NS before that
            // has been read, whatever its CPU, and records up to there are released in
            // time order; the last pass releases everything.
            Reader::Perf(buffers) => read_until(
                stop,
                &self.asks,
                || buffers.wait(TICK),
                |last| {
                    let known = crate::clock::boot_ns();
                    buffers.consume()?;
                    let upto = if last { u64::MAX } else { known.saturating_sub(MERGE_WINDOW_NS) };
                    let released = self.received.merge.lock().expect("merge lock").release(upto, &mut forward);
                    Ok(released && forward(None))
                },
            ),
        }
    }
}

/// The poll thread's loop, whatever the transport: `wait` for records, then `drain`
/// what the kernel holds, until asked to stop; then `drain(true)` what the kernel
/// already delivered, which the writer counts even when it no longer writes. `drain`
/// gives false when the writer has gone: then reading stops. Each drain serves the
/// asks made before it began; once the loop ends, every ask counts as served.
fn read_until(stop: &AtomicBool, asks: &Asks, mut wait: impl FnMut() -> Result<()>, mut drain: impl FnMut(bool) -> Result<bool>) -> Result<()> {
    let result = (|| {
        while !stop.load(Ordering::SeqCst) {
            wait()?;
            let asked = asks.asked.load(Ordering::SeqCst);
            if !drain(false)? {
                return Ok(()); // the writer is gone
            }
            asks.served.store(asked, Ordering::SeqCst);
        }
        drain(true)?;
        Ok(())
    })();
    asks.served.store(u64::MAX, Ordering::SeqCst);
    result
}

/// Each CPU's perf buffer, in pages: `size` shared among the CPUs, a power of two of
/// pages (perf's rule), at least one.
fn perf_pages(size: u32, cpus: usize) -> usize {
    let pages = (size as usize / page_size() / cpus.max(1)).max(1);
    1 << pages.ilog2()
}

fn page_size() -> usize {
    nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE).ok().flatten().unwrap_or(4096) as usize
}

/// Records from several CPUs' streams, held until they can be released in the order of
/// their time stamps (the first 8 bytes of every record, bpf/sysnoop.h `task_header`);
/// records of equal time in the order they were read. A record too short to have a
/// time stamp (malformed: the decoder counts it) goes first.
#[derive(Default)]
pub(crate) struct Merge {
    held: BinaryHeap<Reverse<(u64, u64, Vec<u8>)>>,
    read: u64,
    /// Buffers of released records, for the next ones.
    spare: Vec<Vec<u8>>,
}

impl Merge {
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        let ts = bytes.get(..8).map_or(0, |b| u64::from_ne_bytes(b.try_into().unwrap()));
        let mut copy = self.spare.pop().unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(bytes);
        self.held.push(Reverse((ts, self.read, copy)));
        self.read += 1;
    }

    /// Hands `forward` every held record stamped at or before `upto`, oldest first;
    /// false when `forward` did (the writer has gone).
    pub(crate) fn release(&mut self, upto: u64, forward: &mut impl FnMut(Option<&[u8]>) -> bool) -> bool {
        while self.held.peek().is_some_and(|Reverse((ts, _, _))| *ts <= upto) {
            let Reverse((_, _, bytes)) = self.held.pop().expect("peeked");
            let more = forward(Some(&bytes));
            self.spare.push(bytes);
            if !more {
                return false;
            }
        }
        true
    }

    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ts: u64, tag: u8) -> Vec<u8> {
        let mut r = ts.to_ne_bytes().to_vec();
        r.push(tag);
        r
    }

    fn released(merge: &mut Merge, upto: u64) -> Vec<u8> {
        let mut tags = Vec::new();
        merge.release(upto, &mut |bytes| {
            if let Some(b) = bytes {
                tags.push(*b.last().unwrap());
            }
            true
        });
        tags
    }

    #[test]
    fn the_ring_size_is_shared_among_the_cpus_in_powers_of_two_of_pages() {
        let page = page_size();
        assert_eq!(perf_pages(16 << 20, 2), (8 << 20) / page);
        assert_eq!(perf_pages(16 << 20, 3), (4 << 20) / page); // 5.3 MiB each: 4 MiB
        assert_eq!(perf_pages(4096, 2), 1); // at least one page
        assert_eq!(perf_pages(4096, 0), 4096 / page);
    }

    #[test]
    fn streams_of_two_cpus_come_out_in_time_order() {
        let mut merge = Merge::default();
        // CPU 0's buffer is read first, then CPU 1's: each in order, not together.
        for (ts, tag) in [(10, b'a'), (30, b'c'), (50, b'e')] {
            merge.push(&record(ts, tag));
        }
        for (ts, tag) in [(20, b'b'), (40, b'd'), (60, b'f')] {
            merge.push(&record(ts, tag));
        }
        assert_eq!(released(&mut merge, 45), b"abcd");
        assert_eq!(merge.held(), 2);
        merge.push(&record(55, b'x'));
        assert_eq!(released(&mut merge, u64::MAX), b"exf");
        assert_eq!(merge.held(), 0);
    }

    #[test]
    fn equal_times_keep_the_order_read_and_short_records_go_first() {
        let mut merge = Merge::default();
        merge.push(&record(7, b'1'));
        merge.push(&record(7, b'2'));
        merge.push(b"\x33"); // no time stamp
        merge.push(&record(7, b'4'));
        assert_eq!(released(&mut merge, 7), b"3124");
    }

    #[test]
    fn a_writer_that_has_gone_stops_the_release() {
        let mut merge = Merge::default();
        merge.push(&record(1, b'a'));
        merge.push(&record(2, b'b'));
        let mut seen = 0;
        assert!(!merge.release(10, &mut |_| {
            seen += 1;
            false
        }));
        assert_eq!((seen, merge.held()), (1, 1));
    }
}
