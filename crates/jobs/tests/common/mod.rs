//! Shared by the integration tests: a temp SQLite network (one site carrying every source) and
//! RSS fixtures. Each test binary uses a part of it.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use masthead_jobs::{IngestSettings, PollSettings};
use masthead_model::{
    FullTextPolicy, OffsetTime, Section, SiteSpec, Source, SourceHealth, SourceSpec, Story,
};
use masthead_route::SiteRoute;
use masthead_store::{Store, StoryFilter};

/// A temp SQLite store with one site, removed (with its WAL files) when dropped.
pub struct Network {
    pub store: Arc<dyn Store>,
    pub settings: PollSettings,
    pub site_id: i64,
    path: PathBuf,
}

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

impl Network {
    pub async fn new(name: &str) -> Network {
        let path = std::env::temp_dir().join(format!(
            "masthead-jobs-it-{name}-{}-{}.db",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        ));
        remove_db(&path);
        let store = masthead_store::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let site = store
            .upsert_site(&SiteSpec {
                slug: "test-times".into(),
                name: "Test Times".into(),
                hosts: vec!["test-times.localhost".into()],
                time_zone: "Europe/London".into(),
                tagline: String::new(),
                sections: vec![Section {
                    slug: "world".into(),
                    name: "World".into(),
                }],
            })
            .await
            .unwrap();
        let site_id = site.id;
        let settings = PollSettings::new(IngestSettings {
            clusters: None,
            routes: vec![SiteRoute {
                site,
                sources: vec![],
                rules: Vec::new(),
            }],
            now: OffsetTime::now_utc(),
            shift_micros: 0,
        });
        Network {
            store,
            settings,
            site_id,
            path,
        }
    }

    pub async fn add_source(&self, name: &str, url: &str, full_text: FullTextPolicy) -> Source {
        self.store
            .upsert_source(&SourceSpec {
                name: name.into(),
                url: url.into(),
                section: Some("world".into()),
                dateline: None,
                full_text,
                interval_secs: 900,
            })
            .await
            .unwrap()
    }

    pub async fn source(&self, name: &str) -> Source {
        self.store.source_by_name(name).await.unwrap().unwrap()
    }

    pub async fn health(&self, name: &str) -> SourceHealth {
        self.source(name).await.health
    }

    /// The source's stories, asserting that no (source, guid) is stored twice.
    pub async fn stories_of(&self, name: &str) -> Vec<Story> {
        let source = self.source(name).await;
        let stories = self
            .store
            .stories(&StoryFilter {
                source: Some(source.id),
                limit: 100_000,
                ..StoryFilter::default()
            })
            .await
            .unwrap();
        let mut guids: Vec<&str> = stories.iter().map(|s| s.guid.as_str()).collect();
        guids.sort_unstable();
        let before = guids.len();
        guids.dedup();
        assert_eq!(before, guids.len(), "a story of {name} is stored twice");
        stories
    }

    /// Every story in the store.
    pub async fn all_stories(&self) -> Vec<Story> {
        self.store
            .stories(&StoryFilter {
                limit: 1_000_000,
                ..StoryFilter::default()
            })
            .await
            .unwrap()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        remove_db(&self.path);
    }
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// One RSS item: (guid, headline, description).
pub struct Item<'a> {
    pub guid: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub link: Option<&'a str>,
}

/// An RSS 2.0 document in UTF-8 (the caller re-encodes it for charset cases).
pub fn rss(encoding: &str, items: &[Item<'_>]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<rss version=\"2.0\"><channel>\
         <title>Fixture Wire</title><link>https://wire.example/</link>\
         <description>Test fixture</description>\n"
    );
    for (n, item) in items.iter().enumerate() {
        let link = item
            .link
            .map(|l| format!("<link>{l}</link>"))
            .unwrap_or_default();
        out.push_str(&format!(
            "<item><title>{}</title>{link}<guid isPermaLink=\"false\">{}</guid>\
             <pubDate>Sat, 12 Apr 2025 0{}:00:00 +0000</pubDate>\
             <description>{}</description></item>\n",
            item.title,
            item.guid,
            n % 10,
            item.description
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}
