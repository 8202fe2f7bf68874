//! What an element's `class` and `id` say about it: article text, boilerplate, or metadata.
//!
//! Input: the lower-cased `class id` string of an element. Output: Readability-style verdicts
//! (unlikely candidate, class weight ±25) extended with the boilerplate news pages carry
//! (newsletter and release promos, cookie banners, recirculation widgets). Plain substring
//! tests over short strings, no regular expressions: this runs once per element.

/// Containers that are almost never the article (Readability's `unlikelyCandidates`, plus
/// news boilerplate).
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    // News boilerplate.
    "newsletter",
    "cookie",
    "consent",
    "share-",
    "sharing",
    "recirc",
    "most-popular",
    "mostpopular",
    "most-read",
    "trending",
    "taboola",
    "outbrain",
    "signup",
    "sign-up",
    "subscribe",
];

/// Words that rescue an unlikely-looking container (Readability's `okMaybeItsACandidate`).
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "mathjax", "shadow",
];

const POSITIVE: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "pagination",
    "post",
    "text",
    "blog",
    "story",
];

const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
    // News boilerplate.
    "newsletter",
    "subscribe",
    "signup",
    "cookie",
    "consent",
    "social",
    "breadcrumb",
    "recirc",
    "trending",
    "advert",
    "byline",
];

/// Metadata blocks kept out of the body (Readability's byline test, plus dates).
const BYLINE: &[&str] = &["byline", "author", "dateline", "writtenby", "p-author"];
const DATE: &[&str] = &[
    "timestamp",
    "published",
    "pubdate",
    "post-date",
    "article-date",
    "entry-date",
    "date-time",
    "datetime",
];

/// Blocks that are boilerplate whatever their size: ads, share bars, newsletter and release
/// promos, comment threads, cookie banners.
const BOILERPLATE: &[&str] = &[
    "share-bar",
    "sharebar",
    "share-buttons",
    "social-share",
    "newsletter",
    "cookie",
    "consent",
    "comments",
    "disqus",
    "advert",
    "ad-slot",
    "ad-container",
    "adsbygoogle",
    "related-stories",
    "related-articles",
    "related-posts",
    "recirc",
    "taboola",
    "outbrain",
    "promo",
];

fn any(hint: &str, words: &[&str]) -> bool {
    words.iter().any(|w| hint.contains(w))
}

pub(crate) fn is_unlikely(hint: &str) -> bool {
    !hint.is_empty() && any(hint, UNLIKELY) && !any(hint, MAYBE)
}

/// Readability's class weight: -25 to +25 for each of class and id (here read together,
/// since both are in one string).
pub(crate) fn weight(hint: &str) -> f64 {
    if hint.is_empty() {
        return 0.0;
    }
    let mut w = 0.0;
    if any(hint, NEGATIVE) || hint.split(' ').any(|t| t == "hid") {
        w -= 25.0;
    }
    if any(hint, POSITIVE) {
        w += 25.0;
    }
    w
}

pub(crate) fn is_byline(hint: &str) -> bool {
    any(hint, BYLINE)
}

pub(crate) fn is_date(hint: &str) -> bool {
    any(hint, DATE)
}

pub(crate) fn is_boilerplate(hint: &str) -> bool {
    // "no-comments" wrappers and article bodies called "promo-story-body" exist; keep anything
    // that also says it is the content.
    any(hint, BOILERPLATE) && !hint.contains("content") && !hint.contains("article-body")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert!(is_unlikely("sidebar"));
        assert!(!is_unlikely("sidebar main-content"));
        assert!(weight("story-body") > 0.0);
        assert!(weight("share-tools") < 0.0);
        assert_eq!(weight("x hid y"), -25.0);
        assert_eq!(weight(""), 0.0);
        assert!(is_byline("article-byline"));
        assert!(is_boilerplate("newsletter-promo"));
        assert!(!is_boilerplate("article-content promo"));
    }
}
