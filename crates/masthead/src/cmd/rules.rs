//! `masthead rules test`: which rule places a story on a site, or why none does.

use std::path::Path;

use anyhow::Context;

use crate::cli::RulesCommand;
use crate::config::Config;

pub async fn run(config_path: Option<&Path>, cmd: RulesCommand) -> anyhow::Result<()> {
    let config = Config::load(config_path)?;
    let store = crate::network::open(&config).await?;
    let routes = crate::network::routes(store.as_ref(), &config).await?;
    let (site, story) = match cmd {
        RulesCommand::Test { site, story } => (site, story),
        RulesCommand::Apply { window } => {
            let secs = window_secs(&window)
                .with_context(|| format!("--window {window:?} is not a duration like 7d or 48h"))?;
            let since = masthead_model::OffsetTime::now_utc()
                .unix_micros
                .saturating_sub(secs.saturating_mul(1_000_000));
            let r = masthead_jobs::reroute(store.as_ref(), &routes, since).await?;
            say!(
                "re-routed {} stories: {} placements added, {} moved, {} removed, {} unchanged",
                r.stories,
                r.placed,
                r.moved,
                r.removed,
                r.unchanged
            );
            return Ok(());
        }
    };
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

/// "7d", "48h", "90m", "2w": a whole number and one unit.
fn window_secs(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_secs = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(unit_secs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows() {
        assert_eq!(super::window_secs("7d"), Some(604_800));
        assert_eq!(super::window_secs("48h"), Some(172_800));
        assert_eq!(super::window_secs("d"), None);
        assert_eq!(super::window_secs("7 days"), None);
    }
}
