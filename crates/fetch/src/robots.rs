//! robots.txt, for article pages.
//!
//! Job: decide whether masthead may fetch an article page, from its origin's robots.txt
//! (texting_robots, user-agent token `masthead`, falling back to `*` groups), cached per origin.
//! Input: the page URL; the robots.txt is fetched through the same [`Fetcher`] (guard, limits,
//! per-host slots).
//! Output: allowed or not.
//! Never: applies to feeds (a feed is published to be polled), or honours `Crawl-delay` (the
//! per-host concurrency limit and the poll interval are our politeness).
//!
//! When robots.txt cannot be read, the rules follow RFC 9309, with one stricter case:
//! - 2xx: its rules (the first 500 KiB, RFC 9309 §2.5; an unparsable file allows all).
//! - 401 and 403: **disallow all**. RFC 9309 counts them as "unavailable" (allow), but a site
//!   that locks its robots.txt away is not inviting crawlers; Google long treated them so.
//! - other 4xx (404, 410…) and more than 5 redirects: allow all (no robots.txt, §2.3.1.3).
//! - 5xx, 429, timeouts and network errors: **disallow all** (§2.3.1.4: "unreachable" means
//!   complete disallow), cached only for [`RETRY_TTL`], so a passing outage costs minutes of
//!   full-text extraction (stories keep their feed text), never a crawl of a struggling site.
//! - refused by the SSRF guard: disallow (the page could not be fetched either).
//!
//! Answers are cached for [`TTL`] (RFC 9309 §2.4: at most 24 hours).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use url::Url;

use crate::FetchError;
use crate::client::{FetchOutcome, FetchRequest, Fetcher, Overflow};

/// How long a robots.txt answer is kept.
pub const TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long an "unreachable" answer (5xx, network error) is kept before asking again.
pub const RETRY_TTL: Duration = Duration::from_secs(10 * 60);
/// The product token matched against `User-agent:` lines.
pub const ROBOTS_AGENT: &str = "masthead";
/// The part of a robots.txt that is read (RFC 9309 §2.5 asks for at least 500 KiB).
const MAX_ROBOTS_BYTES: u64 = 500 * 1024;
/// Origins remembered at once; past it the cache starts over (cheaper than an LRU, and an
/// ingest pass touches far fewer origins).
const MAX_ORIGINS: usize = 10_000;

#[derive(Clone)]
enum Rules {
    AllowAll,
    DisallowAll,
    Parsed(Arc<Robot>),
}

impl Rules {
    fn allows(&self, url: &Url) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
            Rules::Parsed(robot) => robot.allowed(url.as_str()),
        }
    }
}

#[derive(Default)]
pub(crate) struct RobotsCache {
    entries: Mutex<HashMap<String, (Rules, Instant)>>,
}

impl RobotsCache {
    pub(crate) async fn allowed(&self, fetcher: &Fetcher, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let origin = url.origin().ascii_serialization();
        if let Some(rules) = self.cached(&origin) {
            return rules.allows(url);
        }
        // Two concurrent misses for one origin both fetch; rare, and cheaper than a lock per
        // origin held across a network round trip.
        let (rules, ttl) = fetch_rules(fetcher, &origin).await;
        let allowed = rules.allows(url);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ORIGINS {
            entries.clear();
        }
        entries.insert(origin, (rules, Instant::now() + ttl));
        allowed
    }

    fn cached(&self, origin: &str) -> Option<Rules> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(origin)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(rules, _)| rules.clone())
    }
}

async fn fetch_rules(fetcher: &Fetcher, origin: &str) -> (Rules, Duration) {
    let Ok(robots_url) = Url::parse(&format!("{origin}/robots.txt")) else {
        return (Rules::DisallowAll, TTL);
    };
    let request = FetchRequest::new(robots_url.clone(), "text/plain, */*;q=0.5");
    let result = fetcher
        .fetch_limited(&request, MAX_ROBOTS_BYTES, Overflow::Truncate)
        .await;
    let (rules, ttl) = rules_for(result);
    tracing::debug!(robots = %robots_url, allow_all = matches!(rules, Rules::AllowAll), disallow_all = matches!(rules, Rules::DisallowAll), "robots.txt read");
    (rules, ttl)
}

fn rules_for(result: Result<FetchOutcome, FetchError>) -> (Rules, Duration) {
    match result {
        Ok(FetchOutcome::Fetched(body)) => match Robot::new(ROBOTS_AGENT, &body.bytes) {
            Ok(robot) => (Rules::Parsed(Arc::new(robot)), TTL),
            Err(_) => (Rules::AllowAll, TTL),
        },
        // No validators are sent, so a 304 means a confused server: as if there were no file.
        Ok(FetchOutcome::NotModified) => (Rules::AllowAll, TTL),
        Err(FetchError::Status {
            status: 401 | 403, ..
        }) => (Rules::DisallowAll, TTL),
        Err(FetchError::Status { status, .. }) if (400..500).contains(&status) && status != 429 => {
            (Rules::AllowAll, TTL)
        }
        Err(FetchError::TooManyRedirects { .. }) => (Rules::AllowAll, TTL),
        Err(FetchError::Refused { .. } | FetchError::BadUrl { .. }) => (Rules::DisallowAll, TTL),
        Err(_) => (Rules::DisallowAll, RETRY_TTL),
    }
}
