//! The search page through the real router and a real (in-memory SQLite) store: the box on
//! every page, ranking and one result per cluster, highlighting with escaped text, filters,
//! pagination, the `/s/{site}` prefix, hostile queries and the 400 pages.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use masthead_model::{NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec, StoryId};
use masthead_store::Store;
use masthead_web::WebSettings;
use scraper::{ElementRef, Html, Selector};
use tower::ServiceExt;

const HOST: &str = "orlando-echo.localhost";
const OTHER_HOST: &str = "harbour-herald.localhost";
/// 2025-04-11T18:01:00Z: 14:01 in Orlando (EDT).
const MAIN_TIME: i64 = 1_744_394_460_000_000;
const DAY: i64 = 86_400_000_000;

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    source: i64,
    orlando: i64,
    headline_match: StoryId,
    twin: StoryId,
    body_match: StoryId,
}

fn story(source_id: i64, guid: &str, headline: &str, text: &str, at: i64) -> NewStory {
    NewStory {
        source_id,
        guid: guid.into(),
        url: Some(format!("https://example.test/{guid}")),
        headline: headline.into(),
        standfirst: None,
        byline: None,
        dateline: None,
        published: OffsetTime::new(at, 3 * 3600).unwrap(),
        updated: None,
        content_html: format!("<p>{text}</p>"),
        text: text.into(),
        image: None,
        categories: vec![],
        content_hash: format!("hash-{guid}"),
        canonical_url: None,
    }
}

async fn put(
    store: &dyn Store,
    s: &NewStory,
    cluster: Option<i64>,
    site: i64,
    section: &str,
) -> i64 {
    let id = store.put_story(s, cluster).await.unwrap().id();
    store
        .place(&Placement {
            story_id: id,
            site_id: site,
            section: section.into(),
        })
        .await
        .unwrap();
    id
}

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.into(),
        name: name.into(),
    }
}

async fn fixture() -> Fixture {
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let orlando = store
        .upsert_site(&SiteSpec {
            slug: "orlando-echo".into(),
            name: "Orlando Echo".into(),
            hosts: vec![HOST.into()],
            time_zone: "America/New_York".into(),
            tagline: "News for Central Florida".into(),
            sections: vec![section("world", "World"), section("business", "Business")],
        })
        .await
        .unwrap()
        .id;
    let harbour = store
        .upsert_site(&SiteSpec {
            slug: "harbour-herald".into(),
            name: "Harbour Herald".into(),
            hosts: vec![OTHER_HOST.into()],
            time_zone: "Australia/Sydney".into(),
            tagline: String::new(),
            sections: vec![section("world", "World")],
        })
        .await
        .unwrap()
        .id;
    let source = store
        .upsert_source(&SourceSpec {
            name: "RT.com".into(),
            url: "https://rt.example/feed".into(),
            section: None,
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap()
        .id;

    let headline_match = put(
        &*store,
        &story(
            source,
            "witkoff",
            "Witkoff leaves St. Petersburg after talks with Putin",
            "ST. PETERSBURG, Russia: The US president’s envoy left after four hours of talks \
             with Putin, calling them “productive”.",
            MAIN_TIME,
        ),
        None,
        orlando,
        "world",
    )
    .await;
    let cluster = store.story(headline_match).await.unwrap().unwrap().cluster;
    // The same news, newer, in the same cluster: only one of the two is shown.
    let twin = put(
        &*store,
        &story(
            source,
            "witkoff-2",
            "Witkoff ends talks in St. Petersburg",
            "The envoy ended talks with Putin.",
            MAIN_TIME + 60_000_000,
        ),
        Some(cluster),
        orlando,
        "world",
    )
    .await;
    let body_match = put(
        &*store,
        &story(
            source,
            "markets",
            "Markets calm after a week of swings",
            "Traders shrugged off news of Putin’s talks & <b>fish</b> prices.",
            MAIN_TIME - DAY,
        ),
        None,
        orlando,
        "business",
    )
    .await;
    // On the other site only.
    put(
        &*store,
        &story(
            source,
            "harbour",
            "Putin meets Sydney delegation",
            "A delegation met Putin.",
            MAIN_TIME,
        ),
        None,
        harbour,
        "world",
    )
    .await;
    // 25 harvest stories, one a day: two pages of results.
    for i in 0..25 {
        put(
            &*store,
            &story(
                source,
                &format!("harvest-{i}"),
                &format!("Harvest report number {i}"),
                "Farmers brought the crop in.",
                MAIN_TIME - (i + 2) * DAY,
            ),
            None,
            orlando,
            "business",
        )
        .await;
    }

    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: None,
            static_files: vec![],
            websub: None,
            intake: None,
            mail: None,
            secret: b"test secret, not for production use".to_vec(),
            newsroom: None,
            uploads_dir: None,
            outbox_dir: None,
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    Fixture {
        router,
        store,
        source,
        orlando,
        headline_match,
        twin,
        body_match,
    }
}

async fn page(router: &Router, host: &str, path: &str) -> (StatusCode, Html, String) {
    let response = router
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    (status, Html::parse_document(&body), body)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().trim().to_owned()
}

fn all(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s)).map(text).collect()
}

fn attrs(doc: &Html, s: &str, attr: &str) -> Vec<String> {
    doc.select(&sel(s))
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

fn story_ids(doc: &Html) -> Vec<StoryId> {
    attrs(doc, ".search-results li h2 a", "href")
        .iter()
        .map(|href| {
            let after = href.split("/story/").nth(1).unwrap();
            after.split('/').next().unwrap().parse().unwrap()
        })
        .collect()
}

#[tokio::test]
async fn every_page_has_a_labelled_search_box() {
    let f = fixture().await;
    for (path, action) in [
        ("/", "/search"),
        ("/section/world", "/search"),
        ("/s/orlando-echo/", "/s/orlando-echo/search"),
        ("/search?q=putin", "/search"),
    ] {
        let (status, doc, _) = page(&f.router, HOST, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let form = doc.select(&sel("header form[role=search]")).next().unwrap();
        assert_eq!(form.value().attr("action"), Some(action), "{path}");
        assert_eq!(form.value().attr("method"), Some("get"));
        let input = form.select(&sel("input[name=q]")).next().unwrap();
        let id = input.value().attr("id").unwrap();
        let label = form
            .select(&sel(&format!("label[for={id}]")))
            .next()
            .unwrap();
        assert_eq!(text(label), "Search Orlando Echo");
    }
}

#[tokio::test]
async fn results_are_ranked_one_per_cluster_and_highlighted() {
    let f = fixture().await;
    let (status, doc, _) = page(&f.router, HOST, "/search?q=putin").await;
    assert_eq!(status, StatusCode::OK);
    let ids = story_ids(&doc);
    // Headline match first, its newer cluster twin left out, the other site's story absent.
    assert_eq!(ids, [f.headline_match, f.body_match]);
    assert!(!ids.contains(&f.twin));
    assert_eq!(all(&doc, "#search-summary"), ["2 results for “putin”"]);
    let first = doc.select(&sel(".search-results li")).next().unwrap();
    assert_eq!(
        text(first.select(&sel("h2 a")).next().unwrap()),
        "Witkoff leaves St. Petersburg after talks with Putin"
    );
    let marks: Vec<String> = first.select(&sel(".snippet mark")).map(text).collect();
    assert_eq!(marks, ["Putin"]);
    let meta = text(first.select(&sel(".meta")).next().unwrap());
    assert_eq!(meta, "World · RT.com · 11 Apr 2025, 14:01 GMT-4");
    let time = first.select(&sel(".meta time")).next().unwrap();
    assert_eq!(
        time.value().attr("datetime"),
        Some("2025-04-11T21:01:00+03:00")
    );
    // Typographic apostrophes are found with a plain one.
    let (_, doc, _) = page(&f.router, HOST, "/search?q=president%27s+envoy").await;
    assert_eq!(story_ids(&doc), [f.headline_match]);
    // The page is kept out of search engines.
    assert_eq!(
        attrs(&doc, "meta[name=robots]", "content"),
        ["noindex, follow"]
    );
}

#[tokio::test]
async fn snippets_are_escaped_around_the_marks() {
    let f = fixture().await;
    let (status, doc, body) = page(&f.router, HOST, "/search?q=fish").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(story_ids(&doc), [f.body_match]);
    let snippet = doc.select(&sel(".snippet")).next().unwrap();
    assert!(
        snippet.select(&sel("b")).next().is_none(),
        "markup in text is text"
    );
    assert_eq!(
        snippet.select(&sel("mark")).map(text).collect::<Vec<_>>(),
        ["fish"]
    );
    assert!(text(snippet).contains("Putin’s talks & <b>fish</b> prices"));
    assert!(
        body.contains("&lt;b&gt;<mark>fish</mark>&lt;/b&gt;")
            || body.contains("&#60;b&#62;<mark>fish</mark>&#60;/b&#62;"),
        "{body}"
    );
}

#[tokio::test]
async fn filters_narrow_by_section_and_date() {
    let f = fixture().await;
    let (_, doc, _) = page(&f.router, HOST, "/search?q=putin&section=business").await;
    assert_eq!(story_ids(&doc), [f.body_match]);
    let selected = attrs(&doc, "#search-section option[selected]", "value");
    assert_eq!(selected, ["business"]);

    // Dates are days in the site's zone; `to` includes its day.
    let (_, doc, _) = page(
        &f.router,
        HOST,
        "/search?q=putin&from=2025-04-11&to=2025-04-11",
    )
    .await;
    assert_eq!(story_ids(&doc), [f.headline_match]);
    assert_eq!(attrs(&doc, "#search-from", "value"), ["2025-04-11"]);
    let (_, doc, _) = page(&f.router, HOST, "/search?q=putin&to=2025-04-10").await;
    assert_eq!(story_ids(&doc), [f.body_match]);
    let (_, doc, _) = page(&f.router, HOST, "/search?q=putin&from=2025-04-12").await;
    assert!(story_ids(&doc).is_empty());
    assert!(
        text(doc.select(&sel(".search-empty")).next().unwrap())
            .contains("No stories match “putin” with these filters")
    );
    // Empty filters are no filters.
    let (_, doc, _) = page(&f.router, HOST, "/search?q=putin&section=&from=&to=").await;
    assert_eq!(story_ids(&doc).len(), 2);
}

#[tokio::test]
async fn bad_filters_get_a_400_saying_what_to_fix() {
    let f = fixture().await;
    for (path, hint) in [
        ("/search?q=putin&from=yesterday", "YYYY-MM-DD"),
        ("/search?q=putin&to=2025-13-01", "YYYY-MM-DD"),
        ("/search?q=putin&from=2025-4-1", "YYYY-MM-DD"),
        ("/search?q=putin&from=2025-04-12&to=2025-04-01", "swap them"),
        ("/search?q=putin&page=0", "whole number"),
        ("/search?q=putin&page=two", "whole number"),
        ("/search?q=putin&section=weather", "no section “weather”"),
    ] {
        let (status, doc, _) = page(&f.router, HOST, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        let message = text(doc.select(&sel("main")).next().unwrap());
        assert!(message.contains(hint), "{path}: {message}");
        // Still inside the site's own chrome, search box included.
        assert!(
            doc.select(&sel("header form[role=search]"))
                .next()
                .is_some()
        );
    }
}

#[tokio::test]
async fn results_paginate_and_links_keep_query_and_prefix() {
    let f = fixture().await;
    let (_, doc, _) = page(&f.router, HOST, "/search?q=harvest").await;
    assert_eq!(story_ids(&doc).len(), 20);
    assert_eq!(
        all(&doc, "#search-summary"),
        ["25 results for “harvest” · page 1 of 2"]
    );
    assert_eq!(
        attrs(&doc, "a[rel=next]", "href"),
        ["/search?q=harvest&page=2"]
    );
    assert_eq!(
        attrs(&doc, "link[rel=next]", "href"),
        ["/search?q=harvest&page=2"]
    );
    assert!(attrs(&doc, "a[rel=prev]", "href").is_empty());
    let first_page = story_ids(&doc);

    let (_, doc, _) = page(&f.router, HOST, "/search?q=harvest&page=2").await;
    let second_page = story_ids(&doc);
    assert_eq!(second_page.len(), 5);
    assert!(second_page.iter().all(|id| !first_page.contains(id)));
    assert_eq!(attrs(&doc, "a[rel=prev]", "href"), ["/search?q=harvest"]);
    assert!(attrs(&doc, "a[rel=next]", "href").is_empty());

    // Past the last page: a friendly pointer back, not an error.
    let (status, doc, _) = page(&f.router, HOST, "/search?q=harvest&page=9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attrs(&doc, ".search-empty a", "href"),
        ["/search?q=harvest"]
    );

    // Under the prefix every link keeps it, filters included.
    let (status, doc, _) = page(
        &f.router,
        "unknown.example",
        "/s/orlando-echo/search?q=harvest&section=business&from=2025-01-01",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attrs(&doc, "a[rel=next]", "href"),
        ["/s/orlando-echo/search?q=harvest&section=business&from=2025-01-01&page=2"]
    );
    for href in attrs(&doc, ".search-results a", "href") {
        assert!(href.starts_with("/s/orlando-echo/"), "{href}");
    }
    assert_eq!(
        attrs(&doc, "main form", "action"),
        ["/s/orlando-echo/search"]
    );
}

#[tokio::test]
async fn hostile_and_empty_queries_are_answered() {
    let f = fixture().await;
    let long = "putin%20".repeat(1_300);
    for q in [
        "%22",
        "*",
        "NEAR(",
        "AND%20OR",
        "%27%3B%20DROP%20TABLE%20stories%3B--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%F0%9F%A6%80",
        "%FF%FE",
        "a%00b",
        long.as_str(),
    ] {
        let (status, doc, body) = page(&f.router, HOST, &format!("/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert!(!body.contains("<script>"), "{q}");
        assert!(doc.select(&sel("main form")).next().is_some());
    }
    let (_, doc, _) = page(&f.router, HOST, &format!("/search?q={long}")).await;
    assert_eq!(story_ids(&doc).len(), 2);

    let (status, doc, _) = page(&f.router, HOST, "/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(doc.select(&sel(".search-prompt")).next().unwrap()).contains("Type a word"));
    let (_, doc, _) = page(&f.router, HOST, "/search?q=%22%22+*").await;
    assert!(doc.select(&sel(".search-prompt")).next().is_some());
    let (_, doc, _) = page(&f.router, HOST, "/search?q=zzzqqq").await;
    assert!(
        text(doc.select(&sel(".search-empty")).next().unwrap())
            .contains("No stories match “zzzqqq”")
    );
}

#[tokio::test]
async fn search_pages_are_not_served_from_the_page_cache() {
    let f = fixture().await;
    let (_, doc, _) = page(&f.router, HOST, "/search?q=zeppelin").await;
    assert!(story_ids(&doc).is_empty());
    // A new story, and no "content changed" signal: a cached page would still say nothing.
    let id = put(
        &*f.store,
        &story(
            f.source,
            "zep",
            "Zeppelin over Orlando",
            "It floated.",
            MAIN_TIME,
        ),
        None,
        f.orlando,
        "world",
    )
    .await;
    let (_, doc, _) = page(&f.router, HOST, "/search?q=zeppelin").await;
    assert_eq!(story_ids(&doc), [id]);
}
