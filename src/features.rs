//! The kernel features sysnoop's BPF programs use beyond its floor (Linux 5.10), each
//! probed on the running kernel and each with a fallback: build.rs builds every BPF
//! object once per combination of the features it uses (the `SN_HAVE_*` macros, see
//! bpf/common.bpf.h), and the loader opens the variant built for what this kernel has.
//! A variant must not merely skip a helper in a branch rodata makes dead: a kernel that
//! lacks it refuses the program all the same ("invalid func unknown#158", or "number of
//! funcs in func_info doesn't match number of subprogs" for bpf_loop's callbacks).
//!
//! Chosen by probing the kernel (libbpf's helper probe: a one-call program the verifier
//! accepts or not), never by its version number: distribution kernels backport. The
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
    pub(crate) helper: u32,
    pub(crate) since: Version,
    /// What the programs do with it.
    #[serde(skip)]
    pub(crate) with: &'static str,
    /// What they do instead: the fallback, and how it is weaker if it is.
    pub(crate) instead: &'static str,
}

pub(crate) const FEATURES: [(Feature, Info); 3] = [
    (
        Feature::TaskBtf,
        Info {
            name: "bpf_get_current_task_btf",
            macro_name: "SN_HAVE_TASK_BTF",
            helper: libbpf_sys::BPF_FUNC_get_current_task_btf,
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
            helper: libbpf_sys::BPF_FUNC_task_pt_regs,
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
            helper: libbpf_sys::BPF_FUNC_loop,
            since: Version(5, 17),
            with: "full paths walked up to 2100 steps (components and mount crossings), and every --exclude-path/--include-path prefix matched, in bpf_loop callbacks",
            instead: "full paths walked in a bounded loop of at most 64 steps, 32 for file records (a deeper path is cut to its nearest components and flagged full_path_truncated), prefixes matched in a bounded loop",
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

// The order build.rs builds the variants in is the order here.
const _: () = {
    let names = crate::bpf::VARIANT_FEATURES;
    assert!(names.len() == FEATURES.len());
    let mut i = 0;
    while i < names.len() {
        assert!(FEATURES[i].0 as usize == i);
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
        let probes = FEATURES.iter().map(|(_, info)| probe_helper(info.helper)).collect();
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

    /// Why `feature` is not used (None when it is).
    pub(crate) fn why_not(&self, feature: Feature) -> Option<String> {
        let info = &FEATURES[feature as usize].1;
        if let Some(v) = self.forced_off(info.since) {
            return Some(format!("{AS_KERNEL_ENV}={v}"));
        }
        if feature == Feature::TaskBtf && self.no_kernel_btf {
            return Some(format!("the kernel shows no BTF of its own at {}", crate::preflight::BTF_PATH));
        }
        (*self.probe_of(feature) == Probe::Absent).then(|| "not in this kernel".to_owned())
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
        let f = Features { probes: vec![Probe::Present; 3], as_kernel: Some(Version(5, 15)), no_kernel_btf: false };
        assert!(f.has(Feature::TaskBtf) && f.has(Feature::TaskPtRegs) && !f.has(Feature::Loop));
        assert_eq!(f.mask(), 0b011);
        assert_eq!(f.why_not(Feature::Loop).as_deref(), Some("SYSNOOP_AS_KERNEL=5.15"));
        let f = Features { probes: vec![Probe::Present, Probe::Absent, Probe::Unknown("EPERM".into())], as_kernel: None, no_kernel_btf: false };
        assert_eq!(f.mask(), 0b101);
        assert_eq!(f.fallbacks(0b111).len(), 1);
        assert_eq!(f.fallbacks(0b101).len(), 0);
    }
}
