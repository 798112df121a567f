//! `sysnoop doctor`: every preflight check as one JSON line; exit 0 when sysnoop can
//! trace here, 1 when it cannot.

use std::io::Write;

use anyhow::Result;
use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::kinds::lsm::{Lsm, LsmOptions};
use crate::kinds::Tracer;
use crate::loader::Shared;
use crate::preflight::{self, Check};

/// Prints the checks and returns whether every required one passed.
pub fn run(mut out: impl Write) -> Result<bool> {
    let mut checks = preflight::all_checks();
    if let Some(check) = checks.iter_mut().find(|c| c.check == "bpf_lsm") {
        *check = bpf_lsm();
    }
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
    let tried = || -> Result<(), String> {
        let Command::Trace(command) = Cli::try_parse_from(["sysnoop", "lsm", "-q"]).map_err(|e| e.to_string())?.command else {
            unreachable!("lsm is a tracing command")
        };
        let config = Config::new(*command);
        let shared = Shared::new(&config, false).map_err(|e| format!("cannot try BPF-LSM here: {e:#}"))?;
        Lsm::load(&shared, &LsmOptions {}).map(drop).map_err(|e| format!("{e:#}"))
    };
    let (ok, detail) = match tried() {
        Ok(()) => (true, "lsm/file_open and lsm/socket_connect load, attach and run".to_owned()),
        Err(why) => (false, why),
    };
    Check { check: "bpf_lsm", ok, required: false, detail }
}
