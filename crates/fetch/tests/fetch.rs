//! End-to-end tests of the fetcher against a local HTTP server playing sources: slow, huge,
//! gzip bombs, redirect loops, redirects to private addresses, 304s, 429s, 500s, legacy charsets,
//! a lying header, robots.txt answers, and a per-host concurrency counter.
//!
//! The server listens on 127.0.0.1:0; fetchers allow exactly that `host:port`, never a range.
//! Refusal tests assert the server saw no request at all.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use encoding_rs::{SHIFT_JIS, WINDOWS_1252};
use masthead_fetch::{
    ACCEPT_FEED, ACCEPT_HTML, FetchError, FetchOutcome, FetchRequest, FetchSettings, FetchedBody,
    Fetcher, Url, decode_html, feed_to_utf8, parse_allow,
};

const QUOTES: &str = "\u{201c}It\u{2019}s here,\u{201d} she said \u{2014} caf\u{e9}.";
const CONTACT: &str = "https://news.example/contact";

#[derive(Default)]
struct Counters {
    hits: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    user_agent: std::sync::Mutex<Option<String>>,
}

struct Server {
    addr: std::net::SocketAddr,
    counters: Arc<Counters>,
}

impl Server {
    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).expect("test server setup")
    }

    fn hits(&self) -> usize {
        self.counters.hits.load(Ordering::SeqCst)
    }

    /// A fetcher that may reach exactly this server.
    fn fetcher(&self, tweak: impl FnOnce(&mut FetchSettings)) -> Fetcher {
        let mut settings = FetchSettings {
            allow: vec![parse_allow(&self.addr.to_string()).expect("test server setup")],
            user_agent: FetchSettings::user_agent_for(Some(CONTACT)),
            ..FetchSettings::default()
        };
        tweak(&mut settings);
        Fetcher::new(settings).expect("test server setup")
    }
}

/// `robots` is the status and body of /robots.txt.
async fn spawn(robots: (StatusCode, &'static str)) -> Server {
    let counters = Arc::new(Counters::default());
    let app = Router::new()
        .route("/feed", get(feed))
        .route("/slow", get(slow))
        .route("/slow-body", get(slow_body))
        .route("/huge", get(huge))
        .route("/huge-chunked", get(huge_chunked))
        .route("/bomb", get(bomb))
        .route("/gzip", get(gzip_small))
        .route("/loop/{n}", get(redirect_loop))
        .route("/once", get(|| async { redirect("/feed") }))
        .route(
            "/to-private",
            get(|| async { redirect("http://10.0.0.1/feed") }),
        )
        .route(
            "/to-metadata",
            get(|| async { redirect("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/to-ftp",
            get(|| async { redirect("ftp://example.com/feed") }),
        )
        .route("/to/{*target}", get(redirect_to))
        .route("/status/{code}", get(status))
        .route("/busy", get(busy))
        .route("/cp1252", get(cp1252))
        .route("/latin1", get(latin1))
        .route("/sjis", get(sjis))
        .route("/lying", get(lying))
        .route(
            "/robots.txt",
            get(move || async move { (robots.0, robots.1) }),
        )
        .route("/articles/{*path}", get(|| async { "article" }))
        .layer(axum::middleware::from_fn_with_state(
            counters.clone(),
            count,
        ))
        .with_state(counters.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test server setup");
    let addr = listener.local_addr().expect("test server setup");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("test server setup") });
    Server { addr, counters }
}

async fn count(
    State(counters): State<Arc<Counters>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    counters.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(ua) = request.headers().get(header::USER_AGENT) {
        *counters.user_agent.lock().expect("test server setup") =
            Some(ua.to_str().expect("test server setup").to_owned());
    }
    next.run(request).await
}

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Sat, 12 Apr 2025 04:01:00 GMT";

async fn feed(headers: HeaderMap) -> Response {
    let matches = |name, value: &str| headers.get(name).is_some_and(|v| v == value);
    if matches(header::IF_NONE_MATCH, ETAG) || matches(header::IF_MODIFIED_SINCE, LAST_MODIFIED) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, ETAG),
            (header::LAST_MODIFIED, LAST_MODIFIED),
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
        ],
        "<rss version=\"2.0\"><channel><title>Echo</title></channel></rss>",
    )
        .into_response()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

async fn slow_body() -> Response {
    let stream = futures_util::stream::unfold(0u32, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        (n < 3).then(|| (Ok::<_, std::io::Error>(vec![b'x'; 10]), n + 1))
    });
    Body::from_stream(stream).into_response()
}

async fn huge() -> Vec<u8> {
    vec![b'a'; 2 * 1024 * 1024]
}

async fn huge_chunked() -> Response {
    // 64 chunks of 64 KiB, no Content-Length: the limit must be found by counting.
    let stream =
        futures_util::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b'b'; 64 * 1024])));
    Body::from_stream(stream).into_response()
}

fn gzip(data_len: usize, byte: u8) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![byte; 64 * 1024];
    for _ in 0..data_len / chunk.len() {
        encoder.write_all(&chunk).expect("test server setup");
    }
    encoder.finish().expect("test server setup")
}

async fn bomb() -> Response {
    // 10 MiB of zeros, gzipped to a few KiB.
    let body = gzip(10 * 1024 * 1024, 0);
    assert!(body.len() < 64 * 1024, "bomb is {} bytes", body.len());
    ([(header::CONTENT_ENCODING, "gzip")], body).into_response()
}

async fn gzip_small() -> Response {
    ([(header::CONTENT_ENCODING, "gzip")], gzip(128 * 1024, b'z')).into_response()
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

async fn redirect_loop(Path(n): Path<u32>) -> Response {
    redirect(&format!("/loop/{}", n + 1))
}

async fn redirect_to(Path(target): Path<String>) -> Response {
    // /to/http://host:port/path: the target is taken verbatim.
    redirect(&target)
}

async fn status(Path(code): Path<u16>) -> Response {
    let code = StatusCode::from_u16(code).expect("test server setup");
    match code.as_u16() {
        429 => (code, [(header::RETRY_AFTER, "120")]).into_response(),
        503 => {
            let when = std::time::SystemTime::now() + Duration::from_secs(3600);
            (code, [(header::RETRY_AFTER, httpdate::fmt_http_date(when))]).into_response()
        }
        _ => code.into_response(),
    }
}

async fn busy(State(counters): State<Arc<Counters>>) -> &'static str {
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await;
    counters.in_flight.fetch_sub(1, Ordering::SeqCst);
    "done"
}

fn encoded(content_type: &'static str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn cp1252() -> Response {
    let body = [
        b"<html><body><p>".as_slice(),
        &WINDOWS_1252.encode(QUOTES).0,
        b"</p></body></html>",
    ]
    .concat();
    encoded("text/html; charset=windows-1252", body)
}

async fn latin1() -> Response {
    let body = [
        b"<p>".as_slice(),
        &WINDOWS_1252
            .encode("Z\u{fc}rich, Gen\u{e8}ve, S\u{e3}o Paulo")
            .0,
        b"</p>",
    ]
    .concat();
    encoded("text/html; charset=ISO-8859-1", body)
}

async fn sjis() -> Response {
    let body = [
        b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss><channel><title>".as_slice(),
        &SHIFT_JIS
            .encode("\u{30cb}\u{30e5}\u{30fc}\u{30b9}\u{901f}\u{5831}")
            .0,
        b"</title></channel></rss>",
    ]
    .concat();
    encoded("application/rss+xml", body)
}

async fn lying() -> Response {
    let body = [
        b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><title>".as_slice(),
        &WINDOWS_1252.encode(QUOTES).0,
        b"</title></channel></rss>",
    ]
    .concat();
    encoded("text/xml; charset=utf-8", body)
}

async fn get_body(fetcher: &Fetcher, url: Url) -> FetchedBody {
    match fetcher
        .fetch(&FetchRequest::new(url, ACCEPT_HTML))
        .await
        .expect("test server setup")
    {
        FetchOutcome::Fetched(body) => body,
        FetchOutcome::NotModified => unreachable!("unexpected 304"),
    }
}

async fn get_err(fetcher: &Fetcher, url: Url) -> FetchError {
    fetcher
        .fetch(&FetchRequest::new(url, ACCEPT_HTML))
        .await
        .expect_err("fetch should fail")
}

const ROBOTS_OK: (StatusCode, &str) = (
    StatusCode::OK,
    "User-agent: *\nDisallow: /articles/private\n\nUser-agent: masthead\nDisallow: /articles/no-masthead\n",
);

#[tokio::test]
async fn conditional_get_and_honest_user_agent() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});
    let first = match fetcher
        .fetch(&FetchRequest::new(server.url("/feed"), ACCEPT_FEED))
        .await
        .unwrap()
    {
        FetchOutcome::Fetched(body) => body,
        FetchOutcome::NotModified => panic!("first fetch is unconditional"),
    };
    assert_eq!(first.status, 200);
    assert_eq!(first.etag.as_deref(), Some(ETAG));
    assert_eq!(first.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_eq!(first.redirects, 0);
    assert!(first.bytes.starts_with(b"<rss"));

    let by_etag = FetchRequest {
        etag: first.etag.clone(),
        ..FetchRequest::new(server.url("/feed"), ACCEPT_FEED)
    };
    assert!(matches!(
        fetcher.fetch(&by_etag).await.unwrap(),
        FetchOutcome::NotModified
    ));
    let by_date = FetchRequest {
        last_modified: first.last_modified.clone(),
        ..FetchRequest::new(server.url("/feed"), ACCEPT_FEED)
    };
    assert!(matches!(
        fetcher.fetch(&by_date).await.unwrap(),
        FetchOutcome::NotModified
    ));
    // A stored validator that is not a valid header value degrades to an unconditional GET.
    let broken = FetchRequest {
        etag: Some("bad\nvalue".into()),
        ..FetchRequest::new(server.url("/feed"), ACCEPT_FEED)
    };
    assert!(matches!(
        fetcher.fetch(&broken).await.unwrap(),
        FetchOutcome::Fetched(_)
    ));

    let ua = server.counters.user_agent.lock().unwrap().clone();
    assert_eq!(
        ua.as_deref(),
        Some("masthead/0.1 (+https://news.example/contact)")
    );
}

#[tokio::test]
async fn redirect_is_followed_and_counted() {
    let server = spawn(ROBOTS_OK).await;
    let body = get_body(&server.fetcher(|_| {}), server.url("/once")).await;
    assert_eq!(body.redirects, 1);
    assert_eq!(body.final_url, server.url("/feed"));
}

#[tokio::test]
async fn gzip_is_decoded() {
    let server = spawn(ROBOTS_OK).await;
    let body = get_body(&server.fetcher(|_| {}), server.url("/gzip")).await;
    assert_eq!(body.bytes.len(), 128 * 1024);
    assert!(body.bytes.iter().all(|b| *b == b'z'));
}

#[tokio::test]
async fn slow_response_times_out() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|s| s.total_timeout = Duration::from_millis(300));
    for path in ["/slow", "/slow-body"] {
        let started = Instant::now();
        let err = get_err(&fetcher, server.url(path)).await;
        assert!(matches!(err, FetchError::Timeout { .. }), "{path}: {err}");
        assert!(err.is_transient());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{path} took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn huge_bodies_are_refused() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|s| s.max_body_bytes = 1024 * 1024);
    for path in ["/huge", "/huge-chunked"] {
        let err = get_err(&fetcher, server.url(path)).await;
        assert!(
            matches!(
                err,
                FetchError::TooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{path}: {err}"
        );
        assert!(!err.is_transient());
    }
    // At the default 10 MiB both fit.
    let body = get_body(&server.fetcher(|_| {}), server.url("/huge-chunked")).await;
    assert_eq!(body.bytes.len(), 4 * 1024 * 1024);
}

#[tokio::test]
async fn gzip_bomb_is_stopped_at_the_limit() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|s| s.max_body_bytes = 1024 * 1024);
    let started = Instant::now();
    let err = get_err(&fetcher, server.url("/bomb")).await;
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn redirect_loop_stops_after_max_redirects() {
    let server = spawn(ROBOTS_OK).await;
    let err = get_err(&server.fetcher(|_| {}), server.url("/loop/0")).await;
    match err {
        FetchError::TooManyRedirects { url, max } => {
            assert_eq!(max, 5);
            assert_eq!(url, server.url("/loop/6"));
        }
        other => panic!("{other}"),
    }
    // The first request and five followed redirects; the sixth is not requested.
    assert_eq!(server.hits(), 6);
}

#[tokio::test]
async fn redirects_to_private_addresses_are_refused_before_connecting() {
    let server = spawn(ROBOTS_OK).await;
    let other = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});
    let cases = [
        ("/to-private".to_owned(), "10.0.0.1"),
        ("/to-metadata".to_owned(), "169.254.169.254"),
        // Same machine, a port that is not allow-listed.
        (
            format!("/to/http://127.0.0.1:{}/feed", other.addr.port()),
            "127.0.0.1",
        ),
        (
            format!("/to/http://[::ffff:127.0.0.1]:{}/feed", other.addr.port()),
            "::ffff:127.0.0.1",
        ),
        // A name resolving to loopback: refused by the resolver at connect time.
        (
            format!("/to/http://localhost:{}/feed", other.addr.port()),
            "",
        ),
    ];
    for (path, addr) in cases {
        let err = get_err(&fetcher, server.url(&path)).await;
        match &err {
            FetchError::Refused { addr: refused, .. } => {
                if !addr.is_empty() {
                    assert_eq!(&**refused, addr, "{path}");
                }
            }
            other => panic!("{path}: {other}"),
        }
        assert!(!err.is_transient());
    }
    assert_eq!(
        other.hits(),
        0,
        "the redirect target must never be contacted"
    );
    let err = get_err(&fetcher, server.url("/to-ftp")).await;
    assert!(matches!(err, FetchError::BadUrl { .. }), "{err}");
}

#[tokio::test]
async fn defaults_refuse_loopback_in_every_spelling_without_connecting() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = Fetcher::new(FetchSettings::default()).unwrap();
    let port = server.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/feed"),
        format!("http://[::1]:{port}/feed"),
        format!("http://[::ffff:127.0.0.1]:{port}/feed"),
        format!("http://2130706433:{port}/feed"),
        format!("http://0x7f.1:{port}/feed"),
        format!("http://0177.0.0.1:{port}/feed"),
        format!("http://localhost:{port}/feed"),
        format!("http://LocalHost:{port}/feed"),
        format!("http://127.1:{port}/feed"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/feed".to_owned(),
        "http://[fd00::1]/feed".to_owned(),
    ] {
        let err = get_err(&fetcher, Url::parse(&url).unwrap()).await;
        assert!(matches!(err, FetchError::Refused { .. }), "{url}: {err}");
        assert!(err.to_string().starts_with("refused to fetch"), "{err}");
    }
    assert!(!fetcher.robots_allowed(&server.url("/articles/a")).await);
    assert_eq!(server.hits(), 0, "no request may reach the server");
}

#[tokio::test]
async fn error_statuses_carry_retry_after() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});
    let err = get_err(&fetcher, server.url("/status/429")).await;
    assert!(
        matches!(err, FetchError::Status { status: 429, .. }),
        "{err}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.is_transient());

    let err = get_err(&fetcher, server.url("/status/503")).await;
    let wait = err.retry_after().expect("Retry-After date");
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert!(err.is_transient());

    let err = get_err(&fetcher, server.url("/status/500")).await;
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: 500,
                retry_after: None,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_transient());

    let err = get_err(&fetcher, server.url("/status/404")).await;
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn per_host_concurrency_is_limited() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});
    let started = Instant::now();
    let fetches = (0..6).map(|_| {
        let fetcher = fetcher.clone();
        let url = server.url("/busy");
        tokio::spawn(async move { fetcher.fetch(&FetchRequest::new(url, ACCEPT_HTML)).await })
    });
    for fetch in futures_util::future::join_all(fetches).await {
        assert!(matches!(fetch.unwrap().unwrap(), FetchOutcome::Fetched(_)));
    }
    assert_eq!(server.counters.max_in_flight.load(Ordering::SeqCst), 2);
    // Six 150 ms requests, two at a time: at least three rounds.
    assert!(started.elapsed() >= Duration::from_millis(450));
}

#[tokio::test]
async fn legacy_charsets_decode_to_utf8() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});

    let body = get_body(&fetcher, server.url("/cp1252")).await;
    let (text, encoding) = decode_html(&body.bytes, body.content_type.as_deref());
    assert_eq!(encoding, "windows-1252");
    assert_eq!(text, format!("<html><body><p>{QUOTES}</p></body></html>"));

    let body = get_body(&fetcher, server.url("/latin1")).await;
    let (text, _) = decode_html(&body.bytes, body.content_type.as_deref());
    assert_eq!(text, "<p>Z\u{fc}rich, Gen\u{e8}ve, S\u{e3}o Paulo</p>");

    let body = get_body(&fetcher, server.url("/sjis")).await;
    let utf8 = String::from_utf8(feed_to_utf8(&body.bytes, body.content_type.as_deref())).unwrap();
    assert_eq!(
        utf8,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><title>\u{30cb}\u{30e5}\u{30fc}\u{30b9}\u{901f}\u{5831}</title></channel></rss>"
    );

    // The header says UTF-8, the bytes are not UTF-8 and the XML declaration says windows-1252:
    // the declaration wins (see `charset` module documentation).
    let body = get_body(&fetcher, server.url("/lying")).await;
    assert_eq!(
        body.content_type.as_deref(),
        Some("text/xml; charset=utf-8")
    );
    let utf8 = String::from_utf8(feed_to_utf8(&body.bytes, body.content_type.as_deref())).unwrap();
    assert_eq!(
        utf8,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><title>{QUOTES}</title></channel></rss>"
        )
    );
}

#[tokio::test]
async fn robots_txt_rules_and_failures() {
    let server = spawn(ROBOTS_OK).await;
    let fetcher = server.fetcher(|_| {});
    assert!(
        fetcher
            .robots_allowed(&server.url("/articles/public/1"))
            .await
    );
    assert!(
        !fetcher
            .robots_allowed(&server.url("/articles/no-masthead/1"))
            .await
    );
    // The `masthead` group replaces `*` for us, so /articles/private is not ours to avoid.
    assert!(
        fetcher
            .robots_allowed(&server.url("/articles/private/1"))
            .await
    );
    assert_eq!(server.hits(), 1, "robots.txt is fetched once per origin");

    for (status, allowed) in [
        (StatusCode::NOT_FOUND, true),
        (StatusCode::GONE, true),
        (StatusCode::UNAUTHORIZED, false),
        (StatusCode::FORBIDDEN, false),
        (StatusCode::INTERNAL_SERVER_ERROR, false),
        (StatusCode::SERVICE_UNAVAILABLE, false),
        (StatusCode::TOO_MANY_REQUESTS, false),
    ] {
        let server = spawn((status, "User-agent: *\nDisallow: /\n")).await;
        let fetcher = server.fetcher(|_| {});
        assert_eq!(
            fetcher.robots_allowed(&server.url("/articles/a")).await,
            allowed,
            "robots.txt {status}"
        );
        assert_eq!(
            fetcher.robots_allowed(&server.url("/articles/b")).await,
            allowed,
            "robots.txt {status}"
        );
        assert_eq!(server.hits(), 1, "cached after {status}");
    }
}
