//! `GET /api/v1/sites/{slug}/stories`, `GET /api/v1/stories/{id}` and `POST /api/v1/stories`.
//!
//! Input: a token (read; write to create), filters, a cursor; a wire partner's story. Output:
//! a page of stories as the site lists them (one per cluster, no killed ones, newest first),
//! one story in full (410 once killed), or what the intake did with a new story. Never shows a
//! killed story's content and never writes to the store itself (the intake does).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use masthead_model::{LeadImage, OffsetTime, StoreOutcome, StorySummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cursor::Cursor;
use super::intake::{IntakeError, WireBody, WireStory};
use super::problem::ApiError;
use super::tokens::{ReadAccess, WriteAccess};
use super::{
    ApiState, BASE, ImageView, StorySummaryView, given, page_limit, rfc3339, site_or_404, site_url,
};

/// How far before the cursor's offset a page re-reads: stories killed (or moved away) while
/// a client pages shift the rest up by one each; up to this many are absorbed without a gap.
const SLACK: i64 = 20;
/// Reads of the store one page may take when many stories arrived since the previous page.
const MAX_ROUNDS: usize = 8;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StoriesParams {
    /// Only this section of the site (its slug).
    section: Option<String>,
    /// Stories per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page of a site's stories.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryPage {
    pub stories: Vec<StorySummaryView>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A site's stories, newest first, one per cluster, without killed ones.
#[utoipa::path(
    get,
    path = "/api/v1/sites/{slug}/stories",
    tag = "stories",
    operation_id = "list_site_stories",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The site's slug"), StoriesParams),
    responses(
        (status = 200, description = "A page of stories", body = StoryPage),
        (status = 404, description = "No site has this slug")
    )
)]
pub(crate) async fn list_site_stories(
    _: ReadAccess,
    State(api): State<ApiState>,
    Path(slug): Path<String>,
    Query(params): Query<StoriesParams>,
) -> Result<Json<StoryPage>, ApiError> {
    let site = site_or_404(&api.app, &slug).await?;
    let limit = page_limit(params.limit)?;
    let section = given(params.section);
    if let Some(section) = &section
        && site.section(section).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Site {slug:?} has no section {section:?}; GET /api/v1/sites/{slug}/sections lists them."
        )));
    }
    let after = Cursor::expect(params.cursor.as_deref(), |c| match c {
        Cursor::Stories { o, p, i } => Some((o, p, i)),
        _ => None,
    })?;

    // Keyset paging over the store's offset paging: start a little before where the previous
    // page ended and skip what it already showed.
    let (mut position, last) = match after {
        Some((offset, published, id)) => {
            (offset.saturating_sub(SLACK).max(0), Some((published, id)))
        }
        None => (0, None),
    };
    let batch_size = limit.saturating_add(SLACK).saturating_add(1);
    let mut page: Vec<(i64, StorySummary)> = Vec::new();
    let mut more = false;
    let mut exhausted = false;
    for _ in 0..MAX_ROUNDS {
        let batch = api
            .app
            .store
            .site_stories(site.id, section.as_deref(), position, batch_size)
            .await?;
        let read = i64::try_from(batch.len()).unwrap_or(i64::MAX);
        for story in batch {
            position = position.saturating_add(1);
            let key = (story.published.unix_micros, story.id);
            if last.is_some_and(|last| key >= last) {
                continue;
            }
            if i64::try_from(page.len()).unwrap_or(i64::MAX) >= limit {
                more = true;
                break;
            }
            page.push((position, story));
        }
        if more || read < batch_size {
            exhausted = !more;
            break;
        }
    }
    // Out of rounds without reaching the end: there is more, and the cursor continues it.
    let more = more || (!exhausted && !page.is_empty());
    let url = site_url(&api.app, &site);
    let next_cursor = match page.last() {
        Some((offset, story)) if more => Some(
            Cursor::Stories {
                o: *offset,
                p: story.published.unix_micros,
                i: story.id,
            }
            .encode(),
        ),
        _ => None,
    };
    Ok(Json(StoryPage {
        stories: page
            .iter()
            .map(|(_, s)| StorySummaryView::new(s, &url))
            .collect(),
        next_cursor,
    }))
}

/// A story in full.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryView {
    pub id: i64,
    pub cluster: i64,
    /// The source's name (its credit on pages).
    pub source: String,
    /// The source's own id for it.
    pub guid: String,
    /// Its original URL at the source (null for a story with none).
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    /// RFC 3339 with the source's own offset.
    #[schema(format = DateTime, example = "2025-04-12T04:01:00+10:00")]
    pub published: String,
    /// When the source last changed it (RFC 3339), null if never.
    #[schema(format = DateTime)]
    pub updated: Option<String>,
    /// The sanitized body.
    pub content_html: String,
    /// The body as plain text, paragraphs separated by blank lines.
    pub text: String,
    pub image: Option<ImageView>,
    pub categories: Vec<String>,
    /// The sites that carry it, with its page on each.
    pub sites: Vec<StorySite>,
}

/// Where a story is placed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StorySite {
    pub slug: String,
    pub name: String,
    pub section: String,
    /// Our page for the story on this site.
    pub page_url: String,
}

/// One story in full.
#[utoipa::path(
    get,
    path = "/api/v1/stories/{id}",
    tag = "stories",
    operation_id = "get_story",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "The story", body = StoryView),
        (status = 404, description = "No story has this id"),
        (status = 410, description = "The story was withdrawn (killed)")
    )
)]
pub(crate) async fn get_story(
    _: ReadAccess,
    State(api): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Json<StoryView>, ApiError> {
    let not_found = || ApiError::not_found(format!("No story has the id {id}."));
    let story = api.app.store.story(id).await?.ok_or_else(not_found)?;
    if story.killed.is_some() {
        return Err(ApiError::Gone {
            detail: format!("Story {id} was withdrawn and is no longer available."),
        });
    }
    let placements = api.app.store.placements_of(id).await?;
    let sites: HashMap<i64, masthead_model::Site> = if placements.is_empty() {
        HashMap::new()
    } else {
        api.app
            .store
            .sites()
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let sites = placements
        .iter()
        .filter_map(|p| {
            let site = sites.get(&p.site_id)?;
            Some(StorySite {
                slug: site.slug.clone(),
                name: site.name.clone(),
                section: p.section.clone(),
                page_url: format!(
                    "{}{}",
                    site_url(&api.app, site),
                    crate::views::story_href("", story.id, &story.slug)
                ),
            })
        })
        .collect();
    Ok(Json(StoryView {
        id: story.id,
        cluster: story.cluster,
        source: story.source_name,
        guid: story.guid,
        url: story.url,
        headline: story.headline,
        standfirst: story.standfirst,
        byline: story.byline,
        dateline: story.dateline,
        published: rfc3339(story.published),
        updated: story.updated.map(rfc3339),
        content_html: story.content_html,
        text: story.text,
        image: story.image.as_ref().map(ImageView::from),
        categories: story.categories,
        sites,
    }))
}

/// A story from a trusted wire partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoryInput {
    /// The network source it is credited to, by name (as `masthead sources list` shows it).
    pub source: String,
    /// The partner's stable id for the story: the same guid again updates it.
    pub guid: String,
    /// The story's URL at the partner.
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    /// RFC 3339 with an offset: `2025-04-12T04:01:00+10:00`.
    #[schema(format = DateTime, example = "2025-04-12T04:01:00+10:00")]
    pub published: String,
    /// RFC 3339 with an offset.
    #[schema(format = DateTime)]
    pub updated: Option<String>,
    /// The body as HTML (sanitized on the way in). Give this or `body_text`.
    pub body_html: Option<String>,
    /// The body as plain text, paragraphs separated by blank lines.
    pub body_text: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub image: Option<ImageInput>,
}

/// A lead image sent with a story.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImageInput {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: Option<String>,
}

/// What happened to a story sent by a wire partner.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryReceipt {
    pub id: i64,
    /// `created`, `updated`, or `unchanged` (the same content again, or a withdrawn story).
    pub outcome: String,
    /// The story in this API.
    pub location: String,
}

/// Longest headline, guid and so on a partner may send, in characters: these are lines.
const MAX_LINE_CHARS: usize = 2_000;
const MAX_CATEGORIES: usize = 50;

fn instant(raw: &str, field: &str) -> Result<OffsetTime, ApiError> {
    let bad = || ApiError::Unprocessable {
        detail: format!(
            "{field} must be an RFC 3339 time with a UTC offset, like 2025-04-12T04:01:00+10:00."
        ),
    };
    let ts: Timestamp = raw.trim().parse().map_err(|_| bad())?;
    let offset = offset_of(raw.trim()).ok_or_else(bad)?;
    Ok(OffsetTime::from_timestamp(ts, offset))
}

/// The offset written at the end of an RFC 3339 time (`Z`, `+10:00`, `-04:30`).
fn offset_of(raw: &str) -> Option<jiff::tz::Offset> {
    if raw.ends_with('Z') || raw.ends_with('z') {
        return Some(jiff::tz::Offset::UTC);
    }
    let (head, tail) = raw.rsplit_once(['+', '-'])?;
    let negative = raw.get(head.len()..head.len() + 1)? == "-";
    let (h, m) = tail.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let seconds = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    jiff::tz::Offset::from_seconds(if negative { -seconds } else { seconds }).ok()
}

fn line(value: String, field: &str, required: bool) -> Result<Option<String>, ApiError> {
    let value = value.trim().to_owned();
    if value.chars().count() > MAX_LINE_CHARS {
        return Err(ApiError::Unprocessable {
            detail: format!("{field} is longer than {MAX_LINE_CHARS} characters."),
        });
    }
    if value.is_empty() {
        return if required {
            Err(ApiError::Unprocessable {
                detail: format!("{field} must not be empty."),
            })
        } else {
            Ok(None)
        };
    }
    Ok(Some(value))
}

fn optional_line(value: Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) => line(v, field, false),
        None => Ok(None),
    }
}

fn required_line(value: String, field: &str) -> Result<String, ApiError> {
    line(value, field, true)?.ok_or_else(|| ApiError::Unprocessable {
        detail: format!("{field} must not be empty."),
    })
}

/// Checks a partner's story for shape; the intake does the rest (sanitizing, dedup…).
fn wire_story(input: StoryInput) -> Result<WireStory, ApiError> {
    let unprocessable = |detail: &str| ApiError::Unprocessable {
        detail: detail.to_owned(),
    };
    let body = match (given(input.body_html), given(input.body_text)) {
        (Some(html), None) => WireBody::Html(html),
        (None, Some(text)) => WireBody::Text(text),
        (Some(_), Some(_)) => {
            return Err(unprocessable("Give body_html or body_text, not both."));
        }
        (None, None) => return Err(unprocessable("Give the body as body_html or body_text.")),
    };
    if input.categories.len() > MAX_CATEGORIES {
        return Err(unprocessable("A story has at most 50 categories."));
    }
    let categories = input
        .categories
        .into_iter()
        .filter_map(|c| line(c, "a category", false).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let image = match input.image {
        Some(image) => Some(LeadImage {
            url: required_line(image.url, "image.url")?,
            caption: optional_line(image.caption, "image.caption")?,
            credit: optional_line(image.credit, "image.credit")?,
            alt: optional_line(image.alt, "image.alt")?,
        }),
        None => None,
    };
    Ok(WireStory {
        source: required_line(input.source, "source")?,
        guid: required_line(input.guid, "guid")?,
        url: optional_line(input.url, "url")?,
        headline: required_line(input.headline, "headline")?,
        standfirst: optional_line(input.standfirst, "standfirst")?,
        byline: optional_line(input.byline, "byline")?,
        dateline: optional_line(input.dateline, "dateline")?,
        published: instant(&input.published, "published")?,
        updated: input
            .updated
            .as_deref()
            .map(|u| instant(u, "updated"))
            .transpose()?,
        body,
        categories,
        image,
    })
}

/// Creates (or updates, by source and guid) a story from a trusted wire partner. It goes
/// through the same normalize, dedup, store and route path as an ingested story.
#[utoipa::path(
    post,
    path = "/api/v1/stories",
    tag = "stories",
    operation_id = "create_story",
    security(("bearer" = [])),
    request_body(content = StoryInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored as a new story", body = StoryReceipt,
         headers(("Location" = String, description = "The story in this API"))),
        (status = 200, description = "An update of a known story, or the same content again",
         body = StoryReceipt),
        (status = 403, description = "The token's scope is read; this needs write"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "The story cannot be taken as sent"),
        (status = 503, description = "This server does not take wire stories")
    )
)]
pub(crate) async fn create_story(
    WriteAccess(token): WriteAccess,
    State(api): State<ApiState>,
    Json(input): Json<StoryInput>,
) -> Result<Response, ApiError> {
    let Some(intake) = &api.intake else {
        return Err(ApiError::Unavailable {
            detail: "This server does not take wire stories (no intake is configured).".to_owned(),
        });
    };
    let story = wire_story(input)?;
    let outcome = intake.submit(story).await.map_err(|e| match e {
        IntakeError::UnknownSource(name) => ApiError::Unprocessable {
            detail: format!(
                "No source of the network is named {name:?}; an operator adds it with \
                 `masthead sources add`."
            ),
        },
        IntakeError::Invalid(detail) => ApiError::Unprocessable { detail },
        IntakeError::Failed(reason) => ApiError::Internal(format!("wire story intake: {reason}")),
    })?;
    let (status, word) = match outcome {
        StoreOutcome::Inserted(_) => (StatusCode::CREATED, "created"),
        StoreOutcome::Updated(_) => (StatusCode::OK, "updated"),
        StoreOutcome::Unchanged(_) => (StatusCode::OK, "unchanged"),
    };
    let id = outcome.id();
    if !matches!(outcome, StoreOutcome::Unchanged(_)) {
        api.app.cache.invalidate();
    }
    tracing::info!(
        story.id = id,
        token.id = token.id,
        outcome = word,
        "wire story taken"
    );
    let location = format!("{BASE}/stories/{id}");
    let mut response = (
        status,
        Json(StoryReceipt {
            id,
            outcome: word.to_owned(),
            location: location.clone(),
        }),
    )
        .into_response();
    if status == StatusCode::CREATED
        && let Ok(value) = axum::http::HeaderValue::from_str(&location)
    {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_read_from_rfc3339() {
        let t = instant("2025-04-12T04:01:00+10:00", "published").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-04-12T04:01:00+10:00");
        let t = instant("2025-04-11T13:31:00-04:30", "published").unwrap();
        assert_eq!(t.offset_seconds, -(4 * 3600 + 30 * 60));
        assert_eq!(
            instant("2025-04-11T18:01:00Z", "p").unwrap().offset_seconds,
            0
        );
        assert!(instant("2025-04-11T18:01:00", "p").is_err());
        assert!(instant("yesterday", "p").is_err());
    }
}
