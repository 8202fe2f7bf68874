//! Per-site search on SQLite: the FTS5 index `stories_fts` (migration 0004), kept in step with
//! `stories` by triggers.
//!
//! Input: a site and a [`SearchQuery`]. Output: one page of hits, the best-ranked story of each
//! cluster placed on the site, ranked by weighted BM25 (headline ten times the body) with the
//! newest first among equals, and the number of such clusters. The reader's text only ever
//! reaches FTS5 as quoted runs of letters and digits, so no input is a syntax error. Killed
//! stories are left out (a cluster is then represented by its best living member). Never
//! writes.

use masthead_model::{SearchHit, SearchPage, SearchQuery, SearchTerm, SiteId, StorySummary};
use sqlx::{FromRow, SqlitePool};

use crate::Result;
use crate::rows::{SummaryRow, query_err};

/// The FTS5 expression for the terms: each a quoted phrase (letters and digits only, so nothing
/// in it needs escaping), all required; `*` after a phrase makes its last word a prefix.
/// `None` when there is nothing to search for.
pub(crate) fn match_expression(terms: &[SearchTerm]) -> Option<String> {
    let phrases: Vec<String> = terms
        .iter()
        .map(|t| {
            let star = if t.prefix { "*" } else { "" };
            format!("\"{}\"{star}", t.words.join(" "))
        })
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" "))
}

#[derive(Debug, FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    rank: f64,
    total: i64,
}

#[derive(Debug, FromRow)]
struct SnippetRow {
    id: i64,
    snippet: String,
}

pub(super) async fn search(
    pool: &SqlitePool,
    site: SiteId,
    query: &SearchQuery,
) -> Result<SearchPage> {
    const OP: &str = "search";
    let Some(expr) = match_expression(&query.terms()) else {
        return Ok(SearchPage::default());
    };
    let limit = query.limit_or_default();
    let offset = query.offset.max(0);
    let rows = hits(pool, site, query, &expr, limit, offset).await?;
    let total = match rows.first() {
        Some(row) => row.total,
        // Past the last page the window count has no row to ride on: ask for the first hit.
        None if offset > 0 => hits(pool, site, query, &expr, 1, 0)
            .await?
            .first()
            .map_or(0, |r| r.total),
        None => 0,
    };
    if rows.is_empty() {
        return Ok(SearchPage {
            hits: Vec::new(),
            total,
        });
    }

    // snippet() needs the full-text cursor, so it runs on the page's rows only, each found by
    // rowid inside the same MATCH.
    let ids: Vec<i64> = rows.iter().map(|r| r.summary.id).collect();
    let ids_json = serde_json::to_string(&ids).map_err(|e| crate::StoreError::Corrupt {
        what: "search page ids",
        detail: e.to_string(),
    })?;
    // Column 2 is the body; 24 tokens around the matches.
    let snippets: Vec<SnippetRow> = sqlx::query_as(
        "SELECT rowid AS id, snippet(stories_fts, 2, char(2), char(3), '…', 24) AS snippet
         FROM stories_fts
         WHERE stories_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?2))",
    )
    .bind(&expr)
    .bind(&ids_json)
    .fetch_all(pool)
    .await
    .map_err(query_err(OP))?;

    let hits = rows
        .into_iter()
        .map(|row| {
            let id = row.summary.id;
            let snippet = snippets
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.snippet.clone())
                .unwrap_or_default();
            SearchHit {
                summary: StorySummary::from(row.summary),
                snippet,
                rank: row.rank,
            }
        })
        .collect();
    Ok(SearchPage { hits, total })
}

async fn hits(
    pool: &SqlitePool,
    site: SiteId,
    query: &SearchQuery,
    expr: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<HitRow>> {
    // `ranked` keeps each cluster's best match on the site; `page` cuts the page and counts
    // all of them; only then are the page's summaries read.
    // bm25 weights per column: headline 10, standfirst 5, body 1, dateline 2.
    sqlx::query_as(
        "WITH matched AS (
             SELECT rowid AS id, -bm25(stories_fts, 10.0, 5.0, 1.0, 2.0) AS rank
             FROM stories_fts WHERE stories_fts MATCH ?1
         ),
         ranked AS (
             SELECT m.id, m.rank, p.published_at, p.section,
                    ROW_NUMBER() OVER (
                        PARTITION BY s.cluster_id
                        ORDER BY m.rank DESC, p.published_at DESC, m.id DESC) AS nth
             FROM matched m
             JOIN placements p ON p.story_id = m.id AND p.site_id = ?2
             JOIN stories s ON s.id = m.id
             WHERE s.killed_at IS NULL
               AND (?3 IS NULL OR p.section = ?3)
               AND (?4 IS NULL OR p.published_at >= ?4)
               AND (?5 IS NULL OR p.published_at < ?5)
         ),
         page AS (
             SELECT id, rank, published_at, section, COUNT(*) OVER () AS total
             FROM ranked WHERE nth = 1
             ORDER BY rank DESC, published_at DESC, id DESC
             LIMIT ?6 OFFSET ?7
         )
         SELECT s.id, s.cluster_id, s.slug, src.name AS source_name, s.headline, s.standfirst,
                s.dateline, s.lead, s.published_at, s.published_offset, s.image_url,
                s.image_caption, s.image_credit, s.image_alt, page.section,
                page.rank, page.total
         FROM page
         JOIN stories s ON s.id = page.id
         JOIN sources src ON src.id = s.source_id
         ORDER BY page.rank DESC, page.published_at DESC, page.id DESC",
    )
    .bind(expr)
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

    fn expr(text: &str) -> Option<String> {
        match_expression(
            &SearchQuery {
                text: text.to_owned(),
                ..SearchQuery::default()
            }
            .terms(),
        )
    }

    #[test]
    fn expressions_are_quoted_phrases() {
        assert_eq!(expr("Putin talks").as_deref(), Some("\"putin\" \"talks\""));
        assert_eq!(expr("don’t stop*").as_deref(), Some("\"don t\" \"stop\"*"));
        assert_eq!(
            expr("NEAR( AND OR").as_deref(),
            Some("\"near\" \"and\" \"or\"")
        );
        assert_eq!(expr("\" * ()"), None);
    }
}
