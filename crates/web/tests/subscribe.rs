//! The daily email's public pages through the real router, a real (in-memory SQLite) store and
//! a real mailer writing to an outbox directory: double opt-in, expired and reused links, the
//! honeypot, address checks, the per-address and per-IP limits, CSRF, no enumeration,
//! unsubscribe (button and RFC 8058 one-click) and preferences.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use masthead_mail::{MailAddress, MailSettings, Mailer, Transport};
use masthead_model::{ConfirmOutcome, OffsetTime, Section, SiteSpec, SubscriberStatus};
use masthead_store::Store;
use masthead_web::WebSettings;
use scraper::{Html, Selector};
use sha2::Digest;
use tower::ServiceExt;

const HOST: &str = "orlando-echo.localhost";
const BASE_URL: &str = "http://news.test:8080/";
const SECRET: &[u8] = b"a test secret of thirty-two bytes";

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    site: i64,
    outbox: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.outbox);
    }
}

fn temp_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "masthead-web-subscribe-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.into(),
        name: name.into(),
    }
}

async fn fixture_with(mail: bool) -> Fixture {
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let site = store
        .upsert_site(&SiteSpec {
            slug: "orlando-echo".into(),
            name: "Orlando Echo".into(),
            hosts: vec![HOST.into()],
            time_zone: "America/New_York".into(),
            tagline: "News for Central Florida".into(),
            sections: vec![
                section("world", "World"),
                section("business", "Business"),
                section("sports", "Sports"),
            ],
        })
        .await
        .unwrap();
    let outbox = temp_dir();
    let mailer = mail.then(|| {
        Mailer::new(MailSettings {
            from: MailAddress::new("Masthead Network", "news@masthead.test"),
            transport: Transport::Outbox(outbox.clone()),
            dkim: None,
            rate_per_second: None,
            pool_size: 1,
        })
        .unwrap()
    });
    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: Some(BASE_URL.into()),
            static_files: vec![],
            websub: None,
            intake: None,
            mail: mailer,
            secret: SECRET.to_vec(),
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
        site: site.id,
        outbox,
    }
}

async fn fixture() -> Fixture {
    fixture_with(true).await
}

/// A browser: keeps the CSRF cookie, sends from one address.
struct Client<'f> {
    f: &'f Fixture,
    cookie: Option<String>,
    peer: SocketAddr,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn doc(&self) -> Html {
        Html::parse_document(&self.body)
    }

    fn text(&self, css: &str) -> String {
        let doc = self.doc();
        doc.select(&sel(css))
            .map(|e| e.text().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn attr(&self, css: &str, attr: &str) -> Option<String> {
        self.doc()
            .select(&sel(css))
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    fn heading(&self) -> String {
        self.text("main h1")
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl<'f> Client<'f> {
    fn new(f: &'f Fixture) -> Self {
        Self::from_ip(f, [192, 0, 2, 10])
    }

    fn from_ip(f: &'f Fixture, ip: [u8; 4]) -> Self {
        Self {
            f,
            cookie: None,
            peer: SocketAddr::from((ip, 40_000)),
        }
    }

    async fn send(&mut self, mut req: Request<Body>) -> Page {
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.f.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            self.cookie = Some(pair.to_owned());
        }
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if let Some(cookie) = &self.cookie {
            b = b.header(header::COOKIE, cookie);
        }
        b
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// A form POST as a browser sends it from our own page.
    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        self.post_with(path, pairs, &[("sec-fetch-site", "same-origin")])
            .await
    }

    async fn post_with(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Page {
        let mut b = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in extra {
            b = b.header(*name, *value);
        }
        let req = b.body(Body::from(form_body(pairs))).unwrap();
        self.send(req).await
    }

    /// The CSRF field of the form on `path`.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        page.attr("main input[name=csrf]", "value").unwrap()
    }

    /// Fills in the subscribe form for `email` with every section.
    async fn subscribe(&mut self, email: &str) -> Page {
        let csrf = self.csrf("/subscribe").await;
        self.post(
            "/subscribe",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("section", "world"),
                ("section", "business"),
                ("section", "sports"),
                ("website", ""),
            ],
        )
        .await
    }
}

/// The outbox's mails, oldest first: (to, subject, text part).
fn outbox(dir: &Path) -> Vec<(String, String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
            (
                message
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap()
                    .to_owned(),
                message.subject().unwrap().to_owned(),
                message.body_text(0).unwrap().into_owned(),
            )
        })
        .collect()
}

/// The first link in `text` containing `needle`, as a path and query on our host.
fn link_in(text: &str, needle: &str) -> String {
    let url = text
        .split_whitespace()
        .find(|w| w.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} link in {text}"));
    let url = url::Url::parse(url).unwrap();
    assert_eq!(url.host_str(), Some(HOST), "{url}");
    assert_eq!(
        url.port(),
        Some(8080),
        "absolute links use the base URL's port"
    );
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

fn hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()).as_slice())
}

async fn subscriber_of(f: &Fixture, email: &str) -> Option<masthead_model::Subscriber> {
    f.store
        .subscribers(f.site, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.email == email)
}

/// A confirmed subscriber made through the store, as if they had followed the link.
async fn confirmed(f: &Fixture, email: &str) -> i64 {
    let now = OffsetTime::now_utc();
    let token = format!("{:0>64}", email.len());
    f.store
        .subscribe_request(
            f.site,
            email,
            &hash(&token),
            now.unix_micros + 3_600_000_000,
            now,
        )
        .await
        .unwrap();
    match f
        .store
        .confirm_subscription(&hash(&token), now)
        .await
        .unwrap()
    {
        ConfirmOutcome::Confirmed(s) => s.id,
        other => panic!("{other:?}"),
    }
}

fn signed(purpose: &str, id: i64) -> String {
    masthead_mail::signed::sign(SECRET, purpose, id)
}

#[tokio::test]
async fn the_form_is_accessible_and_protected() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let page = c.get("/subscribe").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.heading().contains("Orlando Echo"));
    assert!(
        page.text("main")
            .contains("Get a daily dose of Orlando Echo news through our daily email")
    );
    assert_eq!(
        page.attr("main form", "action").as_deref(),
        Some("/subscribe")
    );
    assert_eq!(page.attr("main form", "method").as_deref(), Some("post"));
    assert_eq!(
        page.attr("#subscribe-email", "type").as_deref(),
        Some("email")
    );
    assert_eq!(
        page.attr("#subscribe-email", "autocomplete").as_deref(),
        Some("email")
    );
    assert_eq!(
        page.text("label[for=subscribe-email]"),
        "Your email address"
    );
    let doc = page.doc();
    let boxes: Vec<_> = doc
        .select(&sel("main input[type=checkbox][name=section]"))
        .collect();
    assert_eq!(boxes.len(), 3);
    assert!(boxes.iter().all(|b| b.value().attr("checked").is_some()));
    // The honeypot: hidden from people and from screen readers, out of the tab order.
    assert_eq!(
        page.attr(".hp-field", "aria-hidden").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr(".hp-field input[name=website]", "tabindex")
            .as_deref(),
        Some("-1")
    );
    assert_eq!(page.text(".hp-field label"), "Leave this empty");
    assert!(page.attr("main input[name=csrf]", "value").is_some());

    // The cookie, never cached: every fresh browser gets its own.
    let set = page
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(set.starts_with("masthead_csrf="), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"));
    assert!(!set.contains("Secure"), "plain http base URL");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let other = Client::new(&f).get("/subscribe").await;
    assert_ne!(
        other.headers.get(header::SET_COOKIE),
        page.headers.get(header::SET_COOKIE)
    );
    // The same browser keeps its cookie and gets the same field.
    let again = c.get("/subscribe").await;
    assert!(again.headers.get(header::SET_COOKIE).is_none());
    assert_eq!(
        again.attr("main input[name=csrf]", "value"),
        page.attr("main input[name=csrf]", "value")
    );
    assert!(page.headers.contains_key(header::CONTENT_SECURITY_POLICY));
}

#[tokio::test]
async fn double_opt_in_end_to_end() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let csrf = c.csrf("/subscribe").await;
    let page = c
        .post(
            "/subscribe",
            &[
                ("csrf", &csrf),
                ("email", " Reader@Example.org "),
                ("section", "world"),
                ("section", "business"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.heading(), "Check your inbox");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");

    let sub = subscriber_of(&f, "reader@example.org").await.unwrap();
    assert_eq!(sub.status, SubscriberStatus::Pending);
    assert_eq!(sub.sections, ["world", "business"]);

    let mails = outbox(&f.outbox);
    assert_eq!(mails.len(), 1);
    let (to, subject, text) = &mails[0];
    assert_eq!(to, "reader@example.org");
    assert!(subject.contains("Orlando Echo"), "{subject}");
    let link = link_in(text, "/subscribe/confirm?token=");

    // Opening the link confirms nothing yet: a mail scanner may have fetched it.
    let confirm_page = c.get(&link).await;
    assert_eq!(confirm_page.status, StatusCode::OK);
    assert_eq!(confirm_page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        subscriber_of(&f, "reader@example.org")
            .await
            .unwrap()
            .status,
        SubscriberStatus::Pending
    );
    assert_eq!(
        confirm_page.attr("main form", "action").as_deref(),
        Some("/subscribe/confirm")
    );
    let token = confirm_page
        .attr("main form input[name=token]", "value")
        .unwrap();
    let csrf = confirm_page
        .attr("main form input[name=csrf]", "value")
        .unwrap();

    let done = c
        .post("/subscribe/confirm", &[("token", &token), ("csrf", &csrf)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.heading(), "You are subscribed");
    let sub = subscriber_of(&f, "reader@example.org").await.unwrap();
    assert_eq!(sub.status, SubscriberStatus::Confirmed);
    // The preferences link on the page works.
    let prefs = done.attr("main a[href*=preferences]", "href").unwrap();
    assert_eq!(
        prefs,
        format!(
            "/subscribe/preferences?s={}&t={}",
            sub.id,
            signed("preferences", sub.id)
        )
    );
    assert_eq!(c.get(&prefs).await.status, StatusCode::OK);

    // The link again: single use, and it says so kindly.
    let again = c
        .post("/subscribe/confirm", &[("token", &token), ("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.heading(), "You are subscribed already");
}

#[tokio::test]
async fn expired_unknown_and_broken_confirmation_links() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let now = OffsetTime::now_utc();
    let token = "e".repeat(64);
    f.store
        .subscribe_request(
            f.site,
            "late@example.org",
            &hash(&token),
            now.unix_micros - 1,
            now.shifted(-49 * 3_600_000_000),
        )
        .await
        .unwrap();
    let csrf = c.csrf(&format!("/subscribe/confirm?token={token}")).await;
    let page = c
        .post("/subscribe/confirm", &[("token", &token), ("csrf", &csrf)])
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert_eq!(page.heading(), "This link has expired");
    assert!(page.attr("main a[href='/subscribe']", "href").is_some());
    assert_eq!(
        subscriber_of(&f, "late@example.org").await.unwrap().status,
        SubscriberStatus::Pending
    );

    let unknown = "f".repeat(64);
    let page = c
        .post(
            "/subscribe/confirm",
            &[("token", &unknown), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.heading(), "This link does not work");

    let page = c.get("/subscribe/confirm?token=abc").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.heading(), "This link is incomplete");
}

#[tokio::test]
async fn the_honeypot_pretends_and_sends_nothing() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let csrf = c.csrf("/subscribe").await;
    let page = c
        .post(
            "/subscribe",
            &[
                ("csrf", &csrf),
                ("email", "bot@example.org"),
                ("section", "world"),
                ("website", "https://spam.example"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.heading(), "Check your inbox");
    assert!(outbox(&f.outbox).is_empty());
    assert!(subscriber_of(&f, "bot@example.org").await.is_none());
}

#[tokio::test]
async fn bad_addresses_get_messages_and_keep_what_was_typed() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    for (typed, says) in [
        ("reader example.org", "no spaces"),
        ("reader.example.org", "has an @"),
        ("reader@localhost", "domain name"),
        ("", "Enter your email address"),
        ("x@mailinator.com", "disposable"),
        ("x@yopmail.com", "disposable"),
    ] {
        let csrf = c.csrf("/subscribe").await;
        let page = c
            .post(
                "/subscribe",
                &[
                    ("csrf", &csrf),
                    ("email", typed),
                    ("section", "sports"),
                    ("website", ""),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(
            page.text("#subscribe-email-error").contains(says),
            "{typed}: {}",
            page.text("#subscribe-email-error")
        );
        assert_eq!(
            page.attr("#subscribe-email", "value").as_deref(),
            Some(typed)
        );
        assert_eq!(
            page.attr("#subscribe-email", "aria-describedby").as_deref(),
            Some("subscribe-email-error")
        );
        // The sections chosen stay chosen.
        let doc = page.doc();
        let checked: Vec<_> = doc
            .select(&sel("input[name=section][checked]"))
            .map(|e| e.value().attr("value").unwrap().to_owned())
            .collect();
        assert_eq!(checked, ["sports"]);
    }
    // No section at all is a mistake too.
    let csrf = c.csrf("/subscribe").await;
    let page = c
        .post(
            "/subscribe",
            &[
                ("csrf", &csrf),
                ("email", "ok@example.org"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("#sections-error")
            .contains("at least one section")
    );
    assert_eq!(
        page.attr("#subscribe-email", "value").as_deref(),
        Some("ok@example.org")
    );
    assert!(outbox(&f.outbox).is_empty());
}

#[tokio::test]
async fn an_address_gets_at_most_three_sign_up_mails_a_day() {
    let f = fixture().await;
    let mut bodies = vec![];
    for i in 0..4u8 {
        // From different networks, so the per-IP limit is not what stops it.
        let mut c = Client::from_ip(&f, [198, 51, 100, i]);
        let page = c.subscribe("again@example.org").await;
        assert_eq!(page.status, StatusCode::OK);
        bodies.push(page.body);
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "one page for all");
    assert_eq!(outbox(&f.outbox).len(), 3);
}

#[tokio::test]
async fn sign_ups_are_rate_limited_per_ip() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    for i in 0..5 {
        let page = c.subscribe(&format!("reader{i}@example.org")).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let page = c.subscribe("reader5@example.org").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(page.heading(), "Too many sign-ups");
    let wait: u64 = page.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=13).contains(&wait), "{wait}");
    assert_eq!(outbox(&f.outbox).len(), 5);
    assert!(subscriber_of(&f, "reader5@example.org").await.is_none());
    // Typos and refused tokens do not count: a reader fixing an address is not throttled.
    let csrf = c.csrf("/subscribe").await;
    let typo = [
        ("csrf", csrf.as_str()),
        ("email", "oops"),
        ("section", "world"),
    ];
    assert_eq!(
        c.post("/subscribe", &typo).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Another client is not affected.
    let mut other = Client::from_ip(&f, [203, 0, 113, 7]);
    assert_eq!(
        other.subscribe("reader5@example.org").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn forms_without_a_valid_token_or_from_elsewhere_are_refused() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let csrf = c.csrf("/subscribe").await;
    let forged = "ab".repeat(32);
    let email = ("email", "victim@example.org");
    type Fields<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(&str, Fields, Fields, bool); 5] = [
        ("missing field", vec![email], vec![], true),
        ("forged field", vec![("csrf", &forged), email], vec![], true),
        (
            "foreign Origin",
            vec![("csrf", &csrf), email],
            vec![("origin", "http://evil.example")],
            true,
        ),
        (
            "cross-site fetch",
            vec![("csrf", &csrf), email],
            vec![("sec-fetch-site", "cross-site")],
            true,
        ),
        ("no cookie", vec![("csrf", &csrf), email], vec![], false),
    ];
    for (what, pairs, extra, with_cookie) in cases {
        let saved = c.cookie.clone();
        if !with_cookie {
            c.cookie = None;
        }
        let page = c.post_with("/subscribe", &pairs, &extra).await;
        c.cookie = saved;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(page.heading(), "Please reload the form", "{what}");
    }
    assert!(outbox(&f.outbox).is_empty());
    assert!(subscriber_of(&f, "victim@example.org").await.is_none());

    // The same form from our own origin passes.
    let page = c
        .post_with(
            "/subscribe",
            &[
                ("csrf", &csrf),
                ("email", "victim@example.org"),
                ("section", "world"),
            ],
            &[
                ("origin", "http://orlando-echo.localhost"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(outbox(&f.outbox).len(), 1);
}

#[tokio::test]
async fn the_answer_never_tells_whether_an_address_is_subscribed() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let new = c.subscribe("someone@example.org").await;
    let pending = c.subscribe("someone@example.org").await;
    confirmed(&f, "someone@example.org").await;
    let already = c.subscribe("someone@example.org").await;
    assert_eq!(new.status, already.status);
    assert_eq!(new.body, pending.body);
    assert_eq!(new.body, already.body);

    // The confirmed address is told by mail, with links to manage the subscription.
    let mails = outbox(&f.outbox);
    assert_eq!(mails.len(), 3);
    let (_, subject, text) = &mails[2];
    assert!(subject.contains("You are subscribed"), "{subject}");
    assert!(!text.contains("/subscribe/confirm"), "{text}");
    let id = subscriber_of(&f, "someone@example.org").await.unwrap().id;
    assert_eq!(
        link_in(text, "/subscribe/preferences"),
        format!(
            "/subscribe/preferences?s={id}&t={}",
            signed("preferences", id)
        )
    );
    let unsubscribe = link_in(text, "/unsubscribe");
    assert_eq!(c.get(&unsubscribe).await.status, StatusCode::OK);
    // Still confirmed: a sign-up changes nothing for a confirmed address.
    assert_eq!(
        subscriber_of(&f, "someone@example.org")
            .await
            .unwrap()
            .status,
        SubscriberStatus::Confirmed
    );
}

#[tokio::test]
async fn unsubscribe_by_button_or_one_click_post() {
    let f = fixture().await;
    let id = confirmed(&f, "leaving@example.org").await;
    let path = format!("/unsubscribe?s={id}&t={}", signed("unsubscribe", id));

    let mut browser = Client::new(&f);
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.heading().contains("Orlando Echo"));
    assert_eq!(page.attr("main form", "method").as_deref(), Some("post"));
    assert_eq!(
        page.attr("main form", "action").as_deref(),
        Some(path.as_str())
    );
    assert_eq!(page.text("main form button"), "Unsubscribe");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    // A GET changes nothing.
    assert_eq!(
        subscriber_of(&f, "leaving@example.org")
            .await
            .unwrap()
            .status,
        SubscriberStatus::Confirmed
    );

    // RFC 8058: a mail client's POST, no cookie, no CSRF field, no fetch metadata.
    let req = Request::builder()
        .method("POST")
        .uri(&path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let response = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("You are unsubscribed"));
    assert_eq!(
        subscriber_of(&f, "leaving@example.org")
            .await
            .unwrap()
            .status,
        SubscriberStatus::Unsubscribed
    );
    // Again: still fine, still unsubscribed.
    let page = browser.post_with(&path, &[], &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = browser.get(&path).await;
    assert_eq!(page.heading(), "You are unsubscribed");

    // Forged or another purpose's tokens.
    for bad in [
        format!("/unsubscribe?s={id}&t={}", "0".repeat(32)),
        format!("/unsubscribe?s={}&t={}", id + 1, signed("unsubscribe", id)),
        format!("/unsubscribe?s={id}&t={}", signed("preferences", id)),
        "/unsubscribe".to_owned(),
    ] {
        assert_eq!(
            browser.get(&bad).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
        assert_eq!(
            browser.post_with(&bad, &[], &[]).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn preferences_round_trip() {
    let f = fixture().await;
    let id = confirmed(&f, "picky@example.org").await;
    let path = format!(
        "/subscribe/preferences?s={id}&t={}",
        signed("preferences", id)
    );
    let mut c = Client::new(&f);
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        page.doc()
            .select(&sel("input[name=section][checked]"))
            .count(),
        3
    );
    assert_eq!(
        page.attr("main form", "action").as_deref(),
        Some(path.as_str())
    );
    let unsubscribe = page.attr("main a[href*=unsubscribe]", "href").unwrap();
    assert_eq!(
        unsubscribe,
        format!("/unsubscribe?s={id}&t={}", signed("unsubscribe", id))
    );
    let csrf = page.attr("main input[name=csrf]", "value").unwrap();

    let saved = c
        .post(
            &path,
            &[("csrf", &csrf), ("section", "sports"), ("section", "world")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.text(".saved").contains("saved"));
    let sub = subscriber_of(&f, "picky@example.org").await.unwrap();
    assert_eq!(sub.sections, ["world", "sports"], "in the site's order");
    let page = c.get(&path).await;
    let doc = page.doc();
    let checked: Vec<_> = doc
        .select(&sel("input[name=section][checked]"))
        .map(|e| e.value().attr("value").unwrap().to_owned())
        .collect();
    assert_eq!(checked, ["world", "sports"]);

    // Every section again means "all", so sections added later come too.
    c.post(
        &path,
        &[
            ("csrf", &csrf),
            ("section", "world"),
            ("section", "business"),
            ("section", "sports"),
        ],
    )
    .await;
    assert!(
        subscriber_of(&f, "picky@example.org")
            .await
            .unwrap()
            .sections
            .is_empty()
    );

    let none = c.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.text("#sections-error")
            .contains("at least one section")
    );

    let forged = c.post(&path, &[("csrf", "00"), ("section", "world")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let bad = format!(
        "/subscribe/preferences?s={id}&t={}",
        signed("unsubscribe", id)
    );
    assert_eq!(c.get(&bad).await.status, StatusCode::BAD_REQUEST);
    assert!(
        subscriber_of(&f, "picky@example.org")
            .await
            .unwrap()
            .sections
            .is_empty()
    );
}

#[tokio::test]
async fn the_site_prefix_is_kept_in_forms_and_mail_links() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let page = c.get("/s/orlando-echo/subscribe").await;
    assert_eq!(
        page.attr("main form", "action").as_deref(),
        Some("/s/orlando-echo/subscribe")
    );
    let csrf = page.attr("main input[name=csrf]", "value").unwrap();
    let page = c
        .post(
            "/s/orlando-echo/subscribe",
            &[
                ("csrf", &csrf),
                ("email", "demo@example.org"),
                ("section", "world"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, _, text) = &outbox(&f.outbox)[0];
    let url = text
        .split_whitespace()
        .find(|w| w.contains("/subscribe/confirm"))
        .unwrap();
    assert!(
        url.starts_with("http://news.test:8080/s/orlando-echo/subscribe/confirm?token="),
        "{url}"
    );
}

#[tokio::test]
async fn without_mail_the_page_says_so() {
    let f = fixture_with(false).await;
    let mut c = Client::new(&f);
    let page = c.get("/subscribe").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("main").contains("not set up its mail"));
    assert!(page.doc().select(&sel("main form")).next().is_none());
    let page = c
        .post("/subscribe", &[("email", "a@example.org"), ("csrf", "x")])
        .await;
    // The token is checked first: a bare POST is refused either way.
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}
