//! Compiles every `bpf/<name>.bpf.c` into a Rust skeleton `<name>.skel.rs` in `OUT_DIR`.
//!
//! CO-RE: programs are compiled once against the checked-in `vmlinux/<arch>/vmlinux.h`
//! (regenerate with `scripts/gen-vmlinux`); libbpf relocates field accesses against the
//! running kernel's BTF at load time. libbpf-cargo adds `-D__TARGET_ARCH_<arch>` itself.

use std::env;
use std::path::PathBuf;

use libbpf_cargo::SkeletonBuilder;

/// The BPF objects, one per event kind. Each `bpf/<name>.bpf.c` shares its ABI with
/// Rust through `bpf/<name>.h`.
const OBJECTS: &[&str] = &["open", "exec", "exit", "connect", "traffic", "syscall"];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("CARGO_CFG_TARGET_ARCH");
    let vmlinux = manifest.join("vmlinux").join(&arch);
    if !vmlinux.join("vmlinux.h").exists() {
        panic!(
            "no vmlinux.h for target arch {arch}: generate vmlinux/{arch}/vmlinux.h with \
             scripts/gen-vmlinux on a {arch} host"
        );
    }

    let bpf_dir = manifest.join("bpf");
    for name in OBJECTS {
        let src = bpf_dir.join(format!("{name}.bpf.c"));
        let skel = out.join(format!("{name}.skel.rs"));
        // The skeleton is named after the object file: `<name>_bpf`, because an object
        // named plain `open` would generate `OpenSkel`, which clashes with libbpf-rs's trait.
        SkeletonBuilder::new()
            .source(&src)
            .obj(out.join(format!("{name}_bpf.o")))
            .clang_args([
                "-Wall".into(),
                "-Werror".into(),
                "-O2".into(),
                "-g".into(),
                format!("-I{}", vmlinux.display()),
                format!("-I{}", bpf_dir.display()),
            ])
            .build_and_generate(&skel)
            .unwrap_or_else(|e| panic!("building BPF skeleton {}: {e:#}", src.display()));
    }

    // Every C source and header: a change to the ABI header must rebuild both sides.
    for entry in std::fs::read_dir(&bpf_dir).expect("reading bpf/") {
        println!("cargo:rerun-if-changed={}", entry.expect("bpf/ entry").path().display());
    }
    println!("cargo:rerun-if-changed={}", vmlinux.join("vmlinux.h").display());
}
