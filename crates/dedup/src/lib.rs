//! Dedup: the stage between normalize and store that says which stories are the same news.
//!
//! Input: a story's GUID, URL, headline and plain text (as `normalize` delivers them) and its
//! publication time. Output: an identity key (re-ingesting a known story updates it instead of
//! adding one), a [`Sketch`] of its words, and the cluster a new story joins. Everything here
//! is pure: values in, values out; it never reads the clock, the network or a store. The only
//! I/O is [`evaluate_pairs`] (through [`read_pairs`]), which reads the labelled file its caller
//! names.
//!
//! ```
//! use masthead_dedup::{Clusterer, DedupSettings, canonical_url, sketch};
//!
//! assert_eq!(
//!     canonical_url("HTTP://Example.com:80/news/story/?utm_source=rss&b=2&a=1#top").as_deref(),
//!     Some("https://example.com/news/story?a=1&b=2")
//! );
//! let text = "KYIV, Ukraine: Talks between Ukraine and the United States over a critical \
//!             minerals deal resumed on Monday, officials in both capitals said.";
//! let mut clusters = Clusterer::new(DedupSettings::default());
//! assert_eq!(clusters.add(1, 1_700_000_000, sketch("Minerals talks resume", text)), None);
//! let repost = format!("{text}\n\nSubscribe to our daily newsletter.");
//! assert_eq!(clusters.add(2, 1_700_000_600, sketch("Minerals talks resume", &repost)), Some(1));
//! ```

mod cluster;
mod eval;
mod identity;
mod sketch;

pub use cluster::{Clusterer, DedupSettings};
pub use eval::{
    KindCounts, LabelledPair, Misclassified, PairSide, PairsReport, SweepPoint, evaluate,
    evaluate_pairs, evaluate_with, read_pairs,
};
pub use identity::{canonical_url, identity_key};
pub use sketch::{
    DEFAULT_NAME_FLOOR, DEFAULT_NAME_THRESHOLD, DEFAULT_THRESHOLD, MIN_NAMES, MINHASH_SLOTS,
    NAME_SLOTS, SHINGLE_WORDS, Sketch, is_near_duplicate, name_similarity, similarity, sketch,
};

use std::path::PathBuf;

/// What can go wrong in this crate: reading a labelled pairs file, or invalid settings and
/// stored sketches.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// The labelled pairs file could not be read.
    #[error("cannot read labelled pairs {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// One line of the labelled pairs file is not a pair.
    #[error("{}:{line}: not a labelled pair", path.display())]
    Pair {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    /// The file holds no pairs at all, so no figure would mean anything.
    #[error("{} holds no labelled pairs", path.display())]
    NoPairs { path: PathBuf },
    /// A setting is out of range.
    #[error("dedup setting {key} = {value} is out of range: {why}")]
    Setting {
        key: &'static str,
        value: String,
        why: &'static str,
    },
    /// Stored sketch bytes have the wrong length.
    #[error("a stored sketch has {len} bytes, expected {expected}")]
    SketchBytes { len: usize, expected: usize },
}
