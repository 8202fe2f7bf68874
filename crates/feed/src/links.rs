//! URLs from feeds made absolute and safe to link to.
//!
//! Input: an href as the feed gave it (maybe relative) and the document's base URL.
//! Output: an absolute `http`/`https` URL, or nothing.
//! Never keeps `javascript:`, `data:`, `mailto:` or any other scheme: every URL we return ends
//! up in a page's `href` or `src`.

use url::Url;

pub(crate) fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    let web = matches!(url.scheme(), "http" | "https");
    (web && url.host_str().is_some_and(|h| !h.is_empty())).then(|| url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_and_bad_schemes_drop() {
        let base = Url::parse("https://news.example/world/feed.xml").unwrap();
        assert_eq!(
            absolute_http("../a/b.html", Some(&base)).as_deref(),
            Some("https://news.example/a/b.html")
        );
        assert_eq!(
            absolute_http("//cdn.example/x.jpg", Some(&base)).as_deref(),
            Some("https://cdn.example/x.jpg")
        );
        assert_eq!(
            absolute_http(" HTTP://Example.com/A ", None).as_deref(),
            Some("http://example.com/A")
        );
        assert_eq!(absolute_http("/a", None), None);
        assert_eq!(absolute_http("javascript:alert(1)", Some(&base)), None);
        assert_eq!(
            absolute_http("data:image/png;base64,AAAA", Some(&base)),
            None
        );
        assert_eq!(absolute_http("mailto:x@example.com", Some(&base)), None);
        assert_eq!(absolute_http("", Some(&base)), None);
    }
}
