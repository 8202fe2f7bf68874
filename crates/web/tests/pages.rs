//! The public pages through the real router and a real (in-memory SQLite) store: Host routing,
//! the `/s/{site}` fallback, the article page's elements, pagination, redirects and headers.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use masthead_model::{
    LeadImage, NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec, StoryId,
};
use masthead_store::Store;
use masthead_web::{AppHandle, StaticFile, WebSettings};
use scraper::{ElementRef, Html, Selector};
use tower::ServiceExt;

const ORLANDO_HOST: &str = "orlando-echo.localhost";
const HARBOUR_HOST: &str = "harbour-herald.localhost";

/// 2025-04-11T18:01:00Z: 14:01 in Orlando (EDT), 04:01 next day in Sydney (AEST).
const MAIN_TIME: i64 = 1_744_394_460_000_000;

struct Fixture {
    router: Router,
    handle: AppHandle,
    store: Arc<dyn Store>,
    main: StoryId,
    main_slug: String,
    twin: StoryId,
    related: Vec<StoryId>,
    harbour_only: StoryId,
}

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.into(),
        name: name.into(),
    }
}

fn story(source_id: i64, guid: &str, headline: &str, text: &str, minutes_before: i64) -> NewStory {
    NewStory {
        source_id,
        guid: guid.into(),
        url: Some(format!("https://example.test/{guid}")),
        headline: headline.into(),
        standfirst: None,
        byline: None,
        dateline: None,
        published: OffsetTime::new(MAIN_TIME - minutes_before * 60_000_000, 3 * 3600).unwrap(),
        updated: None,
        content_html: text
            .split("\n\n")
            .map(|p| format!("<p>{p}</p>"))
            .collect::<Vec<_>>()
            .join("\n"),
        text: text.into(),
        image: None,
        categories: vec![],
        content_hash: format!("hash-{guid}"),
        canonical_url: None,
    }
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
                section("sports", "Sports"),
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
            tagline: "Sydney’s morning paper".into(),
            sections: vec![section("world", "World"), section("sports", "Sports")],
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
    let wire = store
        .upsert_source(&SourceSpec {
            name: "Harbor Wire".into(),
            url: "https://wire.example/feed".into(),
            section: Some("world".into()),
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap();

    let place = |story: StoryId, site: i64, section: &str| Placement {
        story_id: story,
        site_id: site,
        section: section.into(),
    };

    let mut main = story(
        rt.id,
        "witkoff",
        "Witkoff leaves St. Petersburg after four-hour talks with Putin",
        "ST. PETERSBURG, Russia: The US president’s envoy left after talks.\n\n\
         He said the meeting was “productive”.",
        0,
    );
    main.standfirst =
        Some("The US president’s confidant spent over four hours behind closed doors".into());
    main.byline = Some("Jane Roe".into());
    main.content_html = "<p>ST. PETERSBURG, Russia: The US president’s envoy left after \
                         talks.</p><h2>What was said</h2><p>He said the meeting was \
                         “productive”.</p><h3>What comes next</h3><p>More talks.</p>"
        .into();
    main.image = Some(LeadImage {
        url: "https://images.example/witkoff.jpg".into(),
        caption: Some("Steve Witkoff arrives in St. Petersburg.".into()),
        credit: Some("Ann Lee".into()),
        alt: Some("A man in a suit walks across an airfield".into()),
    });
    let main_id = store.put_story(&main, None).await.unwrap().id();
    let main_cluster = store.story(main_id).await.unwrap().unwrap().cluster;
    store
        .place(&place(main_id, orlando.id, "world"))
        .await
        .unwrap();
    store
        .place(&place(main_id, harbour.id, "world"))
        .await
        .unwrap();

    // The same news from another source: a cluster twin, newer than the page's story.
    let twin = story(
        wire.id,
        "witkoff-wire",
        "Witkoff ends Putin talks in St. Petersburg",
        "ST. PETERSBURG, Russia: The envoy ended four hours of talks.",
        -5,
    );
    let twin_id = store
        .put_story(&twin, Some(main_cluster))
        .await
        .unwrap()
        .id();
    store
        .place(&place(twin_id, orlando.id, "world"))
        .await
        .unwrap();

    let leads = [
        (
            "parade",
            "Army parade planned for Washington",
            "WASHINGTON, D.C.: The Trump administration is in early talks about holding a large \
             military parade in Washington to mark the Army’s 250th birthday, officials said.",
        ),
        (
            "minerals",
            "Minerals talks between Kyiv and Washington continue",
            "KYIV, Ukraine: Talks between Ukraine and the United States over a critical minerals \
             deal have resumed in Washington, with both sides hopeful of an agreement soon.",
        ),
        (
            "floods",
            "Rivers overflow across Kentucky",
            "Heavy rain over several days caused rivers to overflow across the state.",
        ),
    ];
    let mut related = Vec::new();
    for (i, (guid, headline, text)) in leads.iter().enumerate() {
        let mut s = story(wire.id, guid, headline, text, 10 + i as i64);
        if *guid == "floods" {
            s.dateline = Some("FRANKFORT, Kentucky".into());
        }
        let id = store.put_story(&s, None).await.unwrap().id();
        store.place(&place(id, orlando.id, "world")).await.unwrap();
        related.push(id);
    }

    let harbour_only = store
        .put_story(
            &story(
                wire.id,
                "bondi",
                "Bondi lifeguards rescue swimmers",
                "SYDNEY: Lifeguards pulled twelve swimmers from a rip.",
                20,
            ),
            None,
        )
        .await
        .unwrap()
        .id();
    store
        .place(&place(harbour_only, harbour.id, "world"))
        .await
        .unwrap();

    // 25 business stories: two section pages.
    for i in 0..25 {
        let s = story(
            rt.id,
            &format!("biz-{i}"),
            &format!("Business story number {i}"),
            &format!("Markets moved on day {i}."),
            100 + i,
        );
        let id = store.put_story(&s, None).await.unwrap().id();
        store
            .place(&place(id, orlando.id, "business"))
            .await
            .unwrap();
    }

    let main_slug = store.story(main_id).await.unwrap().unwrap().slug;
    let (router, handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: None,
            static_files: vec![StaticFile {
                path: "/demo/feeds/harbor-wire.xml".into(),
                content_type: "application/rss+xml",
                bytes: b"<rss/>",
            }],
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
        twin: twin_id,
        related,
        harbour_only,
    }
}

async fn get(router: &Router, host: &str, path: &str) -> Response {
    router
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

async fn page(router: &Router, host: &str, path: &str) -> (StatusCode, Html) {
    let response = get(router, host, path).await;
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        Html::parse_document(std::str::from_utf8(&body).unwrap()),
    )
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().trim().to_owned()
}

fn one(doc: &Html, s: &str) -> String {
    let found: Vec<_> = doc.select(&sel(s)).collect();
    assert_eq!(found.len(), 1, "exactly one {s}");
    text(found[0])
}

fn hrefs(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn host_picks_the_site_and_ports_and_case_do_not_matter() {
    let f = fixture().await;
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "header .site-name"), "Orlando Echo");
    assert_eq!(one(&doc, "header .tagline"), "News for Central Florida");

    let (status, doc) = page(&f.router, "Harbour-Herald.localhost:8080", "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "header .site-name"), "Harbour Herald");
    assert_eq!(one(&doc, "header .tagline"), "Sydney’s morning paper");

    let (_, doc) = page(&f.router, "www.orlandoecho.test", "/").await;
    assert_eq!(one(&doc, "header .site-name"), "Orlando Echo");
    let footer = one(&doc, "footer");
    assert!(footer.contains("Part of Masthead Demo Network"), "{footer}");
}

#[tokio::test]
async fn unknown_host_gets_no_site_here_without_listing_sites() {
    let f = fixture().await;
    for (host, path) in [
        ("unknown.example", "/"),
        ("unknown.example", "/story/1/x"),
        (ORLANDO_HOST, "/s/nope/"),
    ] {
        let response = get(&f.router, host, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = std::str::from_utf8(&body).unwrap();
        let doc = Html::parse_document(body);
        assert_eq!(one(&doc, "h1"), "No site here");
        for secret in [
            "Orlando",
            "Harbour",
            "orlando-echo",
            "harbour-herald",
            "localhost",
        ] {
            assert!(!body.contains(secret), "{secret} leaked on {host}{path}");
        }
    }
}

#[tokio::test]
async fn the_s_prefix_reaches_any_site_and_its_links_keep_the_prefix() {
    let f = fixture().await;
    let (status, doc) = page(&f.router, "127.0.0.1:8080", "/s/orlando-echo/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "header .site-name"), "Orlando Echo");
    let links = hrefs(&doc, "a[href^='/']");
    assert!(!links.is_empty());
    for link in &links {
        assert!(
            link.starts_with("/s/orlando-echo/"),
            "{link} lost the prefix"
        );
    }
    assert!(links.contains(&"/s/orlando-echo/section/world".to_owned()));

    // Without the trailing slash it is the home page too; from another site's host as well.
    let (status, doc) = page(&f.router, HARBOUR_HOST, "/s/orlando-echo").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "header .site-name"), "Orlando Echo");

    // An article under the prefix links back under the prefix.
    let path = format!("/s/orlando-echo/story/{}/{}", f.main, f.main_slug);
    let (status, doc) = page(&f.router, "127.0.0.1", &path).await;
    assert_eq!(status, StatusCode::OK);
    for link in hrefs(&doc, "a[href^='/']") {
        assert!(
            link.starts_with("/s/orlando-echo/"),
            "{link} lost the prefix"
        );
    }
    assert_eq!(
        hrefs(&doc, ".promo-email a"),
        vec!["/s/orlando-echo/subscribe"]
    );
}

#[tokio::test]
async fn article_page_has_every_element_in_the_sites_zone() {
    let f = fixture().await;
    let path = format!("/story/{}/{}", f.main, f.main_slug);
    let (status, doc) = page(&f.router, ORLANDO_HOST, &path).await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(
        one(&doc, "html[lang='en'] head title"),
        "Witkoff leaves St. Petersburg after four-hour talks with Putin — Orlando Echo"
    );
    assert_eq!(doc.select(&sel("meta[name='viewport']")).count(), 1);
    assert_eq!(doc.select(&sel("h1")).count(), 1, "one h1");
    assert_eq!(
        one(&doc, "main article h1"),
        "Witkoff leaves St. Petersburg after four-hour talks with Putin"
    );
    assert_eq!(one(&doc, "article p.meta .source"), "RT.com");
    let time = doc.select(&sel("article p.meta time")).next().unwrap();
    assert_eq!(text(time), "11 Apr 2025, 14:01 GMT-4");
    assert_eq!(
        time.value().attr("datetime"),
        Some("2025-04-11T21:01:00+03:00")
    );
    assert_eq!(one(&doc, "article .byline"), "By Jane Roe");
    assert_eq!(
        one(&doc, "article p.standfirst"),
        "The US president’s confidant spent over four hours behind closed doors"
    );
    let img = doc.select(&sel("figure.lead-image img")).next().unwrap();
    assert_eq!(
        img.value().attr("src"),
        Some("https://images.example/witkoff.jpg")
    );
    assert_eq!(
        img.value().attr("alt"),
        Some("A man in a suit walks across an airfield")
    );
    assert!(one(&doc, "figure.lead-image figcaption").starts_with("Steve Witkoff arrives"));
    assert_eq!(
        one(&doc, "figure.lead-image figcaption .credit"),
        "(Photo credit: Ann Lee)"
    );
    assert_eq!(one(&doc, ".story-body h2"), "What was said");
    assert_eq!(one(&doc, ".story-body h3"), "What comes next");
    assert!(
        doc.select(&sel(".story-body p"))
            .any(|p| text(p) == "He said the meeting was “productive”.")
    );
    assert_eq!(one(&doc, "p.source-credit"), "(RT.com)");

    let email = one(&doc, ".promo-email p");
    assert_eq!(
        email,
        "Get a daily dose of Orlando Echo news through our daily email"
    );
    assert_eq!(one(&doc, ".promo-email a"), "Subscribe");
    assert_eq!(hrefs(&doc, ".promo-email a"), vec!["/subscribe"]);
    assert!(one(&doc, ".promo-release p").ends_with("submitting a news release to Orlando Echo."));
    assert_eq!(one(&doc, ".promo-release a"), "Submit");
    assert_eq!(hrefs(&doc, ".promo-release a"), vec!["/submit"]);

    // Nav marks the article's section; the semantic frame is there.
    assert_eq!(one(&doc, "nav a[aria-current]"), "World");
    for landmark in ["header", "nav", "main", "article", "footer"] {
        assert!(doc.select(&sel(landmark)).next().is_some(), "{landmark}");
    }

    // Element order as the design sketch has it.
    let body = doc.root_element().html();
    let order = [
        "<h1>",
        "class=\"meta\"",
        "class=\"standfirst\"",
        "class=\"lead-image\"",
        "class=\"story-body\"",
        "class=\"source-credit\"",
        "promo-email",
        "promo-release",
        "More Information",
    ];
    let positions: Vec<usize> = order.iter().map(|m| body.find(m).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");

    // The same story on the Sydney site shows Sydney's time.
    let (_, doc) = page(&f.router, HARBOUR_HOST, &path).await;
    assert_eq!(
        one(&doc, "article p.meta time"),
        "12 Apr 2025, 04:01 GMT+10"
    );
    assert_eq!(
        one(&doc, ".promo-email p"),
        "Get a daily dose of Harbour Herald news through our daily email"
    );
}

#[tokio::test]
async fn more_information_lists_teasers_without_self_or_cluster_twins() {
    let f = fixture().await;
    let path = format!("/story/{}/{}", f.main, f.main_slug);
    let (_, doc) = page(&f.router, ORLANDO_HOST, &path).await;

    let heading = doc
        .select(&sel("section.more-information h2"))
        .next()
        .unwrap();
    assert_eq!(text(heading), "More Information");
    let list = heading
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .unwrap();
    assert_eq!(
        list.value().name(),
        "ul",
        "the heading is followed by the list"
    );

    let links: Vec<(String, String)> = list
        .select(&sel("li a"))
        .map(|a| (a.value().attr("href").unwrap().to_owned(), text(a)))
        .collect();
    let ids: Vec<StoryId> = links
        .iter()
        .map(|(href, _)| href.split('/').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(ids.starts_with(&f.related), "newest first: {ids:?}");
    assert_eq!(ids.len(), 6, "at most six");
    assert!(!ids.contains(&f.main), "never the page itself");
    assert!(!ids.contains(&f.twin), "never a cluster twin");

    let teasers: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        teasers[0].starts_with("WASHINGTON, D.C.: The Trump administration"),
        "{}",
        teasers[0]
    );
    assert!(teasers[0].ends_with('…'));
    assert!(teasers[1].starts_with("KYIV, Ukraine: Talks between"));
    assert_eq!(
        teasers[2],
        "FRANKFORT, Kentucky: Heavy rain over several days caused rivers to overflow across the state."
    );
}

#[tokio::test]
async fn wrong_slug_redirects_permanently_and_keeps_the_prefix() {
    let f = fixture().await;
    let response = get(
        &f.router,
        ORLANDO_HOST,
        &format!("/story/{}/old-slug", f.main),
    )
    .await;
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        response.headers()[header::LOCATION],
        format!("/story/{}/{}", f.main, f.main_slug).as_str()
    );
    let response = get(
        &f.router,
        "127.0.0.1",
        &format!("/s/orlando-echo/story/{}/old-slug", f.main),
    )
    .await;
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        response.headers()[header::LOCATION],
        format!("/s/orlando-echo/story/{}/{}", f.main, f.main_slug).as_str()
    );
}

#[tokio::test]
async fn a_story_not_placed_on_this_site_is_not_found() {
    let f = fixture().await;
    let slug = f.store.story(f.harbour_only).await.unwrap().unwrap().slug;
    let path = format!("/story/{}/{slug}", f.harbour_only);
    assert_eq!(
        get(&f.router, HARBOUR_HOST, &path).await.status(),
        StatusCode::OK
    );
    let (status, doc) = page(&f.router, ORLANDO_HOST, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        one(&doc, "header .site-name"),
        "Orlando Echo",
        "in the site's frame"
    );
    assert_eq!(
        get(&f.router, ORLANDO_HOST, "/story/99999/nothing")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&f.router, ORLANDO_HOST, "/story/abc/nothing")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn section_pages_paginate() {
    let f = fixture().await;
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/section/business").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "main h1"), "Business");
    assert_eq!(doc.select(&sel(".section-list > li")).count(), 20);
    assert_eq!(one(&doc, "nav a[aria-current='page']"), "Business");
    assert_eq!(
        hrefs(&doc, "link[rel='next']"),
        vec!["/section/business?page=2"]
    );
    assert_eq!(one(&doc, ".pager a[rel='next']"), "Older →");
    assert!(doc.select(&sel("link[rel='prev']")).next().is_none());

    let (status, doc) = page(&f.router, ORLANDO_HOST, "/section/business?page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc.select(&sel(".section-list > li")).count(), 5);
    assert_eq!(hrefs(&doc, "link[rel='prev']"), vec!["/section/business"]);
    assert_eq!(one(&doc, ".pager a[rel='prev']"), "← Newer");
    assert!(doc.select(&sel("link[rel='next']")).next().is_none());

    let (status, _) = page(&f.router, ORLANDO_HOST, "/section/business?page=3").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&f.router, ORLANDO_HOST, "/section/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/section/business?page=two").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = text(doc.select(&sel(".notice p")).next().unwrap());
    assert!(message.contains("?page=2"), "{message}");

    // An empty section is a page, not an error.
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/section/science").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one(&doc, "p.empty"), "No Science stories yet.");
}

#[tokio::test]
async fn home_has_a_lead_story_and_sections() {
    let f = fixture().await;
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc.select(&sel("h1")).count(), 1);
    // The newest story with an image among the newest few leads.
    assert_eq!(
        one(&doc, ".lead-story .lead-headline"),
        "Witkoff leaves St. Petersburg after four-hour talks with Putin"
    );
    assert_eq!(
        hrefs(&doc, ".more a"),
        vec![
            "/section/world",
            "/section/business",
            "/section/sports",
            "/section/science"
        ]
    );
    assert_eq!(one(&doc, "nav a[aria-current='page']"), "Home");
    // The lead's cluster twin is not listed again under World.
    let headlines: Vec<String> = doc.select(&sel(".home-section h3")).map(text).collect();
    assert!(
        !headlines.iter().any(|h| h.contains("Witkoff")),
        "{headlines:?}"
    );
}

#[tokio::test]
async fn subscribe_and_submit_are_honest_pages_naming_the_site() {
    let f = fixture().await;
    let (status, doc) = page(&f.router, ORLANDO_HOST, "/subscribe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(one(&doc, "main h1").contains("Orlando Echo"));
    // No mail configured here, so no sign-up form (the header's search box is not one).
    assert!(doc.select(&sel("main form")).next().is_none());
    let (status, doc) = page(&f.router, HARBOUR_HOST, "/submit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(one(&doc, "main h1").contains("Harbour Herald"));
    // The news release form (tests/submit.rs drives it).
    assert!(doc.select(&sel("main form.release-form")).next().is_some());
}

#[tokio::test]
async fn network_paths_and_security_headers() {
    let f = fixture().await;
    for (host, path, status) in [
        ("unknown.example", "/healthz", StatusCode::OK),
        (ORLANDO_HOST, "/readyz", StatusCode::OK),
        ("unknown.example", "/assets/site.css", StatusCode::OK),
        (
            "unknown.example",
            "/demo/feeds/harbor-wire.xml",
            StatusCode::OK,
        ),
        (ORLANDO_HOST, "/", StatusCode::OK),
        ("unknown.example", "/", StatusCode::NOT_FOUND),
        (ORLANDO_HOST, "/nowhere", StatusCode::NOT_FOUND),
    ] {
        let response = get(&f.router, host, path).await;
        assert_eq!(response.status(), status, "{host}{path}");
        let h = response.headers();
        assert_eq!(
            h[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'; img-src 'self' http: https: data:; style-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            h[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin"
        );
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    }
    let css = get(&f.router, ORLANDO_HOST, "/assets/site.css").await;
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert!(
        css.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public, max-age=")
    );
    let feed = get(&f.router, ORLANDO_HOST, "/demo/feeds/harbor-wire.xml").await;
    assert_eq!(feed.headers()[header::CONTENT_TYPE], "application/rss+xml");
    let body = to_bytes(get(&f.router, "x", "/healthz").await.into_body(), 100)
        .await
        .unwrap();
    assert_eq!(&body[..], b"ok");
}

#[tokio::test]
async fn cached_pages_are_dropped_when_content_changes() {
    let f = fixture().await;
    let (_, doc) = page(&f.router, ORLANDO_HOST, "/section/sports").await;
    assert_eq!(one(&doc, "p.empty"), "No Sports stories yet.");

    let sources = f.store.sources().await.unwrap();
    let s = story(
        sources[0].id,
        "match",
        "Magic win at home",
        "ORLANDO: A win.",
        1,
    );
    let id = f.store.put_story(&s, None).await.unwrap().id();
    let site = f.store.site_by_slug("orlando-echo").await.unwrap().unwrap();
    f.store
        .place(&Placement {
            story_id: id,
            site_id: site.id,
            section: "sports".into(),
        })
        .await
        .unwrap();

    // Still the cached page within its two seconds…
    let (_, doc) = page(&f.router, ORLANDO_HOST, "/section/sports").await;
    assert!(doc.select(&sel("p.empty")).next().is_some());
    // …until the content is said to have changed.
    f.handle.content_changed();
    let (_, doc) = page(&f.router, ORLANDO_HOST, "/section/sports").await;
    assert_eq!(one(&doc, ".section-list h2"), "Magic win at home");
}

#[tokio::test]
async fn reloading_sites_picks_up_new_hosts() {
    let f = fixture().await;
    assert_eq!(
        get(&f.router, "echo.example", "/").await.status(),
        StatusCode::NOT_FOUND
    );
    let mut site = f.store.site_by_slug("orlando-echo").await.unwrap().unwrap();
    site.hosts.push("echo.example".into());
    f.store
        .upsert_site(&SiteSpec {
            slug: site.slug,
            name: site.name,
            hosts: site.hosts,
            time_zone: site.time_zone,
            tagline: site.tagline,
            sections: site.sections,
        })
        .await
        .unwrap();
    f.handle.reload_sites().await.unwrap();
    assert_eq!(
        get(&f.router, "echo.example", "/").await.status(),
        StatusCode::OK
    );
}
