//! `sysnoop connect`: connect(2) calls from bpf/connect.bpf.c on the connect syscall
//! tracepoints, which load on every kernel sysnoop supports.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::size_of;

use anyhow::{bail, Result};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::abi::sysnoop_kind;
use crate::bpf::connect::types::{connect_abi, connect_event, connect_slot};
use crate::bpf::connect::ConnectBpfSkel;
use crate::event::RecordContext;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, Task};
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{Hooks, Loaded, Shared};
use crate::ocsf::{Actor, Class, ConnectionInfo, Endpoint, Ocsf};
use crate::schema::Field;
use crate::socket::{socket_ends, EndsRecord, SocketEnds, AF_INET6};
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
        Loaded::ring(Kind::Connect, skel, Hooks::new(Self::NAME, vec!["connect".into()]).on::<ConnectBpfSkel>())
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
}

const EINPROGRESS: i32 = -115;
const ECONNREFUSED: i32 = -111;

/// Network Activity's activities.
const ACTIVITY_OPEN: u8 = 1;
const ACTIVITY_FAIL: u8 = 4;
const ACTIVITY_REFUSE: u8 = 5;

#[derive(Serialize)]
struct ConnectOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint<'a>>,
    dst_endpoint: Endpoint<'static>,
    connection_info: ConnectionInfo,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: ConnectUnmapped,
}

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
}

plain_abi!(connect_event);
const _: () = assert!(size_of::<connect_event>() == connect_abi::CONNECT_EVENT_SIZE.0 as usize);

/// Fixed size.
fn decode(bytes: &[u8]) -> Result<ConnectEvent, Malformed> {
    let e: connect_event = decode::fixed(bytes)?;
    Ok(ConnectEvent { task: decode::task(bytes), ret: e.ret, fd: e.fd, ends: socket_ends!(e) })
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
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Network Activity: Open when it connected, Refuse when refused, Fail otherwise (a
    /// non-blocking connect still in progress is an Open whose status is Other).
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let (activity, status_id) = match self.ret {
            0 => (ACTIVITY_OPEN, 1),
            EINPROGRESS => (ACTIVITY_OPEN, 99),
            ECONNREFUSED => (ACTIVITY_REFUSE, 2),
            _ => (ACTIVITY_FAIL, 2),
        };
        let ends = self.ends.ocsf_ends();
        let body = ConnectOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            src_endpoint: ends.src,
            dst_endpoint: ends.dst,
            connection_info: ends.info,
            status_id,
            status_detail: errno::of_ret(self.ret.into()),
            unmapped: ConnectUnmapped {
                fd: self.fd,
                family: self.ends.family_name(),
                socket_type: self.ends.socket_type_name(),
                ret: self.ret,
                path_hex: ends.path_hex,
                comm_hex: text::render(&self.task.comm).hex,
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
