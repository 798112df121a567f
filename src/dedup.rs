//! `--dedup WINDOW`: a record identical (by a key its kind chooses) to one written less
//! than WINDOW earlier is not written, and is counted `deduplicated`. The table of what
//! was written is bounded: past `capacity` entries the oldest is evicted first, so it
//! never grows past its bound however many distinct keys a run sees.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// `--dedup-entries` by default.
pub(crate) const DEFAULT_ENTRIES: usize = 10_000;

#[derive(Debug)]
pub(crate) struct Dedup {
    window_ns: u64,
    capacity: usize,
    /// Each key written, with when (the record's kernel time, ns).
    written: HashMap<Vec<u8>, u64>,
    /// The keys in the order they were written, oldest first, with that time; an
    /// entry whose key was written again later is stale and skipped when it comes up.
    order: VecDeque<(u64, Vec<u8>)>,
}

impl Dedup {
    pub(crate) fn new(window: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Dedup {
            window_ns: u64::try_from(window.as_nanos()).unwrap_or(u64::MAX),
            capacity,
            written: HashMap::with_capacity(capacity.min(DEFAULT_ENTRIES)),
            order: VecDeque::new(),
        }
    }

    /// Whether a record with `key` at `ts_ns` repeats one written within the window
    /// (then it is not to be written); if not, it is remembered as written.
    pub(crate) fn repeats(&mut self, key: &[u8], ts_ns: u64) -> bool {
        // Forget what the window has passed.
        while let Some((t, _)) = self.order.front() {
            if ts_ns.saturating_sub(*t) < self.window_ns {
                break;
            }
            self.pop_oldest();
        }
        if let Some(&t) = self.written.get(key) {
            if ts_ns.saturating_sub(t) < self.window_ns {
                return true;
            }
        }
        while self.written.len() >= self.capacity {
            self.pop_oldest();
        }
        self.written.insert(key.to_vec(), ts_ns);
        self.order.push_back((ts_ns, key.to_vec()));
        false
    }

    fn pop_oldest(&mut self) {
        if let Some((t, key)) = self.order.pop_front() {
            if self.written.get(&key) == Some(&t) {
                self.written.remove(&key);
            }
        }
    }

    /// Entries held: never more than the capacity.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.written.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_repeat_within_the_window_is_dropped_and_one_after_it_written() {
        let mut d = Dedup::new(Duration::from_millis(100), 10);
        assert!(!d.repeats(b"a", 0));
        assert!(d.repeats(b"a", 50 * MS));
        assert!(!d.repeats(b"b", 60 * MS), "another key");
        // The window runs from the record written, not from the repeats.
        assert!(d.repeats(b"a", 99 * MS));
        assert!(!d.repeats(b"a", 100 * MS));
        assert!(d.repeats(b"a", 150 * MS));
        assert!(!d.repeats(b"b", 200 * MS));
    }

    /// More distinct keys than the table holds: it stays at its bound, the oldest
    /// going first, and an evicted key is written again.
    #[test]
    fn the_table_never_grows_past_its_bound() {
        let mut d = Dedup::new(Duration::from_secs(3600), 1000);
        for i in 0..100_000u32 {
            assert!(!d.repeats(&i.to_ne_bytes(), u64::from(i)));
            assert!(d.len() <= 1000 && d.order.len() <= 1000, "{} {}", d.len(), d.order.len());
        }
        assert!(d.repeats(&99_999u32.to_ne_bytes(), 100_000), "the newest is still there");
        assert!(!d.repeats(&0u32.to_ne_bytes(), 100_001), "the oldest was evicted");
    }

    /// Stale order entries (a key written again after its window) never count against
    /// the bound or evict the newer entry.
    #[test]
    fn rewritten_keys_keep_their_newest_time() {
        let mut d = Dedup::new(Duration::from_millis(10), 2);
        assert!(!d.repeats(b"a", 0));
        assert!(!d.repeats(b"a", 20 * MS)); // window passed: written again
        assert!(!d.repeats(b"b", 21 * MS));
        assert!(d.repeats(b"a", 25 * MS), "a's newest write is kept");
        assert_eq!(d.len(), 2);
    }
}
