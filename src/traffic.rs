//! `sysnoop traffic`: cgroup_skb ingress/egress programs on a cgroup v2 subtree (the
//! whole hierarchy by default) count packets and bytes per cgroup, direction and IP
//! protocol in a per-CPU map; every interval, the change since the last one becomes
//! one record per active cgroup. The programs only observe: they let every packet
//! through.

use std::collections::{BTreeMap, HashMap};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::{Link, MapCore};

use crate::bpf::traffic::types::{traffic_key, traffic_value};
use crate::bpf::traffic::{TrafficBpfSkel, TrafficBpfSkelBuilder};
use crate::event::{AlertEvent, Event, Flow, Kind, TrafficEvent};
use crate::session::Source;
use crate::trace::{object_storage, reuse_ring, Config};
use crate::apply_filters;

pub struct Tracer {
    skel: TrafficBpfSkel<'static>,
    _links: [Link; 2],
}

/// Turns the counters' running totals into per-interval records.
pub struct Snapshots<'a> {
    map: &'a dyn MapCore,
    /// The cgroup v2 mount point; records name cgroups relative to it.
    root: PathBuf,
    /// Cumulative counts at the last snapshot, per map key.
    last: HashMap<(u64, u8, u8), Flow>,
    last_ns: u64,
    /// cgroup id (its directory's inode) -> path under `root`.
    names: HashMap<u64, String>,
}

impl Tracer {
    pub fn sources(&self) -> [Source<'_>; 2] {
        [
            Source { kind: Kind::Traffic, counters: Some(&self.skel.maps.counters) },
            Source { kind: Kind::Alert, counters: None },
        ]
    }

    /// Snapshots of this tracer's counts, with cgroups named relative to `root`.
    pub fn snapshots(&self, root: &Path) -> Snapshots<'_> {
        Snapshots { map: &self.skel.maps.traffic, root: root.to_path_buf(), last: HashMap::new(), last_ns: boot_ns(), names: cgroup_names(root) }
    }
}

impl Snapshots<'_> {
    /// The change since the last snapshot: one record per cgroup that moved anything,
    /// and an alert for each that went over `alert` bytes per second.
    pub fn snapshot(&mut self, alert: Option<u64>) -> Vec<Event> {
        let now = boot_ns();
        let interval_ns = now.saturating_sub(self.last_ns).max(1);
        self.last_ns = now;
        let mut by_cgroup: BTreeMap<u64, BTreeMap<u8, Flow>> = BTreeMap::new();
        for (key, per_cpu) in crate::decode::percpu_entries::<traffic_key, traffic_value>(self.map) {
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
        events
    }

    /// The cgroup's path under the mount point, or `cgroup:<id>` when it is gone.
    fn name(&mut self, id: u64) -> String {
        if !self.names.contains_key(&id) {
            self.names = cgroup_names(&self.root);
        }
        self.names.get(&id).cloned().unwrap_or_else(|| format!("cgroup:{id}"))
    }
}

/// Every cgroup under `root`, by id (the directory's inode number on cgroup2).
fn cgroup_names(root: &Path) -> HashMap<u64, String> {
    let mut names = HashMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        if let Ok(meta) = std::fs::metadata(&dir) {
            names.insert(meta.ino(), relative(root, &dir));
        }
        if let Ok(entries) = std::fs::read_dir(&dir) {
            todo.extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
        }
    }
    names
}

fn boot_ns() -> u64 {
    let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_BOOTTIME).expect("CLOCK_BOOTTIME");
    ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
}

/// Loads the counters and attaches them to `cgroup` (a directory of the cgroup v2
/// hierarchy mounted at `root`).
pub fn load(cfg: &Config, cgroup: &Path) -> Result<Tracer> {
    let mut open_skel = TrafficBpfSkelBuilder::default()
        .open(object_storage())
        .context("opening the traffic BPF object")?;
    apply_filters!(
        open_skel.maps.rodata_data.as_deref_mut().expect("traffic.bpf.c has rodata"),
        &cfg.filters,
        cfg.ring_size
    );
    reuse_ring(&mut open_skel.maps.events, cfg)?;
    let skel = open_skel.load().context("loading the traffic BPF programs")?;
    let dir = std::fs::File::open(cgroup).with_context(|| format!("opening cgroup {}", cgroup.display()))?;
    let attach = |prog: &libbpf_rs::ProgramMut<'_>, what: &str| {
        prog.attach_cgroup(dir.as_raw_fd()).with_context(|| format!("attaching the {what} counter to {}", cgroup.display()))
    };
    let links = [attach(&skel.progs.cgroup_skb__ingress, "ingress")?, attach(&skel.progs.cgroup_skb__egress, "egress")?];
    Ok(Tracer { skel, _links: links })
}

/// The interval a snapshot covers by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// The cgroup v2 mount and the directory to attach to (`--cgroup`, else the root),
/// after the checks attaching needs.
pub fn target(cgroup: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
    use crate::preflight;
    preflight::check_net_admin()?;
    let root = preflight::cgroup2_mount().ok_or(preflight::PreflightError::NoCgroup2)?;
    let dir = match cgroup {
        None => root.clone(),
        Some(p) if p.is_absolute() && p.starts_with(&root) => p.to_path_buf(),
        Some(p) => root.join(p.strip_prefix("/").unwrap_or(p)),
    };
    anyhow::ensure!(dir.is_dir(), "{} is not a cgroup v2 directory (under {})", dir.display(), root.display());
    Ok((root, dir))
}

/// `sysnoop traffic`: checks, loads, attaches and runs the session.
pub fn run(args: &crate::cli::TrafficArgs, verbose: bool, out: impl std::io::Write) -> Result<()> {
    use crate::preflight;
    preflight::require()?;
    let (root, cgroup) = target(args.cgroup.as_deref())?;
    // The ring stays empty: traffic is read from the map. The smallest one will do.
    let ring_size = 4096;
    let cfg = Config {
        filters: Default::default(),
        ring: preflight::create_ringbuf("events", ring_size)?,
        ring_size,
        verbose,
        syscall_tracepoints: PathBuf::new(),
        max_arg_bytes: crate::cli::DEFAULT_MAX_ARG_BYTES,
        threads: false,
        ports: Vec::new(),
        tp_btf: true,
        raw_tp: true,
    };
    let tracer = load(&cfg, &cgroup)?;
    let announce = || {
        if !args.quiet {
            eprintln!(
                "sysnoop: tracing traffic (cgroup_skb ingress, egress) of cgroup {} under {}, every {:?}. Ctrl-C to stop.",
                relative(&root, &cgroup),
                root.display(),
                args.interval
            );
        }
    };
    let limits = crate::session::Limits { duration: args.duration, max_events: None, stats_interval: args.stats_interval };
    let alert = args.alert_bytes_per_sec;
    let mut snapshots = tracer.snapshots(&root);
    let periodic = crate::session::Periodic { every: Some(args.interval), produce: Box::new(move || snapshots.snapshot(alert)) };
    crate::session::run(&cfg.ring, &tracer.sources(), &limits, Some(periodic), announce, out)
}

/// `dir` as records name it: its path under the cgroup v2 mount `root`.
pub fn relative(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(p) if p.as_os_str().is_empty() => "/".into(),
        Ok(p) => format!("/{}", p.display()),
        Err(_) => dir.display().to_string(),
    }
}
