//! The task filters every tracer shares, resolved from the command line and written
//! into each BPF object's read-only data before load (the kernel then drops what does
//! not match, before anything reaches the ring buffer).

/// As the start record shows them: null for a filter not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Filters {
    #[serde(rename = "pid")]
    pub(crate) tgid: Option<u32>,
    pub(crate) tid: Option<u32>,
    pub(crate) uid: Option<u32>,
    /// Substring of the command name, at most 15 bytes.
    pub(crate) comm: Option<String>,
    pub(crate) failed: bool,
    /// --cgroup, as given.
    pub(crate) cgroup: Option<String>,
    /// --follow: the process followed with its descendants.
    pub(crate) follow: Option<u32>,
    /// -- CMD: the command run and followed, its arguments lossily as UTF-8.
    pub(crate) command: Option<Vec<String>>,
}

impl Filters {
    /// A human summary for the "tracing ..." line, e.g. `pid 42, failed only`.
    pub(crate) fn describe(&self) -> String {
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
        if let Some(cgroup) = &self.cgroup {
            parts.push(format!("cgroup {} and below", crate::columns::escape(cgroup.as_bytes())));
        }
        if let Some(pid) = self.follow {
            parts.push(format!("process {pid} and its descendants"));
        }
        if let Some(command) = &self.command {
            let shown: Vec<_> = command.iter().map(|a| crate::columns::escape(a.as_bytes())).collect();
            parts.push(format!("`{}` and its descendants", shown.join(" ")));
        }
        parts.join(", ")
    }
}
