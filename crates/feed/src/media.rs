//! The Media RSS details feed-rs drops.
//!
//! feed-rs keeps a `media:thumbnail` or `media:credit` only when the same item also has a
//! `media:content`, and it never keeps `medium="image"`; feeds that give an item nothing but a
//! thumbnail (a common shape) would lose their image.
//!
//! Input: an RSS or Atom document's bytes. Output: per item or entry, in document order, the
//! first image-like `media:content`, the first `media:thumbnail`, the first credit and caption.
//! Best effort: any XML error yields `None`, never an error, because feed-rs has already
//! judged the document and this pass only adds detail. Never resolves URLs (the adapter does).

use quick_xml::NsReader;
use quick_xml::encoding::DecodingReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

const MEDIA_RSS: &str = "http://search.yahoo.com/mrss/";

#[derive(Debug, Default, Clone)]
pub(crate) struct ItemMedia {
    pub image_content: Option<String>,
    pub thumbnail: Option<String>,
    pub credit: Option<String>,
    pub description: Option<String>,
    pub title: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Credit,
    Description,
    Title,
}

pub(crate) fn scan(bytes: &[u8]) -> Option<Vec<ItemMedia>> {
    let mut reader = NsReader::from_reader(DecodingReader::new(bytes));
    reader.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let mut items = Vec::new();
    let mut depth: usize = 0;
    // Depth of the open item/entry, if any.
    let mut item_depth: Option<usize> = None;
    let mut current = ItemMedia::default();
    let mut capture: Option<(Capture, usize, String)> = None;

    loop {
        buf.clear();
        let (ns, event) = reader.read_resolved_event_into(&mut buf).ok()?;
        let in_media = matches!(&ns, ResolveResult::Bound(n) if n.0.trim_end_matches('/') == MEDIA_RSS.trim_end_matches('/'));
        match event {
            Event::Start(start) => {
                depth += 1;
                let local = start.local_name();
                let name = local.as_ref();
                if item_depth.is_none() {
                    if !in_media && (name == "item" || name == "entry") {
                        item_depth = Some(depth);
                        current = ItemMedia::default();
                    }
                    continue;
                }
                if !in_media || capture.is_some() {
                    continue;
                }
                match name {
                    "thumbnail" if current.thumbnail.is_none() => {
                        current.thumbnail = attr(&start, "url");
                    }
                    "content" if current.image_content.is_none() => {
                        let medium = attr(&start, "medium").unwrap_or_default();
                        let mime = attr(&start, "type").unwrap_or_default();
                        if medium.eq_ignore_ascii_case("image")
                            || mime.to_ascii_lowercase().starts_with("image/")
                        {
                            current.image_content = attr(&start, "url");
                        }
                    }
                    "credit" if current.credit.is_none() => {
                        capture = Some((Capture::Credit, depth, String::new()));
                    }
                    "description" if current.description.is_none() => {
                        capture = Some((Capture::Description, depth, String::new()));
                    }
                    "title" if current.title.is_none() => {
                        capture = Some((Capture::Title, depth, String::new()));
                    }
                    _ => {}
                }
            }
            Event::Text(text) => {
                if let Some((_, _, collected)) = capture.as_mut() {
                    collected.push_str(&text.xml10_content());
                }
            }
            Event::CData(text) => {
                if let Some((_, _, collected)) = capture.as_mut() {
                    collected.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some((_, _, collected)) = capture.as_mut() {
                    if let Ok(Some(c)) = reference.resolve_char_ref() {
                        collected.push(c);
                    } else {
                        let name: &str = &reference;
                        match quick_xml::escape::resolve_predefined_entity(name) {
                            Some(resolved) => collected.push_str(resolved),
                            None => {
                                collected.push('&');
                                collected.push_str(name);
                                collected.push(';');
                            }
                        }
                    }
                }
            }
            Event::End(_) => {
                if let Some((what, at, text)) = capture.take() {
                    if at == depth {
                        let text = text.trim().to_owned();
                        let text = (!text.is_empty()).then_some(text);
                        match what {
                            Capture::Credit => current.credit = text,
                            Capture::Description => current.description = text,
                            Capture::Title => current.title = text,
                        }
                    } else {
                        capture = Some((what, at, text));
                    }
                }
                if item_depth == Some(depth) {
                    items.push(std::mem::take(&mut current));
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(items)
}

fn attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::default())
                .ok()
                .map(|v| v.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_thumbnails_and_medium_image_are_seen() {
        let xml = br#"<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<item><title>a</title><media:thumbnail url="https://x.example/t.jpg"/>
<media:credit>Jane &amp; Co</media:credit></item>
<item><media:content url="https://x.example/p" medium="image"><media:description><![CDATA[A <b>cap</b>]]></media:description></media:content></item>
<item><media:content url="https://x.example/v.mp4" type="video/mp4"/></item>
</channel></rss>"#;
        let items = scan(xml).unwrap();
        assert_eq!(items.len(), 3);
        let [a, b, c] = items.as_slice() else {
            panic!("three items")
        };
        assert_eq!(a.thumbnail.as_deref(), Some("https://x.example/t.jpg"));
        assert_eq!(a.credit.as_deref(), Some("Jane & Co"));
        assert_eq!(b.image_content.as_deref(), Some("https://x.example/p"));
        assert_eq!(b.description.as_deref(), Some("A <b>cap</b>"));
        assert_eq!(c.image_content, None);
    }

    #[test]
    fn broken_xml_is_none() {
        assert!(scan(b"<rss><channel><item></channel>").is_none());
    }
}
