//! Precision and recall of the near-duplicate test on a labelled set of story pairs.
//!
//! Input: a JSON Lines file the caller names, one pair a line:
//! `{"a": {"headline", "text"}, "b": {…}, "duplicate": true|false, "kind": "rewrite"}`.
//! Output: a [`PairsReport`] whose `Display` prints precision, recall, F1, counts by kind and a
//! threshold sweep (`masthead eval dedup --pairs FILE`). Reading that file is the only I/O in
//! this crate; it never writes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::sketch::{name_similarity, similarity, sketch};
use crate::{DedupError, DedupSettings};

/// One side of a labelled pair.
#[derive(Clone, Debug, Deserialize)]
pub struct PairSide {
    pub headline: String,
    pub text: String,
}

/// Two stories and whether they are the same news.
#[derive(Clone, Debug, Deserialize)]
pub struct LabelledPair {
    pub a: PairSide,
    pub b: PairSide,
    pub duplicate: bool,
    /// `repost`, `rewrite`, `correction`, `boilerplate`, `same-topic`, `same-dateline`,
    /// `same-day`, …: how the pair was made, for the per-kind counts.
    #[serde(default)]
    pub kind: String,
}

/// Pairs of one kind and label, and how many the test got right.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindCounts {
    pub pairs: usize,
    pub correct: usize,
    /// Lowest and highest shingle similarity seen in this group.
    pub min_similarity: f64,
    pub max_similarity: f64,
    /// Lowest and highest distinctive-feature similarity seen in this group.
    pub min_name_similarity: f64,
    pub max_name_similarity: f64,
    /// How many the shingle threshold alone (no second signal) got right: the "before".
    pub shingle_only_correct: usize,
}

/// Precision, recall and F1 at one threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A pair the test got wrong, by its 1-based line in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Misclassified {
    pub line: usize,
    pub kind: String,
    pub duplicate: bool,
    pub similarity: f64,
    pub name_similarity: f64,
    pub headline_a: String,
    pub headline_b: String,
}

/// What [`evaluate_pairs`] measured.
#[derive(Clone, Debug, PartialEq)]
pub struct PairsReport {
    pub threshold: f64,
    /// The second signal's settings: distinctive-feature threshold and shingle floor.
    pub name_threshold: f64,
    pub name_floor: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub true_negatives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Keyed by (kind, duplicate label).
    pub by_kind: BTreeMap<(String, bool), KindCounts>,
    /// The shingle threshold from 0.30 to 0.90, second signal at its settings.
    pub sweep: Vec<SweepPoint>,
    /// The distinctive-feature threshold from 0.40 to 0.80 (above 1: off), shingle threshold
    /// and floor at their settings.
    pub name_sweep: Vec<SweepPoint>,
    /// Precision and recall of the shingle threshold alone (the first signal, as before).
    pub shingle_only: SweepPoint,
    pub misclassified: Vec<Misclassified>,
}

impl PairsReport {
    /// Pairs in the set.
    pub fn pairs(&self) -> usize {
        self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Reads a labelled pairs file (blank lines and lines starting with `#` are skipped).
pub fn read_pairs(path: &Path) -> Result<Vec<(usize, LabelledPair)>, DedupError> {
    let body = std::fs::read_to_string(path).map_err(|source| DedupError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut pairs = Vec::new();
    for (i, line) in body.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pair = serde_json::from_str(line).map_err(|source| DedupError::Pair {
            path: path.to_owned(),
            line: i + 1,
            source,
        })?;
        pairs.push((i + 1, pair));
    }
    if pairs.is_empty() {
        return Err(DedupError::NoPairs {
            path: path.to_owned(),
        });
    }
    Ok(pairs)
}

/// Scores labelled pairs (each with its line number) at shingle threshold `threshold` and the
/// default second signal, plus sweeps of both thresholds.
pub fn evaluate(pairs: &[(usize, LabelledPair)], threshold: f64) -> PairsReport {
    evaluate_with(
        pairs,
        &DedupSettings {
            threshold,
            ..DedupSettings::default()
        },
    )
}

/// Scores labelled pairs with the decision of `settings` ([`DedupSettings::is_duplicate`]).
pub fn evaluate_with(pairs: &[(usize, LabelledPair)], settings: &DedupSettings) -> PairsReport {
    let scored: Vec<(usize, &LabelledPair, f64, f64)> = pairs
        .iter()
        .map(|(line, p)| {
            let a = sketch(&p.a.headline, &p.a.text);
            let b = sketch(&p.b.headline, &p.b.text);
            (*line, p, similarity(&a, &b), name_similarity(&a, &b))
        })
        .collect();
    let decide = |s: f64, n: f64, t: f64, nt: f64| s >= t || (s >= settings.name_floor && n >= nt);
    let confusion = |t: f64, nt: f64| {
        let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
        for (_, p, s, n) in &scored {
            match (p.duplicate, decide(*s, *n, t, nt)) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (false, false) => tn += 1,
                (true, false) => fn_ += 1,
            }
        }
        (tp, fp, tn, fn_)
    };
    let point = |t: f64, nt: f64, shown: f64| {
        let (tp, fp, _, fn_) = confusion(t, nt);
        let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        SweepPoint {
            threshold: shown,
            precision: p,
            recall: r,
            f1: f1(p, r),
        }
    };
    let nt = settings.name_threshold;
    let sweep = (0..=12)
        .map(|i| {
            let t = 0.30 + 0.05 * f64::from(i);
            point(t, nt, t)
        })
        .collect();
    let name_sweep = (0..=8)
        .map(|i| {
            let x = 0.40 + 0.05 * f64::from(i);
            point(settings.threshold, x, x)
        })
        .collect();
    let shingle_only = point(settings.threshold, f64::INFINITY, settings.threshold);
    let (tp, fp, tn, fn_) = confusion(settings.threshold, nt);
    let mut by_kind: BTreeMap<(String, bool), KindCounts> = BTreeMap::new();
    let mut misclassified = Vec::new();
    for (line, p, s, n) in &scored {
        let k = by_kind
            .entry((p.kind.clone(), p.duplicate))
            .or_insert(KindCounts {
                min_similarity: f64::INFINITY,
                max_similarity: f64::NEG_INFINITY,
                min_name_similarity: f64::INFINITY,
                max_name_similarity: f64::NEG_INFINITY,
                ..KindCounts::default()
            });
        k.pairs += 1;
        k.min_similarity = k.min_similarity.min(*s);
        k.max_similarity = k.max_similarity.max(*s);
        k.min_name_similarity = k.min_name_similarity.min(*n);
        k.max_name_similarity = k.max_name_similarity.max(*n);
        if p.duplicate == (*s >= settings.threshold) {
            k.shingle_only_correct += 1;
        }
        if p.duplicate == decide(*s, *n, settings.threshold, nt) {
            k.correct += 1;
        } else {
            misclassified.push(Misclassified {
                line: *line,
                kind: p.kind.clone(),
                duplicate: p.duplicate,
                similarity: *s,
                name_similarity: *n,
                headline_a: p.a.headline.clone(),
                headline_b: p.b.headline.clone(),
            });
        }
    }
    let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    PairsReport {
        threshold: settings.threshold,
        name_threshold: nt,
        name_floor: settings.name_floor,
        true_positives: tp,
        false_positives: fp,
        true_negatives: tn,
        false_negatives: fn_,
        precision,
        recall,
        f1: f1(precision, recall),
        by_kind,
        sweep,
        name_sweep,
        shingle_only,
        misclassified,
    }
}

/// Reads the labelled pairs at `path` and scores the near-duplicate test at `threshold`.
pub fn evaluate_pairs(path: &Path, threshold: f64) -> Result<PairsReport, DedupError> {
    Ok(evaluate(&read_pairs(path)?, threshold))
}

impl fmt::Display for PairsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dups = self.true_positives + self.false_negatives;
        writeln!(
            f,
            "{} pairs ({} duplicates, {} different stories): duplicate when shingles >= {:.2}, \
             or distinctive features >= {:.2} with shingles >= {:.2}",
            self.pairs(),
            dups,
            self.pairs() - dups,
            self.threshold,
            self.name_threshold,
            self.name_floor
        )?;
        writeln!(
            f,
            "precision {:.3}  recall {:.3}  F1 {:.3}  (TP {} FP {} TN {} FN {})",
            self.precision,
            self.recall,
            self.f1,
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives
        )?;
        writeln!(
            f,
            "shingles alone: precision {:.3}  recall {:.3}  F1 {:.3}",
            self.shingle_only.precision, self.shingle_only.recall, self.shingle_only.f1
        )?;
        writeln!(
            f,
            "\nby kind               label      pairs  correct  (shingles alone)  shingles    distinctive"
        )?;
        for ((kind, dup), k) in &self.by_kind {
            writeln!(
                f,
                "  {:<19} {:<10} {:>5}  {:>7}  {:>16}  {:.2}..{:.2}  {:.2}..{:.2}",
                kind,
                if *dup { "duplicate" } else { "different" },
                k.pairs,
                k.correct,
                k.shingle_only_correct,
                k.min_similarity,
                k.max_similarity,
                k.min_name_similarity,
                k.max_name_similarity
            )?;
        }
        writeln!(f, "\nshingle threshold  precision  recall  F1")?;
        for p in &self.sweep {
            let mark = if (p.threshold - self.threshold).abs() < 1e-9 {
                "  <- chosen"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:.2}               {:.3}    {:.3}  {:.3}{mark}",
                p.threshold, p.precision, p.recall, p.f1
            )?;
        }
        writeln!(f, "\ndistinctive threshold  precision  recall  F1")?;
        for p in &self.name_sweep {
            let mark = if (p.threshold - self.name_threshold).abs() < 1e-9 {
                "  <- chosen"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:.2}                   {:.3}    {:.3}  {:.3}{mark}",
                p.threshold, p.precision, p.recall, p.f1
            )?;
        }
        if !self.misclassified.is_empty() {
            writeln!(f, "\nmisclassified:")?;
            for m in &self.misclassified {
                writeln!(
                    f,
                    "  line {:>3}  {:<17} {:<9} shingles {:.2} distinctive {:.2}  {:?} / {:?}",
                    m.line,
                    m.kind,
                    if m.duplicate { "dup" } else { "different" },
                    m.similarity,
                    m.name_similarity,
                    m.headline_a,
                    m.headline_b
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::DEFAULT_THRESHOLD;

    fn testdata(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name)
    }

    #[test]
    fn labelled_set_meets_the_floor() {
        let report = evaluate_pairs(&testdata("pairs.jsonl"), DEFAULT_THRESHOLD)
            .unwrap_or_else(|e| panic!("{e}"));
        println!("{report}");
        assert!(report.pairs() >= 300, "{} pairs", report.pairs());
        // Measured at the defaults: precision 0.996 (one templated match report at shingles
        // 0.58), recall 0.973 (7 of 260 missed, 6 agency rewrites); shingles alone: recall
        // 0.719. The floors leave room for MinHash noise, not for a regression.
        assert!(report.precision >= 0.98, "precision {}", report.precision);
        assert!(report.recall >= 0.95, "recall {}", report.recall);
        assert!(report.shingle_only.recall < report.recall);
        let agency = &report.by_kind[&("agency-rewrite".to_owned(), true)];
        assert!(agency.correct * 10 >= agency.pairs * 8, "{agency:?}");
        for kind in ["follow-up", "template-earnings", "same-topic"] {
            let k = &report.by_kind[&(kind.to_owned(), false)];
            assert_eq!(k.correct, k.pairs, "{kind}: {k:?}");
        }
        assert_eq!(report.sweep.len(), 13);
        assert_eq!(report.name_sweep.len(), 9);
    }

    /// Candidate generation must find what the rule accepts: an agency rewrite at shingles
    /// 0.1–0.3 shares almost no shingle band, so the distinctive-feature bands must hold it.
    #[test]
    fn clusterer_finds_every_accepted_pair() {
        let settings = crate::DedupSettings::default();
        let pairs = read_pairs(&testdata("pairs.jsonl")).unwrap();
        let mut accepted = 0;
        for (line, p) in &pairs {
            let a = sketch(&p.a.headline, &p.a.text);
            let b = sketch(&p.b.headline, &p.b.text);
            if !settings.is_duplicate(&a, &b) {
                continue;
            }
            accepted += 1;
            let mut c = crate::Clusterer::new(settings.clone());
            c.add(1, 0, a);
            assert_eq!(c.add(2, 60, b), Some(1), "line {line}");
        }
        assert!(accepted > 250, "{accepted}");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let missing = evaluate_pairs(Path::new("/nonexistent/pairs.jsonl"), 0.5);
        assert!(matches!(missing, Err(DedupError::Io { .. })));
        let dir = std::env::temp_dir().join(format!("masthead-dedup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.jsonl");
        std::fs::write(&bad, "# comment\n\n{\"a\": 1}\n").unwrap();
        match evaluate_pairs(&bad, 0.5) {
            Err(DedupError::Pair { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        let empty = dir.join("empty.jsonl");
        std::fs::write(&empty, "\n").unwrap();
        assert!(matches!(
            evaluate_pairs(&empty, 0.5),
            Err(DedupError::NoPairs { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
