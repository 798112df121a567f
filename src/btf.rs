//! The kernel's BTF cut down to what sysnoop's programs are relocated against.
//!
//! libbpf relocates each object's CO-RE accesses (bpf_core_read.h) against the kernel's
//! BTF: for every type an access starts from (its root), it walks all of the kernel's
//! ~125,000 types for those with the root's name, once per object. With a dozen objects
//! that was a third of `sysnoop all`'s start-up CPU. This module keeps, of the kernel's
//! BTF, every type named as a root is (by libbpf's rule: the name up to a `___flavor`
//! suffix) and every type those reach, renumbered: about 6,000 types, among which libbpf
//! finds the same candidates and matches them the same way, member by member. The
//! roots come from the objects themselves (`core_roots`, run by build.rs on each one).
//!
//! What the cut cannot serve: a relocation of a type's kernel ID (`bpf_core_type_id_kernel`,
//! as libbpf's `bpf_core_cast()` uses), which would give the cut's numbering. build.rs
//! refuses an object with one; the programs take the IDs of the types they cast to from
//! read-only data instead, which user space fills from the kernel's BTF (`Types::struct_ids`,
//! `CAST_TYPES` in src/loader.rs).
//! kfuncs and tp_btf attach points libbpf still looks up in the kernel's own BTF.
//!
//! Also compiled into build.rs (`#[path]`): it uses nothing else of the crate.

use std::collections::{HashMap, HashSet};

/// include/uapi/linux/btf.h: the magic, in the machine's byte order.
const MAGIC: u16 = 0xeb9f;
const HEADER_LEN: usize = 24;

/// Type kinds (BTF_KIND_*).
const KIND_INT: u32 = 1;
const KIND_PTR: u32 = 2;
const KIND_ARRAY: u32 = 3;
const KIND_STRUCT: u32 = 4;
const KIND_UNION: u32 = 5;
const KIND_ENUM: u32 = 6;
const KIND_FWD: u32 = 7;
const KIND_TYPEDEF: u32 = 8;
const KIND_VOLATILE: u32 = 9;
const KIND_CONST: u32 = 10;
const KIND_RESTRICT: u32 = 11;
const KIND_FUNC: u32 = 12;
const KIND_FUNC_PROTO: u32 = 13;
const KIND_VAR: u32 = 14;
const KIND_DATASEC: u32 = 15;
const KIND_FLOAT: u32 = 16;
const KIND_DECL_TAG: u32 = 17;
const KIND_TYPE_TAG: u32 = 18;
const KIND_ENUM64: u32 = 19;

/// bpf_core_relo_kind: the relocation of a type's ID in the kernel's BTF (build.rs).
#[allow(dead_code)]
const RELO_TYPE_ID_TARGET: u32 = 7;
/// ... and of its ID in the object's own BTF (no kernel type is looked up).
#[allow(dead_code)]
const RELO_TYPE_ID_LOCAL: u32 = 6;

/// Raw BTF, parsed: where each type's record is. Type IDs start at 1 (0 is void).
pub(crate) struct Types<'a> {
    types: &'a [u8],
    strings: &'a [u8],
    /// Offset of type `id`'s record in `types`, at index `id - 1`.
    at: Vec<u32>,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[allow(dead_code)] // build.rs's
fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Bytes that follow a type's 12-byte common part, by its kind and vlen.
fn extra_len(kind: u32, vlen: usize) -> Option<usize> {
    Some(match kind {
        KIND_INT | KIND_VAR | KIND_DECL_TAG => 4,
        KIND_PTR | KIND_FWD | KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_FUNC | KIND_FLOAT | KIND_TYPE_TAG => 0,
        KIND_ARRAY => 12,
        KIND_STRUCT | KIND_UNION | KIND_DATASEC | KIND_ENUM64 => 12 * vlen,
        KIND_ENUM | KIND_FUNC_PROTO => 8 * vlen,
        _ => return None,
    })
}

impl<'a> Types<'a> {
    /// Parses raw BTF (a header, then the type and string sections it places).
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Types<'a>, String> {
        if u16_at(bytes, 0) != Some(MAGIC) {
            return Err("not BTF in this machine's byte order".into());
        }
        let field = |at| u32_at(bytes, at).map(|v| v as usize).ok_or("a short BTF header");
        let (hdr_len, type_off, type_len, str_off, str_len) = (field(4)?, field(8)?, field(12)?, field(16)?, field(20)?);
        let section = |off: usize, len: usize| bytes.get(hdr_len + off..hdr_len + off + len).ok_or("a section past the end of the BTF");
        let (types, strings) = (section(type_off, type_len)?, section(str_off, str_len)?);
        let mut at = Vec::new();
        let mut off = 0;
        while off < types.len() {
            let info = u32_at(types, off + 4).ok_or("a type cut short")?;
            let extra = extra_len((info >> 24) & 0x1f, (info & 0xffff) as usize)
                .ok_or_else(|| format!("type {} of unknown kind {}", at.len() + 1, (info >> 24) & 0x1f))?;
            at.push(off as u32);
            off += 12 + extra;
        }
        if off != types.len() {
            return Err("the last type runs past the type section".into());
        }
        Ok(Types { types, strings, at })
    }

    /// How many types there are (the largest ID).
    pub(crate) fn len(&self) -> u32 {
        self.at.len() as u32
    }

    /// Type `id`'s record (1 ≤ id ≤ len()).
    fn record(&self, id: u32) -> &'a [u8] {
        let start = self.at[id as usize - 1] as usize;
        let end = self.at.get(id as usize).map_or(self.types.len(), |&end| end as usize);
        &self.types[start..end]
    }

    fn info(&self, id: u32) -> u32 {
        u32_at(self.record(id), 4).unwrap_or(0)
    }

    pub(crate) fn kind(&self, id: u32) -> u32 {
        (self.info(id) >> 24) & 0x1f
    }

    /// The string at `off` in the string section, without its NUL ("" past the end).
    fn string(&self, off: u32) -> &'a [u8] {
        let rest = self.strings.get(off as usize..).unwrap_or_default();
        &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())]
    }

    pub(crate) fn name(&self, id: u32) -> &'a [u8] {
        self.string(u32_at(self.record(id), 0).unwrap_or(0))
    }

    /// The first type of `kind` named `name`.
    #[cfg(test)]
    fn find(&self, kind: u32, name: &str) -> Option<u32> {
        (1..=self.len()).find(|&id| self.kind(id) == kind && self.name(id) == name.as_bytes())
    }

    /// The IDs of the structs named `names` among types `among` (0 for one not found).
    pub(crate) fn struct_ids<const N: usize>(&self, among: impl Iterator<Item = u32>, names: [&str; N]) -> [u32; N] {
        let mut ids = [0; N];
        for id in among.filter(|&id| self.kind(id) == KIND_STRUCT) {
            if let Some(i) = names.iter().position(|n| n.as_bytes() == self.name(id)) {
                if ids[i] == 0 {
                    ids[i] = id;
                }
            }
        }
        ids
    }

    /// Where in type `id`'s record each ID it refers to is (offsets into the record),
    /// and where each name it holds is (its own, its members' and its values').
    #[cfg(test)]
    fn fields(&self, id: u32) -> (Vec<usize>, Vec<usize>) {
        let (mut types, mut names) = (Vec::new(), Vec::new());
        self.fields_into(id, &mut types, &mut names);
        (types, names)
    }

    /// Where in type `id`'s record each ID it refers to is (offsets into the record, into
    /// `types`), and where each name it holds is (its own, its members' and its values',
    /// into `names`); both emptied first.
    fn fields_into(&self, id: u32, types: &mut Vec<usize>, names: &mut Vec<usize>) {
        let info = self.info(id);
        let (kind, vlen) = ((info >> 24) & 0x1f, (info & 0xffff) as usize);
        types.clear();
        names.clear();
        names.push(0);
        match kind {
            KIND_PTR | KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_FUNC | KIND_VAR | KIND_DECL_TAG | KIND_TYPE_TAG => types.push(8),
            KIND_ARRAY => types.extend([12, 16]),
            KIND_STRUCT | KIND_UNION => (0..vlen).for_each(|i| {
                names.push(12 + 12 * i);
                types.push(16 + 12 * i);
            }),
            KIND_ENUM => names.extend((0..vlen).map(|i| 12 + 8 * i)),
            KIND_ENUM64 => names.extend((0..vlen).map(|i| 12 + 12 * i)),
            KIND_FUNC_PROTO => {
                types.push(8);
                (0..vlen).for_each(|i| {
                    names.push(12 + 8 * i);
                    types.push(16 + 8 * i);
                });
            }
            KIND_DATASEC => types.extend((0..vlen).map(|i| 12 + 12 * i)),
            _ => {}
        }
    }

    /// The types type `id` refers to (0, void, included).
    #[cfg(test)]
    fn refers_to(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let record = self.record(id);
        self.fields(id).0.into_iter().map(move |at| u32_at(record, at).unwrap_or(0))
    }
}

/// libbpf's bpf_core_essential_name_len(): a name without its `___flavor` suffix (the
/// last `___` between two other characters, with something after it).
pub(crate) fn essential(name: &[u8]) -> &[u8] {
    let n = name.len();
    for i in (0..n.saturating_sub(4)).rev() {
        if name[i] != b'_' && name[i + 1..i + 4] == *b"___" && name[i + 4] != b'_' {
            return &name[..=i];
        }
    }
    name
}

/// The kernel's BTF cut down (`cut`): the bytes, and what else it found.
pub(crate) struct Cut {
    /// Raw BTF: the kept types, renumbered in their order, and their strings.
    pub(crate) bytes: Vec<u8>,
    /// Roots the kernel's BTF has no type of: libbpf would look for them in the
    /// modules' BTF, which a custom BTF stops it doing.
    pub(crate) missing: Vec<String>,
    /// The kernel's IDs of the types named as roots are (ascending).
    pub(crate) named: Vec<u32>,
    /// Types kept.
    pub(crate) kept: u32,
}

/// FNV-1a: the cut hashes short names and offsets, many thousands of them, where the
/// standard hasher's resistance to crafted keys buys nothing (the kernel's BTF is the input).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// Kinds a type of the kernel's must have to be a candidate for a root: those a named
/// type can have. libbpf matches a candidate of the root's own kind (or an enum for an
/// enum), and a relocation's root is never a function, variable, section or tag.
fn may_be_candidate(kind: u32) -> bool {
    matches!(kind, KIND_INT | KIND_STRUCT | KIND_UNION | KIND_ENUM | KIND_FWD | KIND_TYPEDEF | KIND_FLOAT | KIND_ENUM64)
}

/// The kernel's BTF (`kernel`), cut down to the types whose essential names are in
/// `roots` and every type they refer to, directly or not.
pub(crate) fn cut(kernel: &Types<'_>, roots: &[&str]) -> Cut {
    let roots: HashSet<&[u8], FnvBuild> = roots.iter().map(|r| essential(r.as_bytes())).filter(|r| !r.is_empty()).collect();
    // The first two bytes of each root as a name starts with them (a name of one byte:
    // then its NUL, or the `_` of a flavor), as bits: most names are ruled out by them
    // without reading the rest.
    let mut starts = vec![0u64; 1 << 10];
    let mut mark = |a: u8, b: u8| starts[(usize::from(a) << 8 | usize::from(b)) >> 6] |= 1 << (u32::from(b) & 63);
    for root in &roots {
        match root {
            [a] => [0, b'_'].into_iter().for_each(|b| mark(*a, b)),
            [a, b, ..] => mark(*a, *b),
            [] => {}
        }
    }
    let mut found: HashSet<&[u8], FnvBuild> = HashSet::default();
    let mut keep = vec![false; kernel.len() as usize + 1];
    let mut todo: Vec<u32> = Vec::new();
    for id in 1..=kernel.len() {
        let record = kernel.record(id);
        let (name_off, info) = (u32_at(record, 0).unwrap_or(0) as usize, u32_at(record, 4).unwrap_or(0));
        if name_off == 0 || !may_be_candidate((info >> 24) & 0x1f) {
            continue;
        }
        let (a, b) = (kernel.strings.get(name_off).copied().unwrap_or(0), kernel.strings.get(name_off + 1).copied().unwrap_or(0));
        if starts[(usize::from(a) << 8 | usize::from(b)) >> 6] & (1 << (u32::from(b) & 63)) == 0 {
            continue;
        }
        let name = essential(kernel.string(name_off as u32));
        if roots.contains(name) {
            found.insert(name);
            todo.push(id);
        }
    }
    let named = todo.clone();
    let (mut type_fields, mut name_fields) = (Vec::new(), Vec::new());
    while let Some(id) = todo.pop() {
        if id == 0 || std::mem::replace(&mut keep[id as usize], true) {
            continue;
        }
        kernel.fields_into(id, &mut type_fields, &mut name_fields);
        let record = kernel.record(id);
        todo.extend(type_fields.iter().map(|&at| u32_at(record, at).unwrap_or(0)));
    }
    let mut new_id = vec![0u32; kernel.len() as usize + 1];
    let mut kept = 0;
    for id in 1..=kernel.len() {
        if keep[id as usize] {
            kept += 1;
            new_id[id as usize] = kept;
        }
    }
    let mut strings = vec![0u8];
    let mut string_at: HashMap<u32, u32, FnvBuild> = HashMap::default();
    string_at.insert(0, 0);
    let mut types = Vec::new();
    for id in (1..=kernel.len()).filter(|&id| keep[id as usize]) {
        let start = types.len();
        types.extend_from_slice(kernel.record(id));
        let record = &mut types[start..];
        kernel.fields_into(id, &mut type_fields, &mut name_fields);
        for &at in &type_fields {
            let old = u32_at(record, at).unwrap_or(0);
            record[at..at + 4].copy_from_slice(&new_id[old as usize].to_ne_bytes());
        }
        for &at in &name_fields {
            let old = u32_at(record, at).unwrap_or(0);
            let new = *string_at.entry(old).or_insert_with(|| {
                let new = strings.len() as u32;
                strings.extend_from_slice(kernel.string(old));
                strings.push(0);
                new
            });
            record[at..at + 4].copy_from_slice(&new.to_ne_bytes());
        }
    }
    let mut bytes = Vec::with_capacity(HEADER_LEN + types.len() + strings.len());
    bytes.extend_from_slice(&MAGIC.to_ne_bytes());
    bytes.extend_from_slice(&[1, 0]); // version, flags
    for field in [HEADER_LEN, 0, types.len(), types.len(), strings.len()] {
        bytes.extend_from_slice(&(field as u32).to_ne_bytes());
    }
    bytes.extend_from_slice(&types);
    bytes.extend_from_slice(&strings);
    let mut missing: Vec<String> = roots.difference(&found).map(|r| String::from_utf8_lossy(r).into_owned()).collect();
    missing.sort();
    Cut { bytes, missing, named, kept }
}

/// Section `name` of the ELF64 object `elf` (in the machine's byte order).
#[allow(dead_code)] // build.rs's
fn elf_section<'a>(elf: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if elf.get(..4)? != b"\x7fELF" || elf[4] != 2 {
        return None;
    }
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(elf, 0x28)? as usize, u16_at(elf, 0x3a)? as usize, u16_at(elf, 0x3c)? as usize, u16_at(elf, 0x3e)? as usize);
    let header = |i: usize| elf.get(shoff + i * shentsize..shoff + (i + 1) * shentsize);
    let body = |h: &[u8]| elf.get(u64_at(h, 24)? as usize..(u64_at(h, 24)? + u64_at(h, 32)?) as usize);
    let names = body(header(shstrndx)?)?;
    (0..shnum)
        .filter_map(header)
        .find(|h| {
            let at = u32_at(h, 0).unwrap_or(u32::MAX) as usize;
            names.get(at..).is_some_and(|rest| rest.split(|&b| b == 0).next() == Some(name.as_bytes()))
        })
        .and_then(body)
}

/// The names of the types object `elf`'s CO-RE relocations start from (its .BTF.ext's
/// core_relo records), essential names, sorted. Err when the object has none of that,
/// or has a relocation of a type's kernel ID, which a cut BTF would get wrong.
#[allow(dead_code)] // build.rs's
pub(crate) fn core_roots(elf: &[u8]) -> Result<Vec<String>, String> {
    let btf = Types::parse(elf_section(elf, ".BTF").ok_or("no .BTF section")?)?;
    let ext = elf_section(elf, ".BTF.ext").ok_or("no .BTF.ext section")?;
    let field = |at| u32_at(ext, at).map(|v| v as usize).ok_or("a short .BTF.ext header");
    let hdr_len = field(4)?;
    if hdr_len < 32 {
        return Ok(Vec::new()); // no core_relo section
    }
    let (off, len) = (field(24)?, field(28)?);
    let relos = ext.get(hdr_len + off..hdr_len + off + len).ok_or("core_relo past the end of .BTF.ext")?;
    let mut roots = std::collections::BTreeSet::new();
    if relos.is_empty() {
        return Ok(Vec::new());
    }
    let rec_size = u32_at(relos, 0).ok_or("core_relo cut short")? as usize;
    let mut at = 4;
    while at < relos.len() {
        let count = u32_at(relos, at + 4).ok_or("core_relo cut short")? as usize;
        at += 8;
        for _ in 0..count {
            let (type_id, kind) = (u32_at(relos, at + 4).ok_or("core_relo cut short")?, u32_at(relos, at + 12).ok_or("core_relo cut short")?);
            if kind == RELO_TYPE_ID_TARGET {
                return Err(format!(
                    "a relocation of the kernel ID of type {:?}, which a cut BTF would get wrong: take the ID from read-only data (bpf/common.bpf.h, sn_cast)",
                    String::from_utf8_lossy(btf.name(type_id))
                ));
            }
            if kind != RELO_TYPE_ID_LOCAL && type_id != 0 && type_id <= btf.len() {
                roots.insert(String::from_utf8_lossy(essential(btf.name(type_id))).into_owned());
            }
            at += rec_size;
        }
    }
    Ok(roots.into_iter().filter(|r| !r.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw BTF of `types` (each a record's bytes) and `strings` (from offset 0).
    fn raw(types: &[Vec<u8>], strings: &[u8]) -> Vec<u8> {
        let types: Vec<u8> = types.concat();
        let mut bytes = MAGIC.to_ne_bytes().to_vec();
        bytes.extend_from_slice(&[1, 0]);
        for field in [HEADER_LEN, 0, types.len(), types.len(), strings.len()] {
            bytes.extend_from_slice(&(field as u32).to_ne_bytes());
        }
        bytes.extend_from_slice(&types);
        bytes.extend_from_slice(strings);
        bytes
    }

    fn words(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    fn info(kind: u32, vlen: u32) -> u32 {
        kind << 24 | vlen
    }

    /// Strings: 0 "", 1 "int", 5 "task_struct", 17 "pid", 21 "cred", 26 "uid",
    /// 30 "unrelated", 40 "task_struct___old".
    const STRINGS: &[u8] = b"\0int\0task_struct\0pid\0cred\0uid\0unrelated\0task_struct___old\0";

    /// 1 int; 2 struct unrelated { int x }; 3 struct cred { int uid };
    /// 4 ptr -> 3; 5 struct task_struct { int pid; struct cred *cred };
    /// 6 struct task_struct___old { int pid }.
    fn kernel() -> Vec<u8> {
        raw(
            &[
                words(&[1, info(KIND_INT, 0), 4, 32]),
                words(&[30, info(KIND_STRUCT, 1), 4, 17, 1, 0]),
                words(&[21, info(KIND_STRUCT, 1), 4, 26, 1, 0]),
                words(&[0, info(KIND_PTR, 0), 3]),
                words(&[5, info(KIND_STRUCT, 2), 16, 17, 1, 0, 21, 4, 64]),
                words(&[40, info(KIND_STRUCT, 1), 4, 17, 1, 0]),
            ],
            STRINGS,
        )
    }

    /// The objects' roots as build.rs found them: each object's among them, and each
    /// kernel ID relocation refused (none is left: sn_cast in bpf/common.bpf.h).
    #[test]
    fn the_objects_roots_are_found() {
        for (bytes, _) in crate::bpf::open::VARIANTS.iter().chain(crate::bpf::exec::VARIANTS) {
            let roots = core_roots(bytes).unwrap();
            assert!(roots.iter().any(|r| r == "task_struct"), "{roots:?}");
            assert!(roots.iter().all(|r| crate::bpf::CORE_ROOTS.contains(&r.as_str())));
        }
        assert!(core_roots(b"not an object").is_err());
    }

    #[test]
    fn essential_names_are_libbpfs() {
        assert_eq!(essential(b"task_struct___old"), b"task_struct");
        assert_eq!(essential(b"task_struct"), b"task_struct");
        assert_eq!(essential(b"a___b___c"), b"a___b");
        assert_eq!(essential(b"a____b"), b"a____b", "four underscores are no separator");
        assert_eq!(essential(b"a___"), b"a___", "nothing after it");
        assert_eq!(essential(b"___a"), b"___a");
        assert_eq!(essential(b""), b"");
    }

    #[test]
    fn a_cut_keeps_the_roots_every_flavor_and_what_they_reach() {
        let bytes = kernel();
        let kernel = Types::parse(&bytes).unwrap();
        assert_eq!(kernel.len(), 6);
        assert_eq!(kernel.find(KIND_STRUCT, "cred"), Some(3));
        let cut = cut(&kernel, &["task_struct___new", "absent"]);
        assert_eq!(cut.missing, ["absent"]);
        assert_eq!(cut.kept, 5, "all but `unrelated`");
        let kept = Types::parse(&cut.bytes).unwrap();
        let names: Vec<&[u8]> = (1..=kept.len()).map(|id| kept.name(id)).collect();
        assert_eq!(names, [&b"int"[..], b"cred", b"", b"task_struct", b"task_struct___old"]);
        // Renumbered: task_struct's members refer to int (1) and the pointer (3), which
        // refers to cred (2); member names kept.
        let task = kept.find(KIND_STRUCT, "task_struct").unwrap();
        assert_eq!(kept.refers_to(task).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(kept.refers_to(3).collect::<Vec<_>>(), [2]);
        let record = kept.record(task);
        assert_eq!((kept.string(u32_at(record, 12).unwrap()), kept.string(u32_at(record, 24).unwrap())), (&b"pid"[..], &b"cred"[..]));
        assert_eq!(u32_at(record, 8), Some(16), "sizes and offsets as they were");
        assert_eq!(u32_at(record, 32), Some(64));
    }

    #[test]
    fn what_is_not_btf_is_refused() {
        assert!(Types::parse(b"").is_err());
        assert!(Types::parse(&[0; 24]).is_err());
        let mut bytes = kernel();
        bytes.truncate(bytes.len() - STRINGS.len() - 3);
        assert!(Types::parse(&bytes).is_err(), "sections past the end");
        let bad_kind = raw(&[words(&[0, info(31, 0), 0])], b"\0");
        assert!(Types::parse(&bad_kind).err().unwrap().contains("unknown kind 31"));
    }

    /// The running kernel's BTF, where there is one: every type survives a cut to all of
    /// its names, and each kept type's record is the kernel's with only IDs and name
    /// offsets changed.
    #[test]
    fn the_kernels_btf_cuts_down() {
        let Ok(bytes) = std::fs::read("/sys/kernel/btf/vmlinux") else { return };
        let kernel = Types::parse(&bytes).unwrap();
        let task = kernel.find(KIND_STRUCT, "task_struct").unwrap();
        let cut = cut(&kernel, &["task_struct", "file"]);
        assert_eq!(kernel.struct_ids(cut.named.iter().copied(), ["file", "task_struct"]), kernel.struct_ids(1..=kernel.len(), ["file", "task_struct"]));
        assert!(cut.missing.is_empty());
        let kept = Types::parse(&cut.bytes).unwrap();
        assert_eq!(kept.len(), cut.kept);
        assert!(kept.len() > 100 && kept.len() < kernel.len());
        let new_task = kept.find(KIND_STRUCT, "task_struct").unwrap();
        assert_eq!(kept.info(new_task), kernel.info(task));
        fn member_names(t: &Types<'_>, id: u32) -> Vec<Vec<u8>> {
            t.fields(id).1.iter().map(|&at| t.string(u32_at(t.record(id), at).unwrap()).to_vec()).collect()
        }
        assert_eq!(member_names(&kept, new_task), member_names(&kernel, task));
    }
}
