//! The newsroom's accounts, security and moderation queue through the real router and a real
//! (in-memory SQLite) store: login, lock-out, no enumeration, session rotation and expiry,
//! logout everywhere, password change and setup links; every admin route without a session,
//! with an editor of another site and without a CSRF token; optimistic locking; approval
//! through a test `Newsroom`; rejection with a reason; the audit log.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use masthead_model::{
    NewRelease, NewStory, OffsetTime, Release, ReleaseImage, ReleaseKind, ReleaseStatus, Role,
    Section, SiteSpec, SourceSpec, StoryId,
};
use masthead_store::Store;
use masthead_web::{Newsroom, WebSettings};
use sha2::Digest;
use tower::ServiceExt;

const HOST: &str = "admin.test:8080";
const BASE_URL: &str = "http://admin.test:8080/";
const SECRET: &[u8] = b"a test secret of thirty-two bytes";
const ADMIN: &str = "admin@masthead.test";
const EDITOR_A: &str = "editor-a@masthead.test";
const EDITOR_B: &str = "editor-b@masthead.test";
const PASSWORD: &str = "correct horse battery staple";

/// Records what the admin asked of the newsroom; an approval stores a plain story (the real
/// one goes through the ingest path in the binary).
#[derive(Debug)]
struct FakeNewsroom {
    store: Arc<dyn Store>,
    source: i64,
    approved: Mutex<Vec<(i64, Vec<i64>, String)>>,
    stories: Mutex<Vec<StoryId>>,
    notified: Mutex<Vec<(i64, ReleaseStatus, Option<String>)>>,
}

#[async_trait]
impl Newsroom for FakeNewsroom {
    async fn approve(&self, release: &Release, by: &str) -> Result<StoryId, String> {
        self.approved.lock().unwrap().push((
            release.id,
            release.release.sites.clone(),
            by.to_owned(),
        ));
        let story = self
            .store
            .put_story(
                &NewStory {
                    source_id: self.source,
                    guid: release.reference.clone(),
                    url: None,
                    headline: release.release.headline.clone(),
                    standfirst: None,
                    byline: None,
                    dateline: release.release.dateline.clone(),
                    published: OffsetTime::now_utc(),
                    updated: None,
                    content_html: "<p>News release</p>".into(),
                    text: release.release.body.clone(),
                    image: None,
                    categories: vec![],
                    content_hash: release.release.fingerprint.clone(),
                    canonical_url: None,
                },
                None,
            )
            .await
            .map_err(|e| e.to_string())?
            .id();
        self.stories.lock().unwrap().push(story);
        Ok(story)
    }

    async fn notify(&self, release: &Release, decision: ReleaseStatus) -> Result<(), String> {
        self.notified
            .lock()
            .unwrap()
            .push((release.id, decision, release.reason.clone()));
        Ok(())
    }
}

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    newsroom: Arc<FakeNewsroom>,
    site_a: i64,
    site_b: i64,
    uploads: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.uploads);
    }
}

/// A cheap argon2id hash (tests only: real hashes use the crate's default parameters).
fn hash(password: &str) -> String {
    let params = argon2::Params::new(8, 1, 1, None).unwrap();
    let argon = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).unwrap();
    let h: PasswordHash = argon
        .hash_password_with_salt(password.as_bytes(), &salt)
        .unwrap();
    h.to_string()
}

fn sha256_hex(s: &str) -> String {
    hex::encode(sha2::Sha256::digest(s.as_bytes()).as_slice())
}

async fn site(store: &Arc<dyn Store>, slug: &str, name: &str) -> i64 {
    store
        .upsert_site(&SiteSpec {
            slug: slug.into(),
            name: name.into(),
            hosts: vec![format!("{slug}.localhost")],
            time_zone: "UTC".into(),
            tagline: String::new(),
            sections: vec![Section {
                slug: "business".into(),
                name: "Business".into(),
            }],
        })
        .await
        .unwrap()
        .id
}

async fn fixture() -> Fixture {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let uploads = std::env::temp_dir().join(format!(
        "masthead-web-admin-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&uploads).unwrap();
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let site_a = site(&store, "echo", "Orlando Echo").await;
    let site_b = site(&store, "gazette", "Harbor Gazette").await;
    let now = OffsetTime::now_utc();
    let pw = hash(PASSWORD);
    store
        .create_user(ADMIN, Role::Admin, &[], &pw, now)
        .await
        .unwrap();
    store
        .create_user(EDITOR_A, Role::Editor, &[site_a], &pw, now)
        .await
        .unwrap();
    store
        .create_user(EDITOR_B, Role::Editor, &[site_b], &pw, now)
        .await
        .unwrap();
    let source = store
        .upsert_source(&SourceSpec {
            name: "News releases".into(),
            url: "https://releases.example/feed".into(),
            section: None,
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap()
        .id;
    let newsroom = Arc::new(FakeNewsroom {
        store: store.clone(),
        source,
        approved: Mutex::default(),
        stories: Mutex::default(),
        notified: Mutex::default(),
    });
    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Demo Network".into(),
            base_url: Some(BASE_URL.into()),
            static_files: vec![],
            websub: None,
            intake: None,
            mail: None,
            secret: SECRET.to_vec(),
            newsroom: Some(newsroom.clone()),
            uploads_dir: Some(uploads.clone()),
            outbox_dir: None,
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    Fixture {
        router,
        store,
        newsroom,
        site_a,
        site_b,
        uploads,
    }
}

impl Fixture {
    async fn release(&self, headline: &str, sites: &[i64], image: Option<&str>) -> Release {
        let (release, _) = self
            .store
            .submit_release(
                &NewRelease {
                    kind: ReleaseKind::Business,
                    organisation: "Acme Ltd".into(),
                    contact_name: "Ann Example".into(),
                    contact_email: "ann@acme.test".into(),
                    contact_phone: None,
                    headline: headline.into(),
                    body: "First paragraph.\n\nSecond paragraph.".into(),
                    dateline: Some("ORLANDO, Florida".into()),
                    event_at: None,
                    event_place: None,
                    image: image.map(|file| ReleaseImage {
                        file: file.into(),
                        content_type: "image/png".into(),
                        width: 1,
                        height: 1,
                    }),
                    sites: sites.to_vec(),
                    fingerprint: sha256_hex(headline),
                },
                OffsetTime::now_utc(),
                0,
            )
            .await
            .unwrap();
        release
    }

    async fn audit_actions(&self) -> Vec<String> {
        self.store
            .audit_log(1000, None)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

/// A browser: a cookie jar, one peer address, and the CSRF field of its cookie.
struct Client<'f> {
    f: &'f Fixture,
    jar: HashMap<String, String>,
    csrf: String,
    peer: SocketAddr,
}

impl<'f> Client<'f> {
    async fn new(f: &'f Fixture) -> Self {
        Self::from_ip(f, [192, 0, 2, 10]).await
    }

    /// A fresh browser that has opened the login page (so it holds a CSRF cookie).
    async fn from_ip(f: &'f Fixture, ip: [u8; 4]) -> Self {
        let mut client = Self {
            f,
            jar: HashMap::new(),
            csrf: String::new(),
            peer: SocketAddr::from((ip, 40_000)),
        };
        let page = client.get("/admin/login").await;
        assert_eq!(page.status, StatusCode::OK);
        client.csrf = field(&page.body, "csrf");
        client
    }

    fn session(&self) -> Option<String> {
        self.jar.get("masthead_session").cloned()
    }

    async fn send(&mut self, mut req: Request<Body>) -> Page {
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.f.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if value.is_empty() || set.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if !self.jar.is_empty() {
            let cookie = self
                .jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, cookie);
        }
        b
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// A form POST from our own page, with the CSRF field.
    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.csrf.clone())];
        all.extend(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())));
        self.post_raw(path, &all, &[("sec-fetch-site", "same-origin")])
            .await
    }

    async fn post_raw(
        &mut self,
        path: &str,
        pairs: &[(&str, String)],
        extra: &[(&str, &str)],
    ) -> Page {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        let mut b = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(s.finish())).unwrap()).await
    }

    async fn login(&mut self, email: &str, password: &str) -> Page {
        self.post("/admin/login", &[("email", email), ("password", password)])
            .await
    }

    async fn logged_in(f: &'f Fixture, email: &str) -> Self {
        let mut client = Self::new(f).await;
        let page = client.login(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        client
    }
}

/// The value of the first `<input name=NAME>` of a page.
fn field(body: &str, name: &str) -> String {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_default()
        .to_owned()
}

// ---- Accounts and sessions ----

#[tokio::test]
async fn login_sets_a_safe_session_cookie_and_pages_are_no_store() {
    let f = fixture().await;
    let mut c = Client::new(&f).await;
    let page = c.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin");
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("masthead_session="))
        .unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/admin"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain-http base URL: {cookie}");
    let stored = c.session().unwrap();
    assert_eq!(stored.len(), 64);

    let page = c.get("/admin").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin/releases");
    let page = c.get("/admin/releases").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    for link in [
        "/admin/releases",
        "/admin/sources",
        "/admin/stories",
        "/admin/subscribers",
        "/admin/outbox",
        "/admin/users",
        "/admin/audit",
    ] {
        assert!(page.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(f.audit_actions().await.contains(&"login.ok".to_owned()));
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_https() {
    let f = fixture().await;
    let store = f.store.clone();
    let (router, _) = masthead_web::app(
        store,
        WebSettings {
            network_name: "N".into(),
            base_url: Some("https://admin.test/".into()),
            static_files: vec![],
            websub: None,
            intake: None,
            mail: None,
            secret: SECRET.to_vec(),
            newsroom: None,
            uploads_dir: None,
            outbox_dir: None,
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    let secure = Fixture {
        router,
        store: f.store.clone(),
        newsroom: f.newsroom.clone(),
        site_a: f.site_a,
        site_b: f.site_b,
        uploads: std::env::temp_dir().join("masthead-web-admin-unused"),
    };
    let mut c = Client::new(&secure).await;
    let page = c
        .post_raw(
            "/admin/login",
            &[
                ("csrf", c.csrf.clone()),
                ("email", ADMIN.to_owned()),
                ("password", PASSWORD.to_owned()),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("masthead_session="))
        .unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let f = fixture().await;
    let mut c = Client::new(&f).await;
    let wrong = c.login(ADMIN, "not the password at all").await;
    let unknown = c
        .login("nobody-here@masthead.test", "not the password at all")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        wrong.body.replace(ADMIN, "EMAIL"),
        unknown.body.replace("nobody-here@masthead.test", "EMAIL")
    );
    assert!(
        wrong
            .body
            .contains("The email address or the password is not right.")
    );
    assert!(c.session().is_none());
    // A disabled account and an account whose setup link is unused say the same.
    let pending = f
        .store
        .create_user(
            "pending@masthead.test",
            Role::Editor,
            &[],
            "",
            OffsetTime::now_utc(),
        )
        .await
        .unwrap();
    let page = c.login("pending@masthead.test", "").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    f.store.set_user_disabled(pending.id, true).await.unwrap();
    let editor = f.store.user_by_email(EDITOR_B).await.unwrap().unwrap();
    f.store.set_user_disabled(editor.id, true).await.unwrap();
    let page = c.login(EDITOR_B, PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(c.session().is_none());
}

#[tokio::test]
async fn an_account_is_locked_after_five_failures_even_for_the_right_password() {
    let f = fixture().await;
    let mut c = Client::new(&f).await;
    for _ in 0..5 {
        let page = c.login(EDITOR_A, "a wrong password!").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = c.login(EDITOR_A, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body
            .contains("Too many attempts; try again in 15 minutes."),
        "{}",
        page.body
    );
    assert!(c.session().is_none());
    // Another account from another address is not locked.
    let mut other = Client::from_ip(&f, [192, 0, 2, 99]).await;
    assert_eq!(
        other.login(ADMIN, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Unknown accounts lock the same way: nothing tells them apart.
    for _ in 0..5 {
        c.login("ghost@masthead.test", "whatever it is").await;
    }
    assert_eq!(
        c.login("ghost@masthead.test", "whatever it is")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let actions = f.audit_actions().await;
    assert!(actions.iter().filter(|a| *a == "login.fail").count() >= 10);
    assert!(actions.contains(&"login.locked".to_owned()));
}

#[tokio::test]
async fn one_address_is_locked_after_twenty_failures() {
    let f = fixture().await;
    let mut c = Client::from_ip(&f, [198, 51, 100, 7]).await;
    for i in 0..20 {
        let page = c
            .login(&format!("guess-{i}@masthead.test"), "a wrong password!")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        c.login(ADMIN, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut elsewhere = Client::from_ip(&f, [198, 51, 100, 8]).await;
    assert_eq!(
        elsewhere.login(ADMIN, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn login_rotates_the_session_id() {
    let f = fixture().await;
    let mut c = Client::logged_in(&f, ADMIN).await;
    let first = c.session().unwrap();
    assert_eq!(c.login(ADMIN, PASSWORD).await.status, StatusCode::SEE_OTHER);
    let second = c.session().unwrap();
    assert_ne!(first, second);
    // The old id no longer works.
    let mut old = Client::new(&f).await;
    old.jar.insert("masthead_session".into(), first);
    assert_eq!(
        old.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );
    // A session id planted before login (fixation) is replaced too.
    let mut planted = Client::new(&f).await;
    let fixed = "ab".repeat(32);
    planted.jar.insert("masthead_session".into(), fixed.clone());
    planted.login(ADMIN, PASSWORD).await;
    assert_ne!(planted.session().unwrap(), fixed);
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_a_session() {
    let f = fixture().await;
    let admin = f.store.user_by_email(ADMIN).await.unwrap().unwrap();
    let now = OffsetTime::now_utc().unix_micros;
    let minute = 60 * 1_000_000;
    let cases = [
        // (id, created, expires, works)
        ("1".repeat(64), now - minute, now + 11 * 60 * minute, true),
        (
            "2".repeat(64),
            now - 31 * minute,
            now + 11 * 60 * minute,
            false,
        ),
        ("3".repeat(64), now - 5 * minute, now - minute, false),
    ];
    for (id, created, expires, works) in cases {
        f.store
            .create_session(&sha256_hex(&id), admin.id, created, expires)
            .await
            .unwrap();
        let mut c = Client::new(&f).await;
        c.jar.insert("masthead_session".into(), id);
        let page = c.get("/admin/releases").await;
        let expected = if works {
            StatusCode::OK
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(
            page.status, expected,
            "created {created}, expires {expires}"
        );
    }
}

#[tokio::test]
async fn logout_and_logout_everywhere() {
    let f = fixture().await;
    let mut one = Client::logged_in(&f, EDITOR_A).await;
    let mut two = Client::from_ip(&f, [192, 0, 2, 20]).await;
    two.login(EDITOR_A, PASSWORD).await;
    let mut three = Client::from_ip(&f, [192, 0, 2, 30]).await;
    three.login(EDITOR_A, PASSWORD).await;

    let page = one.post("/admin/logout", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(one.session().is_none());
    assert_eq!(two.get("/admin/releases").await.status, StatusCode::OK);

    let page = two.post("/admin/logout-everywhere", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        three.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        two.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );
    let actions = f.audit_actions().await;
    assert!(actions.contains(&"logout".to_owned()));
    assert!(actions.contains(&"logout.everywhere".to_owned()));
}

#[tokio::test]
async fn password_change_checks_and_ends_other_sessions() {
    let f = fixture().await;
    let mut c = Client::logged_in(&f, EDITOR_A).await;
    let mut other = Client::from_ip(&f, [192, 0, 2, 40]).await;
    other.login(EDITOR_A, PASSWORD).await;
    let new = "a brand new passphrase";

    let page = c
        .post(
            "/admin/password",
            &[("current", PASSWORD), ("new", "short"), ("repeat", "short")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = c
        .post(
            "/admin/password",
            &[("current", "not it at all"), ("new", new), ("repeat", new)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = c
        .post(
            "/admin/password",
            &[("current", PASSWORD), ("new", new), ("repeat", new)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(c.get("/admin/releases").await.status, StatusCode::OK);
    assert_eq!(
        other.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );
    let mut fresh = Client::from_ip(&f, [192, 0, 2, 41]).await;
    assert_eq!(
        fresh.login(EDITOR_A, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh.login(EDITOR_A, new).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        f.audit_actions()
            .await
            .contains(&"password.change".to_owned())
    );
}

#[tokio::test]
async fn an_admin_adds_an_account_and_its_setup_link_works_once() {
    let f = fixture().await;
    let mut admin = Client::logged_in(&f, ADMIN).await;
    let site = f.site_b.to_string();
    let page = admin
        .post(
            "/admin/users",
            &[
                ("email", "New.Editor@Masthead.test"),
                ("role", "editor"),
                ("site", &site),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let start = page.body.find("/admin/setup?token=").unwrap();
    let link: String = page
        .body
        .get(start..)
        .unwrap()
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();
    let user = f
        .store
        .user_by_email("new.editor@masthead.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.sites, vec![f.site_b]);
    assert!(user.password_hash.is_empty());

    let mut newcomer = Client::from_ip(&f, [192, 0, 2, 50]).await;
    let form = newcomer.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    let token = field(&form.body, "token");
    let pw = "my own long password";
    let page = newcomer
        .post(
            "/admin/setup",
            &[("token", &token), ("new", pw), ("repeat", pw)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = newcomer
        .post(
            "/admin/setup",
            &[("token", &token), ("new", pw), ("repeat", pw)],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "used once");
    assert_eq!(
        newcomer.login("new.editor@masthead.test", pw).await.status,
        StatusCode::SEE_OTHER
    );

    // Disable: sessions end and login fails; enable again.
    let id = user.id.to_string();
    let page = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        newcomer.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        newcomer.login("new.editor@masthead.test", pw).await.status,
        StatusCode::UNAUTHORIZED
    );
    admin.post(&format!("/admin/users/{id}/enable"), &[]).await;
    assert_eq!(
        newcomer.login("new.editor@masthead.test", pw).await.status,
        StatusCode::SEE_OTHER
    );
    let page = admin
        .post(&format!("/admin/users/{id}/sessions"), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        newcomer.get("/admin/releases").await.status,
        StatusCode::SEE_OTHER
    );

    let actions = f.audit_actions().await;
    for action in [
        "user.add",
        "password.setup",
        "user.disable",
        "user.enable",
        "user.sessions.end",
    ] {
        assert!(actions.contains(&action.to_owned()), "{action}");
    }
    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("new.editor@masthead.test"));
}

// ---- Authorization on every route ----

/// Every admin route, with a release of site A (`{id}`), its image and a user id.
fn routes(release: i64, user: i64) -> Vec<(&'static str, String)> {
    vec![
        ("GET", "/admin".into()),
        ("GET", "/admin/releases".into()),
        ("GET", format!("/admin/releases/{release}")),
        ("POST", format!("/admin/releases/{release}/edit")),
        ("POST", format!("/admin/releases/{release}/approve")),
        ("POST", format!("/admin/releases/{release}/reject")),
        ("POST", format!("/admin/releases/{release}/spam")),
        ("GET", format!("/admin/uploads/img1.png?release={release}")),
        ("GET", "/admin/users".into()),
        ("POST", "/admin/users".into()),
        ("POST", format!("/admin/users/{user}/disable")),
        ("POST", format!("/admin/users/{user}/enable")),
        ("POST", format!("/admin/users/{user}/sessions")),
        ("POST", format!("/admin/users/{user}/setup-link")),
        ("GET", "/admin/audit".into()),
        ("GET", "/admin/tokens".into()),
        ("POST", "/admin/tokens".into()),
        ("POST", "/admin/tokens/1/revoke".into()),
        ("GET", "/admin/password".into()),
        ("POST", "/admin/password".into()),
        ("POST", "/admin/logout".into()),
        ("POST", "/admin/logout-everywhere".into()),
    ]
}

#[tokio::test]
async fn every_admin_route_needs_a_session() {
    let f = fixture().await;
    let release = f
        .release("Acme opens a plant", &[f.site_a], Some("img1.png"))
        .await;
    let mut c = Client::new(&f).await;
    for (method, path) in routes(release.id, 1) {
        let page = if method == "GET" {
            c.get(&path).await
        } else {
            c.post(&path, &[]).await
        };
        if method == "GET" {
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{method} {path}");
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            assert_eq!(page.location(), format!("/admin/login?next={next}"));
        } else {
            assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    }
    // The login page leads back to where the editor was going.
    let page = c.get("/admin/login?next=%2Fadmin%2Faudit").await;
    assert_eq!(field(&page.body, "next"), "/admin/audit");
    let page = c
        .post(
            "/admin/login",
            &[
                ("email", ADMIN),
                ("password", PASSWORD),
                ("next", "/admin/audit"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/admin/audit");
    let page = c
        .post(
            "/admin/login",
            &[
                ("email", ADMIN),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/admin");
}

#[tokio::test]
async fn an_editor_of_another_site_gets_403_everywhere() {
    let f = fixture().await;
    std::fs::write(f.uploads.join("img1.png"), b"\x89PNG fake").unwrap();
    let release = f
        .release("Acme opens a plant", &[f.site_a], Some("img1.png"))
        .await;
    let admin = f.store.user_by_email(ADMIN).await.unwrap().unwrap();
    let mut b = Client::logged_in(&f, EDITOR_B).await;
    let version = release.version.to_string();
    let site_a = f.site_a.to_string();
    for (method, path) in routes(release.id, admin.id) {
        if path.contains("password") || path.contains("logout") || path == "/admin" {
            continue;
        }
        if path == "/admin/releases" {
            // The list simply leaves it out; a filter on another site is refused.
            let page = b.get(&path).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(!page.body.contains("Acme opens a plant"));
            let page = b.get(&format!("/admin/releases?site={site_a}")).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN);
            continue;
        }
        let page = if method == "GET" {
            b.get(&path).await
        } else {
            b.post(
                &path,
                &[
                    ("version", &version),
                    ("headline", "Hijacked"),
                    ("body", "Hijacked"),
                    ("reason", "no"),
                    ("site", &site_a),
                    ("email", "x@masthead.test"),
                    ("role", "admin"),
                ],
            )
            .await
        };
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let after = f.store.release(release.id).await.unwrap().unwrap();
    assert_eq!(after, release, "nothing changed");
    assert!(f.newsroom.approved.lock().unwrap().is_empty());
    assert!(
        f.store
            .user_by_email("x@masthead.test")
            .await
            .unwrap()
            .is_none()
    );

    // The same routes work for the site's own editor (the image too).
    let mut a = Client::logged_in(&f, EDITOR_A).await;
    assert_eq!(
        a.get(&format!("/admin/releases/{}", release.id))
            .await
            .status,
        StatusCode::OK
    );
    let image = a
        .get(&format!("/admin/uploads/img1.png?release={}", release.id))
        .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        image.headers[header::CONTENT_DISPOSITION],
        "inline; filename=\"img1.png\""
    );
    assert_eq!(image.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Another name than the release's own, or a path, is not served.
    let page = a
        .get(&format!(
            "/admin/uploads/..%2Fsecret?release={}",
            release.id
        ))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Editors never reach accounts or the audit log.
    assert_eq!(a.get("/admin/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(a.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    assert!(
        !a.get("/admin/releases")
            .await
            .body
            .contains("href=\"/admin/users\"")
    );
}

#[tokio::test]
async fn approving_for_a_site_that_is_not_yours_is_refused() {
    let f = fixture().await;
    let release = f
        .release("Two-site news", &[f.site_a, f.site_b], None)
        .await;
    let mut a = Client::logged_in(&f, EDITOR_A).await;
    // Visible: it is meant for one of A's sites.
    assert_eq!(
        a.get(&format!("/admin/releases/{}", release.id))
            .await
            .status,
        StatusCode::OK
    );
    let version = release.version.to_string();
    let page = a
        .post(
            &format!("/admin/releases/{}/approve", release.id),
            &[
                ("version", &version),
                ("site", &f.site_a.to_string()),
                ("site", &f.site_b.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(f.newsroom.approved.lock().unwrap().is_empty());
    // For A alone it works, and only A is published.
    let page = a
        .post(
            &format!("/admin/releases/{}/approve", release.id),
            &[("version", &version), ("site", &f.site_a.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let calls = f.newsroom.approved.lock().unwrap().clone();
    assert_eq!(
        calls,
        vec![(release.id, vec![f.site_a], EDITOR_A.to_owned())]
    );
}

#[tokio::test]
async fn every_form_needs_its_csrf_token() {
    let f = fixture().await;
    let release = f.release("Acme opens a plant", &[f.site_a], None).await;
    let editor = f.store.user_by_email(EDITOR_A).await.unwrap().unwrap();
    let mut c = Client::logged_in(&f, ADMIN).await;
    let version = release.version.to_string();
    let site = f.site_a.to_string();
    let fields = |with_csrf: Option<String>| {
        let mut v: Vec<(&str, String)> = vec![
            ("version", version.clone()),
            ("headline", "Changed".into()),
            ("body", "Changed".into()),
            ("reason", "Because".into()),
            ("site", site.clone()),
            ("email", "csrf@masthead.test".into()),
            ("role", "editor".into()),
            ("current", PASSWORD.into()),
            ("new", "a long new password".into()),
            ("repeat", "a long new password".into()),
        ];
        if let Some(token) = with_csrf {
            v.push(("csrf", token));
        }
        v
    };
    for (method, path) in routes(release.id, editor.id) {
        if method != "POST" {
            continue;
        }
        let page = c.post_raw(&path, &fields(None), &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "no token: {path}");
        let page = c.post_raw(&path, &fields(Some("00".repeat(32))), &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "forged token: {path}");
        let page = c
            .post_raw(
                &path,
                &fields(Some(c.csrf.clone())),
                &[("origin", "http://evil.example")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "foreign origin: {path}");
    }
    // Logging in needs it too (login CSRF).
    let mut fresh = Client::new(&f).await;
    let page = fresh
        .post_raw(
            "/admin/login",
            &[
                ("email", ADMIN.to_owned()),
                ("password", PASSWORD.to_owned()),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nothing happened: the session still works and the release is untouched.
    assert_eq!(c.get("/admin/releases").await.status, StatusCode::OK);
    assert_eq!(f.store.release(release.id).await.unwrap().unwrap(), release);
    assert!(
        f.store
            .user_by_email("csrf@masthead.test")
            .await
            .unwrap()
            .is_none()
    );
}

// ---- Moderation ----

#[tokio::test]
async fn two_editors_do_not_overwrite_each_other() {
    let f = fixture().await;
    let release = f.release("Acme opens a plant", &[f.site_a], None).await;
    let path = format!("/admin/releases/{}", release.id);
    let mut one = Client::logged_in(&f, EDITOR_A).await;
    let mut two = Client::logged_in(&f, ADMIN).await;
    let seen_one = field(&one.get(&path).await.body, "version");
    let seen_two = field(&two.get(&path).await.body, "version");
    assert_eq!(seen_one, seen_two);

    let page = one
        .post(
            &format!("{path}/edit"),
            &[
                ("version", &seen_one),
                ("headline", "Acme opens its second plant"),
                ("body", "Edited by one."),
                ("dateline", "ORLANDO, Florida"),
                ("section", "business"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = two
        .post(
            &format!("{path}/edit"),
            &[
                ("version", &seen_two),
                ("headline", "Overwritten?"),
                ("body", "Edited by two."),
                ("dateline", ""),
                ("section", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.body
            .contains("Someone else changed this release; here is their version.")
    );
    assert!(
        page.body.contains("Acme opens its second plant"),
        "theirs shown"
    );
    assert!(page.body.contains("Edited by two."), "mine kept to copy");
    let stored = f.store.release(release.id).await.unwrap().unwrap();
    assert_eq!(stored.release.headline, "Acme opens its second plant");
    assert_eq!(stored.release.body, "Edited by one.");
    assert_eq!(stored.section.as_deref(), Some("business"));

    // A decision at the old version is refused too.
    let page = two
        .post(&format!("{path}/spam"), &[("version", &seen_two)])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(
        f.store.release(release.id).await.unwrap().unwrap().status,
        ReleaseStatus::Submitted
    );
    assert!(f.audit_actions().await.contains(&"release.edit".to_owned()));
}

#[tokio::test]
async fn approve_makes_a_story_through_the_newsroom() {
    let f = fixture().await;
    let release = f.release("Acme opens a plant", &[f.site_a], None).await;
    let mut a = Client::logged_in(&f, EDITOR_A).await;
    let path = format!("/admin/releases/{}", release.id);
    let page = a.get(&path).await;
    assert!(page.body.contains("Approve") && page.body.contains("Mark as spam"));
    let version = field(&page.body, "version");
    // No site chosen: the form again.
    let page = a
        .post(&format!("{path}/approve"), &[("version", &version)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = a
        .post(
            &format!("{path}/approve"),
            &[("version", &version), ("site", &f.site_a.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let stored = f.store.release(release.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReleaseStatus::Approved);
    let story = *f.newsroom.stories.lock().unwrap().first().unwrap();
    assert_eq!(stored.story_id, Some(story));
    assert_eq!(stored.decided_by.as_deref(), Some(EDITOR_A));
    assert_eq!(f.newsroom.approved.lock().unwrap().len(), 1);
    // Approving again is refused: it was decided.
    let page = a
        .post(
            &format!("{path}/approve"),
            &[
                ("version", &stored.version.to_string()),
                ("site", &f.site_a.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(f.newsroom.approved.lock().unwrap().len(), 1);

    let log = f.store.audit_log(100, None).await.unwrap();
    let entry = log.iter().find(|e| e.action == "release.approve").unwrap();
    assert_eq!(entry.actor, EDITOR_A);
    assert_eq!(entry.object, format!("release {}", release.id));
    assert!(entry.detail.contains(&format!("story {story}")));
    assert_eq!(entry.from, "192.0.2.10");
}

#[tokio::test]
async fn reject_needs_a_reason_and_tells_the_submitter() {
    let f = fixture().await;
    let release = f.release("Acme opens a plant", &[f.site_a], None).await;
    let mut a = Client::logged_in(&f, EDITOR_A).await;
    let path = format!("/admin/releases/{}", release.id);
    let version = release.version.to_string();
    let page = a
        .post(
            &format!("{path}/reject"),
            &[("version", &version), ("reason", "  ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        f.store.release(release.id).await.unwrap().unwrap().status,
        ReleaseStatus::Submitted
    );
    let page = a
        .post(
            &format!("{path}/reject"),
            &[("version", &version), ("reason", "Advertising, not news.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let stored = f.store.release(release.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReleaseStatus::Rejected);
    assert_eq!(stored.reason.as_deref(), Some("Advertising, not news."));
    assert_eq!(
        f.newsroom.notified.lock().unwrap().clone(),
        vec![(
            release.id,
            ReleaseStatus::Rejected,
            Some("Advertising, not news.".to_owned())
        )]
    );
    let page = a.get(&page.location()).await;
    assert!(page.body.contains("Rejected"));

    let spam = f.release("Cheap pills", &[f.site_a], None).await;
    let page = a
        .post(
            &format!("/admin/releases/{}/spam", spam.id),
            &[("version", &spam.version.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        f.store.release(spam.id).await.unwrap().unwrap().status,
        ReleaseStatus::Spam
    );
    let actions = f.audit_actions().await;
    assert!(actions.contains(&"release.reject".to_owned()));
    assert!(actions.contains(&"release.spam".to_owned()));
}

#[tokio::test]
async fn the_queue_lists_waiting_releases_oldest_first_with_filters() {
    let f = fixture().await;
    let older = f.release("First in line", &[f.site_a], None).await;
    let newer = f.release("Second in line", &[f.site_a], None).await;
    let other = f.release("Gazette only", &[f.site_b], None).await;
    let mut a = Client::logged_in(&f, EDITOR_A).await;
    let page = a.get("/admin/releases").await;
    let first = page.body.find("First in line").unwrap();
    let second = page.body.find("Second in line").unwrap();
    assert!(first < second, "oldest first");
    assert!(!page.body.contains("Gazette only"));
    let page = a.get("/admin/releases?kind=sports").await;
    assert!(!page.body.contains("First in line"));
    let _ = (older, newer, other);
    let mut admin = Client::logged_in(&f, ADMIN).await;
    let page = admin
        .get(&format!("/admin/releases?site={}", f.site_b))
        .await;
    assert!(page.body.contains("Gazette only"));
    assert!(!page.body.contains("First in line"));
}

#[tokio::test]
async fn the_audit_log_pages_newest_first() {
    let f = fixture().await;
    let mut admin = Client::logged_in(&f, ADMIN).await;
    for i in 0..60 {
        masthead_store::Store::audit(
            f.store.as_ref(),
            &masthead_model::AuditEntry {
                at: OffsetTime::new(1_700_000_000_000_000 + i * 1_000_000, 0).unwrap(),
                actor: "cli:ops".into(),
                action: format!("test.action{i}"),
                object: "thing".into(),
                detail: String::new(),
                from: "cli".into(),
            },
        )
        .await
        .unwrap();
    }
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("login.ok"), "newest first");
    assert!(page.body.contains("test.action59"));
    assert!(!page.body.contains("test.action5<"));
    let start = page.body.find("/admin/audit?before=").unwrap();
    let href: String = page
        .body
        .get(start..)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let older = admin.get(&href).await;
    assert!(older.body.contains("test.action0<"));
    assert!(!older.body.contains("login.ok"));
}

// ---- API tokens ----

/// `GET /api/v1/sites` with this bearer token: the status.
async fn api_sites(f: &Fixture, secret: &str) -> StatusCode {
    let request = Request::get("/api/v1/sites")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    f.router.clone().oneshot(request).await.unwrap().status()
}

/// The secret a token page shows, if any.
fn shown_secret(body: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("#token-secret").unwrap();
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
}

#[tokio::test]
async fn admins_make_tokens_that_work_until_revoked() {
    let f = fixture().await;
    // Editors neither see nor reach the page.
    let mut editor = Client::logged_in(&f, EDITOR_A).await;
    assert_eq!(
        editor.get("/admin/tokens").await.status,
        StatusCode::FORBIDDEN
    );
    let page = editor
        .post("/admin/tokens", &[("name", "Sneaky"), ("scope", "write")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        !editor
            .get("/admin/releases")
            .await
            .body
            .contains("href=\"/admin/tokens\"")
    );
    assert!(f.store.api_tokens().await.unwrap().is_empty());

    let mut admin = Client::logged_in(&f, ADMIN).await;
    let page = admin.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("href=\"/admin/tokens\" aria-current=\"page\"")
    );
    assert!(page.body.contains("No tokens yet"));

    // A name and a scope are needed.
    let page = admin
        .post("/admin/tokens", &[("name", "  "), ("scope", "read")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown_secret(&page.body).is_none());
    let page = admin
        .post(
            "/admin/tokens",
            &[("name", "Harbor Wire"), ("scope", "admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&page.body, "name"), "Harbor Wire");
    assert!(f.store.api_tokens().await.unwrap().is_empty());

    // Made: the secret is on this page, and only on this page.
    let page = admin
        .post(
            "/admin/tokens",
            &[("name", " Harbor  Wire "), ("scope", "read")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let secret = shown_secret(&page.body).unwrap();
    assert!(secret.starts_with("mh_") && secret.len() == 67, "{secret}");
    let tokens = f.store.api_tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    let token = tokens.first().unwrap();
    assert_eq!(token.name, "Harbor Wire");
    assert_eq!(token.scope, masthead_model::ApiScope::Read);
    let list = admin.get("/admin/tokens").await;
    assert!(!list.body.contains(&secret));
    assert!(shown_secret(&list.body).is_none());
    assert!(list.body.contains("Harbor Wire"));
    assert!(list.body.contains("never"));
    let audit = f.store.audit_log(10, None).await.unwrap();
    let made = audit.iter().find(|e| e.action == "token.create").unwrap();
    assert_eq!(made.actor, ADMIN);
    assert_eq!(made.object, format!("token {}", token.id));
    assert!(!made.detail.contains(&secret));

    // It works against the API, and its use shows.
    assert_eq!(api_sites(&f, &secret).await, StatusCode::OK);
    let list = admin.get("/admin/tokens").await;
    assert!(!list.body.contains("<td>never</td>"), "{}", list.body);

    // Revoking needs the form's CSRF token …
    let path = format!("/admin/tokens/{}/revoke", token.id);
    let page = admin.post_raw(&path, &[], &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(api_sites(&f, &secret).await, StatusCode::OK);
    // … and an admin.
    assert_eq!(editor.post(&path, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api_sites(&f, &secret).await, StatusCode::OK);
    let page = admin.post(&path, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin/tokens");
    assert_eq!(api_sites(&f, &secret).await, StatusCode::UNAUTHORIZED);
    let list = admin.get("/admin/tokens").await;
    assert!(list.body.contains("revoked"));
    assert!(!list.body.contains(&format!("action=\"{path}\"")));
    assert!(f.audit_actions().await.contains(&"token.revoke".to_owned()));
    // Again, or an unknown one.
    assert_eq!(admin.post(&path, &[]).await.status, StatusCode::SEE_OTHER);
    let revokes = f
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "token.revoke")
        .count();
    assert_eq!(revokes, 1);
    let page = admin.post("/admin/tokens/999999/revoke", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // No session at all.
    let mut anonymous = Client::new(&f).await;
    let page = anonymous.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = anonymous
        .post("/admin/tokens", &[("name", "x"), ("scope", "write")])
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.store.api_tokens().await.unwrap().len(), 1);
}
