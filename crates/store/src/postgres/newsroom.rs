//! The newsroom on PostgreSQL: accounts, setup links, sessions, failed logins, news releases and
//! the audit log.
//!
//! Input: account changes, token and session hashes, submitted releases, editors' edits and
//! decisions, audit entries. Output: [`User`]s, [`Release`]s, [`AuditEntry`]s and counts.
//! Never sees a password, a setup token or a session id: only their hashes. Edits and
//! decisions are single conditional `UPDATE`s on the release's version (optimistic locking),
//! so a second editor's stale save changes nothing (under READ COMMITTED the losing `UPDATE`
//! re-checks the version of the committed row). Two identical submissions at once are
//! serialized by an advisory lock on their fingerprint.

use masthead_model::{
    AuditEntry, NewRelease, OffsetTime, Release, ReleaseId, ReleaseKind, ReleaseStatus, Role,
    SiteId, StoryId, User, UserId,
};
use sqlx::PgPool;

use crate::rows::{
    AuditRow, ReleaseRow, ReleaseValues, UserRow, audit_columns, clean_email, limit_or_default,
    query_err, release_columns, release_reference, site_ids_json, user_columns,
};
use crate::{Result, StoreError};

/// The first key of the duplicate check's advisory locks (the second is the fingerprint's
/// hash): keeps them apart from any other advisory lock on the database.
const RELEASE_LOCK_CLASS: i32 = 0x7265_6c73;

fn unknown_user(id: UserId) -> StoreError {
    StoreError::NotFound {
        what: "user",
        name: id.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Accounts

pub(super) async fn create_user(
    pool: &PgPool,
    email: &str,
    role: Role,
    sites: &[SiteId],
    password_hash: &str,
    now: OffsetTime,
) -> Result<User> {
    let email = clean_email(email);
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "INSERT INTO users (email, role, sites, password_hash, created_at, created_offset)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6)
         ON CONFLICT (email) DO NOTHING
         RETURNING ",
        user_columns!("sites::text")
    ))
    .bind(&email)
    .bind(role.as_str())
    .bind(site_ids_json("user sites", sites)?)
    .bind(password_hash)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .fetch_optional(pool)
    .await
    .map_err(query_err("create_user"))?;
    row.ok_or(StoreError::EmailTaken { email })?.try_into()
}

pub(super) async fn user(pool: &PgPool, id: UserId) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!("sites::text"),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(query_err("user"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn user_by_email(pool: &PgPool, email: &str) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!("sites::text"),
        " FROM users WHERE email = $1"
    ))
    .bind(clean_email(email))
    .fetch_optional(pool)
    .await
    .map_err(query_err("user_by_email"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn users(pool: &PgPool) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!("sites::text"),
        " FROM users ORDER BY email"
    ))
    .fetch_all(pool)
    .await
    .map_err(query_err("users"))?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub(super) async fn set_password(pool: &PgPool, id: UserId, password_hash: &str) -> Result<()> {
    let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(pool)
        .await
        .map_err(query_err("set_password"))?;
    if done.rows_affected() == 0 {
        return Err(unknown_user(id));
    }
    Ok(())
}

pub(super) async fn set_user_disabled(pool: &PgPool, id: UserId, disabled: bool) -> Result<()> {
    const OP: &str = "set_user_disabled";
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    let done = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
        .bind(id)
        .bind(disabled)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    if done.rows_affected() == 0 {
        return Err(unknown_user(id));
    }
    // A disabled account's sessions end: enabling it again must not revive them.
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    }
    tx.commit().await.map_err(query_err(OP))
}

// ---------------------------------------------------------------------------------------
// Setup links and sessions

pub(super) async fn create_setup_token(
    pool: &PgPool,
    user: UserId,
    token_hash: &str,
    expires_at: i64,
) -> Result<()> {
    const OP: &str = "create_setup_token";
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    sqlx::query("DELETE FROM setup_tokens WHERE user_id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let done = sqlx::query(
        "INSERT INTO setup_tokens (token_hash, user_id, expires_at)
         SELECT $1, id, $3 FROM users WHERE id = $2",
    )
    .bind(token_hash)
    .bind(user)
    .bind(expires_at)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    if done.rows_affected() == 0 {
        return Err(unknown_user(user));
    }
    tx.commit().await.map_err(query_err(OP))
}

pub(super) async fn take_setup_token(
    pool: &PgPool,
    token_hash: &str,
    now: i64,
) -> Result<Option<User>> {
    // Deleted first, whatever follows: a link works once, even when it has expired.
    let token: Option<(i64, i64)> = sqlx::query_as(
        "DELETE FROM setup_tokens WHERE token_hash = $1 RETURNING user_id, expires_at",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(query_err("take_setup_token"))?;
    match token {
        Some((user_id, expires_at)) if now <= expires_at => user(pool, user_id).await,
        _ => Ok(None),
    }
}

pub(super) async fn create_session(
    pool: &PgPool,
    id_hash: &str,
    user: UserId,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen, expires_at)
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(id_hash)
    .bind(user)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await
    .map_err(query_err("create_session"))?;
    Ok(())
}

pub(super) async fn session_user(
    pool: &PgPool,
    id_hash: &str,
    now: i64,
    idle_micros: i64,
) -> Result<Option<User>> {
    const OP: &str = "session_user";
    // Used at or after this instant: not idle too long.
    let idle_floor = now.saturating_sub(idle_micros.max(0));
    // A live session of an enabled account is touched (never moved back in time); anything
    // else changes nothing here.
    let live: Option<(i64,)> = sqlx::query_as(
        "UPDATE sessions SET last_seen = GREATEST(last_seen, $2)
         WHERE id_hash = $1 AND expires_at >= $2 AND last_seen >= $3
           AND user_id IN (SELECT id FROM users WHERE NOT disabled)
         RETURNING user_id",
    )
    .bind(id_hash)
    .bind(now)
    .bind(idle_floor)
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))?;
    let Some((user_id,)) = live else {
        sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1 AND (expires_at < $2 OR last_seen < $3)",
        )
        .bind(id_hash)
        .bind(now)
        .bind(idle_floor)
        .execute(pool)
        .await
        .map_err(query_err(OP))?;
        return Ok(None);
    };
    // Disabled between the two statements: still refused.
    Ok(user(pool, user_id).await?.filter(|u| !u.disabled))
}

pub(super) async fn delete_session(pool: &PgPool, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await
        .map_err(query_err("delete_session"))?;
    Ok(())
}

pub(super) async fn delete_user_sessions(pool: &PgPool, user: UserId) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user)
        .execute(pool)
        .await
        .map_err(query_err("delete_user_sessions"))?;
    Ok(done.rows_affected())
}

// ---------------------------------------------------------------------------------------
// Login throttling

pub(super) async fn login_failures(
    pool: &PgPool,
    key: &str,
    since: i64,
    record: Option<i64>,
) -> Result<i64> {
    const OP: &str = "login_failures";
    // Two statements, each committed on its own: the count runs after this caller's failure
    // is stored, so of two concurrent failures the later count sees both and a burst of
    // parallel attempts never stays under the limit.
    if let Some(at) = record {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(at)
            .execute(pool)
            .await
            .map_err(query_err(OP))?;
    }
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(pool)
            .await
            .map_err(query_err(OP))?;
    Ok(count)
}

pub(super) async fn clear_login_failures(pool: &PgPool, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await
        .map_err(query_err("clear_login_failures"))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Releases

pub(super) async fn submit_release(
    pool: &PgPool,
    release: &NewRelease,
    now: OffsetTime,
    duplicate_window_micros: i64,
) -> Result<(Release, bool)> {
    const OP: &str = "submit_release";
    let values = ReleaseValues::new(release)?;
    // Two identical submissions at once store one release: the second waits for the first
    // to commit, and its check (a new snapshot, under READ COMMITTED) then finds it.
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(RELEASE_LOCK_CLASS)
        .bind(&release.fingerprint)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let earlier: Option<ReleaseRow> = sqlx::query_as(concat!(
        "SELECT ",
        release_columns!("sites::text"),
        " FROM releases WHERE fingerprint = $1 AND submitted_at >= $2
          ORDER BY submitted_at DESC, id DESC LIMIT 1"
    ))
    .bind(&release.fingerprint)
    .bind(
        now.unix_micros
            .saturating_sub(duplicate_window_micros.max(0)),
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    if let Some(row) = earlier {
        tx.commit().await.map_err(query_err(OP))?;
        return Ok((row.try_into()?, true));
    }
    // The id is drawn first, so the reference goes in with the row.
    let (id,): (i64,) = sqlx::query_as("SELECT nextval(pg_get_serial_sequence('releases', 'id'))")
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let row: ReleaseRow = sqlx::query_as(concat!(
        "INSERT INTO releases (id, reference, kind, organisation, contact_name, contact_email,
             contact_phone, headline, body, dateline, event_at, event_place, image_file,
             image_content_type, image_width, image_height, sites, fingerprint,
             submitted_at, submitted_offset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
             $17::jsonb, $18, $19, $20)
         RETURNING ",
        release_columns!("sites::text")
    ))
    .bind(id)
    .bind(release_reference(id))
    .bind(release.kind.as_str())
    .bind(&release.organisation)
    .bind(&release.contact_name)
    .bind(&release.contact_email)
    .bind(&release.contact_phone)
    .bind(&release.headline)
    .bind(&release.body)
    .bind(&release.dateline)
    .bind(&release.event_at)
    .bind(&release.event_place)
    .bind(values.image_file)
    .bind(values.image_content_type)
    .bind(values.image_width)
    .bind(values.image_height)
    .bind(&values.sites)
    .bind(&release.fingerprint)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .fetch_one(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok((row.try_into()?, false))
}

pub(super) async fn release(pool: &PgPool, id: ReleaseId) -> Result<Option<Release>> {
    let row: Option<ReleaseRow> = sqlx::query_as(concat!(
        "SELECT ",
        release_columns!("sites::text"),
        " FROM releases WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(query_err("release"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn releases(
    pool: &PgPool,
    status: Option<ReleaseStatus>,
    site: Option<SiteId>,
    kind: Option<ReleaseKind>,
    limit: i64,
) -> Result<Vec<Release>> {
    let rows: Vec<ReleaseRow> = sqlx::query_as(concat!(
        "SELECT ",
        release_columns!("sites::text"),
        " FROM releases
          WHERE ($1::text IS NULL OR status = $1)
            AND ($2::bigint IS NULL OR sites @> jsonb_build_array($2::bigint))
            AND ($3::text IS NULL OR kind = $3)
          ORDER BY submitted_at, id
          LIMIT $4"
    ))
    .bind(status.map(ReleaseStatus::as_str))
    .bind(site)
    .bind(kind.map(ReleaseKind::as_str))
    .bind(limit_or_default(limit))
    .fetch_all(pool)
    .await
    .map_err(query_err("releases"))?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub(super) async fn edit_release(
    pool: &PgPool,
    id: ReleaseId,
    version: i32,
    headline: &str,
    body: &str,
    dateline: Option<&str>,
    section: Option<&str>,
) -> Result<Option<Release>> {
    let row: Option<ReleaseRow> = sqlx::query_as(concat!(
        "UPDATE releases
         SET headline = $3, body = $4, dateline = $5, section = $6, version = version + 1
         WHERE id = $1 AND version = $2
         RETURNING ",
        release_columns!("sites::text")
    ))
    .bind(id)
    .bind(version)
    .bind(headline)
    .bind(body)
    .bind(dateline)
    .bind(section)
    .fetch_optional(pool)
    .await
    .map_err(query_err("edit_release"))?;
    row.map(TryInto::try_into).transpose()
}

#[expect(
    clippy::too_many_arguments,
    reason = "the trait method's arguments, passed through"
)]
pub(super) async fn decide_release(
    pool: &PgPool,
    id: ReleaseId,
    version: i32,
    status: ReleaseStatus,
    by: &str,
    reason: Option<&str>,
    story: Option<StoryId>,
    at: OffsetTime,
) -> Result<Option<Release>> {
    // "Submitted" is no decision: nothing to change.
    if status == ReleaseStatus::Submitted {
        return Ok(None);
    }
    let row: Option<ReleaseRow> = sqlx::query_as(concat!(
        "UPDATE releases
         SET status = $3, decided_by = $4, reason = $5, story_id = $6, decided_at = $7,
             decided_offset = $8, version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'submitted'
         RETURNING ",
        release_columns!("sites::text")
    ))
    .bind(id)
    .bind(version)
    .bind(status.as_str())
    .bind(by)
    .bind(reason)
    .bind(story)
    .bind(at.unix_micros)
    .bind(at.offset_seconds)
    .fetch_optional(pool)
    .await
    .map_err(query_err("decide_release"))?;
    row.map(TryInto::try_into).transpose()
}

// ---------------------------------------------------------------------------------------
// Audit log

pub(super) async fn audit(pool: &PgPool, entry: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, at_offset, actor, action, object, detail, from_addr)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.at.unix_micros)
    .bind(entry.at.offset_seconds)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.object)
    .bind(&entry.detail)
    .bind(&entry.from)
    .execute(pool)
    .await
    .map_err(query_err("audit"))?;
    Ok(())
}

pub(super) async fn audit_log(
    pool: &PgPool,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = sqlx::query_as(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_log WHERE ($1::bigint IS NULL OR at < $1) ORDER BY at DESC, id DESC LIMIT $2"
    ))
    .bind(before)
    .bind(limit_or_default(limit))
    .fetch_all(pool)
    .await
    .map_err(query_err("audit_log"))?;
    Ok(rows.into_iter().map(Into::into).collect())
}
