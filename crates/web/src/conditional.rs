//! HTTP caching for every public GET of a site: validators, `Vary`, and 304s.
//!
//! Input: a finished response held as a [`CachedPage`] (fresh from a handler or replayed from
//! the page cache) and the request's `If-None-Match` / `If-Modified-Since`. Output: the
//! response with `ETag`, `Last-Modified`, `Cache-Control` and `Vary`, or a bodiless `304 Not
//! Modified` carrying the same validators. `If-None-Match` wins over `If-Modified-Since`, as
//! RFC 9110 §13.2.2 says. Handlers only say *when* their content last changed (the
//! [`LastModified`] extension: the newest story for feeds and sitemaps); pages without one get
//! their render time. Never touches the store.

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
    VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use jiff::Timestamp;

use crate::cache::CachedPage;

/// One URL serves different sites by Host, and a compressing proxy may change the bytes.
pub(crate) const VARY_VALUE: &str = "Accept-Encoding, Host";

/// When a response's content last changed, set by handlers that know better than "now".
#[derive(Debug, Clone, Copy)]
pub(crate) struct LastModified(pub Timestamp);

impl LastModified {
    pub fn of(t: masthead_model::OffsetTime) -> Self {
        Self(t.timestamp())
    }
}

/// The request's conditional headers, kept before the request goes to the handler.
#[derive(Debug, Default, Clone)]
pub(crate) struct Conditions {
    if_none_match: Option<String>,
    if_modified_since: Option<Timestamp>,
}

impl Conditions {
    pub fn of(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: headers
                .get(IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            if_modified_since: headers
                .get(IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_http_date),
        }
    }

    /// True when the client's copy is current.
    fn fresh(&self, etag: Option<&HeaderValue>, last_modified: Option<Timestamp>) -> bool {
        if let Some(tags) = &self.if_none_match {
            let Some(etag) = etag.and_then(|e| e.to_str().ok()) else {
                return false;
            };
            // Weak comparison (RFC 9110 §13.1.2): a proxy may have weakened our tag.
            let ours = etag.trim_start_matches("W/");
            return tags
                .split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == ours);
        }
        match (self.if_modified_since, last_modified) {
            (Some(since), Some(modified)) => modified <= since,
            _ => false,
        }
    }
}

/// FNV-1a over the bytes, quoted: stable across runs and nodes, so a restart or another node
/// behind the same balancer still answers 304.
pub(crate) fn etag_of(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn http_date(t: Timestamp) -> Option<String> {
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&t)
        .ok()
}

fn parse_http_date(s: &str) -> Option<Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s.trim())
        .ok()
}

/// Whole seconds: HTTP dates have no fractions, and a comparison with the client's date must
/// not see a page as newer by the microseconds it lost.
pub(crate) fn to_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// The response for a stored page: the page itself or a 304.
pub(crate) fn respond(page: CachedPage, conditions: &Conditions) -> Response {
    let not_modified =
        page.status == StatusCode::OK && conditions.fresh(page.etag.as_ref(), page.last_modified);
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(page.body));
        *r.status_mut() = page.status;
        r
    };
    let headers = response.headers_mut();
    headers.insert(VARY, HeaderValue::from_static(VARY_VALUE));
    if let Some(location) = page.location {
        headers.insert(LOCATION, location);
    }
    if let Some(cache_control) = page.cache_control {
        headers.insert(CACHE_CONTROL, cache_control);
    }
    if let Some(etag) = page.etag {
        headers.insert(ETAG, etag);
    }
    if let Some(value) = page
        .last_modified
        .and_then(http_date)
        .and_then(|d| HeaderValue::from_str(&d).ok())
    {
        headers.insert(LAST_MODIFIED, value);
    }
    if !not_modified && let Some(content_type) = page.content_type {
        headers.insert(CONTENT_TYPE, content_type);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(inm: Option<&str>, ims: Option<&str>) -> Conditions {
        let mut h = HeaderMap::new();
        if let Some(v) = inm {
            h.insert(IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        if let Some(v) = ims {
            h.insert(IF_MODIFIED_SINCE, HeaderValue::from_str(v).unwrap());
        }
        Conditions::of(&h)
    }

    #[test]
    fn etags_match_weakly_and_in_lists() {
        let etag = HeaderValue::from_static("\"abc\"");
        assert!(conditions(Some("\"abc\""), None).fresh(Some(&etag), None));
        assert!(conditions(Some("W/\"abc\""), None).fresh(Some(&etag), None));
        assert!(conditions(Some("\"x\", \"abc\""), None).fresh(Some(&etag), None));
        assert!(conditions(Some("*"), None).fresh(Some(&etag), None));
        assert!(!conditions(Some("\"x\""), None).fresh(Some(&etag), None));
        assert!(!conditions(None, None).fresh(Some(&etag), None));
    }

    #[test]
    fn dates_round_trip_and_if_none_match_wins() {
        let t = Timestamp::from_second(784_111_777).unwrap();
        let date = http_date(t).unwrap();
        assert_eq!(date, "Sun, 06 Nov 1994 08:49:37 GMT");
        let etag = HeaderValue::from_static("\"abc\"");
        assert!(conditions(None, Some(&date)).fresh(Some(&etag), Some(t)));
        let earlier = http_date(Timestamp::from_second(784_111_776).unwrap()).unwrap();
        assert!(!conditions(None, Some(&earlier)).fresh(Some(&etag), Some(t)));
        // A matching date does not rescue a changed ETag.
        assert!(!conditions(Some("\"old\""), Some(&date)).fresh(Some(&etag), Some(t)));
        assert!(!conditions(None, Some("garbage")).fresh(Some(&etag), Some(t)));
    }
}
