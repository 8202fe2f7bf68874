//! Per-site search on PostgreSQL: the generated `stories.search` tsvector and its GIN index
//! (migration 0004), computed by the statement that writes the story.
//!
//! Input: a site and a [`SearchQuery`]. Output: one page of hits, the best-ranked story of each
//! cluster placed on the site, ranked by `ts_rank` over weighted lexemes (headline A, body C)
//! with the newest first among equals, and the number of such clusters; snippets from
//! `ts_headline`. The reader's text only ever reaches `to_tsquery` as runs of letters and
//! digits joined by our own operators, so no input is a syntax error. Killed stories are left
//! out (a cluster is then represented by its best living member). Never writes.

use masthead_model::{SearchHit, SearchPage, SearchQuery, SearchTerm, SiteId, StorySummary};
use sqlx::{FromRow, PgPool};

use crate::Result;
use crate::rows::{SummaryRow, query_err};

/// The `to_tsquery` text for the terms: words of one term follow each other (`<->`), terms are
/// all required (`&`), and `:*` makes a prefix. Words are letters and digits only, so none is
/// read as an operator. `None` when there is nothing to search for.
pub(crate) fn tsquery_text(terms: &[SearchTerm]) -> Option<String> {
    let parts: Vec<String> = terms
        .iter()
        .map(|t| {
            let star = if t.prefix { ":*" } else { "" };
            let phrase = t.words.join(" <-> ");
            if t.words.len() > 1 {
                format!("({phrase}{star})")
            } else {
                format!("{phrase}{star}")
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" & "))
}

#[derive(Debug, FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    rank: f64,
    total: i64,
    snippet: String,
}

pub(super) async fn search(pool: &PgPool, site: SiteId, query: &SearchQuery) -> Result<SearchPage> {
    let Some(text) = tsquery_text(&query.terms()) else {
        return Ok(SearchPage::default());
    };
    let limit = query.limit_or_default();
    let offset = query.offset.max(0);
    let rows = hits(pool, site, query, &text, limit, offset).await?;
    let total = match rows.first() {
        Some(row) => row.total,
        // Past the last page the window count has no row to ride on: ask for the first hit.
        None if offset > 0 => hits(pool, site, query, &text, 1, 0)
            .await?
            .first()
            .map_or(0, |r| r.total),
        None => 0,
    };
    let hits = rows
        .into_iter()
        .map(|row| SearchHit {
            summary: StorySummary::from(row.summary),
            snippet: row.snippet,
            rank: row.rank,
        })
        .collect();
    Ok(SearchPage { hits, total })
}

async fn hits(
    pool: &PgPool,
    site: SiteId,
    query: &SearchQuery,
    text: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<HitRow>> {
    // `ranked` keeps each cluster's best match on the site; `page` cuts the page and counts
    // all of them; only the page's rows are read whole and given a ts_headline snippet.
    sqlx::query_as(
        "WITH q AS (SELECT to_tsquery('english', $1) AS query),
         ranked AS (
             SELECT DISTINCT ON (s.cluster_id)
                    s.id, p.published_at, p.section, ts_rank(s.search, q.query) AS rank
             FROM q, stories s
             JOIN placements p ON p.story_id = s.id AND p.site_id = $2
             WHERE s.search @@ q.query
               AND s.killed_at IS NULL
               AND ($3::text IS NULL OR p.section = $3)
               AND ($4::bigint IS NULL OR p.published_at >= $4)
               AND ($5::bigint IS NULL OR p.published_at < $5)
             ORDER BY s.cluster_id, rank DESC, p.published_at DESC, s.id DESC
         ),
         page AS (
             SELECT id, published_at, section, rank, COUNT(*) OVER () AS total
             FROM ranked
             ORDER BY rank DESC, published_at DESC, id DESC
             LIMIT $6 OFFSET $7
         )
         SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline, s.standfirst,
                s.dateline, s.lead, s.published_at, s.published_offset, s.image_url,
                s.image_caption, s.image_credit, s.image_alt, page.section,
                page.rank::float8 AS rank, page.total,
                ts_headline('english', s.text, q.query,
                    'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                    || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"')
                    AS snippet
         FROM page
         JOIN stories s ON s.id = page.id
         JOIN sources src ON src.id = s.source_id
         CROSS JOIN q
         ORDER BY page.rank DESC, page.published_at DESC, page.id DESC",
    )
    .bind(text)
    .bind(site)
    .bind(&query.section)
    .bind(query.from)
    .bind(query.to)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(query_err("search"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(q: &str) -> Option<String> {
        tsquery_text(
            &SearchQuery {
                text: q.to_owned(),
                ..SearchQuery::default()
            }
            .terms(),
        )
    }

    #[test]
    fn tsqueries_use_only_our_operators() {
        assert_eq!(text("Putin talks").as_deref(), Some("putin & talks"));
        assert_eq!(
            text("president’s stop*").as_deref(),
            Some("(president <-> s) & stop:*")
        );
        assert_eq!(text("don’t*").as_deref(), Some("(don <-> t:*)"));
        assert_eq!(text("'; DROP TABLE").as_deref(), Some("drop & table"));
        assert_eq!(text("! & | <-> ()"), None);
    }
}
