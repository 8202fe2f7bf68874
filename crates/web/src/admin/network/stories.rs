//! Stories in the admin: search and the newest list, one story with its placements, revisions
//! and cluster, pinning a cluster's story, killing a story; and the stories no site carries.
//!
//! - `GET /admin/stories?q=&site=`: with `q`, the store's full-text search on each site the
//!   account may see (or the one `site` names); without, the newest stories, killed ones
//!   included and marked.
//! - `GET /admin/stories/{id}`: the story; 403 when it is not placed on any of the account's
//!   sites (a story no site carries: admins and editors of every site only).
//! - `POST /admin/stories/{id}/kill`: field `reason` (required); the store records who (the
//!   account's email), why and when, and the story's pages answer 410 from then on.
//! - `POST /admin/stories/{id}/pin`: pages show this story for its cluster; `…/unpin` undoes
//!   any pin of the story's cluster. Field `back`: the story page to return to.
//! - `POST /admin/stories/{id}/correct`: fields `headline` (required), `standfirst` (optional)
//!   and `body` (HTML, required): the body passes `masthead_normalize::sanitize` and its text
//!   is derived with `plain_text`; the store keeps the replaced version as a revision. Errors:
//!   422 with the form again, the message next to it. A correction is the network's own edit:
//!   the source's next change to the story replaces it (and keeps it as a revision in turn).
//! - `GET /admin/unplaced`: stories no site carries (admins and editors of every site).

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use masthead_model::{OffsetTime, Placement, SearchQuery, Site, SiteId, Story, StoryId, User};
use masthead_store::StoryFilter;

use super::{
    Answer, bad_request, covers_every_site, is_admin, page, page_with, query_fields, see_other,
    utc, utc_opt,
};
use crate::AppState;
use crate::admin::{AdminChrome, AdminCtx, AdminError, AdminForm, Nav};

const LIST_LIMIT: i64 = 50;
const UNPLACED_LIMIT: i64 = 100;
const MAX_REASON_CHARS: usize = 2000;
const MAX_QUERY_CHARS: usize = 500;
const MAX_HEADLINE_CHARS: usize = 300;
const MAX_STANDFIRST_CHARS: usize = 1000;
/// A story's body as an editor sends it (the admin's forms take at most `MAX_FORM_BYTES`).
const MAX_BODY_CHARS: usize = 200_000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/stories", get(list))
        .route("/stories/{id}", get(show))
        .route("/stories/{id}/kill", post(kill))
        .route("/stories/{id}/correct", post(correct))
        .route("/stories/{id}/pin", post(pin))
        .route("/stories/{id}/unpin", post(unpin))
        .route("/unplaced", get(unplaced))
}

/// A story in a list.
#[derive(Debug)]
struct StoryRow {
    id: StoryId,
    headline: String,
    source: String,
    published: String,
    sites: String,
    killed: bool,
}

/// A site in the filter's menu.
#[derive(Debug)]
struct SiteChoice {
    slug: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/stories.html")]
struct StoriesPage {
    admin: AdminChrome,
    q: String,
    sites: Vec<SiteChoice>,
    /// Shown above the list: what it is.
    heading: String,
    rows: Vec<StoryRow>,
}

#[derive(Debug)]
struct PlacementRow {
    site: String,
    section: String,
    href: String,
}

#[derive(Debug)]
struct RevisionRow {
    number: i32,
    headline: String,
    replaced_at: String,
    paragraphs: Vec<String>,
}

#[derive(Debug)]
struct MemberRow {
    id: StoryId,
    headline: String,
    source: String,
    published: String,
    this: bool,
    may_pin: bool,
}

#[derive(Debug)]
struct KillView {
    by: String,
    reason: String,
    at: String,
}

/// The correction form: the story's current text, or what was sent with what is wrong with it.
#[derive(Debug, Default)]
struct CorrectForm {
    headline: String,
    standfirst: String,
    /// The body as HTML (the stored, sanitized HTML when the form is first shown).
    body: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/story.html")]
struct StoryPage<'a> {
    admin: AdminChrome,
    csrf: &'a str,
    id: StoryId,
    headline: String,
    standfirst: Option<String>,
    source: String,
    original: Option<String>,
    published: String,
    updated: String,
    cluster: i64,
    killed: Option<KillView>,
    placements: Vec<PlacementRow>,
    paragraphs: Vec<String>,
    revisions: Vec<RevisionRow>,
    members: Vec<MemberRow>,
    /// Members other than this story (a killed story is no member any more).
    others: usize,
    reason: String,
    reason_error: Option<String>,
    correction: CorrectForm,
}

#[derive(Template)]
#[template(path = "admin/unplaced.html")]
struct UnplacedPage {
    admin: AdminChrome,
    rows: Vec<StoryRow>,
}

/// The sites by id, for names.
async fn site_map(app: &AppState) -> Result<HashMap<SiteId, Site>, AdminError> {
    Ok(app
        .store
        .sites()
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// Whether `user` may see and act on a story placed as `placements` says.
pub(super) fn may_touch(user: &User, placements: &[Placement]) -> bool {
    if placements.is_empty() {
        covers_every_site(user)
    } else {
        is_admin(user) || placements.iter().any(|p| user.may_edit(p.site_id))
    }
}

fn story_id(raw: &str) -> Result<StoryId, AdminError> {
    raw.trim()
        .parse()
        .map_err(|_| AdminError::NotFound("story"))
}

/// The story and its placements, when it exists and the account may touch it.
async fn story_for(
    app: &AppState,
    user: &User,
    id: StoryId,
) -> Result<(Story, Vec<Placement>), AdminError> {
    let story = app
        .store
        .story(id)
        .await?
        .ok_or(AdminError::NotFound("story"))?;
    let placements = app.store.placements_of(id).await?;
    if !may_touch(user, &placements) {
        return Err(AdminError::Forbidden);
    }
    Ok((story, placements))
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn sites_text(placements: &[Placement], sites: &HashMap<SiteId, Site>) -> String {
    placements
        .iter()
        .filter_map(|p| sites.get(&p.site_id).map(|s| s.name.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn list(State(app): State<AppState>, ctx: AdminCtx, RawQuery(query): RawQuery) -> Answer {
    let user = &ctx.user;
    let query = query_fields(query.as_deref())?;
    let q: String = query.text("q").chars().take(MAX_QUERY_CHARS).collect();
    let sites = site_map(&app).await?;
    let mut visible: Vec<&Site> = sites.values().filter(|s| user.may_edit(s.id)).collect();
    visible.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let chosen = match query.text("site") {
        "" => None,
        slug => {
            let site = sites
                .values()
                .find(|s| s.slug == slug)
                .ok_or(AdminError::NotFound("site"))?;
            if !user.may_edit(site.id) {
                return Err(AdminError::Forbidden);
            }
            Some(site)
        }
    };
    let scope: Vec<&Site> = match chosen {
        Some(site) => vec![site],
        None => visible.clone(),
    };

    // (story id) → (summary fields); sites gathered from placements below.
    let mut found: Vec<(StoryId, String, String, OffsetTime, bool)> = Vec::new();
    let mut seen = HashSet::new();
    if q.is_empty() {
        let filters: Vec<Option<SiteId>> = if chosen.is_none() && covers_every_site(user) {
            vec![None]
        } else {
            scope.iter().map(|s| Some(s.id)).collect()
        };
        for site in filters {
            let stories = app
                .store
                .stories(&StoryFilter {
                    site,
                    limit: LIST_LIMIT,
                    include_killed: true,
                    ..StoryFilter::default()
                })
                .await?;
            for s in stories {
                if seen.insert(s.id) {
                    found.push((
                        s.id,
                        s.headline,
                        s.source_name,
                        s.published,
                        s.killed.is_some(),
                    ));
                }
            }
        }
        found.sort_by(|a, b| b.3.cmp(&a.3).then(b.0.cmp(&a.0)));
        found.truncate(usize::try_from(LIST_LIMIT).unwrap_or(50));
    } else {
        for site in &scope {
            let page = app
                .store
                .search(
                    site.id,
                    &SearchQuery {
                        text: q.clone(),
                        section: None,
                        from: None,
                        to: None,
                        offset: 0,
                        limit: LIST_LIMIT,
                    },
                )
                .await?;
            for hit in page.hits {
                let s = hit.summary;
                if seen.insert(s.id) {
                    found.push((s.id, s.headline, s.source_name, s.published, false));
                }
            }
        }
        if scope.len() > 1 {
            found.sort_by(|a, b| b.3.cmp(&a.3).then(b.0.cmp(&a.0)));
        }
    }

    let mut rows = Vec::with_capacity(found.len());
    for (id, headline, source, published, killed) in found {
        let placements = app.store.placements_of(id).await?;
        rows.push(StoryRow {
            id,
            headline,
            source,
            published: utc(published),
            sites: sites_text(&placements, &sites),
            killed,
        });
    }
    let where_ = chosen.map_or_else(
        || {
            if covers_every_site(user) {
                "every site".to_owned()
            } else {
                "your sites".to_owned()
            }
        },
        |s| s.name.clone(),
    );
    let heading = if q.is_empty() {
        format!("Newest stories on {where_}")
    } else {
        format!("{} found for “{q}” on {where_}", count_text(rows.len()))
    };
    let view = StoriesPage {
        admin: ctx.chrome("Stories", Nav::Stories),
        sites: visible
            .iter()
            .map(|s| SiteChoice {
                slug: s.slug.clone(),
                name: s.name.clone(),
                selected: chosen.is_some_and(|c| c.id == s.id),
            })
            .collect(),
        q,
        heading,
        rows,
    };
    page(&ctx, &view)
}

fn count_text(n: usize) -> String {
    match n {
        0 => "No stories".to_owned(),
        1 => "1 story".to_owned(),
        n => format!("{n} stories"),
    }
}

async fn render_story(
    app: &AppState,
    ctx: &AdminCtx,
    status: StatusCode,
    id: StoryId,
    reason: String,
    reason_error: Option<String>,
    correction: Option<CorrectForm>,
) -> Answer {
    let user = &ctx.user;
    let (story, placements) = story_for(app, user, id).await?;
    let correction = correction.unwrap_or_else(|| CorrectForm {
        headline: story.headline.clone(),
        standfirst: story.standfirst.clone().unwrap_or_default(),
        body: story.content_html.clone(),
        error: None,
    });
    let sites = site_map(app).await?;
    let placement_rows = placements
        .iter()
        .filter_map(|p| {
            let site = sites.get(&p.site_id)?;
            Some(PlacementRow {
                site: site.name.clone(),
                section: site
                    .section(&p.section)
                    .map_or_else(|| p.section.clone(), |s| s.name.clone()),
                href: format!("/s/{}/story/{}/{}", site.slug, story.id, story.slug),
            })
        })
        .collect();
    let revisions = app
        .store
        .revisions(id)
        .await?
        .into_iter()
        .rev()
        .map(|r| RevisionRow {
            number: r.number,
            headline: r.headline,
            replaced_at: utc(r.replaced_at),
            paragraphs: paragraphs(&r.text),
        })
        .collect();
    let mut members = Vec::new();
    for m in app.store.cluster_members(story.cluster).await? {
        let may_pin = if m.id == story.id {
            true
        } else {
            may_touch(user, &app.store.placements_of(m.id).await?)
        };
        members.push(MemberRow {
            id: m.id,
            headline: m.headline,
            source: m.source_name,
            published: utc(m.published),
            this: m.id == story.id,
            may_pin,
        });
    }
    let others = members.iter().filter(|m| !m.this).count();
    let original = story
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let view = StoryPage {
        admin: ctx.chrome(format!("Story {}", story.id), Nav::Stories),
        csrf: &ctx.csrf,
        id: story.id,
        headline: story.headline.clone(),
        standfirst: story.standfirst.clone().filter(|s| !s.trim().is_empty()),
        source: story.source_name.clone(),
        original,
        published: utc(story.published),
        updated: utc_opt(story.updated),
        cluster: story.cluster,
        killed: story.killed.as_ref().map(|k| KillView {
            by: k.by.clone(),
            reason: k.reason.clone(),
            at: utc(k.at),
        }),
        placements: placement_rows,
        paragraphs: paragraphs(&story.text),
        revisions,
        members,
        others,
        reason,
        reason_error,
        correction,
    };
    page_with(ctx, status, &view)
}

async fn show(State(app): State<AppState>, ctx: AdminCtx, Path(id): Path<String>) -> Answer {
    let id = story_id(&id)?;
    render_story(&app, &ctx, StatusCode::OK, id, String::new(), None, None).await
}

async fn kill(
    State(app): State<AppState>,
    ctx: AdminCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let fields = ctx.form(&body)?;
    let id = story_id(&id)?;
    let user = &ctx.user;
    let (story, _) = story_for(&app, user, id).await?;
    let reason = fields.text("reason").to_owned();
    let error = if reason.is_empty() {
        Some("Say why the story is withdrawn: the reason is kept with the kill.".to_owned())
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Some(format!(
            "Keep the reason under {MAX_REASON_CHARS} characters."
        ))
    } else {
        None
    };
    if error.is_some() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_story(&app, &ctx, status, id, reason, error, None).await;
    }
    if story.killed.is_none()
        && app
            .store
            .kill_story(id, &reason, &user.email, OffsetTime::now_utc())
            .await?
    {
        // Every cached page that lists it, and its own page, must change now.
        app.cache.invalidate();
        ctx.audit(
            app.store.as_ref(),
            "story.kill",
            &format!("story {id}"),
            &reason,
        )
        .await?;
    }
    see_other(&format!("/admin/stories/{id}"))
}

/// What is wrong with a correction as sent, if anything (the body checked once cleaned).
fn correction_problem(form: &CorrectForm, text: &str) -> Option<String> {
    if form.headline.is_empty() {
        Some("Give the story a headline.".to_owned())
    } else if form.headline.chars().count() > MAX_HEADLINE_CHARS {
        Some(format!(
            "Keep the headline under {MAX_HEADLINE_CHARS} characters."
        ))
    } else if form.standfirst.chars().count() > MAX_STANDFIRST_CHARS {
        Some(format!(
            "Keep the standfirst under {MAX_STANDFIRST_CHARS} characters."
        ))
    } else if form.body.chars().count() > MAX_BODY_CHARS {
        Some(format!("Keep the body under {MAX_BODY_CHARS} characters."))
    } else if text.trim().is_empty() {
        Some(
            "The body has no text once cleaned: write the story's paragraphs as HTML (<p>…</p>)."
                .to_owned(),
        )
    } else {
        None
    }
}

/// Whitespace runs collapsed to one space, trimmed: headlines and standfirsts are one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn correct(
    State(app): State<AppState>,
    ctx: AdminCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let fields = ctx.form(&body)?;
    let id = story_id(&id)?;
    let (story, _) = story_for(&app, &ctx.user, id).await?;
    if story.killed.is_some() {
        return Err(bad_request("A withdrawn story cannot be corrected."));
    }
    let form = CorrectForm {
        headline: one_line(fields.text("headline")),
        standfirst: one_line(fields.text("standfirst")),
        body: fields.text("body").to_owned(),
        error: None,
    };
    let html = masthead_normalize::sanitize(&form.body);
    let text = masthead_normalize::plain_text(&html);
    if let Some(error) = correction_problem(&form, &text) {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let form = CorrectForm {
            error: Some(error),
            ..form
        };
        return render_story(&app, &ctx, status, id, String::new(), None, Some(form)).await;
    }
    let standfirst = Some(form.standfirst.as_str()).filter(|s| !s.is_empty());
    let unchanged = story.headline == form.headline
        && story.standfirst.as_deref().filter(|s| !s.trim().is_empty()) == standfirst
        && story.content_html == html.as_str();
    if unchanged {
        return see_other(&format!("/admin/stories/{id}"));
    }
    let corrected = app
        .store
        .correct_story(
            id,
            &form.headline,
            standfirst,
            html.as_str(),
            &text,
            OffsetTime::now_utc(),
        )
        .await?;
    if !corrected {
        return Err(bad_request(
            "The story was withdrawn meanwhile: it cannot be corrected.",
        ));
    }
    // Its page, every list showing its headline and the feeds must change now.
    app.cache.invalidate();
    ctx.audit(
        app.store.as_ref(),
        "story.correct",
        &format!("story {id}"),
        &form.headline,
    )
    .await?;
    see_other(&format!("/admin/stories/{id}"))
}

/// Where to go back to after a pin: the story page the form was on.
fn back_to(fields: &AdminForm, id: StoryId) -> String {
    let back = fields.text("back").parse::<StoryId>().unwrap_or(id);
    format!("/admin/stories/{back}")
}

async fn pin(
    State(app): State<AppState>,
    ctx: AdminCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    set_pin(app, ctx, id, body, true).await
}

async fn unpin(
    State(app): State<AppState>,
    ctx: AdminCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    set_pin(app, ctx, id, body, false).await
}

async fn set_pin(app: AppState, ctx: AdminCtx, id: String, body: Bytes, pin: bool) -> Answer {
    let fields = ctx.form(&body)?;
    let id = story_id(&id)?;
    let (story, _) = story_for(&app, &ctx.user, id).await?;
    if pin && story.killed.is_some() {
        return Err(bad_request(
            "A withdrawn story cannot be shown for its cluster.",
        ));
    }
    app.store
        .pin_cluster(story.cluster, pin.then_some(id))
        .await?;
    app.cache.invalidate();
    let (action, detail) = if pin {
        ("cluster.pin", format!("story {id}"))
    } else {
        ("cluster.unpin", String::new())
    };
    ctx.audit(
        app.store.as_ref(),
        action,
        &format!("cluster {}", story.cluster),
        &detail,
    )
    .await?;
    see_other(&back_to(&fields, id))
}

async fn unplaced(State(app): State<AppState>, ctx: AdminCtx) -> Answer {
    if !covers_every_site(&ctx.user) {
        return Err(AdminError::Forbidden);
    }
    let rows = app
        .store
        .unplaced_stories(UNPLACED_LIMIT)
        .await?
        .into_iter()
        .map(|s| StoryRow {
            id: s.id,
            headline: s.headline,
            source: s.source_name,
            published: utc(s.published),
            sites: String::new(),
            killed: s.killed.is_some(),
        })
        .collect();
    let view = UnplacedPage {
        admin: ctx.chrome("Unplaced stories", Nav::Stories),
        rows,
    };
    page(&ctx, &view)
}
