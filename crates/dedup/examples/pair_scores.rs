//! Prints every labelled pair's similarity, lowest duplicates and highest non-duplicates
//! first: for reviewing the threshold by eye.
//!
//! `cargo run -p masthead-dedup --example pair_scores [-- FILE]`

use std::path::PathBuf;

use masthead_dedup::{read_pairs, similarity, sketch};

fn main() -> Result<(), masthead_dedup::DedupError> {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pairs.jsonl"),
        PathBuf::from,
    );
    let mut rows: Vec<(bool, f64, usize, String, String)> = read_pairs(&path)?
        .into_iter()
        .map(|(line, p)| {
            let s = similarity(
                &sketch(&p.a.headline, &p.a.text),
                &sketch(&p.b.headline, &p.b.text),
            );
            (p.duplicate, s, line, p.kind, p.a.headline)
        })
        .collect();
    // Hardest first: duplicates by rising similarity, then different stories by falling.
    rows.sort_by(|x, y| {
        let kx = if x.0 { x.1 } else { 2.0 - x.1 };
        let ky = if y.0 { y.1 } else { 2.0 - y.1 };
        kx.total_cmp(&ky)
    });
    for (dup, s, line, kind, headline) in rows {
        let label = if dup { "dup" } else { "diff" };
        println!("{s:.3} {label:<4} line {line:>3} {kind:<13} {headline}");
    }
    Ok(())
}
