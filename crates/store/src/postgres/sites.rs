//! Sites, their hosts and sections on PostgreSQL.
//!
//! Input: site specs, slugs, hosts. Output: [`Site`]s read back whole. A site's three tables
//! are written in one transaction and read in one, so nobody sees half a site. Never routes.

use masthead_model::{Site, SiteSpec};
use sqlx::{PgPool, Postgres, Transaction};

use crate::rows::{
    HostRow, SectionRow, SiteRow, assemble_sites, check_sections, clean_hosts, position, query_err,
};
use crate::{Result, StoreError};

/// Reads of a site's three tables see one snapshot, never half of a concurrent upsert.
const READ_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

pub(super) async fn upsert_site(pool: &PgPool, spec: &SiteSpec) -> Result<Site> {
    const OP: &str = "upsert_site";
    check_sections(&spec.slug, &spec.sections)?;
    let hosts = clean_hosts(&spec.hosts);
    // The upsert locks the site's row, so two writers of one site take turns; a host claimed
    // by another site's open transaction makes `ON CONFLICT` below wait for its outcome.
    let mut tx = pool.begin().await.map_err(query_err(OP))?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sites (slug, name, time_zone, tagline) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slug) DO UPDATE
         SET name = excluded.name, time_zone = excluded.time_zone, tagline = excluded.tagline
         RETURNING id",
    )
    .bind(&spec.slug)
    .bind(&spec.name)
    .bind(&spec.time_zone)
    .bind(&spec.tagline)
    .fetch_one(&mut *tx)
    .await
    .map_err(query_err(OP))?;

    sqlx::query("DELETE FROM site_hosts WHERE site_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    for (i, host) in hosts.iter().enumerate() {
        let inserted = sqlx::query(
            "INSERT INTO site_hosts (host, site_id, position) VALUES ($1, $2, $3)
             ON CONFLICT (host) DO NOTHING",
        )
        .bind(host)
        .bind(id)
        .bind(position(i))
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?
        .rows_affected();
        if inserted == 0 {
            let owner: Option<(String,)> = sqlx::query_as(
                "SELECT s.slug FROM site_hosts h JOIN sites s ON s.id = h.site_id WHERE h.host = $1",
            )
            .bind(host)
            .fetch_optional(&mut *tx)
            .await
            .map_err(query_err(OP))?;
            return Err(match owner {
                Some((other_site,)) => StoreError::HostTaken {
                    host: host.clone(),
                    site: spec.slug.clone(),
                    other_site,
                },
                // Its owner let go of it between the two statements: the caller may retry.
                None => StoreError::Contended {
                    op: OP,
                    what: format!("host {host:?}"),
                },
            });
        }
    }

    sqlx::query("DELETE FROM sections WHERE site_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    for (i, section) in spec.sections.iter().enumerate() {
        sqlx::query("INSERT INTO sections (site_id, slug, name, position) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&section.slug)
            .bind(&section.name)
            .bind(position(i))
            .execute(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    }
    tx.commit().await.map_err(query_err(OP))?;

    Ok(Site {
        id,
        slug: spec.slug.clone(),
        name: spec.name.clone(),
        hosts,
        time_zone: spec.time_zone.clone(),
        tagline: spec.tagline.clone(),
        sections: spec.sections.clone(),
    })
}

pub(super) async fn sites(pool: &PgPool) -> Result<Vec<Site>> {
    const OP: &str = "sites";
    let mut tx = pool
        .begin_with(READ_SNAPSHOT)
        .await
        .map_err(query_err(OP))?;
    let sites: Vec<SiteRow> =
        sqlx::query_as("SELECT id, slug, name, time_zone, tagline FROM sites ORDER BY slug")
            .fetch_all(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    let hosts: Vec<HostRow> =
        sqlx::query_as("SELECT site_id, host FROM site_hosts ORDER BY site_id, position")
            .fetch_all(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    let sections: Vec<SectionRow> =
        sqlx::query_as("SELECT site_id, slug, name FROM sections ORDER BY site_id, position")
            .fetch_all(&mut *tx)
            .await
            .map_err(query_err(OP))?;
    tx.commit().await.map_err(query_err(OP))?;
    Ok(assemble_sites(sites, hosts, sections))
}

pub(super) async fn site_by_slug(pool: &PgPool, slug: &str) -> Result<Option<Site>> {
    const OP: &str = "site_by_slug";
    let mut tx = pool
        .begin_with(READ_SNAPSHOT)
        .await
        .map_err(query_err(OP))?;
    let id: Option<(i64,)> = sqlx::query_as("SELECT id FROM sites WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let site = match id {
        Some((id,)) => site_by_id(&mut tx, id, OP).await?,
        None => None,
    };
    tx.commit().await.map_err(query_err(OP))?;
    Ok(site)
}

pub(super) async fn site_by_host(pool: &PgPool, host: &str) -> Result<Option<Site>> {
    const OP: &str = "site_by_host";
    let host = host.trim().to_ascii_lowercase();
    let mut tx = pool
        .begin_with(READ_SNAPSHOT)
        .await
        .map_err(query_err(OP))?;
    let id: Option<(i64,)> = sqlx::query_as("SELECT site_id FROM site_hosts WHERE host = $1")
        .bind(&host)
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(OP))?;
    let site = match id {
        Some((id,)) => site_by_id(&mut tx, id, OP).await?,
        None => None,
    };
    tx.commit().await.map_err(query_err(OP))?;
    Ok(site)
}

async fn site_by_id(
    tx: &mut Transaction<'static, Postgres>,
    id: i64,
    op: &'static str,
) -> Result<Option<Site>> {
    let site: Option<SiteRow> =
        sqlx::query_as("SELECT id, slug, name, time_zone, tagline FROM sites WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(query_err(op))?;
    let Some(site) = site else {
        return Ok(None);
    };
    let hosts: Vec<HostRow> =
        sqlx::query_as("SELECT site_id, host FROM site_hosts WHERE site_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await
            .map_err(query_err(op))?;
    let sections: Vec<SectionRow> = sqlx::query_as(
        "SELECT site_id, slug, name FROM sections WHERE site_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(query_err(op))?;
    Ok(assemble_sites(vec![site], hosts, sections).pop())
}
