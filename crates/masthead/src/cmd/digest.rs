//! `masthead digest`: preview or send a site's daily email; list the outbox.

use std::path::Path;

use anyhow::Context;
use masthead_jobs::digest::{self, DigestSettings};
use masthead_mail::Mailer;
use masthead_model::{OffsetTime, Site, Subscriber, SubscriberStatus};

use crate::cli::DigestCommand;
use crate::config::Config;

/// Stories per section in a digest.
const PER_SECTION: usize = 5;

pub fn settings(config: &Config) -> anyhow::Result<DigestSettings> {
    Ok(DigestSettings {
        base_url: config.base_url.clone(),
        secret: config.secret.load()?,
        per_section: PER_SECTION,
        owner: format!("node-{}", std::process::id()),
        lease_secs: 600,
    })
}

fn site_and_hour<'a>(
    config: &Config,
    sites: &'a [Site],
    slug: &str,
) -> anyhow::Result<(&'a Site, u8)> {
    let site = sites
        .iter()
        .find(|s| s.slug == slug)
        .with_context(|| format!("no site {slug:?}"))?;
    let hour = config
        .sites
        .iter()
        .find(|s| s.spec.slug == slug)
        .map_or(7, |s| s.digest_hour);
    Ok((site, hour))
}

pub async fn run(config_path: Option<&Path>, cmd: DigestCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    if let DigestCommand::Outbox = cmd {
        let entries = masthead_mail::list_outbox(&config.mail.outbox)?;
        if entries.is_empty() {
            say!("the outbox {} is empty", config.mail.outbox.display());
        }
        for e in entries {
            say!(
                "{}  {:<32}  {}  {}",
                e.date,
                e.to,
                e.subject,
                e.path.display()
            );
        }
        return Ok(());
    }
    let store = crate::network::open(&config).await?;
    let sites = store.sites().await?;
    let settings = settings(&config)?;
    match cmd {
        DigestCommand::Preview { site, date, html } => {
            let (site, hour) = site_and_hour(&config, &sites, &site)?;
            let date = match date {
                Some(d) => d,
                None => digest::today(site)?,
            };
            let built = digest::build(store.as_ref(), site, &date, hour, PER_SECTION).await?;
            if built.is_empty() {
                say!(
                    "{}'s digest of {date} has no stories: nothing would be sent",
                    site.name
                );
                return Ok(());
            }
            let sample = Subscriber {
                id: 0,
                site_id: site.id,
                email: "reader@example.invalid".to_owned(),
                status: SubscriberStatus::Confirmed,
                sections: Vec::new(),
                created_at: OffsetTime::now_utc(),
                confirmed_at: None,
            };
            let mail = digest::address(&built, &settings, &sample)?
                .context("the digest has no story for a subscriber to every section")?;
            say!("Subject: {}\n", mail.subject);
            say!("{}", mail.text);
            if let (Some(path), Some(body)) = (html, &mail.html) {
                std::fs::write(&path, body)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                say!("(HTML part written to {})", path.display());
            }
        }
        DigestCommand::Send { site, date } => {
            let (site, hour) = site_and_hour(&config, &sites, &site)?;
            let date = match date {
                Some(d) => d,
                None => digest::today(site)?,
            };
            let built = digest::build(store.as_ref(), site, &date, hour, PER_SECTION).await?;
            if built.is_empty() {
                say!(
                    "{}'s digest of {date} has no stories: nothing sent",
                    site.name
                );
                return Ok(());
            }
            let mailer = Mailer::new(config.mail.settings()).context("cannot set up mail")?;
            let report = digest::send(store.as_ref(), &mailer, &settings, &built).await?;
            let (sent, failed, sending) = store.delivery_counts(site.id, &date).await?;
            say!(
                "{} digest of {date}: {} stories; mailed {} now, {} failed, {} with nothing in their sections; {sent} delivered in all, {failed} failed, {sending} in flight",
                site.name,
                report.stories,
                report.sent,
                report.failed,
                report.skipped
            );
        }
        DigestCommand::Outbox => {}
    }
    Ok(())
}
