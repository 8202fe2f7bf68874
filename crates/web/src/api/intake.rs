//! Stories a trusted wire partner pushes through `POST /api/v1/stories`.
//!
//! Input: the partner's story, checked for shape here. Output: what the [`StoryIntake`] did
//! with it. The web crate cannot call the pipeline (that is `masthead-jobs`, which depends on
//! more than a web server should), so the binary plugs an implementation in through
//! `WebSettings::intake`; it must run the same normalize → dedup → store → route path as an
//! ingested story. Without one the endpoint answers 503.

use masthead_model::{LeadImage, OffsetTime, StoreOutcome};

/// A story as a wire partner sends it, parsed but not yet normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireStory {
    /// The source it is credited to (a source of the network, by name).
    pub source: String,
    /// The partner's own stable id for the story: sending the same guid again updates it.
    pub guid: String,
    /// The story's URL at the partner, if it has one.
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    pub published: OffsetTime,
    pub updated: Option<OffsetTime>,
    pub body: WireBody,
    pub categories: Vec<String>,
    pub image: Option<LeadImage>,
}

/// The body as sent: untrusted HTML to sanitize, or plain text (paragraphs split by blank
/// lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireBody {
    Html(String),
    Text(String),
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// No source of the network has this name: answered 422.
    #[error("no source named {0:?}")]
    UnknownSource(String),
    /// The story cannot be taken as sent (e.g. nothing left after sanitizing): answered 422
    /// with this message, so it must not contain anything secret.
    #[error("{0}")]
    Invalid(String),
    /// Something failed on our side: logged, answered 500 without the message.
    #[error("{0}")]
    Failed(String),
}

/// Runs a wire story through the pipeline; implemented by the binary with `masthead-jobs`.
#[async_trait::async_trait]
pub trait StoryIntake: Send + Sync + std::fmt::Debug {
    /// Normalizes, deduplicates, stores and routes the story, like one entry of an ingest
    /// pass; `Inserted`, `Updated` or `Unchanged` as the store saw it.
    async fn submit(&self, story: WireStory) -> Result<StoreOutcome, IntakeError>;
}
