//! OPML source lists in and out (`masthead sources import` / `export`).
//!
//! Input: an OPML 1.0/2.0 document's bytes (charset from its prolog), or outlines to write.
//! Output: the feed outlines, nested folders flattened (the folder's title becomes the
//! category); or an OPML 2.0 document with every value escaped.
//! Never fetches or validates the feeds themselves, and keeps only `http(s)` feed URLs.

use quick_xml::Reader;
use quick_xml::encoding::DecodingReader;
use quick_xml::events::{BytesStart, Event};

use crate::FeedError;
use crate::links::absolute_http;
use crate::text::{escape, one_line};

/// One feed of a source list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlOutline {
    /// `title`, else `text`, else the feed URL.
    pub title: String,
    /// Absolute `http(s)`.
    pub xml_url: String,
    pub html_url: Option<String>,
    /// The title of the enclosing folder outline, if any.
    pub category: Option<String>,
}

/// Reads the feed outlines of an OPML document, in document order.
///
/// Outlines without a usable `xmlUrl` are folders (or junk) and are not returned themselves.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlOutline>, FeedError> {
    let fail = |cause: String| FeedError::Opml {
        input: crate::describe_input(bytes),
        cause,
    };
    let mut reader = Reader::from_reader(DecodingReader::new(bytes));
    reader.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let mut outlines = Vec::new();
    // One slot per open element: Some(title) for an open outline, None for anything else.
    let mut open: Vec<Option<String>> = Vec::new();
    let mut seen_root = false;

    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| fail(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(start) => {
                let local = start.local_name();
                let name = local.as_ref();
                if !seen_root {
                    if name != "opml" {
                        return Err(fail(format!("the root element is <{name}>, not <opml>")));
                    }
                    seen_root = true;
                }
                if name != "outline" {
                    open.push(None);
                    continue;
                }
                let title = attr(&start, "title").or_else(|| attr(&start, "text"));
                let xml_url = attr(&start, "xmlUrl").and_then(|u| absolute_http(&u, None));
                if let Some(xml_url) = xml_url {
                    let category = open.iter().rev().find_map(Clone::clone);
                    outlines.push(OpmlOutline {
                        title: title.clone().unwrap_or_else(|| xml_url.clone()),
                        html_url: attr(&start, "htmlUrl").and_then(|u| absolute_http(&u, None)),
                        xml_url,
                        category,
                    });
                    // A feed outline is not a folder for anything nested inside it.
                    open.push(None);
                } else {
                    open.push(title);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(fail("no <opml> element".to_owned()));
    }
    if !open.is_empty() {
        return Err(fail("the document ends inside an element".to_owned()));
    }
    Ok(outlines)
}

fn attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)?;
    let value = attribute
        .normalized_value(quick_xml::XmlVersion::default())
        .ok()?;
    one_line(&value, false)
}

/// Writes an OPML 2.0 document: outlines grouped under one folder per category, in order of
/// first appearance, uncategorised ones at the top level.
pub fn write_opml(title: &str, outlines: &[OpmlOutline]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str("  <head>\n    <title>");
    out.push_str(&xml_text(title));
    out.push_str("</title>\n  </head>\n  <body>\n");

    let mut categories: Vec<&str> = Vec::new();
    for outline in outlines {
        match outline.category.as_deref() {
            None => write_outline(&mut out, outline, "    "),
            Some(c) if !categories.contains(&c) => categories.push(c),
            Some(_) => {}
        }
    }
    for category in categories {
        let name = xml_text(category);
        out.push_str(&format!("    <outline text=\"{name}\" title=\"{name}\">\n"));
        for outline in outlines
            .iter()
            .filter(|o| o.category.as_deref() == Some(category))
        {
            write_outline(&mut out, outline, "      ");
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn write_outline(out: &mut String, outline: &OpmlOutline, indent: &str) {
    let title = xml_text(&outline.title);
    out.push_str(indent);
    out.push_str(&format!(
        "<outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"",
        xml_text(&outline.xml_url)
    ));
    if let Some(html_url) = &outline.html_url {
        out.push_str(&format!(" htmlUrl=\"{}\"", xml_text(html_url)));
    }
    out.push_str("/>\n");
}

/// Escaped, with the control characters XML 1.0 cannot carry at all removed.
fn xml_text(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_outlines_flatten_with_their_folder() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Wires</title></head><body>
  <outline text="World">
    <outline text="RT &amp; Co" title="RT.com" type="rss" xmlUrl="https://rt.example/rss" htmlUrl="https://rt.example/"/>
    <outline text="Deeper"><outline text="Kyiv Post" xmlUrl="http://kp.example/feed"/></outline>
  </outline>
  <outline text="Loose" xmlUrl="https://loose.example/atom.xml"/>
  <outline text="Bad" xmlUrl="javascript:alert(1)"/>
  <outline text="Folder without feeds"/>
</body></opml>"#;
        let outlines = parse_opml(doc).unwrap();
        assert_eq!(
            outlines,
            vec![
                OpmlOutline {
                    title: "RT.com".into(),
                    xml_url: "https://rt.example/rss".into(),
                    html_url: Some("https://rt.example/".into()),
                    category: Some("World".into()),
                },
                OpmlOutline {
                    title: "Kyiv Post".into(),
                    xml_url: "http://kp.example/feed".into(),
                    html_url: None,
                    category: Some("Deeper".into()),
                },
                OpmlOutline {
                    title: "Loose".into(),
                    xml_url: "https://loose.example/atom.xml".into(),
                    html_url: None,
                    category: None,
                },
            ]
        );
    }

    #[test]
    fn written_opml_reads_back_the_same() {
        let outlines = vec![
            OpmlOutline {
                title: "Loose <one> \"quoted\" & ’curly’".into(),
                xml_url: "https://a.example/feed?x=1&y=2".into(),
                html_url: None,
                category: None,
            },
            OpmlOutline {
                title: "RT.com".into(),
                xml_url: "https://rt.example/rss".into(),
                html_url: Some("https://rt.example/".into()),
                category: Some("World & Nation".into()),
            },
            OpmlOutline {
                title: "Second".into(),
                xml_url: "https://b.example/rss".into(),
                html_url: None,
                category: Some("World & Nation".into()),
            },
        ];
        let written = write_opml("Echo \u{1} sources & more", &outlines);
        assert!(written.contains("<title>Echo  sources &amp; more</title>"));
        assert!(written.contains("xmlUrl=\"https://a.example/feed?x=1&amp;y=2\""));
        assert_eq!(parse_opml(written.as_bytes()).unwrap(), outlines);
    }

    #[test]
    fn not_opml_is_an_error() {
        for doc in [
            &b""[..],
            b"<html><body>hi</body></html>",
            b"<opml><body><outline text=\"x\">",
            b"{\"version\": 1}",
        ] {
            assert!(
                matches!(parse_opml(doc), Err(FeedError::Opml { .. })),
                "{:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }
}
