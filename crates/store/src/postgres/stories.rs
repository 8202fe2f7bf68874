//! Stories and placements on PostgreSQL.
//!
//! Input: normalized stories, placements, list requests. Output: stored stories, summaries,
//! outcomes. A story's identity is (source, guid); its slug and cluster are set once at insert.
//! Text is bound as given, never rewritten. Never decides routing or clustering itself.

use masthead_model::{
    ClusterId, NewStory, Placement, SourceId, StoreOutcome, Story, StoryId, StorySummary,
};
use sqlx::PgPool;

use crate::rows::{
    KnownStory, PlacementRow, StoryRow, StoryValues, SummaryRow, limit_or_default, now_micros,
    query_err,
};
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
        let known: Option<KnownStory> = sqlx::query_as(
            "SELECT id, content_hash FROM stories WHERE source_id = $1 AND guid = $2",
        )
        .bind(story.source_id)
        .bind(&story.guid)
        .fetch_optional(pool)
        .await
        .map_err(query_err(OP))?;
        if let Some(known) = known {
            if known.content_hash == story.content_hash {
                return Ok(StoreOutcome::Unchanged(known.id));
            }
            return update(pool, known.id, &values).await;
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
             categories, content_hash, cluster_id, created_at)
         SELECT next.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20::jsonb, $21, COALESCE($22, next.id), $23
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
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))?;
    Ok(inserted.map(|(id,)| id))
}

/// Rewrites the content of a known story whose hash differs; slug, cluster, identity and
/// `created_at` stay. The story's placements follow its (possibly corrected) publish time in
/// the same statement.
async fn update(pool: &PgPool, id: StoryId, v: &StoryValues<'_>) -> Result<StoreOutcome> {
    const OP: &str = "put_story (update)";
    let s = v.story;
    // A concurrent writer of the same row makes this wait, then re-check the hash.
    let updated: Option<(i64,)> = sqlx::query_as(
        "WITH changed AS (
             UPDATE stories SET
                 url = $2, headline = $3, standfirst = $4, byline = $5, dateline = $6,
                 published_at = $7, published_offset = $8, updated_at = $9,
                 updated_offset = $10, content_html = $11, text = $12, lead = $13,
                 image_url = $14, image_caption = $15, image_credit = $16, image_alt = $17,
                 categories = $18::jsonb, content_hash = $19
             WHERE id = $1 AND content_hash <> $19
             RETURNING id, published_at),
         moved AS (
             UPDATE placements p SET published_at = changed.published_at
             FROM changed WHERE p.story_id = changed.id)
         SELECT id FROM changed",
    )
    .bind(id)
    .bind(&s.url)
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
    .fetch_optional(pool)
    .await
    .map_err(query_err(OP))?;
    // No row means a concurrent writer already stored this very content.
    Ok(match updated {
        Some(_) => StoreOutcome::Updated(id),
        None => StoreOutcome::Unchanged(id),
    })
}

pub(super) async fn story_identity(
    pool: &PgPool,
    source: SourceId,
    guid: &str,
) -> Result<Option<(StoryId, String)>> {
    let known: Option<KnownStory> =
        sqlx::query_as("SELECT id, content_hash FROM stories WHERE source_id = $1 AND guid = $2")
            .bind(source)
            .bind(guid)
            .fetch_optional(pool)
            .await
            .map_err(query_err("story_identity"))?;
    Ok(known.map(|k| (k.id, k.content_hash)))
}

pub(super) async fn story(pool: &PgPool, id: StoryId) -> Result<Option<Story>> {
    let row: Option<StoryRow> = sqlx::query_as(
        "SELECT s.id, s.cluster_id, s.slug, s.source_id, src.name AS source_name, s.guid, s.url,
                s.headline, s.standfirst, s.byline, s.dateline, s.published_at,
                s.published_offset, s.updated_at, s.updated_offset, s.content_html, s.text,
                s.image_url, s.image_caption, s.image_credit, s.image_alt,
                s.categories::text AS categories,
                s.content_hash
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
                s.content_hash
         FROM stories s JOIN sources src ON src.id = s.source_id
         WHERE ($1::bigint IS NULL OR s.source_id = $1)
           AND ($2::bigint IS NULL OR EXISTS (
                SELECT 1 FROM placements p WHERE p.story_id = s.id AND p.site_id = $2))
         ORDER BY s.published_at DESC, s.id DESC
         LIMIT $3",
    )
    .bind(filter.source)
    .bind(filter.site)
    .bind(limit_or_default(filter.limit))
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
        Some(section) => sqlx::query_as(
            "SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline,
                    s.standfirst, s.dateline, s.lead, s.published_at, s.published_offset,
                    s.image_url, s.image_caption, s.image_credit, s.image_alt, p.section
             FROM placements p
             JOIN stories s ON s.id = p.story_id
             JOIN sources src ON src.id = s.source_id
             WHERE p.site_id = $1 AND p.section = $2
             ORDER BY p.published_at DESC, p.story_id DESC
             LIMIT $3 OFFSET $4",
        )
        .bind(site)
        .bind(section)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(query_err(OP))?,
        None => sqlx::query_as(
            "SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline,
                    s.standfirst, s.dateline, s.lead, s.published_at, s.published_offset,
                    s.image_url, s.image_caption, s.image_credit, s.image_alt, p.section
             FROM placements p
             JOIN stories s ON s.id = p.story_id
             JOIN sources src ON src.id = s.source_id
             WHERE p.site_id = $1
             ORDER BY p.published_at DESC, p.story_id DESC
             LIMIT $2 OFFSET $3",
        )
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
            sqlx::query_as("SELECT COUNT(*) FROM placements WHERE site_id = $1 AND section = $2")
                .bind(site)
                .bind(section)
                .fetch_one(pool)
                .await
        }
        None => {
            sqlx::query_as("SELECT COUNT(*) FROM placements WHERE site_id = $1")
                .bind(site)
                .fetch_one(pool)
                .await
        }
    }
    .map_err(query_err(OP))?;
    Ok(count)
}
