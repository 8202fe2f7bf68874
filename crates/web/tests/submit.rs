//! The news release form through the real router, an in-memory SQLite store, a mailer writing
//! to an outbox and a temporary uploads directory: the happy path with a photo, each
//! validation error (values kept), the honeypot, the minimum fill time, the link limit,
//! duplicates, a non-image named .jpg, and the rate limits. Multipart bodies are built by hand.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use masthead_mail::{MailAddress, MailSettings, Mailer, Transport};
use masthead_model::{OffsetTime, ReleaseStatus, Section, SiteSpec};
use masthead_store::Store;
use masthead_web::WebSettings;
use scraper::{Html, Selector};
use tower::ServiceExt;

const HOST: &str = "orlando-echo.localhost";
const SECRET: &[u8] = b"a test secret of thirty-two bytes";
const BOUNDARY: &str = "----mastheadTestBoundary7MA4YWxk";

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fixture {
    fn uploads(&self) -> PathBuf {
        self.dir.join("uploads")
    }

    fn outbox(&self) -> PathBuf {
        self.dir.join("outbox")
    }

    fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.outbox()) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
            .collect()
    }

    fn upload_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.uploads())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }
}

async fn fixture() -> Fixture {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "masthead-web-submit-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    for (slug, name, host) in [
        ("orlando-echo", "Orlando Echo", HOST),
        ("tampa-tide", "Tampa Tide", "tampa-tide.localhost"),
    ] {
        store
            .upsert_site(&SiteSpec {
                slug: slug.into(),
                name: name.into(),
                hosts: vec![host.into()],
                time_zone: "America/New_York".into(),
                tagline: String::new(),
                sections: vec![Section {
                    slug: "business".into(),
                    name: "Business".into(),
                }],
            })
            .await
            .unwrap();
    }
    let mailer = Mailer::new(MailSettings {
        from: MailAddress::new("Masthead Network", "news@masthead.test"),
        transport: Transport::Outbox(dir.join("outbox")),
        dkim: None,
        rate_per_second: None,
        pool_size: 1,
    })
    .unwrap();
    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: Some("http://news.test:8080/".into()),
            static_files: vec![],
            websub: None,
            intake: None,
            mail: Some(mailer),
            secret: SECRET.to_vec(),
            newsroom: None,
            uploads_dir: Some(dir.join("uploads")),
            outbox_dir: None,
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    Fixture { router, store, dir }
}

struct Page {
    status: StatusCode,
    body: String,
}

impl Page {
    fn doc(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The message next to a field (its `id="release-{name}-error"`).
    fn error(&self, name: &str) -> Option<String> {
        let sel = Selector::parse(&format!("#release-{name}-error")).unwrap();
        self.doc()
            .select(&sel)
            .next()
            .map(|e| e.text().collect::<String>())
    }

    fn value(&self, name: &str) -> String {
        let doc = self.doc();
        let input = Selector::parse(&format!("[name=\"{name}\"]")).unwrap();
        let el = doc.select(&input).next().unwrap();
        if el.value().name() == "textarea" {
            el.text().collect()
        } else if el.value().name() == "select" {
            let opt = Selector::parse("option[selected]").unwrap();
            el.select(&opt)
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or_default()
                .to_owned()
        } else {
            el.value().attr("value").unwrap_or_default().to_owned()
        }
    }

    fn checked_sites(&self) -> Vec<String> {
        let sel = Selector::parse("input[name=\"sites\"][checked]").unwrap();
        self.doc()
            .select(&sel)
            .filter_map(|e| e.value().attr("value").map(str::to_owned))
            .collect()
    }
}

struct Client<'f> {
    f: &'f Fixture,
    cookie: Option<String>,
    csrf: String,
    peer: SocketAddr,
}

enum Part<'a> {
    Text(&'a str, String),
    File(&'a str, &'a str, &'a str, Vec<u8>),
}

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file, ctype, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                         Content-Type: {ctype}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A start time `secs_ago` seconds before now, signed as the form signs it.
fn started(secs_ago: i64) -> String {
    let secs = OffsetTime::now_utc().unix_micros / 1_000_000 - secs_ago;
    format!(
        "{secs}.{}",
        masthead_mail::signed::sign(SECRET, "release-form", secs)
    )
}

fn good_fields() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "business".into()),
        ("organisation", "Harbor Bakery".into()),
        ("contact_name", "Ana Ruiz".into()),
        ("contact_email", "ana@harbor-bakery.example".into()),
        ("contact_phone", "+1 407 555 0100".into()),
        (
            "headline",
            "Harbor Bakery opens a second shop downtown".into(),
        ),
        (
            "body",
            "Harbor Bakery opens its second shop on **Main Street** on Monday.\n\nThe shop \
             will employ twelve people. See [our site](https://harbor-bakery.example)."
                .into(),
        ),
        ("dateline", "ORLANDO, Florida".into()),
        ("event_at", String::new()),
        ("event_place", String::new()),
        ("sites", "orlando-echo".into()),
        ("sites", "tampa-tide".into()),
        ("website", String::new()),
    ]
}

fn with(fields: &[(&'static str, String)], name: &str, value: &str) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

impl<'f> Client<'f> {
    async fn new(f: &'f Fixture, ip: [u8; 4]) -> Self {
        let mut c = Self {
            f,
            cookie: None,
            csrf: String::new(),
            peer: SocketAddr::from((ip, 40_000)),
        };
        let page = c.get("/submit").await;
        assert_eq!(page.status, StatusCode::OK);
        let sel = Selector::parse("input[name=\"csrf\"]").unwrap();
        c.csrf = page
            .doc()
            .select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_owned();
        c
    }

    async fn send(&mut self, mut req: Request<Body>) -> Page {
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.f.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            self.cookie = Some(pair.to_owned());
        }
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let mut b = Request::builder().uri(path).header(header::HOST, HOST);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    async fn submit(
        &mut self,
        fields: &[(&'static str, String)],
        started: String,
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Page {
        let mut parts = vec![
            Part::Text("csrf", self.csrf.clone()),
            Part::Text("started", started),
        ];
        parts.extend(fields.iter().map(|(k, v)| Part::Text(k, v.clone())));
        if let Some((name, ctype, bytes)) = file {
            parts.push(Part::File("image", name, ctype, bytes));
        }
        let mut b = Request::builder()
            .method("POST")
            .uri("/submit")
            .header(header::HOST, HOST)
            .header("sec-fetch-site", "same-origin")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            );
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(multipart(&parts))).unwrap())
            .await
    }
}

fn reference_in(body: &str) -> String {
    let start = body.find("R-").unwrap();
    body.get(start..)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

#[tokio::test]
async fn the_form_checks_this_site_and_offers_every_site() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 1]).await;
    let page = c.get("/submit").await;
    assert_eq!(page.checked_sites(), ["orlando-echo"]);
    assert!(page.body.contains("Tampa Tide"));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let prefixed = c.get("/s/tampa-tide/submit").await;
    assert_eq!(prefixed.status, StatusCode::OK);
    assert_eq!(prefixed.checked_sites(), ["tampa-tide"]);
}

#[tokio::test]
async fn a_release_with_a_photo_is_stored_confirmed_and_shown_with_its_reference() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 2]).await;
    let page = c
        .submit(
            &good_fields(),
            started(3),
            Some(("shop.jpg", "image/jpeg", jpeg(640, 480))),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let reference = reference_in(&page.body);
    let stored = f.store.releases(None, None, None, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    let r = &stored[0];
    assert_eq!(r.reference, reference);
    assert_eq!(r.status, ReleaseStatus::Submitted);
    assert_eq!(r.release.sites.len(), 2);
    assert_eq!(
        r.release.headline,
        "Harbor Bakery opens a second shop downtown"
    );
    let image = r.release.image.as_ref().unwrap();
    assert_eq!(image.content_type, "image/jpeg");
    assert_eq!((image.width, image.height), (640, 480));
    assert!(
        !image.file.contains("shop"),
        "a generated name: {}",
        image.file
    );
    let files = f.upload_files();
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with(&image.file));
    let mails = f.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains(&reference));
    assert!(mails[0].contains("ana@harbor-bakery.example"));
}

#[tokio::test]
async fn each_validation_error_keeps_what_was_typed() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 3]).await;
    let cases: [(&str, &str, &str); 6] = [
        ("kind", "", "kind"),
        ("organisation", "", "organisation"),
        ("contact_email", "ana@", "contact_email"),
        ("contact_phone", "call me", "contact_phone"),
        ("headline", "Short", "headline"),
        ("body", "Too short.", "body"),
    ];
    for (field, value, error_at) in cases {
        let fields = with(&good_fields(), field, value);
        let page = c
            .submit(
                &fields,
                started(5),
                Some(("shop.jpg", "image/jpeg", jpeg(300, 300))),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(page.error(error_at).is_some(), "{field}: no message");
        for (k, v) in good_fields()
            .iter()
            .filter(|(k, _)| !matches!(*k, "sites" | "website" | "event_at" | "event_place"))
        {
            let expected = if *k == field { value } else { v.as_str() };
            assert_eq!(page.value(k), expected, "{field}: {k} not kept");
        }
        assert_eq!(page.checked_sites(), ["orlando-echo", "tampa-tide"]);
        assert!(
            page.body.contains("Choose it again"),
            "the file must be re-chosen"
        );
    }
    let none = with(&good_fields(), "sites", "");
    let none: Vec<_> = none
        .into_iter()
        .filter(|(k, v)| *k != "sites" || !v.is_empty())
        .collect();
    let page = c.submit(&none, started(5), None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("at least one site"));
    assert!(
        f.store
            .releases(None, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(f.upload_files().is_empty());
}

#[tokio::test]
async fn the_honeypot_stores_nothing() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 4]).await;
    let page = c
        .submit(
            &with(&good_fields(), "website", "http://spam.example"),
            started(10),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Thank you"));
    assert!(
        f.store
            .releases(None, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(f.mails().is_empty());
}

#[tokio::test]
async fn too_fast_is_refused_kindly_and_three_seconds_pass() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 5]).await;
    let page = c.submit(&good_fields(), started(0), None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("please take a moment"));
    assert_eq!(
        page.value("headline"),
        "Harbor Bakery opens a second shop downtown"
    );
    // A forged start time is as good as none.
    let forged = c.submit(&good_fields(), "1.abc".into(), None).await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        f.store
            .releases(None, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let page = c.submit(&good_fields(), started(3), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("R-"));
}

#[tokio::test]
async fn more_than_five_links_are_refused() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 6]).await;
    let body = "Harbor Bakery opens its second shop. https://a.example https://b.example \
                https://c.example https://d.example https://e.example https://f.example";
    let page = c
        .submit(&with(&good_fields(), "body", body), started(5), None)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.error("body").unwrap().contains("6 links"));
    assert_eq!(page.value("body"), body);
}

#[tokio::test]
async fn a_duplicate_is_recognised_with_its_reference() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 7]).await;
    let first = c.submit(&good_fields(), started(5), None).await;
    let reference = reference_in(&first.body);
    let spaced = with(
        &good_fields(),
        "headline",
        "Harbor  Bakery opens a second shop DOWNTOWN",
    );
    let again = c
        .submit(
            &spaced,
            started(5),
            Some(("a.jpg", "image/jpeg", jpeg(300, 300))),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("We already have this release"));
    assert!(again.body.contains(&reference));
    assert_eq!(
        f.store.releases(None, None, None, 10).await.unwrap().len(),
        1
    );
    assert!(
        f.upload_files().is_empty(),
        "the duplicate's photo is not kept"
    );
    assert_eq!(f.mails().len(), 1);
}

#[tokio::test]
async fn a_non_image_named_jpg_is_refused() {
    let f = fixture().await;
    let mut c = Client::new(&f, [192, 0, 2, 8]).await;
    let script = b"<?php system($_GET['c']); ?>".to_vec();
    let page = c
        .submit(
            &good_fields(),
            started(5),
            Some(("photo.jpg", "image/jpeg", script)),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.error("image")
            .unwrap()
            .contains("not a JPEG, PNG or WebP")
    );
    assert_eq!(page.value("organisation"), "Harbor Bakery");
    let small = c
        .submit(
            &good_fields(),
            started(5),
            Some(("tiny.jpg", "image/jpeg", jpeg(100, 100))),
        )
        .await;
    assert!(small.error("image").unwrap().contains("100×100"));
    assert!(
        f.store
            .releases(None, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(f.upload_files().is_empty());
}

#[tokio::test]
async fn rate_limits_per_ip_and_per_address() {
    let f = fixture().await;
    // Per address: five a day, from any network.
    for i in 0..6u8 {
        let mut c = Client::new(&f, [198, 51, 100, i]).await;
        let headline = format!("Harbor Bakery opens shop number {i} downtown");
        let page = c
            .submit(
                &with(&good_fields(), "headline", &headline),
                started(5),
                None,
            )
            .await;
        if i < 5 {
            assert_eq!(page.status, StatusCode::OK, "{i}: {}", page.body);
        } else {
            assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(page.body.contains("for this email address"));
        }
    }
    // Per IP: a burst of five, from any address.
    let mut c = Client::new(&f, [203, 0, 113, 9]).await;
    for i in 0..6u8 {
        let fields = with(
            &good_fields(),
            "contact_email",
            &format!("p{i}@example.org"),
        );
        let page = c.submit(&fields, started(5), None).await;
        if i < 5 {
            assert_eq!(page.status, StatusCode::OK, "{i}");
        } else {
            assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(page.body.contains("from your network"));
        }
    }
}
