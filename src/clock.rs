//! Wall-clock time for kernel timestamps.
//!
//! Programs stamp records with `bpf_ktime_get_boot_ns()` (CLOCK_BOOTTIME: keeps counting
//! through suspend, unlike CLOCK_MONOTONIC, so the offset to wall-clock time is stable).
//! User space adds the current REALTIME - BOOTTIME offset, re-measured every second so a
//! wall-clock step (NTP, settimeofday) shows up in records within a second.

use std::fmt;
use std::time::{Duration, Instant};

use nix::time::{clock_gettime, ClockId};

fn now_ns(clock: ClockId) -> i128 {
    let ts = clock_gettime(clock).expect("clock_gettime of a clock every Linux has");
    i128::from(ts.tv_sec()) * 1_000_000_000 + i128::from(ts.tv_nsec())
}

/// CLOCK_BOOTTIME now, in nanoseconds: the clock the kernel stamps records with, for
/// records made in user space (traffic, syscall counts).
pub(crate) fn boot_ns() -> u64 {
    now_ns(ClockId::CLOCK_BOOTTIME) as u64
}

/// Converts CLOCK_BOOTTIME nanoseconds to UTC.
#[derive(Debug)]
pub(crate) struct WallClock {
    offset_ns: i128,
    measured: Instant,
}

impl WallClock {
    pub(crate) fn new() -> Self {
        WallClock { offset_ns: Self::measure(), measured: Instant::now() }
    }

    /// A clock whose REALTIME - BOOTTIME offset is `offset_ns`, never measured again
    /// (replays: the same output on every run).
    pub(crate) fn with_offset(offset_ns: i128) -> Self {
        WallClock { offset_ns, measured: Instant::now() + Duration::from_secs(1 << 30) }
    }

    /// REALTIME - BOOTTIME, from the reading with the tightest bracket of three.
    fn measure() -> i128 {
        (0..3)
            .map(|_| {
                let before = now_ns(ClockId::CLOCK_BOOTTIME);
                let real = now_ns(ClockId::CLOCK_REALTIME);
                let after = now_ns(ClockId::CLOCK_BOOTTIME);
                (after - before, real - (before + (after - before) / 2))
            })
            .min_by_key(|&(width, _)| width)
            .map(|(_, offset)| offset)
            .unwrap()
    }

    /// Re-measures the offset when the last measurement is more than a second old.
    pub(crate) fn refresh(&mut self) {
        if self.measured.elapsed() >= Duration::from_secs(1) {
            self.offset_ns = Self::measure();
            self.measured = Instant::now();
        }
    }

    pub(crate) fn utc(&self, boot_ns: u64) -> Timestamp {
        Timestamp(i128::from(boot_ns) + self.offset_ns)
    }

    pub(crate) fn now(&self) -> Timestamp {
        Timestamp(now_ns(ClockId::CLOCK_REALTIME))
    }
}

impl Default for WallClock {
    fn default() -> Self {
        Self::new()
    }
}

/// Nanoseconds since the Unix epoch; displays as RFC 3339 UTC with nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub i128);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000) as i64;
        let nanos = self.0.rem_euclid(1_000_000_000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z", sod / 3600, sod / 60 % 60, sod % 60)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_with_nanoseconds() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000000000Z");
        // date -u -d @1795317480 -> 2026-11-22T03:18:00Z
        assert_eq!(Timestamp(1_795_317_480_123_456_789).to_string(), "2026-11-22T03:18:00.123456789Z");
        // Leap day and end of a leap year.
        assert_eq!(Timestamp(951_782_400_000_000_000).to_string(), "2000-02-29T00:00:00.000000000Z");
        assert_eq!(Timestamp(1_735_689_599_999_999_999).to_string(), "2024-12-31T23:59:59.999999999Z");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn boot_time_maps_to_now() {
        let clock = WallClock::new();
        let boot = boot_ns();
        let real = now_ns(ClockId::CLOCK_REALTIME);
        let diff = (clock.utc(boot).0 - real).abs();
        assert!(diff < 50_000_000, "boot->utc off by {diff} ns");
    }
}
