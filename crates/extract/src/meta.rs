//! Page metadata: headline, standfirst, byline, times, canonical URL, language, site name.
//!
//! Input: the page's [`Dom`] and URL. Output: [`Meta`], each field taken from the most
//! deliberate source that has it: JSON-LD first (written for machines), then Open Graph and
//! `article:*`, then other `<meta>` names, then the visible page (`<time>`, `<title>`, `<h1>`,
//! byline elements). It never reads the body text; `lib` combines both.

use std::collections::HashMap;

use masthead_model::OffsetTime;
use masthead_normalize::clean_inline;
use url::Url;

use crate::dom::{Attr, Dom, Kind, NodeId, Tag};
use crate::jsonld::{self, LdArticle};
use crate::{date, hints};

#[derive(Debug, Default)]
pub(crate) struct ImageHint {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub headline: Option<String>,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub published: Option<OffsetTime>,
    pub updated: Option<OffsetTime>,
    pub canonical_url: Option<String>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub image: Option<ImageHint>,
    pub article_body: Option<String>,
    /// `<base href>` resolved against the page URL.
    pub base: Option<Url>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| clean_inline(&s)).filter(|s| !s.is_empty())
}

fn not_url(s: &str) -> bool {
    !(s.starts_with("http://") || s.starts_with("https://") || s.starts_with("www."))
}

pub(crate) fn collect(dom: &Dom, url: &Url) -> Meta {
    let mut metas: HashMap<String, String> = HashMap::new();
    let mut scripts: Vec<String> = Vec::new();
    let mut canonical = None;
    let mut base = None;
    let mut title_tag = None;
    let mut first_h1: Option<NodeId> = None;
    let mut time_pub: Option<String> = None;
    let mut time_any: Option<String> = None;
    let mut item_pub: Option<String> = None;
    let mut item_mod: Option<String> = None;
    let mut lang = None;
    for i in 0..dom.len() {
        let Some(Kind::Element(e)) = dom.node(i).map(|n| &n.kind) else {
            continue;
        };
        match e.tag {
            Tag::Html => lang = e.attr(Attr::Lang).map(str::to_owned),
            Tag::Meta => {
                let key = e
                    .attr(Attr::Property)
                    .or_else(|| e.attr(Attr::Name))
                    .or_else(|| e.attr(Attr::HttpEquiv))
                    .or_else(|| e.attr(Attr::Itemprop));
                if let (Some(k), Some(v)) = (key, e.attr(Attr::Content)) {
                    let v = v.trim();
                    if !v.is_empty() {
                        // A property may list several names ("og:title twitter:title").
                        for k in k.split_whitespace() {
                            metas
                                .entry(k.to_ascii_lowercase())
                                .or_insert_with(|| v.to_owned());
                        }
                    }
                }
            }
            Tag::Link => {
                let rel = e.attr(Attr::Rel).unwrap_or("");
                if canonical.is_none()
                    && rel
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    canonical = e.attr(Attr::Href).map(str::to_owned);
                }
            }
            Tag::Base if base.is_none() => {
                base = e.attr(Attr::Href).and_then(|h| url.join(h.trim()).ok());
            }
            Tag::Script
                if e.attr(Attr::Type)
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                scripts.push(dom.raw_text(i));
            }
            Tag::Title if title_tag.is_none() => title_tag = Some(dom.raw_text(i)),
            Tag::H1 if first_h1.is_none() => first_h1 = Some(i),
            Tag::Time => {
                if let Some(dt) = e.attr(Attr::Datetime) {
                    if time_pub.is_none()
                        && (e.attr(Attr::Pubdate).is_some()
                            || e.attr(Attr::Itemprop)
                                .is_some_and(|p| p.contains("datePublished")))
                    {
                        time_pub = Some(dt.to_owned());
                    }
                    if time_any.is_none() {
                        time_any = Some(dt.to_owned());
                    }
                }
            }
            _ => {}
        }
        if let Some(prop) = e.attr(Attr::Itemprop) {
            let value = || {
                e.attr(Attr::Datetime)
                    .or_else(|| e.attr(Attr::Content))
                    .map(str::to_owned)
            };
            if item_pub.is_none() && prop.contains("datePublished") {
                item_pub = value();
            }
            if item_mod.is_none() && prop.contains("dateModified") {
                item_mod = value();
            }
        }
    }
    let ld: LdArticle = jsonld::article(scripts.iter().map(String::as_str)).unwrap_or_default();
    let m = |k: &str| metas.get(k).cloned();

    let site_name = nonempty(m("og:site_name"))
        .or_else(|| nonempty(ld.publisher.clone()))
        .or_else(|| nonempty(m("application-name")));

    let h1_text = first_h1.map(|h| dom.text(h)).filter(|t| !t.is_empty());
    let headline = nonempty(ld.headline.clone())
        .or_else(|| nonempty(m("og:title")))
        .or_else(|| nonempty(m("twitter:title")))
        .or_else(|| nonempty(m("dc.title")).or_else(|| nonempty(m("dc:title"))))
        .or_else(|| nonempty(m("title")))
        .or_else(|| nonempty(ld.name.clone()))
        .or_else(|| {
            title_tag
                .as_deref()
                .map(clean_inline)
                .filter(|t| !t.is_empty())
                .map(|t| clean_title(&t, h1_text.as_deref()))
        })
        .or(h1_text);

    let standfirst = nonempty(ld.description.clone())
        .or_else(|| nonempty(m("og:description")))
        .or_else(|| nonempty(m("description")))
        .or_else(|| nonempty(m("twitter:description")))
        .or_else(|| nonempty(m("dc.description")));

    let byline = (!ld.authors.is_empty())
        .then(|| clean_inline(&ld.authors.join(", ")))
        .or_else(|| nonempty(m("author")).filter(|a| not_url(a)))
        .or_else(|| nonempty(m("article:author")).filter(|a| not_url(a)))
        .or_else(|| nonempty(m("dc.creator")).or_else(|| nonempty(m("dc:creator"))))
        .or_else(|| nonempty(m("parsely-author")))
        .or_else(|| dom_byline(dom))
        .map(|b| strip_by(&b));

    let date_of = |v: Option<String>| v.as_deref().and_then(date::parse);
    let published = date_of(ld.published.clone())
        .or_else(|| date_of(m("article:published_time")))
        .or_else(|| date_of(item_pub.clone()))
        .or_else(|| {
            [
                "og:published_time",
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "date",
                "dc.date",
                "dc.date.issued",
                "dcterms.created",
                "dcterms.date",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
                "published_time",
            ]
            .iter()
            .find_map(|k| date_of(m(k)))
        })
        .or_else(|| date_of(time_pub.clone()))
        .or_else(|| date_of(time_any.clone()));
    let updated = date_of(ld.modified.clone())
        .or_else(|| date_of(m("article:modified_time")))
        .or_else(|| date_of(m("og:updated_time")))
        .or_else(|| date_of(item_mod.clone()))
        .or_else(|| date_of(m("dcterms.modified")));

    let resolve = |s: &str| -> Option<String> {
        let s = s.trim();
        (!s.is_empty())
            .then(|| url.join(s).ok())
            .flatten()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string())
    };
    let canonical_url = canonical
        .as_deref()
        .and_then(resolve)
        .or_else(|| m("og:url").as_deref().and_then(resolve))
        .or_else(|| ld.url.as_deref().and_then(resolve));

    let language = lang
        .or_else(|| m("content-language"))
        .or_else(|| m("og:locale").map(|l| l.replace('_', "-")))
        .or(ld.language.clone())
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty() && l.len() < 36);

    let image = ld
        .image
        .clone()
        .and_then(|i| {
            let u = resolve(i.url.as_deref()?)?;
            Some(ImageHint {
                url: u,
                caption: nonempty(i.caption),
                credit: nonempty(i.credit),
            })
        })
        .or_else(|| {
            [
                "og:image:secure_url",
                "og:image",
                "og:image:url",
                "twitter:image",
                "twitter:image:src",
            ]
            .iter()
            .find_map(|k| m(k).as_deref().and_then(resolve))
            .map(|u| ImageHint {
                url: u,
                ..ImageHint::default()
            })
        });

    Meta {
        headline,
        standfirst,
        byline,
        published,
        updated,
        canonical_url,
        language,
        site_name,
        image,
        article_body: ld.body,
        base,
    }
}

/// `By Jane Doe` → `Jane Doe`.
fn strip_by(s: &str) -> String {
    let t = s.trim();
    for p in ["By ", "by ", "BY ", "By: ", "Written by ", "Words by "] {
        if let Some(rest) = t.strip_prefix(p) {
            return rest.trim().to_owned();
        }
    }
    t.to_owned()
}

/// The first visible byline element: `rel=author`, `itemprop=author`, or a class/id saying so.
fn dom_byline(dom: &Dom) -> Option<String> {
    let mut i = 0;
    while i < dom.len() {
        let Some(e) = dom.element(i) else {
            i += 1;
            continue;
        };
        if e.tag.is_invisible() || matches!(e.tag, Tag::Nav | Tag::Aside | Tag::Footer) {
            i = dom.end(i).max(i + 1);
            continue;
        }
        let is_author = e.attr(Attr::Rel).is_some_and(|r| r.contains("author"))
            || e.attr(Attr::Itemprop).is_some_and(|p| p.contains("author"))
            || (hints::is_byline(&e.hint) && !e.hint.contains("dateline"));
        if is_author && dom.size(i) <= 256 {
            // Prefer the name inside an itemprop=author block.
            let name = (i + 1..dom.end(i))
                .find(|&j| dom.attr(j, Attr::Itemprop).is_some_and(|p| p == "name"))
                .map(|j| dom.text(j))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| dom.text(i));
            let n = name.chars().count();
            if n > 0 && n < 100 {
                return Some(name);
            }
        }
        i += 1;
    }
    None
}

/// `<title>` without the site's name: `Talks end | Orlando Echo` → `Talks end`.
fn clean_title(title: &str, h1: Option<&str>) -> String {
    if let Some(h) = h1
        && title.contains(h)
        && (h.split_whitespace().count() >= 2 || h == title)
    {
        return h.to_owned();
    }
    for sep in [" | ", " - ", " – ", " — ", " :: ", " » ", " / ", " · "] {
        if let Some((head, _)) = title.rsplit_once(sep) {
            if head.split_whitespace().count() >= 3 {
                return head.trim().to_owned();
            }
            if let Some((_, after_first)) = title.split_once(sep)
                && after_first.split_whitespace().count() >= 3
            {
                return after_first.trim().to_owned();
            }
            return title.to_owned();
        }
    }
    title.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_the_site_name() {
        assert_eq!(
            clean_title("Witkoff leaves St. Petersburg | Orlando Echo", None),
            "Witkoff leaves St. Petersburg"
        );
        assert_eq!(
            clean_title("Echo - Talks end early today", None),
            "Talks end early today"
        );
        assert_eq!(clean_title("Plain title", None), "Plain title");
    }

    #[test]
    fn by_is_stripped() {
        assert_eq!(strip_by("By Jane Doe"), "Jane Doe");
        assert_eq!(strip_by("Jane Doe"), "Jane Doe");
    }
}
