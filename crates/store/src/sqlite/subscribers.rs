//! Digest subscribers and deliveries on SQLite.
//!
//! Input: sign-ups, confirmation links, unsubscriptions, a sender's claims and outcomes.
//! Output: subscribers and delivery counts. Every write that reads first runs in a
//! `BEGIN IMMEDIATE` transaction: SQLite has one writer, so holding the write lock from the
//! start makes a claim's read and its write one step no other claim can interleave with. A
//! `sent` delivery is never claimed again; a `failed` one is not either (a retry is the
//! sender's decision, made before it finishes the delivery). Never sends mail.

use masthead_model::{
    ConfirmOutcome, DeliveryStatus, OffsetTime, SiteId, Subscriber, SubscriberId, SubscriberStatus,
};
use sqlx::SqlitePool;

use crate::rows::{
    SubscriberRow, clean_email, delivery_status, limit_or_default, query_err, sections_json,
    subscriber_columns,
};
use crate::{Result, StoreError};

pub(super) async fn subscribe_request(
    pool: &SqlitePool,
    site: SiteId,
    email: &str,
    token_hash: &str,
    expires_at: i64,
    now: OffsetTime,
) -> Result<Subscriber> {
    const OP: &str = "subscribe_request";
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(query_err(OP))?;
    // An unsubscribed address starts over as pending: its old confirmation no longer counts.
    let row: SubscriberRow = sqlx::query_as(concat!(
        "INSERT INTO subscribers (site_id, email, status, created_at, created_offset)
         VALUES (?1, ?2, 'pending', ?3, ?4)
         ON CONFLICT (site_id, email) DO UPDATE SET
             status = CASE WHEN status = 'unsubscribed' THEN 'pending' ELSE status END,
             confirmed_at = CASE WHEN status = 'unsubscribed' THEN NULL ELSE confirmed_at END,
             confirmed_offset =
                 CASE WHEN status = 'unsubscribed' THEN NULL ELSE confirmed_offset END,
             confirm_token_hash =
                 CASE WHEN status = 'unsubscribed' THEN NULL ELSE confirm_token_hash END,
             unsubscribed_at = NULL,
             unsubscribed_offset = NULL
         RETURNING ",
        subscriber_columns!("sections")
    ))
    .bind(site)
    .bind(clean_email(email))
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .fetch_one(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    sqlx::query("DELETE FROM subscription_tokens WHERE subscriber_id = ?1")
        .bind(row.id)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    sqlx::query(
        "INSERT INTO subscription_tokens (token_hash, subscriber_id, expires_at)
         VALUES (?1, ?2, ?3)",
    )
    .bind(token_hash)
    .bind(row.id)
    .bind(expires_at)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    row.try_into()
}

pub(super) async fn confirm_subscription(
    pool: &SqlitePool,
    token_hash: &str,
    now: OffsetTime,
) -> Result<ConfirmOutcome> {
    const OP: &str = "confirm_subscription";
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(query_err(OP))?;
    let token: Option<(i64, i64)> = sqlx::query_as(
        "DELETE FROM subscription_tokens WHERE token_hash = ?1
         RETURNING subscriber_id, expires_at",
    )
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    let outcome = match token {
        // A link followed twice finds its token gone but its hash on the subscriber it
        // confirmed.
        None => {
            let used: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM subscribers
                 WHERE confirm_token_hash = ?1 AND status = 'confirmed'",
            )
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(query_err(OP))?;
            if used.is_some() {
                ConfirmOutcome::AlreadyConfirmed
            } else {
                ConfirmOutcome::Unknown
            }
        }
        Some((subscriber_id, expires_at)) => {
            let status: Option<(String,)> =
                sqlx::query_as("SELECT status FROM subscribers WHERE id = ?1")
                    .bind(subscriber_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(query_err(OP))?;
            match status.as_ref().map(|(s,)| SubscriberStatus::parse(s)) {
                Some(Some(SubscriberStatus::Confirmed)) => ConfirmOutcome::AlreadyConfirmed,
                Some(Some(SubscriberStatus::Pending)) if now.unix_micros > expires_at => {
                    ConfirmOutcome::Expired
                }
                Some(Some(SubscriberStatus::Pending)) => {
                    let row: SubscriberRow = sqlx::query_as(concat!(
                        "UPDATE subscribers
                         SET status = 'confirmed', confirmed_at = ?2, confirmed_offset = ?3,
                             confirm_token_hash = ?4
                         WHERE id = ?1
                         RETURNING ",
                        subscriber_columns!("sections")
                    ))
                    .bind(subscriber_id)
                    .bind(now.unix_micros)
                    .bind(now.offset_seconds)
                    .bind(token_hash)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query_err(OP))?;
                    ConfirmOutcome::Confirmed(row.try_into()?)
                }
                // Unsubscribed after the link was mailed: the link no longer subscribes.
                Some(Some(SubscriberStatus::Unsubscribed)) | None => ConfirmOutcome::Unknown,
                Some(None) => {
                    return Err(StoreError::Corrupt {
                        what: "subscriber status",
                        detail: format!("subscriber {subscriber_id}: {status:?}"),
                    });
                }
            }
        }
    };
    tx.commit().await.map_err(query_err(OP))?;
    Ok(outcome)
}

pub(super) async fn signup_mails(
    pool: &SqlitePool,
    email: &str,
    since: i64,
    record: Option<OffsetTime>,
) -> Result<i64> {
    const OP: &str = "signup_mails";
    let email = clean_email(email);
    let count_sql = "SELECT COUNT(*) FROM signup_mails WHERE email = ?1 AND at >= ?2";
    let Some(now) = record else {
        let (count,): (i64,) = sqlx::query_as(count_sql)
            .bind(&email)
            .bind(since)
            .fetch_one(pool)
            .await
            .map_err(query_err(OP))?;
        return Ok(count);
    };
    // The write lock is held from BEGIN: two sign-ups for one address count one after the
    // other, so the cap is never passed by a race.
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(query_err(OP))?;
    sqlx::query("INSERT INTO signup_mails (email, at, at_offset) VALUES (?1, ?2, ?3)")
        .bind(&email)
        .bind(now.unix_micros)
        .bind(now.offset_seconds)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let (count,): (i64,) = sqlx::query_as(count_sql)
        .bind(&email)
        .bind(since)
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok(count)
}

pub(super) async fn subscriber(pool: &SqlitePool, id: SubscriberId) -> Result<Option<Subscriber>> {
    let row: Option<SubscriberRow> = sqlx::query_as(concat!(
        "SELECT ",
        subscriber_columns!("sections"),
        " FROM subscribers WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(query_err("subscriber"))?;
    row.map(TryInto::try_into).transpose()
}

pub(super) async fn unsubscribe(
    pool: &SqlitePool,
    id: SubscriberId,
    now: OffsetTime,
) -> Result<bool> {
    const OP: &str = "unsubscribe";
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(query_err(OP))?;
    let done = sqlx::query(
        "UPDATE subscribers
         SET status = 'unsubscribed', unsubscribed_at = ?2, unsubscribed_offset = ?3
         WHERE id = ?1 AND status <> 'unsubscribed'",
    )
    .bind(id)
    .bind(now.unix_micros)
    .bind(now.offset_seconds)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    // A confirmation link mailed before leaving must not subscribe the address again.
    sqlx::query("DELETE FROM subscription_tokens WHERE subscriber_id = ?1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn set_subscriber_sections(
    pool: &SqlitePool,
    id: SubscriberId,
    sections: &[String],
) -> Result<()> {
    let done = sqlx::query("UPDATE subscribers SET sections = ?2 WHERE id = ?1")
        .bind(id)
        .bind(sections_json(sections)?)
        .execute(pool)
        .await
        .map_err(query_err("set_subscriber_sections"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "subscriber",
            name: id.to_string(),
        });
    }
    Ok(())
}

pub(super) async fn subscribers(
    pool: &SqlitePool,
    site: SiteId,
    after: SubscriberId,
    limit: i64,
) -> Result<Vec<Subscriber>> {
    let rows: Vec<SubscriberRow> = sqlx::query_as(concat!(
        "SELECT ",
        subscriber_columns!("sections"),
        " FROM subscribers WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
    ))
    .bind(site)
    .bind(after)
    .bind(limit_or_default(limit))
    .fetch_all(pool)
    .await
    .map_err(query_err("subscribers"))?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub(super) async fn claim_deliveries(
    pool: &SqlitePool,
    site: SiteId,
    date: &str,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Subscriber>> {
    const OP: &str = "claim_deliveries";
    // The write lock is held from BEGIN: the subscribers read here are still unclaimed when
    // their delivery rows are written.
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(query_err(OP))?;
    // Subscribers past the highest one this digest has a row for are found by an index seek;
    // the full scan, which walks every finished delivery, runs only when those run short
    // (towards the end: late confirmations, expired leases). Both apply the same condition.
    let limit = limit_or_default(limit);
    let mut rows = candidates(&mut tx, site, date, now, limit, true).await?;
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit {
        rows = candidates(&mut tx, site, date, now, limit, false).await?;
    }
    if rows.is_empty() {
        tx.commit().await.map_err(query_err(OP))?;
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| StoreError::Corrupt {
        what: "subscriber ids",
        detail: e.to_string(),
    })?;
    // `WHERE true` tells SQLite's parser the SELECT ends before the upsert's ON CONFLICT.
    sqlx::query(
        "INSERT INTO deliveries (site_id, date, subscriber_id, status, owner, lease_until)
         SELECT ?1, ?2, value, 'sending', ?3, ?4 FROM json_each(?5) WHERE true
         ON CONFLICT (site_id, date, subscriber_id) DO UPDATE
         SET status = 'sending', owner = excluded.owner, lease_until = excluded.lease_until,
             error = NULL, finished_at = NULL, finished_offset = NULL
         WHERE deliveries.status = 'sending'
           AND (deliveries.lease_until IS NULL OR deliveries.lease_until < ?6)",
    )
    .bind(site)
    .bind(date)
    .bind(owner)
    .bind(lease_until)
    .bind(ids)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Up to `limit` subscribers `claim_deliveries` may claim, by id; with `past_highest` only
/// those past the highest subscriber this digest has a delivery row for.
async fn candidates(
    tx: &mut sqlx::SqliteConnection,
    site: SiteId,
    date: &str,
    now: i64,
    limit: i64,
    past_highest: bool,
) -> Result<Vec<SubscriberRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        subscriber_columns!("sections"),
        " FROM subscribers s
         WHERE s.site_id = ?1 AND s.status = 'confirmed'
           AND s.id > CASE WHEN ?5 THEN
                   (SELECT COALESCE(MAX(subscriber_id), 0) FROM deliveries
                    WHERE site_id = ?1 AND date = ?2)
               ELSE 0 END
           AND NOT EXISTS (
               SELECT 1 FROM deliveries d
               WHERE d.site_id = ?1 AND d.date = ?2 AND d.subscriber_id = s.id
                 AND (d.status <> 'sending' OR d.lease_until >= ?3))
         ORDER BY s.id
         LIMIT ?4"
    ))
    .bind(site)
    .bind(date)
    .bind(now)
    .bind(limit)
    .bind(past_highest)
    .fetch_all(tx)
    .await
    .map_err(query_err("claim_deliveries"))
}

pub(super) async fn finish_delivery(
    pool: &SqlitePool,
    site: SiteId,
    date: &str,
    subscriber: SubscriberId,
    status: DeliveryStatus,
    error: Option<&str>,
    at: OffsetTime,
) -> Result<()> {
    // Still sending: the claim and its lease stand as they are.
    if status == DeliveryStatus::Sending {
        return Ok(());
    }
    // A sent delivery stays sent: a sender whose lease ran out cannot mark a delivery another
    // one completed as failed.
    sqlx::query(
        "INSERT INTO deliveries (site_id, date, subscriber_id, status, error, finished_at,
                                 finished_offset)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (site_id, date, subscriber_id) DO UPDATE
         SET status = excluded.status, error = excluded.error, lease_until = NULL,
             finished_at = excluded.finished_at, finished_offset = excluded.finished_offset
         WHERE deliveries.status <> 'sent'",
    )
    .bind(site)
    .bind(date)
    .bind(subscriber)
    .bind(delivery_status(status))
    .bind(error)
    .bind(at.unix_micros)
    .bind(at.offset_seconds)
    .execute(pool)
    .await
    .map_err(query_err("finish_delivery"))?;
    Ok(())
}

pub(super) async fn delivery_counts(
    pool: &SqlitePool,
    site: SiteId,
    date: &str,
) -> Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(CASE WHEN status = 'sent' THEN 1 END),
                COUNT(CASE WHEN status = 'failed' THEN 1 END),
                COUNT(CASE WHEN status = 'sending' THEN 1 END)
         FROM deliveries WHERE site_id = ?1 AND date = ?2",
    )
    .bind(site)
    .bind(date)
    .fetch_one(pool)
    .await
    .map_err(query_err("delivery_counts"))
}
