//! `sysnoop connect`: connect(2) calls from bpf/connect.bpf.c on the connect syscall
//! tracepoints, which load on every kernel sysnoop supports.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::size_of;

use anyhow::{bail, Context, Result};
use libbpf_rs::{MapCore, MapFlags, MapHandle};
use serde::Serialize;

use crate::abi::sysnoop_kind;
use crate::bpf::connect::types::{connect_abi, connect_event, connect_result, connect_slot, connect_state};
use crate::bpf::connect::ConnectBpfSkel;
use crate::columns::{duration, escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::RecordContext;
use crate::event::{push_task_line, Decoder, Record, Task};
use crate::kinds::{Event, InAll, Kind, Tracer};
use crate::loader::{counted, Hooks, Loaded, Periodic, Shared, Source};
use crate::ocsf::{Actor, Class, Ocsf};
use crate::schema::Field;
use crate::socket::{socket_ends, EndsRecord, NetworkOcsf, SocketEnds, AF_INET6};
use crate::stats::Skippable;
use crate::{errno, plain_abi, text};

/// The most ports --port takes.
pub(crate) const MAX_PORTS: usize = connect_abi::CONNECT_PORTS_MAX.0 as usize;

/// Trace connect(2) calls on the whole host, failed ones included: TCP and UDP over
/// IPv4 and IPv6, and unix sockets, with both ends' addresses.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Connect options")]
pub(crate) struct ConnectOptions {
    /// Only connects to these destination ports, e.g. 443 or 80,443 (at most 8).
    #[arg(long, value_name = "PORT[,PORT]", value_parser = parse_ports)]
    pub(crate) port: Option<Ports>,
}

/// Destination ports, as one comma-separated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ports(pub Vec<u16>);

/// `80,443`: one to MAX_PORTS ports, each 1-65535.
pub(crate) fn parse_ports(s: &str) -> Result<Ports, String> {
    let ports = s
        .split(',')
        .map(|p| match p.trim().parse::<u16>() {
            Ok(0) | Err(_) => Err(format!("`{p}` is not a port (1-65535)")),
            Ok(port) => Ok(port),
        })
        .collect::<Result<Vec<u16>, String>>()?;
    if ports.len() > MAX_PORTS {
        return Err(format!("{} ports given; at most {MAX_PORTS}", ports.len()));
    }
    Ok(Ports(ports))
}

pub(crate) struct Connect;

impl Tracer for Connect {
    const NAME: &'static str = "connect";
    const IN_ALL: InAll = InAll::Required;
    type Options = ConnectOptions;

    fn load(shared: &Shared, options: &ConnectOptions) -> Result<Loaded> {
        if !shared.has_syscall_tracepoints("connect") {
            bail!("connect has no syscall tracepoints in {}", shared.syscall_tracepoints().display());
        }
        let mut open = shared.open::<ConnectBpfSkel>()?;
        let rodata = open.maps.rodata_data.as_deref_mut().expect("connect.bpf.c has rodata");
        let ports = options.port.as_ref().map_or(&[][..], |p| &p.0);
        for (slot, &port) in rodata.targ_ports.iter_mut().zip(ports) {
            *slot = port;
        }
        rodata.targ_nports = ports.len() as u32;
        let skel = shared.load_and_attach::<ConnectBpfSkel>(open)?;
        shared.live(&skel, &[connect_slot::CONNECT_SLOT_ENTER.0, connect_slot::CONNECT_SLOT_EXIT.0], probe_calls)?;
        let hooks = Hooks::new(Self::NAME, vec!["connect".into(), "inet_sock_set_state".into()]).on::<ConnectBpfSkel>();
        let results = MapHandle::try_from(&skel.maps.result_counters).context("reading the connect_result counters")?;
        let sources = vec![counted(Kind::Connect, &skel)?, Source {
            kind: Kind::ConnectResult,
            counters: Some(results),
            skippable: Some(Skippable::new("inet_sock_set_state", &skel.progs.connect_state)?),
        }];
        let still_pending = StillPending {
            pending: MapHandle::try_from(&skel.maps.pending).context("reading the pending connects")?,
            handed: MapHandle::try_from(&skel.maps.handed).context("reading the pending connects")?,
        };
        let periodic = Periodic { every: None, produce: Box::new(move || still_pending.take()) };
        Ok(Loaded { hooks, sources, periodic: Some(periodic), dedup: None, snapshot: None, attached: Box::new(skel) })
    }
}

/// The TCP connects whose outcome has not come when the run ends (bpf/connect.bpf.c:
/// `pending`, and `handed` for those whose connect returned before it).
struct StillPending {
    pending: MapHandle,
    handed: MapHandle,
}

impl StillPending {
    /// A connect_result of outcome "pending" for each connect still waiting for its
    /// outcome, taken from the kernel as the programs would take it: by deleting its
    /// `handed` entry, which only one taker can (the kernel's, should the outcome come
    /// now, is then sent by the kernel instead). Connects still inside connect(2) are
    /// not reported: neither is their connect record.
    fn take(&self) -> Result<Vec<Event>> {
        let now = crate::clock::boot_ns();
        let mut results = Vec::new();
        // The keys first: a walk that deletes the key it stands on starts over.
        let keys: Vec<Vec<u8>> = self.handed.keys().collect();
        for key in keys {
            let Some(bytes) = self.pending.lookup(&key, MapFlags::ANY).context("reading the pending connects")? else { continue };
            if self.handed.delete(&key).is_err() {
                continue; // its outcome came meanwhile: the kernel sent it
            }
            let _ = self.pending.delete(&key);
            let mut result = decode_result(&bytes).map_err(|e| anyhow::anyhow!("a pending connect in the kernel's map: {e}"))?;
            (result.task.ts_ns, result.outcome_ns) = (now, now);
            results.push(result);
        }
        results.sort_by_key(|r| r.connect_ns);
        Ok(results.into_iter().map(Event::ConnectResult).collect())
    }
}

/// A connect(2) on a bad fd: fails with EBADF at once, and reaches both programs.
fn probe_calls() {
    use nix::libc;
    let addr = [0u8; 16];
    // SAFETY: a raw connect on fd -1 with a valid 16-byte buffer; it only fails.
    unsafe { libc::syscall(libc::SYS_connect, -1, addr.as_ptr(), addr.len()) };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectEvent {
    pub(crate) task: Task,
    pub(crate) ret: i32,
    pub(crate) fd: u32,
    pub(crate) ends: SocketEnds,
    /// A TCP connect that returned before its outcome: its connect_result's id.
    pub(crate) connect_id: Option<u64>,
}

/// The errnos connect's results name (positive, as a socket's error is; a call returns
/// the negative).
const ENETUNREACH: i32 = 101;
const ECONNRESET: i32 = 104;
const ETIMEDOUT: i32 = 110;
const ECONNREFUSED: i32 = 111;
const EHOSTUNREACH: i32 = 113;
const EINPROGRESS: i32 = 115;

/// Network Activity's activities.
const ACTIVITY_OPEN: u8 = 1;
const ACTIVITY_CLOSE: u8 = 2;
const ACTIVITY_RESET: u8 = 3;
const ACTIVITY_FAIL: u8 = 4;
const ACTIVITY_REFUSE: u8 = 5;

#[derive(Serialize)]
struct ConnectUnmapped {
    fd: u32,
    family: Cow<'static, str>,
    socket_type: Option<Cow<'static, str>>,
    ret: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect_id: Option<u64>,
}

plain_abi!(connect_event);
const _: () = assert!(size_of::<connect_event>() == connect_abi::CONNECT_EVENT_SIZE.0 as usize);

/// Fixed size.
fn decode(bytes: &[u8]) -> Result<ConnectEvent, Malformed> {
    let e: connect_event = decode::fixed(bytes)?;
    Ok(ConnectEvent { task: decode::task(bytes), ret: e.ret, fd: e.fd, ends: socket_ends!(e), connect_id: (e.connect_id != 0).then_some(e.connect_id) })
}

impl Record for ConnectEvent {
    const NAME: &'static str = "connect";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_CONNECT.0, decode));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let body = ConnectRecord {
            fd: self.fd,
            ends: self.ends.record(),
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
            connect_id: self.connect_id,
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Network Activity: Open when it connected, Refuse when refused, Fail otherwise (a
    /// non-blocking connect still in progress is an Open whose status is Other).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let (activity, status_id) = match self.ret {
            0 => (ACTIVITY_OPEN, 1),
            ret if ret == -EINPROGRESS => (ACTIVITY_OPEN, 99),
            ret if ret == -ECONNREFUSED => (ACTIVITY_REFUSE, 2),
            _ => (ACTIVITY_FAIL, 2),
        };
        let ends = self.ends.ocsf_ends();
        let body = NetworkOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            src_endpoint: ends.src,
            dst_endpoint: ends.dst,
            connection_info: ends.info,
            status_id,
            status_detail: errno::of_ret(self.ret.into()),
            duration: None,
            unmapped: ConnectUnmapped {
                fd: self.fd,
                family: self.ends.family_name(),
                socket_type: self.ends.socket_type_name(),
                ret: self.ret,
                path_hex: ends.path_hex,
                comm_hex: text::render(&self.task.comm).hex,
                connect_id: self.connect_id,
            },
        };
        ocsf.push_task(line, Class::Network, activity, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        let mut fields = vec![
            Field::count("fd", "the socket's file descriptor"),
            Field::string(
                "family",
                "the address family passed: `\"inet\"`, `\"inet6\"`, `\"unix\"`, `\"unspec\"` (UDP disassociate), else `\"af_<n>\"`",
            ),
            Field::string(
                "protocol",
                "inet sockets: `\"tcp\"`, `\"udp\"`, else `\"ip_<n>\"`, read from the socket; `null` for others (unix sockets)",
            )
            .nullable(),
            Field::string(
                "socket_type",
                "read from the socket: `\"stream\"`, `\"dgram\"`, `\"raw\"`, `\"seqpacket\"`, else `\"type_<n>\"`; `null` when unknown",
            )
            .nullable(),
            Field::string(
                "saddr",
                "the local address as the socket has it once connect returns; `null` when it is not bound (a refused TCP connect)",
            )
            .nullable(),
            Field::with("sport", crate::socket::port_schema(), "the local port as the socket has it once connect returns; `null` when it is not bound"),
        ];
        fields.extend(crate::socket::destination_fields());
        fields.extend([
            Field::integer("ret", "`0`, or the negative errno (e.g. `-111`; `-115` for a non-blocking connect)"),
            Field::string(
                "errno",
                "the errno name when it failed (e.g. `\"ECONNREFUSED\"`; `\"EINPROGRESS\"` for a non-blocking connect), else `null`",
            )
            .nullable(),
            Field::with(
                "connect_id",
                serde_json::json!({"type": ["integer", "null"], "minimum": 1}),
                "a TCP connect that returned before its outcome (`EINPROGRESS`, `EALREADY`, interrupted): the `connect_id` of the `connect_result` record that says how it ended; else `null`",
            ),
        ]);
        crate::schema::task_record(Self::NAME, "One connect(2), failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("PROTO", 6), ("RET", 12), ("SADDR", 22)],
        last: "DADDR",
    };

    /// As tcpconnect, for every family: the source when bound, the destination with its
    /// port (a unix socket's path), RET 0 or the errno name.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let with_port = |ip: String, port: Option<u16>| match (self.ends.family, port) {
            (AF_INET6, Some(port)) => format!("[{ip}]:{port}"),
            (_, Some(port)) => format!("{ip}:{port}"),
            (_, None) => ip,
        };
        let proto = self.ends.protocol_name().unwrap_or_else(|| self.ends.family_name());
        let ret = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let source = self.ends.source().map_or_else(|| "-".to_owned(), |ip| with_port(ip, self.ends.sport()));
        let destination = match (self.ends.address(&self.ends.daddr), self.ends.shown_path()) {
            (Some(ip), _) => with_port(ip, Some(self.ends.dport)),
            (None, Some(path)) => escape(&path).into_owned(),
            (None, None) => "-".to_owned(),
        };
        let cells: [&dyn Display; 6] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &proto, &ret, &source];
        Self::TEXT.row(line, &cells, &destination);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(4, 224); // SN_KIND_CONNECT
        b[64..66].copy_from_slice(&1u16.to_ne_bytes()); // family: AF_UNIX
        b[74..76].copy_from_slice(&5u16.to_ne_bytes()); // path_len
        b[108..113].copy_from_slice(b"/sock"); // path
        Some(b)
    }
}

#[derive(Serialize)]
struct ConnectRecord {
    fd: u32,
    #[serde(flatten)]
    ends: EndsRecord,
    ret: i32,
    errno: Option<Cow<'static, str>>,
    connect_id: Option<u64>,
}

/// How a TCP connect that returned before its outcome ended (bpf/connect.h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectResultEvent {
    /// The connecting thread, as it was at connect; ts_ns: when the record was sent.
    pub(crate) task: Task,
    pub(crate) connect_id: u64,
    pub(crate) connect_ns: u64,
    /// When the outcome came (for one still pending: when the run ended).
    pub(crate) outcome_ns: u64,
    /// connect_state: pending, established, closed.
    pub(crate) state: u8,
    /// The socket's error when it closed (a positive errno), else 0.
    pub(crate) error: i32,
    pub(crate) ends: SocketEnds,
}

plain_abi!(connect_result);
const _: () = assert!(size_of::<connect_result>() == connect_abi::CONNECT_RESULT_SIZE.0 as usize);

/// Fixed size; from the ring buffer, or from the `pending` map at the end of a run.
fn decode_result(bytes: &[u8]) -> Result<ConnectResultEvent, Malformed> {
    let e: connect_result = decode::fixed(bytes)?;
    let state = e.state;
    if state > connect_state::CONNECT_CLOSED.0 as u8 {
        return Err(Malformed::Unknown { field: "state", value: state.into() });
    }
    Ok(ConnectResultEvent {
        task: decode::task(bytes),
        connect_id: e.connect_id,
        connect_ns: e.connect_ns,
        outcome_ns: e.outcome_ns,
        state,
        error: e.error,
        ends: SocketEnds {
            family: e.family,
            protocol: 6, // IPPROTO_TCP
            sock_type: 1, // SOCK_STREAM
            local_port: e.sport,
            dport: e.dport,
            saddr: e.saddr,
            daddr: e.daddr,
            path: Vec::new(),
        },
    })
}

impl ConnectResultEvent {
    /// `established`, `refused`, `timed_out`, `unreachable`, `reset`, `closed` (by its
    /// process, before an outcome), `failed` (another error), or `pending`.
    pub(crate) fn outcome(&self) -> &'static str {
        match (connect_state(self.state.into()), self.error) {
            (connect_state::CONNECT_PENDING, _) => "pending",
            (connect_state::CONNECT_ESTABLISHED, _) => "established",
            (_, 0) => "closed",
            (_, ECONNREFUSED) => "refused",
            (_, ETIMEDOUT) => "timed_out",
            (_, EHOSTUNREACH | ENETUNREACH) => "unreachable",
            (_, ECONNRESET) => "reset",
            _ => "failed",
        }
    }

    fn errno(&self) -> Option<Cow<'static, str>> {
        (self.error > 0).then(|| errno::of_ret(-i64::from(self.error))).flatten()
    }

    fn duration_ns(&self) -> u64 {
        self.outcome_ns.saturating_sub(self.connect_ns)
    }
}

#[derive(Serialize)]
struct ConnectResultRecord {
    connect_id: u64,
    outcome: &'static str,
    errno: Option<Cow<'static, str>>,
    family: Cow<'static, str>,
    saddr: Option<String>,
    sport: Option<u16>,
    daddr: Option<String>,
    dport: u16,
    duration_ns: u64,
}

#[derive(Serialize)]
struct ConnectResultUnmapped {
    connect_id: u64,
    outcome: &'static str,
    duration_ns: u64,
    family: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

impl Record for ConnectResultEvent {
    const NAME: &'static str = "connect_result";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_CONNECT_RESULT.0, decode_result));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let body = ConnectResultRecord {
            connect_id: self.connect_id,
            outcome: self.outcome(),
            errno: self.errno(),
            family: self.ends.family_name(),
            saddr: self.ends.address(&self.ends.saddr),
            sport: self.ends.sport(),
            daddr: self.ends.address(&self.ends.daddr),
            dport: self.ends.dport,
            duration_ns: self.duration_ns(),
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Network Activity: Open when established, Refuse when refused, Reset when reset,
    /// Close when its process closed the socket first, Fail otherwise; still pending: an
    /// Open whose status is Unknown.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let (activity, status_id) = match self.outcome() {
            "established" => (ACTIVITY_OPEN, 1),
            "pending" => (ACTIVITY_OPEN, 0),
            "refused" => (ACTIVITY_REFUSE, 2),
            "reset" => (ACTIVITY_RESET, 2),
            "closed" => (ACTIVITY_CLOSE, 2),
            _ => (ACTIVITY_FAIL, 2),
        };
        let ends = self.ends.ocsf_ends();
        let body = NetworkOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            src_endpoint: ends.src,
            dst_endpoint: ends.dst,
            connection_info: ends.info,
            status_id,
            status_detail: self.errno(),
            duration: Some(crate::ocsf::duration_ms(self.duration_ns())),
            unmapped: ConnectResultUnmapped {
                connect_id: self.connect_id,
                outcome: self.outcome(),
                duration_ns: self.duration_ns(),
                family: self.ends.family_name(),
                comm_hex: text::render(&self.task.comm).hex,
            },
        };
        ocsf.push_task(line, Class::Network, activity, ctx, &self.task, &body);
    }

    fn schema() -> serde_json::Value {
        let fields = vec![
            Field::count("connect_id", "the `connect_id` of the connect record whose outcome this is; unique in the run"),
            Field::with(
                "outcome",
                serde_json::json!({"enum": ["established", "refused", "timed_out", "unreachable", "reset", "closed", "failed", "pending"]}),
                "how the connect ended: `established`; `refused` (ECONNREFUSED), `timed_out` (ETIMEDOUT: no answer to SYN retries), `unreachable` (EHOSTUNREACH, ENETUNREACH), `reset` (ECONNRESET), `failed` (another error); `closed`: its process closed the socket first; `pending`: still connecting when the run ended",
            ),
            Field::string("errno", "the socket's error when it failed (e.g. `\"ECONNREFUSED\"`), else `null`").nullable(),
            Field::string("family", "`\"inet\"` or `\"inet6\"`"),
            Field::string("saddr", "the local address the kernel chose").nullable(),
            Field::with("sport", crate::socket::port_schema(), "the local port the kernel chose"),
            Field::string("daddr", "the destination address").nullable(),
            Field::with("dport", serde_json::json!({"type": "integer", "minimum": 0, "maximum": 65535}), "the destination port"),
            Field::count("duration_ns", "from the connect to its outcome (to the end of the run when `pending`)"),
        ];
        crate::schema::task_record(
            Self::NAME,
            "How a TCP connect that returned before its outcome ended (joined to its connect record by `connect_id`); the task fields are the connecting thread's.",
            fields,
        )
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("OUTCOME", 12), ("TOOK", 9), ("SADDR", 22)],
        last: "DADDR",
    };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let with_port = |ip: Option<String>, port: u16| match (ip, self.ends.family) {
            (None, _) => "-".to_owned(),
            (Some(ip), AF_INET6) => format!("[{ip}]:{port}"),
            (Some(ip), _) => format!("{ip}:{port}"),
        };
        let source = with_port(self.ends.address(&self.ends.saddr), self.ends.local_port);
        let destination = with_port(self.ends.address(&self.ends.daddr), self.ends.dport);
        let cells: [&dyn Display; 6] =
            [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &self.outcome(), &duration(self.duration_ns()), &source];
        Self::TEXT.row(line, &cells, &destination);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(8, 128); // SN_KIND_CONNECT_RESULT
        b[56..64].copy_from_slice(&4097u64.to_ne_bytes()); // connect_id
        b[72..76].copy_from_slice(&111i32.to_ne_bytes()); // error: ECONNREFUSED
        b[76..78].copy_from_slice(&2u16.to_ne_bytes()); // family: AF_INET
        b[82] = 2; // state: closed
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{json, task};
    use crate::kinds::Event;
    use crate::socket::AF_UNIX;

    #[test]
    fn ports() {
        assert_eq!(parse_ports("443"), Ok(Ports(vec![443])));
        assert_eq!(parse_ports("80, 443"), Ok(Ports(vec![80, 443])));
        assert!(parse_ports("0").is_err() && parse_ports("70000").is_err() && parse_ports("http").is_err());
        assert!(parse_ports("1,2,3,4,5,6,7,8,9").unwrap_err().contains("at most 8"));
    }

    #[test]
    fn decodes_a_unix_connect() {
        let e = decode(&<ConnectEvent as Record>::example().unwrap()).unwrap();
        assert_eq!((e.ends.family, e.ends.path.as_slice(), e.task.pid), (AF_UNIX, &b"/sock"[..], 7));
    }

    #[test]
    fn connect_records() {
        let base = ConnectEvent {
            task: task(b"curl"),
            ret: -111,
            fd: 3,
            ends: SocketEnds {
                family: 2,
                protocol: 6,
                sock_type: 1,
                local_port: 0,
                dport: 8080,
                saddr: [0; 16],
                daddr: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                path: Vec::new(),
            },
            connect_id: None,
        };
        let v = json(&Event::Connect(base.clone()));
        assert_eq!((v["family"].as_str(), v["protocol"].as_str(), v["socket_type"].as_str()), (Some("inet"), Some("tcp"), Some("stream")));
        assert_eq!((v["daddr"].as_str(), v["dport"].as_u64()), (Some("127.0.0.1"), Some(8080)));
        assert!(v["saddr"].is_null() && v["sport"].is_null() && v["path"].is_null());
        assert_eq!(v["errno"], "ECONNREFUSED");
        let mut v6 = base.clone();
        v6.ends.family = 10;
        v6.ends.protocol = 17;
        v6.ends.sock_type = 2;
        v6.ret = 0;
        v6.ends.local_port = 5353;
        v6.ends.daddr = std::net::Ipv6Addr::LOCALHOST.octets();
        v6.ends.saddr = std::net::Ipv6Addr::LOCALHOST.octets();
        let v = json(&Event::Connect(v6));
        assert_eq!((v["daddr"].as_str(), v["saddr"].as_str(), v["sport"].as_u64()), (Some("::1"), Some("::1"), Some(5353)));
        assert_eq!((v["protocol"].as_str(), v["socket_type"].as_str(), v["errno"].is_null()), (Some("udp"), Some("dgram"), true));
        let mut unix = base.clone();
        unix.ends.family = 1;
        unix.ends.protocol = 0;
        unix.ends.path = b"\0abstract".to_vec();
        let v = json(&Event::Connect(unix));
        assert_eq!((v["family"].as_str(), v["path"].as_str()), (Some("unix"), Some("@abstract")));
        assert!(v["protocol"].is_null() && v["daddr"].is_null() && v["dport"].is_null());
    }

    /// Text: one line per connect under the header, a unix path escaped.
    #[test]
    fn text_columns() {
        let e = ConnectEvent {
            task: task(b"curl"),
            ret: -111,
            fd: 3,
            ends: SocketEnds {
                family: 10,
                protocol: 6,
                sock_type: 1,
                local_port: 0,
                dport: 443,
                saddr: [0; 16],
                daddr: std::net::Ipv6Addr::LOCALHOST.octets(),
                path: Vec::new(),
            },
            connect_id: None,
        };
        let text = |e: ConnectEvent| {
            let mut line = String::new();
            Event::Connect(e).write_text(&crate::event::RecordContext::new(crate::event::tests::SESSION.into()), &mut line);
            line.split_whitespace().skip(1).map(str::to_owned).collect::<Vec<_>>()
        };
        assert_eq!(text(e.clone()), ["4242", "curl", "tcp", "ECONNREFUSED", "-", "[::1]:443"]);
        let unix = ConnectEvent { ret: 0, ends: SocketEnds { family: 1, protocol: 0, path: b"\0bus\n\xff".to_vec(), ..e.ends.clone() }, ..e };
        assert_eq!(text(unix), ["4242", "curl", "unix", "0", "-", "@bus\\n\\xff"]);
    }

    fn result(state: u8, error: i32) -> ConnectResultEvent {
        let mut task = task(b"curl");
        task.ts_ns = 5_000_000_000;
        ConnectResultEvent {
            task,
            connect_id: 4097,
            connect_ns: 1_000_000_000,
            outcome_ns: 3_500_000_000,
            state,
            error,
            ends: SocketEnds {
                family: 2,
                protocol: 6,
                sock_type: 1,
                local_port: 40000,
                dport: 443,
                saddr: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                daddr: [127, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                path: Vec::new(),
            },
        }
    }

    /// The kernel's layout (bpf/connect.h), and each state and socket error as an outcome.
    #[test]
    fn connect_results() {
        let e = decode_result(&<ConnectResultEvent as Record>::example().unwrap()).unwrap();
        assert_eq!((e.connect_id, e.state, e.error, e.ends.family, e.outcome()), (4097, 2, 111, 2, "refused"));
        let mut bad = <ConnectResultEvent as Record>::example().unwrap();
        bad[82] = 3;
        assert_eq!(decode_result(&bad), Err(Malformed::Unknown { field: "state", value: 3 }));
        let outcomes: Vec<&str> = [(0, 0), (1, 0), (2, 0), (2, 111), (2, 110), (2, 113), (2, 101), (2, 104), (2, 22)]
            .into_iter()
            .map(|(state, error)| result(state, error).outcome())
            .collect();
        assert_eq!(outcomes, ["pending", "established", "closed", "refused", "timed_out", "unreachable", "unreachable", "reset", "failed"]);
        let v = json(&Event::ConnectResult(result(2, 110)));
        assert_eq!(
            (&v["connect_id"], &v["outcome"], &v["errno"], &v["family"], &v["saddr"], &v["sport"], &v["daddr"], &v["dport"], &v["duration_ns"]),
            (
                &4097.into(),
                &"timed_out".into(),
                &"ETIMEDOUT".into(),
                &"inet".into(),
                &"127.0.0.1".into(),
                &40000.into(),
                &"127.0.0.2".into(),
                &443.into(),
                &2_500_000_000u64.into()
            )
        );
        assert!(json(&Event::ConnectResult(result(1, 0)))["errno"].is_null());
    }

    /// OCSF: the activity by outcome; the duration in milliseconds.
    #[test]
    fn ocsf_of_connect_results() {
        let ocsf = |state, error| crate::ocsf::json(&Event::ConnectResult(result(state, error)));
        let o = ocsf(1, 0);
        assert_eq!((crate::ocsf::ids(&o), &o["status_id"], &o["duration"]), ((4001, 1, 400101), &serde_json::json!(1), &serde_json::json!(2500)));
        assert_eq!(o["src_endpoint"], serde_json::json!({"ip": "127.0.0.1", "port": 40000}));
        assert_eq!((&o["unmapped"]["connect_id"], &o["unmapped"]["outcome"]), (&serde_json::json!(4097), &serde_json::json!("established")));
        let activity = |state, error| (crate::ocsf::ids(&ocsf(state, error)).1, ocsf(state, error)["status_id"].as_u64().unwrap());
        assert_eq!([activity(0, 0), activity(2, 111), activity(2, 104), activity(2, 0), activity(2, 110)], [(1, 0), (5, 2), (3, 2), (2, 2), (4, 2)]);
        assert_eq!(ocsf(2, 110)["status_detail"], "ETIMEDOUT");
    }

    #[test]
    fn text_of_connect_results() {
        let mut line = String::new();
        Event::ConnectResult(result(2, 111)).write_text(&crate::event::RecordContext::new(crate::event::tests::SESSION.into()), &mut line);
        let cells: Vec<&str> = line.split_whitespace().skip(1).collect();
        assert_eq!(cells, ["4242", "curl", "refused", "2.50s", "127.0.0.1:40000", "127.0.0.2:443"]);
    }

    /// OCSF activity and status by result: refused, in progress (non-blocking), failed.
    #[test]
    fn ocsf_activities() {
        let base = ConnectEvent {
            task: task(b"curl"),
            ret: -111,
            fd: 3,
            ends: SocketEnds {
                family: 10,
                protocol: 17,
                sock_type: 2,
                local_port: 0,
                dport: 53,
                saddr: [0; 16],
                daddr: std::net::Ipv6Addr::LOCALHOST.octets(),
                path: Vec::new(),
            },
            connect_id: None,
        };
        let ocsf = |ret| crate::ocsf::json(&Event::Connect(ConnectEvent { ret, ..base.clone() }));
        let o = ocsf(-111);
        assert_eq!((crate::ocsf::ids(&o), &o["status_id"], &o["status_detail"]), ((4001, 5, 400105), &serde_json::json!(2), &serde_json::json!("ECONNREFUSED")));
        assert_eq!(o["dst_endpoint"], serde_json::json!({"ip": "::1", "port": 53}));
        assert_eq!(o["connection_info"], serde_json::json!({"direction_id": 2, "protocol_num": 17, "protocol_name": "udp", "protocol_ver_id": 6}));
        assert!(o.get("src_endpoint").is_none());
        let o = ocsf(-115);
        assert_eq!((crate::ocsf::ids(&o), &o["status_id"], &o["status_detail"]), ((4001, 1, 400101), &serde_json::json!(99), &serde_json::json!("EINPROGRESS")));
        let o = ocsf(-101);
        assert_eq!((crate::ocsf::ids(&o), &o["status_id"], &o["status_detail"]), ((4001, 4, 400104), &serde_json::json!(2), &serde_json::json!("ENETUNREACH")));
        assert_eq!(ocsf(0)["metadata"]["profiles"], serde_json::json!(["host"]));
    }
}
