//! The `sysnoop` command: parse the command line, run the subcommand, turn the outcome
//! into an exit status (0 done, 1 cannot trace / runtime error, 2 bad usage from clap).

use std::io;
use std::process::ExitCode;

use clap::Parser;
use libbpf_rs::PrintLevel;

use sysnoop::cli::{Cli, Command};
use sysnoop::{doctor, open, signals};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let min_level = if cli.verbose { PrintLevel::Debug } else { PrintLevel::Warn };
    libbpf_rs::set_print(Some((min_level, |_level, msg: String| eprint!("libbpf: {msg}"))));

    let result = match &cli.command {
        Command::Doctor => doctor::run(io::stdout().lock()),
        Command::Open(args) => signals::install()
            .map_err(anyhow::Error::from)
            .and_then(|()| open::run(args, cli.verbose, io::stdout().lock()))
            .map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sysnoop: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
