//! From a request to a site's page: bundled static files first, then site selection, the page
//! cache, and the site's own router.
//!
//! Input: any request no network-wide route took. Output: the page, replayed from the cache
//! when fresh; a "No site here" page when neither the Host nor a `/s/{site}` prefix names a
//! site. The prefix is stripped before routing and handed to the pages so their links keep
//! it. Never queries the store for the site and never lists the network's sites or hosts.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use crate::cache::CachedPage;
use crate::error::{ErrorNotice, plain_page};
use crate::pages::{Cacheable, SiteCtx};
use crate::sites::SiteEntry;
use crate::views::{Active, Chrome, ErrorPage};
use crate::{AppState, WebError, network};

/// Rendered pages are a few tens of kilobytes; anything near this is a bug, not a page.
const MAX_CACHED_BODY: usize = 4 * 1024 * 1024;

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
    if cacheable_method && let Some(page) = app.cache.get(&key) {
        return replay(page);
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

    let ctx = SiteCtx {
        entry,
        prefix: Arc::from(prefix),
    };
    req.extensions_mut().insert(ctx.clone());
    let response = match site_pages.oneshot(req).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };

    if let Some(notice) = response.extensions().get::<ErrorNotice>() {
        return site_error_page(&app, &ctx, response.status(), notice);
    }
    let cacheable = cacheable_method
        && response.extensions().get::<Cacheable>().is_some()
        && matches!(
            response.status(),
            StatusCode::OK | StatusCode::MOVED_PERMANENTLY
        );
    if !cacheable {
        return response;
    }
    let status = response.status();
    let location = response.headers().get(LOCATION).cloned();
    match to_bytes(response.into_body(), MAX_CACHED_BODY).await {
        Ok(body) => {
            let page = CachedPage {
                status,
                location,
                body,
            };
            app.cache.put(key, generation, page.clone());
            replay(page)
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

/// Rebuilds a response from cached parts; the headers are the same for every page.
fn replay(page: CachedPage) -> Response {
    let mut response = Response::new(Body::from(page.body));
    *response.status_mut() = page.status;
    let headers = response.headers_mut();
    if let Some(location) = page.location {
        headers.insert(LOCATION, location);
    }
    if page.status == StatusCode::OK {
        headers.insert(
            CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(
            CACHE_CONTROL,
            axum::http::HeaderValue::from_static("public, max-age=60"),
        );
    }
    response
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
