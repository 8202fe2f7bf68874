//! The demo network's pages, requested over HTTP and parsed as HTML.

use std::collections::{HashMap, HashSet};

use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::{Demo, get, get_with_host};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(doc: &Html, s: &str) -> Option<String> {
    doc.select(&sel(s)).next().map(|e| {
        e.text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The time a page must show: the instant in the site's zone, "12 Apr 2025, 04:01 GMT+10".
/// Written independently of the product's formatter on purpose.
fn expected_time(rfc3339: &str, zone: &str) -> String {
    let ts: jiff::Timestamp = rfc3339.parse().unwrap();
    let z = ts.in_tz(zone).unwrap();
    let off = z.offset().seconds();
    let (h, m) = (off.abs() / 3600, (off.abs() % 3600) / 60);
    let sign = if off < 0 { "-" } else { "+" };
    let gmt = match (h, m) {
        (0, 0) => "GMT".to_owned(),
        (h, 0) => format!("GMT{sign}{h}"),
        (h, m) => format!("GMT{sign}{h}:{m:02}"),
    };
    format!("{} {gmt}", z.strftime("%-d %b %Y, %H:%M"))
}

fn page_path(story: &Value, site: &str) -> String {
    let page = story["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|p| p.contains(&format!("/s/{site}/")))
        .unwrap()
        .to_owned();
    let path_start = page.find("/s/").unwrap();
    page[path_start..].to_owned()
}

#[tokio::test]
async fn demo_network_has_three_sites_and_sixty_stories() {
    let demo = Demo::start();
    let out = demo.cli(&["stories", "list", "--limit", "1000", "--json"]);
    assert!(out.status.success());
    let stories: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(stories.len() >= 60, "only {} stories", stories.len());
    let sources: HashSet<&str> = stories
        .iter()
        .filter_map(|s| s["source"].as_str())
        .collect();
    assert!(sources.len() >= 3, "{sources:?}");
    for site in ["orlando-echo", "harbourside-times", "deccan-courier"] {
        let (status, body) = get(&demo.url(&format!("/s/{site}/"))).await;
        assert_eq!(status, 200, "{site}");
        let doc = Html::parse_document(&body);
        assert!(
            doc.select(&sel("main a[href*='/story/']")).count() >= 5,
            "{site} home lists stories"
        );
    }
    // The printed URLs include the Host-style ones and the single-host fallback.
    let printed = demo.stdout.join("\n");
    assert!(
        printed.contains("http://orlando-echo.localhost:"),
        "{printed}"
    );
    assert!(printed.contains("/s/orlando-echo/"), "{printed}");
}

#[tokio::test]
async fn article_page_carries_every_element() {
    let demo = Demo::start();
    let stories = demo.stories("orlando-echo");
    // A story with a lead image and subheads exercises every element at once.
    let story = stories
        .iter()
        .filter(|s| {
            let html = s["content_html"].as_str().unwrap_or("");
            html.contains("<h2") || html.contains("<h3")
        })
        .find_map(|s| {
            let id = s["id"].as_i64().unwrap().to_string();
            let out = demo.cli(&["stories", "show", &id, "--json"]);
            let full: Value = serde_json::from_slice(&out.stdout).unwrap();
            full["image"].is_object().then_some(full)
        })
        .expect("a demo story with a lead image and subheads on orlando-echo");
    let path = page_path(&story, "orlando-echo");
    let (status, body) = get(&demo.url(&path)).await;
    assert_eq!(status, 200, "{path}");
    let doc = Html::parse_document(&body);

    assert_eq!(doc.select(&sel("h1")).count(), 1);
    assert_eq!(
        text(&doc, "h1").unwrap(),
        story["headline"].as_str().unwrap()
    );
    let source = story["source"].as_str().unwrap();
    assert_eq!(text(&doc, ".meta .source").unwrap(), source);
    let time = text(&doc, ".meta time").unwrap();
    assert_eq!(
        time,
        expected_time(story["published"].as_str().unwrap(), "America/New_York")
    );
    assert_eq!(
        text(&doc, ".standfirst").unwrap(),
        story["standfirst"].as_str().unwrap()
    );
    let figure = doc
        .select(&sel("figure.lead-image"))
        .next()
        .expect("lead image");
    assert!(figure.select(&sel("img[src][alt]")).next().is_some());
    let caption: String = figure.text().collect();
    if let Some(credit) = story["image"]["credit"].as_str() {
        assert!(
            caption.contains(&format!("(Photo credit: {credit})")),
            "{caption}"
        );
    }
    let subheads = story["content_html"]
        .as_str()
        .unwrap()
        .matches("<h2")
        .count()
        + story["content_html"]
            .as_str()
            .unwrap()
            .matches("<h3")
            .count();
    assert_eq!(
        doc.select(&sel("article .story-body h2, article .story-body h3"))
            .count(),
        subheads,
        "subheads are kept as subheads"
    );
    assert_eq!(text(&doc, ".source-credit").unwrap(), format!("({source})"));
    let body_text: String = doc.root_element().text().collect();
    assert!(body_text.contains("Get a daily dose of Orlando Echo news through our daily email"));
    assert!(body_text.contains("submitting a news release to Orlando Echo"));
    assert!(
        doc.select(&sel("a[href='/s/orlando-echo/subscribe']"))
            .next()
            .is_some()
    );
    assert!(
        doc.select(&sel("a[href='/s/orlando-echo/submit']"))
            .next()
            .is_some()
    );

    // More Information: the heading, then a list of teasers.
    let heading = doc
        .select(&sel("h2"))
        .find(|h| h.text().collect::<String>().trim() == "More Information")
        .expect("More Information heading");
    let list = heading
        .next_siblings()
        .filter_map(scraper::ElementRef::wrap)
        .next()
        .expect("an element after the heading");
    assert!(
        matches!(list.value().name(), "ul" | "ol"),
        "{}",
        list.value().name()
    );
    let teasers: Vec<_> = list.select(&sel("li a")).collect();
    assert!(teasers.len() >= 3, "{} teasers", teasers.len());

    let (status, _) = get(&demo.url("/s/orlando-echo/subscribe")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&demo.url("/s/orlando-echo/submit")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn more_information_never_lists_the_page_a_cluster_twice_or_a_repeat() {
    let demo = Demo::start();
    let stories = demo.stories("orlando-echo");
    let cluster_of: HashMap<i64, i64> = stories
        .iter()
        .map(|s| (s["id"].as_i64().unwrap(), s["cluster"].as_i64().unwrap()))
        .collect();
    for story in stories.iter().take(12) {
        let id = story["id"].as_i64().unwrap();
        let (status, body) = get(&demo.url(&page_path(story, "orlando-echo"))).await;
        assert_eq!(status, 200);
        let doc = Html::parse_document(&body);
        let links: Vec<String> = doc
            .select(&sel(".more-information li a"))
            .map(|a| a.value().attr("href").unwrap().to_owned())
            .collect();
        assert!(!links.is_empty());
        let mut ids = HashSet::new();
        let mut clusters = HashSet::new();
        for href in &links {
            let linked: i64 = href
                .split("/story/")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("teaser link {href}"));
            assert_ne!(linked, id, "the page lists itself");
            assert!(ids.insert(linked), "story {linked} listed twice");
            let cluster = cluster_of[&linked];
            assert_ne!(
                cluster,
                story["cluster"].as_i64().unwrap(),
                "a twin of the page"
            );
            assert!(clusters.insert(cluster), "two stories of cluster {cluster}");
        }
        for teaser in doc.select(&sel(".more-information li a")) {
            let t: String = teaser.text().collect();
            let t = t.trim();
            let lead = t.split_once(": ").map_or(t, |(_, rest)| rest);
            assert!(lead.chars().count() <= 121, "teaser too long: {t}");
        }
    }
}

#[tokio::test]
async fn host_header_picks_the_site_and_unknown_hosts_get_a_404() {
    let demo = Demo::start();
    let port = demo.addr.rsplit(':').next().unwrap();
    let (status, body) =
        get_with_host(&demo.url("/"), &format!("orlando-echo.localhost:{port}")).await;
    assert_eq!(status, 200);
    assert!(
        text(&Html::parse_document(&body), "header")
            .unwrap()
            .contains("Orlando Echo")
    );
    let (status, body) = get_with_host(&demo.url("/"), "harbourside-times.localhost").await;
    assert_eq!(status, 200);
    assert!(
        text(&Html::parse_document(&body), "header")
            .unwrap()
            .contains("Harbourside Times")
    );

    let (status, body) = get_with_host(&demo.url("/"), "unknown.example").await;
    assert_eq!(status, 404);
    for secret in ["Orlando Echo", "orlando-echo", "Harbourside", "Deccan"] {
        assert!(!body.contains(secret), "the 404 page reveals {secret}");
    }
    let (status, _) = get(&demo.url("/s/no-such-site/")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn typographic_quotes_survive_to_the_page() {
    let demo = Demo::start();
    let stories = demo.stories("orlando-echo");
    let story = stories
        .iter()
        .find(|s| {
            let h = s["headline"].as_str().unwrap();
            h.contains('’') || h.contains('“')
        })
        .expect("a demo headline with typographic quotes");
    let (_, body) = get(&demo.url(&page_path(story, "orlando-echo"))).await;
    let doc = Html::parse_document(&body);
    assert_eq!(
        text(&doc, "h1").unwrap(),
        story["headline"].as_str().unwrap()
    );
    assert!(!body.contains("&#8217;") || body.contains('’'));
}

#[tokio::test]
async fn section_pages_paginate() {
    let demo = Demo::start();
    let (status, body) = get(&demo.url("/s/orlando-echo/section/world")).await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&body);
    assert!(doc.select(&sel("main a[href*='/story/']")).count() >= 3);
    let (status, _) = get(&demo.url("/s/orlando-echo/section/world?page=999")).await;
    assert_eq!(status, 404);
    let (status, _) = get(&demo.url("/s/orlando-echo/section/no-such-section")).await;
    assert_eq!(status, 404);
}
