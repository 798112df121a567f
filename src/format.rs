//! The output formats (`--format`): sysnoop's native NDJSON, or OCSF 1.3.0 events (see
//! ocsf.rs). Every record goes through the same writer and the same counters whatever
//! the format; rendering into memory cannot fail, so no format drops a record.

use serde::Serialize;

use crate::clock::{Timestamp, WallClock};
use crate::event::{push_line, Event};
use crate::ocsf::Ocsf;

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
}

/// A format, ready to render records.
#[derive(Debug)]
pub enum Renderer {
    Native,
    Ocsf(Ocsf),
}

impl Renderer {
    pub fn new(format: Format) -> Self {
        match format {
            Format::Native => Renderer::Native,
            Format::Ocsf => Renderer::Ocsf(Ocsf::for_this_host()),
        }
    }

    /// Appends `event`'s line.
    pub fn event(&self, event: &Event, clock: &WallClock, line: &mut Vec<u8>) {
        match self {
            Renderer::Native => event.write_json(clock, line),
            Renderer::Ocsf(ocsf) => event.write_ocsf(clock, ocsf, line),
        }
    }

    /// Appends a record sysnoop makes about its own run (start, summary) at `time`.
    pub fn own_record(&self, record: &impl Serialize, time: Timestamp, line: &mut Vec<u8>) {
        match self {
            Renderer::Native => push_line(line, record),
            Renderer::Ocsf(ocsf) => ocsf.push_unmapped(line, time, |native| push_line(native, record)),
        }
    }
}
