//! The OpenAPI 3.1 document: the parts no handler states (info, the bearer scheme, the problem
//! schema) and the pass that gives every error response the problem body.
//!
//! Input: the operations `utoipa-axum` collected from the `#[utoipa::path]` handlers. Output:
//! the document served at `/api/v1/openapi.json` (no token needed). Never lists a route that
//! is not served: the router and the document come from the same `routes!` calls.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi as _};

use super::ApiState;
use super::problem::{PROBLEM_JSON, Problem};

/// The name of the security scheme every handler but this one requires.
pub(crate) const BEARER: &str = "bearer";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "masthead API",
        version = "1",
        description = "Sites, sections, stories, search, news releases and subscribers of a \
                       masthead news network. Authenticate with `Authorization: Bearer <token>` \
                       (tokens are made by an admin at /admin/tokens or with `masthead tokens \
                       create --scope read|write`; write implies read). Errors are \
                       `application/problem+json` (RFC 9457). Lists are paged \
                       with the opaque `next_cursor` of the previous page; times are RFC 3339 \
                       with the source's own UTC offset."
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
    tags(
        (name = "sites", description = "The sites of the network and their sections"),
        (name = "stories", description = "Stories: lists per site, one story, wire intake"),
        (name = "search", description = "Full-text search of one site"),
        (name = "releases", description = "News releases from partners (write scope)"),
        (name = "subscribers", description = "Digest subscribers (operators: write scope)"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("mh_ followed by 64 hex digits")
                    .description(Some(
                        "An API token from the admin (/admin/tokens) or `masthead tokens create`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document before the handlers' operations are added.
pub(crate) fn document() -> OpenApi {
    ApiDoc::openapi()
}

/// Gives every operation the error responses any request can meet (400 for bad parameters,
/// 401 when it needs a token, 500) and every error response the problem body, so no handler
/// can forget either.
pub(crate) fn finish(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            finish_operation(operation);
        }
    }
}

fn finish_operation(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut operation.responses.responses;
    let mut common = vec![
        (
            "400",
            "The request's parameters are not valid; `detail` says which and why.",
        ),
        ("500", "The server failed; try again later."),
    ];
    if secured {
        common.push((
            "401",
            "No token, or an unknown or revoked one (with `WWW-Authenticate: Bearer`).",
        ));
    }
    for (status, description) in common {
        responses.entry(status.to_owned()).or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .build()
                .into()
        });
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response) {
            response.content.clear();
            response.content.insert(
                PROBLEM_JSON.to_owned(),
                Content::new(Some(Ref::from_schema_name("Problem"))).into(),
            );
            if status == "401" {
                response.headers.insert(
                    "WWW-Authenticate".to_owned(),
                    Header::new(utoipa::openapi::schema::Object::with_type(Type::String)).into(),
                );
            }
        }
    }
}

/// This document (OpenAPI 3.1), generated from the handlers.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI document", body = serde_json::Value))
)]
pub(crate) async fn openapi_json(State(api): State<ApiState>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        api.document.clone(),
    )
        .into_response()
}
