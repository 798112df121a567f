//! Byte buffers for what decoded records carry (a path, a string argument), reused on
//! the poll thread. Each batch of events comes back from the writer once written
//! (src/session.rs), and its events give their buffers back here instead of freeing
//! them: decoding the next records takes them again. With malloc, a batch freed at once
//! (hundreds of buffers) overflows glibc's per-thread cache (seven chunks a size), and
//! the poll thread spent most of its time in malloc and free on `open` records.
//!
//! Only the poll thread gives buffers back; elsewhere (the replay bench, tests) `bytes`
//! finds none and allocates, as `to_vec` would.

use std::cell::RefCell;

/// Buffers kept, at most (2 MiB at KEPT_CAPACITY): the poll thread takes one batch back
/// before it decodes the next (src/session.rs: 256 events, two buffers each for open),
/// so a few batches' worth are all it ever holds.
const KEPT: usize = 4096;
/// A buffer that grew past this (a long path) is freed, not kept.
const KEPT_CAPACITY: usize = 512;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// `bytes` in a buffer of their own: a spare one when there is one.
#[inline]
pub(crate) fn bytes(bytes: &[u8]) -> Vec<u8> {
    match SPARE.with_borrow_mut(Vec::pop) {
        Some(mut spare) => {
            spare.clear();
            spare.extend_from_slice(bytes);
            spare
        }
        None => bytes.to_vec(),
    }
}

/// Keeps `buffer` for a later `bytes`.
#[inline]
pub(crate) fn give(buffer: Vec<u8>) {
    if (1..=KEPT_CAPACITY).contains(&buffer.capacity()) {
        SPARE.with_borrow_mut(|spare| {
            if spare.len() < KEPT {
                spare.push(buffer);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_taken_again_with_new_bytes() {
        let first = bytes(b"/etc/hostname");
        let at = first.as_ptr();
        give(first);
        let again = bytes(b"/tmp");
        assert_eq!((again.as_slice(), again.as_ptr()), (&b"/tmp"[..], at));
        give(vec![0; KEPT_CAPACITY + 1]); // too big to keep
        give(Vec::new()); // nothing to keep
        assert_eq!(bytes(b"x"), b"x");
    }
}
