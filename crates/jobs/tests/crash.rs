//! Crash safety of a poll pass: a pass over 50 slowly served sources is aborted mid-way
//! (the task dropped wherever it was: waiting for a feed, inside an ingest, between writes),
//! three times at different moments, each time by a "node" with its own lease owner. Once the
//! leases have expired a new node runs a full pass, and then every story exists exactly once,
//! every source's health is a success, and no source is left leased.
//!
//! This simulates `kill -9` in-process: dropping the future stops it at an await point, which
//! is where a killed process stops too as far as the database is concerned (SQLite commits or
//! rolls back whole transactions either way).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::{Item, Network, rss};
use masthead_fetch::{FetchSettings, Fetcher, parse_allow};
use masthead_jobs::{PollOutcome, PollSettings, poll_sources};
use masthead_model::{FullTextPolicy, OffsetTime};

const SOURCES: usize = 50;
const ENTRIES: usize = 10;

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    not_modified: AtomicUsize,
}

fn feed(n: usize) -> String {
    let items: Vec<(String, String, String)> = (0..ENTRIES)
        .map(|i| {
            (
                format!("src{n}-entry{i}"),
                format!("Source {n} reports event {i}"),
                format!("Event {i} as source {n} reported it, with enough words to sanitize."),
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

/// Feed `n` answers after 150–550 ms, with an ETag.
async fn serve_feed(
    State(counters): State<Arc<Counters>>,
    Path(n): Path<usize>,
    headers: HeaderMap,
) -> Response {
    counters.requests.fetch_add(1, Ordering::SeqCst);
    let delay = 150 + (n % 5) as u64 * 100;
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let etag = format!("\"feed-{n}-v1\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        counters.not_modified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, etag),
            (header::CONTENT_TYPE, "application/rss+xml".to_owned()),
        ],
        feed(n),
    )
        .into_response()
}

fn now_micros() -> i64 {
    OffsetTime::now_utc().unix_micros
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_aborted_mid_way_loses_nothing_and_duplicates_nothing() {
    let counters = Arc::new(Counters::default());
    let app = Router::new()
        .route("/feeds/{n}", axum::routing::get(serve_feed))
        .with_state(counters.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let net = Network::new("crash").await;
    for n in 0..SOURCES {
        net.add_source(
            &format!("Source {n:02}"),
            &format!("http://{addr}/feeds/{n}"),
            FullTextPolicy::Never,
        )
        .await;
    }
    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&addr.to_string()).unwrap()],
        per_host_concurrency: 8,
        total_timeout: Duration::from_secs(5),
        ..FetchSettings::default()
    })
    .unwrap();
    let node = |owner: &str| PollSettings {
        owner: owner.to_owned(),
        lease: Duration::from_secs(1),
        concurrency: 8,
        ..net.settings.clone()
    };

    // Three crashes, each at another moment of a pass, each by another node.
    for (owner, abort_after_ms) in [("node-a", 700), ("node-b", 430), ("node-c", 910)] {
        let store = net.store.clone();
        let fetcher = fetcher.clone();
        let settings = node(owner);
        let sources = store.due_sources(now_micros()).await.unwrap();
        assert!(!sources.is_empty());
        let pass = tokio::spawn(async move {
            poll_sources(
                store.as_ref(),
                &fetcher,
                &sources,
                &settings,
                false,
                &|_| (),
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(abort_after_ms)).await;
        pass.abort();
        let aborted = pass.await;
        assert!(
            aborted.as_ref().is_err_and(|e| e.is_cancelled()),
            "the pass finished before the abort: {aborted:?}"
        );
        // Until the leases expire, the sources the dead node was polling are not due.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }

    let sources = net.store.sources().await.unwrap();
    assert_eq!(sources.len(), SOURCES);
    let done = sources
        .iter()
        .filter(|s| s.health.last_success_at.is_some())
        .count();
    assert!(
        done > 0 && done < SOURCES,
        "the crashes should fall mid-pass: {done} of {SOURCES} sources done"
    );
    // Every source not yet polled to the end is due again: no lease outlived its expiry.
    let due = net.store.due_sources(now_micros()).await.unwrap();
    assert_eq!(due.len(), SOURCES - done, "due: {due:?}");
    for source in &sources {
        let health = &source.health;
        assert_eq!(
            health.consecutive_failures, 0,
            "{}: {health:?}",
            source.name
        );
        assert!(health.last_error.is_none(), "{}: {health:?}", source.name);
        let stored = net.stories_of(&source.name).await.len();
        if health.last_success_at.is_some() {
            // A recorded success means the whole document was ingested before it.
            assert_eq!(stored, ENTRIES, "{}", source.name);
        } else {
            assert!(stored <= ENTRIES, "{}", source.name);
        }
    }
    let stored_before = net.all_stories().await.len();
    let mut partial = 0;
    for source in &sources {
        let stored = net.stories_of(&source.name).await.len();
        if source.health.last_success_at.is_none() && stored > 0 {
            partial += 1;
        }
    }
    eprintln!(
        "after 3 crashes: {done} sources done, {partial} cut mid-ingest, {stored_before} stories"
    );

    // The restarted node polls every source (due or not): nothing is busy, nothing fails.
    let requests_before = counters.requests.load(Ordering::SeqCst);
    let not_modified_before = counters.not_modified.load(Ordering::SeqCst);
    let reports = poll_sources(
        net.store.as_ref(),
        &fetcher,
        &sources,
        &node("node-restarted"),
        false,
        &|_| (),
    )
    .await
    .unwrap();
    assert_eq!(reports.len(), SOURCES);
    let mut inserted = 0;
    let mut not_modified = 0;
    for report in &reports {
        match &report.outcome {
            PollOutcome::Ingested(r) => {
                assert_eq!(r.updated, 0, "{report:?}");
                assert!(r.problems.is_empty(), "{report:?}");
                inserted += r.inserted;
            }
            PollOutcome::NotModified => not_modified += 1,
            other => panic!("{}: {other:?}", report.source),
        }
    }
    // Sources that finished before a crash cost a 304; the others are fetched again and
    // only their missing stories are inserted.
    assert_eq!(not_modified, done);
    assert_eq!(
        counters.not_modified.load(Ordering::SeqCst) - not_modified_before,
        done
    );
    // At least one request a source; a request cut by the last crash may still reach the
    // server late (once seen under load), so the count is a lower bound.
    let requests = counters.requests.load(Ordering::SeqCst) - requests_before;
    assert!(requests >= SOURCES, "{requests} requests");
    assert_eq!(stored_before + inserted, SOURCES * ENTRIES);

    // Every story exactly once, each placed once.
    let all = net.all_stories().await;
    assert_eq!(all.len(), SOURCES * ENTRIES);
    let mut keys: Vec<(i64, &str)> = all.iter().map(|s| (s.source_id, s.guid.as_str())).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), SOURCES * ENTRIES);
    assert_eq!(
        net.store
            .count_site_stories(net.site_id, None)
            .await
            .unwrap(),
        i64::try_from(SOURCES * ENTRIES).unwrap()
    );

    // Every source healthy, validators stored, next poll a full interval away, no lease held:
    // resumed (due at once), every one of them is due.
    let now = now_micros();
    for source in net.store.sources().await.unwrap() {
        let health = &source.health;
        assert!(
            health.last_success_at.is_some(),
            "{}: {health:?}",
            source.name
        );
        assert_eq!(health.consecutive_failures, 0);
        assert!(!health.paused);
        assert!(health.etag.is_some(), "{}: {health:?}", source.name);
        assert!(health.next_poll_at.unwrap().unix_micros > now + 800 * 1_000_000);
        assert_eq!(net.stories_of(&source.name).await.len(), ENTRIES);
        assert!(
            net.store
                .set_source_paused(&source.name, false)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        net.store.due_sources(now_micros()).await.unwrap().len(),
        SOURCES
    );
}
