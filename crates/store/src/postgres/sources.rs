//! Sources on PostgreSQL.
//!
//! Input: source specs and names. Output: [`Source`]s. Never touches health columns (the
//! ingest pass owns them).

use masthead_model::{Source, SourceSpec};
use sqlx::PgPool;

use crate::Result;
use crate::rows::{SourceRow, query_err};

pub(super) async fn upsert_source(pool: &PgPool, spec: &SourceSpec) -> Result<Source> {
    let row: SourceRow = sqlx::query_as(
        "INSERT INTO sources (name, url, section, dateline, full_text, interval_secs)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE
         SET url = excluded.url, section = excluded.section, dateline = excluded.dateline,
             full_text = excluded.full_text, interval_secs = excluded.interval_secs
         RETURNING id, name, url, section, dateline, full_text, interval_secs",
    )
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
    let rows: Vec<SourceRow> = sqlx::query_as(
        "SELECT id, name, url, section, dateline, full_text, interval_secs
         FROM sources ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(query_err("sources"))?;
    rows.into_iter().map(Source::try_from).collect()
}

pub(super) async fn source_by_name(pool: &PgPool, name: &str) -> Result<Option<Source>> {
    let row: Option<SourceRow> = sqlx::query_as(
        "SELECT id, name, url, section, dateline, full_text, interval_secs
         FROM sources WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(pool)
    .await
    .map_err(query_err("source_by_name"))?;
    row.map(Source::try_from).transpose()
}
