//! Running the network from the admin: sources and their health, sites, stories (search,
//! revisions, clusters, kill), unplaced stories, subscribers and digests, and the outbox.
//!
//! Input: requests that passed [`AdminCtx`](super::AdminCtx) (a live session; see `admin/mod.rs`). Output:
//! server-rendered pages (`templates/admin/*.html`, never cached) and, for each POST, a 303 back
//! to the page it came from once the action is done and written to the audit log.
//!
//! Authorization, checked here on the server for every route and every object:
//! - admins may do everything;
//! - editors work on the sites their account lists (`User::may_edit`): a story is "of a site"
//!   when it is placed there (`placements_of`); subscribers and digests belong to their site;
//! - sources (list, add, pause, resume, remove, OPML import) are admin-only; so are stories
//!   no site carries, unless the editor's account covers every site;
//! - addresses (subscribers, the outbox's recipients) are shown whole to admins only;
//!   editors see them masked (`j•••@example.org`). No address is ever logged.
//!
//! Every POST goes through `AdminCtx::form` (the CSRF check): a missing or wrong field is a
//! 403. Every action that changed something writes one audit entry (`AdminCtx::audit`).

mod outbox;
mod sources;
mod stories;
mod subscribers;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use masthead_model::{OffsetTime, Role, User};

use super::{AdminError, AdminForm};
use crate::AppState;

/// The routes of this part of the admin, merged into the admin router (nested at `/admin`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(sources::routes())
        .merge(stories::routes())
        .merge(subscribers::routes())
        .merge(outbox::routes())
}

pub(crate) type Answer = Result<Response, AdminError>;

fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError::BadRequest(message.into())
}

fn is_admin(user: &User) -> bool {
    user.role == Role::Admin && !user.disabled
}

/// Whether the account covers every site (admins, editors whose list is empty).
fn covers_every_site(user: &User) -> bool {
    !user.disabled && (user.role == Role::Admin || user.sites.is_empty())
}

/// A page of this part of the admin: 200, `no-store`.
fn page(ctx: &super::AdminCtx, template: &impl askama::Template) -> Answer {
    ctx.render(StatusCode::OK, template)
}

/// The same with another status (422 for a form sent back with its messages).
fn page_with(
    ctx: &super::AdminCtx,
    status: StatusCode,
    template: &impl askama::Template,
) -> Answer {
    ctx.render(status, template)
}

/// The answer to a POST that worked: back to a page (303, so a reload does not post again).
fn see_other(location: &str) -> Answer {
    Ok(super::see_other(location))
}

/// A query string as form fields (`?q=…&site=…`).
fn query_fields(raw: Option<&str>) -> Result<AdminForm, AdminError> {
    AdminForm::parse(raw.unwrap_or_default().as_bytes())
}

/// An instant as admins read it: UTC, to the minute.
fn utc(t: OffsetTime) -> String {
    t.timestamp().strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn utc_opt(t: Option<OffsetTime>) -> String {
    t.map(utc).unwrap_or_default()
}

/// `jane@example.org` → `j•••@example.org`; any text without an `@` → `•••`. Every address
/// inside a recipients list (`Jane <jane@example.org>, bob@example.org`) is masked, names
/// dropped, since a name can say as much as an address.
fn mask_addresses(text: &str) -> String {
    text.split(',')
        .map(|one| {
            let one = one.trim();
            let address = match one.rsplit_once('<') {
                Some((_, rest)) => rest.trim_end_matches('>').trim(),
                None => one,
            };
            mask_email(address)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_whole() {
        assert_eq!(mask_email("jane@example.org"), "j•••@example.org");
        assert_eq!(mask_email("nobody"), "•••");
        assert_eq!(
            mask_addresses("Zoë Ångström <zoe@example.org>, bob@example.net"),
            "z•••@example.org, b•••@example.net"
        );
        assert_eq!(mask_email("ä@x.y"), "ä•••@x.y");
    }
}
