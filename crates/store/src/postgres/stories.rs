//! Stories and placements on PostgreSQL.
//!
//! Input: normalized stories, placements, list requests. Output: stored stories, summaries,
//! outcomes. A story's identity is (source, guid), else (source, canonical URL); its slug,
//! cluster and first publication time are set at insert (editorial.rs moves clusters), an
//! update keeps the replaced version as a revision, a killed story is never rewritten.
//! Listings show one story per cluster and no killed one. Text is bound as given, never
//! rewritten. Never decides routing or clustering itself.

use masthead_model::{
    ClusterId, NewStory, OffsetTime, Placement, SourceId, StoreOutcome, Story, StoryId,
    StorySummary,
};
use sqlx::PgPool;

use crate::rows::{
    KnownStory, PlacementRow, StoryRow, StoryValues, SummaryRow, limit_or_default, now_micros,
    query_err, representative_only, update_time,
};
use crate::text::lead_of;
use crate::{Result, StoreError, StoryFilter};

/// A lost race costs one more read; more rounds than this means the row keeps vanishing.
const PUT_ATTEMPTS: usize = 3;

pub(super) async fn put_story(
    pool: &PgPool,
    story: &NewStory,
    cluster: Option<ClusterId>,
) -> Result<StoreOutcome> {
    const OP: &str = "put_story";
    let values = StoryValues::new(story)?;
    for _ in 0..PUT_ATTEMPTS {
        // Most deliveries repeat a story already stored: answer those without a write lock.
        if let Some(known) = known_story(pool, story).await? {
            // A killed story stays down whatever a later poll brings.
            if known.killed || known.content_hash == story.content_hash {
                return Ok(StoreOutcome::Unchanged(known.id));
            }
            return update(pool, &known, &values).await;
        }
        if let Some(id) = insert(pool, &values, cluster).await? {
            return Ok(StoreOutcome::Inserted(id));
        }
        // Another writer stored this identity since the read above: read it again.
    }
    Err(StoreError::Contended {
        op: OP,
        what: format!("story {:?} of source {}", story.guid, story.source_id),
    })
}

/// The stored story with this one's identity: (source, guid), else (source, canonical URL),
/// which a re-post with a new GUID keeps. Two statements, each on its own index.
async fn known_story(pool: &PgPool, story: &NewStory) -> Result<Option<KnownStory>> {
    const OP: &str = "put_story";
    let by_guid: Option<KnownStory> = sqlx::query_as(
        "SELECT id, content_hash, killed_at IS NOT NULL AS killed, published_at
         FROM stories WHERE source_id = $1 AND guid = $2",
    )
    .bind(story.source_id)
    .bind(&story.guid)
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))?;
    let Some(canonical_url) = story.canonical_url.as_deref().filter(|_| by_guid.is_none()) else {
        return Ok(by_guid);
    };
    sqlx::query_as(
        "SELECT id, content_hash, killed_at IS NOT NULL AS killed, published_at
         FROM stories WHERE source_id = $1 AND canonical_url = $2
         ORDER BY id LIMIT 1",
    )
    .bind(story.source_id)
    .bind(canonical_url)
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))
}

async fn insert(
    pool: &PgPool,
    v: &StoryValues<'_>,
    cluster: Option<ClusterId>,
) -> Result<Option<StoryId>> {
    const OP: &str = "put_story (insert)";
    let s = v.story;
    // The id is drawn first so a story without a given cluster can name its own id as its
    // cluster in the same statement; a conflict only wastes one sequence value.
    let inserted: Option<(i64,)> = sqlx::query_as(
        "WITH next AS (SELECT nextval(pg_get_serial_sequence('stories', 'id')) AS id)
         INSERT INTO stories (
             id, source_id, guid, url, slug, headline, standfirst, byline, dateline,
             published_at, published_offset, updated_at, updated_offset,
             content_html, text, lead, image_url, image_caption, image_credit, image_alt,
             categories, content_hash, cluster_id, created_at, canonical_url)
         SELECT next.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20::jsonb, $21, COALESCE($22, next.id), $23, $24
         FROM next
         ON CONFLICT (source_id, guid) DO NOTHING
         RETURNING id",
    )
    .bind(s.source_id)
    .bind(&s.guid)
    .bind(&s.url)
    .bind(&v.slug)
    .bind(&s.headline)
    .bind(&s.standfirst)
    .bind(&s.byline)
    .bind(&s.dateline)
    .bind(s.published.unix_micros)
    .bind(s.published.offset_seconds)
    .bind(v.updated_at)
    .bind(v.updated_offset)
    .bind(&s.content_html)
    .bind(&s.text)
    .bind(&v.lead)
    .bind(v.image_url)
    .bind(v.image_caption)
    .bind(v.image_credit)
    .bind(v.image_alt)
    .bind(&v.categories)
    .bind(&s.content_hash)
    .bind(cluster)
    .bind(now_micros())
    .bind(&s.canonical_url)
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))?;
    Ok(inserted.map(|(id,)| id))
}

/// Rewrites the content of a known story whose hash differs, after copying the version it
/// replaces into `story_revisions`; slug, cluster, identity, first publication time and
/// `created_at` stay (so placements keep their order), `updated` says when it changed.
async fn update(pool: &PgPool, known: &KnownStory, v: &StoryValues<'_>) -> Result<StoreOutcome> {
    const OP: &str = "put_story (update)";
    let s = v.story;
    let id = known.id;
    let updated_at = update_time(known, s, now_micros());
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    // The row lock makes a concurrent writer of the same story wait, then see this version;
    // each later statement (READ COMMITTED) reads what the lock holder committed.
    let current: Option<(String, bool)> = sqlx::query_as(
        "SELECT content_hash, killed_at IS NOT NULL FROM stories WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    match current {
        Some((hash, killed)) if !killed && hash != s.content_hash => {}
        // A concurrent writer already stored this very content (or killed it).
        _ => return Ok(StoreOutcome::Unchanged(id)),
    }
    sqlx::query(
        "INSERT INTO story_revisions (
             story_id, number, headline, standfirst, text, content_html, content_hash,
             replaced_at, replaced_offset)
         SELECT id,
                (SELECT COALESCE(MAX(number), 0) + 1 FROM story_revisions WHERE story_id = $1),
                headline, standfirst, text, content_html, content_hash, $2, $3
         FROM stories WHERE id = $1",
    )
    .bind(id)
    .bind(updated_at.unix_micros)
    .bind(updated_at.offset_seconds)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    sqlx::query(
        "UPDATE stories SET
             url = $2, headline = $3, standfirst = $4, byline = $5, dateline = $6,
             updated_at = $7, updated_offset = $8, content_html = $9, text = $10, lead = $11,
             image_url = $12, image_caption = $13, image_credit = $14, image_alt = $15,
             categories = $16::jsonb, content_hash = $17
         WHERE id = $1",
    )
    .bind(id)
    .bind(&s.url)
    .bind(&s.headline)
    .bind(&s.standfirst)
    .bind(&s.byline)
    .bind(&s.dateline)
    .bind(updated_at.unix_micros)
    .bind(updated_at.offset_seconds)
    .bind(&s.content_html)
    .bind(&s.text)
    .bind(&v.lead)
    .bind(v.image_url)
    .bind(v.image_caption)
    .bind(v.image_credit)
    .bind(v.image_alt)
    .bind(&v.categories)
    .bind(&s.content_hash)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok(StoreOutcome::Updated(id))
}

/// An editor's correction (see [`crate::Store::correct_story`]): the current version is copied
/// into `story_revisions` as a source's update copies it, then headline, standfirst, body,
/// lead and `updated` change; the content hash stays the source's, so only the source's next
/// change replaces the correction.
pub(super) async fn correct_story(
    pool: &PgPool,
    id: StoryId,
    headline: &str,
    standfirst: Option<&str>,
    content_html: &str,
    text: &str,
    at: OffsetTime,
) -> Result<bool> {
    const OP: &str = "correct_story";
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    // The row lock makes a concurrent writer of the same story (an update, a kill, another
    // correction) wait; the version copied below is the one the UPDATE replaces.
    let live: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM stories WHERE id = $1 AND killed_at IS NULL FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    if live.is_none() {
        tx.rollback().await.map_err(query_err(OP))?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO story_revisions (
             story_id, number, headline, standfirst, text, content_html, content_hash,
             replaced_at, replaced_offset)
         SELECT id,
                (SELECT COALESCE(MAX(number), 0) + 1 FROM story_revisions WHERE story_id = $1),
                headline, standfirst, text, content_html, content_hash, $2, $3
         FROM stories WHERE id = $1",
    )
    .bind(id)
    .bind(at.unix_micros)
    .bind(at.offset_seconds)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    sqlx::query(
        "UPDATE stories SET
             headline = $2, standfirst = $3, content_html = $4, text = $5, lead = $6,
             updated_at = $7, updated_offset = $8
         WHERE id = $1",
    )
    .bind(id)
    .bind(headline)
    .bind(standfirst)
    .bind(content_html)
    .bind(text)
    .bind(lead_of(text))
    .bind(at.unix_micros)
    .bind(at.offset_seconds)
    .execute(&mut *tx)
    .await
    .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok(true)
}

pub(super) async fn story_identity(
    pool: &PgPool,
    source: SourceId,
    guid: &str,
) -> Result<Option<(StoryId, String, bool)>> {
    let known: Option<KnownStory> = sqlx::query_as(
        "SELECT id, content_hash, killed_at IS NOT NULL AS killed, published_at
         FROM stories WHERE source_id = $1 AND guid = $2",
    )
    .bind(source)
    .bind(guid)
    .fetch_optional(pool)
    .await
    .map_err(query_err("story_identity"))?;
    Ok(known.map(|k| (k.id, k.content_hash, k.killed)))
}

pub(super) async fn story(pool: &PgPool, id: StoryId) -> Result<Option<Story>> {
    let row: Option<StoryRow> = sqlx::query_as(
        "SELECT s.id, s.cluster_id, s.slug, s.source_id, src.name AS source_name, s.guid, s.url,
                s.headline, s.standfirst, s.byline, s.dateline, s.published_at,
                s.published_offset, s.updated_at, s.updated_offset, s.content_html, s.text,
                s.image_url, s.image_caption, s.image_credit, s.image_alt,
                s.categories::text AS categories,
                s.content_hash, s.killed_at, s.killed_offset, s.killed_reason, s.killed_by
         FROM stories s JOIN sources src ON src.id = s.source_id
         WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(query_err("story"))?;
    row.map(Story::try_from).transpose()
}

pub(super) async fn stories(pool: &PgPool, filter: &StoryFilter) -> Result<Vec<Story>> {
    let rows: Vec<StoryRow> = sqlx::query_as(
        "SELECT s.id, s.cluster_id, s.slug, s.source_id, src.name AS source_name, s.guid, s.url,
                s.headline, s.standfirst, s.byline, s.dateline, s.published_at,
                s.published_offset, s.updated_at, s.updated_offset, s.content_html, s.text,
                s.image_url, s.image_caption, s.image_credit, s.image_alt,
                s.categories::text AS categories,
                s.content_hash, s.killed_at, s.killed_offset, s.killed_reason, s.killed_by
         FROM stories s JOIN sources src ON src.id = s.source_id
         WHERE ($1::bigint IS NULL OR s.source_id = $1)
           AND ($2::bigint IS NULL OR EXISTS (
                SELECT 1 FROM placements p WHERE p.story_id = s.id AND p.site_id = $2))
           AND ($4::boolean OR s.killed_at IS NULL)
           AND ($5::bigint IS NULL OR s.published_at >= $5)
         ORDER BY s.published_at DESC, s.id DESC
         LIMIT $3",
    )
    .bind(filter.source)
    .bind(filter.site)
    .bind(limit_or_default(filter.limit))
    .bind(filter.include_killed)
    .bind(filter.since)
    .fetch_all(pool)
    .await
    .map_err(query_err("stories"))?;
    rows.into_iter().map(Story::try_from).collect()
}

pub(super) async fn place(pool: &PgPool, placement: &Placement) -> Result<()> {
    // The story's publish time is copied so the site's listing index needs no join to sort.
    let placed = sqlx::query(
        "INSERT INTO placements (story_id, site_id, section, published_at)
         SELECT id, $2, $3, published_at FROM stories WHERE id = $1
         ON CONFLICT (story_id, site_id) DO UPDATE SET section = excluded.section",
    )
    .bind(placement.story_id)
    .bind(placement.site_id)
    .bind(&placement.section)
    .execute(pool)
    .await
    .map_err(query_err("place"))?
    .rows_affected();
    if placed == 0 {
        return Err(StoreError::NotFound {
            what: "story",
            name: placement.story_id.to_string(),
        });
    }
    Ok(())
}

pub(super) async fn placements_of(pool: &PgPool, story: StoryId) -> Result<Vec<Placement>> {
    let rows: Vec<PlacementRow> = sqlx::query_as(
        "SELECT story_id, site_id, section FROM placements WHERE story_id = $1 ORDER BY site_id",
    )
    .bind(story)
    .fetch_all(pool)
    .await
    .map_err(query_err("placements_of"))?;
    Ok(rows.into_iter().map(Placement::from).collect())
}

pub(super) async fn site_stories(
    pool: &PgPool,
    site: i64,
    section: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<StorySummary>> {
    const OP: &str = "site_stories";
    let limit = limit_or_default(limit);
    let offset = offset.max(0);
    // Two statements rather than `$2 IS NULL OR …`, so each one is planned on its own index.
    let rows: Vec<SummaryRow> = match section {
        Some(section) => sqlx::query_as(concat!(
            "SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline,
                    s.standfirst, s.dateline, s.lead, s.published_at, s.published_offset,
                    s.image_url, s.image_caption, s.image_credit, s.image_alt, p.section
             FROM placements p
             JOIN stories s ON s.id = p.story_id
             JOIN sources src ON src.id = s.source_id
             WHERE p.site_id = $1 AND p.section = $2",
            representative_only!(" AND q.section = p.section"),
            " ORDER BY p.published_at DESC, p.story_id DESC
             LIMIT $3 OFFSET $4"
        ))
        .bind(site)
        .bind(section)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(query_err(OP))?,
        None => sqlx::query_as(concat!(
            "SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline,
                    s.standfirst, s.dateline, s.lead, s.published_at, s.published_offset,
                    s.image_url, s.image_caption, s.image_credit, s.image_alt, p.section
             FROM placements p
             JOIN stories s ON s.id = p.story_id
             JOIN sources src ON src.id = s.source_id
             WHERE p.site_id = $1",
            representative_only!(""),
            " ORDER BY p.published_at DESC, p.story_id DESC
             LIMIT $2 OFFSET $3"
        ))
        .bind(site)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(query_err(OP))?,
    };
    Ok(rows.into_iter().map(StorySummary::from).collect())
}

pub(super) async fn count_site_stories(
    pool: &PgPool,
    site: i64,
    section: Option<&str>,
) -> Result<i64> {
    const OP: &str = "count_site_stories";
    let (count,): (i64,) = match section {
        Some(section) => {
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM placements p JOIN stories s ON s.id = p.story_id
                 WHERE p.site_id = $1 AND p.section = $2",
                representative_only!(" AND q.section = p.section")
            ))
            .bind(site)
            .bind(section)
            .fetch_one(pool)
            .await
        }
        None => {
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM placements p JOIN stories s ON s.id = p.story_id
                 WHERE p.site_id = $1",
                representative_only!("")
            ))
            .bind(site)
            .fetch_one(pool)
            .await
        }
    }
    .map_err(query_err(OP))?;
    Ok(count)
}
