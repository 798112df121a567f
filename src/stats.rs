//! Counting every event, wherever it goes: written, filtered, lost in the kernel, a
//! pairing miss, malformed, or received after the run stopped writing; and of those
//! written, the ones a file or socket destination never got (`unsent`). The same counts
//! go to stderr (`--stats-interval`) and into the final summary record.

use std::collections::BTreeMap;

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use anyhow::Context;
use libbpf_rs::libbpf_sys;
use libbpf_rs::{MapCore, MapFlags};
use serde::Serialize;

use crate::abi::sysnoop_counter;
use crate::clock::Timestamp;

/// Counts for one event kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    /// Records written to stdout.
    pub(crate) emitted: u64,
    /// Events a filter dropped (in the kernel or in sysnoop).
    pub(crate) filtered: u64,
    /// Events the kernel could not hand over: the ring buffer was full.
    pub(crate) lost: u64,
    /// Traced calls whose exit found no entry from their enter: the call started before
    /// tracing did, or its entry could not be stored or was evicted (more calls in
    /// flight than the pairing map holds). Counted once, at the exit (bpf/common.bpf.h).
    pub(crate) pairing_misses: u64,
    /// Ring-buffer records that failed to decode.
    pub(crate) malformed: u64,
    /// Records received but not written: --max-events was reached, or stdout closed.
    pub(crate) unwritten: u64,
    /// Records not written because --dedup found them repeating one written within its
    /// window.
    pub(crate) deduplicated: u64,
    /// Of the records emitted to a file or socket (`-o`), those that did not reach it:
    /// its queue was full, their line was cut by a failing connection, or it was still
    /// down or stuck when the run ended. Delivered = emitted - unsent.
    pub(crate) unsent: u64,
}

/// One of `Counts`' counts: its name (the summary's, the metrics' `fate` label, a loss
/// marker's `counter`), how the summary's sentence says it, and whether it is a loss,
/// events that went missing against the run's will (with markers in the stream), rather
/// than its own choice (filtered, deduplicated, unwritten past --max-events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fate {
    pub(crate) name: &'static str,
    pub(crate) words: &'static str,
    pub(crate) loss: bool,
}

impl Fate {
    const fn new(name: &'static str, words: &'static str, loss: bool) -> Fate {
        Fate { name, words, loss }
    }

    /// The fate named `name` (a marker's `counter`), if it is one.
    pub(crate) fn named(name: &str) -> Option<Fate> {
        FATES.into_iter().find(|fate| fate.name == name)
    }
}

/// Every fate, in the summary's order (and Counts' fields'): the one list the summary's
/// sentence, the metrics, the loss markers and the schema go by.
pub(crate) const FATES: [Fate; 8] = [
    Fate::new("emitted", "written", false),
    Fate::new("filtered", "filtered", false),
    Fate::new("lost", "lost (ring buffer full)", true),
    Fate::new("pairing_misses", "pairing misses", true),
    Fate::new("malformed", "malformed", true),
    Fate::new("unwritten", "not written", false),
    Fate::new("deduplicated", "deduplicated", false),
    Fate::new("unsent", "not delivered", true),
];

impl Counts {
    /// Every count with its fate (FATES' order).
    pub(crate) fn fates(&self) -> [(Fate, u64); 8] {
        let c = self;
        let counts = [c.emitted, c.filtered, c.lost, c.pairing_misses, c.malformed, c.unwritten, c.deduplicated, c.unsent];
        std::array::from_fn(|i| (FATES[i], counts[i]))
    }
}

/// The counters each BPF object keeps in its per-CPU `counters` array (bpf/sysnoop.h).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KernelCounts {
    pub(crate) filtered: u64,
    pub(crate) lost: u64,
    pub(crate) pairing_misses: u64,
}

impl KernelCounts {
    /// Sums the per-CPU values. A map that cannot be read is an error, never zeros: the
    /// counts would no longer add up.
    pub(crate) fn read(counters: &dyn MapCore) -> anyhow::Result<Self> {
        let get = |counter: sysnoop_counter| sum_percpu(counters, counter.0);
        Ok(KernelCounts {
            filtered: get(sysnoop_counter::SN_CTR_FILTERED)?,
            lost: get(sysnoop_counter::SN_CTR_LOST)?,
            pairing_misses: get(sysnoop_counter::SN_CTR_PAIR_MISS)?,
        })
    }
}

/// The sum over CPUs of entry `index` of a per-CPU array of u64 counters, or why it
/// cannot be read (the map named).
pub(crate) fn sum_percpu(counters: &dyn MapCore, index: u32) -> anyhow::Result<u64> {
    let unreadable = |why: String| anyhow::anyhow!("cannot read the kernel's counters (map {}, entry {index}): {why}", counters.name().to_string_lossy());
    match counters.lookup_percpu(&index.to_ne_bytes(), MapFlags::ANY) {
        Ok(Some(per_cpu)) => Ok(per_cpu.iter().map(|v| sum_u64(v)).sum()),
        Ok(None) => Err(unreadable("no such entry".into())),
        Err(e) => Err(unreadable(e.to_string())),
    }
}

fn sum_u64(bytes: &[u8]) -> u64 {
    bytes.get(..8).map(|b| u64::from_ne_bytes(b.try_into().unwrap())).unwrap_or(0)
}

/// A program whose runs the kernel may skip: it does not run a program again on a CPU
/// where it is already running (an interrupt in its middle that reaches the same hook),
/// and counts each run it skipped (bpf_prog_info's `recursion_misses`; raw tracepoint
/// programs are skipped since about 6.0, and counted since 6.7). A skipped run can miss
/// an event of the program's record kind; what that costs is the kind's to say
/// (connect_result: bpf/connect.bpf.c's `same_socket`).
pub(crate) struct Skippable {
    /// The hook, as the summary's `skipped` names it.
    pub(crate) hook: &'static str,
    prog: OwnedFd,
}

impl Skippable {
    pub(crate) fn new(hook: &'static str, prog: &libbpf_rs::Program<'_>) -> anyhow::Result<Skippable> {
        let prog = prog.as_fd().try_clone_to_owned().with_context(|| format!("keeping the {hook} program"))?;
        Ok(Skippable { hook, prog })
    }

    /// The runs the kernel skipped so far.
    pub(crate) fn skipped(&self) -> anyhow::Result<u64> {
        let mut info = libbpf_sys::bpf_prog_info::default();
        let mut len = std::mem::size_of::<libbpf_sys::bpf_prog_info>() as u32;
        // SAFETY: `info` is a bpf_prog_info of `len` bytes that lives across the call, and
        // the fd is this program's; an older kernel fills only the fields it knows.
        let ret = unsafe { libbpf_sys::bpf_prog_get_info_by_fd(self.prog.as_raw_fd(), &mut info, &mut len) };
        if ret != 0 {
            anyhow::bail!("cannot read how often the kernel skipped the {} program: {}", self.hook, std::io::Error::from_raw_os_error(-ret));
        }
        Ok(info.recursion_misses)
    }
}

/// A loaded BPF program, for --metrics: its object, its name, and a descriptor of it.
pub(crate) struct Program {
    /// The BPF object it is of (`bpf/<object>.bpf.c`).
    pub(crate) object: &'static str,
    pub(crate) name: String,
    pub(crate) fd: OwnedFd,
}

impl Program {
    /// How often the kernel ran it and for how long in all (ns), as counted while
    /// `kernel.bpf_stats_enabled` is 1 (zeros otherwise).
    pub(crate) fn runs(&self) -> anyhow::Result<(u64, u64)> {
        let mut info = libbpf_sys::bpf_prog_info::default();
        let mut len = std::mem::size_of::<libbpf_sys::bpf_prog_info>() as u32;
        // SAFETY: `info` is a bpf_prog_info of `len` bytes that lives across the call.
        let ret = unsafe { libbpf_sys::bpf_prog_get_info_by_fd(self.fd.as_raw_fd(), &mut info, &mut len) };
        if ret != 0 {
            anyhow::bail!("cannot read the {} program's statistics: {}", self.name, std::io::Error::from_raw_os_error(-ret));
        }
        Ok((info.run_cnt, info.run_time_ns))
    }
}

/// What the summary says of the followed tasks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct FollowCounts {
    /// Tasks (processes and threads) followed: the first ones, and every new one.
    pub(crate) tasks: u64,
    /// New tasks of followed tasks that were not followed because the set was full
    /// (--max-tasks): nothing they did was traced.
    pub(crate) untracked: u64,
}

/// A loss marker: where in the stream events went missing. Written as soon as the
/// writer sees a count grow (it looks every 100 ms) and at the end, just before the
/// summary, so that each of the summary's loss counts is the sum of its markers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Loss {
    pub(crate) kind: &'static str,
    pub(crate) time: Timestamp,
    pub(crate) session: String,
    /// The record kind the events were of (`perf` for the perf buffers' own count).
    pub(crate) of: &'static str,
    /// Which count grew: lost, pairing_misses, malformed, unsent, perf_lost.
    pub(crate) counter: &'static str,
    pub(crate) count: u64,
    /// The events went missing between these times (the previous look, and this one).
    pub(crate) since: Timestamp,
    pub(crate) until: Timestamp,
}

/// What has been marked so far, to tell the next markers from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Marked {
    counts: BTreeMap<&'static str, Counts>,
    perf_lost: u64,
    since: Option<Timestamp>,
}

impl Marked {
    /// From the start of the run (`since`): nothing marked yet.
    pub(crate) fn from(since: Timestamp) -> Marked {
        Marked { since: Some(since), ..Marked::default() }
    }

    /// The markers for what `report` counts beyond what is marked, which it then is.
    /// The losses that are not the run's choice: the kernel's (ring or perf buffer full,
    /// pairing misses), records that did not decode, records a destination never got.
    pub(crate) fn take(&mut self, report: &Report) -> Vec<Loss> {
        let since = self.since.unwrap_or(report.time);
        let mut losses = Vec::new();
        let mut mark = |of: &'static str, counter: &'static str, now: u64, before: u64| {
            if now > before {
                losses.push(Loss {
                    kind: "loss",
                    time: report.time,
                    session: report.session.clone(),
                    of,
                    counter,
                    count: now - before,
                    since,
                    until: report.time,
                });
            }
        };
        for (&of, c) in &report.counts {
            let before = self.counts.get(of).copied().unwrap_or_default();
            for ((fate, now), (_, was)) in c.fates().into_iter().zip(before.fates()) {
                if fate.loss {
                    mark(of, fate.name, now, was);
                }
            }
        }
        let perf_lost = report.perf_lost.unwrap_or(0);
        mark("perf", "perf_lost", perf_lost, self.perf_lost);
        self.counts.clone_from(&report.counts);
        self.perf_lost = perf_lost;
        self.since = Some(report.time);
        losses
    }
}

/// The `stats` line (stderr) and the `summary` record (stdout) share this shape.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) kind: &'static str,
    pub(crate) time: Timestamp,
    pub(crate) session: String,
    pub(crate) elapsed_ns: u64,
    pub(crate) counts: BTreeMap<&'static str, Counts>,
    /// -- CMD, --follow: the tasks followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) follow: Option<FollowCounts>,
    /// The perf transport: the samples its buffers reported lost (PERF_RECORD_LOST).
    /// The same losses as the kinds' `lost`, which the BPF programs count by kind when
    /// a record does not fit; the buffers report a loss with their next record that
    /// fits, so the last ones of a run may be missing here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) perf_lost: Option<u64>,
    /// By hook: the runs of a program the kernel skipped (Skippable), when any were.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) skipped: BTreeMap<&'static str, u64>,
    /// The /proc snapshot, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) snapshot: Option<SnapshotCounts>,
}

/// What became of each process the /proc snapshot listed, besides the `process`
/// counts (emitted, filtered, unwritten, unsent): `listed` is all of them together.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct SnapshotCounts {
    /// Processes /proc listed.
    pub(crate) listed: u64,
    /// Introduced by an exec record of their own instead.
    pub(crate) superseded: u64,
    /// Gone before they were read whole (their exits are in the stream).
    pub(crate) vanished: u64,
    /// Not read within the scan's deadline.
    pub(crate) unread: u64,
    /// How long the scan took.
    pub(crate) duration_ns: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(at: i128, lost: u64, unsent: u64, perf_lost: Option<u64>) -> Report {
        let mut counts = BTreeMap::new();
        counts.insert("open", Counts { emitted: 100, filtered: 7, lost, unsent, ..Counts::default() });
        counts.insert("exec", Counts { emitted: 3, ..Counts::default() });
        Report {
            kind: "stats",
            time: Timestamp(at),
            session: "s".into(),
            elapsed_ns: 0,
            counts,
            follow: None,
            perf_lost,
            skipped: BTreeMap::new(),
            snapshot: None,
        }
    }

    /// Each growth of a loss count is one marker with what grew since the last look;
    /// filtered records are no loss; the markers add up to the counts.
    #[test]
    fn markers_add_up_to_the_counts() {
        let mut marked = Marked::from(Timestamp(1));
        assert_eq!(marked.take(&report(2, 0, 0, None)), []);
        let first = marked.take(&report(3, 5, 0, Some(2)));
        assert_eq!(first.iter().map(|l| (l.of, l.counter, l.count)).collect::<Vec<_>>(), [("open", "lost", 5), ("perf", "perf_lost", 2)]);
        assert_eq!((first[0].since, first[0].until), (Timestamp(2), Timestamp(3)));
        let second = marked.take(&report(4, 12, 1, Some(2)));
        assert_eq!(second.iter().map(|l| (l.of, l.counter, l.count)).collect::<Vec<_>>(), [("open", "lost", 7), ("open", "unsent", 1)]);
        let lost: u64 = first.iter().chain(&second).filter(|l| l.counter == "lost").map(|l| l.count).sum();
        assert_eq!(lost, 12);
        let line = serde_json::to_value(&second[0]).unwrap();
        assert_eq!(line["kind"], "loss");
    }

    /// `fates` is every field of Counts, by its serialized name and value, in order: the
    /// summary, the metrics and the markers cannot disagree on a count.
    #[test]
    fn fates_are_the_counts_fields() {
        let counts = Counts { emitted: 1, filtered: 2, lost: 3, pairing_misses: 4, malformed: 5, unwritten: 6, deduplicated: 7, unsent: 8 };
        let serialized = serde_json::to_value(counts).unwrap();
        let fields: Vec<(String, u64)> = serialized.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
        let fates: Vec<(String, u64)> = counts.fates().iter().map(|(f, n)| (f.name.to_owned(), *n)).collect();
        assert_eq!(fates, fields);
        let losses: Vec<&str> = counts.fates().iter().filter(|(f, _)| f.loss).map(|(f, _)| f.name).collect();
        assert_eq!(losses, ["lost", "pairing_misses", "malformed", "unsent"]);
    }
}
