//! Routing rules: a story's categories (or its source's default section) → a site's section.
//!
//! Input: the site (with its ordered sections), the story's categories as the feed gave them,
//! and the source's default section. Output: the slug of the site's section, or `None` when
//! the story waits unplaced. It never creates sections and never guesses beyond the small,
//! documented synonym table below.

use masthead_model::{Placement, Site};

use crate::rules::{Explanation, Routable, Rule};

/// A site together with the sources it carries and its routing rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRoute {
    pub site: Site,
    /// Names of the sources the site carries; empty means every source.
    pub sources: Vec<String>,
    /// When not empty, a story is placed only by the first rule that matches it.
    pub rules: Vec<Rule>,
}

impl SiteRoute {
    /// Source names compare trimmed and case-insensitively so that a configuration typo in
    /// case ("rt.com" for "RT.com") does not silently drop a source from a site.
    fn carries(&self, source_name: &str) -> bool {
        self.sources.is_empty() || self.sources.iter().any(|s| same_name(s, source_name))
    }
}

/// The section of `site` a story belongs to, as the section's slug.
///
/// Rules, in order:
/// 1. the first of `categories` that names one of the site's sections: equal, trimmed and
///    case-insensitively, to the section's slug or its name (`"World"`, `"world"`); a category
///    that names none is tried against the synonym table before the next category is tried;
/// 2. otherwise `source_section` (the source's default), if it names one of the site's sections;
/// 3. otherwise `None`: the story waits unplaced.
///
/// The synonym table (applied only when the target section exists on the site):
/// - `sport` → `sports`;
/// - `economy`, `markets`, `finance` → `business`;
/// - `tech`, `technology` → `technology` when the site has it, else `science`.
pub fn section_for(
    site: &Site,
    categories: &[String],
    source_section: Option<&str>,
) -> Option<String> {
    categories
        .iter()
        .find_map(|category| direct(site, category).or_else(|| synonym(site, category)))
        .or_else(|| source_section.and_then(|s| direct(site, s)))
}

/// One placement per site that carries the story's source and has a section for it, in the
/// order of `routes`; a site listed twice is placed once (its first route wins).
pub fn placements(routes: &[SiteRoute], story: &Routable<'_>) -> Vec<Placement> {
    let mut out: Vec<Placement> = Vec::new();
    for route in routes {
        if out.iter().any(|p| p.site_id == route.site.id) {
            continue;
        }
        if let Some((_, section)) = explain(route, story).placed {
            out.push(Placement {
                story_id: story.id,
                site_id: route.site.id,
                section,
            });
        }
    }
    out
}

/// Why `route`'s site carries the story (and in which section) or not.
pub fn explain(route: &SiteRoute, story: &Routable<'_>) -> Explanation {
    if !route.carries(&story.source.name) {
        return Explanation {
            placed: None,
            steps: vec![format!(
                "the site does not carry source {:?} (it carries {:?})",
                story.source.name, route.sources
            )],
        };
    }
    if !route.rules.is_empty() {
        return crate::rules::apply(&route.site, &route.rules, story);
    }
    match section_for(
        &route.site,
        story.categories,
        story.source.section.as_deref(),
    ) {
        Some(section) => Explanation {
            steps: vec![format!(
                "no rules: categories {:?} / the source's default section map to {section}",
                story.categories
            )],
            placed: Some(("category mapping".to_owned(), section)),
        },
        None => Explanation {
            placed: None,
            steps: vec![format!(
                "no rules, and no section of the site fits categories {:?} or the source's default {:?}",
                story.categories, story.source.section
            )],
        },
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The slug of the site's section whose slug or name equals `name`.
fn direct(site: &Site, name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return None;
    }
    site.sections
        .iter()
        .find(|s| same_name(&s.slug, name) || same_name(&s.name, name))
        .map(|s| s.slug.clone())
}

fn synonym(site: &Site, category: &str) -> Option<String> {
    let key = category.trim().to_lowercase();
    match key.as_str() {
        "sport" => direct(site, "sports"),
        "economy" | "markets" | "finance" => direct(site, "business"),
        // A site with its own technology section keeps tech news there; science is the
        // nearest home only for sites without one.
        "tech" | "technology" => direct(site, "technology").or_else(|| direct(site, "science")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::{FullTextPolicy, Section, Source};

    fn site(id: i64, sections: &[(&str, &str)]) -> Site {
        Site {
            id,
            slug: format!("site-{id}"),
            name: format!("Site {id}"),
            hosts: vec![],
            time_zone: "UTC".into(),
            tagline: String::new(),
            sections: sections
                .iter()
                .map(|(slug, name)| Section {
                    slug: (*slug).into(),
                    name: (*name).into(),
                })
                .collect(),
        }
    }

    fn echo() -> Site {
        site(
            1,
            &[
                ("world", "World"),
                ("business", "Business"),
                ("sports", "Sports"),
                ("science", "Science"),
                ("local", "Local News"),
            ],
        )
    }

    fn source(name: &str, section: Option<&str>) -> Source {
        Source {
            id: 7,
            name: name.into(),
            url: "https://example.com/feed".into(),
            section: section.map(Into::into),
            dateline: None,
            full_text: FullTextPolicy::Auto,
            interval_secs: 900,
            health: Default::default(),
        }
    }

    fn cats(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn category_matches_slug_or_name_case_insensitively() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["World"]), None).as_deref(),
            Some("world")
        );
        assert_eq!(
            section_for(&s, &cats(&[" WORLD "]), None).as_deref(),
            Some("world")
        );
        assert_eq!(
            section_for(&s, &cats(&["local news"]), None).as_deref(),
            Some("local")
        );
        assert_eq!(
            section_for(&s, &cats(&["local"]), None).as_deref(),
            Some("local")
        );
    }

    #[test]
    fn first_matching_category_wins() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["Politics", "Sports", "World"]), None).as_deref(),
            Some("sports")
        );
    }

    #[test]
    fn no_fuzzy_matching_beyond_the_table() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["world news", "Worlds"]), None),
            None
        );
        assert_eq!(section_for(&s, &cats(&[""]), None), None);
    }

    #[test]
    fn synonyms() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["Sport"]), None).as_deref(),
            Some("sports")
        );
        for c in ["Economy", "markets", "FINANCE"] {
            assert_eq!(
                section_for(&s, &cats(&[c]), None).as_deref(),
                Some("business")
            );
        }
        assert_eq!(
            section_for(&s, &cats(&["Tech"]), None).as_deref(),
            Some("science")
        );
        assert_eq!(
            section_for(&s, &cats(&["Technology"]), None).as_deref(),
            Some("science")
        );
    }

    #[test]
    fn tech_prefers_a_technology_section() {
        let s = site(2, &[("science", "Science"), ("technology", "Technology")]);
        assert_eq!(
            section_for(&s, &cats(&["tech"]), None).as_deref(),
            Some("technology")
        );
        assert_eq!(
            section_for(&s, &cats(&["technology"]), None).as_deref(),
            Some("technology")
        );
    }

    #[test]
    fn synonym_needs_its_target_on_the_site() {
        let s = site(3, &[("world", "World")]);
        assert_eq!(
            section_for(&s, &cats(&["sport", "markets", "tech"]), None),
            None
        );
    }

    #[test]
    fn falls_back_to_the_source_section_then_none() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["Politics"]), Some("World")).as_deref(),
            Some("world")
        );
        assert_eq!(
            section_for(&s, &[], Some("world")).as_deref(),
            Some("world")
        );
        assert_eq!(section_for(&s, &cats(&["Politics"]), Some("arts")), None);
        assert_eq!(section_for(&s, &[], None), None);
    }

    #[test]
    fn category_beats_source_section() {
        let s = echo();
        assert_eq!(
            section_for(&s, &cats(&["Business"]), Some("world")).as_deref(),
            Some("business")
        );
    }

    fn routable<'a>(source: &'a Source, id: i64, categories: &'a [String]) -> Routable<'a> {
        Routable {
            id,
            source,
            categories,
            headline: "",
            text: "",
            dateline: None,
        }
    }

    #[test]
    fn placements_follow_the_sites_sources() {
        let routes = vec![
            SiteRoute {
                site: echo(),
                sources: vec![],
                rules: vec![],
            },
            SiteRoute {
                site: site(2, &[("world", "World")]),
                sources: vec!["RT.com".into()],
                rules: vec![],
            },
            SiteRoute {
                site: site(3, &[("world", "World")]),
                sources: vec!["Other Wire".into()],
                rules: vec![],
            },
            SiteRoute {
                site: site(4, &[("arts", "Arts")]),
                sources: vec![],
                rules: vec![],
            },
        ];
        let src = source("rt.com", None);
        let c = cats(&["World"]);
        let got = placements(&routes, &routable(&src, 42, &c));
        assert_eq!(
            got,
            vec![
                Placement {
                    story_id: 42,
                    site_id: 1,
                    section: "world".into()
                },
                Placement {
                    story_id: 42,
                    site_id: 2,
                    section: "world".into()
                },
            ]
        );
    }

    #[test]
    fn placements_use_the_source_default_and_place_a_site_once() {
        let routes = vec![
            SiteRoute {
                site: echo(),
                sources: vec![],
                rules: vec![],
            },
            SiteRoute {
                site: echo(),
                sources: vec![],
                rules: vec![],
            },
        ];
        let src = source("RT.com", Some("business"));
        let got = placements(&routes, &routable(&src, 9, &[]));
        assert_eq!(
            got,
            vec![Placement {
                story_id: 9,
                site_id: 1,
                section: "business".into()
            }]
        );
        let src = source("RT.com", None);
        assert!(placements(&routes, &routable(&src, 9, &[])).is_empty());
    }
}
