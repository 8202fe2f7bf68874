//! `GET /api/v1/sites/{slug}/subscribers`: a site's digest subscribers, for the operator.
//!
//! Input: a write token (the operator's scope), a cursor. Output: subscribers by id, any
//! status. Never logs an address.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cursor::Cursor;
use super::problem::ApiError;
use super::tokens::WriteAccess;
use super::{ApiState, page_limit, rfc3339, site_or_404};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SubscribersParams {
    /// Subscribers per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One address subscribed to the site's daily digest.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubscriberView {
    pub id: i64,
    #[schema(format = Email)]
    pub email: String,
    /// `pending` (not confirmed yet), `confirmed` or `unsubscribed`.
    pub status: String,
    /// Section slugs wanted; empty means every section.
    pub sections: Vec<String>,
    #[schema(format = DateTime)]
    pub created: String,
    #[schema(format = DateTime)]
    pub confirmed: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubscriberPage {
    pub subscribers: Vec<SubscriberView>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A site's subscribers, by id (operators: write scope).
#[utoipa::path(
    get,
    path = "/api/v1/sites/{slug}/subscribers",
    tag = "subscribers",
    operation_id = "list_subscribers",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The site's slug"), SubscribersParams),
    responses(
        (status = 200, description = "A page of subscribers", body = SubscriberPage),
        (status = 403, description = "The token's scope is read; this needs write"),
        (status = 404, description = "No site has this slug")
    )
)]
pub(crate) async fn list_subscribers(
    _: WriteAccess,
    State(api): State<ApiState>,
    Path(slug): Path<String>,
    Query(params): Query<SubscribersParams>,
) -> Result<Json<SubscriberPage>, ApiError> {
    let site = site_or_404(&api.app, &slug).await?;
    let limit = page_limit(params.limit)?;
    let after = Cursor::expect(params.cursor.as_deref(), |c| match c {
        Cursor::Subscribers { a } => Some(a),
        _ => None,
    })?
    .unwrap_or(0);
    let mut rows = api
        .app
        .store
        .subscribers(site.id, after, limit.saturating_add(1))
        .await?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = match rows.last() {
        Some(last) if more => Some(Cursor::Subscribers { a: last.id }.encode()),
        _ => None,
    };
    Ok(Json(SubscriberPage {
        subscribers: rows
            .into_iter()
            .map(|s| SubscriberView {
                id: s.id,
                email: s.email,
                status: s.status.as_str().to_owned(),
                sections: s.sections,
                created: rfc3339(s.created_at),
                confirmed: s.confirmed_at.map(rfc3339),
            })
            .collect(),
        next_cursor,
    }))
}
