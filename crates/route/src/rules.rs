//! Routing rules: per site, which stories it carries and in which section, by source, by the
//! source's categories, by words in headline or body, by dateline or region, with a priority
//! and an exclusion list.
//!
//! Input: a site's rules and one story's routable facts. Output: the section the first
//! matching rule (highest priority first, then configuration order) picks, or why none did.
//! A site without rules carries what its source list and the category mapping give.

use masthead_model::{Site, Source, StoryId};

/// One routing rule. Every criterion that is not empty must match (any of its entries), and
/// no `exclude` word may appear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// Shown by `rules test`; defaults to "rule N".
    pub name: String,
    /// Higher first; equal priorities keep configuration order.
    pub priority: i32,
    /// Source names.
    pub sources: Vec<String>,
    /// The story's categories as its source gave them.
    pub categories: Vec<String>,
    /// Words or phrases, matched whole and case-insensitively in headline or body.
    pub words: Vec<String>,
    /// Matched case-insensitively inside the dateline ("KYIV", "Ukraine").
    pub datelines: Vec<String>,
    /// The section to place the story in; None maps its categories (or the source's default).
    pub section: Option<String>,
    /// Words or phrases that veto the rule.
    pub exclude: Vec<String>,
}

/// What routing needs to know about a story.
#[derive(Debug, Clone, Copy)]
pub struct Routable<'a> {
    pub id: StoryId,
    pub source: &'a Source,
    pub categories: &'a [String],
    pub headline: &'a str,
    pub text: &'a str,
    pub dateline: Option<&'a str>,
}

/// Why a site carries a story or not, for `masthead rules test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// (rule name, section) that placed the story, if any.
    pub placed: Option<(String, String)>,
    /// One line per rule or check, in the order they were tried.
    pub steps: Vec<String>,
}

impl Rule {
    /// None when the rule matches; otherwise the first criterion that failed.
    fn mismatch(&self, story: &Routable<'_>, lower_text: &str) -> Option<String> {
        if !self.sources.is_empty() && !self.sources.iter().any(|s| same(s, &story.source.name)) {
            return Some(format!(
                "source {:?} is not one of {:?}",
                story.source.name, self.sources
            ));
        }
        if !self.categories.is_empty()
            && !self
                .categories
                .iter()
                .any(|c| story.categories.iter().any(|sc| same(c, sc)))
        {
            return Some(format!(
                "categories {:?} include none of {:?}",
                story.categories, self.categories
            ));
        }
        if !self.words.is_empty() && !self.words.iter().any(|w| contains_phrase(lower_text, w)) {
            return Some(format!("none of the words {:?} appears", self.words));
        }
        if !self.datelines.is_empty() {
            let dateline = story.dateline.unwrap_or("").to_lowercase();
            if !self
                .datelines
                .iter()
                .any(|d| !d.trim().is_empty() && dateline.contains(&d.trim().to_lowercase()))
            {
                return Some(format!(
                    "dateline {:?} matches none of {:?}",
                    story.dateline.unwrap_or(""),
                    self.datelines
                ));
            }
        }
        if let Some(word) = self.exclude.iter().find(|w| contains_phrase(lower_text, w)) {
            return Some(format!("excluded by the word {word:?}"));
        }
        None
    }
}

/// The rules of a site in the order they are tried.
pub(crate) fn ordered(rules: &[Rule]) -> Vec<(usize, &Rule)> {
    let mut ordered: Vec<(usize, &Rule)> = rules.iter().enumerate().collect();
    // Stable: equal priorities keep configuration order.
    ordered.sort_by_key(|(_, r)| std::cmp::Reverse(r.priority));
    ordered
}

/// Applies a site's rules to a story.
pub fn apply(site: &Site, rules: &[Rule], story: &Routable<'_>) -> Explanation {
    let lower_text = format!("{}\n{}", story.headline, story.text).to_lowercase();
    let mut steps = Vec::new();
    for (index, rule) in ordered(rules) {
        let name = if rule.name.is_empty() {
            format!("rule {}", index + 1)
        } else {
            rule.name.clone()
        };
        if let Some(why) = rule.mismatch(story, &lower_text) {
            steps.push(format!("{name} (priority {}): no: {why}", rule.priority));
            continue;
        }
        let section = match &rule.section {
            Some(s) if site.section(s).is_some() => Some(s.clone()),
            Some(s) => {
                steps.push(format!(
                    "{name}: matches, but the site has no section {s:?}"
                ));
                continue;
            }
            None => crate::section_for(site, story.categories, story.source.section.as_deref()),
        };
        match section {
            Some(section) => {
                steps.push(format!("{name} (priority {}): yes → section {section}", rule.priority));
                return Explanation {
                    placed: Some((name, section)),
                    steps,
                };
            }
            None => steps.push(format!(
                "{name}: matches, but no section of the site fits categories {:?} or the source's default",
                story.categories
            )),
        }
    }
    if rules.is_empty() {
        steps.push("the site has no rules".to_owned());
    }
    Explanation {
        placed: None,
        steps,
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether `phrase` occurs in `lower_text` (already lower-case) as whole words.
fn contains_phrase(lower_text: &str, phrase: &str) -> bool {
    let phrase = phrase.trim().to_lowercase();
    if phrase.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric();
    let mut from = 0;
    while let Some(pos) = lower_text.get(from..).and_then(|rest| rest.find(&phrase)) {
        let start = from + pos;
        let end = start + phrase.len();
        let before = lower_text.get(..start).and_then(|s| s.chars().next_back());
        let after = lower_text.get(end..).and_then(|s| s.chars().next());
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return true;
        }
        // Advance by one character, staying on a char boundary.
        from = start
            + lower_text
                .get(start..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::{FullTextPolicy, Section};

    fn site() -> Site {
        Site {
            id: 1,
            slug: "s".into(),
            name: "S".into(),
            hosts: vec![],
            time_zone: "UTC".into(),
            tagline: String::new(),
            sections: ["world", "business", "sports", "local"]
                .iter()
                .map(|s| Section {
                    slug: (*s).into(),
                    name: s.to_uppercase(),
                })
                .collect(),
        }
    }

    fn source(name: &str) -> Source {
        Source {
            id: 1,
            name: name.into(),
            url: "https://x.example/feed".into(),
            section: Some("world".into()),
            dateline: None,
            full_text: FullTextPolicy::Auto,
            interval_secs: 900,
            health: Default::default(),
        }
    }

    fn story<'a>(
        source: &'a Source,
        categories: &'a [String],
        headline: &'a str,
        text: &'a str,
        dateline: Option<&'a str>,
    ) -> Routable<'a> {
        Routable {
            id: 7,
            source,
            categories,
            headline,
            text,
            dateline,
        }
    }

    #[test]
    fn words_match_whole_words_only() {
        assert!(contains_phrase("talks in kyiv ended", "Kyiv"));
        assert!(contains_phrase("the white house said", "White House"));
        assert!(!contains_phrase("unkyivlike", "kyiv"));
        assert!(!contains_phrase("art", "a"));
        assert!(contains_phrase("café owners", "café"));
        assert!(!contains_phrase("anything", ""));
    }

    #[test]
    fn first_matching_rule_by_priority_wins() {
        let rules = vec![
            Rule {
                name: "all world".into(),
                priority: 0,
                section: Some("world".into()),
                ..Rule::default()
            },
            Rule {
                name: "orlando".into(),
                priority: 10,
                datelines: vec!["ORLANDO".into()],
                section: Some("local".into()),
                ..Rule::default()
            },
        ];
        let src = source("Wire");
        let cats = vec!["World".to_string()];
        let local = apply(
            &site(),
            &rules,
            &story(
                &src,
                &cats,
                "Bridge opens",
                "ORLANDO, Florida: x",
                Some("ORLANDO, Florida"),
            ),
        );
        assert_eq!(local.placed, Some(("orlando".into(), "local".into())));
        let world = apply(
            &site(),
            &rules,
            &story(&src, &cats, "Talks", "KYIV: y", Some("KYIV, Ukraine")),
        );
        assert_eq!(world.placed, Some(("all world".into(), "world".into())));
        assert!(world.steps.first().unwrap().contains("orlando"));
    }

    #[test]
    fn exclusions_veto_and_missing_sections_are_explained() {
        let rules = vec![
            Rule {
                name: "business news".into(),
                categories: vec!["Business".into()],
                exclude: vec!["sponsored".into()],
                ..Rule::default()
            },
            Rule {
                name: "to nowhere".into(),
                sources: vec!["Wire".into()],
                section: Some("opinion".into()),
                ..Rule::default()
            },
        ];
        let src = source("Wire");
        let cats = vec!["Business".to_string()];
        let placed = apply(
            &site(),
            &rules,
            &story(&src, &cats, "Shares rise", "Markets rallied.", None),
        );
        assert_eq!(
            placed.placed,
            Some(("business news".into(), "business".into()))
        );
        let vetoed = apply(
            &site(),
            &rules,
            &story(&src, &cats, "Shares rise", "A sponsored post.", None),
        );
        assert_eq!(vetoed.placed, None);
        assert!(
            vetoed
                .steps
                .iter()
                .any(|s| s.contains("excluded by the word"))
        );
        assert!(
            vetoed
                .steps
                .iter()
                .any(|s| s.contains("no section \"opinion\""))
        );
    }

    #[test]
    fn sources_and_categories_are_case_insensitive() {
        let rules = vec![Rule {
            sources: vec!["rt.com".into()],
            categories: vec!["sport".into()],
            section: Some("sports".into()),
            ..Rule::default()
        }];
        let src = source("RT.com");
        let cats = vec!["Sport".to_string()];
        let e = apply(
            &site(),
            &rules,
            &story(&src, &cats, "Cup final", "Text", None),
        );
        assert_eq!(e.placed, Some(("rule 1".into(), "sports".into())));
    }
}
