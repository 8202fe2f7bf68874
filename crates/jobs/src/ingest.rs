//! One ingest pass over one feed document: parse → normalize → identity → store → route.
//!
//! Input: the source, the document's bytes and its URL (to resolve relative links), and a
//! fetcher when article pages may be fetched for full text. Output: an [`IngestReport`].
//! Entries that cannot become a story are reported, never fatal to the pass; a document that
//! is not a feed at all is an error and stores nothing. An entry whose feed text is unchanged
//! since it was stored costs one indexed read: no sanitizing, no page fetch.

use masthead_feed::Entry;
use masthead_fetch::{ACCEPT_HTML, FetchOutcome, FetchRequest, Fetcher};
use std::sync::{Arc, Mutex};

use masthead_dedup::{Clusterer, DedupSettings, Sketch};
use masthead_model::{FullTextPolicy, NewStory, OffsetTime, Source, StoreOutcome};
use masthead_normalize as normalize;
use masthead_route::SiteRoute;
use masthead_store::Store;

use crate::JobError;

/// What an ingest pass needs besides the document.
#[derive(Debug, Clone)]
pub struct IngestSettings {
    /// Which sites carry which sources, with their sections.
    pub routes: Vec<SiteRoute>,
    /// Near-duplicate clusters of the recent window; None stores each story in its own.
    pub clusters: Option<ClusterIndex>,
    /// Stands in for a missing publication time.
    pub now: OffsetTime,
    /// Added to every entry's times. Zero for real sources; the demo uses it to date its
    /// bundled stories relative to the moment it starts.
    pub shift_micros: i64,
}

/// The in-memory near-duplicate index of the recent window, shared by the passes of one
/// process. Built from the store's sketches at start, so a restart forgets nothing.
#[derive(Clone)]
pub struct ClusterIndex(Arc<Mutex<Loaded>>);

struct Loaded {
    clusterer: Clusterer,
    window_micros: i64,
    /// Sketches of stories published since this instant (unix µs) are in the clusterer.
    from: i64,
}

impl std::fmt::Debug for ClusterIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterIndex")
    }
}

impl ClusterIndex {
    /// Loads the sketches of the stories published within the window before now.
    pub async fn load(store: &dyn Store, settings: DedupSettings) -> Result<Self, JobError> {
        let window_micros = settings.window_secs.saturating_mul(1_000_000);
        let index = Self(Arc::new(Mutex::new(Loaded {
            clusterer: Clusterer::new(settings),
            window_micros,
            from: i64::MAX,
        })));
        index
            .ensure_loaded(store, OffsetTime::now_utc().unix_micros)
            .await?;
        Ok(index)
    }

    /// Makes sure the stories a story published at `published` (unix µs) is compared with
    /// are loaded: an old story (a backfill, a re-ingested archive) needs an older window.
    async fn ensure_loaded(&self, store: &dyn Store, published: i64) -> Result<(), JobError> {
        let (from, window) = self.with_loaded(|l| (l.from, l.window_micros));
        let needed = published.saturating_sub(window);
        if needed >= from {
            return Ok(());
        }
        let rows = store
            .sketches_since(needed)
            .await
            .map_err(|cause| JobError::Store {
                source_name: "cluster index".to_owned(),
                cause,
            })?;
        self.with_loaded(|l| {
            for (id, cluster, published, sketch) in rows {
                if l.clusterer.cluster_of(id).is_some() {
                    continue;
                }
                let Some(sketch) = hex::decode(&sketch)
                    .ok()
                    .and_then(|b| Sketch::from_bytes(&b).ok())
                else {
                    continue;
                };
                l.clusterer
                    .insert(id, published / 1_000_000, sketch, cluster);
            }
            l.from = l.from.min(needed);
        });
        Ok(())
    }

    fn with_loaded<T>(&self, f: impl FnOnce(&mut Loaded) -> T) -> T {
        // A poisoned index is still an index: the panic that poisoned it was elsewhere.
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Clusterer) -> T) -> T {
        self.with_loaded(|l| f(&mut l.clusterer))
    }

    /// Forgets a story (a kill).
    pub fn remove(&self, id: masthead_model::StoryId) {
        self.with(|c| c.remove(id));
    }
}

/// An entry that did not become a story, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProblem {
    pub entry: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub source: String,
    pub entries: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub placements: usize,
    /// Article pages fetched for full text, and how many of those failed (feed text kept).
    pub pages_fetched: usize,
    pub pages_failed: usize,
    pub problems: Vec<EntryProblem>,
    /// What the store did with each entry that became a story, in order.
    pub outcomes: Vec<StoreOutcome>,
    /// The WebSub hub and topic the document advertises, if any.
    pub hub: Option<String>,
    pub topic: Option<String>,
}

/// Below this many characters a feed's text is taken for a summary (policy `auto`).
const SUMMARY_CHARS: usize = 600;

/// Parses `bytes` as a feed of `source` and stores its stories idempotently: ingesting the
/// same document twice adds nothing.
pub async fn ingest_document(
    store: &dyn Store,
    source: &Source,
    bytes: &[u8],
    base_url: Option<&url::Url>,
    settings: &IngestSettings,
    full_text: Option<&Fetcher>,
) -> Result<IngestReport, JobError> {
    let feed = masthead_feed::parse(bytes, base_url).map_err(|cause| JobError::Feed {
        source_name: source.name.clone(),
        cause,
    })?;
    let mut report = ingest_entries(store, source, &feed.entries, settings, full_text).await?;
    report.hub = feed.hub;
    report.topic = feed.self_url;
    Ok(report)
}

/// Stores entries of `source` (from a feed document, a push delivery or the API) as one
/// ingest pass does: identity, full text, clusters, routing.
pub async fn ingest_entries(
    store: &dyn Store,
    source: &Source,
    entries: &[Entry],
    settings: &IngestSettings,
    full_text: Option<&Fetcher>,
) -> Result<IngestReport, JobError> {
    let mut report = IngestReport {
        source: source.name.clone(),
        entries: entries.len(),
        ..IngestReport::default()
    };
    let store_err = |cause| JobError::Store {
        source_name: source.name.clone(),
        cause,
    };
    for entry in entries {
        let categories = entry.categories.clone();
        let Some((guid, entry_hash)) = identity(entry, settings) else {
            report.problems.push(EntryProblem {
                entry: entry_label(entry),
                reason: "the entry has no title".to_owned(),
            });
            continue;
        };
        let canonical = entry.url.as_deref().and_then(masthead_dedup::canonical_url);
        let mut known = store
            .story_identity(source.id, &guid)
            .await
            .map_err(store_err)?;
        let mut guid = guid;
        if known.is_none()
            && let Some(canonical) = &canonical
            && let Some(by_url) = store
                .story_identity_by_url(source.id, canonical)
                .await
                .map_err(store_err)?
        {
            // A re-post under a new id but at the same page: it is the stored story.
            if let Some(stored) = store.story(by_url.0).await.map_err(store_err)? {
                guid = stored.guid;
                known = Some(by_url);
            }
        }
        // A killed story is never brought back: skip it like an unchanged one.
        if let Some((id, stored, killed)) = &known
            && (*killed || *stored == entry_hash)
        {
            report.unchanged += 1;
            report.outcomes.push(StoreOutcome::Unchanged(*id));
            continue;
        }
        let mut story = match to_story(source, entry, settings, guid, entry_hash) {
            Ok(story) => story,
            Err(reason) => {
                report.problems.push(EntryProblem {
                    entry: entry_label(entry),
                    reason,
                });
                continue;
            }
        };
        if let Some(fetcher) = full_text
            && needs_full_text(source.full_text, entry, &story)
            && let Some(url) = story.url.as_deref().and_then(|u| url::Url::parse(u).ok())
        {
            report.pages_fetched += 1;
            if let Err(failure) = fill_from_page(fetcher, &url, &mut story).await {
                report.pages_failed += 1;
                let reason = &failure.reason;
                tracing::warn!(source.id = source.id, %url, "full text not fetched: {reason}");
                report.problems.push(EntryProblem {
                    entry: entry_label(entry),
                    reason: format!("full text not fetched, feed text kept: {reason}"),
                });
                if failure.transient {
                    // Stored under a hash the entry never has, so the next poll takes this
                    // entry up again and retries the page; while it keeps failing the story
                    // is rewritten with the same marked hash, which the store sees as
                    // unchanged.
                    story.content_hash = format!("{}{FULL_TEXT_PENDING}", story.content_hash);
                }
            }
        }
        story.canonical_url = canonical;
        let sketch = masthead_dedup::sketch(&story.headline, &story.text);
        let published_secs = story.published.unix_micros / 1_000_000;
        // Only a new story looks for its cluster; an update stays where it is.
        let cluster = match (&settings.clusters, &known) {
            (Some(index), None) => {
                index
                    .ensure_loaded(store, story.published.unix_micros)
                    .await?;
                index.with(|c| c.find(published_secs, &sketch))
            }
            _ => None,
        };
        let outcome = store
            .put_story(&story, cluster)
            .await
            .map_err(|cause| JobError::Store {
                source_name: source.name.clone(),
                cause,
            })?;
        report.outcomes.push(outcome);
        match outcome {
            StoreOutcome::Inserted(_) => report.inserted += 1,
            StoreOutcome::Updated(_) => report.updated += 1,
            StoreOutcome::Unchanged(_) => report.unchanged += 1,
        }
        if let (Some(index), StoreOutcome::Inserted(id) | StoreOutcome::Updated(id)) =
            (&settings.clusters, outcome)
        {
            let joined = index.with(|c| {
                let joined = cluster.or_else(|| c.cluster_of(id)).unwrap_or(id);
                c.remove(id);
                c.insert(id, published_secs, sketch.clone(), joined);
                joined
            });
            if joined != id {
                tracing::debug!(story.id = id, cluster = joined, "joined a cluster");
            }
            store
                .set_sketch(id, &hex::encode(sketch.to_bytes()))
                .await
                .map_err(store_err)?;
        }
        let routable = masthead_route::Routable {
            id: outcome.id(),
            source,
            categories: &categories,
            headline: &story.headline,
            text: &story.text,
            dateline: story.dateline.as_deref(),
        };
        for placement in masthead_route::placements(&settings.routes, &routable) {
            store
                .place(&placement)
                .await
                .map_err(|cause| JobError::Store {
                    source_name: source.name.clone(),
                    cause,
                })?;
            report.placements += 1;
        }
    }
    tracing::info!(
        source.id = source.id,
        entries = report.entries,
        inserted = report.inserted,
        updated = report.updated,
        unchanged = report.unchanged,
        problems = report.problems.len(),
        "ingested feed document"
    );
    Ok(report)
}

/// The entry's identity within its source and the hash of its feed text.
fn identity(entry: &Entry, settings: &IngestSettings) -> Option<(String, String)> {
    let headline = entry
        .title
        .as_deref()
        .map(normalize::clean_inline)
        .filter(|h| !h.is_empty())?;
    let shift = |t: OffsetTime| t.shifted(settings.shift_micros).to_rfc3339();
    let feed_text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}",
        entry.summary_html.as_deref().unwrap_or(""),
        entry.content_html.as_deref().unwrap_or(""),
        entry.author.as_deref().unwrap_or(""),
        entry.image.as_ref().map_or("", |i| i.url.as_str()),
        entry.categories.join(","),
        entry.published.map(shift).unwrap_or_default(),
        entry.updated.map(shift).unwrap_or_default(),
    );
    let hash = normalize::content_hash(&headline, &feed_text);
    let guid = entry
        .guid
        .clone()
        .or_else(|| entry.url.clone())
        .unwrap_or_else(|| format!("hash:{hash}"));
    Some((guid, hash))
}

/// Policy `always`, or `auto` and the feed carries only a summary or a short text.
fn needs_full_text(policy: FullTextPolicy, entry: &Entry, story: &NewStory) -> bool {
    match policy {
        FullTextPolicy::Never => false,
        FullTextPolicy::Always => true,
        FullTextPolicy::Auto => {
            entry
                .content_html
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
                || story.text.chars().count() < SUMMARY_CHARS
        }
    }
}

/// Marks a stored content hash whose full text is still to be fetched.
const FULL_TEXT_PENDING: &str = ":full-text-pending";

/// Why a story's page did not give its full text, and whether trying later may help.
struct PageFailure {
    reason: String,
    /// A timeout, a 5xx, a 429, a connection error: the next poll retries the page.
    transient: bool,
}

impl PageFailure {
    fn permanent(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            transient: false,
        }
    }
}

/// Fetches the story's page (robots.txt permitting) and takes its body and the metadata the
/// feed lacked. The feed's headline and times win: they are what the source published.
async fn fill_from_page(
    fetcher: &Fetcher,
    url: &url::Url,
    story: &mut NewStory,
) -> Result<(), PageFailure> {
    if !fetcher.robots_allowed(url).await {
        // Unreadable robots.txt files count as "disallow" for a while (RFC 9309); the
        // fetcher re-asks after its retry time, so a later poll may get the page.
        return Err(PageFailure {
            reason: "robots.txt disallows the page".to_owned(),
            transient: true,
        });
    }
    let body = match fetcher
        .fetch(&FetchRequest::new(url.clone(), ACCEPT_HTML))
        .await
        .map_err(|e| PageFailure {
            transient: e.is_transient(),
            reason: e.to_string(),
        })? {
        FetchOutcome::Fetched(body) => body,
        FetchOutcome::NotModified => {
            return Err(PageFailure::permanent(
                "unexpected 304 for an unconditional GET",
            ));
        }
    };
    let (html, _) = masthead_fetch::decode_html(&body.bytes, body.content_type.as_deref());
    let article = masthead_extract::extract(&html, &body.final_url)
        .map_err(|e| PageFailure::permanent(e.to_string()))?;
    if article.text.chars().count() <= story.text.chars().count() {
        return Err(PageFailure::permanent(
            "the page's text is no longer than the feed's",
        ));
    }
    story.content_html = normalize::sanitize(&article.content_html).into_string();
    story.text = article.text;
    if story.standfirst.is_none() {
        story.standfirst = article.standfirst;
    }
    if story.byline.is_none() {
        story.byline = article.byline;
    }
    if story.image.is_none() {
        story.image = article.image;
    }
    if let Some(dateline) = article.dateline {
        story.dateline = Some(dateline);
    }
    Ok(())
}

fn entry_label(entry: &Entry) -> String {
    entry
        .guid
        .clone()
        .or_else(|| entry.url.clone())
        .or_else(|| entry.title.clone())
        .unwrap_or_else(|| "(entry without id, link or title)".to_owned())
}

/// Maps one feed entry to a normalized story, or says why it cannot be one.
fn to_story(
    source: &Source,
    entry: &Entry,
    settings: &IngestSettings,
    guid: String,
    content_hash: String,
) -> Result<NewStory, String> {
    let headline = entry
        .title
        .as_deref()
        .map(normalize::clean_inline)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "the entry has no title".to_owned())?;

    // The summary is the standfirst when the entry also carries a full body; alone, it is
    // the body (the full-text fetch of a later pass replaces it).
    let (body_html, standfirst) = match (&entry.content_html, &entry.summary_html) {
        (Some(content), summary) if !content.trim().is_empty() => (
            content.as_str(),
            summary
                .as_deref()
                .map(normalize::clean_inline)
                .filter(|s| !s.is_empty()),
        ),
        (_, Some(summary)) => (summary.as_str(), None),
        _ => ("", None),
    };
    let content_html = normalize::sanitize(body_html);
    let text = normalize::plain_text(&content_html);
    if text.is_empty() && standfirst.is_none() {
        return Err("the entry has no text".to_owned());
    }

    let dateline = entry
        .dateline
        .clone()
        .or_else(|| normalize::split_dateline(normalize::first_paragraph(&text)).0)
        .or_else(|| source.dateline.clone());

    let published = entry
        .published
        .or(entry.updated)
        .unwrap_or(settings.now)
        .shifted(settings.shift_micros);
    let updated = entry
        .updated
        .map(|t| t.shifted(settings.shift_micros))
        .filter(|u| *u != published);

    Ok(NewStory {
        source_id: source.id,
        guid,
        url: entry.url.clone(),
        headline,
        standfirst,
        byline: entry.author.as_deref().map(normalize::clean_inline),
        dateline,
        published,
        updated,
        content_html: content_html.into_string(),
        text,
        image: entry.image.clone(),
        categories: entry.categories.clone(),
        content_hash,
        canonical_url: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::{FullTextPolicy, Section, SiteSpec, SourceSpec};

    const WIRE: &[u8] = include_bytes!("../testdata/wire.xml");

    async fn network() -> (
        std::sync::Arc<dyn Store>,
        Source,
        IngestSettings,
        std::path::PathBuf,
    ) {
        let path = std::env::temp_dir().join(format!(
            "masthead-jobs-{}-{:?}.db",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        let store = masthead_store::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let source = store
            .upsert_source(&SourceSpec {
                name: "Test Wire".into(),
                url: "https://testwire.example/feed.xml".into(),
                section: Some("world".into()),
                dateline: None,
                full_text: FullTextPolicy::Never,
                interval_secs: 900,
            })
            .await
            .unwrap();
        let site = store
            .upsert_site(&SiteSpec {
                slug: "test-times".into(),
                name: "Test Times".into(),
                hosts: vec!["test-times.localhost".into()],
                time_zone: "Australia/Sydney".into(),
                tagline: String::new(),
                sections: ["world", "business"]
                    .iter()
                    .map(|s| Section {
                        slug: (*s).into(),
                        name: (*s).into(),
                    })
                    .collect(),
            })
            .await
            .unwrap();
        let settings = IngestSettings {
            clusters: None,
            routes: vec![SiteRoute {
                site,
                sources: vec![],
                rules: vec![],
            }],
            now: OffsetTime::now_utc(),
            shift_micros: 0,
        };
        (store, source, settings, path)
    }

    #[tokio::test]
    async fn same_document_twice_adds_nothing() {
        let (store, source, settings, path) = network().await;
        let first = ingest_document(store.as_ref(), &source, WIRE, None, &settings, None)
            .await
            .unwrap();
        assert_eq!((first.entries, first.inserted), (3, 3));
        let second = ingest_document(store.as_ref(), &source, WIRE, None, &settings, None)
            .await
            .unwrap();
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 0, 3)
        );
        let site = settings.routes[0].site.id;
        assert_eq!(store.count_site_stories(site, None).await.unwrap(), 3);
        // The Sports story has no section on this site: it falls back to the source's.
        assert_eq!(
            store.count_site_stories(site, Some("world")).await.unwrap(),
            2
        );
        assert_eq!(
            store
                .count_site_stories(site, Some("business"))
                .await
                .unwrap(),
            1
        );
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_changed_entry_updates_the_story_in_place() {
        let (store, source, settings, path) = network().await;
        ingest_document(store.as_ref(), &source, WIRE, None, &settings, None)
            .await
            .unwrap();
        let edited = String::from_utf8(WIRE.to_vec())
            .unwrap()
            .replace("took effect on Saturday", "took effect on Saturday morning");
        let report = ingest_document(
            store.as_ref(),
            &source,
            edited.as_bytes(),
            None,
            &settings,
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (report.inserted, report.updated, report.unchanged),
            (0, 1, 2)
        );
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_page_that_is_not_a_feed_is_an_error_and_stores_nothing() {
        let (store, source, settings, path) = network().await;
        let err = ingest_document(
            store.as_ref(),
            &source,
            b"<html><p>hi</p></html>",
            None,
            &settings,
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, JobError::Feed { .. }));
        let site = settings.routes[0].site.id;
        assert_eq!(store.count_site_stories(site, None).await.unwrap(), 0);
        let _ = std::fs::remove_file(path);
    }
}
