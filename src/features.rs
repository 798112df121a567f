//! The kernel features sysnoop's BPF programs use beyond its floor (Linux 5.10), each
//! probed on the running kernel and each with a fallback: build.rs builds every BPF
//! object once per combination of the features it uses (the `SN_HAVE_*` macros, see
//! bpf/common.bpf.h), and the loader opens the variant built for what this kernel has.
//! A variant must not merely skip a helper in a branch rodata makes dead: a kernel that
//! lacks it refuses the program all the same ("invalid func unknown#158", or "number of
//! funcs in func_info doesn't match number of subprogs" for bpf_loop's callbacks).
//!
//! Chosen by probing the kernel (libbpf's helper probe: a one-call program the verifier
//! accepts or not; for a kfunc, its name in the kernel's BTF), never by its version
//! number: distribution kernels backport. The
//! environment variable `SYSNOOP_AS_KERNEL=5.10` takes every fallback a 5.10 kernel
//! needs on a newer one, so the tests run them on the host.

use std::sync::OnceLock;

use libbpf_rs::libbpf_sys;
use serde::Serialize;

/// The environment variable that makes sysnoop do without what an older kernel lacks.
pub(crate) const AS_KERNEL_ENV: &str = "SYSNOOP_AS_KERNEL";

/// The oldest kernel sysnoop supports: what the fallbacks are built for.
pub(crate) const FLOOR: Version = Version(5, 10);

/// A kernel version, major.minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Version {
    /// "5.10" or "5.10.0-32-cloud-amd64" (a release as uname prints it).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let mut parts = text.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor: String = parts.next()?.chars().take_while(char::is_ascii_digit).collect();
        Some(Version(major, minor.parse().ok()?))
    }
}

/// A feature an object can be built without (bit `self as u32` of a variant's mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feature {
    TaskBtf = 0,
    TaskPtRegs = 1,
    Loop = 2,
    RdonlyCast = 3,
    TaskStorage = 4,
}

/// How the running kernel is asked whether it has a feature.
#[derive(Debug)]
pub(crate) enum Ask {
    /// A BPF helper: libbpf's probe loads a tracepoint program that calls it.
    Helper(u32),
    /// A kfunc: the kernel has it when its BTF names it (a FUNC; libbpf resolves a
    /// program's kfunc calls there too). Every kfunc sysnoop uses is one tracepoint
    /// programs may call wherever it exists.
    Kfunc(&'static str),
}

/// What a feature is, since when the kernel has it, and what sysnoop does without it.
#[derive(Debug, Serialize)]
pub(crate) struct Info {
    /// The helper, as the kernel's documentation names it.
    pub(crate) name: &'static str,
    /// The macro the BPF side sees (build.rs's FEATURES, in the same order).
    #[serde(skip)]
    pub(crate) macro_name: &'static str,
    #[serde(skip)]
    pub(crate) ask: Ask,
    /// The other features its code is written with (bits of `Feature`): without them
    /// it is not used either, and build.rs builds no variant for such a kernel.
    #[serde(skip)]
    pub(crate) needs: u32,
    pub(crate) since: Version,
    /// What the programs do with it.
    #[serde(skip)]
    pub(crate) with: &'static str,
    /// What they do instead: the fallback, and how it is weaker if it is.
    pub(crate) instead: &'static str,
}

pub(crate) const FEATURES: [(Feature, Info); 5] = [
    (
        Feature::TaskBtf,
        Info {
            name: "bpf_get_current_task_btf",
            macro_name: "SN_HAVE_TASK_BTF",
            ask: Ask::Helper(libbpf_sys::BPF_FUNC_get_current_task_btf),
            needs: 0,
            since: Version(5, 11),
            with: "the task read through its BTF pointer",
            instead: "the task read with bpf_get_current_task() and CO-RE reads, its command name with bpf_get_current_comm()",
        },
    ),
    (
        Feature::TaskPtRegs,
        Info {
            name: "bpf_task_pt_regs",
            macro_name: "SN_HAVE_TASK_PT_REGS",
            ask: Ask::Helper(libbpf_sys::BPF_FUNC_task_pt_regs),
            needs: 0,
            since: Version(5, 15),
            with: "a syscall's arguments and number read from the task's saved registers",
            instead: "the saved registers found at the top of the task's kernel stack (open), or the raw tracepoint's own pt_regs argument (syscalls)",
        },
    ),
    (
        Feature::Loop,
        Info {
            name: "bpf_loop",
            macro_name: "SN_HAVE_LOOP",
            ask: Ask::Helper(libbpf_sys::BPF_FUNC_loop),
            needs: 0,
            since: Version(5, 17),
            with: "full paths walked up to 2100 steps (components and mount crossings), and every --exclude-path/--include-path prefix matched, in bpf_loop callbacks",
            instead: "full paths walked in a bounded loop of at most 64 steps, 32 for file records (a deeper path is cut to its nearest components and flagged full_path_truncated), prefixes matched in a bounded loop",
        },
    ),
    (
        Feature::RdonlyCast,
        Info {
            name: "bpf_rdonly_cast",
            macro_name: "SN_HAVE_RDONLY_CAST",
            ask: Ask::Kfunc("bpf_rdonly_cast"),
            needs: 1 << Feature::TaskBtf as u32 | 1 << Feature::TaskPtRegs as u32 | 1 << Feature::Loop as u32,
            since: Version(6, 2),
            with: "every record's task fields and full paths' walks read with plain loads from the kernel's structures (a kfunc the verifier turns into a register move)",
            instead: "the uid and cgroup id by their helpers, and each file, dentry and mount field of a full path's walk by a bpf_probe_read_kernel() call",
        },
    ),
    (
        Feature::TaskStorage,
        Info {
            name: "bpf_task_storage_get",
            macro_name: "SN_HAVE_TASK_STORAGE",
            ask: Ask::Helper(libbpf_sys::BPF_FUNC_task_storage_get),
            needs: 1 << Feature::TaskBtf as u32,
            since: Version(5, 12),
            with: "what a call's exit needs from its enter (syscalls --latency; exec, connect, accept, bind and priv) kept in the thread's task storage",
            instead: "the entry kept in an LRU hash by thread id (10,240 threads in a call at once; one more evicts the least recently used entry, whose exit then counts a pairing miss)",
        },
    ),
];

// The walks' bounds the texts above give are bpf/sysnoop.h's.
const _: () = {
    use crate::abi::sysnoop_path_abi;
    assert!(sysnoop_path_abi::SN_PATH_STEPS_BOUNDED.0 == 64, "FEATURES' bpf_loop text says 64 steps");
    assert!(sysnoop_path_abi::SN_PATH_STEPS_BOUNDED_FILE.0 == 32, "FEATURES' bpf_loop text says 32 steps for file records");
    assert!(sysnoop_path_abi::SN_PATH_STEPS_MAX.0 == 2100, "FEATURES' bpf_loop text says 2100 steps");
};

// The order build.rs builds the variants in is the order here, and so are the needs.
const _: () = {
    let names = crate::bpf::VARIANT_FEATURES;
    assert!(names.len() == FEATURES.len());
    let mut i = 0;
    while i < names.len() {
        assert!(FEATURES[i].0 as usize == i);
        assert!(FEATURES[i].1.needs == crate::bpf::VARIANT_NEEDS[i], "build.rs's NEEDS are src/features.rs's");
        let (a, b) = (names[i].as_bytes(), FEATURES[i].1.macro_name.as_bytes());
        assert!(a.len() == b.len(), "src/features.rs lists the features in build.rs's order");
        let mut j = 0;
        while j < a.len() {
            assert!(a[j] == b[j], "src/features.rs lists the features in build.rs's order");
            j += 1;
        }
        i += 1;
    }
};

/// What the probe of one feature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    Present,
    Absent,
    /// The probe could not run (no privileges to load BPF): taken as present, so the
    /// real load says what is wrong.
    Unknown(String),
}

/// The features of the running kernel, as the loader uses them.
#[derive(Debug)]
pub(crate) struct Features {
    probes: Vec<Probe>,
    /// SYSNOOP_AS_KERNEL: do without what this version lacks.
    pub(crate) as_kernel: Option<Version>,
    /// The kernel shows no BTF of its own (run with --btf): a BTF-typed task pointer
    /// cannot be trusted to pass its verifier, whatever the helper probe says.
    pub(crate) no_kernel_btf: bool,
}

/// Why a feature is not used, and what is done instead: for the start record and doctor.
#[derive(Debug, Serialize)]
pub(crate) struct Fallback {
    #[serde(flatten)]
    pub(crate) info: &'static Info,
    /// "not in this kernel" or "SYSNOOP_AS_KERNEL=5.10".
    pub(crate) why: String,
}

impl Features {
    /// Probes the running kernel, and reads SYSNOOP_AS_KERNEL.
    pub(crate) fn probe() -> Features {
        let probes = FEATURES
            .iter()
            .map(|(_, info)| match info.ask {
                Ask::Helper(helper) => probe_helper(helper),
                Ask::Kfunc(name) => probe_kfunc(name),
            })
            .collect();
        Features { probes, as_kernel: as_kernel().ok().flatten(), no_kernel_btf: !crate::preflight::kernel_has_btf() }
    }

    pub(crate) fn probe_of(&self, feature: Feature) -> &Probe {
        &self.probes[feature as usize]
    }

    /// Whether the loader uses `feature`.
    pub(crate) fn has(&self, feature: Feature) -> bool {
        self.why_not(feature).is_none()
    }

    /// SYSNOOP_AS_KERNEL's value when it names a kernel older than `since`.
    pub(crate) fn forced_off(&self, since: Version) -> Option<Version> {
        self.as_kernel.filter(|v| *v < since)
    }

    /// The features used, bit `Feature as u32` each: what picks an object's variant.
    pub(crate) fn mask(&self) -> u32 {
        FEATURES.iter().filter(|(f, _)| self.has(*f)).fold(0, |mask, (f, _)| mask | 1 << *f as u32)
    }

    /// The first of `feature`'s needs (Info::needs) not used here, by name.
    fn missing_need(&self, feature: Feature) -> Option<&'static str> {
        let needs = FEATURES[feature as usize].1.needs;
        FEATURES.iter().filter(|(f, _)| needs & (1 << *f as u32) != 0).find(|(f, _)| !self.has(*f)).map(|(_, info)| info.name)
    }

    /// Why `feature` is not used (None when it is).
    pub(crate) fn why_not(&self, feature: Feature) -> Option<String> {
        let info = &FEATURES[feature as usize].1;
        if let Some(v) = self.forced_off(info.since) {
            return Some(format!("{AS_KERNEL_ENV}={v}"));
        }
        if matches!(feature, Feature::TaskBtf | Feature::RdonlyCast) && self.no_kernel_btf {
            return Some(format!("the kernel shows no BTF of its own at {}", crate::preflight::BTF_PATH));
        }
        if *self.probe_of(feature) == Probe::Absent {
            return Some("not in this kernel".to_owned());
        }
        self.missing_need(feature).map(|need| format!("used only with {need}, which is not"))
    }

    /// The fallbacks among the features in `mask` (an object's, or every one).
    pub(crate) fn fallbacks(&self, mask: u32) -> Vec<Fallback> {
        FEATURES.iter().filter(|(f, _)| mask & (1 << *f as u32) != 0).filter_map(|(f, info)| self.why_not(*f).map(|why| Fallback { info, why })).collect()
    }
}

/// The names of the features in `mask` (bit `Feature as u32` each), in FEATURES' order.
pub(crate) fn names(mask: u32) -> impl Iterator<Item = &'static str> {
    FEATURES.iter().filter(move |(f, _)| mask & (1 << *f as u32) != 0).map(|(_, info)| info.name)
}

/// Serializes a mask of features as their names (the start record's `without`).
pub(crate) fn serialize_names<S: serde::Serializer>(mask: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(names(*mask))
}

/// The features of the running kernel, probed once per run.
pub(crate) fn get() -> &'static Features {
    static FEATURES: OnceLock<Features> = OnceLock::new();
    FEATURES.get_or_init(Features::probe)
}

/// SYSNOOP_AS_KERNEL, parsed: None when unset or empty.
pub fn as_kernel() -> Result<Option<Version>, String> {
    match std::env::var(AS_KERNEL_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{AS_KERNEL_ENV} is not text")),
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => match Version::parse(&value) {
            Some(v) if v >= FLOOR && value.split('.').count() == 2 => Ok(Some(v)),
            Some(v) if v < FLOOR => Err(format!("{AS_KERNEL_ENV}={value}: sysnoop supports Linux {FLOOR} and later")),
            _ => Err(format!("{AS_KERNEL_ENV}={value}: expected a kernel version as MAJOR.MINOR, e.g. {FLOOR}")),
        },
    }
}

/// Whether tracepoint programs may call `helper` here (libbpf_probe_bpf_helper).
fn probe_helper(helper: u32) -> Probe {
    // SAFETY: a plain probe; NULL opts are allowed.
    let ret = unsafe { libbpf_sys::libbpf_probe_bpf_helper(libbpf_sys::BPF_PROG_TYPE_TRACEPOINT, helper, std::ptr::null()) };
    match ret {
        1 => Probe::Present,
        0 => Probe::Absent,
        e => Probe::Unknown(std::io::Error::from_raw_os_error(-e).to_string()),
    }
}

/// Whether the kernel has kfunc `name`: whether its BTF (/sys/kernel/btf/vmlinux) names
/// it. Only the string section is read and searched (about 40 % of the file, a
/// millisecond or two): no type has a name that is not in it, and no type but the
/// kfunc's FUNC has this one.
fn probe_kfunc(name: &str) -> Probe {
    match btf_strings(crate::preflight::BTF_PATH) {
        Ok(Some(strings)) => {
            if strings.split(|&b| b == 0).any(|s| s == name.as_bytes()) {
                Probe::Present
            } else {
                Probe::Absent
            }
        }
        Ok(None) => Probe::Unknown(format!("{} is not BTF as sysnoop reads it", crate::preflight::BTF_PATH)),
        // No kernel BTF: why_not() says so.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Probe::Absent,
        Err(e) => Probe::Unknown(format!("reading {}: {e}", crate::preflight::BTF_PATH)),
    }
}

/// The string section of the raw BTF at `path` (include/uapi/linux/btf.h: a header, then
/// the types and the strings at offsets it gives past itself), in the machine's byte
/// order; None when it is not BTF.
fn btf_strings(path: &str) -> std::io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let mut header = [0u8; 24];
    file.read_exact_at(&mut header, 0)?;
    let Some((start, len)) = btf_string_section(&header) else { return Ok(None) };
    let mut strings = vec![0; len];
    file.read_exact_at(&mut strings, start)?;
    Ok(Some(strings))
}

/// Where a BTF header (its first 24 bytes) says the string section is: its offset in the
/// file and its length.
fn btf_string_section(header: &[u8; 24]) -> Option<(u64, usize)> {
    let u32_at = |at: usize| u32::from_ne_bytes(header[at..at + 4].try_into().unwrap());
    if header[0..2] != 0xeb9fu16.to_ne_bytes() {
        return None;
    }
    let (hdr_len, str_off, str_len) = (u32_at(4), u32_at(16), u32_at(20));
    Some((u64::from(hdr_len) + u64::from(str_off), str_len as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_uname_and_users_write_them() {
        assert_eq!(Version::parse("5.10"), Some(Version(5, 10)));
        assert_eq!(Version::parse("5.10.0-32-cloud-amd64"), Some(Version(5, 10)));
        assert_eq!(Version::parse("6.18.0"), Some(Version(6, 18)));
        assert_eq!(Version::parse("6"), None);
        assert_eq!(Version::parse("x.1"), None);
        assert!(Version(5, 10) < Version(5, 11) && Version(5, 17) < Version(6, 1));
    }

    #[test]
    fn as_kernel_drops_what_the_version_lacks() {
        let f = Features { probes: vec![Probe::Present; 5], as_kernel: Some(Version(5, 15)), no_kernel_btf: false };
        assert!(f.has(Feature::TaskBtf) && f.has(Feature::TaskPtRegs) && !f.has(Feature::Loop) && !f.has(Feature::RdonlyCast));
        assert_eq!(f.mask(), 0b1_0011);
        assert_eq!(f.why_not(Feature::Loop).as_deref(), Some("SYSNOOP_AS_KERNEL=5.15"));
        let f = Features { probes: vec![Probe::Present; 5], as_kernel: Some(Version(5, 11)), no_kernel_btf: false };
        assert_eq!(f.mask(), 0b0001);
        assert_eq!(f.why_not(Feature::TaskStorage).as_deref(), Some("SYSNOOP_AS_KERNEL=5.11"));
        let f = Features { probes: vec![Probe::Present; 5], as_kernel: Some(Version(6, 1)), no_kernel_btf: false };
        assert_eq!(f.mask(), 0b1_0111);
        assert_eq!(f.why_not(Feature::RdonlyCast).as_deref(), Some("SYSNOOP_AS_KERNEL=6.1"));
        let f = Features {
            probes: vec![Probe::Present, Probe::Absent, Probe::Unknown("EPERM".into()), Probe::Present, Probe::Absent],
            as_kernel: None,
            no_kernel_btf: false,
        };
        assert_eq!(f.mask(), 0b0101);
        assert_eq!(f.fallbacks(0b0111).len(), 1);
        assert_eq!(f.fallbacks(0b0101).len(), 0);
    }

    #[test]
    fn a_feature_is_used_only_with_what_it_needs() {
        // A kernel with bpf_rdonly_cast but without bpf_loop (none is known; a probe that
        // failed) takes neither: no variant is built for that mix.
        let f = Features { probes: vec![Probe::Present, Probe::Present, Probe::Absent, Probe::Present, Probe::Absent], as_kernel: None, no_kernel_btf: false };
        assert_eq!(f.mask(), 0b0011);
        assert_eq!(f.why_not(Feature::RdonlyCast).as_deref(), Some("used only with bpf_loop, which is not"));
        // Without the kernel's own BTF there is neither the BTF task nor the cast, nor
        // task storage, whose helper takes the BTF task.
        let f = Features { probes: vec![Probe::Present; 5], as_kernel: None, no_kernel_btf: true };
        assert_eq!(f.mask(), 0b0110);
        assert_eq!(f.why_not(Feature::TaskStorage).as_deref(), Some("used only with bpf_get_current_task_btf, which is not"));
        assert!(f.why_not(Feature::RdonlyCast).unwrap().starts_with("the kernel shows no BTF"));
    }

    #[test]
    fn the_running_kernels_btf_names_its_kfuncs() {
        if !crate::preflight::kernel_has_btf() {
            return;
        }
        let strings = btf_strings(crate::preflight::BTF_PATH).unwrap().expect("the kernel's BTF parses");
        assert!(strings.split(|&b| b == 0).any(|s| s == b"task_struct"));
        assert_eq!(probe_kfunc("sysnoop_no_such_kfunc"), Probe::Absent);
        assert_eq!(btf_string_section(&[0; 24]), None, "not BTF");
    }
}
