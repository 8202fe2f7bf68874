//! Per-site search: what a reader asks for and what the store answers.
//!
//! Input: the reader's words as typed. Output: [`SearchTerm`]s made only of letters and digits,
//! which each backend turns into its own full-text syntax (FTS5 `MATCH`, PostgreSQL
//! `to_tsquery`) without any escaping to get wrong; and the hits, whose snippets mark matched
//! words with [`MARK_START`]/[`MARK_END`]. Never builds SQL or HTML itself.

use serde::{Deserialize, Serialize};

use crate::StorySummary;

/// Starts a matched word in [`SearchHit::snippet`]; stored text never holds it (normalize
/// removes control characters), so it cannot be confused with the story's own text.
pub const MARK_START: char = '\u{2}';
/// Ends a matched word in [`SearchHit::snippet`].
pub const MARK_END: char = '\u{3}';

/// A query's words beyond this many are ignored: a pasted page must not become a query
/// of a thousand terms.
pub const MAX_TERMS: usize = 12;
/// A word longer than this matches nothing real, so it is dropped rather than searched.
const MAX_WORD_CHARS: usize = 64;

/// One site's search, as the results page (or the API) asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// The reader's words, as typed: any text is safe (see [`SearchQuery::terms`]).
    pub text: String,
    /// Only stories placed in this section of the site.
    pub section: Option<String>,
    /// Only stories published at or after this instant (unix µs).
    pub from: Option<i64>,
    /// Only stories published before this instant (unix µs; exclusive, so a day's end is the
    /// next day's start).
    pub to: Option<i64>,
    /// Hits to skip; negative means 0.
    pub offset: i64,
    /// Hits to return; 0 or negative means 20, more than 100 means 100.
    pub limit: i64,
}

/// One required term of a query: a word, or words that must follow each other (`don’t`,
/// `St.-Petersburg`, `president's`, typed as one word), optionally a prefix (`talk*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// Lower-case runs of letters and digits, never empty, none empty.
    pub words: Vec<String>,
    /// The reader ended the word with `*`: its last word matches as a prefix.
    pub prefix: bool,
}

impl SearchQuery {
    /// The reader's terms, all required. A word is what whitespace separates; inside it, every
    /// character that is not a letter or digit splits it into a phrase, so quotes, apostrophes
    /// (typographic or not), operators and brackets never reach a query parser. Empty when the
    /// text has no letters or digits: such a query finds nothing.
    pub fn terms(&self) -> Vec<SearchTerm> {
        self.text
            .split_whitespace()
            .filter_map(|word| {
                let words: Vec<String> = word
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                if words.is_empty() || words.iter().any(|w| w.chars().count() > MAX_WORD_CHARS) {
                    return None;
                }
                Some(SearchTerm {
                    words,
                    prefix: word.ends_with('*'),
                })
            })
            .take(MAX_TERMS)
            .collect()
    }

    /// The page size actually used: 20 by default, at most 100.
    pub fn limit_or_default(&self) -> i64 {
        if self.limit <= 0 {
            20
        } else {
            self.limit.min(100)
        }
    }
}

/// One result: the best-ranked story of its cluster on the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub summary: StorySummary,
    /// Plain text from the story's body around the matches, each matched word between
    /// [`MARK_START`] and [`MARK_END`]. Not HTML: escape it (see [`SearchHit::segments`]).
    pub snippet: String,
    /// Relevance; higher is better. Comparable within one answer only, not across backends.
    pub rank: f64,
}

impl SearchHit {
    /// The snippet as (text, matched) pieces, for a template to escape and highlight.
    pub fn segments(&self) -> Vec<(String, bool)> {
        snippet_segments(&self.snippet)
    }
}

/// Splits a marked snippet into (text, matched) pieces. Markers never reach the pieces: an
/// unbalanced one is dropped, and text after an unclosed start counts as matched.
pub fn snippet_segments(snippet: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut marked = false;
    for c in snippet.chars() {
        let switch_to = match c {
            MARK_START => true,
            MARK_END => false,
            _ => {
                current.push(c);
                continue;
            }
        };
        if switch_to != marked {
            if !current.is_empty() {
                out.push((std::mem::take(&mut current), marked));
            }
            marked = switch_to;
        }
    }
    if !current.is_empty() {
        out.push((current, marked));
    }
    out
}

/// A page of hits and how many there are in all (one per cluster).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(Vec<&'static str>, bool)> {
        let q = SearchQuery {
            text: text.to_owned(),
            ..SearchQuery::default()
        };
        q.terms()
            .into_iter()
            .map(|t| {
                let words = t
                    .words
                    .into_iter()
                    .map(|w| &*Box::leak(w.into_boxed_str()))
                    .collect();
                (words, t.prefix)
            })
            .collect()
    }

    #[test]
    fn words_are_split_and_folded() {
        assert_eq!(
            terms("Putin  TALKS"),
            vec![(vec!["putin"], false), (vec!["talks"], false)]
        );
        assert_eq!(terms("president’s"), vec![(vec!["president", "s"], false)]);
        assert_eq!(terms("president's"), vec![(vec!["president", "s"], false)]);
        assert_eq!(terms("Café"), vec![(vec!["café"], false)]);
        assert_eq!(terms("talk*"), vec![(vec!["talk"], true)]);
    }

    #[test]
    fn hostile_text_becomes_plain_words_or_nothing() {
        assert!(terms("\"").is_empty());
        assert!(terms("*").is_empty());
        assert!(terms("  ").is_empty());
        assert_eq!(terms("NEAR("), vec![(vec!["near"], false)]);
        assert_eq!(
            terms("'; DROP TABLE"),
            vec![(vec!["drop"], false), (vec!["table"], false)]
        );
        let long = "word ".repeat(3000);
        assert_eq!(terms(&long).len(), MAX_TERMS);
        assert!(terms(&"x".repeat(10_000)).is_empty());
    }

    #[test]
    fn snippets_split_into_marked_segments() {
        let s = "The \u{2}talks\u{3} ended \u{2}today\u{3}.";
        let owned = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
            v.iter().map(|(t, m)| ((*t).to_owned(), *m)).collect()
        };
        assert_eq!(
            snippet_segments(s),
            owned(&[
                ("The ", false),
                ("talks", true),
                (" ended ", false),
                ("today", true),
                (".", false)
            ])
        );
        assert_eq!(snippet_segments("plain"), owned(&[("plain", false)]));
        assert_eq!(
            snippet_segments("a\u{2}b"),
            owned(&[("a", false), ("b", true)])
        );
        assert_eq!(snippet_segments("a\u{3}b"), owned(&[("ab", false)]));
        assert!(snippet_segments("").is_empty());
    }
}
