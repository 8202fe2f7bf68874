//! Outgoing feeds of a site and of each of its sections: RSS 2.0 (`/feed.xml`), Atom 1.0
//! (`/atom.xml`) and JSON Feed 1.1 (`/feed.json`), plus the site's `/logo.svg`; the routes of
//! `sitemap` are mounted here too.
//!
//! Input: the site a request is for ([`SiteCtx`]) and its newest stories from the store.
//! Output: the newest [`FEED_SIZE`] stories, one per cluster, written by the `rss` and
//! `atom_syndication` crates (well-formed XML, escaping theirs) and by `serde_json`. Every URL
//! is absolute (`links`); each story's GUID / id is its page URL on this site, which never
//! changes (the id decides, see `pages::article`). Dates keep the source's offset: RFC 822 with
//! a numeric zone for RSS, RFC 3339 for Atom and JSON Feed. `dispatch` adds the validators and
//! answers 304s. Never writes to the store.

use std::collections::{HashMap, HashSet};

use atom_syndication as atom;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use masthead_model::{OffsetTime, Section, SourceId, Story};
use serde_json::{Value, json};

use crate::conditional::LastModified;
use crate::pages::{Cacheable, SiteCtx};
use crate::structured::{self, Logo, absolute_image, author_name};
use crate::views::ImageView;
use crate::{AppState, WebError, sitemap};

/// Stories per feed.
pub(crate) const FEED_SIZE: usize = 50;
/// Feeds and sitemaps change at most as often as stories arrive; pages are kept 60 s.
pub(crate) const SYNDICATION_CACHE: &str = "public, max-age=300";
const SUMMARY_CHARS: usize = 300;

/// Whether feeds carry the whole story or a summary.
///
/// The hook for a per-site choice: until the site model carries one, every site publishes
/// full text ([`DEFAULT_FEED_TEXT`]), which is what readers of a syndication network expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FeedText {
    Full,
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the per-site setting is not wired yet")
    )]
    Summary,
}

pub(crate) const DEFAULT_FEED_TEXT: FeedText = FeedText::Full;

#[derive(Debug, Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn file(self) -> &'static str {
        match self {
            Self::Rss => "feed.xml",
            Self::Atom => "atom.xml",
            Self::Json => "feed.json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::Json => "application/feed+json; charset=utf-8",
        }
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/feed.xml", get(site_rss))
        .route("/atom.xml", get(site_atom))
        .route("/feed.json", get(site_json))
        .route("/section/{slug}/feed.xml", get(section_rss))
        .route("/section/{slug}/atom.xml", get(section_atom))
        .route("/section/{slug}/feed.json", get(section_json))
        .route("/logo.svg", get(logo))
        .merge(sitemap::routes())
}

/// A feed, sitemap or logo: replayable, kept by shared caches for five minutes, and
/// `Last-Modified` at its newest story when it has one.
pub(crate) fn syndication_response(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    newest: Option<OffsetTime>,
) -> Response {
    let mut response = (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, SYNDICATION_CACHE),
        ],
        body.into(),
    )
        .into_response();
    response.extensions_mut().insert(Cacheable);
    if let Some(t) = newest {
        response.extensions_mut().insert(LastModified::of(t));
    }
    response
}

async fn site_rss(app: State<AppState>, ctx: Extension<SiteCtx>) -> Result<Response, WebError> {
    feed(app, ctx, None, Format::Rss).await
}
async fn site_atom(app: State<AppState>, ctx: Extension<SiteCtx>) -> Result<Response, WebError> {
    feed(app, ctx, None, Format::Atom).await
}
async fn site_json(app: State<AppState>, ctx: Extension<SiteCtx>) -> Result<Response, WebError> {
    feed(app, ctx, None, Format::Json).await
}
async fn section_rss(
    app: State<AppState>,
    ctx: Extension<SiteCtx>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    feed(app, ctx, Some(slug), Format::Rss).await
}
async fn section_atom(
    app: State<AppState>,
    ctx: Extension<SiteCtx>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    feed(app, ctx, Some(slug), Format::Atom).await
}
async fn section_json(
    app: State<AppState>,
    ctx: Extension<SiteCtx>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    feed(app, ctx, Some(slug), Format::Json).await
}

async fn logo(Extension(ctx): Extension<SiteCtx>) -> Result<Response, WebError> {
    let svg = askama::Template::render(&Logo::new(&ctx.entry.site.name)).map_err(|source| {
        WebError::Render {
            template: "logo",
            source,
        }
    })?;
    Ok(syndication_response(svg, "image/svg+xml", None))
}

/// One story as the feeds write it.
struct FeedStory {
    story: Story,
    /// Our page, absolute: also the GUID.
    url: String,
    section: Option<String>,
    /// The source's own feed URL (RSS `<source>`, Atom `<source>`).
    source_feed: Option<String>,
    image: Option<String>,
}

impl FeedStory {
    fn summary(&self) -> String {
        let s = &self.story;
        match s.standfirst.as_deref().map(str::trim) {
            Some(sf) if !sf.is_empty() => sf.to_owned(),
            _ => masthead_normalize::teaser(
                s.dateline.as_deref(),
                masthead_normalize::first_paragraph(&s.text),
                SUMMARY_CHARS,
            ),
        }
    }

    /// The sanitized body with the source credit, as the article page ends.
    fn content_html(&self) -> String {
        format!(
            "{}\n<p class=\"source-credit\">({})</p>",
            self.story.content_html,
            escape_html(&self.story.source_name)
        )
    }

    fn modified(&self) -> OffsetTime {
        structured::modified(&self.story)
    }

    fn original(&self) -> Option<&str> {
        self.story
            .url
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    }
}

/// What a feed says about itself.
struct FeedDoc {
    title: String,
    description: String,
    /// The page the feed mirrors: the home page or the section page.
    home: String,
    /// `home` without a trailing slash, where `feed.xml` & co. live.
    dir: String,
    text: FeedText,
    stories: Vec<FeedStory>,
    /// The WebSub hub the network pings when feeds change, advertised in every feed.
    hub: Option<String>,
}

impl FeedDoc {
    fn self_url(&self, format: Format) -> String {
        format!("{}/{}", self.dir, format.file())
    }

    /// The newest change among the stories: `Last-Modified`, `<lastBuildDate>`, `<updated>`.
    fn updated(&self) -> Option<OffsetTime> {
        self.stories.iter().map(FeedStory::modified).max()
    }
}

async fn feed(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    section_slug: Option<String>,
    format: Format,
) -> Result<Response, WebError> {
    let site = &ctx.entry.site;
    let section: Option<&Section> = match &section_slug {
        Some(slug) => Some(
            site.section(slug)
                .ok_or(WebError::NotFound { what: "section" })?,
        ),
        None => None,
    };
    // Spare rows so that cluster twins dropped below still leave a full feed.
    let summaries = app
        .store
        .site_stories(
            site.id,
            section.map(|s| s.slug.as_str()),
            0,
            (FEED_SIZE * 2) as i64,
        )
        .await?;
    let sources: HashMap<SourceId, String> = app
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| (s.id, s.url))
        .collect();
    let mut clusters = HashSet::new();
    let mut stories = Vec::with_capacity(FEED_SIZE);
    for summary in summaries {
        if stories.len() >= FEED_SIZE {
            break;
        }
        if !clusters.insert(summary.cluster) {
            continue;
        }
        // A story removed between the two reads is simply left out.
        let Some(story) = app.store.story(summary.id).await? else {
            continue;
        };
        let image =
            ImageView::from_lead(story.image.as_ref()).map(|i| absolute_image(&ctx.base, &i));
        stories.push(FeedStory {
            url: format!("{}/story/{}/{}", ctx.base, story.id, story.slug),
            section: site.section(&summary.section).map(|s| s.name.clone()),
            source_feed: sources.get(&story.source_id).cloned(),
            image,
            story,
        });
    }

    let (title, home, dir, description) = match section {
        Some(s) => {
            let dir = format!("{}/section/{}", ctx.base, s.slug);
            (
                format!("{} — {}", s.name, site.name),
                dir.clone(),
                dir,
                format!("The latest {} news from {}", s.name, site.name),
            )
        }
        None => (
            site.name.clone(),
            format!("{}/", ctx.base),
            ctx.base.to_string(),
            if site.tagline.trim().is_empty() {
                format!("The latest news from {}", site.name)
            } else {
                site.tagline.clone()
            },
        ),
    };
    let doc = FeedDoc {
        title,
        description,
        home,
        dir,
        text: DEFAULT_FEED_TEXT,
        stories,
        hub: app.hub.get().cloned(),
    };
    let body = match format {
        Format::Rss => rss_of(&doc)?,
        Format::Atom => atom_of(&doc)?,
        Format::Json => json_of(&doc)?,
    };
    Ok(syndication_response(
        body,
        format.content_type(),
        doc.updated(),
    ))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// RFC 822 with the source's numeric offset: `Sat, 12 Apr 2025 04:01:00 +1000`.
fn rfc822(t: OffsetTime) -> Result<String, WebError> {
    let zoned = t
        .timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(t.offset()));
    jiff::fmt::rfc2822::to_string(&zoned).map_err(|e| WebError::Serialize {
        format: "RSS date",
        reason: e.to_string(),
    })
}

fn atom_date(t: OffsetTime) -> Result<atom::FixedDateTime, WebError> {
    atom::FixedDateTime::parse_from_rfc3339(&t.to_rfc3339()).map_err(|e| WebError::Serialize {
        format: "Atom date",
        reason: e.to_string(),
    })
}

/// The enclosure's type, from the image URL's extension (JPEG when it says nothing).
fn image_type(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("svg") => "image/svg+xml",
        _ => "image/jpeg",
    }
}

fn rss_of(doc: &FeedDoc) -> Result<String, WebError> {
    let mut items = Vec::with_capacity(doc.stories.len());
    for fs in &doc.stories {
        let s = &fs.story;
        let mut item = rss::Item::default();
        item.set_title(s.headline.clone());
        item.set_link(fs.url.clone());
        item.set_guid(rss::Guid {
            value: fs.url.clone(),
            permalink: true,
        });
        item.set_pub_date(rfc822(s.published)?);
        item.set_description(fs.summary());
        if doc.text == FeedText::Full {
            item.set_content(fs.content_html());
        }
        if let Some(name) = &fs.section {
            item.set_categories(vec![rss::Category {
                name: name.clone(),
                domain: None,
            }]);
        }
        if let Some(image) = &fs.image {
            // RSS wants a length; 0 is the convention for "unknown".
            item.set_enclosure(rss::Enclosure {
                url: image.clone(),
                length: "0".to_owned(),
                mime_type: image_type(image).to_owned(),
            });
        }
        if let Some(feed) = &fs.source_feed {
            item.set_source(rss::Source {
                url: feed.clone(),
                title: Some(s.source_name.clone()),
            });
        }
        // `<author>` must be an email address; the byline goes in `dc:creator`.
        let creator = author_name(s.byline.as_deref()).unwrap_or_else(|| s.source_name.clone());
        item.set_dublin_core_ext(rss::extension::dublincore::DublinCoreExtension {
            creators: vec![creator],
            ..Default::default()
        });
        items.push(item);
    }
    let mut channel = rss::Channel::default();
    channel.set_title(doc.title.clone());
    channel.set_link(doc.home.clone());
    channel.set_description(doc.description.clone());
    channel.set_language("en".to_owned());
    channel.set_generator("masthead".to_owned());
    if let Some(t) = doc.updated() {
        channel.set_last_build_date(rfc822(t)?);
    }
    let mut links = vec![atom::Link {
        href: doc.self_url(Format::Rss),
        rel: "self".to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..Default::default()
    }];
    if let Some(hub) = &doc.hub {
        links.push(atom::Link {
            href: hub.clone(),
            rel: "hub".to_owned(),
            ..Default::default()
        });
    }
    channel.set_atom_ext(rss::extension::atom::AtomExtension { links });
    channel.set_items(items);
    Ok(channel.to_string())
}

fn atom_of(doc: &FeedDoc) -> Result<String, WebError> {
    let mut entries = Vec::with_capacity(doc.stories.len());
    for fs in &doc.stories {
        let s = &fs.story;
        let mut links = vec![atom::Link {
            href: fs.url.clone(),
            rel: "alternate".to_owned(),
            mime_type: Some("text/html".to_owned()),
            ..Default::default()
        }];
        if let Some(original) = fs.original() {
            // RFC 4287 `via`: where the story came from.
            links.push(atom::Link {
                href: original.to_owned(),
                rel: "via".to_owned(),
                mime_type: Some("text/html".to_owned()),
                title: Some(s.source_name.clone()),
                ..Default::default()
            });
        }
        if let Some(image) = &fs.image {
            links.push(atom::Link {
                href: image.clone(),
                rel: "enclosure".to_owned(),
                mime_type: Some(image_type(image).to_owned()),
                ..Default::default()
            });
        }
        let mut entry = atom::Entry {
            title: atom::Text::plain(s.headline.clone()),
            id: fs.url.clone(),
            updated: atom_date(fs.modified())?,
            published: Some(atom_date(s.published)?),
            authors: vec![atom::Person {
                name: author_name(s.byline.as_deref()).unwrap_or_else(|| s.source_name.clone()),
                ..Default::default()
            }],
            links,
            summary: Some(atom::Text::plain(fs.summary())),
            ..Default::default()
        };
        if doc.text == FeedText::Full {
            entry.content = Some(atom::Content {
                value: Some(fs.content_html()),
                content_type: Some("html".to_owned()),
                ..Default::default()
            });
        }
        if let Some(name) = &fs.section {
            entry.categories = vec![atom::Category {
                term: name.clone(),
                label: Some(name.clone()),
                scheme: None,
            }];
        }
        if let Some(feed) = &fs.source_feed {
            entry.source = Some(atom::Source {
                title: atom::Text::plain(s.source_name.clone()),
                id: feed.clone(),
                updated: atom_date(fs.modified())?,
                links: vec![atom::Link {
                    href: feed.clone(),
                    rel: "self".to_owned(),
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        entries.push(entry);
    }
    let updated = match doc.updated() {
        Some(t) => atom_date(t)?,
        // An empty feed has no story to date it by; "now" keeps it valid.
        None => atom_date(OffsetTime::now_utc())?,
    };
    let feed = atom::Feed {
        title: atom::Text::plain(doc.title.clone()),
        subtitle: Some(atom::Text::plain(doc.description.clone())),
        id: doc.self_url(Format::Atom),
        updated,
        links: vec![
            atom::Link {
                href: doc.home.clone(),
                rel: "alternate".to_owned(),
                mime_type: Some("text/html".to_owned()),
                ..Default::default()
            },
            atom::Link {
                href: doc.self_url(Format::Atom),
                rel: "self".to_owned(),
                mime_type: Some("application/atom+xml".to_owned()),
                ..Default::default()
            },
        ]
        .into_iter()
        .chain(doc.hub.iter().map(|hub| atom::Link {
            href: hub.clone(),
            rel: "hub".to_owned(),
            ..Default::default()
        }))
        .collect(),
        generator: Some(atom::Generator {
            value: "masthead".to_owned(),
            ..Default::default()
        }),
        lang: Some("en".to_owned()),
        entries,
        ..Default::default()
    };
    Ok(feed.to_string())
}

fn json_of(doc: &FeedDoc) -> Result<String, WebError> {
    let mut items = Vec::with_capacity(doc.stories.len());
    for fs in &doc.stories {
        let s = &fs.story;
        let author = author_name(s.byline.as_deref()).unwrap_or_else(|| s.source_name.clone());
        let mut item = json!({
            "id": fs.url,
            "url": fs.url,
            "title": s.headline,
            "summary": fs.summary(),
            "date_published": s.published.to_rfc3339(),
            "date_modified": fs.modified().to_rfc3339(),
            "authors": [{ "name": author }],
        });
        if let Some(map) = item.as_object_mut() {
            match doc.text {
                FeedText::Full => {
                    map.insert("content_html".into(), Value::String(fs.content_html()))
                }
                FeedText::Summary => map.insert("content_text".into(), Value::String(fs.summary())),
            };
            if let Some(original) = fs.original() {
                map.insert("external_url".into(), Value::String(original.to_owned()));
            }
            if let Some(image) = &fs.image {
                map.insert("image".into(), Value::String(image.clone()));
            }
            if let Some(name) = &fs.section {
                map.insert("tags".into(), json!([name]));
            }
        }
        items.push(item);
    }
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": doc.title,
        "home_page_url": doc.home,
        "feed_url": doc.self_url(Format::Json),
        "description": doc.description,
        "language": "en",
        "items": items,
    });
    if let (Some(hub), Some(map)) = (&doc.hub, feed.as_object_mut()) {
        map.insert("hubs".into(), json!([{ "type": "WebSub", "url": hub }]));
    }
    serde_json::to_string_pretty(&feed).map_err(|e| WebError::Serialize {
        format: "JSON Feed",
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_dates_keep_the_numeric_offset() {
        let t = OffsetTime::new(1_744_394_460_000_000, 10 * 3600).unwrap();
        assert_eq!(rfc822(t).unwrap(), "Sat, 12 Apr 2025 04:01:00 +1000");
        let t = OffsetTime::new(1_744_394_460_000_000, 0).unwrap();
        assert_eq!(rfc822(t).unwrap(), "Fri, 11 Apr 2025 18:01:00 +0000");
        let t = OffsetTime::new(1_744_394_460_000_000, -(4 * 3600 + 1800)).unwrap();
        assert_eq!(rfc822(t).unwrap(), "Fri, 11 Apr 2025 13:31:00 -0430");
    }

    #[test]
    fn image_types_follow_the_extension() {
        assert_eq!(image_type("https://x.example/a.PNG?w=2"), "image/png");
        assert_eq!(image_type("https://x.example/a.webp"), "image/webp");
        assert_eq!(image_type("https://x.example/photo"), "image/jpeg");
    }

    #[test]
    fn summary_feeds_carry_no_body() {
        let doc = FeedDoc {
            title: "T".into(),
            description: "D".into(),
            home: "http://h.example/".into(),
            dir: "http://h.example".into(),
            text: FeedText::Summary,
            stories: vec![],
            hub: None,
        };
        let json: Value = serde_json::from_str(&json_of(&doc).unwrap()).unwrap();
        assert_eq!(json["feed_url"], "http://h.example/feed.json");
        assert!(json.get("hubs").is_none());
        assert!(rss_of(&doc).unwrap().contains("<atom:link"));
    }

    #[test]
    fn every_format_names_the_hub() {
        let doc = FeedDoc {
            title: "T".into(),
            description: "D".into(),
            home: "http://h.example/".into(),
            dir: "http://h.example".into(),
            text: FeedText::Summary,
            stories: vec![],
            hub: Some("https://hub.example/".into()),
        };
        let json: Value = serde_json::from_str(&json_of(&doc).unwrap()).unwrap();
        assert_eq!(json["hubs"][0]["url"], "https://hub.example/");
        assert!(
            rss_of(&doc)
                .unwrap()
                .contains(r#"href="https://hub.example/" rel="hub""#)
        );
        assert!(atom_of(&doc).unwrap().contains(r#"rel="hub""#));
    }
}
