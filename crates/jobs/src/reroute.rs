//! Re-routing: after the routing rules change, the stories of a bounded recent window are
//! placed again, so sites carry what their new rules pick.
//!
//! Input: the store, the routes, the window start. Output: placements added, moved and
//! removed. Placements are upserts, so running it twice changes nothing the second time.

use masthead_model::{Placement, SiteId};
use masthead_route::{Routable, SiteRoute};
use masthead_store::{Store, StoryFilter};

use crate::JobError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RerouteReport {
    pub stories: usize,
    pub placed: usize,
    pub moved: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// Re-routes the (non-killed) stories published since `since` (unix µs).
pub async fn reroute(
    store: &dyn Store,
    routes: &[SiteRoute],
    since: i64,
) -> Result<RerouteReport, JobError> {
    let err = |cause| JobError::Store {
        source_name: "re-routing".to_owned(),
        cause,
    };
    let sources = store.sources().await.map_err(err)?;
    let stories = store
        .stories(&StoryFilter {
            since: Some(since),
            limit: i64::MAX,
            ..StoryFilter::default()
        })
        .await
        .map_err(err)?;
    let routed_sites: Vec<SiteId> = routes.iter().map(|r| r.site.id).collect();
    let mut report = RerouteReport {
        stories: stories.len(),
        ..RerouteReport::default()
    };
    for story in &stories {
        // A story of a removed source keeps the placements it has.
        let Some(source) = sources.iter().find(|s| s.id == story.source_id) else {
            continue;
        };
        let wanted: Vec<Placement> = masthead_route::placements(
            routes,
            &Routable {
                id: story.id,
                source,
                categories: &story.categories,
                headline: &story.headline,
                text: &story.text,
                dateline: story.dateline.as_deref(),
            },
        );
        let current = store.placements_of(story.id).await.map_err(err)?;
        for want in &wanted {
            match current.iter().find(|p| p.site_id == want.site_id) {
                Some(p) if p.section == want.section => report.unchanged += 1,
                Some(_) => {
                    store.place(want).await.map_err(err)?;
                    report.moved += 1;
                }
                None => {
                    store.place(want).await.map_err(err)?;
                    report.placed += 1;
                }
            }
        }
        for have in &current {
            // Only sites the routes know are touched: a site missing from the configuration
            // keeps what it has rather than losing everything.
            if routed_sites.contains(&have.site_id)
                && !wanted.iter().any(|w| w.site_id == have.site_id)
            {
                store.unplace(story.id, have.site_id).await.map_err(err)?;
                report.removed += 1;
            }
        }
    }
    Ok(report)
}
