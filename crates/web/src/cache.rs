//! The rendered-page cache.
//!
//! Input: finished responses (status, `Location`, content type, `Cache-Control`, bytes, and the
//! validators `ETag` and `Last-Modified`) keyed by site id and the path and query as the client
//! sent them (so `/s/{site}` pages, whose links differ, never mix with Host-selected ones).
//! Output: the same response for up to [`TTL`], until [`PageCache::invalidate`] bumps the
//! generation, so a revalidation (`If-None-Match`) costs a lookup, not a render. A re-render
//! that yields the same bytes keeps the first render's `Last-Modified`, so clients revalidating
//! by date see the page unchanged too. It never grows past its bound: when full it is cleared,
//! a cheap and predictable policy for a cache whose entries live two seconds anyway.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use jiff::Timestamp;
use masthead_model::SiteId;

pub(crate) const TTL: Duration = Duration::from_secs(2);
pub(crate) const MAX_ENTRIES: usize = 2_000;

/// A response worth replaying.
#[derive(Debug, Clone)]
pub(crate) struct CachedPage {
    pub status: StatusCode,
    pub location: Option<HeaderValue>,
    pub content_type: Option<HeaderValue>,
    pub cache_control: Option<HeaderValue>,
    /// A strong validator over the body (None on redirects).
    pub etag: Option<HeaderValue>,
    /// Whole seconds: what the `Last-Modified` header says.
    pub last_modified: Option<Timestamp>,
    pub body: Bytes,
}

#[derive(Debug)]
struct Entry {
    page: CachedPage,
    stored: Instant,
    generation: u64,
}

#[derive(Debug)]
pub(crate) struct PageCache {
    entries: RwLock<HashMap<(SiteId, String), Entry>>,
    generation: AtomicU64,
    max_entries: usize,
    ttl: Duration,
}

impl PageCache {
    pub fn new(max_entries: usize, ttl: Duration) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            max_entries,
            ttl,
        }
    }

    /// The generation a render starts in: a page rendered across an invalidation is stored
    /// under the old generation and so never served.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &(SiteId, String)) -> Option<CachedPage> {
        let generation = self.generation();
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < self.ttl)
            .then(|| entry.page.clone())
    }

    /// Stores a page and returns it as stored: with the previous entry's older
    /// `Last-Modified` when the bytes did not change.
    pub fn put(&self, key: (SiteId, String), generation: u64, mut page: CachedPage) -> CachedPage {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = entries.get(&key)
            && old.page.etag.is_some()
            && old.page.etag == page.etag
            && let (Some(before), Some(now)) = (old.page.last_modified, page.last_modified)
        {
            page.last_modified = Some(before.min(now));
        }
        if entries.len() >= self.max_entries && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                page: page.clone(),
                stored: Instant::now(),
                generation,
            },
        );
        page
    }

    /// Drops every cached page at once (lazily: old generations are never served again).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> CachedPage {
        CachedPage {
            status: StatusCode::OK,
            location: None,
            content_type: None,
            cache_control: None,
            etag: Some(HeaderValue::from_static("\"e\"")),
            last_modified: None,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn same_bytes_keep_the_first_last_modified() {
        let cache = PageCache::new(10, Duration::ZERO);
        let first = Timestamp::from_second(1_000).unwrap();
        let later = Timestamp::from_second(2_000).unwrap();
        let mut a = page("x");
        a.last_modified = Some(first);
        cache.put((1, "/".into()), 0, a);
        let mut b = page("x");
        b.last_modified = Some(later);
        assert_eq!(cache.put((1, "/".into()), 0, b).last_modified, Some(first));
        let mut c = page("y");
        c.etag = Some(HeaderValue::from_static("\"other\""));
        c.last_modified = Some(later);
        assert_eq!(cache.put((1, "/".into()), 0, c).last_modified, Some(later));
    }

    #[test]
    fn serves_until_invalidated() {
        let cache = PageCache::new(10, Duration::from_secs(60));
        let g = cache.generation();
        cache.put((1, "/".into()), g, page("home"));
        assert_eq!(cache.get(&(1, "/".into())).unwrap().body, "home");
        assert!(cache.get(&(2, "/".into())).is_none(), "keyed by site");
        cache.invalidate();
        assert!(cache.get(&(1, "/".into())).is_none());
    }

    #[test]
    fn a_render_across_an_invalidation_is_not_served() {
        let cache = PageCache::new(10, Duration::from_secs(60));
        let g = cache.generation();
        cache.invalidate();
        cache.put((1, "/".into()), g, page("stale"));
        assert!(cache.get(&(1, "/".into())).is_none());
    }

    #[test]
    fn expires_and_stays_bounded() {
        let cache = PageCache::new(2, Duration::ZERO);
        cache.put((1, "/a".into()), 0, page("a"));
        assert!(cache.get(&(1, "/a".into())).is_none(), "expired");
        cache.put((1, "/b".into()), 0, page("b"));
        cache.put((1, "/c".into()), 0, page("c"));
        assert!(cache.entries.read().unwrap().len() <= 2);
    }
}
