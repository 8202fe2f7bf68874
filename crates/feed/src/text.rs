//! Small text conversions between what feeds say and what entries carry.
//!
//! Input: titles, captions and plain-text bodies as the feed gave them.
//! Output: one-line text with entities decoded, or plain text escaped into `<p>`s.
//! Never sanitizes HTML and never touches quotes or apostrophes: that is `normalize`'s job,
//! and the text must reach it exactly as the source wrote it.

/// Text for one line (titles, captions): markup removed when the feed said it is HTML,
/// entities decoded, whitespace runs collapsed. Typographic characters are kept as they are.
pub(crate) fn one_line(raw: &str, is_html: bool) -> Option<String> {
    let without_tags = if is_html {
        strip_tags(raw)
    } else {
        raw.to_owned()
    };
    // Decoded even when the feed calls it plain text: feeds double-escape titles
    // ("&amp;#8217;") far more often than they mean a literal "&rsquo;".
    let decoded = decode_entities(&decode_entities(&without_tags));
    // Typographic spaces (no-break, en, em, thin …) are the author's, as written; only
    // line breaks, tabs and ordinary space runs collapse.
    let collapsed = decoded
        .split(is_collapsible_space)
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

fn is_collapsible_space(c: char) -> bool {
    c.is_whitespace()
        && !matches!(
            c,
            '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
        )
}

/// Plain text as HTML: escaped, one `<p>` per blank-line-separated paragraph, single line
/// breaks kept as `<br>`.
pub(crate) fn text_to_html(text: &str) -> Option<String> {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut html = String::new();
    for paragraph in normalized.split("\n\n") {
        let lines: Vec<&str> = paragraph
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        html.push_str("<p>");
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            html.push_str(&escape(line));
        }
        html.push_str("</p>");
    }
    (!html.is_empty()).then_some(html)
}

/// Escapes text for HTML or XML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Drops tags (and the content of `script`/`style`, which is never text).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start..).unwrap_or_default();
        let lower: String = after
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            find_ci(after, "</script>")
        } else if lower.starts_with("<style") {
            find_ci(after, "</style>")
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(end) => {
                // A tag boundary is whitespace in the text ("a<br>b" is two words).
                out.push(' ');
                rest = after.get(end..).unwrap_or_default();
            }
            None => {
                // An unclosed "<" is text, not a tag ("5 < 6").
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .to_ascii_lowercase()
        .find(needle)
        .map(|i| i + needle.len())
}

/// Decodes numeric references and the named entities feeds actually use. Anything else,
/// including a bare "&", is left as written.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        // Entity names are short; a far-away ";" belongs to something else.
        let decoded = after
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .and_then(|(semi, _)| {
                let name = after.get(..semi)?;
                decode_one(name).map(|c| (c, semi))
            });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_one(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        // All of HTML 4's, which feeds use without declaring them.
        _ => {
            let i = crate::entities::HTML_ENTITIES
                .binary_search_by(|(known, _)| (*known).cmp(name))
                .ok()?;
            let (_, code) = crate::entities::HTML_ENTITIES.get(i)?;
            return char::from_u32(*code);
        }
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_keep_typographic_quotes() {
        assert_eq!(
            one_line("  The president’s “confidant”\n  leaves ", false).as_deref(),
            Some("The president’s “confidant” leaves")
        );
        assert_eq!(
            one_line(
                "Ben &amp;amp; Jerry&#8217;s &rsquo;quote&rsquo; AT&T",
                false
            )
            .as_deref(),
            Some("Ben & Jerry’s ’quote’ AT&T")
        );
        assert_eq!(
            one_line("<b>Bold</b> move<br>now 5 &lt; 6", true).as_deref(),
            Some("Bold move now 5 < 6")
        );
        assert_eq!(one_line("a < b", true).as_deref(), Some("a < b"));
        assert_eq!(one_line("   ", false), None);
        // Typographic spaces are kept, ordinary runs collapse; HTML 4 entities all decode.
        assert_eq!(
            one_line("a \u{a0}\t b&thinsp;c &Omega;&spades;", false).as_deref(),
            Some("a \u{a0} b\u{2009}c Ω♠")
        );
        assert_eq!(
            decode_entities("&#0; &#xZZ; &bogus; &"),
            "&#0; &#xZZ; &bogus; &"
        );
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        assert_eq!(
            text_to_html("First <line>\nsame para\r\n\r\nSecond & “last”").as_deref(),
            Some("<p>First &lt;line&gt;<br>same para</p><p>Second &amp; “last”</p>")
        );
        assert_eq!(text_to_html(" \n\n "), None);
    }
}
