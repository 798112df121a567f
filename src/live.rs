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

/// Calls `probe` until `seen(slot)` holds for every slot; returns how long the
/// programs took to fire. `what` names the programs for the error message.
pub fn wait(slots: &[u32], seen: impl Fn(u32) -> bool, probe: impl Fn(), what: &str) -> Result<Duration> {
    let start = Instant::now();
    loop {
        probe();
        let missing: Vec<u32> = slots.iter().copied().filter(|&s| !seen(s)).collect();
        if missing.is_empty() {
            break;
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
    Ok(start.elapsed())
}
