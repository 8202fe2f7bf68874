//! One story test suite for both backends: every `store_test!` body runs on a temp SQLite
//! file and on a fresh PostgreSQL database (`MASTHEAD_TEST_DATABASE_URL`, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`). Without that variable the PostgreSQL half
//! is skipped with a note, unless `CI=true`, where it fails.

// The harness and fixtures sit outside `#[test]` functions, where clippy's test allowances do
// not reach; a failure there must stop the test just the same.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test harness and fixtures: failing loudly is the point"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use masthead_model::{
    FullTextPolicy, LeadImage, NewStory, OffsetTime, Placement, PollRecord, Section, SiteSpec,
    Source, SourceHealth, SourceSpec, StoreOutcome,
};
use masthead_store::{PostgresStore, SqliteStore, Store, StoreError, StoryFilter};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

/// A database for one test, removed when the test ends (best effort).
struct TestDb {
    store: Arc<dyn Store>,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn sqlite_db() -> TestDb {
    let path = std::env::temp_dir().join(format!("masthead_store_test_{}.db", unique()));
    let url = format!("sqlite://{}", path.display());
    let store = masthead_store::open(&url).await.unwrap();
    TestDb {
        store,
        url,
        cleanup: Cleanup::Sqlite(path),
    }
}

async fn postgres_db() -> Option<TestDb> {
    let admin_url = match std::env::var("MASTHEAD_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but MASTHEAD_TEST_DATABASE_URL is unset: the PostgreSQL half must run")
        }
        _ => {
            eprintln!("note: MASTHEAD_TEST_DATABASE_URL is unset; skipping the PostgreSQL half");
            return None;
        }
    };
    let name = format!("masthead_test_{}", unique());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    admin
        .execute(AssertSqlSafe(format!(
            "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
        )))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&format!("/{name}"));
    let url = url.to_string();
    let store = masthead_store::open(&url).await.unwrap();
    Some(TestDb {
        store,
        url,
        cleanup: Cleanup::Postgres { admin_url, name },
    })
}

impl TestDb {
    /// Runs a body on its own task so that a failing assertion still lets us clean up.
    async fn run<F, Fut>(self, migrate: bool, body: F)
    where
        F: FnOnce(Arc<dyn Store>, String) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if migrate {
            self.store.migrate().await.unwrap();
        }
        let result = tokio::spawn(body(self.store.clone(), self.url.clone())).await;
        drop(self.store);
        match self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = admin.execute(AssertSqlSafe(drop)).await {
                        eprintln!("note: could not drop test database {name}: {e}");
                    }
                    let _ = admin.close().await;
                }
            }
        }
        if let Err(e) = result {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

/// Runs one async body against both backends: `store_test!(name, |store, url| { … })`.
/// `store` is an `Arc<dyn Store>` (migrated, unless the test is marked `unmigrated`) and `url`
/// the database's URL, for tests that open it a second time.
macro_rules! store_test {
    ($name:ident, |$store:ident, $url:ident| $body:block) => {
        store_test!(@ $name, true, |$store, $url| $body);
    };
    ($name:ident, unmigrated, |$store:ident, $url:ident| $body:block) => {
        store_test!(@ $name, false, |$store, $url| $body);
    };
    (@ $name:ident, $migrate:expr, |$store:ident, $url:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                sqlite_db()
                    .await
                    .run($migrate, |$store, $url| async move {
                        let _ = &$url;
                        $body
                    })
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = postgres_db().await {
                    db.run($migrate, |$store, $url| async move {
                        let _ = &$url;
                        $body
                    })
                    .await;
                }
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// Fixtures

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.to_owned(),
        name: name.to_owned(),
    }
}

fn site_spec(slug: &str, hosts: &[&str], sections: &[(&str, &str)]) -> SiteSpec {
    SiteSpec {
        slug: slug.to_owned(),
        name: format!("{slug} name"),
        hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
        time_zone: "America/New_York".to_owned(),
        tagline: "Local news".to_owned(),
        sections: sections.iter().map(|(s, n)| section(s, n)).collect(),
    }
}

fn source_spec(name: &str) -> SourceSpec {
    SourceSpec {
        name: name.to_owned(),
        url: format!("https://{}.example/feed.xml", name.to_lowercase()),
        section: None,
        dateline: None,
        full_text: FullTextPolicy::Auto,
        interval_secs: 900,
    }
}

/// 2025-04-12T04:01:00+10:00 plus `minutes`.
fn at(minutes: i64) -> OffsetTime {
    OffsetTime::new(1_744_394_460_000_000 + minutes * 60_000_000, 10 * 3600).unwrap()
}

fn new_story(source_id: i64, guid: &str, headline: &str, published: OffsetTime) -> NewStory {
    let text = format!("{headline}: the lead paragraph.\n\nA second paragraph.");
    NewStory {
        source_id,
        guid: guid.to_owned(),
        url: Some(format!("https://source.example/{guid}")),
        headline: headline.to_owned(),
        standfirst: Some("A standfirst.".to_owned()),
        byline: Some("A. Reporter".to_owned()),
        dateline: Some("KYIV, Ukraine".to_owned()),
        published,
        updated: None,
        content_html: format!("<p>{headline}: the lead paragraph.</p><p>A second paragraph.</p>"),
        content_hash: format!("hash-of-{headline}-{text}"),
        text,
        image: None,
        categories: vec!["World".to_owned()],
    }
}

async fn a_source(store: &dyn Store, name: &str) -> i64 {
    store.upsert_source(&source_spec(name)).await.unwrap().id
}

async fn a_site(store: &dyn Store, slug: &str) -> i64 {
    let host = format!("{slug}.example");
    let spec = site_spec(slug, &[&host], &[("world", "World"), ("sports", "Sports")]);
    store.upsert_site(&spec).await.unwrap().id
}

fn place(story_id: i64, site_id: i64, section: &str) -> Placement {
    Placement {
        story_id,
        site_id,
        section: section.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Migrations and opening

store_test!(
    migrations_are_idempotent_and_race_safe,
    unmigrated,
    |store, url| {
        // Two "processes" (separate pools) migrating a fresh database at once.
        let other = masthead_store::open(&url).await.unwrap();
        let (a, b) = tokio::join!(store.migrate(), other.migrate());
        a.unwrap();
        b.unwrap();
        store.migrate().await.unwrap();
        other.migrate().await.unwrap();
        store.ping().await.unwrap();
        assert!(store.sites().await.unwrap().is_empty());
        assert!(["sqlite", "postgres"].contains(&store.backend()));
    }
);

#[tokio::test]
async fn sqlite_memory_and_missing_directories_work() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let source = a_source(&store, "Wire").await;
    let id = store
        .put_story(&new_story(source, "g", "Memory", at(0)), None)
        .await
        .unwrap()
        .id();
    assert_eq!(store.story(id).await.unwrap().unwrap().headline, "Memory");

    let dir = std::env::temp_dir().join(format!("masthead_store_dir_{}", unique()));
    let url = format!("sqlite://{}/nested/masthead.db", dir.display());
    let store = SqliteStore::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn open_errors_name_the_url_without_its_password() {
    // A port out of range fails at once (a refused connection is retried until the pool's
    // acquire timeout, which would make this test slow).
    let err = PostgresStore::open("postgres://app:s3cret@127.0.0.1:99999/masthead")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("postgres://app@127.0.0.1:99999/masthead"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");

    let err = SqliteStore::open("sqlite:///dev/null/not-a-dir/x.db")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/dev/null/not-a-dir/x.db"),
        "{err}"
    );

    let err = masthead_store::open("mysql://root:s3cret@db/x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Scheme { .. }), "{err:?}");
    assert!(!err.to_string().contains("s3cret"));
}

// ---------------------------------------------------------------------------------------
// Sites and sources

store_test!(sites_are_upserted_and_found_by_host, |store, url| {
    let spec = site_spec(
        "orlando-echo",
        &["Orlando.Example", "www.orlando.example"],
        &[
            ("world", "World"),
            ("business", "Business"),
            ("sports", "Sports"),
        ],
    );
    let site = store.upsert_site(&spec).await.unwrap();
    assert_eq!(site.hosts, ["orlando.example", "www.orlando.example"]);
    let slugs: Vec<_> = site.sections.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs, ["world", "business", "sports"]);

    assert_eq!(
        store.site_by_host("orlando.example").await.unwrap(),
        Some(site.clone())
    );
    assert_eq!(
        store.site_by_host("www.orlando.example").await.unwrap(),
        Some(site.clone())
    );
    assert_eq!(
        store.site_by_host("Orlando.Example").await.unwrap(),
        Some(site.clone())
    );
    assert_eq!(
        store.site_by_slug("orlando-echo").await.unwrap(),
        Some(site.clone())
    );
    assert_eq!(store.site_by_host("other.example").await.unwrap(), None);
    assert_eq!(store.site_by_slug("other").await.unwrap(), None);

    // Upserting again replaces hosts and sections, keeps the id and the given order.
    let mut changed = spec.clone();
    changed.name = "The Orlando Echo".to_owned();
    changed.hosts = vec!["echo.example".to_owned(), "orlando.example".to_owned()];
    changed.sections = vec![section("sports", "Sport"), section("world", "World")];
    let again = store.upsert_site(&changed).await.unwrap();
    assert_eq!(again.id, site.id);
    assert_eq!(again.name, "The Orlando Echo");
    let read = store.site_by_slug("orlando-echo").await.unwrap().unwrap();
    assert_eq!(read, again);
    assert_eq!(read.hosts, ["echo.example", "orlando.example"]);
    assert_eq!(
        read.sections,
        [section("sports", "Sport"), section("world", "World")]
    );
    assert_eq!(
        store.site_by_host("www.orlando.example").await.unwrap(),
        None
    );

    let other = store
        .upsert_site(&site_spec("kyiv-post", &["kyiv.example"], &[]))
        .await
        .unwrap();
    let all = store.sites().await.unwrap();
    assert_eq!(all, [other, again]);
});

store_test!(a_host_belongs_to_one_site, |store, url| {
    store
        .upsert_site(&site_spec(
            "orlando-echo",
            &["orlando.example"],
            &[("world", "World")],
        ))
        .await
        .unwrap();
    let err = store
        .upsert_site(&site_spec(
            "kyiv-post",
            &["kyiv.example", "ORLANDO.example"],
            &[],
        ))
        .await
        .unwrap_err();
    match err {
        StoreError::HostTaken {
            host,
            site,
            other_site,
        } => {
            assert_eq!(host, "orlando.example");
            assert_eq!(site, "kyiv-post");
            assert_eq!(other_site, "orlando-echo");
        }
        other => panic!("expected HostTaken, got {other:?}"),
    }
    // The failed upsert left nothing behind.
    assert_eq!(store.site_by_slug("kyiv-post").await.unwrap(), None);
    assert_eq!(store.site_by_host("kyiv.example").await.unwrap(), None);
    let orlando = store
        .site_by_host("orlando.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(orlando.slug, "orlando-echo");

    let err = store
        .upsert_site(&site_spec(
            "twice",
            &[],
            &[("world", "World"), ("world", "Again")],
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateSection { .. }),
        "{err:?}"
    );
});

store_test!(sources_are_upserted_by_name, |store, url| {
    let first = store.upsert_source(&source_spec("RT.com")).await.unwrap();
    assert_eq!(first.name, "RT.com");
    assert_eq!(first.full_text, FullTextPolicy::Auto);

    let mut spec = source_spec("RT.com");
    spec.url = "https://rt.example/rss".to_owned();
    spec.section = Some("world".to_owned());
    spec.dateline = Some("MOSCOW, Russia".to_owned());
    spec.full_text = FullTextPolicy::Always;
    spec.interval_secs = 3600;
    let second = store.upsert_source(&spec).await.unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.url, "https://rt.example/rss");
    assert_eq!(second.section.as_deref(), Some("world"));
    assert_eq!(second.dateline.as_deref(), Some("MOSCOW, Russia"));
    assert_eq!(second.full_text, FullTextPolicy::Always);
    assert_eq!(second.interval_secs, 3600);

    let ap = store.upsert_source(&source_spec("AP")).await.unwrap();
    assert_eq!(store.sources().await.unwrap(), [ap, second.clone()]);
    assert_eq!(store.source_by_name("RT.com").await.unwrap(), Some(second));
    assert_eq!(store.source_by_name("nope").await.unwrap(), None);
});

// ---------------------------------------------------------------------------------------
// Stories

store_test!(put_story_inserts_skips_and_updates, |store, url| {
    let source = a_source(&*store, "RT.com").await;
    let story = new_story(source, "rt-1", "Witkoff leaves St. Petersburg", at(0));
    let StoreOutcome::Inserted(id) = store.put_story(&story, None).await.unwrap() else {
        panic!("first put must insert");
    };
    let stored = store.story(id).await.unwrap().unwrap();
    assert_eq!(stored.slug, "witkoff-leaves-st-petersburg");
    assert_eq!(stored.source_name, "RT.com");
    assert_eq!(stored.headline, story.headline);
    assert_eq!(stored.published, story.published);
    assert_eq!(stored.updated, None);
    assert_eq!(stored.categories, story.categories);

    assert_eq!(
        store.put_story(&story, None).await.unwrap(),
        StoreOutcome::Unchanged(id)
    );

    let mut changed = story.clone();
    changed.headline = "Witkoff leaves after four-hour talks with Putin".to_owned();
    changed.text = "New lead.\n\nMore.".to_owned();
    changed.updated = Some(at(30));
    changed.image = Some(LeadImage {
        url: "https://rt.example/a.jpg".to_owned(),
        caption: None,
        credit: Some("Reuters".to_owned()),
        alt: None,
    });
    changed.categories = vec![];
    changed.content_hash = "second".to_owned();
    assert_eq!(
        store.put_story(&changed, None).await.unwrap(),
        StoreOutcome::Updated(id)
    );
    let updated = store.story(id).await.unwrap().unwrap();
    assert_eq!(
        updated.slug, "witkoff-leaves-st-petersburg",
        "slugs never change"
    );
    assert_eq!(updated.cluster, stored.cluster);
    assert_eq!(updated.headline, changed.headline);
    assert_eq!(updated.text, changed.text);
    assert_eq!(updated.updated, Some(at(30)));
    assert_eq!(updated.image, changed.image);
    assert!(updated.categories.is_empty());
    assert_eq!(updated.content_hash, "second");
    assert_eq!(
        store.put_story(&changed, None).await.unwrap(),
        StoreOutcome::Unchanged(id)
    );

    // The same guid from another source is another story.
    let other_source = a_source(&*store, "AP").await;
    let mut elsewhere = story.clone();
    elsewhere.source_id = other_source;
    let other = store.put_story(&elsewhere, None).await.unwrap();
    assert!(matches!(other, StoreOutcome::Inserted(o) if o != id));
    assert_eq!(store.story(id + 1000).await.unwrap(), None);
});

store_test!(concurrent_puts_of_one_story_store_it_once, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let story = new_story(source, "same", "Same story", at(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let story = story.clone();
        tasks.push(tokio::spawn(
            async move { store.put_story(&story, None).await },
        ));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    let inserted = outcomes
        .iter()
        .filter(|o| matches!(o, StoreOutcome::Inserted(_)))
        .count();
    assert_eq!(inserted, 1, "{outcomes:?}");
    let id = outcomes[0].id();
    assert!(outcomes.iter().all(|o| o.id() == id), "{outcomes:?}");
    let all = store
        .stories(&StoryFilter {
            source: Some(source),
            ..StoryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
});

store_test!(text_survives_exactly, |store, url| {
    let source = a_source(&*store, "Echo ‘Wire’ 🦘").await;
    let tricky = "’ ‘ “ ” – — … é 🦘 \u{a0}non-breaking, ñ, 日本, \u{200d}👩‍👩‍👧, tab\tend";
    let mut story = new_story(
        source,
        "guid-’🦘",
        &format!("Putin’s “deal” — {tricky}"),
        at(0),
    );
    story.text = format!("  “Lead” paragraph — {tricky}  \nstill lead.\n\nSecond ’ para.\n");
    story.content_html = format!("<p>“Lead” — {tricky}</p>\n<p>Second</p>");
    story.standfirst = Some(format!("Standfirst {tricky}"));
    story.byline = Some("Zoë O’Brien".to_owned());
    story.dateline = Some("SÃO PAULO, Brazil".to_owned());
    story.url = Some("https://example.com/café/🦘?q=’".to_owned());
    story.categories = vec!["Wörld".to_owned(), tricky.to_owned()];
    story.image = Some(LeadImage {
        url: "https://example.com/i.jpg".to_owned(),
        caption: Some(format!("Caption {tricky}")),
        credit: Some("Photo: “AFP” …".to_owned()),
        alt: Some("A kangaroo 🦘".to_owned()),
    });
    story.content_hash = "h’🦘".to_owned();
    let id = store.put_story(&story, None).await.unwrap().id();
    let read = store.story(id).await.unwrap().unwrap();
    assert_eq!(read.source_name, "Echo ‘Wire’ 🦘");
    assert_eq!(read.guid, story.guid);
    assert_eq!(read.url, story.url);
    assert_eq!(read.headline, story.headline);
    assert_eq!(read.standfirst, story.standfirst);
    assert_eq!(read.byline, story.byline);
    assert_eq!(read.dateline, story.dateline);
    assert_eq!(read.text, story.text);
    assert_eq!(read.content_html, story.content_html);
    assert_eq!(read.categories, story.categories);
    assert_eq!(read.image, story.image);
    assert_eq!(read.content_hash, story.content_hash);
    assert_eq!(read.slug, "putins-deal-e-non-breaking-n-tab-end");
    assert_eq!(
        store.put_story(&story, None).await.unwrap(),
        StoreOutcome::Unchanged(id)
    );

    let site = a_site(&*store, "echo").await;
    store.place(&place(id, site, "world")).await.unwrap();
    let summaries = store.site_stories(site, None, 0, 10).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(
        summaries[0].lead,
        format!("“Lead” paragraph — {tricky}  \nstill lead.")
    );
    assert_eq!(summaries[0].headline, story.headline);
    assert_eq!(summaries[0].image, story.image);
});

store_test!(clusters_are_given_or_the_story_own_id, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let first = store
        .put_story(&new_story(source, "a", "First", at(0)), None)
        .await
        .unwrap()
        .id();
    let first_story = store.story(first).await.unwrap().unwrap();
    assert_eq!(first_story.cluster, first);

    let second = store
        .put_story(&new_story(source, "b", "Second", at(1)), Some(first))
        .await
        .unwrap()
        .id();
    assert_ne!(second, first);
    assert_eq!(store.story(second).await.unwrap().unwrap().cluster, first);

    // An update never moves a story to another cluster.
    let mut changed = new_story(source, "b", "Second, corrected", at(1));
    changed.content_hash = "changed".to_owned();
    assert_eq!(
        store.put_story(&changed, None).await.unwrap(),
        StoreOutcome::Updated(second)
    );
    assert_eq!(store.story(second).await.unwrap().unwrap().cluster, first);

    let third = store
        .put_story(&new_story(source, "c", "Third", at(2)), None)
        .await
        .unwrap()
        .id();
    assert_eq!(store.story(third).await.unwrap().unwrap().cluster, third);
});

// ---------------------------------------------------------------------------------------
// Placements and listings

store_test!(placements_are_never_duplicated, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let other_site = a_site(&*store, "post").await;
    let id = store
        .put_story(&new_story(source, "a", "Story", at(0)), None)
        .await
        .unwrap()
        .id();
    store.place(&place(id, site, "world")).await.unwrap();
    store.place(&place(id, site, "world")).await.unwrap();
    assert_eq!(
        store.placements_of(id).await.unwrap(),
        [place(id, site, "world")]
    );

    store.place(&place(id, site, "sports")).await.unwrap();
    store.place(&place(id, other_site, "world")).await.unwrap();
    assert_eq!(
        store.placements_of(id).await.unwrap(),
        [place(id, site, "sports"), place(id, other_site, "world")]
    );
    assert_eq!(store.count_site_stories(site, None).await.unwrap(), 1);
    assert_eq!(
        store.count_site_stories(site, Some("world")).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .count_site_stories(site, Some("sports"))
            .await
            .unwrap(),
        1
    );

    let err = store
        .place(&place(id + 1000, site, "world"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "story", .. }),
        "{err:?}"
    );
    assert!(store.placements_of(id + 1000).await.unwrap().is_empty());
});

store_test!(site_stories_are_newest_first_and_paged, |store, url| {
    let source = a_source(&*store, "RT.com").await;
    let site = a_site(&*store, "echo").await;
    let elsewhere = a_site(&*store, "post").await;
    // (guid, minutes, section); b and c share a time, so the higher id comes first.
    let plan = [
        ("a", 0, "world"),
        ("b", 10, "sports"),
        ("c", 10, "world"),
        ("d", 30, "world"),
        ("e", 20, "sports"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (guid, minutes, section) in plan {
        let id = store
            .put_story(
                &new_story(source, guid, &format!("Story {guid}"), at(minutes)),
                None,
            )
            .await
            .unwrap()
            .id();
        store.place(&place(id, site, section)).await.unwrap();
        ids.insert(guid, id);
    }
    let unplaced = store
        .put_story(&new_story(source, "z", "Not on echo", at(99)), None)
        .await
        .unwrap()
        .id();
    store
        .place(&place(unplaced, elsewhere, "world"))
        .await
        .unwrap();

    let order =
        |list: &[masthead_model::StorySummary]| -> Vec<i64> { list.iter().map(|s| s.id).collect() };
    let all = store.site_stories(site, None, 0, 50).await.unwrap();
    assert_eq!(
        order(&all),
        [ids["d"], ids["e"], ids["c"], ids["b"], ids["a"]]
    );
    let d = &all[0];
    assert_eq!(d.section, "world");
    assert_eq!(d.source_name, "RT.com");
    assert_eq!(d.headline, "Story d");
    assert_eq!(d.slug, "story-d");
    assert_eq!(d.lead, "Story d: the lead paragraph.");
    assert_eq!(d.dateline.as_deref(), Some("KYIV, Ukraine"));
    assert_eq!(d.published, at(30));
    assert_eq!(d.cluster, ids["d"]);
    assert_eq!(all[1].section, "sports");

    let world = store
        .site_stories(site, Some("world"), 0, 50)
        .await
        .unwrap();
    assert_eq!(order(&world), [ids["d"], ids["c"], ids["a"]]);
    assert!(world.iter().all(|s| s.section == "world"));
    let page = store.site_stories(site, None, 1, 2).await.unwrap();
    assert_eq!(order(&page), [ids["e"], ids["c"]]);
    let page = store.site_stories(site, Some("world"), 2, 2).await.unwrap();
    assert_eq!(order(&page), [ids["a"]]);
    assert!(
        store
            .site_stories(site, None, 5, 2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.site_stories(site, None, 0, 0).await.unwrap().len(), 5);
    assert!(
        store
            .site_stories(site, Some("business"), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(store.count_site_stories(site, None).await.unwrap(), 5);
    assert_eq!(
        store.count_site_stories(site, Some("world")).await.unwrap(),
        3
    );
    assert_eq!(
        store
            .count_site_stories(site, Some("sports"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.count_site_stories(elsewhere, None).await.unwrap(), 1);

    // A corrected publish time moves the story in every listing that carries it.
    let mut corrected = new_story(source, "a", "Story a", at(60));
    corrected.content_hash = "corrected".to_owned();
    assert_eq!(
        store.put_story(&corrected, None).await.unwrap(),
        StoreOutcome::Updated(ids["a"])
    );
    let all = store.site_stories(site, None, 0, 50).await.unwrap();
    assert_eq!(
        order(&all),
        [ids["a"], ids["d"], ids["e"], ids["c"], ids["b"]]
    );
});

store_test!(stories_are_filtered_by_site_and_source, |store, url| {
    let rt = a_source(&*store, "RT.com").await;
    let ap = a_source(&*store, "AP").await;
    let echo = a_site(&*store, "echo").await;
    let post = a_site(&*store, "post").await;
    let rt1 = store
        .put_story(&new_story(rt, "1", "RT one", at(0)), None)
        .await
        .unwrap()
        .id();
    let rt2 = store
        .put_story(&new_story(rt, "2", "RT two", at(5)), None)
        .await
        .unwrap()
        .id();
    let ap1 = store
        .put_story(&new_story(ap, "1", "AP one", at(3)), None)
        .await
        .unwrap()
        .id();
    store.place(&place(rt1, echo, "world")).await.unwrap();
    store.place(&place(ap1, echo, "world")).await.unwrap();
    store.place(&place(rt2, post, "world")).await.unwrap();

    let ids = |stories: Vec<masthead_model::Story>| -> Vec<i64> {
        stories.into_iter().map(|s| s.id).collect()
    };
    let filter = |site, source, limit| StoryFilter {
        site,
        source,
        limit,
    };
    assert_eq!(
        ids(store.stories(&filter(None, None, 0)).await.unwrap()),
        [rt2, ap1, rt1]
    );
    assert_eq!(
        ids(store.stories(&filter(None, None, -3)).await.unwrap()),
        [rt2, ap1, rt1]
    );
    assert_eq!(
        ids(store.stories(&filter(None, None, 1)).await.unwrap()),
        [rt2]
    );
    assert_eq!(
        ids(store.stories(&filter(None, Some(rt), 0)).await.unwrap()),
        [rt2, rt1]
    );
    assert_eq!(
        ids(store.stories(&filter(Some(echo), None, 0)).await.unwrap()),
        [ap1, rt1]
    );
    assert_eq!(
        ids(store
            .stories(&filter(Some(echo), Some(rt), 0))
            .await
            .unwrap()),
        [rt1]
    );
    assert_eq!(
        ids(store
            .stories(&filter(Some(post), Some(ap), 0))
            .await
            .unwrap()),
        Vec::<i64>::new()
    );
    let listed = store
        .stories(&filter(Some(echo), Some(ap), 0))
        .await
        .unwrap();
    assert_eq!(listed[0].source_name, "AP");
    assert_eq!(
        listed[0].text,
        "AP one: the lead paragraph.\n\nA second paragraph."
    );
});

// ---------------------------------------------------------------------------------------
// Source polling: health, due sources, leases, removal

/// Poll times are the polling node's instants: stored without an offset, read back in UTC.
fn utc(minutes: i64) -> OffsetTime {
    OffsetTime::new(micros(minutes), 0).unwrap()
}

/// 2025-04-11T18:01:00Z plus `minutes`, in Unix microseconds.
fn micros(minutes: i64) -> i64 {
    1_744_394_460_000_000 + minutes * 60_000_000
}

fn success(at: i64, next: i64, etag: Option<&str>, last_modified: Option<&str>) -> PollRecord {
    PollRecord::Success {
        at: utc(at),
        next_poll_at: utc(next),
        etag: etag.map(str::to_owned),
        last_modified: last_modified.map(str::to_owned),
    }
}

fn failure(at: i64, next: i64, error: &str, pause_after: i32) -> PollRecord {
    PollRecord::Failure {
        at: utc(at),
        error: error.to_owned(),
        next_poll_at: utc(next),
        pause_after,
    }
}

async fn health(store: &dyn Store, name: &str) -> SourceHealth {
    store.source_by_name(name).await.unwrap().unwrap().health
}

fn names(sources: &[Source]) -> Vec<&str> {
    sources.iter().map(|s| s.name.as_str()).collect()
}

store_test!(source_health_round_trips, |store, url| {
    let fresh = store.upsert_source(&source_spec("RT.com")).await.unwrap();
    assert_eq!(fresh.health, SourceHealth::default());

    store
        .record_poll(
            fresh.id,
            &success(0, 15, Some("\"v1\""), Some("Fri, 11 Apr 2025")),
        )
        .await
        .unwrap();
    store
        .record_poll(fresh.id, &failure(15, 20, "HTTP 503 from rt.example", 5))
        .await
        .unwrap();
    let expected = SourceHealth {
        last_success_at: Some(utc(0)),
        last_error: Some("HTTP 503 from rt.example".to_owned()),
        last_error_at: Some(utc(15)),
        consecutive_failures: 1,
        paused: false,
        next_poll_at: Some(utc(20)),
        etag: Some("\"v1\"".to_owned()),
        last_modified: Some("Fri, 11 Apr 2025".to_owned()),
    };
    // Every read of a source carries its health: by name, the list, due sources, and the
    // upsert's own answer (which leaves health alone).
    assert_eq!(health(&*store, "RT.com").await, expected);
    assert_eq!(store.sources().await.unwrap()[0].health, expected);
    assert_eq!(
        store.due_sources(micros(20)).await.unwrap()[0].health,
        expected
    );
    let mut spec = source_spec("RT.com");
    spec.interval_secs = 60;
    let updated = store.upsert_source(&spec).await.unwrap();
    assert_eq!(updated.interval_secs, 60);
    assert_eq!(updated.health, expected);

    let err = store
        .record_poll(fresh.id + 1000, &success(0, 1, None, None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownSource { .. }), "{err:?}");
});

store_test!(due_sources_are_ordered_and_filtered, |store, url| {
    let now = 100;
    let mut ids = std::collections::HashMap::new();
    for name in [
        "never", "old", "older", "exact", "future", "paused", "leased", "removed", "never2",
    ] {
        ids.insert(name, a_source(&*store, name).await);
    }
    let next = |name: &'static str, minutes: i64| {
        let store = store.clone();
        let id = ids[name];
        async move {
            store
                .record_poll(id, &success(0, minutes, None, None))
                .await
                .unwrap();
        }
    };
    next("old", now - 10).await;
    next("older", now - 20).await;
    next("exact", now).await;
    next("future", now + 1).await;
    next("paused", now - 30).await;
    next("leased", now - 40).await;
    next("removed", now - 50).await;
    assert!(store.set_source_paused("paused", true).await.unwrap());
    assert!(store.remove_source("removed").await.unwrap());
    // A lease ending exactly now still holds.
    assert!(
        store
            .lease_source(ids["leased"], "node-a", micros(now - 1), micros(now))
            .await
            .unwrap()
    );

    // Never polled first (as if due at the epoch), by id; then the longest waiting.
    let due = store.due_sources(micros(now)).await.unwrap();
    assert_eq!(names(&due), ["never", "never2", "older", "old", "exact"]);

    // Once the lease has expired and time moves on, the leased and future sources are due.
    let due = store.due_sources(micros(now + 1)).await.unwrap();
    assert_eq!(
        names(&due),
        [
            "never", "never2", "leased", "older", "old", "exact", "future"
        ]
    );
});

store_test!(leases_are_exclusive_until_they_expire, |store, url| {
    let id = a_source(&*store, "RT.com").await;
    assert!(
        store
            .lease_source(id, "node-a", micros(0), micros(2))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_source(id, "node-b", micros(1), micros(3))
            .await
            .unwrap()
    );
    // Held until the end of `until`; the holder may renew it.
    assert!(
        !store
            .lease_source(id, "node-b", micros(2), micros(4))
            .await
            .unwrap()
    );
    assert!(
        store
            .lease_source(id, "node-a", micros(1), micros(5))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_source(id, "node-b", micros(5), micros(7))
            .await
            .unwrap()
    );
    // Expired: another node takes it over, and the old holder has lost it.
    assert!(
        store
            .lease_source(id, "node-b", micros(6), micros(8))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_source(id, "node-a", micros(7), micros(9))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_source(id + 1000, "node-a", micros(0), micros(1))
            .await
            .unwrap()
    );
});

store_test!(concurrent_leases_have_one_winner, |store, url| {
    // Two "nodes": separate pools on the same database.
    let other = masthead_store::open(&url).await.unwrap();
    let id = a_source(&*store, "RT.com").await;
    for round in 0..20 {
        // Each round starts after the previous round's lease has expired.
        let now = micros(round * 10);
        let until = micros(round * 10 + 5);
        let (a, b) = tokio::join!(
            store.lease_source(id, "node-a", now, until),
            other.lease_source(id, "node-b", now, until)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a ^ b, "round {round}: node-a {a}, node-b {b}");
        let loser = if a { "node-b" } else { "node-a" };
        assert!(!store.lease_source(id, loser, now, until).await.unwrap());
    }
});

store_test!(a_lease_is_released_only_by_its_owner, |store, url| {
    let id = a_source(&*store, "RT.com").await;
    assert!(
        store
            .lease_source(id, "node-a", micros(0), micros(10))
            .await
            .unwrap()
    );
    store.release_source(id, "node-b").await.unwrap();
    assert!(
        !store
            .lease_source(id, "node-b", micros(1), micros(10))
            .await
            .unwrap()
    );
    assert!(store.due_sources(micros(1)).await.unwrap().is_empty());

    store.release_source(id, "node-a").await.unwrap();
    assert_eq!(
        names(&store.due_sources(micros(1)).await.unwrap()),
        ["RT.com"]
    );
    assert!(
        store
            .lease_source(id, "node-b", micros(1), micros(10))
            .await
            .unwrap()
    );
    // Releasing a lease one no longer holds is harmless.
    store.release_source(id, "node-a").await.unwrap();
    assert!(
        !store
            .lease_source(id, "node-a", micros(2), micros(10))
            .await
            .unwrap()
    );
});

store_test!(
    a_success_keeps_validators_it_lacks_and_resets_failures,
    |store, url| {
        let id = a_source(&*store, "RT.com").await;
        store
            .record_poll(id, &success(0, 15, Some("\"v1\""), Some("lm1")))
            .await
            .unwrap();
        store
            .record_poll(id, &failure(15, 16, "timeout", 10))
            .await
            .unwrap();
        store
            .record_poll(id, &failure(16, 18, "timeout again", 10))
            .await
            .unwrap();
        let h = health(&*store, "RT.com").await;
        assert_eq!(h.consecutive_failures, 2);
        assert_eq!(
            h.etag.as_deref(),
            Some("\"v1\""),
            "a failure keeps the validators"
        );
        assert_eq!(h.last_modified.as_deref(), Some("lm1"));
        assert_eq!(h.last_success_at, Some(utc(0)));

        // A 304: no validators in the answer, the stored ones stay.
        store
            .record_poll(id, &success(18, 33, None, None))
            .await
            .unwrap();
        let h = health(&*store, "RT.com").await;
        assert_eq!(h.consecutive_failures, 0);
        assert_eq!(h.last_success_at, Some(utc(18)));
        assert_eq!(h.next_poll_at, Some(utc(33)));
        assert_eq!(h.etag.as_deref(), Some("\"v1\""));
        assert_eq!(h.last_modified.as_deref(), Some("lm1"));
        // The last failure stays on record; it is older than the last success.
        assert_eq!(h.last_error.as_deref(), Some("timeout again"));
        assert_eq!(h.last_error_at, Some(utc(16)));

        // Each validator is replaced only when the answer carries one.
        store
            .record_poll(id, &success(33, 48, Some("\"v2\""), None))
            .await
            .unwrap();
        let h = health(&*store, "RT.com").await;
        assert_eq!(h.etag.as_deref(), Some("\"v2\""));
        assert_eq!(h.last_modified.as_deref(), Some("lm1"));
    }
);

store_test!(
    failures_pause_at_the_threshold_and_resuming_clears_them,
    |store, url| {
        let id = a_source(&*store, "RT.com").await;
        for n in 1..=2 {
            store
                .record_poll(id, &failure(n, n + 1, "503", 3))
                .await
                .unwrap();
            let h = health(&*store, "RT.com").await;
            assert_eq!((h.consecutive_failures, h.paused), (n as i32, false));
        }
        store
            .record_poll(id, &failure(3, 4, "404", 3))
            .await
            .unwrap();
        let h = health(&*store, "RT.com").await;
        assert_eq!((h.consecutive_failures, h.paused), (3, true));
        assert_eq!(h.last_error.as_deref(), Some("404"));
        assert_eq!(h.last_error_at, Some(utc(3)));
        assert_eq!(h.next_poll_at, Some(utc(4)));
        assert!(store.due_sources(micros(100)).await.unwrap().is_empty());
        // A manual poll of a paused source counts on, and the source stays paused.
        store
            .record_poll(id, &failure(5, 6, "404", 3))
            .await
            .unwrap();
        let h = health(&*store, "RT.com").await;
        assert_eq!((h.consecutive_failures, h.paused), (4, true));

        // Resuming makes it due at once with a clean count; the last error stays on record.
        assert!(store.set_source_paused("RT.com", false).await.unwrap());
        let h = health(&*store, "RT.com").await;
        assert_eq!((h.consecutive_failures, h.paused), (0, false));
        assert_eq!(h.next_poll_at, None);
        assert_eq!(h.last_error.as_deref(), Some("404"));
        assert_eq!(
            names(&store.due_sources(micros(0)).await.unwrap()),
            ["RT.com"]
        );

        // Pausing by hand keeps the schedule and the count.
        store
            .record_poll(id, &failure(7, 8, "503", 3))
            .await
            .unwrap();
        assert!(store.set_source_paused("RT.com", true).await.unwrap());
        let h = health(&*store, "RT.com").await;
        assert_eq!((h.consecutive_failures, h.paused), (1, true));
        assert_eq!(h.next_poll_at, Some(utc(8)));
        assert!(store.due_sources(micros(100)).await.unwrap().is_empty());

        assert!(!store.set_source_paused("nope", true).await.unwrap());
        assert!(!store.set_source_paused("nope", false).await.unwrap());
    }
);

store_test!(
    a_removed_source_is_hidden_but_keeps_its_stories,
    |store, url| {
        let rt = a_source(&*store, "RT.com").await;
        let ap = a_source(&*store, "AP").await;
        let story = store
            .put_story(&new_story(rt, "rt-1", "Kept story", at(0)), None)
            .await
            .unwrap()
            .id();
        store
            .record_poll(rt, &success(0, 15, Some("\"v1\""), None))
            .await
            .unwrap();

        assert!(store.remove_source("RT.com").await.unwrap());
        assert!(
            !store.remove_source("RT.com").await.unwrap(),
            "already removed"
        );
        assert!(!store.remove_source("nope").await.unwrap());
        assert_eq!(names(&store.sources().await.unwrap()), ["AP"]);
        assert_eq!(store.source_by_name("RT.com").await.unwrap(), None);
        assert_eq!(
            names(&store.due_sources(micros(100)).await.unwrap()),
            ["AP"]
        );
        assert!(!store.set_source_paused("RT.com", true).await.unwrap());
        // Its stories still read, credited to it.
        let kept = store.story(story).await.unwrap().unwrap();
        assert_eq!(kept.source_name, "RT.com");
        let listed = store
            .stories(&StoryFilter {
                source: Some(rt),
                ..StoryFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].source_name, "RT.com");

        // Adding the name again brings the source back: same id, stories and health.
        let back = store.upsert_source(&source_spec("RT.com")).await.unwrap();
        assert_eq!(back.id, rt);
        assert_eq!(back.health.etag.as_deref(), Some("\"v1\""));
        assert_eq!(names(&store.sources().await.unwrap()), ["AP", "RT.com"]);
        assert_eq!(store.source_by_name("RT.com").await.unwrap(), Some(back));
        assert_eq!(
            names(&store.due_sources(micros(100)).await.unwrap()),
            ["AP", "RT.com"]
        );
        assert_ne!(ap, rt);
    }
);
