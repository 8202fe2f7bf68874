//! feed-rs's model to ours.
//!
//! Input: a `feed_rs::model::Feed`, the offsets recorded while its dates were parsed, and what
//! the JSON Feed and Media RSS side passes found. Output: a [`ParsedFeed`].
//! Never fails and never drops an entry: a field that cannot be made right is `None`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use feed_rs::model::{self, FeedType, Link, MediaContent, Text};
use masthead_model::{LeadImage, OffsetTime};
use url::Url;

use crate::json::RawItem;
use crate::links::absolute_http;
use crate::media::ItemMedia;
use crate::text::{one_line, text_to_html};
use crate::{Entry, FeedKind, NO_ID, ParsedFeed};

pub(crate) struct Context<'a> {
    pub base: Option<&'a Url>,
    /// Unix microseconds → offset seconds, as the timestamp parser saw them.
    pub offsets: &'a HashMap<i64, i32>,
    /// One per JSON Feed item in document order; empty for XML feeds.
    pub json_items: &'a [RawItem],
    /// One per XML item in document order; empty when the side pass failed or disagreed.
    pub media: &'a [ItemMedia],
}

pub(crate) fn convert(feed: model::Feed, ctx: &Context<'_>) -> ParsedFeed {
    let kind = match feed.feed_type {
        FeedType::RSS0 => FeedKind::Rss0,
        FeedType::RSS1 => FeedKind::Rss1,
        FeedType::RSS2 => FeedKind::Rss2,
        FeedType::Atom => FeedKind::Atom,
        FeedType::JSON => FeedKind::JsonFeed,
    };
    let title = feed.title.as_ref().and_then(text_line);
    let link = page_link(&feed.links, ctx.base);
    let rel_link = |rel: &str| {
        feed.links
            .iter()
            .find(|l| {
                l.rel
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(rel))
            })
            .and_then(|l| absolute_http(&l.href, ctx.base))
    };
    let hub = rel_link("hub");
    let self_url = rel_link("self");
    let entries = feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| convert_entry(e, kind, i, ctx))
        .collect();
    ParsedFeed {
        kind,
        title,
        link,
        hub,
        self_url,
        entries,
    }
}

fn convert_entry(e: model::Entry, kind: FeedKind, index: usize, ctx: &Context<'_>) -> Entry {
    let guid = Some(e.id.trim())
        .filter(|id| !id.is_empty() && *id != NO_ID)
        .map(str::to_owned);

    // The JSON side pass is matched by position; the id check guards against feed-rs ever
    // skipping an item.
    let raw = ctx
        .json_items
        .get(index)
        .filter(|raw| raw.id.is_none() || raw.id == guid);
    let side_media = ctx.media.get(index);

    let is_rss = matches!(kind, FeedKind::Rss0 | FeedKind::Rss1 | FeedKind::Rss2);
    let url = page_link(&e.links, ctx.base).or_else(|| {
        // RSS 2.0: a guid is a permalink unless it says otherwise; when it is the only URL
        // the item has, it is the best we have.
        guid.as_deref()
            .filter(|_| is_rss)
            .and_then(|g| absolute_http(g, None))
    });

    let (summary_html, content_html) = match raw {
        Some(raw) => (
            raw.summary.clone(),
            raw.content_html
                .clone()
                .or_else(|| raw.content_text.as_deref().and_then(text_to_html)),
        ),
        None if kind == FeedKind::JsonFeed => (None, None),
        None => (
            e.summary.as_ref().and_then(text_html),
            e.content.as_ref().and_then(content_html),
        ),
    };

    let published = offset_time(e.published, ctx.offsets);
    let updated = offset_time(e.updated, ctx.offsets).filter(|u| Some(*u) != published);

    let mut image = media_image(&e, side_media, ctx.base)
        .or_else(|| raw.and_then(|raw| json_image(raw, ctx.base)))
        .or_else(|| link_image(&e.links, ctx.base));
    if let (Some(image), Some(raw)) = (image.as_mut(), raw) {
        // Our own extension states what the feed meant; it wins over anything inferred.
        if raw.image_credit.is_some() {
            image.credit.clone_from(&raw.image_credit);
        }
        if raw.image_caption.is_some() {
            image.caption.clone_from(&raw.image_caption);
        }
    }

    Entry {
        guid,
        url,
        title: e.title.as_ref().and_then(text_line),
        summary_html,
        content_html,
        author: authors(&e.authors),
        published,
        updated,
        categories: categories(&e.categories),
        image,
        dateline: raw.and_then(|raw| raw.dateline.clone()),
    }
}

fn is_html(mime: &str) -> bool {
    mime.contains("html")
}

fn text_line(text: &Text) -> Option<String> {
    one_line(&text.content, is_html(text.content_type.as_str()))
}

fn text_html(text: &Text) -> Option<String> {
    if is_html(text.content_type.as_str()) {
        let html = text.content.trim();
        (!html.is_empty()).then(|| html.to_owned())
    } else {
        text_to_html(&text.content)
    }
}

fn content_html(content: &model::Content) -> Option<String> {
    let body = content.body.as_deref()?.trim();
    let mime = content.content_type.as_str();
    if body.is_empty() {
        None
    } else if is_html(mime) {
        Some(body.to_owned())
    } else if mime.starts_with("text/") {
        text_to_html(body)
    } else {
        // Atom allows base64 media inline; that is not an article body.
        None
    }
}

/// The first link meant for a reader: RSS `link`, Atom `rel="alternate"` (the default), JSON
/// Feed `url` then `external_url`; never comments, enclosures or attachments.
fn page_link(links: &[Link], base: Option<&Url>) -> Option<String> {
    links
        .iter()
        .filter(|l| l.target.is_none())
        .filter(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .filter(|l| l.media_type.as_deref().is_none_or(is_html))
        .find_map(|l| absolute_http(&l.href, base))
}

fn offset_time(at: Option<DateTime<Utc>>, offsets: &HashMap<i64, i32>) -> Option<OffsetTime> {
    let (micros, carried) = crate::date::uncarry(at?);
    // Not found means the value did not come through our parser; UTC is then all we know.
    let offset = carried
        .or_else(|| offsets.get(&micros).copied())
        .unwrap_or(0);
    OffsetTime::new(micros, offset).ok()
}

fn authors(people: &[model::Person]) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for person in people {
        let Some(name) = person.name.as_deref() else {
            continue;
        };
        // RSS `author` is "jane@example.com (Jane Doe)"; feed-rs leaves the parentheses.
        let name = name
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        let Some(name) = one_line(name, false) else {
            continue;
        };
        if !name.contains('@') && !names.contains(&name) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

fn categories(categories: &[model::Category]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for category in categories {
        let label = category.label.as_deref().unwrap_or(&category.term);
        if let Some(label) = one_line(label, false)
            && !out.contains(&label)
        {
            out.push(label);
        }
    }
    out
}

fn media_image(
    e: &model::Entry,
    side: Option<&ItemMedia>,
    base: Option<&Url>,
) -> Option<LeadImage> {
    let side_caption = side.and_then(|s| s.description.as_deref().or(s.title.as_deref()));
    let side_credit = side.and_then(|s| s.credit.as_deref());
    let with = |url: String, caption: Option<&Text>, credit: Option<&str>| LeadImage {
        url,
        caption: caption
            .and_then(text_line)
            .or_else(|| side_caption.and_then(|c| one_line(c, true))),
        credit: credit
            .and_then(|c| one_line(c, false))
            .or_else(|| side_credit.and_then(|c| one_line(c, false))),
        alt: None,
    };

    // media:content and image enclosures (feed-rs files both as media content) come first,
    // then a media:content that only says medium="image", then thumbnails.
    for object in &e.media {
        let found = object
            .content
            .iter()
            .filter(|c| is_image_content(c))
            .find_map(|c| absolute_http(c.url.as_ref()?.as_str(), base));
        if let Some(url) = found {
            let caption = object.description.as_ref().or(object.title.as_ref());
            let credit = object.credits.first().map(|c| c.entity.as_str());
            return Some(with(url, caption, credit));
        }
    }
    if let Some(url) = side
        .and_then(|s| s.image_content.as_deref())
        .and_then(|u| absolute_http(u, base))
    {
        return Some(with(url, None, None));
    }
    for object in &e.media {
        let found = object
            .thumbnails
            .iter()
            .find_map(|t| absolute_http(&t.image.uri, base));
        if let Some(url) = found {
            let caption = object.description.as_ref().or(object.title.as_ref());
            let credit = object.credits.first().map(|c| c.entity.as_str());
            return Some(with(url, caption, credit));
        }
    }
    side.and_then(|s| s.thumbnail.as_deref())
        .and_then(|u| absolute_http(u, base))
        .map(|url| with(url, None, None))
}

fn is_image_content(content: &MediaContent) -> bool {
    match &content.content_type {
        Some(mime) => mime.as_str().to_ascii_lowercase().starts_with("image/"),
        // No type: trust a file name that says image (medium="image" is not kept by feed-rs).
        None => content.url.as_ref().is_some_and(|u| {
            let path = u.path().to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
                .iter()
                .any(|ext| path.ends_with(ext))
        }),
    }
}

fn json_image(raw: &RawItem, base: Option<&Url>) -> Option<LeadImage> {
    let url = [raw.image.as_deref(), raw.banner_image.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|u| absolute_http(u, base))?;
    Some(LeadImage {
        url,
        ..LeadImage::default()
    })
}

/// Atom `<link rel="enclosure" type="image/…">` and JSON Feed image attachments.
fn link_image(links: &[Link], base: Option<&Url>) -> Option<LeadImage> {
    links
        .iter()
        .filter(|l| matches!(l.rel.as_deref(), None | Some("enclosure")))
        .filter(|l| {
            l.media_type
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().starts_with("image/"))
        })
        .find_map(|l| {
            Some(LeadImage {
                url: absolute_http(&l.href, base)?,
                alt: l.title.as_deref().and_then(|t| one_line(t, false)),
                ..LeadImage::default()
            })
        })
}
