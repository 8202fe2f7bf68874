//! The one HTML allowlist every story body passes before it is stored or shown.
//!
//! Input: untrusted HTML from a feed, an article page or a release form. Output:
//! [`SanitizedHtml`], markup limited to text structure (paragraphs, subheads, lists, quotes,
//! tables, figures, links and images over http/https). It never keeps scripts, styles, frames,
//! forms, event attributes or `javascript:` URLs, and never changes the text itself: ammonia
//! serializes characters as they are and escapes only what HTML requires.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// HTML that this crate produced. Templates may render it unescaped (`|safe`); nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    /// Wraps HTML read back from the store.
    ///
    /// Only for HTML that [`sanitize`] (or [`crate::text_to_html`]) produced before it was
    /// stored; anything else must go through [`sanitize`].
    pub fn from_store(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SanitizedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const TAGS: &[&str] = &[
    "p",
    "br",
    // h1 is let through so that it can be turned into a subhead afterwards (see `demote_h1`).
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "b",
    "i",
    "a",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sub",
    "sup",
    "q",
    "cite",
    "abbr",
    "code",
    "pre",
];

/// Dropped together with everything inside them: their content is code, styling, embedded
/// documents or form controls, never story text. Other disallowed tags (div, span, form,
/// font…) are unwrapped and keep their text.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "noscript", "noembed", "noframes",
    "template", "object", "embed", "applet", "svg", "math", "title", "select", "textarea",
    "button", "option", "datalist", "canvas", "audio", "video", "head",
];

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", HashSet::from(["href"]));
    attributes.insert("img", HashSet::from(["src", "alt", "width", "height"]));
    attributes.insert("abbr", HashSet::from(["title"]));
    attributes.insert("td", HashSet::from(["colspan", "rowspan"]));
    attributes.insert("th", HashSet::from(["colspan", "rowspan"]));

    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // A relative link in a syndicated body would resolve against *our* site; the extractor
        // resolves links against the article's URL before this runs.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("nofollow noopener"))
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    b
});

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        // The global scheme list admits mailto: for links; an image must be fetched over http(s).
        ("img", "src") => {
            let lower = value.trim_start().to_ascii_lowercase();
            (lower.starts_with("http://") || lower.starts_with("https://"))
                .then_some(Cow::Borrowed(value))
        }
        (_, "width" | "height" | "colspan" | "rowspan") => {
            let v = value.trim();
            (!v.is_empty() && v.len() <= 5 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| Cow::Owned(v.to_owned()))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Cleans untrusted HTML with the network's one allowlist.
///
/// Allowed: p, br, h2–h6, blockquote, ul, ol, li, em, strong, b, i, a (href over
/// http/https/mailto, with `rel="nofollow noopener"`), figure, figcaption, img (src over
/// http/https, alt, numeric width/height), table, thead, tbody, tr, th, td (numeric
/// colspan/rowspan), hr, sub, sup, q, cite, abbr (title), code, pre. An `h1` becomes an `h2`:
/// in a body it is the source's subhead, and the page's own `h1` is the headline. Other tags
/// are unwrapped (their text kept), except those in `DROP_WITH_CONTENT`, which go with their
/// content. Relative URLs are dropped.
///
/// Idempotent: `sanitize(sanitize(x).as_str()) == sanitize(x)`. HTML parsing can rebuild
/// unwrapped markup into a different tree (a `<p>` inside a removed `<button>` inside a `<p>`
/// comes back as two paragraphs), so the cleaning is repeated until the output no longer
/// changes; ordinary bodies settle on the second pass.
pub fn sanitize(html: &str) -> SanitizedHtml {
    let mut current = clean_once(html);
    // Each pass only removes or splits structure, so the output settles quickly; the bound
    // is a guard, and the property test checks that it is never the thing that stops us.
    for _ in 0..4 {
        let next = clean_once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    SanitizedHtml(crate::text::nfc(&current))
}

fn clean_once(html: &str) -> String {
    demote_h1(&POLICY.clean(html).to_string())
}

/// Renames `<h1>`/`</h1>` tags to `<h2>`/`</h2>` in serialized, already clean HTML.
///
/// The serializer escapes `<` in text; whether it does so inside attribute values depends on
/// the html5ever version, so the scan tracks whether it is inside a tag and inside a quoted
/// value rather than trusting either. h1 carries no attributes after cleaning, so its tags
/// are exactly `<h1>` and `</h1>`.
fn demote_h1(html: &str) -> String {
    if !html.contains("h1>") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_quote = false;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if !in_tag && c == '<' {
            in_tag = true;
            if let Some(after) = rest.strip_prefix("<h1>") {
                out.push_str("<h2>");
                rest = after;
                in_tag = false;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</h1>") {
                out.push_str("</h2>");
                rest = after;
                in_tag = false;
                continue;
            }
        } else if in_tag && c == '"' {
            in_quote = !in_quote;
        } else if in_tag && !in_quote && c == '>' {
            in_tag = false;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(html: &str) -> String {
        sanitize(html).into_string()
    }

    #[test]
    fn scripts_and_styles_go_with_their_content() {
        assert_eq!(
            s("<p>Hi</p><script>alert('x')</script><style>p{color:red}</style>"),
            "<p>Hi</p>"
        );
        assert_eq!(s("<p>a<noscript>tracking</noscript>b</p>"), "<p>ab</p>");
        assert_eq!(
            s("<iframe src=\"https://evil\">inner</iframe><p>x</p>"),
            "<p>x</p>"
        );
    }

    #[test]
    fn event_attributes_and_bad_urls_are_removed() {
        assert_eq!(
            s("<img src=\"https://a.example/x.jpg\" onerror=\"alert(1)\" alt=\"A\">"),
            "<img src=\"https://a.example/x.jpg\" alt=\"A\">"
        );
        assert_eq!(
            s("<img src=x onerror=alert(1)>"),
            "<img>",
            "relative src dropped"
        );
        assert_eq!(
            s("<a href=\"javascript:alert(1)\">click</a>"),
            "<a rel=\"nofollow noopener\">click</a>"
        );
        assert_eq!(
            s("<a href=\"JaVaScRiPt:alert(1)\" onclick=\"x()\">c</a>"),
            "<a rel=\"nofollow noopener\">c</a>"
        );
        assert_eq!(s("<img src=\"mailto:a@b.c\">"), "<img>");
        assert_eq!(s("<img src=\"data:image/png;base64,AAAA\">"), "<img>");
        assert_eq!(s("<p style=\"x\" class=\"c\" id=\"i\">t</p>"), "<p>t</p>");
    }

    #[test]
    fn links_get_rel_and_keep_allowed_schemes() {
        assert_eq!(
            s("<a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_blank\">x</a>"),
            "<a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener\">x</a>"
        );
        assert_eq!(
            s("<a href=\"mailto:desk@example.com\">mail</a>"),
            "<a href=\"mailto:desk@example.com\" rel=\"nofollow noopener\">mail</a>"
        );
        assert_eq!(
            s("<a href=\"/relative\">r</a>"),
            "<a rel=\"nofollow noopener\">r</a>"
        );
    }

    #[test]
    fn forms_are_unwrapped_and_controls_removed() {
        assert_eq!(
            s(
                "<form action=\"/x\"><p>Sign up</p><input name=e><button>Go</button>\
               <select><option>A</option></select><textarea>t</textarea></form>"
            ),
            "<p>Sign up</p>"
        );
    }

    #[test]
    fn subheads_survive_and_h1_becomes_h2() {
        assert_eq!(
            s("<h1>Main</h1><p>a</p><h2>Sub</h2><h3>Minor</h3>"),
            "<h2>Main</h2><p>a</p><h2>Sub</h2><h3>Minor</h3>"
        );
        assert_eq!(s("<h1 class=\"x\" onclick=\"y\">T</h1>"), "<h2>T</h2>");
    }

    #[test]
    fn h1_text_inside_attributes_and_text_is_left_alone() {
        assert_eq!(
            s("<p>&lt;h1&gt; is a tag</p><img src=\"https://x/y.png\" alt=\"<h1>\">"),
            "<p>&lt;h1&gt; is a tag</p><img src=\"https://x/y.png\" alt=\"&lt;h1&gt;\">"
        );
        // Attribute values as an older serializer wrote them (unescaped `<`).
        assert_eq!(
            demote_h1("<img alt=\"<h1>\"><h1>x</h1>"),
            "<img alt=\"<h1>\"><h2>x</h2>"
        );
    }

    #[test]
    fn typographic_characters_survive_exactly() {
        let body = "<p>The US president’s confidant said “hello” and ‘bye’ — then… 10–12 São Paulo Zürich 東京 🙂</p>";
        assert_eq!(s(body), body);
        assert_eq!(
            s("<p>It&rsquo;s &ldquo;ok&rdquo; &mdash; &hellip;</p>"),
            "<p>It’s “ok” — …</p>"
        );
        assert_eq!(
            s("<p>Tom &amp; Jerry's \"show\" &lt;3</p>"),
            "<p>Tom &amp; Jerry's \"show\" &lt;3</p>"
        );
    }

    #[test]
    fn unclosed_and_misnested_tags_are_repaired() {
        assert_eq!(s("<p>one<p>two"), "<p>one</p><p>two</p>");
        assert_eq!(
            s("<p><b>bold <i>both</b> italic?</i></p>"),
            "<p><b>bold <i>both</i></b><i> italic?</i></p>"
        );
        assert_eq!(s("<ul><li>a<li>b</ul>"), "<ul><li>a</li><li>b</li></ul>");
        assert_eq!(s("<p>x<script>never closed"), "<p>x</p>");
    }

    #[test]
    fn allowed_structure_is_kept() {
        let body = "<figure><img src=\"https://x.example/a.jpg\" alt=\"A\" width=\"640\" height=\"480\">\
                    <figcaption>Cap</figcaption></figure><blockquote><p>Q</p></blockquote>\
                    <table><thead><tr><th>a</th></tr></thead><tbody><tr><td colspan=\"2\">b</td></tr></tbody></table>\
                    <hr><p>H<sub>2</sub>O x<sup>2</sup> <q>q</q> <cite>c</cite> <abbr title=\"United Nations\">UN</abbr> \
                    <code>c</code></p><pre>a\n  b</pre><ol><li>x</li></ol><p>a<br>b</p>";
        assert_eq!(s(body), body);
        assert_eq!(
            s("<img src=\"https://x/a.jpg\" width=\"100%\" height=\"javascript:\">"),
            "<img src=\"https://x/a.jpg\">"
        );
    }

    #[test]
    fn policy_builds_without_panicking_and_empty_input_is_empty() {
        assert_eq!(s(""), "");
        assert_eq!(s("   "), "   ");
    }

    #[test]
    fn button_nesting_settles() {
        let once = s("<p>a<button><p>b</p></button>c</p>");
        assert_eq!(sanitize(&once).as_str(), once);
    }

    #[test]
    fn from_store_round_trips() {
        let h = sanitize("<p>x</p>");
        let back = SanitizedHtml::from_store(h.clone().into_string());
        assert_eq!(back, h);
        assert_eq!(back.to_string(), "<p>x</p>");
    }

    fn htmlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<p>".to_string()),
            Just("</p>".to_string()),
            Just("<h1>".to_string()),
            Just("</h1>".to_string()),
            Just("<h3>".to_string()),
            Just("<b>".to_string()),
            Just("</b>".to_string()),
            Just("<i>".to_string()),
            Just("<a href=\"https://x.example/?a=1&b=2\">".to_string()),
            Just("<a href='javascript:alert(1)'>".to_string()),
            Just("</a>".to_string()),
            Just("<ul><li>".to_string()),
            Just("<li>".to_string()),
            Just("<table><tr><td>".to_string()),
            Just("<td>".to_string()),
            Just("</table>".to_string()),
            Just("<button>".to_string()),
            Just("<form>".to_string()),
            Just("<div>".to_string()),
            Just("</div>".to_string()),
            Just("<script>x</script>".to_string()),
            Just("<style>".to_string()),
            Just("<img src=\"https://x/y.png\" alt=\"<h1>\" onerror=x>".to_string()),
            Just("<br>".to_string()),
            Just("<blockquote>".to_string()),
            Just("<pre>".to_string()),
            Just("<!-- c -->".to_string()),
            Just("&amp;".to_string()),
            Just("&lt;".to_string()),
            Just("&nbsp;".to_string()),
            Just("’“”—…".to_string()),
            "[a-zA-Z0-9 <>&\"'=/\n]{0,8}",
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn sanitize_is_idempotent(input in htmlish()) {
            let once = sanitize(&input);
            let twice = sanitize(once.as_str());
            prop_assert_eq!(&twice, &once);
            // Reaching the pass bound would mean the loop, not the fixpoint, stopped it.
            prop_assert_eq!(clean_once(once.as_str()), once.as_str());
            prop_assert!(!once.as_str().contains("<script"));
            prop_assert!(!once.as_str().contains("javascript:"));
            prop_assert!(!once.as_str().contains("<h1"));
            prop_assert!(!once.as_str().contains("onerror"));
        }

        #[test]
        fn arbitrary_text_is_idempotent(input in "\\PC{0,64}") {
            let once = sanitize(&input);
            prop_assert_eq!(sanitize(once.as_str()), once);
        }
    }
}
