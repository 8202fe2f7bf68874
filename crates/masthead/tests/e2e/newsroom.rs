//! The newsroom end to end over plain HTTP, with `masthead serve` mailing through a real SMTP
//! conversation on loopback: the public submits releases (form, CSRF cookie, minimum fill
//! time), an editor made with `masthead user add` logs in, edits and approves one (it is on
//! the site labelled "News release", in the RSS feed and in the next digest), rejects another
//! with a reason and marks a third as spam; the submitters get exactly the mails they should.
//! Then the editor corrects the published story and reads the site's routing rules, with the
//! explanation of how the story was routed. Mails are parsed as MIME, pages as HTML.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mail_parser::MessageParser;
use masthead_testkit::smtp::{Received, Sink};
use scraper::{Html, Selector};

use crate::support::{Demo, TempDir, bin, client};

const SITE: &str = "newsroom-times";
const SECRET: &str = "0123456789abcdef0123456789abcdef-e2e-newsroom";
const EDITOR: &str = "editor@newsroom.example";
const PASSWORD: &str = "correct horse battery staple";
/// The release form refuses a form sent sooner than 3 s after it was handed out.
const FILL_WAIT: Duration = Duration::from_millis(3200);

/// A fixed-offset zone where it is around noon now, so that "today's" digest (sent at 23:00
/// there, covering the 24 hours before) takes a story published now, whatever the hour.
fn noon_zone() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let utc_hour = i64::try_from((secs / 3600) % 24).unwrap();
    let offset = 12 - utc_hour; // -11 ..= 12
    // POSIX-style Etc names have the sign inverted: Etc/GMT-5 is UTC+5.
    match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

fn write_config(dir: &TempDir) {
    std::fs::write(
        dir.path().join("masthead.toml"),
        format!(
            r#"
network_name = "Newsroom network"
listen = "127.0.0.1:0"
database_url = "sqlite://test.db"
secret = "{SECRET}"

[mail]
from = "Newsroom Times <news@newsroom-times.example>"

[[sources]]
name = "Wire Service"
url = "https://wire.invalid/feed.xml"
full_text = "never"

[[sites]]
slug = "{SITE}"
name = "Newsroom Times"
hosts = ["newsroom-times.localhost"]
time_zone = "{zone}"
digest_hour = 23
sections = [{{ slug = "world", name = "World" }}, {{ slug = "business", name = "Business" }}]

[[sites.rules]]
name = "Harbour news"
priority = 5
words = ["harbour"]
section = "business"
exclude = ["obituary"]

[[sites.rules]]
name = "Everything else"
section = "world"
"#,
            zone = noon_zone()
        ),
    )
    .unwrap();
}

/// Runs a command of the binary on `dir`'s configuration with `stdin` piped in; its stdout.
fn masthead(dir: &TempDir, smtp: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(bin())
        .arg("--config")
        .arg(dir.path().join("masthead.toml"))
        .args(args)
        .env("MASTHEAD_SMTP_URL", smtp)
        .env_remove("MASTHEAD_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The cookies a browser would keep, by name.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, resp: &reqwest::Response) {
        for value in resp.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn attr(doc: &Html, css: &str, name: &str) -> String {
    select(doc, css)
        .first()
        .and_then(|e| e.value().attr(name))
        .unwrap_or_else(|| panic!("no {css} with {name}"))
        .to_owned()
}

fn text_of(doc: &Html, css: &str) -> String {
    select(doc, css)
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn urlencode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                url::form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>(),
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn multipart(fields: &[(&str, &str)], boundary: &str) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

/// The newsroom over HTTP: the admin's cookies and the server.
struct Desk<'a> {
    server: &'a Demo,
    http: reqwest::Client,
    jar: Jar,
}

impl Desk<'_> {
    async fn get(&mut self, path: &str) -> (u16, Html) {
        let resp = self
            .http
            .get(self.server.url(path))
            .header("cookie", self.jar.header())
            .send()
            .await
            .unwrap();
        self.jar.take(&resp);
        let status = resp.status().as_u16();
        (status, Html::parse_document(&resp.text().await.unwrap()))
    }

    /// A form POST; answers (status, Location, body).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let resp = self
            .http
            .post(self.server.url(path))
            .header("cookie", self.jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencode(fields))
            .send()
            .await
            .unwrap();
        self.jar.take(&resp);
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, resp.text().await.unwrap())
    }

    /// The CSRF field of the page's first form.
    fn csrf(doc: &Html) -> String {
        attr(doc, "form input[name='csrf']", "value")
    }
}

/// A release form as handed out: its cookie and hidden fields, ready to post after the wait.
struct Handed {
    cookie: String,
    action: String,
    csrf: String,
    started: String,
    kind: String,
}

async fn hand_out(server: &Demo, http: &reqwest::Client) -> Handed {
    let resp = http
        .get(server.url(&format!("/s/{SITE}/submit")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut jar = Jar::default();
    jar.take(&resp);
    let doc = Html::parse_document(&resp.text().await.unwrap());
    let kind = select(&doc, "select[name='kind'] option")
        .iter()
        .filter_map(|o| o.value().attr("value"))
        .find(|v| !v.is_empty())
        .unwrap()
        .to_owned();
    Handed {
        cookie: jar.header(),
        action: attr(&doc, "form.release-form", "action"),
        csrf: attr(&doc, "form.release-form input[name='csrf']", "value"),
        started: attr(&doc, "form.release-form input[name='started']", "value"),
        kind,
    }
}

/// Posts a handed-out form; the reference the thank-you page shows.
async fn submit(
    server: &Demo,
    http: &reqwest::Client,
    form: &Handed,
    headline: &str,
    email: &str,
) -> String {
    let body = "The Harbour Rowing Club has appointed a new captain, the first woman to hold \
                the post in the club's ninety years.\n\nShe has rowed for the club since 2009.";
    let boundary = "masthead-e2e-boundary-7b1f";
    let fields = [
        ("csrf", form.csrf.as_str()),
        ("started", form.started.as_str()),
        ("kind", form.kind.as_str()),
        ("organisation", "Harbour Rowing Club"),
        ("contact_name", "Dana Whitfield"),
        ("contact_email", email),
        ("contact_phone", ""),
        ("headline", headline),
        ("body", body),
        ("dateline", "ORLANDO, Florida"),
        ("event_at", ""),
        ("event_place", ""),
        ("sites", SITE),
        ("website", ""),
    ];
    let resp = http
        .post(server.url(&form.action))
        .header("cookie", &form.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(multipart(&fields, boundary))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let page = resp.text().await.unwrap();
    assert_eq!(status, 200, "{page}");
    let doc = Html::parse_document(&page);
    assert_eq!(
        text_of(&doc, "main h1").trim(),
        "Thank you for your news release"
    );
    text_of(&doc, "main p")
        .split_whitespace()
        .find(|w| w.starts_with("R-"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no reference in {page}"))
}

/// A received mail, parsed: subject and bodies.
struct Mail {
    subject: String,
    text: String,
    html: String,
}

fn parse(received: &Received) -> Mail {
    let parsed = MessageParser::default().parse(&received.data).unwrap();
    Mail {
        subject: parsed.subject().unwrap_or_default().to_owned(),
        text: parsed
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: parsed
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
    }
}

/// The mails to `address` once there are at least `n` of them.
async fn mails_to(sink: &Sink, address: &str, n: usize) -> Vec<Mail> {
    for _ in 0..200 {
        let got: Vec<Mail> = sink
            .messages()
            .iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r == address))
            .map(parse)
            .collect();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{address} did not get {n} mails");
}

/// The release's page in the admin: its id (from the queue's link) and the page.
async fn open_release(desk: &mut Desk<'_>, reference: &str) -> (String, Html) {
    let (status, queue) = desk.get("/admin/releases").await;
    assert_eq!(status, 200);
    let href = select(&queue, "table tbody td a[href^='/admin/releases/']")
        .iter()
        .find(|a| a.text().collect::<String>().trim() == reference)
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("{reference} is not in the queue"))
        .to_owned();
    let (status, page) = desk.get(&href).await;
    assert_eq!(status, 200);
    (href, page)
}

fn version(page: &Html, action: &str) -> String {
    attr(
        page,
        &format!("form[action$='/{action}'] input[name='version']"),
        "value",
    )
}

// Multi-threaded: the SMTP sink answers on this runtime while a blocking `masthead digest
// send` waits for its mail to be accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releases_are_moderated_published_mailed_and_corrected() {
    let sink = Sink::start(false).await;
    let smtp = sink.url();
    let dir = TempDir::new("newsroom");
    write_config(&dir);
    let server = Demo::serve_with_env(dir, &[("MASTHEAD_SMTP_URL", &smtp)]);
    // The sites are in the store once the server has started: then the editor's account.
    let out = masthead(
        &server.data,
        &smtp,
        &[
            "user", "add", "--email", EDITOR, "--role", "editor", "--site", SITE,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.contains("Created editor account"), "{out}");
    let http = client();

    // A reader subscribes to the daily email and confirms from the mailed link.
    let reader = "reader@example.org";
    {
        let resp = http
            .get(server.url(&format!("/s/{SITE}/subscribe")))
            .send()
            .await
            .unwrap();
        let mut jar = Jar::default();
        jar.take(&resp);
        let doc = Html::parse_document(&resp.text().await.unwrap());
        let csrf = attr(&doc, "form.subscribe-form input[name='csrf']", "value");
        let resp = http
            .post(server.url(&format!("/s/{SITE}/subscribe")))
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencode(&[
                ("csrf", &csrf),
                ("email", reader),
                ("section", "world"),
                ("section", "business"),
                ("website", ""),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let mail = mails_to(&sink, reader, 1).await.remove(0);
        let link = mail
            .text
            .split_whitespace()
            .find(|w| w.contains("/subscribe/confirm?token="))
            .unwrap()
            .to_owned();
        let resp = http.get(&link).send().await.unwrap();
        let mut jar = Jar::default();
        jar.take(&resp);
        let doc = Html::parse_document(&resp.text().await.unwrap());
        let resp = http
            .post(server.url(&format!("/s/{SITE}/subscribe/confirm")))
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencode(&[
                (
                    "csrf",
                    &attr(&doc, "form.button-form input[name='csrf']", "value"),
                ),
                (
                    "token",
                    &attr(&doc, "form.button-form input[name='token']", "value"),
                ),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }

    // Three releases from the public: the forms are handed out, filled in for longer than
    // the minimum time, and posted.
    let (good, bad, junk) = (
        "dana@rowing.example",
        "sam@rowing.example",
        "spam@junk.example",
    );
    let forms = [
        hand_out(&server, &http).await,
        hand_out(&server, &http).await,
        hand_out(&server, &http).await,
    ];
    tokio::time::sleep(FILL_WAIT).await;
    let [form_a, form_b, form_c] = &forms;
    let first = submit(
        &server,
        &http,
        form_a,
        "Harbour rowing club appoints a captain",
        good,
    )
    .await;
    let second = submit(
        &server,
        &http,
        form_b,
        "Harbour rowing club buys a boat",
        bad,
    )
    .await;
    let third = submit(
        &server,
        &http,
        form_c,
        "Cheap harbour watches for sale",
        junk,
    )
    .await;
    for (address, reference) in [(good, &first), (bad, &second), (junk, &third)] {
        let mail = mails_to(&sink, address, 1).await.remove(0);
        assert!(
            mail.subject.contains(reference.as_str()),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains(reference.as_str()), "{}", mail.text);
    }

    // The editor logs in: the login form hands out the CSRF cookie and field.
    let mut desk = Desk {
        server: &server,
        http: http.clone(),
        jar: Jar::default(),
    };
    let (status, login) = desk.get("/admin/login").await;
    assert_eq!(status, 200);
    let csrf = Desk::csrf(&login);
    let (status, location, _) = desk
        .post(
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("next", "/admin/releases"),
                ("email", EDITOR),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/admin/releases");
    assert!(desk.jar.0.contains_key("masthead_session"));

    // Edits the first release's headline (at the version shown), then approves it.
    let (href, page) = open_release(&mut desk, &first).await;
    let csrf = Desk::csrf(&page);
    let edited = "Harbour rowing club names its first woman captain";
    let body = text_of(&page, "textarea[name='body']");
    let (status, _, _) = desk
        .post(
            &format!("{href}/edit"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page, "edit")),
                ("headline", edited),
                ("dateline", "ORLANDO, Florida"),
                ("section", ""),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = desk.get(&href).await;
    assert!(text_of(&page, "h1").contains(edited));
    let site_ids: Vec<String> = select(&page, "form[action$='/approve'] input[name='site']")
        .iter()
        .filter(|i| i.value().attr("checked").is_some())
        .map(|i| i.value().attr("value").unwrap().to_owned())
        .collect();
    assert_eq!(site_ids.len(), 1);
    let (status, _, _) = desk
        .post(
            &format!("{href}/approve"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page, "approve")),
                ("site", &site_ids[0]),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = desk.get(&href).await;
    let fields: BTreeMap<String, String> = select(&page, "table.release-fields tr")
        .iter()
        .map(|row| {
            let cell = |css: &str| {
                row.select(&Selector::parse(css).unwrap())
                    .next()
                    .map(|c| c.text().collect::<String>().trim().to_owned())
                    .unwrap_or_default()
            };
            (cell("th"), cell("td"))
        })
        .collect();
    assert!(
        fields["Status"].to_lowercase().starts_with("approved"),
        "{fields:?}"
    );
    let story: i64 = fields["Story"].parse().unwrap();

    // On the site, labelled "News release"; in the RSS feed.
    let public = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    let page = public
        .get(server.url(&format!("/s/{SITE}/story/{story}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = Html::parse_document(&page);
    assert_eq!(text_of(&doc, "article.story h1").trim(), edited);
    assert_eq!(
        text_of(&doc, "article.story .story-header .source").trim(),
        "News release"
    );
    let feed = public
        .get(server.url(&format!("/s/{SITE}/feed.xml")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(feed.contains(&format!("<title>{edited}</title>")), "{feed}");

    // The submitter got the approval, with the story's link.
    let mails = mails_to(&sink, good, 2).await;
    let approval = &mails[1];
    assert!(
        approval.subject.contains("is published"),
        "{}",
        approval.subject
    );
    assert!(approval.text.contains(&first));
    let link = approval
        .text
        .split_whitespace()
        .find(|w| w.contains("/story/"))
        .unwrap_or_else(|| panic!("no story link in {}", approval.text));
    assert!(link.contains(&format!("/story/{story}")), "{link}");
    let linked = public.get(link).send().await.unwrap();
    assert_eq!(linked.status(), 200);

    // Today's digest takes it to the confirmed reader.
    let out = masthead(&server.data, &smtp, &["digest", "send", "--site", SITE], "");
    assert!(out.contains("mailed 1 now"), "{out}");
    let digest = mails_to(&sink, reader, 2).await.remove(1);
    assert!(digest.text.contains(edited), "{}", digest.text);
    assert!(digest.html.contains(edited));

    // The second is rejected with a reason, which the submitter is mailed.
    let (href, page) = open_release(&mut desk, &second).await;
    let reason = "We only publish appointments and events.";
    let (status, _, _) = desk
        .post(
            &format!("{href}/reject"),
            &[
                ("csrf", &Desk::csrf(&page)),
                ("version", &version(&page, "reject")),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let rejection = mails_to(&sink, bad, 2).await.remove(1);
    assert!(rejection.subject.contains("was not published"));
    assert!(rejection.text.contains(reason), "{}", rejection.text);
    assert!(rejection.text.contains(&second));

    // The third is spam: no mail.
    let (href, page) = open_release(&mut desk, &third).await;
    let (status, _, _) = desk
        .post(
            &format!("{href}/spam"),
            &[
                ("csrf", &Desk::csrf(&page)),
                ("version", &version(&page, "spam")),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = desk.get(&href).await;
    assert!(
        text_of(&page, "table.release-fields")
            .to_lowercase()
            .contains("spam")
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let to_junk = sink
        .messages()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == junk))
        .count();
    assert_eq!(to_junk, 1, "only the confirmation, no decision mail");
    let (_, queue) = desk.get("/admin/releases").await;
    assert!(
        select(&queue, "table tbody tr").is_empty(),
        "the queue is empty"
    );

    // The routing rules are listed, and the test form explains the story's section.
    let (status, sites) = desk.get("/admin/sites").await;
    assert_eq!(status, 200);
    let rules = text_of(&sites, "table.rules-table tbody");
    assert!(
        rules.contains("Harbour news") && rules.contains("“obituary”"),
        "{rules}"
    );
    assert!(rules.contains("Everything else"));
    let (status, tested) = desk
        .get(&format!("/admin/sites?site={SITE}&story={story}"))
        .await;
    assert_eq!(status, 200);
    let explained = text_of(&tested, ".route-explanation");
    assert!(
        explained.contains("placed in Business") && explained.contains("Harbour news"),
        "{explained}"
    );

    // The editor corrects the story: the page shows the correction, sanitized, and the admin
    // keeps the version it replaced.
    let path = format!("/admin/stories/{story}");
    let (status, page) = desk.get(&path).await;
    assert_eq!(status, 200);
    assert!(!text_of(&page, "main").contains("not available yet"));
    let corrected = "Harbour rowing club names Maria Okafor its first woman captain";
    let (status, location, _) = desk
        .post(
            &format!("{path}/correct"),
            &[
                ("csrf", &Desk::csrf(&page)),
                ("headline", corrected),
                ("standfirst", "A correction names the captain."),
                (
                    "body",
                    "<p>Maria Okafor is the club's new captain.</p><script>alert(1)</script>",
                ),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, path.as_str()));
    let page = public
        .get(server.url(&format!("/s/{SITE}/story/{story}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = Html::parse_document(&page);
    assert_eq!(text_of(&doc, "article.story h1").trim(), corrected);
    assert!(text_of(&doc, ".story-body").contains("Maria Okafor is the club's new captain."));
    assert!(!page.contains("alert(1)"));
    let (_, page) = desk.get(&path).await;
    let revisions = text_of(&page, "details.revision summary");
    assert!(revisions.contains(edited), "{revisions}");
}
