//! `masthead sources`: add, list, remove, pause and resume sources; import and export OPML.

use std::path::Path;

use anyhow::{Context, bail};
use masthead_fetch::Fetcher;
use masthead_jobs::Discovery;
use masthead_model::{FullTextPolicy, OffsetTime, Source, SourceSpec};
use serde_json::json;

use crate::cli::SourcesCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: SourcesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    match cmd {
        SourcesCommand::Add {
            name,
            url,
            section,
            full_text,
            interval,
            dateline,
            no_check,
        } => {
            let parsed = url::Url::parse(&url).with_context(|| format!("{url:?} is not a URL"))?;
            anyhow::ensure!(
                matches!(parsed.scheme(), "http" | "https"),
                "{url:?} must be an http or https URL"
            );
            let interval_secs = parse_interval(&interval)?;
            let feed_url = if no_check {
                parsed.to_string()
            } else {
                let fetcher =
                    Fetcher::new(config.fetch.clone()).context("cannot set up the fetcher")?;
                match masthead_jobs::discover(&fetcher, &parsed).await? {
                    Discovery::Feed { url, .. } => url,
                    Discovery::Page { picked, others } => {
                        say!(
                            "{parsed} is a page; picked its {} feed {}{}",
                            picked.kind,
                            picked.url,
                            picked
                                .title
                                .as_deref()
                                .map(|t| format!(" ({t})"))
                                .unwrap_or_default()
                        );
                        for other in others {
                            say!("  also offered: {} {}", other.kind, other.url);
                        }
                        picked.url
                    }
                }
            };
            let source = store
                .upsert_source(&SourceSpec {
                    name,
                    url: feed_url,
                    section,
                    dateline,
                    full_text: FullTextPolicy::parse(&full_text).unwrap_or_default(),
                    interval_secs,
                })
                .await?;
            say!("source {} ({}) saved", source.name, source.url);
        }
        SourcesCommand::List { json } => {
            for source in store.sources().await? {
                if json {
                    say!("{}", source_json(&source));
                } else {
                    say!(
                        "{:<24} {:<22} {:<6} every {:>6}  {}",
                        source.name,
                        status(&source),
                        source.full_text.as_str(),
                        human_interval(source.interval_secs),
                        source.url
                    );
                    if let Some(err) = &source.health.last_error
                        && source.health.consecutive_failures > 0
                    {
                        say!("  last error: {err}");
                    }
                }
            }
        }
        SourcesCommand::Remove { name } => {
            if !store.remove_source(&name).await? {
                bail!("no source named {name:?}");
            }
            say!("source {name} removed; its stories stay");
        }
        SourcesCommand::Pause { name } => {
            if !store.set_source_paused(&name, true).await? {
                bail!("no source named {name:?}");
            }
            say!("source {name} paused");
        }
        SourcesCommand::Resume { name } => {
            if !store.set_source_paused(&name, false).await? {
                bail!("no source named {name:?}");
            }
            say!("source {name} resumed: it is polled at the next pass");
        }
        SourcesCommand::Import { file, section } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let outlines = masthead_feed::parse_opml(&bytes)
                .with_context(|| format!("{} is not an OPML file", file.display()))?;
            let (mut added, mut skipped) = (0, 0);
            for outline in outlines {
                let Ok(url) = url::Url::parse(&outline.xml_url) else {
                    say!(
                        "skipped {:?}: {:?} is not a URL",
                        outline.title,
                        outline.xml_url
                    );
                    skipped += 1;
                    continue;
                };
                if !matches!(url.scheme(), "http" | "https") {
                    say!("skipped {:?}: not an http(s) URL", outline.title);
                    skipped += 1;
                    continue;
                }
                let section = section
                    .clone()
                    .or_else(|| outline.category.as_ref().map(|c| c.to_lowercase()));
                store
                    .upsert_source(&SourceSpec {
                        name: outline.title.clone(),
                        url: url.to_string(),
                        section,
                        dateline: None,
                        full_text: FullTextPolicy::Auto,
                        interval_secs: 15 * 60,
                    })
                    .await?;
                added += 1;
            }
            say!("imported {added} sources, skipped {skipped}");
        }
        SourcesCommand::Export => {
            let outlines: Vec<masthead_feed::OpmlOutline> = store
                .sources()
                .await?
                .into_iter()
                .map(|s| masthead_feed::OpmlOutline {
                    title: s.name,
                    xml_url: s.url,
                    html_url: None,
                    category: s.section,
                })
                .collect();
            say_raw!(
                "{}",
                masthead_feed::write_opml(&config.network_name, &outlines)
            );
        }
    }
    Ok(())
}

fn parse_interval(text: &str) -> anyhow::Result<i64> {
    let interval: jiff::SignedDuration = text
        .parse()
        .with_context(|| format!("--interval {text:?} is not a duration like 15m"))?;
    anyhow::ensure!(
        interval.as_secs() >= 60,
        "--interval must be at least one minute"
    );
    Ok(interval.as_secs())
}

fn human_interval(secs: i64) -> String {
    match secs {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn status(source: &Source) -> String {
    let h = &source.health;
    if h.paused {
        "paused".to_owned()
    } else if h.consecutive_failures > 0 {
        format!("failing ({}x)", h.consecutive_failures)
    } else if h.last_success_at.is_some() {
        "ok".to_owned()
    } else {
        "never polled".to_owned()
    }
}

fn source_json(source: &Source) -> serde_json::Value {
    let h = &source.health;
    let time = |t: Option<OffsetTime>| t.map(OffsetTime::to_rfc3339);
    json!({
        "id": source.id,
        "name": source.name,
        "url": source.url,
        "section": source.section,
        "dateline": source.dateline,
        "full_text": source.full_text.as_str(),
        "interval_secs": source.interval_secs,
        "status": status(source),
        "paused": h.paused,
        "last_success": time(h.last_success_at),
        "last_error": h.last_error,
        "last_error_at": time(h.last_error_at),
        "consecutive_failures": h.consecutive_failures,
        "next_poll": time(h.next_poll_at),
    })
}
