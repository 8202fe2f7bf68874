//! `/metrics`: the network's state in the Prometheus text format, read from the store at
//! scrape time, so every node reports the same shared truth.
//!
//! Input: a scrape. Output: gauges for stories per site, sources by health, today's digest
//! deliveries per site (sent, failed, in flight). Never lists an address or a secret.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Label values are escaped as the text format asks (backslash, quote, newline).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub(crate) async fn metrics(State(app): State<AppState>) -> Response {
    match render(&app).await {
        Ok(body) => (
            [
                (CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
                (CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!("metrics: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

async fn render(app: &AppState) -> Result<String, masthead_store::StoreError> {
    let store = app.store.as_ref();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP masthead_up Whether this node answers and reaches its store."
    );
    let _ = writeln!(out, "# TYPE masthead_up gauge\nmasthead_up 1");

    let _ = writeln!(
        out,
        "# HELP masthead_site_stories Stories a site shows (one per cluster, not withdrawn)."
    );
    let _ = writeln!(out, "# TYPE masthead_site_stories gauge");
    let _ = writeln!(
        out,
        "# HELP masthead_digest_deliveries Today's digest deliveries of a site, by status."
    );
    let _ = writeln!(out, "# TYPE masthead_digest_deliveries gauge");
    let table = app.sites.current();
    let mut entries: Vec<_> = table.entries().cloned().collect();
    entries.sort_by(|a, b| a.site.slug.cmp(&b.site.slug));
    for entry in entries {
        let site = label(&entry.site.slug);
        let count = store.count_site_stories(entry.site.id, None).await?;
        let _ = writeln!(out, "masthead_site_stories{{site=\"{site}\"}} {count}");
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(entry.zone.clone())
            .date()
            .to_string();
        let (sent, failed, sending) = store.delivery_counts(entry.site.id, &today).await?;
        for (status, n) in [("sent", sent), ("failed", failed), ("sending", sending)] {
            let _ = writeln!(
                out,
                "masthead_digest_deliveries{{site=\"{site}\",date=\"{today}\",status=\"{status}\"}} {n}"
            );
        }
    }

    let sources = store.sources().await?;
    let (mut ok, mut failing, mut paused, mut never) = (0, 0, 0, 0);
    let _ = writeln!(
        out,
        "# HELP masthead_source_consecutive_failures Failed polls in a row, per source."
    );
    let _ = writeln!(out, "# TYPE masthead_source_consecutive_failures gauge");
    for source in &sources {
        let h = &source.health;
        match (h.paused, h.consecutive_failures, h.last_success_at) {
            (true, _, _) => paused += 1,
            (false, n, _) if n > 0 => failing += 1,
            (false, _, Some(_)) => ok += 1,
            _ => never += 1,
        }
        let _ = writeln!(
            out,
            "masthead_source_consecutive_failures{{source=\"{}\"}} {}",
            label(&source.name),
            h.consecutive_failures
        );
    }
    let _ = writeln!(out, "# HELP masthead_sources Sources by health.");
    let _ = writeln!(out, "# TYPE masthead_sources gauge");
    for (status, n) in [
        ("ok", ok),
        ("failing", failing),
        ("paused", paused),
        ("never_polled", never),
    ] {
        let _ = writeln!(out, "masthead_sources{{status=\"{status}\"}} {n}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        assert_eq!(super::label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
