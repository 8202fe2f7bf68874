//! Rendering checks for the digest and confirmation templates.

use scraper::{Html, Selector};

use super::*;

fn digest() -> DigestMail {
    DigestMail {
        site_name: "Orlando Echo".to_owned(),
        site_url: "https://echo.example/".to_owned(),
        date_label: "Saturday, 12 April 2025".to_owned(),
        sections: vec![
            DigestSection {
                name: "World".to_owned(),
                stories: vec![
                    DigestStory {
                        headline: "Witkoff leaves St. Petersburg after four-hour talks with Putin"
                            .to_owned(),
                        teaser: "ST. PETERSBURG, Russia: The US president’s confidant spent over \
                                 four hours behind closed doors…"
                            .to_owned(),
                        url: "https://echo.example/world/witkoff-talks?utm=digest&x=1".to_owned(),
                        image: Some(DigestImage {
                            url: "https://echo.example/img/witkoff.jpg".to_owned(),
                            alt: "Steve Witkoff & Vladimir Putin shake hands".to_owned(),
                            width: 1200,
                            height: 800,
                        }),
                    },
                    DigestStory {
                        headline: "Minerals talks: “progress” <b>claimed</b>".to_owned(),
                        teaser: "KYIV, Ukraine: Talks between Ukraine and the United States…"
                            .to_owned(),
                        url: "https://echo.example/world/minerals".to_owned(),
                        image: None,
                    },
                ],
            },
            DigestSection {
                name: "Empty".to_owned(),
                stories: vec![],
            },
            DigestSection {
                name: "Science".to_owned(),
                stories: vec![DigestStory {
                    headline: "Rivers overflow in Kentucky".to_owned(),
                    teaser: "FRANKFORT, Kentucky: Heavy rain over several days…".to_owned(),
                    url: "https://echo.example/science/rivers".to_owned(),
                    image: Some(DigestImage {
                        url: "https://echo.example/img/river.jpg".to_owned(),
                        alt: "A flooded street".to_owned(),
                        width: 400,
                        height: 300,
                    }),
                }],
            },
        ],
        why_line: "You get this because you subscribed to Orlando Echo’s daily email at \
                   https://echo.example/."
            .to_owned(),
        unsubscribe_url: "https://echo.example/unsubscribe?t=abc&s=1".to_owned(),
        preferences_url: "https://echo.example/subscribe/preferences?t=abc".to_owned(),
    }
}

#[test]
fn digest_text_reads_on_its_own() {
    let (text, _) = render_digest(&digest()).unwrap();
    let expected = "\
Orlando Echo: your daily news
Saturday, 12 April 2025

WORLD
-----

Witkoff leaves St. Petersburg after four-hour talks with Putin
ST. PETERSBURG, Russia: The US president’s confidant spent over four hours behind closed doors…
Read more: https://echo.example/world/witkoff-talks?utm=digest&x=1

Minerals talks: “progress” <b>claimed</b>
KYIV, Ukraine: Talks between Ukraine and the United States…
Read more: https://echo.example/world/minerals

SCIENCE
-------

Rivers overflow in Kentucky
FRANKFORT, Kentucky: Heavy rain over several days…
Read more: https://echo.example/science/rivers

More news: https://echo.example/

-- 
You get this because you subscribed to Orlando Echo’s daily email at https://echo.example/.
Unsubscribe: https://echo.example/unsubscribe?t=abc&s=1
Choose your sections: https://echo.example/subscribe/preferences?t=abc
";
    assert_eq!(text, expected);
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

#[test]
fn digest_html_is_built_for_mail_clients() {
    let (_, html) = render_digest(&digest()).unwrap();
    let doc = Html::parse_document(&html);
    assert!(select(&doc, "link").is_empty(), "no external CSS");
    assert!(select(&doc, "script").is_empty(), "no scripts");
    assert!(select(&doc, "style").is_empty(), "inline CSS only");
    assert!(
        !html.contains("<div class") && !html.contains(" class="),
        "no classes"
    );

    let images = select(&doc, "img");
    assert_eq!(images.len(), 2);
    for img in &images {
        for attr in ["src", "width", "height", "alt"] {
            assert!(
                img.attr(attr).is_some_and(|v| !v.is_empty()),
                "img without {attr}"
            );
        }
        let width: u32 = img.attr("width").unwrap().parse().unwrap();
        assert!(width <= DIGEST_IMAGE_MAX_WIDTH);
    }
    // 1200×800 scaled into the column, 400×300 kept.
    let first = images[0];
    assert_eq!(
        (first.attr("width"), first.attr("height")),
        (Some("552"), Some("368"))
    );
    assert_eq!(
        first.attr("alt"),
        Some("Steve Witkoff & Vladimir Putin shake hands")
    );
    assert_eq!(
        (images[1].attr("width"), images[1].attr("height")),
        (Some("400"), Some("300"))
    );

    // Table layout, every text value escaped, links intact.
    assert!(!select(&doc, "table[role=presentation]").is_empty());
    let headlines: Vec<String> = select(&doc, "h2")
        .iter()
        .map(|h| h.text().collect())
        .collect();
    assert_eq!(
        headlines,
        [
            "Witkoff leaves St. Petersburg after four-hour talks with Putin",
            "Minerals talks: “progress” <b>claimed</b>",
            "Rivers overflow in Kentucky"
        ]
    );
    assert!(select(&doc, "b").is_empty(), "a headline's markup is text");
    let hrefs: Vec<&str> = select(&doc, "a")
        .iter()
        .filter_map(|a| a.attr("href"))
        .collect();
    assert!(hrefs.contains(&"https://echo.example/world/witkoff-talks?utm=digest&x=1"));
    assert!(hrefs.contains(&"https://echo.example/unsubscribe?t=abc&s=1"));
    assert!(hrefs.contains(&"https://echo.example/subscribe/preferences?t=abc"));
    assert!(!html.contains("Empty"), "an empty section is left out");
    assert!(html.contains("You get this because you subscribed"));
    // The preheader is the first headline.
    assert!(html.contains(">Witkoff leaves St. Petersburg after four-hour talks with Putin</div>"));
}

#[test]
fn confirm_mail_has_the_link_and_the_expiry() {
    let c = ConfirmMail {
        site_name: "Orlando Echo".to_owned(),
        confirm_url: "https://echo.example/subscribe/confirm?t=x&y=1".to_owned(),
        expires_label: "in 48 hours".to_owned(),
    };
    let (text, html) = render_confirm(&c).unwrap();
    assert_eq!(
        text,
        "\
Please confirm your subscription to Orlando Echo's daily email.

Open this link to confirm:
https://echo.example/subscribe/confirm?t=x&y=1

The link works once and expires in 48 hours.

If you did not ask for this, ignore this mail: you will not hear from us again.

-- 
Orlando Echo
"
    );
    let doc = Html::parse_document(&html);
    assert!(select(&doc, "link, script, style").is_empty());
    let hrefs: Vec<&str> = select(&doc, "a")
        .iter()
        .filter_map(|a| a.attr("href"))
        .collect();
    assert_eq!(hrefs, ["https://echo.example/subscribe/confirm?t=x&y=1"; 2]);
    assert!(html.contains("expires in 48 hours"));
}

#[test]
fn tidy_text_collapses_blank_lines() {
    assert_eq!(
        tidy_text("\n\na  \n\n\n\nb\n-- \nc\n\n\n"),
        "a\n\nb\n-- \nc\n"
    );
}

#[test]
fn image_sizes_fit_the_column() {
    let img = |width, height| DigestImage {
        url: String::new(),
        alt: String::new(),
        width,
        height,
    };
    assert_eq!(img(552, 100).display_size(), (552, 100));
    assert_eq!(img(5520, 10).display_size(), (552, 1));
    assert_eq!(img(0, 0).display_size(), (1, 1));
}
