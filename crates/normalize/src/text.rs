//! Plain text from HTML and HTML from plain text.
//!
//! Input: sanitized bodies, plain text, and headline-like strings that may carry tags or
//! entities. Output: text with paragraphs separated by one blank line, or `<p>` HTML. The
//! tree is walked iteratively (no recursion, so hostile nesting cannot exhaust the stack).
//! It never changes characters other than collapsing HTML whitespace: quotes, dashes and
//! non-breaking spaces inside a line stay as they are.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::sanitize::{SanitizedHtml, sanitize};

/// Elements whose start and end separate paragraphs.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "blockquote"
            | "figcaption"
            | "figure"
            | "pre"
            | "tr"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "hr"
            | "div"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "main"
            | "address"
            | "details"
            | "summary"
    )
}

/// Elements whose text is never reader-visible text.
fn is_hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "title" | "head" | "iframe" | "textarea"
    )
}

/// HTML's own whitespace set: what a browser collapses. U+00A0 is deliberately not in it.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}')
}

#[derive(Default)]
struct Collector {
    out: Vec<String>,
    buf: String,
    pending_space: bool,
    pre_depth: usize,
}

impl Collector {
    fn text(&mut self, t: &str) {
        if self.pre_depth > 0 {
            // Preformatted text keeps its line breaks and indentation.
            self.buf.extend(t.chars().filter(|&c| c != '\r'));
            return;
        }
        for c in t.chars() {
            if is_html_space(c) {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.buf.is_empty() && !self.buf.ends_with('\n') {
                    self.buf.push(' ');
                }
                self.pending_space = false;
                self.buf.push(c);
            }
        }
    }

    fn line_break(&mut self) {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
        self.pending_space = false;
    }

    fn flush(&mut self) {
        let lines: Vec<&str> = if self.pre_depth > 0 {
            self.buf
                .split('\n')
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .collect()
        } else {
            self.buf
                .split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        };
        if !lines.is_empty() {
            self.out.push(lines.join("\n"));
        }
        self.buf.clear();
        self.pending_space = false;
    }
}

/// The body as plain text.
///
/// Block elements (p, h2–h6, li, blockquote, figcaption, pre, tr, and containers such as
/// lists and tables) become paragraphs separated by a blank line (`"\n\n"`); empty ones are
/// dropped. Inline HTML whitespace collapses to one space; table cells are separated by a
/// space; `<br>` becomes a single `"\n"` inside its paragraph (never a blank line), and `pre`
/// keeps its line breaks. Entities come out decoded. Images contribute nothing.
pub fn plain_text(html: &SanitizedHtml) -> String {
    let doc = Html::parse_fragment(html.as_str());
    let mut c = Collector::default();
    let mut hidden_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) if hidden_depth == 0 => c.text(t),
                Node::Element(e) => {
                    let name = e.name();
                    if is_hidden(name) {
                        hidden_depth += 1;
                    } else if hidden_depth > 0 {
                        // Inside a hidden element nothing counts, not even its structure.
                    } else if name == "br" {
                        c.line_break();
                    } else if matches!(name, "td" | "th") {
                        c.pending_space = true;
                    } else if is_block(name) {
                        c.flush();
                        if name == "pre" {
                            c.pre_depth += 1;
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    let name = e.name();
                    if is_hidden(name) {
                        hidden_depth = hidden_depth.saturating_sub(1);
                    } else if hidden_depth == 0 && is_block(name) {
                        c.flush();
                        if name == "pre" {
                            c.pre_depth = c.pre_depth.saturating_sub(1);
                        }
                    } else if hidden_depth == 0 && matches!(name, "td" | "th") {
                        c.pending_space = true;
                    }
                }
            }
        }
    }
    c.flush();
    c.out.join("\n\n")
}

/// Plain text to HTML: paragraphs (separated by blank lines) become `<p>` elements, single
/// line breaks inside a paragraph become `<br>`, and the text is escaped.
///
/// The result goes through [`sanitize`] so that it is byte for byte what a stored body looks
/// like (the same escaping, the same fixpoint).
pub fn text_to_html(text: &str) -> SanitizedHtml {
    let mut html = String::with_capacity(text.len() + 16);
    let mut open = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if open {
                html.push_str("</p>");
                open = false;
            }
            continue;
        }
        if open {
            html.push_str("<br>");
        } else {
            html.push_str("<p>");
            open = true;
        }
        escape_into(&mut html, line);
    }
    if open {
        html.push_str("</p>");
    }
    sanitize(&html)
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// For headlines, standfirsts and bylines: tags stripped (script and style with their
/// content), entities decoded, whitespace collapsed to single spaces, trimmed. Quotes and
/// other characters are kept.
pub fn clean_inline(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return collapse(s);
    }
    let doc = Html::parse_fragment(s);
    let mut text = String::with_capacity(s.len());
    let mut hidden_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) if hidden_depth == 0 => text.push_str(t),
                Node::Element(e) if is_hidden(e.name()) => hidden_depth += 1,
                // Adjacent blocks or a line break must not glue two words together.
                Node::Element(e) if is_block(e.name()) || e.name() == "br" => text.push(' '),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if is_hidden(e.name()) => {
                    hidden_depth = hidden_depth.saturating_sub(1);
                }
                Node::Element(e) if is_block(e.name()) => text.push(' '),
                _ => {}
            },
        }
    }
    collapse(&text)
}

fn collapse(s: &str) -> String {
    let s = nfc(s);
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_html_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim().to_owned()
}

/// Unicode NFC (so "é" typed two ways is one string to compare, hash and search), without
/// control characters other than line breaks and tabs (PostgreSQL refuses NUL in text).
/// Typographic characters are NFC-stable and pass through unchanged.
pub fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        .collect()
}

/// The first paragraph of plain text: the first run of non-blank lines, trimmed. A line of
/// only whitespace counts as blank. Empty when the text has no paragraph.
pub fn first_paragraph(text: &str) -> &str {
    let mut start: Option<usize> = None;
    let mut end = text.len();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match start {
            None if !blank => start = Some(offset),
            Some(_) if blank => {
                end = offset;
                break;
            }
            _ => {}
        }
        offset += line.len();
    }
    start
        .and_then(|s| text.get(s..end))
        .map(str::trim)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pt(html: &str) -> String {
        plain_text(&sanitize(html))
    }

    #[test]
    fn blocks_are_separated_by_blank_lines() {
        assert_eq!(
            pt(
                "<h2>Sub</h2><p>One  two\n three</p><p></p><p>&nbsp;</p><ul><li>a</li><li>b</li></ul>\
                <blockquote>Quote <p>inner</p> tail</blockquote><figure><img src=\"https://x/y.png\">\
                <figcaption>Cap</figcaption></figure>"
            ),
            "Sub\n\nOne two three\n\na\n\nb\n\nQuote\n\ninner\n\ntail\n\nCap"
        );
    }

    #[test]
    fn entities_are_decoded_and_quotes_kept() {
        assert_eq!(
            pt("<p>Tom &amp; Jerry&rsquo;s &ldquo;show&rdquo; &lt;3 — it’s “fine”…</p>"),
            "Tom & Jerry’s “show” <3 — it’s “fine”…"
        );
    }

    #[test]
    fn inline_markup_does_not_split_words_or_add_spaces() {
        assert_eq!(
            pt("<p>A <b>bold</b>move and <a href=\"https://x\">a link</a>.</p>"),
            "A boldmove and a link."
        );
        assert_eq!(
            pt("<p>  leading and trailing  </p>"),
            "leading and trailing"
        );
    }

    #[test]
    fn line_breaks_tables_and_pre() {
        assert_eq!(pt("<p>line one<br> <br>line two</p>"), "line one\nline two");
        assert_eq!(
            pt("<table><tr><th>Team</th><th>Pts</th></tr><tr><td>A</td><td>3</td></tr></table>"),
            "Team Pts\n\nA 3"
        );
        assert_eq!(
            pt("<pre>fn x() {\n    1\n\n}\n</pre><p>after</p>"),
            "fn x() {\n    1\n}\n\nafter"
        );
    }

    #[test]
    fn bare_text_and_empty_input() {
        assert_eq!(pt("just text"), "just text");
        assert_eq!(pt(""), "");
        assert_eq!(pt("<p> </p><p></p>"), "");
    }

    #[test]
    fn text_to_html_escapes_and_splits() {
        let html = text_to_html("First <b>para</b> & more\nsecond line\n\n\n  Second’s “para”  \n");
        assert_eq!(
            html.as_str(),
            "<p>First &lt;b&gt;para&lt;/b&gt; &amp; more<br>second line</p><p>Second’s “para”</p>"
        );
        assert_eq!(
            plain_text(&html),
            "First <b>para</b> & more\nsecond line\n\nSecond’s “para”"
        );
        assert_eq!(text_to_html("").as_str(), "");
    }

    #[test]
    fn clean_inline_strips_tags_and_decodes() {
        assert_eq!(
            clean_inline("  <b>Witkoff</b> leaves St.&nbsp;Petersburg &amp; “talks”\n\t </p>"),
            "Witkoff leaves St.\u{a0}Petersburg & “talks”"
        );
        assert_eq!(
            clean_inline("Hi<script>alert(1)</script> there"),
            "Hi there"
        );
        assert_eq!(clean_inline("<p>One</p><p>Two</p>"), "One Two");
        assert_eq!(
            clean_inline("By <a href=x>Jane O’Neil</a>"),
            "By Jane O’Neil"
        );
        assert_eq!(
            clean_inline("The president's \"deal\""),
            "The president's \"deal\""
        );
        assert_eq!(clean_inline("AT&T <3 rates"), "AT&T <3 rates");
        assert_eq!(clean_inline(""), "");
    }

    #[test]
    fn first_paragraph_cases() {
        assert_eq!(
            first_paragraph("\n\n  One\ncontinued\n\nTwo"),
            "One\ncontinued"
        );
        assert_eq!(first_paragraph("Only"), "Only");
        assert_eq!(first_paragraph("A\n   \nB"), "A");
        assert_eq!(first_paragraph("  \n \n"), "");
        assert_eq!(first_paragraph(""), "");
    }

    proptest! {
        #[test]
        fn text_round_trips_through_html(paras in proptest::collection::vec("[a-zA-Z0-9&<>’“” ]{1,20}", 0..5)) {
            let paras: Vec<String> = paras
                .iter()
                .map(|p| p.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect();
            let text = paras.join("\n\n");
            let html = text_to_html(&text);
            prop_assert_eq!(sanitize(html.as_str()), html.clone());
            prop_assert_eq!(plain_text(&html), text);
        }

        #[test]
        fn plain_text_has_no_blank_paragraphs(input in "[a-z <>/pbrli&;]{0,60}") {
            let text = pt(&input);
            prop_assert!(!text.contains("\n\n\n"));
            for p in text.split("\n\n") {
                prop_assert!(!p.trim().is_empty() || text.is_empty());
                prop_assert_eq!(p.trim(), p);
            }
        }
    }
}

#[cfg(test)]
mod nfc_tests {
    use super::*;

    #[test]
    fn nfc_composes_and_keeps_typography() {
        assert_eq!(
            nfc("Cafe\u{301} \u{2019}quoted\u{201d}"),
            "Caf\u{e9} \u{2019}quoted\u{201d}"
        );
        assert_eq!(nfc("a\u{0}b\u{7}c\nd"), "abc\nd");
        assert_eq!(clean_inline("Cafe\u{301}\u{0}"), "Caf\u{e9}");
    }
}
