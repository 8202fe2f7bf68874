//! Editorial state on PostgreSQL: takedowns, revision history, cluster membership and pins,
//! near-duplicate sketches, unplaced stories and canonical-URL identity.
//!
//! Input: editors' and the pipeline's decisions. Output: stored state and the lists built on
//! it. Sketches are opaque text: this module never computes similarity or picks clusters.

use masthead_model::{ClusterId, OffsetTime, Revision, SiteId, SourceId, Story, StoryId};
use sqlx::PgPool;

use crate::rows::{KnownStory, RevisionRow, StoryRow, limit_or_default, query_err};
use crate::{Result, StoreError};

/// The columns a [`StoryRow`] is read from, for `stories s JOIN sources src`.
macro_rules! story_columns {
    () => {
        "s.id, s.cluster_id, s.slug, s.source_id, src.name AS source_name, s.guid, s.url,
         s.headline, s.standfirst, s.byline, s.dateline, s.published_at, s.published_offset,
         s.updated_at, s.updated_offset, s.content_html, s.text, s.image_url, s.image_caption,
         s.image_credit, s.image_alt, s.categories::text AS categories, s.content_hash,
         s.killed_at, s.killed_offset, s.killed_reason, s.killed_by"
    };
}

fn not_found(id: StoryId) -> StoreError {
    StoreError::NotFound {
        what: "story",
        name: id.to_string(),
    }
}

pub(super) async fn kill_story(
    pool: &PgPool,
    id: StoryId,
    reason: &str,
    by: &str,
    at: OffsetTime,
) -> Result<bool> {
    let killed = sqlx::query(
        "UPDATE stories
         SET killed_at = $2, killed_offset = $3, killed_reason = $4, killed_by = $5
         WHERE id = $1 AND killed_at IS NULL",
    )
    .bind(id)
    .bind(at.unix_micros)
    .bind(at.offset_seconds)
    .bind(reason)
    .bind(by)
    .execute(pool)
    .await
    .map_err(query_err("kill_story"))?
    .rows_affected();
    Ok(killed == 1)
}

pub(super) async fn revisions(pool: &PgPool, id: StoryId) -> Result<Vec<Revision>> {
    let rows: Vec<RevisionRow> = sqlx::query_as(
        "SELECT number, headline, standfirst, text, content_html, replaced_at, replaced_offset
         FROM story_revisions WHERE story_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(query_err("revisions"))?;
    Ok(rows.into_iter().map(Revision::from).collect())
}

pub(super) async fn set_cluster(pool: &PgPool, story: StoryId, cluster: ClusterId) -> Result<()> {
    let moved = sqlx::query("UPDATE stories SET cluster_id = $2 WHERE id = $1")
        .bind(story)
        .bind(cluster)
        .execute(pool)
        .await
        .map_err(query_err("set_cluster"))?
        .rows_affected();
    if moved == 0 {
        return Err(not_found(story));
    }
    Ok(())
}

pub(super) async fn pin_cluster(
    pool: &PgPool,
    cluster: ClusterId,
    story: Option<StoryId>,
) -> Result<()> {
    const OP: &str = "pin_cluster";
    let Some(story) = story else {
        sqlx::query("DELETE FROM cluster_pins WHERE cluster_id = $1")
            .bind(cluster)
            .execute(pool)
            .await
            .map_err(query_err(OP))?;
        return Ok(());
    };
    // Only a member can be pinned: the SELECT yields no row otherwise.
    let pinned = sqlx::query(
        "INSERT INTO cluster_pins (cluster_id, story_id)
         SELECT cluster_id, id FROM stories WHERE id = $2 AND cluster_id = $1
         ON CONFLICT (cluster_id) DO UPDATE SET story_id = excluded.story_id",
    )
    .bind(cluster)
    .bind(story)
    .execute(pool)
    .await
    .map_err(query_err(OP))?
    .rows_affected();
    if pinned == 0 {
        return Err(StoreError::NotFound {
            what: "story",
            name: format!("{story} in cluster {cluster}"),
        });
    }
    Ok(())
}

pub(super) async fn cluster_members(pool: &PgPool, cluster: ClusterId) -> Result<Vec<Story>> {
    let rows: Vec<StoryRow> = sqlx::query_as(concat!(
        "SELECT ",
        story_columns!(),
        " FROM stories s JOIN sources src ON src.id = s.source_id
          WHERE s.cluster_id = $1 AND s.killed_at IS NULL
          ORDER BY s.published_at, s.id"
    ))
    .bind(cluster)
    .fetch_all(pool)
    .await
    .map_err(query_err("cluster_members"))?;
    rows.into_iter().map(Story::try_from).collect()
}

pub(super) async fn set_sketch(pool: &PgPool, story: StoryId, sketch: &str) -> Result<()> {
    let set = sqlx::query("UPDATE stories SET sketch = $2 WHERE id = $1")
        .bind(story)
        .bind(sketch)
        .execute(pool)
        .await
        .map_err(query_err("set_sketch"))?
        .rows_affected();
    if set == 0 {
        return Err(not_found(story));
    }
    Ok(())
}

pub(super) async fn sketches_since(
    pool: &PgPool,
    since_unix_micros: i64,
) -> Result<Vec<(StoryId, ClusterId, i64, String)>> {
    sqlx::query_as(
        "SELECT id, cluster_id, published_at, sketch FROM stories
         WHERE published_at >= $1 AND sketch IS NOT NULL AND killed_at IS NULL
         ORDER BY published_at, id",
    )
    .bind(since_unix_micros)
    .fetch_all(pool)
    .await
    .map_err(query_err("sketches_since"))
}

pub(super) async fn unplace(pool: &PgPool, story: StoryId, site: SiteId) -> Result<()> {
    sqlx::query("DELETE FROM placements WHERE story_id = $1 AND site_id = $2")
        .bind(story)
        .bind(site)
        .execute(pool)
        .await
        .map_err(query_err("unplace"))?;
    Ok(())
}

pub(super) async fn unplaced_stories(pool: &PgPool, limit: i64) -> Result<Vec<Story>> {
    let rows: Vec<StoryRow> = sqlx::query_as(concat!(
        "SELECT ",
        story_columns!(),
        " FROM stories s JOIN sources src ON src.id = s.source_id
          WHERE s.killed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.story_id = s.id)
          ORDER BY s.published_at DESC, s.id DESC
          LIMIT $1"
    ))
    .bind(limit_or_default(limit))
    .fetch_all(pool)
    .await
    .map_err(query_err("unplaced_stories"))?;
    rows.into_iter().map(Story::try_from).collect()
}

pub(super) async fn story_identity_by_url(
    pool: &PgPool,
    source: SourceId,
    canonical_url: &str,
) -> Result<Option<(StoryId, String, bool)>> {
    let known: Option<KnownStory> = sqlx::query_as(
        "SELECT id, content_hash, killed_at IS NOT NULL AS killed, published_at
         FROM stories WHERE source_id = $1 AND canonical_url = $2
         ORDER BY id LIMIT 1",
    )
    .bind(source)
    .bind(canonical_url)
    .fetch_optional(pool)
    .await
    .map_err(query_err("story_identity_by_url"))?;
    Ok(known.map(|k| (k.id, k.content_hash, k.killed)))
}
