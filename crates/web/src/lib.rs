//! masthead's public web server: the pages of every site of the network, server-rendered.
//!
//! Input: an `Arc<dyn Store>` and [`WebSettings`]. Output: an axum [`Router`] that picks a site
//! by the request's Host (or a `/s/{site}/` prefix, for a single host such as the demo) and
//! renders its home, section, article, search, subscribe and submit pages with askama templates,
//! plus the network-wide `/healthz`, `/readyz` and `/assets/…`; and an [`AppHandle`] through which
//! the rest of the process says "the sites changed" or "the content changed".
//!
//! Rendered pages are cached in memory for up to two seconds (see `cache`), so the article
//! page's hot path is one lookup. This crate writes to the store only for the daily email's
//! sign-ups, confirmations, preferences and unsubscriptions (`subscribe`), never fetches
//! anything and never trusts story HTML that did not come through
//! `masthead_normalize::SanitizedHtml`.

mod address;
mod admin;
pub mod api;
mod cache;
mod conditional;
mod csrf;
mod dispatch;
mod error;
mod feeds;
mod limits;
mod links;
mod metrics;
mod network;
mod pages;
mod search;
mod sitemap;
mod sites;
mod structured;
mod submit;
mod subscribe;
mod uploads;
mod views;
mod websub;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::routing::get;
use masthead_store::Store;

pub use admin::Newsroom;
pub use api::{IntakeError, StoryIntake, WireBody, WireStory};
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

/// What the web server needs to know beyond the store. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct WebSettings {
    /// Shown in every footer: "Part of {network_name}".
    pub network_name: String,
    /// The network's public base URL (mail links use it); pages link relatively, while feeds,
    /// sitemaps, canonical links and structured data are absolute (rule in `links`).
    pub base_url: Option<String>,
    pub static_files: Vec<StaticFile>,
    /// Takes WebSub hub requests at `/websub/{token}`; None answers them 404.
    pub websub: Option<Arc<dyn WebSubReceiver>>,
    /// Takes wire partners' stories from `POST /api/v1/stories` through the pipeline; None
    /// answers 503.
    pub intake: Option<Arc<dyn StoryIntake>>,
    /// Sends the daily email's confirmation mails; None: the subscribe page says sign-ups are
    /// not open because mail is not configured.
    pub mail: Option<masthead_mail::Mailer>,
    /// The network's secret (at least 16 bytes): signs form tokens (CSRF) and the unsubscribe
    /// and preferences links, with `masthead_mail::signed` as the digest does.
    pub secret: Vec<u8>,
    /// Makes stories of approved releases and mails their submitters (the binary's ingest
    /// and mail paths); None: the admin's approve button answers 503.
    pub newsroom: Option<Arc<dyn admin::Newsroom>>,
    /// Where the release form stores uploaded images (under generated names); the admin
    /// serves them at `/admin/uploads/{file}`. None: no images are shown.
    pub uploads_dir: Option<std::path::PathBuf>,
    /// The mail outbox directory (mail goes there when no SMTP relay is configured), listed
    /// at `/admin/outbox`; None: the page says there is no outbox.
    pub outbox_dir: Option<std::path::PathBuf>,
    /// The sites' routing rules as the configuration file sets them (read-only): listed at
    /// `/admin/sites`, with a form that explains how a story would be routed. Empty: none.
    pub routes: Vec<masthead_route::SiteRoute>,
}

/// A shorter secret is refused: signed links would be guessable.
const MIN_SECRET_BYTES: usize = 16;

impl std::fmt::Debug for WebSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSettings")
            .field("network_name", &self.network_name)
            .field("base_url", &self.base_url)
            .field("static_files", &self.static_files)
            .field("websub", &self.websub)
            .field("intake", &self.intake)
            .field("mail", &self.mail)
            .field("secret", &"(hidden)")
            .field("newsroom", &self.newsroom)
            .field("uploads_dir", &self.uploads_dir)
            .field("outbox_dir", &self.outbox_dir)
            .field("routes", &self.routes)
            .finish()
    }
}

/// The secret's bytes; `Debug` shows none of them.
pub(crate) struct SecretBytes(Vec<u8>);

impl std::ops::Deref for SecretBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(hidden)")
    }
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
    /// The WebSub hub feeds advertise (set once by the binary, from the configuration).
    pub hub: std::sync::OnceLock<String>,
    pub static_files: HashMap<String, StaticFile>,
    pub websub: Option<Arc<dyn WebSubReceiver>>,
    pub mail: Option<masthead_mail::Mailer>,
    pub secret: SecretBytes,
    /// `Secure` on the CSRF cookie: the public base URL is https.
    pub secure_cookies: bool,
    /// Per-IP limit on sign-up POSTs.
    pub signup_limiter: limits::IpLimiter,
    /// Where the release form stores photos (see [`WebSettings::uploads_dir`]).
    pub uploads_dir: Option<std::path::PathBuf>,
    /// Per-IP and per-address limits on release submissions.
    pub release_limits: submit::ReleaseLimits,
    /// The mail outbox the admin lists (see [`WebSettings::outbox_dir`]).
    pub outbox_dir: Option<std::path::PathBuf>,
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

    /// Makes every feed advertise this WebSub hub (`rel="hub"`); the first call wins.
    pub fn set_hub(&self, hub: &str) {
        let _ = self.shared.hub.set(hub.to_owned());
    }

    /// The URLs of every site's feeds (RSS, Atom, JSON Feed), as the feeds name themselves
    /// (by the site's host and under `/s/{site}`): the topics to ping a hub with.
    pub fn feed_urls(&self) -> Vec<String> {
        let table = self.shared.sites.current();
        let mut urls = Vec::new();
        for entry in table.entries() {
            let host = entry.site.hosts.first().map(String::as_str);
            let prefix = format!("/s/{}", entry.site.slug);
            for base in [
                links::site_base(self.shared.public_base.as_ref(), host, ""),
                links::site_base(self.shared.public_base.as_ref(), host, &prefix),
            ] {
                for file in ["feed.xml", "atom.xml", "feed.json"] {
                    urls.push(format!("{base}/{file}"));
                }
            }
        }
        urls.sort();
        urls.dedup();
        urls
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
    if settings.secret.len() < MIN_SECRET_BYTES {
        return Err(WebError::Secret {
            reason: format!(
                "it has {} bytes; at least {MIN_SECRET_BYTES} are needed",
                settings.secret.len()
            ),
        });
    }
    let sites = SiteRegistry::load(store.as_ref()).await?;
    let public_base = settings
        .base_url
        .as_deref()
        .map(links::PublicBase::parse)
        .transpose()?;
    let secure_cookies = settings.base_url.as_deref().is_some_and(|u| {
        u.trim()
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
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
        hub: std::sync::OnceLock::new(),
        static_files,
        websub: settings.websub,
        mail: settings.mail,
        secret: SecretBytes(settings.secret),
        secure_cookies,
        signup_limiter: limits::IpLimiter::new(limits::SIGNUP_BURST, limits::SIGNUP_PER_MINUTE),
        uploads_dir: settings.uploads_dir.clone(),
        release_limits: submit::ReleaseLimits::new(),
        outbox_dir: settings.outbox_dir,
    });

    let site_pages = pages::router(shared.clone());
    let router = Router::new()
        .route("/healthz", get(network::healthz))
        .route("/readyz", get(network::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/uploads/{file}", get(uploads::upload))
        .route("/assets/{*path}", get(network::asset))
        .route("/websub/{token}", get(websub::verify).post(websub::deliver))
        .merge(api::router(shared.clone(), settings.intake))
        .nest(
            "/admin",
            admin::router(
                settings.newsroom,
                settings.uploads_dir,
                settings.base_url.clone(),
                settings.routes,
            ),
        )
        .fallback(move |State(state): State<AppState>, req: Request| {
            let site_pages = site_pages.clone();
            async move { dispatch::dispatch(state, site_pages, req).await }
        })
        .with_state(shared.clone())
        .layer(axum::middleware::map_response(network::security_headers));

    Ok((router, AppHandle { shared }))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish.
/// Each request carries its peer address (`ConnectInfo<SocketAddr>`), which the per-IP limits
/// on public forms use.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
