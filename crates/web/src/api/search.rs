//! `GET /api/v1/sites/{slug}/search`: one site's full-text search.
//!
//! Input: a read token, the words (`q`), filters (section, from, to) and a cursor. Output: the
//! hits ranked by relevance then recency, one per cluster, no killed stories (all the store's
//! search does), each with its snippet split into matched and unmatched pieces. Never builds
//! a query language: the store takes the words as plain text.

use axum::Json;
use axum::extract::{Path, Query, State};
use jiff::Timestamp;
use jiff::civil::Date;
use masthead_model::{SearchQuery, snippet_segments};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cursor::Cursor;
use super::problem::ApiError;
use super::tokens::ReadAccess;
use super::{ApiState, StorySummaryView, given, page_limit, site_or_404, site_url};

/// Searching past this many hits is refused: nobody reads page 500 of a search.
const MAX_OFFSET: i64 = 10_000;
const MAX_QUERY_CHARS: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The words to find, all required; `word*` matches a prefix. Text without letters or
    /// digits finds nothing.
    #[param(required = true, min_length = 1, max_length = 500)]
    q: Option<String>,
    /// Only this section of the site (its slug).
    section: Option<String>,
    /// Only stories published at or after this: an RFC 3339 time, or a day `YYYY-MM-DD` (its
    /// start in the site's zone).
    from: Option<String>,
    /// Only stories published before this: an RFC 3339 time, or a day `YYYY-MM-DD` (that day
    /// included, in the site's zone).
    to: Option<String>,
    /// Hits per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchHitView {
    pub story: StorySummaryView,
    /// Text around the matches, in pieces; `matched` marks the words found.
    pub snippet: Vec<SnippetPiece>,
    /// Relevance, higher is better; comparable within one answer only.
    pub rank: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SnippetPiece {
    pub text: String,
    pub matched: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResults {
    /// Matching clusters in all.
    pub total: i64,
    pub hits: Vec<SearchHitView>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `from` or `to`: an instant, or a day in the site's zone (`to` then means the day's end).
fn bound(raw: &str, name: &str, zone: &jiff::tz::TimeZone, end: bool) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "{name} must be an RFC 3339 time (2025-04-12T04:01:00+10:00) or a day (2025-04-12)."
        ))
    };
    if raw.len() == 10 {
        let day: Date = raw.parse().map_err(|_| bad())?;
        let day = if end {
            day.tomorrow().map_err(|_| bad())?
        } else {
            day
        };
        let start = day.to_zoned_datetime(zone.clone()).map_err(|_| bad())?;
        return Ok(start.timestamp().as_microsecond());
    }
    let ts: Timestamp = raw.parse().map_err(|_| bad())?;
    Ok(ts.as_microsecond())
}

/// Searches one site's stories.
#[utoipa::path(
    get,
    path = "/api/v1/sites/{slug}/search",
    tag = "search",
    operation_id = "search_site",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The site's slug"), SearchParams),
    responses(
        (status = 200, description = "A page of hits", body = SearchResults),
        (status = 404, description = "No site has this slug")
    )
)]
pub(crate) async fn search_site(
    _: ReadAccess,
    State(api): State<ApiState>,
    Path(slug): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let site = site_or_404(&api.app, &slug).await?;
    let limit = page_limit(params.limit)?;
    let text = given(params.q)
        .ok_or_else(|| ApiError::bad_request("q is required: the words to search for."))?;
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "q is longer than {MAX_QUERY_CHARS} characters."
        )));
    }
    let section = given(params.section);
    if let Some(section) = &section
        && site.section(section).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Site {slug:?} has no section {section:?}; GET /api/v1/sites/{slug}/sections lists them."
        )));
    }
    let zone = masthead_normalize::parse_zone(&site.time_zone)
        .map_err(|e| ApiError::Internal(format!("site {:?} zone: {e}", site.slug)))?;
    let from = given(params.from)
        .map(|f| bound(&f, "from", &zone, false))
        .transpose()?;
    let to = given(params.to)
        .map(|t| bound(&t, "to", &zone, true))
        .transpose()?;
    let offset = Cursor::expect(params.cursor.as_deref(), |c| match c {
        Cursor::Search { o } => Some(o),
        _ => None,
    })?
    .unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "Search pages end after {MAX_OFFSET} hits; narrow the query instead."
        )));
    }
    let found = api
        .app
        .store
        .search(
            site.id,
            &SearchQuery {
                text,
                section,
                from,
                to,
                offset,
                limit,
            },
        )
        .await?;
    let url = site_url(&api.app, &site);
    let shown = i64::try_from(found.hits.len()).unwrap_or(i64::MAX);
    let next = offset.saturating_add(shown);
    let next_cursor =
        (shown > 0 && next < found.total).then(|| Cursor::Search { o: next }.encode());
    Ok(Json(SearchResults {
        total: found.total,
        hits: found
            .hits
            .iter()
            .map(|hit| SearchHitView {
                story: StorySummaryView::new(&hit.summary, &url),
                snippet: snippet_segments(&hit.snippet)
                    .into_iter()
                    .map(|(text, matched)| SnippetPiece { text, matched })
                    .collect(),
                rank: hit.rank,
            })
            .collect(),
        next_cursor,
    }))
}
