//! The command line resolved, in one step, into the configuration of one tracing run
//! (as fd's cli -> config, ripgrep's low args -> high args). Everything that loads reads
//! this, never the command line.

use crate::cli::{TaskArgs, TraceCommand};
use crate::delivery::Dest;
use crate::filter::Filters;
use crate::follow::Follow;
use crate::format::Format;
use crate::kinds::Selected;
use crate::loader::Plan;
use crate::transport::Transport;
use crate::writer::Limits;

/// The ring buffer of a run where no kind sends records through it (traffic alone):
/// the smallest the kernel makes.
const IDLE_RING_SIZE: u32 = 4096;

/// One tracing run, resolved.
#[derive(Debug)]
pub struct Config {
    /// The kinds traced, each with its options, in registry order.
    pub(crate) kinds: Vec<Selected>,
    /// What the loader makes the shared BPF parts from: the task filters, --cgroup,
    /// the set of followed tasks' size, the buffers and the transport.
    pub(crate) plan: Plan,
    /// -- CMD or --follow PID.
    pub follow: Option<Follow>,
    /// Records carry their cgroup's path.
    pub(crate) cgroup_path: bool,
    pub(crate) limits: Limits,
    /// No "tracing ..." line.
    pub(crate) quiet: bool,
    pub(crate) format: Format,
    /// Where records go.
    pub output: Dest,
    /// Bytes of records that may wait for a file or socket destination.
    pub(crate) queue_size: usize,
    /// The session id, hyphenated lowercase.
    pub(crate) session: String,
    /// --metrics: where to serve the counts.
    pub(crate) metrics: Option<std::net::SocketAddr>,
    /// --tls-ca, --tls-cert, --tls-key.
    pub(crate) tls: crate::tls::TlsFiles,
}

impl Config {
    pub fn new(command: TraceCommand) -> Self {
        let TraceCommand { run, task, kinds } = command;
        let follow = task.as_ref().and_then(|t| match (&t.command, t.follow) {
            (command, _) if !command.is_empty() => Some(Follow::Command { argv: command.clone(), user: t.user.clone() }),
            (_, Some(pid)) => Some(Follow::Pid(pid)),
            _ => None,
        });
        let plan = Plan {
            tracepoints: kinds.iter().any(|k| k.tracepoints),
            per_task: kinds.iter().any(|k| k.per_task),
            filters: filters(task.as_ref(), run.cgroup.as_deref()),
            cgroup: run.cgroup,
            follow: follow.is_some(),
            max_tasks: task.as_ref().map_or(1, |t| t.max_tasks),
            ring_size: task.as_ref().map_or(IDLE_RING_SIZE, |t: &TaskArgs| t.ring_size),
            // Kinds that send no records (traffic alone) take no --transport.
            transport: Transport::choose(task.as_ref().map_or_else(|| Transport::from_env().ok().flatten(), |t| t.transport)),
            // Off with SYSNOOP_NO_TP_BTF=1 and SYSNOOP_NO_RAW_TP=1, so the fallbacks can be
            // tested where tp_btf and raw tracepoints work.
            tp_btf: !env_set("SYSNOOP_NO_TP_BTF"),
            raw_tp: !env_set("SYSNOOP_NO_RAW_TP"),
            program_stats: run.metrics.is_some(),
            cut_btf: !env_set("SYSNOOP_FULL_BTF"),
        };
        Config {
            kinds,
            plan,
            follow,
            cgroup_path: run.cgroup_path,
            limits: Limits { duration: run.duration, max_events: run.max_events, stats_interval: run.stats_interval },
            quiet: run.quiet,
            format: run.format,
            output: run.output,
            queue_size: run.queue_size,
            session: run.session_id.unwrap_or_else(uuid::Uuid::now_v7).hyphenated().to_string(),
            metrics: run.metrics,
            tls: crate::tls::TlsFiles { ca: run.tls_ca, cert: run.tls_cert, key: run.tls_key },
        }
    }
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// The task filters as the command line gives them.
fn filters(args: Option<&TaskArgs>, cgroup: Option<&std::path::Path>) -> Filters {
    let mut filters = Filters { cgroup: cgroup.map(|c| c.display().to_string()), ..Filters::default() };
    if let Some(args) = args {
        filters.tgid = args.pid;
        filters.tid = args.tid;
        filters.uid = args.uid;
        filters.comm = args.name.clone();
        filters.failed = args.failed;
        filters.follow = args.follow;
        if !args.command.is_empty() {
            filters.command = Some(args.command.iter().map(|a| a.to_string_lossy().into_owned()).collect());
        }
    }
    filters
}
