//! The "More Information" list under an article.
//!
//! Input: the current story and its cluster, and candidate summaries newest first. Output:
//! references into the candidates, in their order. It never lists the page itself, never two
//! stories of one cluster (nor one of the page's own cluster) and never reorders or copies.

use std::collections::HashSet;

use masthead_model::{ClusterId, StoryId, StorySummary};

/// At most `limit` candidates, newest first as given: never `current`, never a story of
/// `current_cluster`, one story per cluster (the first, i.e. newest, seen), each id once.
pub fn more_information(
    current: StoryId,
    current_cluster: ClusterId,
    candidates: &[StorySummary],
    limit: usize,
) -> Vec<&StorySummary> {
    let mut ids: HashSet<StoryId> = HashSet::from([current]);
    let mut clusters: HashSet<ClusterId> = HashSet::from([current_cluster]);
    let mut out = Vec::with_capacity(limit.min(candidates.len()));
    for c in candidates {
        if out.len() >= limit {
            break;
        }
        // Check both before inserting either, so a rejected candidate reserves nothing.
        if ids.contains(&c.id) || clusters.contains(&c.cluster) {
            continue;
        }
        ids.insert(c.id);
        clusters.insert(c.cluster);
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::OffsetTime;
    use proptest::prelude::*;

    fn summary(id: StoryId, cluster: ClusterId) -> StorySummary {
        StorySummary {
            id,
            cluster,
            slug: format!("story-{id}"),
            source_name: "RT.com".into(),
            headline: format!("Story {id}"),
            standfirst: None,
            dateline: None,
            lead: String::new(),
            published: OffsetTime {
                unix_micros: 0,
                offset_seconds: 0,
            },
            image: None,
            section: String::new(),
        }
    }

    fn ids(list: &[&StorySummary]) -> Vec<StoryId> {
        list.iter().map(|s| s.id).collect()
    }

    #[test]
    fn the_page_itself_is_excluded() {
        let c = vec![summary(1, 1), summary(2, 2), summary(3, 3)];
        assert_eq!(ids(&more_information(2, 2, &c, 10)), vec![1, 3]);
    }

    #[test]
    fn the_page_is_excluded_even_if_its_cluster_differs() {
        // A candidate row may carry a stale cluster; the id alone still excludes it.
        let c = vec![summary(5, 99), summary(6, 6)];
        assert_eq!(ids(&more_information(5, 5, &c, 10)), vec![6]);
    }

    #[test]
    fn cluster_twins_of_the_page_are_excluded() {
        let c = vec![summary(10, 4), summary(11, 7), summary(12, 4)];
        assert_eq!(ids(&more_information(4, 4, &c, 10)), vec![11]);
    }

    #[test]
    fn one_story_per_cluster_the_newest() {
        let c = vec![
            summary(20, 8),
            summary(21, 9),
            summary(22, 8),
            summary(23, 9),
        ];
        assert_eq!(ids(&more_information(1, 1, &c, 10)), vec![20, 21]);
    }

    #[test]
    fn duplicate_ids_are_listed_once() {
        let c = vec![summary(30, 30), summary(30, 30), summary(31, 31)];
        assert_eq!(ids(&more_information(1, 1, &c, 10)), vec![30, 31]);
    }

    #[test]
    fn limit_is_respected() {
        let c: Vec<_> = (100..120).map(|i| summary(i, i)).collect();
        assert_eq!(ids(&more_information(1, 1, &c, 3)), vec![100, 101, 102]);
        assert!(more_information(1, 1, &c, 0).is_empty());
        assert!(more_information(1, 1, &[], 5).is_empty());
    }

    #[test]
    fn order_is_kept() {
        let c = vec![summary(9, 9), summary(3, 3), summary(7, 7)];
        assert_eq!(ids(&more_information(1, 1, &c, 10)), vec![9, 3, 7]);
    }

    proptest! {
        #[test]
        fn invariants(
            pairs in proptest::collection::vec((0i64..12, 0i64..6), 0..30),
            current in 0i64..12,
            cluster in 0i64..6,
            limit in 0usize..8,
        ) {
            let candidates: Vec<_> = pairs.iter().map(|&(i, c)| summary(i, c)).collect();
            let got = more_information(current, cluster, &candidates, limit);
            prop_assert!(got.len() <= limit);
            let mut seen_ids = HashSet::new();
            let mut seen_clusters = HashSet::new();
            for s in &got {
                prop_assert_ne!(s.id, current);
                prop_assert_ne!(s.cluster, cluster);
                prop_assert!(seen_ids.insert(s.id));
                prop_assert!(seen_clusters.insert(s.cluster));
            }
            // Order kept: the picks are a subsequence of the candidates (by address).
            let mut pos = 0usize;
            for s in &got {
                let rest = candidates.get(pos..).unwrap_or(&[]);
                let found = rest.iter().position(|c| std::ptr::eq(c, *s));
                prop_assert!(found.is_some());
                pos += found.unwrap() + 1;
            }
            // Greedy and maximal: a skipped candidate is either beyond the limit or barred.
            if got.len() < limit {
                for c in &candidates {
                    let barred = c.id == current
                        || c.cluster == cluster
                        || got.iter().any(|s| s.id == c.id || s.cluster == c.cluster);
                    prop_assert!(barred);
                }
            }
        }
    }
}
