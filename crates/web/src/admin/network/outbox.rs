//! `/admin/outbox`: the mails waiting in the outbox directory (no SMTP relay configured),
//! newest first: recipients, subject, date. Recipients are shown whole to admins only, masked
//! for editors; they are never logged.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::{Answer, is_admin, mask_addresses, page};
use crate::admin::{AdminChrome, AdminCtx, AdminError, Nav};
use crate::{AppState, WebError};

/// The page lists at most this many mails.
const LIMIT: usize = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/outbox", get(list))
}

#[derive(Debug)]
struct MailRow {
    to: String,
    subject: String,
    date: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    admin: AdminChrome,
    /// False when this server has no outbox (mail goes through a relay).
    configured: bool,
    total: usize,
    rows: Vec<MailRow>,
    masked: bool,
}

async fn list(State(app): State<AppState>, ctx: AdminCtx) -> Answer {
    let masked = !is_admin(&ctx.user);
    let (configured, total, rows) = match app.outbox_dir.clone() {
        None => (false, 0, Vec::new()),
        Some(dir) => {
            let entries = tokio::task::spawn_blocking(move || masthead_mail::list_outbox(&dir))
                .await
                .map_err(|e| serialize_error(e.to_string()))?
                .map_err(|e| serialize_error(e.to_string()))?;
            let total = entries.len();
            let rows = entries
                .into_iter()
                .take(LIMIT)
                .map(|e| MailRow {
                    to: if masked { mask_addresses(&e.to) } else { e.to },
                    subject: e.subject,
                    date: e.date.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
                })
                .collect();
            (true, total, rows)
        }
    };
    let view = OutboxPage {
        admin: ctx.chrome("Outbox", Nav::Outbox),
        configured,
        total,
        rows,
        masked,
    };
    page(&ctx, &view)
}

/// A failed outbox read: a 500 whose log line names the directory, never an address.
fn serialize_error(reason: String) -> AdminError {
    AdminError::Web(WebError::Serialize {
        format: "outbox listing",
        reason,
    })
}
