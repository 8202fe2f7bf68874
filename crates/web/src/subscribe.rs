//! The daily email's public pages on every site: sign up, confirm, choose sections, leave.
//!
//! - `GET /subscribe`: the form (address, sections, a honeypot, the CSRF field).
//! - `POST /subscribe`: CSRF (403), honeypot (pretend success, nothing stored or sent),
//!   validation (422: the form again, messages next to the fields, the typed address kept),
//!   the per-IP rate limit (429; counted only here, for sign-ups that would cost a store write
//!   and a mail), the per-address cap of sign-up mails a day, then the store records the
//!   sign-up and the confirmation mail goes out. The answer is the same "Check your inbox" page whatever the
//!   address's state: nothing tells a visitor whether an address is subscribed. An address
//!   that is confirmed already gets, instead of a confirmation link, a mail saying so with its
//!   preferences and unsubscribe links.
//! - `GET /subscribe/confirm?token=`: a page with a "Confirm" button; the POST it sends (CSRF)
//!   uses the single-use token. Mail scanners that open every link in a mail do not confirm
//!   anyone, nor use the token up before the reader clicks (design.md allows either).
//! - `GET|POST /subscribe/preferences?s={id}&t={sign(secret, "preferences", id)}`: the
//!   subscriber's sections; the POST (CSRF) saves them.
//! - `GET /unsubscribe?s={id}&t={sign(secret, "unsubscribe", id)}`: a page with a button; a
//!   POST to the same URL (the button, or a mail client's RFC 8058 one-click POST) unsubscribes
//!   with no cookie and no CSRF field: the signed token is the proof.
//!
//! None of these pages is stored in the page cache (they say `no-store`, and some set the CSRF
//! cookie). Never logs an address, a token or a cookie: subscriber ids and site ids only.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use masthead_mail::{ConfirmMail, MailAddress, OutgoingMail, render_confirm, signed};
use masthead_model::{ConfirmOutcome, OffsetTime, Subscriber, SubscriberStatus};
use sha2::Digest;

use crate::address::check_address;
use crate::pages::SiteCtx;
use crate::views::{Active, Chrome};
use crate::{AppState, WebError, csrf};

/// Sign-up mails one address may get in a day, across all sites; later attempts get the same
/// page and no mail.
pub(crate) const MAX_SIGNUP_MAILS_PER_DAY: i64 = 3;
const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;
const CONFIRM_HOURS: i64 = 48;
/// A form is a few hundred bytes; anything much larger is not ours.
const MAX_FORM_BYTES: usize = 16 * 1024;
const TOKEN_BYTES: usize = 32;
const HONEYPOT: &str = "website";
const UNSUBSCRIBE: &str = "unsubscribe";
const PREFERENCES: &str = "preferences";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscribe", get(form).post(sign_up))
        .route("/subscribe/confirm", get(confirm_page).post(confirm))
        .route(
            "/subscribe/preferences",
            get(preferences).post(save_preferences),
        )
        .route("/unsubscribe", get(unsubscribe_page).post(unsubscribe))
}

// ---- Page data ----

/// A section checkbox.
#[derive(Debug)]
pub(crate) struct SectionChoice<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage<'a> {
    chrome: Chrome<'a>,
    mail_ready: bool,
    action: String,
    csrf: String,
    email: &'a str,
    email_error: Option<String>,
    sections: Vec<SectionChoice<'a>>,
    sections_error: Option<String>,
}

/// A form of one button with hidden fields.
#[derive(Debug)]
struct ButtonForm {
    action: String,
    label: &'static str,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "subscribe_notice.html")]
struct NoticePage<'a> {
    chrome: Chrome<'a>,
    heading: String,
    paragraphs: Vec<String>,
    button: Option<ButtonForm>,
    /// `(href, text)`.
    links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "preferences.html")]
struct PreferencesPage<'a> {
    chrome: Chrome<'a>,
    action: String,
    csrf: String,
    saved: bool,
    notes: Vec<String>,
    sections: Vec<SectionChoice<'a>>,
    sections_error: Option<String>,
    unsubscribe_href: String,
}

/// What a notice page says: its status, heading, paragraphs, button and links.
struct Notice {
    status: StatusCode,
    heading: String,
    paragraphs: Vec<String>,
    button: Option<ButtonForm>,
    links: Vec<(String, String)>,
}

impl Notice {
    fn new(status: StatusCode, heading: impl Into<String>, paragraphs: Vec<String>) -> Self {
        Self {
            status,
            heading: heading.into(),
            paragraphs,
            button: None,
            links: Vec::new(),
        }
    }

    fn link(mut self, href: String, text: impl Into<String>) -> Self {
        self.links.push((href, text.into()));
        self
    }

    fn button(mut self, form: ButtonForm) -> Self {
        self.button = Some(form);
        self
    }
}

// ---- Helpers ----

/// A page of ours: HTML, never stored by anyone (it may carry a token or set a cookie).
fn page(status: StatusCode, body: String, set_cookie: Option<HeaderValue>) -> Response {
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

fn render(template: &impl Template, name: &'static str) -> Result<String, WebError> {
    template.render().map_err(|source| WebError::Render {
        template: name,
        source,
    })
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

fn notice(app: &AppState, ctx: &SiteCtx, notice: Notice) -> Result<Response, WebError> {
    let view = NoticePage {
        chrome: chrome(app, ctx, &notice.heading),
        heading: notice.heading,
        paragraphs: notice.paragraphs,
        button: notice.button,
        links: notice.links,
    };
    Ok(page(
        notice.status,
        render(&view, "subscribe notice")?,
        None,
    ))
}

/// A form POST as name/value pairs, repeated names kept (the section checkboxes).
struct FormData(Vec<(String, String)>);

impl FormData {
    fn parse(body: &[u8]) -> Result<Self, WebError> {
        if body.len() > MAX_FORM_BYTES {
            return Err(WebError::BadRequest {
                message: "This form is far larger than ours: please send it from its page."
                    .to_owned(),
            });
        }
        Ok(Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `?s={id}&t={token}` of a signed link, when the token is right for `purpose`.
fn signed_id(secret: &[u8], purpose: &str, query: Option<&str>) -> Result<(i64, String), WebError> {
    let form = FormData::parse(query.unwrap_or_default().as_bytes())?;
    let id = form.first("s").and_then(|s| s.trim().parse::<i64>().ok());
    let token = form.first("t").unwrap_or_default().trim();
    match id {
        Some(id) if signed::verify(secret, purpose, id, token) => Ok((id, token.to_owned())),
        _ => Err(WebError::BadRequest {
            message: format!(
                "This {} link is incomplete or was changed on the way. Use the link in your \
                 latest daily email, copied whole.",
                if purpose == UNSUBSCRIBE {
                    "unsubscribe"
                } else {
                    "preferences"
                }
            ),
        }),
    }
}

fn signed_href(app: &AppState, ctx: &SiteCtx, path: &str, purpose: &str, id: i64) -> String {
    format!(
        "{}{path}?s={id}&t={}",
        ctx.prefix,
        signed::sign(&app.secret, purpose, id)
    )
}

fn signed_url(app: &AppState, ctx: &SiteCtx, path: &str, purpose: &str, id: i64) -> String {
    format!(
        "{}{path}?s={id}&t={}",
        ctx.base,
        signed::sign(&app.secret, purpose, id)
    )
}

/// A subscriber of this site, or a 400 for a link made for another site's subscriber.
async fn own_subscriber(app: &AppState, ctx: &SiteCtx, id: i64) -> Result<Subscriber, WebError> {
    match app.store.subscriber(id).await? {
        Some(s) if s.site_id == ctx.entry.site.id => Ok(s),
        Some(_) => Err(WebError::BadRequest {
            message: "This link belongs to another site of the network: open it from the \
                      mail it came in."
                .to_owned(),
        }),
        None => Err(WebError::NotFound {
            what: "subscription",
        }),
    }
}

/// The site's sections, checked as `wanted` says (empty: all).
fn choices<'a>(ctx: &'a SiteCtx, wanted: &[String]) -> Vec<SectionChoice<'a>> {
    ctx.entry
        .site
        .sections
        .iter()
        .map(|s| SectionChoice {
            slug: &s.slug,
            name: &s.name,
            checked: wanted.is_empty() || wanted.contains(&s.slug),
        })
        .collect()
}

/// The section slugs a form chose, in the site's order, unknown ones dropped.
fn chosen(ctx: &SiteCtx, form: &FormData) -> Vec<String> {
    let picked: Vec<&str> = form.all("section").collect();
    ctx.entry
        .site
        .sections
        .iter()
        .filter(|s| picked.contains(&s.slug.as_str()))
        .map(|s| s.slug.clone())
        .collect()
}

/// What the store keeps: every section chosen is "all" (empty), so later sections come too.
fn to_store(ctx: &SiteCtx, chosen: Vec<String>) -> Vec<String> {
    if chosen.len() == ctx.entry.site.sections.len() {
        Vec::new()
    } else {
        chosen
    }
}

fn no_sections_message() -> String {
    "Choose at least one section.".to_owned()
}

fn forbidden(app: &AppState, ctx: &SiteCtx, refusal: csrf::Refusal) -> Result<Response, WebError> {
    tracing::info!(
        site.id = ctx.entry.site.id,
        reason = refusal.as_str(),
        "form refused"
    );
    notice(
        app,
        ctx,
        Notice::new(
            StatusCode::FORBIDDEN,
            "Please reload the form",
            vec![
                "For your safety this form is only accepted when it is sent from its own page \
                 on this site, with cookies allowed for the site."
                    .to_owned(),
                "Reload the page that has the form, then send it again.".to_owned(),
            ],
        ),
    )
}

fn csrf_token(app: &AppState, headers: &HeaderMap) -> Result<csrf::FormToken, WebError> {
    csrf::issue(&app.secret, headers, app.secure_cookies).ok_or_else(|| {
        // Only without OS randomness; the log says why, the page nothing.
        WebError::Serialize {
            format: "form token",
            reason: "no OS randomness".to_owned(),
        }
    })
}

fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Serialize {
        format: "confirmation token",
        reason: e.to_string(),
    })?;
    Ok(hex::encode(bytes))
}

/// Only the hash of a confirmation token is stored.
fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()).as_slice())
}

// ---- Sign up ----

async fn form(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let token = csrf_token(&app, &headers)?;
    let view = SubscribePage {
        chrome: chrome(&app, &ctx, "Daily email"),
        mail_ready: app.mail.is_some(),
        action: format!("{}/subscribe", ctx.prefix),
        csrf: token.field,
        email: "",
        email_error: None,
        sections: choices(&ctx, &[]),
        sections_error: None,
    };
    Ok(page(
        StatusCode::OK,
        render(&view, "subscribe")?,
        token.set_cookie,
    ))
}

/// Warned once per process: without the peer address there is no per-IP limit.
static NO_PEER_WARNED: AtomicBool = AtomicBool::new(false);

async fn sign_up(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let site_id = ctx.entry.site.id;
    let form = FormData::parse(&body)?;
    if let Err(refusal) = csrf::check(&app.secret, &headers, form.first(csrf::FIELD), &ctx.base) {
        return forbidden(&app, &ctx, refusal);
    }
    let Some(mailer) = &app.mail else {
        let token = csrf_token(&app, &headers)?;
        let view = SubscribePage {
            chrome: chrome(&app, &ctx, "Daily email"),
            mail_ready: false,
            action: format!("{}/subscribe", ctx.prefix),
            csrf: token.field,
            email: "",
            email_error: None,
            sections: Vec::new(),
            sections_error: None,
        };
        return Ok(page(
            StatusCode::SERVICE_UNAVAILABLE,
            render(&view, "subscribe")?,
            token.set_cookie,
        ));
    };

    let typed = form.first("email").unwrap_or_default();
    if form.first(HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        tracing::info!(site.id = site_id, "sign-up honeypot filled: nothing sent");
        return check_inbox(&app, &ctx, typed);
    }

    let sections = chosen(&ctx, &form);
    let address = check_address(typed);
    let sections_error =
        (sections.is_empty() && !ctx.entry.site.sections.is_empty()).then(no_sections_message);
    let address = match (address, sections_error) {
        (Ok(address), None) => address,
        (address, sections_error) => {
            let token = csrf_token(&app, &headers)?;
            let view = SubscribePage {
                chrome: chrome(&app, &ctx, "Daily email"),
                mail_ready: true,
                action: format!("{}/subscribe", ctx.prefix),
                csrf: token.field,
                email: typed,
                email_error: address.err().map(|p| p.message()),
                sections: choices(&ctx, &sections)
                    .into_iter()
                    .map(|mut c| {
                        c.checked = sections.iter().any(|s| s == c.slug);
                        c
                    })
                    .collect(),
                sections_error,
            };
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&view, "subscribe")?,
                token.set_cookie,
            ));
        }
    };

    // Counted only for sign-ups that would reach the store and the mailer: a refused token,
    // a filled honeypot or a typo costs us nothing, and a reader fixing typos is not throttled.
    if let Some(response) = rate_limited(&app, &ctx, peer)? {
        return Ok(response);
    }
    let now = OffsetTime::now_utc();
    let mails_today = app
        .store
        .signup_mails(&address, now.unix_micros - DAY_MICROS, Some(now))
        .await?;
    if mails_today > MAX_SIGNUP_MAILS_PER_DAY {
        tracing::info!(
            site.id = site_id,
            "sign-up mail cap for an address reached: nothing sent"
        );
        return check_inbox(&app, &ctx, typed);
    }

    let token = random_token()?;
    let expires = now.unix_micros + CONFIRM_HOURS * 3600 * 1_000_000;
    let subscriber = app
        .store
        .subscribe_request(site_id, &address, &token_hash(&token), expires, now)
        .await?;
    let site_name = &ctx.entry.site.name;
    let mail = if subscriber.status == SubscriberStatus::Confirmed {
        // Confirmed already: nothing to confirm, and their sections stay as they chose them.
        already_subscribed_mail(&app, &ctx, &subscriber)
    } else {
        app.store
            .set_subscriber_sections(subscriber.id, &to_store(&ctx, sections))
            .await?;
        let (text, html) = render_confirm(&ConfirmMail {
            site_name: site_name.clone(),
            confirm_url: format!("{}/subscribe/confirm?token={token}", ctx.base),
            expires_label: format!("in {CONFIRM_HOURS} hours"),
        })
        .map_err(|e| WebError::Serialize {
            format: "confirmation mail",
            reason: e.to_string(),
        })?;
        OutgoingMail {
            to: MailAddress::bare(subscriber.email.clone()),
            subject: format!("Confirm your {site_name} daily email"),
            text,
            html: Some(html),
            headers: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
            message_id_hint: None,
        }
    };
    match mailer.send(&mail).await {
        Ok(receipt) => {
            tracing::info!(
                site.id = site_id,
                subscriber.id = subscriber.id,
                message_id = %receipt.message_id,
                "sign-up mail sent"
            );
            check_inbox(&app, &ctx, typed)
        }
        Err(error) => {
            tracing::error!(
                site.id = site_id,
                subscriber.id = subscriber.id,
                %error,
                "sending a sign-up mail failed"
            );
            notice(
                &app,
                &ctx,
                Notice::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The mail could not be sent",
                    vec![
                        "We could not send the confirmation mail just now. Please try again in \
                         a few minutes."
                            .to_owned(),
                    ],
                )
                .link(format!("{}/subscribe", ctx.prefix), "Back to the form"),
            )
        }
    }
}

/// The per-IP limit on sign-ups: `Some(429 page)` when this client has used its share.
fn rate_limited(
    app: &AppState,
    ctx: &SiteCtx,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Result<Option<Response>, WebError> {
    let site_id = ctx.entry.site.id;
    match peer {
        Some(Extension(ConnectInfo(addr))) => {
            if let Err(wait) = app.signup_limiter.take(addr.ip(), Instant::now()) {
                tracing::info!(site.id = site_id, "sign-up rate limit reached");
                let mut response = notice(
                    app,
                    ctx,
                    Notice::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too many sign-ups",
                        vec![
                            "This form was sent too many times from your network in the last \
                             minute. Please wait a minute, then try again."
                                .to_owned(),
                        ],
                    ),
                )?;
                let seconds = wait.as_secs().saturating_add(1);
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
                return Ok(Some(response));
            }
        }
        None => {
            if !NO_PEER_WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "no client address on requests (serve with connect info): sign-ups are \
                     not rate-limited per IP"
                );
            }
        }
    }

    Ok(None)
}

/// The one answer to every accepted sign-up, whatever the address's state.
fn check_inbox(app: &AppState, ctx: &SiteCtx, typed: &str) -> Result<Response, WebError> {
    let name = &ctx.entry.site.name;
    notice(
        app,
        ctx,
        Notice::new(
            StatusCode::OK,
            "Check your inbox",
            vec![
                format!(
                    "We are sending a mail from {name} to {}. Open the link in it to confirm \
                     your daily email; the link works for {CONFIRM_HOURS} hours.",
                    typed.trim()
                ),
                "If the address is subscribed already, the mail says so and has links to \
                 choose your sections or unsubscribe."
                    .to_owned(),
                "Nothing after a few minutes? Look in your spam or junk folder, or check the \
                 address and sign up again."
                    .to_owned(),
            ],
        )
        .link(format!("{}/subscribe", ctx.prefix), "Use another address"),
    )
}

/// For a sign-up of an address that is confirmed already: no link to confirm, the links to
/// manage the subscription instead. Text only.
fn already_subscribed_mail(app: &AppState, ctx: &SiteCtx, subscriber: &Subscriber) -> OutgoingMail {
    let name = &ctx.entry.site.name;
    let preferences = signed_url(
        app,
        ctx,
        "/subscribe/preferences",
        PREFERENCES,
        subscriber.id,
    );
    let unsubscribe = signed_url(app, ctx, "/unsubscribe", UNSUBSCRIBE, subscriber.id);
    let text = format!(
        "Someone, probably you, asked to subscribe this address to {name}'s daily email.\n\
         \n\
         It is subscribed already, so there is nothing to confirm: your daily email keeps \
         coming as before.\n\
         \n\
         Choose the sections you get:\n\
         {preferences}\n\
         \n\
         Stop the daily email:\n\
         {unsubscribe}\n\
         \n\
         If you did not ask for this, ignore this mail: nothing has changed.\n\
         \n\
         -- \n\
         {name}\n"
    );
    OutgoingMail {
        to: MailAddress::bare(subscriber.email.clone()),
        subject: format!("You are subscribed to the {name} daily email"),
        text,
        html: None,
        headers: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
        message_id_hint: None,
    }
}

// ---- Confirm ----

fn token_from(raw: Option<&str>) -> Option<String> {
    let token = raw?.trim();
    (token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| token.to_ascii_lowercase())
}

fn broken_confirm_link(app: &AppState, ctx: &SiteCtx) -> Result<Response, WebError> {
    notice(
        app,
        ctx,
        Notice::new(
            StatusCode::BAD_REQUEST,
            "This link is incomplete",
            vec![
                "The confirmation link was cut short or changed on the way. Open it again from \
                 the mail, or copy the whole link into the address bar."
                    .to_owned(),
            ],
        )
        .link(format!("{}/subscribe", ctx.prefix), "Sign up again"),
    )
}

async fn confirm_page(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let form = FormData::parse(query.unwrap_or_default().as_bytes())?;
    let Some(token) = token_from(form.first("token")) else {
        return broken_confirm_link(&app, &ctx);
    };
    let csrf = csrf_token(&app, &headers)?;
    let name = &ctx.entry.site.name;
    let view = NoticePage {
        chrome: chrome(&app, &ctx, "Confirm your daily email"),
        heading: "Confirm your daily email".to_owned(),
        paragraphs: vec![format!(
            "Press the button to start getting the {name} daily email at this address."
        )],
        button: Some(ButtonForm {
            action: format!("{}/subscribe/confirm", ctx.prefix),
            label: "Confirm my subscription",
            fields: vec![("token", token), (csrf::FIELD, csrf.field)],
        }),
        links: Vec::new(),
    };
    Ok(page(
        StatusCode::OK,
        render(&view, "confirm")?,
        csrf.set_cookie,
    ))
}

async fn confirm(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body)?;
    if let Err(refusal) = csrf::check(&app.secret, &headers, form.first(csrf::FIELD), &ctx.base) {
        return forbidden(&app, &ctx, refusal);
    }
    let Some(token) = token_from(form.first("token")) else {
        return broken_confirm_link(&app, &ctx);
    };
    let outcome = app
        .store
        .confirm_subscription(&token_hash(&token), OffsetTime::now_utc())
        .await?;
    let name = &ctx.entry.site.name;
    let subscribe = format!("{}/subscribe", ctx.prefix);
    let view = match outcome {
        ConfirmOutcome::Confirmed(subscriber) => {
            tracing::info!(
                site.id = ctx.entry.site.id,
                subscriber.id = subscriber.id,
                "subscription confirmed"
            );
            let mut n = Notice::new(
                StatusCode::OK,
                "You are subscribed",
                vec![format!(
                    "Thank you: your {name} daily email starts with the next edition. Every \
                     edition has a link to unsubscribe in one click."
                )],
            );
            if subscriber.site_id == ctx.entry.site.id {
                n = n.link(
                    signed_href(
                        &app,
                        &ctx,
                        "/subscribe/preferences",
                        PREFERENCES,
                        subscriber.id,
                    ),
                    "Choose the sections you get",
                );
            }
            n
        }
        ConfirmOutcome::AlreadyConfirmed => Notice::new(
            StatusCode::OK,
            "You are subscribed already",
            vec![format!(
                "This link was used before: the address is confirmed and gets the {name} \
                 daily email. Each edition has links to choose your sections or unsubscribe."
            )],
        ),
        ConfirmOutcome::Expired => Notice::new(
            StatusCode::GONE,
            "This link has expired",
            vec![format!(
                "Confirmation links work for {CONFIRM_HOURS} hours. Sign up again and we will \
                 send you a new one."
            )],
        )
        .link(subscribe, "Sign up again"),
        ConfirmOutcome::Unknown => Notice::new(
            StatusCode::NOT_FOUND,
            "This link does not work",
            vec![
                "It may have been replaced by a newer sign-up (only the latest link works), or \
                 copied incompletely."
                    .to_owned(),
            ],
        )
        .link(subscribe, "Sign up again"),
    };
    notice(&app, &ctx, view)
}

// ---- Preferences ----

async fn preferences(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (id, _) = signed_id(&app.secret, PREFERENCES, query.as_deref())?;
    let subscriber = own_subscriber(&app, &ctx, id).await?;
    let sections = choices(&ctx, &subscriber.sections);
    preferences_page(&app, &ctx, &headers, &subscriber, sections, None, false)
}

async fn save_preferences(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (id, _) = signed_id(&app.secret, PREFERENCES, query.as_deref())?;
    let form = FormData::parse(&body)?;
    if let Err(refusal) = csrf::check(&app.secret, &headers, form.first(csrf::FIELD), &ctx.base) {
        return forbidden(&app, &ctx, refusal);
    }
    let mut subscriber = own_subscriber(&app, &ctx, id).await?;
    let wanted = chosen(&ctx, &form);
    if wanted.is_empty() && !ctx.entry.site.sections.is_empty() {
        let sections = choices(&ctx, &[])
            .into_iter()
            .map(|mut c| {
                c.checked = false;
                c
            })
            .collect();
        return preferences_page(
            &app,
            &ctx,
            &headers,
            &subscriber,
            sections,
            Some(
                "Choose at least one section. To stop the daily email, use the unsubscribe \
                 link below."
                    .to_owned(),
            ),
            false,
        );
    }
    subscriber.sections = to_store(&ctx, wanted);
    app.store
        .set_subscriber_sections(id, &subscriber.sections)
        .await?;
    tracing::info!(
        site.id = ctx.entry.site.id,
        subscriber.id = id,
        "sections saved"
    );
    let sections = choices(&ctx, &subscriber.sections);
    preferences_page(&app, &ctx, &headers, &subscriber, sections, None, true)
}

fn preferences_page(
    app: &AppState,
    ctx: &SiteCtx,
    headers: &HeaderMap,
    subscriber: &Subscriber,
    sections: Vec<SectionChoice<'_>>,
    sections_error: Option<String>,
    saved: bool,
) -> Result<Response, WebError> {
    let token = csrf_token(app, headers)?;
    let name = &ctx.entry.site.name;
    let notes = match subscriber.status {
        SubscriberStatus::Confirmed => {
            vec![format!(
                "Choose the sections your {name} daily email brings you."
            )]
        }
        SubscriberStatus::Pending => vec![
            "Your subscription is not confirmed yet: open the link in the confirmation mail \
             to start getting the daily email."
                .to_owned(),
        ],
        SubscriberStatus::Unsubscribed => {
            vec!["You are unsubscribed. These choices apply if you subscribe again.".to_owned()]
        }
    };
    let status = if sections_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = PreferencesPage {
        chrome: chrome(app, ctx, "Your daily email"),
        action: signed_href(
            app,
            ctx,
            "/subscribe/preferences",
            PREFERENCES,
            subscriber.id,
        ),
        csrf: token.field,
        saved,
        notes,
        sections,
        sections_error,
        unsubscribe_href: signed_href(app, ctx, "/unsubscribe", UNSUBSCRIBE, subscriber.id),
    };
    Ok(page(
        status,
        render(&view, "preferences")?,
        token.set_cookie,
    ))
}

// ---- Unsubscribe ----

async fn unsubscribe_page(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let (id, _) = signed_id(&app.secret, UNSUBSCRIBE, query.as_deref())?;
    let subscriber = own_subscriber(&app, &ctx, id).await?;
    let name = &ctx.entry.site.name;
    if subscriber.status == SubscriberStatus::Unsubscribed {
        return notice(
            &app,
            &ctx,
            Notice::new(
                StatusCode::OK,
                "You are unsubscribed",
                vec![format!(
                    "This address no longer gets the {name} daily email. There is nothing more \
                     to do."
                )],
            )
            .link(format!("{}/subscribe", ctx.prefix), "Subscribe again"),
        );
    }
    notice(
        &app,
        &ctx,
        Notice::new(
            StatusCode::OK,
            format!("Unsubscribe from the {name} daily email"),
            vec![format!(
                "Press the button and this address gets no more {name} daily email. You can \
                 subscribe again at any time."
            )],
        )
        .button(ButtonForm {
            action: signed_href(&app, &ctx, "/unsubscribe", UNSUBSCRIBE, id),
            label: "Unsubscribe",
            fields: Vec::new(),
        })
        .link(
            signed_href(&app, &ctx, "/subscribe/preferences", PREFERENCES, id),
            "Or choose fewer sections",
        ),
    )
}

/// The button's POST and the RFC 8058 one-click POST (`List-Unsubscribe=One-Click`): no
/// cookie, no CSRF field, whatever the body; the signed token is the proof.
async fn unsubscribe(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let (id, _) = signed_id(&app.secret, UNSUBSCRIBE, query.as_deref())?;
    let changed = app.store.unsubscribe(id, OffsetTime::now_utc()).await?;
    if changed {
        tracing::info!(
            site.id = ctx.entry.site.id,
            subscriber.id = id,
            "unsubscribed"
        );
    }
    let name = &ctx.entry.site.name;
    notice(
        &app,
        &ctx,
        Notice::new(
            StatusCode::OK,
            "You are unsubscribed",
            vec![format!(
                "This address gets no more {name} daily email. Sorry to see you go."
            )],
        )
        .link(format!("{}/subscribe", ctx.prefix), "Subscribe again"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn confirmation_tokens_must_look_right() {
        let good = "a".repeat(64);
        assert_eq!(token_from(Some(&good)).as_deref(), Some(good.as_str()));
        assert!(token_from(Some("abc")).is_none());
        assert!(token_from(Some(&"g".repeat(64))).is_none());
        assert!(token_from(None).is_none());
    }

    #[test]
    fn forms_keep_repeated_names() {
        let f = FormData::parse(b"section=world&email=a%40b.example&section=sports").unwrap();
        assert_eq!(f.first("email"), Some("a@b.example"));
        assert_eq!(f.all("section").collect::<Vec<_>>(), ["world", "sports"]);
        assert!(FormData::parse(&vec![b'a'; MAX_FORM_BYTES + 1]).is_err());
    }
}
