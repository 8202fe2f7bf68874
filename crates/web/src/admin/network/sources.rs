//! `/admin/sources` (admins only): every source with its health, and the forms that add,
//! pause, resume and remove one or import an OPML list; `/admin/sites`: the sites as the
//! configuration file sets them (read-only).
//!
//! - `GET /admin/sources`: the table and the forms (`?notice=…&name=…` after an action).
//! - `POST /admin/sources`: add (or update, by name) a source: name, URL, section, full-text
//!   policy, interval. Errors: 422 with the form again, messages next to the fields.
//! - `POST /admin/sources/{pause,resume,remove}`: field `name`.
//! - `POST /admin/sources/import`: multipart, the OPML file in `opml` (1 MiB at most), an
//!   optional `section` for every source in it; answers with what was added and skipped.
//! - `GET /admin/sites` (any account, its own sites for an editor): each site with the sources
//!   it carries and its routing rules (name, priority, criteria, section, exclusions), as the
//!   configuration file sets them (`WebSettings::routes`; read-only). `?site=S&story=N` also
//!   explains how story N would be routed on site S (`masthead_route::explain`, as `masthead
//!   rules test` does); the story must be one the account may open (see `stories.rs`).
//!
//! The web server never fetches: an added URL is stored as given (the command line's
//! `sources add` checks it and discovers a page's feed); its first poll says whether it works.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use masthead_model::{FullTextPolicy, Source, SourceSpec, StoryId};
use masthead_route::{Routable, Rule, SiteRoute};

use super::{
    Answer, bad_request, covers_every_site, page, page_with, query_fields, see_other, utc, utc_opt,
};
use crate::AppState;
use crate::admin::{AdminChrome, AdminCtx, AdminError, AdminForm, Nav};

const MAX_OPML_BYTES: usize = 1024 * 1024;
const DEFAULT_INTERVAL_SECS: i64 = 15 * 60;
const MIN_INTERVAL_SECS: i64 = 60;
const MAX_INTERVAL_SECS: i64 = 7 * 24 * 3600;
const MAX_NAME_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 2000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sources", get(list).post(add))
        .route("/sources/pause", post(pause))
        .route("/sources/resume", post(resume))
        .route("/sources/remove", post(remove))
        .route("/sources/import", post(import))
        .route("/sites", get(sites))
}

/// One row of the sources table.
#[derive(Debug)]
struct SourceRow {
    name: String,
    url: String,
    section: String,
    full_text: &'static str,
    interval: String,
    /// `ok`, `failing`, `paused` or `never`: the CSS class and the kind of status.
    state: &'static str,
    status: String,
    /// For a failing source: the last error and when it happened.
    error: Option<String>,
    last_success: String,
    next_poll: String,
    paused: bool,
}

impl SourceRow {
    fn new(source: &Source) -> Self {
        let h = &source.health;
        let (state, status) = if h.paused {
            ("paused", "paused".to_owned())
        } else if h.consecutive_failures > 0 {
            ("failing", format!("failing {}×", h.consecutive_failures))
        } else if h.last_success_at.is_some() {
            ("ok", "ok".to_owned())
        } else {
            ("never", "never polled".to_owned())
        };
        // A paused source shows why, when failures paused it.
        let error = (h.consecutive_failures > 0)
            .then(|| {
                h.last_error.as_ref().map(|e| match h.last_error_at {
                    Some(at) => format!("{e} ({})", utc(at)),
                    None => e.clone(),
                })
            })
            .flatten();
        Self {
            name: source.name.clone(),
            url: source.url.clone(),
            section: source.section.clone().unwrap_or_default(),
            full_text: source.full_text.as_str(),
            interval: human_interval(source.interval_secs),
            state,
            status,
            error,
            last_success: utc_opt(h.last_success_at),
            next_poll: if h.paused {
                "—".to_owned()
            } else {
                h.next_poll_at.map_or_else(|| "due now".to_owned(), utc)
            },
            paused: h.paused,
        }
    }
}

/// What the add form holds (kept on an error) and its messages.
#[derive(Debug, Default)]
struct AddForm {
    name: String,
    url: String,
    section: String,
    full_text: String,
    interval: String,
    name_error: Option<String>,
    url_error: Option<String>,
    full_text_error: Option<String>,
    interval_error: Option<String>,
}

impl AddForm {
    fn blank() -> Self {
        Self {
            full_text: "auto".to_owned(),
            interval: "15m".to_owned(),
            ..Self::default()
        }
    }

    fn has_errors(&self) -> bool {
        self.name_error.is_some()
            || self.url_error.is_some()
            || self.full_text_error.is_some()
            || self.interval_error.is_some()
    }
}

#[derive(Template)]
#[template(path = "admin/sources.html")]
struct SourcesPage<'a> {
    admin: AdminChrome,
    csrf: &'a str,
    notice: Option<String>,
    sources: Vec<SourceRow>,
    form: AddForm,
    policies: [&'static str; 3],
}

#[derive(Debug)]
struct Imported {
    name: String,
    url: String,
}

#[derive(Debug)]
struct Skipped {
    title: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportPage {
    admin: AdminChrome,
    imported: Vec<Imported>,
    skipped: Vec<Skipped>,
}

#[derive(Debug)]
struct SiteRow {
    name: String,
    slug: String,
    tagline: String,
    hosts: Vec<String>,
    zone: String,
    sections: Vec<(String, String)>,
    /// The sources the site carries ("every source" when the configuration names none);
    /// None when this server was not given the site's routes.
    carries: Option<String>,
    /// In the order they are tried (priority, then configuration order).
    rules: Vec<RuleRow>,
}

/// One routing rule, as admins read it.
#[derive(Debug)]
struct RuleRow {
    name: String,
    priority: i32,
    /// One line per criterion; all must hold ("every story" when there is none).
    criteria: Vec<String>,
    section: String,
    exclude: String,
}

/// The answer of the "Test a story" form.
#[derive(Debug)]
struct RouteTest {
    site: String,
    story: StoryId,
    headline: String,
    /// (rule, section) that would place it; None: the site would not carry it.
    placed: Option<(String, String)>,
    steps: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/sites.html")]
struct SitesPage {
    admin: AdminChrome,
    sites: Vec<SiteRow>,
    all: bool,
    /// Whether this server knows the routing rules (the test form is offered then).
    routes_known: bool,
    test_site: String,
    test_story: String,
    test: Option<RouteTest>,
    test_error: Option<String>,
}

fn quoted(list: &[String]) -> String {
    list.iter()
        .map(|w| format!("“{w}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl RuleRow {
    /// The rules of a route in the order routing tries them (`masthead_route`'s order: higher
    /// priority first, equal priorities in configuration order), unnamed ones as "rule N".
    fn of(route: &SiteRoute) -> Vec<Self> {
        let mut ordered: Vec<(usize, &Rule)> = route.rules.iter().enumerate().collect();
        ordered.sort_by_key(|(_, r)| std::cmp::Reverse(r.priority));
        ordered
            .into_iter()
            .map(|(index, rule)| {
                let mut criteria = Vec::new();
                if !rule.sources.is_empty() {
                    criteria.push(format!("source is one of {}", rule.sources.join(", ")));
                }
                if !rule.categories.is_empty() {
                    criteria.push(format!("category is one of {}", quoted(&rule.categories)));
                }
                if !rule.words.is_empty() {
                    criteria.push(format!("mentions any of {}", quoted(&rule.words)));
                }
                if !rule.datelines.is_empty() {
                    criteria.push(format!("dateline contains {}", quoted(&rule.datelines)));
                }
                if criteria.is_empty() {
                    criteria.push("every story".to_owned());
                }
                RuleRow {
                    name: if rule.name.is_empty() {
                        format!("rule {}", index + 1)
                    } else {
                        rule.name.clone()
                    },
                    priority: rule.priority,
                    criteria,
                    section: rule.section.clone().unwrap_or_else(|| {
                        "(from the story's categories or the source's default)".to_owned()
                    }),
                    exclude: quoted(&rule.exclude),
                }
            })
            .collect()
    }
}

fn notice_text(query: &AdminForm) -> Option<String> {
    let name = query.text("name");
    let what = match query.first("notice")? {
        "saved" => "saved; it is polled at the next pass",
        "paused" => "paused",
        "resumed" => "resumed: it is polled at the next pass",
        "removed" => "removed; its stories stay",
        _ => return None,
    };
    Some(format!("Source {name} {what}."))
}

async fn render_list(
    app: &AppState,
    ctx: &AdminCtx,
    status: StatusCode,
    notice: Option<String>,
    form: AddForm,
) -> Answer {
    let sources = app.store.sources().await?;
    let view = SourcesPage {
        admin: ctx.chrome("Sources", Nav::Sources),
        csrf: &ctx.csrf,
        notice,
        sources: sources.iter().map(SourceRow::new).collect(),
        form,
        policies: ["auto", "always", "never"],
    };
    page_with(ctx, status, &view)
}

async fn list(State(app): State<AppState>, ctx: AdminCtx, RawQuery(query): RawQuery) -> Answer {
    ctx.require_admin()?;
    let query = query_fields(query.as_deref())?;
    render_list(
        &app,
        &ctx,
        StatusCode::OK,
        notice_text(&query),
        AddForm::blank(),
    )
    .await
}

fn parse_interval(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(DEFAULT_INTERVAL_SECS);
    }
    // A bare number is minutes.
    let secs = match text.parse::<i64>() {
        Ok(minutes) => minutes.checked_mul(60),
        Err(_) => text
            .parse::<jiff::SignedDuration>()
            .ok()
            .map(|d| d.as_secs()),
    }
    .ok_or_else(|| format!("{text:?} is not a duration: write it like 15m, 2h or 90 (minutes)."))?;
    if !(MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&secs) {
        return Err("The interval must be between one minute and one week.".to_owned());
    }
    Ok(secs)
}

fn human_interval(secs: i64) -> String {
    match secs {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// An absolute http(s) URL with a host, else a message saying what is wrong.
fn check_feed_url(text: &str) -> Result<url::Url, String> {
    if text.chars().count() > MAX_URL_CHARS {
        return Err("This URL is too long.".to_owned());
    }
    let url = url::Url::parse(text)
        .map_err(|_| "Enter the feed's full address, starting with https://.".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("Only http and https feeds can be polled.".to_owned());
    }
    Ok(url)
}

async fn add(State(app): State<AppState>, ctx: AdminCtx, body: Bytes) -> Answer {
    let fields = ctx.form(&body)?;
    ctx.require_admin()?;

    let mut form = AddForm {
        name: fields.text("name").to_owned(),
        url: fields.text("url").to_owned(),
        section: fields.text("section").to_owned(),
        full_text: fields.text("full_text").to_owned(),
        interval: fields.text("interval").to_owned(),
        ..AddForm::default()
    };
    if form.full_text.is_empty() {
        form.full_text = "auto".to_owned();
    }
    if form.name.is_empty() {
        form.name_error = Some("Give the source a name: it is the credit pages show.".to_owned());
    } else if form.name.chars().count() > MAX_NAME_CHARS || form.name.chars().any(char::is_control)
    {
        form.name_error = Some(format!(
            "A name is one line of at most {MAX_NAME_CHARS} characters."
        ));
    }
    let url = match check_feed_url(&form.url) {
        Ok(url) => Some(url),
        Err(message) => {
            form.url_error = Some(message);
            None
        }
    };
    let full_text = FullTextPolicy::parse(&form.full_text);
    if full_text.is_none() {
        form.full_text_error = Some("Choose auto, always or never.".to_owned());
    }
    let interval = parse_interval(&form.interval)
        .map_err(|message| form.interval_error = Some(message))
        .ok();
    let (Some(url), Some(full_text), Some(interval_secs), false) =
        (url, full_text, interval, form.has_errors())
    else {
        return render_list(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, None, form).await;
    };
    let section = (!form.section.is_empty()).then(|| form.section.to_lowercase());
    let source = app
        .store
        .upsert_source(&SourceSpec {
            name: form.name.clone(),
            url: url.to_string(),
            section: section.clone(),
            dateline: None,
            full_text,
            interval_secs,
        })
        .await?;
    ctx.audit(
        app.store.as_ref(),
        "source.add",
        &format!("source {}", source.id),
        &format!(
            "{} {} section={} full_text={} interval={}",
            source.name,
            source.url,
            section.as_deref().unwrap_or("-"),
            full_text.as_str(),
            human_interval(interval_secs)
        ),
    )
    .await?;
    done("saved", &source.name)
}

fn done(notice: &str, name: &str) -> Answer {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("notice", notice)
        .append_pair("name", name)
        .finish();
    see_other(&format!("/admin/sources?{query}"))
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Pause,
    Resume,
    Remove,
}

async fn act(app: AppState, ctx: AdminCtx, body: Bytes, op: Op) -> Answer {
    let fields = ctx.form(&body)?;
    ctx.require_admin()?;
    let name = fields.text("name");
    if name.is_empty() {
        return Err(bad_request(
            "Say which source: the form's name field is empty.",
        ));
    }
    let source = app.store.source_by_name(name).await?;
    let done_it = match op {
        Op::Pause => app.store.set_source_paused(name, true).await?,
        Op::Resume => app.store.set_source_paused(name, false).await?,
        Op::Remove => app.store.remove_source(name).await?,
    };
    let (Some(source), true) = (source, done_it) else {
        return Err(AdminError::NotFound("source"));
    };
    let (action, notice) = match op {
        Op::Pause => ("source.pause", "paused"),
        Op::Resume => ("source.resume", "resumed"),
        Op::Remove => ("source.remove", "removed"),
    };
    ctx.audit(
        app.store.as_ref(),
        action,
        &format!("source {}", source.id),
        &source.name,
    )
    .await?;
    done(notice, &source.name)
}

async fn pause(State(app): State<AppState>, ctx: AdminCtx, body: Bytes) -> Answer {
    act(app, ctx, body, Op::Pause).await
}

async fn resume(State(app): State<AppState>, ctx: AdminCtx, body: Bytes) -> Answer {
    act(app, ctx, body, Op::Resume).await
}

async fn remove(State(app): State<AppState>, ctx: AdminCtx, body: Bytes) -> Answer {
    act(app, ctx, body, Op::Remove).await
}

/// The multipart form's fields: the CSRF field, the optional section and the file.
#[derive(Debug, Default)]
struct ImportForm {
    csrf: Option<String>,
    section: Option<String>,
    opml: Option<Vec<u8>>,
}

async fn read_import(mut multipart: Multipart) -> Result<ImportForm, AdminError> {
    let mut form = ImportForm::default();
    let unreadable = |_| bad_request("The upload could not be read: please send the form again.");
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        // Every field is read in chunks, so a huge one is refused before it is all in memory.
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len().saturating_add(chunk.len()) > MAX_OPML_BYTES {
                return Err(bad_request(format!(
                    "This file is larger than {} KiB: an OPML list is far smaller.",
                    MAX_OPML_BYTES / 1024
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            crate::csrf::FIELD => form.csrf = Some(text()),
            "section" => form.section = Some(text()).filter(|s| !s.is_empty()),
            "opml" => form.opml = Some(bytes),
            _ => {}
        }
    }
    Ok(form)
}

async fn import(
    State(app): State<AppState>,
    ctx: AdminCtx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Answer {
    // A body that is not multipart carries no readable CSRF field: the check refuses it (403).
    let form = match multipart {
        Ok(multipart) => read_import(multipart).await?,
        Err(_) => ImportForm::default(),
    };
    // The CSRF check of every admin form, fed the multipart form's field.
    let csrf: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(crate::csrf::FIELD, form.csrf.as_deref().unwrap_or_default())
        .finish();
    ctx.form(csrf.as_bytes())?;
    ctx.require_admin()?;
    let bytes = form
        .opml
        .filter(|b| !b.is_empty())
        .ok_or_else(|| bad_request("Choose an OPML file to import."))?;
    let outlines = masthead_feed::parse_opml(&bytes)
        .map_err(|error| bad_request(format!("This file is not an OPML source list: {error}")))?;
    let section = form.section.map(|s| s.to_lowercase());
    let (mut imported, mut skipped) = (Vec::new(), Vec::new());
    for outline in outlines {
        let title = outline.title.trim().to_owned();
        let url = match check_feed_url(outline.xml_url.trim()) {
            Ok(url) => url,
            Err(reason) => {
                skipped.push(Skipped { title, reason });
                continue;
            }
        };
        if title.is_empty() || title.chars().count() > MAX_NAME_CHARS {
            skipped.push(Skipped {
                title,
                reason: format!("a name must be 1 to {MAX_NAME_CHARS} characters"),
            });
            continue;
        }
        let source = app
            .store
            .upsert_source(&SourceSpec {
                name: title,
                url: url.to_string(),
                section: section
                    .clone()
                    .or_else(|| outline.category.as_ref().map(|c| c.to_lowercase())),
                dateline: None,
                full_text: FullTextPolicy::Auto,
                interval_secs: DEFAULT_INTERVAL_SECS,
            })
            .await?;
        imported.push(Imported {
            name: source.name,
            url: source.url,
        });
    }
    let names: Vec<&str> = imported.iter().map(|i| i.name.as_str()).collect();
    ctx.audit(
        app.store.as_ref(),
        "source.import",
        "sources",
        &format!(
            "OPML: {} imported, {} skipped: {}",
            imported.len(),
            skipped.len(),
            names.join(", ")
        ),
    )
    .await?;
    let view = ImportPage {
        admin: ctx.chrome("OPML import", Nav::Sources),
        imported,
        skipped,
    };
    page(&ctx, &view)
}

async fn sites(State(app): State<AppState>, ctx: AdminCtx, RawQuery(query): RawQuery) -> Answer {
    let user = &ctx.user;
    let all = covers_every_site(user);
    let query = query_fields(query.as_deref())?;
    let routes = &ctx.state.routes;
    let route_of = |slug: &str| routes.iter().find(|r| r.site.slug == slug);
    let visible: Vec<masthead_model::Site> = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| user.may_edit(s.id))
        .collect();
    let test_site: String = query.text("site").chars().take(MAX_NAME_CHARS).collect();
    let test_story: String = query.text("story").chars().take(MAX_NAME_CHARS).collect();
    let (test, test_error) = if test_site.is_empty() && test_story.is_empty() {
        (None, None)
    } else {
        match route_test(&app, &ctx, &visible, routes, &test_site, &test_story).await? {
            Ok(test) => (Some(test), None),
            Err(problem) => (None, Some(problem)),
        }
    };
    let sites = visible
        .into_iter()
        .map(|s| {
            let route = route_of(&s.slug);
            SiteRow {
                carries: route.map(|r| {
                    if r.sources.is_empty() {
                        "every source".to_owned()
                    } else {
                        r.sources.join(", ")
                    }
                }),
                rules: route.map(RuleRow::of).unwrap_or_default(),
                name: s.name,
                slug: s.slug,
                tagline: s.tagline,
                hosts: s.hosts,
                zone: s.time_zone,
                sections: s.sections.into_iter().map(|x| (x.slug, x.name)).collect(),
            }
        })
        .collect();
    let view = SitesPage {
        admin: ctx.chrome("Sites", Nav::Sources),
        sites,
        all,
        routes_known: !routes.is_empty(),
        test_site,
        test_story,
        test,
        test_error,
    };
    page(&ctx, &view)
}

/// Explains how a story would be routed on a site: the explanation, or what is wrong with
/// the question (a message for the form). An editor may test their own sites only, with a
/// story they may open.
async fn route_test(
    app: &AppState,
    ctx: &AdminCtx,
    visible: &[masthead_model::Site],
    routes: &[SiteRoute],
    site: &str,
    story: &str,
) -> Result<Result<RouteTest, String>, AdminError> {
    let Some(site) = visible.iter().find(|s| s.slug == site) else {
        return Ok(Err("Choose one of the sites listed.".to_owned()));
    };
    let Some(route) = routes.iter().find(|r| r.site.slug == site.slug) else {
        return Ok(Err(format!(
            "This server was not given the routing rules of {}.",
            site.name
        )));
    };
    let Ok(id) = story.trim().parse::<StoryId>() else {
        return Ok(Err(
            "Give a story's number (it is in the story's admin address).".to_owned(),
        ));
    };
    let Some(story) = app.store.story(id).await? else {
        return Ok(Err(format!("No story has the number {id}.")));
    };
    let placements = app.store.placements_of(id).await?;
    if !super::stories::may_touch(&ctx.user, &placements) {
        return Err(AdminError::Forbidden);
    }
    let Some(source) = app
        .store
        .sources()
        .await?
        .into_iter()
        .find(|s| s.id == story.source_id)
    else {
        return Ok(Err(format!(
            "The source of story {id} is removed: routing no longer applies to it."
        )));
    };
    let explanation = masthead_route::explain(
        route,
        &Routable {
            id: story.id,
            source: &source,
            categories: &story.categories,
            headline: &story.headline,
            text: &story.text,
            dateline: story.dateline.as_deref(),
        },
    );
    let placed = explanation.placed.map(|(rule, section)| {
        let name = route
            .site
            .section(&section)
            .map_or_else(|| section.clone(), |s| s.name.clone());
        (rule, name)
    });
    Ok(Ok(RouteTest {
        site: site.name.clone(),
        story: story.id,
        headline: story.headline,
        placed,
        steps: explanation.steps,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_like_the_command_line() {
        assert_eq!(parse_interval("15m"), Ok(900));
        assert_eq!(parse_interval("2h"), Ok(7200));
        assert_eq!(parse_interval("30"), Ok(1800));
        assert_eq!(parse_interval(""), Ok(DEFAULT_INTERVAL_SECS));
        assert!(parse_interval("10s").is_err());
        assert!(parse_interval("soon").is_err());
        assert!(parse_interval("9999999999999999").is_err());
        assert_eq!(human_interval(900), "15m");
        assert_eq!(human_interval(7200), "2h");
    }

    #[test]
    fn only_http_feeds_are_taken() {
        assert!(check_feed_url("https://example.org/feed.xml").is_ok());
        assert!(check_feed_url("javascript:alert(1)").is_err());
        assert!(check_feed_url("file:///etc/passwd").is_err());
        assert!(check_feed_url("example.org/feed").is_err());
    }
}
