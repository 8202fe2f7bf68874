//! The daily email end to end, through a real SMTP conversation on loopback: sign up, confirm
//! from the mailed link, receive the digest with both parts and the unsubscribe headers, leave
//! with one click, and get no more digests. Mail is checked by parsing the MIME.

use mail_parser::{MessageParser, MimeHeaders};
use masthead_testkit::smtp::Sink;
use scraper::{Html, Selector};

use crate::support::{Demo, TempDir, bin, client};

const SECRET: &str = "0123456789abcdef0123456789abcdef-e2e-digest";

/// A configuration with a concrete listen address: `digest send` runs in its own process and
/// puts `base_url` (derived from `listen`) into the links it mails.
fn write_config(dir: &TempDir) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("masthead.toml"),
        format!(
            r#"
network_name = "Test network"
listen = "127.0.0.1:{port}"
database_url = "sqlite://test.db"
secret = "{SECRET}"

[mail]
from = "Test Times <news@test-times.example>"

[[sources]]
name = "Alpha Wire"
url = "https://alpha.example/feed.xml"
full_text = "never"

[[sites]]
slug = "test-times"
name = "Test Times"
hosts = ["test-times.localhost"]
time_zone = "America/New_York"
digest_hour = 7
sections = [{{ slug = "world", name = "World" }}]
"#
        ),
    )
    .unwrap();
}

fn masthead(dir: &TempDir, smtp: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .arg("--config")
        .arg(dir.path().join("masthead.toml"))
        .args(args)
        .env("MASTHEAD_SMTP_URL", smtp)
        .env_remove("MASTHEAD_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn hidden(html: &str, form: &str, name: &str) -> String {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(&format!("{form} input[name='{name}']")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no {name} field in {form}"))
        .to_owned()
}

fn cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|c| c.starts_with("masthead_csrf="))
        .expect("a CSRF cookie")
        .to_owned()
}

fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_owned())
        .collect()
}

// Two workers: the SMTP sink runs on this test's runtime while the test thread blocks on
// `masthead digest send`; on one thread they would wait for each other forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_confirm_receive_and_leave() {
    let sink = Sink::start(false).await;
    let dir = TempDir::new("digest");
    write_config(&dir);
    let fixture = format!(
        "{}/tests/e2e/testdata/wire-a.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    masthead(
        &dir,
        &sink.url(),
        &["ingest", "--source", "Alpha Wire", "--file", &fixture],
    );
    let server = Demo::serve_with_env(dir, &[("MASTHEAD_SMTP_URL", &sink.url())]);
    let http = client();
    let subscribe = server.url("/s/test-times/subscribe");
    let form = http.get(&subscribe).send().await.unwrap();
    let csrf_cookie = cookie(&form);
    let page = form.text().await.unwrap();
    let csrf = hidden(&page, "form.subscribe-form", "csrf");
    let resp = http
        .post(&subscribe)
        .header("cookie", &csrf_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&email=Reader%40Example.org&section=world&website="
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    // The confirmation mail arrived over SMTP; its link opens a page with a Confirm button.
    let confirm_mail = wait_for(&sink, 1).await.pop().unwrap();
    assert_eq!(confirm_mail.rcpt_to, vec!["reader@example.org".to_owned()]);
    let parsed = MessageParser::default().parse(&confirm_mail.data).unwrap();
    let text = parsed.body_text(0).unwrap().into_owned();
    let link = links(&text)
        .into_iter()
        .find(|l| l.contains("/subscribe/confirm?token="))
        .expect("a confirmation link");
    let opened = http.get(&link).send().await.unwrap();
    let confirm_cookie = cookie(&opened);
    let page = opened.text().await.unwrap();
    let token = hidden(&page, "form.button-form", "token");
    let csrf = hidden(&page, "form.button-form", "csrf");
    let done = http
        .post(server.url("/s/test-times/subscribe/confirm"))
        .header("cookie", &confirm_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("subscribed"));

    // The digest of 13 April (the 24 hours before 07:00 New York time) carries the ferry story.
    let out = masthead(
        &server.data,
        &sink.url(),
        &[
            "digest",
            "send",
            "--site",
            "test-times",
            "--date",
            "2025-04-13",
        ],
    );
    assert!(out.contains("mailed 1 now"), "{out}");
    let digest = wait_for(&sink, 2).await.pop().unwrap();
    let parsed = MessageParser::default().parse(&digest.data).unwrap();
    assert!(parsed.content_type().unwrap().c_subtype.as_deref() == Some("alternative"));
    let text = parsed.body_text(0).unwrap().into_owned();
    let html = parsed.body_html(0).unwrap().into_owned();
    assert!(text.contains("River ferry service resumes"), "{text}");
    assert!(html.contains("River ferry service resumes"));
    assert!(
        !text.contains("Library extends"),
        "a story outside the day's window"
    );
    let unsubscribe = parsed
        .header_raw("List-Unsubscribe")
        .unwrap()
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert_eq!(
        parsed.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );

    // Sending the same day again mails no one twice.
    let again = masthead(
        &server.data,
        &sink.url(),
        &[
            "digest",
            "send",
            "--site",
            "test-times",
            "--date",
            "2025-04-13",
        ],
    );
    assert!(again.contains("mailed 0 now"), "{again}");
    assert_eq!(sink.messages().len(), 2);

    // One click (RFC 8058): no cookie, no CSRF token, just the signed URL.
    let left = http
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 200);
    let next = masthead(
        &server.data,
        &sink.url(),
        &[
            "digest",
            "send",
            "--site",
            "test-times",
            "--date",
            "2025-04-12",
        ],
    );
    assert!(next.contains("mailed 0 now"), "{next}");
    assert_eq!(sink.messages().len(), 2, "no digest after unsubscribing");
}

async fn wait_for(sink: &Sink, n: usize) -> Vec<masthead_testkit::smtp::Received> {
    for _ in 0..100 {
        let got = sink.messages();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the SMTP server got {} messages, not {n}",
        sink.messages().len()
    );
}
