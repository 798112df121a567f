//! The two ends of a socket connect, as connect's records and BPF-LSM's socket_connect
//! records both show them: decoded from the same raw fields (bpf/connect.h, bpf/lsm.h)
//! and written once, in native JSON and in OCSF.

use std::borrow::Cow;

use serde::Serialize;

use crate::decode::Malformed;
use crate::ocsf::{ConnectionInfo, Endpoint};
use crate::schema::Field;
use crate::text;

const AF_UNSPEC: u16 = 0;
pub(crate) const AF_UNIX: u16 = 1;
pub(crate) const AF_INET: u16 = 2;
pub(crate) const AF_INET6: u16 = 10;

/// The two ends of a socket connect as records show them, for connect's records and
/// BPF-LSM's (src/kinds/lsm.rs): written once, from the raw fields each record has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocketEnds {
    /// The address family passed (AF_INET, AF_INET6, AF_UNIX, ...).
    pub(crate) family: u16,
    /// The socket's sk_protocol and sk_type; 0 when the socket could not be read.
    pub(crate) protocol: u16,
    pub(crate) sock_type: u16,
    /// The local port as the kernel had it (0: not bound).
    pub(crate) local_port: u16,
    pub(crate) dport: u16,
    /// The local and destination addresses: 4 bytes for AF_INET, 16 for AF_INET6.
    pub(crate) saddr: [u8; 16],
    pub(crate) daddr: [u8; 16],
    /// AF_UNIX: the path; an abstract name starts with a NUL.
    pub(crate) path: Vec<u8>,
}

/// The `SocketEnds` of a kernel record that has the socket's fields under the same names
/// (bpf/connect.h, bpf/lsm.h); `?` on a unix path that overruns its field.
macro_rules! socket_ends {
    ($e:expr) => {
        $crate::socket::SocketEnds {
            family: $e.family,
            protocol: $e.protocol,
            sock_type: $e.sock_type,
            local_port: $e.sport,
            dport: $e.dport,
            saddr: $e.saddr,
            daddr: $e.daddr,
            path: $crate::socket::unix_path(&$e.path, $e.path_len)?,
        }
    };
}
pub(crate) use socket_ends;

impl SocketEnds {
    /// The native record's view of the two ends: its fields from `family` to
    /// `path_hex`, the same in connect's records and BPF-LSM's.
    pub(crate) fn record(&self) -> EndsRecord {
        let (path, path_hex) = self.rendered_path().map_or((None, None), |r| (Some(r.text), r.hex));
        EndsRecord {
            family: self.family_name(),
            protocol: self.protocol_name(),
            socket_type: self.socket_type_name(),
            saddr: self.source(),
            sport: self.sport(),
            daddr: self.address(&self.daddr),
            dport: self.is_inet().then_some(self.dport),
            path,
            path_hex,
        }
    }

    /// The native record's view of an inbound socket's ends (accept): as `record`, the
    /// peer's address and port (`daddr`, `dport`) only once `connected`.
    pub(crate) fn record_inbound(&self, connected: bool) -> EndsRecord {
        let mut record = self.record();
        if !connected {
            (record.daddr, record.dport) = (None, None);
        }
        record
    }

    /// OCSF's view of an inbound socket's ends (accept): the peer as `src_endpoint` once
    /// `connected`; the local end (its address and port, a unix path as its name) as
    /// `dst_endpoint`; `connection_info` inbound.
    pub(crate) fn ocsf_inbound(&self, connected: bool) -> OcsfEnds {
        let path = self.rendered_path();
        let protocol = self.protocol_name();
        let dst = match (self.source(), &path) {
            (_, Some(path)) => Endpoint { name: Some(path.text.clone()), ..Endpoint::default() },
            (ip, None) if self.is_inet() => Endpoint { ip, port: self.sport(), ..Endpoint::default() },
            (_, None) => Endpoint { name: Some(self.family_name()), ..Endpoint::default() },
        };
        let src = match self.address(&self.daddr) {
            Some(ip) if connected => Some(Endpoint { ip: Some(ip), port: Some(self.dport), ..Endpoint::default() }),
            _ => None,
        };
        let info = ConnectionInfo {
            direction_id: 1, // Inbound
            protocol_num: protocol.is_some().then_some(self.protocol),
            protocol_name: protocol,
            protocol_ver_id: match self.family {
                AF_INET => Some(4),
                AF_INET6 => Some(6),
                _ => None,
            },
        };
        OcsfEnds { src, dst, info, path_hex: path.and_then(|p| p.hex) }
    }

    /// OCSF's view of the two ends: `src_endpoint` when bound; `dst_endpoint` (the
    /// address and port, a unix path as its name, else the family); `connection_info`
    /// (outbound, the protocol, the IP version); and the unix path's bytes in hex when
    /// they are not UTF-8.
    pub(crate) fn ocsf_ends(&self) -> OcsfEnds {
        let path = self.rendered_path();
        let protocol = self.protocol_name();
        let dst = match (self.address(&self.daddr), &path) {
            (Some(ip), _) => Endpoint { ip: Some(ip), port: Some(self.dport), ..Endpoint::default() },
            (None, Some(path)) => Endpoint { name: Some(path.text.clone()), ..Endpoint::default() },
            (None, None) => Endpoint { name: Some(self.family_name()), ..Endpoint::default() },
        };
        let info = ConnectionInfo {
            direction_id: 2, // Outbound
            protocol_num: protocol.is_some().then_some(self.protocol),
            protocol_name: protocol,
            protocol_ver_id: match self.family {
                AF_INET => Some(4),
                AF_INET6 => Some(6),
                _ => None,
            },
        };
        let src = self.source().map(|ip| Endpoint { ip: Some(ip), port: self.sport(), ..Endpoint::default() });
        OcsfEnds { src, dst, info, path_hex: path.and_then(|p| p.hex) }
    }

    pub(crate) fn address(&self, bytes: &[u8; 16]) -> Option<String> {
        let addr: std::net::IpAddr = match self.family {
            AF_INET => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(&bytes[..4]).unwrap()).into(),
            AF_INET6 => std::net::Ipv6Addr::from(*bytes).into(),
            _ => return None,
        };
        Some(addr.to_string())
    }

    pub(crate) fn is_inet(&self) -> bool {
        matches!(self.family, AF_INET | AF_INET6)
    }

    /// The bound source address; unbound (0.0.0.0, port 0) reads as unknown.
    pub(crate) fn source(&self) -> Option<String> {
        self.address(&self.saddr).filter(|_| self.saddr != [0; 16])
    }

    pub(crate) fn sport(&self) -> Option<u16> {
        (self.is_inet() && self.local_port != 0).then_some(self.local_port)
    }

    pub(crate) fn family_name(&self) -> Cow<'static, str> {
        match self.family {
            AF_UNSPEC => Cow::Borrowed("unspec"),
            AF_UNIX => Cow::Borrowed("unix"),
            AF_INET => Cow::Borrowed("inet"),
            AF_INET6 => Cow::Borrowed("inet6"),
            other => Cow::Owned(format!("af_{other}")),
        }
    }

    pub(crate) fn protocol_name(&self) -> Option<Cow<'static, str>> {
        match (self.is_inet(), self.protocol) {
            (false, _) | (true, 0) => None,
            (true, 6) => Some(Cow::Borrowed("tcp")),
            (true, 17) => Some(Cow::Borrowed("udp")),
            (true, other) => Some(Cow::Owned(format!("ip_{other}"))),
        }
    }

    pub(crate) fn socket_type_name(&self) -> Option<Cow<'static, str>> {
        match self.sock_type {
            0 => None,
            1 => Some(Cow::Borrowed("stream")),
            2 => Some(Cow::Borrowed("dgram")),
            3 => Some(Cow::Borrowed("raw")),
            5 => Some(Cow::Borrowed("seqpacket")),
            other => Some(Cow::Owned(format!("type_{other}"))),
        }
    }

    /// AF_UNIX: the path as records show it; an abstract name as ss(8) does, with '@'
    /// for the leading NUL.
    pub(crate) fn rendered_path(&self) -> Option<text::Rendered<'static>> {
        let shown = self.shown_path()?;
        let r = text::render(&shown);
        Some(text::Rendered { text: Cow::Owned(r.text.into_owned()), hex: r.hex })
    }

    /// AF_UNIX: the path's bytes as records show them ('@' for an abstract name's NUL).
    pub(crate) fn shown_path(&self) -> Option<Vec<u8>> {
        (self.family == AF_UNIX).then(|| match self.path.split_first() {
            Some((0, rest)) => [b"@".as_slice(), rest].concat(),
            _ => self.path.clone(),
        })
    }
}

/// See `SocketEnds::record`.
#[derive(Serialize)]
pub(crate) struct EndsRecord {
    family: Cow<'static, str>,
    protocol: Option<Cow<'static, str>>,
    socket_type: Option<Cow<'static, str>>,
    saddr: Option<String>,
    sport: Option<u16>,
    daddr: Option<String>,
    dport: Option<u16>,
    path: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hex: Option<String>,
}

/// A Network Activity event about a socket's ends (connect, connect_result, accept): the
/// task, this host, the ends as `SocketEnds::ocsf_ends`/`ocsf_inbound` give them, the
/// status, and the record's own fields under `unmapped`.
#[derive(Serialize)]
pub(crate) struct NetworkOcsf<'a, U> {
    pub(crate) actor: crate::ocsf::Actor<'a>,
    pub(crate) device: &'a serde_json::value::RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) src_endpoint: Option<Endpoint<'a>>,
    pub(crate) dst_endpoint: Endpoint<'static>,
    pub(crate) connection_info: ConnectionInfo,
    pub(crate) status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status_detail: Option<Cow<'static, str>>,
    /// Milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) duration: Option<u64>,
    pub(crate) unmapped: U,
}

/// See `SocketEnds::ocsf_ends`.
pub(crate) struct OcsfEnds {
    pub(crate) src: Option<Endpoint<'static>>,
    pub(crate) dst: Endpoint<'static>,
    pub(crate) info: ConnectionInfo,
    pub(crate) path_hex: Option<String>,
}

/// A sockaddr_un's path as records carry it: an abstract name (a leading NUL) whole, up
/// to `path_len`; a filesystem path up to its first NUL.
pub(crate) fn unix_path(path: &[std::ffi::c_char], path_len: u16) -> Result<Vec<u8>, Malformed> {
    let len = usize::from(path_len);
    if len > path.len() {
        return Err(Malformed::Length { field: "path_len", value: len, len: path.len() });
    }
    let raw: Vec<u8> = path[..len].iter().map(|&c| c as u8).collect();
    Ok(if raw.first() == Some(&0) { raw } else { text::c_bytes(path).to_vec() })
}

/// A port in a record's schema: 0 to 65535, or null.
pub(crate) fn port_schema() -> serde_json::Value {
    serde_json::json!({"type": ["integer", "null"], "minimum": 0, "maximum": 65535})
}

/// The fields of an inbound socket's ends (`SocketEnds::record_inbound`), with the
/// local address's and port's descriptions.
pub(crate) fn inbound_fields(saddr: &str, sport: &str) -> Vec<Field> {
    vec![
        Field::string("family", "the socket's address family: `\"inet\"`, `\"inet6\"`, `\"unix\"`, else `\"af_<n>\"`"),
        Field::string("protocol", "inet sockets: `\"tcp\"`, else `\"ip_<n>\"`; `null` for others (unix sockets)").nullable(),
        Field::string("socket_type", "`\"stream\"`, `\"seqpacket\"`, else `\"type_<n>\"`; `null` when unknown").nullable(),
        Field::string("saddr", saddr).nullable(),
        Field::with("sport", port_schema(), sport),
        Field::string("daddr", "the peer's address; `null` when the accept failed, and for unix sockets").nullable(),
        Field::with("dport", port_schema(), "the peer's port; `null` when the accept failed, and for unix sockets"),
        Field::string("path", "unix sockets: the listening socket's path, or `@name` for an abstract socket (with `path_hex` when not UTF-8); else `null`")
            .nullable(),
        Field::hex("path_hex", "path"),
    ]
}

/// The destination fields connect's and BPF-LSM's socket_connect records both end
/// their socket ends with (`EndsRecord`), described once.
pub(crate) fn destination_fields() -> [Field; 4] {
    [
        Field::string("daddr", "the destination address passed; `null` for unix sockets").nullable(),
        Field::with("dport", port_schema(), "the destination port passed; `null` for unix sockets"),
        Field::string("path", "unix sockets: the path, or `@name` for an abstract socket (with `path_hex` when not UTF-8); else `null`").nullable(),
        Field::hex("path_hex", "path"),
    ]
}
