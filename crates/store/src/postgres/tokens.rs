//! API tokens on PostgreSQL.
//!
//! Input: a new token's name, scope and secret hash; a presented secret's hash; revocations.
//! Output: [`ApiToken`]s. Never sees a token's secret, only its SHA-256 (hex), and never
//! deletes a token: revoking keeps the row and its record of use.

use masthead_model::{ApiScope, ApiToken, ApiTokenId, OffsetTime};
use sqlx::{FromRow, PgPool};

use crate::rows::query_err;
use crate::{Result, StoreError};

/// The columns a [`TokenRow`] is read from (a macro: `concat!` keeps the SQL `'static`).
macro_rules! columns {
    () => {
        "id, name, scope, created_at, created_offset, last_used_at, last_used_offset, \
         revoked_at, revoked_offset"
    };
}

#[derive(Debug, FromRow)]
pub(crate) struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub created_offset: i32,
    pub last_used_at: Option<i64>,
    pub last_used_offset: Option<i32>,
    pub revoked_at: Option<i64>,
    pub revoked_offset: Option<i32>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self> {
        let scope = ApiScope::parse(&row.scope).ok_or_else(|| StoreError::Corrupt {
            what: "API token scope",
            detail: format!("token {}: {:?}", row.id, row.scope),
        })?;
        let time = |at: Option<i64>, offset: Option<i32>| {
            at.map(|unix_micros| OffsetTime {
                unix_micros,
                offset_seconds: offset.unwrap_or(0),
            })
        };
        Ok(Self {
            id: row.id,
            name: row.name,
            scope,
            created_at: OffsetTime {
                unix_micros: row.created_at,
                offset_seconds: row.created_offset,
            },
            last_used_at: time(row.last_used_at, row.last_used_offset),
            revoked_at: time(row.revoked_at, row.revoked_offset),
        })
    }
}

pub(super) async fn create(
    pool: &PgPool,
    name: &str,
    scope: ApiScope,
    token_hash: &str,
    now: OffsetTime,
) -> Result<ApiToken> {
    let row: TokenRow = sqlx::query_as(concat!(
        "INSERT INTO api_tokens (name, scope, token_hash, created_at, created_offset)
         VALUES ($1, $2, $3, $4, $5) RETURNING ",
        columns!()
    ))
    .bind(name)
    .bind(scope.as_str())
    .bind(token_hash)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .fetch_one(pool)
    .await
    .map_err(query_err("create_api_token"))?;
    row.try_into()
}

pub(super) async fn list(pool: &PgPool) -> Result<Vec<ApiToken>> {
    let rows: Vec<TokenRow> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM api_tokens ORDER BY id"
    ))
    .fetch_all(pool)
    .await
    .map_err(query_err("api_tokens"))?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub(super) async fn by_hash(pool: &PgPool, token_hash: &str) -> Result<Option<ApiToken>> {
    let row: Option<TokenRow> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM api_tokens WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(query_err("api_token_by_hash"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn touch(pool: &PgPool, id: ApiTokenId, now: OffsetTime) -> Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2, last_used_offset = $3
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
    )
    .bind(id)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .execute(pool)
    .await
    .map_err(query_err("touch_api_token"))?;
    Ok(())
}

pub(super) async fn revoke(pool: &PgPool, id: ApiTokenId, now: OffsetTime) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2, revoked_offset = $3
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .execute(pool)
    .await
    .map_err(query_err("revoke_api_token"))?;
    Ok(done.rows_affected() > 0)
}
