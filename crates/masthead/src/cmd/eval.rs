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
        EvalCommand::Dedup { pairs, threshold } => {
            let threshold = threshold.unwrap_or(masthead_dedup::DEFAULT_THRESHOLD);
            anyhow::ensure!(
                (0.0..=1.0).contains(&threshold),
                "--threshold must be between 0 and 1"
            );
            let report = masthead_dedup::evaluate_pairs(&pairs, threshold)
                .with_context(|| format!("cannot evaluate {}", pairs.display()))?;
            say!("{report}");
        }
    }
    Ok(())
}
