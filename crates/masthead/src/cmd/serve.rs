//! `masthead serve`: the network's sites over HTTP until Ctrl-C.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use masthead_store::Store;
use masthead_web::{StaticFile, WebSettings};

use crate::cli::{Role, ServeArgs};
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load(config_path)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let store = crate::network::open(&config).await?;
    crate::network::sync(store.as_ref(), &config).await?;
    if args.role == Role::Worker {
        // Background jobs (scheduled polling, digests) arrive with the fetcher; a worker
        // node has nothing to run yet, so it says so instead of idling silently.
        anyhow::bail!("--role worker has no jobs to run yet: polling sources over HTTP is not built; use `masthead ingest --file`");
    }
    let listener = bind(config.listen).await?;
    serve_until_ctrl_c(listener, store, &config, Vec::new(), |addr| {
        println!("masthead is serving on http://{addr}/ (Ctrl-C stops it)");
    })
    .await
}

pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Binds, prints where to look (via `announce`), serves until Ctrl-C.
pub async fn serve_until_ctrl_c(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    config: &Config,
    static_files: Vec<StaticFile>,
    announce: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let addr = listener.local_addr().context("cannot read the bound address")?;
    let (router, _handle) = masthead_web::app(
        store,
        WebSettings {
            network_name: config.network_name.clone(),
            base_url: Some(config.base_url.to_string()),
            static_files,
        },
    )
    .await
    .context("cannot start the web server")?;
    announce(addr);
    tracing::info!(%addr, "serving");
    masthead_web::serve(listener, router, async {
        // If the signal cannot be installed, serving on is better than exiting at once.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("stopping: finishing requests in flight");
    })
    .await
    .context("the web server failed")?;
    Ok(())
}
