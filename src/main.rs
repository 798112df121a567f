//! The `sysnoop` command: parse the command line, run the subcommand, turn the outcome
//! into an exit status (0 done, 1 cannot trace / runtime error, 2 bad usage from clap).

use std::io;
use std::process::ExitCode;

use clap::Parser;
use libbpf_rs::PrintLevel;

use anyhow::Result;
use sysnoop::cli::{Cli, Command};
use sysnoop::trace::{self, Config};
use sysnoop::{connect, doctor, exec, exit, open, signals, syscall, traffic};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let min_level = if cli.verbose { PrintLevel::Debug } else { PrintLevel::Warn };
    libbpf_rs::set_print(Some((min_level, |_level, msg: String| eprint!("{msg}") /* libbpf prefixes its own messages */)));

    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sysnoop: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Ok(false) when the command ran but says sysnoop cannot trace here (doctor).
fn run(cli: &Cli) -> Result<bool> {
    let out = io::stdout().lock();
    match &cli.command {
        Command::Doctor => doctor::run(out),
        Command::Open(args) => {
            signals::install()?;
            let cfg = Config::new(args, cli.verbose)?;
            let tracer = open::load(&cfg)?;
            trace::run(&cfg, &[tracer.source()], &[&tracer.hooks], args, out).map(|()| true)
        }
        Command::Exec(args) => {
            signals::install()?;
            let cfg = Config { max_arg_bytes: args.max_arg_bytes, ..Config::new(&args.trace, cli.verbose)? };
            let tracer = exec::load(&cfg)?;
            trace::run(&cfg, &[tracer.source()], &[&tracer.hooks], &args.trace, out).map(|()| true)
        }
        Command::Exit(args) => {
            signals::install()?;
            let cfg = Config { threads: args.threads, ..Config::new(&args.trace, cli.verbose)? };
            let tracer = exit::load(&cfg)?;
            trace::run(&cfg, &[tracer.source()], &[&tracer.hooks], &args.trace, out).map(|()| true)
        }
        Command::Connect(args) => {
            signals::install()?;
            let cfg = Config { ports: args.port.clone().map(|p| p.0).unwrap_or_default(), ..Config::new(&args.trace, cli.verbose)? };
            let tracer = connect::load(&cfg)?;
            trace::run(&cfg, &[tracer.source()], &[&tracer.hooks], &args.trace, out).map(|()| true)
        }
        Command::Syscalls(args) => {
            signals::install()?;
            let cfg = Config::new(&args.trace, cli.verbose)?;
            let numbers = args.syscall.clone().map(|s| s.0).unwrap_or_default();
            let count = args.count.then_some(syscall::CountMode { per_process: args.per_process, errno: args.errno });
            let tracer = syscall::load(&cfg, &numbers, count)?;
            if !args.count {
                return trace::run(&cfg, &[tracer.source()], &[&tracer.hooks], &args.trace, out).map(|()| true);
            }
            let mut counts = tracer.counts(args.top.map(|n| n as usize));
            let periodic = sysnoop::session::Periodic { every: args.interval, produce: Box::new(move || counts.snapshot()) };
            trace::run_with(&cfg, &[tracer.count_source()], &[&tracer.hooks], Some(periodic), &args.trace, out).map(|()| true)
        }
        Command::Traffic(args) => {
            signals::install()?;
            traffic::run(args, cli.verbose, out).map(|()| true)
        }
        Command::All(args) => {
            signals::install()?;
            let cfg = Config {
                max_arg_bytes: args.max_arg_bytes,
                threads: args.threads,
                ..Config::new(&args.trace, cli.verbose)?
            };
            let (open, exec, exit) = (open::load(&cfg)?, exec::load(&cfg)?, exit::load(&cfg)?);
            let connect = connect::load(&cfg)?;
            // Traffic where it can be counted; the rest of `all` does not depend on it.
            let traffic = traffic::target(None).and_then(|(root, dir)| Ok((traffic::load(&cfg, &dir)?, root)));
            let traffic = match traffic {
                Ok(loaded) => Some(loaded),
                Err(e) => {
                    eprintln!("sysnoop: traffic is not counted: {e:#}");
                    None
                }
            };
            let mut sources = vec![open.source(), exec.source(), exit.source(), connect.source()];
            let mut hooks = vec![&open.hooks, &exec.hooks, &exit.hooks, &connect.hooks];
            let traffic_hooks = trace::Hooks { kind: "traffic", traced: vec!["cgroup_skb ingress, egress".into()], absent: Vec::new() };
            let periodic = traffic.as_ref().map(|(tracer, root)| {
                sources.extend(tracer.sources());
                hooks.push(&traffic_hooks);
                let mut snapshots = tracer.snapshots(root);
                let alert = args.alert_bytes_per_sec;
                sysnoop::session::Periodic { every: Some(args.traffic_interval), produce: Box::new(move || snapshots.snapshot(alert)) }
            });
            trace::run_with(&cfg, &sources, &hooks, periodic, &args.trace, out).map(|()| true)
        }
    }
}
