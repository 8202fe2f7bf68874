//! Pipeline passes: the only place that calls the stages in order.
//!
//! Input: a source and the bytes of one feed document (from a file today, from the fetcher
//! later). Output: stories in the store, placed on the sites whose routes pick them, and a
//! report of what happened. A stage never calls a later one; this crate wires them.

pub mod digest;
mod discover;
mod ingest;
mod poll;
pub mod releases;
mod reroute;
pub mod websub;

pub use masthead_route::SiteRoute;
pub use reroute::{RerouteReport, reroute};
pub use websub::WebSubSettings;

pub use discover::{DiscoverError, Discovery, FeedLink, discover, feed_links};

pub use ingest::{
    ClusterIndex, EntryProblem, IngestReport, IngestSettings, ingest_document, ingest_entries,
};
pub use poll::{PollOutcome, PollReport, PollSettings, poll_source, poll_sources, run_scheduler};

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
    /// A moderation step that cannot be done (decided already, changed meanwhile, …).
    #[error("release {reference}: {reason}")]
    Release { reference: String, reason: String },
}
