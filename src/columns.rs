//! `--format text`: aligned columns for a terminal, one line per event, under a header,
//! the way libbpf-tools print (each kind's `Record::TEXT_HEADER` and `write_text`).
//! Nothing a traced process controls can move the cursor or forge a line: control
//! characters, backslashes and bytes that are not UTF-8 are escaped (`\n`, `\x1b`,
//! `\\`, `\xff`).

use std::borrow::Cow;
use std::fmt::{Display, Write as _};

use crate::clock::Timestamp;

/// `bytes` for a terminal: UTF-8 text as is, but every control character (C0, DEL, C1),
/// every backslash and every byte that is not UTF-8 escaped, so the result is one line
/// that says exactly which bytes there were.
pub(crate) fn escape(bytes: &[u8]) -> Cow<'_, str> {
    let plain = |c: char| !c.is_control() && c != '\\';
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.chars().all(plain) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    Cow::Owned(out)
}

/// `HH:MM:SS.mmm` (UTC), the TIME column.
pub(crate) fn time_of_day(time: Timestamp) -> String {
    let full = time.to_string(); // 2026-11-23T03:40:12.313938115Z
    full.get(11..23).unwrap_or(&full).to_owned()
}

/// A kind's columns: a name and width each, then the last column, which takes the rest
/// of the line (a path, argv).
#[derive(Debug)]
pub(crate) struct Header {
    pub(crate) columns: &'static [(&'static str, usize)],
    pub(crate) last: &'static str,
}

impl Header {
    /// The header line.
    pub(crate) fn write(&self, line: &mut String) {
        let names: Vec<&dyn Display> = self.columns.iter().map(|(name, _)| name as &dyn Display).collect();
        self.row(line, &names, &self.last);
    }

    /// One line: each cell left-aligned in its column (a wider one pushes the rest
    /// right), then the last.
    pub(crate) fn row(&self, line: &mut String, cells: &[&dyn Display], last: &dyn Display) {
        debug_assert_eq!(cells.len(), self.columns.len());
        for (cell, (_, width)) in cells.iter().zip(self.columns) {
            let _ = write!(line, "{:<width$} ", cell.to_string());
        }
        let _ = write!(line, "{last}");
        let trimmed = line.trim_end().len();
        line.truncate(trimmed);
    }
}

/// A duration for people: `850ns`, `12.3us`, `4.56ms`, `1.20s`.
pub(crate) fn duration(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns}ns"),
        1_000..1_000_000 => format!("{:.1}us", ns as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.2}ms", ns as f64 / 1e6),
        _ => format!("{:.2}s", ns as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_bytes_cannot_move_the_cursor_or_forge_a_line() {
        assert_eq!(escape(b"/etc/hostname"), "/etc/hostname");
        assert_eq!(escape("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(escape(b"a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(escape(b"\x1b[2J\x07"), "\\u{1b}[2J\\u{7}");
        assert_eq!(escape(b"back\\slash"), "back\\\\slash");
        assert_eq!(escape(b"bad\xff\xfe!"), "bad\\xff\\xfe!");
        assert_eq!(escape("\u{85}next".as_bytes()), "\\u{85}next"); // C1 NEL
        assert!(!escape(b"x\n\x1b\x7f\xc2\x9b").chars().any(char::is_control));
    }

    #[test]
    fn rows_align_under_the_header() {
        let header = Header { columns: &[("PID", 5), ("COMM", 6)], last: "PATH" };
        let mut lines = String::new();
        header.write(&mut lines);
        lines.push('\n');
        header.row(&mut lines, &[&42, &"cat"], &"/etc/hostname");
        lines.push('\n');
        header.row(&mut lines, &[&1234567, &"a-long-name"], &"");
        assert_eq!(lines, "PID   COMM   PATH\n42    cat    /etc/hostname\n1234567 a-long-name");
    }

    #[test]
    fn times_and_durations() {
        let t = Timestamp(1_795_404_938_513_123_456); // 2026-11-23T...
        assert_eq!(time_of_day(t).len(), 12);
        assert_eq!(time_of_day(t), t.to_string()[11..23]);
        assert_eq!(
            (duration(850), duration(12_345), duration(4_560_000), duration(1_200_000_000)),
            ("850ns".into(), "12.3us".into(), "4.56ms".into(), "1.20s".into())
        );
    }
}
