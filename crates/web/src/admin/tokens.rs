//! API tokens, for admins only (403 for editors): list them, make one (name and scope; its
//! secret is shown once, on the page that answers the POST) and revoke one.
//!
//! Only the secret's SHA-256 is stored (`api::tokens`); the secret is never logged, audited or
//! shown again, and the list shows no part of it. Revoking is for good: the token answers 401
//! from then on. Every change is audited (`token.create`, `token.revoke`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use masthead_model::{ApiScope, ApiTokenId, OffsetTime};

use super::moderation::when;
use super::{AdminChrome, AdminCtx, AdminError, Nav, see_other};
use crate::WebError;

/// A token's name is a label ("Harbor Wire intake"), not an essay.
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug)]
struct TokenRow {
    id: ApiTokenId,
    name: String,
    scope: &'static str,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    admin: AdminChrome,
    csrf: String,
    rows: Vec<TokenRow>,
    name: String,
    write: bool,
    problem: Option<String>,
    /// `(name, scope, secret)` right after a token was made: shown this once.
    made: Option<(String, &'static str, String)>,
}

#[derive(Debug, Default)]
struct Extras {
    name: String,
    scope: Option<ApiScope>,
    problem: Option<String>,
    made: Option<(String, &'static str, String)>,
}

async fn tokens_page(
    ctx: &AdminCtx,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, AdminError> {
    let mut tokens = ctx.app.store.api_tokens().await?;
    // Live ones first, newest first within each group.
    tokens.sort_by_key(|t| (t.revoked_at.is_some(), std::cmp::Reverse(t.id)));
    let rows = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            scope: t.scope.as_str(),
            created: when(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".to_owned(), when),
            revoked: t.revoked_at.map(when),
        })
        .collect();
    ctx.render(
        status,
        &TokensPage {
            admin: ctx.chrome("API tokens", Nav::Tokens),
            csrf: ctx.csrf.clone(),
            rows,
            name: extras.name,
            write: extras.scope == Some(ApiScope::Write),
            problem: extras.problem,
            made: extras.made,
        },
    )
}

pub(crate) async fn list(ctx: AdminCtx) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    tokens_page(&ctx, StatusCode::OK, Extras::default()).await
}

/// The name as it will be stored, or what is wrong with it.
fn check_name(typed: &str) -> Result<String, String> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Give the token a name: who or what will use it.".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Keep the name to {MAX_NAME_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("The name may not hold control characters.".to_owned());
    }
    Ok(name)
}

pub(crate) async fn create(ctx: AdminCtx, body: Bytes) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    let form = ctx.form(&body)?;
    let typed = form.text("name").to_owned();
    let scope = ApiScope::parse(form.text("scope"));
    let refuse = |problem: String| Extras {
        name: typed.clone(),
        scope,
        problem: Some(problem),
        made: None,
    };
    let Some(scope) = scope else {
        let extras = refuse("Choose a scope: read or write.".to_owned());
        return tokens_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    };
    let name = match check_name(&typed) {
        Ok(name) => name,
        Err(problem) => {
            let extras = refuse(problem);
            return tokens_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
        }
    };
    let new = crate::api::tokens::generate().map_err(|e| {
        AdminError::Web(WebError::Serialize {
            format: "API token",
            reason: e.to_string(),
        })
    })?;
    let store = ctx.app.store.as_ref();
    let token = store
        .create_api_token(&name, scope, &new.hash, OffsetTime::now_utc())
        .await?;
    ctx.audit(
        store,
        "token.create",
        &format!("token {}", token.id),
        &format!("scope {}; name {name}", scope.as_str()),
    )
    .await?;
    let extras = Extras {
        made: Some((token.name, scope.as_str(), new.secret)),
        ..Extras::default()
    };
    tokens_page(&ctx, StatusCode::CREATED, extras).await
}

pub(crate) async fn revoke(
    ctx: AdminCtx,
    Path(id): Path<ApiTokenId>,
    body: Bytes,
) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    ctx.form(&body)?;
    let store = ctx.app.store.as_ref();
    if !store.api_tokens().await?.iter().any(|t| t.id == id) {
        return Err(AdminError::NotFound("API token"));
    }
    // False when it was revoked already: nothing to do, nothing to audit.
    if store.revoke_api_token(id, OffsetTime::now_utc()).await? {
        ctx.audit(store, "token.revoke", &format!("token {id}"), "")
            .await?;
    }
    Ok(see_other("/admin/tokens"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_and_short() {
        assert_eq!(
            check_name("  Harbor   Wire\tintake "),
            Ok("Harbor Wire intake".into())
        );
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(check_name("a\u{7}b").is_err());
    }
}
