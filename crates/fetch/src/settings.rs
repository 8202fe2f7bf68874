//! The fetcher's settings.
//!
//! Job: hold the operator's fetch configuration as typed values with safe defaults.
//! Input: values the `masthead` config layer has already read and validated (`[fetch]`,
//! `MASTHEAD_FETCH_ALLOW` parsed with [`crate::parse_allow`]).
//! Output: [`FetchSettings`] for [`crate::Fetcher::new`].
//! Never: reads files or the environment itself (the config layer does, once).

use std::time::Duration;

use crate::AllowEntry;

/// How the fetcher behaves. Every process-wide fetch (feeds, article pages, robots.txt) uses one.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Addresses the SSRF guard lets through despite being private/loopback/… (see [`AllowEntry`]).
    pub allow: Vec<AllowEntry>,
    /// Sent on every request; build it with [`FetchSettings::user_agent_for`].
    pub user_agent: String,
    /// Time to open the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time for the whole fetch: every redirect hop and the whole body. Waiting for the per-host
    /// concurrency slot before the first hop is not counted (the server is not at fault).
    pub total_timeout: Duration,
    /// Largest body kept, counted after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Requests in flight at once to one host (by host name, all ports together); 0 counts as 1.
    pub per_host_concurrency: usize,
}

impl FetchSettings {
    /// An honest User-Agent: `masthead/0.1` plus the operator's contact URL when configured,
    /// e.g. `masthead/0.1 (+https://news.example/contact)`.
    pub fn user_agent_for(contact_url: Option<&str>) -> String {
        let product = concat!(
            "masthead/",
            env!("CARGO_PKG_VERSION_MAJOR"),
            ".",
            env!("CARGO_PKG_VERSION_MINOR")
        );
        match contact_url.map(str::trim).filter(|c| !c.is_empty()) {
            // Control characters would make the header invalid; a contact URL never has them.
            Some(contact) if !contact.chars().any(char::is_control) => {
                format!("{product} (+{contact})")
            }
            _ => product.to_owned(),
        }
    }
}

impl Default for FetchSettings {
    /// 10 s to connect, 30 s in all, 10 MiB, 5 redirects, 2 requests at once per host, and an
    /// empty allow-list (every private or loopback address refused).
    fn default() -> Self {
        FetchSettings {
            allow: Vec::new(),
            user_agent: Self::user_agent_for(None),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            per_host_concurrency: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_masthead_and_contact() {
        assert_eq!(FetchSettings::user_agent_for(None), "masthead/0.1");
        assert_eq!(FetchSettings::user_agent_for(Some(" ")), "masthead/0.1");
        assert_eq!(
            FetchSettings::user_agent_for(Some("https://news.example/contact")),
            "masthead/0.1 (+https://news.example/contact)"
        );
        assert_eq!(
            FetchSettings::user_agent_for(Some("https://x\n")),
            "masthead/0.1 (+https://x)"
        );
    }
}
