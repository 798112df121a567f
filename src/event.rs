//! What every record shares: the task that did it, the `Record` trait each kind's event
//! implements (its name, its decoder when it comes through the ring buffer, its NDJSON
//! line), and the record head (`kind`, `time`, then the task fields) written once here.
//! The events themselves live with their kinds (src/kinds/); the `Event` enum that
//! carries them is generated from the registry (src/kinds/mod.rs).

use std::borrow::Cow;

use serde::Serialize;

use crate::clock::{Timestamp, WallClock};
use crate::decode::Malformed;
use crate::text;

pub use crate::kinds::{Event, Kind};

/// Who did it: the common header of every record from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// CLOCK_BOOTTIME nanoseconds.
    pub ts_ns: u64,
    pub pid: u32,
    pub tid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub comm: Vec<u8>,
}

/// Decodes the ring-buffer bytes of one record kind.
pub type Decoder<T> = fn(&[u8]) -> Result<T, Malformed>;

/// One record kind's event: a variant of `Event`, registered in src/kinds/mod.rs.
pub trait Record: Sized {
    /// The record's `kind` in NDJSON, and its key in the summary's counts.
    const NAME: &'static str;
    /// For records the kernel sends through the ring buffer: their `enum sysnoop_kind`
    /// value (bpf/sysnoop.h) and their decoder. None for records made in user space.
    const RING: Option<(u32, Decoder<Self>)> = None;

    /// Appends this event's NDJSON line (with its newline) to `line`.
    fn write_json(&self, clock: &WallClock, line: &mut Vec<u8>);

    /// Ring records: one real record's bytes, as the kernel lays them out (for the
    /// decoder tests every kind gets: truncations, corruption, dispatch).
    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        None
    }
}

/// Appends `record` as one NDJSON line.
pub fn push_line(line: &mut Vec<u8>, record: &impl Serialize) {
    // Serializing these records into memory cannot fail: no maps with non-string keys.
    serde_json::to_writer(&mut *line, record).expect("serializing a record");
    line.push(b'\n');
}

/// Appends the line of a record about a task: the head every such record starts with
/// (`kind`, `time`, the task's fields), then `body`'s fields.
pub fn push_task_line(line: &mut Vec<u8>, kind: &'static str, clock: &WallClock, task: &Task, body: &impl Serialize) {
    push_line(line, &TaskLine { kind, time: clock.utc(task.ts_ns), task: TaskFields::new(task), body });
}

#[derive(Serialize)]
struct TaskLine<'a, B> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    #[serde(flatten)]
    body: &'a B,
}

#[derive(Serialize)]
struct TaskFields<'a> {
    pid: u32,
    tid: u32,
    ppid: u32,
    uid: u32,
    comm: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

impl<'a> TaskFields<'a> {
    fn new(task: &'a Task) -> Self {
        let comm = text::render(&task.comm);
        TaskFields { pid: task.pid, tid: task.tid, ppid: task.ppid, uid: task.uid, comm: comm.text, comm_hex: comm.hex }
    }
}

/// The head of a record made in user space, about no task: `kind` and `time`.
#[derive(Serialize)]
pub struct Head {
    pub kind: &'static str,
    pub time: Timestamp,
}

impl Head {
    pub fn new<R: Record>(clock: &WallClock, ts_ns: u64) -> Head {
        Head { kind: R::NAME, time: clock.utc(ts_ns) }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A task for unit tests of records.
    pub fn task(comm: &[u8]) -> Task {
        Task { ts_ns: 1_000, pid: 4242, tid: 4243, ppid: 1, uid: 0, comm: comm.to_vec() }
    }

    /// The one NDJSON line an event writes, parsed.
    pub fn json(e: &Event) -> serde_json::Value {
        let line = line(e);
        serde_json::from_str(&line).unwrap()
    }

    /// The one NDJSON line an event writes.
    pub fn line(e: &Event) -> String {
        let mut line = Vec::new();
        e.write_json(&WallClock::new(), &mut line);
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
        String::from_utf8(line).unwrap()
    }

    /// The event's line has exactly these keys, in this order.
    pub fn assert_keys_in_order(e: &Event, keys: &[&str]) {
        let text = line(e);
        let positions: Vec<usize> = keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("no {k} in {text}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(json(e).as_object().unwrap().len(), keys.len(), "{text}");
    }
}
