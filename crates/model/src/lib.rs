//! The network's vocabulary as plain types (see `shared/docs/design.md`).
//!
//! Input: nothing. Output: the values every other crate passes along the one-way flow
//! `source → fetch → parse → extract → normalize → dedup → store → route → render`.
//! This crate never does I/O.

mod search;
mod time;

pub use search::{
    MARK_END, MARK_START, MAX_TERMS, SearchHit, SearchPage, SearchQuery, SearchTerm,
    snippet_segments,
};
pub use time::{OffsetTime, TimeError};

use serde::{Deserialize, Serialize};

/// Database identity of a site.
pub type SiteId = i64;
/// Database identity of a source.
pub type SourceId = i64;
/// Database identity of a story.
pub type StoryId = i64;
/// Database identity of a cluster (the id of its first story).
pub type ClusterId = i64;

/// A masthead: one branded site of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: SiteId,
    /// Stable, URL-safe name: `orlando-echo`.
    pub slug: String,
    pub name: String,
    /// Lower-case host names (no port) that select this site.
    pub hosts: Vec<String>,
    /// IANA zone name; validated when the site is configured.
    pub time_zone: String,
    pub tagline: String,
    /// Ordered as the site's navigation shows them.
    pub sections: Vec<Section>,
}

impl Site {
    pub fn section(&self, slug: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.slug == slug)
    }
}

/// What a configuration (or later the admin) asks the store to hold for a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSpec {
    pub slug: String,
    pub name: String,
    pub hosts: Vec<String>,
    pub time_zone: String,
    pub tagline: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// URL-safe: `world`.
    pub slug: String,
    /// Shown in navigation: `World`.
    pub name: String,
}

/// When to fetch the full article page instead of trusting the feed's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FullTextPolicy {
    #[default]
    Auto,
    Always,
    Never,
}

impl FullTextPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Always => "always",
            Self::Never => "never",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "always" => Some(Self::Always),
            "never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// A feed or wire the network ingests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    /// The credit shown on pages: `RT.com`.
    pub name: String,
    pub url: String,
    /// Section for stories whose categories name none of a site's sections.
    pub section: Option<String>,
    /// Dateline for stories whose text carries none.
    pub dateline: Option<String>,
    pub full_text: FullTextPolicy,
    pub interval_secs: i64,
    /// How polling it went: shown by `sources list` and the admin.
    pub health: SourceHealth,
}

/// A source's polling record: what the last polls did and when the next one is due.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceHealth {
    pub last_success_at: Option<OffsetTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetTime>,
    pub consecutive_failures: i32,
    /// Set after too many failures in a row: the scheduler leaves it alone until an operator
    /// resumes it (a manual `ingest --source` still polls it).
    pub paused: bool,
    /// None: due now.
    pub next_poll_at: Option<OffsetTime>,
    /// Validators of the last 200 response, for a conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What one poll of a source did, as the store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollRecord {
    /// Fetched (200 or 304) and, for a 200, parsed.
    Success {
        at: OffsetTime,
        next_poll_at: OffsetTime,
        /// None keeps the stored validators (a 304 carries none).
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Failure {
        at: OffsetTime,
        error: String,
        next_poll_at: OffsetTime,
        /// Pause the source when its consecutive failures reach this count.
        pause_after: i32,
    },
}

/// A WebSub (push) subscription of a source to its hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSubSubscription {
    pub source_id: SourceId,
    pub hub: String,
    /// The feed URL the hub knows (the feed's `rel="self"`).
    pub topic: String,
    /// Signs deliveries (HMAC); never shown.
    pub secret: String,
    /// The unguessable last segment of our callback URL.
    pub token: String,
    pub state: WebSubState,
    /// Unix µs when the hub's lease ends (active), or when the request was sent (pending).
    pub lease_until: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebSubState {
    /// Requested; the hub has not verified it yet.
    Pending,
    Active,
    /// The hub refused it (or it was unsubscribed): polling alone serves the source.
    Denied,
}

impl WebSubState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSpec {
    pub name: String,
    pub url: String,
    pub section: Option<String>,
    pub dateline: Option<String>,
    pub full_text: FullTextPolicy,
    pub interval_secs: i64,
}

/// A lead image with what the page shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadImage {
    pub url: String,
    pub caption: Option<String>,
    /// Shown as "(Photo credit: …)".
    pub credit: Option<String>,
    pub alt: Option<String>,
}

/// A story as `normalize` hands it to the store: text sanitized, time with its zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStory {
    pub source_id: SourceId,
    /// The feed's own id for the entry; falls back to the URL, then a content hash.
    pub guid: String,
    /// Original URL at the source.
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    /// `KYIV, Ukraine`.
    pub dateline: Option<String>,
    pub published: OffsetTime,
    pub updated: Option<OffsetTime>,
    /// Sanitized HTML (made only by `normalize`).
    pub content_html: String,
    /// The body as plain text, paragraphs separated by blank lines.
    pub text: String,
    pub image: Option<LeadImage>,
    pub categories: Vec<String>,
    /// Hash of headline and text: tells an update from a re-delivery.
    pub content_hash: String,
    /// The story's URL normalized (masthead-dedup's `canonical_url`): its identity when a
    /// re-post carries a new GUID.
    #[serde(default)]
    pub canonical_url: Option<String>,
}

/// A takedown: who removed a story from every site, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kill {
    pub at: OffsetTime,
    pub reason: String,
    pub by: String,
}

/// A replaced version of a story, kept when a source updates it (editors see the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// 1 for the first version stored, counting up.
    pub number: i32,
    pub headline: String,
    pub standfirst: Option<String>,
    pub text: String,
    pub content_html: String,
    /// When the next version replaced this one (that version's update time).
    pub replaced_at: OffsetTime,
}

/// A stored story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    pub id: StoryId,
    pub cluster: ClusterId,
    /// Set once at first store; the page URL never changes with the headline.
    pub slug: String,
    pub source_id: SourceId,
    pub source_name: String,
    pub guid: String,
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    pub published: OffsetTime,
    pub updated: Option<OffsetTime>,
    pub content_html: String,
    pub text: String,
    pub image: Option<LeadImage>,
    pub categories: Vec<String>,
    pub content_hash: String,
    /// Set once the story is taken down: lists leave it out, its page answers 410.
    #[serde(default)]
    pub killed: Option<Kill>,
}

/// A story as lists and teasers need it, without the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorySummary {
    pub id: StoryId,
    pub cluster: ClusterId,
    pub slug: String,
    pub source_name: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub dateline: Option<String>,
    /// The first paragraph of the body as plain text (teasers are cut from it).
    pub lead: String,
    pub published: OffsetTime,
    pub image: Option<LeadImage>,
    /// The section of the site this summary was listed for (empty when not site-scoped).
    pub section: String,
}

/// A story on a site's section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub story_id: StoryId,
    pub site_id: SiteId,
    pub section: String,
}

/// What storing a story did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreOutcome {
    Inserted(StoryId),
    Updated(StoryId),
    Unchanged(StoryId),
}

impl StoreOutcome {
    pub fn id(self) -> StoryId {
        match self {
            Self::Inserted(id) | Self::Updated(id) | Self::Unchanged(id) => id,
        }
    }
}

/// Database identity of a subscriber (one address on one site).
pub type SubscriberId = i64;

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    /// Signed up; the confirmation link was mailed but not followed yet.
    Pending,
    /// Followed the link: gets the digest.
    Confirmed,
    Unsubscribed,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "confirmed" => Some(Self::Confirmed),
            "unsubscribed" => Some(Self::Unsubscribed),
            _ => None,
        }
    }
}

/// One address subscribed to one site's daily digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    pub id: SubscriberId,
    pub site_id: SiteId,
    /// Lower-cased, trimmed.
    pub email: String,
    pub status: SubscriberStatus,
    /// Section slugs the subscriber wants; empty means every section.
    pub sections: Vec<String>,
    pub created_at: OffsetTime,
    pub confirmed_at: Option<OffsetTime>,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Confirmed(Subscriber),
    /// The link was used before (links are single-use) or the address is confirmed already.
    AlreadyConfirmed,
    Expired,
    Unknown,
}

/// One digest (a site's daily email of one day) to one subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Claimed by a sender that has not finished: re-claimable after its lease.
    Sending,
    Sent,
    Failed,
}

// API tokens

/// Database identity of an API token.
pub type ApiTokenId = i64;

/// What an API token may do. `Write` implies `Read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiScope {
    /// Sites, sections, stories and search.
    Read,
    /// Read, plus creating stories (a wire partner) and the operator's views (subscribers).
    Write,
}

impl ApiScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }

    /// True when a token of this scope may do what `needed` allows.
    pub fn allows(self, needed: ApiScope) -> bool {
        self >= needed
    }
}

/// A token for the JSON API, as the store keeps it: never the secret itself, only what an
/// operator needs to recognise and revoke it (the store also keeps the secret's hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    /// The operator's label: who or what uses it.
    pub name: String,
    pub scope: ApiScope,
    pub created_at: OffsetTime,
    /// Updated at most about once a minute (see the web crate's API).
    pub last_used_at: Option<OffsetTime>,
    /// Set once: a revoked token never authenticates again.
    pub revoked_at: Option<OffsetTime>,
}

/// Database identity of an editor or admin account.
pub type UserId = i64;
/// Database identity of a news release.
pub type ReleaseId = i64;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, on every site: users, sources, sites.
    Admin,
    /// Moderation and stories, on the account's sites only.
    Editor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "editor" => Some(Self::Editor),
            _ => None,
        }
    }
}

/// An editor's or admin's account. The password hash never leaves the store and the login
/// check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lower-cased, trimmed.
    pub email: String,
    pub role: Role,
    /// The sites an editor may work on; empty means every site (admins always have all).
    pub sites: Vec<SiteId>,
    /// argon2id PHC string; empty until the account's setup link is used.
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: OffsetTime,
}

impl User {
    /// Whether this account may act on `site`.
    pub fn may_edit(&self, site: SiteId) -> bool {
        !self.disabled
            && (self.role == Role::Admin || self.sites.is_empty() || self.sites.contains(&site))
    }
}

/// The kinds of news release the public can submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    Business,
    Community,
    Sports,
    PersonnelAppointment,
    Event,
    Other,
}

impl ReleaseKind {
    pub const ALL: [Self; 6] = [
        Self::Business,
        Self::Community,
        Self::Sports,
        Self::PersonnelAppointment,
        Self::Event,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Business => "business",
            Self::Community => "community",
            Self::Sports => "sports",
            Self::PersonnelAppointment => "personnel_appointment",
            Self::Event => "event",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Business => "Business",
            Self::Community => "Community",
            Self::Sports => "Sports",
            Self::PersonnelAppointment => "Personnel appointment",
            Self::Event => "Event",
            Self::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseStatus {
    Submitted,
    Approved,
    Rejected,
    Spam,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submitted" => Some(Self::Submitted),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            "spam" => Some(Self::Spam),
            _ => None,
        }
    }
}

/// An uploaded image, stored under a generated name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseImage {
    /// Generated file name inside the uploads directory (never the uploader's name).
    pub file: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
}

/// A release as submitted through the public form (validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRelease {
    pub kind: ReleaseKind,
    pub organisation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub headline: String,
    /// Plain text with paragraphs (blank lines), or limited Markdown.
    pub body: String,
    pub dateline: Option<String>,
    /// Free text as the submitter gave it, e.g. "2026-12-05 19:00".
    pub event_at: Option<String>,
    pub event_place: Option<String>,
    pub image: Option<ReleaseImage>,
    /// The sites it is meant for (at least one).
    pub sites: Vec<SiteId>,
    /// Hash of the normalized headline, body and contact address: a resubmission matches it.
    pub fingerprint: String,
}

/// A stored release and where moderation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: ReleaseId,
    /// Shown to the submitter: "R-000123".
    pub reference: String,
    pub release: NewRelease,
    pub status: ReleaseStatus,
    /// Bumped by every edit or decision: optimistic locking.
    pub version: i32,
    pub submitted_at: OffsetTime,
    pub decided_at: Option<OffsetTime>,
    pub decided_by: Option<String>,
    /// The editor's reason for a rejection (mailed to the submitter).
    pub reason: Option<String>,
    /// The section editors chose for it (else routing decides).
    pub section: Option<String>,
    /// The story an approval made.
    pub story_id: Option<StoryId>,
}

/// One line of the audit log: who did what, when, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: OffsetTime,
    /// The account's email, or "cli:<os user>" for the command line.
    pub actor: String,
    /// e.g. "release.approve", "story.kill", "user.add", "login.fail".
    pub action: String,
    /// e.g. "release 12", "story 345".
    pub object: String,
    pub detail: String,
    /// Client address, or "cli".
    pub from: String,
}
