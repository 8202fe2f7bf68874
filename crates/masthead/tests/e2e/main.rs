//! End-to-end tests: the real `masthead` binary, a real server on an ephemeral port, real
//! HTTP, pages parsed as HTML. One test binary (see ripgrep's `tests/tests.rs`).

mod cli;
mod pages;
mod screenshots;
mod support;
