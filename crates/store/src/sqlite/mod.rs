//! SQLite backend: the embedded default, one file in WAL mode.
//!
//! Input: a `sqlite:` URL and model values. Output: the [`Store`] over a connection pool.
//! Writes that read before they write take `BEGIN IMMEDIATE`, so a second writer waits on the
//! busy timeout instead of failing on a stale snapshot. Never used for anything but SQL.

mod editorial;
mod newsroom;
mod search;
mod sites;
mod sources;
mod stories;
mod subscribers;
mod tokens;
mod websub;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use masthead_model::{
    ClusterId, NewStory, OffsetTime, Placement, PollRecord, Revision, SearchPage, SearchQuery,
    Site, SiteId, SiteSpec, Source, SourceId, SourceSpec, StoreOutcome, Story, StoryId,
    StorySummary, WebSubState, WebSubSubscription,
};
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::rows::query_err;
use crate::text::redact_url;
use crate::{Result, Store, StoreError, StoryFilter};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Connections in a file database's pool: WAL lets readers run beside the one writer.
const POOL_SIZE: u32 = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite's migrator takes no lock: a process that loses the race to apply a migration fails,
/// then finds it applied. Each failure means the winner got at least one migration further,
/// so a loser fails at most once per migration; more attempts than that (see
/// [`migrate_attempts`]) mean something else is wrong.
const MIGRATE_ATTEMPTS: u32 = 3;

fn migrate_attempts() -> u32 {
    let per_migration = u32::try_from(MIGRATOR.iter().count()).unwrap_or(u32::MAX);
    MIGRATE_ATTEMPTS.max(per_migration.saturating_add(1))
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it and its directory if missing) the database a URL names:
    /// `sqlite:///abs/path.db`, `sqlite://relative.db` or `sqlite::memory:`. Does not migrate.
    pub async fn open(url: &str) -> Result<Self> {
        let open_err = |source| StoreError::Open {
            url: redact_url(url),
            source,
        };
        let options = SqliteConnectOptions::from_str(url).map_err(open_err)?;
        let memory = is_memory(url);
        let mut options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal);
        let pool = if memory {
            // An in-memory database lives as long as one connection to it: keep exactly one.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(open_err)?
        } else {
            if let Some(dir) = options.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| open_err(sqlx::Error::Io(e)))?;
            }
            options = options.journal_mode(SqliteJournalMode::Wal);
            SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .connect_with(options)
                .await
                .map_err(open_err)?
        };
        Ok(Self { pool })
    }

    /// The pool, for tests and tools that need SQL the trait does not offer.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn is_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[async_trait]
impl crate::Backend for SqliteStore {
    const NAME: &'static str = "sqlite";

    async fn run_migrations(&self) -> Result<()> {
        let mut attempt = 1;
        loop {
            match MIGRATOR.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(e) if attempt < migrate_attempts() => {
                    tracing::debug!(error = %e, attempt, "sqlite migration raced another process; retrying");
                    attempt += 1;
                }
                Err(source) => {
                    return Err(StoreError::Migrate {
                        backend: "sqlite",
                        source,
                    });
                }
            }
        }
    }
}

delegate_store!(SqliteStore);
