//! `/uploads/{file}`: the photos of news releases, which approved release stories show.
//!
//! Input: a generated file name. Output: the file with the type its bytes prove (the release
//! desk stores only re-encoded JPEG, PNG or WebP), `Content-Disposition: inline` and
//! `nosniff`. Names are never trusted: anything but a plain generated name is a 404, and a file
//! whose bytes are not one of the three image types is never served.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The type the bytes prove, if they are an image we serve.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.get(..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else {
        None
    }
}

/// Generated names only: letters, digits, `.`, `_`, `-`, no leading dot, no path.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub(crate) async fn upload(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let not_found = || StatusCode::NOT_FOUND.into_response();
    let Some(dir) = app.uploads_dir.as_ref() else {
        return not_found();
    };
    if !plain_name(&file) {
        return not_found();
    }
    let Ok(bytes) = tokio::fs::read(dir.join(&file)).await else {
        return not_found();
    };
    let Some(content_type) = sniff(&bytes) else {
        tracing::warn!("an upload that is not an image was requested and refused");
        return not_found();
    };
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (CACHE_CONTROL, "public, max-age=86400".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_and_real_images() {
        assert!(plain_name("3f9a1c.jpg"));
        assert!(!plain_name("../secret.key"));
        assert!(!plain_name(".hidden"));
        assert!(!plain_name("a/b.png"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"<?php echo 1; ?>"), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    }
}
