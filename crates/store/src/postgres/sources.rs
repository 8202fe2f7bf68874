//! Sources on PostgreSQL: their specs, soft removal, and the polling state the ingest pass keeps.
//!
//! Input: source specs, names, poll outcomes. Output: [`Source`]s with their health. Every
//! write is one statement: two nodes leasing one source at once both reach its row, the second
//! waits on the first's row lock, then (READ COMMITTED) re-checks its `WHERE` against the
//! committed claim and updates nothing. Never decides when to poll or retry.

use masthead_model::{PollRecord, Source, SourceId, SourceSpec};
use sqlx::PgPool;

use crate::rows::{SourceRow, now_micros, query_err, source_columns};
use crate::{Result, StoreError};

/// Upserting the name of a removed source brings it back, with its id, stories and health.
pub(super) async fn upsert_source(pool: &PgPool, spec: &SourceSpec) -> Result<Source> {
    let row: SourceRow = sqlx::query_as(concat!(
        "INSERT INTO sources (name, url, section, dateline, full_text, interval_secs)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE
         SET url = excluded.url, section = excluded.section, dateline = excluded.dateline,
             full_text = excluded.full_text, interval_secs = excluded.interval_secs,
             removed_at = NULL
         RETURNING ",
        source_columns!()
    ))
    .bind(&spec.name)
    .bind(&spec.url)
    .bind(&spec.section)
    .bind(&spec.dateline)
    .bind(spec.full_text.as_str())
    .bind(spec.interval_secs)
    .fetch_one(pool)
    .await
    .map_err(query_err("upsert_source"))?;
    row.try_into()
}

pub(super) async fn sources(pool: &PgPool) -> Result<Vec<Source>> {
    let rows: Vec<SourceRow> = sqlx::query_as(concat!(
        "SELECT ",
        source_columns!(),
        " FROM sources WHERE removed_at IS NULL ORDER BY name"
    ))
    .fetch_all(pool)
    .await
    .map_err(query_err("sources"))?;
    rows.into_iter().map(Source::try_from).collect()
}

pub(super) async fn source_by_name(pool: &PgPool, name: &str) -> Result<Option<Source>> {
    let row: Option<SourceRow> = sqlx::query_as(concat!(
        "SELECT ",
        source_columns!(),
        " FROM sources WHERE name = $1 AND removed_at IS NULL"
    ))
    .bind(name)
    .fetch_optional(pool)
    .await
    .map_err(query_err("source_by_name"))?;
    row.map(Source::try_from).transpose()
}

pub(super) async fn remove_source(pool: &PgPool, name: &str) -> Result<bool> {
    let done =
        sqlx::query("UPDATE sources SET removed_at = $2 WHERE name = $1 AND removed_at IS NULL")
            .bind(name)
            .bind(now_micros())
            .execute(pool)
            .await
            .map_err(query_err("remove_source"))?;
    Ok(done.rows_affected() == 1)
}

/// The `removed_at IS NULL AND NOT paused` terms match the `sources_due` index's predicate.
pub(super) async fn due_sources(pool: &PgPool, now: i64) -> Result<Vec<Source>> {
    let rows: Vec<SourceRow> = sqlx::query_as(concat!(
        "SELECT ",
        source_columns!(),
        " FROM sources
         WHERE removed_at IS NULL AND NOT paused
           AND (next_poll_at IS NULL OR next_poll_at <= $1)
           AND (lease_until IS NULL OR lease_until < $1)
         ORDER BY COALESCE(next_poll_at, 0), id"
    ))
    .bind(now)
    .fetch_all(pool)
    .await
    .map_err(query_err("due_sources"))?;
    rows.into_iter().map(Source::try_from).collect()
}

pub(super) async fn lease_source(
    pool: &PgPool,
    id: SourceId,
    owner: &str,
    now: i64,
    until: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sources SET lease_owner = $2, lease_until = $4
         WHERE id = $1
           AND (lease_until IS NULL OR lease_until < $3 OR lease_owner = $2)",
    )
    .bind(id)
    .bind(owner)
    .bind(now)
    .bind(until)
    .execute(pool)
    .await
    .map_err(query_err("lease_source"))?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn release_source(pool: &PgPool, id: SourceId, owner: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sources SET lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2",
    )
    .bind(id)
    .bind(owner)
    .execute(pool)
    .await
    .map_err(query_err("release_source"))?;
    Ok(())
}

pub(super) async fn record_poll(pool: &PgPool, id: SourceId, record: &PollRecord) -> Result<()> {
    const OP: &str = "record_poll";
    let query = match record {
        // last_error stays: with last_success_at it tells when the source last failed.
        PollRecord::Success {
            at,
            next_poll_at,
            etag,
            last_modified,
        } => sqlx::query(
            "UPDATE sources
             SET last_success_at = $2, consecutive_failures = 0, next_poll_at = $3,
                 etag = COALESCE($4, etag), last_modified = COALESCE($5, last_modified)
             WHERE id = $1",
        )
        .bind(id)
        .bind(at.unix_micros)
        .bind(next_poll_at.unix_micros)
        .bind(etag.as_deref())
        .bind(last_modified.as_deref()),
        // SET reads the row's old values, so `consecutive_failures + 1` is the new count.
        PollRecord::Failure {
            at,
            error,
            next_poll_at,
            pause_after,
        } => sqlx::query(
            "UPDATE sources
             SET consecutive_failures = consecutive_failures + 1, last_error = $2,
                 last_error_at = $3, next_poll_at = $4,
                 paused = (paused OR consecutive_failures + 1 >= $5)
             WHERE id = $1",
        )
        .bind(id)
        .bind(error.as_str())
        .bind(at.unix_micros)
        .bind(next_poll_at.unix_micros)
        .bind(*pause_after),
    };
    let done = query.execute(pool).await.map_err(query_err(OP))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownSource { id });
    }
    Ok(())
}

pub(super) async fn set_source_paused(pool: &PgPool, name: &str, paused: bool) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sources
         SET paused = $2,
             consecutive_failures = CASE WHEN $2 THEN consecutive_failures ELSE 0 END,
             next_poll_at = CASE WHEN $2 THEN next_poll_at ELSE NULL END
         WHERE name = $1 AND removed_at IS NULL",
    )
    .bind(name)
    .bind(paused)
    .execute(pool)
    .await
    .map_err(query_err("set_source_paused"))?;
    Ok(done.rows_affected() == 1)
}
