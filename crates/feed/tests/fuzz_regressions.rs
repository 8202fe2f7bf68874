//! Inputs that once made a dependency panic. `parse` must return (`Ok` or `Err`), never unwind.

use masthead_feed::parse;

/// UTF-16BE without a BOM but with `encoding="utf-16"` in the prolog: quick-xml 0.42 panics in
/// `DecodingReader::set_encoding` ("set_encoding() called after prefix buffer was drained")
/// under feed-rs; `parse` catches it.
#[test]
fn utf16be_without_bom_declaring_utf16_does_not_unwind() {
    let doc: Vec<u8> = r#"<?xml version="1.0" encoding="utf-16"?><rss version="2.0"/>"#
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let _ = parse(&doc, None);
}
