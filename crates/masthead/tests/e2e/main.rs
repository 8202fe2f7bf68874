//! End-to-end tests: the real `masthead` binary, a real server on an ephemeral port, real
//! HTTP, pages parsed as HTML. One test binary (see ripgrep's `tests/tests.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::panic,
    reason = "test helpers: a panic is a failed test with its message"
)]

mod browser;
mod cli;
mod digest;
mod hub;
mod newsroom;
mod pages;
mod screenshots;
mod stories;
mod support;
