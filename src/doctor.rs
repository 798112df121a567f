//! `sysnoop doctor`: every preflight check as one JSON line; exit 0 when sysnoop can
//! trace here, 1 when it cannot.

use std::io::Write;

use crate::filter::Filters;
use crate::kinds::lsm::{Lsm, LsmOptions};
use crate::kinds::Tracer;
use crate::loader::{Plan, Shared};
use crate::preflight::{self, Check};
use crate::transport::Transport;
use anyhow::Result;

/// Prints the checks and returns whether every required one passed.
pub fn run(mut out: impl Write) -> Result<bool> {
    let mut checks = preflight::all_checks();
    if let Some(check) = checks.iter_mut().find(|c| c.check == "bpf_lsm") {
        *check = bpf_lsm();
    }
    // After btf: what the programs use beyond the oldest kernel, and what they do instead.
    let at = checks.iter().position(|c| c.check == "btf").map_or(checks.len(), |i| i + 1);
    checks.splice(at..at, features());
    for check in &checks {
        serde_json::to_writer(&mut out, check)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(checks.iter().all(|c| c.ok || !c.required))
}

/// BPF-LSM, decided by trying what `sysnoop lsm` does: load, attach, and see both
/// programs run. The list in /sys/kernel/security/lsm is not enough: some kernels list
/// bpf there and refuse lsm programs all the same, or attach them and never run them.
fn bpf_lsm() -> Check {
    let tried = || -> Result<bool, String> {
        let plan = Plan {
            tracepoints: Lsm::TRACEPOINTS,
            per_task: Lsm::PER_TASK,
            cgroup: None,
            follow: false,
            max_tasks: 1,
            filters: Filters::default(),
            transport: Transport::choose(Transport::from_env().ok().flatten()),
            ring_size: 4096,
            tp_btf: true,
            raw_tp: true,
            program_stats: false,
            cut_btf: true,
        };
        let shared = Shared::new(&plan, false).map_err(|e| format!("cannot try BPF-LSM here: {e:#}"))?;
        // Whether file_open names files with bpf_d_path (else with the walk).
        Lsm::load(&shared, &LsmOptions {}).map(|l| l.hooks.traced[0] != crate::kinds::lsm::FILE_OPEN_WALKED).map_err(|e| format!("{e:#}"))
    };
    let (ok, detail) = match tried() {
        Ok(true) => (true, "lsm/file_open and lsm/socket_connect load, attach and run; file_open names files with bpf_d_path".to_owned()),
        Ok(false) => (
            true,
            format!(
                "lsm/file_open and lsm/socket_connect load, attach and run; file_open names files by walking the path as open records do (lsm programs may call bpf_d_path since {}{})",
                crate::kinds::lsm::D_PATH_SINCE,
                crate::features::get().forced_off(crate::kinds::lsm::D_PATH_SINCE).map(|v| format!("; {}={v}", crate::features::AS_KERNEL_ENV)).unwrap_or_default()
            ),
        ),
        Err(why) => (false, why),
    };
    Check { check: "bpf_lsm", ok, required: false, detail }
}

/// One check per kernel feature the BPF programs can do without (src/features.rs): ok
/// when this kernel has it and sysnoop uses it; else what sysnoop does instead.
fn features() -> Vec<Check> {
    let features = crate::features::get();
    crate::features::FEATURES
        .iter()
        .map(|(feature, info)| {
            let (ok, detail) = match features.why_not(*feature) {
                None => {
                    let unknown = match features.probe_of(*feature) {
                        crate::features::Probe::Unknown(e) => format!(" (assumed: the probe could not run: {e})"),
                        _ => String::new(),
                    };
                    (true, format!("{} (Linux {}+) present{unknown}: {}", info.name, info.since, info.with))
                }
                Some(why) => (false, format!("{} (Linux {}+) not used ({why}): {}", info.name, info.since, info.instead)),
            };
            Check { check: info.name, ok, required: false, detail }
        })
        .collect()
}
