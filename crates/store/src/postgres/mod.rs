//! PostgreSQL backend: many nodes sharing one network.
//!
//! Input: a `postgres:` URL and model values. Output: the [`Store`] over a connection pool.
//! Writes that must not race are single statements (`INSERT … ON CONFLICT`, CTEs) or
//! transactions guarded by row locks. Never used for anything but SQL.

mod editorial;
mod newsroom;
mod search;
mod sites;
mod sources;
mod stories;
mod subscribers;
mod tokens;
mod websub;

use std::time::Duration;

use async_trait::async_trait;
use masthead_model::{
    ClusterId, NewStory, OffsetTime, Placement, PollRecord, Revision, SearchPage, SearchQuery,
    Site, SiteId, SiteSpec, Source, SourceId, SourceSpec, StoreOutcome, Story, StoryId,
    StorySummary, WebSubState, WebSubSubscription,
};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use crate::rows::query_err;
use crate::text::redact_url;
use crate::{Result, Store, StoreError, StoryFilter};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per node; PostgreSQL's default limit (100) leaves room for a dozen nodes.
const POOL_SIZE: u32 = 8;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database a `postgres://` URL names. Does not migrate.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                url: redact_url(url),
                source,
            })?;
        Ok(Self { pool })
    }

    /// The pool, for tests and tools that need SQL the trait does not offer.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        // sqlx's migrator holds an advisory lock while it runs, so nodes starting together
        // apply each migration once.
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: "postgres",
                source,
            })
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

    async fn lease_source(&self, id: SourceId, owner: &str, now: i64, until: i64) -> Result<bool> {
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
        subscribers::subscribe_request(&self.pool, site, email, token_hash, expires_at, now).await
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

    async fn unsubscribe(&self, id: masthead_model::SubscriberId, now: OffsetTime) -> Result<bool> {
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
        subscribers::claim_deliveries(&self.pool, site, date, owner, now, lease_until, limit).await
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
        subscribers::finish_delivery(&self.pool, site, date, subscriber, status, error, at).await
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

    async fn touch_api_token(&self, id: masthead_model::ApiTokenId, now: OffsetTime) -> Result<()> {
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

    async fn user(&self, id: masthead_model::UserId) -> Result<Option<masthead_model::User>> {
        newsroom::user(&self.pool, id).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<masthead_model::User>> {
        newsroom::user_by_email(&self.pool, email).await
    }

    async fn users(&self) -> Result<Vec<masthead_model::User>> {
        newsroom::users(&self.pool).await
    }

    async fn set_password(&self, id: masthead_model::UserId, password_hash: &str) -> Result<()> {
        newsroom::set_password(&self.pool, id, password_hash).await
    }

    async fn set_user_disabled(&self, id: masthead_model::UserId, disabled: bool) -> Result<()> {
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

    async fn login_failures(&self, key: &str, since: i64, record: Option<i64>) -> Result<i64> {
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
        newsroom::edit_release(&self.pool, id, version, headline, body, dateline, section).await
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
        newsroom::decide_release(&self.pool, id, version, status, by, reason, story, at).await
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
        stories::correct_story(&self.pool, id, headline, standfirst, content_html, text, at).await
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(query_err("ping"))?;
        Ok(())
    }
}
