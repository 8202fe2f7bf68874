//! The lenient pre-pass: documents feed-rs would refuse or misread, made readable.
//!
//! Input: a feed document's raw bytes. Output: the same bytes when nothing needs fixing (the
//! common case costs one scan and no allocation), or a rewritten document:
//! - UTF-16 and UTF-32 (with or without a byte order mark) decoded to UTF-8, and an XML
//!   declaration naming a wide encoding for a document that is not wide rewritten to UTF-8;
//! - undeclared HTML named entities (`&eacute;`) turned into character references, stray `&`
//!   escaped, malformed character references (`&#x41` without `;`, `&#X41;`, `&#0;`, the
//!   windows-1252 range `&#146;`) repaired, entities declared in the internal DTD subset
//!   expanded (CDATA sections, comments and processing instructions are left alone);
//! - an `<rss>` root without a `version` attribute, or with one feed-rs does not know, read as
//!   RSS 2.0;
//! - Atom 0.3 rewritten to Atom 1.0 terms.
//!
//! Never fails and never panics: a step that cannot make sense of the document leaves it as it
//! was, and feed-rs gives the verdict.

use std::borrow::Cow;
use std::collections::HashMap;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use quick_xml::NsReader;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::writer::Writer;

use crate::entities::HTML_ENTITIES;

const ATOM03_NS: &str = "http://purl.org/atom/ns#";
const ATOM10_NS: &str = "http://www.w3.org/2005/Atom";

/// Every step of the pre-pass, in order.
pub(crate) fn prepare(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut doc: Cow<'_, [u8]> = match decode_wide(bytes) {
        Some(text) => Cow::Owned(text),
        None => Cow::Borrowed(bytes),
    };
    if declared_encoding(&doc).is_some_and(|label| is_wide_label(&label)) {
        // Not wide (that was decoded above) yet declared so: the declaration is wrong, and
        // quick-xml would switch to a decoder that turns the rest into noise.
        if let Some(fixed) = declare_utf8(&doc) {
            doc = Cow::Owned(fixed);
        }
    }
    if let Some(fixed) = fix_references(&doc) {
        doc = Cow::Owned(fixed);
    }
    if let Some(fixed) = close_final_tag(&doc) {
        doc = Cow::Owned(fixed);
    }
    if let Some(fixed) = fix_root(&doc) {
        doc = Cow::Owned(fixed);
    }
    doc
}

/// A document cut off inside its last end tag (`…</feed`) gets its `>`.
fn close_final_tag(doc: &[u8]) -> Option<Vec<u8>> {
    let trimmed = doc.trim_ascii_end();
    let lt = trimmed.iter().rposition(|b| *b == b'<')?;
    let name = trimmed.get(lt + 1..)?.strip_prefix(b"/")?;
    if name.is_empty() || !name.iter().all(|b| is_name_byte(*b)) {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() + 2);
    out.extend_from_slice(trimmed);
    out.extend_from_slice(b">\n");
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Encodings

/// UTF-16 or UTF-32 (by byte order mark, or by the zero bytes around a leading `<`) as UTF-8,
/// with its XML declaration saying so; `None` for anything else.
fn decode_wide(bytes: &[u8]) -> Option<Vec<u8>> {
    let tail = |n: usize| bytes.get(n..).unwrap_or_default();
    let text = match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => utf32(tail(4), true),
        [0xFF, 0xFE, 0x00, 0x00, ..] => utf32(tail(4), false),
        [0x00, 0x00, 0x00, b, ..] if *b != 0 => utf32(bytes, true),
        [b, 0x00, 0x00, 0x00, ..] if *b != 0 => utf32(bytes, false),
        [0xFE, 0xFF, ..] => UTF_16BE.decode_without_bom_handling(tail(2)).0.into_owned(),
        [0xFF, 0xFE, ..] => UTF_16LE.decode_without_bom_handling(tail(2)).0.into_owned(),
        [0x00, b, ..] if *b != 0 && b.is_ascii() => {
            UTF_16BE.decode_without_bom_handling(bytes).0.into_owned()
        }
        [b, 0x00, ..] if *b != 0 && b.is_ascii() => {
            UTF_16LE.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => return None,
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text).as_bytes();
    Some(declare_utf8(text).unwrap_or_else(|| text.to_vec()))
}

fn utf32(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let quad = [
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
                c.get(2).copied().unwrap_or(0),
                c.get(3).copied().unwrap_or(0),
            ];
            let unit = if big_endian {
                u32::from_be_bytes(quad)
            } else {
                u32::from_le_bytes(quad)
            };
            char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect()
}

fn is_wide_label(label: &str) -> bool {
    let label = label.to_ascii_lowercase();
    [
        "utf-16",
        "utf16",
        "utf-32",
        "utf32",
        "ucs-2",
        "ucs-4",
        "iso-10646-ucs",
    ]
    .iter()
    .any(|wide| label.starts_with(wide))
}

/// Where the XML declaration's `encoding` value sits: `(start, end)` byte offsets.
fn encoding_span(doc: &[u8]) -> Option<(usize, usize)> {
    let offset = if doc.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let decl = doc.get(offset..)?;
    if !decl.starts_with(b"<?xml") {
        return None;
    }
    let end = find(decl, b"?>", 0)?;
    let decl = decl.get(..end)?;
    let key = find(decl, b"encoding", 0)?;
    let mut i = key + b"encoding".len();
    while decl.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while decl.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    let quote = *decl.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    let start = i + 1;
    let len = decl.get(start..)?.iter().position(|b| *b == quote)?;
    Some((offset + start, offset + start + len))
}

fn declared_encoding(doc: &[u8]) -> Option<String> {
    let (start, end) = encoding_span(doc)?;
    doc.get(start..end)
        .map(|label| String::from_utf8_lossy(label).trim().to_owned())
}

/// The document with its declaration naming UTF-8; `None` when it has no encoding to change.
fn declare_utf8(doc: &[u8]) -> Option<Vec<u8>> {
    let (start, end) = encoding_span(doc)?;
    if doc.get(start..end)?.eq_ignore_ascii_case(b"utf-8") {
        return None;
    }
    let mut out = Vec::with_capacity(doc.len());
    out.extend_from_slice(doc.get(..start)?);
    out.extend_from_slice(b"utf-8");
    out.extend_from_slice(doc.get(end..)?);
    Some(out)
}

/// The document as UTF-8 text, decoded as quick-xml would (byte order mark, then the declared
/// encoding, then UTF-8), for the steps that need a `&str`.
fn to_utf8(doc: &[u8]) -> String {
    if let Some((encoding, bom)) = Encoding::for_bom(doc) {
        let body = doc.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(body).0.into_owned();
    }
    let encoding = declared_encoding(doc)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .filter(|e| *e != UTF_16BE && *e != UTF_16LE)
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(doc).0.into_owned()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

// ---------------------------------------------------------------------------------------
// References

/// The document with every `&` made well-formed; `None` when all already were.
fn fix_references(doc: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut declared: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let mut i = 0;
    while let Some(offset) = doc
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'&' || *b == b'<'))
    {
        let at = i + offset;
        if doc.get(at) == Some(&b'<') {
            i = skip_markup(doc, at, &mut declared);
            continue;
        }
        match repair_reference(doc, at, &declared) {
            None => i = at + 1,
            Some((replacement, consumed)) => {
                let buffer = out.get_or_insert_with(|| Vec::with_capacity(doc.len() + 64));
                buffer.extend_from_slice(doc.get(copied..at).unwrap_or_default());
                buffer.extend_from_slice(&replacement);
                copied = at + consumed;
                i = copied;
            }
        }
    }
    let mut out = out?;
    out.extend_from_slice(doc.get(copied..).unwrap_or_default());
    Some(out)
}

/// Past the markup starting at `doc[at] == '<'`: a whole CDATA section, comment, processing
/// instruction or DOCTYPE (whose general entity declarations are collected), or just the `<`.
fn skip_markup(doc: &[u8], at: usize, declared: &mut HashMap<Vec<u8>, Vec<u8>>) -> usize {
    let rest = doc.get(at..).unwrap_or_default();
    let past =
        |end: &[u8], from: usize| find(doc, end, at + from).map_or(doc.len(), |p| p + end.len());
    if rest.starts_with(b"<![CDATA[") {
        past(b"]]>", 9)
    } else if rest.starts_with(b"<!--") {
        past(b"-->", 4)
    } else if rest.starts_with(b"<?") {
        past(b"?>", 2)
    } else if rest
        .get(..9)
        .is_some_and(|d| d.eq_ignore_ascii_case(b"<!DOCTYPE"))
    {
        let end = doctype_end(rest);
        collect_entities(rest.get(..end).unwrap_or_default(), declared);
        at + end
    } else {
        at + 1
    }
}

/// The length of a DOCTYPE declaration, internal subset included.
fn doctype_end(doctype: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, b) in doctype.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if *b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return i + 1,
            _ => {}
        }
    }
    doctype.len()
}

/// `<!ENTITY name "value">` declarations (general entities with a literal value) of an
/// internal DTD subset.
fn collect_entities(doctype: &[u8], declared: &mut HashMap<Vec<u8>, Vec<u8>>) {
    let mut from = 0;
    while let Some(at) = find(doctype, b"<!ENTITY", from) {
        from = at + 8;
        let rest = doctype.get(from..).unwrap_or_default();
        let mut i = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if rest.get(i) == Some(&b'%') {
            continue;
        }
        let name_len = rest
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| is_name_byte(**b))
            .count();
        let name = rest.get(i..i + name_len).unwrap_or_default().to_vec();
        i += name_len;
        i += rest
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let Some(quote) = rest.get(i).copied().filter(|q| *q == b'"' || *q == b'\'') else {
            continue;
        };
        let value = rest.get(i + 1..).unwrap_or_default();
        let Some(len) = value.iter().position(|b| *b == quote) else {
            continue;
        };
        // The value is inserted once, never expanded again: no entity can grow the document
        // beyond the sum of the declared values.
        if !name.is_empty() && value.get(..len).is_some_and(|v| !v.contains(&b'&')) {
            declared.insert(name, value.get(..len).unwrap_or_default().to_vec());
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80
}

/// What should replace the reference starting at `doc[at] == '&'`, and how many bytes it
/// replaces; `None` when it is a well-formed reference to a character or a predefined entity.
fn repair_reference(
    doc: &[u8],
    at: usize,
    declared: &HashMap<Vec<u8>, Vec<u8>>,
) -> Option<(Vec<u8>, usize)> {
    let rest = doc.get(at + 1..).unwrap_or_default();
    let escape = Some((b"&amp;".to_vec(), 1));
    if rest.first() == Some(&b'#') {
        let upper_x = rest.get(1) == Some(&b'X');
        let hex = upper_x || rest.get(1) == Some(&b'x');
        let digits_at = if hex { 2 } else { 1 };
        let digits = rest
            .get(digits_at..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return escape;
        }
        let end = digits_at + digits;
        let has_semicolon = rest.get(end) == Some(&b';');
        let text = std::str::from_utf8(rest.get(digits_at..end).unwrap_or_default()).ok()?;
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).ok();
        let fixed = value.map_or(0xFFFD, repair_code_point);
        if has_semicolon && !upper_x && value == Some(fixed) {
            return None;
        }
        let consumed = 1 + end + usize::from(has_semicolon);
        return Some((format!("&#{fixed};").into_bytes(), consumed));
    }
    let name_len = rest.iter().take_while(|b| is_name_byte(**b)).count();
    let starts_well = rest
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b':' || *b >= 0x80);
    if name_len == 0 || !starts_well {
        return escape;
    }
    let name = rest.get(..name_len).unwrap_or_default();
    let has_semicolon = rest.get(name_len) == Some(&b';');
    if has_semicolon && matches!(name, b"amp" | b"lt" | b"gt" | b"quot" | b"apos") {
        return None;
    }
    if has_semicolon && let Some(value) = declared.get(name) {
        return Some((value.clone(), 1 + name_len + 1));
    }
    let html = std::str::from_utf8(name).ok().and_then(|name| {
        HTML_ENTITIES
            .binary_search_by(|(known, _)| (*known).cmp(name))
            .ok()
            .and_then(|i| HTML_ENTITIES.get(i))
    });
    match html {
        Some((_, code)) if has_semicolon => Some((format!("&#{code};").into_bytes(), name_len + 2)),
        // HTML reads `&copy 2003` as the entity too; `&copy=2` in a query string it does not.
        Some((_, code)) if rest.get(name_len) != Some(&b'=') => {
            Some((format!("&#{code};").into_bytes(), name_len + 1))
        }
        _ => escape,
    }
}

/// A code point XML can carry: NUL, surrogates and values past Unicode become U+FFFD, and the
/// C1 range is read as windows-1252 (`&#146;` is what the author's keyboard typed as `’`).
fn repair_code_point(value: u32) -> u32 {
    const WINDOWS_1252: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match value {
        0x80..=0x9F => usize::try_from(value - 0x80)
            .ok()
            .and_then(|i| WINDOWS_1252.get(i).copied())
            .unwrap_or(0xFFFD),
        0 => 0xFFFD,
        _ if char::from_u32(value).is_none() => 0xFFFD,
        _ => value,
    }
}

// ---------------------------------------------------------------------------------------
// The root element

/// The root start tag: its byte span.
fn root_tag(doc: &[u8]) -> Option<(usize, usize)> {
    let mut i = if doc.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut ignored = HashMap::new();
    loop {
        i += doc
            .get(i..)?
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let rest = doc.get(i..)?;
        if !rest.starts_with(b"<") {
            return None;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = skip_markup(doc, i, &mut ignored);
            continue;
        }
        let mut quote = None;
        for (j, b) in rest.iter().enumerate() {
            match (quote, *b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(*b),
                (None, b'>') => return Some((i, i + j + 1)),
                _ => {}
            }
        }
        return None;
    }
}

/// RSS without a version feed-rs knows becomes RSS 2.0; Atom 0.3 becomes Atom 1.0.
fn fix_root(doc: &[u8]) -> Option<Vec<u8>> {
    let (start, end) = root_tag(doc)?;
    let tag = std::str::from_utf8(doc.get(start..end)?).ok()?;
    let mut reader = quick_xml::Reader::from_str(tag);
    let element = match reader.read_event().ok()? {
        Event::Start(e) | Event::Empty(e) => e,
        _ => return None,
    };
    let version = element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "version")
        .map(|a| a.value.trim().to_owned());
    let name = element.name();
    let local = name.local_name();
    if name.as_ref() == "rss" {
        if matches!(version.as_deref(), Some("2.0" | "" | "0.91" | "0.92")) {
            return None;
        }
        let mut fixed = BytesStart::new("rss");
        for attr in element.attributes().flatten() {
            if attr.key.as_ref() != "version" {
                fixed.push_attribute(requoted(&attr));
            }
        }
        fixed.push_attribute(("version", "2.0"));
        let mut writer = Writer::new(Vec::new());
        let event = if tag.ends_with("/>") {
            Event::Empty(fixed)
        } else {
            Event::Start(fixed)
        };
        writer.write_event(event).ok()?;
        let mut out = Vec::with_capacity(doc.len() + 16);
        out.extend_from_slice(doc.get(..start)?);
        out.extend_from_slice(&writer.into_inner());
        out.extend_from_slice(doc.get(end..)?);
        return Some(out);
    }
    if local.as_ref() != "feed" || tag.contains(ATOM10_NS) {
        return None;
    }
    if tag.contains(ATOM03_NS) {
        return atom03_to_atom10(doc, ATOM03_NS);
    }
    // Drafts before 0.3 named other namespaces; `version` is what says Atom.
    if version
        .as_deref()
        .is_some_and(|v| matches!(v, "0.1" | "0.2" | "0.3"))
    {
        let default_ns = element
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == "xmlns")
            .map(|a| a.value.trim().to_owned())
            .unwrap_or_default();
        return atom03_to_atom10(doc, &default_ns);
    }
    None
}

/// An attribute as written, made safe to write between double quotes.
fn requoted<'a>(attr: &'a Attribute<'a>) -> Attribute<'a> {
    Attribute {
        key: attr.key,
        value: if attr.value.contains('"') {
            Cow::Owned(attr.value.replace('"', "&quot;"))
        } else {
            Cow::Borrowed(attr.value.as_ref())
        },
    }
}

// ---------------------------------------------------------------------------------------
// Atom 0.3

/// What becomes of an Atom 0.3 element.
struct Frame {
    /// The local name it had.
    local: String,
    /// The name to close it with (`None`: written as it was).
    renamed: Option<String>,
    /// `mode="base64"` content: its text is collected and decoded.
    base64: Option<String>,
}

/// Atom 0.3 in Atom 1.0 terms, through a quick-xml read/write round trip; `None` when the
/// document is not well-formed enough to read (feed-rs then says why).
/// `legacy_ns`: the namespace the document uses for Atom (empty: none, `<feed version="0.3">`).
fn atom03_to_atom10(doc: &[u8], legacy_ns: &str) -> Option<Vec<u8>> {
    let text = to_utf8(doc);
    let mut events = Vec::new();
    let mut reader = NsReader::from_str(&text);
    reader.config_mut().trim_markup_names_in_closing_tags = true;
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        let is03 = match resolved {
            ResolveResult::Bound(ns) => ns.as_ref() == legacy_ns,
            ResolveResult::Unbound => legacy_ns.is_empty(),
            ResolveResult::Unknown(_) => false,
        };
        if matches!(event, Event::Eof) {
            break;
        }
        events.push((is03, event));
    }

    // `issued` is the publication date; `created` only stands in for it when it is missing.
    // Text constructs with child elements hold inline markup, whatever their type says.
    let mut parents: Vec<usize> = Vec::new();
    let mut has_issued = std::collections::HashSet::new();
    let mut has_children = std::collections::HashSet::new();
    for (i, (is03, event)) in events.iter().enumerate() {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if let Some(parent) = parents.last() {
                    has_children.insert(*parent);
                }
                if *is03
                    && e.local_name().as_ref() == "issued"
                    && let Some(parent) = parents.last()
                {
                    has_issued.insert(*parent);
                }
                if matches!(event, Event::Start(_)) {
                    parents.push(i);
                }
            }
            Event::End(_) => {
                parents.pop();
            }
            _ => {}
        }
    }

    let mut writer = Writer::new(Vec::with_capacity(text.len() + 256));
    let mut stack: Vec<(usize, Frame)> = Vec::new();
    let mut skipping = 0usize;
    for (i, (is03, event)) in events.into_iter().enumerate() {
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        if let Some((_, frame)) = stack.last_mut()
            && let Some(collected) = frame.base64.as_mut()
        {
            match &event {
                Event::Text(t) => {
                    collected.push_str(t.as_ref());
                    continue;
                }
                Event::CData(t) => {
                    collected.push_str(t.as_ref());
                    continue;
                }
                _ => {}
            }
        }
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                let local = e.local_name().as_ref().to_owned();
                let parent = stack.last().map(|(_, f)| f.local.as_str()).unwrap_or("");
                let parent_index = stack.last().map(|(index, _)| *index);
                let drop = is03
                    && (local == "info"
                        || (local == "created"
                            && parent_index.is_some_and(|p| has_issued.contains(&p))));
                if drop {
                    if is_start {
                        skipping = 1;
                    }
                    continue;
                }
                let (rewritten, renamed, base64) = if is03 {
                    let inline = is_start && has_children.contains(&i);
                    rewrite_atom03_start(e, &local, parent, inline, legacy_ns)
                } else {
                    (rewrite_namespaces(e, legacy_ns), None, false)
                };
                if is_start {
                    writer.write_event(Event::Start(rewritten)).ok()?;
                    stack.push((
                        i,
                        Frame {
                            local,
                            renamed,
                            base64: base64.then(String::new),
                        },
                    ));
                } else {
                    writer.write_event(Event::Empty(rewritten)).ok()?;
                }
            }
            Event::End(e) => {
                let Some((_, frame)) = stack.pop() else {
                    writer.write_event(Event::End(e)).ok()?;
                    continue;
                };
                if let Some(encoded) = frame.base64 {
                    let decoded = decode_base64(&encoded)
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                        .unwrap_or(encoded);
                    writer
                        .write_event(Event::Text(BytesText::new(&decoded)))
                        .ok()?;
                }
                match frame.renamed {
                    Some(name) => writer.write_event(Event::End(BytesEnd::new(name))).ok()?,
                    None => writer.write_event(Event::End(e)).ok()?,
                }
            }
            other => writer.write_event(other).ok()?,
        }
    }
    let out = writer.into_inner();
    Some(declare_utf8(&out).unwrap_or(out))
}

/// An element in another namespace: only the Atom 0.3 namespace declarations it carries
/// change.
fn rewrite_namespaces<'a>(e: &'a BytesStart<'a>, legacy_ns: &str) -> BytesStart<'a> {
    let declares03 = e
        .attributes()
        .flatten()
        .any(|a| is_xmlns(a.key.as_ref()) && a.value.trim() == legacy_ns);
    if !declares03 {
        return e.borrow();
    }
    let mut out = BytesStart::new(e.name().as_ref().to_owned());
    for attr in e.attributes().flatten() {
        if is_xmlns(attr.key.as_ref()) && attr.value.trim() == legacy_ns {
            out.push_attribute((attr.key.as_ref(), ATOM10_NS));
        } else {
            out.push_attribute(requoted(&attr));
        }
    }
    out.into_owned()
}

fn is_xmlns(key: &str) -> bool {
    key == "xmlns" || key.starts_with("xmlns:")
}

/// An Atom 0.3 start tag in Atom 1.0 terms: the tag, the name to close it with when renamed,
/// and whether its text is base64. `inline`: it has child elements.
fn rewrite_atom03_start<'a>(
    e: &'a BytesStart<'a>,
    local: &str,
    parent: &str,
    inline: bool,
    legacy_ns: &str,
) -> (BytesStart<'static>, Option<String>, bool) {
    let new_local = match local {
        "issued" | "created" => "published",
        "modified" => "updated",
        "tagline" => "subtitle",
        "copyright" => "rights",
        "url" if matches!(parent, "author" | "contributor") => "uri",
        other => other,
    };
    let qname = e.name();
    let name = match qname.prefix() {
        Some(prefix) => format!("{}:{new_local}", prefix.as_ref()),
        None => new_local.to_owned(),
    };
    let renamed = (new_local != local).then(|| name.clone());

    let text_construct = matches!(
        new_local,
        "title" | "subtitle" | "summary" | "content" | "rights"
    );
    let mut type_attr = None;
    let mut mode = None;
    let mut out = BytesStart::new(name);
    for attr in e.attributes().flatten() {
        let key = attr.key.as_ref();
        match key {
            "type" if text_construct => type_attr = Some(attr.value.trim().to_ascii_lowercase()),
            "mode" if text_construct => mode = Some(attr.value.trim().to_ascii_lowercase()),
            "version" if local == "feed" => {}
            _ if is_xmlns(key) && attr.value.trim() == legacy_ns => {
                out.push_attribute((key, ATOM10_NS));
            }
            _ => out.push_attribute(requoted(&attr)),
        }
    }
    let mut base64 = false;
    if text_construct {
        let mime = type_attr.as_deref().unwrap_or("text/plain");
        let mode = mode.as_deref().unwrap_or("xml");
        let html = mime.contains("html");
        let atom10 = match (mode, mime) {
            (_, "text" | "html" | "xhtml") => mime,
            ("escaped", _) | ("base64", _) if html => "html",
            ("escaped", _) | ("base64", _) => "text",
            (_, "application/xhtml+xml" | "text/html") => "xhtml",
            _ if inline => "xhtml",
            (_, "text/plain") => "text",
            // Other media types only mean something for content (Atom 1.0 keeps them there).
            (_, other) if new_local == "content" => other,
            _ => "text",
        };
        base64 = mode == "base64";
        out.push_attribute(("type", atom10));
    }
    (out.into_owned(), renamed, base64)
}

/// RFC 4648 base64 (whitespace ignored, padding optional); `None` on any other character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in text.bytes() {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or(0));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(doc: &[u8]) -> String {
        String::from_utf8(prepare(doc).into_owned()).unwrap()
    }

    #[test]
    fn well_formed_documents_are_not_copied() {
        let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>A &amp; B &#8217; &#x2019;</title>
<description><![CDATA[AT&T &nbsp;]]></description><!-- & --></channel></rss>"#;
        assert!(matches!(prepare(doc), Cow::Borrowed(_)));
    }

    #[test]
    fn html_entities_and_stray_ampersands_are_repaired() {
        let doc = b"<rss version=\"2.0\"><channel><title>caf&eacute; &nbsp;AT&T &copy 2003 &#x41 &#X42; &#146; &#0; &bogus; a=1&copy=2</title></channel></rss>";
        assert_eq!(
            prepared(doc),
            "<rss version=\"2.0\"><channel><title>caf&#233; &#160;AT&amp;T &#169; 2003 &#65; &#66; &#8217; &#65533; &amp;bogus; a=1&amp;copy=2</title></channel></rss>"
        );
    }

    #[test]
    fn entities_declared_in_the_doctype_are_expanded_once() {
        let doc = br#"<!DOCTYPE rss [<!ENTITY id "tag:example.com,"> <!ENTITY % p "x">]>
<rss version="2.0"><channel><item><guid>&id;2006</guid></item></channel></rss>"#;
        assert!(prepared(doc).contains("<guid>tag:example.com,2006</guid>"));
    }

    #[test]
    fn rss_without_a_known_version_reads_as_2_0() {
        assert_eq!(
            prepared(b"<!-- c --><rss><channel/></rss>"),
            "<!-- c --><rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            prepared(b"<rss version='2.01' xmlns:dc='http://purl.org/dc/elements/1.1/'>x</rss>"),
            "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"2.0\">x</rss>"
        );
    }

    #[test]
    fn wide_encodings_become_utf8() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\">é</rss>";
        let expected = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\">é</rss>";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let utf32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        for doc in [le, be, utf32] {
            assert_eq!(prepared(&doc), expected);
        }
        // Declared wide, written narrow: the declaration is what is wrong.
        assert_eq!(prepared(text.as_bytes()), expected);
    }

    #[test]
    fn atom03_becomes_atom10() {
        let doc = br#"<?xml version="1.0" encoding="iso-8859-1"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
<title mode="escaped" type="text/html">A &amp;lt;b&amp;gt;</title><tagline>Sub</tagline>
<copyright>C</copyright><info>About</info><modified>2004-01-02T03:04:05Z</modified>
<author><name>Ann</name><url>http://a.example/</url></author>
<entry><created>2003-01-01T00:00:00Z</created><issued>2003-12-31T10:14:55-08:00</issued>
<content type="text/plain" mode="base64">SGVsbG8gJiB3b3JsZA==</content></entry>
<entry><created>2002-01-01T00:00:00Z</created><summary type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">x</div></summary></entry>
</feed>"#;
        let out = prepared(doc);
        assert!(out.contains(r#"encoding="utf-8""#), "{out}");
        assert!(
            out.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<title type="html">A &amp;lt;b&amp;gt;</title>"#),
            "{out}"
        );
        assert!(
            out.contains("<subtitle type=\"text\">Sub</subtitle>"),
            "{out}"
        );
        assert!(out.contains("<rights type=\"text\">C</rights>"), "{out}");
        assert!(!out.contains("About"), "{out}");
        assert!(
            out.contains("<updated>2004-01-02T03:04:05Z</updated>"),
            "{out}"
        );
        assert!(out.contains("<uri>http://a.example/</uri>"), "{out}");
        assert!(!out.contains("2003-01-01"), "{out}");
        assert!(
            out.contains("<published>2003-12-31T10:14:55-08:00</published>"),
            "{out}"
        );
        assert!(
            out.contains(r#"<content type="text">Hello &amp; world</content>"#),
            "{out}"
        );
        assert!(
            out.contains("<published>2002-01-01T00:00:00Z</published>"),
            "{out}"
        );
        assert!(out.contains(r#"<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x</div></summary>"#), "{out}");
    }

    #[test]
    fn legacy_atom_namespaces_and_inline_markup() {
        let doc = br#"<feed version="0.2" xmlns="http://example.com/necho"><title>Big <b>news</b></title><entry><title>x</title></entry></feed"#;
        let out = prepared(doc);
        assert_eq!(
            out,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"xhtml\">Big <b>news</b></title><entry><title type=\"text\">x</title></entry></feed>\n"
        );
    }

    #[test]
    fn garbage_never_panics() {
        for doc in [
            &b""[..],
            b"\xFF\xFE",
            b"\x00\x00\xFE\xFF\x00",
            b"<",
            b"&",
            b"&#",
            b"&#x",
            b"&#99999999999999999999;",
            b"<!DOCTYPE [<!ENTITY",
            b"<![CDATA[",
            b"<feed version='0.3'><title mode='base64'>!!</title>",
            b"<feed xmlns='http://purl.org/atom/ns#'></x></feed>",
            b"<?xml encoding=\"utf-16",
        ] {
            let _ = prepare(doc);
        }
    }
}
