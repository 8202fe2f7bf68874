//! Accounts, for admins only (403 for editors): list, add (with a one-time setup link instead
//! of a password), a new setup link, disable and enable, and end an account's sessions.
//!
//! A new account has an empty password hash (no password can match it) until its setup link
//! is used; the link's token is shown once, here, and only its hash is stored. Disabling an
//! account ends its sessions too. Every change is audited.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use masthead_model::{OffsetTime, Role, SiteId, UserId};

use super::moderation::when;
use super::{AdminChrome, AdminCtx, AdminError, Nav, random_hex, see_other, sha256_hex};
use crate::address::check_address;

/// How long a setup link works.
pub(crate) const SETUP_LINK_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;
const SETUP_TOKEN_BYTES: usize = 32;

#[derive(Debug)]
struct UserRow {
    id: UserId,
    email: String,
    role: &'static str,
    sites: String,
    disabled: bool,
    pending: bool,
    created: String,
    is_me: bool,
}

#[derive(Debug)]
struct SiteBox {
    id: SiteId,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    admin: AdminChrome,
    csrf: String,
    rows: Vec<UserRow>,
    sites: Vec<SiteBox>,
    email: String,
    editor: bool,
    problem: Option<String>,
    /// `(account email, link)` right after an account was added or a link made.
    setup: Option<(String, String)>,
}

/// What the list page shows besides the accounts.
#[derive(Debug, Default)]
struct Extras {
    email: String,
    role: Option<Role>,
    chosen: Vec<SiteId>,
    problem: Option<String>,
    setup: Option<(String, String)>,
}

async fn users_page(
    ctx: &AdminCtx,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, AdminError> {
    let store = ctx.app.store.as_ref();
    let mut sites = store.sites().await?;
    sites.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = store
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: u.role.as_str(),
            sites: if u.role == Role::Admin || u.sites.is_empty() {
                "all sites".to_owned()
            } else {
                u.sites
                    .iter()
                    .map(|id| {
                        sites
                            .iter()
                            .find(|s| s.id == *id)
                            .map_or_else(|| format!("site {id}"), |s| s.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            disabled: u.disabled,
            pending: u.password_hash.is_empty(),
            created: when(u.created_at),
            is_me: u.id == ctx.user.id,
            email: u.email,
        })
        .collect();
    let sites = sites
        .into_iter()
        .map(|s| SiteBox {
            checked: extras.chosen.contains(&s.id),
            id: s.id,
            name: s.name,
        })
        .collect();
    ctx.render(
        status,
        &UsersPage {
            admin: ctx.chrome("Users", Nav::Users),
            csrf: ctx.csrf.clone(),
            rows,
            sites,
            email: extras.email,
            editor: extras.role != Some(Role::Admin),
            problem: extras.problem,
            setup: extras.setup,
        },
    )
}

pub(crate) async fn list(ctx: AdminCtx) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    users_page(&ctx, StatusCode::OK, Extras::default()).await
}

/// Makes a setup token for `user` and returns the link to show.
async fn setup_link(ctx: &AdminCtx, user: UserId) -> Result<String, AdminError> {
    let token = random_hex(SETUP_TOKEN_BYTES)?;
    let expires = OffsetTime::now_utc()
        .unix_micros
        .saturating_add(SETUP_LINK_MICROS);
    ctx.app
        .store
        .create_setup_token(user, &sha256_hex(&token), expires)
        .await?;
    let root = ctx
        .state
        .base_url
        .as_deref()
        .map(|b| b.trim().trim_end_matches('/'))
        .unwrap_or_default();
    Ok(format!("{root}/admin/setup?token={token}"))
}

pub(crate) async fn add(ctx: AdminCtx, body: Bytes) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    let form = ctx.form(&body)?;
    let store = ctx.app.store.as_ref();
    let typed = form.text("email").to_owned();
    let role = Role::parse(form.text("role"));
    let known: Vec<SiteId> = store.sites().await?.iter().map(|s| s.id).collect();
    let mut chosen = Vec::new();
    for value in form.all("site") {
        match value.trim().parse::<SiteId>() {
            Ok(id) if known.contains(&id) => {
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            _ => {
                return Err(AdminError::BadRequest(
                    "A chosen site does not exist: reload the page.".to_owned(),
                ));
            }
        }
    }
    let refuse = |problem: String| Extras {
        email: typed.clone(),
        role,
        chosen: chosen.clone(),
        problem: Some(problem),
        setup: None,
    };
    let Some(role) = role else {
        let extras = refuse("Choose a role: admin or editor.".to_owned());
        return users_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    };
    let email = match check_address(&typed) {
        Ok(email) => email,
        Err(problem) => {
            let extras = refuse(problem.message());
            return users_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
        }
    };
    if store.user_by_email(&email).await?.is_some() {
        let extras = refuse("An account with this address exists already.".to_owned());
        return users_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    }
    // Admins work on every site whatever the boxes say.
    let sites = if role == Role::Admin {
        Vec::new()
    } else {
        chosen
    };
    let user = store
        .create_user(&email, role, &sites, "", OffsetTime::now_utc())
        .await?;
    let link = setup_link(&ctx, user.id).await?;
    let site_list: Vec<String> = sites.iter().map(SiteId::to_string).collect();
    ctx.audit(
        store,
        "user.add",
        &format!("user {}", user.id),
        &format!(
            "role {}; sites {}",
            role.as_str(),
            if site_list.is_empty() {
                "all".to_owned()
            } else {
                site_list.join(",")
            }
        ),
    )
    .await?;
    let extras = Extras {
        setup: Some((user.email, link)),
        ..Extras::default()
    };
    users_page(&ctx, StatusCode::CREATED, extras).await
}

/// The account `id`, for an admin's change: 404 when there is none.
async fn target(ctx: &AdminCtx, id: UserId) -> Result<masthead_model::User, AdminError> {
    ctx.app
        .store
        .user(id)
        .await?
        .ok_or(AdminError::NotFound("account"))
}

pub(crate) async fn setup_again(
    ctx: AdminCtx,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    ctx.form(&body)?;
    let user = target(&ctx, id).await?;
    let link = setup_link(&ctx, user.id).await?;
    ctx.audit(
        ctx.app.store.as_ref(),
        "user.setup_link",
        &format!("user {id}"),
        "",
    )
    .await?;
    let extras = Extras {
        setup: Some((user.email, link)),
        ..Extras::default()
    };
    users_page(&ctx, StatusCode::OK, extras).await
}

async fn set_disabled(
    ctx: AdminCtx,
    id: UserId,
    body: Bytes,
    disabled: bool,
) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    ctx.form(&body)?;
    let user = target(&ctx, id).await?;
    if disabled && user.id == ctx.user.id {
        return Err(AdminError::BadRequest(
            "You cannot disable your own account: ask another admin.".to_owned(),
        ));
    }
    let store = ctx.app.store.as_ref();
    store.set_user_disabled(user.id, disabled).await?;
    let ended = if disabled {
        store.delete_user_sessions(user.id).await?
    } else {
        0
    };
    ctx.audit(
        store,
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        &format!("user {id}"),
        &if disabled {
            format!("{ended} sessions ended")
        } else {
            String::new()
        },
    )
    .await?;
    Ok(see_other("/admin/users"))
}

pub(crate) async fn disable(
    ctx: AdminCtx,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    set_disabled(ctx, id, body, true).await
}

pub(crate) async fn enable(
    ctx: AdminCtx,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    set_disabled(ctx, id, body, false).await
}

pub(crate) async fn end_sessions(
    ctx: AdminCtx,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    ctx.form(&body)?;
    let user = target(&ctx, id).await?;
    let store = ctx.app.store.as_ref();
    let ended = store.delete_user_sessions(user.id).await?;
    ctx.audit(
        store,
        "user.sessions.end",
        &format!("user {id}"),
        &format!("{ended} sessions ended"),
    )
    .await?;
    Ok(see_other("/admin/users"))
}
