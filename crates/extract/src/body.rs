//! Finding the article body: which containers hold the story text.
//!
//! Input: the page's [`Dom`]. Output: the roots of the body (a top candidate and the siblings
//! that belong with it), in document order. The method is Readability's, re-done without
//! mutating the page: paragraphs (and `div`s that read as paragraphs, and loose text runs in
//! `div`s) score their ancestors by length and commas; ancestors are weighted by tag and by
//! class/id hints and discounted by link density; the best one is widened to a common
//! ancestor or parent where the text is spread, then joined by siblings that look like more of
//! the same. Every pass is a linear walk over the arena (pre-order, bottom-up sums in one
//! reverse pass). It never decides what to drop inside the body: that is `clean`'s job.

use crate::dom::{Attr, Dom, Kind, NodeId, Tag};
use crate::hints;

/// Which heuristics an attempt uses; later attempts switch them off when the first found too
/// little text (Readability's flags).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags {
    pub strip_unlikely: bool,
    pub weight_classes: bool,
    pub clean_conditionally: bool,
}

pub(crate) const ATTEMPTS: [Flags; 4] = [
    Flags {
        strip_unlikely: true,
        weight_classes: true,
        clean_conditionally: true,
    },
    Flags {
        strip_unlikely: false,
        weight_classes: true,
        clean_conditionally: true,
    },
    Flags {
        strip_unlikely: false,
        weight_classes: false,
        clean_conditionally: true,
    },
    Flags {
        strip_unlikely: false,
        weight_classes: false,
        clean_conditionally: false,
    },
];

/// Text measures of a subtree, summed bottom-up over the nodes still alive.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Characters of visible text (whitespace runs counted once).
    pub text: u32,
    /// Characters of that text inside links (in-page `#` links count 30 %).
    pub link: f32,
    pub commas: u32,
    /// Whether a block-level element lies inside.
    pub has_block: bool,
}

impl Stats {
    pub(crate) fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            f64::from(self.link) / f64::from(self.text)
        }
    }
}

/// Length and comma count of a text node as Readability's `innerText` would see it.
pub(crate) fn text_measure(t: &str) -> (u32, u32) {
    let mut len = 0u32;
    let mut commas = 0u32;
    let mut in_space = true;
    for c in t.chars() {
        if crate::dom::is_space(c) {
            if !in_space {
                len = len.saturating_add(1);
                in_space = true;
            }
        } else {
            in_space = false;
            len = len.saturating_add(1);
            if matches!(
                c,
                ',' | '\u{060C}'
                    | '\u{FE50}'
                    | '\u{FE10}'
                    | '\u{FE11}'
                    | '\u{2E41}'
                    | '\u{2E34}'
                    | '\u{2E32}'
                    | '\u{FF0C}'
            ) {
                commas = commas.saturating_add(1);
            }
        }
    }
    (len, commas)
}

/// Elements that are never part of any article body, whatever the attempt: invisible
/// elements, navigation, asides, footers, hidden elements, dialogs and menus, and metadata
/// blocks (byline, dates) outside paragraphs.
pub(crate) fn junk(dom: &Dom) -> Vec<bool> {
    let n = dom.len();
    let mut raw_len = vec![0u32; n];
    for i in (0..n).rev() {
        let own = match dom.node(i).map(|x| &x.kind) {
            Some(Kind::Text(_, len, _)) => *len,
            Some(Kind::Element(e)) if e.tag.is_invisible() => 0,
            _ => raw_len.get(i).copied().unwrap_or(0),
        };
        if let Some(slot) = raw_len.get_mut(i) {
            *slot = own;
        }
        if let Some(p) = dom.parent(i)
            && let Some(slot) = raw_len.get_mut(p)
        {
            *slot = slot.saturating_add(own);
        }
    }
    let mut junk = vec![false; n];
    // Metadata inside a paragraph is part of its sentence.
    let in_text = dom.inside(&[Tag::P, Tag::Li, Tag::Blockquote, Tag::Td, Tag::H2, Tag::H3]);
    for i in 0..n {
        let parent_junk = dom
            .parent(i)
            .and_then(|p| junk.get(p).copied())
            .unwrap_or(false);
        let own = parent_junk
            || dom.element(i).is_some_and(|e| {
                let len = raw_len.get(i).copied().unwrap_or(0);
                is_junk_element(e, len, in_text.get(i).copied().unwrap_or(false))
            });
        if let Some(slot) = junk.get_mut(i) {
            *slot = own;
        }
    }
    junk
}

fn is_junk_element(e: &crate::dom::Element, len: u32, in_text: bool) -> bool {
    if e.tag.is_invisible() || matches!(e.tag, Tag::Nav | Tag::Aside | Tag::Footer | Tag::Dialog) {
        return true;
    }
    if matches!(e.tag, Tag::Html | Tag::Body) {
        return false;
    }
    if e.attr(Attr::Hidden).is_some()
        || e.attr(Attr::AriaHidden)
            .is_some_and(|v| v.trim() == "true" && !e.hint.contains("fallback-image"))
    {
        return true;
    }
    if let Some(style) = e.attr(Attr::Style) {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if let Some(role) = e.attr(Attr::Role)
        && matches!(
            role.trim(),
            "menu"
                | "menubar"
                | "complementary"
                | "navigation"
                | "alert"
                | "alertdialog"
                | "dialog"
        )
    {
        return true;
    }
    // Metadata blocks: bylines and dates stay out of the body (they are metadata fields), but
    // only outside running text: "said <span class=author>X</span>" is part of a sentence.
    if len < 100 && !matches!(e.tag, Tag::A | Tag::P) && !in_text {
        let rel_author = e.attr(Attr::Rel).is_some_and(|r| r.contains("author"));
        let prop_author = e
            .attr(Attr::Itemprop)
            .is_some_and(|r| r.contains("author") || r.contains("datePublished"));
        if rel_author
            || prop_author
            || hints::is_byline(&e.hint)
            || hints::is_date(&e.hint)
            || e.tag == Tag::Time
        {
            return true;
        }
    }
    false
}

/// One attempt's view of the page: which nodes are out, and the text measures of the rest.
pub(crate) struct Scored {
    pub dead: Vec<bool>,
    pub stats: Vec<Stats>,
    pub score: Vec<Option<f64>>,
}

pub(crate) fn measure(dom: &Dom, junk: &[bool], flags: Flags) -> (Vec<bool>, Vec<Stats>) {
    let n = dom.len();
    let mut dead = vec![false; n];
    let in_table = if flags.strip_unlikely {
        dom.inside(&[Tag::Table, Tag::Code])
    } else {
        Vec::new()
    };
    for i in 0..n {
        let parent_dead = dom
            .parent(i)
            .and_then(|p| dead.get(p).copied())
            .unwrap_or(false);
        let own = parent_dead
            || junk.get(i).copied().unwrap_or(false)
            || (flags.strip_unlikely
                && dom.element(i).is_some_and(|e| {
                    !matches!(
                        e.tag,
                        Tag::Html | Tag::Body | Tag::A | Tag::Article | Tag::Main
                    ) && hints::is_unlikely(&e.hint)
                        && !in_table.get(i).copied().unwrap_or(false)
                }));
        if let Some(slot) = dead.get_mut(i) {
            *slot = own;
        }
    }
    let mut stats = vec![Stats::default(); n];
    for i in (0..n).rev() {
        if dead.get(i).copied().unwrap_or(true) {
            continue;
        }
        let mut s = stats.get(i).copied().unwrap_or_default();
        match dom.node(i).map(|x| &x.kind) {
            Some(Kind::Text(_, len, commas)) => {
                s.text = *len;
                s.commas = *commas;
            }
            Some(Kind::Element(e)) if e.tag == Tag::A => {
                let hash = e
                    .attr(Attr::Href)
                    .is_some_and(|h| h.trim_start().starts_with('#'));
                s.link = s.text as f32 * if hash { 0.3 } else { 1.0 };
            }
            _ => {}
        }
        if let Some(slot) = stats.get_mut(i) {
            *slot = s;
        }
        let is_block = dom.tag(i).is_some_and(|t| t.is_block() || t == Tag::Img);
        if let Some(p) = dom.parent(i)
            && let Some(ps) = stats.get_mut(p)
        {
            ps.text = ps.text.saturating_add(s.text);
            ps.link += s.link;
            ps.commas = ps.commas.saturating_add(s.commas);
            ps.has_block |= s.has_block || is_block;
        }
    }
    (dead, stats)
}

fn initial_score(dom: &Dom, i: NodeId, flags: Flags) -> f64 {
    let Some(e) = dom.element(i) else {
        return 0.0;
    };
    let base = match e.tag {
        Tag::Div => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::Address | Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => {
            -3.0
        }
        Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 | Tag::Th => -5.0,
        _ => 0.0,
    };
    let mut w = if flags.weight_classes {
        hints::weight(&e.hint)
    } else {
        0.0
    };
    // News pages mark their body for machines; trust it as much as a good class name.
    if e.attr(Attr::Itemprop)
        .is_some_and(|p| p.contains("articleBody"))
    {
        w += 25.0;
    }
    base + w
}

/// Is this element read as a paragraph (a scoring unit)?
fn is_unit(tag: Tag, stats: &Stats) -> bool {
    matches!(
        tag,
        Tag::P
            | Tag::Pre
            | Tag::Td
            | Tag::Section
            | Tag::H2
            | Tag::H3
            | Tag::H4
            | Tag::H5
            | Tag::H6
    ) || (tag == Tag::Div && !stats.has_block)
}

fn is_phrasing(dom: &Dom, i: NodeId) -> bool {
    match dom.node(i).map(|x| &x.kind) {
        Some(Kind::Text(..)) => true,
        Some(Kind::Element(e)) => !e.tag.is_block() && e.tag != Tag::Img,
        _ => false,
    }
}

pub(crate) fn score(dom: &Dom, junk: &[bool], flags: Flags) -> Scored {
    let (dead, stats) = measure(dom, junk, flags);
    let n = dom.len();
    let mut score: Vec<Option<f64>> = vec![None; n];
    let mut add = |start: NodeId, text: u32, commas: u32| {
        if text < 25 {
            return;
        }
        let content = 1.0 + f64::from(commas) + f64::from((text / 100).min(3));
        let mut cur = Some(start);
        let mut level = 0u32;
        while let Some(a) = cur {
            if level >= 5 {
                break;
            }
            // The root element's parent is the document: Readability stops below it.
            if dom.tag(a).is_none() || dom.tag(a) == Some(Tag::Html) {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => f64::from(l) * 3.0,
            };
            if let Some(slot) = score.get_mut(a) {
                let base = slot.unwrap_or_else(|| initial_score(dom, a, flags));
                *slot = Some(base + content / divider);
            }
            cur = dom.parent(a);
            level += 1;
        }
    };
    for i in 0..n {
        if dead.get(i).copied().unwrap_or(true) {
            continue;
        }
        let Some(tag) = dom.tag(i) else { continue };
        let Some(s) = stats.get(i) else { continue };
        if is_unit(tag, s) {
            if let Some(p) = dom.parent(i) {
                add(p, s.text, s.commas);
            }
        } else if tag == Tag::Div {
            // Loose text between blocks reads as paragraphs of this div.
            let (mut text, mut commas) = (0u32, 0u32);
            for c in dom.children(i) {
                if dead.get(c).copied().unwrap_or(true) {
                    continue;
                }
                if is_phrasing(dom, c) {
                    let cs = stats.get(c).copied().unwrap_or_default();
                    text = text.saturating_add(cs.text);
                    commas = commas.saturating_add(cs.commas);
                } else {
                    add(i, text, commas);
                    text = 0;
                    commas = 0;
                }
            }
            add(i, text, commas);
        }
    }
    for (i, slot) in score.iter_mut().enumerate() {
        if let Some(v) = slot {
            let ld = stats.get(i).map_or(0.0, Stats::link_density);
            *v *= 1.0 - ld;
        }
    }
    Scored { dead, stats, score }
}

/// The body's roots for one attempt, in document order.
pub(crate) fn select(dom: &Dom, sc: &Scored, flags: Flags) -> Vec<NodeId> {
    let body = dom.find_tag(Tag::Body);
    let mut ranked: Vec<(NodeId, f64)> = sc
        .score
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|v| (i, v)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(5);
    let Some(&(first, first_score)) = ranked.first() else {
        return body.into_iter().collect();
    };
    if Some(first) == body {
        return vec![first];
    }
    let mut top = first;
    let get = |i: NodeId| sc.score.get(i).copied().flatten();

    // When the best few candidates share an ancestor, the article is spread across them.
    let alternatives: Vec<NodeId> = ranked
        .iter()
        .skip(1)
        .filter(|(_, s)| first_score > 0.0 && s / first_score >= 0.75)
        .map(|&(i, _)| i)
        .collect();
    if alternatives.len() >= 3 {
        let mut p = dom.parent(top);
        while let Some(a) = p {
            if Some(a) == body || dom.tag(a).is_none() {
                break;
            }
            if alternatives.iter().filter(|&&x| dom.contains(a, x)).count() >= 3 {
                top = a;
                break;
            }
            p = dom.parent(a);
        }
    }
    let mut top_score = get(top).unwrap_or_else(|| initial_score(dom, top, flags));

    // A parent whose score rises above its child's holds more of the article.
    let mut last = top_score;
    let threshold = last / 3.0;
    let mut p = dom.parent(top);
    while let Some(a) = p {
        if Some(a) == body || dom.tag(a).is_none() || dom.tag(a) == Some(Tag::Html) {
            break;
        }
        match get(a) {
            None => {}
            Some(ps) if ps < threshold => break,
            Some(ps) if ps > last => {
                top = a;
                top_score = ps;
                break;
            }
            Some(ps) => last = ps,
        }
        p = dom.parent(a);
    }
    // An only child says nothing its parent does not.
    while let Some(a) = dom.parent(top) {
        if Some(a) == body || dom.tag(a).is_none() || dom.tag(a) == Some(Tag::Html) {
            break;
        }
        let live = dom
            .child_elements(a)
            .filter(|&c| !sc.dead.get(c).copied().unwrap_or(true))
            .count();
        if live != 1 {
            break;
        }
        top = a;
        if let Some(s) = get(a) {
            top_score = s;
        }
    }

    let Some(parent) = dom.parent(top) else {
        return vec![top];
    };
    let threshold = (top_score * 0.2).max(10.0);
    let top_hint = dom.element(top).map(|e| &*e.hint).unwrap_or("");
    let mut roots = Vec::new();
    for s in dom.child_elements(parent) {
        if sc.dead.get(s).copied().unwrap_or(true) {
            continue;
        }
        if s == top {
            roots.push(s);
            continue;
        }
        let hint = dom.element(s).map(|e| &*e.hint).unwrap_or("");
        let bonus = if !top_hint.is_empty() && hint == top_hint {
            top_score * 0.2
        } else {
            0.0
        };
        if let Some(v) = get(s)
            && v + bonus >= threshold
        {
            roots.push(s);
            continue;
        }
        let st = sc.stats.get(s).copied().unwrap_or_default();
        let tag = dom.tag(s);
        if tag == Some(Tag::P) || (tag == Some(Tag::Div) && !st.has_block) {
            let ld = st.link_density();
            if st.text > 80 && ld < 0.25 {
                roots.push(s);
            } else if st.text < 80 && st.text > 0 && ld == 0.0 {
                let t = dom.text(s);
                if t.ends_with('.') || t.contains(". ") {
                    roots.push(s);
                }
            }
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn measure_counts_collapsed_text_and_commas() {
        assert_eq!(text_measure("  a,  b \n c "), (7, 1));
        assert_eq!(text_measure(""), (0, 0));
    }

    #[test]
    fn picks_the_container_with_the_paragraphs() {
        let para = "<p>This is a sentence of the story, with commas, and enough words to score well here.</p>";
        let html = format!(
            "<body><div id=nav><a href=/>Home</a></div><div class=story>{}</div><div class=side><p>x</p></div></body>",
            para.repeat(5)
        );
        let doc = Html::parse_document(&html);
        let dom = Dom::from_html(&doc);
        let j = junk(&dom);
        let sc = score(&dom, &j, ATTEMPTS[0]);
        let roots = select(&dom, &sc, ATTEMPTS[0]);
        assert_eq!(roots.len(), 1);
        assert_eq!(dom.element(roots[0]).unwrap().hint.as_ref(), "story");
    }
}
