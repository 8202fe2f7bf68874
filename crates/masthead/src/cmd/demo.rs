//! `masthead demo`: writes the demo network's configuration into `--data`, serves the bundled
//! sources' feeds (dated relative to now) from this process, polls them through the real
//! fetcher and ingest path, and serves the sites until Ctrl-C.

use anyhow::Context;
use masthead_model::OffsetTime;
use masthead_web::StaticFile;

use crate::cli::{DemoArgs, Role};
use crate::config::Config;
use crate::demo;

/// How old the newest demo story is when the demo starts.
const NEWEST_AGE_MICROS: i64 = 5 * 60 * 1_000_000;

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    // Bind first: with `--listen 127.0.0.1:0` the real port goes into the written config,
    // and into the fetch allow-list as one exact host:port.
    let listener = super::serve::bind(args.listen).await?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;

    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create {}", args.data.display()))?;
    let config_path = args.data.join("masthead.toml");
    std::fs::write(&config_path, demo::config_toml(addr))
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let config = Config::load(Some(&config_path))?;
    // The demo network is rebuilt at each start: its stories are dated from now, and a story
    // keeps its first publication time once stored.
    if let Some(path) = config.database_url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot reset the demo database {file}"));
                }
            }
        }
    }

    let store = crate::network::open(&config).await?;

    let shift = shift_to_now(OffsetTime::now_utc())?;
    let static_files = demo::DEMO_FILES
        .iter()
        .map(|(path, bytes)| {
            let bytes: &'static [u8] = if path.starts_with("feeds/") {
                // Built once per run and served until exit.
                demo::redated(path, bytes, shift).leak()
            } else {
                bytes
            };
            StaticFile {
                path: format!("/demo/{path}"),
                content_type: demo::content_type(path),
                bytes,
            }
        })
        .collect();

    let sites = store.sites().await?;
    let node = super::serve::Node {
        store,
        config,
        static_files,
        role: Role::All,
    };
    node.run(Some(listener), true, |_| {
        let port = addr.port();
        say!("");
        say!("The masthead demo network is running. Open:");
        for site in &sites {
            if let Some(host) = site.hosts.first() {
                say!("  {:<20} http://{host}:{port}/", site.name);
            }
        }
        say!("or, from this one host:");
        for site in &sites {
            say!("  {:<20} http://{addr}/s/{}/", site.name, site.slug);
        }
        say!("");
        say!(
            "Other commands work on it with: masthead --config {} <command>",
            config_path.display()
        );
        say!("Ctrl-C stops it.");
    })
    .await
}

/// The shift that makes the newest bundled story `NEWEST_AGE_MICROS` old now.
fn shift_to_now(now: OffsetTime) -> anyhow::Result<i64> {
    let mut newest: Option<i64> = None;
    for bundled in demo::SOURCES {
        let bytes = demo::file(bundled.file)
            .with_context(|| format!("demo feed {} is not bundled", bundled.file))?;
        let feed = masthead_feed::parse(bytes, None)
            .with_context(|| format!("bundled demo feed {} does not parse", bundled.file))?;
        for entry in feed.entries {
            if let Some(t) = entry.published.or(entry.updated) {
                newest = Some(newest.map_or(t.unix_micros, |n| n.max(t.unix_micros)));
            }
        }
    }
    Ok(newest.map_or(0, |n| now.unix_micros - NEWEST_AGE_MICROS - n))
}
