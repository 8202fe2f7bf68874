//! Scores the extractor over a corpus directory and prints the figures.
//!
//! `cargo run --release -p masthead-extract --example eval -- DIR [--pages]
//! [--baseline NAME=FILE.jsonl]...`: DIR holds page folders in Mozilla Readability's test-page
//! layout; `--pages` prints one line per page; each `--baseline` scores another tool's output
//! over the same pages (JSON lines `{"name", "text", "title", "byline", "ms"}`, `ms` its own
//! extraction time) and prints it beside ours. The scoring lives in `masthead_extract::eval`,
//! so `masthead eval extract` prints the same numbers.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use masthead_extract::eval::{self, EvalReport};

fn baseline(cases: &[eval::Case], file: &str) -> Result<EvalReport, String> {
    let raw = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut rows: HashMap<String, serde_json::Value> = HashMap::new();
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{file}: {e}"))?;
        if let Some(name) = v.get("name").and_then(|n| n.as_str()) {
            rows.insert(name.to_owned(), v);
        }
    }
    let mut pages = Vec::new();
    let mut bytes = 0;
    let mut ms = 0.0;
    for case in cases {
        bytes += case.source.len();
        let row = rows.get(&case.name);
        let s = |k: &str| row.and_then(|r| r.get(k)).and_then(|x| x.as_str());
        ms += row
            .and_then(|r| r.get("ms"))
            .and_then(|x| x.as_f64())
            .unwrap_or(0.0);
        pages.push(eval::score_page(
            case,
            s("text").unwrap_or(""),
            s("title"),
            s("byline"),
        ));
    }
    Ok(EvalReport::from_pages(
        pages,
        bytes,
        Duration::from_secs_f64(ms / 1000.0),
    ))
}

fn main() -> ExitCode {
    let mut dir = None;
    let mut per_page = false;
    let mut baselines = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pages" => per_page = true,
            "--baseline" => match args.next().as_deref().and_then(|b| b.split_once('=')) {
                Some((name, file)) => baselines.push((name.to_owned(), file.to_owned())),
                None => {
                    eprintln!("--baseline takes NAME=FILE.jsonl");
                    return ExitCode::from(2);
                }
            },
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: eval DIR [--pages] [--baseline NAME=FILE.jsonl]...");
        return ExitCode::from(2);
    };
    let ours = match eval::evaluate_corpus(&dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("eval: {e}");
            return ExitCode::FAILURE;
        }
    };
    if per_page {
        for p in &ours.pages {
            println!(
                "{:<45} P {:.3} R {:.3} F1 {:.3} title {:<5} byline {:<5} {}",
                p.name,
                p.precision,
                p.recall,
                p.f1,
                p.title_match.map_or("-", |m| if m { "ok" } else { "MISS" }),
                p.byline_match
                    .map_or("-", |m| if m { "ok" } else { "MISS" }),
                p.error.as_deref().unwrap_or("")
            );
        }
    }
    println!("masthead\n{ours}");
    if baselines.is_empty() {
        return ExitCode::SUCCESS;
    }
    let cases = match eval::load_corpus(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("eval: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "\n{:<12} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9} {:>10}",
        "extractor", "precision", "recall", "F1", "headline", "byline", "pages/s", "vs slowest"
    );
    let mut rows = vec![("masthead".to_owned(), ours)];
    for (name, file) in &baselines {
        match baseline(&cases, file) {
            Ok(r) => rows.push((name.clone(), r)),
            Err(e) => {
                eprintln!("eval: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let slowest = rows
        .iter()
        .map(|(_, r)| r.pages_per_second)
        .fold(f64::INFINITY, f64::min);
    for (name, r) in &rows {
        println!(
            "{:<12} {:>9.3} {:>7.3} {:>7.3} {:>9} {:>9} {:>9.1} {:>9.1}×",
            name,
            r.precision,
            r.recall,
            r.f1,
            format!("{}/{}", r.title_matches, r.title_total),
            format!("{}/{}", r.byline_matches, r.byline_total),
            r.pages_per_second,
            r.pages_per_second / slowest
        );
    }
    ExitCode::SUCCESS
}
