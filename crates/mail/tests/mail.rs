//! End-to-end tests of the mailer: a real SMTP conversation with masthead-testkit's sink,
//! the disk outbox, DKIM keys and the rate limit. Messages are checked by parsing them.

// clippy.toml allows unwrap in `#[test]` functions only; the helpers and the sink are test code too.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers and the test sink: a failure fails the test"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use masthead_mail::{
    AcceptedBy, DkimSettings, MailAddress, MailError, MailSettings, Mailer, OutgoingMail,
    Transport, list_outbox, parse_smtp_url, render_digest,
};
use masthead_testkit::smtp::Sink;

const SUBJECT: &str = "Café’s “news”";
const NAME: &str = "Zoë Ångström";

/// A fresh directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "masthead-mail-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn settings(transport: Transport) -> MailSettings {
    MailSettings {
        from: MailAddress::new("Orlando Echo", "news@echo.example"),
        transport,
        dkim: None,
        rate_per_second: None,
        pool_size: 2,
    }
}

fn smtp(sink: &Sink) -> Transport {
    Transport::Smtp(parse_smtp_url(&sink.url()).unwrap())
}

fn dkim(key: &str) -> Option<DkimSettings> {
    Some(DkimSettings {
        selector: "test2025".to_owned(),
        domain: "echo.example".to_owned(),
        private_key_pem_path: testdata(key),
    })
}

fn digest_mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: MailAddress::new(NAME, to),
        subject: SUBJECT.to_owned(),
        text: "Witkoff leaves St. Petersburg\nRead more: https://echo.example/w\n".to_owned(),
        html: Some(
            "<p><a href=\"https://echo.example/w\">Witkoff leaves</a> – ça va</p>".to_owned(),
        ),
        headers: vec![
            (
                "List-Unsubscribe".to_owned(),
                "<https://echo.example/unsubscribe?t=abc123>".to_owned(),
            ),
            (
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned(),
            ),
        ],
        message_id_hint: None,
    }
}

/// The value of a header as written, unfolded.
fn raw_header(bytes: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    unfolded
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .and_then(|l| l.get(prefix.len()..))
        .map(|v| v.trim().to_owned())
}

/// Checks a produced message by parsing it: both parts, the unsubscribe headers, Message-ID,
/// Date and the encoded subject and name.
fn check_digest_message(bytes: &[u8], message_id: &str) {
    let message = MessageParser::default()
        .parse(bytes)
        .expect("a parsable message");

    let ct = message.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    assert_eq!(
        message.body_text(0).unwrap().replace("\r\n", "\n"),
        "Witkoff leaves St. Petersburg\nRead more: https://echo.example/w\n"
    );
    assert!(
        message
            .body_html(0)
            .unwrap()
            .contains("Witkoff leaves</a> – ça va")
    );

    // RFC 2047: encoded on the wire, decoded by a parser.
    let raw_subject = raw_header(bytes, "Subject").unwrap();
    assert!(
        raw_subject.is_ascii() && raw_subject.contains("=?utf-8?"),
        "{raw_subject}"
    );
    assert_eq!(message.subject(), Some(SUBJECT));
    let raw_to = raw_header(bytes, "To").unwrap();
    assert!(raw_to.is_ascii() && raw_to.contains("=?utf-8?"), "{raw_to}");
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some(NAME));
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Orlando Echo"), Some("news@echo.example"))
    );

    assert_eq!(
        message.header_raw("List-Unsubscribe").map(str::trim),
        Some("<https://echo.example/unsubscribe?t=abc123>")
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );

    let id = message.message_id().unwrap();
    assert_eq!(format!("<{id}>"), message_id);
    assert!(id.ends_with("@echo.example"), "{id}");
    let date = message.date().unwrap().to_timestamp();
    let now = jiff::Timestamp::now().as_second();
    assert!((now - date).abs() < 60, "Date {date} is not now {now}");
}

#[tokio::test]
async fn smtp_delivers_a_multipart_signed_message() {
    let sink = Sink::start(false).await;
    let mut s = settings(smtp(&sink));
    s.dkim = dkim("dkim-test-only-ed25519.pem");
    let mailer = Mailer::new(s).unwrap();

    let receipt = mailer.send(&digest_mail("zoe@example.org")).await.unwrap();
    let AcceptedBy::Relay { code, reply } = &receipt.accepted_by else {
        panic!("not sent by SMTP: {receipt:?}");
    };
    assert_eq!(code, "250");
    assert!(reply.contains("queued as 1"), "{reply}");

    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.mail_from, "news@echo.example");
    assert_eq!(got.rcpt_to, ["zoe@example.org"]);
    check_digest_message(&got.data, &receipt.message_id);

    let signature = raw_header(&got.data, "DKIM-Signature").expect("a DKIM signature");
    for tag in [
        "v=1;",
        "a=ed25519-sha256;",
        "d=echo.example;",
        "s=test2025;",
        "c=relaxed/relaxed;",
    ] {
        assert!(signature.contains(tag), "{tag} missing from {signature}");
    }
    let signed = signature
        .split(';')
        .find_map(|t| t.trim().strip_prefix("h="))
        .unwrap()
        .replace(' ', "");
    let bh = signature
        .split(';')
        .find_map(|t| t.trim().strip_prefix("bh="))
        .unwrap()
        .replace(' ', "");
    assert_eq!(
        bh,
        relaxed_body_hash(&got.data),
        "the body hash matches the body sent"
    );
    for header in [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ] {
        assert!(
            signed.split(':').any(|h| h == header),
            "{header} not signed: {signed}"
        );
    }
}

#[tokio::test]
async fn a_rendered_digest_goes_out_as_both_parts() {
    let sink = Sink::start(false).await;
    let mailer = Mailer::new(settings(smtp(&sink))).unwrap();
    let digest = masthead_mail::DigestMail {
        site_name: "Orlando Echo".to_owned(),
        site_url: "https://echo.example/".to_owned(),
        date_label: "Saturday, 12 April 2025".to_owned(),
        sections: vec![masthead_mail::DigestSection {
            name: "World".to_owned(),
            stories: vec![masthead_mail::DigestStory {
                headline: "Talks “end”".to_owned(),
                teaser: "KYIV, Ukraine: Talks…".to_owned(),
                url: "https://echo.example/w?a=1&b=2".to_owned(),
                image: None,
            }],
        }],
        why_line: "You get this because you subscribed to Orlando Echo at https://echo.example/."
            .to_owned(),
        unsubscribe_url: "https://echo.example/unsubscribe?t=1".to_owned(),
        preferences_url: "https://echo.example/preferences?t=1".to_owned(),
    };
    let (text, html) = render_digest(&digest).unwrap();
    let mut mail = digest_mail("reader@example.org");
    mail.text = text.clone();
    mail.html = Some(html.clone());
    mailer.send(&mail).await.unwrap();

    let got = &sink.messages()[0];
    let message = MessageParser::default().parse(&got.data).unwrap();
    assert_eq!(message.body_text(0).unwrap().replace("\r\n", "\n"), text);
    assert_eq!(message.body_html(0).unwrap().replace("\r\n", "\n"), html);
}

#[tokio::test]
async fn rsa_keys_sign_too_in_both_pem_forms() {
    for key in ["dkim-test-only-rsa.pem", "dkim-test-only-rsa-pkcs8.pem"] {
        let dir = TempDir::new("rsa");
        let mut s = settings(Transport::Outbox(dir.0.clone()));
        s.dkim = dkim(key);
        let mailer = Mailer::new(s).unwrap();
        let composed = mailer.compose(&digest_mail("zoe@example.org")).unwrap();
        let signature = raw_header(&composed.bytes, "DKIM-Signature").unwrap();
        assert!(signature.contains("a=rsa-sha256;"), "{key}: {signature}");
        check_digest_message(&composed.bytes, &composed.message_id);
    }
}

#[test]
fn bad_dkim_keys_are_named_at_start_up() {
    let dir = TempDir::new("badkey");
    let missing = dir.0.join("nope.pem");
    let mut s = settings(Transport::Outbox(dir.0.clone()));
    s.dkim = Some(DkimSettings {
        selector: "s1".to_owned(),
        domain: "echo.example".to_owned(),
        private_key_pem_path: missing.clone(),
    });
    let e = Mailer::new(s.clone()).unwrap_err().to_string();
    assert!(
        e.contains(&missing.display().to_string()) && e.contains("cannot read"),
        "{e}"
    );

    let garbage = dir.0.join("garbage.pem");
    std::fs::write(&garbage, "not a key").unwrap();
    s.dkim.as_mut().unwrap().private_key_pem_path = garbage.clone();
    let e = Mailer::new(s.clone()).unwrap_err().to_string();
    assert!(
        e.contains("garbage.pem") && e.contains("not a PEM private key"),
        "{e}"
    );

    let cert = dir.0.join("cert.pem");
    std::fs::write(
        &cert,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    s.dkim.as_mut().unwrap().private_key_pem_path = cert;
    let e = Mailer::new(s.clone()).unwrap_err().to_string();
    assert!(e.contains("unsupported key type `CERTIFICATE`"), "{e}");

    s.dkim = dkim("dkim-test-only-ed25519.pem");
    s.dkim.as_mut().unwrap().selector = "bad selector;".to_owned();
    let e = Mailer::new(s).unwrap_err().to_string();
    assert!(e.contains("selector"), "{e}");
}

#[tokio::test]
async fn credentials_from_the_url_reach_the_relay_decoded() {
    let sink = Sink::start(true).await;
    let url = format!(
        "smtp://news%40echo.example:p%40ss%3Aw%C3%B6rd@{}",
        sink.addr
    );
    let mailer = Mailer::new(settings(Transport::Smtp(parse_smtp_url(&url).unwrap()))).unwrap();
    mailer.send(&digest_mail("zoe@example.org")).await.unwrap();
    let got = &sink.messages()[0];
    assert_eq!(got.auth.as_deref(), Some("\0news@echo.example\0p@ss:wörd"));
}

#[tokio::test]
async fn refusals_tell_bounces_from_retries_without_naming_the_address() {
    let sink = Sink::start(false).await;
    let mailer = Mailer::new(settings(smtp(&sink))).unwrap();

    let e = mailer
        .send(&digest_mail("bounce@example.org"))
        .await
        .unwrap_err();
    assert!(e.is_permanent() && !e.is_transient(), "{e:?}");
    assert_eq!(e.smtp_code(), Some(550));
    let shown = e.to_string();
    assert!(!shown.contains("bounce@example.org"), "{shown}");
    assert!(
        shown.contains("permanent") && shown.contains("550"),
        "{shown}"
    );

    let e = mailer
        .send(&digest_mail("later@example.org"))
        .await
        .unwrap_err();
    assert!(e.is_transient() && !e.is_permanent(), "{e:?}");
    assert_eq!(e.smtp_code(), Some(451));

    // The pool recovers: the next mail goes through.
    mailer.send(&digest_mail("zoe@example.org")).await.unwrap();
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn an_unreachable_relay_is_a_temporary_failure() {
    // Bind then drop, so nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smtp = parse_smtp_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    smtp.timeout = Duration::from_secs(5);
    let mailer = Mailer::new(settings(Transport::Smtp(smtp))).unwrap();
    let e = mailer
        .send(&digest_mail("zoe@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::Smtp { .. }), "{e:?}");
    assert!(e.is_transient(), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(mailer.check().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_reuses_at_most_pool_size_connections() {
    let sink = Sink::start(false).await;
    let mailer = Mailer::new(settings(smtp(&sink))).unwrap();
    mailer.check().await.unwrap();
    let sends = (0..12).map(|i| {
        let mailer = mailer.clone();
        async move {
            mailer
                .send(&digest_mail(&format!("reader{i}@example.org")))
                .await
                .unwrap()
        }
    });
    let handles: Vec<_> = sends.map(tokio::spawn).collect();
    for h in handles {
        h.await.unwrap();
    }
    let received = sink.messages();
    assert_eq!(received.len(), 12);
    let mut ids: Vec<_> = received
        .iter()
        .map(|r| raw_header(&r.data, "Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "Message-IDs are unique");
    // `check` opens one connection of its own; the sends share at most `pool_size` = 2.
    assert!(
        sink.connections() <= 3,
        "{} connections",
        sink.connections()
    );
}

#[tokio::test]
async fn the_outbox_holds_parsable_mail_newest_first() {
    let dir = TempDir::new("outbox");
    let mut s = settings(Transport::Outbox(dir.0.join("outbox")));
    s.dkim = dkim("dkim-test-only-ed25519.pem");
    let mailer = Mailer::new(s).unwrap();

    let first = mailer.send(&digest_mail("zoe@example.org")).await.unwrap();
    let AcceptedBy::Outbox(path) = &first.accepted_by else {
        panic!("not in the outbox: {first:?}");
    };
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(".eml") && name.len() > 24, "{name}");
    check_digest_message(&std::fs::read(path).unwrap(), &first.message_id);

    // A later mail, a second apart so that the Date headers differ.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut second = digest_mail("other@example.org");
    second.to.name = None;
    second.subject = "Second".to_owned();
    second.message_id_hint = Some("digest-7-42".to_owned());
    let second = mailer.send(&second).await.unwrap();
    assert_eq!(second.message_id, "<digest-7-42@echo.example>");

    let listed = list_outbox(&dir.0.join("outbox")).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].subject, "Second");
    assert_eq!(listed[0].to, "other@example.org");
    assert_eq!(
        listed[0].message_id.as_deref(),
        Some("digest-7-42@echo.example")
    );
    assert!(
        listed[0]
            .path
            .to_string_lossy()
            .contains("-digest-7-42.eml")
    );
    assert_eq!(listed[1].subject, SUBJECT);
    assert_eq!(listed[1].to, format!("{NAME} <zoe@example.org>"));
    assert_eq!(&listed[1].path, path);
    assert!(listed[0].date > listed[1].date);

    // No temporary files left behind; stray files are ignored.
    std::fs::write(dir.0.join("outbox").join("notes.txt"), "x").unwrap();
    std::fs::write(dir.0.join("outbox").join("broken.eml"), "").unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.0.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert_eq!(list_outbox(&dir.0.join("outbox")).unwrap().len(), 2);
}

#[tokio::test]
async fn the_rate_limit_spaces_mails_across_clones() {
    let dir = TempDir::new("rate");
    let mut s = settings(Transport::Outbox(dir.0.clone()));
    s.rate_per_second = Some(20.0);
    let mailer = Mailer::new(s).unwrap();
    let start = Instant::now();
    let handles: Vec<_> = (0..5)
        .map(|i| {
            let mailer = mailer.clone();
            tokio::spawn(async move {
                mailer
                    .send(&digest_mail(&format!("r{i}@example.org")))
                    .await
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let elapsed = start.elapsed();
    // Slots at 0, 50, 100, 150 and 200 ms.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(list_outbox(&dir.0).unwrap().len(), 5);
}

#[test]
fn bad_settings_are_refused() {
    let dir = TempDir::new("settings");
    let mut s = settings(Transport::Outbox(dir.0.clone()));
    s.pool_size = 0;
    assert!(
        Mailer::new(s.clone())
            .unwrap_err()
            .to_string()
            .contains("pool_size")
    );
    s.pool_size = 1;
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        s.rate_per_second = Some(rate);
        let e = Mailer::new(s.clone()).unwrap_err().to_string();
        assert!(e.contains("rate_per_second"), "{e}");
    }
    s.rate_per_second = None;
    s.from.address = "not an address".to_owned();
    assert_eq!(
        Mailer::new(s).unwrap_err().to_string(),
        "invalid sender email address"
    );
}

/// RFC 6376 §3.4.4 relaxed body canonicalization, SHA-256, base64: what `bh=` must be.
fn relaxed_body_hash(message: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    use sha2::Digest;
    let text = String::from_utf8_lossy(message);
    let body = text.split_once("\r\n\r\n").unwrap().1;
    let mut lines: Vec<String> = body
        .split("\r\n")
        .map(|l| {
            // Each run of spaces and tabs becomes one space; trailing ones go.
            let mut out = String::new();
            for c in l.chars() {
                if c == ' ' || c == '\t' {
                    if !out.ends_with(' ') {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            out.trim_end_matches(' ').to_owned()
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut canonical = lines.join("\r\n");
    if !canonical.is_empty() {
        canonical.push_str("\r\n");
    }
    Base64::encode_string(&sha2::Sha256::digest(canonical.as_bytes()))
}
