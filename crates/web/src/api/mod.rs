//! The JSON API under `/api/v1`: sites, sections, stories (list, get, create), search,
//! releases (submit, status) and subscribers, with token authentication, cursor paging, `application/problem+json` errors
//! and an OpenAPI 3.1 document at `/api/v1/openapi.json` generated from these handlers.
//!
//! Input: requests under `/api/v1` with `Authorization: Bearer mh_…` (see `tokens`). Output:
//! JSON in snake_case, times in RFC 3339 with the source's own offset, ids as integers. Reads
//! go to the store; a wire partner's new story goes to the [`StoryIntake`] the binary plugs in
//! (the same normalize → dedup → store → route path as ingest), never straight to the store.
//! Never shows a token's secret or a killed story's content.

mod cursor;
mod intake;
mod openapi;
mod problem;
mod releases;
mod search;
mod sites;
mod stories;
mod subscribers;
pub mod tokens;

use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use masthead_model::{LeadImage, OffsetTime, Site, StorySummary};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use intake::{IntakeError, StoryIntake, WireBody, WireStory};
pub use problem::Problem;

use crate::AppState;

/// Where the API lives; every path in the OpenAPI document starts with it.
pub(crate) const BASE: &str = "/api/v1";

/// What the API's handlers share: the web server's state and the intake for wire stories.
#[derive(Debug)]
pub(crate) struct Api {
    pub app: AppState,
    pub intake: Option<Arc<dyn StoryIntake>>,
    /// The OpenAPI document, serialized once.
    pub document: String,
}

pub(crate) type ApiState = Arc<Api>;

/// The API's routes with full paths (`/api/v1/…`), to merge into the network-wide router.
/// Every route but the catch-alls comes from a `#[utoipa::path]` handler, so the document
/// lists exactly what is served.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(
    app: AppState,
    intake: Option<Arc<dyn StoryIntake>>,
) -> Router<S> {
    let (routes, document) = documented();
    let document = document.to_json().unwrap_or_else(|error| {
        tracing::error!(%error, "serializing the OpenAPI document failed");
        "{}".to_owned()
    });
    let state = Arc::new(Api {
        app,
        intake,
        document,
    });
    routes
        .route(BASE, any(problem::no_route))
        .route(&format!("{BASE}/"), any(problem::no_route))
        .route(&format!("{BASE}/{{*rest}}"), any(problem::no_route))
        .layer(axum::middleware::map_response(problem::problemize))
        .with_state(state)
}

/// The documented routes; `openapi::document` is the rest of the document.
fn openapi_router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(openapi::document())
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(sites::list_sites))
        .routes(routes!(sites::get_site))
        .routes(routes!(sites::list_sections))
        .routes(routes!(stories::list_site_stories))
        .routes(routes!(stories::get_story))
        .routes(routes!(stories::create_story))
        .routes(routes!(search::search_site))
        .routes(routes!(subscribers::list_subscribers))
        .routes(routes!(releases::submit_release))
        .routes(routes!(releases::get_release))
}

/// The router and its finished document.
fn documented() -> (axum::Router<ApiState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = openapi_router().split_for_parts();
    openapi::finish(&mut document);
    (routes, document)
}

/// The OpenAPI document as served, for tests and tools.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    documented().1.to_json()
}

/// A lead image.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImageView {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: Option<String>,
}

impl From<&LeadImage> for ImageView {
    fn from(image: &LeadImage) -> Self {
        Self {
            url: image.url.clone(),
            caption: image.caption.clone(),
            credit: image.credit.clone(),
            alt: image.alt.clone(),
        }
    }
}

/// A story as lists show it: no body.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StorySummaryView {
    pub id: i64,
    /// The duplicate cluster; lists show one story per cluster.
    pub cluster: i64,
    pub headline: String,
    pub standfirst: Option<String>,
    /// `KYIV, Ukraine`.
    pub dateline: Option<String>,
    /// The body's first paragraph, plain text.
    pub lead: String,
    /// The source's name (its credit on pages).
    pub source: String,
    /// RFC 3339 with the source's own offset.
    #[schema(format = DateTime, example = "2025-04-12T04:01:00+10:00")]
    pub published: String,
    /// The section of the site it was listed for.
    pub section: String,
    pub image: Option<ImageView>,
    /// Our own page for it on the site it was listed for.
    pub page_url: String,
}

impl StorySummaryView {
    pub fn new(s: &StorySummary, site_url: &str) -> Self {
        Self {
            id: s.id,
            cluster: s.cluster,
            headline: s.headline.clone(),
            standfirst: s.standfirst.clone(),
            dateline: s.dateline.clone(),
            lead: s.lead.clone(),
            source: s.source_name.clone(),
            published: rfc3339(s.published),
            section: s.section.clone(),
            image: s.image.as_ref().map(ImageView::from),
            page_url: format!("{site_url}{}", crate::views::story_href("", s.id, &s.slug)),
        }
    }
}

pub(crate) fn rfc3339(t: OffsetTime) -> String {
    t.to_rfc3339()
}

/// A site's absolute address: its first host when it has one, else the `/s/{slug}` fallback
/// on the network's base URL (see `links`).
pub(crate) fn site_url(app: &AppState, site: &Site) -> String {
    match site.hosts.first() {
        Some(host) => crate::links::site_base(app.public_base.as_ref(), Some(host), ""),
        None => {
            crate::links::site_base(app.public_base.as_ref(), None, &format!("/s/{}", site.slug))
        }
    }
}

/// The site with this slug, or a 404 problem naming it.
pub(crate) async fn site_or_404(app: &AppState, slug: &str) -> Result<Site, problem::ApiError> {
    app.store
        .site_by_slug(slug)
        .await?
        .ok_or_else(|| problem::ApiError::not_found(format!("No site has the slug {slug:?}.")))
}

/// `limit` as asked: 1 to 100, 20 when absent.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, problem::ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(problem::ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}; {n} is not."
        ))),
    }
}

pub(crate) const DEFAULT_LIMIT: i64 = 20;
pub(crate) const MAX_LIMIT: i64 = 100;

/// An empty query value means "not given" (`?section=` from a form).
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}
