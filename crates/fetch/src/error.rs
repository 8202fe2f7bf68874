//! The crate's one error type.
//!
//! Job: say why a fetch failed, naming the URL (or allow-list entry) and the cause, and tell the
//! scheduler whether trying again later can help and when.
//! Input: failures met anywhere in `masthead-fetch`. Output: [`FetchError`].
//! Never: carries a response body or a header other than `Retry-After` (bodies are not logged).

use std::time::Duration;

use url::Url;

/// Why a fetch did not produce a body.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The SSRF guard refused a destination (an address in a private, loopback, link-local,
    /// reserved… range, or a host:port not on the allow-list). No connection was made.
    #[error("refused to fetch {url}: {addr} is {reason}")]
    Refused {
        url: Url,
        /// The IP address (or `host:port`) that was refused.
        addr: Box<str>,
        /// Why, e.g. "a loopback address in IPv4-mapped form". Boxed strings keep the error small.
        reason: Box<str>,
    },
    /// The URL cannot be fetched at all: not http(s), no host, unparsable redirect target…
    #[error("bad URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    /// An entry of `fetch.allow` / `MASTHEAD_FETCH_ALLOW` is neither a CIDR, an IP nor `host:port`.
    #[error("bad fetch allow-list entry {entry:?}: {reason}")]
    BadAllowEntry { entry: String, reason: String },
    /// The host name did not resolve.
    #[error("cannot resolve {url}: {}", causes(source))]
    Dns {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    /// No TCP/TLS connection could be made.
    #[error("cannot connect to {url}: {}", causes(source))]
    Connect {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    /// The connect timeout or the total timeout ran out.
    #[error("timed out after {after:?} fetching {url}")]
    Timeout { url: Url, after: Duration },
    /// The body, counted after decompression, went past the limit.
    #[error("body of {url} is larger than {limit} bytes")]
    TooLarge { url: Url, limit: u64 },
    /// More redirects than allowed; `url` is the hop that would have exceeded the limit.
    #[error("more than {max} redirects fetching {url}")]
    TooManyRedirects { url: Url, max: usize },
    /// A redirect without a usable `Location`.
    #[error("bad redirect from {url}: {reason}")]
    Redirect { url: Url, reason: String },
    /// The server answered with a status that is neither success, 304 nor a followed redirect.
    #[error("{url} answered HTTP {status}")]
    Status {
        url: Url,
        status: u16,
        /// `Retry-After`, seconds or an HTTP date turned into a delay from now.
        retry_after: Option<Duration>,
    },
    /// Any other HTTP-level failure (protocol error, reset mid-body, decompression error…).
    #[error("HTTP error fetching {url}: {}", causes(source))]
    Http {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client itself could not be built (TLS setup).
    #[error("cannot build the HTTP client: {}", causes(source))]
    Client {
        #[source]
        source: reqwest::Error,
    },
}

impl FetchError {
    /// The delay the server asked for (`Retry-After` on a 429/503 or any other status).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the same request may succeed later without anyone changing anything: network
    /// trouble, timeouts, 408/425/429 and 5xx. Refusals, bad URLs, oversize bodies, redirect
    /// loops and other 4xx are not: retrying them only costs the source's server.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Dns { .. }
            | FetchError::Connect { .. }
            | FetchError::Timeout { .. }
            | FetchError::Http { .. } => true,
            FetchError::Status { status, .. } => {
                matches!(status, 408 | 425 | 429) || (500..=599).contains(status)
            }
            FetchError::Refused { .. }
            | FetchError::BadUrl { .. }
            | FetchError::BadAllowEntry { .. }
            | FetchError::TooLarge { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::Redirect { .. }
            | FetchError::Client { .. } => false,
        }
    }
}

/// reqwest's own message is only "error sending request for url (…)"; the reason (refused,
/// NXDOMAIN, connection reset…) is further down the chain, and a one-line health record needs it.
fn causes(error: &reqwest::Error) -> String {
    let mut message = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(err) = cause {
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&err.to_string());
        cause = err.source();
    }
    if message.is_empty() {
        error.to_string()
    } else {
        message
    }
}
