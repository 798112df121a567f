//! `sysnoop accept`: accept(2) and accept4(2) calls from bpf/accept.bpf.c on their
//! syscall tracepoints: every connection a process took from a listening socket, with
//! both ends, and the accepts that failed.

use std::borrow::Cow;
use std::fmt::Display;
use std::mem::size_of;

use anyhow::{bail, Result};
use serde::Serialize;

use crate::abi::sysnoop_kind;
use crate::bpf::accept::types::{accept_abi, accept_event, accept_slot};
use crate::bpf::accept::AcceptBpfSkel;
use crate::columns::{escape, time_of_day, Header};
use crate::decode::{self, Malformed};
use crate::event::{push_task_line, Decoder, Record, RecordContext, Task};
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{Hooks, Loaded, Shared};
use crate::ocsf::{Actor, Class, Ocsf};
use crate::schema::Field;
use crate::socket::{socket_ends, EndsRecord, NetworkOcsf, SocketEnds};
use crate::{errno, plain_abi, text};

/// Trace accept(2) and accept4(2) on the whole host, failed ones included: each
/// connection taken from a listening socket (TCP over IPv4 and IPv6, unix sockets) with
/// its local end and the peer's.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Accept options")]
pub(crate) struct AcceptOptions {}

pub(crate) struct Accept;

impl Tracer for Accept {
    const NAME: &'static str = "accept";
    const IN_ALL: InAll = InAll::Required;
    type Options = AcceptOptions;

    fn load(shared: &Shared, _options: &AcceptOptions) -> Result<Loaded> {
        let mut open = shared.open::<AcceptBpfSkel>()?;
        let progs = &mut open.progs;
        let variants = [
            ("accept", [accept_slot::ACCEPT_SLOT_ENTER, accept_slot::ACCEPT_SLOT_EXIT], [&mut progs.tracepoint__syscalls__sys_enter_accept, &mut progs.tracepoint__syscalls__sys_exit_accept]),
            (
                "accept4",
                [accept_slot::ACCEPT4_SLOT_ENTER, accept_slot::ACCEPT4_SLOT_EXIT],
                [&mut progs.tracepoint__syscalls__sys_enter_accept4, &mut progs.tracepoint__syscalls__sys_exit_accept4],
            ),
        ];
        let mut hooks = Hooks::new(Self::NAME, Vec::new()).on::<AcceptBpfSkel>();
        let mut slots = Vec::new();
        for (name, pair, programs) in variants {
            if shared.has_syscall_tracepoints(name) {
                hooks.traced.push(name.to_owned());
                slots.extend(pair.map(|s| s.0));
            } else {
                for program in programs {
                    program.set_autoload(false);
                }
                hooks.absent.push(name.to_owned());
            }
        }
        if slots.is_empty() {
            bail!("accept has no syscall tracepoints in {}", shared.syscall_tracepoints().display());
        }
        let skel = shared.load_and_attach::<AcceptBpfSkel>(open)?;
        shared.live(&skel, &slots, probe_calls)?;
        Loaded::ring(Kind::Accept, skel, hooks)
    }
}

/// accept(2) and accept4(2) on a bad fd: each fails with EBADF at once, and reaches
/// both of its programs.
fn probe_calls() {
    use nix::libc;
    // SAFETY: raw calls on fd -1 with null address arguments; they only fail.
    unsafe {
        libc::syscall(libc::SYS_accept, -1, 0, 0);
        libc::syscall(libc::SYS_accept4, -1, 0, 0, 0);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AcceptEvent {
    pub(crate) task: Task,
    pub(crate) ret: i32,
    pub(crate) fd: u32,
    /// accept4's flags; None for accept.
    pub(crate) flags: Option<u32>,
    /// The listening socket's family, protocol, type and (unix) path; the new
    /// connection's local end (the listening end when it failed) and the peer's.
    pub(crate) ends: SocketEnds,
}

plain_abi!(accept_event);
const _: () = assert!(size_of::<accept_event>() == accept_abi::ACCEPT_EVENT_SIZE.0 as usize);

/// Fixed size.
fn decode(bytes: &[u8]) -> Result<AcceptEvent, Malformed> {
    let e: accept_event = decode::fixed(bytes)?;
    Ok(AcceptEvent { task: decode::task(bytes), ret: e.ret, fd: e.fd, flags: (e.syscall == 1).then_some(e.flags), ends: socket_ends!(e) })
}

const SOCK_NONBLOCK: u32 = 0o4000;
const SOCK_CLOEXEC: u32 = 0o2000000;

/// accept4's flags by name, any other bit as its octal value.
fn flag_names(flags: u32) -> Vec<Cow<'static, str>> {
    let mut names = Vec::new();
    let mut rest = flags;
    for (bit, name) in [(SOCK_NONBLOCK, "SOCK_NONBLOCK"), (SOCK_CLOEXEC, "SOCK_CLOEXEC")] {
        if rest & bit != 0 {
            names.push(Cow::Borrowed(name));
            rest &= !bit;
        }
    }
    if rest != 0 {
        names.push(Cow::Owned(format!("0{rest:o}")));
    }
    names
}

impl AcceptEvent {
    fn syscall(&self) -> &'static str {
        if self.flags.is_some() {
            "accept4"
        } else {
            "accept"
        }
    }

    /// The peer's address and port, once there is a connection.
    fn peer(&self) -> (Option<String>, Option<u16>) {
        match self.ends.address(&self.ends.daddr) {
            Some(ip) if self.ret >= 0 => (Some(ip), Some(self.ends.dport)),
            _ => (None, None),
        }
    }
}

#[derive(Serialize)]
struct AcceptRecord {
    syscall: &'static str,
    fd: u32,
    #[serde(flatten)]
    ends: EndsRecord,
    flags: Vec<Cow<'static, str>>,
    ret: i32,
    errno: Option<Cow<'static, str>>,
}

#[derive(Serialize)]
struct AcceptUnmapped {
    syscall: &'static str,
    fd: u32,
    family: Cow<'static, str>,
    socket_type: Option<Cow<'static, str>>,
    ret: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comm_hex: Option<String>,
}

impl Record for AcceptEvent {
    const NAME: &'static str = "accept";
    const RING: Option<(u32, Decoder<Self>)> = Some((sysnoop_kind::SN_KIND_ACCEPT.0, decode));

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        let body = AcceptRecord {
            syscall: self.syscall(),
            fd: self.fd,
            ends: self.ends.record_inbound(self.ret >= 0),
            flags: flag_names(self.flags.unwrap_or(0)),
            ret: self.ret,
            errno: errno::of_ret(self.ret.into()),
        };
        push_task_line(line, Self::NAME, ctx, &self.task, &body);
    }

    /// Network Activity, inbound: Open for a connection taken, Fail for a failed accept.
    /// The peer is the source, the listening end the destination.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let (activity, status_id) = if self.ret >= 0 { (1, 1) } else { (4, 2) };
        let ends = self.ends.ocsf_inbound(self.ret >= 0);
        let body = NetworkOcsf {
            actor: Actor::task(&self.task, ctx),
            device: ocsf.device(),
            src_endpoint: ends.src,
            dst_endpoint: ends.dst,
            connection_info: ends.info,
            status_id,
            status_detail: errno::of_ret(self.ret.into()),
            duration: None,
            unmapped: AcceptUnmapped {
                syscall: self.syscall(),
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
            Field::with("syscall", serde_json::json!({"enum": ["accept", "accept4"]}), "the call"),
            Field::count("fd", "the listening socket's file descriptor"),
        ];
        fields.extend(crate::socket::inbound_fields(
            "the local address of the new connection (of the listening socket when the accept failed, `null` for one bound to every address)",
            "the local port of the new connection: the listening port",
        ));
        fields.extend([
            Field::strings("flags", "accept4's flags (`SOCK_NONBLOCK`, `SOCK_CLOEXEC`, any other bit in octal); `[]` for accept"),
            Field::integer("ret", "the new connection's file descriptor, or the negative errno"),
            Field::string("errno", "the errno name when it failed (e.g. `\"EAGAIN\"` on a non-blocking socket with no connection waiting), else `null`")
                .nullable(),
        ]);
        crate::schema::task_record(Self::NAME, "One accept(2) or accept4(2), failed ones included.", fields)
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("PID", 7), ("COMM", 16), ("PROTO", 6), ("RET", 12), ("LADDR", 22)],
        last: "RADDR",
    };

    /// As tcpaccept: the local end, the peer (a unix listener's path), RET the new fd
    /// or the errno name.
    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let with_port = |ip: Option<String>, port: Option<u16>| match (ip, port) {
            (Some(ip), Some(port)) if self.ends.family == crate::socket::AF_INET6 => format!("[{ip}]:{port}"),
            (Some(ip), Some(port)) => format!("{ip}:{port}"),
            (Some(ip), None) => ip,
            (None, Some(port)) => format!("*:{port}"),
            (None, None) => "-".to_owned(),
        };
        let proto = self.ends.protocol_name().unwrap_or_else(|| self.ends.family_name());
        let ret = errno::of_ret(self.ret.into()).unwrap_or_else(|| Cow::Owned(self.ret.to_string()));
        let local = match self.ends.shown_path() {
            Some(path) => escape(&path).into_owned(),
            None => with_port(self.ends.source(), self.ends.sport()),
        };
        let (ip, port) = self.peer();
        let remote = with_port(ip, port);
        let cells: [&dyn Display; 6] = [&time_of_day(ctx.utc(self.task.ts_ns)), &self.task.pid, &escape(&self.task.comm), &proto, &ret, &local];
        Self::TEXT.row(line, &cells, &remote);
    }

    #[cfg(test)]
    fn example() -> Option<Vec<u8>> {
        let mut b = crate::decode::tests::header(9, 224); // SN_KIND_ACCEPT
        b[56..60].copy_from_slice(&4i32.to_ne_bytes()); // ret
        b[60..64].copy_from_slice(&3u32.to_ne_bytes()); // fd
        b[64..66].copy_from_slice(&2u16.to_ne_bytes()); // family: AF_INET
        b[66..68].copy_from_slice(&6u16.to_ne_bytes()); // protocol: TCP
        b[68..70].copy_from_slice(&1u16.to_ne_bytes()); // SOCK_STREAM
        b[70..72].copy_from_slice(&8080u16.to_ne_bytes()); // sport
        b[72..74].copy_from_slice(&40000u16.to_ne_bytes()); // dport
        b[76..80].copy_from_slice(&[127, 0, 0, 1]); // saddr
        b[92..96].copy_from_slice(&[127, 0, 0, 2]); // daddr
        b[216..220].copy_from_slice(&0o4000u32.to_ne_bytes()); // flags: SOCK_NONBLOCK
        b[220] = 1; // accept4
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::json;
    use crate::kinds::Event;

    #[test]
    fn an_accepted_connection() {
        let e = decode(&<AcceptEvent as Record>::example().unwrap()).unwrap();
        let v = json(&Event::Accept(e.clone()));
        assert_eq!((&v["syscall"], &v["fd"], &v["ret"], &v["errno"]), (&"accept4".into(), &3.into(), &4.into(), &serde_json::Value::Null));
        assert_eq!((&v["family"], &v["protocol"], &v["socket_type"]), (&"inet".into(), &"tcp".into(), &"stream".into()));
        assert_eq!((&v["saddr"], &v["sport"], &v["daddr"], &v["dport"]), (&"127.0.0.1".into(), &8080.into(), &"127.0.0.2".into(), &40000.into()));
        assert_eq!(v["flags"], serde_json::json!(["SOCK_NONBLOCK"]));
        let o = crate::ocsf::json(&Event::Accept(e.clone()));
        assert_eq!((crate::ocsf::ids(&o), &o["status_id"]), ((4001, 1, 400101), &serde_json::json!(1)));
        assert_eq!((&o["src_endpoint"], &o["dst_endpoint"]), (&serde_json::json!({"ip": "127.0.0.2", "port": 40000}), &serde_json::json!({"ip": "127.0.0.1", "port": 8080})));
        assert_eq!(o["connection_info"]["direction_id"], 1);
        // Failed: no peer; the listening end stays.
        let failed = AcceptEvent { ret: -11, ..e };
        let v = json(&Event::Accept(failed.clone()));
        assert_eq!((&v["errno"], &v["daddr"], &v["dport"], &v["sport"]), (&"EAGAIN".into(), &serde_json::Value::Null, &serde_json::Value::Null, &8080.into()));
        let o = crate::ocsf::json(&Event::Accept(failed));
        assert_eq!((crate::ocsf::ids(&o).1, &o["status_detail"]), (4, &serde_json::json!("EAGAIN")));
        assert!(o.get("src_endpoint").is_none(), "{o}");
    }

    #[test]
    fn flags() {
        assert_eq!(flag_names(0), Vec::<Cow<str>>::new());
        assert_eq!(flag_names(SOCK_NONBLOCK | SOCK_CLOEXEC | 1), ["SOCK_NONBLOCK", "SOCK_CLOEXEC", "01"]);
    }
}
