//! `masthead ingest`: one pass over a source's feed document.

use std::path::Path;

use anyhow::{Context, bail};
use masthead_jobs::{IngestReport, IngestSettings};
use masthead_model::OffsetTime;

use crate::cli::IngestArgs;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, args: IngestArgs) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    crate::network::sync(store.as_ref(), &config).await?;
    let (Some(name), Some(file)) = (args.source.as_deref(), args.file.as_deref()) else {
        bail!(
            "fetching sources over HTTP is not built yet: give the document with --source NAME --file PATH"
        );
    };
    let source = store
        .source_by_name(name)
        .await?
        .with_context(|| format!("no source named {name:?} (see `masthead sources list`)"))?;
    let bytes =
        std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    // Relative links in the document resolve against the source's own URL, as they would
    // had it been fetched from there.
    let base = url::Url::parse(&source.url).ok();
    let settings = IngestSettings {
        routes: crate::network::routes(store.as_ref(), &config).await?,
        now: OffsetTime::now_utc(),
        shift_micros: 0,
    };
    match masthead_jobs::ingest_document(store.as_ref(), &source, &bytes, base.as_ref(), &settings)
        .await
    {
        Ok(report) => print_summary(&report),
        // The pass ran: a source that fails is reported, not an exit status (design.md).
        Err(err @ masthead_jobs::JobError::Feed { .. }) => {
            println!("{}: failed: {err}", source.name);
            tracing::warn!(source.id = source.id, "{err}");
        }
        Err(err) => return Err(err).context("the ingest pass failed"),
    }
    Ok(())
}

pub fn print_summary(report: &IngestReport) {
    println!(
        "{}: {} entries, {} new, {} updated, {} unchanged, {} placements",
        report.source,
        report.entries,
        report.inserted,
        report.updated,
        report.unchanged,
        report.placements
    );
    for problem in &report.problems {
        println!("  skipped {}: {}", problem.entry, problem.reason);
    }
}
