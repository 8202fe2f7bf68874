//! Runs our parser over a feedparser-style test corpus and prints the figures.
//!
//! `cargo run --release -p masthead-feed --example eval_feeds -- DIR [--failures] [--untranslatable]`
//! `--failures` lists every failed case with its reason; `--untranslatable` every
//! untranslatable one; `--subfolders` adds a table by second-level folder; `--raw` compares
//! summaries and contents as parsed only, not also as `masthead_normalize::sanitize` stores them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use masthead_feed::eval::{Verdict, evaluate_corpus_with};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval_feeds DIR [--failures] [--untranslatable]");
        return ExitCode::FAILURE;
    };
    // feedparser's expected summaries and contents are its sanitizer's output; ours are
    // compared both as parsed and as `normalize` would store them (`--raw`: as parsed only).
    let sanitize = |html: &str| masthead_normalize::sanitize(html).into_string();
    let sanitizer: Option<&dyn Fn(&str) -> String> =
        (!args.iter().any(|a| a == "--raw")).then_some(&sanitize as &dyn Fn(&str) -> String);
    let report = match evaluate_corpus_with(&PathBuf::from(dir), sanitizer) {
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
    if args.iter().any(|a| a == "--subfolders") {
        // folder -> (passed, failed, untranslatable)
        let mut rows: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for case in &report.cases {
            let folder = case.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let row = rows.entry(folder.to_owned()).or_default();
            match case.verdict {
                Verdict::Pass => row.0 += 1,
                Verdict::Fail(_) => row.1 += 1,
                Verdict::Untranslatable(_) => row.2 += 1,
            }
        }
        println!(
            "{:<28} {:>7} {:>7} {:>14}",
            "subfolder", "passed", "failed", "untranslatable"
        );
        for (folder, (passed, failed, untranslatable)) in rows {
            println!("{folder:<28} {passed:>7} {failed:>7} {untranslatable:>14}");
        }
        println!();
    }
    print!("{report}");
    ExitCode::SUCCESS
}
