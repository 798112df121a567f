//! The task filters every tracer shares, resolved from the command line and written
//! into each BPF object's read-only data before load (the kernel then drops what does
//! not match, before anything reaches the ring buffer).

use crate::cli::TraceArgs;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub tgid: Option<u32>,
    pub tid: Option<u32>,
    pub uid: Option<u32>,
    /// Substring of the command name, at most 15 bytes.
    pub comm: Option<String>,
    pub failed: bool,
}

impl Filters {
    pub fn from_args(args: &TraceArgs) -> Self {
        Filters {
            tgid: args.pid,
            tid: args.tid,
            uid: args.uid,
            comm: args.name.clone(),
            failed: args.failed,
        }
    }

    /// A human summary for the "tracing ..." line, e.g. `pid 42, failed only`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(pid) = self.tgid {
            parts.push(format!("pid {pid}"));
        }
        if let Some(tid) = self.tid {
            parts.push(format!("tid {tid}"));
        }
        if let Some(uid) = self.uid {
            parts.push(format!("uid {uid}"));
        }
        if let Some(comm) = &self.comm {
            parts.push(format!("comm containing {comm:?}"));
        }
        if self.failed {
            parts.push("failed only".into());
        }
        parts.join(", ")
    }
}

/// Writes `Filters` into a skeleton's `rodata` (every object includes the same
/// globals from bpf/common.bpf.h, but each skeleton has its own generated type), and
/// sysnoop's own pid, whose calls the programs use to prove they are live
/// (see `live::wait`) and never report, and the ring buffer's wakeup threshold.
#[macro_export]
macro_rules! apply_filters {
    ($rodata:expr, $filters:expr, $ring_size:expr) => {{
        let rodata = $rodata;
        let filters: &$crate::filter::Filters = $filters;
        rodata.targ_tgid = filters.tgid.unwrap_or(0);
        rodata.targ_tid = filters.tid.unwrap_or(0);
        rodata.targ_uid = filters.uid.unwrap_or(u32::MAX);
        rodata.targ_failed = u8::from(filters.failed);
        rodata.self_tgid = std::process::id();
        rodata.wakeup_bytes = $crate::session::wakeup_bytes($ring_size);
        if let Some(comm) = &filters.comm {
            for (dst, &src) in rodata.targ_comm.iter_mut().zip(comm.as_bytes()) {
                *dst = src as i8;
            }
            rodata.targ_comm_len = comm.len() as u32;
        }
    }};
}
