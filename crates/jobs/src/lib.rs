//! Pipeline passes: the only place that calls the stages in order.
//!
//! Input: a source and the bytes of one feed document (from a file today, from the fetcher
//! later). Output: stories in the store, placed on the sites whose routes pick them, and a
//! report of what happened. A stage never calls a later one; this crate wires them.

mod ingest;

pub use ingest::{EntryProblem, IngestReport, IngestSettings, ingest_document};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("cannot parse the feed of source {source_name:?}: {cause}")]
    Feed {
        source_name: String,
        cause: masthead_feed::FeedError,
    },
    #[error("storing stories of source {source_name:?} failed: {cause}")]
    Store {
        source_name: String,
        cause: masthead_store::StoreError,
    },
}
