//! A release body: plain text with paragraphs, or limited Markdown (`**bold**`, `*em*`,
//! `[text](https://…)`, lists) → sanitized HTML.
//!
//! Everything else Markdown knows is flattened: headings become bold paragraphs, images
//! their alt text, code plain text, raw HTML is shown as typed (escaped), tables and
//! footnotes are not enabled. The result always goes through `masthead_normalize::sanitize`.

use masthead_normalize::SanitizedHtml;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The body as sanitized HTML.
pub fn body_html(body: &str) -> SanitizedHtml {
    let events = limited(body);
    let mut html = String::with_capacity(body.len() + body.len() / 4);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    masthead_normalize::sanitize(&html)
}

/// The body as plain text (paragraphs separated by blank lines): what search and teasers see.
pub fn body_text(body: &str) -> String {
    masthead_normalize::plain_text(&body_html(body))
}

/// Links in the body: Markdown links plus bare `http(s)://` and `www.` addresses in the text.
pub fn count_links(body: &str) -> usize {
    let mut links = 0;
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::Link { .. }) => links += 1,
            Event::Text(text) | Event::Code(text) => links += bare_links(&text),
            Event::Html(text) | Event::InlineHtml(text) => links += bare_links(&text),
            _ => {}
        }
    }
    links
}

/// Markdown links whose target is not `http(s)://` (nor a `mailto:`), for a message.
pub(crate) fn unsafe_link_targets(body: &str) -> Vec<String> {
    Parser::new_ext(body, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) if !allowed_target(&dest_url) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .collect()
}

fn allowed_target(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

fn bare_links(text: &str) -> usize {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"'))
        .filter(|w| {
            let w = w.to_ascii_lowercase();
            w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
        })
        .count()
}

fn options() -> Options {
    // Strikethrough is harmless; tables, footnotes, math and the rest stay off.
    Options::ENABLE_STRIKETHROUGH
}

/// The events of the limited subset.
fn limited(body: &str) -> Vec<Event<'_>> {
    let mut out = Vec::new();
    for event in Parser::new_ext(body, options()) {
        match event {
            // An image is dropped; its alt text (the events inside) stays as text.
            Event::Start(Tag::Heading { .. }) => {
                out.push(Event::Start(Tag::Paragraph));
                out.push(Event::Start(Tag::Strong));
            }
            Event::End(TagEnd::Heading(_)) => {
                out.push(Event::End(TagEnd::Strong));
                out.push(Event::End(TagEnd::Paragraph));
            }
            Event::Start(Tag::CodeBlock(_)) => out.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::CodeBlock) => out.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // A link to anything but the web or mail loses its target (the sanitizer
                // would drop it too; this keeps the text and says nothing clickable).
                let dest_url = if allowed_target(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                };
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // Typed HTML is shown as typed.
            Event::Html(text) | Event::InlineHtml(text) => out.push(Event::Text(text)),
            Event::Code(text) => out.push(Event::Text(text)),
            Event::SoftBreak => out.push(Event::HardBreak),
            Event::Start(
                Tag::Paragraph
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::List(_)
                | Tag::Item
                | Tag::BlockQuote(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::Link,
            )
            | Event::Text(_)
            | Event::HardBreak => out.push(event),
            // Anything else (images, rules, tables, footnotes, math …) keeps only its text.
            Event::Rule | Event::Start(_) | Event::End(_) => {}
            Event::FootnoteReference(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                out.push(Event::Text(text))
            }
            Event::TaskListMarker(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_paragraphs() {
        let html = body_html("First paragraph\nsame one.\n\nSecond one.");
        assert_eq!(
            html.as_str(),
            "<p>First paragraph<br>\nsame one.</p>\n<p>Second one.</p>\n"
        );
    }

    #[test]
    fn limited_markdown() {
        let html = body_html(
            "A **bold** and *em* [link](https://example.org/x).\n\n- one\n- two\n\n1. first\n",
        );
        let s = html.as_str();
        assert!(s.contains("<strong>bold</strong>"), "{s}");
        assert!(s.contains("<em>em</em>"), "{s}");
        assert!(s.contains("href=\"https://example.org/x\""), "{s}");
        assert!(s.contains("<ul>") && s.contains("<li>one</li>"), "{s}");
        assert!(s.contains("<ol>"), "{s}");
    }

    #[test]
    fn html_is_shown_as_typed_and_scripts_never_run() {
        let html = body_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        let s = html.as_str();
        assert!(!s.contains("<script"), "{s}");
        assert!(!s.contains("<img"), "{s}");
        assert!(s.contains("&lt;script&gt;"), "{s}");
        let js = body_html("[click](javascript:alert(1))");
        assert!(!js.as_str().contains("javascript"), "{}", js.as_str());
        assert!(js.as_str().contains("click"));
    }

    #[test]
    fn images_and_headings_are_flattened() {
        let html = body_html("# Big\n\n![alt text](https://example.org/i.png)");
        let s = html.as_str();
        assert!(!s.contains("<h1") && !s.contains("<img"), "{s}");
        assert!(s.contains("<strong>Big</strong>"), "{s}");
    }

    #[test]
    fn links_are_counted_markdown_and_bare() {
        assert_eq!(count_links("no links here"), 0);
        assert_eq!(
            count_links("[a](https://a.example) see https://b.example and www.c.example"),
            3
        );
        assert_eq!(
            unsafe_link_targets("[x](javascript:alert(1)) [y](https://ok.example)"),
            ["javascript:alert(1)"]
        );
    }

    #[test]
    fn plain_text_of_the_body() {
        assert_eq!(body_text("One **two**.\n\nThree."), "One two.\n\nThree.");
    }
}
