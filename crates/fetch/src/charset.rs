//! Charsets: fetched bytes to UTF-8.
//!
//! Job: find the encoding of an HTML page or a feed and decode it, with Firefox's decoder
//! (encoding_rs) and detector (chardetng).
//! Input: the raw (decompressed) body and its `Content-Type` header.
//! Output: UTF-8 text (HTML) or UTF-8 bytes whose XML declaration says UTF-8 (feeds).
//! Never: parses the document (a byte-level prescan of the first 1024 bytes only), or fails:
//! undecodable bytes become U+FFFD.
//!
//! Who wins, in order:
//! 1. A byte order mark (UTF-8, UTF-16LE/BE): nothing can contradict it.
//! 2. Feeds only: UTF-16 without a BOM, recognised from `<?` as 3C 00 3F 00 / 00 3C 00 3F
//!    (XML 1.0 appendix F).
//! 3. **Bytes that are valid UTF-8 are UTF-8**, whatever a label says (unless the first label is
//!    ISO-2022-JP, a 7-bit encoding that is always valid UTF-8). Text in a legacy encoding with
//!    non-ASCII characters is practically never valid UTF-8, while UTF-8 served under a stale
//!    `charset=ISO-8859-1` header is common; pure ASCII decodes the same either way.
//! 4. The first label that is not UTF-8: the HTTP header's `charset`, then the document's own
//!    (`<meta charset>` / `http-equiv` for HTML, `<?xml encoding=…?>` for feeds). A label saying
//!    UTF-8 is skipped here because step 3 has just proved the bytes are not UTF-8. This is the
//!    "lying header" rule: a header `charset=utf-8` on windows-1252 bytes whose XML declaration
//!    says windows-1252 decodes as windows-1252 (Universal Feed Parser and browsers honour the
//!    header over the declaration, but a header that the bytes disprove is not evidence).
//! 5. If every label said UTF-8: UTF-8 after all, stray invalid bytes become U+FFFD (mostly-UTF-8
//!    text with one bad byte must not be turned into mojibake by a guess).
//! 6. No usable label: chardetng's guess.
//!
//! Labels are resolved as the WHATWG Encoding Standard does (`iso-8859-1` and `us-ascii` mean
//! windows-1252, `x-user-defined` in a meta means windows-1252, a UTF-16 label read from an
//! ASCII-compatible document means UTF-8; labels of the "replacement" encoding are ignored).

use encoding_rs::{Encoding, ISO_2022_JP, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many leading bytes are searched for `<meta charset>` or the XML declaration.
const PRESCAN_BYTES: usize = 1024;

/// Decodes an HTML page: BOM, then valid UTF-8, then the header's and the `<meta>`'s charset,
/// then a chardetng guess (see the module documentation for why in that order). Returns the text
/// (without BOM) and the name of the encoding used (`"windows-1252"`, `"Shift_JIS"`, `"UTF-8"`…).
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, bytes.get(bom_len..).unwrap_or_default()),
        None => {
            let labels = [
                header_label(content_type, bytes),
                meta_charset(bytes).and_then(document_label),
            ];
            (choose(bytes, &labels), bytes)
        }
    };
    let (text, _) = encoding.decode_without_bom_handling(body);
    (text.into_owned(), encoding.name())
}

/// Turns a feed (XML or JSON) into UTF-8 bytes: BOM, UTF-16 autodetection, valid UTF-8, the
/// header's charset, the XML declaration's encoding, then a chardetng guess (see the module
/// documentation). The XML declaration's `encoding` is rewritten to `UTF-8` so that the XML
/// parser, told the truth, does not decode a second time. The BOM is dropped.
pub fn feed_to_utf8(bytes: &[u8], content_type: Option<&str>) -> Vec<u8> {
    let (encoding, body) = feed_encoding(bytes, content_type);
    let mut out = if encoding == UTF_8 && std::str::from_utf8(body).is_ok() {
        body.to_vec()
    } else {
        let (text, _) = encoding.decode_without_bom_handling(body);
        text.into_owned().into_bytes()
    };
    rewrite_xml_encoding(&mut out);
    out
}

/// The encoding [`feed_to_utf8`] decodes with, and the body after any BOM.
pub fn feed_encoding<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> (&'static Encoding, &'a [u8]) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return (encoding, bytes.get(bom_len..).unwrap_or_default());
    }
    match bytes.get(..4) {
        Some([0x3C, 0, 0x3F, 0]) => return (UTF_16LE, bytes),
        Some([0, 0x3C, 0, 0x3F]) => return (UTF_16BE, bytes),
        _ => {}
    }
    let labels = [
        header_label(content_type, bytes),
        xml_declared_encoding(bytes)
            .and_then(Encoding::for_label)
            .and_then(document_label),
    ];
    (choose(bytes, &labels), bytes)
}

/// Steps 3–6 of the module documentation; `labels` in precedence order.
fn choose(body: &[u8], labels: &[Option<&'static Encoding>]) -> &'static Encoding {
    let mut labels = labels.iter().flatten().copied();
    if labels.clone().next() == Some(ISO_2022_JP) {
        return ISO_2022_JP;
    }
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    if let Some(encoding) = labels.clone().find(|e| *e != UTF_8) {
        return encoding;
    }
    if labels.any(|e| e == UTF_8) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    detector.guess(None, false)
}

/// The header's `charset`, as an encoding. A UTF-16 label is believed only if the body has NUL
/// bytes early (UTF-16 text has them; an ASCII-compatible document does not).
fn header_label(content_type: Option<&str>, body: &[u8]) -> Option<&'static Encoding> {
    let label = content_type?
        .split(';')
        .skip(1)
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, value)| value.trim().trim_matches(|c| c == '"' || c == '\''))?;
    let encoding = Encoding::for_label(label.as_bytes())?;
    if encoding == REPLACEMENT {
        return None;
    }
    if encoding == UTF_16LE || encoding == UTF_16BE {
        let head = body.get(..PRESCAN_BYTES).unwrap_or(body);
        return Some(if head.contains(&0) { encoding } else { UTF_8 });
    }
    Some(encoding)
}

/// An encoding named inside an ASCII-compatible document, as the HTML prescan maps it.
fn document_label(encoding: &'static Encoding) -> Option<&'static Encoding> {
    if encoding == REPLACEMENT {
        None
    } else if encoding == UTF_16LE || encoding == UTF_16BE {
        Some(UTF_8)
    } else if encoding.name() == "x-user-defined" {
        Some(WINDOWS_1252)
    } else {
        Some(encoding)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `<meta charset=…>` or `<meta http-equiv=… content="…; charset=…">` in the first 1024 bytes.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes
        .get(..PRESCAN_BYTES)
        .unwrap_or(bytes)
        .to_ascii_lowercase();
    let mut rest = head.as_slice();
    while let Some(at) = find(rest, b"<meta") {
        let after = rest.get(at + 5..).unwrap_or_default();
        let end = after.iter().position(|&b| b == b'>').unwrap_or(after.len());
        let tag = after.get(..end).unwrap_or_default();
        // `<meta` must end the tag name (not `<metadata`).
        if matches!(
            tag.first(),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
        ) && let Some(encoding) = attribute_value(tag, b"charset").and_then(Encoding::for_label)
        {
            return Some(encoding);
        }
        rest = after.get(end..).unwrap_or_default();
    }
    None
}

/// The value after `name`, `=` and an optional quote, up to the closing quote or a delimiter.
/// Also finds `charset=` inside a `content="text/html; charset=…"` value.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let (start, end) = attribute_range(tag, name)?;
    tag.get(start..end)
}

/// Where [`attribute_value`]'s value lies in `tag`.
fn attribute_range(tag: &[u8], name: &[u8]) -> Option<(usize, usize)> {
    let mut pos = 0;
    while let Some(at) = find(tag.get(pos..)?, name) {
        pos += at + name.len();
        let rest = tag.get(pos..)?;
        let after_name = rest.len() - rest.trim_ascii_start().len();
        let Some(value) = rest.trim_ascii_start().strip_prefix(b"=") else {
            continue;
        };
        let mut start = pos + after_name + 1 + (value.len() - value.trim_ascii_start().len());
        let value = value.trim_ascii_start();
        let stop: &[u8] = match value.first() {
            Some(b'"') => b"\"",
            Some(b'\'') => b"'",
            _ => b" \t\n\r\x0c;>/\"'",
        };
        let value = if matches!(value.first(), Some(b'"' | b'\'')) {
            start += 1;
            value.get(1..).unwrap_or_default()
        } else {
            value
        };
        let len = value
            .iter()
            .position(|b| stop.contains(b))
            .unwrap_or(value.len());
        if len > 0 {
            return Some((start, start + len));
        }
    }
    None
}

/// The byte range of the XML declaration (`<?xml … ?>`), after optional leading whitespace.
fn xml_declaration(bytes: &[u8]) -> Option<(usize, usize)> {
    let head = bytes.get(..PRESCAN_BYTES).unwrap_or(bytes);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head.get(start..)?;
    if !decl.starts_with(b"<?xml") || !matches!(decl.get(5), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        return None;
    }
    let end = find(decl, b"?>")?;
    Some((start, start + end))
}

/// The `encoding` pseudo-attribute of the XML declaration.
fn xml_declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let (start, end) = xml_declaration(bytes)?;
    attribute_value(bytes.get(start..end)?, b"encoding")
}

/// Rewrites `encoding="…"` in a leading XML declaration to `encoding="UTF-8"`.
fn rewrite_xml_encoding(out: &mut Vec<u8>) {
    let Some((decl_start, decl_end)) = xml_declaration(out) else {
        return;
    };
    let Some((start, end)) = out
        .get(decl_start..decl_end)
        .and_then(|decl| attribute_range(decl, b"encoding"))
    else {
        return;
    };
    let (start, end) = (decl_start + start, decl_start + end);
    if out
        .get(start..end)
        .is_some_and(|label| !label.eq_ignore_ascii_case(b"utf-8"))
    {
        out.splice(start..end, b"UTF-8".iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{ISO_8859_2, SHIFT_JIS};

    const QUOTES: &str = "\u{201c}It\u{2019}s here,\u{201d} she said \u{2014} caf\u{e9}.";

    fn cp1252(text: &str) -> Vec<u8> {
        WINDOWS_1252.encode(text).0.into_owned()
    }

    #[test]
    fn html_header_charset() {
        let page = [b"<p>".as_slice(), &cp1252(QUOTES), b"</p>"].concat();
        let (text, name) = decode_html(&page, Some("text/html; charset=windows-1252"));
        assert_eq!(text, format!("<p>{QUOTES}</p>"));
        assert_eq!(name, "windows-1252");
        // ISO-8859-1 is windows-1252 on the web.
        let (_, name) = decode_html(&page, Some("text/html; charset=\"ISO-8859-1\""));
        assert_eq!(name, "windows-1252");
    }

    #[test]
    fn html_meta_charset_both_forms() {
        let body = cp1252(QUOTES);
        for head in [
            b"<html><head><meta charset=\"windows-1252\"><title>x</title>".as_slice(),
            b"<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1252\">",
            b"<meta charset=windows-1252>",
            b"<meta name='x' charset = 'windows-1252' />",
        ] {
            let page = [head, &body].concat();
            let (text, name) = decode_html(&page, Some("text/html"));
            assert_eq!(name, "windows-1252", "{}", String::from_utf8_lossy(head));
            assert!(text.ends_with(QUOTES));
        }
        // `<metadata charset=…>` is not a meta tag.
        let page = [b"<metadata charset=iso-8859-2>".as_slice(), b"plain"].concat();
        assert_eq!(decode_html(&page, None).1, "UTF-8");
    }

    #[test]
    fn html_bom_beats_everything() {
        let page = [b"\xEF\xBB\xBF".as_slice(), QUOTES.as_bytes()].concat();
        let (text, name) = decode_html(&page, Some("text/html; charset=windows-1252"));
        assert_eq!((text.as_str(), name), (QUOTES, "UTF-8"));
        let mut le = vec![0xFF, 0xFE];
        for unit in QUOTES.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_html(&le, None), (QUOTES.to_owned(), "UTF-16LE"));
    }

    #[test]
    fn valid_utf8_beats_a_stale_latin1_header() {
        let page = format!("<p>{QUOTES}</p>");
        let (text, name) = decode_html(page.as_bytes(), Some("text/html; charset=ISO-8859-1"));
        assert_eq!((text.as_str(), name), (page.as_str(), "UTF-8"));
    }

    #[test]
    fn lying_utf8_header_loses_to_the_document() {
        let page = [b"<meta charset=windows-1252>".as_slice(), &cp1252(QUOTES)].concat();
        let (text, name) = decode_html(&page, Some("text/html; charset=utf-8"));
        assert_eq!(name, "windows-1252");
        assert!(text.ends_with(QUOTES));
        // With nothing else to go on, a UTF-8 claim stands: one bad byte is one U+FFFD.
        let mostly = [QUOTES.as_bytes(), b"\xff", QUOTES.as_bytes()].concat();
        let (text, name) = decode_html(&mostly, Some("text/html; charset=utf-8"));
        assert_eq!(name, "UTF-8");
        assert_eq!(text, format!("{QUOTES}\u{fffd}{QUOTES}"));
    }

    #[test]
    fn sniffs_shift_jis_without_labels() {
        let text = "東京都は十二日、新しい条例を発表した。記者会見で知事は「市民の安全が第一だ」と述べた。";
        let (bytes, _, _) = SHIFT_JIS.encode(text);
        let page = [b"<html><body><p>".as_slice(), &bytes, b"</p></body></html>"].concat();
        let (decoded, name) = decode_html(&page, None);
        assert_eq!(name, "Shift_JIS");
        assert!(decoded.contains(text));
    }

    #[test]
    fn sniffs_central_european_without_labels() {
        let text = "Předseda vlády řekl, že žádná rozhodnutí zatím nepadla a že jednání budou pokračovat příští týden.";
        let (bytes, _, _) = ISO_8859_2.encode(text);
        let (decoded, _) = decode_html(&bytes, None);
        assert_eq!(decoded, text);
    }

    fn feed(decl_encoding: &str, body: &[u8]) -> Vec<u8> {
        [
            format!("<?xml version=\"1.0\" encoding=\"{decl_encoding}\"?>\n<rss><channel><title>")
                .as_bytes(),
            body,
            b"</title></channel></rss>",
        ]
        .concat()
    }

    fn expected(text: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss><channel><title>{text}</title></channel></rss>"
        )
    }

    #[test]
    fn feed_lying_header_declaration_wins() {
        let bytes = feed("windows-1252", &cp1252(QUOTES));
        let out = feed_to_utf8(&bytes, Some("application/rss+xml; charset=utf-8"));
        assert_eq!(String::from_utf8(out).unwrap(), expected(QUOTES));
    }

    #[test]
    fn feed_header_beats_declaration_when_both_are_legacy() {
        // ISO-8859-1 (= windows-1252) header vs an ISO-8859-2 declaration: the header rules, as
        // RFC 7303 says, when the bytes cannot tell them apart.
        let bytes = feed("iso-8859-2", &cp1252("caf\u{e9}"));
        let out = feed_to_utf8(&bytes, Some("text/xml; charset=iso-8859-1"));
        assert_eq!(String::from_utf8(out).unwrap(), expected("caf\u{e9}"));
    }

    #[test]
    fn feed_declaration_without_header_and_shift_jis() {
        let text = "ニュース速報：東京で会議";
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        let out = feed_to_utf8(&feed("Shift_JIS", &sjis), Some("application/xml"));
        assert_eq!(String::from_utf8(out).unwrap(), expected(text));
        let out = feed_to_utf8(&feed("ISO-8859-1", &cp1252("Zürich – Genève")), None);
        assert_eq!(String::from_utf8(out).unwrap(), expected("Zürich – Genève"));
    }

    #[test]
    fn feed_utf8_declared_latin1_stays_utf8() {
        let bytes = feed("ISO-8859-1", QUOTES.as_bytes());
        let out = feed_to_utf8(&bytes, None);
        assert_eq!(String::from_utf8(out).unwrap(), expected(QUOTES));
    }

    #[test]
    fn feed_utf16_with_and_without_bom() {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel><title>{QUOTES}</title></channel></rss>"
        );
        let mut le: Vec<u8> = Vec::new();
        for unit in xml.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        let want = xml.replace("UTF-16", "UTF-8");
        assert_eq!(String::from_utf8(feed_to_utf8(&le, None)).unwrap(), want);
        let with_bom = [[0xFF, 0xFE].as_slice(), &le].concat();
        assert_eq!(
            String::from_utf8(feed_to_utf8(&with_bom, None)).unwrap(),
            want
        );
    }

    #[test]
    fn feed_untouched_when_already_utf8() {
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"caf\u00e9 \xe2\x80\x9cq\xe2\x80\x9d"}"#;
        assert_eq!(
            feed_to_utf8(json, Some("application/feed+json")),
            json.to_vec()
        );
        let xml = b"<?xml version='1.0' encoding='utf-8'?><feed/>";
        assert_eq!(feed_to_utf8(xml, None), xml.to_vec());
        let bom = [b"\xEF\xBB\xBF".as_slice(), xml].concat();
        assert_eq!(feed_to_utf8(&bom, None), xml.to_vec());
        assert_eq!(feed_to_utf8(b"", None), Vec::<u8>::new());
        assert_eq!(decode_html(b"", None), (String::new(), "UTF-8"));
    }

    #[test]
    fn feed_sniffs_undeclared_legacy_bytes() {
        let text =
            "Předseda vlády řekl, že žádná rozhodnutí zatím nepadla a jednání budou pokračovat.";
        let (bytes, _, _) = ISO_8859_2.encode(text);
        let out = feed_to_utf8(
            &[b"<rss><title>".as_slice(), &bytes, b"</title></rss>"].concat(),
            None,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("<rss><title>{text}</title></rss>")
        );
    }
}
