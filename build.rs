//! Compiles every `bpf/<name>.bpf.c` into a Rust skeleton `<name>.skel.rs` in `OUT_DIR`,
//! and writes `skeletons.rs`, which the library includes: one module per object with the
//! generated skeleton, and its `Object` impl for the generic loader (src/loader.rs). A
//! new BPF object is found by its file name; nothing here lists them. Each object is
//! built in one variant per combination of the newer kernel features it uses (FEATURES
//! below), all embedded; the skeleton opens the one for the running kernel.
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
use std::path::{Path, PathBuf};

use libbpf_cargo::SkeletonBuilder;

/// BTF parsing, shared with the binary (CORE_ROOTS below).
#[path = "src/btf.rs"]
#[allow(dead_code)]
mod btf;

/// The kernel features a BPF object can be built without, as the macros its C sees
/// (bpf/common.bpf.h says what each one switches): 1 where the running kernel has the
/// feature, 0 where the object must do without. Every object is built once with all of
/// them, then once per combination of the features it turns out to use (a feature whose
/// absence leaves the object byte for byte the same is not one it uses), and the loader
/// picks the variant for the features it probed (src/features.rs, which lists the same names in
/// the same order). Every variant must generate the same skeleton (the same maps,
/// programs and global variables) but for its bytes: the build checks that, so one
/// skeleton opens any variant.
const FEATURES: [&str; 5] = ["SN_HAVE_TASK_BTF", "SN_HAVE_TASK_PT_REGS", "SN_HAVE_LOOP", "SN_HAVE_RDONLY_CAST", "SN_HAVE_TASK_STORAGE"];

/// For each feature, the others its code is written with (a mask of FEATURES bits):
/// src/features.rs uses it only where the kernel has them too, so no variant is built
/// for a kernel that has it without them. bpf_rdonly_cast (6.2) is used with all three
/// older ones; task storage (5.12) with the BTF task its helper takes.
const NEEDS: [u32; 5] = [0, 0, 0, 0b0111, 0b0001];

/// `mask` less every feature whose needs it lacks: what the loader uses on a kernel
/// with the features in `mask`.
fn coherent(mask: u32) -> u32 {
    (0..FEATURES.len()).filter(|&i| mask & (1 << i) != 0 && NEEDS[i] & !mask != 0).fold(mask, |m, i| m & !(1 << i))
}

/// One built variant of an object: built with the features in `mask` (of those it uses),
/// for every kernel that has exactly those of the features the object uses.
struct Variant {
    mask: u32,
    /// The features this object's source uses at all (the others make no difference).
    used: u32,
    object: PathBuf,
}

impl Variant {
    /// Whether the loader takes this variant on a kernel with the features in `have`.
    fn serves(&self, have: u32) -> bool {
        have & self.used == self.mask
    }
}

/// The `{ ... }` block `text` starts with (up to its first '{'), braces balanced.
fn block(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

fn defines(mask: u32) -> Vec<String> {
    FEATURES.iter().enumerate().map(|(i, f)| format!("-D{f}={}", (mask >> i) & 1)).collect()
}

/// Builds `name`'s skeleton (from the variant with every feature) and each variant
/// object, under OUT_DIR/variants/<mask>/ (the same file name: the skeleton names maps
/// after it).
fn build_variants(name: &str, bpf_dir: &Path, out: &Path, clang_args: &dyn Fn(&[String]) -> Vec<std::ffi::OsString>) -> Vec<Variant> {
    let src = bpf_dir.join(format!("{name}.bpf.c"));
    let all = (1u32 << FEATURES.len()) - 1;
    let mut done: std::collections::HashMap<u32, (PathBuf, String)> = Default::default();
    let mut build = |mask: u32| -> (PathBuf, String) {
        if let Some(built) = done.get(&mask) {
            return built.clone();
        }
        let dir = out.join("variants").join(mask.to_string());
        std::fs::create_dir_all(&dir).expect("creating OUT_DIR/variants");
        let obj = dir.join(format!("{name}_bpf.o"));
        let skel = dir.join(format!("{name}.skel.rs"));
        SkeletonBuilder::new()
            .source(&src)
            .obj(&obj)
            .clang_args(clang_args(&defines(mask)))
            .build_and_generate(&skel)
            .unwrap_or_else(|e| panic!("building BPF skeleton {} ({}): {e:#}", src.display(), defines(mask).join(" ")));
        let text = std::fs::read_to_string(&skel).expect("reading a generated skeleton");
        done.insert(mask, (obj.clone(), text.clone()));
        (obj, text)
    };
    // What every variant must share: the skeleton's text up to its embedded object, but
    // for the generated `types` module (which lists every type of the object's BTF, in
    // an order that follows the code), of which only the global sections' layouts count.
    let shape = |text: &str| -> String {
        let end = text.find("static DATA:").expect("a generated skeleton embeds its object as DATA");
        let text = &text[..end];
        let start = text.find("pub mod types {").expect("a generated skeleton has a types module");
        let body = block(&text[start..]);
        let mut shape = format!("{}{}", &text[..start], &text[start + body.len()..]);
        for section in ["pub struct bss {", "pub struct rodata {", "pub struct data {"] {
            if let Some(at) = body.find(section) {
                shape += block(&body[at..]);
            }
        }
        shape
    };
    let (full_obj, full_text) = build(all);
    // The features the source uses: those whose absence changes the object, with the
    // features that need them (NEEDS) off in both builds: the C takes a needing feature
    // only where what it needs is there too, so without it the needed one may make no
    // difference of its own.
    let mut used = 0;
    for i in 0..FEATURES.len() {
        let needing = (0..FEATURES.len()).filter(|&j| NEEDS[j] & (1 << i) != 0).fold(0, |m, j| m | 1 << j);
        let with = all & !needing;
        let (a, _) = build(with);
        let (b, _) = build(with & !(1 << i));
        if std::fs::read(&a).expect("reading a BPF object") != std::fs::read(&b).expect("reading a BPF object") {
            used |= 1 << i;
        }
    }
    let mut variants = vec![Variant { mask: used, used, object: full_obj.clone() }];
    // One per combination of the used features a kernel can have, with some combination
    // of the unused ones; each built with the unused ones on, so that a used feature
    // finds what it needs (an unused one makes no difference otherwise).
    let possible = |m: u32| (0..=all).filter(|u| u & used == 0).any(|u| coherent(m | u) == m | u);
    for mask in (0..=all).rev().filter(|&m| m & !used == 0 && m != used && possible(m)) {
        let (obj, text) = build(mask | (all & !used));
        if shape(&text) != shape(&full_text) {
            panic!(
                "bpf/{name}.bpf.c built with {} generates a different skeleton than with every feature: \
                 a variant may change what programs do, but not which programs, maps and globals exist",
                defines(mask | (all & !used)).join(" ")
            );
        }
        variants.push(Variant { mask, used, object: obj });
    }
    // The generated skeleton the library includes: the one with every feature.
    let skel_text = full_text.replace("ObjectSkeletonConfigBuilder::new(&DATA)", "ObjectSkeletonConfigBuilder::new(super::object_bytes())");
    assert!(skel_text != full_text, "libbpf-cargo's skeleton no longer opens `&DATA`: update build.rs's variant switch");
    std::fs::write(out.join(format!("{name}.skel.rs")), skel_text).expect("writing a skeleton");
    variants
}

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

    let clang_args = |defines: &[String]| -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec![
            "-Wall".into(),
            "-Werror".into(),
            "-O2".into(),
            "-g".into(),
            format!("-I{}", vmlinux.display()).into(),
            format!("-I{}", bpf_dir.display()).into(),
        ];
        args.extend(defines.iter().map(Into::into));
        args
    };

    // Every object, in every variant it has, side by side (clang is the build's cost).
    let built: Vec<(String, Vec<Variant>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = objects
            .iter()
            .map(|name| {
                let (bpf_dir, out, clang_args) = (&bpf_dir, &out, &clang_args);
                scope.spawn(move || (name.clone(), build_variants(name, bpf_dir, out, clang_args)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a BPF build thread panicked")).collect()
    });

    let mut modules = String::new();
    writeln!(modules, "/// The kernel features an object's variants differ by, bit i of a variant's mask: `FEATURES[i]`.").unwrap();
    writeln!(modules, "pub const VARIANT_FEATURES: [&str; {}] = {FEATURES:?};", FEATURES.len()).unwrap();
    writeln!(modules, "/// For each feature, the others it is used with only (a mask of the same bits).").unwrap();
    writeln!(modules, "pub const VARIANT_NEEDS: [u32; {}] = {NEEDS:?};", FEATURES.len()).unwrap();
    for (name, variants) in &built {
        let camel: String = name.split('_').map(|part| part[..1].to_uppercase() + &part[1..]).collect();
        // For each of the 2^n feature masks, the variant that serves it.
        let mut table = String::new();
        for mask in 0..(1u32 << FEATURES.len()) {
            let index = variants.iter().position(|v| v.serves(coherent(mask))).expect("every mask has a variant");
            write!(table, "{index}, ").unwrap();
        }
        let mut datas = String::new();
        for v in variants {
            write!(datas, "(include_bytes!({:?}), {}), ", v.object.display(), v.mask).unwrap();
        }
        writeln!(modules, "skeleton!({name}, {camel}BpfSkel, Open{camel}BpfSkel, {camel}BpfSkelBuilder, {name:?}, [{datas}], [{table}]);").unwrap();
    }
    // The types every variant's CO-RE relocations start from: what the kernel's BTF is
    // cut down to at load (src/btf.rs, src/loader.rs).
    let mut roots = std::collections::BTreeSet::new();
    for v in built.iter().flat_map(|(_, variants)| variants) {
        let bytes = std::fs::read(&v.object).expect("reading a built object");
        roots.extend(btf::core_roots(&bytes).unwrap_or_else(|e| panic!("{}: {e}", v.object.display())));
    }
    writeln!(modules, "/// The types the objects' CO-RE relocations start from (build.rs, src/btf.rs).").unwrap();
    writeln!(modules, "pub const CORE_ROOTS: &[&str] = &{:?};", roots.iter().collect::<Vec<_>>()).unwrap();
    std::fs::write(out.join("skeletons.rs"), modules).expect("writing skeletons.rs");

    // Every C source and header: a change to the ABI header must rebuild both sides.
    println!("cargo:rerun-if-changed={}", bpf_dir.display());
    for entry in std::fs::read_dir(&bpf_dir).expect("reading bpf/") {
        println!("cargo:rerun-if-changed={}", entry.expect("bpf/ entry").path().display());
    }
    println!("cargo:rerun-if-changed={}", vmlinux.join("vmlinux.h").display());
    println!("cargo:rerun-if-changed=src/btf.rs");

    println!("cargo::rustc-check-cfg=cfg(sysnoop_no_bpf)");
    println!("cargo:rerun-if-env-changed=CI");
    if env::var("CI").as_deref() != Ok("true") && !is_root() {
        println!("cargo:rustc-cfg=sysnoop_no_bpf");
    }
}

/// Whether the build (and so, in practice, the test run) has euid 0.
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|line| line.strip_prefix("Uid:")).and_then(|uids| uids.split_whitespace().nth(1)).is_some_and(|euid| euid == "0")
}
