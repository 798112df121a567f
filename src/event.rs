//! What every record shares: the task that did it, the `Record` trait each kind's event
//! implements (its name, its decoder when it comes through the ring buffer, its NDJSON
//! line), and the record head (`kind`, `time`, then the task fields) written once here.
//! The events themselves live with their kinds (src/kinds/); the `Event` enum that
//! carries them is generated from the registry (src/kinds/mod.rs).
//!
//! One rule for how a native body is written: as a serde struct, handed to
//! `push_task_line`/`push_record_line`, unless the kind is one of the hot paths that
//! can write a record per syscall on a busy host (open and syscall), whose bodies are
//! written by hand through src/json.rs, which writes exactly what serde_json would
//! (proptest there; the replay test holds every byte). The head (`kind`, `time`,
//! `session`, the task) is written by hand for every kind, once, here.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use crate::cgroup::{Cgroup, Cgroups};
use crate::clock::{Timestamp, WallClock};
use crate::columns::Header;
use crate::decode::Malformed;
use crate::identity::{ExecId, Identity};
use crate::json;
use crate::ocsf::Ocsf;

/// Who did it: the common header of every record from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Task {
    /// CLOCK_BOOTTIME nanoseconds.
    pub(crate) ts_ns: u64,
    pub(crate) pid: u32,
    pub(crate) tid: u32,
    pub(crate) ppid: u32,
    pub(crate) uid: u32,
    pub(crate) comm: Comm,
    /// The task's cgroup v2 id.
    pub(crate) cgroup_id: u64,
}

/// A command name: what the kernel's 16-byte comm holds before its NUL, kept inline, so
/// a record's task costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Comm {
    bytes: [u8; 16],
    len: u8,
}

impl Comm {
    /// The first 16 bytes of `name` at most.
    pub(crate) fn new(name: &[u8]) -> Self {
        let len = name.len().min(16);
        let mut bytes = [0; 16];
        bytes[..len].copy_from_slice(&name[..len]);
        Comm { bytes, len: len as u8 }
    }
}

impl std::ops::Deref for Comm {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for Comm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

/// What writing a record needs besides the record: the wall clock, the run's session
/// id, which every native record carries as `session`, and what cgroup ids name.
pub struct RecordContext {
    pub(crate) clock: WallClock,
    pub(crate) session: String,
    /// Cgroup ids' paths and containers; None in unit tests and without cgroup v2.
    pub(crate) cgroups: RefCell<Option<Cgroups>>,
    /// --cgroup-path: records carry their cgroup's path.
    pub(crate) cgroup_path: bool,
    /// The last second's date and time of day, formatted.
    pub(crate) json_clock: json::Clock,
    /// What exec ids are made of: this host's boot and clock tick.
    pub(crate) identity: Identity,
}

impl RecordContext {
    pub(crate) fn new(session: String) -> Self {
        RecordContext {
            clock: WallClock::new(),
            session,
            cgroups: RefCell::new(None),
            cgroup_path: false,
            json_clock: json::Clock::default(),
            identity: Identity::of_host(),
        }
    }

    /// The cgroup `id` names, when it is known.
    pub(crate) fn cgroup(&self, id: u64) -> Option<Rc<Cgroup>> {
        self.cgroups.borrow_mut().as_mut()?.get(id)
    }

    /// The id of the process `pid` that began `start_ns` after boot.
    pub(crate) fn exec_id(&self, start_ns: u64, pid: u32) -> ExecId {
        self.identity.of(start_ns, pid)
    }

    /// CLOCK_BOOTTIME nanoseconds as wall-clock time.
    pub(crate) fn utc(&self, boot_ns: u64) -> Timestamp {
        self.clock.utc(boot_ns)
    }
}

/// Decodes the ring-buffer bytes of one record kind.
pub(crate) type Decoder<T> = fn(&[u8]) -> Result<T, Malformed>;

/// One record kind's event: a variant of `Event`, registered in src/kinds/mod.rs.
pub(crate) trait Record: Sized {
    /// The record's `kind` in NDJSON, and its key in the summary's counts.
    const NAME: &'static str;
    /// For records the kernel sends through the ring buffer: their `enum sysnoop_kind`
    /// value (bpf/sysnoop.h) and their decoder. None for records made in user space.
    const RING: Option<(u32, Decoder<Self>)> = None;

    /// Appends this event's NDJSON line (with its newline) to `line`.
    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>);

    /// Appends this event as one OCSF 1.3.0 event (see src/ocsf.rs), with its newline.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>);

    /// The JSON Schema of this kind's native record (see src/schema.rs).
    fn schema() -> serde_json::Value;

    /// `--format text`: this kind's columns (see src/columns.rs).
    const TEXT: Header;

    /// Appends this event's columns under `TEXT`, without a newline.
    fn write_text(&self, ctx: &RecordContext, line: &mut String);

    /// Ring records: one real record's bytes, as the kernel lays them out (for the
    /// decoder tests every kind gets: truncations, corruption, dispatch).
    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        None
    }
}

/// Appends `record` as one NDJSON line.
pub(crate) fn push_line(line: &mut Vec<u8>, record: &impl Serialize) {
    // Serializing these records into memory cannot fail: no maps with non-string keys.
    serde_json::to_writer(&mut *line, record).expect("serializing a record");
    line.push(b'\n');
}

/// Appends the line of a record about a task: the head every such record starts with
/// (`push_task_head`), then `body`'s fields.
pub(crate) fn push_task_line(line: &mut Vec<u8>, kind: &'static str, ctx: &RecordContext, task: &Task, body: &impl Serialize) {
    push_task_head(line, kind, ctx, task);
    push_body(line, body);
}

/// Appends the head of a record about a task, an object without its closing brace:
/// `kind`, `time`, `session`, then `pid`, `tid`, `ppid`, `uid`, `comm` and `comm_hex`
/// when the name is not UTF-8, `cgroup_id`, `cgroup` with --cgroup-path, and
/// `container_id` and `container_runtime` when the cgroup names a container. Written by
/// hand (src/json.rs): every record has it.
pub(crate) fn push_task_head(line: &mut Vec<u8>, kind: &'static str, ctx: &RecordContext, task: &Task) {
    line.extend_from_slice(b"{\"kind\":");
    json::string(line, kind);
    json::key!(line, "time");
    ctx.json_clock.timestamp(line, ctx.utc(task.ts_ns));
    json::key!(line, "session");
    json::string(line, &ctx.session);
    json::key!(line, "pid");
    json::uint(line, task.pid.into());
    json::key!(line, "tid");
    json::uint(line, task.tid.into());
    json::key!(line, "ppid");
    json::uint(line, task.ppid.into());
    json::key!(line, "uid");
    json::uint(line, task.uid.into());
    json::key!(line, "comm");
    if let Some(hex) = &json::text(line, &task.comm) {
        json::key!(line, "comm_hex");
        json::string(line, hex);
    }
    json::key!(line, "cgroup_id");
    json::uint(line, task.cgroup_id);
    let cgroup = ctx.cgroup(task.cgroup_id);
    if ctx.cgroup_path {
        json::key!(line, "cgroup");
        match &cgroup {
            Some(cgroup) => json::string(line, &cgroup.path),
            None => json::string(line, &format!("cgroup:{}", task.cgroup_id)),
        }
    }
    if let Some(container) = cgroup.as_ref().and_then(|c| c.container.as_ref()) {
        json::key!(line, "container_id");
        json::string(line, &container.id);
        json::key!(line, "container_runtime");
        json::string(line, container.runtime);
    }
}

/// Appends the line of a record made in user space, about no task: `kind`, `time`,
/// `session`, then `body`'s fields.
pub(crate) fn push_record_line(line: &mut Vec<u8>, kind: &'static str, time: Timestamp, session: &str, body: &impl Serialize) {
    push_head(line, kind, time, session);
    push_body(line, body);
}

// The head is written field by field and the body, a derived struct, is spliced in
// after it: serde's `flatten` would do the same through a map serializer and costs
// about 15% more per record (measured with a million syscall records).

fn push_head(line: &mut Vec<u8>, kind: &'static str, time: Timestamp, session: &str) {
    line.extend_from_slice(b"{\"kind\":");
    write_value(line, kind);
    push_field(line, "time", &time);
    push_field(line, "session", session);
}

fn push_field(line: &mut Vec<u8>, key: &str, value: &(impl Serialize + ?Sized)) {
    line.extend_from_slice(b",\"");
    line.extend_from_slice(key.as_bytes());
    line.extend_from_slice(b"\":");
    write_value(line, value);
}

/// Appends `body`'s fields to a line that holds an object's first fields without its
/// closing brace, closes it and ends the line: `body` serializes as `{...}`, and its
/// opening brace becomes the comma after the fields before it.
pub(crate) fn push_body(line: &mut Vec<u8>, body: &impl Serialize) {
    let at = line.len();
    write_value(line, body);
    debug_assert_eq!(line[at], b'{', "a record's body is a struct");
    if line.len() == at + 2 {
        line.truncate(at); // `{}`: no fields
        line.push(b'}');
    } else {
        line[at] = b',';
    }
    line.push(b'\n');
}

fn write_value(line: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    // Serializing into memory cannot fail: no maps with non-string keys.
    serde_json::to_writer(&mut *line, value).expect("serializing a record");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kinds::Event;

    /// A task for unit tests of records.
    pub(crate) fn task(comm: &[u8]) -> Task {
        Task { ts_ns: 1_000, pid: 4242, tid: 4243, ppid: 1, uid: 0, comm: Comm::new(comm), cgroup_id: 1 }
    }

    /// The one NDJSON line an event writes, parsed.
    pub(crate) fn json(e: &Event) -> serde_json::Value {
        let line = line(e);
        serde_json::from_str(&line).unwrap()
    }

    /// The session id of unit tests' records.
    pub(crate) const SESSION: &str = "0195c4a0-0000-7000-8000-000000000000";

    /// The one NDJSON line an event writes.
    pub(crate) fn line(e: &Event) -> String {
        let mut line = Vec::new();
        e.write_json(&RecordContext::new(SESSION.into()), &mut line);
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
        String::from_utf8(line).unwrap()
    }

    #[test]
    fn head_and_body_make_one_object() {
        #[derive(Serialize)]
        struct Empty {}
        #[derive(Serialize)]
        struct Body {
            n: u8,
        }
        let ctx = RecordContext::new(SESSION.into());
        let time = || ctx.utc(1_000);
        let mut line = Vec::new();
        push_record_line(&mut line, "x", time(), SESSION, &Empty {});
        push_task_line(&mut line, "y", &ctx, &task(b"ev\xffl"), &Body { n: 7 });
        let text = String::from_utf8(line).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (t, r) = (serde_json::to_string(&time()).unwrap(), char::REPLACEMENT_CHARACTER);
        assert_eq!(
            lines,
            [
                format!(r#"{{"kind":"x","time":{t},"session":"{SESSION}"}}"#),
                format!(
                    r#"{{"kind":"y","time":{t},"session":"{SESSION}","pid":4242,"tid":4243,"ppid":1,"uid":0,"comm":"ev{r}l","comm_hex":"6576ff6c","cgroup_id":1,"n":7}}"#
                ),
            ]
        );
    }

    /// --cgroup-path: a cgroup sysnoop cannot name (gone, or no cgroup v2 to look in)
    /// is `cgroup:<id>`; with no container, no container fields.
    #[test]
    fn an_unknown_cgroup_is_named_by_its_id() {
        #[derive(Serialize)]
        struct Empty {}
        let ctx = RecordContext { cgroup_path: true, ..RecordContext::new(SESSION.into()) };
        let mut line = Vec::new();
        push_task_line(&mut line, "y", &ctx, &Task { cgroup_id: 4242, ..task(b"sh") }, &Empty {});
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!((&v["cgroup_id"], &v["cgroup"]), (&serde_json::json!(4242), &serde_json::json!("cgroup:4242")));
        assert!(v.get("container_id").is_none() && v.get("container_runtime").is_none());
    }

    /// The event's line has exactly these keys, in this order.
    pub(crate) fn assert_keys_in_order(e: &Event, keys: &[&str]) {
        let text = line(e);
        let positions: Vec<usize> = keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("no {k} in {text}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(json(e).as_object().unwrap().len(), keys.len(), "{text}");
    }
}
