//! Integration tests: run the real `sysnoop` binary against the running kernel, make the
//! kernel produce events from a child process, and check every NDJSON line.
//!
//! Tests that load BPF need root. Without it they fail when CI=true and skip (saying
//! why) elsewhere.

mod child;
mod cli;
mod connect;
mod doctor;
mod exec;
mod exit;
mod lossless;
mod open;
mod records;
mod syscalls;
mod traffic;
mod util;
