//! The fetcher: one HTTP GET, done safely and politely.
//!
//! Job: fetch one URL with a conditional GET, following at most `max_redirects` redirects, each
//! hop checked by the SSRF guard and throttled per host, within the connect and total timeouts,
//! keeping at most `max_body_bytes` of decompressed body.
//! Input: a [`FetchRequest`] (URL, stored validators, `Accept`).
//! Output: [`FetchOutcome::NotModified`] or the raw decompressed body with its metadata, or a
//! [`FetchError`] that says whether and when to retry.
//! Never: decodes charsets or parses bodies (see [`crate::charset`] and the parse stages), keeps
//! cookies, uses a proxy, or retries by itself (the scheduler owns retries and backoff).
//!
//! Redirects are followed here, not by reqwest's policy: each hop then goes through
//! [`Guard::check_url`] before it is sent, takes its own host's concurrency slot, and the count
//! reported in [`FetchedBody::redirects`] is exact. Downgrades from https to http are followed:
//! a feed carries no secret (no cookies, no credentials are ever sent) and the guard still
//! checks the new hop's address, which is what keeps an https source from reaching a private one.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::FetchError;
use crate::FetchSettings;
use crate::guard::{Guard, GuardedResolver, ResolveFailure};
use crate::robots::RobotsCache;

/// One GET to make.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub url: Url,
    /// The `ETag` of the last 200, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last 200, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// The `Accept` header, e.g. [`ACCEPT_FEED`] or [`ACCEPT_HTML`].
    pub accept: &'static str,
}

/// `Accept` for feed polls: the syndication types first, generic XML/JSON after.
pub const ACCEPT_FEED: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
/// `Accept` for article pages.
pub const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.8";

impl FetchRequest {
    /// An unconditional GET.
    pub fn new(url: Url, accept: &'static str) -> Self {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
            accept,
        }
    }
}

/// What a fetch produced.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: the stored copy is current.
    NotModified,
    /// A 2xx body.
    Fetched(FetchedBody),
}

/// A 2xx response: the body as received after content decoding (gzip/br/deflate), before any
/// charset decoding.
#[derive(Clone)]
pub struct FetchedBody {
    /// The URL after redirects: where the body came from (relative links resolve against it).
    pub final_url: Url,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    /// Redirects followed to reach `final_url`.
    pub redirects: usize,
}

impl std::fmt::Debug for FetchedBody {
    // Bodies are never logged: only their size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchedBody")
            .field("final_url", &self.final_url.as_str())
            .field("status", &self.status)
            .field("etag", &self.etag)
            .field("last_modified", &self.last_modified)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .field("redirects", &self.redirects)
            .finish()
    }
}

/// What to do when a body is larger than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overflow {
    /// Fail with [`FetchError::TooLarge`] (feeds, pages: half a document is worse than none).
    Fail,
    /// Keep the first `limit` bytes (robots.txt: RFC 9309 §2.5 parses the first 500 KiB).
    Truncate,
}

/// The network's HTTP client. Cheap to clone: clones share the connection pool, the per-host
/// slots and the robots.txt cache.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    settings: FetchSettings,
    guard: Guard,
    /// One semaphore per host, made on first use; entries are never removed (one small
    /// semaphore per distinct source host is bounded by the source list).
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    robots: RobotsCache,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

enum Hop {
    Done(FetchOutcome),
    Redirect(Url),
}

/// Installs ring as the process's TLS crypto provider unless one is installed already.
///
/// reqwest is built with `rustls-no-provider` (ring instead of aws-lc-rs: a much lighter
/// build), so every reqwest client in the process, ours or a test's, needs a process-wide
/// provider. Losing a race with another installer is harmless.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl Fetcher {
    /// Builds the client: rustls (ring) with the platform's certificate verifier, HTTP/1.1 and
    /// HTTP/2, gzip/brotli/deflate, no proxy, no cookies, the guarded resolver.
    pub fn new(settings: FetchSettings) -> Result<Self, FetchError> {
        install_crypto_provider();
        let guard = Guard::new(settings.allow.clone());
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.total_timeout)
            .redirect(redirect::Policy::none())
            .no_proxy()
            .dns_resolver(GuardedResolver::new(guard.clone()))
            .build()
            .map_err(|source| FetchError::Client { source })?;
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                settings,
                guard,
                hosts: Mutex::new(HashMap::new()),
                robots: RobotsCache::default(),
            }),
        })
    }

    /// The settings this fetcher was built with.
    pub fn settings(&self) -> &FetchSettings {
        &self.inner.settings
    }

    /// Fetches `req.url`: 2xx → [`FetchOutcome::Fetched`], 304 → [`FetchOutcome::NotModified`],
    /// anything else an error (429/503 carry `Retry-After`).
    pub async fn fetch(&self, req: &FetchRequest) -> Result<FetchOutcome, FetchError> {
        self.fetch_limited(req, self.inner.settings.max_body_bytes, Overflow::Fail)
            .await
    }

    /// POSTs an `application/x-www-form-urlencoded` form (a WebSub hub request) under the same
    /// guard, per-host limit and total timeout as a fetch; redirects are not followed. Returns
    /// the status of a 2xx answer; anything else is an error.
    pub async fn post_form(&self, url: &Url, fields: &[(&str, &str)]) -> Result<u16, FetchError> {
        let settings = &self.inner.settings;
        self.inner.guard.check_url(url)?;
        let _permit = self.host_slot(url).acquire_owned().await.ok();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let send = self
            .inner
            .client
            .post(url.clone())
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(body)
            .send();
        let response = tokio::time::timeout(settings.total_timeout, send)
            .await
            .map_err(|_| FetchError::Timeout {
                url: url.clone(),
                after: settings.total_timeout,
            })?
            .map_err(|e| self.classify(url, e))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(status)
        } else {
            Err(FetchError::Status {
                url: url.clone(),
                status,
                retry_after: retry_after(response.headers(), SystemTime::now()),
            })
        }
    }

    /// Whether robots.txt of `url`'s origin lets masthead fetch `url` (article pages only; feeds
    /// are published to be polled). Cached per origin; see [`crate::robots`] for the rules on
    /// missing and failing robots.txt files.
    pub async fn robots_allowed(&self, url: &Url) -> bool {
        self.inner.robots.allowed(self, url).await
    }

    pub(crate) async fn fetch_limited(
        &self,
        req: &FetchRequest,
        limit: u64,
        overflow: Overflow,
    ) -> Result<FetchOutcome, FetchError> {
        let settings = &self.inner.settings;
        let mut url = req.url.clone();
        let mut redirects = 0;
        let mut deadline: Option<Instant> = None;
        loop {
            self.inner.guard.check_url(&url)?;
            let slot = self.host_slot(&url);
            let permit = match deadline {
                None => slot.acquire_owned().await,
                Some(deadline) => tokio::time::timeout_at(deadline, slot.acquire_owned())
                    .await
                    .map_err(|_| FetchError::Timeout {
                        url: url.clone(),
                        after: settings.total_timeout,
                    })?,
            };
            // `acquire` fails only on a closed semaphore; ours are never closed.
            let _permit = permit.ok();
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + settings.total_timeout);
            let hop =
                tokio::time::timeout_at(deadline, self.hop(&url, req, redirects, limit, overflow))
                    .await
                    .map_err(|_| FetchError::Timeout {
                        url: url.clone(),
                        after: settings.total_timeout,
                    })??;
            match hop {
                Hop::Done(outcome) => return Ok(outcome),
                Hop::Redirect(next) => {
                    redirects += 1;
                    if redirects > settings.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: next,
                            max: settings.max_redirects,
                        });
                    }
                    tracing::debug!(from = %url, to = %next, "following redirect");
                    url = next;
                }
            }
        }
    }

    fn host_slot(&self, url: &Url) -> Arc<Semaphore> {
        let host = url.host_str().unwrap_or_default().to_owned();
        // A poisoned map is still a valid map: the panic that poisoned it was elsewhere.
        let mut hosts = self.inner.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let permits = self.inner.settings.per_host_concurrency.max(1);
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(permits)))
            .clone()
    }

    async fn hop(
        &self,
        url: &Url,
        req: &FetchRequest,
        redirects: usize,
        limit: u64,
        overflow: Overflow,
    ) -> Result<Hop, FetchError> {
        let mut request = self
            .inner
            .client
            .get(url.clone())
            .header(header::ACCEPT, HeaderValue::from_static(req.accept));
        // A stored validator that is not a valid header value is dropped: the GET is then
        // unconditional, which costs a full body and nothing else.
        if let Some(etag) = req
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = req
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let response = request.send().await.map_err(|e| self.classify(url, e))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        match status {
            304 => return Ok(Hop::Done(FetchOutcome::NotModified)),
            301 | 302 | 303 | 307 | 308 => {
                let location = headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| FetchError::Redirect {
                        url: url.clone(),
                        reason: format!("HTTP {status} without a readable Location"),
                    })?;
                let next = url.join(location).map_err(|e| FetchError::Redirect {
                    url: url.clone(),
                    reason: format!("Location {location:?}: {e}"),
                })?;
                return Ok(Hop::Redirect(next));
            }
            200..=299 => {}
            _ => {
                return Err(FetchError::Status {
                    url: url.clone(),
                    status,
                    retry_after: retry_after(headers, SystemTime::now()),
                });
            }
        }
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = text(header::ETAG);
        let last_modified = text(header::LAST_MODIFIED);
        let content_type = text(header::CONTENT_TYPE);
        // reqwest drops Content-Length when it decompresses, so a declared length here is the
        // real body size: refuse early instead of reading.
        if overflow == Overflow::Fail && response.content_length().is_some_and(|len| len > limit) {
            return Err(FetchError::TooLarge {
                url: url.clone(),
                limit,
            });
        }
        let capacity = response
            .content_length()
            .unwrap_or(64 * 1024)
            .min(limit)
            .min(1 << 20);
        let mut bytes: Vec<u8> = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut stream = response.bytes_stream();
        // Counted after decompression, chunk by chunk: a gzip bomb stops at the limit, having
        // inflated at most one decoder chunk past it.
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(url, e))?;
            let room = usize::try_from(limit)
                .unwrap_or(usize::MAX)
                .saturating_sub(bytes.len());
            if chunk.len() > room {
                if overflow == Overflow::Truncate {
                    bytes.extend_from_slice(chunk.get(..room).unwrap_or_default());
                    break;
                }
                return Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Hop::Done(FetchOutcome::Fetched(FetchedBody {
            final_url: url.clone(),
            status,
            etag,
            last_modified,
            content_type,
            bytes,
            redirects,
        })))
    }

    /// Turns a reqwest error into ours, finding the guard's refusal in the error chain.
    fn classify(&self, url: &Url, error: reqwest::Error) -> FetchError {
        let mut cause: Option<&(dyn StdError + 'static)> = error.source();
        while let Some(err) = cause {
            if let Some(failure) = err.downcast_ref::<ResolveFailure>() {
                return match failure {
                    ResolveFailure::Refused { addr, reason } => FetchError::Refused {
                        url: url.clone(),
                        addr: addr.to_string().into(),
                        reason: reason.as_str().into(),
                    },
                    ResolveFailure::Lookup { .. } | ResolveFailure::Empty { .. } => {
                        FetchError::Dns {
                            url: url.clone(),
                            source: error,
                        }
                    }
                };
            }
            cause = err.source();
        }
        let settings = &self.inner.settings;
        if error.is_timeout() {
            let after = if error.is_connect() {
                settings.connect_timeout
            } else {
                settings.total_timeout
            };
            return FetchError::Timeout {
                url: url.clone(),
                after,
            };
        }
        if error.is_connect() {
            return FetchError::Connect {
                url: url.clone(),
                source: error,
            };
        }
        FetchError::Http {
            url: url.clone(),
            source: error,
        }
    }
}

/// `Retry-After` as a delay from `now`: delta-seconds or an HTTP date (a date in the past is
/// zero). Unparsable values are ignored: the scheduler's own backoff applies instead.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate instead of failing.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            retry_after(&headers("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&headers(" 7 "), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:50:37 GMT"), now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&headers("-5"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
        assert_eq!(
            retry_after(&headers("99999999999999999999999"), now),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
