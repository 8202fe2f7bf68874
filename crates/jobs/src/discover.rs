//! Feed discovery: given a site's home page instead of a feed, find the feeds it advertises
//! (`<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">`) and pick one.
//!
//! Input: a URL. Output: the feed URL to poll and what else was on offer. Goes through the
//! fetcher, so its limits and address guard apply.

use masthead_fetch::{ACCEPT_FEED, FetchOutcome, FetchRequest, Fetcher};
use scraper::{Html, Selector};

/// A feed a page advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    pub url: String,
    pub title: Option<String>,
    pub kind: &'static str,
}

/// The outcome of looking at a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// The URL is a feed itself.
    Feed { url: String, title: Option<String> },
    /// The URL is a page; `picked` is the first feed it advertises.
    Page {
        picked: FeedLink,
        others: Vec<FeedLink>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot fetch {url}: {source}")]
    Fetch {
        url: String,
        source: masthead_fetch::FetchError,
    },
    #[error("{url} is neither a feed nor a page that advertises one")]
    NoFeed { url: String },
}

pub async fn discover(fetcher: &Fetcher, url: &url::Url) -> Result<Discovery, DiscoverError> {
    let fetch_err = |source| DiscoverError::Fetch {
        url: url.to_string(),
        source,
    };
    let body = match fetcher
        .fetch(&FetchRequest::new(url.clone(), ACCEPT_FEED))
        .await
        .map_err(fetch_err)?
    {
        FetchOutcome::Fetched(body) => body,
        FetchOutcome::NotModified => {
            return Err(DiscoverError::NoFeed {
                url: url.to_string(),
            });
        }
    };
    let utf8 = masthead_fetch::feed_to_utf8(&body.bytes, body.content_type.as_deref());
    if let Ok(feed) = masthead_feed::parse(&utf8, Some(&body.final_url)) {
        return Ok(Discovery::Feed {
            url: body.final_url.to_string(),
            title: feed.title,
        });
    }
    let (html, _) = masthead_fetch::decode_html(&body.bytes, body.content_type.as_deref());
    let mut links = feed_links(&html, &body.final_url).into_iter();
    match links.next() {
        Some(picked) => Ok(Discovery::Page {
            picked,
            others: links.collect(),
        }),
        None => Err(DiscoverError::NoFeed {
            url: url.to_string(),
        }),
    }
}

/// The feeds a page advertises, in document order, absolute, without repeats.
pub fn feed_links(html: &str, base: &url::Url) -> Vec<FeedLink> {
    let doc = Html::parse_document(html);
    let Ok(selector) = Selector::parse("link[rel][href]") else {
        return Vec::new();
    };
    let mut out: Vec<FeedLink> = Vec::new();
    for link in doc.select(&selector) {
        let el = link.value();
        let is_alternate = el.attr("rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let kind = match el
            .attr("type")
            .map(|t| t.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("application/rss+xml") => "RSS",
            Some("application/atom+xml") => "Atom",
            Some("application/feed+json" | "application/json") => "JSON Feed",
            _ => continue,
        };
        if !is_alternate {
            continue;
        }
        let Some(url) = el.attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || out.iter().any(|l| l.url == url.as_str()) {
            continue;
        }
        out.push(FeedLink {
            url: url.to_string(),
            title: el.attr("title").map(str::to_owned),
            kind,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_advertised_feeds_in_order() {
        let base = url::Url::parse("https://news.example/world/").unwrap();
        let html = r#"<html><head>
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
            <link rel="alternate" type="application/rss+xml" href="https://news.example/rss">
            <link rel="alternate" type="application/rss+xml" href="/atom.xml">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
        </head></html>"#;
        let links = feed_links(html, &base);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].url, "https://news.example/atom.xml");
        assert_eq!(links[0].kind, "Atom");
        assert_eq!(links[0].title.as_deref(), Some("Atom"));
        assert_eq!(links[1].url, "https://news.example/rss");
    }
}
