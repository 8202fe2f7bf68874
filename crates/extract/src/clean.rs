//! Cleaning the chosen body: what inside it is not the story.
//!
//! Input: the page, the body roots `body` chose and the attempt's dead nodes. Output: a verdict
//! per node (dropped or kept) and which tables hold data. Readability's conditional cleaning
//! (forms, tables, lists and divs judged by link density, images, list items and class weight)
//! plus the news boilerplate it misses: share bars, newsletter and release promos, related
//! story lists and their headings, ad labels. Decisions run bottom-up in one reverse pass, so a
//! container is judged on what is left inside it, as Readability judges it after removing its
//! children. It never drops a root itself.

use crate::body::{Flags, Stats};
use crate::dom::{Attr, Dom, Kind, NodeId, Tag};
use crate::hints;

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    s: Stats,
    p: u32,
    img: u32,
    li: u32,
    controls: u32,
    /// Text inside headings, list items and "textish" elements (Readability's densities).
    heading_text: u32,
    li_text: u32,
    textish_text: u32,
}

pub(crate) struct Verdicts {
    pub drop: Vec<bool>,
    pub data_table: Vec<bool>,
}

const AD_LABELS: &[&str] = &[
    "ad",
    "ads",
    "advertising",
    "advertisement",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "article continues below advertisement",
    "continue reading below",
    "skip advertisement",
    "loading",
    "loading...",
    "loading…",
    "publicité",
    "werbung",
    "anuncio",
];

const PROMO_PHRASES: &[&str] = &[
    "newsletter",
    "subscribe",
    "sign up",
    "signup",
    "daily email",
    "news release",
    "follow us",
    "share this",
    "share on",
    "download our app",
    "get the app",
    "cookie",
];

const RELATED_HEADINGS: &[&str] = &[
    "related",
    "more information",
    "read more",
    "more stories",
    "more from",
    "more on this",
    "recommended",
    "you may also like",
    "you might also like",
    "most popular",
    "most read",
    "trending",
    "comments",
    "share this",
    "share this article",
    "latest news",
    "see also",
    "also read",
    "top stories",
];

fn lower_text(dom: &Dom, i: NodeId) -> String {
    dom.text(i).to_lowercase()
}

pub(crate) fn verdicts(
    dom: &Dom,
    roots: &[NodeId],
    dead: &[bool],
    headline: Option<&str>,
    flags: Flags,
) -> Verdicts {
    let n = dom.len();
    let mut drop = vec![false; n];
    let mut data_table = vec![false; n];
    let mut acc = vec![Acc::default(); n];
    let headline_key = headline.map(key);
    mark_data_tables(dom, roots, dead, &mut data_table);
    let ctx = Context {
        in_data: inside_data_table(dom, &data_table),
        in_code: dom.inside(&[Tag::Code, Tag::Pre]),
        in_table: dom.inside(&[Tag::Table]),
        in_figure: dom.inside(&[Tag::Figure]),
    };
    for &root in roots {
        let end = dom.end(root);
        for i in (root..end).rev() {
            if dead.get(i).copied().unwrap_or(true) {
                // Controls were dropped as junk, but a container holding them is a form.
                if dom.tag(i).is_some_and(|t| {
                    matches!(t, Tag::Input | Tag::Button | Tag::Select | Tag::Textarea)
                }) && let Some(p) = dom.parent(i)
                    && let Some(pa) = acc.get_mut(p)
                {
                    pa.controls = pa.controls.saturating_add(1);
                }
                continue;
            }
            let mut a = acc.get(i).copied().unwrap_or_default();
            let mut dropped = drop.get(i).copied().unwrap_or(false);
            match dom.node(i).map(|x| &x.kind) {
                Some(Kind::Text(_, len, commas)) => {
                    a.s.text = *len;
                    a.s.commas = *commas;
                }
                Some(Kind::Element(e)) => {
                    if e.tag == Tag::A {
                        let hash = e
                            .attr(Attr::Href)
                            .is_some_and(|h| h.trim_start().starts_with('#'));
                        a.s.link = a.s.text as f32 * if hash { 0.3 } else { 1.0 };
                    }
                    if i != root && !dropped {
                        dropped = judge(dom, i, e, &a, flags, headline_key.as_deref(), &ctx);
                    }
                    if dropped {
                        // The heading that introduced a dropped list or promo goes with it.
                        if let Some(prev) = previous_element(dom, i)
                            && dom.size(prev) < 64
                            && dom.tag(prev).is_some_and(Tag::is_heading)
                            && !roots.contains(&prev)
                            && dom.text(prev).chars().count() < 80
                            && let Some(slot) = drop.get_mut(prev)
                        {
                            *slot = true;
                        }
                    }
                }
                _ => {}
            }
            if let Some(slot) = drop.get_mut(i) {
                *slot = dropped;
            }
            if let Some(slot) = acc.get_mut(i) {
                *slot = a;
            }
            if dropped {
                continue;
            }
            let Some(p) = dom.parent(i) else { continue };
            let tag = dom.tag(i);
            let Some(pa) = acc.get_mut(p) else { continue };
            pa.s.text = pa.s.text.saturating_add(a.s.text);
            pa.s.link += a.s.link;
            pa.s.commas = pa.s.commas.saturating_add(a.s.commas);
            pa.p = pa.p.saturating_add(a.p);
            pa.img = pa.img.saturating_add(a.img);
            pa.li = pa.li.saturating_add(a.li);
            pa.controls = pa.controls.saturating_add(a.controls);
            pa.s.has_block |= a.s.has_block || tag.is_some_and(|t| t.is_block() || t == Tag::Img);
            let heading = tag.is_some_and(Tag::is_heading);
            pa.heading_text =
                pa.heading_text
                    .saturating_add(if heading { a.s.text } else { a.heading_text });
            pa.li_text = pa.li_text.saturating_add(if tag == Some(Tag::Li) {
                a.s.text
            } else {
                a.li_text
            });
            // Loose text in a div reads as a paragraph (Readability wraps it in one).
            let loose = tag.is_none() && dom.tag(p) == Some(Tag::Div);
            let textish = loose
                || tag.is_some_and(|t| {
                    matches!(
                        t,
                        Tag::Span
                            | Tag::Li
                            | Tag::Td
                            | Tag::Blockquote
                            | Tag::Dl
                            | Tag::Div
                            | Tag::Img
                            | Tag::Ol
                            | Tag::P
                            | Tag::Pre
                            | Tag::Table
                            | Tag::Ul
                    )
                });
            pa.textish_text =
                pa.textish_text
                    .saturating_add(if textish { a.s.text } else { a.textish_text });
            match tag {
                Some(Tag::P) => pa.p = pa.p.saturating_add(1),
                Some(Tag::Img) => pa.img = pa.img.saturating_add(1),
                Some(Tag::Li) => pa.li = pa.li.saturating_add(1),
                _ => {}
            }
        }
    }
    Verdicts { drop, data_table }
}

/// The element sibling before `i`, skipping whitespace text.
fn previous_element(dom: &Dom, i: NodeId) -> Option<NodeId> {
    let mut cur = dom.prev_sibling(i);
    while let Some(c) = cur {
        match dom.node(c).map(|x| &x.kind) {
            Some(Kind::Element(_)) => return Some(c),
            Some(Kind::Text(t, ..)) if !t.trim().is_empty() => return None,
            _ => {}
        }
        cur = dom.prev_sibling(c);
    }
    None
}

/// Where a node sits, computed once per page (linear) instead of per node.
struct Context {
    in_data: Vec<bool>,
    in_code: Vec<bool>,
    in_table: Vec<bool>,
    in_figure: Vec<bool>,
}

fn flag(v: &[bool], i: NodeId) -> bool {
    v.get(i).copied().unwrap_or(false)
}

/// Readability's `_markDataTables`, bottom-up over the body: a table with headers, a caption,
/// a summary, or many rows or cells, and no table inside, holds data; others are layout.
fn mark_data_tables(dom: &Dom, roots: &[NodeId], dead: &[bool], data_table: &mut [bool]) {
    #[derive(Clone, Copy, Default)]
    struct T {
        rows: u32,
        cells: u32,
        marks: bool,
        nested: bool,
    }
    let mut acc = vec![T::default(); dom.len()];
    for &root in roots {
        for i in (root..dom.end(root)).rev() {
            if flag(dead, i) {
                continue;
            }
            let Some(e) = dom.element(i) else { continue };
            let mut t = acc.get(i).copied().unwrap_or_default();
            if e.tag == Tag::Table {
                let is_data = e.attr(Attr::Role) != Some("presentation")
                    && !t.nested
                    && (t.marks
                        || e.attr(Attr::Summary).is_some()
                        || t.rows >= 10
                        || t.cells > 10 + t.rows);
                if let Some(slot) = data_table.get_mut(i) {
                    *slot = is_data;
                }
                // Seen from outside, this table is only "a nested table".
                t = T {
                    nested: true,
                    ..T::default()
                };
            }
            match e.tag {
                Tag::Tr => t.rows = t.rows.saturating_add(1),
                Tag::Td => t.cells = t.cells.saturating_add(1),
                Tag::Th | Tag::Thead | Tag::Caption => {
                    t.marks = true;
                    t.cells = t.cells.saturating_add(1);
                }
                _ => {}
            }
            if let Some(p) = dom.parent(i)
                && let Some(pa) = acc.get_mut(p)
            {
                pa.rows = pa.rows.saturating_add(t.rows);
                pa.cells = pa.cells.saturating_add(t.cells);
                pa.marks |= t.marks;
                pa.nested |= t.nested;
            }
        }
    }
}

/// Whether each node lies inside a data table (its own table included for cells).
fn inside_data_table(dom: &Dom, data_table: &[bool]) -> Vec<bool> {
    let mut out = vec![false; dom.len()];
    for i in 0..dom.len() {
        let v = dom
            .parent(i)
            .is_some_and(|p| flag(&out, p) || flag(data_table, p));
        if let Some(slot) = out.get_mut(i) {
            *slot = v;
        }
    }
    out
}

/// Comparable form of a heading: lower-case words only.
pub(crate) fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

fn judge(
    dom: &Dom,
    i: NodeId,
    e: &crate::dom::Element,
    a: &Acc,
    flags: Flags,
    headline: Option<&str>,
    ctx: &Context,
) -> bool {
    let text = a.s.text;
    let ld = a.s.link_density();
    let in_data = flag(&ctx.in_data, i) || flag(&ctx.in_code, i);
    // Small subtrees only: reading the text of every ancestor of a deep tree is quadratic.
    let small = dom.size(i) <= 256;

    if hints::is_boilerplate(&e.hint) && text < 1500 {
        return true;
    }
    if e.tag == Tag::Header && (a.heading_text > 0 || text < 200) {
        // An article header carries headline, byline, date and share links, all metadata.
        return true;
    }
    if e.tag.is_heading() && small {
        if flags.weight_classes && hints::weight(&e.hint) < 0.0 {
            return true;
        }
        if text < 80 {
            let k = key(&dom.text(i));
            if headline.is_some_and(|h| !h.is_empty() && h == k) {
                return true;
            }
            if RELATED_HEADINGS.contains(&k.as_str()) {
                return true;
            }
        }
        return false;
    }
    if text < 40 && !in_data && e.tag.is_block() && small {
        let t = lower_text(dom, i);
        if AD_LABELS.contains(&t.trim_end_matches(':')) {
            return true;
        }
    }
    let container = matches!(
        e.tag,
        Tag::Div
            | Tag::Section
            | Tag::P
            | Tag::Form
            | Tag::Fieldset
            | Tag::Ul
            | Tag::Ol
            | Tag::Li
            | Tag::Table
            | Tag::Center
    );
    // Newsletter and release promos: a short call to action next to a form or a button link.
    if container && small && text < 300 && (a.controls > 0 || ld > 0.25 || e.tag == Tag::Form) {
        let t = lower_text(dom, i);
        if PROMO_PHRASES.iter().any(|p| t.contains(p)) {
            return true;
        }
    }
    // Related-story lists: nearly all link text.
    if matches!(e.tag, Tag::Ul | Tag::Ol) && a.li >= 2 && ld > 0.7 && !in_data {
        return true;
    }
    // A layout cell of links beside the story is its navigation column.
    if e.tag == Tag::Td && !in_data && flags.clean_conditionally && ld > 0.5 && text < 300 {
        return true;
    }
    if !flags.clean_conditionally
        || !matches!(
            e.tag,
            Tag::Form | Tag::Fieldset | Tag::Table | Tag::Ul | Tag::Div
        )
        || in_data
    {
        return false;
    }
    if e.tag == Tag::Table && flag(&ctx.in_table, i) {
        return false;
    }
    if e.tag == Tag::Div && !a.s.has_block {
        // A div of text alone is a paragraph (Readability turns it into one).
        return false;
    }
    conditionally_drop(e, a, flags, flag(&ctx.in_figure, i))
}

/// Readability's `_cleanConditionally`.
fn conditionally_drop(e: &crate::dom::Element, a: &Acc, flags: Flags, in_figure: bool) -> bool {
    let text = a.s.text;
    let mut is_list = matches!(e.tag, Tag::Ul | Tag::Ol);
    if !is_list && text > 0 && f64::from(a.li_text) / f64::from(text) > 0.9 {
        is_list = true;
    }
    let weight = if flags.weight_classes {
        hints::weight(&e.hint)
    } else {
        0.0
    };
    if weight < 0.0 {
        return true;
    }
    if a.s.commas >= 10 {
        return false;
    }
    let p = f64::from(a.p);
    let img = f64::from(a.img);
    let li = f64::from(a.li) - 100.0;
    let input = f64::from(a.controls);
    let heading_density = if text == 0 {
        0.0
    } else {
        f64::from(a.heading_text) / f64::from(text)
    };
    let ld = a.s.link_density();
    let remove = (!in_figure && img > 1.0 && p / img < 0.5)
        || (!is_list && li > p)
        || (input > (p / 3.0).floor())
        || (!is_list
            && !in_figure
            && heading_density < 0.9
            && text < 25
            && (img == 0.0 || img > 2.0)
            && ld > 0.0)
        || (!is_list && weight < 25.0 && ld > 0.2)
        || (weight >= 25.0 && ld > 0.5)
        || (img == 0.0 && a.textish_text == 0);
    if is_list && remove {
        // Image galleries: one image per item is content.
        if a.li > 0 && a.li == a.img {
            return false;
        }
    }
    remove
}
