//! Network-wide paths, the same on every host: `/healthz`, `/readyz`, `/assets/…` and the
//! bundled static files, plus the security headers every response carries.
//!
//! Input: requests that need no site. Output: small fixed responses. Never looks at the Host.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::{AppState, StaticFile, WebError};

const SITE_CSS: &str = include_str!("../assets/site.css");
/// The stylesheet's URL carries no version, so browsers recheck it hourly.
const CSS_CACHE: &str = "public, max-age=3600";
const STATIC_CACHE: &str = "public, max-age=300";
const READY_TIMEOUT: Duration = Duration::from_secs(2);

const CSP: &str = "default-src 'self'; img-src 'self' http: https: data:; style-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub(crate) async fn healthz() -> impl IntoResponse {
    ([(CACHE_CONTROL, "no-store")], "ok")
}

/// Ready when the store answers a ping in time; a load balancer stops sending traffic otherwise.
pub(crate) async fn readyz(State(app): State<AppState>) -> Response {
    let ready = match tokio::time::timeout(READY_TIMEOUT, app.store.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: store ping failed");
            false
        }
        Err(_) => {
            tracing::warn!("readiness check: store ping timed out");
            false
        }
    };
    let (status, body) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    (status, [(CACHE_CONTROL, "no-store")], body).into_response()
}

pub(crate) async fn asset(
    State(app): State<AppState>,
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    if path == "site.css" {
        return (
            [
                (CONTENT_TYPE, "text/css; charset=utf-8"),
                (CACHE_CONTROL, CSS_CACHE),
            ],
            SITE_CSS,
        )
            .into_response();
    }
    match app.static_files.get(&format!("/assets/{path}")) {
        Some(file) => static_file(file, headers.get(axum::http::header::IF_NONE_MATCH)),
        None => WebError::NotFound { what: "file" }.into_response(),
    }
}

/// A bundled file, with an ETag so pollers of the demo's feeds get their 304s.
pub(crate) fn static_file(file: &StaticFile, if_none_match: Option<&HeaderValue>) -> Response {
    let etag = crate::conditional::etag_of(file.bytes);
    if if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(ETAG, etag.as_str()), (CACHE_CONTROL, STATIC_CACHE)],
        )
            .into_response();
    }
    (
        [
            (CONTENT_TYPE, file.content_type),
            (CACHE_CONTROL, STATIC_CACHE),
            (ETAG, etag.as_str()),
        ],
        file.bytes,
    )
        .into_response()
}

/// Added to every response, error pages and assets included.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
