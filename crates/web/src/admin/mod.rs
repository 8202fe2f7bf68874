//! The newsroom at `/admin`: accounts and sessions (`auth`), the moderation queue
//! (`moderation`), accounts (`users`), API tokens (`tokens`) and the audit log (`audit`), plus
//! the pieces every admin page shares: the [`AdminCtx`] extractor (the signed-in account, its
//! CSRF field and the client's address), the [`AdminChrome`] layout
//! (`templates/admin/base.html`) and [`AdminError`].
//!
//! Input: requests under `/admin` (nested before the sites' fallback, so no admin page ever
//! reaches `dispatch` or the public page cache). Output: server-rendered pages, every one sent
//! with `Cache-Control: no-store`.
//!
//! Authorization is decided here, on the server, for every route: a handler that takes an
//! [`AdminCtx`] only runs with a valid session (else a GET is sent to the login page with
//! `next=`, any other method gets 401); admin-only handlers call [`AdminCtx::require_admin`]
//! (403 for editors); handlers that touch an object check it against [`User::may_edit`]. An
//! object of a site the account may not edit answers 403, not 404: ids are sequential, so
//! hiding them would protect nothing, and a clear "not yours" helps an editor who followed a
//! colleague's link. Every form POST goes through [`AdminCtx::form`], the crate's one CSRF
//! mechanism (`csrf`). Never logs a password, a session id, a token or an email address.

mod audit;
mod auth;
mod moderation;
// Running the network: sources, sites, stories, subscribers, outbox (its own file).
mod network;
// API tokens: list, make, revoke (admins only).
mod tokens;
mod users;

use std::fmt::Debug;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use async_trait::async_trait;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use masthead_model::{AuditEntry, OffsetTime, Release, ReleaseStatus, Role, StoryId, User};
use masthead_store::{Store, StoreError};
use sha2::Digest;

use crate::error::plain_page;
use crate::{AppState, WebError, csrf};

/// Makes a story of an approved release and mails its submitter: the ingest path and the mail
/// path, which this crate cannot call, so the binary implements it.
#[async_trait]
pub trait Newsroom: Send + Sync + Debug {
    /// Makes the release a story (labelled "News release") on `release.release.sites`, the
    /// sites the editor chose, and tells the submitter; returns the story's id.
    async fn approve(&self, release: &Release, by: &str) -> Result<StoryId, String>;
    /// Tells the submitter about a decision (a rejection carries `release.reason`).
    async fn notify(&self, release: &Release, decision: ReleaseStatus) -> Result<(), String>;
}

/// The session cookie; its value is 256 random bits in hex, stored only as its SHA-256.
pub(crate) const SESSION_COOKIE: &str = "masthead_session";
const SESSION_BYTES: usize = 32;
/// A session ends 12 hours after login, whatever happens.
pub(crate) const SESSION_ABSOLUTE_MICROS: i64 = 12 * 3600 * 1_000_000;
/// … and after 30 minutes without a request.
pub(crate) const SESSION_IDLE_MICROS: i64 = 30 * 60 * 1_000_000;
/// Admin forms carry at most a release's text; a megabyte is far more than that.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// What the admin needs besides the crate's shared state.
#[derive(Debug)]
pub(crate) struct AdminState {
    pub newsroom: Option<Arc<dyn Newsroom>>,
    pub uploads_dir: Option<PathBuf>,
    /// The configured public base URL: an origin forms may come from (behind a proxy that
    /// rewrites `Host`), and the root of the setup links shown to admins.
    pub base_url: Option<String>,
    /// The sites' routing rules from the configuration (see `WebSettings::routes`).
    pub routes: Vec<masthead_route::SiteRoute>,
}

/// The admin's routes, to nest at `/admin`. Every response is `no-store`.
pub(crate) fn router(
    newsroom: Option<Arc<dyn Newsroom>>,
    uploads_dir: Option<PathBuf>,
    base_url: Option<String>,
    routes: Vec<masthead_route::SiteRoute>,
) -> Router<AppState> {
    let state = Arc::new(AdminState {
        newsroom,
        uploads_dir,
        base_url,
        routes,
    });
    Router::new()
        .route("/", get(moderation::dashboard))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/logout-everywhere", post(auth::logout_everywhere))
        .route(
            "/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/setup", get(auth::setup_form).post(auth::setup))
        .route("/releases", get(moderation::queue))
        .route("/releases/{id}", get(moderation::show))
        .route("/releases/{id}/edit", post(moderation::edit))
        .route("/releases/{id}/approve", post(moderation::approve))
        .route("/releases/{id}/reject", post(moderation::reject))
        .route("/releases/{id}/spam", post(moderation::spam))
        .route("/uploads/{file}", get(moderation::upload))
        .route("/users", get(users::list).post(users::add))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/users/{id}/sessions", post(users::end_sessions))
        .route("/users/{id}/setup-link", post(users::setup_again))
        .route("/audit", get(audit::log))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .merge(network::routes())
        .fallback(not_found)
        .layer(axum::Extension(state))
        .layer(axum::middleware::map_response(no_store))
}

async fn not_found(_ctx: AdminCtx) -> AdminError {
    AdminError::NotFound("page")
}

/// Admin pages carry names, addresses and tokens: no browser or proxy may keep them.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---- The signed-in account ----

/// The signed-in account of an admin request, with what its pages and forms need.
///
/// Extracting it is the authentication check: without a valid session a GET answers 303 to
/// `/admin/login?next=…` and any other method 401, before the handler runs.
#[derive(Debug, Clone)]
pub(crate) struct AdminCtx {
    pub user: User,
    /// The hidden CSRF field's value for this browser (`csrf::FIELD`).
    pub csrf: String,
    /// Sent with the page when the browser had no CSRF cookie yet.
    pub csrf_cookie: Option<HeaderValue>,
    /// The client's address, for the audit log ("unknown" without `ConnectInfo`).
    pub from: String,
    /// SHA-256 of this browser's session id.
    pub session_hash: String,
    pub app: AppState,
    pub state: Arc<AdminState>,
    headers: HeaderMap,
}

/// Why there is no [`AdminCtx`]: the login page for a GET, 401 otherwise, 500 on a store error.
#[derive(Debug)]
pub(crate) enum AdminRejection {
    Login { next: String },
    Unauthorized,
    Failed(AdminError),
}

impl IntoResponse for AdminRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Login { next } => {
                let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                see_other(&format!("/admin/login?next={next}"))
            }
            Self::Unauthorized => plain_page(
                StatusCode::UNAUTHORIZED,
                "Please log in",
                "Your session has ended or you are not logged in. Log in at /admin/login and \
                 try again.",
            ),
            Self::Failed(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for AdminCtx {
    type Rejection = AdminRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let state = admin_state(parts).map_err(AdminRejection::Failed)?;
        let refuse = || {
            if matches!(parts.method, Method::GET | Method::HEAD) {
                let next = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |o| &o.0)
                    .path_and_query()
                    .map_or_else(|| "/admin".to_owned(), |pq| pq.as_str().to_owned());
                AdminRejection::Login { next }
            } else {
                AdminRejection::Unauthorized
            }
        };
        let Some(session) = session_cookie(&parts.headers) else {
            return Err(refuse());
        };
        let session_hash = sha256_hex(&session);
        let now = OffsetTime::now_utc().unix_micros;
        let user = app
            .store
            .session_user(&session_hash, now, SESSION_IDLE_MICROS)
            .await
            .map_err(|e| AdminRejection::Failed(e.into()))?;
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Err(refuse());
        };
        let token = form_token(app, &parts.headers).map_err(AdminRejection::Failed)?;
        Ok(Self {
            user,
            csrf: token.field,
            csrf_cookie: token.set_cookie,
            from: client_ip(parts),
            session_hash,
            app: app.clone(),
            state,
            headers: parts.headers.clone(),
        })
    }
}

impl AdminCtx {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin && !self.user.disabled
    }

    /// 403 for editors: users, the audit log and other network-wide settings.
    pub fn require_admin(&self) -> Result<(), AdminError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// A form POST's fields, after the CSRF check (403 when it fails).
    pub fn form(&self, body: &[u8]) -> Result<AdminForm, AdminError> {
        let form = AdminForm::parse(body)?;
        check_csrf(&self.app, &self.state, &self.headers, &form)?;
        Ok(form)
    }

    /// Writes one audit entry: this account, now, from this client.
    pub async fn audit(
        &self,
        store: &dyn Store,
        action: &str,
        object: &str,
        detail: &str,
    ) -> Result<(), WebError> {
        write_audit(store, &self.user.email, action, object, detail, &self.from).await
    }

    /// The layout's data for a page titled `title` with `active` marked in the navigation.
    pub fn chrome(&self, title: impl Into<String>, active: Nav) -> AdminChrome {
        AdminChrome::new(Some(self), title.into(), active)
    }

    /// An HTML page of the admin: `no-store`, with the CSRF cookie when the browser needs one.
    pub fn page(&self, status: StatusCode, body: String) -> Response {
        html_page(status, body, self.csrf_cookie.clone())
    }

    /// Renders `template` into [`AdminCtx::page`].
    pub fn render(
        &self,
        status: StatusCode,
        template: &impl Template,
    ) -> Result<Response, AdminError> {
        Ok(self.page(status, render(template)?))
    }
}

pub(crate) async fn write_audit(
    store: &dyn Store,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    from: &str,
) -> Result<(), WebError> {
    let entry = AuditEntry {
        at: OffsetTime::now_utc(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        object: object.to_owned(),
        detail: detail.to_owned(),
        from: from.to_owned(),
    };
    store.audit(&entry).await.map_err(WebError::from)
}

fn admin_state(parts: &Parts) -> Result<Arc<AdminState>, AdminError> {
    parts
        .extensions
        .get::<Arc<AdminState>>()
        .cloned()
        .ok_or_else(|| {
            AdminError::Web(WebError::Secret {
                reason: "the admin router's state is missing".to_owned(),
            })
        })
}

pub(crate) fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

pub(crate) fn form_token(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<csrf::FormToken, AdminError> {
    csrf::issue(&app.secret, headers, app.secure_cookies).ok_or_else(|| {
        AdminError::Web(WebError::Serialize {
            format: "form token",
            reason: "no OS randomness".to_owned(),
        })
    })
}

pub(crate) fn check_csrf(
    app: &AppState,
    state: &AdminState,
    headers: &HeaderMap,
    form: &AdminForm,
) -> Result<(), AdminError> {
    let base = state.base_url.as_deref().unwrap_or_default();
    csrf::check(&app.secret, headers, form.first(csrf::FIELD), base).map_err(AdminError::Csrf)
}

/// The session id the browser sent, when well-formed.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| v.len() == SESSION_BYTES * 2 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(crate) fn sha256_hex(value: &str) -> String {
    hex::encode(sha2::Sha256::digest(value.as_bytes()).as_slice())
}

/// `bytes` random bytes in hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String, AdminError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| {
        AdminError::Web(WebError::Serialize {
            format: "random token",
            reason: e.to_string(),
        })
    })?;
    Ok(hex::encode(buf))
}

pub(crate) fn new_session_id() -> Result<String, AdminError> {
    random_hex(SESSION_BYTES)
}

// ---- Responses ----

pub(crate) fn html_page(status: StatusCode, body: String, cookie: Option<HeaderValue>) -> Response {
    let mut response = (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

pub(crate) fn render(template: &impl Template) -> Result<String, AdminError> {
    template.render().map_err(|source| {
        AdminError::Web(WebError::Render {
            template: "admin",
            source,
        })
    })
}

/// What went wrong in the admin; a 4xx says what to do, a 5xx nothing (logged once).
#[derive(Debug)]
pub(crate) enum AdminError {
    Web(WebError),
    /// The account may not do this, or not to this object.
    Forbidden,
    /// The form's CSRF check failed.
    Csrf(csrf::Refusal),
    NotFound(&'static str),
    BadRequest(String),
    /// A part of the newsroom this process does not have (say, no `Newsroom`).
    Unavailable(String),
}

impl From<WebError> for AdminError {
    fn from(error: WebError) -> Self {
        Self::Web(error)
    }
}

impl From<StoreError> for AdminError {
    fn from(error: StoreError) -> Self {
        Self::Web(WebError::Store(error))
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            Self::Web(error) => {
                let status = error.status();
                if status.is_server_error() {
                    tracing::error!(%error, "admin request failed");
                }
                let notice = error.notice();
                plain_page(status, notice.heading, &notice.message)
            }
            Self::Forbidden => plain_page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your account may not do this. Editors work only on the releases and stories \
                 of their own sites; accounts and the audit log are for admins.",
            ),
            Self::Csrf(refusal) => {
                tracing::info!(reason = refusal.as_str(), "admin form refused");
                plain_page(
                    StatusCode::FORBIDDEN,
                    "Please reload the form",
                    "For your safety this form is only accepted when it is sent from its own \
                     page, with cookies allowed. Go back, reload the page and send it again.",
                )
            }
            Self::NotFound(what) => plain_page(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("There is no {what} at this address."),
            ),
            Self::BadRequest(message) => {
                plain_page(StatusCode::BAD_REQUEST, "Bad request", &message)
            }
            Self::Unavailable(message) => {
                plain_page(StatusCode::SERVICE_UNAVAILABLE, "Not available", &message)
            }
        }
    }
}

// ---- Forms ----

/// A form POST (or a query) as name/value pairs, repeated names kept (checkboxes).
#[derive(Debug, Default)]
pub(crate) struct AdminForm(Vec<(String, String)>);

impl AdminForm {
    pub fn parse(body: &[u8]) -> Result<Self, AdminError> {
        if body.len() > MAX_FORM_BYTES {
            return Err(AdminError::BadRequest(
                "This form is far larger than ours: please send it from its page.".to_owned(),
            ));
        }
        Ok(Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    /// The first value of `name`, as sent.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed; `""` when absent.
    pub fn text(&self, name: &str) -> &str {
        self.first(name).map(str::trim).unwrap_or_default()
    }

    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

// ---- Layout ----

/// The entries of the admin's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    None,
    Queue,
    Sources,
    Stories,
    Subscribers,
    Outbox,
    Users,
    Tokens,
    Audit,
    Password,
}

/// One link of the admin's navigation.
#[derive(Debug)]
pub(crate) struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// What `templates/admin/base.html` shows around every admin page. A page template extends
/// it and has a field `admin: AdminChrome`.
#[derive(Debug)]
pub(crate) struct AdminChrome {
    pub title: String,
    /// The signed-in account's email and role; empty on the login and setup pages.
    pub email: String,
    pub role: &'static str,
    /// For the logout button's form.
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

impl AdminChrome {
    pub fn new(ctx: Option<&AdminCtx>, title: String, active: Nav) -> Self {
        let Some(ctx) = ctx else {
            return Self {
                title,
                email: String::new(),
                role: "",
                csrf: String::new(),
                nav: Vec::new(),
            };
        };
        let admin = ctx.is_admin();
        let nav = [
            ("Queue", "/admin/releases", Nav::Queue, false),
            ("Sources", "/admin/sources", Nav::Sources, false),
            ("Stories", "/admin/stories", Nav::Stories, false),
            ("Subscribers", "/admin/subscribers", Nav::Subscribers, false),
            ("Outbox", "/admin/outbox", Nav::Outbox, false),
            ("Users", "/admin/users", Nav::Users, true),
            ("Tokens", "/admin/tokens", Nav::Tokens, true),
            ("Audit log", "/admin/audit", Nav::Audit, true),
        ]
        .into_iter()
        .filter(|(_, _, _, admin_only)| admin || !admin_only)
        .map(|(label, href, nav, _)| NavLink {
            label,
            href,
            current: nav == active,
        })
        .collect();
        Self {
            title,
            email: ctx.user.email.clone(),
            role: ctx.user.role.as_str(),
            csrf: ctx.csrf.clone(),
            nav,
        }
    }
}
