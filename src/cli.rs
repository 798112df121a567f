//! The command line: clap derive types (doc comments are the `--help` text), with one
//! subcommand per registered kind (src/kinds/mod.rs) and `all`, whose options are every
//! kind's own options flattened. Values are parsed (and rejected with exit status 2)
//! here; `config` resolves them into one session configuration before anything loads.

use std::time::Duration;

use clap::error::ErrorKind;
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::delivery::{Dest, MIN_QUEUE_SIZE};
use crate::format::Format;
use crate::kinds::{InAll, Registered, Selected, TRACERS};
use crate::units::{parse_bytes, parse_duration};

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

    /// The kernel's BTF from FILE, for a kernel without /sys/kernel/btf/vmlinux
    /// (CONFIG_DEBUG_INFO_BTF off): a raw BTF file or an ELF with a .BTF section made
    /// from this exact kernel, e.g. from BTFHub's archive or with `pahole
    /// --btf_encode_detached FILE vmlinux`. The programs are relocated against it;
    /// exec and exit then use their classic tracepoints, and lsm cannot attach.
    #[arg(long, global = true, value_name = "FILE", value_parser = btf_file)]
    pub btf: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// --btf: a file that can be read (what is in it, libbpf judges at load).
fn btf_file(value: &str) -> Result<std::path::PathBuf, String> {
    let path = std::path::PathBuf::from(value);
    match std::fs::File::open(&path).and_then(|f| f.metadata()) {
        Ok(m) if m.is_file() => Ok(path),
        Ok(_) => Err(format!("{value} is not a regular file")),
        Err(e) => Err(format!("cannot read {value}: {e}")),
    }
}

/// The command line `args` (which clap refused) as one line for stderr: `sysnoop:
/// error: ` and what clap says is wrong (the flag and value it names, and its tips),
/// with every control character and non-UTF-8 byte escaped, so a hostile value cannot
/// forge lines or drive the terminal. clap's usage block, and the help it prints for a
/// bare `sysnoop`, are left to `--help`.
pub fn usage_error<I, T>(args: I) -> String
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use crate::columns::escape;
    use clap::CommandFactory;
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // Parsed again without styles: the text is then clap's words and the values exactly
    // as given (clap's Display strips escape sequences, a value's included).
    let said = match Cli::command().styles(clap::builder::Styles::plain()).try_get_matches_from(&args) {
        Ok(_) => "the command line was refused".to_owned(),
        Err(e) if e.kind() == ErrorKind::InvalidUtf8 => {
            use std::os::unix::ffi::OsStrExt;
            match args.iter().position(|a| a.to_str().is_none()) {
                Some(at) => format!(
                    "`{}`{} is not UTF-8 (only the command after -- may be any bytes)",
                    escape(args[at].as_bytes()),
                    args.get(at.wrapping_sub(1))
                        .filter(|flag| at > 1 && flag.as_bytes().starts_with(b"-"))
                        .map(|flag| format!(" (after `{}`)", escape(flag.as_bytes())))
                        .unwrap_or_default()
                ),
                None => escape(e.render().ansi().to_string().as_bytes()).into_owned(),
            }
        }
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand) => {
            let names: Vec<String> =
                Cli::command().get_subcommands().filter(|c| !c.is_hide_set()).map(|c| c.get_name().to_owned()).filter(|n| n != "help").collect();
            format!("a subcommand is required: {}", names.join(", "))
        }
        Err(e) => {
            let text = e.render().ansi().to_string();
            // Its trailers are at the end, after every value quoted: cut exactly them.
            let mut text = text.trim_end();
            if let Some(at) = text.rfind("\n\nFor more information, try ").filter(|at| !text[at + 2..].contains('\n')) {
                text = &text[..at];
            }
            if let Some(clap::error::ContextValue::StyledStr(usage)) = e.get(clap::error::ContextKind::Usage) {
                text = text.strip_suffix(usage.ansi().to_string().trim_end()).map_or(text, |t| t.trim_end());
            }
            let text = text.trim_end();
            let text = text.strip_prefix("error: ").unwrap_or(text);
            let text = text.replace("\n\n  tip: ", "; tip: ").replace("\n  tip: ", "; tip: ").replace("\n  [possible values: ", " [possible values: ");
            escape(text.as_bytes()).into_owned()
        }
    };
    format!("sysnoop: error: {said}{} (see --help)", from_environment(&said))
}

/// The options a daemon takes from the environment (a flag wins over its variable):
/// `--help` shows each beside its option.
pub(crate) const ENVIRONMENT: [(&str, &str); 10] = [
    ("--output", "SYSNOOP_OUTPUT"),
    ("--tls-ca", "SYSNOOP_TLS_CA"),
    ("--tls-cert", "SYSNOOP_TLS_CERT"),
    ("--tls-key", "SYSNOOP_TLS_KEY"),
    ("--metrics", "SYSNOOP_METRICS"),
    ("--format", "SYSNOOP_FORMAT"),
    ("--session-id", "SYSNOOP_SESSION_ID"),
    ("--queue-size", "SYSNOOP_QUEUE_SIZE"),
    ("--stats-interval", "SYSNOOP_STATS_INTERVAL"),
    ("--transport", crate::transport::ENV),
];

/// For an error about an option whose variable is set: that it may come from there.
fn from_environment(said: &str) -> String {
    use crate::columns::escape;
    use std::os::unix::ffi::OsStrExt;
    ENVIRONMENT
        .iter()
        .filter(|(flag, _)| said.contains(&format!("'{flag} ")) || said.contains(&format!("'{flag}'")))
        .filter_map(|(_, var)| std::env::var_os(var).map(|value| format!(" (the environment has {var}={})", escape(value.as_bytes()))))
        .collect()
}

/// A subcommand: `doctor`, one kind's tracer (src/kinds/), or `all` of them.
#[derive(Debug)]
pub enum Command {
    Doctor,
    /// The JSON Schema of one record kind, or of all.
    Schema(Option<String>),
    Trace(Box<TraceCommand>),
    /// Shell completions for a shell.
    Completions(clap_complete::Shell),
    /// The man pages (roff), into a directory.
    Manpages(std::path::PathBuf),
}

/// A tracing subcommand as given: the shared options, and each chosen kind with its own.
#[derive(Debug)]
pub struct TraceCommand {
    pub(crate) run: RunArgs,
    /// None for kinds that do not trace tasks (traffic).
    pub(crate) task: Option<TaskArgs>,
    pub(crate) kinds: Vec<Selected>,
}

/// Check this host before tracing: kernel, BTF, privileges, tracefs, cgroup v2,
/// BPF-LSM, ring buffer. One JSON object per check; exit 0 when sysnoop can trace
/// here, 1 when it cannot.
#[derive(Debug, Args)]
struct DoctorArgs {}

/// Print the JSON Schema (draft 2020-12) of sysnoop's native records: of one record
/// kind, or of every record (any one of them, told apart by `kind`). Every field is
/// typed and described, and required or optional.
#[derive(Debug, Args)]
struct SchemaArgs {
    /// The record kind (default: every kind).
    #[arg(value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(crate::kinds::schema_names()))]
    kind: Option<String>,
}

/// Print sysnoop's shell completions for SHELL on stdout, e.g. `sysnoop completions
/// bash >/etc/bash_completion.d/sysnoop` (the Debian package installs them for bash, zsh
/// and fish).
#[derive(Debug, Args)]
struct CompletionsArgs {
    #[arg(value_name = "SHELL", value_enum)]
    shell: clap_complete::Shell,
}

/// Write sysnoop's man pages (sysnoop.1 and a sysnoop-COMMAND.1 for each subcommand),
/// made from the same definitions as --help, into DIR (for packaging).
#[derive(Debug, Args)]
struct ManpagesArgs {
    #[arg(value_name = "DIR")]
    dir: std::path::PathBuf,
}

/// `all`'s options: none of its own (its help is made from the registry, `all_command`).
#[derive(Debug, Args)]
struct AllArgs {}

const ALL: &str = "all";
const DOCTOR: &str = "doctor";
const SCHEMA: &str = "schema";
const COMPLETIONS: &str = "completions";
const MANPAGES: &str = "manpages";

/// One kind's subcommand: the shared options, then its own (whose help is the
/// subcommand's).
fn tracer_command(tracer: &dyn Registered) -> clap::Command {
    let mut command = clap::Command::new(tracer.name());
    if tracer.per_task() {
        command = TaskArgs::augment_args(command);
    }
    tracer.args(RunArgs::augment_args(command))
}

/// `all`: the shared options, and the options of every kind it traces.
fn all_command() -> clap::Command {
    let command = RunArgs::augment_args(TaskArgs::augment_args(clap::Command::new(ALL)));
    let kinds: Vec<&dyn Registered> = TRACERS.iter().copied().filter(|t| t.in_all() != InAll::No).collect();
    let command = kinds.iter().fold(command, |c, t| t.args(c));
    // Its help names the kinds from the registry: those it traces, and those it goes on
    // without where they cannot run.
    let name = |t: &&dyn Registered| t.name();
    let all: Vec<&str> = kinds.iter().map(name).collect();
    let optional: Vec<&str> = kinds.iter().filter(|t| matches!(t.in_all(), InAll::IfAvailable { .. })).map(name).collect();
    let about = format!("Trace everything sysnoop knows at once ({}) in one stream, in the order the kernel recorded it, with one summary", all.join(", "));
    let long_about = format!(
        "{about}.\n\nThe process filters apply to every kind that traces tasks (traffic is per cgroup). Where {} cannot run here (BPF-LSM off; no cgroup v2 or no CAP_NET_ADMIN), the run goes on without it and says why. Each kind's options apply to that kind only.",
        optional.join(" or ")
    );
    AllArgs::augment_args(command).about(about).long_about(long_about)
}

impl Subcommand for Command {
    fn augment_subcommands(command: clap::Command) -> clap::Command {
        let command = command.subcommand(DoctorArgs::augment_args(clap::Command::new(DOCTOR)));
        let command = TRACERS.iter().fold(command, |c, t| c.subcommand(tracer_command(*t))).subcommand(all_command());
        command
            .subcommand(SchemaArgs::augment_args(clap::Command::new(SCHEMA)))
            .subcommand(CompletionsArgs::augment_args(clap::Command::new(COMPLETIONS)))
            .subcommand(ManpagesArgs::augment_args(clap::Command::new(MANPAGES)).hide(true))
    }

    fn augment_subcommands_for_update(command: clap::Command) -> clap::Command {
        Self::augment_subcommands(command)
    }

    fn has_subcommand(name: &str) -> bool {
        [DOCTOR, ALL, SCHEMA, COMPLETIONS, MANPAGES].contains(&name) || TRACERS.iter().any(|t| t.name() == name)
    }
}

impl FromArgMatches for Command {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let (name, sub) = matches.subcommand().ok_or_else(|| clap::Error::new(ErrorKind::MissingSubcommand))?;
        match name {
            DOCTOR => return Ok(Command::Doctor),
            SCHEMA => return Ok(Command::Schema(SchemaArgs::from_arg_matches(sub)?.kind)),
            COMPLETIONS => return Ok(Command::Completions(CompletionsArgs::from_arg_matches(sub)?.shell)),
            MANPAGES => return Ok(Command::Manpages(ManpagesArgs::from_arg_matches(sub)?.dir)),
            _ => {}
        }
        let all = name == ALL;
        let chosen: Vec<&dyn Registered> = if all {
            TRACERS.iter().copied().filter(|t| t.in_all() != InAll::No).collect()
        } else {
            let tracer = TRACERS.iter().find(|t| t.name() == name);
            vec![*tracer.ok_or_else(|| clap::Error::new(ErrorKind::InvalidSubcommand))?]
        };
        let kinds = chosen.iter().map(|t| t.select(sub, all)).collect::<Result<_, _>>()?;
        let task = chosen.iter().any(|t| t.per_task()).then(|| TaskArgs::from_arg_matches(sub)).transpose()?;
        Ok(Command::Trace(Box::new(TraceCommand { run: RunArgs::from_arg_matches(sub)?, task, kinds })))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

// The options of kinds that trace tasks (every kind but traffic), and of `all`.
// (No doc comment: a derived struct's doc comment would become the command's help.)
#[derive(Debug, Clone, Args)]
pub(crate) struct TaskArgs {
    /// Only this process (thread-group id).
    #[arg(short = 'p', long, value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) pid: Option<u32>,

    /// Only this thread (thread id).
    #[arg(short = 't', long, value_name = "TID", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) tid: Option<u32>,

    /// Only this user: a numeric uid or a user name.
    #[arg(short = 'u', long, value_name = "UID|USER", value_parser = parse_uid)]
    pub(crate) uid: Option<u32>,

    /// Only commands whose name (comm, at most 15 bytes) contains this string.
    #[arg(short = 'n', long, value_name = "NAME", value_parser = parse_comm)]
    pub(crate) name: Option<String>,

    /// Only failed calls.
    #[arg(short = 'x', long)]
    pub(crate) failed: bool,

    /// Only this running process and every task it starts from now on, threads
    /// included, with the descendants it has already; the run ends when the last of
    /// them has exited.
    #[arg(long, value_name = "PID", value_parser = parse_follow, conflicts_with = "command")]
    pub(crate) follow: Option<u32>,

    /// With `-- CMD`: run CMD as this user (a name or a uid, with its groups); sysnoop
    /// keeps its own privileges.
    #[arg(long, value_name = "USER", requires = "command", value_parser = crate::follow::parse_run_as)]
    pub(crate) user: Option<crate::follow::RunAs>,

    /// With `-- CMD` or --follow: the most tasks followed at once. A new task of a
    /// followed one that does not fit is not traced, and counted `untracked`.
    #[arg(long, value_name = "N", default_value_t = 65536, value_parser = clap::value_parser!(u32).range(1..=4_194_304))]
    pub(crate) max_tasks: u32,

    /// Run CMD, trace only it and every task it starts (threads included), and end
    /// when the last of them has exited, with CMD's exit status (128+N when signal N
    /// killed it, 127 when it could not be run). CMD starts once tracing is live. It
    /// shares sysnoop's stdout: send records elsewhere with -o. A run that stops first
    /// (Ctrl-C, --duration, --max-events) ends CMD with SIGTERM.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<std::ffi::OsString>,

    /// Kernel ring buffer size in bytes: a power of two, at least 4096; K and M
    /// suffixes allowed (e.g. 16M). Bigger absorbs longer bursts before events are lost.
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_ring_size)]
    pub(crate) ring_size: u32,

    /// How records reach sysnoop: `ringbuf`, the BPF ring buffer (Linux 5.8+), or
    /// `perf`, a perf buffer per CPU (the fallback for kernels without one; --ring-size
    /// is then shared among the CPUs, and records are put back in time order). Default:
    /// the ring buffer where this kernel can create one.
    #[arg(long, value_name = "TRANSPORT", env = crate::transport::ENV, value_enum)]
    pub(crate) transport: Option<crate::transport::Transport>,
}

// The options of every tracing command.
#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    /// Stop after this long, e.g. 5s, 500ms, 2m, 1h (default: until Ctrl-C).
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) duration: Option<Duration>,

    /// Stop after writing this many events.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_events: Option<u64>,

    /// Print the event counters on stderr at this interval, e.g. 1s.
    #[arg(long, value_name = "DURATION", env = "SYSNOOP_STATS_INTERVAL", value_parser = parse_duration)]
    pub(crate) stats_interval: Option<Duration>,

    /// Do not print the "tracing ..." line on stderr.
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,

    /// Only tasks in this cgroup v2 directory or below it: a path under the cgroup v2
    /// mount, or an absolute directory in it (checked in the kernel). traffic counts
    /// only this subtree.
    #[arg(long, value_name = "PATH")]
    pub(crate) cgroup: Option<std::path::PathBuf>,

    /// Records about a task carry its cgroup's path too (`cgroup`), besides its
    /// `cgroup_id` and, when the cgroup names one, its container.
    #[arg(long)]
    pub(crate) cgroup_path: bool,

    /// How records are written (to stdout or the -o destination).
    #[arg(long, value_enum, value_name = "FORMAT", env = "SYSNOOP_FORMAT", default_value_t)]
    pub(crate) format: Format,

    /// Where records go: `-` (stdout), `file:PATH` (appended to; opened again on
    /// SIGHUP, for logrotate; never through a symlink, nor into another user's file),
    /// `unix:PATH` (a Unix stream socket; `unix:@NAME` an
    /// abstract one), `tcp:HOST:PORT` or `tls:HOST:PORT` (TLS, see --tls-ca). A file or socket never holds the run back:
    /// records wait in a queue (--queue-size) while it is slow or down, sysnoop
    /// reconnects with backoff, and records it could not send are counted `unsent`.
    #[arg(short = 'o', long, value_name = "DEST", env = "SYSNOOP_OUTPUT", default_value = "-", value_parser = parse_dest)]
    pub(crate) output: Dest,

    /// With -o tls:HOST:PORT: the CA certificates (PEM) the collector's certificate
    /// must be signed by (default: the system's, /etc/ssl/certs/ca-certificates.crt).
    /// The certificate must also be for HOST (its subjectAltName).
    #[arg(long, value_name = "FILE", env = "SYSNOOP_TLS_CA")]
    pub(crate) tls_ca: Option<std::path::PathBuf>,

    /// With -o tls:HOST:PORT: a client certificate (PEM, with its chain) to present,
    /// with --tls-key.
    #[arg(long, value_name = "FILE", env = "SYSNOOP_TLS_CERT", requires = "tls_key")]
    pub(crate) tls_cert: Option<std::path::PathBuf>,

    /// With --tls-cert: its private key (PEM).
    #[arg(long, value_name = "FILE", env = "SYSNOOP_TLS_KEY", requires = "tls_cert")]
    pub(crate) tls_key: Option<std::path::PathBuf>,

    /// With a file or socket -o: how many bytes of records may wait for it while it is
    /// slow or down (K and M suffixes allowed; the default holds about 16,000 open
    /// records); beyond that they are counted unsent.
    #[arg(long, value_name = "BYTES", env = "SYSNOOP_QUEUE_SIZE", default_value = "4M", value_parser = parse_queue_size)]
    pub(crate) queue_size: usize,

    /// The session id every record carries (`session`; in OCSF
    /// `metadata.correlation_uid`): a UUID. Default: a fresh UUID v7.
    #[arg(long, value_name = "UUID", env = "SYSNOOP_SESSION_ID", value_parser = parse_session_id)]
    pub(crate) session_id: Option<uuid::Uuid>,

    /// Serve the run's counts to Prometheus at http://ADDR/metrics (text exposition
    /// format), e.g. 127.0.0.1:9464 or [::1]:9464: every count of the summary by kind
    /// and fate (sysnoop_events_total), the buffers, the destination, the followed
    /// tasks. A port in use is an error before tracing starts.
    #[arg(long, value_name = "ADDR", env = "SYSNOOP_METRICS", value_parser = parse_metrics_addr)]
    pub(crate) metrics: Option<std::net::SocketAddr>,
}

/// --metrics: an IP address and a port (a name would make the listening address
/// depend on the resolver).
fn parse_metrics_addr(value: &str) -> Result<std::net::SocketAddr, String> {
    value.parse().map_err(|_| format!("`{value}` is not an address and port to listen on, such as 127.0.0.1:9464 or [::1]:9464"))
}

pub(crate) fn parse_dest(s: &str) -> Result<Dest, String> {
    s.parse()
}

/// `--queue-size`: at least 64K, at most 1G.
pub(crate) fn parse_queue_size(s: &str) -> Result<usize, String> {
    let bytes = parse_bytes(s)?;
    if !(MIN_QUEUE_SIZE as u64..=1 << 30).contains(&bytes) {
        return Err(format!("{bytes} bytes: the queue size must be from 64K to 1G"));
    }
    Ok(bytes as usize)
}

/// A UUID in any of its usual spellings (hyphenated, simple, braced, urn:).
pub(crate) fn parse_session_id(s: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(s).map_err(|e| format!("`{s}` is not a UUID ({e})"))
}

/// A ring buffer size: the kernel wants a power of two that is a multiple of the page size.
pub(crate) fn parse_ring_size(s: &str) -> Result<u32, String> {
    let bytes = parse_bytes(s)?;
    if bytes < 4096 || !bytes.is_power_of_two() || bytes > 1 << 30 {
        return Err(format!(
            "{bytes} bytes: the ring buffer size must be a power of two from 4096 to 1G \
             (e.g. 4M, 16M, 64M)"
        ));
    }
    Ok(bytes as u32)
}

/// A numeric uid, or a user name looked up in the user database.
pub(crate) fn parse_uid(s: &str) -> Result<u32, String> {
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

/// `--follow`: a process that exists.
pub(crate) fn parse_follow(s: &str) -> Result<u32, String> {
    let pid: u32 = s.parse().map_err(|_| format!("`{s}` is not a process id"))?;
    if pid == 0 || !std::path::Path::new(&format!("/proc/{pid}")).is_dir() {
        return Err(format!("no process {pid}"));
    }
    Ok(pid)
}

/// The kernel keeps 15 bytes of a command name; a longer filter could never match.
pub(crate) fn parse_comm(s: &str) -> Result<String, String> {
    match s.len() {
        0 => Err("the name filter is empty".into()),
        1..=15 => Ok(s.to_owned()),
        n => Err(format!("`{s}` is {n} bytes; the kernel keeps only the first 15 bytes of a command name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of command lines: every subcommand, flags of every kind valid and not,
    /// values good, bad and hostile.
    const WORDS: &[&str] = &[
        "open",
        "exec",
        "exit",
        "connect",
        "syscalls",
        "traffic",
        "lsm",
        "all",
        "doctor",
        "schema",
        "-p",
        "-t",
        "-u",
        "-n",
        "-x",
        "-q",
        "-v",
        "-c",
        "-L",
        "-P",
        "-i",
        "-d",
        "-o",
        "--follow",
        "--user",
        "--max-tasks",
        "--cgroup",
        "--cgroup-path",
        "--ring-size",
        "--format",
        "--transport",
        "--port",
        "--syscall",
        "--errno",
        "--top",
        "--dedup",
        "--full-path",
        "--exclude-path",
        "--include-path",
        "--max-arg-bytes",
        "--max-events",
        "--duration",
        "--stats-interval",
        "--btf",
        "--queue-size",
        "--session-id",
        "--threads",
        "--bogus",
        "-Z",
        "--",
        "1",
        "0",
        "-1",
        "4242",
        "65536",
        "99999999999",
        "1s",
        "0s",
        "500ms",
        "fast",
        "4M",
        "3M",
        "16",
        "root",
        "nobody",
        "no-such-user",
        "ocsf",
        "text",
        "native",
        "xml",
        "perf",
        "ringbuf",
        "file:/dev/null",
        "file:",
        "tcp:[::1]:0",
        "unix:@x",
        "openat",
        "ENOENT",
        "EWHAT",
        "off",
        "on",
        "/",
        "/etc",
        "",
        " ",
        "x\ny",
        "\u{1b}[31m",
        "\u{0}",
        "ü",
        "true",
    ];

    proptest::proptest! {
        /// Any mix of these never panics the parser or the configuration: a command
        /// line is a command, or an error clap reports (exit 2), naming what is wrong.
        #[test]
        fn any_command_line_parses_or_is_refused(picks in proptest::collection::vec(0..WORDS.len(), 0..8)) {
            let args: Vec<&str> = std::iter::once("sysnoop").chain(picks.iter().map(|&i| WORDS[i])).collect();
            match Cli::try_parse_from(&args) {
                Ok(cli) => {
                    if let Command::Trace(command) = cli.command {
                        let _ = crate::config::Config::new(*command);
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                    proptest::prop_assert_eq!(e.exit_code(), 0);
                }
                Err(e) => {
                    proptest::prop_assert_eq!(e.exit_code(), 2);
                    let flag = match e.get(clap::error::ContextKind::InvalidArg) {
                        Some(clap::error::ContextValue::String(flag)) => Some(flag.clone()),
                        _ => None,
                    };
                    let line = usage_error(&args);
                    proptest::prop_assert!(line.starts_with("sysnoop: error: ") && line.len() > 30, "{}", line);
                    proptest::prop_assert!(!line.chars().any(char::is_control), "{:?}", line);
                    // The flag clap objects to is named.
                    if let Some(flag) = flag {
                        let flag = flag.split([' ', '=']).next().unwrap_or(&flag);
                        proptest::prop_assert!(line.contains(&*crate::columns::escape(flag.as_bytes())), "{} not in {}", flag, line);
                    }
                }
            }
        }
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
        assert_eq!(parse_queue_size("4M"), Ok(4 << 20));
        assert_eq!(parse_queue_size("100000"), Ok(100_000));
        assert!(parse_queue_size("4K").unwrap_err().contains("from 64K"));
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

    fn trace(args: &[&str]) -> Result<TraceCommand, clap::Error> {
        match Cli::try_parse_from(std::iter::once("sysnoop").chain(args.iter().copied()))?.command {
            Command::Trace(t) => Ok(*t),
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn a_subcommand_per_registered_kind() {
        for tracer in TRACERS {
            let t = trace(&[tracer.name()]).unwrap();
            assert_eq!(t.kinds.iter().map(|k| (k.name, k.optional)).collect::<Vec<_>>(), [(tracer.name(), None)]);
            assert_eq!(t.task.is_some(), tracer.per_task(), "{}", tracer.name());
        }
        assert!(matches!(Cli::try_parse_from(["sysnoop", "doctor"]).unwrap().command, Command::Doctor));
        // Kinds that do not trace tasks take no process filters.
        assert_eq!(trace(&["traffic", "-p", "1"]).unwrap_err().kind(), ErrorKind::UnknownArgument);
    }

    /// `all` is every kind but syscalls, each with its own options; traffic only where
    /// it can be counted.
    #[test]
    fn all_takes_every_kinds_options() {
        let t = trace(&["all", "-p", "7", "--port", "443", "--threads", "--max-arg-bytes", "10", "--traffic-interval", "2s"]).unwrap();
        let kinds: Vec<(&str, Option<&str>)> = t.kinds.iter().map(|k| (k.name, k.optional)).collect();
        let required = |name| (name, None);
        assert_eq!(
            kinds,
            [
                required("open"),
                required("exec"),
                required("exit"),
                required("connect"),
                required("accept"),
                required("bind"),
                required("file"),
                required("priv"),
                ("lsm", Some("lsm is not traced")),
                ("traffic", Some("traffic is not counted"))
            ]
        );
        assert_eq!(t.task.as_ref().map(|t| t.pid), Some(Some(7)));
        let plans = format!("{:?}", t.kinds);
        for option in ["max_arg_bytes: 10", "threads: true", "Ports([443])", "interval: 2s"] {
            assert!(plans.contains(option), "{option} not in {plans}");
        }
        assert_eq!(trace(&["all", "--count"]).unwrap_err().kind(), ErrorKind::UnknownArgument);
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
