//! `masthead releases list|approve|reject`: the moderation queue from a terminal.
//!
//! `approve` publishes through `masthead_jobs::releases::approve` (the ingest path, the
//! "News release" source, routing) and mails the submitter; `reject` records the reason and
//! mails it. Every action writes an audit entry with actor `cli:<$USER>` from `cli`. Never
//! prints or logs a contact address in `list`: ids, states, headlines, sites.

use std::path::Path;

use anyhow::{Context, bail};
use masthead_jobs::IngestSettings;
use masthead_jobs::releases::{self, Approval};
use masthead_model::{AuditEntry, OffsetTime, Release, ReleaseStatus, Site};
use masthead_store::Store;
use serde_json::json;

use crate::cli::ReleasesCommand;
use crate::config::Config;

/// `cli:<operating-system user>`, the audit log's actor for the command line.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

pub async fn audit(
    store: &dyn Store,
    action: &str,
    object: &str,
    detail: &str,
) -> anyhow::Result<()> {
    store
        .audit(&AuditEntry {
            at: OffsetTime::now_utc(),
            actor: cli_actor(),
            action: action.to_owned(),
            object: object.to_owned(),
            detail: detail.to_owned(),
            from: "cli".to_owned(),
        })
        .await
        .context("cannot write the audit log")
}

pub async fn run(config_path: Option<&Path>, cmd: ReleasesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    let sites = store.sites().await.context("cannot read the sites")?;
    match cmd {
        ReleasesCommand::List { status, json } => {
            let status = status.as_deref().and_then(ReleaseStatus::parse);
            let list = store
                .releases(status, None, None, 10_000)
                .await
                .context("cannot list the releases")?;
            if !json && list.is_empty() {
                eprintln!("No releases.");
            }
            for release in &list {
                if json {
                    say!("{}", release_json(release, &sites));
                } else {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        release.id,
                        release.reference,
                        release.status.as_str(),
                        release.release.kind.as_str(),
                        slugs(release, &sites).join(","),
                        release.release.headline
                    );
                }
            }
        }
        ReleasesCommand::Approve {
            id,
            sites: wanted,
            section,
        } => {
            let release = find(store.as_ref(), id).await?;
            let mut chosen = Vec::new();
            for slug in &wanted {
                let site = sites
                    .iter()
                    .find(|s| &s.slug == slug)
                    .with_context(|| format!("no site has the slug {slug:?}"))?;
                chosen.push(site.id);
            }
            let settings = IngestSettings {
                routes: crate::network::routes(store.as_ref(), &config).await?,
                clusters: Some(
                    masthead_jobs::ClusterIndex::load(store.as_ref(), config.dedup.clone())
                        .await
                        .context("cannot load the recent stories' clusters")?,
                ),
                now: OffsetTime::now_utc(),
                shift_micros: 0,
            };
            let base = config.base_url.as_str().trim_end_matches('/').to_owned();
            let approval = Approval {
                by: cli_actor(),
                sites: chosen,
                section: section.clone(),
                public_base: Some(base.clone()),
            };
            let story = releases::approve(
                store.as_ref(),
                &release,
                &settings.routes,
                &settings,
                &approval,
            )
            .await
            .with_context(|| format!("cannot approve release {id}"))?;
            let placed: Vec<String> = store
                .placements_of(story)
                .await
                .context("cannot read the story's placements")?
                .iter()
                .filter_map(|p| {
                    sites
                        .iter()
                        .find(|s| s.id == p.site_id)
                        .map(|s| format!("{}/{}", s.slug, p.section))
                })
                .collect();
            audit(
                store.as_ref(),
                "release.approve",
                &format!("release {id}"),
                &format!("story {story}; placed {}", placed.join(",")),
            )
            .await?;
            let link = releases::story_link(store.as_ref(), &base, story)
                .await
                .context("cannot read the story")?;
            say!(
                "Approved {}: story {story} on {}.",
                release.reference,
                placed.join(", ")
            );
            mail(&config, &release, ReleaseStatus::Approved, link.as_deref()).await;
        }
        ReleasesCommand::Reject { id, reason } => {
            let release = find(store.as_ref(), id).await?;
            if reason.trim().is_empty() {
                bail!("--reason must not be empty: it is mailed to the submitter");
            }
            let decided = releases::reject(
                store.as_ref(),
                &release,
                ReleaseStatus::Rejected,
                &cli_actor(),
                &reason,
                OffsetTime::now_utc(),
            )
            .await
            .with_context(|| format!("cannot reject release {id}"))?;
            audit(
                store.as_ref(),
                "release.reject",
                &format!("release {id}"),
                reason.trim(),
            )
            .await?;
            say!("Rejected {}.", decided.reference);
            mail(&config, &decided, ReleaseStatus::Rejected, None).await;
        }
    }
    Ok(())
}

async fn find(store: &dyn Store, id: i64) -> anyhow::Result<Release> {
    store
        .release(id)
        .await
        .context("cannot read the release")?
        .with_context(|| format!("no release has id {id}"))
}

/// Mails the submitter; a failure is reported, the decision stands.
async fn mail(config: &Config, release: &Release, decision: ReleaseStatus, link: Option<&str>) {
    let mailer = match masthead_mail::Mailer::new(config.mail.settings()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("The submitter was not mailed: mail is not set up ({e}).");
            return;
        }
    };
    if let Err(e) = releases::notify(&mailer, release, decision, &config.network_name, link).await {
        eprintln!("The submitter was not mailed: {e}.");
    }
}

fn slugs(release: &Release, sites: &[Site]) -> Vec<String> {
    release
        .release
        .sites
        .iter()
        .map(|id| {
            sites
                .iter()
                .find(|s| s.id == *id)
                .map_or_else(|| id.to_string(), |s| s.slug.clone())
        })
        .collect()
}

fn release_json(release: &Release, sites: &[Site]) -> serde_json::Value {
    let r = &release.release;
    json!({
        "id": release.id,
        "reference": release.reference,
        "status": release.status.as_str(),
        "kind": r.kind.as_str(),
        "headline": r.headline,
        "organisation": r.organisation,
        "sites": slugs(release, sites),
        "submitted": release.submitted_at.to_rfc3339(),
        "decided": release.decided_at.map(OffsetTime::to_rfc3339),
        "decided_by": release.decided_by,
        "reason": release.reason,
        "section": release.section,
        "story": release.story_id,
        "image": r.image.as_ref().map(|i| &i.file),
    })
}
