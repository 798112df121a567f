//! Decoded events (owned Rust values, not the FFI structs) and the NDJSON records they
//! become. Every record starts with `kind` and `time`, then the task fields, then the
//! kind's own fields.

use std::borrow::Cow;

use serde::Serialize;

use crate::clock::{Timestamp, WallClock};
use crate::{errno, flags, text};

/// The event kinds sysnoop traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Open,
    Exec,
    Exit,
    Connect,
    Traffic,
    Alert,
    Syscall,
    SyscallCount,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Open => "open",
            Kind::Exec => "exec",
            Kind::Exit => "exit",
            Kind::Connect => "connect",
            Kind::Traffic => "traffic",
            Kind::Alert => "alert",
            Kind::Syscall => "syscall",
            Kind::SyscallCount => "syscall_count",
        }
    }
}

/// Who did it: the common header of every record.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenSyscall {
    Open,
    Openat,
    Openat2,
    Creat,
}

impl OpenSyscall {
    pub fn name(self) -> &'static str {
        match self {
            OpenSyscall::Open => "open",
            OpenSyscall::Openat => "openat",
            OpenSyscall::Openat2 => "openat2",
            OpenSyscall::Creat => "creat",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEvent {
    pub task: Task,
    pub syscall: OpenSyscall,
    pub flags: u64,
    pub mode: u32,
    pub ret: i32,
    pub path: Vec<u8>,
}

/// Where an exec record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecSource {
    /// sched_process_exec: the exec succeeded.
    Sched,
    /// A failed execve(2).
    Execve,
    /// A failed execveat(2).
    Execveat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecEvent {
    pub task: Task,
    pub cgroup_id: u64,
    pub ret: i32,
    /// The thread that called exec (not the pid when a non-leader thread exec'd).
    pub old_tid: u32,
    pub source: ExecSource,
    pub filename: Vec<u8>,
    /// argv as the kernel holds it: each argument followed by a NUL; when cut, the
    /// last one may lack its NUL.
    pub args: Vec<u8>,
    pub args_truncated: bool,
}

impl ExecEvent {
    /// The arguments, in order; empty arguments are kept.
    pub fn argv(&self) -> Vec<&[u8]> {
        if self.args.is_empty() {
            return Vec::new();
        }
        let args = self.args.strip_suffix(&[0]).unwrap_or(&self.args);
        args.split(|&b| b == 0).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitEvent {
    pub task: Task,
    pub duration_ns: u64,
    /// As wait(2) reports it: exit status << 8, 0x80 when a core was dumped, and the
    /// killing signal in the low 7 bits.
    pub raw_exit_code: u32,
    pub is_thread: bool,
}

impl ExitEvent {
    /// The killing signal's number, if a signal ended it.
    pub fn signal(&self) -> Option<i32> {
        let signal = (self.raw_exit_code & 0x7f) as i32;
        (signal != 0).then_some(signal)
    }

    /// The exit status (0-255), if it exited rather than being killed.
    pub fn exit_code(&self) -> Option<u8> {
        self.signal().is_none().then_some(((self.raw_exit_code >> 8) & 0xff) as u8)
    }

    pub fn core_dumped(&self) -> bool {
        self.raw_exit_code & 0x80 != 0
    }
}

/// `9` -> `"SIGKILL"`; real-time and unknown signals -> `"signal_<n>"`.
pub fn signal_name(signal: i32) -> Cow<'static, str> {
    match nix::sys::signal::Signal::try_from(signal) {
        Ok(s) => Cow::Borrowed(s.as_str()),
        Err(_) => Cow::Owned(format!("signal_{signal}")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectEvent {
    pub task: Task,
    pub ret: i32,
    pub fd: u32,
    /// The address family passed (AF_INET, AF_INET6, AF_UNIX, ...).
    pub family: u16,
    /// The socket's sk_protocol and sk_type; 0 when the socket could not be read.
    pub protocol: u16,
    pub sock_type: u16,
    pub sport: u16,
    pub dport: u16,
    pub saddr: [u8; 16],
    pub daddr: [u8; 16],
    /// AF_UNIX: the path; an abstract name starts with a NUL.
    pub path: Vec<u8>,
}

const AF_UNSPEC: u16 = 0;
const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

impl ConnectEvent {
    fn address(&self, bytes: &[u8; 16]) -> Option<String> {
        let addr: std::net::IpAddr = match self.family {
            AF_INET => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(&bytes[..4]).unwrap()).into(),
            AF_INET6 => std::net::Ipv6Addr::from(*bytes).into(),
            _ => return None,
        };
        Some(addr.to_string())
    }

    fn is_inet(&self) -> bool {
        matches!(self.family, AF_INET | AF_INET6)
    }
}

/// Packets and bytes one way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
}

impl Flow {
    pub fn add(&mut self, other: &Flow) {
        self.rx_bytes += other.rx_bytes;
        self.tx_bytes += other.tx_bytes;
        self.rx_packets += other.rx_packets;
        self.tx_packets += other.tx_packets;
    }
}

/// One cgroup's traffic over one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficEvent {
    /// CLOCK_BOOTTIME nanoseconds at the end of the interval.
    pub ts_ns: u64,
    pub cgroup_id: u64,
    pub cgroup: String,
    pub interval_ns: u64,
    /// By IP protocol number (0: not IP).
    pub protocols: std::collections::BTreeMap<u8, Flow>,
}

impl TrafficEvent {
    pub fn total(&self) -> Flow {
        let mut total = Flow::default();
        self.protocols.values().for_each(|f| total.add(f));
        total
    }
}

/// A cgroup moved more bytes per second than --alert-bytes-per-sec in an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    pub ts_ns: u64,
    pub cgroup_id: u64,
    pub cgroup: String,
    pub bytes_per_sec: u64,
    pub threshold: u64,
}

/// One completed syscall, or one that never returns (exit, exit_group): then `result`
/// is None.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallEvent {
    pub task: Task,
    pub nr: u32,
    /// The return value and the latency, once it returned.
    pub result: Option<(i64, u64)>,
}

/// Count mode: one syscall's totals over an interval (of one process with -P).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallCountEvent {
    pub ts_ns: u64,
    pub nr: u32,
    /// With -P: the process and its command name.
    pub process: Option<(u32, Vec<u8>)>,
    pub count: u64,
    pub errors: u64,
    pub total_ns: u64,
    /// The longest single call since tracing started.
    pub max_ns: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Open(OpenEvent),
    Exec(ExecEvent),
    Exit(ExitEvent),
    Connect(ConnectEvent),
    Traffic(TrafficEvent),
    Alert(AlertEvent),
    Syscall(SyscallEvent),
    SyscallCount(SyscallCountEvent),
}

impl Event {
    pub fn kind(&self) -> Kind {
        match self {
            Event::Open(_) => Kind::Open,
            Event::Exec(_) => Kind::Exec,
            Event::Exit(_) => Kind::Exit,
            Event::Connect(_) => Kind::Connect,
            Event::Traffic(_) => Kind::Traffic,
            Event::Alert(_) => Kind::Alert,
            Event::Syscall(_) => Kind::Syscall,
            Event::SyscallCount(_) => Kind::SyscallCount,
        }
    }

    /// Appends this event's NDJSON line (with its newline) to `line`.
    pub fn write_json(&self, clock: &WallClock, line: &mut Vec<u8>) {
        match self {
            Event::Open(e) => push_line(line, &OpenRecord::new(e, clock)),
            Event::Exec(e) => push_line(line, &ExecRecord::new(e, clock)),
            Event::Exit(e) => push_line(line, &ExitRecord::new(e, clock)),
            Event::Connect(e) => push_line(line, &ConnectRecord::new(e, clock)),
            Event::Traffic(e) => push_line(line, &TrafficRecord::new(e, clock)),
            Event::SyscallCount(e) => {
                let comm = e.process.as_ref().map(|(_, comm)| text::render(comm));
                push_line(line, &SyscallCountRecord {
                    kind: Kind::SyscallCount.name(),
                    time: clock.utc(e.ts_ns),
                    syscall: crate::syscalls::name(e.nr),
                    nr: e.nr,
                    pid: e.process.as_ref().map(|&(pid, _)| pid),
                    comm: comm.as_ref().map(|c| c.text.clone()),
                    count: e.count,
                    errors: e.errors,
                    total_ns: e.total_ns,
                    max_ns: e.max_ns,
                })
            }
            Event::Syscall(e) => push_line(line, &SyscallRecord {
                kind: Kind::Syscall.name(),
                time: clock.utc(e.task.ts_ns),
                task: TaskFields::new(&e.task),
                syscall: crate::syscalls::name(e.nr),
                nr: e.nr,
                ret: e.result.map(|(ret, _)| ret),
                errno: e.result.and_then(|(ret, _)| errno::of_ret(ret)),
                latency_ns: e.result.map(|(_, latency)| latency),
            }),
            Event::Alert(e) => push_line(line, &AlertRecord {
                kind: Kind::Alert.name(),
                time: clock.utc(e.ts_ns),
                severity: "warning",
                cgroup_id: e.cgroup_id,
                cgroup: &e.cgroup,
                bytes_per_sec: e.bytes_per_sec,
                threshold: e.threshold,
            }),
        }
    }
}

fn push_line(line: &mut Vec<u8>, record: &impl Serialize) {
    // Serializing these records into memory cannot fail: no maps with non-string keys.
    serde_json::to_writer(&mut *line, record).expect("serializing a record");
    line.push(b'\n');
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
        TaskFields {
            pid: task.pid,
            tid: task.tid,
            ppid: task.ppid,
            uid: task.uid,
            comm: comm.text,
            comm_hex: comm.hex,
        }
    }
}

#[derive(Serialize)]
struct OpenRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    syscall: &'static str,
    path: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    flags: Vec<Cow<'static, str>>,
    mode: u32,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

impl<'a> OpenRecord<'a> {
    fn new(e: &'a OpenEvent, clock: &WallClock) -> Self {
        let path = text::render(&e.path);
        OpenRecord {
            kind: Kind::Open.name(),
            time: clock.utc(e.task.ts_ns),
            task: TaskFields::new(&e.task),
            syscall: e.syscall.name(),
            path: path.text,
            path_hex: path.hex,
            flags: flags::open_flags(e.flags),
            mode: e.mode,
            ret: e.ret,
            errno: errno::of_ret(e.ret.into()),
        }
    }
}

#[derive(Serialize)]
struct ExecRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    filename: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename_hex: Option<String>,
    argv: Vec<Cow<'a, str>>,
    /// Present when an argument is not valid UTF-8: every argument's exact bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    argv_hex: Option<Vec<String>>,
    argv_truncated: bool,
    ret: i32,
    errno: Option<Cow<'static, str>>,
    cgroup_id: u64,
}

impl<'a> ExecRecord<'a> {
    fn new(e: &'a ExecEvent, clock: &WallClock) -> Self {
        let filename = text::render(&e.filename);
        let raw = e.argv();
        let rendered: Vec<text::Rendered<'a>> = raw.iter().map(|a| text::render(a)).collect();
        let argv_hex = rendered
            .iter()
            .any(|r| r.hex.is_some())
            .then(|| raw.iter().map(|a| text::hex(a)).collect());
        ExecRecord {
            kind: Kind::Exec.name(),
            time: clock.utc(e.task.ts_ns),
            task: TaskFields::new(&e.task),
            filename: filename.text,
            filename_hex: filename.hex,
            argv: rendered.into_iter().map(|r| r.text).collect(),
            argv_hex,
            argv_truncated: e.args_truncated,
            ret: e.ret,
            errno: errno::of_ret(e.ret.into()),
            cgroup_id: e.cgroup_id,
        }
    }
}

#[derive(Serialize)]
struct ExitRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    exit_code: Option<u8>,
    signal: Option<Cow<'static, str>>,
    core_dumped: bool,
    duration_ns: u64,
    /// Only with --threads, on threads other than the leader.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    thread: bool,
}

impl<'a> ExitRecord<'a> {
    fn new(e: &'a ExitEvent, clock: &WallClock) -> Self {
        ExitRecord {
            kind: Kind::Exit.name(),
            time: clock.utc(e.task.ts_ns),
            task: TaskFields::new(&e.task),
            exit_code: e.exit_code(),
            signal: e.signal().map(signal_name),
            core_dumped: e.core_dumped(),
            duration_ns: e.duration_ns,
            thread: e.is_thread,
        }
    }
}

#[derive(Serialize)]
struct ConnectRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    fd: u32,
    family: Cow<'static, str>,
    protocol: Option<Cow<'static, str>>,
    socket_type: Option<Cow<'static, str>>,
    saddr: Option<String>,
    sport: Option<u16>,
    daddr: Option<String>,
    dport: Option<u16>,
    path: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

impl<'a> ConnectRecord<'a> {
    fn new(e: &'a ConnectEvent, clock: &WallClock) -> Self {
        let family = match e.family {
            AF_UNSPEC => Cow::Borrowed("unspec"),
            AF_UNIX => Cow::Borrowed("unix"),
            AF_INET => Cow::Borrowed("inet"),
            AF_INET6 => Cow::Borrowed("inet6"),
            other => Cow::Owned(format!("af_{other}")),
        };
        let protocol = match (e.is_inet(), e.protocol) {
            (false, _) | (true, 0) => None,
            (true, 6) => Some(Cow::Borrowed("tcp")),
            (true, 17) => Some(Cow::Borrowed("udp")),
            (true, other) => Some(Cow::Owned(format!("ip_{other}"))),
        };
        let socket_type = match e.sock_type {
            0 => None,
            1 => Some(Cow::Borrowed("stream")),
            2 => Some(Cow::Borrowed("dgram")),
            3 => Some(Cow::Borrowed("raw")),
            5 => Some(Cow::Borrowed("seqpacket")),
            other => Some(Cow::Owned(format!("type_{other}"))),
        };
        // An abstract unix name is shown as ss(8) does: '@' for the leading NUL.
        let (path, path_hex) = if e.family == AF_UNIX {
            let shown = match e.path.split_first() {
                Some((0, rest)) => [b"@".as_slice(), rest].concat(),
                _ => e.path.clone(),
            };
            let r = text::render(&shown);
            (Some(Cow::Owned(r.text.into_owned())), r.hex)
        } else {
            (None, None)
        };
        ConnectRecord {
            kind: Kind::Connect.name(),
            time: clock.utc(e.task.ts_ns),
            task: TaskFields::new(&e.task),
            fd: e.fd,
            family,
            protocol,
            socket_type,
            // Unbound (0.0.0.0, port 0) reads as unknown, not as an address.
            saddr: e.address(&e.saddr).filter(|_| e.saddr != [0; 16]),
            sport: (e.is_inet() && e.sport != 0).then_some(e.sport),
            daddr: e.address(&e.daddr),
            dport: e.is_inet().then_some(e.dport),
            path,
            path_hex,
            ret: e.ret,
            errno: errno::of_ret(e.ret.into()),
        }
    }
}

/// `6` -> `"tcp"`: the IP protocols traffic records name; others are `"ip_<n>"`.
fn ip_protocol(protocol: u8) -> Cow<'static, str> {
    match protocol {
        0 => Cow::Borrowed("other"),
        1 => Cow::Borrowed("icmp"),
        6 => Cow::Borrowed("tcp"),
        17 => Cow::Borrowed("udp"),
        58 => Cow::Borrowed("icmpv6"),
        132 => Cow::Borrowed("sctp"),
        other => Cow::Owned(format!("ip_{other}")),
    }
}

#[derive(Serialize)]
struct TrafficRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    cgroup_id: u64,
    cgroup: &'a str,
    interval_ns: u64,
    #[serde(flatten)]
    total: Flow,
    protocols: std::collections::BTreeMap<Cow<'static, str>, Flow>,
}

impl<'a> TrafficRecord<'a> {
    fn new(e: &'a TrafficEvent, clock: &WallClock) -> Self {
        TrafficRecord {
            kind: Kind::Traffic.name(),
            time: clock.utc(e.ts_ns),
            cgroup_id: e.cgroup_id,
            cgroup: &e.cgroup,
            interval_ns: e.interval_ns,
            total: e.total(),
            protocols: e.protocols.iter().map(|(&p, f)| (ip_protocol(p), *f)).collect(),
        }
    }
}

#[derive(Serialize)]
struct SyscallCountRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    syscall: Cow<'static, str>,
    nr: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm: Option<Cow<'a, str>>,
    count: u64,
    errors: u64,
    total_ns: u64,
    max_ns: u64,
}

#[derive(Serialize)]
struct SyscallRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    #[serde(flatten)]
    task: TaskFields<'a>,
    syscall: Cow<'static, str>,
    nr: u32,
    /// null for a call that never returns (exit, exit_group), as strace's `= ?`.
    ret: Option<i64>,
    errno: Option<Cow<'static, str>>,
    latency_ns: Option<u64>,
}

#[derive(Serialize)]
struct AlertRecord<'a> {
    kind: &'static str,
    time: Timestamp,
    severity: &'static str,
    cgroup_id: u64,
    cgroup: &'a str,
    bytes_per_sec: u64,
    threshold: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(comm: &[u8]) -> Task {
        Task { ts_ns: 1_000, pid: 4242, tid: 4243, ppid: 1, uid: 0, comm: comm.to_vec() }
    }

    fn json(e: &Event) -> serde_json::Value {
        let mut line = Vec::new();
        e.write_json(&WallClock::new(), &mut line);
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
        serde_json::from_slice(&line).unwrap()
    }

    #[test]
    fn open_record_fields_in_order() {
        let e = Event::Open(OpenEvent {
            task: task(b"cat"),
            syscall: OpenSyscall::Openat,
            flags: 0o2000000,
            mode: 0,
            ret: 3,
            path: b"/etc/hostname".to_vec(),
        });
        let mut line = Vec::new();
        e.write_json(&WallClock::new(), &mut line);
        let text = String::from_utf8(line).unwrap();
        let keys: Vec<&str> = [
            "kind", "time", "pid", "tid", "ppid", "uid", "comm", "syscall", "path", "flags", "mode",
            "ret", "errno",
        ]
        .to_vec();
        let positions: Vec<usize> =
            keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let v = json(&e);
        assert_eq!(v["kind"], "open");
        assert_eq!(v["pid"], 4242);
        assert_eq!(v["tid"], 4243);
        assert_eq!(v["comm"], "cat");
        assert_eq!(v["path"], "/etc/hostname");
        assert_eq!(v["flags"], serde_json::json!(["O_RDONLY", "O_CLOEXEC"]));
        assert_eq!(v["ret"], 3);
        assert!(v["errno"].is_null());
        assert!(v.get("path_hex").is_none() && v.get("comm_hex").is_none());
        assert!(v["time"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn exec_record() {
        let e = Event::Exec(ExecEvent {
            task: task(b"sh"),
            cgroup_id: 42,
            ret: 0,
            old_tid: 4243,
            source: ExecSource::Sched,
            filename: b"/bin/sh".to_vec(),
            args: b"sh\0-c\0echo \"hi\"\0\0".to_vec(),
            args_truncated: false,
        });
        let v = json(&e);
        assert_eq!(v["kind"], "exec");
        assert_eq!(v["filename"], "/bin/sh");
        assert_eq!(v["argv"], serde_json::json!(["sh", "-c", "echo \"hi\"", ""]));
        assert_eq!(v["argv_truncated"], false);
        assert_eq!(v["ret"], 0);
        assert!(v["errno"].is_null());
        assert_eq!(v["cgroup_id"], 42);
        assert!(v.get("argv_hex").is_none());

        let bad = Event::Exec(ExecEvent {
            args: b"a\0\xff\0".to_vec(),
            ret: -2,
            source: ExecSource::Execve,
            args_truncated: true,
            ..match e { Event::Exec(e) => e, _ => unreachable!() }
        });
        let v = json(&bad);
        assert_eq!(v["argv"], serde_json::json!(["a", "\u{fffd}"]));
        assert_eq!(v["argv_hex"], serde_json::json!(["61", "ff"]));
        assert_eq!(v["errno"], "ENOENT");
        assert_eq!(v["argv_truncated"], true);
    }

    #[test]
    fn connect_records() {
        let base = ConnectEvent {
            task: task(b"curl"),
            ret: -111,
            fd: 3,
            family: 2,
            protocol: 6,
            sock_type: 1,
            sport: 0,
            dport: 8080,
            saddr: [0; 16],
            daddr: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            path: Vec::new(),
        };
        let v = json(&Event::Connect(base.clone()));
        assert_eq!((v["family"].as_str(), v["protocol"].as_str(), v["socket_type"].as_str()), (Some("inet"), Some("tcp"), Some("stream")));
        assert_eq!((v["daddr"].as_str(), v["dport"].as_u64()), (Some("127.0.0.1"), Some(8080)));
        assert!(v["saddr"].is_null() && v["sport"].is_null() && v["path"].is_null());
        assert_eq!(v["errno"], "ECONNREFUSED");
        let mut v6 = base.clone();
        v6.family = 10;
        v6.protocol = 17;
        v6.sock_type = 2;
        v6.ret = 0;
        v6.sport = 5353;
        v6.daddr = std::net::Ipv6Addr::LOCALHOST.octets();
        v6.saddr = std::net::Ipv6Addr::LOCALHOST.octets();
        let v = json(&Event::Connect(v6));
        assert_eq!((v["daddr"].as_str(), v["saddr"].as_str(), v["sport"].as_u64()), (Some("::1"), Some("::1"), Some(5353)));
        assert_eq!((v["protocol"].as_str(), v["socket_type"].as_str(), v["errno"].is_null()), (Some("udp"), Some("dgram"), true));
        let mut unix = base.clone();
        unix.family = 1;
        unix.protocol = 0;
        unix.path = b"\0abstract".to_vec();
        let v = json(&Event::Connect(unix));
        assert_eq!((v["family"].as_str(), v["path"].as_str()), (Some("unix"), Some("@abstract")));
        assert!(v["protocol"].is_null() && v["daddr"].is_null() && v["dport"].is_null());
    }

    #[test]
    fn exit_records() {
        let exit = |raw, is_thread| Event::Exit(ExitEvent { task: task(b"job"), duration_ns: 5, raw_exit_code: raw, is_thread });
        let v = json(&exit(0x0700, false));
        assert_eq!((v["kind"].as_str(), v["exit_code"].as_u64()), (Some("exit"), Some(7)));
        assert!(v["signal"].is_null() && v["core_dumped"] == false && v.get("thread").is_none());
        assert_eq!(v["duration_ns"], 5);
        let v = json(&exit(9, false));
        assert!(v["exit_code"].is_null());
        assert_eq!(v["signal"], "SIGKILL");
        let v = json(&exit(0x80 | 11, true));
        assert_eq!((v["signal"].as_str(), v["core_dumped"].as_bool()), (Some("SIGSEGV"), Some(true)));
        assert_eq!(v["thread"], true);
        assert_eq!(signal_name(40), "signal_40");
        assert_eq!(json(&exit(0, false))["exit_code"], 0);
    }

    #[test]
    fn failed_open_and_hostile_bytes() {
        let e = Event::Open(OpenEvent {
            task: task(b"ev\xffl\n"),
            syscall: OpenSyscall::Creat,
            flags: 0o1101,
            mode: 0o644,
            ret: -13,
            path: b"/tmp/a\"b\nc\xfe".to_vec(),
        });
        let v = json(&e);
        assert_eq!(v["syscall"], "creat");
        assert_eq!(v["errno"], "EACCES");
        assert_eq!(v["ret"], -13);
        assert_eq!(v["mode"], 0o644);
        assert_eq!(v["flags"], serde_json::json!(["O_WRONLY", "O_CREAT", "O_TRUNC"]));
        assert_eq!(v["path"], "/tmp/a\"b\nc\u{fffd}");
        assert_eq!(v["path_hex"], text::hex(b"/tmp/a\"b\nc\xfe"));
        assert_eq!(v["comm"], "ev\u{fffd}l\n");
        assert_eq!(v["comm_hex"], "6576ff6c0a");
    }
}
