//! The pages of one site: home, section and article (the daily email's pages are in
//! `subscribe`, the news release form in `submit`).
//!
//! Input: a request whose site `dispatch` has already chosen (the [`SiteCtx`] extension) and
//! whose path has lost any `/s/{site}` prefix. Output: rendered HTML, marked [`Cacheable`] when
//! the same path always yields the same page. Never writes to the store; never renders story
//! HTML except through `SanitizedHtml`.

use std::collections::HashSet;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use masthead_model::ClusterId;
use masthead_normalize::SanitizedHtml;

use crate::sites::SiteEntry;
use crate::views::{
    Active, ArticlePage, Card, Chrome, HomePage, HomeSection, ImageView, SectionPage, TeaserLink,
    story_href, teaser_of,
};
use crate::{AppState, WebError, structured};

/// Stories per section page.
pub(crate) const PAGE_SIZE: i64 = 20;
/// The home page's lead is the newest story with an image among this many newest.
const LEAD_WINDOW: i64 = 5;
/// Stories per section on the home page.
const HOME_PER_SECTION: usize = 4;
/// Candidates the More Information list is chosen from.
const MORE_CANDIDATES: i64 = 40;
const MORE_LIMIT: usize = 6;
/// "About 120 characters" of lead after the dateline (design.md).
const TEASER_CHARS: usize = 120;
const CARD_TEASER_CHARS: usize = 160;

/// The site a request is for and the prefix every link on its pages starts with.
#[derive(Debug, Clone)]
pub(crate) struct SiteCtx {
    pub entry: Arc<SiteEntry>,
    /// `""` when the Host chose the site, `/s/{slug}` on the fallback.
    pub prefix: Arc<str>,
    /// Absolute: scheme, host, port and the prefix, no trailing slash (see `links`).
    pub base: Arc<str>,
}

/// Marks a response that depends only on (site, path and query) and may be replayed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cacheable;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/section/{slug}", get(section))
        .route("/story/{id}", get(story_without_slug))
        .route("/story/{id}/{slug}", get(article))
        .route("/search", get(crate::search::search))
        .merge(crate::submit::routes())
        .merge(crate::feeds::routes())
        .merge(crate::subscribe::routes())
        .fallback(not_found)
        .with_state(state)
}

fn html(body: String) -> Response {
    let mut response = (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            // Browsers and proxies may keep a page briefly; our own cache does the rest.
            (CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response();
    response.extensions_mut().insert(Cacheable);
    response
}

fn render(page: &impl Template, template: &'static str) -> Result<Response, WebError> {
    page.render()
        .map(html)
        .map_err(|source| WebError::Render { template, source })
}

fn moved_permanently(location: &str) -> Result<Response, WebError> {
    let location = HeaderValue::from_str(location).map_err(axum::http::Error::from)?;
    let mut response = (StatusCode::MOVED_PERMANENTLY, [(LOCATION, location)]).into_response();
    response.extensions_mut().insert(Cacheable);
    Ok(response)
}

async fn home(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
) -> Result<Response, WebError> {
    let entry = &ctx.entry;
    let site = &entry.site;
    let newest = app
        .store
        .site_stories(site.id, None, 0, LEAD_WINDOW)
        .await?;
    let lead = newest
        .iter()
        .find(|s| s.image.is_some())
        .or_else(|| newest.first());

    // One story per cluster on the whole page, the lead included.
    let mut shown: HashSet<ClusterId> = lead.iter().map(|s| s.cluster).collect();
    let mut sections = Vec::with_capacity(site.sections.len());
    for section in &site.sections {
        // A few spare rows so clusters already shown do not leave the block short.
        let stories = app
            .store
            .site_stories(
                site.id,
                Some(&section.slug),
                0,
                (HOME_PER_SECTION as i64) * 2,
            )
            .await?;
        let cards = stories
            .iter()
            .filter(|s| shown.insert(s.cluster))
            .take(HOME_PER_SECTION)
            .map(|s| Card::new(s, entry, &ctx.prefix, CARD_TEASER_CHARS))
            .collect();
        sections.push(HomeSection {
            name: &section.name,
            href: format!("{}/section/{}", ctx.prefix, section.slug),
            cards,
        });
    }

    let title = if site.tagline.is_empty() {
        site.name.clone()
    } else {
        format!("{} — {}", site.name, site.tagline)
    };
    let page = HomePage {
        chrome: Chrome::new(entry, &ctx.prefix, &app.network_name, title, Active::Home).with_meta(
            structured::listing_meta(
                format!("{}/", ctx.base),
                site.name.clone(),
                Some(site.tagline.clone()),
            ),
        ),
        lead: lead.map(|s| Card::new(s, entry, &ctx.prefix, CARD_TEASER_CHARS)),
        sections,
    };
    render(&page, "home")
}

/// `?page=N`, strictly: anything but a whole number from 1 up is refused with a hint.
fn page_number(query: Option<&str>) -> Result<i64, WebError> {
    let mut page = 1;
    for pair in query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "page" {
            continue;
        }
        page = value
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| WebError::BadRequest {
                message: "The page number must be a whole number from 1 up, like ?page=2."
                    .to_owned(),
            })?;
    }
    Ok(page)
}

async fn section(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let entry = &ctx.entry;
    let site = &entry.site;
    let section = site
        .section(&slug)
        .ok_or(WebError::NotFound { what: "section" })?;
    let page = page_number(query.as_deref())?;

    let total = app
        .store
        .count_site_stories(site.id, Some(&section.slug))
        .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(WebError::NotFound {
            what: "page with this number",
        });
    }
    let stories = app
        .store
        .site_stories(
            site.id,
            Some(&section.slug),
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await?;
    // Cluster twins are dropped within the page; across pages a twin may reappear, which
    // keeps page boundaries stable as stories arrive.
    let mut shown = HashSet::new();
    let cards = stories
        .iter()
        .filter(|s| shown.insert(s.cluster))
        .map(|s| Card::new(s, entry, &ctx.prefix, CARD_TEASER_CHARS))
        .collect();

    let base = format!("{}/section/{}", ctx.prefix, section.slug);
    let newer = match page {
        1 => None,
        2 => Some(base.clone()),
        n => Some(format!("{base}?page={}", n - 1)),
    };
    let older = (page < pages).then(|| format!("{base}?page={}", page + 1));
    let title = if page > 1 {
        format!("{} — page {page} — {}", section.name, site.name)
    } else {
        format!("{} — {}", section.name, site.name)
    };
    let canonical = match page {
        1 => format!("{}/section/{}", ctx.base, section.slug),
        n => format!("{}/section/{}?page={n}", ctx.base, section.slug),
    };
    let meta = structured::listing_meta(
        canonical,
        format!("{} — {}", section.name, site.name),
        Some(format!(
            "The latest {} news from {}",
            section.name, site.name
        )),
    );
    let view = SectionPage {
        chrome: Chrome::new(
            entry,
            &ctx.prefix,
            &app.network_name,
            title,
            Active::Section(&section.slug),
        )
        .with_meta(meta),
        name: &section.name,
        page,
        pages,
        cards,
        newer,
        older,
    };
    let mut response = render(&view, "section")?;
    // Only the canonical query is cached, so `?page=2&x=…` variants cannot crowd it out.
    let canonical = query.is_none() || query.as_deref() == Some(&format!("page={page}"));
    if !canonical {
        response.extensions_mut().remove::<Cacheable>();
    }
    Ok(response)
}

fn story_id(raw: &str) -> Result<i64, WebError> {
    raw.parse()
        .map_err(|_| WebError::NotFound { what: "story" })
}

async fn story_without_slug(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = story_id(&id)?;
    let story = app
        .store
        .story(id)
        .await?
        .ok_or(WebError::NotFound { what: "story" })?;
    let placed = app.store.placements_of(id).await?;
    if !placed.iter().any(|p| p.site_id == ctx.entry.site.id) {
        return Err(WebError::NotFound { what: "story" });
    }
    moved_permanently(&story_href(&ctx.prefix, story.id, &story.slug))
}

async fn article(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    Path((id, slug)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let entry = &ctx.entry;
    let site = &entry.site;
    let id = story_id(&id)?;
    let story = app
        .store
        .story(id)
        .await?
        .ok_or(WebError::NotFound { what: "story" })?;
    // A story is only ever shown on the sites that carry it.
    let placements = app.store.placements_of(id).await?;
    let placement = placements
        .iter()
        .find(|p| p.site_id == site.id)
        .ok_or(WebError::NotFound { what: "story" })?;
    if story.killed.is_some() {
        return Err(WebError::Gone);
    }
    if story.slug != slug {
        // The URL is permanent: the id decides, the slug is decoration.
        return moved_permanently(&story_href(&ctx.prefix, story.id, &story.slug));
    }

    let candidates = app
        .store
        .site_stories(site.id, None, 0, MORE_CANDIDATES)
        .await?;
    let more = masthead_route::more_information(story.id, story.cluster, &candidates, MORE_LIMIT)
        .into_iter()
        .map(|s| TeaserLink {
            href: story_href(&ctx.prefix, s.id, &s.slug),
            text: teaser_of(s, TEASER_CHARS),
        })
        .collect();

    let byline = story
        .byline
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| {
            if b.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by ")) {
                b.to_owned()
            } else {
                format!("By {b}")
            }
        });
    let title = format!("{} — {}", story.headline, site.name);
    let image = ImageView::from_lead(story.image.as_ref());
    let url = format!("{}{}", ctx.base, story_href("", story.id, &story.slug));
    let structured = structured::Article {
        story: &story,
        url: &url,
        base: &ctx.base,
        site_name: &site.name,
        section_name: site.section(&placement.section).map(|s| s.name.as_str()),
        image: image.as_ref(),
    };
    let json_ld = structured.json_ld();
    let meta = structured.meta(structured::DEFAULT_CANONICAL);
    let page = ArticlePage {
        chrome: Chrome::new(
            entry,
            &ctx.prefix,
            &app.network_name,
            title,
            Active::InSection(&placement.section),
        )
        .with_meta(meta),
        headline: &story.headline,
        byline,
        source: &story.source_name,
        time_text: masthead_normalize::format_site_time(story.published, &entry.zone),
        time_iso: story.published.to_rfc3339(),
        updated: story.updated.filter(|u| *u > story.published).map(|u| {
            (
                masthead_normalize::format_site_time(u, &entry.zone),
                u.to_rfc3339(),
            )
        }),
        standfirst: story.standfirst.as_deref().filter(|s| !s.trim().is_empty()),
        image,
        body: SanitizedHtml::from_store(story.content_html.clone()),
        more,
        json_ld,
    };
    render(&page, "article")
}

async fn not_found() -> WebError {
    WebError::NotFound { what: "page" }
}

#[cfg(test)]
mod tests {
    use super::page_number;

    #[test]
    fn page_numbers_are_strict() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("page=3")).unwrap(), 3);
        assert_eq!(page_number(Some("utm=x&page=2")).unwrap(), 2);
        assert!(page_number(Some("page=0")).is_err());
        assert!(page_number(Some("page=abc")).is_err());
        assert!(page_number(Some("page=")).is_err());
        assert!(page_number(Some("page=-1")).is_err());
    }
}
