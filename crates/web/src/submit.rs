//! The news release desk on every site: `GET|POST /submit` (also under `/s/{site}/`).
//!
//! - `GET /submit`: the form (kind, organisation, contact, headline, body, dateline, event,
//!   an optional photo, the sites it is meant for with this one checked), a honeypot, the
//!   CSRF field and a signed start time.
//! - `POST /submit` (multipart, up to [`MAX_BODY_BYTES`]): CSRF (403); honeypot (a thank-you
//!   page, nothing stored or sent); the minimum fill time (the form again, everything kept,
//!   "please take a moment"); validation by `masthead_releases` (422: the form again, a
//!   message next to each field, everything typed kept except the file, which must be
//!   chosen again, and the page says so); the per-IP and per-address limits (429); then the
//!   photo is stored under a generated name in the uploads directory, the store records the
//!   release (a duplicate answers with the reference it already has), the contact gets a
//!   confirmation mail with the reference, and the page shows the reference.
//!
//! Never stored in the page cache (`no-store`). Never logs an address, a token or a body:
//! release ids, references and site ids only.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use masthead_mail::{MailAddress, OutgoingMail, signed};
use masthead_model::{OffsetTime, ReleaseImage, ReleaseKind, Site};
use masthead_releases::{Field, FieldErrors, ReleaseForm};
use sha2::Digest;

use crate::pages::SiteCtx;
use crate::views::{Active, Chrome, ComingPage};
use crate::{AppState, WebError, csrf};

/// A 5 MB photo, its multipart framing and the text fields.
pub(crate) const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;
/// Text fields beyond this are not ours (the body's own limit is far lower).
const MAX_TEXT_FIELD_BYTES: usize = 256 * 1024;
/// A person needs longer than this to fill the form in; scripts do not.
pub(crate) const MIN_FILL_SECS: i64 = 3;
/// The same release again within this window is recognised as a duplicate.
pub(crate) const DUPLICATE_WINDOW_MICROS: i64 = 30 * 24 * 3600 * 1_000_000;
const HONEYPOT: &str = "website";
const STARTED_PURPOSE: &str = "release-form";
/// Per client address: a burst of 5 releases, then 10 an hour.
const IP_BURST: f64 = 5.0;
const IP_PER_MINUTE: f64 = 10.0 / 60.0;
/// Per contact address: 5 releases a day.
const PER_ADDRESS_PER_DAY: usize = 5;
const DAY: Duration = Duration::from_secs(24 * 3600);
const MAX_TRACKED_ADDRESSES: usize = 50_000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/submit",
        get(form)
            .post(submit)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
    )
}

/// The release desk's own limits (the sign-up limiter is for sign-ups).
#[derive(Debug)]
pub(crate) struct ReleaseLimits {
    ip: crate::limits::IpLimiter,
    /// SHA-256 of the contact address → the instants of its submissions in the last day.
    addresses: Mutex<HashMap<[u8; 32], Vec<Instant>>>,
}

impl ReleaseLimits {
    pub fn new() -> Self {
        Self {
            ip: crate::limits::IpLimiter::new(IP_BURST, IP_PER_MINUTE),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one submission for `address` at `now`; Err with the wait when over the limit.
    fn take_address(&self, address: &str, now: Instant) -> Result<(), Duration> {
        let key: [u8; 32] = sha2::Sha256::digest(address.as_bytes()).into();
        let mut map = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED_ADDRESSES && !map.contains_key(&key) {
            map.retain(|_, times| {
                times.retain(|t| now.saturating_duration_since(*t) < DAY);
                !times.is_empty()
            });
            if map.len() >= MAX_TRACKED_ADDRESSES {
                map.clear();
            }
        }
        let times = map.entry(key).or_default();
        times.retain(|t| now.saturating_duration_since(*t) < DAY);
        if times.len() >= PER_ADDRESS_PER_DAY {
            let oldest = times.iter().min().copied().unwrap_or(now);
            return Err(DAY.saturating_sub(now.saturating_duration_since(oldest)));
        }
        times.push(now);
        Ok(())
    }
}

// ---- Page data ----

#[derive(Debug)]
struct KindField<'a> {
    value: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug)]
struct TextField<'a> {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    value: &'a str,
    error: Option<&'a str>,
    required: bool,
    multiline: bool,
    input_type: &'static str,
    autocomplete: &'static str,
    max: usize,
}

#[derive(Debug)]
struct SiteChoice {
    slug: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage<'a> {
    chrome: Chrome<'a>,
    action: String,
    csrf: String,
    started: String,
    notice: Option<String>,
    error_count: usize,
    image_again: bool,
    kinds: Vec<(&'static str, &'static str)>,
    kind: KindField<'a>,
    fields: Vec<TextField<'a>>,
    image_error: Option<&'a str>,
    sites: Vec<SiteChoice>,
    sites_error: Option<&'a str>,
}

/// What one rendering of the form shows besides the values.
#[derive(Debug, Default)]
struct Shown<'a> {
    errors: Option<&'a FieldErrors>,
    notice: Option<String>,
    /// A file was chosen and is not kept.
    image_again: bool,
    /// The signed start time to carry on (else a new one).
    started: Option<String>,
}

fn no_store(status: StatusCode, body: String, set_cookie: Option<HeaderValue>) -> Response {
    let mut response = (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if let Some(cookie) = set_cookie {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

fn chrome<'a>(app: &'a AppState, ctx: &'a SiteCtx, title: &str) -> Chrome<'a> {
    Chrome::new(
        &ctx.entry,
        &ctx.prefix,
        &app.network_name,
        format!("{title} — {}", ctx.entry.site.name),
        Active::None,
    )
}

/// A page of a heading and paragraphs.
fn notice(
    app: &AppState,
    ctx: &SiteCtx,
    status: StatusCode,
    heading: &str,
    paragraphs: Vec<String>,
) -> Result<Response, WebError> {
    let view = ComingPage {
        chrome: chrome(app, ctx, heading),
        heading: heading.to_owned(),
        paragraphs,
    };
    let body = view.render().map_err(|source| WebError::Render {
        template: "submit notice",
        source,
    })?;
    Ok(no_store(status, body, None))
}

/// `{unix seconds}.{signature}`: when the form was handed out, signed so it cannot be forged.
fn started_token(secret: &[u8], now: OffsetTime) -> String {
    let secs = now.unix_micros / 1_000_000;
    format!("{secs}.{}", signed::sign(secret, STARTED_PURPOSE, secs))
}

/// The start time a form carries, when its signature is ours.
fn started_at(secret: &[u8], token: &str) -> Option<i64> {
    let (secs, mac) = token.trim().split_once('.')?;
    let secs: i64 = secs.parse().ok()?;
    signed::verify(secret, STARTED_PURPOSE, secs, mac).then_some(secs)
}

fn render_form(
    app: &AppState,
    ctx: &SiteCtx,
    headers: &HeaderMap,
    status: StatusCode,
    form: &ReleaseForm,
    all_sites: &[Site],
    shown: Shown<'_>,
) -> Result<Response, WebError> {
    let token = csrf::issue(&app.secret, headers, app.secure_cookies).ok_or_else(|| {
        WebError::Serialize {
            format: "form token",
            reason: "no OS randomness".to_owned(),
        }
    })?;
    let err = |f: Field| shown.errors.and_then(|e| e.get(f));
    let text = |name: Field, label, hint, value, required, max| TextField {
        name: name.name(),
        label,
        hint,
        value,
        error: err(name),
        required,
        multiline: false,
        input_type: "text",
        autocomplete: "",
        max,
    };
    let fields = vec![
        TextField {
            autocomplete: "organization",
            ..text(
                Field::Organisation,
                "Your business, group or organisation",
                None,
                &form.organisation,
                true,
                200,
            )
        },
        TextField {
            autocomplete: "name",
            ..text(
                Field::ContactName,
                "Contact name",
                Some("For our editors; not published."),
                &form.contact_name,
                true,
                200,
            )
        },
        TextField {
            input_type: "email",
            autocomplete: "email",
            ..text(
                Field::ContactEmail,
                "Contact email",
                Some(
                    "We send your reference number here, and tell you when the release is published. Not published.",
                ),
                &form.contact_email,
                true,
                254,
            )
        },
        TextField {
            input_type: "tel",
            autocomplete: "tel",
            ..text(
                Field::ContactPhone,
                "Contact phone",
                Some("In case our editors have a question. Not published."),
                &form.contact_phone,
                false,
                40,
            )
        },
        text(
            Field::Headline,
            "Headline",
            Some("What happened, in one line."),
            &form.headline,
            true,
            200,
        ),
        TextField {
            multiline: true,
            ..text(
                Field::Body,
                "Text of the release",
                Some(
                    "Plain text: leave a blank line between paragraphs. You may use **bold**, *italics*, lists (lines starting with - ) and links like [our site](https://example.org), at most 5 links.",
                ),
                &form.body,
                true,
                masthead_releases::MAX_BODY_CHARS,
            )
        },
        text(
            Field::Dateline,
            "Dateline",
            Some("Where the news comes from, like ORLANDO, Florida."),
            &form.dateline,
            false,
            80,
        ),
        TextField {
            input_type: "datetime-local",
            ..text(
                Field::EventAt,
                "Event date and time",
                Some("For an event."),
                &form.event_at,
                false,
                100,
            )
        },
        text(
            Field::EventPlace,
            "Event place",
            Some("For an event: the venue and its town."),
            &form.event_place,
            false,
            200,
        ),
    ];
    let this = &ctx.entry.site.slug;
    let sites = all_sites
        .iter()
        .map(|s| SiteChoice {
            slug: s.slug.clone(),
            name: s.name.clone(),
            checked: if form.sites.is_empty() && shown.errors.is_none() {
                &s.slug == this
            } else {
                form.sites.iter().any(|c| c == &s.slug)
            },
        })
        .collect();
    let started = shown
        .started
        .unwrap_or_else(|| started_token(&app.secret, OffsetTime::now_utc()));
    let view = SubmitPage {
        chrome: chrome(app, ctx, "Submit a news release"),
        action: format!("{}/submit", ctx.prefix),
        csrf: token.field,
        started,
        notice: shown.notice,
        error_count: shown.errors.map_or(0, FieldErrors::len),
        image_again: shown.image_again,
        kinds: ReleaseKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        kind: KindField {
            value: &form.kind,
            error: err(Field::Kind),
        },
        fields,
        image_error: err(Field::Image),
        sites,
        sites_error: err(Field::Sites),
    };
    let body = view.render().map_err(|source| WebError::Render {
        template: "submit",
        source,
    })?;
    Ok(no_store(status, body, token.set_cookie))
}

async fn form(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let sites = app.store.sites().await?;
    render_form(
        &app,
        &ctx,
        &headers,
        StatusCode::OK,
        &ReleaseForm::default(),
        &sites,
        Shown::default(),
    )
}

/// The POST as read: the text fields and the file, if one was chosen.
#[derive(Debug, Default)]
struct Posted {
    form: ReleaseForm,
    csrf: String,
    started: String,
    honeypot: String,
    image: Option<(Vec<u8>, Option<String>)>,
}

async fn read_multipart(mut multipart: Multipart) -> Result<Posted, WebError> {
    let too_large = || WebError::BadRequest {
        message: "The form is too large: the photo may be at most 5 MB. Choose a smaller one."
            .to_owned(),
    };
    let mut posted = Posted::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == Field::Image.name() {
            let declared = field.content_type().map(str::to_owned);
            let chosen = field.file_name().is_some_and(|n| !n.is_empty());
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            if chosen || !bytes.is_empty() {
                posted.image = Some((bytes.to_vec(), declared));
            }
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| too_large())?;
        if bytes.len() > MAX_TEXT_FIELD_BYTES {
            return Err(too_large());
        }
        let value = String::from_utf8_lossy(&bytes).into_owned();
        let f = &mut posted.form;
        match name.as_str() {
            "kind" => f.kind = value,
            "organisation" => f.organisation = value,
            "contact_name" => f.contact_name = value,
            "contact_email" => f.contact_email = value,
            "contact_phone" => f.contact_phone = value,
            "headline" => f.headline = value,
            "body" => f.body = value,
            "dateline" => f.dateline = value,
            "event_at" => f.event_at = value,
            "event_place" => f.event_place = value,
            "sites" => f.sites.push(value),
            "csrf" => posted.csrf = value,
            "started" => posted.started = value,
            HONEYPOT => posted.honeypot = value,
            _ => {}
        }
    }
    Ok(posted)
}

async fn submit(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let site_id = ctx.entry.site.id;
    let Ok(multipart) = multipart else {
        return Err(WebError::BadRequest {
            message: "Please send this form from its page on the site.".to_owned(),
        });
    };
    let posted = read_multipart(multipart).await?;
    if let Err(refusal) = csrf::check(&app.secret, &headers, Some(&posted.csrf), &ctx.base) {
        tracing::info!(
            site.id = site_id,
            reason = refusal.as_str(),
            "release form refused"
        );
        return notice(
            &app,
            &ctx,
            StatusCode::FORBIDDEN,
            "Please reload the form",
            vec![
                "For your safety this form is only accepted when it is sent from its own page \
                 on this site, with cookies allowed for the site."
                    .to_owned(),
                "Go back, reload the page (what you typed may need copying first), then send \
                 it again."
                    .to_owned(),
            ],
        );
    }
    if !posted.honeypot.trim().is_empty() {
        tracing::info!(site.id = site_id, "release honeypot filled: nothing stored");
        return notice(
            &app,
            &ctx,
            StatusCode::OK,
            "Thank you for your news release",
            vec!["Our editors will read it soon.".to_owned()],
        );
    }
    let sites = app.store.sites().await?;
    let image_chosen = posted.image.is_some();

    let now = OffsetTime::now_utc();
    let started = started_at(&app.secret, &posted.started);
    let too_fast = started.is_none_or(|t| now.unix_micros / 1_000_000 - t < MIN_FILL_SECS);
    if too_fast {
        tracing::info!(site.id = site_id, "release form sent too quickly");
        return render_form(
            &app,
            &ctx,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.form,
            &sites,
            Shown {
                notice: Some(
                    "That was very quick: please take a moment to check your release, then \
                     send it again."
                        .to_owned(),
                ),
                image_again: image_chosen,
                // A forged or missing start time starts now.
                started: started.map(|_| posted.started.clone()),
                ..Shown::default()
            },
        );
    }

    let validated = masthead_releases::validate(&posted.form, &sites, now);
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    let checked = match &posted.image {
        Some((bytes, declared)) => match masthead_releases::check_image(bytes, declared.as_deref())
        {
            Ok(_) if app.uploads_dir.is_none() => {
                errors.add(
                    Field::Image,
                    "This site cannot take photos at the moment: send the release without one.",
                );
                None
            }
            Ok(image) => Some(image),
            Err(problem) => {
                errors.add(Field::Image, problem.to_string());
                None
            }
        },
        None => None,
    };
    let mut release = match validated {
        Ok(release) if errors.is_empty() => release,
        _ => {
            return render_form(
                &app,
                &ctx,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &posted.form,
                &sites,
                Shown {
                    errors: Some(&errors),
                    image_again: image_chosen,
                    started: Some(posted.started.clone()),
                    ..Shown::default()
                },
            );
        }
    };

    if let Some(response) = rate_limited(&app, &ctx, peer, &release.contact_email)? {
        return Ok(response);
    }

    let mut saved: Option<std::path::PathBuf> = None;
    if let (Some(image), Some(dir)) = (checked, &app.uploads_dir) {
        let file = format!("{}.{}", random_name()?, image.extension);
        let path = dir.join(&file);
        write_upload(dir, &path, &image.bytes).await?;
        saved = Some(path);
        release.image = Some(ReleaseImage {
            file,
            content_type: image.content_type.to_owned(),
            width: image.width,
            height: image.height,
        });
    }

    let (stored, duplicate) = match app
        .store
        .submit_release(&release, now, DUPLICATE_WINDOW_MICROS)
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            remove_upload(saved.as_deref()).await;
            return Err(error.into());
        }
    };
    if duplicate {
        remove_upload(saved.as_deref()).await;
        tracing::info!(
            site.id = site_id,
            release.id = stored.id,
            "duplicate release"
        );
        return notice(
            &app,
            &ctx,
            StatusCode::OK,
            "We already have this release",
            vec![
                format!(
                    "We already have this release: reference {}. There is no need to send \
                     it again; our editors will read it soon.",
                    stored.reference
                ),
                "To change something in it, reply to the confirmation mail we sent and quote \
                 the reference."
                    .to_owned(),
            ],
        );
    }
    tracing::info!(
        site.id = site_id,
        release.id = stored.id,
        reference = %stored.reference,
        "release submitted"
    );

    let mailed = match &app.mail {
        Some(mailer) => match mailer.send(&confirmation_mail(&ctx, &stored)).await {
            Ok(receipt) => {
                tracing::info!(
                    release.id = stored.id,
                    message_id = %receipt.message_id,
                    "release confirmation mailed"
                );
                true
            }
            Err(error) => {
                tracing::error!(release.id = stored.id, %error, "mailing a release confirmation failed");
                false
            }
        },
        None => false,
    };
    let mut paragraphs = vec![
        format!("Your reference number is {}.", stored.reference),
        "Our editors will read your release before it appears; we mail you when it is \
         published, or why not."
            .to_owned(),
    ];
    paragraphs.push(if mailed {
        format!(
            "We have sent a confirmation with the reference to {}.",
            stored.release.contact_email
        )
    } else {
        "We could not send a confirmation mail just now: please note the reference.".to_owned()
    });
    notice(
        &app,
        &ctx,
        StatusCode::OK,
        "Thank you for your news release",
        paragraphs,
    )
}

fn confirmation_mail(ctx: &SiteCtx, release: &masthead_model::Release) -> OutgoingMail {
    let r = &release.release;
    let site = &ctx.entry.site.name;
    let text = format!(
        "Hello {},\n\n\
         Thank you for your news release to {site}:\n\n  {}\n\n\
         Your reference number is {}. Our editors read every release before it appears; we \
         will mail you when it is published, or tell you why not.\n\n\
         If you did not send this release, reply to this mail and quote the reference.\n\n\
         -- \n{site}\n",
        r.contact_name, r.headline, release.reference
    );
    OutgoingMail {
        to: MailAddress::new(r.contact_name.clone(), r.contact_email.clone()),
        subject: format!("Your news release {} to {site}", release.reference),
        text,
        html: None,
        headers: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
        message_id_hint: None,
    }
}

fn rate_limited(
    app: &AppState,
    ctx: &SiteCtx,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    address: &str,
) -> Result<Option<Response>, WebError> {
    let now = Instant::now();
    let by_ip = match peer {
        Some(Extension(ConnectInfo(addr))) => app.release_limits.ip.take(addr.ip(), now),
        None => Ok(()),
    };
    let wait = match by_ip {
        Err(wait) => Some((wait, "from your network")),
        Ok(()) => app
            .release_limits
            .take_address(address, now)
            .err()
            .map(|wait| (wait, "for this email address")),
    };
    let Some((wait, what)) = wait else {
        return Ok(None);
    };
    tracing::info!(
        site.id = ctx.entry.site.id,
        limit = what,
        "release rate limit reached"
    );
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let mut response = notice(
        app,
        ctx,
        StatusCode::TOO_MANY_REQUESTS,
        "Too many releases",
        vec![format!(
            "We have had many releases {what} recently. Please try again in {minutes} \
             minute{}; your text is not lost if you go back.",
            if minutes == 1 { "" } else { "s" }
        )],
    )?;
    response.headers_mut().insert(
        RETRY_AFTER,
        HeaderValue::from(wait.as_secs().saturating_add(1)),
    );
    Ok(Some(response))
}

fn random_name() -> Result<String, WebError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Serialize {
        format: "upload name",
        reason: e.to_string(),
    })?;
    Ok(hex::encode(bytes))
}

async fn write_upload(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), WebError> {
    let io = |e: std::io::Error| WebError::Serialize {
        format: "uploaded image",
        reason: e.to_string(),
    };
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    // `create_new`: a generated name never replaces anything.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(io)?;
    tokio::io::AsyncWriteExt::write_all(&mut file, bytes)
        .await
        .map_err(io)?;
    tokio::io::AsyncWriteExt::flush(&mut file).await.map_err(io)
}

async fn remove_upload(path: Option<&Path>) {
    if let Some(path) = path
        && let Err(error) = tokio::fs::remove_file(path).await
    {
        tracing::warn!(%error, "an unused upload could not be removed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times_are_signed() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let now = OffsetTime::now_utc();
        let token = started_token(secret, now);
        assert_eq!(
            started_at(secret, &token),
            Some(now.unix_micros / 1_000_000)
        );
        assert_eq!(started_at(b"another secret..", &token), None);
        assert_eq!(started_at(secret, "123.abc"), None);
        assert_eq!(started_at(secret, ""), None);
    }

    #[test]
    fn five_releases_a_day_per_address() {
        let limits = ReleaseLimits::new();
        let t0 = Instant::now();
        for _ in 0..PER_ADDRESS_PER_DAY {
            assert!(limits.take_address("a@x.example", t0).is_ok());
        }
        assert!(limits.take_address("a@x.example", t0).is_err());
        assert!(limits.take_address("b@x.example", t0).is_ok());
        assert!(limits.take_address("a@x.example", t0 + DAY).is_ok());
    }
}
