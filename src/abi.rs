//! The C types every BPF object shares (bpf/sysnoop.h, the ABI's one source of truth),
//! named once. Each skeleton carries its own copy of them, every one generated from
//! that header, so these are taken from one (open's) for all.

pub(crate) use crate::bpf::open::types::{sysnoop_counter, sysnoop_kind, sysnoop_path_abi, sysnoop_path_flags, sysnoop_path_source, task_header};
