//! Accounts' way in and out: login, logout (here or everywhere), password change and the
//! one-time setup link.
//!
//! - Passwords are argon2id PHC strings, hashed and verified in `spawn_blocking` (tens of
//!   milliseconds of CPU each). An unknown, disabled or not yet set up account is verified
//!   against a dummy hash made with the same parameters, and every failure gets the same page,
//!   status and message, so neither timing nor words tell whether an account exists.
//! - Failed logins are counted in the store (so every node sees them) per account (the SHA-256
//!   of the typed address, so the table holds no addresses) and per client IP: at
//!   [`ACCOUNT_FAILURES`] or [`IP_FAILURES`] in [`FAILURE_WINDOW_MICROS`] further attempts are
//!   refused, correct password or not, with "Too many attempts; try again in N minutes".
//! - A login always makes a new random session id (the one the browser had, if any, is
//!   ended): fixation is impossible. Only the id's SHA-256 is stored. The cookie is
//!   `HttpOnly; SameSite=Lax; Path=/admin`, `Secure` when the base URL is https.
//! - Every login (ok, failed, locked out), logout, password change and setup is audited.

use std::net::SocketAddr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use askama::Template;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use masthead_model::{OffsetTime, User};
use std::sync::Arc;

use super::{
    AdminChrome, AdminCtx, AdminError, AdminForm, AdminState, Nav, SESSION_ABSOLUTE_MICROS,
    SESSION_COOKIE, check_csrf, form_token, html_page, new_session_id, render, see_other,
    session_cookie, sha256_hex, write_audit,
};
use crate::{AppState, WebError};

/// Failed logins per account within the window before it is locked.
pub(crate) const ACCOUNT_FAILURES: i64 = 5;
/// Failed logins per client IP within the window before it is locked.
pub(crate) const IP_FAILURES: i64 = 20;
pub(crate) const FAILURE_WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
/// A new password's minimum length in characters.
pub(crate) const MIN_PASSWORD_CHARS: usize = 12;
/// Longer inputs are refused before hashing: argon2 takes any length, our CPU does not.
const MAX_PASSWORD_BYTES: usize = 1024;
/// The one message of every failed login.
const LOGIN_FAILED: &str = "The email address or the password is not right.";

// ---- Passwords ----

/// An argon2id PHC string of `password` (default parameters, random salt).
pub(crate) async fn hash_password(password: String) -> Result<String, AdminError> {
    tokio::task::spawn_blocking(move || {
        let hash: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
        hash.map(|h| h.to_string())
            .map_err(|e| format!("hashing a password failed: {e}"))
    })
    .await
    .map_err(|e| format!("the hashing task failed: {e}"))
    .and_then(|r| r)
    .map_err(|reason| {
        AdminError::Web(WebError::Serialize {
            format: "password hash",
            reason,
        })
    })
}

/// Whether `password` matches `hash`. An empty or malformed hash is checked against a dummy
/// hash instead, so the time taken is the same, and never matches.
pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = PasswordHash::new(&hash).ok();
        let dummy = dummy_hash();
        let (candidate, counts) = match &real {
            Some(h) => (Some(h), true),
            None => (dummy.as_ref(), false),
        };
        let Some(candidate) = candidate else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), candidate)
            .is_ok();
        ok && counts
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password with our parameters, made once per process.
fn dummy_hash() -> &'static Option<PasswordHash> {
    static DUMMY: OnceLock<Option<PasswordHash>> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).ok()?;
        Argon2::default().hash_password(&secret).ok()
    })
}

fn password_problem(new: &str, repeat: &str) -> Option<String> {
    if new.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "Choose a password of at least {MIN_PASSWORD_CHARS} characters."
        ))
    } else if new.len() > MAX_PASSWORD_BYTES {
        Some(format!(
            "Choose a password of at most {MAX_PASSWORD_BYTES} characters."
        ))
    } else if new != repeat {
        Some("The two new passwords differ: type the same one twice.".to_owned())
    } else {
        None
    }
}

// ---- Sessions ----

fn session_set_cookie(app: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if app.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/admin; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// Starts a new session for `user`: returns its `Set-Cookie`.
async fn start_session(app: &AppState, user: &User) -> Result<HeaderValue, AdminError> {
    let id = new_session_id()?;
    let now = OffsetTime::now_utc().unix_micros;
    app.store
        .create_session(
            &sha256_hex(&id),
            user.id,
            now,
            now.saturating_add(SESSION_ABSOLUTE_MICROS),
        )
        .await?;
    session_set_cookie(app, &id, SESSION_ABSOLUTE_MICROS / 1_000_000).ok_or_else(|| {
        AdminError::Web(WebError::Serialize {
            format: "session cookie",
            reason: "not a header value".to_owned(),
        })
    })
}

fn end_cookie(app: &AppState) -> Option<HeaderValue> {
    session_set_cookie(app, "", 0)
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// A path inside the admin to go to after login; anything else (another site, `//host`)
/// becomes `/admin`.
fn safe_next(next: &str) -> &str {
    let inside = next == "/admin" || next.starts_with("/admin/") || next.starts_with("/admin?");
    if inside && !next.contains("//") && !next.contains('\\') {
        next
    } else {
        "/admin"
    }
}

// ---- Login ----

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    admin: AdminChrome,
    csrf: String,
    next: String,
    email: String,
    problem: Option<String>,
    notice: Option<String>,
}

fn login_page(
    app: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    email: &str,
    problem: Option<String>,
    notice: Option<String>,
) -> Result<Response, AdminError> {
    let token = form_token(app, headers)?;
    let page = LoginPage {
        admin: AdminChrome::new(None, "Log in".to_owned(), Nav::None),
        csrf: token.field,
        next: safe_next(next).to_owned(),
        email: email.to_owned(),
        problem,
        notice,
    };
    Ok(html_page(status, render(&page)?, token.set_cookie))
}

pub(crate) async fn login_form(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    let notice = (query.text("setup") == "done")
        .then(|| "Your password is set. Log in with it now.".to_owned());
    login_page(
        &app,
        &headers,
        StatusCode::OK,
        query.text("next"),
        "",
        None,
        notice,
    )
}

pub(crate) async fn login(
    State(app): State<AppState>,
    Extension(state): Extension<Arc<AdminState>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = AdminForm::parse(&body)?;
    check_csrf(&app, &state, &headers, &form)?;
    let email = form.text("email").to_lowercase();
    let password = form.first("password").unwrap_or_default().to_owned();
    let next = form.text("next").to_owned();
    let from = peer.map_or_else(|| "unknown".to_owned(), |p| p.0.0.ip().to_string());
    let now = OffsetTime::now_utc().unix_micros;
    let since = now.saturating_sub(FAILURE_WINDOW_MICROS);
    let account_key = format!("account:{}", sha256_hex(&email));
    let ip_key = (from != "unknown").then(|| format!("ip:{from}"));

    let account_failures = app.store.login_failures(&account_key, since, None).await?;
    let ip_failures = match &ip_key {
        Some(key) => app.store.login_failures(key, since, None).await?,
        None => 0,
    };
    let user = app.store.user_by_email(&email).await?;
    let actor = user
        .as_ref()
        .map_or_else(|| "unknown account".to_owned(), |u| u.email.clone());
    if account_failures >= ACCOUNT_FAILURES || ip_failures >= IP_FAILURES {
        tracing::info!(
            account_locked = account_failures >= ACCOUNT_FAILURES,
            ip_locked = ip_failures >= IP_FAILURES,
            "login refused: too many failures"
        );
        write_audit(
            app.store.as_ref(),
            &actor,
            "login.locked",
            "session",
            "",
            &from,
        )
        .await?;
        let minutes = FAILURE_WINDOW_MICROS / 60_000_000;
        let mut response = login_page(
            &app,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &email,
            Some(format!(
                "Too many attempts; try again in {minutes} minutes."
            )),
            None,
        )?;
        if let Ok(value) = HeaderValue::from_str(&(minutes * 60).to_string()) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }

    let (hash, usable) = match &user {
        Some(u) => (u.password_hash.clone(), !u.disabled),
        None => (String::new(), false),
    };
    let verified = password.len() <= MAX_PASSWORD_BYTES && verify_password(password, hash).await;
    let user = match user {
        Some(user) if verified && usable => user,
        _ => {
            app.store
                .login_failures(&account_key, since, Some(now))
                .await?;
            if let Some(key) = &ip_key {
                app.store.login_failures(key, since, Some(now)).await?;
            }
            write_audit(
                app.store.as_ref(),
                &actor,
                "login.fail",
                "session",
                "",
                &from,
            )
            .await?;
            return login_page(
                &app,
                &headers,
                StatusCode::UNAUTHORIZED,
                &next,
                &email,
                Some(LOGIN_FAILED.to_owned()),
                None,
            );
        }
    };

    app.store.clear_login_failures(&account_key).await?;
    // Rotation: whatever session this browser had ends; the new id is fresh randomness.
    if let Some(old) = session_cookie(&headers) {
        app.store.delete_session(&sha256_hex(&old)).await?;
    }
    let cookie = start_session(&app, &user).await?;
    write_audit(
        app.store.as_ref(),
        &user.email,
        "login.ok",
        "session",
        "",
        &from,
    )
    .await?;
    tracing::info!(user.id = user.id, "login");
    Ok(with_cookie(see_other(safe_next(&next)), Some(cookie)))
}

// ---- Logout ----

pub(crate) async fn logout(ctx: AdminCtx, body: Bytes) -> Result<Response, AdminError> {
    ctx.form(&body)?;
    let store = ctx.app.store.as_ref();
    store.delete_session(&ctx.session_hash).await?;
    ctx.audit(store, "logout", "session", "").await?;
    Ok(with_cookie(see_other("/admin/login"), end_cookie(&ctx.app)))
}

pub(crate) async fn logout_everywhere(ctx: AdminCtx, body: Bytes) -> Result<Response, AdminError> {
    ctx.form(&body)?;
    let store = ctx.app.store.as_ref();
    let ended = store.delete_user_sessions(ctx.user.id).await?;
    ctx.audit(
        store,
        "logout.everywhere",
        &format!("user {}", ctx.user.id),
        &format!("{ended} sessions ended"),
    )
    .await?;
    Ok(with_cookie(see_other("/admin/login"), end_cookie(&ctx.app)))
}

// ---- Password change ----

#[derive(Template)]
#[template(path = "admin/password.html")]
struct PasswordPage {
    admin: AdminChrome,
    csrf: String,
    problem: Option<String>,
    notice: Option<String>,
    min_chars: usize,
}

fn password_page(
    ctx: &AdminCtx,
    status: StatusCode,
    problem: Option<String>,
    notice: Option<String>,
) -> Result<Response, AdminError> {
    ctx.render(
        status,
        &PasswordPage {
            admin: ctx.chrome("Password", Nav::Password),
            csrf: ctx.csrf.clone(),
            problem,
            notice,
            min_chars: MIN_PASSWORD_CHARS,
        },
    )
}

pub(crate) async fn password_form(ctx: AdminCtx) -> Result<Response, AdminError> {
    password_page(&ctx, StatusCode::OK, None, None)
}

pub(crate) async fn change_password(ctx: AdminCtx, body: Bytes) -> Result<Response, AdminError> {
    let form = ctx.form(&body)?;
    let store = ctx.app.store.as_ref();
    let current = form.first("current").unwrap_or_default().to_owned();
    let new = form.first("new").unwrap_or_default();
    let repeat = form.first("repeat").unwrap_or_default();
    if let Some(problem) = password_problem(new, repeat) {
        return password_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(problem), None);
    }
    // The current password is a login in disguise: the same per-account lock applies.
    let now = OffsetTime::now_utc().unix_micros;
    let since = now.saturating_sub(FAILURE_WINDOW_MICROS);
    let account_key = format!("account:{}", sha256_hex(&ctx.user.email));
    if store.login_failures(&account_key, since, None).await? >= ACCOUNT_FAILURES {
        let minutes = FAILURE_WINDOW_MICROS / 60_000_000;
        return password_page(
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "Too many attempts; try again in {minutes} minutes."
            )),
            None,
        );
    }
    let ok = current.len() <= MAX_PASSWORD_BYTES
        && verify_password(current, ctx.user.password_hash.clone()).await;
    if !ok {
        store.login_failures(&account_key, since, Some(now)).await?;
        ctx.audit(
            store,
            "password.change.fail",
            &format!("user {}", ctx.user.id),
            "",
        )
        .await?;
        return password_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Your current password is not right.".to_owned()),
            None,
        );
    }
    let hash = hash_password(new.to_owned()).await?;
    store.set_password(ctx.user.id, &hash).await?;
    let ended = store.delete_user_sessions(ctx.user.id).await?;
    let cookie = start_session(&ctx.app, &ctx.user).await?;
    ctx.audit(
        store,
        "password.change",
        &format!("user {}", ctx.user.id),
        &format!("{} other sessions ended", ended.saturating_sub(1)),
    )
    .await?;
    let response = password_page(
        &ctx,
        StatusCode::OK,
        None,
        Some("Your password is changed. Your other sessions have ended.".to_owned()),
    )?;
    Ok(with_cookie(response, Some(cookie)))
}

// ---- Setup link ----

#[derive(Template)]
#[template(path = "admin/setup.html")]
struct SetupPage {
    admin: AdminChrome,
    csrf: String,
    token: String,
    problem: Option<String>,
    min_chars: usize,
}

fn setup_page(
    app: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    token: &str,
    problem: Option<String>,
) -> Result<Response, AdminError> {
    let form_token = form_token(app, headers)?;
    let page = SetupPage {
        admin: AdminChrome::new(None, "Set your password".to_owned(), Nav::None),
        csrf: form_token.field,
        token: token.to_owned(),
        problem,
        min_chars: MIN_PASSWORD_CHARS,
    };
    Ok(html_page(status, render(&page)?, form_token.set_cookie))
}

/// The form only: the token is used up by the POST, not by mail scanners opening the link.
pub(crate) async fn setup_form(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AdminError> {
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    setup_page(&app, &headers, StatusCode::OK, query.text("token"), None)
}

pub(crate) async fn setup(
    State(app): State<AppState>,
    Extension(state): Extension<Arc<AdminState>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AdminError> {
    let form = AdminForm::parse(&body)?;
    check_csrf(&app, &state, &headers, &form)?;
    let token = form.text("token");
    let new = form.first("new").unwrap_or_default();
    let repeat = form.first("repeat").unwrap_or_default();
    if let Some(problem) = password_problem(new, repeat) {
        return setup_page(
            &app,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            token,
            Some(problem),
        );
    }
    let now = OffsetTime::now_utc().unix_micros;
    let user = if token.is_empty() {
        None
    } else {
        app.store.take_setup_token(&sha256_hex(token), now).await?
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Err(AdminError::BadRequest(
            "This setup link has been used already or has expired. Ask an admin for a new one."
                .to_owned(),
        ));
    };
    let hash = hash_password(new.to_owned()).await?;
    app.store.set_password(user.id, &hash).await?;
    app.store.delete_user_sessions(user.id).await?;
    let from = peer.map_or_else(|| "unknown".to_owned(), |p| p.0.0.ip().to_string());
    write_audit(
        app.store.as_ref(),
        &user.email,
        "password.setup",
        &format!("user {}", user.id),
        "",
        &from,
    )
    .await?;
    Ok(see_other("/admin/login?setup=done"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_admin() {
        assert_eq!(
            safe_next("/admin/releases?status=spam"),
            "/admin/releases?status=spam"
        );
        assert_eq!(safe_next("/admin"), "/admin");
        assert_eq!(safe_next("https://evil.example/admin"), "/admin");
        assert_eq!(safe_next("//evil.example"), "/admin");
        assert_eq!(safe_next("/admin//evil.example"), "/admin");
        assert_eq!(safe_next("/adminx"), "/admin");
        assert_eq!(safe_next("/admin/\\evil"), "/admin");
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(password_problem("short", "short").is_some());
        assert!(password_problem("long enough pass", "long enough pasS").is_some());
        assert!(password_problem("long enough pass", "long enough pass").is_none());
    }

    #[tokio::test]
    async fn hashes_verify_and_garbage_never_does() {
        let hash = hash_password("correct horse battery".to_owned())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".to_owned(), hash.clone()).await);
        assert!(!verify_password("wrong".to_owned(), hash).await);
        assert!(!verify_password("anything".to_owned(), String::new()).await);
        assert!(!verify_password("anything".to_owned(), "garbage".to_owned()).await);
    }
}
