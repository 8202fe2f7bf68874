//! Benchmark of a poll pass: `--sources` generated feeds of `--entries` entries each, served
//! by a local HTTP server with ETags, polled twice into a temp SQLite store.
//!
//! ```text
//! cargo run --release -p masthead-jobs --example bench_ingest -- [--sources 1000] [--entries 20] [--concurrency 8]
//! ```
//!
//! Prints, for each pass: wall time, entries per second, the requests the server saw (and how
//! many it answered 304), and the process's peak resident memory (VmHWM, server included).
//! The second pass must be almost entirely 304s.
//!
//! Every source is on the one local host, so the fetcher's per-host limit is raised to the
//! pass's concurrency: with real sources on distinct hosts, that limit never binds.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_fetch::{FetchSettings, Fetcher, parse_allow};
use masthead_jobs::{IngestSettings, PollOutcome, PollReport, PollSettings, SiteRoute};
use masthead_model::{FullTextPolicy, OffsetTime, Section, SiteSpec, SourceSpec};

type BoxError = Box<dyn Error + Send + Sync>;

struct Args {
    sources: usize,
    entries: usize,
    concurrency: usize,
}

fn args() -> Result<Args, BoxError> {
    let mut args = Args {
        sources: 1000,
        entries: 20,
        concurrency: 8,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: usize = value
            .parse()
            .map_err(|e| format!("{flag} {value:?}: {e}"))?;
        match flag.as_str() {
            "--sources" => args.sources = n,
            "--entries" => args.entries = n,
            "--concurrency" => args.concurrency = n.max(1),
            _ => return Err(format!("unknown flag {flag:?}").into()),
        }
    }
    Ok(args)
}

struct Server {
    entries: usize,
    requests: AtomicUsize,
    not_modified: AtomicUsize,
}

/// Feed `n`: `entries` entries of a few paragraphs each, ETag `"n-v1"`.
fn feed(n: usize, entries: usize) -> String {
    let mut out = String::with_capacity(entries * 1400 + 400);
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>\
         <title>Bench Wire {n}</title><link>https://wire{n}.example/</link>\
         <description>Generated source {n}</description>\n"
    ));
    for i in 0..entries {
        let minute = i % 60;
        out.push_str(&format!(
            "<item><title>Wire {n} story {i}: council\u{2019}s \u{201c}plan\u{201d} for the harbour</title>\
             <link>https://wire{n}.example/news/{i}</link>\
             <guid isPermaLink=\"false\">wire-{n}-{i}</guid>\
             <pubDate>Sat, 12 Apr 2025 10:{minute:02}:00 +1000</pubDate>\
             <dc:creator>Reporter {i}</dc:creator><category>World</category>\
             <description>Summary of story {i} from source {n}: the council met on Monday.</description>\
             <content:encoded><![CDATA[<p>SYDNEY, Australia: The council of source {n} met on Monday to \
             discuss item {i}, a plan that has divided residents for months.</p>\
             <p>Supporters say the plan will bring new ferries, wider footpaths and a market on the \
             wharf; opponents say it costs too much and was drawn up without asking them.</p>\
             <h2>What happens next</h2><p>A vote is due in <a href=\"/votes/{i}\">three weeks</a>. \
             The mayor said the council \u{201c}will listen to everyone\u{201d} before then.</p>\
             <blockquote><p>We have waited long enough, said one resident.</p></blockquote>]]>\
             </content:encoded></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

async fn serve_feed(
    State(server): State<Arc<Server>>,
    Path(n): Path<usize>,
    headers: HeaderMap,
) -> Response {
    server.requests.fetch_add(1, Ordering::Relaxed);
    let etag = format!("\"{n}-v1\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        server.not_modified.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, etag),
            (
                header::CONTENT_TYPE,
                "application/rss+xml; charset=utf-8".to_owned(),
            ),
        ],
        feed(n, server.entries),
    )
        .into_response()
}

/// Peak resident set size of this process, from /proc/self/status.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[derive(Default)]
struct Totals {
    entries: usize,
    inserted: usize,
    updated: usize,
    unchanged: usize,
    not_modified: usize,
    failed: usize,
    busy: usize,
}

fn totals(reports: &[PollReport]) -> Totals {
    let mut t = Totals::default();
    for report in reports {
        match &report.outcome {
            PollOutcome::Ingested(r) => {
                t.entries += r.entries;
                t.inserted += r.inserted;
                t.updated += r.updated;
                t.unchanged += r.unchanged;
            }
            PollOutcome::NotModified => t.not_modified += 1,
            PollOutcome::Failed { reason, .. } => {
                if t.failed == 0 {
                    eprintln!("first failure: {}: {reason}", report.source);
                }
                t.failed += 1;
            }
            PollOutcome::Busy => t.busy += 1,
        }
    }
    t
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = args()?;
    let server = Arc::new(Server {
        entries: args.entries,
        requests: AtomicUsize::new(0),
        not_modified: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/feeds/{n}", axum::routing::get(serve_feed))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            eprintln!("source server stopped: {err}");
        }
    });

    let path =
        std::env::temp_dir().join(format!("masthead-bench-ingest-{}.db", std::process::id()));
    let store = masthead_store::open(&format!("sqlite://{}", path.display())).await?;
    store.migrate().await?;
    let site = store
        .upsert_site(&SiteSpec {
            slug: "bench-times".into(),
            name: "Bench Times".into(),
            hosts: vec!["bench.localhost".into()],
            time_zone: "Australia/Sydney".into(),
            tagline: String::new(),
            sections: vec![Section {
                slug: "world".into(),
                name: "World".into(),
            }],
        })
        .await?;
    let site_id = site.id;
    let started = Instant::now();
    for n in 0..args.sources {
        store
            .upsert_source(&SourceSpec {
                name: format!("Bench Wire {n:04}"),
                url: format!("http://{addr}/feeds/{n}"),
                section: Some("world".into()),
                dateline: None,
                full_text: FullTextPolicy::Never,
                interval_secs: 900,
            })
            .await?;
    }
    println!(
        "{} sources × {} entries = {} entries; {} sources inserted in {:.2} s; concurrency {}",
        args.sources,
        args.entries,
        args.sources * args.entries,
        args.sources,
        started.elapsed().as_secs_f64(),
        args.concurrency
    );

    let fetcher = Fetcher::new(FetchSettings {
        allow: vec![parse_allow(&addr.to_string())?],
        per_host_concurrency: args.concurrency,
        total_timeout: Duration::from_secs(60),
        ..FetchSettings::default()
    })?;
    let settings = PollSettings {
        concurrency: args.concurrency,
        ..PollSettings::new(IngestSettings {
            clusters: None,
            routes: vec![SiteRoute {
                site,
                sources: vec![],
                rules: Vec::new(),
            }],
            now: OffsetTime::now_utc(),
            shift_micros: 0,
        })
    };
    let sources = store.sources().await?;

    for pass in 1..=2 {
        let requests = server.requests.load(Ordering::Relaxed);
        let not_modified = server.not_modified.load(Ordering::Relaxed);
        let started = Instant::now();
        let reports = masthead_jobs::poll_sources(
            store.as_ref(),
            &fetcher,
            &sources,
            &settings,
            false,
            &|_| (),
        )
        .await?;
        let wall = started.elapsed().as_secs_f64();
        let t = totals(&reports);
        let covered = args.entries * (reports.len() - t.failed - t.busy);
        println!(
            "pass {pass}: {:.2} s wall, {:.0} sources/s, {:.0} entries/s ({} entries parsed: {} new, {} updated, {} unchanged; {} sources not modified, {} failed, {} busy)",
            wall,
            reports.len() as f64 / wall,
            covered as f64 / wall,
            t.entries,
            t.inserted,
            t.updated,
            t.unchanged,
            t.not_modified,
            t.failed,
            t.busy,
        );
        println!(
            "        server saw {} requests, {} answered 304; peak memory (VmHWM) {}",
            server.requests.load(Ordering::Relaxed) - requests,
            server.not_modified.load(Ordering::Relaxed) - not_modified,
            peak_memory()
        );
    }
    let stories = store.count_site_stories(site_id, None).await?;
    let db_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "stories placed on the site: {stories}; database {:.1} MiB (without WAL)",
        db_bytes as f64 / (1024.0 * 1024.0)
    );
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    Ok(())
}
