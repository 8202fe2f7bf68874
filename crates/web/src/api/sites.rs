//! `GET /api/v1/sites`, `/sites/{slug}` and `/sites/{slug}/sections`.
//!
//! Input: a read token and a site's slug. Output: the sites as the store holds them now, with
//! their absolute addresses. Never lists anything secret (sites hold nothing secret).

use axum::Json;
use axum::extract::{Path, State};
use masthead_model::Site;
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::ApiError;
use super::tokens::ReadAccess;
use super::{ApiState, site_or_404, site_url};
use crate::AppState;

/// One site (a masthead) of the network.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SiteView {
    pub id: i64,
    /// Stable, URL-safe name: `orlando-echo`.
    pub slug: String,
    pub name: String,
    pub tagline: String,
    /// IANA time zone its pages show times in.
    pub time_zone: String,
    /// Host names that select it.
    pub hosts: Vec<String>,
    /// Its home page.
    pub url: String,
    /// In the order its navigation shows them.
    pub sections: Vec<SectionView>,
}

/// A section of a site.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SectionView {
    /// URL-safe: `world`.
    pub slug: String,
    /// As navigation shows it: `World`.
    pub name: String,
    /// The section's page.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SiteList {
    pub sites: Vec<SiteView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SectionList {
    pub sections: Vec<SectionView>,
}

fn sections_of(site: &Site, url: &str) -> Vec<SectionView> {
    site.sections
        .iter()
        .map(|s| SectionView {
            slug: s.slug.clone(),
            name: s.name.clone(),
            url: format!("{url}/section/{}", s.slug),
        })
        .collect()
}

fn view(app: &AppState, site: Site) -> SiteView {
    let url = site_url(app, &site);
    SiteView {
        sections: sections_of(&site, &url),
        id: site.id,
        slug: site.slug,
        name: site.name,
        tagline: site.tagline,
        time_zone: site.time_zone,
        hosts: site.hosts,
        url,
    }
}

/// The sites of the network.
#[utoipa::path(
    get,
    path = "/api/v1/sites",
    tag = "sites",
    operation_id = "list_sites",
    security(("bearer" = [])),
    responses((status = 200, description = "Every site of the network", body = SiteList))
)]
pub(crate) async fn list_sites(
    _: ReadAccess,
    State(api): State<ApiState>,
) -> Result<Json<SiteList>, ApiError> {
    let sites = api.app.store.sites().await?;
    Ok(Json(SiteList {
        sites: sites.into_iter().map(|s| view(&api.app, s)).collect(),
    }))
}

/// One site.
#[utoipa::path(
    get,
    path = "/api/v1/sites/{slug}",
    tag = "sites",
    operation_id = "get_site",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The site's slug")),
    responses(
        (status = 200, description = "The site", body = SiteView),
        (status = 404, description = "No site has this slug")
    )
)]
pub(crate) async fn get_site(
    _: ReadAccess,
    State(api): State<ApiState>,
    Path(slug): Path<String>,
) -> Result<Json<SiteView>, ApiError> {
    let site = site_or_404(&api.app, &slug).await?;
    Ok(Json(view(&api.app, site)))
}

/// A site's sections, in navigation order.
#[utoipa::path(
    get,
    path = "/api/v1/sites/{slug}/sections",
    tag = "sites",
    operation_id = "list_sections",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The site's slug")),
    responses(
        (status = 200, description = "The site's sections", body = SectionList),
        (status = 404, description = "No site has this slug")
    )
)]
pub(crate) async fn list_sections(
    _: ReadAccess,
    State(api): State<ApiState>,
    Path(slug): Path<String>,
) -> Result<Json<SectionList>, ApiError> {
    let site = site_or_404(&api.app, &slug).await?;
    let url = site_url(&api.app, &site);
    Ok(Json(SectionList {
        sections: sections_of(&site, &url),
    }))
}
