//! Sitemaps and robots.txt of a site.
//!
//! Input: the site a request is for and the stories placed on it. Output: `/sitemap.xml`, an
//! index of `/sitemap-{n}.xml` pages of at most [`SITEMAP_PAGE`] URLs each (the home page,
//! each section, then every story newest first); `/news-sitemap.xml`, the Google News sitemap
//! of the stories published in the last [`NEWS_WINDOW_HOURS`] hours (at most 1,000, Google's
//! limit); and `/robots.txt`, allowing everything and naming both. URLs are absolute (see
//! `links`), dates RFC 3339 with the source's offset. XML through askama templates, which
//! escape. Never writes to the store.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use masthead_model::OffsetTime;

use crate::feeds::syndication_response;
use crate::pages::SiteCtx;
use crate::views::story_href;
use crate::{AppState, WebError};

/// URLs per sitemap page. The protocol allows 50,000; a smaller page keeps each render one
/// modest query and each body a couple of megabytes (they pass through the page cache).
pub(crate) const SITEMAP_PAGE: i64 = 10_000;
pub(crate) const NEWS_WINDOW_HOURS: i64 = 48;
/// Google News reads at most this many URLs from one news sitemap.
const NEWS_MAX: i64 = 1_000;
const XML: &str = "application/xml; charset=utf-8";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sitemap.xml", get(index))
        .route("/sitemap-{page}", get(page))
        .route("/news-sitemap.xml", get(news))
        .route("/robots.txt", get(robots))
}

#[derive(Debug)]
pub(crate) struct Loc {
    pub loc: String,
    pub lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "sitemap_index.xml")]
struct IndexXml {
    pages: Vec<Loc>,
}

#[derive(Template)]
#[template(path = "sitemap.xml")]
struct UrlsetXml {
    urls: Vec<Loc>,
}

struct NewsStory {
    loc: String,
    published: String,
    title: String,
}

#[derive(Template)]
#[template(path = "news_sitemap.xml")]
struct NewsXml<'a> {
    publication: &'a str,
    stories: Vec<NewsStory>,
}

fn render(t: &impl Template, template: &'static str) -> Result<String, WebError> {
    t.render()
        .map_err(|source| WebError::Render { template, source })
}

/// The newest story of the site (or section): the lastmod of its listing page.
async fn newest(
    app: &AppState,
    ctx: &SiteCtx,
    section: Option<&str>,
    offset: i64,
) -> Result<Option<OffsetTime>, WebError> {
    Ok(app
        .store
        .site_stories(ctx.entry.site.id, section, offset, 1)
        .await?
        .first()
        .map(|s| s.published))
}

/// The home page and one URL per section come before the stories.
fn fixed_urls(ctx: &SiteCtx) -> i64 {
    1 + ctx.entry.site.sections.len() as i64
}

async fn page_count(app: &AppState, ctx: &SiteCtx) -> Result<i64, WebError> {
    let stories = app
        .store
        .count_site_stories(ctx.entry.site.id, None)
        .await?;
    let total = fixed_urls(ctx) + stories.max(0);
    Ok(((total + SITEMAP_PAGE - 1) / SITEMAP_PAGE).max(1))
}

async fn index(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
) -> Result<Response, WebError> {
    let pages = page_count(&app, &ctx).await?;
    let fixed = fixed_urls(&ctx);
    let mut locs = Vec::new();
    let mut newest_overall = None;
    for n in 1..=pages {
        // The newest story on page n is its first story row.
        let first_story = ((n - 1) * SITEMAP_PAGE - fixed).max(0);
        let t = newest(&app, &ctx, None, first_story).await?;
        newest_overall = newest_overall.max(t);
        locs.push(Loc {
            loc: format!("{}/sitemap-{n}.xml", ctx.base),
            lastmod: t.map(OffsetTime::to_rfc3339),
        });
    }
    let body = render(&IndexXml { pages: locs }, "sitemap index")?;
    Ok(syndication_response(body, XML, newest_overall))
}

async fn page(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let not_found = WebError::NotFound {
        what: "sitemap page",
    };
    let digits = file.strip_suffix(".xml").unwrap_or_default();
    let n = match digits.parse::<i64>() {
        // Only the canonical spelling: `sitemap-01.xml` is not a page.
        Ok(n) if n >= 1 && digits == n.to_string() => n,
        _ => return Err(not_found),
    };
    if n > page_count(&app, &ctx).await? {
        return Err(not_found);
    }
    let site = &ctx.entry.site;
    let fixed = fixed_urls(&ctx);
    let start = (n - 1) * SITEMAP_PAGE;
    let end = start + SITEMAP_PAGE;
    let mut urls = Vec::new();
    if start < fixed {
        urls.push(Loc {
            loc: format!("{}/", ctx.base),
            lastmod: newest(&app, &ctx, None, 0)
                .await?
                .map(OffsetTime::to_rfc3339),
        });
        for section in &site.sections {
            urls.push(Loc {
                loc: format!("{}/section/{}", ctx.base, section.slug),
                lastmod: newest(&app, &ctx, Some(&section.slug), 0)
                    .await?
                    .map(OffsetTime::to_rfc3339),
            });
        }
    }
    let offset = (start - fixed).max(0);
    let limit = end - fixed - offset;
    let mut newest_here = None;
    if limit > 0 {
        let stories = app.store.site_stories(site.id, None, offset, limit).await?;
        newest_here = stories.first().map(|s| s.published);
        urls.extend(stories.into_iter().map(|s| Loc {
            loc: format!("{}{}", ctx.base, story_href("", s.id, &s.slug)),
            lastmod: Some(s.published.to_rfc3339()),
        }));
    }
    let body = render(&UrlsetXml { urls }, "sitemap")?;
    Ok(syndication_response(body, XML, newest_here))
}

async fn news(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
) -> Result<Response, WebError> {
    let site = &ctx.entry.site;
    let cutoff = OffsetTime::now_utc().shifted(-NEWS_WINDOW_HOURS * 3_600_000_000);
    let recent = app.store.site_stories(site.id, None, 0, NEWS_MAX).await?;
    // Newest first: the window ends at the first story older than the cutoff.
    let stories: Vec<NewsStory> = recent
        .into_iter()
        .take_while(|s| s.published.unix_micros >= cutoff.unix_micros)
        .map(|s| NewsStory {
            loc: format!("{}{}", ctx.base, story_href("", s.id, &s.slug)),
            published: s.published.to_rfc3339(),
            title: s.headline,
        })
        .collect();
    let body = render(
        &NewsXml {
            publication: &site.name,
            stories,
        },
        "news sitemap",
    )?;
    // Not dated by the newest story: a story leaving the window changes the body too. Render
    // time (kept while the bytes stay the same, see `cache`) is right.
    Ok(syndication_response(body, XML, None))
}

async fn robots(Extension(ctx): Extension<SiteCtx>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n",
        base = ctx.base
    );
    syndication_response(body, "text/plain; charset=utf-8", None)
}
