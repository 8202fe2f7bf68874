//! A gzip bomb costs memory up to the body limit, not up to its inflated size.
//!
//! Alone in its own test binary so that the process's peak resident memory (VmHWM, Linux) is
//! this test's alone: 256 MiB of zeros, gzipped to about 250 KiB, fetched with a 1 MiB limit.

use std::io::Write;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use masthead_fetch::{
    ACCEPT_HTML, FetchError, FetchRequest, FetchSettings, Fetcher, Url, parse_allow,
};

const INFLATED: usize = 256 * 1024 * 1024;
const LIMIT: u64 = 1024 * 1024;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn gzip_bomb_memory_stays_near_the_limit() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..INFLATED / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    drop(zeros);

    let app = Router::new().route(
        "/bomb",
        get(move || {
            let bomb = bomb.clone();
            async move { ([(header::CONTENT_ENCODING, "gzip")], bomb) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&addr.to_string()).unwrap()],
        max_body_bytes: LIMIT,
        ..FetchSettings::default()
    })
    .unwrap();
    let before = peak_rss_kib();
    let started = Instant::now();
    let url = Url::parse(&format!("http://{addr}/bomb")).unwrap();
    let err = fetcher
        .fetch(&FetchRequest::new(url, ACCEPT_HTML))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, FetchError::TooLarge { limit: LIMIT, .. }),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        let grown = after.saturating_sub(before);
        eprintln!(
            "gzip bomb: peak RSS grew {grown} KiB in {elapsed:?} (limit {} KiB)",
            LIMIT / 1024
        );
        assert!(grown < 16 * 1024, "peak RSS grew {grown} KiB");
    }
}
