//! Recorded ring-buffer bytes fed to the writer without a kernel: what bench/replay
//! measures, and what the byte-for-byte test of the formatters renders. A recording
//! (`SYSNOOP_RECORD_RING=FILE sysnoop ...`) is each record's length (u32, little-endian)
//! and then its bytes.

use crate::clock::WallClock;
use crate::event::RecordContext;
use crate::format::{Format, Renderer};
use crate::identity::Identity;
use crate::kinds::Event;
use crate::ocsf::Ocsf;

/// The recording bench/replay and the tests use: a run of `all -- sh` (opens, execs,
/// exits, connects) and one of `syscalls -- sh`, thinned out (bench/data/README).
pub const RECORDS: &[u8] = include_bytes!("../bench/data/records.ring");

/// The records of a recording, in order. A cut record at the end is left out.
pub fn records(recording: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut rest = recording;
    while let Some((len, after)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let Some(record) = after.get(..len) else { break };
        records.push(record);
        rest = &after[len..];
    }
    records
}

/// What records are rendered with for a replay: a fixed clock offset, session and host,
/// so a replay's output is the same on every run and machine.
pub fn context() -> RecordContext {
    RecordContext {
        clock: WallClock::with_offset(1_795_000_000_000_000_000),
        identity: Identity::fixed(0x01a2_0764_5eed_0001, 10_000_000),
        ..RecordContext::new(SESSION.into())
    }
}

pub(crate) const SESSION: &str = "01a20764-0000-7000-8000-000000000000";

/// A renderer of `format` for a replay, OCSF's host fixed likewise.
pub fn renderer(format: Format, kinds: &[crate::kinds::Kind]) -> Renderer {
    match format {
        Format::Ocsf => Renderer::Ocsf(Ocsf::new(Some("replay-host".into()), Some("6.18.0".into()), SESSION)),
        _ => Renderer::new(format, kinds, SESSION),
    }
}

/// Decodes and renders every record as the writer does, each line appended to `out`;
/// returns how many records decoded.
pub fn render(records: &[&[u8]], renderer: &Renderer, ctx: &RecordContext, out: &mut Vec<u8>) -> usize {
    let mut decoded = 0;
    for bytes in records {
        if let Ok(event) = crate::kinds::record(bytes) {
            renderer.event(&event, ctx, out);
            decoded += 1;
        }
    }
    decoded
}

/// The record kinds of a recording, in registry order (text's headers).
pub fn kinds(records: &[&[u8]]) -> Vec<crate::kinds::Kind> {
    let mut kinds: Vec<_> = records.iter().filter_map(|b| crate::kinds::record(b).ok()).map(|e: Event| e.kind()).collect();
    kinds.sort_by_key(|k| crate::kinds::Kind::ALL.iter().position(|x| x == k));
    kinds.dedup();
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a, 64-bit: a fingerprint of a whole rendered stream.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    }

    /// Every record renders byte for byte as it did before the writer was made faster:
    /// the fingerprints are of the output of the formatter as it was (serde throughout,
    /// `collect_str` timestamps, `format!` errno names), on the recorded stream.
    #[test]
    fn the_recorded_stream_renders_byte_for_byte_as_before() {
        let records = records(RECORDS);
        assert_eq!(records.len(), 3222);
        let ctx = context();
        let kinds = kinds(&records);
        for (format, lines, fingerprint) in [(Format::Native, 3222, NATIVE), (Format::Ocsf, 3222, OCSF), (Format::Text, 3222, TEXT)] {
            let mut out = Vec::new();
            assert_eq!(render(&records, &renderer(format, &kinds), &ctx, &mut out), 3222);
            assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), lines, "{format:?}");
            assert_eq!(fnv(&out), fingerprint, "{format:?}: the output changed");
        }
    }

    /// Since syscall records carry their arguments (issue 32; the recording's syscall
    /// records were recorded again, bench/data/README.md; 10_059_395_093_225_058_570,
    /// 7_165_370_755_412_960_400 and 835_765_484_545_528_006 before, with the old
    /// syscall records). No other kind's code changed.
    const NATIVE: u64 = 7_131_681_843_664_486_025;
    const OCSF: u64 = 11_300_368_882_297_709_159;
    const TEXT: u64 = 14_835_725_729_643_519_323;
}
