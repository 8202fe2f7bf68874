//! Cross-site request forgery protection, one mechanism for every form of every site: a signed
//! double-submit token plus the browser's own `Sec-Fetch-Site` and `Origin` headers.
//!
//! Input: the network's secret and a request's headers. Output: a [`FormToken`] for a page
//! that shows a form (the hidden field's value, and a `Set-Cookie` when the browser has no
//! cookie yet), and for a POST a yes or no ([`check`]).
//!
//! The cookie `masthead_csrf` holds 128 random bits; the form's hidden field holds
//! HMAC-SHA256(secret, cookie). A `__Host-` cookie needs `Secure`, which plain-http demos
//! cannot set, so the name is plain and `Secure` is added when the public base URL is https.
//! A POST passes when the field verifies against the cookie, `Sec-Fetch-Site` (when sent) is
//! `same-origin` or `none`, and `Origin` (when sent) is the request's own host or the site's
//! configured base. Pages that set the cookie are never stored in the page cache: `dispatch`
//! passes every response with `Set-Cookie` (or `no-store`) through uncached.
//!
//! Never logs a token or a cookie.

use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue};
use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

pub(crate) const COOKIE_NAME: &str = "masthead_csrf";
/// The hidden field's name in every form.
pub(crate) const FIELD: &str = "csrf";
const COOKIE_BYTES: usize = 16;

/// What a page with a form needs: the hidden field's value and, for a browser without a
/// cookie yet, the `Set-Cookie` header to send with the page.
#[derive(Debug, Clone)]
pub(crate) struct FormToken {
    pub field: String,
    pub set_cookie: Option<HeaderValue>,
}

/// Why a POST was refused (for the log; the page says the same thing for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    NoCookie,
    BadField,
    CrossSite,
    ForeignOrigin,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCookie => "no csrf cookie",
            Self::BadField => "csrf field does not match the cookie",
            Self::CrossSite => "Sec-Fetch-Site is cross-site",
            Self::ForeignOrigin => "Origin is another site",
        }
    }
}

/// The token for a page's form: the browser's cookie when it has a well-formed one, else a
/// new random cookie (`None` only when the OS has no randomness, in which case the page
/// should say it cannot take the form now).
pub(crate) fn issue(secret: &[u8], headers: &HeaderMap, secure: bool) -> Option<FormToken> {
    if let Some(cookie) = cookie_value(headers) {
        return Some(FormToken {
            field: sign(secret, &cookie),
            set_cookie: None,
        });
    }
    let mut bytes = [0u8; COOKIE_BYTES];
    getrandom::fill(&mut bytes).ok()?;
    let cookie = hex::encode(bytes);
    let attributes = if secure {
        "; Path=/; HttpOnly; SameSite=Strict; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Strict"
    };
    let set_cookie = HeaderValue::from_str(&format!("{COOKIE_NAME}={cookie}{attributes}")).ok()?;
    Some(FormToken {
        field: sign(secret, &cookie),
        set_cookie: Some(set_cookie),
    })
}

/// Checks a form POST: its hidden field (`field`), its cookie, `Sec-Fetch-Site` and `Origin`.
/// `site_base` is the site's absolute base (see `links`), an origin accepted besides the
/// request's own `Host`.
pub(crate) fn check(
    secret: &[u8],
    headers: &HeaderMap,
    field: Option<&str>,
    site_base: &str,
) -> Result<(), Refusal> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or_default().trim();
        if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none") {
            return Err(Refusal::CrossSite);
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default().trim();
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !origin_matches(origin, host, site_base) {
            return Err(Refusal::ForeignOrigin);
        }
    }
    let cookie = cookie_value(headers).ok_or(Refusal::NoCookie)?;
    let field = field.map(str::trim).unwrap_or_default();
    let (Ok(given), Some(mac)) = (hex::decode(field), mac(secret, &cookie)) else {
        return Err(Refusal::BadField);
    };
    mac.verify_slice(&given).map_err(|_| Refusal::BadField)
}

fn mac(secret: &[u8], cookie: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(b"csrf:");
    mac.update(cookie.as_bytes());
    Some(mac)
}

fn sign(secret: &[u8], cookie: &str) -> String {
    mac(secret, cookie)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Our cookie's value when the request carries a well-formed one (32 hex digits).
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| v.len() == COOKIE_BYTES * 2 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `origin` (`scheme://host[:port]`) names the request's own `host` (as the `Host`
/// header says it, port included) or the site's configured base.
fn origin_matches(origin: &str, host: &str, site_base: &str) -> bool {
    let Ok(origin) = url::Url::parse(origin) else {
        // `null` (sandboxed frames, some redirects) and garbage are refused.
        return false;
    };
    let Some(origin_host) = origin.host_str() else {
        return false;
    };
    let origin_port = origin.port_or_known_default();
    let same_authority = |host: &str, port: Option<u16>| {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(origin_host.trim_start_matches('[').trim_end_matches(']'))
            && port == origin_port
    };
    if !host.is_empty() {
        let (name, port) = split_host(host);
        let port = match port {
            Some(p) => p.parse().ok(),
            // No port in `Host`: the default port of the scheme the browser used.
            None => match origin.scheme() {
                "http" => Some(80),
                "https" => Some(443),
                _ => None,
            },
        };
        if same_authority(name, port) {
            return true;
        }
    }
    url::Url::parse(site_base).is_ok_and(|base| {
        base.scheme() == origin.scheme()
            && base
                .host_str()
                .is_some_and(|h| same_authority(h, base.port_or_known_default()))
    })
}

/// `host[:port]` and `[v6][:port]` into the name and the port text.
fn split_host(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((name, after)) => (name, after.strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn cookie_of(token: &FormToken) -> String {
        let set = token.set_cookie.as_ref().unwrap().to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    #[test]
    fn a_new_browser_gets_a_cookie_and_its_field_verifies() {
        let token = issue(SECRET, &HeaderMap::new(), false).unwrap();
        let set = token.set_cookie.as_ref().unwrap().to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(!set.contains("Secure"));
        let cookie = cookie_of(&token);
        let h = headers(&[("cookie", &cookie), ("host", "echo.example")]);
        assert_eq!(check(SECRET, &h, Some(&token.field), ""), Ok(()));
        // The same browser keeps its cookie: no new Set-Cookie, the same field.
        let again = issue(SECRET, &h, false).unwrap();
        assert!(again.set_cookie.is_none());
        assert_eq!(again.field, token.field);
        assert!(
            issue(SECRET, &HeaderMap::new(), true)
                .unwrap()
                .set_cookie
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }

    #[test]
    fn forged_and_missing_tokens_are_refused() {
        let token = issue(SECRET, &HeaderMap::new(), false).unwrap();
        let cookie = cookie_of(&token);
        let h = headers(&[("cookie", &cookie)]);
        assert_eq!(check(SECRET, &h, None, ""), Err(Refusal::BadField));
        assert_eq!(check(SECRET, &h, Some("abcd"), ""), Err(Refusal::BadField));
        assert_eq!(
            check(b"another secret", &h, Some(&token.field), ""),
            Err(Refusal::BadField)
        );
        assert_eq!(
            check(SECRET, &HeaderMap::new(), Some(&token.field), ""),
            Err(Refusal::NoCookie)
        );
    }

    #[test]
    fn fetch_metadata_and_origin_are_checked() {
        let token = issue(SECRET, &HeaderMap::new(), false).unwrap();
        let cookie = cookie_of(&token);
        let f = Some(token.field.as_str());
        let base = "http://127.0.0.1:8080/s/echo";
        let with = |extra: &[(&'static str, &str)]| {
            let mut pairs = vec![("cookie", cookie.as_str()), ("host", "127.0.0.1:8080")];
            pairs.extend_from_slice(extra);
            check(SECRET, &headers(&pairs), f, base)
        };
        assert_eq!(with(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(with(&[("sec-fetch-site", "none")]), Ok(()));
        assert_eq!(
            with(&[("sec-fetch-site", "cross-site")]),
            Err(Refusal::CrossSite)
        );
        assert_eq!(
            with(&[("sec-fetch-site", "same-site")]),
            Err(Refusal::CrossSite)
        );
        assert_eq!(with(&[("origin", "http://127.0.0.1:8080")]), Ok(()));
        assert_eq!(
            with(&[("origin", "http://evil.example")]),
            Err(Refusal::ForeignOrigin)
        );
        assert_eq!(with(&[("origin", "null")]), Err(Refusal::ForeignOrigin));
        assert_eq!(
            with(&[("origin", "http://127.0.0.1:9999")]),
            Err(Refusal::ForeignOrigin)
        );
    }

    #[test]
    fn origins_match_host_with_default_ports_and_the_site_base() {
        assert!(origin_matches("http://echo.example", "echo.example", ""));
        assert!(origin_matches("https://echo.example", "ECHO.example", ""));
        assert!(origin_matches("http://echo.example", "echo.example:80", ""));
        assert!(origin_matches("http://[::1]:8080", "[::1]:8080", ""));
        assert!(!origin_matches(
            "http://echo.example:81",
            "echo.example",
            ""
        ));
        // Behind a proxy that rewrites Host, the configured base still matches.
        assert!(origin_matches(
            "https://echo.example",
            "10.0.0.5:8080",
            "https://echo.example/s/x"
        ));
        assert!(!origin_matches(
            "http://echo.example",
            "10.0.0.5:8080",
            "https://echo.example"
        ));
    }
}
