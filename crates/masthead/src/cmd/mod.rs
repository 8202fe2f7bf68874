//! One module per command; `run` dispatches.

mod demo;
mod digest;
mod eval;
mod extract;
mod ingest;
mod init;
mod migrate;
mod releases;
mod rules;
mod serve;
mod sources;
mod stories;
mod tokens;
mod user;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config_path = cli.config.as_deref();
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Init(args) => init::run(&args),
        Command::Serve(args) => serve::run(config_path, args).await,
        Command::Migrate => migrate::run(config_path).await,
        Command::Ingest(args) => ingest::run(config_path, args).await,
        Command::Sources(cmd) => sources::run(config_path, cmd).await,
        Command::Stories(cmd) => stories::run(config_path, cmd).await,
        Command::Rules(cmd) => rules::run(config_path, cmd).await,
        Command::Digest(cmd) => digest::run(config_path, cmd).await,
        Command::Extract(args) => extract::run(config_path, args).await,
        Command::Eval(cmd) => eval::run(cmd),
        Command::Tokens(cmd) => tokens::run(config_path, cmd).await,
        Command::Releases(cmd) => releases::run(config_path, cmd).await,
        Command::User(cmd) => user::run(config_path, cmd).await,
    }
}
