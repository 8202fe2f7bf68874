//! `masthead ingest`: one pass over the due sources, every source (`--all`), one source now
//! (`--source`), or a feed document from a file (`--source NAME --file PATH`).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, bail};
use masthead_fetch::Fetcher;
use masthead_jobs::{IngestReport, PollOutcome, PollReport};
use masthead_model::OffsetTime;

use crate::cli::IngestArgs;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, args: IngestArgs) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    let fetcher = Fetcher::new(config.fetch.clone()).context("cannot set up the fetcher")?;
    let settings = super::serve::poll_settings(store.as_ref(), &config).await?;

    if let Some(file) = args.file.as_deref() {
        let Some(name) = args.source.as_deref() else {
            bail!("--file needs --source NAME: the source the document comes from");
        };
        let source = store
            .source_by_name(name)
            .await?
            .with_context(|| format!("no source named {name:?} (see `masthead sources list`)"))?;
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        // Relative links in the document resolve against the source's own URL, as they
        // would had it been fetched from there.
        let base = url::Url::parse(&source.url).ok();
        let utf8 = masthead_fetch::feed_to_utf8(&bytes, None);
        let report = match masthead_jobs::ingest_document(
            store.as_ref(),
            &source,
            &utf8,
            base.as_ref(),
            &settings.ingest,
            Some(&fetcher),
        )
        .await
        {
            Ok(report) => PollOutcome::Ingested(report),
            // The pass ran: a source that fails is reported, not an exit status (design.md).
            Err(err @ masthead_jobs::JobError::Feed { .. }) => PollOutcome::Failed {
                reason: err.to_string(),
                paused: false,
            },
            Err(err) => return Err(err).context("the ingest pass failed"),
        };
        let report = PollReport {
            source: source.name.clone(),
            outcome: report,
        };
        print_report(&report);
        print_totals(&[report]);
        return Ok(());
    }

    let (sources, wait) = if let Some(name) = args.source.as_deref() {
        let source = store
            .source_by_name(name)
            .await?
            .with_context(|| format!("no source named {name:?} (see `masthead sources list`)"))?;
        (vec![source], true)
    } else if args.all {
        (store.sources().await?, true)
    } else {
        (
            store.due_sources(OffsetTime::now_utc().unix_micros).await?,
            false,
        )
    };
    if sources.is_empty() {
        say!("no source is due (use --all to poll every source now)");
        return Ok(());
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} sources {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let reports = masthead_jobs::poll_sources(
        store.as_ref(),
        &fetcher,
        &sources,
        &settings,
        wait,
        &|report| match &bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(report.source.clone());
            }
            None => print_report(report),
        },
    )
    .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
        for report in &reports {
            print_report(report);
        }
    }
    print_totals(&reports);
    Ok(())
}

pub fn print_report(report: &PollReport) {
    match &report.outcome {
        PollOutcome::Ingested(r) => print_summary(r),
        PollOutcome::NotModified => say!("{}: not modified", report.source),
        PollOutcome::Busy => say!("{}: skipped: another node is polling it", report.source),
        PollOutcome::Failed { reason, paused } => {
            say!("{}: failed: {reason}", report.source);
            if *paused {
                say!("  paused after too many failures; `masthead sources resume` restarts it");
            }
        }
    }
}

pub fn print_summary(report: &IngestReport) {
    say!(
        "{}: {} entries, {} new, {} updated, {} unchanged, {} placements",
        report.source,
        report.entries,
        report.inserted,
        report.updated,
        report.unchanged,
        report.placements
    );
    if report.pages_fetched > 0 {
        say!(
            "  {} article pages fetched for full text, {} failed",
            report.pages_fetched,
            report.pages_failed
        );
    }
    for problem in &report.problems {
        say!("  skipped {}: {}", problem.entry, problem.reason);
    }
}

fn print_totals(reports: &[PollReport]) {
    let (mut fetched, mut not_modified, mut new, mut updated, mut failed) = (0, 0, 0, 0, 0);
    for report in reports {
        match &report.outcome {
            PollOutcome::Ingested(r) => {
                fetched += 1;
                new += r.inserted;
                updated += r.updated;
            }
            PollOutcome::NotModified => not_modified += 1,
            PollOutcome::Failed { .. } => failed += 1,
            PollOutcome::Busy => {}
        }
    }
    say!(
        "total: {} sources, {fetched} fetched, {not_modified} not modified, {new} new stories, {updated} updated, {failed} failed",
        reports.len()
    );
}
