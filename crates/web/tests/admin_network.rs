//! The admin's network pages through the real router and a real (in-memory SQLite) store:
//! sources (add, pause, resume, remove, OPML import), sites, stories (search, view, pin, kill),
//! unplaced stories, subscribers and digests, the outbox. Accounts and sessions are made in the
//! store directly and the session cookie is set by hand; the CSRF field is the one the server
//! signs for the browser's cookie. Checks: no session → login redirect (GET) or 401 (POST);
//! an editor of another site → 403 on its story, its kill and its subscribers, and on
//! admin-only pages; no CSRF field → 403; every action is in the audit log.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures and helpers fail loudly on a broken setup"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use hmac::{KeyInit, Mac};
use masthead_model::{
    FullTextPolicy, NewStory, OffsetTime, Placement, Role, Section, SiteSpec, SourceSpec, StoryId,
    User,
};
use masthead_store::Store;
use masthead_web::WebSettings;
use sha2::Digest;
use tower::ServiceExt;

const SECRET: &[u8] = b"a test secret of thirty-two bytes";
const ORLANDO_HOST: &str = "orlando.test";
const CSRF_COOKIE: &str = "0123456789abcdef0123456789abcdef";
const ADMIN: &str = "admin@masthead.test";
const ORLANDO_EDITOR: &str = "orlando.editor@masthead.test";
const KYIV_EDITOR: &str = "kyiv.editor@masthead.test";
const READER: &str = "jane.reader@example.org";

struct Fixture {
    router: Router,
    store: Arc<dyn Store>,
    outbox: PathBuf,
    orlando: i64,
    /// Placed on Orlando.
    s1: StoryId,
    /// Placed on Kyiv.
    s2: StoryId,
    /// Placed nowhere.
    s3: StoryId,
    /// Same cluster as `s1`, placed on Orlando.
    s4: StoryId,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.outbox);
    }
}

fn temp_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "masthead-web-admin-network-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn story(source_id: i64, guid: &str, headline: &str, text: &str) -> NewStory {
    NewStory {
        source_id,
        guid: guid.into(),
        url: Some(format!("https://example.test/{guid}")),
        headline: headline.into(),
        standfirst: None,
        byline: None,
        dateline: None,
        published: OffsetTime::now_utc().shifted(-3_600_000_000),
        updated: None,
        content_html: format!("<p>{text}</p>"),
        text: text.into(),
        image: None,
        categories: vec![],
        content_hash: format!("hash-{guid}"),
        canonical_url: None,
    }
}

fn site(slug: &str, name: &str, host: &str) -> SiteSpec {
    SiteSpec {
        slug: slug.into(),
        name: name.into(),
        hosts: vec![host.into()],
        time_zone: "America/New_York".into(),
        tagline: String::new(),
        sections: vec![Section {
            slug: "world".into(),
            name: "World".into(),
        }],
    }
}

/// The session id of each account: 64 hex digits, made from its email.
fn session_of(email: &str) -> String {
    hex::encode(sha2::Sha256::digest(email.as_bytes()))
}

async fn user(store: &dyn Store, email: &str, role: Role, sites: &[i64]) -> User {
    let now = OffsetTime::now_utc();
    let user = store
        .create_user(email, role, sites, "", now)
        .await
        .unwrap();
    let id = session_of(email);
    let hash = hex::encode(sha2::Sha256::digest(id.as_bytes()));
    store
        .create_session(
            &hash,
            user.id,
            now.unix_micros,
            now.unix_micros + 3_600_000_000,
        )
        .await
        .unwrap();
    user
}

async fn fixture() -> Fixture {
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let orlando = store
        .upsert_site(&site("orlando-echo", "Orlando Echo", ORLANDO_HOST))
        .await
        .unwrap();
    let kyiv = store
        .upsert_site(&site("kyiv-post", "Kyiv Post", "kyiv.test"))
        .await
        .unwrap();
    let source = store
        .upsert_source(&SourceSpec {
            name: "Harbor Wire".into(),
            url: "https://harbor.example/feed.xml".into(),
            section: None,
            dateline: None,
            full_text: FullTextPolicy::Auto,
            interval_secs: 900,
        })
        .await
        .unwrap();
    let put = |s: NewStory, cluster: Option<i64>| {
        let store = store.clone();
        async move { store.put_story(&s, cluster).await.unwrap().id() }
    };
    let s1 = put(
        story(
            source.id,
            "s1",
            "Harbor cranes return to the port",
            "The cranes are back.",
        ),
        None,
    )
    .await;
    let s2 = put(
        story(
            source.id,
            "s2",
            "Kyiv bridge reopens",
            "Traffic flows again.",
        ),
        None,
    )
    .await;
    let s3 = put(
        story(source.id, "s3", "An orphan story", "Nobody placed it."),
        None,
    )
    .await;
    let cluster = store.story(s1).await.unwrap().unwrap().cluster;
    let s4 = put(
        story(source.id, "s4", "Cranes back at the harbour", "A rewrite."),
        Some(cluster),
    )
    .await;
    for (id, site) in [(s1, orlando.id), (s2, kyiv.id), (s4, orlando.id)] {
        store
            .place(&Placement {
                story_id: id,
                site_id: site,
                section: "world".into(),
            })
            .await
            .unwrap();
    }
    user(store.as_ref(), ADMIN, Role::Admin, &[]).await;
    user(store.as_ref(), ORLANDO_EDITOR, Role::Editor, &[orlando.id]).await;
    user(store.as_ref(), KYIV_EDITOR, Role::Editor, &[kyiv.id]).await;

    let outbox = temp_dir();
    std::fs::create_dir_all(&outbox).unwrap();
    std::fs::write(
        outbox.join("20261126T060000.000000Z-digest.eml"),
        format!(
            "From: Masthead <news@masthead.test>\r\nTo: Jane Reader <{READER}>\r\n\
             Subject: Your Orlando Echo for today\r\nDate: Thu, 26 Nov 2026 06:00:00 +0000\r\n\
             Message-ID: <digest-1@masthead.test>\r\n\r\nHello.\r\n"
        ),
    )
    .unwrap();

    let (router, _handle) = masthead_web::app(
        store.clone(),
        WebSettings {
            network_name: "Masthead Test Network".into(),
            base_url: None,
            static_files: vec![],
            websub: None,
            intake: None,
            mail: None,
            secret: SECRET.to_vec(),
            newsroom: None,
            uploads_dir: None,
            outbox_dir: Some(outbox.clone()),
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    Fixture {
        router,
        store,
        outbox,
        orlando: orlando.id,
        s1,
        s2,
        s3,
        s4,
    }
}

/// The CSRF field the server expects for [`CSRF_COOKIE`].
fn csrf_field() -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(b"csrf:");
    mac.update(CSRF_COOKIE.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn cookies(who: Option<&str>) -> String {
    match who {
        Some(email) => format!(
            "masthead_session={}; masthead_csrf={CSRF_COOKIE}",
            session_of(email)
        ),
        None => format!("masthead_csrf={CSRF_COOKIE}"),
    }
}

async fn send(f: &Fixture, request: Request<Body>) -> Answer {
    let response = f.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 4 << 20).await.unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn get(f: &Fixture, path: &str, who: Option<&str>) -> Answer {
    let request = Request::get(path)
        .header(header::HOST, ORLANDO_HOST)
        .header(header::COOKIE, cookies(who))
        .body(Body::empty())
        .unwrap();
    send(f, request).await
}

/// A form POST; `csrf` adds the right CSRF field.
async fn post(
    f: &Fixture,
    path: &str,
    who: Option<&str>,
    fields: &[(&str, &str)],
    csrf: bool,
) -> Answer {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    if csrf {
        form.append_pair("csrf", &csrf_field());
    }
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    let request = Request::post(path)
        .header(header::HOST, ORLANDO_HOST)
        .header(header::COOKIE, cookies(who))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.finish()))
        .unwrap();
    send(f, request).await
}

const BOUNDARY: &str = "----mastheadtestboundary";

fn multipart(csrf: bool, section: &str, file: &str) -> String {
    let mut body = String::new();
    if csrf {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
            csrf_field()
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"section\"\r\n\r\n{section}\r\n"
    ));
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"opml\"; filename=\"feeds.opml\"\r\n\
         Content-Type: text/x-opml\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
    ));
    body
}

async fn import(f: &Fixture, who: Option<&str>, csrf: bool, section: &str, file: &str) -> Answer {
    let request = Request::post("/admin/sources/import")
        .header(header::HOST, ORLANDO_HOST)
        .header(header::COOKIE, cookies(who))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(csrf, section, file)))
        .unwrap();
    send(f, request).await
}

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Feeds</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="Bay Courier" xmlUrl="https://bay.example/rss.xml"/>
      <outline type="rss" title="Lake Times" text="Lake" xmlUrl="http://lake.example/feed"/>
    </outline>
    <outline type="rss" text="Sneaky" xmlUrl="javascript:alert(1)"/>
  </body>
</opml>"#;

async fn audit_actions(f: &Fixture) -> Vec<(String, String, String, String)> {
    f.store
        .audit_log(100, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.object, e.detail))
        .collect()
}

#[tokio::test]
async fn every_route_needs_a_session() {
    let f = fixture().await;
    let s1 = f.s1.to_string();
    for path in [
        "/admin/sources".to_owned(),
        "/admin/sites".to_owned(),
        "/admin/stories".to_owned(),
        "/admin/stories?q=harbor".to_owned(),
        format!("/admin/stories/{s1}"),
        "/admin/unplaced".to_owned(),
        "/admin/subscribers".to_owned(),
        "/admin/outbox".to_owned(),
    ] {
        let answer = get(&f, &path, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "GET {path}");
        assert!(
            answer.location().starts_with("/admin/login?next="),
            "GET {path} → {}",
            answer.location()
        );
    }
    for path in [
        "/admin/sources".to_owned(),
        "/admin/sources/pause".to_owned(),
        "/admin/sources/resume".to_owned(),
        "/admin/sources/remove".to_owned(),
        format!("/admin/stories/{s1}/kill"),
        format!("/admin/stories/{s1}/pin"),
        format!("/admin/stories/{s1}/unpin"),
    ] {
        let answer = post(
            &f,
            &path,
            None,
            &[("name", "Harbor Wire"), ("reason", "x")],
            true,
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "POST {path}");
    }
    let answer = import(&f, None, true, "", OPML).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // Nothing happened.
    assert!(f.store.story(f.s1).await.unwrap().unwrap().killed.is_none());
    let source = f
        .store
        .source_by_name("Harbor Wire")
        .await
        .unwrap()
        .unwrap();
    assert!(!source.health.paused);
    assert!(
        f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .is_none()
    );
    // A stale or made-up session is no session.
    let answer = get(&f, "/admin/stories", Some("nobody@masthead.test")).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn editors_of_another_site_are_refused() {
    let f = fixture().await;
    let (s1, s3) = (f.s1, f.s3);
    let kyiv = Some(KYIV_EDITOR);
    for path in [
        format!("/admin/stories/{s1}"),
        format!("/admin/stories/{s3}"),
        "/admin/stories?site=orlando-echo".to_owned(),
        "/admin/subscribers?site=orlando-echo".to_owned(),
        "/admin/sources".to_owned(),
        "/admin/unplaced".to_owned(),
    ] {
        assert_eq!(
            get(&f, &path, kyiv).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
    }
    for (path, fields) in [
        (
            format!("/admin/stories/{s1}/kill"),
            vec![("reason", "not mine")],
        ),
        (format!("/admin/stories/{s1}/pin"), vec![]),
        (format!("/admin/stories/{s1}/unpin"), vec![]),
        (
            "/admin/sources".to_owned(),
            vec![("name", "X"), ("url", "https://x.example/")],
        ),
        (
            "/admin/sources/pause".to_owned(),
            vec![("name", "Harbor Wire")],
        ),
        (
            "/admin/sources/remove".to_owned(),
            vec![("name", "Harbor Wire")],
        ),
    ] {
        let answer = post(&f, &path, kyiv, &fields, true).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(
        import(&f, kyiv, true, "", OPML).await.status,
        StatusCode::FORBIDDEN
    );
    // Nothing happened.
    assert!(f.store.story(s1).await.unwrap().unwrap().killed.is_none());
    let source = f
        .store
        .source_by_name("Harbor Wire")
        .await
        .unwrap()
        .unwrap();
    assert!(!source.health.paused);
    assert!(f.store.source_by_name("X").await.unwrap().is_none());
    assert!(
        f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .is_none()
    );
    assert!(audit_actions(&f).await.is_empty());

    // Their own site's story and list are theirs; an unknown site is not found.
    let own = get(&f, &format!("/admin/stories/{}", f.s2), kyiv).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Kyiv bridge reopens"));
    let list = get(&f, "/admin/stories", kyiv).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Kyiv bridge reopens"));
    assert!(!list.body.contains("Harbor cranes"));
    assert_eq!(
        get(&f, "/admin/subscribers?site=nowhere", kyiv)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let all = get(&f, "/admin/sites", Some(ADMIN)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("Kyiv Post") && all.body.contains("Orlando Echo"));
    assert!(all.body.contains("orlando.test") && all.body.contains("America/New_York"));
    assert!(all.body.contains("come from the configuration file"));
    let sites = get(&f, "/admin/sites", kyiv).await;
    assert_eq!(sites.status, StatusCode::OK);
    assert!(sites.body.contains("Kyiv Post") && !sites.body.contains("Orlando Echo"));
    // The Orlando editor may open the Orlando story.
    let mine = get(&f, &format!("/admin/stories/{s1}"), Some(ORLANDO_EDITOR)).await;
    assert_eq!(mine.status, StatusCode::OK);
}

#[tokio::test]
async fn a_post_without_the_csrf_field_is_refused() {
    let f = fixture().await;
    let s1 = f.s1;
    let admin = Some(ADMIN);
    for (path, fields) in [
        (
            format!("/admin/stories/{s1}/kill"),
            vec![("reason", "forged")],
        ),
        (format!("/admin/stories/{s1}/pin"), vec![]),
        (
            "/admin/sources".to_owned(),
            vec![("name", "X"), ("url", "https://x.example/")],
        ),
        (
            "/admin/sources/pause".to_owned(),
            vec![("name", "Harbor Wire")],
        ),
        (
            "/admin/sources/resume".to_owned(),
            vec![("name", "Harbor Wire")],
        ),
        (
            "/admin/sources/remove".to_owned(),
            vec![("name", "Harbor Wire")],
        ),
    ] {
        let answer = post(&f, &path, admin, &fields, false).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(
        import(&f, admin, false, "", OPML).await.status,
        StatusCode::FORBIDDEN
    );
    // A wrong field is no better than none.
    let request = Request::post(format!("/admin/stories/{s1}/kill"))
        .header(header::HOST, ORLANDO_HOST)
        .header(header::COOKIE, cookies(admin))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("csrf=00ff&reason=forged"))
        .unwrap();
    assert_eq!(send(&f, request).await.status, StatusCode::FORBIDDEN);
    assert!(f.store.story(s1).await.unwrap().unwrap().killed.is_none());
    assert!(
        f.store
            .source_by_name("Harbor Wire")
            .await
            .unwrap()
            .is_some()
    );
    assert!(f.store.source_by_name("X").await.unwrap().is_none());
    assert!(audit_actions(&f).await.is_empty());
}

#[tokio::test]
async fn a_kill_records_who_and_why_and_the_page_is_gone() {
    let f = fixture().await;
    let s1 = f.store.story(f.s1).await.unwrap().unwrap();
    let public = format!("/story/{}/{}", s1.id, s1.slug);
    assert_eq!(get(&f, &public, None).await.status, StatusCode::OK);

    // The reason is required: the form comes back with a message, nothing is killed.
    let path = format!("/admin/stories/{}/kill", s1.id);
    let editor = Some(ORLANDO_EDITOR);
    let answer = post(&f, &path, editor, &[("reason", "   ")], true).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("Say why the story is withdrawn"));
    assert!(
        f.store
            .story(s1.id)
            .await
            .unwrap()
            .unwrap()
            .killed
            .is_none()
    );

    let reason = "Defamatory claim; legal asked us to withdraw";
    let answer = post(&f, &path, editor, &[("reason", reason)], true).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), format!("/admin/stories/{}", s1.id));
    let kill = f.store.story(s1.id).await.unwrap().unwrap().killed.unwrap();
    assert_eq!(kill.by, ORLANDO_EDITOR);
    assert_eq!(kill.reason, reason);

    // The public page answers 410 at once (the page cache was dropped).
    assert_eq!(get(&f, &public, None).await.status, StatusCode::GONE);

    // The admin page says who, why and when; the list marks it.
    let page = get(&f, &format!("/admin/stories/{}", s1.id), Some(ADMIN)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Killed"));
    assert!(page.body.contains(ORLANDO_EDITOR));
    assert!(
        page.body
            .contains("Defamatory claim; legal asked us to withdraw")
    );
    assert!(
        !page
            .body
            .contains(&format!("action=\"/admin/stories/{}/kill\"", s1.id))
    );
    let list = get(&f, "/admin/stories", Some(ADMIN)).await;
    assert!(list.body.contains("badge-killed"));

    let audit = audit_actions(&f).await;
    assert!(audit.contains(&(
        ORLANDO_EDITOR.to_owned(),
        "story.kill".to_owned(),
        format!("story {}", s1.id),
        reason.to_owned()
    )));
}

#[tokio::test]
async fn sources_are_added_paused_resumed_and_removed() {
    let f = fixture().await;
    let admin = Some(ADMIN);
    let page = get(&f, "/admin/sources", admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Harbor Wire") && page.body.contains("never polled"));

    // A bad form comes back with messages and what was typed.
    let answer = post(
        &f,
        "/admin/sources",
        admin,
        &[
            ("name", "Bay Courier"),
            ("url", "javascript:alert(1)"),
            ("interval", "5s"),
        ],
        true,
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer
            .body
            .contains("Only http and https feeds can be polled.")
    );
    assert!(answer.body.contains("between one minute and one week"));
    assert!(answer.body.contains("value=\"Bay Courier\""));
    assert!(
        f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .is_none()
    );

    let answer = post(
        &f,
        "/admin/sources",
        admin,
        &[
            ("name", "Bay Courier"),
            ("url", "https://bay.example/rss.xml"),
            ("section", "World"),
            ("full_text", "always"),
            ("interval", "30m"),
        ],
        true,
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(answer.location().starts_with("/admin/sources?notice=saved"));
    let bay = f
        .store
        .source_by_name("Bay Courier")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bay.url, "https://bay.example/rss.xml");
    assert_eq!(bay.section.as_deref(), Some("world"));
    assert_eq!(bay.full_text, FullTextPolicy::Always);
    assert_eq!(bay.interval_secs, 1800);
    let page = get(&f, answer.location(), admin).await;
    assert!(page.body.contains("Source Bay Courier saved"));

    let name = [("name", "Bay Courier")];
    let answer = post(&f, "/admin/sources/pause", admin, &name, true).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .unwrap()
            .health
            .paused
    );
    let page = get(&f, "/admin/sources", admin).await;
    assert!(page.body.contains("status-paused"));
    assert!(page.body.contains("action=\"/admin/sources/resume\""));

    let answer = post(&f, "/admin/sources/resume", admin, &name, true).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        !f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .unwrap()
            .health
            .paused
    );

    let answer = post(&f, "/admin/sources/remove", admin, &name, true).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        f.store
            .source_by_name("Bay Courier")
            .await
            .unwrap()
            .is_none()
    );
    // Removing it again: there is no such source any more.
    let answer = post(&f, "/admin/sources/remove", admin, &name, true).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    let actions: Vec<String> = audit_actions(&f)
        .await
        .into_iter()
        .filter(|(actor, ..)| actor == ADMIN)
        .map(|(_, action, ..)| action)
        .collect();
    // Newest first.
    assert_eq!(
        actions,
        [
            "source.remove",
            "source.resume",
            "source.pause",
            "source.add"
        ]
    );
}

#[tokio::test]
async fn an_opml_list_is_imported() {
    let f = fixture().await;
    let answer = import(&f, Some(ADMIN), true, "", OPML).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("2 imported"));
    let bay = f
        .store
        .source_by_name("Bay Courier")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bay.url, "https://bay.example/rss.xml");
    assert_eq!(bay.section.as_deref(), Some("world"));
    assert_eq!(bay.interval_secs, 900);
    let lake = f.store.source_by_name("Lake Times").await.unwrap().unwrap();
    assert_eq!(lake.url, "http://lake.example/feed");
    assert!(f.store.source_by_name("Sneaky").await.unwrap().is_none());
    let audit = audit_actions(&f).await;
    let entry = audit
        .iter()
        .find(|(_, a, ..)| a == "source.import")
        .unwrap();
    assert_eq!(entry.0, ADMIN);
    assert!(entry.3.contains("Bay Courier") && entry.3.contains("Lake Times"));

    // A section given in the form wins over the folders.
    let answer = import(&f, Some(ADMIN), true, "Business", OPML).await;
    assert_eq!(answer.status, StatusCode::OK);
    let bay = f
        .store
        .source_by_name("Bay Courier")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bay.section.as_deref(), Some("business"));

    // Not OPML: a clear 400, nothing stored.
    let answer = import(&f, Some(ADMIN), true, "", "<rss><channel/></rss>").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("not an OPML source list"));
}

#[tokio::test]
async fn stories_are_searched_listed_and_pinned() {
    let f = fixture().await;
    let admin = Some(ADMIN);
    let found = get(&f, "/admin/stories?q=cranes", admin).await;
    assert_eq!(found.status, StatusCode::OK);
    // One hit per cluster: either of the two cranes stories.
    assert!(
        found.body.contains("Harbor cranes return to the port")
            || found.body.contains("Cranes back at the harbour")
    );
    assert!(!found.body.contains("Kyiv bridge reopens"));
    let found = get(&f, "/admin/stories?q=bridge&site=kyiv-post", admin).await;
    assert!(found.body.contains("Kyiv bridge reopens"));
    assert!(found.body.contains("1 story found"));
    let newest = get(&f, "/admin/stories?site=kyiv-post", admin).await;
    assert!(newest.body.contains("Kyiv bridge reopens"));
    assert!(!newest.body.contains("Harbor cranes"));

    // The story page: placements, cluster members with pin buttons, the kill form.
    let page = get(
        &f,
        &format!("/admin/stories/{}", f.s1),
        Some(ORLANDO_EDITOR),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Orlando Echo — World"));
    assert!(page.body.contains("Cranes back at the harbour"));
    assert!(
        page.body
            .contains(&format!("action=\"/admin/stories/{}/pin\"", f.s4))
    );
    assert!(
        page.body
            .contains(&format!("action=\"/admin/stories/{}/kill\"", f.s1))
    );

    let answer = post(
        &f,
        &format!("/admin/stories/{}/pin", f.s4),
        Some(ORLANDO_EDITOR),
        &[("back", &f.s1.to_string())],
        true,
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), format!("/admin/stories/{}", f.s1));
    // The site now shows the pinned story for the cluster.
    let listed = f.store.site_stories(f.orlando, None, 0, 10).await.unwrap();
    assert!(listed.iter().any(|s| s.id == f.s4));
    assert!(!listed.iter().any(|s| s.id == f.s1));
    let audit = audit_actions(&f).await;
    assert!(
        audit
            .iter()
            .any(|(actor, action, _, detail)| actor == ORLANDO_EDITOR
                && action == "cluster.pin"
                && *detail == format!("story {}", f.s4))
    );

    // Unplaced stories: admins only (and editors of every site).
    let unplaced = get(&f, "/admin/unplaced", admin).await;
    assert_eq!(unplaced.status, StatusCode::OK);
    assert!(unplaced.body.contains("An orphan story"));
    assert_eq!(
        get(&f, "/admin/unplaced", Some(ORLANDO_EDITOR))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&f, &format!("/admin/stories/{}", f.s3), admin)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&f, "/admin/stories/999999", admin).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn subscribers_and_digests_by_site() {
    let f = fixture().await;
    let now = OffsetTime::now_utc();
    f.store
        .subscribe_request(
            f.orlando,
            READER,
            "hash-1",
            now.unix_micros + 1_000_000_000,
            now,
        )
        .await
        .unwrap();
    let answer = get(&f, "/admin/subscribers?site=orlando-echo", Some(ADMIN)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains(READER));
    assert!(answer.body.contains("<strong>1</strong> pending"));
    assert!(answer.body.contains("Today&#39;s digests") || answer.body.contains("Today's digests"));
    assert!(answer.body.contains("Kyiv Post"));

    // 50 a page, by id: the 51st is on the next page.
    for n in 2..=51 {
        f.store
            .subscribe_request(
                f.orlando,
                &format!("reader{n}@example.org"),
                &format!("hash-{n}"),
                now.unix_micros + 1_000_000_000,
                now,
            )
            .await
            .unwrap();
    }
    let first = get(&f, "/admin/subscribers?site=orlando-echo", Some(ADMIN)).await;
    assert!(first.body.contains("<strong>51</strong> pending"));
    assert!(first.body.contains("reader50@example.org"));
    assert!(!first.body.contains("reader51@example.org"));
    let next = "/admin/subscribers?site=orlando-echo&#38;after=50";
    assert!(first.body.contains(next), "{}", first.body);
    let second = get(&f, &next.replace("&#38;", "&"), Some(ADMIN)).await;
    assert!(second.body.contains("reader51@example.org"));
    assert!(!second.body.contains("reader50@example.org"));
    assert!(second.body.contains("First page"));

    // The site's editor sees the list with addresses masked.
    let answer = get(&f, "/admin/subscribers", Some(ORLANDO_EDITOR)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!answer.body.contains(READER));
    assert!(answer.body.contains("j•••@example.org"));
    assert!(!answer.body.contains("Kyiv Post"));
}

#[tokio::test]
async fn the_outbox_is_listed_with_addresses_for_admins_only() {
    let f = fixture().await;
    let answer = get(&f, "/admin/outbox", Some(ADMIN)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Your Orlando Echo for today"));
    assert!(answer.body.contains(READER));
    assert!(answer.body.contains("2026-11-26 06:00:00 UTC"));

    let answer = get(&f, "/admin/outbox", Some(KYIV_EDITOR)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Your Orlando Echo for today"));
    assert!(!answer.body.contains(READER));
    assert!(!answer.body.contains("Jane Reader"));
    assert!(answer.body.contains("j•••@example.org"));
}
