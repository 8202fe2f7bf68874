//! Template data: the askama page structs and the small view models they show.
//!
//! Input: store values plus the site they are shown on. Output: plain strings ready for
//! escaping templates (`templates/*.html`). Only [`ArticlePage::body`] is rendered unescaped,
//! and it can only be a `SanitizedHtml`. Nothing here touches the store.

use askama::Template;
use masthead_model::{LeadImage, StorySummary};
use masthead_normalize::SanitizedHtml;

use crate::sites::SiteEntry;
use crate::structured::JsonLd;

/// The frame every site page shares: header, navigation, footer.
#[derive(Debug)]
pub(crate) struct Chrome<'a> {
    pub title: String,
    pub site_name: &'a str,
    pub tagline: &'a str,
    /// `""` on a Host-selected site, `/s/{slug}` on the fallback: every link starts with it.
    pub prefix: &'a str,
    pub network_name: &'a str,
    pub nav: Vec<NavItem<'a>>,
    /// `aria-current` value for the Home link, or empty.
    pub home_current: &'static str,
    /// The home page makes the site name its one `h1`; other pages have their own.
    pub name_is_h1: bool,
    /// `<link rel="alternate">` to the site's feeds (and the section's, on its page).
    pub feeds: Vec<FeedLink>,
    /// Canonical link, Open Graph and Twitter card tags; set by pages that have them.
    pub meta: Option<PageMeta>,
}

/// One `<link rel="alternate">` of the head.
#[derive(Debug)]
pub(crate) struct FeedLink {
    pub mime: &'static str,
    pub title: String,
    pub href: String,
}

/// What the head says about a page to search engines and link previews. All URLs absolute.
#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    /// `rel=canonical`: our own URL, or the source's (see `structured::CanonicalPolicy`).
    pub canonical: String,
    /// `og:url`: always our own URL.
    pub url: String,
    /// `website` or `article`.
    pub og_type: &'static str,
    pub title: String,
    pub description: Option<String>,
    pub image: Option<String>,
    pub image_alt: Option<String>,
    /// `article:published_time` / `article:modified_time`, RFC 3339 with the source's offset.
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
}

#[derive(Debug)]
pub(crate) struct NavItem<'a> {
    pub name: &'a str,
    pub href: String,
    /// `page` on the section's own page, `true` on an article in it, empty otherwise.
    pub current: &'static str,
}

/// Which navigation entry to mark.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Active<'s> {
    None,
    Home,
    /// The section page itself.
    Section(&'s str),
    /// An article placed in this section.
    InSection(&'s str),
}

impl<'a> Chrome<'a> {
    pub fn new(
        entry: &'a SiteEntry,
        prefix: &'a str,
        network_name: &'a str,
        title: String,
        active: Active<'_>,
    ) -> Self {
        let nav = entry
            .site
            .sections
            .iter()
            .map(|s| NavItem {
                name: &s.name,
                href: format!("{prefix}/section/{}", s.slug),
                current: match active {
                    Active::Section(slug) if slug == s.slug => "page",
                    Active::InSection(slug) if slug == s.slug => "true",
                    _ => "",
                },
            })
            .collect();
        let site_name = &entry.site.name;
        let mut feeds = feed_links(site_name, prefix);
        if let Active::Section(slug) = active
            && let Some(section) = entry.site.section(slug)
        {
            feeds.extend(feed_links(
                &format!("{} — {site_name}", section.name),
                &format!("{prefix}/section/{}", section.slug),
            ));
        }
        Self {
            title,
            site_name,
            tagline: &entry.site.tagline,
            prefix,
            network_name,
            nav,
            home_current: if matches!(active, Active::Home) {
                "page"
            } else {
                ""
            },
            name_is_h1: matches!(active, Active::Home),
            feeds,
            meta: None,
        }
    }

    pub fn with_meta(mut self, meta: PageMeta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The three formats of one feed whose paths start with `base`.
fn feed_links(title: &str, base: &str) -> Vec<FeedLink> {
    [
        ("application/rss+xml", "RSS", "feed.xml"),
        ("application/atom+xml", "Atom", "atom.xml"),
        ("application/feed+json", "JSON Feed", "feed.json"),
    ]
    .into_iter()
    .map(|(mime, format, file)| FeedLink {
        mime,
        title: format!("{title} ({format})"),
        href: format!("{base}/{file}"),
    })
    .collect()
}

/// A lead image as pages show it; only `http(s)` and site-relative sources are kept, so a
/// stored `javascript:` or `data:` URL never reaches an attribute.
#[derive(Debug)]
pub(crate) struct ImageView {
    pub src: String,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

impl ImageView {
    pub fn from_lead(image: Option<&LeadImage>) -> Option<Self> {
        let image = image?;
        let url = image.url.trim();
        let lower = url.to_ascii_lowercase();
        let allowed = lower.starts_with("https://")
            || lower.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//"));
        if !allowed {
            return None;
        }
        Some(Self {
            src: url.to_owned(),
            alt: image
                .alt
                .clone()
                .or_else(|| image.caption.clone())
                .unwrap_or_default(),
            caption: image.caption.clone().filter(|c| !c.trim().is_empty()),
            credit: image.credit.clone().filter(|c| !c.trim().is_empty()),
        })
    }
}

/// A story in a list: headline, teaser, source and time.
#[derive(Debug)]
pub(crate) struct Card {
    pub href: String,
    pub headline: String,
    pub teaser: String,
    pub standfirst: Option<String>,
    pub source: String,
    pub time_text: String,
    pub time_iso: String,
    pub image: Option<ImageView>,
}

impl Card {
    pub fn new(s: &StorySummary, entry: &SiteEntry, prefix: &str, teaser_chars: usize) -> Self {
        Self {
            href: story_href(prefix, s.id, &s.slug),
            headline: s.headline.clone(),
            teaser: teaser_of(s, teaser_chars),
            standfirst: s.standfirst.clone().filter(|t| !t.trim().is_empty()),
            source: s.source_name.clone(),
            time_text: masthead_normalize::format_site_time(s.published, &entry.zone),
            time_iso: s.published.to_rfc3339(),
            image: ImageView::from_lead(s.image.as_ref()),
        }
    }
}

/// A teaser link of the More Information list.
#[derive(Debug)]
pub(crate) struct TeaserLink {
    pub href: String,
    pub text: String,
}

pub(crate) fn story_href(prefix: &str, id: i64, slug: &str) -> String {
    format!("{prefix}/story/{id}/{slug}")
}

/// `DATELINE: lead…`: the dateline found in the lead wins (it is the text's own), else the
/// story's stored one; none shows the lead alone.
pub(crate) fn teaser_of(s: &StorySummary, max_chars: usize) -> String {
    let (found, rest) = masthead_normalize::split_dateline(&s.lead);
    match found {
        Some(dateline) => masthead_normalize::teaser(Some(&dateline), &rest, max_chars),
        None => masthead_normalize::teaser(s.dateline.as_deref(), &s.lead, max_chars),
    }
}

#[derive(Template)]
#[template(path = "plain.html")]
pub(crate) struct PlainPage<'a> {
    pub heading: &'a str,
    pub message: &'a str,
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub chrome: Chrome<'a>,
    pub heading: &'a str,
    pub message: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage<'a> {
    pub chrome: Chrome<'a>,
    pub lead: Option<Card>,
    pub sections: Vec<HomeSection<'a>>,
}

#[derive(Debug)]
pub(crate) struct HomeSection<'a> {
    pub name: &'a str,
    pub href: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "section.html")]
pub(crate) struct SectionPage<'a> {
    pub chrome: Chrome<'a>,
    pub name: &'a str,
    pub page: i64,
    pub pages: i64,
    pub cards: Vec<Card>,
    pub newer: Option<String>,
    pub older: Option<String>,
}

#[derive(Template)]
#[template(path = "article.html")]
pub(crate) struct ArticlePage<'a> {
    pub chrome: Chrome<'a>,
    pub headline: &'a str,
    pub byline: Option<String>,
    pub source: &'a str,
    pub time_text: String,
    pub time_iso: String,
    /// "Updated …" in the site's zone, and its RFC 3339 form, when the source revised it.
    pub updated: Option<(String, String)>,
    pub standfirst: Option<&'a str>,
    pub image: Option<ImageView>,
    pub body: SanitizedHtml,
    pub more: Vec<TeaserLink>,
    /// The NewsArticle JSON-LD, already escaped for a `<script>` element.
    pub json_ld: JsonLd,
}

/// The submit page: honest about what is not built yet.
#[derive(Template)]
#[template(path = "coming.html")]
pub(crate) struct ComingPage<'a> {
    pub chrome: Chrome<'a>,
    pub heading: String,
    pub paragraphs: Vec<String>,
}
