//! News releases from the public: what the submit form may hold, and how it becomes a release.
//!
//! Input: the form as typed ([`ReleaseForm`]), the network's sites, the time; an uploaded
//! image's bytes. Output: a validated [`masthead_model::NewRelease`] or a message per field
//! ([`FieldErrors`]); the body as sanitized HTML ([`body_html`]); an image that is verified by
//! decoding and re-encoded without its metadata ([`check_image`]).
//!
//! Pure: no I/O, no store, no clock of its own. It never trusts an upload's name or declared
//! type, and never lets body HTML out except through `masthead_normalize::sanitize`.

mod body;
mod form;
mod image_check;

pub use body::{body_html, body_text, count_links};
pub use form::{Field, FieldErrors, MAX_BODY_CHARS, MAX_LINKS, ReleaseForm, fingerprint, validate};
pub use image_check::{
    CheckedImage, ImageError, MAX_DIMENSION, MAX_IMAGE_BYTES, MIN_DIMENSION, check_image,
};
