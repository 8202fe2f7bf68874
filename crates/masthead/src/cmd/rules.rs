//! `masthead rules test`: which rule places a story on a site, or why none does.

use std::path::Path;

use anyhow::Context;

use crate::cli::RulesCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: RulesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    crate::network::sync(store.as_ref(), &config).await?;
    let RulesCommand::Test { site, story } = cmd;
    let routes = crate::network::routes(store.as_ref(), &config).await?;
    let route = routes
        .iter()
        .find(|r| r.site.slug == site)
        .with_context(|| format!("no site {site:?}"))?;
    let story = store
        .story(story)
        .await?
        .with_context(|| format!("no story {story}"))?;
    let source = store
        .sources()
        .await?
        .into_iter()
        .find(|s| s.id == story.source_id)
        .with_context(|| format!("the source of story {} is removed", story.id))?;
    let explanation = masthead_route::explain(
        route,
        &masthead_route::Routable {
            id: story.id,
            source: &source,
            categories: &story.categories,
            headline: &story.headline,
            text: &story.text,
            dateline: story.dateline.as_deref(),
        },
    );
    say!(
        "story {} \"{}\" on {}:",
        story.id,
        story.headline,
        route.site.slug
    );
    for step in &explanation.steps {
        say!("  {step}");
    }
    match &explanation.placed {
        Some((rule, section)) => say!("placed in {section} by {rule}"),
        None => say!("not placed: the story waits in the unplaced view"),
    }
    let placed_now = store
        .placements_of(story.id)
        .await?
        .into_iter()
        .find(|p| p.site_id == route.site.id);
    if let Some(p) = placed_now
        && explanation.placed.as_ref().map(|(_, s)| s) != Some(&p.section)
    {
        say!(
            "note: it is placed in {} now; the rules place it differently (re-routing changes recent stories)",
            p.section
        );
    }
    Ok(())
}
