//! Our own fixtures in `testdata/`, read through the public API.

use masthead_feed::{Entry, FeedError, FeedKind, ParsedFeed, parse};
use url::Url;

use support::{fixture, read, rfc3339};

// Helpers live in a `cfg(test)` module so that the workspace's test-only lint allowances
// (unwrap, panic) cover them too.
#[cfg(test)]
mod support {
    use super::*;

    pub fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub fn read(name: &str, base: &str) -> ParsedFeed {
        let base = Url::parse(base).unwrap();
        parse(&fixture(name), Some(&base)).unwrap()
    }

    pub fn rfc3339(t: Option<masthead_model::OffsetTime>) -> String {
        t.map(|t| t.to_rfc3339()).unwrap_or_default()
    }
}

#[test]
fn rss2_with_media_rss_content_and_creators() {
    let feed = read("rss2-media.xml", "https://ledger.example/feed.xml");
    assert_eq!(feed.kind, FeedKind::Rss2);
    assert_eq!(feed.title.as_deref(), Some("Harbour & Hills Ledger"));
    assert_eq!(feed.link.as_deref(), Some("https://ledger.example/"));
    let [budget, ferry, spice, storm] = feed.entries.as_slice() else {
        panic!("four entries, got {}", feed.entries.len())
    };

    assert_eq!(budget.guid.as_deref(), Some("hhl-1001"));
    assert_eq!(
        budget.url.as_deref(),
        Some("https://ledger.example/news/2025/04/budget-passes")
    );
    assert_eq!(
        budget.title.as_deref(),
        Some("Mayor’s “quiet” budget passes after four-hour sitting")
    );
    assert_eq!(
        budget.summary_html.as_deref(),
        Some("<p>The council’s <em>“quiet”</em> budget passed late on Friday.</p>")
    );
    assert_eq!(
        budget.content_html.as_deref(),
        Some(
            "<p>HARBOURTON: The council’s budget passed 7–2.</p><h2>What’s in it</h2>\
             <p>Roads, mostly. “It isn’t glamorous,” the mayor said.</p>"
        )
    );
    assert_eq!(budget.author.as_deref(), Some("Ana Ruiz, Tom O’Neill"));
    assert_eq!(budget.categories, ["Politics", "Council"]);
    assert_eq!(rfc3339(budget.published), "2025-04-12T04:01:00+10:00");
    assert_eq!(budget.updated, None, "RSS states one date");
    let image = budget.image.as_ref().unwrap();
    assert_eq!(image.url, "https://ledger.example/img/budget.jpg");
    assert_eq!(
        image.caption.as_deref(),
        Some("Councillors vote on the budget on Friday night.")
    );
    assert_eq!(image.credit.as_deref(), Some("Lee Chan / Ledger"));

    // Same instant as the others, each with its own offset.
    assert_eq!(rfc3339(ferry.published), "2025-04-11T14:01:00-04:00");
    assert_eq!(rfc3339(spice.published), "2025-04-11T23:31:00+05:30");
    assert_eq!(rfc3339(storm.published), "2025-04-11T13:01:00-05:00");
    assert_eq!(
        budget.published.unwrap().unix_micros,
        storm.published.unwrap().unix_micros
    );

    assert_eq!(
        ferry.author.as_deref(),
        Some("Sam Park"),
        "never the e-mail address"
    );
    assert_eq!(
        ferry.summary_html.as_deref(),
        Some("Ferries <b>will</b> leave 10 minutes earlier.")
    );
    assert_eq!(
        ferry.image.as_ref().map(|i| i.url.as_str()),
        Some("https://cdn.ledger.example/ferry.png"),
        "image enclosure"
    );

    // A thumbnail with no media:content beside it still counts, with its credit.
    assert_eq!(
        spice.url.as_deref(),
        Some("https://ledger.example/news/spice")
    );
    let image = spice.image.as_ref().unwrap();
    assert_eq!(image.url, "https://cdn.ledger.example/spice-thumb.jpg");
    assert_eq!(image.credit.as_deref(), Some("Priya Nair"));

    // javascript: links and data: images are dropped, not passed on.
    assert_eq!(storm.url, None);
    assert_eq!(storm.image, None);
}

#[test]
fn atom_with_xml_base_and_image_enclosure() {
    let feed = read("atom-xmlbase.xml", "https://elsewhere.example/feeds/wire");
    assert_eq!(feed.kind, FeedKind::Atom);
    assert_eq!(feed.title.as_deref(), Some("Valley Wire"));
    assert_eq!(feed.link.as_deref(), Some("https://wire.example/en/"));
    let [talks, floods] = feed.entries.as_slice() else {
        panic!("two entries")
    };
    assert_eq!(
        talks.guid.as_deref(),
        Some("tag:wire.example,2025:talks-end")
    );
    assert_eq!(
        talks.url.as_deref(),
        Some("https://wire.example/en/stories/talks-end")
    );
    assert_eq!(
        talks.title.as_deref(),
        Some("Talks end & “nothing” is agreed")
    );
    assert_eq!(
        talks.summary_html.as_deref(),
        Some("<p>Four hours, no deal &amp; no date for the next round.</p>")
    );
    assert_eq!(
        talks.content_html.as_deref(),
        Some("<p>KYIV, Ukraine: Delegates left after four hours.</p>")
    );
    assert_eq!(talks.author.as_deref(), Some("Olena Kovalenko"));
    assert_eq!(talks.categories, ["World", "diplomacy"]);
    assert_eq!(rfc3339(talks.published), "2025-04-12T04:01:00+10:00");
    assert_eq!(rfc3339(talks.updated), "2025-04-12T06:30:00+10:00");
    assert_eq!(talks.updated.unwrap().unix_micros % 1_000_000, 500_000);
    let image = talks.image.as_ref().unwrap();
    assert_eq!(image.url, "https://wire.example/en/img/talks.jpg");
    assert_eq!(image.alt.as_deref(), Some("Delegates leave the hall"));

    assert_eq!(
        floods.url.as_deref(),
        Some("https://wire.example/en/stories/floods")
    );
    assert_eq!(floods.published, None);
    assert_eq!(rfc3339(floods.updated), "2025-04-11T09:15:00+00:00");
    assert_eq!(
        floods.content_html.as_deref(),
        Some(
            "<p>FRANKFORT, Kentucky: Heavy rain caused rivers to overflow.</p>\
             <p>Roads were closed &lt;overnight&gt;.</p>"
        )
    );
}

#[test]
fn json_feed_with_masthead_extension() {
    let feed = read(
        "jsonfeed-masthead.json",
        "https://courier.example/feed.json",
    );
    assert_eq!(feed.kind, FeedKind::JsonFeed);
    assert_eq!(feed.title.as_deref(), Some("Coastline Courier"));
    assert_eq!(feed.link.as_deref(), Some("https://courier.example/"));
    let [dredging, bakery, bad] = feed.entries.as_slice() else {
        panic!("three entries")
    };
    assert_eq!(dredging.guid.as_deref(), Some("cc-77"));
    assert_eq!(
        dredging.url.as_deref(),
        Some("https://courier.example/2025/04/harbour-dredging")
    );
    assert_eq!(
        dredging.title.as_deref(),
        Some("Harbour dredging starts – and it’s “overdue”")
    );
    assert_eq!(
        dredging.summary_html.as_deref(),
        Some("Work begins on Monday.")
    );
    assert_eq!(
        dredging.content_html.as_deref(),
        Some("<p>Work begins on Monday, the port said.</p>")
    );
    assert_eq!(dredging.author.as_deref(), Some("Mia Wong, Raj Patel"));
    assert_eq!(dredging.categories, ["Business", "Port"]);
    assert_eq!(rfc3339(dredging.published), "2025-04-12T04:01:00+10:00");
    assert_eq!(rfc3339(dredging.updated), "2025-04-12T05:00:00+10:00");
    assert_eq!(dredging.dateline.as_deref(), Some("PORT HALE, Tasmania"));
    let image = dredging.image.as_ref().unwrap();
    assert_eq!(image.url, "https://courier.example/media/dredger.jpg");
    assert_eq!(image.credit.as_deref(), Some("Courier / Jo Bell"));
    assert_eq!(
        image.caption.as_deref(),
        Some("The dredger Ardent arrives.")
    );

    assert_eq!(
        bakery.guid.as_deref(),
        Some("78"),
        "numeric id kept as text"
    );
    assert_eq!(bakery.summary_html, None, "content_text is not a summary");
    assert_eq!(
        bakery.content_html.as_deref(),
        Some(
            "<p>It’s the third year running.</p><p>The judges said &lt;nothing&gt; else &amp; left.</p>"
        )
    );
    assert_eq!(
        bakery.author.as_deref(),
        Some("Courier Desk"),
        "feed author inherited"
    );
    assert_eq!(rfc3339(bakery.published), "2025-04-11T20:00:00-04:00");
    assert_eq!(
        bakery.image.as_ref().map(|i| i.url.as_str()),
        Some("https://courier.example/media/bread.webp"),
        "image attachment"
    );
    assert_eq!(bakery.dateline, None);

    assert_eq!(bad.guid, None);
    assert_eq!(bad.url, None);
    assert_eq!(bad.image, None);
}

#[test]
fn rss_without_guids_has_no_invented_ids() {
    let feed = read("rss-no-guid.xml", "https://notes.example/rss");
    let [library, note] = feed.entries.as_slice() else {
        panic!("two entries")
    };
    assert_eq!(library.guid, None);
    assert_eq!(
        library.url.as_deref(),
        Some("https://notes.example/library")
    );
    assert_eq!(rfc3339(library.published), "2025-04-10T09:00:00+00:00");
    assert_eq!(
        note,
        &Entry {
            title: Some("Untitled link-less note".into()),
            summary_html: Some("Just text.".into()),
            ..Entry::default()
        }
    );
}

#[test]
fn rss_permalink_guid_stands_in_for_a_missing_link() {
    let rss = br#"<rss version="2.0"><channel><title>t</title>
        <item><title>a</title><guid>https://p.example/a</guid></item>
        <item><title>b</title><guid isPermaLink="false">p-b</guid></item></channel></rss>"#;
    let feed = parse(rss, None).unwrap();
    let urls: Vec<_> = feed.entries.iter().map(|e| e.url.as_deref()).collect();
    assert_eq!(urls, [Some("https://p.example/a"), None]);
}

#[test]
fn rss_0_91_and_1_0_are_read() {
    let old = read("rss091.xml", "https://old.example/rss");
    assert_eq!(old.kind, FeedKind::Rss0);
    assert_eq!(
        old.entries.first().unwrap().url.as_deref(),
        Some("https://old.example/clock")
    );
    let rdf = read("rss1.rdf", "https://rdf.example/rss");
    assert_eq!(rdf.kind, FeedKind::Rss1);
    let entry = rdf.entries.first().unwrap();
    assert_eq!(entry.author.as_deref(), Some("Kim Lee"));
    assert_eq!(rfc3339(entry.published), "2025-04-12T04:01:00+10:00");
}

/// feed-rs (via quick-xml's decoder) honours the prolog's `encoding="windows-1252"`.
#[test]
fn windows_1252_is_decoded_with_smart_quotes_kept() {
    let bytes = fixture("rss-windows-1252.xml");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    let feed = parse(&bytes, None).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Café Gazette"));
    let entry = feed.entries.first().unwrap();
    assert_eq!(
        entry.title.as_deref(),
        Some("“We’re open”, says café owner – again")
    );
    assert_eq!(entry.summary_html.as_deref(), Some("It’s €3 a coffee…"));
    assert_eq!(rfc3339(entry.published), "2025-04-12T04:01:00+10:00");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for name in ["malformed.xml", "page.html", "rss-author-panic.xml"] {
        let bytes = fixture(name);
        match parse(&bytes, None) {
            Err(FeedError::Parse { input, cause }) => {
                assert!(
                    input.contains(&format!("{} bytes", bytes.len())),
                    "{name}: {input}"
                );
                assert!(!cause.is_empty(), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    for bytes in [
        &b""[..],
        b"   \n",
        b"\xEF\xBB\xBF",
        b"not a feed",
        b"{",
        b"{\"title\": \"no version\"}",
        b"{\"version\": \"https://jsonfeed.org/version/9\", \"items\": []}",
        b"<rss version=\"2.0\"><channel><item>",
        b"\xff\xfe\x00<",
    ] {
        assert!(
            matches!(parse(bytes, None), Err(FeedError::Parse { .. })),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn error_messages_name_the_input_briefly() {
    let page = fixture("page.html");
    let message = parse(&page, None).unwrap_err().to_string();
    assert!(
        message.starts_with("not a readable feed (\"<!DOCTYPE html>"),
        "{message}"
    );
    assert!(message.len() < 250, "{message}");
}

#[test]
fn a_utf8_bom_before_json_is_fine() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        br#"{"version":"https://jsonfeed.org/version/1","title":"t","items":[{"id":"1","title":"x"}]}"#,
    );
    let feed = parse(&bytes, None).unwrap();
    assert_eq!(feed.entries.first().unwrap().guid.as_deref(), Some("1"));
}

#[test]
fn atom03_reads_as_atom_1_0() {
    let feed = read("atom03.xml", "http://harbour.example/atom.xml");
    assert_eq!(feed.kind, FeedKind::Atom);
    assert_eq!(feed.title.as_deref(), Some("Harbour Notes"));
    assert_eq!(feed.link.as_deref(), Some("http://harbour.example/"));
    let [entry] = feed.entries.as_slice() else {
        panic!("one entry expected: {:?}", feed.entries);
    };
    assert_eq!(entry.title.as_deref(), Some("Tide tables & charts"));
    assert_eq!(
        entry.url.as_deref(),
        Some("http://harbour.example/2004/05/tides")
    );
    assert_eq!(
        entry.guid.as_deref(),
        Some("tag:harbour.example,2004:tides")
    );
    assert_eq!(entry.author.as_deref(), Some("Ann Pilot"));
    // `issued` wins over `created`; the offsets are the feed's own.
    assert_eq!(rfc3339(entry.published), "2004-05-05T18:30:00-04:00");
    assert_eq!(rfc3339(entry.updated), "2004-05-06T07:08:09+02:00");
    assert_eq!(
        entry.summary_html.as_deref(),
        Some("<p>High water at noon.</p>")
    );
    assert_eq!(
        entry.content_html.as_deref(),
        Some("<p>High water at <b>noon</b>.</p>")
    );
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded() {
    let feed = read("rss2-utf16le.xml", "http://cafe.example/rss");
    assert_eq!(feed.kind, FeedKind::Rss2);
    assert_eq!(feed.title.as_deref(), Some("Café du Port"));
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries.first().and_then(|e| e.title.as_deref()),
        Some("Crème brûlée")
    );
}

#[test]
fn ill_formed_rss_is_recovered() {
    // No version, undeclared HTML entities, stray `&`, a DTD entity, a windows-1252
    // character reference and a cut-off final end tag.
    let feed = read("rss-lenient.xml", "http://quay.example/rss");
    assert_eq!(feed.kind, FeedKind::Rss2);
    assert_eq!(feed.title.as_deref(), Some("Quay & Dock\u{a0}News"));
    assert_eq!(feed.link.as_deref(), Some("http://quay.example/"));
    let [entry] = feed.entries.as_slice() else {
        panic!("one entry expected: {:?}", feed.entries);
    };
    assert_eq!(
        entry.title.as_deref(),
        Some("Smith & Sons café — AT&T opens")
    );
    assert_eq!(
        entry.url.as_deref(),
        Some("http://quay.example/story?id=1&page=2")
    );
    assert_eq!(
        entry.summary_html.as_deref(),
        // RSS descriptions are HTML: passed on as the feed's markup, entities resolved.
        Some("Fish\u{a0}&\u{a0}chips © 2024 – all day")
    );
}
