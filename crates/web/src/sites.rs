//! The sites of the network, held in memory for request routing.
//!
//! Input: the store's `sites()`, at start and on `AppHandle::reload_sites`. Output: lookups by
//! host and by slug, each site with its time zone already parsed, so a request never queries
//! the store for its site and never parses a zone. Never consulted for secrets: the "No site
//! here" page does not list what this table holds.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jiff::tz::TimeZone;
use masthead_model::Site;
use masthead_store::Store;

use crate::WebError;

/// One site as requests need it.
#[derive(Debug)]
pub(crate) struct SiteEntry {
    pub site: Site,
    pub zone: TimeZone,
}

#[derive(Debug, Default)]
pub(crate) struct SiteTable {
    by_host: HashMap<String, Arc<SiteEntry>>,
    by_slug: HashMap<String, Arc<SiteEntry>>,
}

impl SiteTable {
    fn build(sites: Vec<Site>) -> Result<Self, WebError> {
        let mut table = Self::default();
        for site in sites {
            let zone = masthead_normalize::parse_zone(&site.time_zone).map_err(|source| {
                WebError::Zone {
                    site: site.slug.clone(),
                    zone: site.time_zone.clone(),
                    source,
                }
            })?;
            let entry = Arc::new(SiteEntry { site, zone });
            for host in &entry.site.hosts {
                table
                    .by_host
                    .insert(normalize_host(host).to_owned(), entry.clone());
            }
            table.by_slug.insert(entry.site.slug.clone(), entry);
        }
        Ok(table)
    }

    /// Every site, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = &Arc<SiteEntry>> {
        self.by_slug.values()
    }

    /// `host` as the request sent it: any case, maybe with a port.
    pub fn by_host(&self, host: &str) -> Option<&Arc<SiteEntry>> {
        let host = normalize_host(host);
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_host.get(&host.to_ascii_lowercase())
        } else {
            self.by_host.get(host)
        }
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Arc<SiteEntry>> {
        self.by_slug.get(slug)
    }
}

/// The current table, swapped whole on reload so readers never see half a reload.
#[derive(Debug)]
pub(crate) struct SiteRegistry {
    current: RwLock<Arc<SiteTable>>,
}

impl SiteRegistry {
    pub async fn load(store: &dyn Store) -> Result<Self, WebError> {
        let table = SiteTable::build(store.sites().await?)?;
        Ok(Self {
            current: RwLock::new(Arc::new(table)),
        })
    }

    pub async fn reload(&self, store: &dyn Store) -> Result<(), WebError> {
        let table = Arc::new(SiteTable::build(store.sites().await?)?);
        // A panic elsewhere while holding the lock cannot leave a half-written Arc behind, so
        // a poisoned lock is still safe to use.
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = table;
        Ok(())
    }

    pub fn current(&self) -> Arc<SiteTable> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Strips the port and a trailing dot; handles `[::1]:8080`. Case is left to the caller, so
/// the common all-lower-case host costs no allocation.
pub(crate) fn normalize_host(host: &str) -> &str {
    let host = host.trim();
    let host = if let Some(rest) = host.strip_prefix('[') {
        // IPv6 literal: keep the brackets' content, drop any port after them.
        rest.split_once(']').map_or(rest, |(addr, _)| addr)
    } else {
        host.split_once(':').map_or(host, |(name, _)| name)
    };
    host.strip_suffix('.').unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::normalize_host;

    #[test]
    fn hosts_lose_port_and_trailing_dot() {
        assert_eq!(
            normalize_host("orlando-echo.localhost:8080"),
            "orlando-echo.localhost"
        );
        assert_eq!(normalize_host("example.com."), "example.com");
        assert_eq!(normalize_host("[::1]:8080"), "::1");
        assert_eq!(normalize_host("Example.COM"), "Example.COM");
    }
}
