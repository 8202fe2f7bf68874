//! The search page of one site: `/search?q=&section=&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N`
//! (also under `/s/{site}/search`).
//!
//! Input: the query string as sent. Output: a page of hits from `Store::search`, each with its
//! headline link, section, source and time in the site's zone, and a snippet whose matched words
//! are `<mark>`ed (the text itself is escaped like any other); the filters; pagination. Bad
//! filters answer 400 saying what to fix. Search pages are not put in the page cache: their key
//! would be whatever a reader types, and a stream of distinct queries would keep clearing the
//! cache the hot pages live in. Never writes; never renders stored text unescaped.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use masthead_model::{SearchHit, SearchQuery};

use crate::pages::SiteCtx;
use crate::sites::SiteEntry;
use crate::views::{Active, Chrome, story_href, teaser_of};
use crate::{AppState, WebError};

/// Hits per page.
const PER_PAGE: i64 = 20;
/// A snippet-less hit (a headline-only match in an empty body) shows this much of its lead.
const TEASER_CHARS: usize = 160;

/// The query string as read: every value optional, the last of a repeated key winning, so that
/// no query string is refused before we can say which part is wrong.
#[derive(Debug, Default)]
struct Params {
    q: String,
    section: String,
    from: String,
    to: String,
    page: String,
}

impl Params {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut params = Self::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "q" => &mut params.q,
                "section" => &mut params.section,
                "from" => &mut params.from,
                "to" => &mut params.to,
                "page" => &mut params.page,
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
        params
    }
}

/// The filters, checked against the site: what the store is asked.
#[derive(Debug, PartialEq)]
struct Filters {
    section: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
    page: i64,
}

fn bad(message: impl Into<String>) -> WebError {
    WebError::BadRequest {
        message: message.into(),
    }
}

/// A calendar day written `YYYY-MM-DD`, as `<input type="date">` sends it.
fn parse_day(raw: &str, name: &str) -> Result<Date, WebError> {
    let valid = raw.len() == 10 && raw.bytes().filter(|b| *b == b'-').count() == 2;
    let date = valid.then(|| raw.parse::<Date>().ok()).flatten();
    date.ok_or_else(|| {
        bad(format!(
            "The “{name}” date must be a calendar date written YYYY-MM-DD, like 2025-04-12."
        ))
    })
}

/// The instant a day starts in the site's zone (unix µs).
fn micros_at_start(date: Date, zone: &TimeZone) -> Result<i64, WebError> {
    date.to_zoned_datetime(zone.clone())
        .map(|z| z.timestamp().as_microsecond())
        .map_err(|_| bad("That date is out of range: pick a date between the years 1 and 9998."))
}

fn filters(params: &Params, entry: &SiteEntry) -> Result<Filters, WebError> {
    let section = if params.section.is_empty() {
        None
    } else {
        let known = entry.site.section(&params.section).ok_or_else(|| {
            bad(format!(
                "This site has no section “{}”: choose one from the list, or All sections.",
                params.section
            ))
        })?;
        Some(known.slug.clone())
    };
    let from = if params.from.is_empty() {
        None
    } else {
        Some(parse_day(&params.from, "from")?)
    };
    let to = if params.to.is_empty() {
        None
    } else {
        Some(parse_day(&params.to, "to")?)
    };
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(bad(
            "The “from” date is after the “to” date: swap them, or leave one empty.",
        ));
    }
    let page = if params.page.is_empty() {
        1
    } else {
        params
            .page
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| bad("The page number must be a whole number from 1 up, like page=2."))?
    };
    // `to` names the last day included: the search ends where the next day starts.
    let to_end = match to {
        Some(day) => {
            let next = day
                .tomorrow()
                .map_err(|_| bad("The “to” date is out of range: pick an earlier one."))?;
            Some(micros_at_start(next, &entry.zone)?)
        }
        None => None,
    };
    Ok(Filters {
        section,
        from: from.map(|d| micros_at_start(d, &entry.zone)).transpose()?,
        to: to_end,
        page,
    })
}

/// One result as the page shows it.
#[derive(Debug)]
pub(crate) struct HitView {
    pub href: String,
    pub headline: String,
    pub section: String,
    pub section_href: String,
    pub source: String,
    pub time_text: String,
    pub time_iso: String,
    /// (text, matched): the template escapes each and wraps matched ones in `<mark>`.
    pub snippet: Vec<(String, bool)>,
}

impl HitView {
    fn new(hit: &SearchHit, entry: &SiteEntry, prefix: &str) -> Self {
        let s = &hit.summary;
        let mut snippet = hit.segments();
        if snippet.iter().all(|(text, _)| text.trim().is_empty()) {
            snippet = vec![(teaser_of(s, TEASER_CHARS), false)];
        }
        let section = entry
            .site
            .section(&s.section)
            .map_or_else(|| s.section.clone(), |sec| sec.name.clone());
        Self {
            href: story_href(prefix, s.id, &s.slug),
            headline: s.headline.clone(),
            section,
            section_href: format!("{prefix}/section/{}", s.section),
            source: s.source_name.clone(),
            time_text: masthead_normalize::format_site_time(s.published, &entry.zone),
            time_iso: s.published.to_rfc3339(),
            snippet,
        }
    }
}

/// A section in the filter's `<select>`.
#[derive(Debug)]
pub(crate) struct SectionOption<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchView<'a> {
    pub chrome: Chrome<'a>,
    pub q: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub sections: Vec<SectionOption<'a>>,
    /// The reader typed nothing searchable: show the form and a prompt, not "no results".
    pub prompt: bool,
    pub filtered: bool,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub hits: Vec<HitView>,
    pub newer: Option<String>,
    pub older: Option<String>,
    pub first_page: String,
}

/// The search address of one page of these results, filters kept, `page` left out for the
/// first.
fn page_href(prefix: &str, params: &Params, page: i64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", &params.q);
    for (key, value) in [
        ("section", &params.section),
        ("from", &params.from),
        ("to", &params.to),
    ] {
        if !value.is_empty() {
            query.append_pair(key, value);
        }
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    format!("{prefix}/search?{}", query.finish())
}

pub(crate) async fn search(
    State(app): State<AppState>,
    Extension(ctx): Extension<SiteCtx>,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Query(pairs) =
        query.map_err(|_| bad("This search address is malformed: search again from the form."))?;
    let params = Params::read(pairs);
    let entry = &ctx.entry;
    let site = &entry.site;
    let filters = filters(&params, entry)?;

    let asked = SearchQuery {
        text: params.q.clone(),
        section: filters.section.clone(),
        from: filters.from,
        to: filters.to,
        offset: (filters.page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let prompt = asked.terms().is_empty();
    let found = if prompt {
        masthead_model::SearchPage::default()
    } else {
        app.store.search(site.id, &asked).await?
    };

    let pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = filters.page;
    let newer =
        (page > 1 && !found.hits.is_empty()).then(|| page_href(&ctx.prefix, &params, page - 1));
    let older = (page < pages).then(|| page_href(&ctx.prefix, &params, page + 1));
    let title = match (prompt, page) {
        (true, _) => format!("Search — {}", site.name),
        (false, 1) => format!("“{}” — Search — {}", params.q, site.name),
        (false, n) => format!("“{}” — Search, page {n} — {}", params.q, site.name),
    };
    let view = SearchView {
        chrome: Chrome::new(entry, &ctx.prefix, &app.network_name, title, Active::None),
        q: &params.q,
        from: &params.from,
        to: &params.to,
        sections: site
            .sections
            .iter()
            .map(|s| SectionOption {
                slug: &s.slug,
                name: &s.name,
                selected: filters.section.as_deref() == Some(s.slug.as_str()),
            })
            .collect(),
        prompt,
        filtered: filters.section.is_some() || filters.from.is_some() || filters.to.is_some(),
        total: found.total,
        page,
        pages,
        hits: found
            .hits
            .iter()
            .map(|h| HitView::new(h, entry, &ctx.prefix))
            .collect(),
        newer,
        older,
        first_page: page_href(&ctx.prefix, &params, 1),
    };
    let body = view.render().map_err(|source| WebError::Render {
        template: "search",
        source,
    })?;
    // No `Cacheable` mark: see the module comment. Browsers and proxies may still keep it.
    Ok((
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::read(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn links_keep_the_filters_and_encode_the_words() {
        let p = params(&[
            ("q", "café & “tea”"),
            ("section", "world"),
            ("to", "2025-04-12"),
        ]);
        assert_eq!(
            page_href("/s/echo", &p, 2),
            "/s/echo/search?q=caf%C3%A9+%26+%E2%80%9Ctea%E2%80%9D&section=world&to=2025-04-12&page=2"
        );
        assert_eq!(
            page_href("", &p, 1),
            "/search?q=caf%C3%A9+%26+%E2%80%9Ctea%E2%80%9D&section=world&to=2025-04-12"
        );
    }

    #[test]
    fn the_last_of_a_repeated_key_wins() {
        let p = params(&[("q", "a"), ("q", " b "), ("utm", "x")]);
        assert_eq!(p.q, "b");
    }
}
