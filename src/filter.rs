//! The task filters every tracer shares, resolved from the command line and written
//! into each BPF object's read-only data before load (the kernel then drops what does
//! not match, before anything reaches the ring buffer).

use crate::cli::TaskArgs;

/// As the start record shows them: null for a filter not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Filters {
    #[serde(rename = "pid")]
    pub tgid: Option<u32>,
    pub tid: Option<u32>,
    pub uid: Option<u32>,
    /// Substring of the command name, at most 15 bytes.
    pub comm: Option<String>,
    pub failed: bool,
}

impl Filters {
    pub fn from_args(args: &TaskArgs) -> Self {
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
