//! Feed documents in, entries out.
//!
//! Input: the raw bytes of an RSS 0.9x/1.0/2.0, Atom or JSON Feed document (undecoded: the
//! XML prolog names the charset), and the URL it came from. Output: a [`ParsedFeed`] whose
//! [`Entry`]s carry absolute `http(s)` links, the source's own UTC offsets, text exactly as
//! the source wrote it, and a lead image with its credit. Also OPML in and out
//! ([`parse_opml`], [`write_opml`]) for source lists.
//!
//! This crate is pure: it never fetches, never sanitizes HTML (that is `normalize`), never
//! panics on outside data, and never invents identities (an entry without an id has
//! `guid: None`; `dedup` decides what identifies it).
//!
//! ```
//! let rss = br#"<rss version="2.0"><channel><title>Echo</title>
//!   <item><title>Talks end</title><link>/world/talks</link>
//!   <pubDate>Sat, 12 Apr 2025 04:01:00 +1000</pubDate></item></channel></rss>"#;
//! let base = url::Url::parse("https://echo.example/feed.xml").unwrap();
//! let feed = masthead_feed::parse(rss, Some(&base)).unwrap();
//! let entry = &feed.entries[0];
//! assert_eq!(entry.url.as_deref(), Some("https://echo.example/world/talks"));
//! assert_eq!(entry.published.unwrap().to_rfc3339(), "2025-04-12T04:01:00+10:00");
//! assert_eq!(entry.guid, None);
//! ```

mod adapter;
mod date;
mod entities;
pub mod eval;
mod json;
mod links;
mod media;
mod opml;
mod prepare;
mod text;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use masthead_model::{LeadImage, OffsetTime};
use url::Url;

pub use opml::{OpmlOutline, parse_opml, write_opml};

/// The dialect a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    Rss0,
    Rss1,
    Rss2,
    Atom,
    JsonFeed,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rss0 => "rss0",
            Self::Rss1 => "rss1",
            Self::Rss2 => "rss2",
            Self::Atom => "atom",
            Self::JsonFeed => "jsonfeed",
        }
    }
}

/// A feed document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFeed {
    pub kind: FeedKind,
    /// One line, entities decoded.
    pub title: Option<String>,
    /// The feed's home page, absolute `http(s)`.
    pub link: Option<String>,
    /// The WebSub hub the feed advertises (`<link rel="hub">`), absolute `http(s)`.
    pub hub: Option<String>,
    /// The feed's own URL as it states it (`<link rel="self">`): the WebSub topic.
    pub self_url: Option<String>,
    /// In document order.
    pub entries: Vec<Entry>,
}

/// One entry of a feed, as the source stated it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// The feed's own id (RSS `guid`, Atom `id`, JSON Feed `id`); `None` when the feed gave none.
    pub guid: Option<String>,
    /// The entry's page, absolute `http(s)` (resolved against `xml:base` and the base URL).
    /// For RSS, a `guid` that is an absolute URL stands in when there is no `link`.
    pub url: Option<String>,
    /// One line, entities decoded, typographic quotes and apostrophes kept.
    pub title: Option<String>,
    /// RSS `description`, Atom `summary`, JSON Feed `summary`; plain text is escaped into `<p>`s
    /// except JSON Feed's, which is passed on as written (publishers put HTML there).
    /// Not sanitized.
    pub summary_html: Option<String>,
    /// `content:encoded`, Atom `content`, JSON Feed `content_html` (or `content_text` escaped
    /// into `<p>`s). Not sanitized.
    pub content_html: Option<String>,
    /// Author names joined with ", " (`author`, `dc:creator`, Atom and JSON authors); e-mail
    /// addresses are never used as names.
    pub author: Option<String>,
    /// With the offset the source wrote (`+10:00` stays `+10:00`); an offset the parser could
    /// not see is `+00:00`.
    pub published: Option<OffsetTime>,
    /// Only when it differs from `published` (RSS feeds state one date; feed-rs copies it).
    pub updated: Option<OffsetTime>,
    /// Category labels (or terms), deduplicated, in feed order.
    pub categories: Vec<String>,
    /// Media RSS image, image enclosure, JSON Feed `image`/`banner_image`, or Atom image
    /// enclosure, in that order of preference; its URL is absolute `http(s)`.
    pub image: Option<LeadImage>,
    /// Only set when the feed states it: JSON Feed's `_masthead.dateline` ("KYIV, Ukraine").
    pub dateline: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// The bytes are not a feed we can read (empty, HTML, truncated, malformed, unknown root).
    #[error("not a readable feed ({input}): {cause}")]
    Parse {
        /// The start of the document and its size, enough to recognise it in a log.
        input: String,
        cause: String,
    },
    /// The bytes are not an OPML document.
    #[error("not a readable OPML document ({input}): {cause}")]
    Opml { input: String, cause: String },
    /// A feed test corpus could not be read ([`eval::evaluate_corpus`]).
    #[error("cannot read the feed corpus at {path}: {cause}")]
    Corpus { path: String, cause: String },
}

/// Stands in for an id the feed did not give, so that the adapter can tell feed-rs's invented
/// ids from real ones. A NUL cannot occur in XML text, so no real id can be equal to it.
const NO_ID: &str = "\0masthead:no-id";

/// The cause [`FeedError::Parse`] gives when feed-rs (or quick-xml under it) panicked.
pub(crate) const PANICKED: &str = "the feed parser panicked on this input";

/// Reads a feed document.
///
/// `base_url` is where the document came from: relative links and images resolve against it
/// (and against any `xml:base` inside).
pub fn parse(bytes: &[u8], base_url: Option<&Url>) -> Result<ParsedFeed, FeedError> {
    let fail = |cause: String| FeedError::Parse {
        input: describe_input(bytes),
        cause,
    };
    let is_json = first_significant_byte(bytes) == Some(b'{');

    let json_items;
    let prepared_json;
    let prepared_xml;
    let input: &[u8] = if is_json {
        let prepared = json::prepare(strip_bom(bytes)).map_err(fail)?;
        json_items = prepared.items;
        prepared_json = prepared.bytes;
        &prepared_json
    } else {
        json_items = Vec::new();
        // Recovers what a lenient reader can (wide encodings, undeclared entities, stray `&`,
        // RSS without a version, Atom 0.3); a well-formed document passes through uncopied.
        prepared_xml = prepare::prepare(bytes);
        &prepared_xml
    };

    // feed-rs hands timestamps back in UTC. The offset rides along inside the value itself
    // (see `date::carry`); the map is only for offsets that do not fit there.
    let offsets: Arc<Mutex<HashMap<i64, i32>>> = Arc::default();
    let recorder = Arc::clone(&offsets);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_url.map(Url::as_str))
        .id_generator(|_, _, _| NO_ID.to_owned())
        .sanitize_content(false)
        .timestamp_parser(move |text| {
            let (timestamp, offset) = date::parse(text)?;
            let (carried, fits) = date::carry(timestamp, offset)?;
            if !fits {
                recorder
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(timestamp.as_microsecond(), offset);
            }
            Some(carried)
        })
        .build();

    // feed-rs has slicing and `unwrap`s on outside data (its e-mail splitting in author names
    // panics on some non-ASCII input); one bad feed must not take the worker down.
    let parsed = catch_unwind(AssertUnwindSafe(|| parser.parse(input)))
        .map_err(|_| fail(PANICKED.to_owned()))?
        .map_err(|e| fail(e.to_string()))?;

    let offsets = std::mem::take(&mut *offsets.lock().unwrap_or_else(PoisonError::into_inner));
    let media = if is_json {
        Vec::new()
    } else {
        media::scan(input)
            .filter(|items| items.len() == parsed.entries.len())
            .unwrap_or_default()
    };
    Ok(adapter::convert(
        parsed,
        &adapter::Context {
            base: base_url,
            offsets: &offsets,
            json_items: &json_items,
            media: &media,
        },
    ))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn first_significant_byte(bytes: &[u8]) -> Option<u8> {
    strip_bom(bytes)
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
}

/// The first characters of a document on one line, and its size: enough for an operator to
/// see "that is an HTML page" in a log line, never the whole body.
pub(crate) fn describe_input(bytes: &[u8]) -> String {
    const SHOWN: usize = 60;
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(SHOWN * 4)).unwrap_or(bytes));
    let mut shown: String = head.split_whitespace().collect::<Vec<_>>().join(" ");
    if shown.chars().count() > SHOWN {
        shown = shown.chars().take(SHOWN).collect::<String>() + "…";
    }
    format!("{:?}, {} bytes", shown, bytes.len())
}
