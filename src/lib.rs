//! sysnoop: watch a Linux host through eBPF and print what happens as NDJSON.
//!
//! The binary (`src/main.rs`) is a thin shell around this library so the pure logic
//! (decoding, rendering, filters, preflight parsing) is unit-tested without a kernel.

pub mod cli;
pub mod clock;
pub mod connect;
pub mod decode;
pub mod doctor;
pub mod errno;
pub mod event;
pub mod exec;
pub mod exit;
pub mod filter;
pub mod flags;
pub mod live;
pub mod open;
pub mod preflight;
pub mod session;
pub mod signals;
pub mod stats;
pub mod syscall;
pub mod syscall_names;
pub mod syscalls;
pub mod text;
pub mod trace;
pub mod traffic;

/// The Rust skeletons libbpf-cargo generated from `bpf/*.bpf.c` (see build.rs).
pub mod bpf {
    macro_rules! skeleton {
        ($($name:ident),*) => {$(
            pub mod $name {
                #![allow(clippy::all, non_camel_case_types, non_upper_case_globals, dead_code, unused_imports)]
                include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".skel.rs"));
            }
        )*};
    }
    skeleton!(open, exec, exit, connect, traffic, syscall);
}
