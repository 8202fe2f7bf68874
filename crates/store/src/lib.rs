//! The store: one [`Store`] interface with two backends, SQLite (the embedded default: one file,
//! WAL) and PostgreSQL (many nodes sharing one network).
//!
//! Input: values from `masthead-model`. Output: the same values, read back exactly (story text
//! is stored byte for byte, typographic quotes included). Migrations are versioned SQL under
//! `migrations/{sqlite,postgres}/`, with the same numbers in both directories, never edited
//! once released. This crate never parses, fetches or renders.

/// The part of `impl Store` that is the same for both backends: every method delegates to the
/// same-named function of the backend's modules (`sites::…`, `stories::…`), which hold the
/// dialect's SQL. `backend()` and `migrate()` come from each backend's `Backend` impl.
macro_rules! delegate_store {
    ($store:ty) => {
        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                <$store as $crate::Backend>::NAME
            }

            async fn migrate(&self) -> Result<()> {
                $crate::Backend::run_migrations(self).await
            }

            async fn upsert_site(&self, spec: &SiteSpec) -> Result<Site> {
                sites::upsert_site(&self.pool, spec).await
            }

            async fn sites(&self) -> Result<Vec<Site>> {
                sites::sites(&self.pool).await
            }

            async fn site_by_slug(&self, slug: &str) -> Result<Option<Site>> {
                sites::site_by_slug(&self.pool, slug).await
            }

            async fn site_by_host(&self, host: &str) -> Result<Option<Site>> {
                sites::site_by_host(&self.pool, host).await
            }

            async fn upsert_source(&self, spec: &SourceSpec) -> Result<Source> {
                sources::upsert_source(&self.pool, spec).await
            }

            async fn sources(&self) -> Result<Vec<Source>> {
                sources::sources(&self.pool).await
            }

            async fn source_by_name(&self, name: &str) -> Result<Option<Source>> {
                sources::source_by_name(&self.pool, name).await
            }

            async fn remove_source(&self, name: &str) -> Result<bool> {
                sources::remove_source(&self.pool, name).await
            }

            async fn due_sources(&self, now: i64) -> Result<Vec<Source>> {
                sources::due_sources(&self.pool, now).await
            }

            async fn lease_source(
                &self,
                id: SourceId,
                owner: &str,
                now: i64,
                until: i64,
            ) -> Result<bool> {
                sources::lease_source(&self.pool, id, owner, now, until).await
            }

            async fn release_source(&self, id: SourceId, owner: &str) -> Result<()> {
                sources::release_source(&self.pool, id, owner).await
            }

            async fn record_poll(&self, id: SourceId, record: &PollRecord) -> Result<()> {
                sources::record_poll(&self.pool, id, record).await
            }

            async fn websub_request(&self, sub: &WebSubSubscription) -> Result<()> {
                websub::request(&self.pool, sub).await
            }

            async fn websub_by_token(&self, token: &str) -> Result<Option<WebSubSubscription>> {
                websub::by_token(&self.pool, token).await
            }

            async fn websub_of(&self, source: SourceId) -> Result<Option<WebSubSubscription>> {
                websub::of_source(&self.pool, source).await
            }

            async fn websub_set_state(
                &self,
                source: SourceId,
                state: WebSubState,
                lease_until: Option<i64>,
            ) -> Result<()> {
                websub::set_state(&self.pool, source, state, lease_until).await
            }

            async fn websub_expiring(&self, before: i64) -> Result<Vec<WebSubSubscription>> {
                websub::expiring(&self.pool, before).await
            }

            async fn set_source_paused(&self, name: &str, paused: bool) -> Result<bool> {
                sources::set_source_paused(&self.pool, name, paused).await
            }

            async fn put_story(
                &self,
                story: &NewStory,
                cluster: Option<ClusterId>,
            ) -> Result<StoreOutcome> {
                stories::put_story(&self.pool, story, cluster).await
            }

            async fn story_identity(
                &self,
                source: SourceId,
                guid: &str,
            ) -> Result<Option<(StoryId, String, bool)>> {
                stories::story_identity(&self.pool, source, guid).await
            }

            async fn story(&self, id: StoryId) -> Result<Option<Story>> {
                stories::story(&self.pool, id).await
            }

            async fn stories(&self, filter: &StoryFilter) -> Result<Vec<Story>> {
                stories::stories(&self.pool, filter).await
            }

            async fn place(&self, placement: &Placement) -> Result<()> {
                stories::place(&self.pool, placement).await
            }

            async fn placements_of(&self, story: StoryId) -> Result<Vec<Placement>> {
                stories::placements_of(&self.pool, story).await
            }

            async fn site_stories(
                &self,
                site: SiteId,
                section: Option<&str>,
                offset: i64,
                limit: i64,
            ) -> Result<Vec<StorySummary>> {
                stories::site_stories(&self.pool, site, section, offset, limit).await
            }

            async fn count_site_stories(&self, site: SiteId, section: Option<&str>) -> Result<i64> {
                stories::count_site_stories(&self.pool, site, section).await
            }

            async fn search(&self, site: SiteId, query: &SearchQuery) -> Result<SearchPage> {
                search::search(&self.pool, site, query).await
            }

            // Editorial: kills, revisions, clusters, routing
            async fn kill_story(
                &self,
                id: StoryId,
                reason: &str,
                by: &str,
                at: OffsetTime,
            ) -> Result<bool> {
                editorial::kill_story(&self.pool, id, reason, by, at).await
            }

            async fn revisions(&self, id: StoryId) -> Result<Vec<Revision>> {
                editorial::revisions(&self.pool, id).await
            }

            async fn set_cluster(&self, story: StoryId, cluster: ClusterId) -> Result<()> {
                editorial::set_cluster(&self.pool, story, cluster).await
            }

            async fn pin_cluster(&self, cluster: ClusterId, story: Option<StoryId>) -> Result<()> {
                editorial::pin_cluster(&self.pool, cluster, story).await
            }

            async fn cluster_members(&self, cluster: ClusterId) -> Result<Vec<Story>> {
                editorial::cluster_members(&self.pool, cluster).await
            }

            async fn set_sketch(&self, story: StoryId, sketch: &str) -> Result<()> {
                editorial::set_sketch(&self.pool, story, sketch).await
            }

            async fn sketches_since(
                &self,
                since_unix_micros: i64,
            ) -> Result<Vec<(StoryId, ClusterId, i64, String)>> {
                editorial::sketches_since(&self.pool, since_unix_micros).await
            }

            async fn unplace(&self, story: StoryId, site: SiteId) -> Result<()> {
                editorial::unplace(&self.pool, story, site).await
            }

            async fn unplaced_stories(&self, limit: i64) -> Result<Vec<Story>> {
                editorial::unplaced_stories(&self.pool, limit).await
            }

            async fn story_identity_by_url(
                &self,
                source: SourceId,
                canonical_url: &str,
            ) -> Result<Option<(StoryId, String, bool)>> {
                editorial::story_identity_by_url(&self.pool, source, canonical_url).await
            }

            // Subscribers and digests
            async fn subscribe_request(
                &self,
                site: SiteId,
                email: &str,
                token_hash: &str,
                expires_at: i64,
                now: OffsetTime,
            ) -> Result<masthead_model::Subscriber> {
                subscribers::subscribe_request(&self.pool, site, email, token_hash, expires_at, now)
                    .await
            }

            async fn confirm_subscription(
                &self,
                token_hash: &str,
                now: OffsetTime,
            ) -> Result<masthead_model::ConfirmOutcome> {
                subscribers::confirm_subscription(&self.pool, token_hash, now).await
            }

            async fn signup_mails(
                &self,
                email: &str,
                since: i64,
                record: Option<OffsetTime>,
            ) -> Result<i64> {
                subscribers::signup_mails(&self.pool, email, since, record).await
            }

            async fn subscriber(
                &self,
                id: masthead_model::SubscriberId,
            ) -> Result<Option<masthead_model::Subscriber>> {
                subscribers::subscriber(&self.pool, id).await
            }

            async fn unsubscribe(
                &self,
                id: masthead_model::SubscriberId,
                now: OffsetTime,
            ) -> Result<bool> {
                subscribers::unsubscribe(&self.pool, id, now).await
            }

            async fn set_subscriber_sections(
                &self,
                id: masthead_model::SubscriberId,
                sections: &[String],
            ) -> Result<()> {
                subscribers::set_subscriber_sections(&self.pool, id, sections).await
            }

            async fn subscribers(
                &self,
                site: SiteId,
                after: masthead_model::SubscriberId,
                limit: i64,
            ) -> Result<Vec<masthead_model::Subscriber>> {
                subscribers::subscribers(&self.pool, site, after, limit).await
            }

            async fn claim_deliveries(
                &self,
                site: SiteId,
                date: &str,
                owner: &str,
                now: i64,
                lease_until: i64,
                limit: i64,
            ) -> Result<Vec<masthead_model::Subscriber>> {
                subscribers::claim_deliveries(
                    &self.pool,
                    site,
                    date,
                    owner,
                    now,
                    lease_until,
                    limit,
                )
                .await
            }

            async fn finish_delivery(
                &self,
                site: SiteId,
                date: &str,
                subscriber: masthead_model::SubscriberId,
                status: masthead_model::DeliveryStatus,
                error: Option<&str>,
                at: OffsetTime,
            ) -> Result<()> {
                subscribers::finish_delivery(&self.pool, site, date, subscriber, status, error, at)
                    .await
            }

            async fn delivery_counts(&self, site: SiteId, date: &str) -> Result<(i64, i64, i64)> {
                subscribers::delivery_counts(&self.pool, site, date).await
            }

            // API tokens
            async fn create_api_token(
                &self,
                name: &str,
                scope: masthead_model::ApiScope,
                token_hash: &str,
                now: OffsetTime,
            ) -> Result<masthead_model::ApiToken> {
                tokens::create(&self.pool, name, scope, token_hash, now).await
            }

            async fn api_tokens(&self) -> Result<Vec<masthead_model::ApiToken>> {
                tokens::list(&self.pool).await
            }

            async fn api_token_by_hash(
                &self,
                token_hash: &str,
            ) -> Result<Option<masthead_model::ApiToken>> {
                tokens::by_hash(&self.pool, token_hash).await
            }

            async fn touch_api_token(
                &self,
                id: masthead_model::ApiTokenId,
                now: OffsetTime,
            ) -> Result<()> {
                tokens::touch(&self.pool, id, now).await
            }

            async fn revoke_api_token(
                &self,
                id: masthead_model::ApiTokenId,
                now: OffsetTime,
            ) -> Result<bool> {
                tokens::revoke(&self.pool, id, now).await
            }

            // Newsroom: users, sessions, login throttling, releases, audit
            async fn create_user(
                &self,
                email: &str,
                role: masthead_model::Role,
                sites: &[SiteId],
                password_hash: &str,
                now: OffsetTime,
            ) -> Result<masthead_model::User> {
                newsroom::create_user(&self.pool, email, role, sites, password_hash, now).await
            }

            async fn user(
                &self,
                id: masthead_model::UserId,
            ) -> Result<Option<masthead_model::User>> {
                newsroom::user(&self.pool, id).await
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<masthead_model::User>> {
                newsroom::user_by_email(&self.pool, email).await
            }

            async fn users(&self) -> Result<Vec<masthead_model::User>> {
                newsroom::users(&self.pool).await
            }

            async fn set_password(
                &self,
                id: masthead_model::UserId,
                password_hash: &str,
            ) -> Result<()> {
                newsroom::set_password(&self.pool, id, password_hash).await
            }

            async fn set_user_disabled(
                &self,
                id: masthead_model::UserId,
                disabled: bool,
            ) -> Result<()> {
                newsroom::set_user_disabled(&self.pool, id, disabled).await
            }

            async fn create_setup_token(
                &self,
                user: masthead_model::UserId,
                token_hash: &str,
                expires_at: i64,
            ) -> Result<()> {
                newsroom::create_setup_token(&self.pool, user, token_hash, expires_at).await
            }

            async fn take_setup_token(
                &self,
                token_hash: &str,
                now: i64,
            ) -> Result<Option<masthead_model::User>> {
                newsroom::take_setup_token(&self.pool, token_hash, now).await
            }

            async fn create_session(
                &self,
                id_hash: &str,
                user: masthead_model::UserId,
                now: i64,
                expires_at: i64,
            ) -> Result<()> {
                newsroom::create_session(&self.pool, id_hash, user, now, expires_at).await
            }

            async fn session_user(
                &self,
                id_hash: &str,
                now: i64,
                idle_micros: i64,
            ) -> Result<Option<masthead_model::User>> {
                newsroom::session_user(&self.pool, id_hash, now, idle_micros).await
            }

            async fn delete_session(&self, id_hash: &str) -> Result<()> {
                newsroom::delete_session(&self.pool, id_hash).await
            }

            async fn delete_user_sessions(&self, user: masthead_model::UserId) -> Result<u64> {
                newsroom::delete_user_sessions(&self.pool, user).await
            }

            async fn login_failures(
                &self,
                key: &str,
                since: i64,
                record: Option<i64>,
            ) -> Result<i64> {
                newsroom::login_failures(&self.pool, key, since, record).await
            }

            async fn clear_login_failures(&self, key: &str) -> Result<()> {
                newsroom::clear_login_failures(&self.pool, key).await
            }

            async fn submit_release(
                &self,
                release: &masthead_model::NewRelease,
                now: OffsetTime,
                duplicate_window_micros: i64,
            ) -> Result<(masthead_model::Release, bool)> {
                newsroom::submit_release(&self.pool, release, now, duplicate_window_micros).await
            }

            async fn release(
                &self,
                id: masthead_model::ReleaseId,
            ) -> Result<Option<masthead_model::Release>> {
                newsroom::release(&self.pool, id).await
            }

            async fn releases(
                &self,
                status: Option<masthead_model::ReleaseStatus>,
                site: Option<SiteId>,
                kind: Option<masthead_model::ReleaseKind>,
                limit: i64,
            ) -> Result<Vec<masthead_model::Release>> {
                newsroom::releases(&self.pool, status, site, kind, limit).await
            }

            async fn edit_release(
                &self,
                id: masthead_model::ReleaseId,
                version: i32,
                headline: &str,
                body: &str,
                dateline: Option<&str>,
                section: Option<&str>,
            ) -> Result<Option<masthead_model::Release>> {
                newsroom::edit_release(&self.pool, id, version, headline, body, dateline, section)
                    .await
            }

            async fn decide_release(
                &self,
                id: masthead_model::ReleaseId,
                version: i32,
                status: masthead_model::ReleaseStatus,
                by: &str,
                reason: Option<&str>,
                story: Option<StoryId>,
                at: OffsetTime,
            ) -> Result<Option<masthead_model::Release>> {
                newsroom::decide_release(&self.pool, id, version, status, by, reason, story, at)
                    .await
            }

            async fn audit(&self, entry: &masthead_model::AuditEntry) -> Result<()> {
                newsroom::audit(&self.pool, entry).await
            }

            async fn audit_log(
                &self,
                limit: i64,
                before: Option<i64>,
            ) -> Result<Vec<masthead_model::AuditEntry>> {
                newsroom::audit_log(&self.pool, limit, before).await
            }

            async fn correct_story(
                &self,
                id: StoryId,
                headline: &str,
                standfirst: Option<&str>,
                content_html: &str,
                text: &str,
                at: OffsetTime,
            ) -> Result<bool> {
                stories::correct_story(&self.pool, id, headline, standfirst, content_html, text, at)
                    .await
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("ping"))?;
                Ok(())
            }
        }
    };
}

/// What differs between the backends besides their SQL: a name and how migrations run.
#[async_trait]
pub(crate) trait Backend {
    const NAME: &'static str;
    async fn run_migrations(&self) -> Result<()>;
}

mod postgres;
mod rows;
mod sqlite;
mod text;

use std::sync::Arc;

use async_trait::async_trait;
use masthead_model::{
    AuditEntry, ClusterId, ConfirmOutcome, DeliveryStatus, NewRelease, NewStory, OffsetTime,
    Placement, PollRecord, Release, ReleaseId, ReleaseKind, ReleaseStatus, Revision, Role,
    SearchPage, SearchQuery, Site, SiteId, SiteSpec, Source, SourceId, SourceSpec, StoreOutcome,
    Story, StoryId, StorySummary, Subscriber, SubscriberId, User, UserId, WebSubState,
    WebSubSubscription,
};

pub use text::{lead_of, redact_url, slug_of};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `url` has its password removed (see [`redact_url`]).
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    /// `url` has its password removed (see [`redact_url`]).
    #[error("unsupported database URL {url:?}: use sqlite://PATH or postgres://…")]
    Scheme { url: String },
    /// A host selects exactly one site; `site` asked for a host `other_site` already has.
    #[error("host {host:?} of site {site:?} already belongs to site {other_site:?}")]
    HostTaken {
        host: String,
        site: String,
        other_site: String,
    },
    #[error("site {site:?} lists section {section:?} twice")]
    DuplicateSection { site: String, section: String },
    #[error("migrating the {backend} schema failed: {source}")]
    Migrate {
        backend: &'static str,
        source: sqlx::migrate::MigrateError,
    },
    #[error("{op} failed: {source}")]
    Query {
        op: &'static str,
        source: sqlx::Error,
    },
    #[error("stored {what} is malformed: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// A write kept meeting concurrent changes to the same row (it is safe to retry later).
    #[error("{op} kept meeting concurrent changes to {what}")]
    Contended { op: &'static str, what: String },
    #[error("no {what} named {name:?}")]
    NotFound { what: &'static str, name: String },
    /// A poll was recorded for a source id no row has (removed sources keep their row).
    #[error("no source has id {id}")]
    UnknownSource { id: SourceId },
    /// An account already has this (trimmed, lower-cased) email address.
    #[error("an account with the email address {email:?} already exists")]
    EmailTaken { email: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Filters for the command line's `stories list`.
#[derive(Debug, Clone, Default)]
pub struct StoryFilter {
    pub site: Option<SiteId>,
    pub source: Option<SourceId>,
    /// At most this many stories, newest first; 0 or negative means 50.
    pub limit: i64,
    /// List killed stories too (editors' views); lists leave them out by default.
    pub include_killed: bool,
    /// Only stories published at or after this instant (unix µs): a bounded re-routing window.
    pub since: Option<i64>,
}

/// One interface over both backends. Every write is idempotent under retry.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which backend this is: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations; safe to call at every start and from several nodes.
    async fn migrate(&self) -> Result<()>;

    /// Creates or updates the site with this slug (hosts and sections replaced as given).
    async fn upsert_site(&self, spec: &SiteSpec) -> Result<Site>;
    async fn sites(&self) -> Result<Vec<Site>>;
    async fn site_by_slug(&self, slug: &str) -> Result<Option<Site>>;
    /// `host` is lower-case, without port.
    async fn site_by_host(&self, host: &str) -> Result<Option<Site>>;

    /// Creates or updates the source with this name. The name of a removed source brings it
    /// back: same id, its stories and its health as they were.
    async fn upsert_source(&self, spec: &SourceSpec) -> Result<Source>;
    /// Sources in the network (removed ones are not), by name. Health times read back in UTC:
    /// they are the polling node's instants, stored without an offset.
    async fn sources(&self) -> Result<Vec<Source>>;
    /// A source in the network (not a removed one).
    async fn source_by_name(&self, name: &str) -> Result<Option<Source>>;
    /// Removes a source from the network: it is no longer listed or polled. Its stories stay,
    /// credited to it. False when no source has this name (or it is already removed).
    async fn remove_source(&self, name: &str) -> Result<bool>;
    /// Sources due for a poll at `now` (unix µs): not paused, not removed, next poll reached,
    /// not leased by a live poll; the longest-waiting first.
    async fn due_sources(&self, now: i64) -> Result<Vec<Source>>;
    /// Takes the poll lease of a source for `owner` until `until` (unix µs) when it is free or
    /// its lease has expired at `now`. True when this caller holds it. Two nodes never poll
    /// one source at once; a node that dies lets its lease expire.
    async fn lease_source(&self, id: SourceId, owner: &str, now: i64, until: i64) -> Result<bool>;
    /// Gives a lease back (only if `owner` still holds it).
    async fn release_source(&self, id: SourceId, owner: &str) -> Result<()>;
    /// Records a poll's outcome in the source's health: a success resets the failure count and
    /// stores new validators; a failure counts up, keeps the last good validators and pauses
    /// the source when the count reaches `pause_after`. A success keeps `last_error` and
    /// `last_error_at` (compare them with `last_success_at`); a validator that is `None` keeps
    /// the stored one. [`StoreError::UnknownSource`] when no source has this id.
    async fn record_poll(&self, id: SourceId, record: &PollRecord) -> Result<()>;
    /// Records a WebSub subscription request (replacing the source's previous one): pending.
    async fn websub_request(&self, sub: &WebSubSubscription) -> Result<()>;
    /// The subscription whose callback token this is.
    async fn websub_by_token(&self, token: &str) -> Result<Option<WebSubSubscription>>;
    async fn websub_of(&self, source: SourceId) -> Result<Option<WebSubSubscription>>;
    /// Marks a subscription verified (active until `lease_until`) or denied.
    async fn websub_set_state(
        &self,
        source: SourceId,
        state: WebSubState,
        lease_until: Option<i64>,
    ) -> Result<()>;
    /// Active subscriptions whose lease ends before `before` (unix µs): to renew.
    async fn websub_expiring(&self, before: i64) -> Result<Vec<WebSubSubscription>>;
    /// Pauses or resumes a source; resuming makes it due at once and clears its failures.
    /// False when no source (or only a removed one) has this name.
    async fn set_source_paused(&self, name: &str, paused: bool) -> Result<bool>;

    /// Stores a story by its identity (source + guid, else source + canonical URL when given):
    /// inserts a new one, updates a known one whose content hash changed, leaves an identical
    /// (or a killed) one alone. An update keeps the first publication time, sets `updated`
    /// (the source's update time, else its moved publish time, else now) and keeps the
    /// replaced version as a revision. A new story starts its own cluster unless `cluster`
    /// names an existing one.
    async fn put_story(&self, story: &NewStory, cluster: Option<ClusterId>)
    -> Result<StoreOutcome>;
    /// The id, content hash and killed flag of the story with this identity, if stored: lets
    /// ingest skip an unchanged (or killed) entry before doing any work on it (sanitizing,
    /// fetching its page).
    async fn story_identity(
        &self,
        source: SourceId,
        guid: &str,
    ) -> Result<Option<(StoryId, String, bool)>>;
    async fn story(&self, id: StoryId) -> Result<Option<Story>>;
    async fn stories(&self, filter: &StoryFilter) -> Result<Vec<Story>>;

    /// Places a story on a site's section; placing it again (same site) moves it, never duplicates.
    async fn place(&self, placement: &Placement) -> Result<()>;
    /// Where a story is placed: at most one placement per site, ordered by site id.
    async fn placements_of(&self, story: StoryId) -> Result<Vec<Placement>>;

    /// Newest stories placed on a site, optionally in one section, newest first (by publish
    /// time, then id): one per cluster (the pinned member if it is placed there, else the
    /// earliest placed there), killed ones left out. `limit` 0 or negative means 50; a
    /// negative `offset` means 0.
    async fn site_stories(
        &self,
        site: SiteId,
        section: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StorySummary>>;
    /// How many stories a site (or one of its sections) lists, counted as `site_stories` lists.
    async fn count_site_stories(&self, site: SiteId, section: Option<&str>) -> Result<i64>;

    // Search
    /// Searches the stories placed on a site with the backend's own full-text index (written
    /// in the same transaction as the story): every term of `query.text` required, headline
    /// matches above body matches, the newest first among equal ranks, one hit per cluster (its
    /// best-ranked story on the site), filtered by section and publish time. Any text is safe:
    /// one with no letters or digits finds nothing. `total` counts clusters. Killed stories
    /// are never found.
    async fn search(&self, site: SiteId, query: &SearchQuery) -> Result<SearchPage>;

    // Editorial: kills, revisions, clusters, routing
    /// Takes a story down: every listing leaves it out from now on, [`Store::story`] still
    /// returns it (with `killed` set) so its page can answer 410, and no later
    /// [`Store::put_story`] changes or revives it. False when no story has this id or it is
    /// already killed (the first kill's record stays).
    async fn kill_story(&self, id: StoryId, reason: &str, by: &str, at: OffsetTime)
    -> Result<bool>;
    /// The versions of a story its source replaced, oldest first (the current one is the
    /// story itself).
    async fn revisions(&self, id: StoryId) -> Result<Vec<Revision>>;
    /// Moves a story into a cluster (any id: a cluster is named by its first story's id).
    /// [`StoreError::NotFound`] when no story has this id.
    async fn set_cluster(&self, story: StoryId, cluster: ClusterId) -> Result<()>;
    /// An editor's choice of the story pages show for a cluster, where that story is placed
    /// and not killed (elsewhere the earliest member still shows); `None` unpins.
    /// [`StoreError::NotFound`] when the story is not a member of the cluster.
    async fn pin_cluster(&self, cluster: ClusterId, story: Option<StoryId>) -> Result<()>;
    /// A cluster's stories that are not killed, oldest first (by publish time, then id).
    async fn cluster_members(&self, cluster: ClusterId) -> Result<Vec<Story>>;
    /// Keeps a story's near-duplicate sketch (masthead-dedup's, opaque here), replacing any.
    /// [`StoreError::NotFound`] when no story has this id.
    async fn set_sketch(&self, story: StoryId, sketch: &str) -> Result<()>;
    /// (story, cluster, published_at, sketch) of the stories with a sketch that are not
    /// killed and were published at or after `since_unix_micros`, oldest first: the window a
    /// new story is compared against.
    async fn sketches_since(
        &self,
        since_unix_micros: i64,
    ) -> Result<Vec<(StoryId, ClusterId, i64, String)>>;
    /// Removes a story from a site (re-routing); nothing when it is not placed there.
    async fn unplace(&self, story: StoryId, site: SiteId) -> Result<()>;
    /// Stories no site carries, not killed, newest first: they wait for an editor. `limit` 0
    /// or negative means 50.
    async fn unplaced_stories(&self, limit: i64) -> Result<Vec<Story>>;
    /// Like [`Store::story_identity`] by canonical URL: the source's first story with it.
    async fn story_identity_by_url(
        &self,
        source: SourceId,
        canonical_url: &str,
    ) -> Result<Option<(StoryId, String, bool)>>;

    // Subscribers and digests
    /// Records a sign-up for `email` (lower-cased, trimmed) on `site`: creates a pending
    /// subscriber or keeps the existing one (a confirmed one stays confirmed; an unsubscribed
    /// one becomes pending again), and stores a new single-use confirmation token (only its
    /// hash, `token_hash`) valid until `expires_at`, replacing older tokens of that subscriber.
    /// Returns the subscriber as it is now.
    async fn subscribe_request(
        &self,
        site: SiteId,
        email: &str,
        token_hash: &str,
        expires_at: i64,
        now: OffsetTime,
    ) -> Result<Subscriber>;
    /// Follows a confirmation link: the token is used up whatever the outcome. `Expired` when
    /// `now` is past `expires_at` (the instant itself still confirms), `AlreadyConfirmed` when
    /// the subscriber is confirmed (also for the link that confirmed it, followed again),
    /// `Unknown` for any other hash, a replaced link, or a subscriber who left since.
    async fn confirm_subscription(
        &self,
        token_hash: &str,
        now: OffsetTime,
    ) -> Result<ConfirmOutcome>;
    /// Counts the sign-up mails sent to `email` (any site) since `since` (unix µs), and with
    /// `record` counts one more at `now` in the same statement: the per-address mail cap.
    async fn signup_mails(
        &self,
        email: &str,
        since: i64,
        record: Option<OffsetTime>,
    ) -> Result<i64>;
    async fn subscriber(&self, id: SubscriberId) -> Result<Option<Subscriber>>;
    /// Unsubscribes; false when unknown or already unsubscribed. Confirmation links mailed
    /// before no longer work.
    async fn unsubscribe(&self, id: SubscriberId, now: OffsetTime) -> Result<bool>;
    /// The sections a subscriber wants (empty: all). [`StoreError::NotFound`] for an unknown
    /// id.
    async fn set_subscriber_sections(&self, id: SubscriberId, sections: &[String]) -> Result<()>;
    /// Subscribers of a site, any status, by id, `after` an id (paging), at most `limit` (0 or
    /// negative means 50).
    async fn subscribers(
        &self,
        site: SiteId,
        after: SubscriberId,
        limit: i64,
    ) -> Result<Vec<Subscriber>>;
    /// Claims up to `limit` confirmed subscribers of `site` whose digest of `date`
    /// (YYYY-MM-DD in the site's zone) is not sent and not being sent by a live claim: each
    /// gets a `sending` delivery row leased to `owner` until `lease_until` (unix µs). Two
    /// senders never claim one delivery; a sender that dies lets its lease expire. A sent
    /// delivery is never claimed again, nor a failed one (retrying is the sender's decision,
    /// before it finishes the delivery); an unsubscribed or pending subscriber never is. By
    /// id; `limit` 0 or negative means 50.
    async fn claim_deliveries(
        &self,
        site: SiteId,
        date: &str,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Subscriber>>;
    /// Marks a claimed delivery sent or failed (with the error, or a note). A sent delivery
    /// stays sent, so finishing again (or after the lease ran out) is harmless; `Sending`
    /// changes nothing.
    async fn finish_delivery(
        &self,
        site: SiteId,
        date: &str,
        subscriber: SubscriberId,
        status: DeliveryStatus,
        error: Option<&str>,
        at: OffsetTime,
    ) -> Result<()>;
    /// (sent, failed, sending) deliveries of a site's digest of `date`.
    async fn delivery_counts(&self, site: SiteId, date: &str) -> Result<(i64, i64, i64)>;

    // API tokens
    /// Stores a new token for the JSON API: only the hash of its secret (`token_hash`, the hex
    /// SHA-256), never the secret.
    async fn create_api_token(
        &self,
        name: &str,
        scope: masthead_model::ApiScope,
        token_hash: &str,
        now: OffsetTime,
    ) -> Result<masthead_model::ApiToken>;
    /// Every token, revoked ones included, by id.
    async fn api_tokens(&self) -> Result<Vec<masthead_model::ApiToken>>;
    /// The token whose secret hashes to `token_hash`, revoked or not (the caller refuses a
    /// revoked one).
    async fn api_token_by_hash(&self, token_hash: &str)
    -> Result<Option<masthead_model::ApiToken>>;
    /// Records a use of a token at `now` (an earlier time never replaces a later one).
    async fn touch_api_token(&self, id: masthead_model::ApiTokenId, now: OffsetTime) -> Result<()>;
    /// Revokes a token for good; false when no token has this id or it is already revoked.
    async fn revoke_api_token(
        &self,
        id: masthead_model::ApiTokenId,
        now: OffsetTime,
    ) -> Result<bool>;

    // Newsroom: users, sessions, login throttling, releases, audit
    /// Creates an account; [`StoreError::EmailTaken`] when the (lower-cased) email is taken.
    async fn create_user(
        &self,
        email: &str,
        role: Role,
        sites: &[SiteId],
        password_hash: &str,
        now: OffsetTime,
    ) -> Result<User>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// Every account, disabled ones included, by email.
    async fn users(&self) -> Result<Vec<User>>;
    /// [`StoreError::NotFound`] for an unknown id (also for `set_user_disabled`).
    async fn set_password(&self, id: UserId, password_hash: &str) -> Result<()>;
    /// Disabling also ends the account's sessions: enabling it again revives none.
    async fn set_user_disabled(&self, id: UserId, disabled: bool) -> Result<()>;
    /// A one-time setup (or reset) token for an account, stored as its hash, valid until
    /// `expires_at` (unix µs); replaces the account's earlier ones.
    async fn create_setup_token(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// Uses a setup token up (whatever the outcome): the account when it was valid.
    async fn take_setup_token(&self, token_hash: &str, now: i64) -> Result<Option<User>>;
    /// A server-side session, stored as the hash of its id.
    async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// The session's account when the session exists, has not passed its absolute expiry
    /// and was used within `idle_micros`; touches its last use. Expired sessions are deleted.
    async fn session_user(&self, id_hash: &str, now: i64, idle_micros: i64)
    -> Result<Option<User>>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Logout everywhere; returns how many sessions ended.
    async fn delete_user_sessions(&self, user: UserId) -> Result<u64>;
    /// Counts failed logins for `key` ("ip:…" or "account:…") since `since`, recording one
    /// more at `record` first when given.
    async fn login_failures(&self, key: &str, since: i64, record: Option<i64>) -> Result<i64>;
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
    /// Stores a submitted release; when a release with the same fingerprint was submitted
    /// within `duplicate_window_micros`, returns that one and `true` instead.
    async fn submit_release(
        &self,
        release: &NewRelease,
        now: OffsetTime,
        duplicate_window_micros: i64,
    ) -> Result<(Release, bool)>;
    async fn release(&self, id: ReleaseId) -> Result<Option<Release>>;
    /// Releases oldest first, filtered by status, site (meant for it) and kind.
    async fn releases(
        &self,
        status: Option<ReleaseStatus>,
        site: Option<SiteId>,
        kind: Option<ReleaseKind>,
        limit: i64,
    ) -> Result<Vec<Release>>;
    /// An editor's edit, only if the release is still at `version` (optimistic locking):
    /// None when someone else changed it first. Bumps the version.
    async fn edit_release(
        &self,
        id: ReleaseId,
        version: i32,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
        section: Option<&str>,
    ) -> Result<Option<Release>>;
    /// Approves, rejects or marks as spam, only if still at `version` and `submitted`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one decision's fields, each from a different place in the form"
    )]
    async fn decide_release(
        &self,
        id: ReleaseId,
        version: i32,
        status: ReleaseStatus,
        by: &str,
        reason: Option<&str>,
        story: Option<StoryId>,
        at: OffsetTime,
    ) -> Result<Option<Release>>;
    async fn audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Newest first, at most `limit`, before `before` (unix µs) when given.
    async fn audit_log(&self, limit: i64, before: Option<i64>) -> Result<Vec<AuditEntry>>;

    // Corrections
    /// An editor's correction of a story's headline, standfirst and body (`content_html`, already
    /// sanitized, and its plain `text`): the version it replaces is kept as a revision (as a
    /// source's update keeps one, see [`Store::revisions`]), `updated` becomes `at`, the lead
    /// follows the new text and the search index the new words; slug, cluster, placements and
    /// first publication time stay. False when no story has this id or it is killed.
    ///
    /// A correction is the network's own edit, not the source's: the stored content hash stays
    /// the source's, so the same entry polled again leaves the correction alone, but the
    /// source's next change wins ([`Store::put_story`] replaces the corrected text, keeping it
    /// as a revision in turn).
    async fn correct_story(
        &self,
        id: StoryId,
        headline: &str,
        standfirst: Option<&str>,
        content_html: &str,
        text: &str,
        at: OffsetTime,
    ) -> Result<bool>;

    /// Cheap liveness check for `/readyz`.
    async fn ping(&self) -> Result<()>;
}

/// Opens the backend a URL names: `sqlite://path/to/file.db` (created if missing, WAL) or
/// `postgres://…`. Does not migrate.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::Scheme {
            url: redact_url(url),
        })
    }
}
