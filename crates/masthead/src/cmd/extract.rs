//! `masthead extract URL|FILE`: the article a page carries, as the ingest pipeline sees it.
//! A URL goes through the same fetcher, limits and address guard as ingestion.

use std::path::Path;

use anyhow::{Context, bail};
use masthead_extract::Article;
use masthead_fetch::{ACCEPT_HTML, FetchOutcome, FetchRequest, FetchSettings, Fetcher};
use masthead_model::OffsetTime;
use serde_json::json;

use crate::cli::{ExtractArgs, ExtractFormat};
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, args: ExtractArgs) -> anyhow::Result<()> {
    let (html, url) = if args.target.starts_with("http://") || args.target.starts_with("https://") {
        let url = url::Url::parse(&args.target)
            .with_context(|| format!("{:?} is not a URL", args.target))?;
        // The configuration's fetch rules when one is given, the safe defaults otherwise.
        let settings = match config_path {
            Some(path) => Config::load(Some(path))?.fetch,
            None => FetchSettings::default(),
        };
        let fetcher = Fetcher::new(settings).context("cannot set up the fetcher")?;
        let body = match fetcher
            .fetch(&FetchRequest::new(url.clone(), ACCEPT_HTML))
            .await
            .with_context(|| format!("cannot fetch {url}"))?
        {
            FetchOutcome::Fetched(body) => body,
            FetchOutcome::NotModified => bail!("{url} answered 304 to an unconditional request"),
        };
        let (html, _) = masthead_fetch::decode_html(&body.bytes, body.content_type.as_deref());
        (html, body.final_url)
    } else {
        let path = Path::new(&args.target);
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let (html, _) = masthead_fetch::decode_html(&bytes, None);
        let url = match args.url.as_deref() {
            Some(u) => url::Url::parse(u).with_context(|| format!("--url {u:?} is not a URL"))?,
            None => {
                let abs = std::path::absolute(path)
                    .with_context(|| format!("cannot resolve {}", path.display()))?;
                url::Url::from_file_path(&abs)
                    .map_err(|()| anyhow::anyhow!("cannot make a URL of {}", abs.display()))?
            }
        };
        (html, url)
    };
    let article = masthead_extract::extract(&html, &url)
        .with_context(|| format!("cannot extract an article from {url}"))?;
    match args.format {
        ExtractFormat::Text => say!("{}", article.text),
        ExtractFormat::Html => say!("{}", article.content_html),
        ExtractFormat::Json => say!("{}", article_json(&article, &url)),
    }
    Ok(())
}

fn article_json(a: &Article, url: &url::Url) -> serde_json::Value {
    let time = |t: Option<OffsetTime>| t.map(OffsetTime::to_rfc3339);
    json!({
        "url": url.as_str(),
        "headline": a.headline,
        "standfirst": a.standfirst,
        "byline": a.byline,
        "dateline": a.dateline,
        "published": time(a.published),
        "updated": time(a.updated),
        "image": a.image,
        "canonical_url": a.canonical_url,
        "language": a.language,
        "site_name": a.site_name,
        "text": a.text,
        "content_html": a.content_html,
    })
}
