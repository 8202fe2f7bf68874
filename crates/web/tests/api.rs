//! The JSON API under /api/v1 through the real router and a temporary SQLite store: tokens
//! (401, 403, revoked), every endpoint's shape, cursor paging that neither repeats nor skips,
//! killed stories (410), problem+json on every error, and the OpenAPI document against the
//! routes actually served.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use masthead_model::{
    ApiScope, NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec, StoreOutcome, StoryId,
};
use masthead_store::Store;
use masthead_web::{IntakeError, StoryIntake, WebSettings, WireBody, WireStory};
use serde_json::{Value, json};
use tower::ServiceExt;

/// 2025-04-11T18:01:00Z.
const T0: i64 = 1_744_394_460_000_000;
const HOUR: i64 = 3_600_000_000;
const PROBLEM: &str = "application/problem+json";

struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

async fn temp_store() -> (Arc<dyn Store>, TempDb) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "masthead-api-test-{}-{}.db",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let store = masthead_store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, TempDb(path))
}

/// Takes wire stories straight into the store (the binary's intake runs the pipeline).
#[derive(Debug)]
struct DirectIntake {
    store: Arc<dyn Store>,
}

#[async_trait::async_trait]
impl StoryIntake for DirectIntake {
    async fn submit(&self, story: WireStory) -> Result<StoreOutcome, IntakeError> {
        let source = self
            .store
            .source_by_name(&story.source)
            .await
            .map_err(|e| IntakeError::Failed(e.to_string()))?
            .ok_or(IntakeError::UnknownSource(story.source.clone()))?;
        let (html, text) = match story.body {
            WireBody::Html(h) => (h.clone(), h),
            WireBody::Text(t) => (format!("<p>{t}</p>"), t),
        };
        let new = NewStory {
            source_id: source.id,
            guid: story.guid.clone(),
            url: story.url,
            headline: story.headline.clone(),
            standfirst: story.standfirst,
            byline: story.byline,
            dateline: story.dateline,
            published: story.published,
            updated: story.updated,
            content_html: html,
            text: text.clone(),
            image: story.image,
            categories: story.categories,
            content_hash: format!("{}|{}", story.headline, text),
            canonical_url: None,
        };
        self.store
            .put_story(&new, None)
            .await
            .map_err(|e| IntakeError::Failed(e.to_string()))
    }
}

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    _db: TempDb,
    site: i64,
    read: String,
    write: String,
    /// The stories the world section lists, newest first (one per cluster, none killed).
    world: Vec<StoryId>,
    killed: StoryId,
    twin: StoryId,
}

fn story(source_id: i64, guid: &str, headline: &str, at: i64) -> NewStory {
    NewStory {
        source_id,
        guid: guid.into(),
        url: Some(format!("https://wire.example/{guid}")),
        headline: headline.into(),
        standfirst: Some("A standfirst.".into()),
        byline: Some("By A. Reporter".into()),
        dateline: Some("KYIV, Ukraine".into()),
        published: OffsetTime::new(at, 10 * 3600).unwrap(),
        updated: None,
        content_html: "<p>Talks went on for four hours.</p>".into(),
        text: "Talks went on for four hours.".into(),
        image: None,
        categories: vec!["world".into()],
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
) -> StoryId {
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

async fn token(store: &dyn Store, scope: ApiScope) -> String {
    let t = masthead_web::api::tokens::generate().unwrap();
    store
        .create_api_token("test", scope, &t.hash, OffsetTime::now_utc())
        .await
        .unwrap();
    t.secret
}

async fn fixture(intake: bool) -> Fixture {
    let (store, db) = temp_store().await;
    let site = store
        .upsert_site(&SiteSpec {
            slug: "orlando-echo".into(),
            name: "Orlando Echo".into(),
            hosts: vec!["orlando-echo.localhost".into()],
            time_zone: "America/New_York".into(),
            tagline: "News for Orlando".into(),
            sections: vec![
                Section {
                    slug: "world".into(),
                    name: "World".into(),
                },
                Section {
                    slug: "business".into(),
                    name: "Business".into(),
                },
            ],
        })
        .await
        .unwrap();
    let source = store
        .upsert_source(&SourceSpec {
            name: "Harbor Wire".into(),
            url: "https://wire.example/feed.xml".into(),
            section: None,
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap()
        .id;
    // 45 world stories an hour apart, newest first in `world`.
    let mut world = Vec::new();
    for i in 0..45 {
        let id = put(
            &*store,
            &story(
                source,
                &format!("w{i}"),
                &format!("World story {i}"),
                T0 - i * HOUR,
            ),
            None,
            site.id,
            "world",
        )
        .await;
        world.push(id);
    }
    // A re-post of story 3 in its cluster: lists show the earliest member only.
    let cluster = store.story(world[3]).await.unwrap().unwrap().cluster;
    let twin = put(
        &*store,
        &story(
            source,
            "w3-again",
            "World story 3, again",
            T0 - 3 * HOUR + 1,
        ),
        Some(cluster),
        site.id,
        "world",
    )
    .await;
    // A killed one is never listed.
    let killed = put(
        &*store,
        &story(source, "killed", "Withdrawn story", T0 - 10 * HOUR + 5),
        None,
        site.id,
        "world",
    )
    .await;
    store
        .kill_story(killed, "legal", "editor", OffsetTime::now_utc())
        .await
        .unwrap();
    put(
        &*store,
        &story(source, "b0", "Markets calm", T0 + HOUR),
        None,
        site.id,
        "business",
    )
    .await;
    let read = token(&*store, ApiScope::Read).await;
    let write = token(&*store, ApiScope::Write).await;
    let intake: Option<Arc<dyn StoryIntake>> = intake.then(|| {
        Arc::new(DirectIntake {
            store: store.clone(),
        }) as Arc<dyn StoryIntake>
    });
    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: Some("http://127.0.0.1:8080".into()),
            static_files: vec![],
            websub: None,
            intake,
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
        _db: db,
        site: site.id,
        read,
        write,
        world,
        killed,
        twin,
    }
}

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    json: Value,
}

async fn call(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(v) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{path}: not JSON: {}", String::from_utf8_lossy(&bytes)));
    Answer {
        status,
        headers,
        json,
    }
}

async fn get(f: &Fixture, path: &str) -> Answer {
    call(&f.router, Method::GET, path, Some(&f.read), None).await
}

#[track_caller]
fn assert_problem(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.json);
    assert_eq!(
        a.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap(),
        PROBLEM
    );
    assert_eq!(a.json["status"], status.as_u16());
    assert_eq!(a.json["type"], "about:blank");
    assert!(a.json["title"].is_string());
    assert!(!a.json["detail"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn tokens_are_required_checked_and_scoped() {
    let f = fixture(true).await;
    let none = call(&f.router, Method::GET, "/api/v1/sites", None, None).await;
    assert_problem(&none, StatusCode::UNAUTHORIZED);
    assert!(
        none.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );

    let forged = format!("mh_{}", "0".repeat(64));
    let bad = call(&f.router, Method::GET, "/api/v1/sites", Some(&forged), None).await;
    assert_problem(&bad, StatusCode::UNAUTHORIZED);
    assert!(
        bad.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let junk = call(&f.router, Method::GET, "/api/v1/sites", Some("junk"), None).await;
    assert_problem(&junk, StatusCode::UNAUTHORIZED);
    assert!(
        !junk.json.to_string().contains("junk"),
        "a token is never echoed"
    );

    // Read may read, not write; write may do both.
    assert_eq!(get(&f, "/api/v1/sites").await.status, StatusCode::OK);
    let subs = get(&f, "/api/v1/sites/orlando-echo/subscribers").await;
    assert_problem(&subs, StatusCode::FORBIDDEN);
    let post = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.read),
        Some(json!({})),
    )
    .await;
    assert_problem(&post, StatusCode::FORBIDDEN);
    let w = call(
        &f.router,
        Method::GET,
        "/api/v1/sites",
        Some(&f.write),
        None,
    )
    .await;
    assert_eq!(w.status, StatusCode::OK);
    let w = call(
        &f.router,
        Method::GET,
        "/api/v1/sites/orlando-echo/subscribers",
        Some(&f.write),
        None,
    )
    .await;
    assert_eq!(w.status, StatusCode::OK);

    // Use is recorded; a revoked token never works again.
    let tokens = f.store.api_tokens().await.unwrap();
    let read = tokens.iter().find(|t| t.scope == ApiScope::Read).unwrap();
    assert!(read.last_used_at.is_some());
    assert!(
        f.store
            .revoke_api_token(read.id, OffsetTime::now_utc())
            .await
            .unwrap()
    );
    let revoked = get(&f, "/api/v1/sites").await;
    assert_problem(&revoked, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sites_and_sections() {
    let f = fixture(false).await;
    let a = get(&f, "/api/v1/sites").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
    let site = &a.json["sites"][0];
    assert_eq!(site["id"], f.site);
    assert_eq!(site["slug"], "orlando-echo");
    assert_eq!(site["name"], "Orlando Echo");
    assert_eq!(site["time_zone"], "America/New_York");
    assert_eq!(site["url"], "http://orlando-echo.localhost:8080");
    assert_eq!(site["sections"][0]["slug"], "world");

    let one = get(&f, "/api/v1/sites/orlando-echo").await;
    assert_eq!(one.json, *site);
    assert_problem(
        &get(&f, "/api/v1/sites/nowhere").await,
        StatusCode::NOT_FOUND,
    );

    let sections = get(&f, "/api/v1/sites/orlando-echo/sections").await;
    assert_eq!(
        sections.json,
        json!({"sections": [
            {"slug": "world", "name": "World", "url": "http://orlando-echo.localhost:8080/section/world"},
            {"slug": "business", "name": "Business", "url": "http://orlando-echo.localhost:8080/section/business"}
        ]})
    );
}

async fn walk(f: &Fixture, limit: usize, mid_walk: impl AsyncFn(usize)) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        let path = match &cursor {
            Some(c) => {
                format!("/api/v1/sites/orlando-echo/stories?section=world&limit={limit}&cursor={c}")
            }
            None => format!("/api/v1/sites/orlando-echo/stories?section=world&limit={limit}"),
        };
        let a = get(f, &path).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        let stories = a.json["stories"].as_array().unwrap();
        assert!(stories.len() <= limit);
        seen.extend(stories.iter().map(|s| s["id"].as_i64().unwrap()));
        match a.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        mid_walk(page).await;
        assert!(page < 100, "paging does not end");
    }
    seen
}

#[tokio::test]
async fn story_pages_walk_every_story_once() {
    let f = fixture(false).await;
    let first = get(&f, "/api/v1/sites/orlando-echo/stories").await;
    let s = &first.json["stories"][0];
    // Default page size 20; business story first (newest) when no section.
    assert_eq!(first.json["stories"].as_array().unwrap().len(), 20);
    assert_eq!(s["section"], "business");
    assert_eq!(s["published"], "2025-04-12T05:01:00+10:00");
    for key in [
        "id",
        "cluster",
        "headline",
        "standfirst",
        "dateline",
        "lead",
        "source",
        "page_url",
    ] {
        assert!(!s[key].is_null(), "{key}");
    }
    assert!(
        s["page_url"]
            .as_str()
            .unwrap()
            .starts_with("http://orlando-echo.localhost:8080/story/")
    );

    for limit in [1, 7, 20, 100] {
        let seen = walk(&f, limit, async |_| {}).await;
        assert_eq!(seen, f.world, "limit {limit}");
    }
    assert!(!f.world.contains(&f.twin));
    assert!(!f.world.contains(&f.killed));
}

#[tokio::test]
async fn paging_survives_new_and_killed_stories() {
    let f = fixture(false).await;
    let source = f
        .store
        .source_by_name("Harbor Wire")
        .await
        .unwrap()
        .unwrap()
        .id;
    let site = f.site;
    let store = f.store.clone();
    let world = f.world.clone();
    let seen = walk(&f, 10, async |page| {
        // After each page: a newer story arrives (it belongs before the cursor) and a story
        // not yet shown is killed (it must not be shown, and nothing after it skipped).
        let page = i64::try_from(page).unwrap();
        put(
            &*store,
            &story(
                source,
                &format!("late{page}"),
                "Late story",
                T0 + (page + 2) * HOUR,
            ),
            None,
            site,
            "world",
        )
        .await;
        let victim = world[usize::try_from(page * 10 + 15)
            .unwrap()
            .min(world.len() - 1)];
        store
            .kill_story(victim, "test", "editor", OffsetTime::now_utc())
            .await
            .unwrap();
    })
    .await;
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no story twice");
    let mut killed = Vec::new();
    for id in &world {
        if f.store.story(*id).await.unwrap().unwrap().killed.is_some() {
            killed.push(*id);
        }
    }
    let expected: Vec<i64> = world
        .iter()
        .copied()
        .filter(|id| !killed.contains(id) || seen.contains(id))
        .collect();
    assert_eq!(
        seen, expected,
        "every story still listed is shown, in order"
    );
}

#[tokio::test]
async fn one_story_in_full_and_killed_ones_gone() {
    let f = fixture(false).await;
    let id = f.world[0];
    let a = get(&f, &format!("/api/v1/stories/{id}")).await;
    assert_eq!(a.status, StatusCode::OK);
    let s = &a.json;
    assert_eq!(s["id"], id);
    assert_eq!(s["source"], "Harbor Wire");
    assert_eq!(s["guid"], "w0");
    assert_eq!(s["url"], "https://wire.example/w0");
    assert_eq!(s["headline"], "World story 0");
    assert_eq!(s["byline"], "By A. Reporter");
    assert_eq!(s["dateline"], "KYIV, Ukraine");
    assert_eq!(s["published"], "2025-04-12T04:01:00+10:00");
    assert!(s["updated"].is_null());
    assert_eq!(s["text"], "Talks went on for four hours.");
    assert_eq!(s["content_html"], "<p>Talks went on for four hours.</p>");
    assert_eq!(s["categories"], json!(["world"]));
    assert_eq!(s["sites"][0]["slug"], "orlando-echo");
    assert_eq!(s["sites"][0]["section"], "world");
    assert!(
        s["sites"][0]["page_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("http://orlando-echo.localhost:8080/story/{id}/"))
    );
    assert_problem(
        &get(&f, &format!("/api/v1/stories/{}", f.killed)).await,
        StatusCode::GONE,
    );
    assert_problem(
        &get(&f, "/api/v1/stories/999999").await,
        StatusCode::NOT_FOUND,
    );
    assert_problem(
        &get(&f, "/api/v1/stories/abc").await,
        StatusCode::BAD_REQUEST,
    );
}

#[tokio::test]
async fn search_pages_and_filters() {
    let f = fixture(false).await;
    let a = get(
        &f,
        "/api/v1/sites/orlando-echo/search?q=world+story&limit=20",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    // 45 clusters match (the twin shares a cluster, the killed story is never found).
    assert_eq!(a.json["total"], 45);
    let hit = &a.json["hits"][0];
    assert!(hit["story"]["id"].is_i64());
    assert!(hit["rank"].is_number());
    assert!(hit["snippet"].is_array());
    let mut ids = Vec::new();
    let mut page = a;
    loop {
        ids.extend(
            page.json["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["story"]["id"].as_i64().unwrap()),
        );
        let Some(c) = page.json["next_cursor"].as_str() else {
            break;
        };
        page = get(
            &f,
            &format!("/api/v1/sites/orlando-echo/search?q=world+story&limit=20&cursor={c}"),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    assert_eq!(ids.len(), 45);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 45);

    // A day range in the site's zone: 2025-04-11 in New York covers stories 0..=17 or so.
    let day = get(
        &f,
        "/api/v1/sites/orlando-echo/search?q=story&from=2025-04-11&to=2025-04-11&limit=100",
    )
    .await;
    assert_eq!(day.status, StatusCode::OK);
    let n = day.json["total"].as_i64().unwrap();
    assert!(n > 0 && n < 45, "{n}");
    let instant = get(
        &f,
        "/api/v1/sites/orlando-echo/search?q=story&from=2025-04-11T18:00:00Z",
    )
    .await;
    // World story 0 only (the business story does not say "story").
    assert_eq!(instant.json["total"], 1);
    let section = get(
        &f,
        "/api/v1/sites/orlando-echo/search?q=markets&section=business",
    )
    .await;
    assert_eq!(section.json["total"], 1);

    assert_problem(
        &get(&f, "/api/v1/sites/orlando-echo/search").await,
        StatusCode::BAD_REQUEST,
    );
    assert_problem(
        &get(&f, "/api/v1/sites/orlando-echo/search?q=x&from=yesterday").await,
        StatusCode::BAD_REQUEST,
    );
    assert_problem(
        &get(&f, "/api/v1/sites/orlando-echo/search?q=x&section=nope").await,
        StatusCode::BAD_REQUEST,
    );
}

#[tokio::test]
async fn subscribers_page_by_id() {
    let f = fixture(false).await;
    for i in 0..5 {
        f.store
            .subscribe_request(
                f.site,
                &format!("reader{i}@example.test"),
                &format!("hash{i}"),
                T0 + 1000 * HOUR,
                OffsetTime::now_utc(),
            )
            .await
            .unwrap();
    }
    let mut emails = Vec::new();
    let mut path = "/api/v1/sites/orlando-echo/subscribers?limit=2".to_owned();
    loop {
        let a = call(&f.router, Method::GET, &path, Some(&f.write), None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        for s in a.json["subscribers"].as_array().unwrap() {
            assert_eq!(s["status"], "pending");
            assert!(s["created"].is_string());
            assert!(s["sections"].is_array());
            emails.push(s["email"].as_str().unwrap().to_owned());
        }
        match a.json["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/sites/orlando-echo/subscribers?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        emails,
        (0..5)
            .map(|i| format!("reader{i}@example.test"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn wire_partners_create_stories_through_the_intake() {
    let f = fixture(true).await;
    let body = json!({
        "source": "Harbor Wire",
        "guid": "partner-1",
        "headline": "Partner story",
        "body_text": "First paragraph.\n\nSecond paragraph.",
        "published": "2025-04-12T04:01:00+10:00",
        "categories": ["world"],
        "image": {"url": "https://wire.example/a.jpg", "credit": "Wire"}
    });
    let a = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.write),
        Some(body.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let id = a.json["id"].as_i64().unwrap();
    assert_eq!(a.json["outcome"], "created");
    assert_eq!(a.headers[header::LOCATION], format!("/api/v1/stories/{id}"));
    let again = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.write),
        Some(body.clone()),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json["outcome"], "unchanged");
    let story = f.store.story(id).await.unwrap().unwrap();
    assert_eq!(story.published.offset_seconds, 10 * 3600);

    let mut unknown = body.clone();
    unknown["source"] = json!("Nobody");
    let u = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.write),
        Some(unknown),
    )
    .await;
    assert_problem(&u, StatusCode::UNPROCESSABLE_ENTITY);
    let mut no_offset = body.clone();
    no_offset["published"] = json!("2025-04-12T04:01:00");
    let n = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.write),
        Some(no_offset),
    )
    .await;
    assert_problem(&n, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = call(
        &f.router,
        Method::POST,
        "/api/v1/stories",
        Some(&f.write),
        Some(json!({"guid": "x"})),
    )
    .await;
    assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY);

    // Not JSON at all, and no intake configured.
    let request = Request::post("/api/v1/stories")
        .header(header::AUTHORIZATION, format!("Bearer {}", f.write))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    let response = f.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM);

    let g = fixture(false).await;
    let off = call(
        &g.router,
        Method::POST,
        "/api/v1/stories",
        Some(&g.write),
        Some(body),
    )
    .await;
    assert_problem(&off, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn every_error_is_a_problem() {
    let f = fixture(false).await;
    for path in [
        "/api/v1",
        "/api/v1/",
        "/api/v1/nothing",
        "/api/v1/sites/orlando-echo/nothing/here",
    ] {
        assert_problem(&get(&f, path).await, StatusCode::NOT_FOUND);
    }
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "cursor=junk",
        "cursor=e30",
        "section=nope",
        "limit=1&limit=2",
    ] {
        let a = get(&f, &format!("/api/v1/sites/orlando-echo/stories?{query}")).await;
        assert_problem(&a, StatusCode::BAD_REQUEST);
    }
    // A cursor of another listing.
    let search = get(&f, "/api/v1/sites/orlando-echo/search?q=story&limit=1").await;
    let c = search.json["next_cursor"].as_str().unwrap();
    let a = get(
        &f,
        &format!("/api/v1/sites/orlando-echo/stories?cursor={c}"),
    )
    .await;
    assert_problem(&a, StatusCode::BAD_REQUEST);

    let a = call(
        &f.router,
        Method::DELETE,
        "/api/v1/sites",
        Some(&f.read),
        None,
    )
    .await;
    assert_problem(&a, StatusCode::METHOD_NOT_ALLOWED);
    assert!(a.headers.contains_key(header::ALLOW));
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let f = fixture(false).await;
    let a = call(&f.router, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    let doc = a.json;
    assert_eq!(
        doc.to_string(),
        masthead_web::api::openapi_json()
            .map(|s| serde_json::from_str::<Value>(&s).unwrap().to_string())
            .unwrap()
    );
    let version = doc["openapi"].as_str().unwrap();
    assert!(
        version.starts_with("3.1.") || version.starts_with("3.0."),
        "{version}"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["type"],
        "http"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail"] {
        assert!(problem["properties"][field].is_object(), "{field}");
    }

    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "/api/v1/openapi.json",
        "/api/v1/sites",
        "/api/v1/sites/{slug}",
        "/api/v1/sites/{slug}/sections",
        "/api/v1/sites/{slug}/stories",
        "/api/v1/sites/{slug}/search",
        "/api/v1/sites/{slug}/subscribers",
        "/api/v1/stories",
        "/api/v1/stories/{id}",
        "/api/v1/releases",
        "/api/v1/releases/{id}",
    ]
    .into();
    assert_eq!(paths, expected);

    let release = call(
        &f.router,
        Method::POST,
        "/api/v1/releases",
        Some(&f.write),
        Some(release_body()),
    )
    .await;
    assert_eq!(release.status, StatusCode::CREATED, "{}", release.json);
    let release = release.json["id"].as_i64().unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured = op.get("security").is_some();
            assert_eq!(secured, path != "/api/v1/openapi.json", "{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}");
            if secured {
                assert!(responses.contains_key("401"), "{method} {path}");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"][PROBLEM]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
            // Served: the route exists for this method (anything but the catch-all's 404
            // or a 405).
            let id = if path.starts_with("/api/v1/releases/") {
                release.to_string()
            } else {
                f.world[0].to_string()
            };
            let concrete = path.replace("{slug}", "orlando-echo").replace("{id}", &id);
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = (method == Method::POST).then(|| json!({}));
            let answer = call(&f.router, method.clone(), &concrete, Some(&f.write), body).await;
            assert_ne!(
                answer.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert!(
                answer.status != StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                answer.json
            );
        }
    }
}

fn release_body() -> Value {
    json!({
        "kind": "business",
        "organisation": "Harbor Bakery",
        "contact_name": "Ana Baker",
        "contact_email": "ana@harbor-bakery.example",
        "contact_phone": "+1 407 555 0100",
        "headline": "Harbor Bakery opens a second shop downtown",
        "body": "Harbor Bakery opens its second shop on Main Street on Monday.\n\nIt will employ twelve people.",
        "dateline": "ORLANDO, Florida",
        "sites": ["orlando-echo"]
    })
}

#[tokio::test]
async fn partners_submit_releases_with_a_write_token() {
    let f = fixture(false).await;
    let post = |token: Option<String>, body: Value| {
        let router = f.router.clone();
        async move {
            call(
                &router,
                Method::POST,
                "/api/v1/releases",
                token.as_deref(),
                Some(body),
            )
            .await
        }
    };
    // A token is needed, and read is not enough.
    assert_problem(&post(None, release_body()).await, StatusCode::UNAUTHORIZED);
    assert_problem(
        &post(Some(f.read.clone()), release_body()).await,
        StatusCode::FORBIDDEN,
    );
    assert!(
        f.store
            .releases(None, None, None, 100)
            .await
            .unwrap()
            .is_empty()
    );

    let a = post(Some(f.write.clone()), release_body()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let id = a.json["id"].as_i64().unwrap();
    let reference = a.json["reference"].as_str().unwrap().to_owned();
    assert_eq!(a.json["status"], "submitted");
    assert_eq!(a.json["duplicate"], false);
    assert_eq!(
        a.headers[header::LOCATION],
        format!("/api/v1/releases/{id}")
    );
    let stored = f.store.release(id).await.unwrap().unwrap();
    assert_eq!(stored.reference, reference);
    assert_eq!(stored.release.sites, vec![f.site]);
    assert_eq!(
        stored.release.contact_phone.as_deref(),
        Some("+1 407 555 0100")
    );
    assert!(stored.release.image.is_none());

    // The same release again (other spacing): the earlier one, nothing new stored.
    let mut again = release_body();
    again["headline"] = json!("Harbor  Bakery opens a second shop downtown ");
    let b = post(Some(f.write.clone()), again).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.json);
    assert_eq!(b.json["duplicate"], true);
    assert_eq!(b.json["id"], id);
    assert_eq!(b.json["reference"], reference.as_str());
    assert!(!b.headers.contains_key(header::LOCATION));
    assert_eq!(
        f.store.releases(None, None, None, 100).await.unwrap().len(),
        1
    );

    // Every field's problem at once, named and pointed at.
    let mut bad = release_body();
    bad["headline"] = json!("Short");
    bad["contact_email"] = json!("ana@");
    bad["sites"] = json!(["nowhere"]);
    bad["dateline"] = Value::Null;
    let c = post(Some(f.write.clone()), bad).await;
    assert_problem(&c, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = c.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["contact_email", "headline", "sites"]);
    for e in c.json["errors"].as_array().unwrap() {
        assert_eq!(e["pointer"], format!("#/{}", e["field"].as_str().unwrap()));
        assert!(!e["detail"].as_str().unwrap().is_empty());
    }
    // An empty body: every required field.
    let d = post(Some(f.write.clone()), json!({})).await;
    assert_problem(&d, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: BTreeSet<&str> = d.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    let required: BTreeSet<&str> = [
        "kind",
        "organisation",
        "contact_name",
        "contact_email",
        "headline",
        "body",
        "sites",
    ]
    .into();
    assert_eq!(fields, required);
    // No image over the API.
    let mut image = release_body();
    image["headline"] = json!("A release with a photo attached");
    image["image"] = json!("aGVsbG8=");
    let e = post(Some(f.write.clone()), image).await;
    assert_problem(&e, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e.json["errors"][0]["field"], "image");
    // A field of the wrong type is a problem too (without `errors`).
    let mut typed = release_body();
    typed["sites"] = json!("orlando-echo");
    let g = post(Some(f.write.clone()), typed).await;
    assert_problem(&g, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        f.store.releases(None, None, None, 100).await.unwrap().len(),
        1
    );

    // Its state, for write tokens only.
    let path = format!("/api/v1/releases/{id}");
    let s = call(&f.router, Method::GET, &path, Some(&f.write), None).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.json);
    assert_eq!(s.json["id"], id);
    assert_eq!(s.json["reference"], reference.as_str());
    assert_eq!(s.json["status"], "submitted");
    assert_eq!(
        s.json["headline"],
        "Harbor Bakery opens a second shop downtown"
    );
    assert_eq!(s.json["sites"], json!(["orlando-echo"]));
    assert_eq!(s.json["submitted"], stored.submitted_at.to_rfc3339());
    assert!(s.json.get("contact_email").is_none());
    assert_problem(
        &call(&f.router, Method::GET, &path, Some(&f.read), None).await,
        StatusCode::FORBIDDEN,
    );
    assert_problem(
        &call(&f.router, Method::GET, &path, None, None).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_problem(
        &call(
            &f.router,
            Method::GET,
            "/api/v1/releases/999999",
            Some(&f.write),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    assert_problem(
        &call(
            &f.router,
            Method::GET,
            "/api/v1/releases/abc",
            Some(&f.write),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    );

    // The document describes the body and the `errors` member.
    let doc = call(&f.router, Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json;
    let input = &doc["components"]["schemas"]["ReleaseInput"];
    assert!(input["properties"]["sites"].is_object());
    assert!(input["properties"].get("image").is_none());
    let required: Vec<&str> = input["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"headline") && !required.contains(&"dateline"));
    assert!(doc["components"]["schemas"]["Problem"]["properties"]["errors"].is_object());
}
