//! `masthead`: run a network of branded local news sites from one install.
//!
//! The binary's edge: parses the command line, loads the configuration, runs one command and
//! turns its error into one line on stderr and exit status 1 (clap's usage errors exit 2).

mod cli;
mod cmd;
mod config;
mod demo;
mod network;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("masthead: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("masthead: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "masthead=info,masthead_jobs=warn,masthead_web=info,warn",
        1 => "masthead=debug,masthead_jobs=info,masthead_web=debug,info",
        _ => "debug",
    };
    let filter = std::env::var("MASTHEAD_LOG")
        .ok()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
