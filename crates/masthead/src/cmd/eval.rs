//! `masthead eval`: figures for a stage of the pipeline over a corpus the user points to.
//! Needs no configuration or database.

use anyhow::Context;

use crate::cli::EvalCommand;

pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Extract { corpus } => {
            let report = masthead_extract::eval::evaluate_corpus(&corpus)
                .with_context(|| format!("cannot evaluate extraction on {}", corpus.display()))?;
            say!("{report}");
        }
        EvalCommand::Feeds { corpus } => {
            let report = masthead_feed::eval::evaluate_corpus(&corpus)
                .with_context(|| format!("cannot evaluate feed parsing on {}", corpus.display()))?;
            say!("{report}");
        }
    }
    Ok(())
}
