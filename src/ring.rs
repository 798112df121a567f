//! Reading a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) straight from its memory, as
//! libbpf's ring_buffer does (tools/lib/bpf/ringbuf.c), with one difference that
//! matters to the traced tasks: the consumer position is published once per
//! [`PUBLISH_BYTES`] consumed (and when the ring is drained) instead of after every
//! record. Each BPF program that reserves room reads that position; when the reader
//! writes it for every record, nearly every reservation on another CPU misses its cache.
//!
//! The kernel maps the ring as: one page holding the consumer position (writable by us),
//! then one page holding the producer position, then the data pages, mapped twice in a
//! row so that a record that wraps around is contiguous. Each record is an 8-byte header
//! (its length, with a busy and a discard bit, and a page offset) and its bytes, padded
//! to 8.

use std::os::fd::BorrowedFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};

const BUSY_BIT: u32 = 1 << 31;
const DISCARD_BIT: u32 = 1 << 30;
const HEADER: u64 = 8;

/// The consumer position is written back at least this often, in bytes consumed.
pub(crate) const PUBLISH_BYTES: u64 = 64 << 10;

pub(crate) struct Ring {
    consumer: NonNull<std::ffi::c_void>,
    producer: NonNull<std::ffi::c_void>,
    page: usize,
    size: usize,
    epoll: Epoll,
}

// SAFETY: the mappings are owned by the Ring and only read through atomics and
// slices of records the kernel has finished writing.
unsafe impl Send for Ring {}

impl Ring {
    /// Maps the ring buffer `map` of `size` data bytes (its max_entries).
    pub(crate) fn new(map: BorrowedFd<'_>, size: u32) -> Result<Ring> {
        let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE).ok().flatten().context("reading the page size")? as usize;
        let size = size as usize;
        let len = |n: usize| std::num::NonZeroUsize::new(n).expect("non-zero mapping");
        // SAFETY: fresh mappings of the ring's pages; nothing else refers to them.
        let consumer = unsafe { mmap(None, len(page), ProtFlags::PROT_READ | ProtFlags::PROT_WRITE, MapFlags::MAP_SHARED, map, 0) }
            .context("mapping the ring buffer's consumer page")?;
        // SAFETY: as above; the producer page and the data, twice.
        let producer = match unsafe { mmap(None, len(page + 2 * size), ProtFlags::PROT_READ, MapFlags::MAP_SHARED, map, page as i64) } {
            Ok(producer) => producer,
            Err(e) => {
                // SAFETY: mapped above, not used since.
                let _ = unsafe { munmap(consumer, page) };
                return Err(e).context("mapping the ring buffer's data");
            }
        };
        let unmap = || {
            // SAFETY: mapped above, not used since.
            unsafe {
                let _ = munmap(consumer, page);
                let _ = munmap(producer, page + 2 * size);
            }
        };
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)
            .context("creating an epoll instance")
            .and_then(|epoll| epoll.add(map, EpollEvent::new(EpollFlags::EPOLLIN, 0)).context("watching the ring buffer").map(|()| epoll))
            .inspect_err(|_| unmap())?;
        Ok(Ring { consumer, producer, page, size, epoll })
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        // SAFETY: the consumer page starts with the kernel's u64 consumer_pos, 8-aligned.
        unsafe { self.consumer.cast::<AtomicU64>().as_ref() }
    }

    fn producer_pos(&self) -> &AtomicU64 {
        // SAFETY: likewise the producer page's producer_pos.
        unsafe { self.producer.cast::<AtomicU64>().as_ref() }
    }

    fn data(&self) -> *const u8 {
        // SAFETY: the data follows the producer page in the mapping.
        unsafe { self.producer.as_ptr().cast::<u8>().add(self.page) }
    }

    /// Makes `wait` return also when `fd` becomes readable (edge-triggered: each time it
    /// is signalled, without being read).
    pub(crate) fn wake_on(&self, fd: BorrowedFd<'_>) -> Result<()> {
        self.epoll.add(fd, EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, 1)).context("watching the poll thread's wake-up")
    }

    /// Waits up to `timeout` for the kernel to signal records. Ok(()) on a timeout or a
    /// signal too: the caller consumes either way.
    pub(crate) fn wait(&self, timeout: Duration) -> Result<()> {
        let mut events = [EpollEvent::empty()];
        let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        match self.epoll.wait(&mut events, EpollTimeout::from(ms)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(()),
            Err(e) => Err(e).context("waiting on the BPF ring buffer"),
        }
    }

    /// Hands each record the kernel had committed when it began to `each`, in order,
    /// until those are done, or a record is still being written, or `each` returns
    /// false (then that record is not consumed). Returns whether it was stopped. One
    /// pass: records committed meanwhile wait for the next call, so a kernel writing
    /// faster than `each` reads cannot keep the caller from looking at its stop flag
    /// (the ring's epoll says at once that they are there).
    pub(crate) fn consume(&self, each: impl FnMut(&[u8]) -> bool) -> bool {
        // SAFETY: the positions and the data area (twice) as the kernel maps them.
        unsafe { drain(self.consumer_pos(), self.producer_pos(), self.data(), self.size as u64 - 1, each) }
    }
}

/// [`Ring::consume`] over a ring's positions and data, with `mask` its data size - 1.
///
/// # Safety
/// `data` must point to the ring's data area mapped twice in a row (2 * (mask + 1)
/// bytes), 8-aligned, holding records laid out as the kernel writes them up to `producer`.
unsafe fn drain(consumer: &AtomicU64, producer: &AtomicU64, data: *const u8, mask: u64, mut each: impl FnMut(&[u8]) -> bool) -> bool {
    let mut cons = consumer.load(Ordering::Acquire);
    let mut published = cons;
    let mut stopped = false;
    let prod = producer.load(Ordering::Acquire);
    'drain: {
        while cons < prod {
            // SAFETY: cons & mask is inside the data area; a header is 8-aligned.
            let header = unsafe { &*data.add((cons & mask) as usize).cast::<AtomicU32>() };
            let len = header.load(Ordering::Acquire);
            if len & BUSY_BIT != 0 {
                break 'drain; // reserved, not yet committed
            }
            let bytes = u64::from(len & !DISCARD_BIT);
            if len & DISCARD_BIT == 0 {
                // SAFETY: a committed record of `bytes` bytes follows its header,
                // contiguous thanks to the double mapping.
                let record = unsafe { std::slice::from_raw_parts(data.add(((cons & mask) + HEADER) as usize), bytes as usize) };
                if !each(record) {
                    stopped = true;
                    break 'drain;
                }
            }
            cons += (bytes + HEADER + 7) & !7;
            if cons - published >= PUBLISH_BYTES {
                consumer.store(cons, Ordering::Release);
                published = cons;
            }
        }
    }
    if cons != published {
        consumer.store(cons, Ordering::Release);
    }
    stopped
}

/// How full the ring is, for --metrics: read-only mappings of its consumer and producer
/// pages beside the poll thread's (the positions are the kernel's and the reader's).
pub(crate) struct Fill {
    consumer: NonNull<std::ffi::c_void>,
    producer: NonNull<std::ffi::c_void>,
    page: usize,
}

// SAFETY: read-only mappings, read through atomics only.
unsafe impl Send for Fill {}

impl Fill {
    pub(crate) fn new(map: BorrowedFd<'_>) -> Result<Fill> {
        let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE).ok().flatten().context("reading the page size")? as usize;
        let len = std::num::NonZeroUsize::new(page).expect("a page has bytes");
        // SAFETY: fresh read-only mappings of the ring's first two pages.
        let consumer = unsafe { mmap(None, len, ProtFlags::PROT_READ, MapFlags::MAP_SHARED, map, 0) }.context("mapping the ring buffer's consumer page")?;
        // SAFETY: likewise.
        let producer = match unsafe { mmap(None, len, ProtFlags::PROT_READ, MapFlags::MAP_SHARED, map, page as i64) } {
            Ok(producer) => producer,
            Err(e) => {
                // SAFETY: mapped above, not used since.
                let _ = unsafe { munmap(consumer, page) };
                return Err(e).context("mapping the ring buffer's producer page");
            }
        };
        Ok(Fill { consumer, producer, page })
    }

    /// The bytes written into the ring and not yet read.
    pub(crate) fn used(&self) -> u64 {
        // SAFETY: each page starts with its u64 position, 8-aligned.
        let (consumer, producer) = unsafe { (self.consumer.cast::<AtomicU64>().as_ref(), self.producer.cast::<AtomicU64>().as_ref()) };
        producer.load(Ordering::Acquire).saturating_sub(consumer.load(Ordering::Acquire))
    }
}

impl Drop for Fill {
    fn drop(&mut self) {
        // SAFETY: our own mappings, a page each.
        unsafe {
            let _ = munmap(self.consumer, self.page);
            let _ = munmap(self.producer, self.page);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: our own mappings, with the lengths they were made with.
        unsafe {
            let _ = munmap(self.consumer, self.page);
            let _ = munmap(self.producer, self.page + 2 * self.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-byte ring as the kernel lays it out, mapped twice: records are written into
    /// the first copy and mirrored into the second.
    struct Fake {
        data: Vec<u64>, // 8-aligned
        producer: u64,
    }

    const SIZE: u64 = 64;

    impl Fake {
        fn new(start: u64) -> Fake {
            Fake { data: vec![0; (2 * SIZE / 8) as usize], producer: start }
        }

        /// Writes a record header (`len` with its flag bits) and `body` at the producer.
        fn push(&mut self, len: u32, body: &[u8]) {
            let mut bytes: Vec<u8> = self.data.iter().flat_map(|w| w.to_ne_bytes()).collect();
            let mut record = len.to_ne_bytes().to_vec();
            record.extend([0; 4]); // pg_off
            record.extend(body);
            for (i, &b) in record.iter().enumerate() {
                let at = ((self.producer + i as u64) % SIZE) as usize;
                bytes[at] = b;
                bytes[at + SIZE as usize] = b;
            }
            self.data = bytes.chunks(8).map(|c| u64::from_ne_bytes(c.try_into().unwrap())).collect();
            self.producer += (HEADER + body.len() as u64 + 7) & !7;
        }

        fn drain(&self, consumer: &AtomicU64, stop_at: Option<usize>) -> (Vec<Vec<u8>>, bool) {
            let mut seen = Vec::new();
            let producer = AtomicU64::new(self.producer);
            // SAFETY: the fake holds 2 * SIZE bytes, both copies alike.
            let stopped = unsafe {
                drain(consumer, &producer, self.data.as_ptr().cast(), SIZE - 1, |r| {
                    if Some(seen.len()) == stop_at {
                        return false;
                    }
                    seen.push(r.to_vec());
                    true
                })
            };
            (seen, stopped)
        }
    }

    #[test]
    fn records_in_order_skipping_discarded_ones_and_wrapping_around() {
        // Start near the end, so the third record's body wraps past the first copy.
        let mut ring = Fake::new(24);
        ring.push(3, b"abc");
        ring.push(5 | DISCARD_BIT, b"xxxxx");
        ring.push(12, b"hello, world");
        let consumer = AtomicU64::new(24);
        let (seen, stopped) = ring.drain(&consumer, None);
        assert_eq!(seen, [b"abc".to_vec(), b"hello, world".to_vec()]);
        assert!(!stopped);
        assert_eq!(consumer.load(Ordering::Relaxed), ring.producer, "all consumed, and published");
    }

    #[test]
    fn a_busy_record_and_what_follows_wait() {
        let mut ring = Fake::new(0);
        ring.push(2, b"ok");
        ring.push(4 | BUSY_BIT, b"busy");
        ring.push(1, b"z");
        let consumer = AtomicU64::new(0);
        let (seen, _) = ring.drain(&consumer, None);
        assert_eq!(seen, [b"ok".to_vec()]);
        assert_eq!(consumer.load(Ordering::Relaxed), 16, "up to the busy record");
    }

    #[test]
    fn a_refused_record_is_not_consumed() {
        let mut ring = Fake::new(0);
        ring.push(1, b"a");
        ring.push(1, b"b");
        let consumer = AtomicU64::new(0);
        let (seen, stopped) = ring.drain(&consumer, Some(1));
        assert_eq!((seen, stopped), (vec![b"a".to_vec()], true));
        assert_eq!(consumer.load(Ordering::Relaxed), 16, "the second is still there");
        let (seen, stopped) = ring.drain(&consumer, None);
        assert_eq!((seen, stopped), (vec![b"b".to_vec()], false));
    }
}
