//! The moderation queue: releases waiting, one release with its edit form and decisions, and
//! the uploaded images.
//!
//! - `GET /admin` → `/admin/releases`; `GET /admin/releases?site=&kind=&status=`: submitted
//!   releases by default, oldest first, only those meant for at least one of the account's
//!   sites.
//! - `GET /admin/releases/{id}`: every field, the image, the edit form (with the version as a
//!   hidden field) and the decisions. A release of no site of the account's answers 403.
//! - `POST /admin/releases/{id}/edit`: saved only at the version the editor saw
//!   (`Store::edit_release`); otherwise nothing is overwritten and the page shows the other
//!   editor's version, with the refused text beside it.
//! - `POST …/approve` (sites chosen, each one the account's: else 403) → [`Newsroom::approve`]
//!   makes the story, then `decide_release(Approved, story)`; `…/reject` needs a reason, then
//!   [`Newsroom::notify`] mails it; `…/spam`. Each checks the version first.
//! - `GET /admin/uploads/{file}?release={id}`: the release's image, if the account may see the
//!   release, with its stored type, `Content-Disposition: inline` and `nosniff`; a name is
//!   never a path (letters, digits, `.`, `-`, `_` only) and must be the release's own.
//!
//! Every decision and edit is audited.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};
use masthead_model::{OffsetTime, Release, ReleaseId, ReleaseKind, ReleaseStatus, Site, SiteId};

use super::{AdminChrome, AdminCtx, AdminError, AdminForm, Nav, see_other};

/// Releases one queue page lists.
const QUEUE_LIMIT: i64 = 200;
const MAX_HEADLINE_CHARS: usize = 300;

/// `/admin` is the queue.
pub(crate) async fn dashboard(_ctx: AdminCtx) -> Response {
    see_other("/admin/releases")
}

/// A time as the admin shows it: UTC, to the minute.
pub(crate) fn when(t: OffsetTime) -> String {
    jiff::Timestamp::from_microsecond(t.unix_micros)
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Whether the account may see and work on `release`: an admin always, an editor when it is
/// meant for at least one of the editor's sites.
fn visible(ctx: &AdminCtx, release: &Release) -> bool {
    ctx.is_admin() || release.release.sites.iter().any(|s| ctx.user.may_edit(*s))
}

/// The release, or 404 when there is none, 403 when it is not the account's to see.
async fn load(ctx: &AdminCtx, id: ReleaseId) -> Result<Release, AdminError> {
    match ctx.app.store.release(id).await? {
        None => Err(AdminError::NotFound("release")),
        Some(release) if visible(ctx, &release) => Ok(release),
        Some(_) => Err(AdminError::Forbidden),
    }
}

async fn site_map(ctx: &AdminCtx) -> Result<HashMap<SiteId, Site>, AdminError> {
    Ok(ctx
        .app
        .store
        .sites()
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

fn site_names(sites: &HashMap<SiteId, Site>, ids: &[SiteId]) -> String {
    ids.iter()
        .map(|id| {
            sites
                .get(id)
                .map_or_else(|| format!("site {id}"), |s| s.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- The queue ----

#[derive(Debug)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Debug)]
struct QueueRow {
    id: ReleaseId,
    reference: String,
    headline: String,
    kind: &'static str,
    organisation: String,
    sites: String,
    submitted: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage {
    admin: AdminChrome,
    sites: Vec<Choice>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<QueueRow>,
    heading: String,
}

pub(crate) async fn queue(
    ctx: AdminCtx,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    let site = match query.text("site") {
        "" => None,
        s => Some(s.parse::<SiteId>().map_err(|_| {
            AdminError::BadRequest("The site filter must be a site's number.".to_owned())
        })?),
    };
    if site.is_some_and(|s| !ctx.user.may_edit(s)) {
        return Err(AdminError::Forbidden);
    }
    let kind =
        match query.text("kind") {
            "" => None,
            k => Some(ReleaseKind::parse(k).ok_or_else(|| {
                AdminError::BadRequest(format!("There is no release kind {k:?}."))
            })?),
        };
    let status_text = match query.text("status") {
        "" => "submitted",
        s => s,
    };
    let status =
        match status_text {
            "all" => None,
            s => Some(ReleaseStatus::parse(s).ok_or_else(|| {
                AdminError::BadRequest(format!("There is no release status {s:?}."))
            })?),
        };

    let sites = site_map(&ctx).await?;
    let releases = ctx
        .app
        .store
        .releases(status, site, kind, QUEUE_LIMIT)
        .await?;
    let rows = releases
        .iter()
        .filter(|r| visible(&ctx, r))
        .map(|r| QueueRow {
            id: r.id,
            reference: r.reference.clone(),
            headline: r.release.headline.clone(),
            kind: r.release.kind.label(),
            organisation: r.release.organisation.clone(),
            sites: site_names(&sites, &r.release.sites),
            submitted: when(r.submitted_at),
            status: r.status.as_str(),
        })
        .collect();
    let mut site_choices: Vec<Choice> = sites
        .values()
        .filter(|s| ctx.user.may_edit(s.id))
        .map(|s| Choice {
            value: s.id.to_string(),
            label: s.name.clone(),
            selected: site == Some(s.id),
        })
        .collect();
    site_choices.sort_by(|a, b| a.label.cmp(&b.label));
    let kinds = ReleaseKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: k.label().to_owned(),
            selected: kind == Some(k),
        })
        .collect();
    let statuses = ["submitted", "approved", "rejected", "spam", "all"]
        .into_iter()
        .map(|s| Choice {
            value: s.to_owned(),
            label: s.to_owned(),
            selected: s == status_text,
        })
        .collect();
    let heading = if status == Some(ReleaseStatus::Submitted) {
        "Releases waiting".to_owned()
    } else {
        "Releases".to_owned()
    };
    ctx.render(
        StatusCode::OK,
        &QueuePage {
            admin: ctx.chrome("Moderation queue", Nav::Queue),
            sites: site_choices,
            kinds,
            statuses,
            rows,
            heading,
        },
    )
}

// ---- One release ----

/// The edit form's fields.
#[derive(Debug, Clone)]
struct EditFields {
    headline: String,
    body: String,
    dateline: String,
    section: String,
}

impl EditFields {
    fn of(release: &Release) -> Self {
        Self {
            headline: release.release.headline.clone(),
            body: release.release.body.clone(),
            dateline: release.release.dateline.clone().unwrap_or_default(),
            section: release.section.clone().unwrap_or_default(),
        }
    }

    fn from_form(form: &AdminForm) -> Self {
        Self {
            headline: form.text("headline").to_owned(),
            body: form.first("body").unwrap_or_default().trim_end().to_owned(),
            dateline: form.text("dateline").to_owned(),
            section: form.text("section").to_owned(),
        }
    }
}

#[derive(Debug)]
struct SiteChoice {
    id: SiteId,
    name: String,
    /// The account may approve for this site.
    allowed: bool,
}

#[derive(Template)]
#[template(path = "admin/release.html")]
struct ReleasePage {
    admin: AdminChrome,
    csrf: String,
    release: Release,
    kind: &'static str,
    status: &'static str,
    sites: String,
    submitted: String,
    decided: String,
    image_href: Option<String>,
    edit: EditFields,
    /// The text that was refused because someone else saved first.
    refused: Option<EditFields>,
    sections: Vec<String>,
    site_choices: Vec<SiteChoice>,
    open: bool,
    problem: Option<String>,
    notice: Option<String>,
    reason: String,
}

/// What a release page shows besides the release itself.
#[derive(Debug, Default)]
struct Extras {
    edit: Option<EditFields>,
    refused: Option<EditFields>,
    problem: Option<String>,
    notice: Option<String>,
    reason: String,
}

async fn release_page(
    ctx: &AdminCtx,
    status: StatusCode,
    release: Release,
    extras: Extras,
) -> Result<Response, AdminError> {
    let sites = site_map(ctx).await?;
    let mut sections: Vec<String> = release
        .release
        .sites
        .iter()
        .filter_map(|id| sites.get(id))
        .flat_map(|s| s.sections.iter().map(|x| x.slug.clone()))
        .collect();
    sections.sort();
    sections.dedup();
    let site_choices = release
        .release
        .sites
        .iter()
        .map(|id| SiteChoice {
            id: *id,
            name: sites
                .get(id)
                .map_or_else(|| format!("site {id}"), |s| s.name.clone()),
            allowed: ctx.user.may_edit(*id),
        })
        .collect();
    let image_href = release
        .release
        .image
        .as_ref()
        .map(|i| format!("/admin/uploads/{}?release={}", i.file, release.id));
    let page = ReleasePage {
        admin: ctx.chrome(format!("Release {}", release.reference), Nav::Queue),
        csrf: ctx.csrf.clone(),
        kind: release.release.kind.label(),
        status: release.status.as_str(),
        sites: site_names(&sites, &release.release.sites),
        submitted: when(release.submitted_at),
        decided: release.decided_at.map(when).unwrap_or_default(),
        image_href,
        edit: extras.edit.unwrap_or_else(|| EditFields::of(&release)),
        refused: extras.refused,
        sections,
        site_choices,
        open: release.status == ReleaseStatus::Submitted,
        problem: extras.problem,
        notice: extras.notice,
        reason: extras.reason,
        release,
    };
    ctx.render(status, &page)
}

pub(crate) async fn show(
    ctx: AdminCtx,
    Path(id): Path<ReleaseId>,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let release = load(&ctx, id).await?;
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    let notice = match query.text("done") {
        "saved" => Some("Your changes are saved."),
        "approved" => Some("Approved: the release is now a story on the chosen sites."),
        "rejected" => Some("Rejected: the submitter is told why."),
        "rejected-unsent" => {
            Some("Rejected, but the mail to the submitter could not be sent (see the log).")
        }
        "spam" => Some("Marked as spam."),
        _ => None,
    }
    .map(str::to_owned);
    release_page(
        &ctx,
        StatusCode::OK,
        release,
        Extras {
            notice,
            ..Extras::default()
        },
    )
    .await
}

/// The form's `version`, or 400.
fn version_of(form: &AdminForm) -> Result<i32, AdminError> {
    form.text("version").parse().map_err(|_| {
        AdminError::BadRequest(
            "This form has no version: reload the release's page and try again.".to_owned(),
        )
    })
}

const STALE: &str = "Someone else changed this release; here is their version. Your change \
                     was not saved.";

/// The page for a decision or edit that lost to someone else's: the current release.
async fn stale(
    ctx: &AdminCtx,
    id: ReleaseId,
    refused: Option<EditFields>,
) -> Result<Response, AdminError> {
    let current = load(ctx, id).await?;
    release_page(
        ctx,
        StatusCode::CONFLICT,
        current,
        Extras {
            refused,
            problem: Some(STALE.to_owned()),
            ..Extras::default()
        },
    )
    .await
}

fn edit_problem(fields: &EditFields, sections: &[String]) -> Option<String> {
    if fields.headline.is_empty() {
        Some("The headline cannot be empty.".to_owned())
    } else if fields.headline.chars().count() > MAX_HEADLINE_CHARS {
        Some(format!(
            "Keep the headline under {MAX_HEADLINE_CHARS} characters."
        ))
    } else if fields.body.trim().is_empty() {
        Some("The body cannot be empty.".to_owned())
    } else if !fields.section.is_empty() && !sections.contains(&fields.section) {
        Some(format!(
            "There is no section {:?} on the release's sites.",
            fields.section
        ))
    } else {
        None
    }
}

pub(crate) async fn edit(
    ctx: AdminCtx,
    Path(id): Path<ReleaseId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = ctx.form(&body)?;
    let release = load(&ctx, id).await?;
    let version = version_of(&form)?;
    let fields = EditFields::from_form(&form);
    let sites = site_map(&ctx).await?;
    let sections: Vec<String> = release
        .release
        .sites
        .iter()
        .filter_map(|s| sites.get(s))
        .flat_map(|s| s.sections.iter().map(|x| x.slug.clone()))
        .collect();
    if let Some(problem) = edit_problem(&fields, &sections) {
        return release_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            release,
            Extras {
                edit: Some(fields),
                problem: Some(problem),
                ..Extras::default()
            },
        )
        .await;
    }
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let saved = ctx
        .app
        .store
        .edit_release(
            id,
            version,
            &fields.headline,
            &fields.body,
            optional(&fields.dateline).as_deref(),
            optional(&fields.section).as_deref(),
        )
        .await?;
    if saved.is_none() {
        return stale(&ctx, id, Some(fields)).await;
    }
    ctx.audit(
        ctx.app.store.as_ref(),
        "release.edit",
        &format!("release {id}"),
        &format!("version {version}"),
    )
    .await?;
    Ok(see_other(&format!("/admin/releases/{id}?done=saved")))
}

/// The release, open for a decision at the form's version; else the right refusal page.
async fn decidable(
    ctx: &AdminCtx,
    id: ReleaseId,
    form: &AdminForm,
) -> Result<Result<(Release, i32), Response>, AdminError> {
    let release = load(ctx, id).await?;
    let version = version_of(form)?;
    if release.version != version {
        return Ok(Err(stale(ctx, id, None).await?));
    }
    if release.status != ReleaseStatus::Submitted {
        let status = release.status;
        let page = release_page(
            ctx,
            StatusCode::CONFLICT,
            release,
            Extras {
                problem: Some(format!(
                    "This release was decided already ({}).",
                    status.as_str()
                )),
                ..Extras::default()
            },
        )
        .await?;
        return Ok(Err(page));
    }
    Ok(Ok((release, version)))
}

pub(crate) async fn approve(
    ctx: AdminCtx,
    Path(id): Path<ReleaseId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = ctx.form(&body)?;
    let (release, version) = match decidable(&ctx, id, &form).await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let mut chosen = Vec::new();
    for value in form.all("site") {
        let site: SiteId = value.trim().parse().map_err(|_| {
            AdminError::BadRequest("A chosen site is not a site's number.".to_owned())
        })?;
        if !release.release.sites.contains(&site) {
            return Err(AdminError::BadRequest(
                "A release can only be approved for the sites it was submitted to.".to_owned(),
            ));
        }
        if !ctx.user.may_edit(site) {
            return Err(AdminError::Forbidden);
        }
        if !chosen.contains(&site) {
            chosen.push(site);
        }
    }
    if chosen.is_empty() {
        return release_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            release,
            Extras {
                problem: Some("Choose at least one site to publish the release on.".to_owned()),
                ..Extras::default()
            },
        )
        .await;
    }
    let Some(newsroom) = ctx.state.newsroom.clone() else {
        return Err(AdminError::Unavailable(
            "Approving needs the newsroom service, which this server was started without. \
             Use `masthead releases approve` or ask the operator."
                .to_owned(),
        ));
    };
    let mut publish = release.clone();
    publish.release.sites = chosen.clone();
    let by = ctx.user.email.clone();
    let story = match newsroom.approve(&publish, &by).await {
        Ok(story) => story,
        Err(error) => {
            tracing::error!(release.id = id, %error, "approving a release failed");
            return Err(AdminError::Unavailable(
                "The release could not be published just now; nothing was changed. Try again \
                 in a moment."
                    .to_owned(),
            ));
        }
    };
    let decided = ctx
        .app
        .store
        .decide_release(
            id,
            version,
            ReleaseStatus::Approved,
            &by,
            None,
            Some(story),
            OffsetTime::now_utc(),
        )
        .await?;
    if decided.is_none() {
        tracing::warn!(
            release.id = id,
            story.id = story,
            "a release changed while its story was made; the decision was not recorded"
        );
        return stale(&ctx, id, None).await;
    }
    ctx.app.cache.invalidate();
    let sites: Vec<String> = chosen.iter().map(SiteId::to_string).collect();
    ctx.audit(
        ctx.app.store.as_ref(),
        "release.approve",
        &format!("release {id}"),
        &format!("story {story}; sites {}", sites.join(",")),
    )
    .await?;
    Ok(see_other(&format!("/admin/releases/{id}?done=approved")))
}

pub(crate) async fn reject(
    ctx: AdminCtx,
    Path(id): Path<ReleaseId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = ctx.form(&body)?;
    let (release, version) = match decidable(&ctx, id, &form).await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let reason = form.text("reason");
    if reason.is_empty() {
        return release_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            release,
            Extras {
                problem: Some(
                    "Give the submitter a reason for the rejection: it is mailed to them."
                        .to_owned(),
                ),
                ..Extras::default()
            },
        )
        .await;
    }
    let decided = ctx
        .app
        .store
        .decide_release(
            id,
            version,
            ReleaseStatus::Rejected,
            &ctx.user.email,
            Some(reason),
            None,
            OffsetTime::now_utc(),
        )
        .await?;
    let Some(decided) = decided else {
        return stale(&ctx, id, None).await;
    };
    ctx.audit(
        ctx.app.store.as_ref(),
        "release.reject",
        &format!("release {id}"),
        reason,
    )
    .await?;
    let sent = match &ctx.state.newsroom {
        Some(newsroom) => match newsroom.notify(&decided, ReleaseStatus::Rejected).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(release.id = id, %error, "mailing a rejection failed");
                false
            }
        },
        None => false,
    };
    let done = if sent { "rejected" } else { "rejected-unsent" };
    Ok(see_other(&format!("/admin/releases/{id}?done={done}")))
}

pub(crate) async fn spam(
    ctx: AdminCtx,
    Path(id): Path<ReleaseId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = ctx.form(&body)?;
    let version = match decidable(&ctx, id, &form).await? {
        Ok((_, version)) => version,
        Err(page) => return Ok(page),
    };
    let decided = ctx
        .app
        .store
        .decide_release(
            id,
            version,
            ReleaseStatus::Spam,
            &ctx.user.email,
            None,
            None,
            OffsetTime::now_utc(),
        )
        .await?;
    if decided.is_none() {
        return stale(&ctx, id, None).await;
    }
    ctx.audit(
        ctx.app.store.as_ref(),
        "release.spam",
        &format!("release {id}"),
        "",
    )
    .await?;
    Ok(see_other(&format!("/admin/releases/{id}?done=spam")))
}

// ---- Uploaded images ----

/// A generated upload name: no path separators, no leading dot, nothing but `[A-Za-z0-9._-]`.
fn plain_name(file: &str) -> bool {
    !file.is_empty()
        && file.len() <= 200
        && !file.starts_with('.')
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

pub(crate) async fn upload(
    ctx: AdminCtx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    if !plain_name(&file) {
        return Err(AdminError::NotFound("file"));
    }
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    let id: ReleaseId = query.text("release").parse().map_err(|_| {
        AdminError::BadRequest(
            "Say which release the image belongs to: /admin/uploads/{file}?release={id}."
                .to_owned(),
        )
    })?;
    let release = load(&ctx, id).await?;
    let Some(image) = release.release.image.filter(|i| i.file == file) else {
        return Err(AdminError::NotFound("file"));
    };
    let Some(dir) = &ctx.state.uploads_dir else {
        return Err(AdminError::NotFound("file"));
    };
    let bytes = match tokio::fs::read(dir.join(&image.file)).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(release.id = id, %error, "an uploaded image cannot be read");
            return Err(AdminError::NotFound("file"));
        }
    };
    // Only the image types the form accepts are served as themselves.
    let content_type = match image.content_type.as_str() {
        t @ ("image/jpeg" | "image/png" | "image/webp") => t,
        _ => "application/octet-stream",
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", image.file),
            ),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_never_paths() {
        assert!(plain_name("a1b2c3.jpg"));
        assert!(plain_name("rel-12_x.webp"));
        assert!(!plain_name("../secret"));
        assert!(!plain_name(".hidden"));
        assert!(!plain_name("a/b.jpg"));
        assert!(!plain_name("a\\b.jpg"));
        assert!(!plain_name(""));
        assert!(!plain_name("a b.jpg"));
    }
}
