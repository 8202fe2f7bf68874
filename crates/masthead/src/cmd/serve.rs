//! `masthead serve`: the network's sites over HTTP and the source scheduler, until Ctrl-C.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use masthead_fetch::Fetcher;
use masthead_jobs::{IngestSettings, PollSettings};
use masthead_model::OffsetTime;
use masthead_store::Store;
use masthead_web::{StaticFile, WebSettings};
use tokio::sync::watch;

use crate::cli::{Role, ServeArgs};
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load(config_path)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let store = crate::network::open(&config).await?;
    let listener = match args.role {
        Role::Worker => None,
        Role::Web | Role::All => {
            let listener = bind(config.listen).await?;
            config.bound_to(
                listener
                    .local_addr()
                    .context("cannot read the bound address")?,
            );
            Some(listener)
        }
    };
    let node = Node {
        store,
        config,
        static_files: Vec::new(),
        role: args.role,
    };
    node.run(listener, false, |addr| match addr {
        Some(addr) => say!("masthead is serving on http://{addr}/ (Ctrl-C stops it)"),
        None => say!("masthead worker is polling sources (Ctrl-C stops it)"),
    })
    .await
}

pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// How this process polls: its fetcher rules and routes from the configuration.
pub async fn poll_settings(store: &dyn Store, config: &Config) -> anyhow::Result<PollSettings> {
    let clusters = masthead_jobs::ClusterIndex::load(store, config.dedup.clone())
        .await
        .context("cannot load the near-duplicate index")?;
    let mut settings = PollSettings::new(IngestSettings {
        clusters: Some(clusters),
        routes: crate::network::routes(store, config).await?,
        now: OffsetTime::now_utc(),
        shift_micros: 0,
    });
    settings.websub = masthead_jobs::WebSubSettings::for_base_url(&config.base_url);
    Ok(settings)
}

/// Tells the WebSub hub our feeds changed (`hub.mode=publish`), so subscribers hear at once.
async fn ping_hub(fetcher: Fetcher, hub: url::Url, topics: Vec<String>) {
    for topic in topics {
        let form = [("hub.mode", "publish"), ("hub.url", topic.as_str())];
        if let Err(err) = fetcher.post_form(&hub, &form).await {
            tracing::warn!(%hub, "WebSub hub ping failed: {err}");
            return;
        }
    }
}

/// Stories a trusted wire partner posts to the API, taken through the ingest path.
#[derive(Debug)]
struct WireDesk {
    store: Arc<dyn Store>,
    settings: PollSettings,
}

#[async_trait::async_trait]
impl masthead_web::StoryIntake for WireDesk {
    async fn submit(
        &self,
        story: masthead_web::WireStory,
    ) -> Result<masthead_model::StoreOutcome, masthead_web::IntakeError> {
        use masthead_web::{IntakeError, WireBody};
        let source = self
            .store
            .source_by_name(&story.source)
            .await
            .map_err(|e| IntakeError::Failed(e.to_string()))?
            .ok_or_else(|| IntakeError::UnknownSource(story.source.clone()))?;
        let content_html = match story.body {
            WireBody::Html(html) => html,
            WireBody::Text(text) => masthead_normalize::text_to_html(&text).into_string(),
        };
        let entry = masthead_feed::Entry {
            guid: Some(story.guid),
            url: story.url,
            title: Some(story.headline),
            summary_html: story.standfirst,
            content_html: Some(content_html),
            author: story.byline,
            published: Some(story.published),
            updated: story.updated,
            categories: story.categories,
            image: story.image,
            dateline: story.dateline,
        };
        let report = masthead_jobs::ingest_entries(
            self.store.as_ref(),
            &source,
            std::slice::from_ref(&entry),
            &self.settings.ingest,
            None,
        )
        .await
        .map_err(|e| IntakeError::Failed(e.to_string()))?;
        match (report.outcomes.first(), report.problems.first()) {
            (Some(outcome), _) => Ok(*outcome),
            (None, Some(problem)) => Err(IntakeError::Invalid(problem.reason.clone())),
            (None, None) => Err(IntakeError::Invalid("the story has no text".to_owned())),
        }
    }
}

/// The admin's approvals, through the ingest path (`masthead_jobs::releases`), and the
/// submitters' mails.
#[derive(Debug)]
struct ReleaseDesk {
    store: Arc<dyn Store>,
    settings: PollSettings,
    mailer: masthead_mail::Mailer,
    network_name: String,
    base_url: String,
}

#[async_trait::async_trait]
impl masthead_web::Newsroom for ReleaseDesk {
    async fn approve(
        &self,
        release: &masthead_model::Release,
        by: &str,
    ) -> Result<masthead_model::StoryId, String> {
        use masthead_jobs::releases;
        let ingest = IngestSettings {
            now: OffsetTime::now_utc(),
            ..self.settings.ingest.clone()
        };
        let approval = releases::Approval {
            by: by.to_owned(),
            // The admin has put the editor's sites and section on the release.
            sites: Vec::new(),
            section: None,
            public_base: Some(self.base_url.clone()),
        };
        let story = releases::publish(
            self.store.as_ref(),
            release,
            &ingest.routes,
            &ingest,
            &approval,
        )
        .await
        .map_err(|e| e.to_string())?;
        let link = releases::story_link(self.store.as_ref(), &self.base_url, story)
            .await
            .ok()
            .flatten();
        // The story stands even if the mail fails (logged by `notify`).
        let _ = releases::notify(
            &self.mailer,
            release,
            masthead_model::ReleaseStatus::Approved,
            &self.network_name,
            link.as_deref(),
        )
        .await;
        Ok(story)
    }

    async fn notify(
        &self,
        release: &masthead_model::Release,
        decision: masthead_model::ReleaseStatus,
    ) -> Result<(), String> {
        masthead_jobs::releases::notify(&self.mailer, release, decision, &self.network_name, None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The web server's WebSub callback, answered by the ingest side.
#[derive(Debug)]
struct WebSubDesk {
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    settings: PollSettings,
}

#[async_trait::async_trait]
impl masthead_web::WebSubReceiver for WebSubDesk {
    async fn verify(
        &self,
        token: &str,
        mode: &str,
        topic: &str,
        challenge: &str,
        lease_seconds: Option<i64>,
    ) -> Option<String> {
        match masthead_jobs::websub::verify(
            self.store.as_ref(),
            token,
            mode,
            topic,
            challenge,
            lease_seconds,
        )
        .await
        {
            Ok(answer) => answer,
            Err(err) => {
                tracing::error!("WebSub verification failed: {err}");
                None
            }
        }
    }

    async fn deliver(&self, token: &str, signature: Option<&str>, body: &[u8]) -> bool {
        use masthead_jobs::websub::Delivery;
        match masthead_jobs::websub::deliver(
            self.store.as_ref(),
            &self.fetcher,
            &self.settings,
            token,
            signature,
            body,
        )
        .await
        {
            Ok(Delivery::Unknown) => false,
            Ok(Delivery::Ingested(report)) => {
                tracing::info!(source = %report.source, new = report.inserted, "WebSub delivery ingested");
                true
            }
            Ok(Delivery::BadSignature | Delivery::Failed(_)) => true,
            Err(err) => {
                tracing::error!("WebSub delivery failed: {err}");
                true
            }
        }
    }
}

/// One masthead node: web pages, the scheduler, or both.
pub struct Node {
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub static_files: Vec<StaticFile>,
    pub role: Role,
}

impl Node {
    /// Serves until Ctrl-C. With `initial_pass`, polls every source once (after the web server
    /// is up, so a source served by this very process can be fetched) before `announce`.
    pub async fn run(
        self,
        listener: Option<tokio::net::TcpListener>,
        initial_pass: bool,
        announce: impl FnOnce(Option<std::net::SocketAddr>),
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            // If the signal cannot be installed, serving on is better than stopping at once.
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("stopping: finishing requests in flight");
                let _ = stop_tx.send(true);
            }
        });
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };

        let fetcher =
            Fetcher::new(self.config.fetch.clone()).context("cannot set up the fetcher")?;
        let settings = poll_settings(self.store.as_ref(), &self.config).await?;
        // One mailer for the process: its connection pool and its sending rate are shared by
        // sign-up mails, release mails and digests.
        let mailer = masthead_mail::Mailer::new(self.config.mail.settings())
            .context("cannot set up mail")?;
        let digest_settings = super::digest::settings(&self.config)?;
        let mut addr = None;
        let mut changed: Arc<dyn Fn() + Send + Sync> = Arc::new(|| ());
        let mut server = None;
        if let Some(listener) = listener {
            let websub: Arc<dyn masthead_web::WebSubReceiver> = Arc::new(WebSubDesk {
                store: self.store.clone(),
                fetcher: fetcher.clone(),
                settings: settings.clone(),
            });
            addr = Some(
                listener
                    .local_addr()
                    .context("cannot read the bound address")?,
            );
            let (router, handle) = masthead_web::app(
                self.store.clone(),
                WebSettings {
                    network_name: self.config.network_name.clone(),
                    base_url: Some(self.config.base_url.to_string()),
                    static_files: self.static_files,
                    websub: Some(websub),
                    mail: Some(mailer.clone()),
                    secret: digest_settings.secret.clone(),
                    intake: Some(Arc::new(WireDesk {
                        store: self.store.clone(),
                        settings: settings.clone(),
                    })),
                    newsroom: Some(Arc::new(ReleaseDesk {
                        store: self.store.clone(),
                        settings: settings.clone(),
                        mailer: mailer.clone(),
                        network_name: self.config.network_name.clone(),
                        base_url: self
                            .config
                            .base_url
                            .as_str()
                            .trim_end_matches('/')
                            .to_owned(),
                    })),
                    uploads_dir: Some(self.config.uploads_dir.clone()),
                    outbox_dir: Some(self.config.mail.outbox.clone()),
                    routes: settings.ingest.routes.clone(),
                },
            )
            .await
            .context("cannot start the web server")?;
            let hub = self.config.websub_hub.clone();
            if let Some(hub) = &hub {
                handle.set_hub(hub.as_str());
            }
            let pinger = fetcher.clone();
            changed = Arc::new(move || {
                handle.content_changed();
                if let Some(hub) = hub.clone() {
                    tokio::spawn(ping_hub(pinger.clone(), hub, handle.feed_urls()));
                }
            });
            server = Some(tokio::spawn(masthead_web::serve(
                listener,
                router,
                stopped(stop_rx.clone()),
            )));
        }

        let fetcher =
            Fetcher::new(self.config.fetch.clone()).context("cannot set up the fetcher")?;
        let settings = poll_settings(self.store.as_ref(), &self.config).await?;
        // Rules may have changed since the last start: the last week follows them now.
        let week_ago = OffsetTime::now_utc()
            .unix_micros
            .saturating_sub(7 * 86_400 * 1_000_000);
        let rerouted =
            masthead_jobs::reroute(self.store.as_ref(), &settings.ingest.routes, week_ago).await?;
        if rerouted.placed + rerouted.moved + rerouted.removed > 0 {
            tracing::info!(
                placed = rerouted.placed,
                moved = rerouted.moved,
                removed = rerouted.removed,
                "re-routed recent stories"
            );
        }
        if initial_pass {
            let sources = self.store.sources().await?;
            let reports = masthead_jobs::poll_sources(
                self.store.as_ref(),
                &fetcher,
                &sources,
                &settings,
                true,
                &|r| super::ingest::print_report(r),
            )
            .await?;
            drop(reports);
            changed();
        }
        announce(addr);

        let scheduler = (self.role != Role::Web).then(|| {
            tokio::spawn(masthead_jobs::run_scheduler(
                self.store.clone(),
                fetcher,
                settings,
                changed,
                stopped(stop_rx.clone()),
            ))
        });
        let digests = (self.role != Role::Web).then(|| {
            tokio::spawn(run_digests(
                self.store.clone(),
                self.config.clone(),
                mailer.clone(),
                digest_settings.clone(),
                stopped(stop_rx.clone()),
            ))
        });
        if let Some(server) = server {
            server
                .await
                .context("the web server stopped unexpectedly")?
                .context("the web server failed")?;
        }
        if let Some(scheduler) = scheduler {
            scheduler
                .await
                .context("the scheduler stopped unexpectedly")?;
        }
        if let Some(digests) = digests {
            digests
                .await
                .context("the digest sender stopped unexpectedly")?;
        }
        Ok(())
    }
}

/// Sends each site's digest once its send hour has passed in the site's zone, checking every
/// minute. Sending is idempotent (delivery rows), so a restart or a second node mails no one
/// twice; a day whose digest went out is not looked at again by this process.
async fn run_digests(
    store: Arc<dyn Store>,
    config: Config,
    mailer: masthead_mail::Mailer,
    settings: masthead_jobs::digest::DigestSettings,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use masthead_jobs::digest;
    tokio::pin!(shutdown);
    let mut done: std::collections::HashSet<(i64, String)> = std::collections::HashSet::new();
    loop {
        if let Ok(sites) = store.sites().await {
            for site in &sites {
                let hour = config
                    .sites
                    .iter()
                    .find(|c| c.spec.slug == site.slug)
                    .map_or(7, |c| c.digest_hour);
                let Ok(Some(date)) = digest::due_date(site, hour) else {
                    continue;
                };
                if done.contains(&(site.id, date.clone())) {
                    continue;
                }
                let result = async {
                    let built =
                        digest::build(store.as_ref(), site, &date, hour, settings.per_section)
                            .await?;
                    digest::send(store.as_ref(), &mailer, &settings, &built).await
                }
                .await;
                match result {
                    Ok(report) => {
                        if report.sent + report.failed > 0 {
                            tracing::info!(site = %site.slug, %date, sent = report.sent, failed = report.failed, "digest sent");
                        }
                        done.insert((site.id, date));
                    }
                    Err(err) => tracing::error!(site = %site.slug, "digest failed: {err}"),
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
        }
    }
}
