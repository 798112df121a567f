//! The `sysnoop` command: parse the command line, resolve it into a configuration, run,
//! and turn the outcome into an exit status (0 done, 1 cannot trace / runtime error, 2
//! bad usage from clap).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};

use sysnoop::cli::{Cli, Command};
use sysnoop::config::Config;
use sysnoop::delivery::Dest;
use sysnoop::follow::{self, Follow, Held, NotRunnable};
use sysnoop::{doctor, session, signals};

/// Allocations from this size up get their own mapping, returned to the kernel when
/// freed (glibc's default, which it otherwise raises to the largest such block freed).
const MMAP_THRESHOLD: i32 = 128 * 1024;

fn main() -> ExitCode {
    // A fixed threshold: glibc raises its own on the first large free (libbpf's buffers
    // and the BTF cut's at load, src/btf.rs), after which up to 10 MB of memory freed at
    // load stayed in its heaps for the whole run (`all`: 16 MB anonymous against 5 MB).
    // SAFETY: a plain mallopt() call, before any thread exists.
    unsafe { nix::libc::mallopt(nix::libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version: to stdout, exit 0.
        Err(e) if e.exit_code() == 0 => e.exit(),
        Err(_) => {
            sysnoop::say!("{}", sysnoop::cli::usage_error(std::env::args_os()));
            return ExitCode::from(2);
        }
    };
    sysnoop::libbpf_log::install(cli.verbose);
    if let Some(btf) = &cli.btf {
        sysnoop::preflight::set_btf_file(btf.clone());
    }
    // A bad value is bad usage, like a bad flag.
    if let Err(e) = sysnoop::features::as_kernel() {
        sysnoop::say!("sysnoop: error: {e}");
        return ExitCode::from(2);
    }

    match run(cli) {
        Ok(status) => status,
        Err(e) => {
            sysnoop::say!("sysnoop: error: {e:#}");
            match e.downcast_ref::<NotRunnable>() {
                Some(_) => ExitCode::from(follow::NOT_RUNNABLE),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// `text` on stdout: a closed stdout (`| head`) is a normal end.
fn print(mut out: impl Write, text: &[u8]) -> Result<ExitCode> {
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// FAILURE when the command ran but says sysnoop cannot trace here (doctor); with
/// -- CMD, CMD's exit status.
fn run(cli: Cli) -> Result<ExitCode> {
    let out = io::stdout().lock();
    match cli.command {
        Command::Doctor => doctor::run(out).map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Schema(kind) => {
            let document = sysnoop::kinds::schema_document(kind.as_deref()).expect("clap accepts only kinds that have a schema");
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            print(out, text.as_bytes())
        }
        Command::Completions(shell) => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "sysnoop", &mut text);
            print(out, &text)
        }
        Command::Manpages(dir) => {
            clap_mangen::generate_to(Cli::command(), &dir).with_context(|| format!("writing the man pages into {}", dir.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace(command) => {
            let config = Config::new(*command);
            // Before -- CMD is forked: its environment has no NOTIFY_SOCKET.
            sysnoop::notify::init()?;
            // Forked first, while sysnoop has one thread, and held until tracing is live.
            let mut held = match &config.follow {
                Some(Follow::Command { argv, user }) => Some(Held::spawn(argv, user.as_ref())?),
                _ => None,
            };
            signals::install()?;
            if config.output != Dest::Stdout {
                signals::install_reopen()?;
            }
            session::trace(&config, cli.verbose, held.as_ref(), out)?;
            Ok(held.as_mut().map_or(ExitCode::SUCCESS, |held| ExitCode::from(held.finish())))
        }
    }
}
