//! Test support shared by the crates' integration tests and the binary's end-to-end tests:
//! real peers on loopback, never mocks. Dev-only: no production code depends on it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test support: a broken peer is a failed test"
)]

pub mod smtp;
