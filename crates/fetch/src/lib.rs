//! masthead-fetch: the network's only HTTP client.
//!
//! Job: get bytes from sources and article pages without harming them or us: conditional GET,
//! robots.txt for article pages, at most N requests in flight per host, an honest User-Agent,
//! connect/total timeouts, a body cap counted after decompression, at most 5 redirects, and an
//! SSRF guard that refuses private, loopback, link-local… addresses at connect time on every hop
//! unless the operator allow-lists them. Then turn the bytes into UTF-8 ([`decode_html`],
//! [`feed_to_utf8`]).
//! Input: URLs with their stored validators, and [`FetchSettings`] from the configuration.
//! Output: raw bodies or "not modified", UTF-8 text, and [`FetchError`]s that say whether to
//! retry and when ([`FetchError::is_transient`], [`FetchError::retry_after`], [`backoff`]).
//! Never: parses feeds or pages, stores anything, schedules or retries by itself, or logs a body.
//!
//! ```no_run
//! use masthead_fetch::{ACCEPT_FEED, FetchOutcome, FetchRequest, FetchSettings, Fetcher};
//! # async fn run() -> Result<(), masthead_fetch::FetchError> {
//! let settings = FetchSettings {
//!     user_agent: FetchSettings::user_agent_for(Some("https://news.example/contact")),
//!     ..FetchSettings::default()
//! };
//! let fetcher = Fetcher::new(settings)?;
//! let url = url::Url::parse("https://feeds.example/rss").expect("a valid URL");
//! let request = FetchRequest { etag: Some("\"v1\"".into()), ..FetchRequest::new(url, ACCEPT_FEED) };
//! match fetcher.fetch(&request).await? {
//!     FetchOutcome::NotModified => {}
//!     FetchOutcome::Fetched(body) => {
//!         let utf8 = masthead_fetch::feed_to_utf8(&body.bytes, body.content_type.as_deref());
//!         # let _ = utf8;
//!     }
//! }
//! # Ok(()) }
//! ```

mod backoff;
mod charset;
mod client;
mod error;
mod guard;
pub mod robots;
mod settings;

pub use backoff::backoff;
pub use charset::{decode_html, feed_encoding, feed_to_utf8};
pub use client::{
    ACCEPT_FEED, ACCEPT_HTML, FetchOutcome, FetchRequest, FetchedBody, Fetcher,
    install_crypto_provider,
};
pub use error::FetchError;
pub use guard::{AllowEntry, parse_allow};
pub use settings::FetchSettings;

/// Re-exported so callers name the same `Url` type as [`FetchRequest::url`].
pub use url::Url;
