//! Runs our parser over a feedparser-style test corpus and prints the figures.
//!
//! `cargo run --release -p masthead-feed --example eval_feeds -- DIR [--failures] [--untranslatable]`
//! `--failures` lists every failed case with its reason; `--untranslatable` every
//! untranslatable one.

use std::path::PathBuf;
use std::process::ExitCode;

use masthead_feed::eval::{Verdict, evaluate_corpus};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval_feeds DIR [--failures] [--untranslatable]");
        return ExitCode::FAILURE;
    };
    let report = match evaluate_corpus(&PathBuf::from(dir)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let show_failures = args.iter().any(|a| a == "--failures");
    let show_untranslatable = args.iter().any(|a| a == "--untranslatable");
    for case in &report.cases {
        match &case.verdict {
            Verdict::Fail(why) if show_failures => {
                println!("FAIL {}\n  expect: {}\n  {why}", case.path, case.expect);
            }
            Verdict::Untranslatable(why) if show_untranslatable => {
                println!("UNTR {} ({why})\n  expect: {}", case.path, case.expect);
            }
            _ => {}
        }
    }
    print!("{report}");
    ExitCode::SUCCESS
}
