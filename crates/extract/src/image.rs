//! The lead image with its caption and photo credit.
//!
//! Input: the page, the metadata's image hint (JSON-LD or Open Graph) and the body roots.
//! Output: a [`LeadImage`] with an absolute URL, the caption and the credit as the page gives
//! them: JSON-LD `creditText`/`author`, a credit element inside the `figcaption`, or the
//! caption's own wording (`Photo: X`, `(Photo credit: X)`, `Credit: X`, `© X`…), which is then
//! taken out of the caption. It never fetches the image.

use masthead_model::LeadImage;
use masthead_normalize::clean_inline;
use url::Url;

use crate::dom::{Attr, Dom, NodeId, Tag};
use crate::meta::ImageHint;

const CREDIT_HINTS: &[&str] = &[
    "credit",
    "copyright",
    "photographer",
    "source",
    "byline",
    "author",
    "attribution",
];

/// Labels that open a credit, longest first so that "Photo credit:" wins over "Photo:".
const CREDIT_LABELS: &[&str] = &[
    "photo credit:",
    "image credit:",
    "picture credit:",
    "photograph:",
    "photography:",
    "photo by",
    "photos:",
    "photo:",
    "image:",
    "picture:",
    "pictures:",
    "credit:",
    "credits:",
    "source:",
    "foto:",
    "©",
    "(c)",
    "copyright",
];

fn img_src(dom: &Dom, img: NodeId) -> Option<&str> {
    let e = dom.element(img)?;
    let src = e
        .attr(Attr::Src)
        .filter(|s| !s.trim().is_empty() && !s.trim_start().starts_with("data:"));
    src.or_else(|| e.attr(Attr::DataSrc)).or_else(|| {
        e.attr(Attr::Srcset)
            .and_then(|s| s.split(',').next())
            .and_then(|s| s.split_whitespace().next())
    })
}

/// Last path segment without extension or size suffixes: how CMSs vary one image's URL.
fn file_key(u: &str) -> Option<String> {
    let u = u.split(['?', '#']).next().unwrap_or(u);
    let last = u.rsplit('/').find(|s| !s.is_empty())?;
    let stem = last.split('.').next().unwrap_or(last);
    let key: String = stem.chars().take(40).collect::<String>().to_lowercase();
    (key.len() >= 4).then_some(key)
}

/// Splits a credit off a caption: `"Talks in Riyadh. (Photo credit: Reuters)"` →
/// `("Talks in Riyadh.", Some("Reuters"))`.
pub(crate) fn split_credit(caption: &str) -> (String, Option<String>) {
    let text = caption.trim();
    let lower = text.to_lowercase();
    // Position of the earliest label that starts the text, follows a sentence end, or follows
    // an opening parenthesis. Byte offsets of `lower` match `text` only when lower-casing kept
    // lengths, so that is checked first.
    if lower.len() != text.len() {
        return (text.to_owned(), None);
    }
    let mut best: Option<(usize, usize)> = None;
    for label in CREDIT_LABELS {
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|s| s.find(label)) {
            let at = from + pos;
            let before = lower.get(..at).unwrap_or("").trim_end();
            let boundary = before.is_empty()
                || before.ends_with(['.', '(', '|', '/', ';', '—', '–', '-', ':', ']', '"', '”'])
                || *label == "©";
            if boundary && best.is_none_or(|(b, _)| at < b) {
                best = Some((at, at + label.len()));
            }
            from = at + label.len();
        }
    }
    let Some((start, end)) = best else {
        return (text.to_owned(), None);
    };
    let credit = text
        .get(end..)
        .unwrap_or("")
        .trim()
        .trim_end_matches([')', ']'])
        .trim()
        .to_owned();
    let mut head = text.get(..start).unwrap_or("").trim_end().to_owned();
    if head.ends_with('(') || head.ends_with('[') {
        head.pop();
    }
    let head = head
        .trim_end_matches(['|', '/', ';', '—', '–', '-'])
        .trim()
        .to_owned();
    if credit.is_empty() {
        return (text.to_owned(), None);
    }
    (head, Some(credit))
}

fn nonempty(s: String) -> Option<String> {
    let s = clean_inline(&s);
    (!s.is_empty()).then_some(s)
}

/// A figure within a few levels up (bounded: images sit just inside their figure).
fn in_figure(dom: &Dom, i: NodeId) -> bool {
    let mut cur = dom.parent(i);
    for _ in 0..6 {
        match cur {
            Some(p) if dom.tag(p) == Some(Tag::Figure) => return true,
            Some(p) => cur = dom.parent(p),
            None => return false,
        }
    }
    false
}

pub(crate) fn lead_image(
    dom: &Dom,
    base: &Url,
    hint: Option<&ImageHint>,
    roots: &[NodeId],
    dead: &[bool],
) -> Option<LeadImage> {
    let resolve = |s: &str| {
        base.join(s.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string())
    };
    // The image element on the page: the one showing the hinted file, else the first figure
    // in (or around) the body.
    let want = hint.and_then(|h| file_key(&h.url));
    let mut found: Option<NodeId> = None;
    if let Some(w) = &want {
        found = (0..dom.len()).find(|&i| {
            dom.tag(i) == Some(Tag::Img)
                && img_src(dom, i).and_then(file_key).as_deref() == Some(w.as_str())
        });
    }
    if found.is_none() {
        let scope: Vec<NodeId> = roots
            .iter()
            .filter_map(|&r| dom.parent(r).or(Some(r)))
            .collect();
        found = scope.iter().find_map(|&s| {
            (s..dom.end(s)).find(|&i| {
                dom.tag(i) == Some(Tag::Img)
                    && in_figure(dom, i)
                    && !dead.get(i).copied().unwrap_or(true)
                    && img_src(dom, i).is_some()
            })
        });
    }
    let mut url = hint.map(|h| h.url.clone());
    let mut caption = hint.and_then(|h| h.caption.clone());
    let mut credit = hint.and_then(|h| h.credit.clone());
    let mut alt = None;
    if let Some(img) = found {
        if url.is_none() {
            url = img_src(dom, img).and_then(resolve);
        }
        alt = dom
            .attr(img, Attr::Alt)
            .map(clean_inline)
            .filter(|a| !a.is_empty());
        let figure = {
            let mut cur = dom.parent(img);
            let mut hops = 0;
            while let Some(p) = cur {
                if dom.tag(p) == Some(Tag::Figure) || hops > 4 {
                    break;
                }
                cur = dom.parent(p);
                hops += 1;
            }
            cur.filter(|&p| dom.tag(p) == Some(Tag::Figure))
        };
        if let Some(fig) = figure {
            let figcaption = (fig..dom.end(fig)).find(|&i| dom.tag(i) == Some(Tag::Figcaption));
            if let Some(fc) = figcaption {
                let mut credit_el = None;
                for i in fc + 1..dom.end(fc) {
                    if let Some(e) = dom.element(i)
                        && CREDIT_HINTS.iter().any(|h| e.hint.contains(h))
                    {
                        credit_el = Some(i);
                        break;
                    }
                }
                let full = dom.text(fc);
                let (cap_text, el_credit) = match credit_el {
                    Some(c) => {
                        let ct = dom.text(c);
                        let cap = full.replacen(&ct, "", 1);
                        (cap, Some(split_credit(&ct).1.unwrap_or(ct)))
                    }
                    None => (full, None),
                };
                let (cap_text, text_credit) = split_credit(&cap_text);
                if credit.is_none() {
                    credit = el_credit.or(text_credit).and_then(nonempty);
                }
                if caption.is_none() {
                    caption = nonempty(cap_text);
                }
            }
        }
    }
    let url = url?;
    if let Some(c) = caption.take() {
        let (cap, cr) = split_credit(&c);
        if credit.is_none() {
            credit = cr;
        }
        caption = nonempty(cap);
    }
    Some(LeadImage {
        url,
        caption,
        credit: credit.map(|c| split_credit(&c).1.unwrap_or(c)),
        alt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_split_off() {
        assert_eq!(
            split_credit("Talks in Riyadh. (Photo credit: Reuters)"),
            ("Talks in Riyadh.".to_owned(), Some("Reuters".to_owned()))
        );
        assert_eq!(
            split_credit("Talks in Riyadh. Photo: Jane Doe/AP"),
            (
                "Talks in Riyadh.".to_owned(),
                Some("Jane Doe/AP".to_owned())
            )
        );
        assert_eq!(
            split_credit("© AFP"),
            (String::new(), Some("AFP".to_owned()))
        );
        assert_eq!(
            split_credit("A photo of a cat"),
            ("A photo of a cat".to_owned(), None)
        );
        assert_eq!(
            split_credit("Ünïcödé İstanbul"),
            ("Ünïcödé İstanbul".to_owned(), None)
        );
    }
}
