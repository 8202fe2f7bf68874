//! `masthead sources`: add and list the sources the network ingests.

use std::path::Path;

use anyhow::Context;
use masthead_model::{FullTextPolicy, SourceSpec};

use crate::cli::SourcesCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: SourcesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    crate::network::sync(store.as_ref(), &config).await?;
    match cmd {
        SourcesCommand::Add {
            name,
            url,
            section,
            full_text,
            interval,
            dateline,
        } => {
            let parsed = url::Url::parse(&url)
                .with_context(|| format!("{url:?} is not a URL"))?;
            anyhow::ensure!(
                matches!(parsed.scheme(), "http" | "https"),
                "{url:?} must be an http or https URL"
            );
            let interval: jiff::SignedDuration = interval
                .parse()
                .with_context(|| format!("--interval {interval:?} is not a duration like 15m"))?;
            anyhow::ensure!(
                interval.as_secs() >= 60,
                "--interval must be at least one minute"
            );
            let source = store
                .upsert_source(&SourceSpec {
                    name,
                    url: parsed.to_string(),
                    section,
                    dateline,
                    full_text: FullTextPolicy::parse(&full_text).unwrap_or_default(),
                    interval_secs: interval.as_secs(),
                })
                .await?;
            println!("source {} ({}) saved", source.name, source.url);
        }
        SourcesCommand::List { json } => {
            for source in store.sources().await? {
                if json {
                    println!("{}", serde_json::to_string(&source)?);
                } else {
                    println!(
                        "{:<24} {:<8} every {:>5}s  {}",
                        source.name,
                        source.full_text.as_str(),
                        source.interval_secs,
                        source.url
                    );
                }
            }
        }
    }
    Ok(())
}
