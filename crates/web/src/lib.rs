//! masthead's public web server: the pages of every site of the network, server-rendered.
//!
//! Input: an `Arc<dyn Store>` and [`WebSettings`]. Output: an axum [`Router`] that picks a site
//! by the request's Host (or a `/s/{site}/` prefix, for a single host such as the demo) and
//! renders its home, section, article, subscribe and submit pages with askama templates, plus
//! the network-wide `/healthz`, `/readyz` and `/assets/…`; and an [`AppHandle`] through which the
//! rest of the process says "the sites changed" or "the content changed".
//!
//! Rendered pages are cached in memory for up to two seconds (see `cache`), so the article
//! page's hot path is one lookup. This crate never writes to the store, never fetches anything
//! and never trusts story HTML that did not come through `masthead_normalize::SanitizedHtml`.

mod cache;
mod conditional;
mod dispatch;
mod error;
mod feeds;
mod links;
mod network;
mod pages;
mod search;
mod sitemap;
mod sites;
mod structured;
mod views;
mod websub;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::routing::get;
use masthead_store::Store;

pub use error::WebError;
pub use websub::WebSubReceiver;

use crate::cache::PageCache;
use crate::sites::SiteRegistry;

/// A file the binary bundles and serves as is, on every host (the demo's feed files, say).
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// The exact request path, e.g. `/demo/feeds/harbor-wire.xml`.
    pub path: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// What the web server needs to know beyond the store.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Shown in every footer: "Part of {network_name}".
    pub network_name: String,
    /// The network's public base URL (mail links use it); pages link relatively, while feeds,
    /// sitemaps, canonical links and structured data are absolute (rule in `links`).
    pub base_url: Option<String>,
    pub static_files: Vec<StaticFile>,
    /// Takes WebSub hub requests at `/websub/{token}`; None answers them 404.
    pub websub: Option<Arc<dyn WebSubReceiver>>,
}

/// Shared by every request; cloned per request as one `Arc`.
#[derive(Debug)]
pub(crate) struct Shared {
    pub store: Arc<dyn Store>,
    pub sites: SiteRegistry,
    pub cache: PageCache,
    pub network_name: String,
    /// The parsed `base_url`, for absolute links.
    pub public_base: Option<links::PublicBase>,
    pub static_files: HashMap<String, StaticFile>,
    pub websub: Option<Arc<dyn WebSubReceiver>>,
}

pub(crate) type AppState = Arc<Shared>;

/// The running server's controls: cheap to clone, hand one to each worker that changes things.
#[derive(Debug, Clone)]
pub struct AppHandle {
    shared: AppState,
}

impl AppHandle {
    /// Reloads the sites (names, hosts, zones, sections) from the store. On error the sites
    /// already loaded keep serving.
    pub async fn reload_sites(&self) -> Result<(), WebError> {
        self.shared.sites.reload(self.shared.store.as_ref()).await?;
        // Site names and sections appear on every page: cached pages are stale now.
        self.shared.cache.invalidate();
        Ok(())
    }

    /// Says stories or placements changed: every cached page is dropped at once.
    pub fn content_changed(&self) {
        self.shared.cache.invalidate();
    }
}

/// Builds the router. Loads the sites (and parses their time zones) once, here; a site with an
/// invalid zone is refused with an error naming it.
pub async fn app(
    store: Arc<dyn Store>,
    settings: WebSettings,
) -> Result<(Router, AppHandle), WebError> {
    let sites = SiteRegistry::load(store.as_ref()).await?;
    let public_base = settings
        .base_url
        .as_deref()
        .map(links::PublicBase::parse)
        .transpose()?;
    let static_files = settings
        .static_files
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect();
    let shared = Arc::new(Shared {
        store,
        sites,
        cache: PageCache::new(cache::MAX_ENTRIES, cache::TTL),
        network_name: settings.network_name,
        public_base,
        static_files,
        websub: settings.websub,
    });

    let site_pages = pages::router(shared.clone());
    let router = Router::new()
        .route("/healthz", get(network::healthz))
        .route("/readyz", get(network::readyz))
        .route("/assets/{*path}", get(network::asset))
        .route("/websub/{token}", get(websub::verify).post(websub::deliver))
        .fallback(move |State(state): State<AppState>, req: Request| {
            let site_pages = site_pages.clone();
            async move { dispatch::dispatch(state, site_pages, req).await }
        })
        .with_state(shared.clone())
        .layer(axum::middleware::map_response(network::security_headers));

    Ok((router, AppHandle { shared }))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
