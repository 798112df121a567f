//! sysnoop: watch a Linux host through eBPF and print what happens as NDJSON.
//!
//! The binary (`src/main.rs`) is a thin shell around this library so the pure logic
//! (decoding, rendering, filters, preflight parsing) is unit-tested without a kernel.
//! Each event kind lives in `kinds/<kind>.rs`, registered in `kinds/mod.rs`; the rest is
//! what every kind shares.

/// `eprintln!` that never panics: stderr closed (`2>&1 | head`) must not end a run and
/// lose its summary. What sysnoop says on stderr is best effort.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub(crate) mod abi;
pub(crate) mod btf;
pub(crate) mod caps;
pub(crate) mod cgroup;
pub mod cli;
pub mod clock;
pub(crate) mod columns;
pub mod config;
pub(crate) mod decode;
pub(crate) mod dedup;
pub mod delivery;
pub mod doctor;
pub(crate) mod errno;
pub(crate) mod event;
pub mod features;
pub(crate) mod filter;
pub(crate) mod flags;
pub mod follow;
pub mod format;
pub(crate) mod identity;
pub(crate) mod json;
pub mod kinds;
pub mod libbpf_log;
pub(crate) mod live;
pub(crate) mod loader;
pub(crate) mod metrics;
pub mod notify;
pub(crate) mod ocsf;
pub(crate) mod outfile;
pub(crate) mod path;
pub(crate) mod pool;
pub mod preflight;
pub mod replay;
pub(crate) mod ring;
pub(crate) mod schema;
pub mod session;
pub mod signals;
pub(crate) mod socket;
pub mod stats;
pub(crate) mod syscall_args;
pub(crate) mod syscall_names;
pub mod syscalls;
pub(crate) mod text;
pub(crate) mod tls;
pub(crate) mod transport;
pub(crate) mod units;
pub(crate) mod writer;

/// The Rust skeletons libbpf-cargo generated from `bpf/*.bpf.c` (see build.rs), one
/// module per object, each with its `loader::Object` impl.
pub mod bpf {
    macro_rules! skeleton {
        ($name:ident, $skel:ident, $open:ident, $builder:ident, $file:literal, [$(($bytes:expr, $mask:literal)),+ $(,)?], [$($serves:literal),+ $(,)?]) => {
            pub mod $name {
                #![allow(clippy::all, clippy::undocumented_unsafe_blocks, non_camel_case_types, non_upper_case_globals, dead_code, unused_imports)]
                include!(concat!(env!("OUT_DIR"), "/", $file, ".skel.rs"));

                /// The object's variants (build.rs): its ELF bytes, and the features
                /// (bit i: `VARIANT_FEATURES[i]`) it was built with.
                pub static VARIANTS: &[(&[u8], u32)] = &[$(($bytes, $mask)),+];
                /// For each mask of features the kernel has, the index of the variant to load.
                static SERVES: &[usize] = &[$($serves),+];

                /// The variant for the running kernel's features: its bytes and features.
                fn variant() -> &'static (&'static [u8], u32) {
                    &VARIANTS[SERVES[crate::features::get().mask() as usize]]
                }

                /// What the skeleton opens (build.rs points it here).
                pub(crate) fn object_bytes() -> &'static [u8] {
                    variant().0
                }

                /// The features the loaded variant was built with.
                pub fn variant_mask() -> u32 {
                    variant().1
                }

                impl crate::loader::Object for $skel<'static> {
                    type Open = $open<'static>;
                    const NAME: &'static str = $file;

                    fn open(btf: Option<&std::path::Path>) -> libbpf_rs::Result<Self::Open> {
                        use libbpf_rs::skel::SkelBuilder;
                        let mut builder = $builder::default();
                        if let Some(btf) = btf {
                            builder.obj_builder.btf_custom_path(btf)?;
                        }
                        builder.open(crate::loader::object_storage())
                    }

                    fn set_common(open: &mut Self::Open, common: &crate::loader::Common) {
                        let rodata = open.maps.rodata_data.as_deref_mut().expect("every object has rodata (bpf/common.bpf.h)");
                        rodata.targ_tgid = common.tgid;
                        rodata.targ_tid = common.tid;
                        rodata.targ_uid = common.uid;
                        rodata.targ_failed = common.failed;
                        rodata.targ_follow = u8::from(common.follow);
                        rodata.targ_cgroup = u8::from(common.cgroup);
                        rodata.self_tgid = common.self_tgid;
                        rodata.wakeup_bytes = common.wakeup_bytes;
                        rodata.use_perf = u8::from(common.use_perf);
                        for (dst, &src) in rodata.targ_comm.iter_mut().zip(&common.comm) {
                            *dst = src as _;
                        }
                        rodata.targ_comm_len = common.comm.len() as u32;
                        let [task_struct, dentry, mount, file] = common.cast_ids;
                        (rodata.kid_task_struct, rodata.kid_dentry, rodata.kid_mount, rodata.kid_file) = (task_struct, dentry, mount, file);
                    }

                    fn object_mut(open: &mut Self::Open) -> &mut libbpf_rs::OpenObject {
                        libbpf_rs::skel::OpenSkel::open_object_mut(open)
                    }

                    fn variant_mask() -> u32 {
                        variant_mask()
                    }

                    fn used_features() -> u32 {
                        VARIANTS[0].1
                    }

                    fn events(open: &mut Self::Open) -> &mut libbpf_rs::OpenMapMut<'static> {
                        &mut open.maps.events
                    }

                    fn reserved(open: &mut Self::Open) -> &mut libbpf_rs::OpenMapMut<'static> {
                        &mut open.maps.reserved
                    }

                    fn followed(open: &mut Self::Open) -> &mut libbpf_rs::OpenMapMut<'static> {
                        &mut open.maps.followed
                    }

                    fn cgroup_filter(open: &mut Self::Open) -> &mut libbpf_rs::OpenMapMut<'static> {
                        &mut open.maps.cgroup_filter
                    }

                    fn load(open: Self::Open) -> libbpf_rs::Result<Self> {
                        libbpf_rs::skel::OpenSkel::load(open)
                    }

                    fn attach(&mut self) -> libbpf_rs::Result<()> {
                        libbpf_rs::skel::Skel::attach(self)
                    }

                    fn self_seen(&self) -> &[u8] {
                        &self.maps.bss_data.as_deref().expect("every object has bss (bpf/common.bpf.h)").self_seen
                    }

                    fn counters(&self) -> &libbpf_rs::MapMut<'static> {
                        &self.maps.counters
                    }

                    fn programs(&self) -> Vec<(String, std::os::fd::OwnedFd)> {
                        use libbpf_rs::skel::Skel;
                        use std::os::fd::AsFd;
                        self.object()
                            .progs()
                            .filter(|p| p.autoload())
                            .filter_map(|p| p.as_fd().try_clone_to_owned().ok().map(|fd| (p.name().to_string_lossy().into_owned(), fd)))
                            .collect()
                    }
                }
            }
        };
    }
    include!(concat!(env!("OUT_DIR"), "/skeletons.rs"));
}
