//! The writer's speed without a kernel (not a test): decodes and renders the recorded
//! ring-buffer stream (bench/data/records.ring) over and over, as sysnoop's writer thread
//! does, in each format, and prints records per second of one core's CPU time as a
//! Markdown table. Run by bench/replay; needs no root.
//!
//!   cargo bench --bench replay -- [ROUNDS] [FORMAT]   (FORMAT: only native, ocsf or text)

use std::time::Instant;

use nix::time::{clock_gettime, ClockId};
use sysnoop::format::Format;
use sysnoop::replay;

/// Records rendered per round: the recording, repeated.
const PER_ROUND: usize = 500_000;

fn thread_cpu_ns() -> u64 {
    let ts = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).expect("thread CPU clock");
    ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5);
    let only = args.get(1).map(String::as_str);
    let all = replay::records(replay::RECORDS);
    let of_kind = |kind: u32| -> Vec<&[u8]> { all.iter().copied().filter(|r| r.get(8..12) == Some(&kind.to_ne_bytes())).collect() };
    let (opens, syscalls) = (of_kind(1), of_kind(5)); // SN_KIND_OPEN, SN_KIND_SYSCALL
    let ctx = replay::context();
    let streams = [("open records", &opens), ("syscall records (with arguments)", &syscalls), ("the recorded mix", &all)];
    println!(
        "Machine: {} CPUs, {}; {PER_ROUND} records per round, median of {rounds} rounds.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel()
    );
    println!("| stream | format | ns of CPU per record | records/s per core | bytes per record |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for (name, records) in streams {
        let kinds = replay::kinds(records);
        for format in [Format::Native, Format::Ocsf, Format::Text] {
            if only.is_some_and(|only| only != format!("{format:?}").to_lowercase()) {
                continue;
            }
            let renderer = replay::renderer(format, &kinds);
            let mut out = Vec::with_capacity(1 << 20);
            let mut ns = Vec::new();
            let mut bytes = 0;
            for _ in 0..rounds {
                let (cpu, wall) = (thread_cpu_ns(), Instant::now());
                let mut done = 0;
                bytes = 0;
                while done < PER_ROUND {
                    out.clear();
                    done += replay::render(records, &renderer, &ctx, &mut out);
                    bytes += out.len();
                }
                let _ = wall.elapsed();
                ns.push((thread_cpu_ns() - cpu) as f64 / done as f64);
            }
            let per = median(ns);
            let done_bytes = bytes as f64 / PER_ROUND.div_ceil(records.len()) as f64 / records.len() as f64;
            println!("| {name} | {} | {per:.0} | {:.2} M | {done_bytes:.0} |", format!("{format:?}").to_lowercase(), 1e3 / per);
        }
    }
}

fn kernel() -> String {
    nix::sys::utsname::uname().map(|u| format!("Linux {}", u.release().to_string_lossy())).unwrap_or_default()
}
