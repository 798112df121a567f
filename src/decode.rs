//! Ring-buffer bytes to events: the shared part. Each kind decodes its own record
//! (its `Record::RING` decoder, in src/kinds/); this module tells records apart by the
//! header's `kind`, reads the task header, and gives kinds the checked reads they use. A
//! record that is short or inconsistent is reported as `Malformed` (and counted by the
//! caller), never a panic. Reads use `copy_from_bytes`, which does not need the ring
//! buffer's bytes to be aligned.

use std::mem::{offset_of, size_of};

use plain::Plain;
use thiserror::Error;

use crate::abi::task_header;
use crate::event::{Comm, Task};
use crate::text;

/// Declares generated ABI structs (bpf/*.h) readable from bytes.
///
/// SAFETY (of the impls it writes): libbpf-cargo generates these from the C ABI structs:
/// integers and byte arrays only, every bit pattern valid, no padding the C side leaves
/// uninitialised (the headers spell padding out as `__pad` fields).
#[macro_export]
macro_rules! plain_abi {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: see the macro's documentation.
        unsafe impl plain::Plain for $t {}
    )*};
}

plain_abi!(task_header);

/// Where the record's kind sits in the header; records shorter than this have none.
pub(crate) const KIND_OFFSET: usize = offset_of!(task_header, kind);
const _: () = assert!(size_of::<task_header>() == 56 && KIND_OFFSET == 8);

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub(crate) enum Malformed {
    #[error("unknown record kind {0}")]
    UnknownKind(u32),
    #[error("record of {len} bytes is shorter than its {need}-byte header")]
    Short { len: usize, need: usize },
    #[error("{field} {value} does not fit in a record of {len} bytes")]
    Length { field: &'static str, value: usize, len: usize },
    #[error("unknown {field} {value}")]
    Unknown { field: &'static str, value: u32 },
}

/// The value of type `T` at `offset`. The caller has checked that `bytes` holds it.
pub(crate) fn read<T: Plain + Default>(bytes: &[u8], offset: usize) -> T {
    let mut value = T::default();
    plain::copy_from_bytes(&mut value, &bytes[offset..offset + size_of::<T>()]).expect("caller checked the length");
    value
}

/// The fixed-size record `T` at the start of `bytes`, or `Short`.
#[inline]
pub(crate) fn fixed<T: Plain + Default>(bytes: &[u8]) -> Result<T, Malformed> {
    let need = size_of::<T>();
    if bytes.len() < need {
        return Err(Malformed::Short { len: bytes.len(), need });
    }
    Ok(read(bytes, 0))
}

/// The task header every kernel record starts with. The caller has checked that
/// `bytes` holds at least the header.
#[inline]
pub(crate) fn task(bytes: &[u8]) -> Task {
    let h: task_header = read(bytes, 0);
    Task { ts_ns: h.ts_ns, pid: h.pid, tid: h.tid, ppid: h.ppid, uid: h.uid, comm: Comm::new(text::c_bytes(&h.comm)), cgroup_id: h.cgroup_id }
}

/// Every entry of a per-CPU hash map: each key with its per-CPU values, or why the map
/// cannot be read (an error, never an empty answer). A key deleted between the walk and
/// its lookup is skipped; bytes that do not fit the types are an error (they cannot come
/// from our own programs).
pub(crate) fn percpu_entries<K: Plain + Default, V: Plain + Default>(map: &dyn libbpf_rs::MapCore) -> anyhow::Result<Vec<(K, Vec<V>)>> {
    let name = map.name().to_string_lossy().into_owned();
    let unreadable = |why: String| anyhow::anyhow!("cannot read the kernel's map {name}: {why}");
    let mut entries = Vec::new();
    for key_bytes in map.keys() {
        let mut key = K::default();
        plain::copy_from_bytes(&mut key, &key_bytes).map_err(|e| unreadable(format!("a key of {} bytes ({e:?})", key_bytes.len())))?;
        let Some(per_cpu) = map.lookup_percpu(&key_bytes, libbpf_rs::MapFlags::ANY).map_err(|e| unreadable(e.to_string()))? else {
            continue;
        };
        let mut values = Vec::with_capacity(per_cpu.len());
        for bytes in &per_cpu {
            let mut value = V::default();
            plain::copy_from_bytes(&mut value, bytes).map_err(|e| unreadable(format!("a value of {} bytes ({e:?})", bytes.len())))?;
            values.push(value);
        }
        entries.push((key, values));
    }
    // The key walk ends at the first error and says nothing: when it found nothing, a
    // lookup tells an empty map (no such key) from one that cannot be read.
    if entries.is_empty() {
        map.lookup_percpu(&vec![0xff; map.key_size() as usize], libbpf_rs::MapFlags::ANY).map_err(|e| unreadable(e.to_string()))?;
    }
    Ok(entries)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kinds::{record, Kind};

    /// A kernel record's bytes: the task header (bpf/sysnoop.h offsets) of C kind
    /// `kind`, pid 7, comm "job", then zeroes up to `size` bytes.
    pub(crate) fn header(kind: u32, size: usize) -> Vec<u8> {
        let mut b = vec![0u8; size];
        b[8..12].copy_from_slice(&kind.to_ne_bytes());
        b[12..16].copy_from_slice(&7u32.to_ne_bytes()); // pid
        b[32..36].copy_from_slice(b"job\0"); // comm
        b
    }

    /// One real record of every kind the ring buffer carries, as the kernel lays it out.
    pub(crate) fn real_records() -> Vec<(Kind, Vec<u8>)> {
        crate::kinds::example_records()
    }

    #[test]
    fn real_records_of_every_kind_decode() {
        let records = real_records();
        assert_eq!(records.len(), Kind::ALL.iter().filter(|k| k.in_ring()).count(), "one example per ring kind");
        for (kind, bytes) in records {
            assert_eq!(record(&bytes).map(|e| e.kind()), Ok(kind));
        }
    }

    #[test]
    fn unknown_and_short_headers() {
        let (_, mut unknown) = real_records().swap_remove(0);
        unknown[8..12].copy_from_slice(&0u32.to_ne_bytes());
        assert_eq!(record(&unknown), Err((None, Malformed::UnknownKind(0))));
        assert_eq!(record(&[1, 2, 3]), Err((None, Malformed::Short { len: 3, need: 12 })));
    }

    /// Every truncation of a real record of every kind is malformed, and attributed to its
    /// kind once the kind is readable.
    #[test]
    fn every_truncation_of_every_kind_is_malformed() {
        for (kind, bytes) in real_records() {
            for n in 0..bytes.len() {
                match record(&bytes[..n]) {
                    Err((Some(k), _)) => assert!(n >= 12 && k == kind, "{kind:?} cut at {n}"),
                    Err((None, _)) => assert!(n < 12, "{kind:?} cut at {n}"),
                    Ok(_) => panic!("{kind:?} cut at {n} decoded"),
                }
            }
        }
    }

    proptest::proptest! {
        /// Arbitrary bytes, with a kind sysnoop knows or not: a record or an error, never
        /// a panic; an error names the kind in the header when there is one.
        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), kind in 0u32..8) {
            if bytes.len() >= 12 {
                bytes[8..12].copy_from_slice(&kind.to_ne_bytes());
            }
            let known = Kind::from_ring_kind(kind);
            match record(&bytes) {
                Ok(event) => proptest::prop_assert!(bytes.len() >= 56 && Some(event.kind()) == known, "{event:?}"),
                Err((Some(k), _)) => proptest::prop_assert_eq!(Some(k), known),
                Err((None, _)) => proptest::prop_assert!(bytes.len() < 12 || known.is_none()),
            }
        }

        /// Real records of every kind with bytes overwritten anywhere after the header's
        /// kind (lengths and ids included) and cut anywhere: never a panic.
        #[test]
        fn corrupted_real_records_never_panic(
            which in 0usize..64,
            edits in proptest::collection::vec((12usize..400, proptest::num::u8::ANY), 0..16),
            cut in proptest::option::of(0usize..400),
        ) {
            let mut records = real_records();
            let (kind, mut bytes) = records.swap_remove(which % records.len());
            for (at, value) in edits {
                if let Some(b) = bytes.get_mut(at) {
                    *b = value;
                }
            }
            let bytes = &bytes[..cut.unwrap_or(usize::MAX).min(bytes.len())];
            match record(bytes) {
                Ok(event) => proptest::prop_assert_eq!(event.kind(), kind),
                Err((k, _)) => proptest::prop_assert!(k.is_none() || k == Some(kind)),
            }
        }
    }
}
