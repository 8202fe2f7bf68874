//! Feeds, sitemaps, structured data and HTTP caching through the real router and an in-memory
//! SQLite store. Every outgoing format is read back with a parser that is not ours: feed-rs
//! for RSS, Atom and JSON Feed, roxmltree for sitemaps and the logo, serde_json for JSON-LD,
//! scraper for the head's tags.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use masthead_model::{
    LeadImage, NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec, StoryId,
};
use masthead_store::Store;
use masthead_web::{AppHandle, WebSettings};
use scraper::{Html, Selector};
use serde_json::Value;
use tower::ServiceExt;

const ORLANDO_HOST: &str = "orlando-echo.localhost";
const HARBOUR_HOST: &str = "harbour-herald.localhost";
const BASE_URL: &str = "http://127.0.0.1:8080";
/// What a Host-selected Orlando page links to: its first host, the base URL's port.
const ORLANDO_BASE: &str = "http://orlando-echo.localhost:8080";
const PREFIX_BASE: &str = "http://127.0.0.1:8080/s/orlando-echo";

/// 2025-04-11T18:01:00Z, published at +03:00.
const MAIN_TIME: i64 = 1_744_394_460_000_000;
const HOUR: i64 = 3_600_000_000;

struct Fixture {
    router: Router,
    handle: AppHandle,
    store: Arc<dyn Store>,
    main: StoryId,
    main_slug: String,
    unsigned: StoryId,
    recent: Vec<StoryId>,
    stale: StoryId,
    orlando_total: usize,
}

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.into(),
        name: name.into(),
    }
}

/// Built through serde so that fields the model adds with a default need no change here.
fn story(source_id: i64, guid: &str, headline: &str, published: OffsetTime) -> NewStory {
    serde_json::from_value(serde_json::json!({
        "source_id": source_id,
        "guid": guid,
        "url": format!("https://example.test/{guid}"),
        "headline": headline,
        "standfirst": null,
        "byline": null,
        "dateline": null,
        "published": published,
        "updated": null,
        "content_html": format!("<p>{headline}.</p>"),
        "text": format!("{headline}."),
        "image": null,
        "categories": [],
        "content_hash": format!("hash-{guid}"),
    }))
    .unwrap()
}

async fn fixture() -> Fixture {
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let orlando = store
        .upsert_site(&SiteSpec {
            slug: "orlando-echo".into(),
            name: "Orlando Echo".into(),
            hosts: vec![ORLANDO_HOST.into(), "www.orlandoecho.test".into()],
            time_zone: "America/New_York".into(),
            tagline: "News for Central Florida".into(),
            sections: vec![
                section("world", "World"),
                section("business", "Business"),
                section("science", "Science"),
            ],
        })
        .await
        .unwrap();
    let harbour = store
        .upsert_site(&SiteSpec {
            slug: "harbour-herald".into(),
            name: "Harbour Herald".into(),
            hosts: vec![HARBOUR_HOST.into()],
            time_zone: "Australia/Sydney".into(),
            tagline: String::new(),
            sections: vec![section("world", "World")],
        })
        .await
        .unwrap();
    let rt = store
        .upsert_source(&SourceSpec {
            name: "RT.com".into(),
            url: "https://rt.example/feed".into(),
            section: Some("world".into()),
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap();
    let place = |story_id: StoryId, site_id: i64, section: &str| Placement {
        story_id,
        site_id,
        section: section.into(),
    };

    let mut main = story(
        rt.id,
        "witkoff",
        "Witkoff leaves St. Petersburg after four-hour talks with Putin",
        OffsetTime::new(MAIN_TIME, 3 * 3600).unwrap(),
    );
    main.standfirst = Some("The US president’s confidant spent four hours <inside>".into());
    main.byline = Some("By Jane Roe".into());
    main.updated = Some(OffsetTime::new(MAIN_TIME + HOUR, 3 * 3600).unwrap());
    main.content_html = "<p>The envoy left.</p><h2>What was said</h2><p>“Productive”.</p>".into();
    main.image = Some(LeadImage {
        url: "https://images.example/witkoff.jpg".into(),
        caption: None,
        credit: Some("Ann Lee".into()),
        alt: Some("A man walks across an airfield".into()),
    });
    let main_id = store.put_story(&main, None).await.unwrap().id();
    store
        .place(&place(main_id, orlando.id, "world"))
        .await
        .unwrap();
    store
        .place(&place(main_id, harbour.id, "world"))
        .await
        .unwrap();
    let unsigned = story(
        rt.id,
        "unsigned",
        "A story without a byline",
        OffsetTime::new(MAIN_TIME - 2 * HOUR, -4 * 3600).unwrap(),
    );
    let unsigned = store.put_story(&unsigned, None).await.unwrap().id();
    store
        .place(&place(unsigned, orlando.id, "world"))
        .await
        .unwrap();

    // 60 older business stories: more than one feed's worth.
    for i in 0..60 {
        let s = story(
            rt.id,
            &format!("biz-{i}"),
            &format!("Business story {i}"),
            OffsetTime::new(MAIN_TIME - (10 + i) * HOUR, 0).unwrap(),
        );
        let id = store.put_story(&s, None).await.unwrap().id();
        store
            .place(&place(id, orlando.id, "business"))
            .await
            .unwrap();
    }

    // Recent science stories: inside and outside the news sitemap's 48 hours.
    let now = OffsetTime::now_utc().unix_micros;
    let mut recent = Vec::new();
    for (guid, hours) in [("fresh", 1), ("day-old", 30)] {
        let s = story(
            rt.id,
            guid,
            &format!("Science news {guid}"),
            OffsetTime::new(now - hours * HOUR, 10 * 3600).unwrap(),
        );
        let id = store.put_story(&s, None).await.unwrap().id();
        store
            .place(&place(id, orlando.id, "science"))
            .await
            .unwrap();
        recent.push(id);
    }
    let s = story(
        rt.id,
        "stale",
        "Science news stale",
        OffsetTime::new(now - 49 * HOUR, 0).unwrap(),
    );
    let stale = store.put_story(&s, None).await.unwrap().id();
    store
        .place(&place(stale, orlando.id, "science"))
        .await
        .unwrap();

    let main_slug = store.story(main_id).await.unwrap().unwrap().slug;
    let (router, handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: Some(format!("{BASE_URL}/")),
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
        handle,
        store,
        main: main_id,
        main_slug,
        unsigned,
        recent,
        stale,
        // main, unsigned, 60 business, 3 science
        orlando_total: 65,
    }
}

async fn get_with(
    router: &Router,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get(path).header(header::HOST, host);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

async fn get(router: &Router, host: &str, path: &str) -> (StatusCode, HeaderMap, String) {
    get_with(router, host, path, &[]).await
}

fn parse_feed(body: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn attr(doc: &Html, selector: &str, name: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(name).map(str::to_owned))
        .collect()
}

fn meta(doc: &Html, key: &str) -> Option<String> {
    attr(
        doc,
        &format!("meta[property='{key}'], meta[name='{key}']"),
        "content",
    )
    .into_iter()
    .next()
}

fn story_url(base: &str, id: StoryId, slug: &str) -> String {
    format!("{base}/story/{id}/{slug}")
}

#[tokio::test]
async fn site_feeds_parse_in_all_three_formats() {
    let f = fixture().await;
    let main_url = story_url(ORLANDO_BASE, f.main, &f.main_slug);
    for (path, content_type) in [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
    ] {
        let (status, headers, body) = get(&f.router, ORLANDO_HOST, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], content_type);
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300");
        let feed = parse_feed(&body);
        assert_eq!(
            feed.title.as_ref().unwrap().content,
            "Orlando Echo",
            "{path}"
        );
        assert_eq!(feed.entries.len(), 50, "{path}: the newest 50");
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        // Newest first: the two recent science stories, then the main story.
        assert_eq!(titles[0], "Science news fresh", "{path}");
        let entry = feed
            .entries
            .iter()
            .find(|e| {
                e.title
                    .as_ref()
                    .unwrap()
                    .content
                    .starts_with("Witkoff leaves")
            })
            .unwrap();
        assert_eq!(entry.id, main_url, "{path}: the GUID is our page");
        assert!(
            entry.links.iter().any(|l| l.href == main_url),
            "{path}: {:?}",
            entry.links
        );
        assert_eq!(
            entry.published.unwrap().timestamp_micros(),
            MAIN_TIME,
            "{path}"
        );
        assert_eq!(entry.authors[0].name.as_deref(), Some("Jane Roe"), "{path}");
        assert_eq!(entry.categories[0].term, "World", "{path}");
        let content = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_default();
        assert!(
            content.contains("<h2>What was said</h2>"),
            "{path}: full text: {content}"
        );
        assert!(content.contains("(RT.com)"), "{path}: source credit");
        let summary = entry.summary.as_ref().unwrap().content.clone();
        assert!(
            summary.starts_with("The US president’s confidant"),
            "{path}: {summary}"
        );
        // The story without a byline is credited to its source.
        let unsigned = feed
            .entries
            .iter()
            .find(|e| e.id.contains(&format!("/story/{}/", f.unsigned)))
            .unwrap_or_else(|| panic!("{path}: unsigned story"));
        assert_eq!(
            unsigned.authors[0].name.as_deref(),
            Some("RT.com"),
            "{path}"
        );
    }

    // The source's offset is kept in the text of each format.
    let (_, _, rss) = get(&f.router, ORLANDO_HOST, "/feed.xml").await;
    assert!(
        rss.contains("<pubDate>Fri, 11 Apr 2025 21:01:00 +0300</pubDate>"),
        "{rss}"
    );
    assert!(rss.contains("<pubDate>Fri, 11 Apr 2025 12:01:00 -0400</pubDate>"));
    assert!(
        rss.contains(&format!("<guid>{main_url}</guid>")),
        "a permalink GUID (the default)"
    );
    assert!(rss.contains(
        "<enclosure url=\"https://images.example/witkoff.jpg\" length=\"0\" type=\"image/jpeg\"/>"
    ));
    assert!(rss.contains("<source url=\"https://rt.example/feed\">RT.com</source>"));
    assert!(rss.contains(&format!(
        "<atom:link href=\"{ORLANDO_BASE}/feed.xml\" rel=\"self\""
    )));
    let rss_feed = parse_feed(&rss);
    let entry = rss_feed.entries.iter().find(|e| e.id == main_url).unwrap();
    let media = &entry.media[0].content[0];
    assert_eq!(
        media.url.as_ref().unwrap().as_str(),
        "https://images.example/witkoff.jpg"
    );
    assert_eq!(
        media.content_type.as_ref().unwrap().to_string(),
        "image/jpeg"
    );

    let (_, _, atom) = get(&f.router, ORLANDO_HOST, "/atom.xml").await;
    assert!(
        atom.contains("<published>2025-04-11T21:01:00+03:00</published>"),
        "{atom}"
    );
    assert!(atom.contains("<updated>2025-04-11T22:01:00+03:00</updated>"));
    let atom_feed = parse_feed(&atom);
    let entry = atom_feed.entries.iter().find(|e| e.id == main_url).unwrap();
    assert_eq!(
        entry.updated.unwrap().timestamp_micros(),
        MAIN_TIME + HOUR,
        "updated"
    );
    let rels: Vec<(&str, &str)> = entry
        .links
        .iter()
        .map(|l| (l.rel.as_deref().unwrap_or(""), l.href.as_str()))
        .collect();
    assert!(
        rels.contains(&("enclosure", "https://images.example/witkoff.jpg")),
        "{rels:?}"
    );
    assert!(
        rels.contains(&("via", "https://example.test/witkoff")),
        "{rels:?}"
    );

    let (_, _, json) = get(&f.router, ORLANDO_HOST, "/feed.json").await;
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], format!("{ORLANDO_BASE}/feed.json"));
    assert_eq!(json["home_page_url"], format!("{ORLANDO_BASE}/"));
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == main_url.as_str())
        .unwrap();
    assert_eq!(item["date_published"], "2025-04-11T21:01:00+03:00");
    assert_eq!(item["date_modified"], "2025-04-11T22:01:00+03:00");
    assert_eq!(item["image"], "https://images.example/witkoff.jpg");
    assert_eq!(item["external_url"], "https://example.test/witkoff");
    assert_eq!(item["tags"][0], "World");
}

#[tokio::test]
async fn guids_are_stable_and_absolute_links_follow_the_base_rule() {
    let f = fixture().await;
    let ids = |body: &str| -> Vec<String> {
        parse_feed(body).entries.into_iter().map(|e| e.id).collect()
    };
    let (_, _, first) = get(&f.router, ORLANDO_HOST, "/atom.xml").await;
    f.handle.content_changed();
    let (_, _, second) = get(&f.router, ORLANDO_HOST, "/atom.xml").await;
    assert_eq!(ids(&first), ids(&second), "stable across renders");
    // Another host of the same site links the same: the Host header never leaks into links.
    let (_, _, other_host) = get(&f.router, "www.orlandoecho.test", "/atom.xml").await;
    assert_eq!(ids(&first), ids(&other_host));
    assert!(ids(&first).iter().all(|id| id.starts_with(ORLANDO_BASE)));

    // Through the prefix: the configured base URL plus the prefix.
    let (status, _, body) = get(&f.router, "anything.example", "/s/orlando-echo/feed.json").await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["feed_url"], format!("{PREFIX_BASE}/feed.json"));
    assert_eq!(
        json["items"][3]["url"],
        story_url(PREFIX_BASE, f.main, &f.main_slug)
    );
}

#[tokio::test]
async fn section_feeds_hold_only_their_section() {
    let f = fixture().await;
    for file in ["feed.xml", "atom.xml", "feed.json"] {
        let (status, _, body) =
            get(&f.router, ORLANDO_HOST, &format!("/section/science/{file}")).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        let feed = parse_feed(&body);
        assert_eq!(
            feed.title.unwrap().content,
            "Science — Orlando Echo",
            "{file}"
        );
        assert_eq!(feed.entries.len(), 3, "{file}");
        assert!(
            feed.entries
                .iter()
                .all(|e| e.categories[0].term == "Science")
        );
        let (status, _, _) = get(&f.router, ORLANDO_HOST, &format!("/section/nope/{file}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Another site's feed holds its own stories.
    let (_, _, body) = get(&f.router, HARBOUR_HOST, "/atom.xml").await;
    assert_eq!(parse_feed(&body).entries.len(), 1);
}

#[tokio::test]
async fn conditional_get_answers_304_for_feeds_sitemaps_and_pages() {
    let f = fixture().await;
    let article = format!("/story/{}/{}", f.main, f.main_slug);
    for path in [
        "/",
        "/section/world",
        article.as_str(),
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        "/section/business/feed.xml",
        "/sitemap.xml",
        "/sitemap-1.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/logo.svg",
    ] {
        let (status, headers, body) = get(&f.router, ORLANDO_HOST, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: {etag}"
        );
        let last_modified = headers[header::LAST_MODIFIED].to_str().unwrap().to_owned();
        assert!(last_modified.ends_with(" GMT"), "{path}: {last_modified}");
        let vary = headers[header::VARY].to_str().unwrap();
        assert!(
            vary.contains("Accept-Encoding") && vary.contains("Host"),
            "{path}"
        );
        let cache = headers[header::CACHE_CONTROL].to_str().unwrap();
        let page = path == "/" || path == "/section/world" || path == article;
        let expected = if page {
            "public, max-age=60"
        } else {
            "public, max-age=300"
        };
        assert_eq!(cache, expected, "{path}");
        assert!(!body.is_empty());

        // Revalidation, from the cache and after a fresh render.
        for fresh_render in [false, true] {
            if fresh_render {
                f.handle.content_changed();
            }
            let (status, h, body) =
                get_with(&f.router, ORLANDO_HOST, path, &[("if-none-match", &etag)]).await;
            assert_eq!(
                status,
                StatusCode::NOT_MODIFIED,
                "{path} (fresh render: {fresh_render})"
            );
            assert!(body.is_empty(), "{path}: a 304 has no body");
            assert_eq!(h[header::ETAG], etag.as_str());
            assert!(h.contains_key(header::CACHE_CONTROL));
        }
        let (status, _, _) = get_with(
            &f.router,
            ORLANDO_HOST,
            path,
            &[("if-modified-since", &last_modified)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} by date");
        let (status, _, body) = get_with(
            &f.router,
            ORLANDO_HOST,
            path,
            &[("if-none-match", "\"other\"")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.is_empty());
    }

    // A feed's Last-Modified is its newest story.
    let (_, headers, _) = get(&f.router, ORLANDO_HOST, "/section/world/feed.xml").await;
    assert_eq!(
        headers[header::LAST_MODIFIED],
        "Fri, 11 Apr 2025 19:01:00 GMT"
    );

    // New content changes the ETag: the old one gets the whole feed.
    let (_, headers, _) = get(&f.router, ORLANDO_HOST, "/section/world/feed.xml").await;
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let source = f.store.sources().await.unwrap()[0].id;
    let s = story(
        source,
        "late",
        "A late world story",
        OffsetTime::new(MAIN_TIME + 2 * HOUR, 0).unwrap(),
    );
    let id = f.store.put_story(&s, None).await.unwrap().id();
    let site = f.store.site_by_slug("orlando-echo").await.unwrap().unwrap();
    f.store
        .place(&Placement {
            story_id: id,
            site_id: site.id,
            section: "world".into(),
        })
        .await
        .unwrap();
    f.handle.content_changed();
    let (status, headers, _) = get_with(
        &f.router,
        ORLANDO_HOST,
        "/section/world/feed.xml",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::LAST_MODIFIED],
        "Fri, 11 Apr 2025 20:01:00 GMT"
    );

    // Errors are never 304s and never cached by validators.
    let (status, headers, _) = get_with(
        &f.router,
        ORLANDO_HOST,
        "/nowhere",
        &[("if-none-match", "*")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!headers.contains_key(header::ETAG));
}

fn xml(body: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn children<'a>(
    node: roxmltree::Node<'a, 'a>,
    ns: &str,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    node.children()
        .filter(|n| {
            n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
        })
        .collect()
}

fn text_of(node: roxmltree::Node<'_, '_>, ns: &str, name: &str) -> String {
    children(node, ns, name)
        .first()
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

fn has_offset(t: &str) -> bool {
    let tail = t.get(t.len().saturating_sub(6)..).unwrap_or_default();
    let b = tail.as_bytes();
    t.contains('T') && b.len() == 6 && (b[0] == b'+' || b[0] == b'-') && b[3] == b':'
}

#[tokio::test]
async fn sitemap_index_points_to_pages_listing_every_url() {
    let f = fixture().await;
    let (status, headers, body) = get(&f.router, ORLANDO_HOST, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/xml; charset=utf-8"
    );
    let doc = xml(&body);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "sitemapindex");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NS));
    let maps = children(root, SITEMAP_NS, "sitemap");
    assert_eq!(maps.len(), 1);
    assert_eq!(
        text_of(maps[0], SITEMAP_NS, "loc"),
        format!("{ORLANDO_BASE}/sitemap-1.xml")
    );
    assert!(has_offset(&text_of(maps[0], SITEMAP_NS, "lastmod")));

    let (status, _, body) = get(&f.router, ORLANDO_HOST, "/sitemap-1.xml").await;
    assert_eq!(status, StatusCode::OK);
    let doc = xml(&body);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    let urls = children(root, SITEMAP_NS, "url");
    // Home, three sections, every story the site lists.
    assert_eq!(urls.len(), 1 + 3 + f.orlando_total);
    assert!(urls.len() <= 50_000);
    let locs: Vec<String> = urls
        .iter()
        .map(|u| text_of(*u, SITEMAP_NS, "loc"))
        .collect();
    assert_eq!(locs[0], format!("{ORLANDO_BASE}/"));
    assert_eq!(locs[1], format!("{ORLANDO_BASE}/section/world"));
    assert!(locs.contains(&story_url(ORLANDO_BASE, f.main, &f.main_slug)));
    let mut unique = locs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), locs.len(), "each URL once");
    for url in &urls {
        let lastmod = text_of(*url, SITEMAP_NS, "lastmod");
        assert!(has_offset(&lastmod), "{lastmod}");
    }
    let main = urls
        .iter()
        .find(|u| text_of(**u, SITEMAP_NS, "loc").contains(&format!("/story/{}/", f.main)))
        .unwrap();
    assert_eq!(
        text_of(*main, SITEMAP_NS, "lastmod"),
        "2025-04-11T21:01:00+03:00"
    );

    for missing in [
        "/sitemap-2.xml",
        "/sitemap-0.xml",
        "/sitemap-01.xml",
        "/sitemap-x.xml",
        "/sitemap-1",
    ] {
        let (status, _, _) = get(&f.router, ORLANDO_HOST, missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    // Through the prefix.
    let (_, _, body) = get(&f.router, "127.0.0.1", "/s/orlando-echo/sitemap.xml").await;
    assert!(
        body.contains(&format!("<loc>{PREFIX_BASE}/sitemap-1.xml</loc>")),
        "{body}"
    );
}

#[tokio::test]
async fn news_sitemap_holds_the_last_48_hours() {
    let f = fixture().await;
    let (status, _, body) = get(&f.router, ORLANDO_HOST, "/news-sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    let doc = xml(&body);
    let urls = children(doc.root_element(), SITEMAP_NS, "url");
    let locs: Vec<String> = urls
        .iter()
        .map(|u| text_of(*u, SITEMAP_NS, "loc"))
        .collect();
    let ids: Vec<StoryId> = locs
        .iter()
        .map(|l| l.split('/').nth(4).unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, f.recent, "{body}");
    assert!(!ids.contains(&f.stale));
    assert!(!ids.contains(&f.main));
    for url in &urls {
        let news = children(*url, NEWS_NS, "news")[0];
        let publication = children(news, NEWS_NS, "publication")[0];
        assert_eq!(text_of(publication, NEWS_NS, "name"), "Orlando Echo");
        assert_eq!(text_of(publication, NEWS_NS, "language"), "en");
        let date = text_of(news, NEWS_NS, "publication_date");
        assert!(date.ends_with("+10:00"), "the source's offset: {date}");
        assert!(text_of(news, NEWS_NS, "title").starts_with("Science news "));
    }
    // Harbour Herald has nothing recent: a valid, empty urlset.
    let (_, _, body) = get(&f.router, HARBOUR_HOST, "/news-sitemap.xml").await;
    assert!(children(xml(&body).root_element(), SITEMAP_NS, "url").is_empty());
}

#[tokio::test]
async fn robots_txt_allows_all_and_names_both_sitemaps() {
    let f = fixture().await;
    let (status, headers, body) = get(&f.router, ORLANDO_HOST, "/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines,
        vec![
            "User-agent: *",
            "Allow: /",
            "",
            "Sitemap: http://orlando-echo.localhost:8080/sitemap.xml",
            "Sitemap: http://orlando-echo.localhost:8080/news-sitemap.xml",
        ]
    );
    let (_, _, body) = get(&f.router, "127.0.0.1", "/s/orlando-echo/robots.txt").await;
    assert!(body.contains(&format!("Sitemap: {PREFIX_BASE}/sitemap.xml\n")));
}

fn json_ld(doc: &Html) -> Value {
    let scripts: Vec<String> = doc
        .select(&sel("head script[type='application/ld+json']"))
        .map(|s| s.inner_html())
        .collect();
    assert_eq!(scripts.len(), 1);
    serde_json::from_str(&scripts[0]).unwrap()
}

#[tokio::test]
async fn article_has_news_article_json_ld_and_sharing_tags() {
    let f = fixture().await;
    let path = format!("/story/{}/{}", f.main, f.main_slug);
    let (status, _, body) = get(&f.router, ORLANDO_HOST, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.contains("<inside>"),
        "the standfirst cannot open a tag in the script"
    );
    let doc = Html::parse_document(&body);
    let url = story_url(ORLANDO_BASE, f.main, &f.main_slug);

    let ld = json_ld(&doc);
    // What Google's article documentation needs, with schema.org's types.
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(
        ld["headline"],
        "Witkoff leaves St. Petersburg after four-hour talks with Putin"
    );
    assert_eq!(ld["datePublished"], "2025-04-11T21:01:00+03:00");
    assert_eq!(ld["dateModified"], "2025-04-11T22:01:00+03:00");
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(ld["author"][0]["name"], "Jane Roe");
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "Orlando Echo");
    assert_eq!(ld["publisher"]["logo"]["@type"], "ImageObject");
    assert_eq!(
        ld["publisher"]["logo"]["url"],
        format!("{ORLANDO_BASE}/logo.svg")
    );
    assert_eq!(ld["image"][0], "https://images.example/witkoff.jpg");
    assert_eq!(ld["isBasedOn"], "https://example.test/witkoff");
    assert_eq!(ld["mainEntityOfPage"]["@type"], "WebPage");
    assert_eq!(ld["mainEntityOfPage"]["@id"], url);
    assert_eq!(
        ld["description"],
        "The US president’s confidant spent four hours <inside>"
    );
    assert_eq!(ld["articleSection"], "World");

    assert_eq!(
        attr(&doc, "head link[rel='canonical']", "href"),
        vec![url.clone()]
    );
    assert_eq!(meta(&doc, "og:type").unwrap(), "article");
    assert_eq!(
        meta(&doc, "og:title").unwrap(),
        "Witkoff leaves St. Petersburg after four-hour talks with Putin"
    );
    assert_eq!(meta(&doc, "og:url").unwrap(), url);
    assert_eq!(meta(&doc, "og:site_name").unwrap(), "Orlando Echo");
    assert_eq!(
        meta(&doc, "og:image").unwrap(),
        "https://images.example/witkoff.jpg"
    );
    assert!(
        meta(&doc, "og:description")
            .unwrap()
            .starts_with("The US president’s")
    );
    assert_eq!(
        meta(&doc, "article:published_time").unwrap(),
        "2025-04-11T21:01:00+03:00"
    );
    assert_eq!(meta(&doc, "twitter:card").unwrap(), "summary_large_image");

    // Without a byline the source is the author; without an image the card is a summary.
    let slug = f.store.story(f.unsigned).await.unwrap().unwrap().slug;
    let (_, _, body) = get(
        &f.router,
        ORLANDO_HOST,
        &format!("/story/{}/{slug}", f.unsigned),
    )
    .await;
    let doc = Html::parse_document(&body);
    let ld = json_ld(&doc);
    assert_eq!(ld["author"][0]["@type"], "Organization");
    assert_eq!(ld["author"][0]["name"], "RT.com");
    assert_eq!(ld["datePublished"], "2025-04-11T12:01:00-04:00");
    assert!(ld.get("image").is_none());
    assert_eq!(meta(&doc, "twitter:card").unwrap(), "summary");
    assert!(meta(&doc, "og:image").is_none());

    // Through the prefix, every absolute URL carries it.
    let (_, _, body) = get(&f.router, "127.0.0.1", &format!("/s/orlando-echo{path}")).await;
    let doc = Html::parse_document(&body);
    let prefixed = story_url(PREFIX_BASE, f.main, &f.main_slug);
    assert_eq!(json_ld(&doc)["mainEntityOfPage"]["@id"], prefixed);
    assert_eq!(attr(&doc, "link[rel='canonical']", "href"), vec![prefixed]);
}

#[tokio::test]
async fn every_page_links_its_feeds_and_listings_have_canonical_and_og() {
    let f = fixture().await;
    let (_, _, body) = get(&f.router, ORLANDO_HOST, "/").await;
    let doc = Html::parse_document(&body);
    assert_eq!(
        attr(&doc, "head link[rel='alternate']", "href"),
        vec!["/feed.xml", "/atom.xml", "/feed.json"]
    );
    assert_eq!(
        attr(&doc, "head link[rel='alternate']", "type"),
        vec![
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json"
        ]
    );
    assert_eq!(
        attr(&doc, "head link[rel='canonical']", "href"),
        vec![format!("{ORLANDO_BASE}/")]
    );
    assert_eq!(meta(&doc, "og:type").unwrap(), "website");
    assert_eq!(meta(&doc, "og:site_name").unwrap(), "Orlando Echo");
    assert_eq!(
        meta(&doc, "og:description").unwrap(),
        "News for Central Florida"
    );
    assert!(
        doc.select(&sel("script[type='application/ld+json']"))
            .next()
            .is_none()
    );

    let (_, _, body) = get(
        &f.router,
        "127.0.0.1",
        "/s/orlando-echo/section/business?page=2",
    )
    .await;
    let doc = Html::parse_document(&body);
    assert_eq!(
        attr(&doc, "head link[rel='alternate']", "href"),
        vec![
            "/s/orlando-echo/feed.xml",
            "/s/orlando-echo/atom.xml",
            "/s/orlando-echo/feed.json",
            "/s/orlando-echo/section/business/feed.xml",
            "/s/orlando-echo/section/business/atom.xml",
            "/s/orlando-echo/section/business/feed.json",
        ]
    );
    assert_eq!(
        attr(&doc, "head link[rel='canonical']", "href"),
        vec![format!("{PREFIX_BASE}/section/business?page=2")]
    );
    assert_eq!(meta(&doc, "og:title").unwrap(), "Business — Orlando Echo");

    // Every linked feed answers.
    for href in attr(&doc, "head link[rel='alternate']", "href") {
        let (status, _, _) = get(&f.router, "127.0.0.1", &href).await;
        assert_eq!(status, StatusCode::OK, "{href}");
    }
}

#[tokio::test]
async fn the_logo_is_an_svg_naming_the_site() {
    let f = fixture().await;
    let (status, headers, body) = get(&f.router, HARBOUR_HOST, "/logo.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    let doc = xml(&body);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let text: String = root
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(text, "Harbour Herald");
}
