//! The crate's one error type and the error pages it becomes.
//!
//! Input: whatever went wrong while answering. Output: a response whose 4xx page tells the
//! reader what to fix and whose 5xx page says nothing about the cause (the cause is logged
//! here, once). The response also carries an [`ErrorNotice`] so that, inside a site,
//! `dispatch` can show the same message wrapped in that site's header and navigation.

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use masthead_normalize::NormalizeError;
use masthead_store::StoreError;

use crate::views::PlainPage;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The Host (or `/s/{site}` prefix) names no site of this network.
    #[error("no site at this address")]
    NoSite,
    /// A page of a site that does not exist (unknown section, story not on this site…).
    #[error("no {what} at this address")]
    NotFound { what: &'static str },
    /// A story that was taken down: its URL answers 410 from then on.
    #[error("story withdrawn")]
    Gone,
    /// The request itself is wrong; the message says how to fix it.
    #[error("bad request: {message}")]
    BadRequest { message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rendering the {template} page failed: {source}")]
    Render {
        template: &'static str,
        source: askama::Error,
    },
    #[error("site {site:?} has an invalid time zone {zone:?}: {source}")]
    Zone {
        site: String,
        zone: String,
        source: NormalizeError,
    },
    #[error("building a response failed: {0}")]
    Http(#[from] axum::http::Error),
    /// The configured public base URL cannot be used for absolute links.
    #[error("base_url {url:?} is not usable: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("writing the {format} output failed: {reason}")]
    Serialize {
        format: &'static str,
        reason: String,
    },
    /// The network's secret cannot sign links and form tokens safely.
    #[error("the network secret is not usable: {reason}")]
    Secret { reason: String },
}

/// What an error page says; attached to error responses for `dispatch` to re-render.
#[derive(Debug, Clone)]
pub(crate) struct ErrorNotice {
    pub heading: &'static str,
    pub message: String,
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoSite | Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Store(_)
            | Self::Render { .. }
            | Self::Zone { .. }
            | Self::Http(_)
            | Self::BaseUrl { .. }
            | Self::Serialize { .. }
            | Self::Secret { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn notice(&self) -> ErrorNotice {
        match self {
            Self::NoSite => ErrorNotice {
                heading: "No site here",
                message: "This server publishes news sites, but none of them lives at this \
                          address. Check the address you typed, or follow a link from one of \
                          the sites you read."
                    .to_owned(),
            },
            Self::NotFound { what } => ErrorNotice {
                heading: "Page not found",
                message: format!(
                    "There is no {what} at this address. It may have been mistyped; the home \
                     page lists the latest news."
                ),
            },
            Self::Gone => ErrorNotice {
                heading: "Story withdrawn",
                message: "This story has been withdrawn and is no longer available. The home \
                          page lists the latest news."
                    .to_owned(),
            },
            Self::BadRequest { message } => ErrorNotice {
                heading: "Bad request",
                message: message.clone(),
            },
            Self::Store(_)
            | Self::Render { .. }
            | Self::Zone { .. }
            | Self::Http(_)
            | Self::BaseUrl { .. }
            | Self::Serialize { .. }
            | Self::Secret { .. } => ErrorNotice {
                heading: "Something went wrong",
                message: "This page could not be shown just now. Please try again in a \
                          moment."
                    .to_owned(),
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // The one place a failed request is logged; the page itself says nothing more.
            tracing::error!(error = %self, "request failed");
        }
        let notice = self.notice();
        let mut response = plain_page(status, notice.heading, &notice.message);
        response.extensions_mut().insert(notice);
        response
    }
}

/// A page outside any site: unknown hosts, network-wide paths, or a fallback when a site's
/// own error page cannot be rendered.
pub(crate) fn plain_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = PlainPage { heading, message };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{heading}\n\n{message}\n"));
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
