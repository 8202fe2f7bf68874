//! `masthead stories`: stored stories as text or one JSON object a line.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use masthead_model::{OffsetTime, Site, SiteId, Story};
use masthead_store::{Store, StoryFilter};
use serde_json::json;

use crate::cli::StoriesCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: StoriesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    let sites: HashMap<SiteId, Site> = store
        .sites()
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    match cmd {
        StoriesCommand::List {
            site,
            source,
            limit,
            json,
        } => {
            let site_id = match site {
                Some(slug) => Some(
                    sites
                        .values()
                        .find(|s| s.slug == slug)
                        .map(|s| s.id)
                        .with_context(|| format!("no site {slug:?}"))?,
                ),
                None => None,
            };
            let source_id = match source {
                Some(name) => Some(
                    store
                        .source_by_name(&name)
                        .await?
                        .with_context(|| format!("no source named {name:?}"))?
                        .id,
                ),
                None => None,
            };
            let filter = StoryFilter {
                site: site_id,
                source: source_id,
                limit,
                ..StoryFilter::default()
            };
            for story in store.stories(&filter).await? {
                if json {
                    let value = story_json(store.as_ref(), &sites, &config, &story, false).await?;
                    say!("{value}");
                } else {
                    say!(
                        "{:>6}  {}  {:<16}  {}",
                        story.id,
                        story.published.to_rfc3339(),
                        story.source_name,
                        story.headline
                    );
                }
            }
        }
        StoriesCommand::Show { id, json } => {
            let story = store
                .story(id)
                .await?
                .with_context(|| format!("no story {id}"))?;
            let value = story_json(store.as_ref(), &sites, &config, &story, true).await?;
            if json {
                say!("{value}");
            } else {
                say!("{}", serde_json::to_string_pretty(&value)?);
            }
        }
        StoriesCommand::Kill { id, reason, by } => {
            anyhow::ensure!(!reason.trim().is_empty(), "--reason must say why");
            let by = by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "operator".to_owned());
            let story = store
                .story(id)
                .await?
                .with_context(|| format!("no story {id}"))?;
            if !store
                .kill_story(id, reason.trim(), &by, OffsetTime::now_utc())
                .await?
            {
                anyhow::bail!("story {id} is already withdrawn");
            }
            say!(
                "story {id} \"{}\" withdrawn by {by}: {}",
                story.headline,
                reason.trim()
            );
        }
        StoriesCommand::Revisions { id, json } => {
            store
                .story(id)
                .await?
                .with_context(|| format!("no story {id}"))?;
            for r in store.revisions(id).await? {
                if json {
                    say!(
                        "{}",
                        json!({
                            "number": r.number,
                            "headline": r.headline,
                            "standfirst": r.standfirst,
                            "text": r.text,
                            "replaced_at": r.replaced_at.to_rfc3339(),
                        })
                    );
                } else {
                    say!(
                        "#{} replaced {}: {}",
                        r.number,
                        r.replaced_at.to_rfc3339(),
                        r.headline
                    );
                }
            }
        }
        StoriesCommand::Cluster {
            id,
            pin,
            unpin,
            json,
        } => {
            let story = store
                .story(id)
                .await?
                .with_context(|| format!("no story {id}"))?;
            if pin {
                store.pin_cluster(story.cluster, Some(id)).await?;
                say!("pages now show story {id} for cluster {}", story.cluster);
            } else if unpin {
                store.pin_cluster(story.cluster, None).await?;
                say!(
                    "pages show cluster {}'s earliest story again",
                    story.cluster
                );
            }
            for member in store.cluster_members(story.cluster).await? {
                if json {
                    say!(
                        "{}",
                        story_json(store.as_ref(), &sites, &config, &member, false).await?
                    );
                } else {
                    say!(
                        "{:>6}  {}  {:<16}  {}",
                        member.id,
                        member.published.to_rfc3339(),
                        member.source_name,
                        member.headline
                    );
                }
            }
        }
        StoriesCommand::Unplaced { limit, json } => {
            for story in store.unplaced_stories(limit).await? {
                if json {
                    say!(
                        "{}",
                        story_json(store.as_ref(), &sites, &config, &story, false).await?
                    );
                } else {
                    say!(
                        "{:>6}  {}  {:<16}  {}",
                        story.id,
                        story.published.to_rfc3339(),
                        story.source_name,
                        story.headline
                    );
                }
            }
        }
    }
    Ok(())
}

async fn story_json(
    store: &dyn Store,
    sites: &HashMap<SiteId, Site>,
    config: &Config,
    story: &Story,
    full: bool,
) -> anyhow::Result<serde_json::Value> {
    let placements = store.placements_of(story.id).await?;
    let base = config.base_url.as_str().trim_end_matches('/');
    let mut site_slugs = Vec::new();
    let mut pages = Vec::new();
    for p in &placements {
        if let Some(site) = sites.get(&p.site_id) {
            site_slugs.push(site.slug.clone());
            pages.push(format!(
                "{base}/s/{}/story/{}/{}",
                site.slug, story.id, story.slug
            ));
        }
    }
    let mut value = json!({
        "id": story.id,
        "source": story.source_name,
        "guid": story.guid,
        "url": story.url,
        "headline": story.headline,
        "standfirst": story.standfirst,
        "byline": story.byline,
        "dateline": story.dateline,
        "published": story.published.to_rfc3339(),
        "updated": story.updated.map(|t| t.to_rfc3339()),
        "cluster": story.cluster,
        "sites": site_slugs,
        "pages": pages,
        "text": story.text,
        "content_html": story.content_html,
    });
    if full && let Some(obj) = value.as_object_mut() {
        obj.insert("slug".into(), json!(story.slug));
        obj.insert("categories".into(), json!(story.categories));
        obj.insert("image".into(), json!(story.image));
        obj.insert(
            "killed".into(),
            json!(story.killed.as_ref().map(|k| json!({
                "at": k.at.to_rfc3339(),
                "reason": k.reason,
                "by": k.by,
            }))),
        );
        obj.insert(
            "placements".into(),
            json!(
                placements
                    .iter()
                    .map(|p| json!({
                        "site": sites.get(&p.site_id).map(|s| s.slug.clone()),
                        "section": p.section,
                    }))
                    .collect::<Vec<_>>()
            ),
        );
    }
    Ok(value)
}
