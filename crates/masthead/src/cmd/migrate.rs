//! `masthead migrate`: applies pending migrations.

use std::path::Path;

use crate::config::Config;

pub async fn run(config_path: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    say!("{} schema is up to date", store.backend());
    Ok(())
}
