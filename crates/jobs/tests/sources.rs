//! The polling pipeline against a local HTTP server playing sources: good feeds with ETags
//! (304s, an edited entry, a new entry), slow, huge, gzip bombs, redirect loops, 429 with
//! Retry-After, 500s until the source is paused, lying and legacy charsets, truncated XML,
//! article pages full of boilerplate with a robots.txt, SSRF attempts and concurrent polls.
//!
//! Every case asserts what the source's stored health says and that no story was lost or
//! stored twice. The server listens on 127.0.0.1:0 and fetchers allow exactly its
//! `host:port`; the SSRF cases use fetchers that do not, and assert the server saw nothing.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

mod common;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use common::{Item, Network, rss};
use masthead_fetch::{FetchSettings, Fetcher, parse_allow};
use masthead_jobs::{PollOutcome, PollSettings, poll_source};
use masthead_model::{FullTextPolicy, OffsetTime, SourceHealth};

// ---------------------------------------------------------------------------------------------
// The source server
// ---------------------------------------------------------------------------------------------

/// What the server answers at one path.
#[derive(Clone)]
enum Fixture {
    /// 200 with an ETag (a hash of the body); 304 when `If-None-Match` matches it.
    Feed {
        body: Vec<u8>,
        content_type: &'static str,
    },
    /// 200 text/html.
    Page(String),
    /// 200 text/plain (robots.txt).
    Text(&'static str),
    /// Sleeps this long, then answers a valid feed.
    Slow(Duration),
    /// 200 with this many bytes, no compression.
    Huge(usize),
    /// 10 MiB of zeros gzipped into a few KiB.
    Bomb,
    Status {
        code: u16,
        retry_after: Option<&'static str>,
    },
    /// Sleeps this long, then answers `Feed`.
    Delayed(Duration, Vec<u8>),
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
}

#[derive(Default)]
struct ServerState {
    fixtures: Mutex<HashMap<String, Fixture>>,
    seen: Mutex<Vec<Seen>>,
}

struct Server {
    addr: std::net::SocketAddr,
    state: Arc<ServerState>,
}

impl Server {
    async fn spawn() -> Server {
        let state = Arc::new(ServerState::default());
        let app = Router::new().fallback(serve).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { addr, state }
    }

    fn set(&self, path: &str, fixture: Fixture) {
        self.state
            .fixtures
            .lock()
            .unwrap()
            .insert(path.to_owned(), fixture);
    }

    fn feed(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.set(
            path,
            Fixture::Feed {
                body: body.into(),
                content_type: "application/rss+xml; charset=utf-8",
            },
        );
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    fn hits(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }

    /// A fetcher that may reach exactly this server, 2 s in all, 1 MiB bodies.
    fn fetcher(&self) -> Fetcher {
        Fetcher::new(FetchSettings {
            allow: vec![parse_allow(&self.addr.to_string()).unwrap()],
            connect_timeout: Duration::from_secs(2),
            total_timeout: Duration::from_secs(2),
            max_body_bytes: 1024 * 1024,
            ..FetchSettings::default()
        })
        .unwrap()
    }
}

fn etag_of(body: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

async fn serve(State(state): State<Arc<ServerState>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    state.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        if_none_match: if_none_match.clone(),
    });
    if let Some(n) = path.strip_prefix("/loop/") {
        let n: u32 = n.parse().unwrap_or(0);
        return (
            StatusCode::FOUND,
            [(header::LOCATION, format!("/loop/{}", n + 1))],
        )
            .into_response();
    }
    let fixture = state.fixtures.lock().unwrap().get(&path).cloned();
    let feed = |body: Vec<u8>, content_type: &'static str| {
        let etag = etag_of(&body);
        if if_none_match.as_deref() == Some(etag.as_str()) {
            return StatusCode::NOT_MODIFIED.into_response();
        }
        (
            [
                (header::ETAG, etag),
                (header::CONTENT_TYPE, content_type.to_owned()),
            ],
            body,
        )
            .into_response()
    };
    match fixture {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Fixture::Feed { body, content_type }) => feed(body, content_type),
        Some(Fixture::Delayed(delay, body)) => {
            tokio::time::sleep(delay).await;
            feed(body, "application/rss+xml")
        }
        Some(Fixture::Page(html)) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Some(Fixture::Text(text)) => text.into_response(),
        Some(Fixture::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            feed(plain_feed(1).into_bytes(), "application/rss+xml")
        }
        Some(Fixture::Huge(len)) => (
            [(header::CONTENT_TYPE, "application/rss+xml")],
            vec![b' '; len],
        )
            .into_response(),
        Some(Fixture::Bomb) => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..10 {
                encoder.write_all(&zeros).unwrap();
            }
            let body = encoder.finish().unwrap();
            assert!(body.len() < 64 * 1024);
            (
                [
                    (header::CONTENT_ENCODING, "gzip"),
                    (header::CONTENT_TYPE, "application/rss+xml"),
                ],
                body,
            )
                .into_response()
        }
        Some(Fixture::Status { code, retry_after }) => {
            let mut response = StatusCode::from_u16(code).unwrap().into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, value.parse().unwrap());
            }
            response
        }
    }
}

/// A small valid feed of `n` entries.
fn plain_feed(n: usize) -> String {
    let items: Vec<(String, String, String)> = (1..=n)
        .map(|i| {
            (
                format!("story-{i}"),
                format!("Story number {i}"),
                format!("The text of story number {i}, as the wire sent it."),
            )
        })
        .collect();
    rss(
        "UTF-8",
        &items
            .iter()
            .map(|(guid, title, description)| Item {
                guid,
                title,
                description,
                link: None,
            })
            .collect::<Vec<_>>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn poll(net: &Network, fetcher: &Fetcher, name: &str) -> PollOutcome {
    poll_with(net, fetcher, name, &net.settings).await
}

async fn poll_with(
    net: &Network,
    fetcher: &Fetcher,
    name: &str,
    settings: &PollSettings,
) -> PollOutcome {
    let source = net.source(name).await;
    poll_source(net.store.as_ref(), fetcher, &source, settings, false)
        .await
        .unwrap()
        .outcome
}

fn ingested(outcome: PollOutcome) -> masthead_jobs::IngestReport {
    match outcome {
        PollOutcome::Ingested(report) => report,
        other => panic!("expected Ingested, got {other:?}"),
    }
}

fn failed(outcome: PollOutcome) -> (String, bool) {
    match outcome {
        PollOutcome::Failed { reason, paused } => (reason, paused),
        other => panic!("expected Failed, got {other:?}"),
    }
}

fn now_micros() -> i64 {
    OffsetTime::now_utc().unix_micros
}

/// A failed poll's health: the reason stored, the failures counted, the next poll in the
/// future (at least `min_wait` away), not a success.
fn assert_failed_health(health: &SourceHealth, reason: &str, failures: i32, before: i64) {
    assert_eq!(health.last_error.as_deref(), Some(reason), "{health:?}");
    assert!(health.last_error_at.is_some(), "{health:?}");
    assert_eq!(health.consecutive_failures, failures, "{health:?}");
    let next = health
        .next_poll_at
        .expect("a failed source has a next poll");
    assert!(
        next.unix_micros > before,
        "next poll not in the future: {health:?}"
    );
}

/// Polls a source served by `fixture` once; returns the failure reason after checking the
/// stored health.
async fn failing_source(fixture: Fixture, name: &str) -> (String, SourceHealth) {
    let server = Server::spawn().await;
    let net = Network::new(name).await;
    server.set("/feed", fixture);
    net.add_source(name, &server.url("/feed"), FullTextPolicy::Never)
        .await;
    let before = now_micros();
    let (reason, paused) = failed(poll(&net, &server.fetcher(), name).await);
    assert!(!paused);
    let health = net.health(name).await;
    assert_failed_health(&health, &reason, 1, before);
    assert!(!health.paused);
    assert!(health.last_success_at.is_none());
    assert!(net.stories_of(name).await.is_empty());
    (reason, health)
}

// ---------------------------------------------------------------------------------------------
// A good feed: 200, 304, an edit, a new entry
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn good_feed_is_stored_once_then_costs_a_304_and_updates_in_place() {
    let server = Server::spawn().await;
    let net = Network::new("good").await;
    let fetcher = server.fetcher();
    let items = |second: &'static str, fourth: bool| {
        let mut items = vec![
            Item {
                guid: "w-1",
                title: "Ferry operator\u{2019}s new timetable",
                description: "Early services now leave ten minutes sooner.",
                link: Some("https://wire.example/1"),
            },
            Item {
                guid: "w-2",
                title: "Council approves a footbridge",
                description: second,
                link: Some("https://wire.example/2"),
            },
            Item {
                guid: "w-3",
                title: "Rowing club wins the regatta",
                description: "The club won by two lengths.",
                link: Some("https://wire.example/3"),
            },
        ];
        if fourth {
            items.push(Item {
                guid: "w-4",
                title: "Library extends its hours",
                description: "The library opens until nine on weekdays.",
                link: Some("https://wire.example/4"),
            });
        }
        rss("UTF-8", &items)
    };
    server.feed(
        "/feed",
        items("The bridge is due to open in two years.", false),
    );
    net.add_source("Good Wire", &server.url("/feed"), FullTextPolicy::Never)
        .await;

    // First poll: three stories, each placed on the site.
    let before = now_micros();
    let report = ingested(poll(&net, &fetcher, "Good Wire").await);
    assert_eq!(
        (
            report.entries,
            report.inserted,
            report.updated,
            report.unchanged
        ),
        (3, 3, 0, 0)
    );
    assert_eq!(report.placements, 3);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(net.stories_of("Good Wire").await.len(), 3);
    assert_eq!(
        net.store
            .count_site_stories(net.site_id, None)
            .await
            .unwrap(),
        3
    );
    let health = net.health("Good Wire").await;
    assert_eq!(health.consecutive_failures, 0);
    assert!(health.last_error.is_none());
    assert!(!health.paused);
    assert!(health.last_success_at.is_some());
    assert!(health.next_poll_at.unwrap().unix_micros >= before + 899_000_000);
    assert!(health.etag.is_some());

    // Unchanged: the stored ETag goes out as If-None-Match and the server answers 304.
    assert_eq!(
        poll(&net, &fetcher, "Good Wire").await,
        PollOutcome::NotModified
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].if_none_match, health.etag);
    assert_eq!(net.stories_of("Good Wire").await.len(), 3);
    assert_eq!(net.health("Good Wire").await.consecutive_failures, 0);

    // One entry's text changes: exactly one update, in place.
    server.feed(
        "/feed",
        items("The bridge is now due to open in eighteen months.", false),
    );
    let report = ingested(poll(&net, &fetcher, "Good Wire").await);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 2)
    );
    let stories = net.stories_of("Good Wire").await;
    assert_eq!(stories.len(), 3);
    let edited = stories.iter().find(|s| s.guid == "w-2").unwrap();
    assert!(edited.text.contains("eighteen months"), "{}", edited.text);
    assert_ne!(net.health("Good Wire").await.etag, health.etag);

    // A new entry: exactly one insert.
    server.feed(
        "/feed",
        items("The bridge is now due to open in eighteen months.", true),
    );
    let report = ingested(poll(&net, &fetcher, "Good Wire").await);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (1, 0, 3)
    );

    // Re-polling never duplicates: 304s, then the same document fetched again without
    // validators (as after a lost ETag) changes nothing either.
    assert_eq!(
        poll(&net, &fetcher, "Good Wire").await,
        PollOutcome::NotModified
    );
    assert_eq!(
        poll(&net, &fetcher, "Good Wire").await,
        PollOutcome::NotModified
    );
    // The same entries in a new body (a new ETag): fetched in full, nothing stored again.
    server.feed(
        "/feed",
        items("The bridge is now due to open in eighteen months.", true) + "\n",
    );
    let report = ingested(poll(&net, &fetcher, "Good Wire").await);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 0, 4)
    );
    let stories = net.stories_of("Good Wire").await;
    assert_eq!(stories.len(), 4);
    assert_eq!(net.all_stories().await.len(), 4);
    assert_eq!(
        net.store
            .count_site_stories(net.site_id, None)
            .await
            .unwrap(),
        4
    );
    for story in &stories {
        assert_eq!(net.store.placements_of(story.id).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Sources that fail
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn slow_source_times_out() {
    let (reason, _) = failing_source(Fixture::Slow(Duration::from_secs(10)), "Slow").await;
    assert!(reason.contains("timed out"), "{reason}");
}

#[tokio::test]
async fn huge_body_is_refused() {
    let (reason, _) = failing_source(Fixture::Huge(3 * 1024 * 1024), "Huge").await;
    assert!(reason.contains("larger than 1048576 bytes"), "{reason}");
}

#[tokio::test]
async fn gzip_bomb_is_refused() {
    let (reason, _) = failing_source(Fixture::Bomb, "Bomb").await;
    assert!(reason.contains("larger than 1048576 bytes"), "{reason}");
}

#[tokio::test]
async fn redirect_loop_fails() {
    let server = Server::spawn().await;
    let net = Network::new("loop").await;
    net.add_source("Loop", &server.url("/loop/0"), FullTextPolicy::Never)
        .await;
    let before = now_micros();
    let (reason, _) = failed(poll(&net, &server.fetcher(), "Loop").await);
    assert!(reason.contains("more than 5 redirects"), "{reason}");
    assert_failed_health(&net.health("Loop").await, &reason, 1, before);
    // The first request and five redirects, no more.
    assert_eq!(server.seen().len(), 6);
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let before = now_micros();
    let (reason, health) = failing_source(
        Fixture::Status {
            code: 429,
            retry_after: Some("120"),
        },
        "Busy",
    )
    .await;
    assert!(reason.contains("429"), "{reason}");
    let next = health.next_poll_at.unwrap().unix_micros;
    assert!(
        next >= before + 120_000_000,
        "next poll {}s away",
        (next - before) / 1_000_000
    );
}

#[tokio::test]
async fn server_errors_count_up_pause_the_source_and_resume() {
    let server = Server::spawn().await;
    let net = Network::new("500").await;
    let settings = PollSettings {
        pause_after: 3,
        ..net.settings.clone()
    };
    let fetcher = server.fetcher();
    // It worked once: its stories must survive the failures.
    server.feed("/feed", plain_feed(2));
    net.add_source("Broken", &server.url("/feed"), FullTextPolicy::Never)
        .await;
    ingested(poll_with(&net, &fetcher, "Broken", &settings).await);
    let good_etag = net.health("Broken").await.etag;
    server.set(
        "/feed",
        Fixture::Status {
            code: 500,
            retry_after: None,
        },
    );
    for failures in 1..=3 {
        let before = now_micros();
        let (reason, paused) = failed(poll_with(&net, &fetcher, "Broken", &settings).await);
        assert!(reason.contains("HTTP 500"), "{reason}");
        assert_eq!(paused, failures == 3, "after {failures} failures");
        let health = net.health("Broken").await;
        assert_failed_health(&health, &reason, failures, before);
        assert_eq!(health.paused, failures == 3);
        // The last good validators are kept for the next conditional GET.
        assert_eq!(health.etag, good_etag);
        assert!(health.last_success_at.is_some());
    }
    // Paused: never due, however late it gets.
    let far = now_micros() + 30 * 24 * 3600 * 1_000_000;
    let due = net.store.due_sources(far).await.unwrap();
    assert!(due.iter().all(|s| s.name != "Broken"), "{due:?}");
    assert_eq!(net.stories_of("Broken").await.len(), 2);

    // Resumed: due at once, failures cleared; it recovers on the next poll.
    assert!(net.store.set_source_paused("Broken", false).await.unwrap());
    let due = net.store.due_sources(now_micros()).await.unwrap();
    assert!(due.iter().any(|s| s.name == "Broken"), "{due:?}");
    let health = net.health("Broken").await;
    assert!(!health.paused);
    assert_eq!(health.consecutive_failures, 0);
    server.feed("/feed", plain_feed(3));
    let report = ingested(poll_with(&net, &fetcher, "Broken", &settings).await);
    assert_eq!((report.inserted, report.unchanged), (1, 2));
    assert_eq!(net.health("Broken").await.consecutive_failures, 0);
    assert_eq!(net.stories_of("Broken").await.len(), 3);
}

#[tokio::test]
async fn truncated_xml_fails_with_a_parse_reason_and_keeps_earlier_stories() {
    let server = Server::spawn().await;
    let net = Network::new("truncated").await;
    let fetcher = server.fetcher();
    let good = plain_feed(3);
    server.feed("/feed", good.clone());
    net.add_source("Cut", &server.url("/feed"), FullTextPolicy::Never)
        .await;
    ingested(poll(&net, &fetcher, "Cut").await);
    let stored = net.stories_of("Cut").await;
    assert_eq!(stored.len(), 3);

    // The document stops in the middle of the second item's title, and a new text for the
    // first item is in the part that did arrive.
    let edited = good.replace("story number 1, as", "story number 1, edited, as");
    let cut_at = edited.find("Story number 2").unwrap() + 5;
    server.feed("/feed", &edited.as_bytes()[..cut_at]);
    let before = now_micros();
    let outcome = poll(&net, &fetcher, "Cut").await;
    let (reason, paused) = match outcome {
        PollOutcome::Failed { reason, paused } => (reason, paused),
        PollOutcome::Ingested(report) => panic!(
            "a truncated feed was ingested: {report:?}; stories now {:?}",
            net.stories_of("Cut")
                .await
                .iter()
                .map(|s| (&s.guid, &s.text))
                .collect::<Vec<_>>()
        ),
        other => panic!("{other:?}"),
    };
    assert!(!paused);
    assert!(reason.contains("not a readable feed"), "{reason}");
    let health = net.health("Cut").await;
    assert_failed_health(&health, &reason, 1, before);
    assert_eq!(net.stories_of("Cut").await, stored);
}

// ---------------------------------------------------------------------------------------------
// Charsets
// ---------------------------------------------------------------------------------------------

async fn headline_through(
    encoding: &'static encoding_rs::Encoding,
    declared: &str,
    content_type: &'static str,
    title: &str,
) -> String {
    let server = Server::spawn().await;
    let net = Network::new("charset").await;
    let xml = rss(
        declared,
        &[Item {
            guid: "c-1",
            title,
            description: title,
            link: None,
        }],
    );
    let (bytes, _, unmappable) = encoding.encode(&xml);
    assert!(!unmappable, "fixture not encodable in {}", encoding.name());
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be valid UTF-8"
    );
    server.set(
        "/feed",
        Fixture::Feed {
            body: bytes.into_owned(),
            content_type,
        },
    );
    net.add_source("Charset", &server.url("/feed"), FullTextPolicy::Never)
        .await;
    let report = ingested(poll(&net, &server.fetcher(), "Charset").await);
    assert_eq!(report.inserted, 1);
    let stories = net.stories_of("Charset").await;
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].text, title, "body text");
    stories[0].headline.clone()
}

#[tokio::test]
async fn windows_1252_under_a_lying_utf8_header() {
    let title = "The mayor\u{2019}s \u{201c}quiet\u{201d} plan \u{2014} \u{20ac}5m for caf\u{e9}s";
    let headline = headline_through(
        encoding_rs::WINDOWS_1252,
        "windows-1252",
        "text/xml; charset=utf-8",
        title,
    )
    .await;
    assert_eq!(headline, title);
}

#[tokio::test]
async fn iso_8859_1_declared_in_the_prolog() {
    let title = "Caf\u{e9} \u{e0} la carte: na\u{ef}ve fa\u{e7}ade, \u{a3}3 \u{b0}C \u{bd}";
    let headline = headline_through(
        encoding_rs::WINDOWS_1252,
        "ISO-8859-1",
        "application/rss+xml",
        title,
    )
    .await;
    assert_eq!(headline, title);
}

#[tokio::test]
async fn shift_jis_from_header_and_prolog() {
    let title = "\u{6771}\u{4eac}\u{3067}\u{65b0}\u{3057}\u{3044}\u{99c5}\u{304c}\u{958b}\u{696d}";
    let headline = headline_through(
        encoding_rs::SHIFT_JIS,
        "Shift_JIS",
        "application/xml; charset=Shift_JIS",
        title,
    )
    .await;
    assert_eq!(headline, title);
    // No header charset at all: the XML declaration alone.
    let headline = headline_through(
        encoding_rs::SHIFT_JIS,
        "Shift_JIS",
        "application/xml",
        title,
    )
    .await;
    assert_eq!(headline, title);
}

// ---------------------------------------------------------------------------------------------
// Full text from boilerplate-laden pages, robots.txt
// ---------------------------------------------------------------------------------------------

const BODY_ONE: [&str; 4] = [
    "The harbour ferry operator published a timetable on Monday that moves the first crossing of the day forward by ten minutes, a change commuters on the northern shore have requested for years.",
    "Transport officials said the earlier departures would relieve crowding on the seven-fifteen service, which regularly leaves passengers waiting on the wharf for the next boat.",
    "Residents of the western suburbs were less pleased: two midday services have been cut to pay for the extra morning crossings, and the last evening boat now leaves at half past ten.",
    "The operator said it would review the timetable after three months and publish passenger counts for every route, something campaigners have long demanded.",
];

fn boilerplate_page(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Harbour Herald</title>
<meta property="og:title" content="{title}"></head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept cookies or manage preferences.</div>
<header><nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather forecast</a></li></ul></nav></header>
<main><article class="article">
<h1>{title}</h1>
<div class="byline">By <span class="author">Alex Rowe</span></div>
<div class="share-bar social-share"><a href="https://facebook.example/share">Share on Facebook</a> <a href="https://x.example/share">Share on X</a> <a href="mailto:?">Email this article</a></div>
<div class="article-body">
{body}</div>
<aside class="newsletter-promo"><h3>Sign up for our morning newsletter</h3><p>Subscribe to the Harbour Herald briefing and get the headlines in your inbox every day.</p><form><input type="email"><button>Subscribe</button></form></aside>
</article>
<section class="related-stories"><h2>Related stories</h2><ul><li><a href="/a">Bus lanes extended to the airport</a></li><li><a href="/b">Bridge tolls rise next spring</a></li><li><a href="/c">Parking fines double in the centre</a></li></ul></section>
<section id="comments" class="comments"><h2>Comments (3)</h2><div class="comment"><p>Disgraceful decision by the council, typical.</p></div><div class="comment"><p>Finally some sense from the operator!</p></div></section>
</main>
<footer><p>Copyright Harbour Herald. All rights reserved. Privacy policy. Terms of use.</p></footer>
</body></html>"#
    )
}

#[tokio::test]
async fn full_text_is_the_article_body_and_robots_txt_is_respected() {
    let server = Server::spawn().await;
    let net = Network::new("fulltext").await;
    let fetcher = server.fetcher();
    let one_url = server.url("/news/ferry-timetable");
    let two_url = server.url("/private/council-leak");
    server.feed(
        "/feed",
        rss(
            "UTF-8",
            &[
                Item {
                    guid: "ft-1",
                    title: "Ferry timetable moves the first crossing earlier",
                    description: "Commuters get an earlier boat.",
                    link: Some(&one_url),
                },
                Item {
                    guid: "ft-2",
                    title: "Council papers leak",
                    description: "Papers seen by the Herald show a budget gap.",
                    link: Some(&two_url),
                },
            ],
        ),
    );
    server.set(
        "/news/ferry-timetable",
        Fixture::Page(boilerplate_page(
            "Ferry timetable moves the first crossing earlier",
            &BODY_ONE,
        )),
    );
    server.set(
        "/private/council-leak",
        Fixture::Page(boilerplate_page("Council papers leak", &BODY_ONE)),
    );
    server.set(
        "/robots.txt",
        Fixture::Text("User-agent: *\nDisallow: /private/\n"),
    );
    net.add_source("Herald", &server.url("/feed"), FullTextPolicy::Always)
        .await;

    let report = ingested(poll(&net, &fetcher, "Herald").await);
    assert_eq!(report.inserted, 2);
    assert_eq!((report.pages_fetched, report.pages_failed), (2, 1));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].entry, "ft-2");
    assert!(
        report.problems[0].reason.contains("robots.txt"),
        "{:?}",
        report.problems
    );
    // robots.txt was read once, the disallowed page never requested.
    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!(server.hits("/news/ferry-timetable"), 1);
    assert_eq!(server.hits("/private/council-leak"), 0);

    let stories = net.stories_of("Herald").await;
    let one = stories.iter().find(|s| s.guid == "ft-1").unwrap();
    for paragraph in BODY_ONE {
        assert!(
            one.text.contains(paragraph),
            "missing {paragraph:?} in {:?}",
            one.text
        );
    }
    for boilerplate in [
        "cookie",
        "Home",
        "Weather forecast",
        "Share on",
        "Email this article",
        "newsletter",
        "Subscribe",
        "Related stories",
        "Bus lanes",
        "Comments",
        "Disgraceful",
        "Copyright",
        "Privacy policy",
    ] {
        assert!(
            !one.text.contains(boilerplate) && !one.content_html.contains(boilerplate),
            "boilerplate {boilerplate:?} kept in {:?}",
            one.text
        );
    }
    assert_eq!(
        one.headline,
        "Ferry timetable moves the first crossing earlier"
    );
    let two = stories.iter().find(|s| s.guid == "ft-2").unwrap();
    assert_eq!(two.text, "Papers seen by the Herald show a budget gap.");

    // A re-poll of an unchanged feed (304) fetches no page again; a re-delivered body with
    // unchanged entries neither.
    assert_eq!(
        poll(&net, &fetcher, "Herald").await,
        PollOutcome::NotModified
    );
    assert_eq!(server.hits("/news/ferry-timetable"), 1);
    assert_eq!(net.stories_of("Herald").await.len(), 2);
    let health = net.health("Herald").await;
    assert_eq!(health.consecutive_failures, 0);
    assert!(health.last_error.is_none());
}

// ---------------------------------------------------------------------------------------------
// SSRF
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn loopback_sources_are_refused_without_a_request() {
    let server = Server::spawn().await;
    server.feed("/feed", plain_feed(1));
    let net = Network::new("ssrf").await;
    // The default settings: an empty allow-list.
    let guarded = Fetcher::new(FetchSettings::default()).unwrap();
    let port = server.addr.port();
    let urls = [
        ("literal", format!("http://127.0.0.1:{port}/feed")),
        ("decimal", format!("http://2130706433:{port}/feed")),
        ("hex", format!("http://0x7f.1:{port}/feed")),
        ("mapped", format!("http://[::ffff:127.0.0.1]:{port}/feed")),
        ("name", format!("http://localhost:{port}/feed")),
    ];
    for (name, url) in &urls {
        net.add_source(name, url, FullTextPolicy::Never).await;
        let before = now_micros();
        let (reason, _) = failed(poll(&net, &guarded, name).await);
        assert!(reason.contains("refused"), "{name}: {reason}");
        assert!(reason.contains("loopback"), "{name}: {reason}");
        assert_failed_health(&net.health(name).await, &reason, 1, before);
    }
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}

#[tokio::test]
async fn redirect_to_a_private_address_is_refused() {
    // A source on an allowed server whose feed redirects to a private address.
    let app = Router::new().route(
        "/to-private",
        axum::routing::get(|| async {
            (
                StatusCode::FOUND,
                [(header::LOCATION, "http://10.0.0.1/feed")],
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let net = Network::new("ssrf-redirect").await;
    net.add_source(
        "Redirector",
        &format!("http://{addr}/to-private"),
        FullTextPolicy::Never,
    )
    .await;
    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&addr.to_string()).unwrap()],
        total_timeout: Duration::from_secs(5),
        ..FetchSettings::default()
    })
    .unwrap();
    let (reason, _) = failed(poll(&net, &fetcher, "Redirector").await);
    assert!(reason.contains("refused"), "{reason}");
    assert!(reason.contains("10.0.0.1"), "{reason}");
    assert!(reason.contains("private"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// Leases
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn concurrent_polls_of_one_source_never_duplicate() {
    let server = Server::spawn().await;
    let net = Network::new("lease").await;
    let fetcher = server.fetcher();
    server.set(
        "/feed",
        Fixture::Delayed(Duration::from_millis(300), plain_feed(5).into_bytes()),
    );
    net.add_source("Contested", &server.url("/feed"), FullTextPolicy::Never)
        .await;
    let source = net.source("Contested").await;

    // Two nodes: the second finds the lease taken.
    let other = PollSettings {
        owner: "another-node".into(),
        ..net.settings.clone()
    };
    let (a, b) = tokio::join!(
        poll_source(net.store.as_ref(), &fetcher, &source, &net.settings, false),
        poll_source(net.store.as_ref(), &fetcher, &source, &other, false),
    );
    let mut outcomes = [a.unwrap().outcome, b.unwrap().outcome];
    outcomes.sort_by_key(|o| matches!(o, PollOutcome::Busy));
    assert_eq!(ingested(outcomes[0].clone()).inserted, 5);
    assert_eq!(outcomes[1], PollOutcome::Busy);
    assert_eq!(server.hits("/feed"), 1);
    assert_eq!(net.stories_of("Contested").await.len(), 5);

    // One node, two polls at once (same owner): both may run, nothing is stored twice.
    server.set(
        "/feed",
        Fixture::Delayed(Duration::from_millis(300), plain_feed(8).into_bytes()),
    );
    let (a, b) = tokio::join!(
        poll_source(net.store.as_ref(), &fetcher, &source, &net.settings, false),
        poll_source(net.store.as_ref(), &fetcher, &source, &net.settings, false),
    );
    let (a, b) = (a.unwrap().outcome, b.unwrap().outcome);
    let inserted = |o: &PollOutcome| match o {
        PollOutcome::Ingested(r) => r.inserted,
        _ => 0,
    };
    assert_eq!(inserted(&a) + inserted(&b), 3, "{a:?} {b:?}");
    assert_eq!(net.stories_of("Contested").await.len(), 8);
    assert_eq!(net.all_stories().await.len(), 8);
    // No lease is left behind: the source is due once its interval has passed.
    let later = now_micros() + 901 * 1_000_000;
    let due = net.store.due_sources(later).await.unwrap();
    assert!(due.iter().any(|s| s.name == "Contested"));
    let health = net.health("Contested").await;
    assert_eq!(health.consecutive_failures, 0);
}

// ---------------------------------------------------------------------------------------------
// Found while writing these tests, fixed in crates/jobs/src
// ---------------------------------------------------------------------------------------------

/// One transient failure of the article page (a 503, a timeout, robots.txt unreachable for a
/// while) must not leave the story with its summary for good: the next poll retries the page
/// although the feed entry is unchanged.
#[tokio::test]
async fn full_text_is_retried_after_a_transient_page_failure() {
    let server = Server::spawn().await;
    let net = Network::new("ft-retry").await;
    let fetcher = server.fetcher();
    let url = server.url("/news/ferry-timetable");
    let feed = rss(
        "UTF-8",
        &[Item {
            guid: "ft-1",
            title: "Ferry timetable moves the first crossing earlier",
            description: "Commuters get an earlier boat.",
            link: Some(&url),
        }],
    );
    server.feed("/feed", feed.clone());
    server.set(
        "/news/ferry-timetable",
        Fixture::Status {
            code: 503,
            retry_after: None,
        },
    );
    net.add_source("Herald", &server.url("/feed"), FullTextPolicy::Always)
        .await;
    let report = ingested(poll(&net, &fetcher, "Herald").await);
    assert_eq!((report.pages_fetched, report.pages_failed), (1, 1));

    // The page is back; the feed is re-delivered (new ETag, same entry).
    server.set(
        "/news/ferry-timetable",
        Fixture::Page(boilerplate_page(
            "Ferry timetable moves the first crossing earlier",
            &BODY_ONE,
        )),
    );
    server.feed("/feed", feed + "\n");
    ingested(poll(&net, &fetcher, "Herald").await);
    let stories = net.stories_of("Herald").await;
    assert_eq!(stories.len(), 1);
    assert!(
        stories[0].text.contains(BODY_ONE[0]),
        "still the feed's summary: {:?}",
        stories[0].text
    );
}

/// A poll whose article pages are slow can last longer than the lease (pages are fetched one
/// after another, each up to the total timeout); the poll renews its lease while it runs, so
/// no other node polls the same source meanwhile. Scaled down: 1 s lease, 400 ms timeout,
/// 4 slow pages.
#[tokio::test]
async fn a_poll_with_slow_pages_keeps_its_lease() {
    let server = Server::spawn().await;
    let net = Network::new("lease-pages").await;
    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&server.addr.to_string()).unwrap()],
        total_timeout: Duration::from_millis(400),
        ..FetchSettings::default()
    })
    .unwrap();
    let links: Vec<String> = (1..=4).map(|i| server.url(&format!("/slow/{i}"))).collect();
    let guids: Vec<String> = (1..=4).map(|i| format!("slow-{i}")).collect();
    let items: Vec<Item<'_>> = links
        .iter()
        .zip(&guids)
        .map(|(link, guid)| Item {
            guid,
            title: "A story whose page is slow",
            description: "Short summary.",
            link: Some(link),
        })
        .collect();
    server.feed("/feed", rss("UTF-8", &items));
    for i in 1..=4 {
        server.set(&format!("/slow/{i}"), Fixture::Slow(Duration::from_secs(3)));
    }
    net.add_source("Slow Pages", &server.url("/feed"), FullTextPolicy::Always)
        .await;
    let settings = PollSettings {
        lease: Duration::from_secs(1),
        ..net.settings.clone()
    };
    let other = PollSettings {
        owner: "another-node".into(),
        ..settings.clone()
    };
    let source = net.source("Slow Pages").await;
    let first = poll_source(net.store.as_ref(), &fetcher, &source, &settings, false);
    let second = async {
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        poll_source(net.store.as_ref(), &fetcher, &source, &other, false).await
    };
    let (first, second) = tokio::join!(first, second);
    ingested(first.unwrap().outcome);
    assert_eq!(
        second.unwrap().outcome,
        PollOutcome::Busy,
        "the second node polled while the first still was"
    );
}
