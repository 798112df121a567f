//! Making sure attached programs run before sysnoop says "tracing".
//!
//! Each program marks its `self_seen` slot when one of sysnoop's own calls reaches it
//! (and never reports sysnoop's calls). After attach, sysnoop makes harmless probe calls
//! until every program it attached has marked its slot: an attach that "succeeded" but
//! does not fire is an error, not a silent empty stream.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};

/// How long attached programs get to start firing.
const TIMEOUT: Duration = Duration::from_secs(5);
const RETRY: Duration = Duration::from_millis(2);

/// Calls `probe` until every slot in `slots` is marked in `seen` (an object's
/// `self_seen`, mmapped from its bss). `what` names the programs for messages; with
/// `verbose`, says how long they took to fire.
pub(crate) fn wait(slots: &[u32], seen: &[u8], probe: impl Fn(), what: &str, verbose: bool) -> Result<()> {
    // The kernel writes `seen` behind the compiler's back: read it afresh every time.
    // SAFETY: a volatile read of an in-bounds (indexing checks it) byte of a live slice.
    let marked = |slot: u32| unsafe { std::ptr::read_volatile(&seen[slot as usize]) } != 0;
    let start = Instant::now();
    loop {
        probe();
        let missing: Vec<u32> = slots.iter().copied().filter(|&s| !marked(s)).collect();
        if missing.is_empty() {
            if verbose {
                crate::say!("sysnoop: {what} programs live {:?} after attach", start.elapsed());
            }
            return Ok(());
        }
        if start.elapsed() > TIMEOUT {
            bail!(
                "the {what} programs attached but {} of them never ran within {TIMEOUT:?} \
                 (program slots {missing:?})",
                missing.len()
            );
        }
        std::thread::sleep(RETRY);
    }
}

/// A child of sysnoop that execs this binary (`--version`) and exits, waited for: it
/// forks, execs and exits, so it reaches the sched tracepoints of all three (exec,
/// exit and follow prove their programs live with it). sysnoop's children are never
/// reported.
pub(crate) fn child() {
    let _ = std::process::Command::new("/proc/self/exe")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}
