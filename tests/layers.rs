//! The source's layering: every `crate::` path in src/ (tests aside) names a module of
//! the same layer or a lower one, never a higher one. docs/design.md's Layout shows
//! the same table. A new module gets a row here.

use std::collections::BTreeMap;
use std::path::Path;

/// Each layer, lowest first: a module may use its own layer and those above it here.
const LAYERS: &[(&str, &[&str])] = &[
    ("leaves", &["text", "clock", "errno", "flags", "ring", "dedup", "signals", "libbpf_log", "syscall_names", "syscall_args", "units", "abi", "pool", "btf"]),
    ("helpers", &["columns", "json", "syscalls", "outfile", "live"]),
    ("host", &["preflight", "features", "caps", "cgroup", "identity", "transport", "tls", "delivery", "notify"]),
    ("records", &["event", "decode", "path", "socket", "ocsf", "schema", "filter", "stats"]),
    // The loader, each kind, and the registry that lists them (its Kind and Event are
    // what a kind's load names): one layer, in which kinds do not use one another
    // except through the loader (checked below).
    (
        "kinds",
        &[
            "loader",
            "kinds",
            "kinds::open",
            "kinds::exec",
            "kinds::exec::snapshot",
            "kinds::exit",
            "kinds::connect",
            "kinds::accept",
            "kinds::bind",
            "kinds::file",
            "kinds::privilege",
            "kinds::privilege::module",
            "kinds::syscall",
            "kinds::syscall::values",
            "kinds::lsm",
            "kinds::traffic",
            "follow",
        ],
    ),
    ("output", &["format", "replay", "doctor", "metrics"]),
    ("run", &["cli", "config", "writer", "session"]),
];

/// The module a `crate::` path names: `kinds::open` for kinds' own modules, else its
/// first segment.
fn module_of(path: &str) -> String {
    let mut parts = path.split("::");
    let first = parts.next().unwrap_or_default();
    match (first, parts.next()) {
        ("kinds", Some(second)) if LAYERS.iter().any(|(_, m)| m.contains(&format!("kinds::{second}").as_str())) => format!("kinds::{second}"),
        _ => first.to_owned(),
    }
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

/// The lines of `text` without what is compiled for tests only: each item after a
/// `#[cfg(test)]` at the start of a line, to its closing `}` at the start of a line (or
/// its `;`).
fn without_tests(text: &str) -> Vec<(usize, &str)> {
    let mut kept = Vec::new();
    let mut skipping = false;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if skipping {
            skipping = !(line == "}" || (line.ends_with(';') && !line.starts_with(' ')));
            continue;
        }
        if line == "#[cfg(test)]" {
            skipping = !lines.peek().is_some_and(|(_, next)| next.ends_with(';'));
            if !skipping {
                lines.next();
            }
            continue;
        }
        kept.push((n + 1, line));
    }
    kept
}

/// Every module's `crate::` uses, with the line each is on.
fn uses(src: &Path) -> BTreeMap<String, Vec<(String, usize)>> {
    let mut all = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let name = rel.to_str().unwrap().replace('/', "::").trim_end_matches("::mod").to_owned();
        if name == "main" || name == "lib" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut found = Vec::new();
        for (n, line) in without_tests(&text) {
            let code = line.split("//").next().unwrap_or_default();
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                if let Some(list) = rest.strip_prefix('{') {
                    // use crate::{a, b::c, ...};
                    let inner = &list[..list.find('}').unwrap_or(list.len())];
                    for item in inner.split(',') {
                        let item = item.trim();
                        if !item.is_empty() {
                            found.push((module_of(item), n));
                        }
                    }
                } else {
                    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
                    found.push((module_of(&rest[..end]), n));
                }
            }
            if name.starts_with("kinds::") && code.contains("super::") {
                found.push(("kinds".to_owned(), n));
            }
        }
        all.insert(name, found);
    }
    all
}

#[test]
fn every_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, used) in uses(&src) {
        let Some(from) = rank(&module) else {
            wrong.push(format!("src/{module}: in no layer of tests/layers.rs"));
            continue;
        };
        for (target, line) in used {
            // The generated skeletons, the macros and the crate's own items.
            if ["bpf", "say", "plain_abi", "skeleton"].contains(&target.as_str()) || target == module {
                continue;
            }
            let a_kind = |m: &str| m.starts_with("kinds::") || m == "follow";
            match rank(&target) {
                Some(_) if a_kind(&module) && a_kind(&target) => {
                    wrong.push(format!("src/{module} line {line} uses {target}: kinds share code through a lower module, not one another"))
                }
                Some(to) if to <= from => {}
                Some(to) => wrong.push(format!("src/{module} ({}) line {line} uses {target} ({})", LAYERS[from].0, LAYERS[to].0)),
                None => wrong.push(format!("src/{module} line {line} uses {target}, in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up or out of the layers ({}):\n{}", wrong.len(), wrong.join("\n"));
}
