//! Prints every labelled pair's two similarities (word shingles, distinctive features) and
//! the combined decision at the default settings, hardest first: duplicates by rising
//! shingle similarity, then different stories by falling. For reviewing thresholds by eye,
//! or piping into a sweep (tab-separated).
//!
//! `cargo run -p masthead-dedup --example pair_scores [-- FILE]`

use std::path::PathBuf;

use masthead_dedup::{DedupSettings, name_similarity, read_pairs, similarity, sketch};

fn main() -> Result<(), masthead_dedup::DedupError> {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pairs.jsonl"),
        PathBuf::from,
    );
    let settings = DedupSettings::default();
    let mut rows: Vec<(bool, f64, f64, bool, usize, String, String)> = read_pairs(&path)?
        .into_iter()
        .map(|(line, p)| {
            let a = sketch(&p.a.headline, &p.a.text);
            let b = sketch(&p.b.headline, &p.b.text);
            (
                p.duplicate,
                similarity(&a, &b),
                name_similarity(&a, &b),
                settings.is_duplicate(&a, &b),
                line,
                p.kind,
                p.a.headline,
            )
        })
        .collect();
    rows.sort_by(|x, y| {
        let kx = if x.0 { x.1 } else { 2.0 - x.1 };
        let ky = if y.0 { y.1 } else { 2.0 - y.1 };
        kx.total_cmp(&ky)
    });
    println!("label\tshingles\tnames\tdecision\tline\tkind\theadline");
    for (dup, s, n, decided, line, kind, headline) in rows {
        let label = if dup { "dup" } else { "diff" };
        let decided = if decided { "dup" } else { "diff" };
        println!("{label}\t{s:.3}\t{n:.3}\t{decided}\t{line}\t{kind}\t{headline}");
    }
    Ok(())
}
