//! Absolute links: the base every feed, sitemap, canonical link and JSON-LD URL starts with.
//!
//! Input: the configured public base URL (`WebSettings::base_url`) and the site a request is
//! for. Output: `https://host[:port][/s/{slug}]`, without a trailing slash. Never reads the
//! request's `Host`: a client chooses that header, and an absolute link (a feed GUID, a
//! canonical URL) must not change with it, nor be steerable by it.
//!
//! The rule:
//! - through the `/s/{slug}` prefix: the configured base URL (path kept) + `/s/{slug}`;
//! - on a Host-selected site: the base URL's scheme, the site's **first** host and the base
//!   URL's port (`http://orlando-echo.localhost:8080`);
//! - without a configured base URL: `http`, the site's first host, no port (and
//!   `http://localhost/s/{slug}` for a site with no host at all).

use url::Url;

use crate::WebError;

/// The parsed `base_url`, kept in the shared state.
#[derive(Debug, Clone)]
pub(crate) struct PublicBase {
    /// `https://news.example.com/path`, no trailing slash.
    root: String,
    scheme: String,
    port: Option<u16>,
}

impl PublicBase {
    pub fn parse(raw: &str) -> Result<Self, WebError> {
        let url = Url::parse(raw.trim()).map_err(|e| WebError::BaseUrl {
            url: raw.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(WebError::BaseUrl {
                url: raw.to_owned(),
                reason: "it must be an http:// or https:// URL with a host".to_owned(),
            });
        }
        let mut root = url.clone();
        root.set_query(None);
        root.set_fragment(None);
        Ok(Self {
            root: root.as_str().trim_end_matches('/').to_owned(),
            scheme: url.scheme().to_owned(),
            port: url.port(),
        })
    }
}

/// The absolute base of a site as this request reached it (see the module doc for the rule).
pub(crate) fn site_base(
    base: Option<&PublicBase>,
    first_host: Option<&str>,
    prefix: &str,
) -> String {
    match (base, prefix.is_empty()) {
        (Some(base), false) => format!("{}{prefix}", base.root),
        (Some(base), true) => match first_host {
            Some(host) => with_port(&base.scheme, host, base.port),
            None => base.root.clone(),
        },
        (None, _) => match first_host {
            Some(host) => with_port("http", host, None),
            None => format!("http://localhost{prefix}"),
        },
    }
}

fn with_port(scheme: &str, host: &str, port: Option<u16>) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_uses_the_configured_base() {
        let base = PublicBase::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            site_base(Some(&base), Some("echo.example"), "/s/echo"),
            "http://127.0.0.1:8080/s/echo"
        );
    }

    #[test]
    fn host_selected_uses_the_first_host_and_the_base_port() {
        let base = PublicBase::parse("https://news.example.com:8443/x").unwrap();
        assert_eq!(
            site_base(Some(&base), Some("echo.example"), ""),
            "https://echo.example:8443"
        );
        let base = PublicBase::parse("https://news.example.com").unwrap();
        assert_eq!(
            site_base(Some(&base), Some("echo.example"), ""),
            "https://echo.example"
        );
        assert_eq!(site_base(Some(&base), None, ""), "https://news.example.com");
    }

    #[test]
    fn without_a_base() {
        assert_eq!(
            site_base(None, Some("echo.example"), ""),
            "http://echo.example"
        );
        assert_eq!(
            site_base(None, Some("echo.example"), "/s/echo"),
            "http://echo.example"
        );
        assert_eq!(site_base(None, None, "/s/echo"), "http://localhost/s/echo");
    }

    #[test]
    fn bad_bases_are_refused() {
        assert!(PublicBase::parse("not a url").is_err());
        assert!(PublicBase::parse("ftp://x.example").is_err());
    }
}
