//! Golden pairs (`testdata/<case>.html` → `<case>.expected.txt`), metadata per case, and
//! hostile input that must not panic.

use std::path::Path;
use std::time::Instant;

use masthead_extract::{Article, ExtractError, extract};
use url::Url;

fn page_url(case: &str) -> Url {
    Url::parse(&format!("https://news.example/2025/{case}")).expect("valid test URL")
}

fn run(case: &str) -> Article {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let html = std::fs::read_to_string(dir.join(format!("{case}.html"))).expect("fixture");
    let expected =
        std::fs::read_to_string(dir.join(format!("{case}.expected.txt"))).expect("golden text");
    let article = extract(&html, &page_url(case)).expect("fixture extracts");
    assert_eq!(
        article.text.trim(),
        expected.trim(),
        "\n--- {case}: got ---\n{}\n--- html ---\n{}",
        article.text,
        article.content_html
    );
    article
}

#[test]
fn news_article_drops_boilerplate_and_keeps_metadata() {
    let a = run("news_article");
    assert_eq!(
        a.headline.as_deref(),
        Some("Witkoff leaves St. Petersburg after four-hour talks with Putin")
    );
    assert_eq!(a.byline.as_deref(), Some("Jane Reporter"));
    assert_eq!(a.site_name.as_deref(), Some("Orlando Echo"));
    assert_eq!(a.language.as_deref(), Some("en-US"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://orlandoecho.example/world/witkoff-leaves")
    );
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2025-04-12T04:01:00+10:00"
    );
    assert_eq!(a.updated.unwrap().to_rfc3339(), "2025-04-12T06:30:00+10:00");
    assert!(
        a.standfirst
            .unwrap()
            .starts_with("The US president’s confidant")
    );
    let img = a.image.unwrap();
    assert_eq!(img.url, "https://news.example/media/witkoff-putin.jpg");
    assert_eq!(
        img.caption.as_deref(),
        Some("Steve Witkoff meets Vladimir Putin in St. Petersburg on Friday.")
    );
    assert_eq!(img.credit.as_deref(), Some("Kremlin Press Office"));
    assert_eq!(
        img.alt.as_deref(),
        Some("Steve Witkoff and Vladimir Putin shake hands")
    );
    // Inline links are kept and absolutized against the page.
    assert!(
        a.content_html
            .contains("<a href=\"https://news.example/documents/statement.pdf\""),
        "{}",
        a.content_html
    );
    assert!(!a.content_html.contains("<h1"));
    assert_eq!(a.dateline, None);
}

#[test]
fn json_ld_graph_supplies_metadata() {
    let a = run("jsonld_graph");
    assert_eq!(
        a.headline.as_deref(),
        Some("Minerals deal talks resume in Washington")
    );
    assert_eq!(a.byline.as_deref(), Some("Olena Writer, Sam Editor"));
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2025-04-14T09:30:00-04:00"
    );
    assert_eq!(a.updated.unwrap().to_rfc3339(), "2025-04-14T11:00:00-04:00");
    assert_eq!(a.site_name.as_deref(), Some("Wire Desk"));
    assert_eq!(a.language.as_deref(), Some("en-GB"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://wire.example/news/minerals")
    );
    let img = a.image.unwrap();
    assert_eq!(img.url, "https://cdn.wire.example/img/talks.jpg");
    assert_eq!(img.caption.as_deref(), Some("Delegations at the Treasury."));
    assert_eq!(img.credit.as_deref(), Some("Alex Lens/Wire"));
}

#[test]
fn subheads_lists_and_quotes_survive() {
    let a = run("subheads");
    assert!(
        a.content_html.contains("<h2>A record crest</h2>"),
        "{}",
        a.content_html
    );
    assert!(a.content_html.contains("<h3>What officials said</h3>"));
    assert!(
        a.content_html
            .contains("<blockquote><p>“We have never seen")
    );
    assert!(a.content_html.contains("<ul><li>Do not drive"));
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2025-04-08T00:00:00+00:00",
        "a date alone is midnight UTC"
    );
}

#[test]
fn dateline_is_found_in_loose_text() {
    let a = run("dateline");
    assert_eq!(a.dateline.as_deref(), Some("KYIV, Ukraine"));
    assert!(a.text.starts_with("KYIV, Ukraine: Talks"));
}

#[test]
fn empty_and_script_only_pages_are_no_content() {
    let url = page_url("empty");
    for html in [
        "",
        "   ",
        "<html><body></body></html>",
        "<script>document.write('<p>hello</p>')</script>",
    ] {
        assert!(
            matches!(extract(html, &url), Err(ExtractError::NoContent { .. })),
            "{html:?}"
        );
    }
}

#[test]
fn a_page_with_only_a_title_is_an_empty_article() {
    let a = extract("<title>Just a title</title>", &page_url("t")).unwrap();
    assert_eq!(a.headline.as_deref(), Some("Just a title"));
    assert_eq!(a.text, "");
    assert_eq!(a.content_html, "");
}

#[test]
fn deep_nesting_does_not_panic() {
    let url = page_url("deep");
    for tag in [
        "div",
        "b",
        "blockquote",
        "ul",
        "table",
        "a",
        "p",
        "span",
        "li",
    ] {
        let html = format!(
            "<p>Before the deep part, a paragraph of text, long enough to score as text.</p>{}deep text{}",
            format!("<{tag}>").repeat(10_000),
            format!("</{tag}>").repeat(10_000)
        );
        let start = Instant::now();
        let a = extract(&html, &url);
        eprintln!("{tag}: {:?}", start.elapsed());
        assert!(a.is_ok(), "{tag}: {a:?}");
        assert!(
            start.elapsed().as_secs() < 20,
            "{tag} took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn huge_attribute_and_oversized_pages() {
    let url = page_url("huge");
    let html = format!(
        "<div class=\"{}\" data-x=\"{}\"><p>Some text that is the story, with a comma, and more words.</p></div>",
        "a".repeat(1_000_000),
        "b".repeat(1_000_000)
    );
    let a = extract(&html, &url).unwrap();
    assert!(a.text.contains("Some text"));
    let big = "x".repeat(masthead_extract::MAX_PAGE_BYTES + 1);
    assert!(matches!(
        extract(&big, &url),
        Err(ExtractError::TooLarge { .. })
    ));
}

#[test]
fn broken_markup_and_hostile_json_ld_do_not_panic() {
    let url = page_url("broken");
    let cases = [
        "<p>unclosed <b><i>tags <a href='javascript:alert(1)'>x",
        "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"not a date\",\"author\":[[[[[]]]]]}</script><p>text</p>",
        "<table><tr><td><table><tr><td>nested</td></tr></table></td></tr></table>",
        "<a href='http://[::1'>bad url</a><img src='http://%zz'>",
        "<meta property='og:image' content='http://'><figure><img><figcaption>Photo:</figcaption></figure>",
        "\u{0}\u{FEFF}<p>\u{202E}rtl</p>",
    ];
    for html in cases {
        let _ = extract(html, &url);
    }
}
