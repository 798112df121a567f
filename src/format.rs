//! The output formats (`--format`): sysnoop's native NDJSON, OCSF 1.3.0 events (see
//! ocsf.rs), or text columns for a terminal (see columns.rs). Every record goes through
//! the same writer and the same counters whatever the format; rendering into memory
//! cannot fail, so no format drops a record.

use serde::Serialize;

use crate::clock::Timestamp;
use crate::columns::duration;
use crate::event::{push_line, RecordContext};
use crate::kinds::{Event, Kind};
use crate::ocsf::Ocsf;
use crate::stats::Report;

/// `--format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// sysnoop's own records, one JSON object per line (fields in the README).
    #[default]
    Native,
    /// OCSF 1.3.0 events, one per line: Process Activity (exec, exit), File System
    /// Activity (open), Network Activity (connect, traffic); other records as Base
    /// Events with the native record under `unmapped`.
    Ocsf,
    /// Aligned columns for a terminal under a header line (each kind's, prefixed with
    /// the kind when a run has several); the summary as a sentence on stderr.
    Text,
}

/// A format, ready to render records.
#[derive(Debug)]
pub enum Renderer {
    Native,
    Ocsf(Ocsf),
    /// The run's record kinds, for the header; `prefix`: each line starts with its kind.
    Text {
        kinds: Vec<Kind>,
        /// With more than one kind, each line starts with its kind's name, in a column
        /// as wide as the longest of them.
        kind_width: Option<usize>,
    },
}

impl Renderer {
    /// A renderer of `format` for a run whose records are of `kinds`, under `session`.
    pub(crate) fn new(format: Format, kinds: &[Kind], session: &str) -> Self {
        match format {
            Format::Native => Renderer::Native,
            Format::Ocsf => Renderer::Ocsf(Ocsf::for_this_host(session)),
            Format::Text => {
                Renderer::Text { kinds: kinds.to_vec(), kind_width: kinds.iter().map(|k| k.name().len().max("KIND".len())).max().filter(|_| kinds.len() > 1) }
            }
        }
    }

    /// Appends `event`'s line.
    pub(crate) fn event(&self, event: &Event, ctx: &RecordContext, line: &mut Vec<u8>) {
        match self {
            Renderer::Native => event.write_json(ctx, line),
            Renderer::Ocsf(ocsf) => event.write_ocsf(ctx, ocsf, line),
            Renderer::Text { kind_width, .. } => {
                let mut text = String::with_capacity(160);
                if let Some(width) = *kind_width {
                    text += &format!("{:<width$} ", event.kind().name());
                }
                event.write_text(ctx, &mut text);
                line.extend_from_slice(text.as_bytes());
                line.push(b'\n');
            }
        }
    }

    /// Appends what opens the run: the start record, or in text the header line of
    /// each kind.
    pub(crate) fn start(&self, start: &impl Serialize, time: Timestamp, line: &mut Vec<u8>) {
        match self {
            Renderer::Text { kinds, kind_width } => {
                for kind in kinds {
                    let mut text = String::new();
                    if let Some(width) = *kind_width {
                        text += &format!("{:<width$} ", "KIND");
                    }
                    kind.text_header().write(&mut text);
                    line.extend_from_slice(text.as_bytes());
                    line.push(b'\n');
                }
            }
            _ => self.own_record(start, time, line),
        }
    }

    /// Appends a loss marker; in text, says it on stderr as a sentence instead.
    pub(crate) fn loss(&self, loss: &crate::stats::Loss, line: &mut Vec<u8>) {
        match self {
            Renderer::Text { .. } => {
                let what = crate::stats::Fate::named(loss.counter).map_or("lost by the perf buffers", |fate| fate.words);
                crate::say!("sysnoop: {} {} events {what} since {}", loss.count, loss.of, loss.since);
            }
            _ => self.own_record(loss, loss.time, line),
        }
    }

    /// Appends the summary record; in text, says it on stderr as a sentence instead.
    pub(crate) fn summary(&self, report: &Report, line: &mut Vec<u8>) {
        match self {
            Renderer::Text { .. } => crate::say!("{}", sentence(report)),
            _ => self.own_record(report, report.time, line),
        }
    }

    fn own_record(&self, record: &impl Serialize, time: Timestamp, line: &mut Vec<u8>) {
        match self {
            Renderer::Ocsf(ocsf) => ocsf.push_unmapped(line, time, |native| push_line(native, record)),
            _ => push_line(line, record),
        }
    }
}

/// The summary for people: what each kind wrote, and every count of what it did not.
pub(crate) fn sentence(report: &Report) -> String {
    let mut kinds = Vec::new();
    let mut dropped = 0;
    for (kind, c) in &report.counts {
        let mut part = format!("{kind} {} written", c.emitted);
        if c.unsent > 0 {
            part += &format!(" ({} of them not delivered)", c.unsent);
        }
        // Of the emitted, the unsent are said above; the others were never written.
        let not_written = c.fates().into_iter().filter(|(fate, n)| *n > 0 && !matches!(fate.name, "emitted" | "unsent"));
        for (fate, n) in not_written {
            part += &format!(", {n} {}", fate.words);
        }
        // Every loss, and what --max-events or a closed stdout left unwritten.
        dropped += c.fates().into_iter().filter(|(fate, _)| fate.loss || fate.name == "unwritten").map(|(_, n)| n).sum::<u64>();
        kinds.push(part);
    }
    let end = if dropped == 0 { "Nothing was lost." } else { "See the counts: not every event was written." };
    format!("sysnoop: traced for {}: {}. {end}", duration(report.elapsed_ns), kinds.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Counts;

    /// In a run of several kinds, the text lines of every kind, headers included, put
    /// their own columns at the same offset: after the longest kind name.
    #[test]
    fn text_lines_align_whatever_the_kind() {
        let kinds: Vec<Kind> = Kind::ALL.to_vec();
        let renderer = Renderer::new(Format::Text, &kinds, "s");
        let ctx = RecordContext::new("s".into());
        let mut lines = Vec::new();
        renderer.start(&(), Timestamp(0), &mut lines);
        for (_, bytes) in crate::kinds::example_records() {
            renderer.event(&crate::kinds::record(&bytes).unwrap(), &ctx, &mut lines);
        }
        let text = String::from_utf8(lines).unwrap();
        let width = Kind::ALL.iter().map(|k| k.name().len()).max().unwrap();
        assert_eq!(width, "lsm_socket_connect".len());
        for line in text.lines() {
            let (name, rest) = line.split_at(width + 1);
            assert!(name.ends_with(' ') && !rest.starts_with(' '), "{line:?}");
        }
        assert!(text.lines().count() > Kind::ALL.len(), "{text}");
    }

    #[test]
    fn the_summary_as_a_sentence() {
        let mut report = Report {
            kind: "summary",
            time: Timestamp(0),
            session: "s".into(),
            elapsed_ns: 2_500_000_000,
            counts: Default::default(),
            follow: None,
            perf_lost: None,
            skipped: Default::default(),
            snapshot: None,
        };
        report.counts.insert("exec", Counts { emitted: 3, ..Counts::default() });
        report.counts.insert("open", Counts { emitted: 10, filtered: 4, ..Counts::default() });
        assert_eq!(sentence(&report), "sysnoop: traced for 2.50s: exec 3 written; open 10 written, 4 filtered. Nothing was lost.");
        report.counts.insert("open", Counts { emitted: 10, lost: 2, unwritten: 1, ..Counts::default() });
        assert_eq!(
            sentence(&report),
            "sysnoop: traced for 2.50s: exec 3 written; open 10 written, 2 lost (ring buffer full), 1 not written. See the counts: not every event was written."
        );
        report.counts.insert("open", Counts { emitted: 10, unsent: 4, ..Counts::default() });
        assert_eq!(
            sentence(&report),
            "sysnoop: traced for 2.50s: exec 3 written; open 10 written (4 of them not delivered). See the counts: not every event was written."
        );
    }
}
