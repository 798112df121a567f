//! `sysnoop traffic`: cgroup_skb ingress/egress programs (bpf/traffic.bpf.c) on a
//! cgroup v2 subtree (the whole hierarchy by default) count packets and bytes per
//! cgroup, direction and IP protocol in a per-CPU map; every interval, the change since
//! the last one becomes one record per active cgroup, and an alert above a rate. The
//! programs only observe: they let every packet through.

use std::borrow::Cow;
use std::fmt::Display;
use std::collections::{BTreeMap, HashMap};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use libbpf_rs::{MapCore, MapHandle};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::bpf::traffic::types::{traffic_key, traffic_value};
use crate::bpf::traffic::TrafficBpfSkel;
use crate::cgroup::relative;
use crate::units::parse_duration;
use crate::clock::boot_ns;
use crate::event::RecordContext;
use crate::columns::{duration, escape, time_of_day, Header};
use crate::event::{push_record_line, Record};
use crate::kinds::Event;
use crate::kinds::{InAll, Kind, Tracer};
use crate::loader::{counted, Hooks, Loaded, Shared};
use crate::loader::{Periodic, Source};
use crate::ocsf::{self, Actor, Class, Endpoint, Ocsf};
use crate::schema::Field;
use crate::{plain_abi, preflight};

/// Count network traffic per cgroup (service, container), by direction and
/// protocol, with cgroup_skb programs that only observe; print one record per active
/// cgroup every interval, and alerts above a rate.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Traffic options")]
pub(crate) struct TrafficOptions {
    /// Print the traffic of each active cgroup this often, e.g. 1s, 500ms.
    #[arg(short = 'i', long, visible_alias = "traffic-interval", value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub(crate) interval: Duration,

    /// Emit an "alert" record when a cgroup moves more than this many bytes per
    /// second (received plus sent) in an interval.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) alert_bytes_per_sec: Option<u64>,
}

pub(crate) struct Traffic;

impl Tracer for Traffic {
    const NAME: &'static str = "traffic";
    /// Where it can be counted: no cgroup v2 or no CAP_NET_ADMIN leaves the rest of
    /// `all` as it is.
    const IN_ALL: InAll = InAll::IfAvailable { unavailable: "traffic is not counted" };
    const PER_TASK: bool = false;
    type Options = TrafficOptions;

    fn load(shared: &Shared, options: &TrafficOptions) -> Result<Loaded> {
        let (root, cgroup) = target(shared.cgroup())?;
        let open = shared.open::<TrafficBpfSkel>()?;
        let skel = shared.load::<TrafficBpfSkel>(open)?;
        let dir = std::fs::File::open(&cgroup).with_context(|| format!("opening cgroup {}", cgroup.display()))?;
        let attach = |prog: &libbpf_rs::ProgramMut<'_>, what: &str| {
            prog.attach_cgroup(dir.as_raw_fd()).with_context(|| format!("attaching the {what} counter to {}", cgroup.display()))
        };
        let links = [attach(&skel.progs.cgroup_skb__ingress, "ingress")?, attach(&skel.progs.cgroup_skb__egress, "egress")?];
        let mut hooks = Hooks::new(Self::NAME, vec!["cgroup_skb ingress, egress".into()]);
        hooks.detail = Some(format!("of cgroup {} under {}, every {:?}", relative(&root, &cgroup), root.display(), options.interval));
        let mut snapshots = Snapshots {
            map: MapHandle::try_from(&skel.maps.traffic).context("reading the traffic counters")?,
            names: crate::cgroup::walk(&root).0,
            root,
            last: HashMap::new(),
            last_ns: boot_ns(),
        };
        let alert = options.alert_bytes_per_sec;
        let periodic = Periodic { every: Some(options.interval), produce: Box::new(move || snapshots.snapshot(alert)) };
        let sources = vec![counted(Kind::Traffic, &skel)?, Source { kind: Kind::Alert, counters: None, skippable: None }];
        Ok(Loaded { hooks, sources, periodic: Some(periodic), dedup: None, snapshot: None, attached: Box::new((skel, links)) })
    }
}

/// The cgroup v2 mount and the directory to attach to (`--cgroup`, else the root),
/// after the checks attaching needs.
pub(crate) fn target(cgroup: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
    preflight::check_net_admin()?;
    preflight::cgroup_dir(cgroup)
}

plain_abi!(traffic_key, traffic_value);

/// Turns the counters' running totals into per-interval records.
struct Snapshots {
    map: MapHandle,
    /// The cgroup v2 mount point; records name cgroups relative to it.
    root: PathBuf,
    /// Cumulative counts at the last snapshot, per map key.
    last: HashMap<(u64, u8, u8), Flow>,
    last_ns: u64,
    /// cgroup id (its directory's inode) -> path under `root`.
    names: HashMap<u64, String>,
}

impl Snapshots {
    /// The change since the last snapshot: one record per cgroup that moved anything,
    /// and an alert for each that went over `alert` bytes per second.
    fn snapshot(&mut self, alert: Option<u64>) -> anyhow::Result<Vec<Event>> {
        let now = boot_ns();
        let interval_ns = now.saturating_sub(self.last_ns).max(1);
        self.last_ns = now;
        let mut by_cgroup: BTreeMap<u64, BTreeMap<u8, Flow>> = BTreeMap::new();
        for (key, per_cpu) in crate::decode::percpu_entries::<traffic_key, traffic_value>(&self.map as &dyn MapCore)? {
            // Running totals since attach, summed over CPUs.
            let mut total = Flow::default();
            for v in &per_cpu {
                let flow = if key.ingress != 0 {
                    Flow { rx_bytes: v.bytes, rx_packets: v.packets, ..Flow::default() }
                } else {
                    Flow { tx_bytes: v.bytes, tx_packets: v.packets, ..Flow::default() }
                };
                total.add(&flow);
            }
            let last = self.last.insert((key.cgroup_id, key.ingress, key.protocol), total).unwrap_or_default();
            let delta = Flow {
                rx_bytes: total.rx_bytes - last.rx_bytes,
                tx_bytes: total.tx_bytes - last.tx_bytes,
                rx_packets: total.rx_packets - last.rx_packets,
                tx_packets: total.tx_packets - last.tx_packets,
            };
            if delta != Flow::default() {
                by_cgroup.entry(key.cgroup_id).or_default().entry(key.protocol).or_default().add(&delta);
            }
        }
        let mut events = Vec::new();
        for (cgroup_id, protocols) in by_cgroup {
            let cgroup = self.name(cgroup_id);
            let traffic = TrafficEvent { ts_ns: now, cgroup_id, cgroup: cgroup.clone(), interval_ns, protocols };
            let total = traffic.total();
            let rate = ((total.rx_bytes + total.tx_bytes) as u128 * 1_000_000_000 / u128::from(interval_ns)) as u64;
            events.push(Event::Traffic(traffic));
            if let Some(threshold) = alert.filter(|&t| rate > t) {
                events.push(Event::Alert(AlertEvent { ts_ns: now, cgroup_id, cgroup, bytes_per_sec: rate, threshold }));
            }
        }
        Ok(events)
    }

    /// The cgroup's path under the mount point, or `cgroup:<id>` when it is gone.
    fn name(&mut self, id: u64) -> String {
        if !self.names.contains_key(&id) {
            self.names = crate::cgroup::walk(&self.root).0;
        }
        self.names.get(&id).cloned().unwrap_or_else(|| format!("cgroup:{id}"))
    }
}

/// Packets and bytes one way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Flow {
    pub(crate) rx_bytes: u64,
    pub(crate) tx_bytes: u64,
    pub(crate) rx_packets: u64,
    pub(crate) tx_packets: u64,
}

impl Flow {
    pub(crate) fn add(&mut self, other: &Flow) {
        self.rx_bytes += other.rx_bytes;
        self.tx_bytes += other.tx_bytes;
        self.rx_packets += other.rx_packets;
        self.tx_packets += other.tx_packets;
    }
}

/// One cgroup's traffic over one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrafficEvent {
    /// CLOCK_BOOTTIME nanoseconds at the end of the interval.
    pub(crate) ts_ns: u64,
    pub(crate) cgroup_id: u64,
    pub(crate) cgroup: String,
    pub(crate) interval_ns: u64,
    /// By IP protocol number (0: not IP).
    pub(crate) protocols: BTreeMap<u8, Flow>,
}

impl TrafficEvent {
    pub(crate) fn total(&self) -> Flow {
        let mut total = Flow::default();
        self.protocols.values().for_each(|f| total.add(f));
        total
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

impl Record for TrafficEvent {
    const NAME: &'static str = "traffic";

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_record_line(line, Self::NAME, ctx.utc(self.ts_ns), &ctx.session, &TrafficRecord {
            cgroup_id: self.cgroup_id,
            cgroup: &self.cgroup,
            interval_ns: self.interval_ns,
            total: self.total(),
            protocols: self.protocols.iter().map(|(&p, f)| (ip_protocol(p), *f)).collect(),
        })
    }

    fn schema() -> serde_json::Value {
        let flow = serde_json::json!({
            "type": "object",
            "properties": {
                "rx_bytes": {"type": "integer", "minimum": 0, "description": "bytes of that protocol received"},
                "tx_bytes": {"type": "integer", "minimum": 0, "description": "bytes of that protocol sent"},
                "rx_packets": {"type": "integer", "minimum": 0, "description": "packets of that protocol received"},
                "tx_packets": {"type": "integer", "minimum": 0, "description": "packets of that protocol sent"},
            },
            "required": ["rx_bytes", "tx_bytes", "rx_packets", "tx_packets"],
            "additionalProperties": false,
        });
        crate::schema::record(Self::NAME, "One cgroup's traffic over one interval.", vec![
            Field::count("cgroup_id", "the cgroup v2 id"),
            Field::string("cgroup", "its path under the cgroup v2 mount (`cgroup:<id>` once it is gone)"),
            Field::count("interval_ns", "the time the counts cover"),
            Field::count("rx_bytes", "bytes (IP packet lengths) received by sockets in that cgroup during the interval"),
            Field::count("tx_bytes", "bytes (IP packet lengths) sent by sockets in that cgroup during the interval"),
            Field::count("rx_packets", "packets received by sockets in that cgroup during the interval"),
            Field::count("tx_packets", "packets sent by sockets in that cgroup during the interval"),
            Field::with(
                "protocols",
                serde_json::json!({"type": "object", "propertyNames": {"title": "protocol"}, "additionalProperties": flow}),
                "the same, by IP protocol: `tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, else `ip_<n>`; `other` for non-IP",
            ),
        ])
    }

    const TEXT: Header = Header {
        columns: &[("TIME(UTC)", 12), ("RX_BYTES", 12), ("TX_BYTES", 12), ("RX_PKTS", 9), ("TX_PKTS", 9), ("INTERVAL", 9)],
        last: "CGROUP",
    };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let t = self.total();
        let cells: [&dyn Display; 6] =
            [&time_of_day(ctx.utc(self.ts_ns)), &t.rx_bytes, &t.tx_bytes, &t.rx_packets, &t.tx_packets, &duration(self.interval_ns)];
        Self::TEXT.row(line, &cells, &escape(self.cgroup.as_bytes()));
    }

    /// Network Activity, Traffic, over the interval: the cgroup is the actor (as an
    /// application: a cgroup is a service or a container) and, on this host, the
    /// endpoint; the per-protocol split stays under `unmapped`.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        let total = self.total();
        let end = ctx.utc(self.ts_ns);
        let start = ctx.utc(self.ts_ns.saturating_sub(self.interval_ns));
        let body = TrafficOcsf {
            actor: Actor { process: None, user: None, app_name: Some(&self.cgroup) },
            device: ocsf.device(),
            dst_endpoint: Endpoint { name: Some(Cow::Borrowed(&self.cgroup)), hostname: ocsf.hostname(), ..Endpoint::default() },
            traffic: ocsf::Traffic {
                bytes_in: total.rx_bytes,
                bytes_out: total.tx_bytes,
                packets_in: total.rx_packets,
                packets_out: total.tx_packets,
                bytes: total.rx_bytes + total.tx_bytes,
                packets: total.rx_packets + total.tx_packets,
            },
            start_time: ocsf::time_ms(start),
            end_time: ocsf::time_ms(end),
            duration: ocsf::duration_ms(self.interval_ns),
            unmapped: TrafficUnmapped {
                cgroup_id: self.cgroup_id,
                cgroup: &self.cgroup,
                interval_ns: self.interval_ns,
                protocols: self.protocols.iter().map(|(&p, f)| (ip_protocol(p), *f)).collect(),
            },
        };
        ocsf.push(line, Class::Network, ACTIVITY_TRAFFIC, end, &body);
    }
}

/// Network Activity: Traffic.
const ACTIVITY_TRAFFIC: u8 = 6;

#[derive(Serialize)]
struct TrafficOcsf<'a> {
    actor: Actor<'a>,
    device: &'a RawValue,
    dst_endpoint: Endpoint<'a>,
    traffic: ocsf::Traffic,
    start_time: i64,
    end_time: i64,
    duration: u64,
    unmapped: TrafficUnmapped<'a>,
}

#[derive(Serialize)]
struct TrafficUnmapped<'a> {
    cgroup_id: u64,
    cgroup: &'a str,
    interval_ns: u64,
    protocols: BTreeMap<Cow<'static, str>, Flow>,
}

#[derive(Serialize)]
struct TrafficRecord<'a> {
    cgroup_id: u64,
    cgroup: &'a str,
    interval_ns: u64,
    #[serde(flatten)]
    total: Flow,
    protocols: BTreeMap<Cow<'static, str>, Flow>,
}

/// A cgroup moved more bytes per second than --alert-bytes-per-sec in an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlertEvent {
    pub(crate) ts_ns: u64,
    pub(crate) cgroup_id: u64,
    pub(crate) cgroup: String,
    pub(crate) bytes_per_sec: u64,
    pub(crate) threshold: u64,
}

impl Record for AlertEvent {
    const NAME: &'static str = "alert";

    fn write_json(&self, ctx: &RecordContext, line: &mut Vec<u8>) {
        push_record_line(line, Self::NAME, ctx.utc(self.ts_ns), &ctx.session, &AlertRecord {
            severity: "warning",
            cgroup_id: self.cgroup_id,
            cgroup: &self.cgroup,
            bytes_per_sec: self.bytes_per_sec,
            threshold: self.threshold,
        })
    }

    fn schema() -> serde_json::Value {
        crate::schema::record(Self::NAME, "A cgroup moved more bytes per second than --alert-bytes-per-sec in an interval.", vec![
            Field::with("severity", serde_json::json!({"const": "warning"}), "always `warning`"),
            Field::count("cgroup_id", "the cgroup v2 id"),
            Field::string("cgroup", "its path under the cgroup v2 mount (`cgroup:<id>` once it is gone)"),
            Field::count("bytes_per_sec", "the cgroup's rate in that interval, received plus sent"),
            Field::count("threshold", "`--alert-bytes-per-sec`"),
        ])
    }

    const TEXT: Header = Header { columns: &[("TIME(UTC)", 12), ("BYTES/S", 12), ("THRESHOLD", 12)], last: "CGROUP" };

    fn write_text(&self, ctx: &RecordContext, line: &mut String) {
        let cells: [&dyn Display; 3] = [&time_of_day(ctx.utc(self.ts_ns)), &self.bytes_per_sec, &self.threshold];
        Self::TEXT.row(line, &cells, &escape(self.cgroup.as_bytes()));
    }

    /// An alert sysnoop raises itself, not a detection of OCSF's kinds: a Base Event
    /// with the native record.
    fn write_ocsf(&self, ctx: &RecordContext, ocsf: &Ocsf, line: &mut Vec<u8>) {
        ocsf.push_unmapped(line, ctx.utc(self.ts_ns), |native| self.write_json(ctx, native));
    }
}

#[derive(Serialize)]
struct AlertRecord<'a> {
    severity: &'static str,
    cgroup_id: u64,
    cgroup: &'a str,
    bytes_per_sec: u64,
    threshold: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{assert_keys_in_order, json};

    #[test]
    fn traffic_and_alert_records() {
        let protocols = BTreeMap::from([(6, Flow { rx_bytes: 10, tx_bytes: 20, rx_packets: 1, tx_packets: 2 }), (200, Flow { tx_bytes: 5, tx_packets: 1, ..Flow::default() })]);
        let e = Event::Traffic(TrafficEvent { ts_ns: 1, cgroup_id: 9, cgroup: "/a".into(), interval_ns: 1_000, protocols });
        assert_keys_in_order(&e, &["kind", "time", "session", "cgroup_id", "cgroup", "interval_ns", "rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "protocols"]);
        let v = json(&e);
        assert_eq!((v["kind"].as_str(), v["tx_bytes"].as_u64(), v["tx_packets"].as_u64()), (Some("traffic"), Some(25), Some(3)));
        assert_eq!(v["protocols"]["ip_200"]["tx_bytes"], 5);
        assert_eq!(v["protocols"]["tcp"]["rx_bytes"], 10);
        let e = Event::Alert(AlertEvent { ts_ns: 1, cgroup_id: 9, cgroup: "/a".into(), bytes_per_sec: 30, threshold: 20 });
        assert_keys_in_order(&e, &["kind", "time", "session", "severity", "cgroup_id", "cgroup", "bytes_per_sec", "threshold"]);
        let v = json(&e);
        assert_eq!((v["kind"].as_str(), v["severity"].as_str(), v["bytes_per_sec"].as_u64()), (Some("alert"), Some("warning"), Some(30)));
    }
}
