//! Our own feeds and WebSub: they advertise the configured hub, and when a poll brings new
//! stories the hub is pinged with the feeds' URLs.

use std::sync::{Arc, Mutex};

use axum::routing::{get, post};

use crate::support::{Demo, TempDir, get as http_get};

#[tokio::test]
async fn feeds_name_the_hub_and_the_hub_hears_of_new_stories() {
    let pings: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let feed = std::fs::read_to_string(format!(
        "{}/tests/e2e/testdata/wire.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let seen = pings.clone();
    let app = axum::Router::new()
        .route("/feed.xml", get(move || async move { feed }))
        .route(
            "/hub",
            post(move |body: String| async move {
                seen.lock().unwrap().push(body);
                axum::http::StatusCode::NO_CONTENT
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = TempDir::new("hub");
    std::fs::write(
        dir.path().join("masthead.toml"),
        format!(
            r#"
network_name = "Test network"
listen = "127.0.0.1:0"
database_url = "sqlite://test.db"
websub_hub = "http://127.0.0.1:{port}/hub"

[fetch]
allow = ["127.0.0.1:{port}"]

[[sources]]
name = "Test Wire"
url = "http://127.0.0.1:{port}/feed.xml"
section = "world"
full_text = "never"

[[sites]]
slug = "test-times"
name = "Test Times"
hosts = ["test-times.localhost"]
time_zone = "UTC"
sections = [{{ slug = "world", name = "World" }}]
"#
        ),
    )
    .unwrap();
    let server = Demo::serve(dir);
    let mut got = Vec::new();
    for _ in 0..200 {
        got = pings.lock().unwrap().clone();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!got.is_empty(), "the hub was never pinged");
    assert!(
        got.iter().all(|b| b.contains("hub.mode=publish")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|b| b.contains("%2Fs%2Ftest-times%2Ffeed.xml")),
        "{got:?}"
    );
    let (status, rss) = http_get(&server.url("/s/test-times/feed.xml")).await;
    assert_eq!(status, 200);
    assert!(
        rss.contains(&format!("href=\"http://127.0.0.1:{port}/hub\""))
            && rss.contains("rel=\"hub\""),
        "{rss}"
    );
}
