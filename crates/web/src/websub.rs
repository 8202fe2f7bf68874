//! The WebSub callback, `/websub/{token}` on every host: a hub's verification GET and its
//! signed content POSTs, handed to the receiver the binary plugs in.
//!
//! Input: the hub's requests. Output: the challenge echoed (or 404), a 2xx for deliveries.
//! Never ingests anything itself and never says why a token is unknown.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// What the callback needs from the ingest side.
#[async_trait::async_trait]
pub trait WebSubReceiver: Send + Sync + std::fmt::Debug {
    /// The challenge to echo when the request concerns a subscription we asked for.
    async fn verify(
        &self,
        token: &str,
        mode: &str,
        topic: &str,
        challenge: &str,
        lease_seconds: Option<i64>,
    ) -> Option<String>;
    /// Takes a delivery; false when the token is unknown (the hub should stop).
    async fn deliver(&self, token: &str, signature: Option<&str>, body: &[u8]) -> bool;
}

pub(crate) async fn verify(
    State(app): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(receiver) = &app.websub else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let field = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let lease = query.get("hub.lease_seconds").and_then(|v| v.parse().ok());
    match receiver
        .verify(
            &token,
            field("hub.mode"),
            field("hub.topic"),
            field("hub.challenge"),
            lease,
        )
        .await
    {
        Some(challenge) => (StatusCode::OK, challenge).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) async fn deliver(
    State(app): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(receiver) = &app.websub else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let signature = headers
        .get("x-hub-signature-256")
        .or_else(|| headers.get("x-hub-signature"))
        .and_then(|v| v.to_str().ok());
    if receiver.deliver(&token, signature, &body).await {
        // The ingest already happened; 202 tells the hub it was taken.
        app.cache.invalidate();
        StatusCode::ACCEPTED.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
