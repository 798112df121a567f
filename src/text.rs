//! Turns the byte strings the kernel hands us (paths, command names) into JSON strings.
//!
//! Paths on Linux are bytes, not text. Valid UTF-8 is emitted as is (serde_json escapes
//! quotes, backslashes, newlines and control characters, so every record stays one valid
//! line). Bytes that are not valid UTF-8 are shown as U+FFFD in the text field, and the
//! exact bytes travel alongside, hex-encoded, in a `<field>_hex` field: nothing is lost,
//! and the common case stays a plain string.

use std::borrow::Cow;

/// The bytes of a fixed-size C char array up to (not including) the first NUL.
pub(crate) fn c_bytes(chars: &[i8]) -> &[u8] {
    // SAFETY: i8 and u8 have the same size and alignment; this only reinterprets.
    let bytes = unsafe { std::slice::from_raw_parts(chars.as_ptr().cast::<u8>(), chars.len()) };
    until_nul(bytes)
}

/// `bytes` up to (not including) the first NUL, or all of it when there is none.
pub(crate) fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// A byte string rendered for JSON: the text, and the exact bytes in hex when the text
/// had to replace invalid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) hex: Option<String>,
}

pub(crate) fn render(bytes: &[u8]) -> Rendered<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Rendered { text: Cow::Borrowed(text), hex: None },
        Err(_) => Rendered { text: String::from_utf8_lossy(bytes), hex: Some(hex(bytes)) },
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_bytes_stops_at_nul_or_end() {
        let comm: [i8; 6] = [b'c' as i8, b'a' as i8, b't' as i8, 0, b'x' as i8, 0];
        assert_eq!(c_bytes(&comm), b"cat");
        let full: [i8; 3] = [b'a' as i8, b'b' as i8, b'c' as i8];
        assert_eq!(c_bytes(&full), b"abc");
        assert_eq!(c_bytes(&[0i8; 4]), b"");
    }

    #[test]
    fn valid_utf8_is_plain_text() {
        let r = render("/tmp/ünïcødé".as_bytes());
        assert_eq!(r.text, "/tmp/ünïcødé");
        assert_eq!(r.hex, None);
    }

    #[test]
    fn invalid_utf8_keeps_the_exact_bytes() {
        let r = render(b"/tmp/\xff\xfeok");
        assert_eq!(r.text, "/tmp/\u{fffd}\u{fffd}ok");
        assert_eq!(r.hex.as_deref(), Some("2f746d702ffffe6f6b"));
    }

    #[test]
    fn hostile_bytes_stay_one_json_line() {
        let hostile = b"a\"b\\c\nd\re\x01\x1b[31m\x7f\xc3(";
        let r = render(hostile);
        let line = serde_json::to_string(&serde_json::json!({ "path": r.text, "path_hex": r.hex })).unwrap();
        assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["path_hex"].as_str().unwrap(), hex(hostile));
        assert!(back["path"].as_str().unwrap().starts_with("a\"b\\c\nd\re\u{1}\u{1b}[31m\u{7f}"));
    }
}
