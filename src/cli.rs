//! The command line, as clap derive types. Doc comments are the `--help` text.
//! Values are parsed (and rejected with exit status 2) here; `config` turns them into
//! what the tracers use.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Watch this Linux host through eBPF and print what happens as NDJSON, one JSON
/// object per line, ready for jq.
///
/// Needs root, or CAP_BPF and CAP_PERFMON. Run `sysnoop doctor` to check a host.
/// Exit status: 0 done, 1 cannot trace here (or a runtime error), 2 bad usage.
#[derive(Debug, Parser)]
#[command(name = "sysnoop", version, propagate_version = true)]
pub struct Cli {
    /// Show libbpf's debug output (BPF loading, relocation, verifier) on stderr.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check this host before tracing: kernel, BTF, privileges, tracefs, cgroup v2,
    /// BPF-LSM, ring buffer. One JSON object per check; exit 0 when sysnoop can trace
    /// here, 1 when it cannot.
    Doctor,

    /// Trace file opens (open, openat, openat2, creat) on the whole host.
    ///
    /// One record per completed open: who opened what, with which flags, and the
    /// result (fd, or the errno name when it failed).
    Open(TraceArgs),

    /// Trace program executions on the whole host, failed ones included.
    ///
    /// One record per exec: the program, its full argv (up to --max-arg-bytes, and
    /// `argv_truncated` says when it was cut), the result and the cgroup. Successful
    /// execs are seen whatever the path (execve, execveat, #! scripts); -x keeps only
    /// the failed ones.
    Exec(ExecArgs),

    /// Trace process exits on the whole host: how (exit status, or the signal that
    /// killed it, and whether it dumped core) and after how long. -x keeps only
    /// processes that exited non-zero or were killed.
    Exit(ExitArgs),

    /// Trace connect(2) calls on the whole host, failed ones included: TCP and UDP over
    /// IPv4 and IPv6, and unix sockets, with both ends' addresses.
    Connect(ConnectArgs),

    /// Trace every syscall on the host, with its result and latency (strace without
    /// ptrace); usually with -p, and --syscall to pick some.
    Syscalls(SyscallsArgs),

    /// Count network traffic per cgroup (service, container), by direction and
    /// protocol, with cgroup_skb programs that only observe; print one record per active
    /// cgroup every interval, and alerts above a rate.
    Traffic(TrafficArgs),

    /// Trace everything sysnoop knows at once (open, exec, exit, connect, and traffic
    /// per cgroup) in one stream, in the order the kernel recorded it, with one
    /// summary. The process filters apply to every kind but traffic, which is per
    /// cgroup; where traffic cannot be counted (no cgroup v2, no CAP_NET_ADMIN) the run
    /// goes on without it and says so.
    All(AllArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TrafficArgs {
    /// Count only this cgroup v2 subtree: a path under the cgroup v2 mount, or an
    /// absolute directory in it (default: the whole hierarchy).
    #[arg(long, value_name = "PATH")]
    pub cgroup: Option<std::path::PathBuf>,

    /// Print the traffic of each active cgroup this often, e.g. 1s, 500ms.
    #[arg(short = 'i', long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Emit an "alert" record when a cgroup moves more than this many bytes per
    /// second (received plus sent) in an interval.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub alert_bytes_per_sec: Option<u64>,

    /// Stop after this long, e.g. 5s, 2m (default: until Ctrl-C).
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Print the event counters on stderr at this interval, e.g. 1s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub stats_interval: Option<Duration>,

    /// Do not print the "tracing ..." line on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SyscallsArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Only these syscalls, by name, e.g. openat,close.
    #[arg(long, value_name = "NAME[,NAME]", value_parser = parse_syscalls)]
    pub syscall: Option<SyscallNumbers>,

    /// Count in the kernel instead (like syscount): calls, errors, total and longest
    /// latency per syscall, as "syscall_count" records at the end (or every -i).
    #[arg(short = 'c', long)]
    pub count: bool,

    /// --count: count per process too.
    #[arg(short = 'P', long, requires = "count")]
    pub per_process: bool,

    /// --count: only the N most called.
    #[arg(long, value_name = "N", requires = "count", value_parser = clap::value_parser!(u64).range(1..))]
    pub top: Option<u64>,

    /// --count: print the counts of each interval this often, e.g. 1s.
    #[arg(short = 'i', long, value_name = "DURATION", requires = "count", value_parser = parse_duration)]
    pub interval: Option<Duration>,

    /// --count: count only calls that fail with this error, e.g. EBADF.
    #[arg(long, value_name = "NAME", requires = "count", value_parser = parse_errno)]
    pub errno: Option<i32>,
}

/// `EBADF` -> 9.
pub fn parse_errno(s: &str) -> Result<i32, String> {
    crate::errno::number(s).ok_or_else(|| format!("`{s}` is not an errno name (e.g. EBADF, ENOENT)"))
}

/// Syscall numbers for this architecture, from names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallNumbers(pub Vec<u32>);

/// `openat,close`: names this architecture has.
pub fn parse_syscalls(s: &str) -> Result<SyscallNumbers, String> {
    s.split(',')
        .map(|name| {
            let name = name.trim();
            crate::syscalls::number(name).ok_or_else(|| format!("`{name}` is not a syscall on this architecture"))
        })
        .collect::<Result<Vec<u32>, String>>()
        .map(SyscallNumbers)
}

/// The most ports --port takes.
pub const MAX_PORTS: usize = crate::bpf::connect::types::connect_abi::CONNECT_PORTS_MAX.0 as usize;

#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Only connects to these destination ports, e.g. 443 or 80,443 (at most 8).
    #[arg(long, value_name = "PORT[,PORT]", value_parser = parse_ports)]
    pub port: Option<Ports>,
}

/// Destination ports, as one comma-separated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ports(pub Vec<u16>);

/// `80,443`: one to MAX_PORTS ports, each 1-65535.
pub fn parse_ports(s: &str) -> Result<Ports, String> {
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

#[derive(Debug, Clone, Args)]
pub struct AllArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// exec: capture at most this many bytes of each exec's arguments (up to 65536).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_ARG_BYTES,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ARG_BYTES)))]
    pub max_arg_bytes: u32,

    /// exit: also report the exit of every thread, not only of whole processes.
    #[arg(long)]
    pub threads: bool,

    /// traffic: one record per active cgroup this often, e.g. 1s.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub traffic_interval: Duration,

    /// traffic: an alert when a cgroup moves more than this many bytes per second.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub alert_bytes_per_sec: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct ExitArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Also report the exit of every thread, not only of whole processes.
    #[arg(long)]
    pub threads: bool,
}

/// Default for --max-arg-bytes.
pub const DEFAULT_MAX_ARG_BYTES: u32 = crate::bpf::exec::types::exec_abi::EXEC_ARGS_DEFAULT.0;
/// The most argv bytes a record can carry.
pub const MAX_ARG_BYTES: u32 = crate::bpf::exec::types::exec_abi::EXEC_ARGS_MAX.0;

#[derive(Debug, Clone, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Capture at most this many bytes of each exec's arguments (up to 65536); a cut
    /// argv is marked with "argv_truncated": true.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_ARG_BYTES,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ARG_BYTES)))]
    pub max_arg_bytes: u32,
}

/// Options every tracer takes.
#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// Only this process (thread-group id).
    #[arg(short = 'p', long, value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub pid: Option<u32>,

    /// Only this thread (thread id).
    #[arg(short = 't', long, value_name = "TID", value_parser = clap::value_parser!(u32).range(1..))]
    pub tid: Option<u32>,

    /// Only this user: a numeric uid or a user name.
    #[arg(short = 'u', long, value_name = "UID|USER", value_parser = parse_uid)]
    pub uid: Option<u32>,

    /// Only commands whose name (comm, at most 15 bytes) contains this string.
    #[arg(short = 'n', long, value_name = "NAME", value_parser = parse_comm)]
    pub name: Option<String>,

    /// Only failed calls.
    #[arg(short = 'x', long)]
    pub failed: bool,

    /// Stop after this long, e.g. 5s, 500ms, 2m, 1h (default: until Ctrl-C).
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Stop after writing this many events.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_events: Option<u64>,

    /// Kernel ring buffer size in bytes: a power of two, at least 4096; K and M
    /// suffixes allowed (e.g. 16M). Bigger absorbs longer bursts before events are lost.
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_ring_size)]
    pub ring_size: u32,

    /// Print the event counters on stderr at this interval, e.g. 1s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub stats_interval: Option<Duration>,

    /// Do not print the "tracing ..." line on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `5s`, `500ms`, `1.5s`, `2m`, `1h`, `250us`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (try 5s, 500ms, 2m)"))?;
    let seconds_per_unit = match unit {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "us" => 1e-6,
        "ns" => 1e-9,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("unknown unit `{unit}` in `{s}` (use ns, us, ms, s, m or h)")),
    };
    let duration = Duration::try_from_secs_f64(value * seconds_per_unit)
        .map_err(|_| format!("`{s}` is out of range"))?;
    if duration.is_zero() {
        return Err("a duration must be more than zero".into());
    }
    Ok(duration)
}

/// A ring buffer size: the kernel wants a power of two that is a multiple of the page size.
pub fn parse_ring_size(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let (number, multiplier) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&t[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{s}` is not a size in bytes (try 16M)"))?;
    if bytes < 4096 || !bytes.is_power_of_two() || bytes > 1 << 30 {
        return Err(format!(
            "{bytes} bytes: the ring buffer size must be a power of two from 4096 to 1G \
             (e.g. 4M, 16M, 64M)"
        ));
    }
    Ok(bytes as u32)
}

/// A numeric uid, or a user name looked up in the user database.
pub fn parse_uid(s: &str) -> Result<u32, String> {
    if let Ok(uid) = s.parse::<u32>() {
        if uid == u32::MAX {
            return Err("uid 4294967295 is (uid_t)-1, which no user has".into());
        }
        return Ok(uid);
    }
    match nix::unistd::User::from_name(s) {
        Ok(Some(user)) => Ok(user.uid.as_raw()),
        Ok(None) => Err(format!("no user named `{s}`")),
        Err(e) => Err(format!("looking up user `{s}`: {e}")),
    }
}

/// The kernel keeps 15 bytes of a command name; a longer filter could never match.
pub fn parse_comm(s: &str) -> Result<String, String> {
    match s.len() {
        0 => Err("the name filter is empty".into()),
        1..=15 => Ok(s.to_owned()),
        n => Err(format!(
            "`{s}` is {n} bytes; the kernel keeps only the first 15 bytes of a command name"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn ring_sizes() {
        assert_eq!(parse_ring_size("16M"), Ok(16 << 20));
        assert_eq!(parse_ring_size("4096"), Ok(4096));
        assert_eq!(parse_ring_size("256k"), Ok(256 << 10));
        assert!(parse_ring_size("3M").unwrap_err().contains("power of two"));
        assert!(parse_ring_size("1024").is_err());
        assert!(parse_ring_size("2G").is_err());
        assert!(parse_ring_size("lots").is_err());
    }

    #[test]
    fn uids_and_names() {
        assert_eq!(parse_uid("0"), Ok(0));
        assert_eq!(parse_uid("root"), Ok(0));
        assert!(parse_uid("no-such-user-here").is_err());
        assert!(parse_uid("4294967295").is_err());
        assert_eq!(parse_comm("python3"), Ok("python3".into()));
        assert!(parse_comm("a-very-long-command").is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(parse_ports("443"), Ok(Ports(vec![443])));
        assert_eq!(parse_ports("80, 443"), Ok(Ports(vec![80, 443])));
        assert!(parse_ports("0").is_err() && parse_ports("70000").is_err() && parse_ports("http").is_err());
        assert!(parse_ports("1,2,3,4,5,6,7,8,9").unwrap_err().contains("at most 8"));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
