//! From a request to a site's page: bundled static files first, then site selection, the page
//! cache, and the site's own router.
//!
//! Input: any request no network-wide route took. Output: the page, replayed from the cache
//! when fresh, with its validators (and a 304 when the client's copy is current, see
//! `conditional`); a "No site here" page when neither the Host nor a `/s/{site}` prefix names a
//! site. The prefix is stripped before routing and handed to the pages so their links keep
//! it. Never queries the store for the site and never lists the network's sites or hosts.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, SET_COOKIE, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use jiff::Timestamp;

use crate::cache::CachedPage;
use crate::conditional::{self, Conditions, LastModified};
use crate::error::{ErrorNotice, plain_page};
use crate::pages::{Cacheable, SiteCtx};
use crate::sites::SiteEntry;
use crate::views::{Active, Chrome, ErrorPage};
use crate::{AppState, WebError, links, network};

/// Rendered pages are a few tens of kilobytes and a sitemap page a few megabytes; anything
/// near this is a bug, not a page.
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) async fn dispatch(app: AppState, site_pages: Router, mut req: Request) -> Response {
    if let Some(file) = app.static_files.get(req.uri().path()) {
        return network::static_file(file, req.headers().get(axum::http::header::IF_NONE_MATCH));
    }

    let table = app.sites.current();
    let path = req.uri().path();
    let (entry, prefix, rest) = if let Some(after) = path.strip_prefix("/s/") {
        let (slug, rest) = after.split_once('/').unwrap_or((after, ""));
        match table.by_slug(slug) {
            Some(entry) => (entry.clone(), format!("/s/{slug}"), format!("/{rest}")),
            None => return WebError::NoSite.into_response(),
        }
    } else {
        let host = req
            .headers()
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().host());
        match host.and_then(|h| table.by_host(h)) {
            Some(entry) => (entry.clone(), String::new(), String::new()),
            None => return WebError::NoSite.into_response(),
        }
    };

    let cacheable_method = matches!(*req.method(), Method::GET | Method::HEAD);
    // The key is the path as sent, prefix included: the same page under `/s/{site}` has
    // different links.
    let site_id = entry.site.id;
    let key = (
        site_id,
        req.uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned()),
    );
    let conditions = Conditions::of(req.headers());
    if cacheable_method && let Some(page) = app.cache.get(&key) {
        return conditional::respond(page, &conditions);
    }
    let generation = app.cache.generation();

    if !prefix.is_empty() {
        let pq = match req.uri().query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest,
        };
        match Uri::builder().path_and_query(pq).build() {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => {
                return WebError::BadRequest {
                    message: "This address is malformed.".to_owned(),
                }
                .into_response();
            }
        }
    }

    let base = links::site_base(
        app.public_base.as_ref(),
        entry.site.hosts.first().map(String::as_str),
        &prefix,
    );
    let ctx = SiteCtx {
        entry,
        prefix: Arc::from(prefix),
        base: Arc::from(base),
    };
    req.extensions_mut().insert(ctx.clone());
    let mut response = match site_pages.oneshot(req).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };

    if let Some(notice) = response.extensions().get::<ErrorNotice>() {
        let mut page = site_error_page(&app, &ctx, response.status(), notice);
        page.headers_mut()
            .insert(VARY, HeaderValue::from_static(conditional::VARY_VALUE));
        return page;
    }
    let status = response.status();
    let headers = response.headers();
    let private = headers.contains_key(SET_COOKIE)
        || headers
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if !cacheable_method
        || private
        || !matches!(status, StatusCode::OK | StatusCode::MOVED_PERMANENTLY)
    {
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static(conditional::VARY_VALUE));
        return response;
    }
    // Every public GET gets its validators here, stored or not; only `Cacheable` responses
    // (which depend on nothing but site, path and query) are kept for replay.
    let storable = response.extensions().get::<Cacheable>().is_some();
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(body) => {
            let ok = status == StatusCode::OK;
            let last_modified = parts
                .extensions
                .get::<LastModified>()
                .map_or_else(Timestamp::now, |l| l.0);
            let page = CachedPage {
                status,
                location: parts.headers.get(LOCATION).cloned(),
                content_type: parts.headers.get(CONTENT_TYPE).cloned(),
                cache_control: parts.headers.get(CACHE_CONTROL).cloned(),
                etag: ok
                    .then(|| HeaderValue::from_str(&conditional::etag_of(&body)).ok())
                    .flatten(),
                last_modified: ok.then(|| conditional::to_seconds(last_modified)),
                body,
            };
            if storable {
                let page = app.cache.put(key, generation, page);
                conditional::respond(page, &conditions)
            } else {
                let mut fresh = conditional::respond(page, &conditions);
                // Keep whatever else the handler said (a non-replayable page may set more).
                for (name, value) in &parts.headers {
                    if !fresh.headers().contains_key(name) && name != CONTENT_LENGTH {
                        fresh.headers_mut().insert(name.clone(), value.clone());
                    }
                }
                fresh
            }
        }
        Err(error) => {
            tracing::error!(%error, site.id = site_id, "reading a rendered page failed");
            plain_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "This page could not be shown just now. Please try again in a moment.",
            )
        }
    }
}

/// The error's message inside the site's own header, navigation and footer.
fn site_error_page(
    app: &AppState,
    ctx: &SiteCtx,
    status: StatusCode,
    notice: &ErrorNotice,
) -> Response {
    let entry: &SiteEntry = &ctx.entry;
    let page = ErrorPage {
        chrome: Chrome::new(
            entry,
            &ctx.prefix,
            &app.network_name,
            format!("{} — {}", notice.heading, entry.site.name),
            Active::None,
        ),
        heading: notice.heading,
        message: &notice.message,
    };
    match page.render() {
        Ok(body) => (
            status,
            [
                (CONTENT_TYPE, "text/html; charset=utf-8"),
                (CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, site.id = entry.site.id, "rendering an error page failed");
            plain_page(status, notice.heading, &notice.message)
        }
    }
}
