//! Integration tests: run the real `sysnoop` binary against the running kernel, make the
//! kernel produce events from a child process, and check every NDJSON line.
//!
//! Tests that load BPF need root. Each carries
//! `#[cfg_attr(sysnoop_no_bpf, ignore = "needs root to load BPF programs")]`: build.rs
//! sets that cfg when the build is not root and CI is not "true", so libtest reports
//! them as ignored, with the reason. Run unprivileged all the same, they fail
//! (`util::require_bpf`).

mod accept;
mod cgroups;
mod child;
mod cli;
mod collectors;
mod connect;
mod delivery;
mod doctor;
mod exec;
mod exit;
mod file;
mod follow;
mod identity;
mod kernels;
mod lossless;
mod lsm;
mod ocsf;
mod open;
mod paths;
mod priv_calls;
mod privileges;
mod readme;
mod records;
mod service;
mod snapshot;
mod syscall_args;
mod syscalls;
mod text;
mod traffic;
mod transport;
mod util;
