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
impl crate::Backend for PostgresStore {
    const NAME: &'static str = "postgres";

    async fn run_migrations(&self) -> Result<()> {
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
}

delegate_store!(PostgresStore);
