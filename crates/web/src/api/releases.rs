//! `POST /api/v1/releases` and `GET /api/v1/releases/{id}`: news releases from a partner
//! (a chamber of commerce, a PR agency) that sends them by machine instead of the public form.
//!
//! Input: a write token and the public form's fields as JSON (`sites` is a list of slugs).
//! Output: the release's id, reference and status (201, or 200 with `duplicate: true` when the
//! same release was sent within the last 30 days), or a 422 problem whose `errors` member lists
//! every field to fix; its moderation state later. The release waits in the editors' queue
//! like one from the form: nothing is published by this API.
//!
//! Why write scope: read tokens are handed to consumers of the network's content; a release
//! puts work in front of the editors and its status is newsroom data, so both endpoints
//! need a token an operator gave a trusted partner. A partner that only submits releases gets
//! a write token of its own (revocable alone, in the admin).
//!
//! Validation is `masthead_releases::validate`, the form's own. No image: the API takes no
//! uploads (a photo comes with the public form); a body with a non-null `image` is refused.
//! No confirmation mail either: the answer carries the reference. Never logs the contact's
//! name, address or phone.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use masthead_model::OffsetTime;
use masthead_releases::{Field, FieldErrors, ReleaseForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{ApiError, FieldProblem, Problem};
use super::tokens::WriteAccess;
use super::{ApiState, BASE, rfc3339};

/// A release as a partner sends it: the public form's fields. Every field may be left out or
/// null; the required ones are then reported in the 422's `errors`, all at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct ReleaseInput {
    /// What kind of news: `business`, `community`, `sports`, `personnel_appointment`, `event`
    /// or `other`.
    #[schema(required = true, example = "business")]
    kind: Option<String>,
    /// The business, group or organisation it comes from.
    #[schema(required = true, example = "Acme Ltd")]
    organisation: Option<String>,
    /// For the editors; never published.
    #[schema(required = true, example = "Ann Example")]
    contact_name: Option<String>,
    /// For the editors (and the decision mail); never published.
    #[schema(required = true, format = Email, example = "ann@acme.example")]
    contact_email: Option<String>,
    /// With its area code; never published.
    #[schema(example = "+1 407 555 0100")]
    contact_phone: Option<String>,
    /// What happened, in one line (10 to 200 characters).
    #[schema(required = true, example = "Acme opens a plant in Orlando")]
    headline: Option<String>,
    /// Plain text, a blank line between paragraphs; `**bold**`, `*italics*`, `- ` lists and
    /// at most 5 `[links](https://…)`. 40 to 20,000 characters.
    #[schema(required = true)]
    body: Option<String>,
    /// Where the news comes from, e.g. `ORLANDO, Florida`.
    #[schema(example = "ORLANDO, Florida")]
    dateline: Option<String>,
    /// For an event (required when `kind` is `event`): free text or `2026-12-05T19:00`.
    #[schema(example = "2026-12-05T19:00")]
    event_at: Option<String>,
    /// For an event: the venue and its town.
    event_place: Option<String>,
    /// Slugs of the sites it is meant for (at least one; `GET /api/v1/sites` lists them).
    #[schema(required = true, example = json!(["orlando-echo"]))]
    sites: Option<Vec<String>>,
    /// Not taken over the API: any value but null is refused (send photos with the form).
    #[schema(ignore)]
    image: Option<serde_json::Value>,
}

impl ReleaseInput {
    fn into_form(self) -> (ReleaseForm, bool) {
        let image = self.image.is_some_and(|v| !v.is_null());
        let form = ReleaseForm {
            kind: self.kind.unwrap_or_default(),
            organisation: self.organisation.unwrap_or_default(),
            contact_name: self.contact_name.unwrap_or_default(),
            contact_email: self.contact_email.unwrap_or_default(),
            contact_phone: self.contact_phone.unwrap_or_default(),
            headline: self.headline.unwrap_or_default(),
            body: self.body.unwrap_or_default(),
            dateline: self.dateline.unwrap_or_default(),
            event_at: self.event_at.unwrap_or_default(),
            event_place: self.event_place.unwrap_or_default(),
            sites: self.sites.unwrap_or_default(),
        };
        (form, image)
    }
}

/// What became of a submitted release.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReleaseReceipt {
    pub id: i64,
    /// The reference to quote to the editors, e.g. `R-000123`.
    #[schema(example = "R-000123")]
    pub reference: String,
    /// `submitted` (waiting for the editors), `approved`, `rejected` or `spam`.
    #[schema(example = "submitted")]
    pub status: String,
    /// True when this release was sent before (within 30 days): nothing new was stored and
    /// the earlier one's id and reference are returned.
    pub duplicate: bool,
}

/// A release's moderation state.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReleaseView {
    pub id: i64,
    #[schema(example = "R-000123")]
    pub reference: String,
    /// `submitted` (waiting for the editors), `approved`, `rejected` or `spam`.
    #[schema(example = "submitted")]
    pub status: String,
    pub headline: String,
    /// Slugs of the sites it is meant for (the sites an approval chose, once approved).
    pub sites: Vec<String>,
    /// RFC 3339.
    #[schema(format = DateTime, example = "2025-04-11T18:01:00Z")]
    pub submitted: String,
}

/// Submits a news release to the editors' queue, as the public form does (without an image).
#[utoipa::path(
    post,
    path = "/api/v1/releases",
    tag = "releases",
    operation_id = "submit_release",
    security(("bearer" = [])),
    request_body(content = ReleaseInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored; it waits for the editors", body = ReleaseReceipt,
         headers(("Location" = String, description = "The release in this API"))),
        (status = 200, description = "The same release was sent before: `duplicate` is true \
                                      and the earlier one's reference is returned",
         body = ReleaseReceipt),
        (status = 403, description = "The token's scope is read; this needs write"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "The release cannot be taken as sent: `errors` lists \
                                      each field to fix (`field`, `pointer`, `detail`)")
    )
)]
pub(crate) async fn submit_release(
    WriteAccess(token): WriteAccess,
    State(api): State<ApiState>,
    Json(input): Json<ReleaseInput>,
) -> Result<Response, ApiError> {
    let (form, image) = input.into_form();
    let store = api.app.store.as_ref();
    let sites = store.sites().await?;
    let now = OffsetTime::now_utc();
    let validated = masthead_releases::validate(&form, &sites, now);
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    if image {
        errors.add(
            Field::Image,
            "The API takes no images: leave `image` out (a photo can be sent with the release \
             form on the site).",
        );
    }
    let release = match validated {
        Ok(release) if errors.is_empty() => release,
        _ => return Ok(invalid(&errors)),
    };
    let (stored, duplicate) = store
        .submit_release(&release, now, crate::submit::DUPLICATE_WINDOW_MICROS)
        .await?;
    tracing::info!(
        release.id = stored.id,
        token.id = token.id,
        duplicate,
        "release submitted through the API"
    );
    let receipt = ReleaseReceipt {
        id: stored.id,
        reference: stored.reference,
        status: stored.status.as_str().to_owned(),
        duplicate,
    };
    if duplicate {
        return Ok((StatusCode::OK, Json(receipt)).into_response());
    }
    let location = format!("{BASE}/releases/{}", stored.id);
    let mut response = (StatusCode::CREATED, Json(receipt)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// The 422 problem with one entry per field.
fn invalid(errors: &FieldErrors) -> Response {
    let count = errors.len();
    let detail = format!(
        "The release cannot be taken as sent: {count} field{} to fix; see `errors`.",
        if count == 1 { "" } else { "s" }
    );
    Problem {
        errors: errors
            .iter()
            .map(|(field, message)| FieldProblem::new(field.name(), message))
            .collect(),
        ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }
    .into_response()
}

/// One release's moderation state.
#[utoipa::path(
    get,
    path = "/api/v1/releases/{id}",
    tag = "releases",
    operation_id = "get_release",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The release's id")),
    responses(
        (status = 200, description = "The release", body = ReleaseView),
        (status = 403, description = "The token's scope is read; this needs write"),
        (status = 404, description = "No release has this id")
    )
)]
pub(crate) async fn get_release(
    _: WriteAccess,
    State(api): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Json<ReleaseView>, ApiError> {
    let store = api.app.store.as_ref();
    let Some(release) = store.release(id).await? else {
        return Err(ApiError::not_found(format!("No release has the id {id}.")));
    };
    let all = store.sites().await?;
    let sites = release
        .release
        .sites
        .iter()
        .filter_map(|id| all.iter().find(|s| s.id == *id).map(|s| s.slug.clone()))
        .collect();
    Ok(Json(ReleaseView {
        id: release.id,
        reference: release.reference,
        status: release.status.as_str().to_owned(),
        headline: release.release.headline,
        sites,
        submitted: rfc3339(release.submitted_at),
    }))
}
