//! Structured data and sharing: the article page's NewsArticle JSON-LD, the head's canonical
//! link and Open Graph / Twitter card tags, and each site's generated logo.
//!
//! Input: a stored story (or a site) and the absolute base of the site it is shown on. Output:
//! [`PageMeta`] for the head, a [`JsonLd`] block, an SVG. The JSON-LD is rendered unescaped
//! (`|safe`) because HTML escaping would corrupt JSON inside `<script>` (browsers do not
//! decode entities there); [`JsonLd`] can only be made here, by `serde_json` followed by
//! escaping every `<`, `>` and `&` as `\u003c`-style JSON escapes, so no `</script>` or `<!--`
//! can end the element early. Never touches the store.

use std::fmt;

use askama::Template;
use masthead_model::{OffsetTime, Story};
use serde_json::{Value, json};

use crate::views::{ImageView, PageMeta};

/// Where an article's `rel=canonical` points.
///
/// A per-site setting is the hook (syndication courtesy: some sources license their stories on
/// the condition that search engines credit the original); until the site model carries one,
/// every site uses [`DEFAULT_CANONICAL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CanonicalPolicy {
    /// Our own article page.
    Ours,
    /// The story's original URL at its source, when it has one (releases do not).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the per-site setting is not wired yet")
    )]
    Source,
}

pub(crate) const DEFAULT_CANONICAL: CanonicalPolicy = CanonicalPolicy::Ours;

pub(crate) fn canonical(policy: CanonicalPolicy, ours: &str, source: Option<&str>) -> String {
    match (policy, source.and_then(http_url)) {
        (CanonicalPolicy::Source, Some(url)) => url.to_owned(),
        _ => ours.to_owned(),
    }
}

/// A JSON-LD document safe to place between `<script>` tags.
#[derive(Debug, Clone, Default)]
pub(crate) struct JsonLd(String);

impl JsonLd {
    fn new(value: &Value) -> Self {
        let raw = value.to_string();
        let mut out = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                c => out.push(c),
            }
        }
        Self(out)
    }

    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonLd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `http(s)` URLs only: anything else never reaches an attribute or structured data.
fn http_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// `scheme://host[:port]` of an absolute base.
fn origin(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base.get(after_scheme..).and_then(|rest| rest.find('/')) {
        Some(i) => base.get(..after_scheme + i).unwrap_or(base),
        None => base,
    }
}

/// An image source as pages show it (`http(s)` or site-relative), made absolute.
pub(crate) fn absolute_image(base: &str, image: &ImageView) -> String {
    if image.src.starts_with('/') {
        format!("{}{}", origin(base), image.src)
    } else {
        image.src.clone()
    }
}

/// "By Jane Roe" → "Jane Roe"; empty → None.
pub(crate) fn author_name(byline: Option<&str>) -> Option<String> {
    let b = byline?.trim();
    let b = match b.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => b.get(3..).unwrap_or_default().trim(),
        _ => b,
    };
    (!b.is_empty() && !b.eq_ignore_ascii_case("by")).then(|| b.to_owned())
}

/// The story's last change: its update time, else its publication.
pub(crate) fn modified(story: &Story) -> OffsetTime {
    story
        .updated
        .filter(|u| *u > story.published)
        .unwrap_or(story.published)
}

/// What an article page needs beyond the page itself.
pub(crate) struct Article<'a> {
    pub story: &'a Story,
    /// Our page, absolute.
    pub url: &'a str,
    /// The site's absolute base (links::site_base).
    pub base: &'a str,
    pub site_name: &'a str,
    pub section_name: Option<&'a str>,
    pub image: Option<&'a ImageView>,
}

impl Article<'_> {
    fn description(&self) -> Option<String> {
        self.story
            .standfirst
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// schema.org NewsArticle with what Google asks of one: headline, image, dates with
    /// offsets, author, publisher with name and logo.
    pub fn json_ld(&self) -> JsonLd {
        let s = self.story;
        let source_url = s.url.as_deref().and_then(http_url);
        let author = match author_name(s.byline.as_deref()) {
            Some(name) => json!({ "@type": "Person", "name": name }),
            None => {
                let mut org = json!({ "@type": "Organization", "name": s.source_name });
                if let (Some(url), Some(map)) = (source_url, org.as_object_mut()) {
                    map.insert("url".into(), Value::String(origin(url).to_owned()));
                }
                org
            }
        };
        let mut doc = json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": s.headline,
            "url": self.url,
            "mainEntityOfPage": { "@type": "WebPage", "@id": self.url },
            "datePublished": s.published.to_rfc3339(),
            "dateModified": modified(s).to_rfc3339(),
            "author": [author],
            "publisher": {
                "@type": "Organization",
                "name": self.site_name,
                "url": format!("{}/", self.base),
                "logo": {
                    "@type": "ImageObject",
                    "url": format!("{}/logo.svg", self.base),
                    "width": LOGO_WIDTH,
                    "height": LOGO_HEIGHT,
                },
            },
        });
        if let Some(map) = doc.as_object_mut() {
            if let Some(image) = self.image {
                map.insert("image".into(), json!([absolute_image(self.base, image)]));
            }
            if let Some(url) = source_url {
                map.insert("isBasedOn".into(), Value::String(url.to_owned()));
            }
            if let Some(d) = self.description() {
                map.insert("description".into(), Value::String(d));
            }
            if let Some(section) = self.section_name {
                map.insert("articleSection".into(), Value::String(section.to_owned()));
            }
        }
        JsonLd::new(&doc)
    }

    pub fn meta(&self, policy: CanonicalPolicy) -> PageMeta {
        let s = self.story;
        PageMeta {
            canonical: canonical(policy, self.url, s.url.as_deref()),
            url: self.url.to_owned(),
            og_type: "article",
            title: s.headline.clone(),
            description: self.description(),
            image: self.image.map(|i| absolute_image(self.base, i)),
            image_alt: self
                .image
                .map(|i| i.alt.clone())
                .filter(|a| !a.trim().is_empty()),
            published: Some(s.published.to_rfc3339()),
            modified: Some(modified(s).to_rfc3339()),
            section: self.section_name.map(str::to_owned),
        }
    }
}

/// Head tags of the home and section pages.
pub(crate) fn listing_meta(url: String, title: String, description: Option<String>) -> PageMeta {
    PageMeta {
        canonical: url.clone(),
        url,
        og_type: "website",
        title,
        description: description.filter(|d| !d.trim().is_empty()),
        ..PageMeta::default()
    }
}

pub(crate) const LOGO_WIDTH: u32 = 600;
pub(crate) const LOGO_HEIGHT: u32 = 60;

/// The site's name set in type: the publisher logo structured data points to.
#[derive(Template)]
#[template(path = "logo.svg")]
pub(crate) struct Logo<'a> {
    pub name: &'a str,
    pub width: u32,
    pub height: u32,
    /// Long names are squeezed to fit rather than cut.
    pub squeeze: bool,
}

impl<'a> Logo<'a> {
    pub fn new(name: &'a str) -> Self {
        Self {
            name,
            width: LOGO_WIDTH,
            height: LOGO_HEIGHT,
            squeeze: name.chars().count() > 28,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script() {
        let ld = JsonLd::new(&json!({ "headline": "</script><!-- & \u{2028}" }));
        assert!(!ld.as_str().contains('<'));
        assert!(!ld.as_str().contains('&'));
        let back: Value = serde_json::from_str(ld.as_str()).unwrap();
        assert_eq!(back["headline"], "</script><!-- & \u{2028}");
    }

    #[test]
    fn canonical_follows_the_policy() {
        let ours = "https://echo.example/story/1/x";
        assert_eq!(
            canonical(CanonicalPolicy::Ours, ours, Some("https://src.example/a")),
            ours
        );
        assert_eq!(
            canonical(CanonicalPolicy::Source, ours, Some("https://src.example/a")),
            "https://src.example/a"
        );
        assert_eq!(canonical(CanonicalPolicy::Source, ours, None), ours);
        assert_eq!(
            canonical(CanonicalPolicy::Source, ours, Some("javascript:alert(1)")),
            ours
        );
    }

    #[test]
    fn bylines_lose_their_by() {
        assert_eq!(
            author_name(Some("By Jane Roe")).as_deref(),
            Some("Jane Roe")
        );
        assert_eq!(author_name(Some("Jane Roe")).as_deref(), Some("Jane Roe"));
        assert_eq!(author_name(Some("by ")), None);
        assert_eq!(author_name(Some("  ")), None);
        assert_eq!(author_name(None), None);
    }

    #[test]
    fn origins_and_relative_images() {
        assert_eq!(
            origin("http://h.example:8080/s/echo"),
            "http://h.example:8080"
        );
        assert_eq!(origin("http://h.example"), "http://h.example");
        let image = ImageView {
            src: "/assets/a.jpg".into(),
            alt: String::new(),
            caption: None,
            credit: None,
        };
        assert_eq!(
            absolute_image("http://h.example/s/echo", &image),
            "http://h.example/assets/a.jpg"
        );
    }

    #[test]
    fn the_logo_escapes_the_name() {
        let svg = Logo::new("Tom & Jerry <News>").render().unwrap();
        assert!(
            svg.contains("Tom &#38; Jerry &#60;News&#62;")
                || svg.contains("Tom &amp; Jerry &lt;News&gt;"),
            "{svg}"
        );
        assert!(svg.starts_with("<svg"));
    }
}
