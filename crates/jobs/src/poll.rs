//! Polling sources over HTTP: one poll of one source, a pass over the due sources, and the
//! scheduler that runs passes for `serve` and `demo`.
//!
//! Input: the store, the fetcher and the sources' schedules. Output: stories ingested through
//! [`crate::ingest_document`] and every poll's outcome recorded in the source's health. A
//! source is polled by one node at a time (a lease in the store); a failing source backs off
//! exponentially, honours `Retry-After`, and is paused after too many failures in a row.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use masthead_fetch::{ACCEPT_FEED, FetchOutcome, FetchRequest, Fetcher};
use masthead_model::{OffsetTime, PollRecord, Source};
use masthead_store::Store;

use crate::{IngestReport, IngestSettings, JobError};

/// How polls are run.
#[derive(Debug, Clone)]
pub struct PollSettings {
    pub ingest: IngestSettings,
    /// Names this process in poll leases.
    pub owner: String,
    /// A poll lease outlives any poll (the fetcher's total timeout and the page fetches).
    pub lease: Duration,
    /// Consecutive failures after which a source is paused.
    pub pause_after: i32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Sources polled at once (each host's own limit is the fetcher's).
    pub concurrency: usize,
    /// Push subscriptions to the hubs sources advertise; None polls only.
    pub websub: Option<crate::WebSubSettings>,
}

impl PollSettings {
    pub fn new(ingest: IngestSettings) -> Self {
        Self {
            ingest,
            owner: format!("node-{}", std::process::id()),
            lease: Duration::from_secs(600),
            pause_after: 20,
            backoff_base: Duration::from_secs(60),
            backoff_max: Duration::from_secs(6 * 3600),
            concurrency: 8,
            websub: None,
        }
    }
}

/// What one poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// 304: nothing changed since the last poll.
    NotModified,
    Ingested(IngestReport),
    /// Fetching or parsing failed; the reason is in the source's health too.
    Failed {
        reason: String,
        paused: bool,
    },
    /// Another node holds the source's lease.
    Busy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub source: String,
    pub outcome: PollOutcome,
}

/// Polls one source now, due or not. With `wait`, waits for a poll another process holds
/// (up to the lease time) instead of reporting [`PollOutcome::Busy`].
pub async fn poll_source(
    store: &dyn Store,
    fetcher: &Fetcher,
    source: &Source,
    settings: &PollSettings,
    wait: bool,
) -> Result<PollReport, JobError> {
    let store_err = |cause| JobError::Store {
        source_name: source.name.clone(),
        cause,
    };
    // One owner per poll, not per process: two polls of one source in one process exclude
    // each other as two nodes do.
    static POLLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let owner = format!(
        "{}-{}",
        settings.owner,
        POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let lease = settings.lease.max(Duration::from_secs(1));
    let deadline = tokio::time::Instant::now() + lease;
    loop {
        let now = OffsetTime::now_utc().unix_micros;
        let until = now.saturating_add(micros(lease));
        if store
            .lease_source(source.id, &owner, now, until)
            .await
            .map_err(store_err)?
        {
            break;
        }
        if !wait || tokio::time::Instant::now() >= deadline {
            return Ok(PollReport {
                source: source.name.clone(),
                outcome: PollOutcome::Busy,
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The source as stored now: another node may have just polled it (new validators).
    let current = store
        .source_by_name(&source.name)
        .await
        .map_err(store_err)?
        .unwrap_or_else(|| source.clone());
    // A poll with many slow article pages can take longer than the lease: renew it at a third
    // of its length while the poll runs, so no other node takes the source meanwhile. A node
    // that dies stops renewing and its lease expires as before.
    let poll = poll_leased(store, fetcher, &current, settings);
    tokio::pin!(poll);
    let mut heartbeat = tokio::time::interval(lease / 3);
    heartbeat.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut poll => break result,
            _ = heartbeat.tick() => {
                let now = OffsetTime::now_utc().unix_micros;
                if let Err(err) = store
                    .lease_source(current.id, &owner, now, now.saturating_add(micros(lease)))
                    .await
                {
                    tracing::warn!(source.id = current.id, "cannot renew the poll lease: {err}");
                }
            }
        }
    };
    store
        .release_source(current.id, &owner)
        .await
        .map_err(store_err)?;
    result
}

async fn poll_leased(
    store: &dyn Store,
    fetcher: &Fetcher,
    source: &Source,
    settings: &PollSettings,
) -> Result<PollReport, JobError> {
    let store_err = |cause| JobError::Store {
        source_name: source.name.clone(),
        cause,
    };
    let report = |outcome| PollReport {
        source: source.name.clone(),
        outcome,
    };
    let next_ok = || OffsetTime::now_utc().shifted(source.interval_secs.saturating_mul(1_000_000));

    let url = match url::Url::parse(&source.url) {
        Ok(url) => url,
        Err(e) => {
            let reason = format!("the source's URL {:?} is not a URL: {e}", source.url);
            return fail(store, source, settings, reason, None)
                .await
                .map(report);
        }
    };
    let request = FetchRequest {
        url,
        etag: source.health.etag.clone(),
        last_modified: source.health.last_modified.clone(),
        accept: ACCEPT_FEED,
    };
    let body = match fetcher.fetch(&request).await {
        Ok(FetchOutcome::NotModified) => {
            store
                .record_poll(
                    source.id,
                    &PollRecord::Success {
                        at: OffsetTime::now_utc(),
                        next_poll_at: next_ok(),
                        etag: None,
                        last_modified: None,
                    },
                )
                .await
                .map_err(store_err)?;
            return Ok(report(PollOutcome::NotModified));
        }
        Ok(FetchOutcome::Fetched(body)) => body,
        Err(err) => {
            // Permanent errors (404, a refused address) back off too: sources come back, and
            // an operator may fix the allow-list.
            return fail(store, source, settings, err.to_string(), err.retry_after())
                .await
                .map(report);
        }
    };
    let utf8 = masthead_fetch::feed_to_utf8(&body.bytes, body.content_type.as_deref());
    match crate::ingest_document(
        store,
        source,
        &utf8,
        Some(&body.final_url),
        &settings.ingest,
        Some(fetcher),
    )
    .await
    {
        Ok(ingested) => {
            store
                .record_poll(
                    source.id,
                    &PollRecord::Success {
                        at: OffsetTime::now_utc(),
                        next_poll_at: next_ok(),
                        etag: body.etag.clone(),
                        last_modified: body.last_modified.clone(),
                    },
                )
                .await
                .map_err(store_err)?;
            if let (Some(websub), Some(hub), Some(topic)) =
                (&settings.websub, &ingested.hub, &ingested.topic)
            {
                // Push is an optimisation over polling: its failure never fails the poll.
                if let Err(err) =
                    crate::websub::ensure_subscribed(store, fetcher, websub, source, hub, topic)
                        .await
                {
                    tracing::warn!(source.id = source.id, "WebSub subscription failed: {err}");
                }
            }
            Ok(report(PollOutcome::Ingested(ingested)))
        }
        Err(JobError::Feed { cause, .. }) => fail(store, source, settings, cause.to_string(), None)
            .await
            .map(report),
        Err(err) => Err(err),
    }
}

async fn fail(
    store: &dyn Store,
    source: &Source,
    settings: &PollSettings,
    reason: String,
    retry_after: Option<Duration>,
) -> Result<PollOutcome, JobError> {
    let failures = u32::try_from(source.health.consecutive_failures.saturating_add(1)).unwrap_or(1);
    let wait = masthead_fetch::backoff(failures, settings.backoff_base, settings.backoff_max)
        .max(retry_after.unwrap_or_default())
        .max(Duration::from_secs(1));
    let paused = source.health.consecutive_failures.saturating_add(1) >= settings.pause_after;
    tracing::warn!(source.id = source.id, failures, "poll failed: {reason}");
    store
        .record_poll(
            source.id,
            &PollRecord::Failure {
                at: OffsetTime::now_utc(),
                error: reason.clone(),
                next_poll_at: OffsetTime::now_utc().shifted(micros(wait)),
                pause_after: settings.pause_after,
            },
        )
        .await
        .map_err(|cause| JobError::Store {
            source_name: source.name.clone(),
            cause,
        })?;
    Ok(PollOutcome::Failed { reason, paused })
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Polls the given sources, `settings.concurrency` at a time; `progress` hears each report.
pub async fn poll_sources(
    store: &dyn Store,
    fetcher: &Fetcher,
    sources: &[Source],
    settings: &PollSettings,
    wait: bool,
    progress: &(dyn Fn(&PollReport) + Sync),
) -> Result<Vec<PollReport>, JobError> {
    type Poll<'a> = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<PollReport, JobError>> + Send + 'a>,
    >;
    let mut reports = Vec::with_capacity(sources.len());
    let mut pending = sources.iter();
    // Boxed futures in a FuturesUnordered: a `buffer_unordered` over borrowing closures
    // trips the compiler's higher-ranked lifetime check once the caller is spawned.
    let mut running: futures_util::stream::FuturesUnordered<Poll<'_>> =
        futures_util::stream::FuturesUnordered::new();
    for source in pending.by_ref().take(settings.concurrency.max(1)) {
        running.push(Box::pin(poll_source(
            store, fetcher, source, settings, wait,
        )));
    }
    while let Some(result) = running.next().await {
        let report = result?;
        progress(&report);
        reports.push(report);
        if let Some(source) = pending.next() {
            running.push(Box::pin(poll_source(
                store, fetcher, source, settings, wait,
            )));
        }
    }
    Ok(reports)
}

/// Runs poll passes over the due sources until `shutdown` resolves; `changed` is called when
/// a pass stored new or updated stories (pages drop their caches).
pub async fn run_scheduler(
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    settings: PollSettings,
    changed: Arc<dyn Fn() + Send + Sync>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut last_renewal: Option<tokio::time::Instant> = None;
    loop {
        if let Some(websub) = &settings.websub
            && last_renewal.is_none_or(|t| t.elapsed() > Duration::from_secs(600))
        {
            last_renewal = Some(tokio::time::Instant::now());
            if let Err(err) = crate::websub::renew_expiring(store.as_ref(), &fetcher, websub).await
            {
                tracing::warn!("WebSub renewal failed: {err}");
            }
        }
        let now = OffsetTime::now_utc().unix_micros;
        match store.due_sources(now).await {
            Ok(due) if !due.is_empty() => {
                match poll_sources(store.as_ref(), &fetcher, &due, &settings, false, &|_| ()).await {
                    Ok(reports) => {
                        if reports.iter().any(|r| {
                            matches!(&r.outcome, PollOutcome::Ingested(i) if i.inserted + i.updated > 0)
                        }) {
                            changed();
                        }
                    }
                    Err(err) => tracing::error!("poll pass failed: {err}"),
                }
            }
            Ok(_) => {}
            Err(err) => tracing::error!("cannot read due sources: {err}"),
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
