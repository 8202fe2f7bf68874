//! Normalize: the stage between extraction and storage that makes a story's text safe and
//! uniform.
//!
//! Input: HTML and text as sources and the extractor deliver them, UTC instants and IANA zone
//! names. Output: [`SanitizedHtml`] (the only HTML the templates may mark `|safe`), plain text
//! with paragraphs separated by blank lines, datelines, teasers, slugs, content hashes and
//! times written in a site's zone. Every function is pure: this crate never does I/O, never
//! reads the clock and never rewrites typographic characters (’ “ ” — … stay as they are).
//!
//! ```
//! use masthead_normalize::{first_paragraph, plain_text, sanitize, split_dateline, teaser};
//!
//! let html = sanitize("<h1>Talks</h1><p>KYIV, Ukraine: Talks between Ukraine’s envoys \
//!                      resumed.</p><script>alert(1)</script>");
//! assert_eq!(
//!     html.as_str(),
//!     "<h2>Talks</h2><p>KYIV, Ukraine: Talks between Ukraine’s envoys resumed.</p>"
//! );
//! let text = plain_text(&html);
//! assert_eq!(text, "Talks\n\nKYIV, Ukraine: Talks between Ukraine’s envoys resumed.");
//! let lead = text.split("\n\n").nth(1).unwrap_or_default();
//! let (dateline, lead) = split_dateline(first_paragraph(lead));
//! assert_eq!(dateline.as_deref(), Some("KYIV, Ukraine"));
//! assert_eq!(teaser(dateline.as_deref(), &lead, 20), "KYIV, Ukraine: Talks between…");
//! ```
//! ```

mod dateline;
mod hash;
mod sanitize;
mod slug;
mod teaser;
mod text;
mod time;

pub use dateline::split_dateline;
pub use hash::content_hash;
pub use sanitize::{SanitizedHtml, sanitize};
pub use slug::slugify;
pub use teaser::teaser;
pub use text::{clean_inline, first_paragraph, nfc, plain_text, text_to_html};
pub use time::{format_site_time, parse_zone};

/// What can go wrong in this crate: only looking up a zone by name can fail.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("unknown time zone {name:?}")]
    UnknownZone {
        name: String,
        #[source]
        source: jiff::Error,
    },
}
