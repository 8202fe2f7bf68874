//! WebSub end to end at the jobs level: a polled feed advertising a hub gets a subscription
//! request at that hub; the hub's verification is answered; signed deliveries are ingested,
//! forged ones ignored.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::{get, post};
use hmac::{KeyInit, Mac};
use masthead_fetch::{FetchSettings, Fetcher, parse_allow};
use masthead_jobs::websub::{self, Delivery};
use masthead_jobs::{IngestSettings, PollOutcome, PollSettings, SiteRoute, WebSubSettings};
use masthead_model::{FullTextPolicy, OffsetTime, Section, SiteSpec, SourceSpec, WebSubState};

fn feed(port: u16, items: &[(&str, &str)]) -> String {
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Pushed Wire</title><link>http://127.0.0.1:{port}/</link><description>d</description>
<atom:link rel="hub" href="http://127.0.0.1:{port}/hub"/>
<atom:link rel="self" href="http://127.0.0.1:{port}/feed.xml"/>"#
    );
    for (guid, title) in items {
        out.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title><pubDate>Sat, 12 Apr 2025 04:01:00 +1000</pubDate>\
             <description>Body of {title}.</description><category>World</category></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

#[derive(Clone, Default)]
struct Hub {
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    body: Arc<Mutex<String>>,
}

#[tokio::test]
async fn a_hub_is_subscribed_verified_and_its_signed_deliveries_ingested() {
    let hub = Hub::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    *hub.body.lock().unwrap() = feed(port, &[("a-1", "First story")]);
    let app =
        axum::Router::new()
            .route(
                "/feed.xml",
                get(|State(h): State<Hub>| async move { h.body.lock().unwrap().clone() }),
            )
            .route(
                "/hub",
                post(
                    |State(h): State<Hub>,
                     axum::Form(form): axum::Form<HashMap<String, String>>| async move {
                        h.requests.lock().unwrap().push(form);
                        axum::http::StatusCode::ACCEPTED
                    },
                ),
            )
            .with_state(hub.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let db = std::env::temp_dir().join(format!("masthead-websub-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let store = masthead_store::open(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let site = store
        .upsert_site(&SiteSpec {
            slug: "push-times".into(),
            name: "Push Times".into(),
            hosts: vec![],
            time_zone: "UTC".into(),
            tagline: String::new(),
            sections: vec![Section {
                slug: "world".into(),
                name: "World".into(),
            }],
        })
        .await
        .unwrap();
    let source = store
        .upsert_source(&SourceSpec {
            name: "Pushed Wire".into(),
            url: format!("http://127.0.0.1:{port}/feed.xml"),
            section: Some("world".into()),
            dateline: None,
            full_text: FullTextPolicy::Never,
            interval_secs: 900,
        })
        .await
        .unwrap();
    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&format!("127.0.0.1:{port}")).unwrap()],
        ..FetchSettings::default()
    })
    .unwrap();
    let mut settings = PollSettings::new(IngestSettings {
        clusters: None,
        routes: vec![SiteRoute {
            site,
            sources: vec![],
            rules: vec![],
        }],
        now: OffsetTime::now_utc(),
        shift_micros: 0,
    });
    settings.websub = Some(WebSubSettings {
        callback_base: url::Url::parse("https://news.example.com/").unwrap(),
    });

    let report = masthead_jobs::poll_source(store.as_ref(), &fetcher, &source, &settings, true)
        .await
        .unwrap();
    assert!(matches!(report.outcome, PollOutcome::Ingested(ref r) if r.inserted == 1));

    // The hub got a subscription request naming our callback, the topic and a secret.
    let request = hub
        .requests
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a hub request");
    assert_eq!(request["hub.mode"], "subscribe");
    assert_eq!(
        request["hub.topic"],
        format!("http://127.0.0.1:{port}/feed.xml")
    );
    let callback = &request["hub.callback"];
    let token = callback
        .strip_prefix("https://news.example.com/websub/")
        .expect("callback under the public base URL");
    let secret = request["hub.secret"].clone();
    assert!(secret.len() >= 32);
    let sub = store.websub_of(source.id).await.unwrap().unwrap();
    assert_eq!(sub.state, WebSubState::Pending);

    // A second poll does not ask again while the request is pending.
    masthead_jobs::poll_source(store.as_ref(), &fetcher, &source, &settings, true)
        .await
        .unwrap();
    assert_eq!(hub.requests.lock().unwrap().len(), 1);

    // Verification: a wrong topic is refused; the right one echoes the challenge.
    let topic = request["hub.topic"].clone();
    let wrong = websub::verify(
        store.as_ref(),
        token,
        "subscribe",
        "http://x/",
        "c1",
        Some(3600),
    )
    .await
    .unwrap();
    assert_eq!(wrong, None);
    let answer = websub::verify(store.as_ref(), token, "subscribe", &topic, "c2", Some(3600))
        .await
        .unwrap();
    assert_eq!(answer.as_deref(), Some("c2"));
    assert_eq!(
        store.websub_of(source.id).await.unwrap().unwrap().state,
        WebSubState::Active
    );

    // A signed delivery is ingested; a forged one is ignored; an unknown token is refused.
    let pushed = feed(port, &[("a-1", "First story"), ("a-2", "Pushed story")]);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(pushed.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let forged = feed(port, &[("a-3", "Forged story")]);
    let outcome = websub::deliver(
        store.as_ref(),
        &fetcher,
        &settings,
        token,
        Some(&signature),
        forged.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(outcome, Delivery::BadSignature);
    let outcome = websub::deliver(
        store.as_ref(),
        &fetcher,
        &settings,
        token,
        Some(&signature),
        pushed.as_bytes(),
    )
    .await
    .unwrap();
    assert!(matches!(outcome, Delivery::Ingested(ref r) if r.inserted == 1 && r.unchanged == 1));
    let unknown = websub::deliver(store.as_ref(), &fetcher, &settings, "nope", None, b"")
        .await
        .unwrap();
    assert_eq!(unknown, Delivery::Unknown);
    let stories = store
        .stories(&masthead_store::StoryFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let headlines: Vec<&str> = stories.iter().map(|s| s.headline.as_str()).collect();
    assert_eq!(stories.len(), 2, "{headlines:?}");
    assert!(!headlines.contains(&"Forged story"));
    let _ = std::fs::remove_file(db);
}
