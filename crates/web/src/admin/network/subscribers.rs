//! `/admin/subscribers?site=&after=`: one site's subscribers (counts by status, then the list,
//! 50 a page, by id) and, for every site the account may see, today's digest in that site's
//! zone: deliveries sent, failed and being sent.
//!
//! Editors see the sites their account lists (403 for another site); addresses are shown
//! whole to admins only, masked for editors.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use masthead_model::{Site, SubscriberId, SubscriberStatus};

use super::{Answer, is_admin, mask_email, page, query_fields, utc, utc_opt};
use crate::AppState;
use crate::admin::{AdminChrome, AdminCtx, AdminError, Nav};

const PAGE_SIZE: i64 = 50;
/// Counting walks the list in pages this large.
const COUNT_BATCH: i64 = 1000;
/// …and stops after this many subscribers (the page then says "at least").
const COUNT_CAP: usize = 1_000_000;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/subscribers", get(list))
}

#[derive(Debug)]
struct SiteChoice {
    slug: String,
    name: String,
    selected: bool,
}

#[derive(Debug)]
struct DigestRow {
    site: String,
    date: String,
    sent: i64,
    failed: i64,
    sending: i64,
}

#[derive(Debug)]
struct SubscriberRow {
    id: SubscriberId,
    email: String,
    status: &'static str,
    sections: String,
    created: String,
    confirmed: String,
}

#[derive(Debug, Default)]
struct Counts {
    pending: usize,
    confirmed: usize,
    unsubscribed: usize,
    /// The walk stopped at [`COUNT_CAP`].
    capped: bool,
}

#[derive(Template)]
#[template(path = "admin/subscribers.html")]
struct SubscribersPage {
    admin: AdminChrome,
    sites: Vec<SiteChoice>,
    site_name: String,
    counts: Counts,
    rows: Vec<SubscriberRow>,
    /// The next page's link.
    next: Option<String>,
    /// The first page's link, on later pages.
    first: Option<String>,
    digests: Vec<DigestRow>,
    masked: bool,
}

/// Today's date (YYYY-MM-DD) in the site's zone: the digest day `digest send` uses.
fn today(app: &AppState, site: &Site) -> String {
    let now = jiff::Timestamp::now();
    let zone = app
        .sites
        .current()
        .by_slug(&site.slug)
        .map(|e| e.zone.clone())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    zone.to_datetime(now).date().to_string()
}

async fn counts(app: &AppState, site: &Site) -> Result<Counts, AdminError> {
    let mut counts = Counts::default();
    let mut after: SubscriberId = 0;
    let mut seen = 0usize;
    loop {
        let batch = app.store.subscribers(site.id, after, COUNT_BATCH).await?;
        for s in &batch {
            match s.status {
                SubscriberStatus::Pending => counts.pending += 1,
                SubscriberStatus::Confirmed => counts.confirmed += 1,
                SubscriberStatus::Unsubscribed => counts.unsubscribed += 1,
            }
        }
        seen = seen.saturating_add(batch.len());
        let Some(last) = batch.last() else { break };
        if i64::try_from(batch.len()).unwrap_or(i64::MAX) < COUNT_BATCH {
            break;
        }
        if seen >= COUNT_CAP {
            counts.capped = true;
            break;
        }
        after = last.id;
    }
    Ok(counts)
}

async fn list(State(app): State<AppState>, ctx: AdminCtx, RawQuery(query): RawQuery) -> Answer {
    let user = &ctx.user;
    let query = query_fields(query.as_deref())?;
    let mut sites: Vec<Site> = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| user.may_edit(s.id))
        .collect();
    sites.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let slug = query.text("site");
    let chosen = if slug.is_empty() {
        sites.first().ok_or(AdminError::Forbidden)?
    } else {
        match sites.iter().find(|s| s.slug == slug) {
            Some(site) => site,
            None => {
                // Another site's list is refused, an unknown site is not found.
                let exists = app.store.site_by_slug(slug).await?.is_some();
                return Err(if exists {
                    AdminError::Forbidden
                } else {
                    AdminError::NotFound("site")
                });
            }
        }
    };
    let after: SubscriberId = match query.text("after") {
        "" => 0,
        text => text
            .parse()
            .map_err(|_| AdminError::BadRequest("?after= takes a subscriber id.".to_owned()))?,
    };

    let masked = !is_admin(user);
    let mut page_rows = app
        .store
        .subscribers(chosen.id, after, PAGE_SIZE + 1)
        .await?;
    let more = page_rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(50);
    page_rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
    let site_query = |after: Option<SubscriberId>| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("site", &chosen.slug);
        if let Some(after) = after {
            q.append_pair("after", &after.to_string());
        }
        format!("/admin/subscribers?{}", q.finish())
    };
    let next = more
        .then(|| page_rows.last().map(|s| site_query(Some(s.id))))
        .flatten();
    let rows = page_rows
        .into_iter()
        .map(|s| SubscriberRow {
            id: s.id,
            email: if masked {
                mask_email(&s.email)
            } else {
                s.email
            },
            status: s.status.as_str(),
            sections: if s.sections.is_empty() {
                "all".to_owned()
            } else {
                s.sections.join(", ")
            },
            created: utc(s.created_at),
            confirmed: utc_opt(s.confirmed_at),
        })
        .collect();

    let mut digests = Vec::with_capacity(sites.len());
    for site in &sites {
        let date = today(&app, site);
        let (sent, failed, sending) = app.store.delivery_counts(site.id, &date).await?;
        digests.push(DigestRow {
            site: site.name.clone(),
            date,
            sent,
            failed,
            sending,
        });
    }

    let view = SubscribersPage {
        admin: ctx.chrome("Subscribers", Nav::Subscribers),
        site_name: chosen.name.clone(),
        counts: counts(&app, chosen).await?,
        rows,
        next,
        first: (after > 0).then(|| site_query(None)),
        digests,
        masked,
        sites: sites
            .iter()
            .map(|s| SiteChoice {
                slug: s.slug.clone(),
                name: s.name.clone(),
                selected: s.id == chosen.id,
            })
            .collect(),
    };
    page(&ctx, &view)
}
