//! Compiles every `bpf/<name>.bpf.c` into a Rust skeleton `<name>.skel.rs` in `OUT_DIR`,
//! and writes `skeletons.rs`, which the library includes: one module per object with the
//! generated skeleton, and its `Object` impl for the generic loader (src/loader.rs). A
//! new BPF object is found by its file name; nothing here lists them.
//!
//! CO-RE: programs are compiled once against the checked-in `vmlinux/<arch>/vmlinux.h`
//! (regenerate with `scripts/gen-vmlinux`); libbpf relocates field accesses against the
//! running kernel's BTF at load time. libbpf-cargo adds `-D__TARGET_ARCH_<arch>` itself.
//!
//! It also sets `cfg(sysnoop_no_bpf)` when the tests cannot load BPF programs (not root)
//! and CI is not set: the integration tests that need BPF are then reported as ignored,
//! with the reason, instead of passing without running (under CI=true they run, and fail
//! without privileges).

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;

use libbpf_cargo::SkeletonBuilder;

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
    let mut objects: Vec<String> = std::fs::read_dir(&bpf_dir)
        .expect("reading bpf/")
        .map(|entry| entry.expect("bpf/ entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".bpf.c").map(str::to_owned))
        .collect();
    objects.sort();

    let mut modules = String::new();
    for name in &objects {
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
        let camel: String = name
            .split('_')
            .map(|part| part[..1].to_uppercase() + &part[1..])
            .collect();
        writeln!(modules, "skeleton!({name}, {camel}BpfSkel, Open{camel}BpfSkel, {camel}BpfSkelBuilder, {name:?});").unwrap();
    }
    std::fs::write(out.join("skeletons.rs"), modules).expect("writing skeletons.rs");

    // Every C source and header: a change to the ABI header must rebuild both sides.
    println!("cargo:rerun-if-changed={}", bpf_dir.display());
    for entry in std::fs::read_dir(&bpf_dir).expect("reading bpf/") {
        println!("cargo:rerun-if-changed={}", entry.expect("bpf/ entry").path().display());
    }
    println!("cargo:rerun-if-changed={}", vmlinux.join("vmlinux.h").display());

    println!("cargo::rustc-check-cfg=cfg(sysnoop_no_bpf)");
    println!("cargo:rerun-if-env-changed=CI");
    if env::var("CI").as_deref() != Ok("true") && !is_root() {
        println!("cargo:rustc-cfg=sysnoop_no_bpf");
    }
}

/// Whether the build (and so, in practice, the test run) has euid 0.
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|uids| uids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}
