//! `sysnoop bind`: bind(2) and listen(2) calls from bpf/bind.bpf.c on their syscall
//! tracepoints, as two record kinds: `bind` (the address a socket takes) and `listen`
//! (a socket that starts accepting connections, with its address and backlog). Two
//! kinds, not one with an `op`: each has its own fields (bind's address is the one
//! passed, listen's the socket's own; only listen has a backlog), and `jq
//! 'select(.kind=="listen")'` finds what is listening.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::size_of;

use anyhow::{bail, Context, Result};
use libbpf_rs::MapHandle;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::abi::sysnoop_kind;
use crate::bpf::bind::types::{bind_abi, bind_event, bind_slot};
use crate::bpf::bind::BindBpfSkel;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{counted, Hooks, Loaded, Shared, Source};
use crate::ocsf::{Actor, Class, ConnectionInfo, Endpoint, Ocsf};
use crate::schema::Field;
use crate::socket::{SocketEnds, AF_INET6};
use crate::{errno, plain_abi, text};

/// Trace bind(2) and listen(2) on the whole host, failed ones included: the address and
/// port each socket takes (the port the kernel chose, for port 0), and each socket that
/// starts listening, with its address and backlog. TCP and UDP over IPv4 and IPv6, unix
/// sockets.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Bind options")]
pub(crate) struct BindOptions {}

pub(crate) struct Bind;

impl Tracer for Bind {
    const NAME: &'static str = "bind";
    const IN_ALL: InAll = InAll::Required;
    type Options = BindOptions;

    fn load(shared: &Shared, _options: &BindOptions) -> Result<Loaded> {
        for syscall in ["bind", "listen"] {
            if !shared.has_syscall_tracepoints(syscall) {
                bail!("{syscall} has no syscall tracepoints in {}", shared.syscall_tracepoints().display());
            }
        }
        let open = shared.open::<BindBpfSkel>()?;
        let skel = shared.load_and_attach::<BindBpfSkel>(open)?;
        let slots = [bind_slot::BIND_SLOT_ENTER, bind_slot::BIND_SLOT_EXIT, bind_slot::LISTEN_SLOT_ENTER, bind_slot::LISTEN_SLOT_EXIT];
        shared.live(&skel, &slots.map(|s| s.0), probe_calls)?;
        let hooks = Hooks::new(Self::NAME, vec!["bind".into(), "listen".into()]).on::<BindBpfSkel>();
        let listens = MapHandle::try_from(&skel.maps.listen_counters).context("reading the listen counters")?;
        let sources = vec![counted(Kind::Bind, &skel)?, Source { kind: Kind::Listen, counters: Some(listens), skippable: None }];
        Ok(Loaded { hooks, sources, periodic: None, dedup: None, snapshot: None, attached: Box::new(skel) })
    }
}

/// bind(2) and listen(2) on a bad fd: each fails with EBADF at once, and reaches both
/// of its programs.
fn probe_calls() {
    use nix::libc;
    let addr = [0u8; 16];
    // SAFETY: raw calls on fd -1 with a valid 16-byte buffer; they only fail.
    unsafe {
        libc::syscall(libc::SYS_bind, -1, addr.as_ptr(), addr.len());
        libc::syscall(libc::SYS_listen, -1, 0);
    }
}

/// One bind(2) or listen(2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    pub(crate) task: Task,
    pub(crate) ret: i32,
    pub(crate) fd: u32,
    /// listen's backlog.
    pub(crate) backlog: i32,
    /// The address (saddr, local_port) and path; no destination.
    pub(crate) ends: SocketEnds,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BindEvent(pub(crate) Bound);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListenEvent(pub(crate) Bound);

plain_abi!(bind_event);
const _: () = assert!(size_of::<bind_event>() == bind_abi::BIND_EVENT_SIZE.0 as usize);

/// Fixed size.
fn decode_bound(bytes: &[u8]) -> Result<Bound, Malformed> {
    let e: bind_event = decode::fixed(bytes)?;
    let ends = SocketEnds {
        family: e.family,
        protocol: e.protocol,
        sock_type: e.sock_type,
        local_port: e.port,
        dport: 0,
        saddr: e.addr,
        daddr: [0; 16],
        path: crate::socket::unix_path(&e.path, e.path_len)?,
    };
    Ok(Bound { task: decode::task(bytes), ret: e.ret, fd: e.fd, backlog: e.backlog, ends })
}

#[derive(Serialize)]
struct BoundRecord {
    fd: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    backlog: Option<i32>,
    family: Cow<'static, str>,
    protocol: Option<Cow<'static, str>>,
    socket_type: Option<Cow<'static, str>>,
    saddr: Option<String>,
    sport: Option<u16>,
    path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct BoundOcsf<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    activity_name: Option<&'static str>,
    actor: Actor<'a>,
    device: &'a RawValue,
    dst_endpoint: Endpoint<'static>,
    connection_info: ConnectionInfo,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<Cow<'static, str>>,
    unmapped: BoundUnmapped,
}

#[derive(Serialize)]
struct BoundUnmapped {
    syscall: &'static str,
    fd: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    backlog: Option<i32>,
    family: Cow<'static, str>,
    socket_type: Option<Cow<'static, str>>,
    ret: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

impl Bound {
    /// The address shown: all zeros (every address) reads as such, not as unknown.
    fn address(&self) -> Option<String> {
        self.ends.address(&self.ends.saddr)
    }

    fn port(&self) -> Option<u16> {
        self.ends.is_inet().then_some(self.ends.local_port)
    }

    fn write_json(&self, kind: &'static str, listen: bool, ctx: &RecordContext, line: &mut Vec<u8>) {
        let (path, path_hex) = self.ends.rendered_path().map_or((None, None), |r| (Some(r.text), r.hex));
        let body = BoundRecord {
            fd: self.fd,
            backlog: listen.then_some(self.backlog),
            family: self.ends.family_name(),
            protocol: self.ends.protocol_name(),
            socket_type: self.ends.socket_type_name(),
            saddr: self.address(),
            sport: self.port(),
            path,
            path_hex,
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        };
        push_task_line(line, kind, ctx, &self.task, &body);
    }

    /// Network Activity, inbound, about the local end: Listen (7) for listen, Other (99,
    /// activity_name "Bind") for bind; status from the result.
    fn write_ocsf(&self, listen: bool, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let path = self.ends.rendered_path();
        let dst = match (&path, self.address()) {
            (Some(path), _) => Endpoint { name: Some(path.text.clone()), ..Endpoint::default() },
            (None, Some(ip)) => Endpoint { ip: Some(ip), port: self.port(), ..Endpoint::default() },
            (None, None) => Endpoint { name: Some(self.ends.family_name()), ..Endpoint::default() },
        };
        let protocol = self.ends.protocol_name();
        let body = BoundOcsf {
            activity_name: (!listen).then_some("Bind"),
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            dst_endpoint: dst,
            connection_info: ConnectionInfo {
                direction_id: 1, // Inbound
                protocol_num: protocol.is_some().then_some(self.ends.protocol),
                protocol_name: protocol,
                protocol_ver_id: match self.ends.family {
                    crate::socket::AF_INET => Some(4),
                    AF_INET6 => Some(6),
                    _ => None,
                },
            },
            status_id: if self.ret == 0 { 1 } else { 2 },
            status_detail: errno::of_ret(self.ret.into()),
            unmapped: BoundUnmapped {
                syscall: if listen { "listen" } else { "bind" },
                fd: self.fd,
                backlog: listen.then_some(self.backlog),
                family: self.ends.family_name(),
                socket_type: self.ends.socket_type_name(),
                ret: self.ret,
                path_hex: path.and_then(|p| p.hex),
                comm_hex: text::render(&self.task.comm).hex,
            },
        };
        ocsf.push_task(line, Class::Network, if listen { 7 } else { 99 }, ctx, &self.task, &body);
    }

    fn schema(kind: &str, listen: bool) -> serde_json::Value {
        let mut fields = vec![Field::count("fd", "the socket's file descriptor")];
        if listen {
            fields.push(Field::integer("backlog", "the backlog passed (the kernel caps it at net.core.somaxconn)"));
        }
        let (family, saddr, sport) = if listen {
            (
                "the socket's address family: `\"inet\"`, `\"inet6\"`, `\"unix\"`, else `\"af_<n>\"`; `\"unspec\"` when the fd is not a socket",
                "the address the socket is bound to (`\"0.0.0.0\"` or `\"::\"`: every address); `null` for other families",
                "the port it listens on (the kernel chooses one for a socket that was not bound); `null` for other families",
            )
        } else {
            (
                "the address family passed: `\"inet\"`, `\"inet6\"`, `\"unix\"`, else `\"af_<n>\"`",
                "the address passed (`\"0.0.0.0\"` or `\"::\"`: every address); `null` for other families",
                "the port bound: once it succeeded the socket's (the kernel's choice when 0 was passed), else the port passed; `null` for other families",
            )
        };
        fields.extend([
            Field::string("family", family),
            Field::string("protocol", "inet sockets: `\"tcp\"`, `\"udp\"`, else `\"ip_<n>\"`, read from the socket; `null` for others").nullable(),
            Field::string("socket_type", "read from the socket: `\"stream\"`, `\"dgram\"`, `\"raw\"`, `\"seqpacket\"`, else `\"type_<n>\"`; `null` when unknown")
                .nullable(),
            Field::string("saddr", saddr).nullable(),
            Field::with("sport", crate::socket::port_schema(), sport),
            Field::string("path", "unix sockets: the path, or `@name` for an abstract socket (with `path_hex` when not UTF-8); else `null`").nullable(),
            Field::hex("path_hex", "path"),
            Field::integer("ret", "`0`, or the negative errno (e.g. `-98`)"),
            Field::string("errno", "the errno name when it failed (e.g. `\"EADDRINUSE\"`), else `null`").nullable(),
        ]);
        let description = if listen { "One listen(2), failed ones included." } else { "One bind(2), failed ones included." };
        crate::schema::task_record(kind, description, fields)
    }

    /// As bindsnoop: the address and port, RET 0 or the errno name.
    fn write_text(&self, listen: bool, header: &Header, ctx: &RecordContext, line: &mut String) {
        let proto = self.ends.protocol_name().unwrap_or_else(|| self.ends.family_name());
        let ret = errno::of_ret(self.ret.into()).unwrap_or(Cow::Borrowed("0"));
        let address = match (self.ends.shown_path(), self.address(), self.port()) {
            (Some(path), _, _) => escape(&path).into_owned(),
            (None, Some(ip), Some(port)) if self.ends.family == AF_INET6 => format!("[{ip}]:{port}"),
            (None, Some(ip), Some(port)) => format!("{ip}:{port}"),
            _ => "-".to_owned(),
        };
        let backlog = if listen { self.backlog.to_string() } else { "-".to_owned() };
        let cells: [&dyn Display; 6] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &proto, &ret, &backlog];
        header.row(line, &cells, &address);
    }
}

const TEXT: Header = Header {
    columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("PROTO", 6), ("RET", 12), ("BACKLOG", 8)],
    last: "ADDR",
};

impl Record for BindEvent {
    const NAME: &'static str = "bind";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_BIND.0, |bytes| decode_bound(bytes).map(BindEvent)));
    const TEXT: Header = TEXT;

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        self.0.write_json(Self::NAME, false, ctx, line)
    }

    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        self.0.write_ocsf(false, ctx, ocsf, line)
    }

    fn schema() -> serde_json::Value {
        Bound::schema(Self::NAME, false)
    }

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        self.0.write_text(false, &Self::TEXT, ctx, line)
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(10, 208); // SN_KIND_BIND
        b[68..70].copy_from_slice(&10u16.to_ne_bytes()); // family: AF_INET6
        b[70..72].copy_from_slice(&6u16.to_ne_bytes()); // protocol: TCP
        b[72..74].copy_from_slice(&1u16.to_ne_bytes()); // SOCK_STREAM
        b[74..76].copy_from_slice(&8080u16.to_ne_bytes()); // port
        Some(b)
    }
}

impl Record for ListenEvent {
    const NAME: &'static str = "listen";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_LISTEN.0, |bytes| decode_bound(bytes).map(ListenEvent)));
    const TEXT: Header = TEXT;

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        self.0.write_json(Self::NAME, true, ctx, line)
    }

    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        self.0.write_ocsf(true, ctx, ocsf, line)
    }

    fn schema() -> serde_json::Value {
        Bound::schema(Self::NAME, true)
    }

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        self.0.write_text(true, &Self::TEXT, ctx, line)
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(11, 208); // SN_KIND_LISTEN
        b[64..68].copy_from_slice(&128i32.to_ne_bytes()); // backlog
        b[68..70].copy_from_slice(&1u16.to_ne_bytes()); // family: AF_UNIX
        b[72..74].copy_from_slice(&1u16.to_ne_bytes()); // SOCK_STREAM
        b[76..78].copy_from_slice(&5u16.to_ne_bytes()); // path_len
        b[96..101].copy_from_slice(b"/sock"); // path
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    #[test]
    fn bind_and_listen_records() {
        let bind = decode_bound(&<BindEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Bind(BindEvent(bind.clone())));
        assert_eq!((&v["family"], &v["protocol"], &v["saddr"], &v["sport"]), (&"inet6".into(), &"tcp".into(), &"::".into(), &8080.into()));
        assert!(v.get("backlog").is_none() && v["path"].is_null(), "{v}");
        let o = crate::ocsf::json(&Event::Bind(BindEvent(bind)));
        assert_eq!((crate::ocsf::ids(&o), &o["activity_name"], &o["status_id"]), ((4001, 99, 400199), &"Bind".into(), &1.into()));
        assert_eq!(o["dst_endpoint"], serde_json::json!({"ip": "::", "port": 8080}));
        let listen = decode_bound(&<ListenEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Listen(ListenEvent(listen.clone())));
        assert_eq!((&v["family"], &v["path"], &v["backlog"], &v["sport"], &v["saddr"]), (&"unix".into(), &"/sock".into(), &128.into(), &serde_json::Value::Null, &serde_json::Value::Null));
        let o = crate::ocsf::json(&Event::Listen(ListenEvent(listen)));
        assert_eq!((crate::ocsf::ids(&o), &o["dst_endpoint"]), ((4001, 7, 400107), &serde_json::json!({"name": "/sock"})));
        assert!(o.get("activity_name").is_none());
    }
}
