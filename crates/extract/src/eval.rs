//! Scoring the extractor against a corpus of pages with known article text.
//!
//! Input: a directory of page folders in Mozilla Readability's test-page layout (`source.html`,
//! `expected.html`, `expected-metadata.json`). Output: an [`EvalReport`]: token precision,
//! recall and F1 of the body text per page and averaged (bag-of-words, as the public
//! extraction benchmarks score), headline and byline matches, and pages per second on one
//! thread (extraction time only, files read beforehand). Reads files; never writes any.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use masthead_normalize::{clean_inline, plain_text, sanitize};
use url::Url;

use crate::{ExtractError, extract};

/// Lower-cased runs of letters and digits.
fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// Token-level (precision, recall, F1) of `got` against `expected`, counting repeated tokens
/// (a bag of words). Two empty texts score 1; one empty text scores 0 on the side it fails.
pub fn score_tokens(expected: &str, got: &str) -> (f64, f64, f64) {
    let mut bag: HashMap<String, i64> = HashMap::new();
    let mut n_expected = 0usize;
    for t in tokens(expected) {
        *bag.entry(t).or_insert(0) += 1;
        n_expected += 1;
    }
    let mut n_got = 0usize;
    let mut common = 0usize;
    for t in tokens(got) {
        n_got += 1;
        if let Some(c) = bag.get_mut(&t)
            && *c > 0
        {
            *c -= 1;
            common += 1;
        }
    }
    let ratio = |num: usize, den: usize, empty: bool| {
        if den == 0 {
            if empty { 1.0 } else { 0.0 }
        } else {
            num as f64 / den as f64
        }
    };
    let precision = ratio(common, n_got, n_expected == 0);
    let recall = ratio(common, n_expected, n_got == 0);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

/// One page's result.
#[derive(Debug, Clone)]
pub struct PageScore {
    pub name: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// `None` when the corpus gives no expected value.
    pub title_match: Option<bool>,
    pub byline_match: Option<bool>,
    /// The extractor refused the page (its error message).
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EvalReport {
    pub pages: Vec<PageScore>,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub title_matches: usize,
    pub title_total: usize,
    pub byline_matches: usize,
    pub byline_total: usize,
    pub bytes: usize,
    pub elapsed: Duration,
    pub pages_per_second: f64,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pages {}  precision {:.3}  recall {:.3}  F1 {:.3}",
            self.pages.len(),
            self.precision,
            self.recall,
            self.f1
        )?;
        writeln!(
            f,
            "headline {}/{}  byline {}/{}",
            self.title_matches, self.title_total, self.byline_matches, self.byline_total
        )?;
        write!(
            f,
            "{:.1} pages/s on one thread ({:.1} MB in {:.3} s)",
            self.pages_per_second,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Comparable form of a title or byline: inline-cleaned, lower-case, no leading "by".
fn key(s: &str) -> String {
    let s = clean_inline(s).to_lowercase();
    let s = s.strip_prefix("by ").unwrap_or(&s);
    tokens(s).collect::<Vec<_>>().join(" ")
}

fn read(path: &Path) -> Result<String, ExtractError> {
    let bytes = std::fs::read(path).map_err(|source| ExtractError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One corpus page, loaded: the source and what the extractor should find.
#[derive(Debug, Clone)]
pub struct Case {
    /// The page folder's name.
    pub name: String,
    pub source: String,
    /// Plain text of `expected.html` (sanitized, paragraphs separated by blank lines).
    pub expected_text: String,
    pub title: Option<String>,
    pub byline: Option<String>,
}

fn load(dir: &Path) -> Result<Case, ExtractError> {
    let source = read(&dir.join("source.html"))?;
    let expected = read(&dir.join("expected.html"))?;
    let meta_path = dir.join("expected-metadata.json");
    let (title, byline) = if meta_path.exists() {
        let raw = read(&meta_path)?;
        let v: serde_json::Value =
            serde_json::from_str(&raw).map_err(|source| ExtractError::Json {
                path: meta_path.clone(),
                source,
            })?;
        let s = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .map(str::to_owned)
                .filter(|x| !x.trim().is_empty())
        };
        (s("title"), s("byline"))
    } else {
        (None, None)
    };
    Ok(Case {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        source,
        expected_text: plain_text(&sanitize(&expected)),
        title,
        byline,
    })
}

/// Loads every page folder in `dir` that has `source.html` and `expected.html`, by name.
pub fn load_corpus(dir: &Path) -> Result<Vec<Case>, ExtractError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ExtractError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("source.html").is_file() && p.join("expected.html").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load(d)).collect()
}

/// Scores one extraction (ours or another tool's) of a case.
pub fn score_page(
    case: &Case,
    text: &str,
    headline: Option<&str>,
    byline: Option<&str>,
) -> PageScore {
    let (precision, recall, f1) = score_tokens(&case.expected_text, text);
    let matches = |want: &Option<String>, got: Option<&str>| {
        want.as_ref().map(|w| got.is_some_and(|g| key(g) == key(w)))
    };
    PageScore {
        name: case.name.clone(),
        precision,
        recall,
        f1,
        title_match: matches(&case.title, headline),
        byline_match: matches(&case.byline, byline),
        error: None,
    }
}

impl EvalReport {
    /// Averages page scores; `elapsed` is the extraction time over `bytes` of pages.
    pub fn from_pages(pages: Vec<PageScore>, bytes: usize, elapsed: Duration) -> EvalReport {
        let n = pages.len().max(1) as f64;
        let mean = |f: fn(&PageScore) -> f64| pages.iter().map(f).sum::<f64>() / n;
        let count = |f: fn(&PageScore) -> Option<bool>| {
            (
                pages.iter().filter(|p| f(p) == Some(true)).count(),
                pages.iter().filter(|p| f(p).is_some()).count(),
            )
        };
        let (title_matches, title_total) = count(|p| p.title_match);
        let (byline_matches, byline_total) = count(|p| p.byline_match);
        let secs = elapsed.as_secs_f64();
        EvalReport {
            precision: mean(|p| p.precision),
            recall: mean(|p| p.recall),
            f1: mean(|p| p.f1),
            title_matches,
            title_total,
            byline_matches,
            byline_total,
            bytes,
            elapsed,
            pages_per_second: if secs > 0.0 {
                pages.len() as f64 / secs
            } else {
                0.0
            },
            pages,
        }
    }
}

/// Scores the extractor over every page folder in `dir` (sorted by name).
pub fn evaluate_corpus(dir: &Path) -> Result<EvalReport, ExtractError> {
    let cases = load_corpus(dir)?;
    // The corpus pages were saved from this host; links resolve against it.
    let url = Url::parse("http://fakehost/test/page.html").expect("a constant, valid URL");
    let mut pages = Vec::with_capacity(cases.len());
    let mut elapsed = Duration::ZERO;
    let mut bytes = 0usize;
    for case in &cases {
        bytes += case.source.len();
        let start = Instant::now();
        let result = extract(&case.source, &url);
        elapsed += start.elapsed();
        let page = match result {
            Ok(a) => score_page(case, &a.text, a.headline.as_deref(), a.byline.as_deref()),
            Err(e) => PageScore {
                error: Some(e.to_string()),
                ..score_page(case, "", None, None)
            },
        };
        pages.push(page);
    }
    Ok(EvalReport::from_pages(pages, bytes, elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scores() {
        assert_eq!(score_tokens("a b c d", "a b c d"), (1.0, 1.0, 1.0));
        let (p, r, f) = score_tokens("a b c d", "a b x y");
        assert_eq!((p, r, f), (0.5, 0.5, 0.5));
        assert_eq!(score_tokens("", ""), (1.0, 1.0, 1.0));
        assert_eq!(score_tokens("a", ""), (0.0, 0.0, 0.0));
        // Repeated tokens count once each.
        let (p, _, _) = score_tokens("the cat", "the the the cat");
        assert_eq!(p, 0.5);
        // Case and punctuation do not matter; typographic apostrophes split like ASCII ones.
        assert_eq!(score_tokens("Hello, World!", "hello world").2, 1.0);
    }
}
