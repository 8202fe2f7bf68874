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
    FullTextPolicy, LeadImage, NewStory, OffsetTime, Placement, PollRecord, SearchQuery, Section,
    SiteSpec, Source, SourceHealth, SourceSpec, StoreOutcome,
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
        canonical_url: None,
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

    // An update keeps the first publication time, so the story keeps its place in every
    // listing; the moved publish time becomes its update time.
    let before = order(&store.site_stories(site, None, 0, 50).await.unwrap());
    let mut corrected = new_story(source, "a", "Story a", at(60));
    corrected.content_hash = "corrected".to_owned();
    assert_eq!(
        store.put_story(&corrected, None).await.unwrap(),
        StoreOutcome::Updated(ids["a"])
    );
    let all = store.site_stories(site, None, 0, 50).await.unwrap();
    assert_eq!(order(&all), before);
    let a = store.story(ids["a"]).await.unwrap().unwrap();
    assert_eq!(a.updated, Some(at(60)));
    assert_ne!(a.published, at(60));
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
        ..StoryFilter::default()
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

// ---------------------------------------------------------------------------------------
// Search

/// A story with its own headline, standfirst and body, placed on `site`'s `section`.
#[expect(
    clippy::too_many_arguments,
    reason = "a story fixture spelled out at each call"
)]
async fn searchable(
    store: &dyn Store,
    source: i64,
    site: i64,
    section: &str,
    guid: &str,
    headline: &str,
    text: &str,
    published: OffsetTime,
    cluster: Option<i64>,
) -> i64 {
    let mut story = new_story(source, guid, headline, published);
    story.standfirst = None;
    story.dateline = None;
    story.text = text.to_owned();
    story.content_html = format!("<p>{text}</p>");
    story.content_hash = format!("hash-{guid}-{headline}-{text}");
    let id = store.put_story(&story, cluster).await.unwrap().id();
    store.place(&place(id, site, section)).await.unwrap();
    id
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        ..SearchQuery::default()
    }
}

async fn found(store: &dyn Store, site: i64, text: &str) -> Vec<i64> {
    let page = store.search(site, &query(text)).await.unwrap();
    page.hits.iter().map(|h| h.summary.id).collect()
}

store_test!(search_ranks_headline_matches_first, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    // The body match is newer and says "minerals" three times; the headline match still wins.
    let body = searchable(
        &*store,
        source,
        site,
        "world",
        "body",
        "Talks resume in Washington",
        "Minerals were discussed. The minerals deal covers rare minerals and more.",
        at(60),
        None,
    )
    .await;
    let headline = searchable(
        &*store,
        source,
        site,
        "world",
        "headline",
        "Minerals deal signed in Kyiv",
        "Both sides signed the agreement after months of talks.",
        at(0),
        None,
    )
    .await;
    let page = store.search(site, &query("minerals")).await.unwrap();
    assert_eq!(page.total, 2);
    let ids: Vec<i64> = page.hits.iter().map(|h| h.summary.id).collect();
    assert_eq!(ids, [headline, body]);
    assert!(page.hits[0].rank > page.hits[1].rank);
    // Stems: "mineral" finds both; several words are all required.
    assert_eq!(found(&*store, site, "mineral").await.len(), 2);
    assert_eq!(found(&*store, site, "minerals Kyiv").await, [headline]);
    assert_eq!(
        found(&*store, site, "minerals Paris").await,
        Vec::<i64>::new()
    );
    // A prefix when the reader asks for one.
    assert_eq!(found(&*store, site, "Washing*").await, [body]);
    // The summary is a listing's, with the site's section.
    let hit = &page.hits[0];
    assert_eq!(hit.summary.headline, "Minerals deal signed in Kyiv");
    assert_eq!(hit.summary.section, "world");
    assert_eq!(hit.summary.source_name, "Wire");
    // The body snippet marks the matched words.
    let body_hit = &page.hits[1];
    assert!(
        body_hit.snippet.contains("\u{2}Minerals\u{3}")
            && body_hit.snippet.contains("\u{2}minerals\u{3}"),
        "{:?}",
        body_hit.snippet
    );
    assert!(!body_hit.snippet.contains('<'));
});

store_test!(search_breaks_ties_by_recency, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let mut ids = Vec::new();
    for (i, minutes) in [10, 30, 20].into_iter().enumerate() {
        let id = searchable(
            &*store,
            source,
            site,
            "world",
            &format!("twin-{i}"),
            "Harbour bridge closed",
            "The harbour bridge is closed for repairs.",
            at(minutes),
            None,
        )
        .await;
        ids.push(id);
    }
    let page = store.search(site, &query("bridge")).await.unwrap();
    let got: Vec<i64> = page.hits.iter().map(|h| h.summary.id).collect();
    assert_eq!(got, [ids[1], ids[2], ids[0]], "equal ranks: newest first");
});

store_test!(search_filters_by_section_and_date, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let world = searchable(
        &*store,
        source,
        site,
        "world",
        "w",
        "Storm hits coast",
        "A storm.",
        at(0),
        None,
    )
    .await;
    let sports = searchable(
        &*store,
        source,
        site,
        "sports",
        "s",
        "Storm delays final",
        "A storm.",
        at(60),
        None,
    )
    .await;
    let late = searchable(
        &*store,
        source,
        site,
        "world",
        "l",
        "Storm clean-up",
        "After the storm.",
        at(120),
        None,
    )
    .await;
    let with = |section: Option<&str>, from: Option<i64>, to: Option<i64>| SearchQuery {
        text: "storm".to_owned(),
        section: section.map(str::to_owned),
        from,
        to,
        ..SearchQuery::default()
    };
    let ids = |page: masthead_model::SearchPage| -> Vec<i64> {
        let mut v: Vec<i64> = page.hits.iter().map(|h| h.summary.id).collect();
        v.sort_unstable();
        v
    };
    let all = store.search(site, &with(None, None, None)).await.unwrap();
    assert_eq!(all.total, 3);
    let world_only = store
        .search(site, &with(Some("world"), None, None))
        .await
        .unwrap();
    assert_eq!(ids(world_only), [world, late]);
    let sports_only = store
        .search(site, &with(Some("sports"), None, None))
        .await
        .unwrap();
    assert_eq!(ids(sports_only), [sports]);
    let none = store
        .search(site, &with(Some("nope"), None, None))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    // `from` is inclusive, `to` exclusive.
    let from = at(60).unix_micros;
    let to = at(120).unix_micros;
    let between = store
        .search(site, &with(None, Some(from), Some(to)))
        .await
        .unwrap();
    assert_eq!(ids(between), [sports]);
    let after = store
        .search(site, &with(None, Some(from), None))
        .await
        .unwrap();
    assert_eq!(ids(after), [sports, late]);
    let before = store
        .search(site, &with(Some("world"), None, Some(to)))
        .await
        .unwrap();
    assert_eq!(ids(before), [world]);
});

store_test!(search_pages_and_counts, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    for i in 0..25 {
        searchable(
            &*store,
            source,
            site,
            "world",
            &format!("p-{i}"),
            &format!("Election update {i}"),
            "Counting continues.",
            at(i),
            None,
        )
        .await;
    }
    let mut seen = std::collections::HashSet::new();
    for (offset, expect) in [(0, 10), (10, 10), (20, 5), (30, 0)] {
        let page = store
            .search(
                site,
                &SearchQuery {
                    text: "election".to_owned(),
                    offset,
                    limit: 10,
                    ..SearchQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, 25, "offset {offset}");
        assert_eq!(page.hits.len(), expect, "offset {offset}");
        for hit in &page.hits {
            assert!(seen.insert(hit.summary.id), "a hit on two pages");
        }
    }
    assert_eq!(seen.len(), 25);
    // The default page is 20.
    let first = store.search(site, &query("election")).await.unwrap();
    assert_eq!(first.hits.len(), 20);
});

store_test!(
    search_shows_one_story_per_cluster_and_only_this_site,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let other_source = a_source(&*store, "AP").await;
        let site = a_site(&*store, "echo").await;
        let other_site = a_site(&*store, "herald").await;
        let first = searchable(
            &*store,
            source,
            site,
            "world",
            "c1",
            "Island eruption",
            "Lava flows from the volcano.",
            at(0),
            None,
        )
        .await;
        let cluster = store.story(first).await.unwrap().unwrap().cluster;
        // A twin whose headline and body both match ranks best in its cluster.
        let best = searchable(
            &*store,
            other_source,
            site,
            "world",
            "c2",
            "Volcano erupts again",
            "The volcano erupted at dawn.",
            at(5),
            Some(cluster),
        )
        .await;
        searchable(
            &*store,
            source,
            site,
            "world",
            "c3",
            "Eruption",
            "A volcano.",
            at(10),
            Some(cluster),
        )
        .await;
        // Elsewhere: another cluster on this site, and a story only on the other site.
        let alone = searchable(
            &*store,
            source,
            site,
            "sports",
            "x",
            "Volcano marathon",
            "Runners.",
            at(20),
            None,
        )
        .await;
        let elsewhere = searchable(
            &*store,
            source,
            other_site,
            "world",
            "y",
            "Volcano tour",
            "Tourists.",
            at(30),
            None,
        )
        .await;
        // A story on no site at all.
        store
            .put_story(&new_story(source, "z", "Volcano unplaced", at(40)), None)
            .await
            .unwrap();

        let page = store.search(site, &query("volcano")).await.unwrap();
        assert_eq!(page.total, 2);
        let mut ids: Vec<i64> = page.hits.iter().map(|h| h.summary.id).collect();
        ids.sort_unstable();
        let mut expect = vec![best, alone];
        expect.sort_unstable();
        assert_eq!(ids, expect);
        assert_eq!(found(&*store, other_site, "volcano").await, [elsewhere]);
    }
);

store_test!(search_finds_typographic_quotes_and_accents, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let id = searchable(
        &*store,
        source,
        site,
        "world",
        "cafe",
        "Café reopens on the “old” square",
        "The president’s favourite café reopened, its owner’s “dream” restored.",
        at(0),
        None,
    )
    .await;
    for q in [
        "café",
        "Café",
        "CAFÉ",
        "president's",
        "president’s",
        "“dream”",
        "\"dream\"",
        "owner's dream",
        "old square",
    ] {
        assert_eq!(found(&*store, site, q).await, [id], "query {q:?}");
    }
    // The snippet keeps the text exactly, typographic quotes included.
    let page = store.search(site, &query("cafe*")).await.unwrap();
    if store.backend() == "sqlite" {
        // FTS5 removes diacritics; PostgreSQL's english configuration keeps them.
        assert_eq!(page.hits.len(), 1);
    }
    let page = store.search(site, &query("café")).await.unwrap();
    let snippet = &page.hits[0].snippet;
    assert!(snippet.contains("president’s"), "{snippet:?}");
    assert!(snippet.contains("\u{2}café\u{3}"), "{snippet:?}");
});

store_test!(hostile_queries_never_fail, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let id = searchable(
        &*store,
        source,
        site,
        "world",
        "near",
        "Table tennis near the harbour",
        "Drop in and play: AND, OR and NOT are words here.",
        at(0),
        None,
    )
    .await;
    let long = "harbour table ".repeat(800);
    let hostile = [
        "",
        "   ",
        "\"",
        "\"\"\"",
        "*",
        "**",
        "NEAR(",
        "NEAR(table harbour, 2)",
        "AND OR",
        "NOT",
        "'; DROP TABLE stories; --",
        "table:*",
        "headline:table",
        "^table",
        "table -tennis",
        "(",
        ")",
        "!",
        "<->",
        "&|!",
        "\\",
        "%_",
        "\u{0}",
        "\u{2}table\u{3}",
        "🦀",
        &long,
        &"x".repeat(10_240),
    ];
    for q in hostile {
        let result = store.search(site, &query(q)).await;
        assert!(result.is_ok(), "query {q:?}: {result:?}");
    }
    for q in ["", "   ", "\"", "*", "(", "!", "🦀"] {
        assert_eq!(
            store.search(site, &query(q)).await.unwrap().total,
            0,
            "{q:?}"
        );
    }
    // Quoted words are searched as words, not operators.
    assert_eq!(found(&*store, site, "NEAR(").await, [id]);
    assert_eq!(found(&*store, site, "'; DROP TABLE").await, [id]);
    assert_eq!(found(&*store, site, &long).await, [id]);
    // The table is still there.
    assert!(store.story(id).await.unwrap().is_some());
});

store_test!(the_index_follows_an_updated_story, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let mut story = new_story(source, "u", "Zeppelin lands in Hamburg", at(0));
    story.text = "The zeppelin landed safely.".to_owned();
    let id = store.put_story(&story, None).await.unwrap().id();
    store.place(&place(id, site, "world")).await.unwrap();
    assert_eq!(found(&*store, site, "zeppelin").await, [id]);

    story.headline = "Airship lands in Hamburg".to_owned();
    story.text = "The airship landed safely.".to_owned();
    story.content_hash = "changed".to_owned();
    assert_eq!(
        store.put_story(&story, None).await.unwrap(),
        StoreOutcome::Updated(id)
    );
    assert!(found(&*store, site, "zeppelin").await.is_empty());
    assert_eq!(found(&*store, site, "airship").await, [id]);
    assert_eq!(found(&*store, site, "Hamburg").await, [id]);
});

store_test!(killed_stories_are_never_found, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let other = a_source(&*store, "AP").await;
    let site = a_site(&*store, "echo").await;
    let first = searchable(
        &*store,
        source,
        site,
        "world",
        "k1",
        "Glacier collapse",
        "Ice fell.",
        at(0),
        None,
    )
    .await;
    let cluster = store.story(first).await.unwrap().unwrap().cluster;
    let twin = searchable(
        &*store,
        other,
        site,
        "world",
        "k2",
        "Town cut off",
        "A glacier collapsed.",
        at(5),
        Some(cluster),
    )
    .await;
    assert_eq!(found(&*store, site, "glacier").await, [first]);
    assert!(
        store
            .kill_story(first, "legal", "editor@example", at(10))
            .await
            .unwrap()
    );
    // The cluster is now represented by its living member; the killed story is gone.
    assert_eq!(found(&*store, site, "glacier").await, [twin]);
    assert!(found(&*store, site, "ice").await.is_empty());
});

// ---------------------------------------------------------------------------------------
// Editorial: kills, revisions, clusters, routing

fn story_ids(stories: &[masthead_model::Story]) -> Vec<i64> {
    stories.iter().map(|s| s.id).collect()
}

async fn listed(store: &dyn Store, site: i64, section: Option<&str>) -> Vec<i64> {
    let listed: Vec<i64> = store
        .site_stories(site, section, 0, 50)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let count = store.count_site_stories(site, section).await.unwrap();
    assert_eq!(
        count,
        i64::try_from(listed.len()).unwrap(),
        "count of {section:?}"
    );
    listed
}

async fn put(store: &dyn Store, story: &NewStory, cluster: Option<i64>) -> i64 {
    store.put_story(story, cluster).await.unwrap().id()
}

store_test!(
    a_killed_story_is_hidden_everywhere_and_stays_down,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let site = a_site(&*store, "echo").await;
        let a = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
        let b = put(&*store, &new_story(source, "b", "Story b", at(1)), Some(a)).await;
        let c = put(&*store, &new_story(source, "c", "Story c", at(2)), None).await;
        store.place(&place(a, site, "world")).await.unwrap();
        store.place(&place(b, site, "sports")).await.unwrap();
        store.set_sketch(a, "sketch-a").await.unwrap();

        assert!(
            store
                .kill_story(a, "legal", "editor@example", at(5))
                .await
                .unwrap()
        );
        assert!(
            !store.kill_story(a, "again", "other", at(6)).await.unwrap(),
            "already killed"
        );
        assert!(!store.kill_story(a + 1000, "x", "y", at(6)).await.unwrap());
        assert!(
            store
                .kill_story(c, "spam", "editor@example", at(7))
                .await
                .unwrap()
        );

        // The page still reads it, with who killed it, when and why (the first kill's record).
        let killed = store.story(a).await.unwrap().unwrap();
        assert_eq!(
            killed.killed,
            Some(masthead_model::Kill {
                at: at(5),
                reason: "legal".to_owned(),
                by: "editor@example".to_owned(),
            })
        );
        assert_eq!(store.story(b).await.unwrap().unwrap().killed, None);

        // Every list leaves it out; b now represents the cluster on the site.
        assert_eq!(listed(&*store, site, None).await, [b]);
        assert!(listed(&*store, site, Some("world")).await.is_empty());
        assert_eq!(listed(&*store, site, Some("sports")).await, [b]);
        let all = store.stories(&StoryFilter::default()).await.unwrap();
        assert_eq!(story_ids(&all), [b]);
        let with_killed = store
            .stories(&StoryFilter {
                include_killed: true,
                ..StoryFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(story_ids(&with_killed), [c, b, a]);
        assert_eq!(story_ids(&store.cluster_members(a).await.unwrap()), [b]);
        assert!(
            store.unplaced_stories(0).await.unwrap().is_empty(),
            "c is killed"
        );
        assert!(store.sketches_since(0).await.unwrap().is_empty());

        // A later poll never brings it back, whether it changed or not.
        let mut changed = new_story(source, "a", "Story a, rewritten", at(0));
        changed.content_hash = "rewritten".to_owned();
        assert_eq!(
            store.put_story(&changed, None).await.unwrap(),
            StoreOutcome::Unchanged(a)
        );
        assert_eq!(
            store
                .put_story(&new_story(source, "a", "Story a", at(0)), None)
                .await
                .unwrap(),
            StoreOutcome::Unchanged(a)
        );
        let still = store.story(a).await.unwrap().unwrap();
        assert_eq!(still.headline, "Story a");
        assert!(still.killed.is_some());
        assert!(store.revisions(a).await.unwrap().is_empty());
        let (id, _, is_killed) = store.story_identity(source, "a").await.unwrap().unwrap();
        assert_eq!((id, is_killed), (a, true));
        let (_, hash, is_killed) = store.story_identity(source, "b").await.unwrap().unwrap();
        assert!(!is_killed);
        assert!(hash.starts_with("hash-of-Story b"));
    }
);

store_test!(
    updates_keep_the_first_publication_time_and_revisions,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let site = a_site(&*store, "echo").await;
        let v1 = new_story(source, "a", "First headline", at(0));
        let id = put(&*store, &v1, None).await;
        store.place(&place(id, site, "world")).await.unwrap();
        assert!(store.revisions(id).await.unwrap().is_empty());

        // The source gives an update time: it is kept as `updated`, the publish time stays.
        let mut v2 = new_story(source, "a", "Second headline", at(3));
        v2.standfirst = None;
        v2.updated = Some(at(10));
        v2.content_hash = "v2".to_owned();
        assert_eq!(
            store.put_story(&v2, None).await.unwrap(),
            StoreOutcome::Updated(id)
        );
        let stored = store.story(id).await.unwrap().unwrap();
        assert_eq!(stored.published, at(0), "the first publication time stays");
        assert_eq!(stored.updated, Some(at(10)));
        assert_eq!(stored.headline, "Second headline");
        let summary = store.site_stories(site, None, 0, 1).await.unwrap();
        assert_eq!(summary[0].published, at(0));

        // Neither an update time nor a moved publish time: the update is dated now, in UTC.
        let mut v3 = new_story(source, "a", "Third headline", at(0));
        v3.content_hash = "v3".to_owned();
        let before = OffsetTime::now_utc().unix_micros;
        assert_eq!(
            store.put_story(&v3, None).await.unwrap(),
            StoreOutcome::Updated(id)
        );
        let after = OffsetTime::now_utc().unix_micros;
        let stored = store.story(id).await.unwrap().unwrap();
        assert_eq!(stored.published, at(0));
        let updated = stored.updated.unwrap();
        assert_eq!(updated.offset_seconds, 0);
        assert!((before..=after).contains(&updated.unix_micros));

        // A re-delivery of the current version adds no revision.
        assert_eq!(
            store.put_story(&v3, None).await.unwrap(),
            StoreOutcome::Unchanged(id)
        );
        let revisions = store.revisions(id).await.unwrap();
        assert_eq!(revisions.len(), 2);
        let (first, second) = (&revisions[0], &revisions[1]);
        assert_eq!(first.number, 1);
        assert_eq!(first.headline, v1.headline);
        assert_eq!(first.standfirst, v1.standfirst);
        assert_eq!(first.text, v1.text);
        assert_eq!(first.content_html, v1.content_html);
        assert_eq!(first.replaced_at, at(10), "replaced when v2 was updated");
        assert_eq!(second.number, 2);
        assert_eq!(second.headline, v2.headline);
        assert_eq!(second.standfirst, None);
        assert_eq!(second.replaced_at, updated);
        assert!(store.revisions(id + 1000).await.unwrap().is_empty());
    }
);

store_test!(pages_show_one_story_per_cluster, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let site = a_site(&*store, "echo").await;
    let other_site = a_site(&*store, "post").await;
    let a = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
    let b = put(&*store, &new_story(source, "b", "Story b", at(5)), Some(a)).await;
    let c = put(&*store, &new_story(source, "c", "Story c", at(2)), None).await;
    for id in [a, b, c] {
        store.place(&place(id, site, "world")).await.unwrap();
    }
    store.place(&place(a, other_site, "world")).await.unwrap();
    assert_eq!(story_ids(&store.cluster_members(a).await.unwrap()), [a, b]);
    assert!(store.cluster_members(a + 1000).await.unwrap().is_empty());

    // The earliest member represents the cluster.
    assert_eq!(listed(&*store, site, None).await, [c, a]);
    assert_eq!(listed(&*store, site, Some("world")).await, [c, a]);

    // An editor's pin wins where the pinned story is placed; elsewhere the earliest shows.
    store.pin_cluster(a, Some(b)).await.unwrap();
    assert_eq!(listed(&*store, site, None).await, [b, c]);
    assert_eq!(listed(&*store, other_site, None).await, [a]);
    let err = store.pin_cluster(a, Some(c)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "story", .. }),
        "only a member can be pinned: {err:?}"
    );
    assert_eq!(listed(&*store, site, None).await, [b, c], "pin kept");

    // A section view picks among the members placed in that section.
    store.place(&place(a, site, "sports")).await.unwrap();
    assert_eq!(listed(&*store, site, None).await, [b, c]);
    assert_eq!(listed(&*store, site, Some("world")).await, [b, c]);
    assert_eq!(listed(&*store, site, Some("sports")).await, [a]);

    // A killed pinned story falls back to the earliest living member.
    assert!(store.kill_story(b, "error", "editor", at(9)).await.unwrap());
    assert_eq!(listed(&*store, site, None).await, [c, a]);
    assert_eq!(listed(&*store, site, Some("world")).await, [c]);
    assert_eq!(listed(&*store, site, Some("sports")).await, [a]);
    store.pin_cluster(a, None).await.unwrap();
    assert_eq!(listed(&*store, site, None).await, [c, a]);

    // Moving c into the cluster leaves one story for it: a, the earliest.
    store.set_cluster(c, a).await.unwrap();
    assert_eq!(store.story(c).await.unwrap().unwrap().cluster, a);
    assert_eq!(story_ids(&store.cluster_members(a).await.unwrap()), [a, c]);
    assert_eq!(listed(&*store, site, None).await, [a]);
    assert_eq!(listed(&*store, site, Some("world")).await, [c]);
    // Paging counts representatives only.
    assert!(
        store
            .site_stories(site, None, 1, 50)
            .await
            .unwrap()
            .is_empty()
    );

    let err = store.set_cluster(a + 1000, a).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "story", .. }),
        "{err:?}"
    );
});

store_test!(sketches_round_trip_in_their_window, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let a = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
    let b = put(&*store, &new_story(source, "b", "Story b", at(10)), Some(a)).await;
    let _no_sketch = put(&*store, &new_story(source, "c", "Story c", at(20)), None).await;
    store.set_sketch(b, "sketch-b").await.unwrap();
    store.set_sketch(a, "old").await.unwrap();
    store.set_sketch(a, "sketch-a").await.unwrap();
    assert_eq!(
        store.sketches_since(at(0).unix_micros).await.unwrap(),
        [
            (a, a, at(0).unix_micros, "sketch-a".to_owned()),
            (b, a, at(10).unix_micros, "sketch-b".to_owned()),
        ]
    );
    assert_eq!(
        store.sketches_since(at(5).unix_micros).await.unwrap(),
        [(b, a, at(10).unix_micros, "sketch-b".to_owned())]
    );
    assert!(
        store
            .sketches_since(at(30).unix_micros)
            .await
            .unwrap()
            .is_empty()
    );
    let err = store.set_sketch(a + 1000, "x").await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "story", .. }),
        "{err:?}"
    );
});

store_test!(unplaced_stories_wait_and_unplace_removes, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let echo = a_site(&*store, "echo").await;
    let post = a_site(&*store, "post").await;
    let a = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
    let b = put(&*store, &new_story(source, "b", "Story b", at(10)), None).await;
    let c = put(&*store, &new_story(source, "c", "Story c", at(20)), None).await;
    store.place(&place(a, echo, "world")).await.unwrap();
    store.place(&place(a, post, "world")).await.unwrap();
    assert_eq!(story_ids(&store.unplaced_stories(0).await.unwrap()), [c, b]);
    assert_eq!(story_ids(&store.unplaced_stories(1).await.unwrap()), [c]);

    store.unplace(a, echo).await.unwrap();
    assert_eq!(
        store.placements_of(a).await.unwrap(),
        [place(a, post, "world")]
    );
    assert!(listed(&*store, echo, None).await.is_empty());
    assert_eq!(story_ids(&store.unplaced_stories(0).await.unwrap()), [c, b]);
    store.unplace(a, post).await.unwrap();
    store.unplace(a, post).await.unwrap();
    store.unplace(a + 1000, post).await.unwrap();
    assert_eq!(
        story_ids(&store.unplaced_stories(0).await.unwrap()),
        [c, b, a]
    );
});

store_test!(stories_are_filtered_by_publish_time, |store, url| {
    let source = a_source(&*store, "Wire").await;
    let a = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
    let b = put(&*store, &new_story(source, "b", "Story b", at(10)), None).await;
    let c = put(&*store, &new_story(source, "c", "Story c", at(20)), None).await;
    let since = |minutes: i64| StoryFilter {
        since: Some(at(minutes).unix_micros),
        ..StoryFilter::default()
    };
    assert_eq!(story_ids(&store.stories(&since(10)).await.unwrap()), [c, b]);
    assert_eq!(
        story_ids(&store.stories(&since(-5)).await.unwrap()),
        [c, b, a]
    );
    assert!(store.stories(&since(21)).await.unwrap().is_empty());
});

store_test!(
    a_repost_with_a_new_guid_updates_by_canonical_url,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let other_source = a_source(&*store, "Agency").await;
        let canonical = "https://wire.example/2025/04/story";
        let mut first = new_story(source, "guid-1", "Story", at(0));
        first.canonical_url = Some(canonical.to_owned());
        let id = put(&*store, &first, None).await;
        assert_eq!(
            store
                .story_identity_by_url(source, canonical)
                .await
                .unwrap(),
            Some((id, first.content_hash.clone(), false))
        );
        assert_eq!(
            store
                .story_identity_by_url(other_source, canonical)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .story_identity_by_url(source, "https://wire.example/other")
                .await
                .unwrap(),
            None
        );

        // Same canonical URL, new GUID: the same story, updated in place.
        let mut repost = new_story(source, "guid-2", "Story, corrected", at(1));
        repost.canonical_url = Some(canonical.to_owned());
        repost.content_hash = "corrected".to_owned();
        assert_eq!(
            store.put_story(&repost, None).await.unwrap(),
            StoreOutcome::Updated(id)
        );
        assert_eq!(
            store.put_story(&repost, None).await.unwrap(),
            StoreOutcome::Unchanged(id)
        );
        let stored = store.story(id).await.unwrap().unwrap();
        assert_eq!(stored.guid, "guid-1", "the identity stays the first GUID");
        assert_eq!(stored.headline, "Story, corrected");
        assert_eq!(store.revisions(id).await.unwrap().len(), 1);
        assert_eq!(
            store.stories(&StoryFilter::default()).await.unwrap().len(),
            1
        );

        // Another source's story with that URL is another story.
        let mut elsewhere = repost.clone();
        elsewhere.source_id = other_source;
        assert!(matches!(
            store.put_story(&elsewhere, None).await.unwrap(),
            StoreOutcome::Inserted(other) if other != id
        ));

        // A killed story is not revived through its URL either.
        assert!(
            store
                .kill_story(id, "legal", "editor", at(5))
                .await
                .unwrap()
        );
        assert_eq!(
            store
                .story_identity_by_url(source, canonical)
                .await
                .unwrap(),
            Some((id, "corrected".to_owned(), true))
        );
        let mut third = repost.clone();
        third.guid = "guid-3".to_owned();
        third.content_hash = "third".to_owned();
        assert_eq!(
            store.put_story(&third, None).await.unwrap(),
            StoreOutcome::Unchanged(id)
        );
    }
);

// ---------------------------------------------------------------------------------------
// Subscribers and digests

use masthead_model::{ConfirmOutcome, DeliveryStatus, Subscriber, SubscriberStatus};

const DAY: &str = "2025-04-12";
const MINUTE: i64 = 60_000_000;

/// A lease far from any `at(..)` time used below: live at every `now` a test passes.
fn far_lease() -> i64 {
    at(10_000).unix_micros
}

/// A pending subscriber of `site`, its confirmation token `token-<email>` valid for a day.
async fn signed_up(store: &dyn Store, site: i64, email: &str) -> Subscriber {
    let token = format!("token-{email}");
    store
        .subscribe_request(site, email, &token, at(24 * 60).unix_micros, at(0))
        .await
        .unwrap()
}

async fn confirmed(store: &dyn Store, site: i64, email: &str) -> Subscriber {
    signed_up(store, site, email).await;
    match store
        .confirm_subscription(&format!("token-{email}"), at(1))
        .await
        .unwrap()
    {
        ConfirmOutcome::Confirmed(subscriber) => subscriber,
        other => panic!("confirming {email}: {other:?}"),
    }
}

fn ids(subscribers: &[Subscriber]) -> Vec<i64> {
    subscribers.iter().map(|s| s.id).collect()
}

store_test!(
    subscribing_normalizes_the_address_and_keeps_one_row,
    |store, url| {
        let site = a_site(&*store, "echo").await;
        let other_site = a_site(&*store, "gazette").await;
        let first = store
            .subscribe_request(
                site,
                "  Reader@Example.COM ",
                "t1",
                at(60).unix_micros,
                at(0),
            )
            .await
            .unwrap();
        assert_eq!(first.email, "reader@example.com");
        assert_eq!(first.site_id, site);
        assert_eq!(first.status, SubscriberStatus::Pending);
        assert!(first.sections.is_empty());
        assert_eq!(first.created_at, at(0));
        assert_eq!(first.confirmed_at, None);
        assert_eq!(
            store.subscriber(first.id).await.unwrap(),
            Some(first.clone())
        );

        // Signing up again (any spelling) keeps the row and its creation time, and replaces the
        // token: the first link no longer works.
        let again = store
            .subscribe_request(site, "reader@example.com", "t2", at(60).unix_micros, at(5))
            .await
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(
            ids(&store.subscribers(site, 0, 0).await.unwrap()),
            [first.id]
        );
        assert_eq!(
            store.confirm_subscription("t1", at(6)).await.unwrap(),
            ConfirmOutcome::Unknown
        );
        let ConfirmOutcome::Confirmed(confirmed) =
            store.confirm_subscription("t2", at(7)).await.unwrap()
        else {
            panic!("t2 should confirm");
        };
        assert_eq!(confirmed.status, SubscriberStatus::Confirmed);
        assert_eq!(confirmed.confirmed_at, Some(at(7)));

        // A confirmed subscriber signing up again stays confirmed.
        let still = store
            .subscribe_request(site, "READER@example.com", "t3", at(60).unix_micros, at(8))
            .await
            .unwrap();
        assert_eq!(still, confirmed);

        // The same address on another site is another subscriber.
        let elsewhere = signed_up(&*store, other_site, "reader@example.com").await;
        assert_ne!(elsewhere.id, first.id);
        assert_eq!(elsewhere.status, SubscriberStatus::Pending);
        assert_eq!(store.subscriber(-1).await.unwrap(), None);
    }
);

store_test!(
    confirmation_links_are_single_use_and_expire,
    |store, url| {
        let site = a_site(&*store, "echo").await;
        let expires = at(60).unix_micros;
        let sub = store
            .subscribe_request(site, "a@example.com", "ta", expires, at(0))
            .await
            .unwrap();
        // Valid up to and including `expires_at`.
        let ConfirmOutcome::Confirmed(confirmed) =
            store.confirm_subscription("ta", at(60)).await.unwrap()
        else {
            panic!("ta should confirm at its expiry instant");
        };
        assert_eq!(confirmed.id, sub.id);
        assert_eq!(
            store.subscriber(sub.id).await.unwrap().unwrap().status,
            SubscriberStatus::Confirmed
        );
        // The same link again: already confirmed (its token is gone).
        assert_eq!(
            store.confirm_subscription("ta", at(61)).await.unwrap(),
            ConfirmOutcome::AlreadyConfirmed
        );
        // A new link for a confirmed address: already confirmed, then used up.
        store
            .subscribe_request(site, "a@example.com", "ta2", expires, at(2))
            .await
            .unwrap();
        assert_eq!(
            store.confirm_subscription("ta2", at(3)).await.unwrap(),
            ConfirmOutcome::AlreadyConfirmed
        );
        assert_eq!(
            store.confirm_subscription("ta2", at(3)).await.unwrap(),
            ConfirmOutcome::Unknown
        );

        // Past its expiry a link is refused and used up; the subscriber stays pending.
        let late = store
            .subscribe_request(site, "b@example.com", "tb", expires, at(0))
            .await
            .unwrap();
        assert_eq!(
            store.confirm_subscription("tb", at(61)).await.unwrap(),
            ConfirmOutcome::Expired
        );
        assert_eq!(
            store.confirm_subscription("tb", at(2)).await.unwrap(),
            ConfirmOutcome::Unknown
        );
        assert_eq!(
            store.subscriber(late.id).await.unwrap().unwrap().status,
            SubscriberStatus::Pending
        );
        assert_eq!(
            store
                .confirm_subscription("no-such-hash", at(0))
                .await
                .unwrap(),
            ConfirmOutcome::Unknown
        );
    }
);

store_test!(unsubscribing_and_coming_back, |store, url| {
    let site = a_site(&*store, "echo").await;
    let sub = confirmed(&*store, site, "c@example.com").await;
    // A link mailed before leaving does not subscribe the address again.
    store
        .subscribe_request(site, "c@example.com", "old", at(60).unix_micros, at(2))
        .await
        .unwrap();
    assert!(store.unsubscribe(sub.id, at(3)).await.unwrap());
    assert!(!store.unsubscribe(sub.id, at(4)).await.unwrap());
    assert!(!store.unsubscribe(-1, at(4)).await.unwrap());
    let left = store.subscriber(sub.id).await.unwrap().unwrap();
    assert_eq!(left.status, SubscriberStatus::Unsubscribed);
    assert_eq!(
        store.confirm_subscription("old", at(5)).await.unwrap(),
        ConfirmOutcome::Unknown
    );
    // The first confirmation link, followed again, no longer says "confirmed".
    assert_eq!(
        store
            .confirm_subscription("token-c@example.com", at(5))
            .await
            .unwrap(),
        ConfirmOutcome::Unknown
    );

    // Signing up again: the same row, pending, to be confirmed afresh.
    let back = store
        .subscribe_request(site, "c@example.com", "new", at(60).unix_micros, at(6))
        .await
        .unwrap();
    assert_eq!(back.id, sub.id);
    assert_eq!(back.status, SubscriberStatus::Pending);
    assert_eq!(back.confirmed_at, None);
    assert_eq!(back.created_at, sub.created_at);
    let ConfirmOutcome::Confirmed(again) = store.confirm_subscription("new", at(7)).await.unwrap()
    else {
        panic!("the new link should confirm");
    };
    assert_eq!(again.confirmed_at, Some(at(7)));
    assert_eq!(ids(&store.subscribers(site, 0, 0).await.unwrap()), [sub.id]);
});

store_test!(signup_mails_count_per_address, |store, url| {
    let since = at(0).unix_micros;
    assert_eq!(
        store
            .signup_mails("d@example.com", since, None)
            .await
            .unwrap(),
        0
    );
    // Recording counts the new mail in the answer.
    for (n, minute) in [(1, 1), (2, 2), (3, 3)] {
        assert_eq!(
            store
                .signup_mails(" D@Example.com", since, Some(at(minute)))
                .await
                .unwrap(),
            n
        );
    }
    assert_eq!(
        store
            .signup_mails("d@example.com", since, None)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .signup_mails("d@example.com", at(2).unix_micros, None)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .signup_mails("d@example.com", at(4).unix_micros, None)
            .await
            .unwrap(),
        0
    );
    // Mails before the window are kept but not counted.
    assert_eq!(
        store
            .signup_mails("d@example.com", at(2).unix_micros, Some(at(-100)))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .signup_mails("e@example.com", since, None)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .signup_mails("e@example.com", since, Some(at(1)))
            .await
            .unwrap(),
        1
    );

    // Concurrent sign-ups for one address each see their own count: 1..=8, once each.
    let mut counts = Vec::new();
    for _ in 0..4 {
        let (a, b) = tokio::join!(
            store.signup_mails("f@example.com", since, Some(at(1))),
            store.signup_mails("f@example.com", since, Some(at(1)))
        );
        counts.push(a.unwrap());
        counts.push(b.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=8).collect::<Vec<i64>>());
});

store_test!(subscriber_sections_round_trip, |store, url| {
    let site = a_site(&*store, "echo").await;
    let sub = signed_up(&*store, site, "g@example.com").await;
    let sections = vec![
        "world".to_owned(),
        "sports".to_owned(),
        "économie".to_owned(),
    ];
    store
        .set_subscriber_sections(sub.id, &sections)
        .await
        .unwrap();
    assert_eq!(
        store.subscriber(sub.id).await.unwrap().unwrap().sections,
        sections
    );
    // Signing up again keeps the choice.
    let again = signed_up(&*store, site, "g@example.com").await;
    assert_eq!(again.sections, sections);
    store.set_subscriber_sections(sub.id, &[]).await.unwrap();
    assert!(
        store
            .subscriber(sub.id)
            .await
            .unwrap()
            .unwrap()
            .sections
            .is_empty()
    );
    assert!(matches!(
        store.set_subscriber_sections(-1, &sections).await,
        Err(StoreError::NotFound {
            what: "subscriber",
            ..
        })
    ));
});

store_test!(subscribers_page_by_id, |store, url| {
    let site = a_site(&*store, "echo").await;
    let other = a_site(&*store, "gazette").await;
    let mut expected = Vec::new();
    for i in 0..7 {
        let sub = signed_up(&*store, site, &format!("p{i}@example.com")).await;
        expected.push(sub.id);
        signed_up(&*store, other, &format!("q{i}@example.com")).await;
    }
    // Any status is listed.
    store
        .confirm_subscription("token-p1@example.com", at(1))
        .await
        .unwrap();
    store.unsubscribe(expected[2], at(2)).await.unwrap();

    let mut listed = Vec::new();
    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let page = store.subscribers(site, after, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        pages.push(page.len());
        assert!(page.iter().all(|s| s.site_id == site));
        listed.extend(ids(&page));
    }
    assert_eq!(pages, [3, 3, 1]);
    assert_eq!(listed, expected);
    let statuses: Vec<SubscriberStatus> = store
        .subscribers(site, 0, 0)
        .await
        .unwrap()
        .iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(statuses[1], SubscriberStatus::Confirmed);
    assert_eq!(statuses[2], SubscriberStatus::Unsubscribed);
    assert_eq!(statuses[0], SubscriberStatus::Pending);
});

store_test!(
    claims_take_confirmed_subscribers_once_per_digest,
    |store, url| {
        let site = a_site(&*store, "echo").await;
        let other_site = a_site(&*store, "gazette").await;
        // Confirms only once the digest is under way, below the subscribers claimed by then.
        let late = signed_up(&*store, site, "late@example.com").await;
        let mut confirmed_ids = Vec::new();
        for i in 0..5 {
            confirmed_ids.push(
                confirmed(&*store, site, &format!("r{i}@example.com"))
                    .await
                    .id,
            );
        }
        signed_up(&*store, site, "pending@example.com").await;
        let gone = confirmed(&*store, site, "gone@example.com").await;
        store.unsubscribe(gone.id, at(2)).await.unwrap();
        confirmed(&*store, other_site, "elsewhere@example.com").await;

        let now = at(10).unix_micros;
        let lease = at(20).unix_micros;
        let first = store
            .claim_deliveries(site, DAY, "node-a", now, lease, 2)
            .await
            .unwrap();
        assert_eq!(ids(&first), &confirmed_ids[..2]);
        assert!(
            first
                .iter()
                .all(|s| s.status == SubscriberStatus::Confirmed)
        );
        let rest = store
            .claim_deliveries(site, DAY, "node-b", now, lease, 0)
            .await
            .unwrap();
        assert_eq!(ids(&rest), &confirmed_ids[2..]);
        // Every delivery is held by a live lease.
        assert!(
            store
                .claim_deliveries(site, DAY, "node-c", now + MINUTE, lease, 0)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.delivery_counts(site, DAY).await.unwrap(), (0, 0, 5));
        assert_eq!(
            store.delivery_counts(site, "2025-04-13").await.unwrap(),
            (0, 0, 0)
        );
        assert_eq!(
            store.delivery_counts(other_site, DAY).await.unwrap(),
            (0, 0, 0)
        );
        store
            .confirm_subscription("token-late@example.com", at(10))
            .await
            .unwrap();
        let late_claim = store
            .claim_deliveries(site, DAY, "node-c", now + MINUTE, lease, 0)
            .await
            .unwrap();
        assert_eq!(ids(&late_claim), [late.id]);
        store
            .finish_delivery(site, DAY, late.id, DeliveryStatus::Sent, None, at(11))
            .await
            .unwrap();

        let [a, b, c, d, e] = confirmed_ids[..] else {
            unreachable!()
        };
        store
            .finish_delivery(site, DAY, a, DeliveryStatus::Sent, None, at(11))
            .await
            .unwrap();
        store
            .finish_delivery(site, DAY, b, DeliveryStatus::Sent, None, at(11))
            .await
            .unwrap();
        store
            .finish_delivery(
                site,
                DAY,
                c,
                DeliveryStatus::Failed,
                Some("550 no such user"),
                at(11),
            )
            .await
            .unwrap();
        // Finishing again is harmless; a sent delivery never turns failed.
        store
            .finish_delivery(site, DAY, a, DeliveryStatus::Sent, None, at(12))
            .await
            .unwrap();
        store
            .finish_delivery(site, DAY, b, DeliveryStatus::Failed, Some("late"), at(12))
            .await
            .unwrap();
        assert_eq!(store.delivery_counts(site, DAY).await.unwrap(), (3, 1, 2));

        // A subscriber leaving while a claim runs is not claimed again.
        store.unsubscribe(e, at(13)).await.unwrap();
        // After the lease: only the unfinished delivery of a subscriber still there comes back;
        // sent and failed ones never do.
        let after_lease = at(21).unix_micros;
        let reclaimed = store
            .claim_deliveries(site, DAY, "node-c", after_lease, at(30).unix_micros, 0)
            .await
            .unwrap();
        assert_eq!(ids(&reclaimed), [d]);
        assert!(
            store
                .claim_deliveries(
                    site,
                    DAY,
                    "node-d",
                    at(25).unix_micros,
                    at(50).unix_micros,
                    0
                )
                .await
                .unwrap()
                .is_empty()
        );
        store
            .finish_delivery(site, DAY, d, DeliveryStatus::Sent, None, at(26))
            .await
            .unwrap();
        assert!(
            store
                .claim_deliveries(
                    site,
                    DAY,
                    "node-e",
                    at(100).unix_micros,
                    at(110).unix_micros,
                    0
                )
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.delivery_counts(site, DAY).await.unwrap(), (4, 1, 1));

        // Another day's digest is a new round; the other site's subscribers are its own.
        let next_day = store
            .claim_deliveries(site, "2025-04-13", "node-a", now, far_lease(), 0)
            .await
            .unwrap();
        let mut expected = vec![late.id];
        expected.extend(&confirmed_ids[..4]);
        assert_eq!(ids(&next_day), expected);
        let there = store
            .claim_deliveries(other_site, DAY, "node-a", now, far_lease(), 0)
            .await
            .unwrap();
        assert_eq!(there.len(), 1);
        assert_eq!(there[0].site_id, other_site);
    }
);

store_test!(
    concurrent_claimers_take_each_subscriber_once,
    |store, url| {
        let site = a_site(&*store, "echo").await;
        let mut all = Vec::new();
        for i in 0..200 {
            all.push(
                confirmed(&*store, site, &format!("s{i:03}@example.com"))
                    .await
                    .id,
            );
        }
        // A second "node": its own pool on the same database.
        let other = masthead_store::open(&url).await.unwrap();
        let now = at(10).unix_micros;
        let lease = at(20).unix_micros;
        let mut claimed = Vec::new();
        let mut by_b = 0;
        loop {
            let (a, b) = tokio::join!(
                store.claim_deliveries(site, DAY, "node-a", now, lease, 50),
                other.claim_deliveries(site, DAY, "node-b", now, lease, 50)
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            if a.is_empty() && b.is_empty() {
                break;
            }
            assert!(a.len() <= 50 && b.len() <= 50);
            by_b += b.len();
            claimed.extend(ids(&a));
            claimed.extend(ids(&b));
        }
        claimed.sort_unstable();
        assert_eq!(claimed, all, "every subscriber claimed exactly once");
        assert!(
            0 < by_b && by_b < 200,
            "both nodes took part ({by_b} by node-b)"
        );
        assert_eq!(store.delivery_counts(site, DAY).await.unwrap(), (0, 0, 200));

        // Half are sent; after the lease the other half is claimed again, once, by the two.
        for id in all.iter().step_by(2) {
            store
                .finish_delivery(site, DAY, *id, DeliveryStatus::Sent, None, at(11))
                .await
                .unwrap();
        }
        let later = at(21).unix_micros;
        let mut reclaimed = Vec::new();
        loop {
            let (a, b) = tokio::join!(
                store.claim_deliveries(site, DAY, "node-a", later, far_lease(), 50),
                other.claim_deliveries(site, DAY, "node-b", later, far_lease(), 50)
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            if a.is_empty() && b.is_empty() {
                break;
            }
            reclaimed.extend(ids(&a));
            reclaimed.extend(ids(&b));
        }
        reclaimed.sort_unstable();
        let unsent: Vec<i64> = all.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(reclaimed, unsent);
        assert_eq!(
            store.delivery_counts(site, DAY).await.unwrap(),
            (100, 0, 100)
        );
    }
);

// ---------------------------------------------------------------------------------------
// Newsroom: accounts, setup links, sessions, login throttling, releases, audit

use masthead_model::{
    AuditEntry, NewRelease, Release, ReleaseImage, ReleaseKind, ReleaseStatus, Role, User,
};

async fn an_editor(store: &dyn Store, email: &str, sites: &[i64]) -> User {
    store
        .create_user(email, Role::Editor, sites, "$argon2id$v=19$fake", at(0))
        .await
        .unwrap()
}

fn new_release(headline: &str, kind: ReleaseKind, sites: &[i64]) -> NewRelease {
    NewRelease {
        kind,
        organisation: "Harbour Rowing Club".to_owned(),
        contact_name: "Zoë O’Brien".to_owned(),
        contact_email: "zoe@rowing.example".to_owned(),
        contact_phone: Some("+61 2 5550 1234".to_owned()),
        headline: headline.to_owned(),
        body: "The club’s “Winter Eight” regatta — its 50th — returns.\n\n‘All welcome’, she said."
            .to_owned(),
        dateline: Some("SYDNEY".to_owned()),
        event_at: Some("2026-12-05 19:00".to_owned()),
        event_place: Some("Rose Bay wharf".to_owned()),
        image: Some(ReleaseImage {
            file: "c0ffee12.webp".to_owned(),
            content_type: "image/webp".to_owned(),
            width: 1600,
            height: 900,
        }),
        sites: sites.to_vec(),
        fingerprint: format!("fp-{headline}"),
    }
}

async fn submitted(store: &dyn Store, release: &NewRelease, time: OffsetTime) -> Release {
    let (stored, duplicate) = store.submit_release(release, time, MINUTE).await.unwrap();
    assert!(!duplicate, "{:?} is new", release.headline);
    stored
}

fn release_ids(releases: &[Release]) -> Vec<i64> {
    releases.iter().map(|r| r.id).collect()
}

store_test!(users_are_created_and_found_by_email, |store, url| {
    let echo = a_site(&*store, "echo").await;
    let gazette = a_site(&*store, "gazette").await;
    let editor = an_editor(&*store, "  Ed@Example.COM ", &[gazette, echo]).await;
    assert_eq!(editor.email, "ed@example.com");
    assert_eq!(editor.role, Role::Editor);
    assert_eq!(editor.sites, [gazette, echo]);
    assert_eq!(editor.password_hash, "$argon2id$v=19$fake");
    assert!(!editor.disabled);
    assert_eq!(editor.created_at, at(0));
    assert!(editor.may_edit(echo) && !editor.may_edit(echo + gazette + 1));

    let admin = store
        .create_user("admin@example.com", Role::Admin, &[], "", at(1))
        .await
        .unwrap();
    assert!(admin.sites.is_empty());
    assert_eq!(admin.password_hash, "");

    assert_eq!(store.user(editor.id).await.unwrap(), Some(editor.clone()));
    assert_eq!(store.user(-1).await.unwrap(), None);
    for typed in ["ed@example.com", "ED@EXAMPLE.COM", " Ed@example.com\n"] {
        assert_eq!(
            store.user_by_email(typed).await.unwrap(),
            Some(editor.clone()),
            "{typed:?}"
        );
    }
    assert_eq!(
        store.user_by_email("nobody@example.com").await.unwrap(),
        None
    );

    // The address is taken whatever its case; the first account is untouched.
    let taken = store
        .create_user("ED@example.com", Role::Admin, &[], "", at(2))
        .await;
    assert!(
        matches!(&taken, Err(StoreError::EmailTaken { email }) if email == "ed@example.com"),
        "{taken:?}"
    );
    let users = store.users().await.unwrap();
    assert_eq!(users, [admin.clone(), editor.clone()]);

    // A password change and disabling: a disabled account is still found (callers check).
    store
        .set_password(editor.id, "$argon2id$new")
        .await
        .unwrap();
    store.set_user_disabled(editor.id, true).await.unwrap();
    let changed = store
        .user_by_email("ed@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.password_hash, "$argon2id$new");
    assert!(changed.disabled);
    assert!(!changed.may_edit(echo));
    assert_eq!(store.user(editor.id).await.unwrap(), Some(changed));
    store.set_user_disabled(editor.id, false).await.unwrap();
    assert!(!store.user(editor.id).await.unwrap().unwrap().disabled);
    assert_eq!(store.user(admin.id).await.unwrap(), Some(admin));

    for result in [
        store.set_password(-1, "x").await,
        store.set_user_disabled(-1, true).await,
    ] {
        assert!(matches!(
            result,
            Err(StoreError::NotFound { what: "user", .. })
        ));
    }
});

store_test!(setup_tokens_work_once_and_expire, |store, url| {
    let user = store
        .create_user("new@example.com", Role::Editor, &[], "", at(0))
        .await
        .unwrap();
    let expires = micros(60);
    store
        .create_setup_token(user.id, "first", expires)
        .await
        .unwrap();
    // A new link replaces the earlier one.
    store
        .create_setup_token(user.id, "second", expires)
        .await
        .unwrap();
    assert_eq!(
        store.take_setup_token("first", micros(1)).await.unwrap(),
        None
    );
    // Valid up to and including its expiry instant, and only once.
    assert_eq!(
        store.take_setup_token("second", expires).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.take_setup_token("second", micros(1)).await.unwrap(),
        None
    );

    // An expired link is used up too: it does not work later, even with an earlier clock.
    store
        .create_setup_token(user.id, "late", expires)
        .await
        .unwrap();
    assert_eq!(
        store.take_setup_token("late", expires + 1).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_setup_token("late", micros(1)).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_setup_token("never", micros(1)).await.unwrap(),
        None
    );

    assert!(matches!(
        store.create_setup_token(-1, "orphan", expires).await,
        Err(StoreError::NotFound { what: "user", .. })
    ));
    assert_eq!(
        store.take_setup_token("orphan", micros(1)).await.unwrap(),
        None
    );
});

store_test!(sessions_end_when_idle_or_expired, |store, url| {
    let user = an_editor(&*store, "ed@example.com", &[]).await;
    let idle = 10 * MINUTE;

    // Idle expiry: each use moves the idle deadline on.
    store
        .create_session("idle", user.id, micros(0), micros(120))
        .await
        .unwrap();
    for minute in [5, 14, 24, 34] {
        assert_eq!(
            store
                .session_user("idle", micros(minute), idle)
                .await
                .unwrap(),
            Some(user.clone()),
            "minute {minute}"
        );
    }
    // Exactly the idle limit still counts; one microsecond more does not.
    assert!(
        store
            .session_user("idle", micros(44), idle)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .session_user("idle", micros(54) + 1, idle)
            .await
            .unwrap(),
        None
    );
    // It was deleted: an earlier clock, when it was alive, no longer finds it.
    assert_eq!(
        store.session_user("idle", micros(45), idle).await.unwrap(),
        None
    );

    // Absolute expiry, however busy the session.
    store
        .create_session("absolute", user.id, micros(0), micros(30))
        .await
        .unwrap();
    for minute in [5, 10, 15, 20, 25, 30] {
        assert!(
            store
                .session_user("absolute", micros(minute), idle)
                .await
                .unwrap()
                .is_some(),
            "minute {minute}"
        );
    }
    assert_eq!(
        store
            .session_user("absolute", micros(30) + 1, idle)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .session_user("absolute", micros(29), idle)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .session_user("unknown", micros(1), idle)
            .await
            .unwrap(),
        None
    );
});

store_test!(
    sessions_end_at_logout_and_for_disabled_accounts,
    |store, url| {
        let ed = an_editor(&*store, "ed@example.com", &[]).await;
        let other = an_editor(&*store, "other@example.com", &[]).await;
        let (now, until, idle) = (micros(0), micros(600), 60 * MINUTE);
        let alive = |id: &'static str| {
            let store = store.clone();
            async move { store.session_user(id, micros(1), idle).await.unwrap() }
        };

        // Logout: one session.
        store.create_session("a", ed.id, now, until).await.unwrap();
        store.create_session("b", ed.id, now, until).await.unwrap();
        store.delete_session("a").await.unwrap();
        store.delete_session("a").await.unwrap();
        assert_eq!(alive("a").await, None);
        assert_eq!(alive("b").await, Some(ed.clone()));

        // Logout everywhere: every session of the account, no one else's.
        store.create_session("c", ed.id, now, until).await.unwrap();
        store
            .create_session("d", other.id, now, until)
            .await
            .unwrap();
        assert_eq!(store.delete_user_sessions(ed.id).await.unwrap(), 2);
        assert_eq!(store.delete_user_sessions(ed.id).await.unwrap(), 0);
        assert_eq!(alive("b").await, None);
        assert_eq!(alive("c").await, None);
        assert_eq!(alive("d").await, Some(other.clone()));

        // A disabled account has no sessions, and enabling it again does not revive them.
        store.create_session("e", ed.id, now, until).await.unwrap();
        store.set_user_disabled(ed.id, true).await.unwrap();
        assert_eq!(alive("e").await, None);
        store.create_session("f", ed.id, now, until).await.unwrap();
        assert_eq!(alive("f").await, None, "a disabled account never signs in");
        store.set_user_disabled(ed.id, false).await.unwrap();
        assert_eq!(alive("e").await, None);
        store.create_session("g", ed.id, now, until).await.unwrap();
        assert_eq!(alive("g").await, Some(ed.clone()));
        assert_eq!(alive("d").await, Some(other));
    }
);

store_test!(login_failures_count_within_a_window, |store, url| {
    let key = "account:ed@example.com";
    let since = micros(0);
    assert_eq!(store.login_failures(key, since, None).await.unwrap(), 0);
    // Recording counts the new failure in the answer.
    for (n, minute) in [(1, 1), (2, 2), (3, 3)] {
        assert_eq!(
            store
                .login_failures(key, since, Some(micros(minute)))
                .await
                .unwrap(),
            n
        );
    }
    assert_eq!(store.login_failures(key, micros(2), None).await.unwrap(), 2);
    assert_eq!(store.login_failures(key, micros(4), None).await.unwrap(), 0);
    // A failure before the window is kept, not counted.
    assert_eq!(
        store
            .login_failures(key, micros(2), Some(micros(-100)))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.login_failures(key, micros(-100), None).await.unwrap(),
        4
    );
    // Keys are counted apart.
    assert_eq!(
        store
            .login_failures("ip:192.0.2.7", since, Some(micros(1)))
            .await
            .unwrap(),
        1
    );

    // A successful login clears its key only.
    store.clear_login_failures(key).await.unwrap();
    assert_eq!(
        store.login_failures(key, micros(-100), None).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .login_failures("ip:192.0.2.7", since, None)
            .await
            .unwrap(),
        1
    );

    // Parallel failures are never under-counted: the last answer sees them all.
    let burst = "ip:198.51.100.1";
    let mut counts = Vec::new();
    for _ in 0..4 {
        let (a, b) = tokio::join!(
            store.login_failures(burst, since, Some(micros(1))),
            store.login_failures(burst, since, Some(micros(1)))
        );
        counts.push(a.unwrap());
        counts.push(b.unwrap());
    }
    assert_eq!(counts.iter().max(), Some(&8));
    assert_eq!(store.login_failures(burst, since, None).await.unwrap(), 8);
});

store_test!(releases_are_stored_with_a_reference, |store, url| {
    let echo = a_site(&*store, "echo").await;
    let gazette = a_site(&*store, "gazette").await;
    let release = new_release("Regatta returns", ReleaseKind::Sports, &[gazette, echo]);
    let stored = submitted(&*store, &release, at(0)).await;
    // Typographic quotes, dashes and accents come back byte for byte, with every field.
    assert_eq!(stored.release, release);
    assert_eq!(stored.reference, format!("R-{:06}", stored.id));
    assert_eq!(stored.reference.len(), 8);
    assert_eq!(stored.status, ReleaseStatus::Submitted);
    assert_eq!(stored.version, 1);
    assert_eq!(stored.submitted_at, at(0));
    assert_eq!(stored.decided_at, None);
    assert_eq!(stored.decided_by, None);
    assert_eq!(stored.reason, None);
    assert_eq!(stored.section, None);
    assert_eq!(stored.story_id, None);
    assert_eq!(
        store.release(stored.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(store.release(-1).await.unwrap(), None);

    // Without the optional parts.
    let bare = NewRelease {
        contact_phone: None,
        dateline: None,
        event_at: None,
        event_place: None,
        image: None,
        ..new_release("Bare", ReleaseKind::Other, &[echo])
    };
    let bare_stored = submitted(&*store, &bare, at(1)).await;
    assert_eq!(bare_stored.release, bare);
    assert_ne!(bare_stored.reference, stored.reference);
    assert_eq!(bare_stored.reference, format!("R-{:06}", bare_stored.id));
});

store_test!(a_resubmitted_release_is_recognised, |store, url| {
    let echo = a_site(&*store, "echo").await;
    let release = new_release("Fete", ReleaseKind::Community, &[echo]);
    let first = submitted(&*store, &release, at(0)).await;
    let window = 60 * MINUTE;

    // Within the window: the stored one, marked as a duplicate; nothing new is stored.
    let (again, duplicate) = store
        .submit_release(&release, at(30), window)
        .await
        .unwrap();
    assert!(duplicate);
    assert_eq!(again, first);
    // Whatever its status.
    let rejected = store
        .decide_release(
            first.id,
            1,
            ReleaseStatus::Spam,
            "ed@example.com",
            None,
            None,
            at(31),
        )
        .await
        .unwrap()
        .unwrap();
    let (again, duplicate) = store
        .submit_release(&release, at(60), window)
        .await
        .unwrap();
    assert!(duplicate);
    assert_eq!(again, rejected);
    assert_eq!(
        release_ids(&store.releases(None, None, None, 0).await.unwrap()),
        [first.id]
    );

    // Another fingerprint is another release; past the window the same one is new again.
    let other = NewRelease {
        fingerprint: "fp-other".to_owned(),
        ..release.clone()
    };
    let (second, duplicate) = store.submit_release(&other, at(61), window).await.unwrap();
    assert!(!duplicate);
    let (third, duplicate) = store
        .submit_release(&release, at(61), window)
        .await
        .unwrap();
    assert!(!duplicate);
    assert_eq!(
        release_ids(&store.releases(None, None, None, 0).await.unwrap()),
        [first.id, second.id, third.id]
    );

    // Two identical submissions at once store one release.
    let twin = NewRelease {
        fingerprint: "fp-twin".to_owned(),
        ..release.clone()
    };
    let (a, b) = tokio::join!(
        store.submit_release(&twin, at(70), window),
        store.submit_release(&twin, at(70), window)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.0.id, b.0.id);
    assert!(a.1 != b.1, "one is new, the other its duplicate");
});

store_test!(the_queue_filters_and_lists_oldest_first, |store, url| {
    let echo = a_site(&*store, "echo").await;
    let gazette = a_site(&*store, "gazette").await;
    // Submitted out of time order: lists follow submission time, not id.
    let late = submitted(
        &*store,
        &new_release("Late", ReleaseKind::Business, &[echo]),
        at(30),
    )
    .await;
    let early = submitted(
        &*store,
        &new_release("Early", ReleaseKind::Sports, &[echo, gazette]),
        at(10),
    )
    .await;
    let middle = submitted(
        &*store,
        &new_release("Middle", ReleaseKind::Sports, &[gazette]),
        at(20),
    )
    .await;
    let decided = submitted(
        &*store,
        &new_release("Decided", ReleaseKind::Business, &[echo]),
        at(0),
    )
    .await;
    store
        .decide_release(
            decided.id,
            1,
            ReleaseStatus::Rejected,
            "ed@example.com",
            Some("Not news"),
            None,
            at(40),
        )
        .await
        .unwrap()
        .unwrap();

    let list = |status, site, kind, limit| {
        let store = store.clone();
        async move { release_ids(&store.releases(status, site, kind, limit).await.unwrap()) }
    };
    let waiting = Some(ReleaseStatus::Submitted);
    assert_eq!(
        list(None, None, None, 0).await,
        [decided.id, early.id, middle.id, late.id]
    );
    assert_eq!(
        list(waiting, None, None, 0).await,
        [early.id, middle.id, late.id]
    );
    assert_eq!(list(waiting, None, None, 2).await, [early.id, middle.id]);
    assert_eq!(
        list(waiting, Some(echo), None, 0).await,
        [early.id, late.id]
    );
    assert_eq!(
        list(waiting, Some(gazette), None, 0).await,
        [early.id, middle.id]
    );
    assert_eq!(
        list(waiting, None, Some(ReleaseKind::Sports), 0).await,
        [early.id, middle.id]
    );
    assert_eq!(
        list(waiting, Some(echo), Some(ReleaseKind::Business), 0).await,
        [late.id]
    );
    assert_eq!(
        list(None, Some(echo), Some(ReleaseKind::Business), 0).await,
        [decided.id, late.id]
    );
    assert_eq!(
        list(Some(ReleaseStatus::Rejected), None, None, 0).await,
        [decided.id]
    );
    assert!(
        list(Some(ReleaseStatus::Approved), None, None, 0)
            .await
            .is_empty()
    );
    assert!(
        list(None, Some(echo + gazette + 1), None, 0)
            .await
            .is_empty()
    );
    assert!(
        list(waiting, None, Some(ReleaseKind::PersonnelAppointment), 0)
            .await
            .is_empty()
    );
});

store_test!(editors_do_not_overwrite_each_other, |store, url| {
    let echo = a_site(&*store, "echo").await;
    let source = a_source(&*store, "Newsroom").await;
    let story = put(&*store, &new_story(source, "r-1", "Regatta", at(5)), None).await;
    let release = submitted(
        &*store,
        &new_release("Regatta returns", ReleaseKind::Sports, &[echo]),
        at(0),
    )
    .await;

    // Two editors opened version 1; the first save wins, the second changes nothing.
    let first = store
        .edit_release(
            release.id,
            1,
            "Regatta’s “Winter Eight” returns",
            "Edited body — with ‘quotes’.",
            Some("ROSE BAY"),
            Some("sports"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.version, 2);
    assert_eq!(first.release.headline, "Regatta’s “Winter Eight” returns");
    assert_eq!(first.release.body, "Edited body — with ‘quotes’.");
    assert_eq!(first.release.dateline.as_deref(), Some("ROSE BAY"));
    assert_eq!(first.section.as_deref(), Some("sports"));
    assert_eq!(first.release.organisation, release.release.organisation);
    assert_eq!(first.status, ReleaseStatus::Submitted);
    let second = store
        .edit_release(release.id, 1, "Stale", "Stale body", None, None)
        .await
        .unwrap();
    assert_eq!(second, None);
    assert_eq!(
        store.release(release.id).await.unwrap(),
        Some(first.clone())
    );

    // At once, from one version: exactly one save lands.
    let (a, b) = tokio::join!(
        store.edit_release(release.id, 2, "A", "A body", None, None),
        store.edit_release(release.id, 2, "B", "B body", None, None)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_some() != b.is_some(), "{a:?} / {b:?}");
    let current = store.release(release.id).await.unwrap().unwrap();
    assert_eq!(current.version, 3);
    assert_eq!(Some(&current), a.as_ref().or(b.as_ref()));

    // A decision at a stale version, or one that is no decision, changes nothing.
    for (version, status) in [(2, ReleaseStatus::Approved), (3, ReleaseStatus::Submitted)] {
        assert_eq!(
            store
                .decide_release(
                    release.id,
                    version,
                    status,
                    "ed@example.com",
                    None,
                    None,
                    at(9)
                )
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(store.release(release.id).await.unwrap(), Some(current));

    // Approval, once: the story it made is kept.
    let approved = store
        .decide_release(
            release.id,
            3,
            ReleaseStatus::Approved,
            "ed@example.com",
            None,
            Some(story),
            at(10),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.status, ReleaseStatus::Approved);
    assert_eq!(approved.version, 4);
    assert_eq!(approved.decided_at, Some(at(10)));
    assert_eq!(approved.decided_by.as_deref(), Some("ed@example.com"));
    assert_eq!(approved.story_id, Some(story));
    let again = store
        .decide_release(
            release.id,
            4,
            ReleaseStatus::Rejected,
            "other@example.com",
            Some("Changed my mind"),
            None,
            at(11),
        )
        .await
        .unwrap();
    assert_eq!(again, None);
    // A correction after approval keeps the decision and the story.
    let corrected = store
        .edit_release(release.id, 4, "Corrected", "Body", None, Some("sports"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(corrected.version, 5);
    assert_eq!(corrected.status, ReleaseStatus::Approved);
    assert_eq!(corrected.story_id, Some(story));
    assert_eq!(corrected.decided_at, Some(at(10)));

    // A rejection keeps its reason for the mail to the submitter.
    let other = submitted(
        &*store,
        &new_release("Other", ReleaseKind::Event, &[echo]),
        at(1),
    )
    .await;
    let rejected = store
        .decide_release(
            other.id,
            1,
            ReleaseStatus::Rejected,
            "ed@example.com",
            Some("Please send a “photo” we may use"),
            None,
            at(12),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejected.status, ReleaseStatus::Rejected);
    assert_eq!(
        rejected.reason.as_deref(),
        Some("Please send a “photo” we may use")
    );
    assert_eq!(rejected.story_id, None);
    assert_eq!(
        store
            .edit_release(-1, 1, "x", "y", None, None)
            .await
            .unwrap(),
        None
    );
});

store_test!(the_audit_log_pages_newest_first, |store, url| {
    let entry = |minute: i64, action: &str| AuditEntry {
        at: at(minute),
        actor: "ed@example.com".to_owned(),
        action: action.to_owned(),
        object: format!("release {minute}"),
        detail: "headline “Regatta” — edited".to_owned(),
        from: "192.0.2.7".to_owned(),
    };
    assert!(store.audit_log(0, None).await.unwrap().is_empty());
    // Written out of time order.
    for minute in [3, 1, 7, 5, 2, 6, 4] {
        store.audit(&entry(minute, "release.edit")).await.unwrap();
    }
    let cli = AuditEntry {
        actor: "cli:root".to_owned(),
        from: "cli".to_owned(),
        ..entry(8, "user.add")
    };
    store.audit(&cli).await.unwrap();

    let first = store.audit_log(3, None).await.unwrap();
    assert_eq!(
        first,
        [cli, entry(7, "release.edit"), entry(6, "release.edit")]
    );
    let mut minutes = Vec::new();
    let mut before = None;
    loop {
        let page = store.audit_log(3, before).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.at.unix_micros);
        minutes.extend(
            page.iter()
                .map(|e| (e.at.unix_micros - at(0).unix_micros) / MINUTE),
        );
    }
    assert_eq!(minutes, [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(store.audit_log(0, None).await.unwrap().len(), 8);
    assert_eq!(
        store.audit_log(0, Some(at(3).unix_micros)).await.unwrap(),
        [entry(2, "release.edit"), entry(1, "release.edit")]
    );
});

// ---------------------------------------------------------------------------------------
// Corrections

store_test!(
    a_correction_keeps_the_old_version_and_yields_to_the_source,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let site = a_site(&*store, "echo").await;
        let v1 = new_story(source, "a", "Mayor opens bridge", at(0));
        let id = put(&*store, &v1, None).await;
        store.place(&place(id, site, "world")).await.unwrap();
        let before = store.story(id).await.unwrap().unwrap();

        assert!(
            store
                .correct_story(
                    id,
                    "Mayor opens the new bridge",
                    Some("Corrected standfirst."),
                    "<p>The mayor’s bridge opened on Tuesday.</p><p>Second.</p>",
                    "The mayor’s bridge opened on Tuesday.\n\nSecond.",
                    at(30),
                )
                .await
                .unwrap()
        );
        let corrected = store.story(id).await.unwrap().unwrap();
        assert_eq!(corrected.headline, "Mayor opens the new bridge");
        assert_eq!(
            corrected.standfirst.as_deref(),
            Some("Corrected standfirst.")
        );
        assert_eq!(
            corrected.text,
            "The mayor’s bridge opened on Tuesday.\n\nSecond."
        );
        assert_eq!(
            corrected.content_html,
            "<p>The mayor’s bridge opened on Tuesday.</p><p>Second.</p>"
        );
        assert_eq!(corrected.updated, Some(at(30)));
        assert_eq!(
            corrected.published,
            at(0),
            "the first publication time stays"
        );
        assert_eq!(corrected.slug, before.slug, "the slug stays");
        assert_eq!(corrected.cluster, before.cluster);
        assert_eq!(corrected.content_hash, before.content_hash);
        // Lists read the new lead and headline; search finds the new words, not the old ones.
        let listed = store.site_stories(site, None, 0, 10).await.unwrap();
        assert_eq!(listed[0].headline, "Mayor opens the new bridge");
        assert_eq!(listed[0].lead, "The mayor’s bridge opened on Tuesday.");
        assert_eq!(found(&*store, site, "tuesday").await, [id]);

        let revisions = store.revisions(id).await.unwrap();
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].number, 1);
        assert_eq!(revisions[0].headline, v1.headline);
        assert_eq!(revisions[0].standfirst, v1.standfirst);
        assert_eq!(revisions[0].text, v1.text);
        assert_eq!(revisions[0].content_html, v1.content_html);
        assert_eq!(revisions[0].replaced_at, at(30));

        // A second correction, without a standfirst, keeps the first as revision 2.
        assert!(
            store
                .correct_story(
                    id,
                    "Mayor opens bridge at last",
                    None,
                    "<p>B.</p>",
                    "B.",
                    at(40)
                )
                .await
                .unwrap()
        );
        let again = store.story(id).await.unwrap().unwrap();
        assert_eq!(again.standfirst, None);
        let revisions = store.revisions(id).await.unwrap();
        assert_eq!(revisions.len(), 2);
        assert_eq!(revisions[1].number, 2);
        assert_eq!(revisions[1].headline, "Mayor opens the new bridge");

        // The same entry polled again leaves the correction alone…
        assert_eq!(
            store.put_story(&v1, None).await.unwrap(),
            StoreOutcome::Unchanged(id)
        );
        assert_eq!(
            store.story(id).await.unwrap().unwrap().headline,
            "Mayor opens bridge at last"
        );
        // …but the source's next change wins, keeping the correction as a revision.
        let mut v2 = new_story(source, "a", "Mayor opens bridge, source update", at(0));
        v2.content_hash = "v2".to_owned();
        v2.updated = Some(at(50));
        assert_eq!(
            store.put_story(&v2, None).await.unwrap(),
            StoreOutcome::Updated(id)
        );
        let latest = store.story(id).await.unwrap().unwrap();
        assert_eq!(latest.headline, "Mayor opens bridge, source update");
        let revisions = store.revisions(id).await.unwrap();
        assert_eq!(revisions.len(), 3);
        assert_eq!(revisions[2].headline, "Mayor opens bridge at last");
        assert_eq!(revisions[2].replaced_at, at(50));
    }
);

store_test!(
    unknown_and_killed_stories_are_not_corrected,
    |store, url| {
        let source = a_source(&*store, "Wire").await;
        let id = put(&*store, &new_story(source, "a", "Story a", at(0)), None).await;
        assert!(
            !store
                .correct_story(id + 1000, "X", None, "<p>x</p>", "x", at(5))
                .await
                .unwrap()
        );
        assert!(
            store
                .kill_story(id, "legal", "ed@example", at(5))
                .await
                .unwrap()
        );
        assert!(
            !store
                .correct_story(id, "Changed", None, "<p>x</p>", "x", at(6))
                .await
                .unwrap()
        );
        let still = store.story(id).await.unwrap().unwrap();
        assert_eq!(still.headline, "Story a");
        assert_eq!(still.updated, None);
        assert!(store.revisions(id).await.unwrap().is_empty());
    }
);
