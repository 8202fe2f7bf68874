//! A throwaway network for looking at the pages: `cargo run -p masthead-web --example preview
//! --release -- 127.0.0.1:8099`, then open `http://127.0.0.1:8099/s/orlando-echo/`.
//!
//! Input: an optional listen address. Output: a server over an in-memory store holding two
//! sites and a dozen invented stories (screenshots, `wrk`). Never touches a real database.
#![expect(
    clippy::unwrap_used,
    reason = "a preview tool: a broken setup should stop loudly"
)]

use masthead_model::{LeadImage, NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec};
use masthead_web::{StaticFile, WebSettings};

const PHOTO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800"><defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fa7c9"/><stop offset="1" stop-color="#dfe8ef"/></linearGradient></defs><rect width="1200" height="800" fill="url(#s)"/><rect y="560" width="1200" height="240" fill="#6b7a5a"/><rect x="180" y="330" width="260" height="230" fill="#8d8478"/><rect x="470" y="250" width="320" height="310" fill="#a39a8c"/><rect x="820" y="380" width="220" height="180" fill="#7d756b"/><circle cx="1000" cy="150" r="70" fill="#f4e7b8"/></svg>"##;

fn section(slug: &str, name: &str) -> Section {
    Section {
        slug: slug.into(),
        name: name.into(),
    }
}

#[tokio::main]
async fn main() {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into());
    let store = masthead_store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let sections = vec![
        section("world", "World"),
        section("business", "Business"),
        section("sports", "Sports"),
        section("science", "Science"),
    ];
    let orlando = store
        .upsert_site(&SiteSpec {
            slug: "orlando-echo".into(),
            name: "Orlando Echo".into(),
            hosts: vec!["orlando-echo.localhost".into()],
            time_zone: "America/New_York".into(),
            tagline: "News for Central Florida and the world".into(),
            sections: sections.clone(),
        })
        .await
        .unwrap();
    let source = store
        .upsert_source(&SourceSpec {
            name: "RT.com".into(),
            url: "https://rt.example/feed".into(),
            section: None,
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await
        .unwrap();
    let now = OffsetTime::now_utc().unix_micros;
    let stories = [
        (
            "world",
            "Witkoff leaves St. Petersburg after four-hour talks with Putin",
            "ST. PETERSBURG, Russia: The US president’s special envoy left St. Petersburg on Friday after more than four hours of talks with the Russian president, officials in both countries said.",
            true,
        ),
        (
            "world",
            "Army parade planned for Washington",
            "WASHINGTON, D.C.: The Trump administration is in early talks about holding a large military parade in Washington to mark the Army’s 250th birthday, officials said on Thursday.",
            false,
        ),
        (
            "world",
            "Minerals talks between Kyiv and Washington resume",
            "KYIV, Ukraine: Talks between Ukraine and the United States over a critical minerals deal have resumed in Washington, with both sides saying an agreement could come “within weeks”.",
            false,
        ),
        (
            "world",
            "Rivers overflow across Kentucky after days of rain",
            "FRANKFORT, Kentucky: Heavy rain over several days caused rivers to overflow across the state, closing roads and forcing hundreds of families from their homes.",
            true,
        ),
        (
            "business",
            "Orange growers expect a smaller harvest",
            "ORLANDO, Florida: Citrus growers across Central Florida expect the smallest orange harvest in decades after a season of disease and storms, the state’s agriculture department said.",
            false,
        ),
        (
            "business",
            "Port traffic rises for a third month",
            "TAMPA, Florida: Container traffic through the state’s ports rose for a third month in a row in March, led by imports of building materials.",
            false,
        ),
        (
            "sports",
            "Magic close the season with a home win",
            "ORLANDO, Florida: The Magic ended their regular season with a 112–104 win at home, securing a place in the play-in tournament.",
            true,
        ),
        (
            "sports",
            "Marathon route changes for the spring race",
            "The city’s spring marathon will start and finish at Lake Eola this year, organisers said, after complaints about last year’s course.",
            false,
        ),
        (
            "science",
            "Launch window opens for lunar lander",
            "CAPE CANAVERAL, Florida: A private lunar lander is set to launch next week from the Space Coast, the first of three missions planned this year.",
            false,
        ),
        (
            "science",
            "Manatee counts rise in warm springs",
            "BLUE SPRING, Florida: Researchers counted more than 700 manatees sheltering in the park’s warm water this winter, a record for the site.",
            false,
        ),
    ];
    for (i, (sec, headline, lead, image)) in stories.iter().enumerate() {
        let body = format!(
            "<p>{lead}</p><p>“We have made progress,” one official said, speaking on condition of \
             anonymity because the talks were private. Others were more cautious, noting that \
             several questions remained open and that no date had been set for a further round.</p>\
             <h2>What happens next</h2><p>Both sides are expected to report back within days. \
             Analysts said the outcome would depend on details not yet made public, including \
             timing and the role of third parties.</p><p>The next meeting could take place \
             before the end of the month, according to people familiar with the plans.</p>\
             <h3>Background</h3><p>The issue has been on the agenda for months, with earlier \
             rounds ending without agreement.</p>"
        );
        let story = NewStory {
            source_id: source.id,
            guid: format!("preview-{i}"),
            url: None,
            headline: (*headline).into(),
            standfirst: Some(
                "The envoy’s visit was the latest in a series of meetings aimed at narrowing \
                 the gaps between the two sides"
                    .into(),
            ),
            byline: (i % 3 == 0).then(|| "Jane Roe".into()),
            dateline: None,
            published: OffsetTime::new(now - (i as i64) * 3_600_000_000, 3 * 3600).unwrap(),
            updated: None,
            content_html: body,
            text: format!("{lead}\n\nMore text."),
            image: image.then(|| LeadImage {
                url: "/assets/preview/photo.svg".into(),
                caption: Some("The delegation arrives for the talks on Friday.".into()),
                credit: Some("Ann Lee".into()),
                alt: Some("Buildings under a pale sky".into()),
            }),
            categories: vec![],
            content_hash: format!("preview-{i}"),
            canonical_url: None,
        };
        let id = store.put_story(&story, None).await.unwrap().id();
        store
            .place(&Placement {
                story_id: id,
                site_id: orlando.id,
                section: (*sec).into(),
            })
            .await
            .unwrap();
    }
    let (router, _handle) = masthead_web::app(
        store,
        WebSettings {
            network_name: "Masthead Preview Network".into(),
            base_url: None,
            static_files: vec![StaticFile {
                path: "/assets/preview/photo.svg".into(),
                content_type: "image/svg+xml",
                bytes: PHOTO.as_bytes(),
            }],
            websub: None,
            intake: None,
            mail: None,
            secret: b"preview secret, not for production use".to_vec(),
            newsroom: None,
            uploads_dir: None,
            outbox_dir: None,
            routes: Vec::new(),
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
    println!("http://{listen}/s/orlando-echo/  (story 1: /s/orlando-echo/story/1/x)");
    masthead_web::serve(listener, router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .unwrap();
}
