//! `--format ocsf`: records as OCSF 1.3.0 events, one JSON object per line.
//!
//! Each kind maps its own events (its `Record::write_ocsf`, in src/kinds/); this module
//! holds what they share: the event's head (class, activity, type, time in milliseconds,
//! metadata), the `device` this host is, and the OCSF objects kinds fill in (process,
//! user, file, network endpoint, connection info, traffic). Classes used (the facts are
//! in ../shared/OCSF-1.3.md, the schemas in tests/ocsf/):
//!
//! | sysnoop record | OCSF class (class_uid) | activity |
//! | --- | --- | --- |
//! | exec | Process Activity (1007) | 1 Launch |
//! | exit | Process Activity (1007) | 2 Terminate |
//! | open | File System Activity (1001) | 14 Open |
//! | connect | Network Activity (4001) | 1 Open, 4 Fail, 5 Refuse |
//! | traffic | Network Activity (4001) | 6 Traffic |
//! | process | Process Query (5015) | 1 Query (`query_result_id` 1 Exists) |
//! | syscall, syscall_count, alert, start, summary | Base Event (0) | 99 Other, the native record under `unmapped` |
//!
//! Fields OCSF has no place for go under `unmapped`, named as in the native record, and
//! text that is not UTF-8 follows the native rule: U+FFFD in the field, the exact bytes
//! as hex in `unmapped.<field>_hex`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::clock::Timestamp;
use crate::event::{push_body, RecordContext, Task};
use crate::identity::ExecId;
use crate::json;
use crate::text;

/// The OCSF version every event says it follows.
pub(crate) const VERSION: &str = "1.3.0";

/// What every event of a run shares: the product that made it and the host it is about,
/// serialized once.
#[derive(Debug, Clone)]
pub struct Ocsf {
    hostname: Option<String>,
    /// `device`.
    device: Box<RawValue>,
    /// `metadata`, by its profiles: none, host, container, host and container.
    metadata: [Box<RawValue>; 4],
}

impl Ocsf {
    /// This host, as OCSF's `device`: its hostname and kernel.
    pub(crate) fn for_this_host(session: &str) -> Self {
        let hostname = nix::unistd::gethostname().ok().map(|h| h.to_string_lossy().into_owned());
        let release = crate::preflight::kernel_release().ok();
        Ocsf::new(hostname, release, session)
    }

    pub(crate) fn new(hostname: Option<String>, kernel_release: Option<String>, session: &str) -> Self {
        let product = Product { vendor_name: "sysnoop", name: "sysnoop", version: env!("CARGO_PKG_VERSION") };
        let device = Device {
            // 0 Unknown: sysnoop cannot tell a server from a desktop or a VM.
            type_id: 0,
            hostname: hostname.clone(),
            os: Os { name: "Linux", type_id: 200, version: kernel_release },
        };
        let metadata = |profiles| raw(&Metadata { version: VERSION, product: &product, profiles, correlation_uid: session });
        let metadata = [metadata(None), metadata(Some(&["host"])), metadata(Some(&["container"])), metadata(Some(&["host", "container"]))];
        Ocsf { hostname, device: raw(&device), metadata }
    }

    /// `device`: this host.
    pub(crate) fn device(&self) -> &RawValue {
        &self.device
    }

    pub(crate) fn hostname(&self) -> Option<&str> {
        self.hostname.as_deref()
    }

    /// Appends one event: the head of `class`/`activity`, at `time`, then `body`'s
    /// fields (a derived struct: its class's own objects, status, `unmapped`).
    pub(crate) fn push(&self, line: &mut Vec<u8>, class: Class, activity: u8, time: Timestamp, body: &impl Serialize) {
        self.push_profiled(line, class, activity, time, false, body)
    }

    /// Appends one event about `task` (at its time): `push`, with the container profile
    /// when the task's cgroup is a container's (its `Process::task` objects then carry
    /// the `container`).
    pub(crate) fn push_task(&self, line: &mut Vec<u8>, class: Class, activity: u8, ctx: &RecordContext, task: &Task, body: &impl Serialize) {
        let container = ctx.cgroup(task.cgroup_id).is_some_and(|c| c.container.is_some());
        self.push_profiled(line, class, activity, ctx.utc(task.ts_ns), container, body)
    }

    fn push_profiled(&self, line: &mut Vec<u8>, class: Class, activity: u8, time: Timestamp, container: bool, body: &impl Serialize) {
        self.head(line, class, activity, time, container);
        push_body(line, body);
    }

    /// Appends an event's head without its closing brace: class, activity, type,
    /// severity (1 Informational), time and metadata.
    fn head(&self, line: &mut Vec<u8>, class: Class, activity: u8, time: Timestamp, container: bool) {
        line.extend_from_slice(b"{\"activity_id\":");
        json::uint(line, activity.into());
        json::key!(line, "category_uid");
        json::uint(line, class.category().into());
        json::key!(line, "class_uid");
        json::uint(line, class as u64);
        json::key!(line, "type_uid");
        json::uint(line, class as u64 * 100 + u64::from(activity));
        json::key!(line, "severity_id");
        line.push(b'1');
        json::key!(line, "time");
        json::int(line, time_ms(time));
        json::key!(line, "metadata");
        // Network Activity and Process Query get `actor` and `device` from the host
        // profile; the system classes have them of their own.
        let host = matches!(class, Class::Network | Class::ProcessQuery);
        line.extend_from_slice(self.metadata[usize::from(host) + 2 * usize::from(container)].get().as_bytes());
    }

    /// For events written by hand: the head of an event about `task`, then its `actor`
    /// (`Actor::task`) and `device`, as `push_task` writes them; the caller appends the
    /// rest of the body and closes the object.
    pub(crate) fn task_head(&self, line: &mut Vec<u8>, class: Class, activity: u8, ctx: &RecordContext, task: &Task) {
        let cgroup = ctx.cgroup(task.cgroup_id);
        let container = cgroup.as_ref().and_then(|c| c.container.as_ref());
        self.head(line, class, activity, ctx.utc(task.ts_ns), container.is_some());
        json::key!(line, "actor");
        line.extend_from_slice(b"{\"process\":{\"pid\":");
        json::uint(line, task.pid.into());
        json::key!(line, "tid");
        json::uint(line, task.tid.into());
        json::key!(line, "name");
        json::string(line, &text::render(&task.comm).text);
        json::key!(line, "user");
        line.extend_from_slice(b"{\"uid\":\"");
        json::uint(line, task.uid.into());
        line.extend_from_slice(b"\"},\"parent_process\":{\"pid\":");
        json::uint(line, task.ppid.into());
        line.push(b'}');
        if let Some(container) = container {
            json::key!(line, "container");
            line.extend_from_slice(b"{\"uid\":");
            json::string(line, &container.id);
            json::key!(line, "runtime");
            json::string(line, container.runtime);
            line.push(b'}');
        }
        line.extend_from_slice(b"},\"user\":{\"uid\":\"");
        json::uint(line, task.uid.into());
        line.extend_from_slice(b"\"}}");
        json::key!(line, "device");
        line.extend_from_slice(self.device.get().as_bytes());
    }

    /// A record OCSF has no class for: a Base Event, activity Other, with the native
    /// record (as `native` wrote it, one JSON line) whole under `unmapped`.
    pub(crate) fn push_unmapped(&self, line: &mut Vec<u8>, time: Timestamp, native: impl FnOnce(&mut Vec<u8>)) {
        let mut record = Vec::with_capacity(256);
        native(&mut record);
        while record.last() == Some(&b'\n') {
            record.pop();
        }
        let unmapped = RawValue::from_string(String::from_utf8(record).expect("records are UTF-8")).expect("a native record is one JSON object");
        self.push(line, Class::Base, 99, time, &Unmapped { unmapped: &unmapped });
    }
}

#[derive(Serialize)]
struct Unmapped<'a> {
    unmapped: &'a RawValue,
}

/// `value` serialized, to be written as is into every event.
fn raw(value: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("serializing a constant OCSF object")
}

/// `time` in OCSF: integer milliseconds since the Unix epoch.
pub(crate) fn time_ms(time: Timestamp) -> i64 {
    (time.0 / 1_000_000) as i64
}

/// A duration in OCSF's unit, milliseconds (the nanoseconds stay under `unmapped`).
pub(crate) fn duration_ms(ns: u64) -> u64 {
    ns / 1_000_000
}

/// The OCSF classes sysnoop uses, by class_uid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Base = 0,
    FileSystem = 1001,
    KernelExtension = 1002,
    Kernel = 1003,
    Process = 1007,
    Network = 4001,
    ProcessQuery = 5015,
}

impl Class {
    fn category(self) -> u32 {
        self as u32 / 1000
    }
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: &'a Product,
    #[serde(skip_serializing_if = "Option::is_none")]
    profiles: Option<&'static [&'static str]>,
    /// The run's session id: every event of one run shares it.
    correlation_uid: &'a str,
}

#[derive(Serialize)]
struct Product {
    vendor_name: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Device {
    type_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<String>,
    os: Os,
}

#[derive(Serialize)]
struct Os {
    name: &'static str,
    type_id: u16,
    /// OCSF 1.3.0 has no kernel_release: the kernel release goes here.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

/// `actor`: who did it.
#[derive(Serialize)]
pub(crate) struct Actor<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process: Option<Process<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) app_name: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// The task itself, and its user.
    pub(crate) fn task(task: &'a Task, ctx: &RecordContext) -> Self {
        Actor { process: Some(Process::task(task, ctx)), user: Some(User::uid(task.uid)), app_name: None }
    }
}

/// `process`.
#[derive(Serialize, Default)]
pub(crate) struct Process<'a> {
    pub(crate) pid: u32,
    /// The process's exec_id (src/identity.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uid: Option<ExecId>,
    /// When the process began, in milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cmd_line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) file: Option<File<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parent_process: Option<Box<Process<'a>>>,
    /// The container profile's: the container the task's cgroup is, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) container: Option<Container>,
}

/// `container` (container profile): its id, and the runtime.
#[derive(Serialize)]
pub(crate) struct Container {
    pub(crate) uid: String,
    pub(crate) runtime: &'static str,
}

impl<'a> Process<'a> {
    /// A task: pid, tid, command name (U+FFFD for bytes that are not UTF-8; the native
    /// `comm_hex` goes under `unmapped`), its user, its parent's pid and its container.
    pub(crate) fn task(task: &'a Task, ctx: &RecordContext) -> Self {
        let container = ctx.cgroup(task.cgroup_id).and_then(|c| c.container.as_ref().map(|c| Container { uid: c.id.clone(), runtime: c.runtime }));
        Process {
            container,
            pid: task.pid,
            tid: Some(task.tid),
            name: Some(text::render(&task.comm).text),
            user: Some(User::uid(task.uid)),
            parent_process: Some(Box::new(Process { pid: task.ppid, ..Process::default() })),
            ..Process::default()
        }
    }
}

/// `user`: OCSF's uid is a string.
#[derive(Serialize)]
pub(crate) struct User {
    pub(crate) uid: String,
}

impl User {
    pub(crate) fn uid(uid: u32) -> Self {
        User { uid: uid.to_string() }
    }
}

/// `file`: name and type_id are required.
#[derive(Serialize)]
pub(crate) struct File<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) type_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<Cow<'a, str>>,
    /// The inode, where a record knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uid: Option<String>,
}

impl<'a> File<'a> {
    /// A file known by its path (rendered as native records render it): its name is
    /// the last component. `type_id` 0 Unknown unless the caller knows better.
    pub(crate) fn at(path: Cow<'a, str>) -> Self {
        let name = match path.trim_end_matches('/').rsplit('/').next() {
            Some(name) if !name.is_empty() => Cow::Owned(name.to_owned()),
            _ => path.clone(),
        };
        File { name, type_id: 0, path: Some(path), uid: None }
    }
}

/// `network_endpoint`: at least one of ip, name, hostname (among others).
#[derive(Serialize, Default)]
pub(crate) struct Endpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hostname: Option<&'a str>,
}

/// `connection_info`.
#[derive(Serialize)]
pub(crate) struct ConnectionInfo {
    /// 2 Outbound.
    pub(crate) direction_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol_num: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol_name: Option<Cow<'static, str>>,
    /// 4 IPv4, 6 IPv6.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol_ver_id: Option<u8>,
}

/// `traffic` (network_traffic).
#[derive(Serialize)]
pub(crate) struct Traffic {
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    pub(crate) packets_in: u64,
    pub(crate) packets_out: u64,
    pub(crate) bytes: u64,
    pub(crate) packets: u64,
}

/// `status_id` (1 Success, 2 Failure) and `status_detail` (the errno name) of a call
/// that returned `ret`.
pub(crate) fn status(ret: i64) -> (u8, Option<Cow<'static, str>>) {
    match crate::errno::of_ret(ret) {
        None => (1, None),
        Some(name) => (2, Some(name)),
    }
}

/// The head tests check: (class_uid, activity_id, type_uid).
#[cfg(test)]
pub(crate) fn ids(v: &serde_json::Value) -> (u64, u64, u64) {
    (v["class_uid"].as_u64().unwrap(), v["activity_id"].as_u64().unwrap(), v["type_uid"].as_u64().unwrap())
}

/// The OCSF line of `e`, parsed.
#[cfg(test)]
pub(crate) fn json(e: &crate::kinds::Event) -> serde_json::Value {
    let mut line = Vec::new();
    use crate::event::tests::SESSION;
    e.write_ocsf(&crate::event::RecordContext::new(SESSION.into()), &Ocsf::new(Some("host".into()), Some("6.1.0".into()), SESSION), &mut line);
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    serde_json::from_slice(&line).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_and_unmapped_records() {
        let ocsf = Ocsf::new(Some("box".into()), Some("6.12.0".into()), "a-session");
        let mut line = Vec::new();
        ocsf.push_unmapped(&mut line, Timestamp(1_700_000_000_123_456_789), |l| l.extend_from_slice(b"{\"kind\":\"x\",\"n\":1}\n"));
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(ids(&v), (0, 99, 99));
        assert_eq!((v["category_uid"].as_u64(), v["severity_id"].as_u64(), v["time"].as_i64()), (Some(0), Some(1), Some(1_700_000_000_123)));
        assert_eq!(
            v["metadata"],
            serde_json::json!({"version": "1.3.0", "product": {"vendor_name": "sysnoop", "name": "sysnoop", "version": env!("CARGO_PKG_VERSION")}, "correlation_uid": "a-session"})
        );
        assert_eq!(v["unmapped"], serde_json::json!({"kind": "x", "n": 1}));
        assert_eq!(line.last(), Some(&b'\n'));
    }

    /// Every record kind's example, written as OCSF, is a valid event of its class under
    /// the official schemas (tests/ocsf/): this checks the records the host cannot make
    /// (module loads: it has no module support); the integration tests check real ones.
    #[test]
    fn every_example_is_a_valid_event_of_its_class() {
        let schemas = [
            (Class::Base, include_str!("../tests/ocsf/base_event.json")),
            (Class::FileSystem, include_str!("../tests/ocsf/file_activity.json")),
            (Class::KernelExtension, include_str!("../tests/ocsf/kernel_extension.json")),
            (Class::Kernel, include_str!("../tests/ocsf/kernel_activity.json")),
            (Class::Process, include_str!("../tests/ocsf/process_activity.json")),
            (Class::Network, include_str!("../tests/ocsf/network_activity.json")),
            (Class::ProcessQuery, include_str!("../tests/ocsf/process_query.json")),
        ];
        let validators: Vec<(u64, jsonschema::Validator)> =
            schemas.iter().map(|(class, schema)| (*class as u64, jsonschema::draft202012::new(&serde_json::from_str(schema).unwrap()).unwrap())).collect();
        for (kind, bytes) in crate::kinds::example_records() {
            let event = json(&crate::kinds::record(&bytes).unwrap());
            let class = event["class_uid"].as_u64().unwrap();
            let (_, validator) = validators.iter().find(|(c, _)| *c == class).unwrap_or_else(|| panic!("{kind:?}: class {class} has no schema in tests/ocsf"));
            let errors: Vec<String> = validator.iter_errors(&event).map(|e| format!("{e} at {}", e.instance_path)).collect();
            assert!(errors.is_empty(), "{kind:?}: {errors:#?}\n{event}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(File::at("/etc/hostname".into()).name, "hostname");
        assert_eq!(File::at("rel/dir/".into()).name, "dir");
        assert_eq!(File::at("x".into()).name, "x");
        assert_eq!(File::at("/".into()).name, "/");
        assert_eq!(File::at("".into()).name, "");
    }

    #[test]
    fn status_from_ret() {
        assert_eq!(status(3), (1, None));
        assert_eq!(status(-2), (2, Some("ENOENT".into())));
    }
}
