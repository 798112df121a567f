//! `sysnoop doctor`: every preflight check as one JSON line; exit 0 when sysnoop can
//! trace here, 1 when it cannot.

use std::io::Write;

use anyhow::Result;

use crate::preflight;

/// Prints the checks and returns whether every required one passed.
pub fn run(mut out: impl Write) -> Result<bool> {
    let checks = preflight::all_checks();
    for check in &checks {
        serde_json::to_writer(&mut out, check)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(checks.iter().all(|c| c.ok || !c.required))
}
