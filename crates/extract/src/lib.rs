//! Extract: an article page in, the story it carries out.
//!
//! Input: a page's HTML, already decoded to UTF-8 by the fetcher, and its URL. Output: an
//! [`Article`]: headline, standfirst, byline, publication and update times with their UTC
//! offsets, lead image with caption and credit, canonical URL, language, site name, dateline,
//! and the body as sanitized HTML and as plain text. [`extract`] is a pure function: it never
//! does I/O, never reads the clock and never panics, whatever the page (hostile nesting, huge
//! attributes, script-only pages).
//!
//! The body is found with our own readability-class method (`body`: paragraph scoring, link
//! density, class/id hints, sibling merging), then cleaned of news boilerplate (`clean`: share
//! bars, newsletter and release promos, related lists, comments, ads, cookie banners), written
//! as simple HTML (`render`) and passed through [`masthead_normalize::sanitize`]. Metadata comes
//! from JSON-LD, Open Graph and `<meta>` (`meta`, `jsonld`). The page is parsed once; every walk
//! after that is linear.
//!
//! ```
//! let url = url::Url::parse("https://news.example/world/talks").unwrap();
//! let html = r#"<html lang="en"><head><title>Talks end | Echo</title>
//!   <meta property="article:published_time" content="2025-04-12T04:01:00+10:00"></head>
//!   <body><nav><a href="/">Home</a></nav><article><h1>Talks end</h1>
//!   <p>KYIV, Ukraine: Talks between Ukraine and the United States over minerals ended on
//!   Friday, officials said, with both sides promising to meet again.</p>
//!   <p>The <a href="/deal">draft deal</a>, seen by reporters, runs to forty pages.</p>
//!   </article></body></html>"#;
//! let a = masthead_extract::extract(html, &url).unwrap();
//! assert_eq!(a.headline.as_deref(), Some("Talks end"));
//! assert_eq!(a.dateline.as_deref(), Some("KYIV, Ukraine"));
//! assert_eq!(a.published.unwrap().to_rfc3339(), "2025-04-12T04:01:00+10:00");
//! assert!(a.content_html.contains(r#"<a href="https://news.example/deal""#));
//! assert!(a.text.starts_with("KYIV, Ukraine: Talks"));
//! ```

mod body;
mod clean;
mod date;
mod dom;
pub mod eval;
mod hints;
mod image;
mod jsonld;
mod meta;
mod render;

use std::path::PathBuf;

use masthead_model::{LeadImage, OffsetTime};
use masthead_normalize::{first_paragraph, plain_text, sanitize, split_dateline, text_to_html};
use serde::Serialize;
use url::Url;

/// Pages larger than this are refused: the fetcher caps bodies well below it, and the HTML
/// parser's cost on pathological markup grows faster than linearly.
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Below this many characters of body text an attempt is retried with fewer heuristics
/// (Readability's `charThreshold`).
const MIN_BODY_CHARS: usize = 500;

/// What an article page says, as the extractor read it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Article {
    pub headline: Option<String>,
    /// The description or dek under the headline.
    pub standfirst: Option<String>,
    /// Author name(s), without a leading "By".
    pub byline: Option<String>,
    /// With the page's own offset; a time given without one is taken as UTC (offset 0).
    pub published: Option<OffsetTime>,
    pub updated: Option<OffsetTime>,
    pub image: Option<LeadImage>,
    pub canonical_url: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    /// `KYIV, Ukraine` when the body opens with a wire dateline; the text keeps it too.
    pub dateline: Option<String>,
    /// Sanitized body HTML: paragraphs, subheads, lists, quotes, links; no headline.
    pub content_html: String,
    /// The body as plain text, paragraphs separated by blank lines.
    pub text: String,
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("page {url} is {bytes} bytes, over the {limit}-byte limit")]
    TooLarge {
        url: String,
        bytes: usize,
        limit: usize,
    },
    /// The page has neither body text nor a headline (empty, script-only, or not an article).
    #[error("page {url} has no article text or headline")]
    NoContent { url: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// Extracts the article from a page.
///
/// An empty page, or one with no text and no headline (a script-only page), gives
/// [`ExtractError::NoContent`]; a page with a headline but no body text gives an article with
/// empty `content_html` and `text`, so a caller can still use its metadata. Pages over
/// [`MAX_PAGE_BYTES`] give [`ExtractError::TooLarge`].
pub fn extract(html: &str, url: &Url) -> Result<Article, ExtractError> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(ExtractError::TooLarge {
            url: url.to_string(),
            bytes: html.len(),
            limit: MAX_PAGE_BYTES,
        });
    }
    let parsed = scraper::Html::parse_document(html);
    let dom = dom::Dom::from_html(&parsed);
    drop(parsed);

    let meta = meta::collect(&dom, url);
    let base = meta.base.clone().unwrap_or_else(|| url.clone());
    let junk = body::junk(&dom);

    // Readability's retry: each attempt relaxes a heuristic; the first with enough text wins,
    // else the longest.
    let mut best: Option<(String, usize, Vec<usize>, Vec<bool>)> = None;
    for flags in body::ATTEMPTS {
        let scored = body::score(&dom, &junk, flags);
        let roots = body::select(&dom, &scored, flags);
        let verdicts = clean::verdicts(&dom, &roots, &scored.dead, meta.headline.as_deref(), flags);
        let mut r = render::Renderer::new(
            &dom,
            &scored.dead,
            &scored.stats,
            &verdicts.drop,
            &verdicts.data_table,
            &base,
        );
        for &root in &roots {
            r.render(root);
        }
        let (html, len) = r.finish();
        // A laxer attempt must find clearly more text to win: a few more characters are
        // usually the navigation or promo the stricter attempt rightly dropped.
        let better = best
            .as_ref()
            .is_none_or(|(_, best_len, _, _)| len > best_len * 5 / 4 + 20);
        if better {
            best = Some((html, len, roots, scored.dead));
        }
        if len >= MIN_BODY_CHARS {
            break;
        }
    }
    let (raw_html, _, roots, dead) = best.unwrap_or_default();
    let sanitized = sanitize(&raw_html);
    let mut text = plain_text(&sanitized);
    let mut content_html = sanitized.into_string();

    // Pages that render their text with scripts often still ship it in JSON-LD.
    if let Some(ld_body) = meta.article_body.as_deref()
        && text.chars().count() < MIN_BODY_CHARS
        && ld_body.chars().count() > text.chars().count()
    {
        let html = text_to_html(ld_body);
        text = plain_text(&html);
        content_html = html.into_string();
    }

    let image = image::lead_image(&dom, &base, meta.image.as_ref(), &roots, &dead);
    let dateline = split_dateline(first_paragraph(&text)).0;

    if text.trim().is_empty() && meta.headline.is_none() {
        return Err(ExtractError::NoContent {
            url: url.to_string(),
        });
    }
    Ok(Article {
        headline: meta.headline,
        standfirst: meta.standfirst,
        byline: meta.byline,
        published: meta.published,
        updated: meta.updated,
        image,
        canonical_url: meta.canonical_url,
        language: meta.language,
        site_name: meta.site_name,
        dateline,
        content_html,
        text,
    })
}
