//! Opening the configured network: the store, migrated, holding the configured sites and
//! sources, and the routes ingest uses to place stories.

use std::sync::Arc;

use anyhow::Context;
use masthead_route::SiteRoute;
use masthead_store::Store;

use crate::config::Config;

/// The store, opened, migrated and holding the configured sites and sources: what every
/// command works on. Migrations run at every start (idempotent).
pub async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = masthead_store::open(&config.database_url)
        .await
        .context("cannot open the store")?;
    store.migrate().await.context("cannot migrate the store")?;
    sync(store.as_ref(), config).await?;
    Ok(store)
}

/// Writes the configured sites and sources into the store, so the store is what pages and
/// jobs read.
async fn sync(store: &dyn Store, config: &Config) -> anyhow::Result<()> {
    for source in &config.sources {
        store
            .upsert_source(source)
            .await
            .with_context(|| format!("cannot store source {:?}", source.name))?;
    }
    for site in &config.sites {
        store
            .upsert_site(&site.spec)
            .await
            .with_context(|| format!("cannot store site {:?}", site.spec.slug))?;
    }
    Ok(())
}

/// Which sites carry which sources, as ingest needs it.
pub async fn routes(store: &dyn Store, config: &Config) -> anyhow::Result<Vec<SiteRoute>> {
    let sites = store.sites().await.context("cannot read sites")?;
    Ok(sites
        .into_iter()
        .map(|site| {
            let configured = config.sites.iter().find(|c| c.spec.slug == site.slug);
            SiteRoute {
                sources: configured.map(|c| c.sources.clone()).unwrap_or_default(),
                rules: configured.map(|c| c.rules.clone()).unwrap_or_default(),
                site,
            }
        })
        .collect())
}
