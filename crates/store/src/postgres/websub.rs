//! WebSub subscriptions on PostgreSQL: one row per source, replaced on a new request.
//!
//! Input: subscription requests and hub verdicts. Output: subscriptions by token, source or
//! expiry. Never talks to a hub.

use masthead_model::{SourceId, WebSubState, WebSubSubscription};
use sqlx::PgPool;

use crate::Result;
use crate::rows::{WebSubRow, query_err};

macro_rules! columns {
    () => {
        "source_id, hub, topic, secret, token, state, lease_until"
    };
}

pub(super) async fn request(pool: &PgPool, sub: &WebSubSubscription) -> Result<()> {
    sqlx::query(
        "INSERT INTO websub_subscriptions (source_id, hub, topic, secret, token, state, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (source_id) DO UPDATE
         SET hub = excluded.hub, topic = excluded.topic, secret = excluded.secret,
             token = excluded.token, state = excluded.state, lease_until = excluded.lease_until",
    )
    .bind(sub.source_id)
    .bind(&sub.hub)
    .bind(&sub.topic)
    .bind(&sub.secret)
    .bind(&sub.token)
    .bind(sub.state.as_str())
    .bind(sub.lease_until)
    .execute(pool)
    .await
    .map_err(query_err("websub_request"))?;
    Ok(())
}

pub(super) async fn by_token(pool: &PgPool, token: &str) -> Result<Option<WebSubSubscription>> {
    let row: Option<WebSubRow> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM websub_subscriptions WHERE token = $1"
    ))
    .bind(token)
    .fetch_optional(pool)
    .await
    .map_err(query_err("websub_by_token"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn of_source(
    pool: &PgPool,
    source: SourceId,
) -> Result<Option<WebSubSubscription>> {
    let row: Option<WebSubRow> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM websub_subscriptions WHERE source_id = $1"
    ))
    .bind(source)
    .fetch_optional(pool)
    .await
    .map_err(query_err("websub_of"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn set_state(
    pool: &PgPool,
    source: SourceId,
    state: WebSubState,
    lease_until: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE websub_subscriptions SET state = $2, lease_until = $3 WHERE source_id = $1",
    )
    .bind(source)
    .bind(state.as_str())
    .bind(lease_until)
    .execute(pool)
    .await
    .map_err(query_err("websub_set_state"))?;
    Ok(())
}

pub(super) async fn expiring(pool: &PgPool, before: i64) -> Result<Vec<WebSubSubscription>> {
    let rows: Vec<WebSubRow> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM websub_subscriptions
         WHERE state = 'active' AND lease_until < $1 ORDER BY lease_until"
    ))
    .bind(before)
    .fetch_all(pool)
    .await
    .map_err(query_err("websub_expiring"))?;
    rows.into_iter().map(TryInto::try_into).collect()
}
