//! `masthead`: run a network of branded local news sites from one install.
//!
//! The binary's edge: parses the command line, loads the configuration, runs one command and
//! turns its error into one line on stderr and exit status 1 (clap's usage errors exit 2).

/// `println!` that ends the process quietly when stdout is closed (`masthead … | head`)
/// instead of panicking on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(err) = writeln!(std::io::stdout(), $($arg)*) {
            $crate::stdout_failed(&err);
        }
    }};
}

/// `print!` with the same care as [`say!`].
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(err) = write!(std::io::stdout(), $($arg)*) {
            $crate::stdout_failed(&err);
        }
    }};
}

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

/// A reader that went away (a closed pipe) is not a failure of the command.
fn stdout_failed(err: &std::io::Error) {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("masthead: cannot write to stdout: {err}");
    std::process::exit(1);
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
