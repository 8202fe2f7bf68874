//! The audit log, for admins only: every editorial and administrative action, newest first,
//! [`PAGE`] entries a page, with a link to older ones (`?before=` unix µs).

use askama::Template;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;

use super::moderation::when;
use super::{AdminChrome, AdminCtx, AdminError, AdminForm, Nav};

/// Entries a page shows.
pub(crate) const PAGE: usize = 50;

#[derive(Debug)]
struct Row {
    at: String,
    actor: String,
    action: String,
    object: String,
    detail: String,
    from: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    admin: AdminChrome,
    rows: Vec<Row>,
    older: Option<i64>,
    first_page: bool,
}

pub(crate) async fn log(ctx: AdminCtx, RawQuery(query): RawQuery) -> Result<Response, AdminError> {
    ctx.require_admin()?;
    let query = AdminForm::parse(query.unwrap_or_default().as_bytes())?;
    let before = match query.text("before") {
        "" => None,
        b => Some(b.parse::<i64>().map_err(|_| {
            AdminError::BadRequest("`before` must be a time in microseconds.".to_owned())
        })?),
    };
    let limit = i64::try_from(PAGE).unwrap_or(50).saturating_add(1);
    let mut entries = ctx.app.store.audit_log(limit, before).await?;
    let more = entries.len() > PAGE;
    entries.truncate(PAGE);
    let older = if more {
        entries.last().map(|e| e.at.unix_micros)
    } else {
        None
    };
    let rows = entries
        .into_iter()
        .map(|e| Row {
            at: when(e.at),
            actor: e.actor,
            action: e.action,
            object: e.object,
            detail: e.detail,
            from: e.from,
        })
        .collect();
    ctx.render(
        StatusCode::OK,
        &AuditPage {
            admin: ctx.chrome("Audit log", Nav::Audit),
            rows,
            older,
            first_page: before.is_none(),
        },
    )
}
