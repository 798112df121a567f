//! JSON written by hand on the writer's hot path, byte for byte as serde_json writes it
//! (the replay test in src/replay.rs holds it to that): strings that need no escaping
//! are copied at once, and the rest go through serde_json; timestamps are formatted with
//! integer arithmetic, the date and time of day once per second.

use std::cell::Cell;

use crate::clock::Timestamp;

/// Appends `s` as a JSON string.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    if special(s.as_bytes(), false) {
        serde_json::to_writer(&mut *out, s).expect("serializing a string into memory");
    } else {
        quoted(out, s.as_bytes());
    }
}

/// Appends bytes from the kernel (a path, a command name) as a JSON string, as
/// `text::render` shows them: UTF-8, lossily; returns their hex when they are not UTF-8.
/// Plain ASCII, the usual case, is checked and copied in one pass.
pub(crate) fn text(out: &mut Vec<u8>, bytes: &[u8]) -> Option<String> {
    if special(bytes, true) {
        let rendered = crate::text::render(bytes);
        string(out, &rendered.text);
        rendered.hex
    } else {
        quoted(out, bytes);
        None
    }
}

/// Appends `"KEY":` for a key that needs no escaping (a name from sysnoop's own tables).
pub(crate) fn quoted_key(out: &mut Vec<u8>, key: &str) {
    debug_assert!(!special(key.as_bytes(), true), "{key:?} needs escaping");
    quoted(out, key.as_bytes());
    out.push(b':');
}

/// Appends `v` as a JSON string of `0x` and its lower-case hex digits (`"0x0"` for 0).
pub(crate) fn hex(out: &mut Vec<u8>, v: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = (64 - v.leading_zeros()).div_ceil(4).max(1);
    out.extend_from_slice(b"\"0x");
    for i in (0..digits).rev() {
        out.push(DIGITS[((v >> (4 * i)) & 0xf) as usize]);
    }
    out.push(b'"');
}

fn quoted(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
}

/// Whether serde_json would escape anything in `bytes`: `"`, `\` or a control character
/// below 0x20 (nothing else); with `non_ascii`, also whether any byte is above 0x7f.
/// Eight bytes at a time: a byte below 0x20, or equal to `"` or `\`, sets the high bit
/// of its lane (the classic "has a byte less than n" tests).
#[inline(always)]
fn special(bytes: &[u8], non_ascii: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let lane_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let high = if non_ascii { HIGH } else { 0 };
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap());
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        if below_space | lane_zero(x ^ (ONES * u64::from(b'"'))) | lane_zero(x ^ (ONES * u64::from(b'\\'))) | (x & high) != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\' || (non_ascii && b > 0x7f))
}

/// Appends `,"KEY":` for a literal KEY (a record's own field name: nothing to escape),
/// in one copy.
#[macro_export]
macro_rules! json_key {
    ($out:expr, $key:literal) => {
        $out.extend_from_slice(concat!(",\"", $key, "\":").as_bytes())
    };
}
pub(crate) use json_key as key;

/// Appends an integer.
pub(crate) fn int(out: &mut Vec<u8>, n: impl Into<i64>) {
    let n: i64 = n.into();
    if n < 0 {
        out.push(b'-');
    }
    uint(out, n.unsigned_abs());
}

/// "00" to "99".
const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// Appends an unsigned 64-bit integer, two digits at a time.
pub(crate) fn uint(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[v as usize * 2..v as usize * 2 + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + v as u8;
    }
    out.extend_from_slice(&digits[at..]);
}

pub(crate) fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

pub(crate) fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"null");
}

/// The date and time of day of the last second formatted: records come in time order,
/// so most share it with the one before.
#[derive(Debug)]
pub(crate) struct Clock {
    second: Cell<(i64, [u8; 19])>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { second: Cell::new((i64::MIN, [0; 19])) }
    }
}

impl Clock {
    /// Appends `time` as a JSON string, RFC 3339 UTC with nanoseconds, as `Timestamp`'s
    /// Display writes it.
    pub(crate) fn timestamp(&self, out: &mut Vec<u8>, time: Timestamp) {
        // Years 1970 to 9999 have the fixed width cached below; others, never seen from
        // a kernel's clock, take the Display path.
        if !(0..LAST_SECOND_OF_9999 * 1_000_000_000).contains(&time.0) {
            serde_json::to_writer(&mut *out, &time).expect("serializing a timestamp into memory");
            return;
        }
        let secs = time.0.div_euclid(1_000_000_000) as i64;
        let nanos = time.0.rem_euclid(1_000_000_000) as u32;
        let (cached, mut text) = self.second.get();
        if cached != secs {
            text = date_time(secs);
            self.second.set((secs, text));
        }
        let mut fraction = *b".000000000Z\"";
        let mut v = nanos;
        for at in [8, 6, 4, 2] {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            fraction[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        fraction[1] = b'0' + v as u8;
        out.push(b'"');
        out.extend_from_slice(&text);
        out.extend_from_slice(&fraction);
    }
}

/// 9999-12-31T23:59:59Z, in seconds since the epoch.
const LAST_SECOND_OF_9999: i128 = 253_402_300_799;

/// `YYYY-MM-DDTHH:MM:SS` of a second since the epoch, in 1970 to 9999.
fn date_time(secs: i64) -> [u8; 19] {
    let text = Timestamp(i128::from(secs) * 1_000_000_000).to_string();
    let mut out = [0u8; 19];
    out.copy_from_slice(&text.as_bytes()[..19]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn serde(value: &impl serde::Serialize) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }

    proptest! {
        #[test]
        fn strings_as_serde_writes_them(s in any::<String>()) {
            let mut out = Vec::new();
            string(&mut out, &s);
            prop_assert_eq!(out, serde(&s));
        }

        /// Bytes from the kernel: mostly ASCII, with now and then a byte that needs
        /// escaping or that is not UTF-8 on its own.
        #[test]
        fn kernel_bytes_as_rendered_text(bytes in proptest::collection::vec(prop_oneof![8 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            let mut out = Vec::new();
            let hex = text(&mut out, &bytes);
            let rendered = crate::text::render(&bytes);
            prop_assert_eq!(out, serde(&rendered.text));
            prop_assert_eq!(hex, rendered.hex);
        }

        #[test]
        fn integers_as_serde_writes_them(n in any::<i64>(), u in any::<u64>()) {
            let mut out = Vec::new();
            int(&mut out, n);
            prop_assert_eq!(&out, &serde(&n));
            out.clear();
            uint(&mut out, u);
            prop_assert_eq!(out, serde(&u));
        }

        #[test]
        fn timestamps_as_display_writes_them(ns in prop_oneof![0i128..4_102_444_800_000_000_000, any::<i64>().prop_map(|n| i128::from(n) * 1000)]) {
            let clock = Clock::default();
            let mut out = Vec::new();
            clock.timestamp(&mut out, Timestamp(ns));
            // Twice: the second comes from the cache.
            clock.timestamp(&mut out, Timestamp(ns));
            let once = serde(&Timestamp(ns));
            prop_assert_eq!(out, [once.clone(), once].concat());
        }
    }

    #[test]
    fn escapes_what_serde_escapes() {
        for s in [
            "",
            "plain",
            "a\"b",
            "back\\slash",
            "line\nbreak",
            "\u{1}",
            "\u{7f}",
            "ünïcode",
            "\u{fffd}",
            "/usr/lib/x86_64-linux-gnu/\u{1f}",
            "0123456\"",
            "01234567\\",
            " !#$%&'()*+,-./[]^_`{|}~\u{80}\u{ff}",
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(out, serde(&s), "{s:?}");
        }
    }
}
