//! Errors of the JSON API as `application/problem+json` (RFC 9457).
//!
//! Input: whatever went wrong under `/api/v1`, including axum's own rejections (a query string
//! that does not parse, a body that is not JSON, a method a path does not take), which
//! [`problemize`] rewrites. Output: a JSON object with `type`, `title`, `status` and `detail`;
//! a 4xx `detail` says what to fix, a 5xx `detail` says nothing about the cause (the cause is
//! logged here, once). Never echoes a token.

use axum::body::to_bytes;
use axum::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use masthead_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";
/// Sent with every 401: the token scheme this API takes (RFC 6750).
const BEARER_CHALLENGE: &str = "Bearer realm=\"masthead\"";
const BEARER_INVALID: &str = "Bearer realm=\"masthead\", error=\"invalid_token\"";
/// An axum rejection's message is a line or two; anything longer is cut.
const MAX_REJECTION_BYTES: usize = 2048;

/// A problem detail (RFC 9457). `type` is `about:blank`, so `title` is the status's phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "No site has the slug \"nowhere\"."
}))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status code's reason phrase.
    pub title: String,
    /// The HTTP status code, repeated.
    pub status: u16,
    /// What went wrong with this request, and for a 4xx how to fix it.
    pub detail: String,
    /// One entry per field that needs fixing, in the order of the body's fields: only on a
    /// 422 that checked a body field by field (`POST /api/v1/releases`); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// What is wrong with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name in the body, e.g. `headline`.
    pub field: String,
    /// The field as a JSON Pointer fragment (RFC 6901), e.g. `#/headline`.
    pub pointer: String,
    /// What is wrong with it and how to fix it.
    pub detail: String,
}

impl FieldProblem {
    pub fn new(field: &str, detail: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            pointer: format!("#/{field}"),
            detail: detail.into(),
        }
    }
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| {
            format!(
                "{{\"type\":\"about:blank\",\"status\":{}}}",
                status.as_u16()
            )
        });
        (
            status,
            [(CONTENT_TYPE, PROBLEM_JSON), (CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response()
    }
}

/// Everything a handler of the API can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, or not a Bearer token (`invalid` false), or an unknown or revoked one.
    #[error("unauthorized: {detail}")]
    Unauthorized { detail: &'static str, invalid: bool },
    #[error("forbidden: {detail}")]
    Forbidden { detail: String },
    #[error("not found: {detail}")]
    NotFound { detail: String },
    #[error("gone: {detail}")]
    Gone { detail: String },
    #[error("bad request: {detail}")]
    BadRequest { detail: String },
    /// The body parsed but cannot be taken (e.g. a wire story naming no known source).
    #[error("unprocessable: {detail}")]
    Unprocessable { detail: String },
    /// A part of the server this request needs is not set up.
    #[error("unavailable: {detail}")]
    Unavailable { detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something else failed on our side; the message is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound {
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Gone { .. } => StatusCode::GONE,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Self::Unauthorized { detail, .. } => (*detail).to_owned(),
            Self::Forbidden { detail }
            | Self::NotFound { detail }
            | Self::Gone { detail }
            | Self::BadRequest { detail }
            | Self::Unprocessable { detail }
            | Self::Unavailable { detail } => detail.clone(),
            Self::Store(_) | Self::Internal(_) => {
                // The one place a failed API request is logged; the answer says nothing more.
                tracing::error!(error = %self, "API request failed");
                "The server could not answer this request just now; try again later.".to_owned()
            }
        };
        let mut response = Problem::new(status, detail).into_response();
        if let Self::Unauthorized { invalid, .. } = self {
            let challenge = if invalid {
                BEARER_INVALID
            } else {
                BEARER_CHALLENGE
            };
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}

/// Rewrites every error response under `/api/v1` that is not a problem yet (axum's rejections
/// and its 405) into one, keeping the rejection's message as the detail of a 4xx. Also marks
/// every answer `no-store` unless the handler chose otherwise: they depend on the token.
pub(crate) async fn problemize(response: Response) -> Response {
    let status = response.status();
    let mut response =
        if (status.is_client_error() || status.is_server_error()) && !is_problem(&response) {
            let (parts, body) = response.into_parts();
            let detail = if status.is_client_error() {
                let text = to_bytes(body, MAX_REJECTION_BYTES)
                    .await
                    .ok()
                    .and_then(|b| String::from_utf8(b.to_vec()).ok())
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_default();
                if text.is_empty() {
                    default_detail(status)
                } else {
                    text
                }
            } else {
                tracing::error!(status = status.as_u16(), "API request failed");
                "The server could not answer this request just now; try again later.".to_owned()
            };
            let mut problem = Problem::new(status, detail).into_response();
            for name in [ALLOW, WWW_AUTHENTICATE] {
                if let Some(value) = parts.headers.get(&name) {
                    problem.headers_mut().insert(name, value.clone());
                }
            }
            problem
        } else {
            response
        };
    if !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

fn default_detail(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "This path does not take this method; the Allow header lists those it takes.".to_owned()
        }
        StatusCode::NOT_FOUND => {
            "Nothing of the API lives at this path; see /api/v1/openapi.json.".to_owned()
        }
        _ => status
            .canonical_reason()
            .unwrap_or("The request failed.")
            .to_owned(),
    }
}

/// Any path under `/api/v1` no route takes.
pub(crate) async fn no_route() -> ApiError {
    ApiError::not_found("Nothing of the API lives at this path; see /api/v1/openapi.json.")
}
