//! Headless Chromium driving the real forms through WebDriver (Debian's `chromedriver`):
//! a news release submitted by the public, an editor logging in and approving it, the story
//! on the site labelled "News release", with screenshots in `target/screenshots/`. And a set
//! of XSS payloads from the public filter-evasion lists (OWASP, PortSwigger) sent through a
//! source's feed and the release form, every resulting page rendered, with a check that no
//! script of theirs ran.
//!
//! The WebDriver client is written here (reqwest + serde_json, the W3C protocol's handful of
//! endpoints) rather than taken from a crate.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Demo, TempDir, bin};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const SITE: &str = "browser-times";
const PASSWORD: &str = "correct horse battery staple";
/// The release form refuses a form sent sooner than 3 s after it was handed out.
const FILL_WAIT: Duration = Duration::from_millis(3200);

// ---- A minimal WebDriver client ----

/// `chromedriver` on a free loopback port and one Chromium session; both end on drop.
struct Browser {
    driver: Child,
    port: u16,
    base: String,
    session: String,
    http: reqwest::Client,
}

/// An element reference from the page.
#[derive(Debug, Clone)]
struct Element(String);

/// False when chromium or chromedriver is missing (a failure with CI=true).
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must have {missing:?} installed (.ci/run installs Debian's chromium and chromium-driver)"
    );
    eprintln!(
        "NOTE: {missing:?} not found; browser tests skipped (apt-get install chromium chromium-driver)"
    );
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    async fn start() -> Self {
        masthead_fetch::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        // Owned from here on: a failure below still stops chromedriver (Drop).
        let mut browser = Self {
            driver,
            port,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            http,
        };
        let started = Instant::now();
        loop {
            let status = browser.http.get(format!("{}/status", browser.base));
            let ready = match status.send().await {
                Ok(resp) => serde_json::from_slice::<Value>(&resp.bytes().await.unwrap())
                    .is_ok_and(|v| v["value"]["ready"] == json!(true)),
                Err(_) => false,
            };
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let created = browser
            .call(
                reqwest::Method::POST,
                "/session",
                Some(json!({
                    "capabilities": {
                        "alwaysMatch": {
                            "browserName": "chrome",
                            "goog:chromeOptions": {
                                "binary": CHROMIUM,
                                "args": [
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-background-networking",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--window-size=1280,1600",
                                ],
                            },
                        },
                    },
                })),
            )
            .await;
        browser.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser
    }

    /// One WebDriver command; its `value`, or a panic with the driver's error.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap());
        }
        let resp = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = resp.status();
        let answer: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        let value = answer["value"].clone();
        assert!(
            status.is_success(),
            "WebDriver {path}: {status} {} {}",
            value["error"],
            value["message"]
        );
        value
    }

    async fn session_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
            .await
    }

    async fn goto(&self, url: &str) {
        self.session_call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn current_url(&self) -> String {
        self.session_call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn title(&self) -> String {
        self.session_call(reqwest::Method::GET, "/title", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn source(&self) -> String {
        self.session_call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find_all(&self, css: &str) -> Vec<Element> {
        self.session_call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            Element(
                e[ELEMENT]
                    .as_str()
                    .unwrap_or_else(|| panic!("not an element: {e}"))
                    .to_owned(),
            )
        })
        .collect()
    }

    /// The first element matching `css`, waiting up to 10 s for it to appear.
    async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).await.into_iter().next() {
                return e;
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!(
                    "no element {css:?} on {} ({:?})",
                    self.current_url().await,
                    self.title().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn send_keys(&self, element: &Element, text: &str) {
        self.session_call(
            reqwest::Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn click(&self, element: &Element) {
        // The site scrolls smoothly (`scroll-behavior: smooth`); chromedriver's own scroll
        // would still be under way when it clicks, so the element is brought into view first.
        self.execute(
            "arguments[0].scrollIntoView({ block: 'center', behavior: 'instant' });",
            json!([{ ELEMENT: element.0 }]),
        )
        .await;
        self.session_call(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks `element` (a submit button, a link) and waits until another document is loaded.
    async fn click_to_load(&self, element: &Element) {
        self.execute("window.__old_page = true;", json!([])).await;
        self.click(element).await;
        let started = Instant::now();
        loop {
            let ready = self
                .execute(
                    "return window.__old_page === undefined && document.readyState === 'complete';",
                    json!([]),
                )
                .await;
            if ready == json!(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no new page after the click on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, element: &Element) -> String {
        self.session_call(
            reqwest::Method::GET,
            &format!("/element/{}/text", element.0),
            None,
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }

    async fn text_of(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.text(&e).await
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page; its return value.
    async fn execute(&self, script: &str, args: Value) -> Value {
        self.session_call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// A Chrome DevTools Protocol command through chromedriver's extension endpoint.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.session_call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .await
    }

    /// A PNG of the viewport in `target/screenshots/{name}`; its path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let encoded = self
            .session_call(reqwest::Method::GET, "/screenshot", None)
            .await;
        let bytes = base64_decode(encoded.as_str().unwrap());
        assert_eq!(bytes.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "not a PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }

    async fn quit(mut self) {
        let session = std::mem::take(&mut self.session);
        if !session.is_empty() {
            self.call(
                reqwest::Method::DELETE,
                &format!("/session/{session}"),
                None,
            )
            .await;
        }
    }
}

impl Drop for Browser {
    /// After a panic the session is still open: end it (a plain HTTP/1.1 DELETE, as Drop
    /// cannot await) so Chromium exits, then stop chromedriver.
    fn drop(&mut self) {
        if !self.session.is_empty()
            && let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port))
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                stream,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.session, self.port
            );
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\r' | b'\n' => continue,
            _ => panic!("not base64: {c:#x}"),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap());
            acc &= (1 << bits) - 1;
        }
    }
    out
}

// ---- The network under test ----

fn write_config(dir: &TempDir) {
    std::fs::write(
        dir.path().join("masthead.toml"),
        format!(
            r#"
network_name = "Browser network"
listen = "127.0.0.1:0"
database_url = "sqlite://test.db"
secret = "0123456789abcdef0123456789abcdef-e2e-browser"

[mail]
from = "Browser Times <news@browser-times.example>"
outbox = "outbox"

[[sources]]
name = "Wire Service"
url = "https://wire.invalid/feed.xml"
full_text = "never"

[[sites]]
slug = "{SITE}"
name = "Browser Times"
hosts = ["browser-times.localhost"]
time_zone = "America/New_York"
sections = [{{ slug = "world", name = "World" }}, {{ slug = "business", name = "Business" }}]
"#
        ),
    )
    .unwrap();
}

/// Runs a command of the binary on `dir`'s configuration, `stdin` piped in; its stdout.
fn masthead(dir: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(bin())
        .arg("--config")
        .arg(dir.join("masthead.toml"))
        .args(args)
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_SMTP_URL")
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

fn add_admin(dir: &Path) {
    let out = masthead(
        dir,
        &[
            "user",
            "add",
            "--email",
            "admin@example.org",
            "--role",
            "admin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.contains("Created admin account"), "{out}");
}

async fn log_in(browser: &Browser, server: &Demo) {
    browser.goto(&server.url("/admin/login")).await;
    let email = browser.find("#login-email").await;
    browser.send_keys(&email, "admin@example.org").await;
    let password = browser.find("#login-password").await;
    browser.send_keys(&password, PASSWORD).await;
    browser
        .click_to_load(
            &browser
                .find("form[action='/admin/login'] button[type=submit]")
                .await,
        )
        .await;
    // Logged in: the login form is gone and the admin pages offer a way out.
    browser.find("form[action='/admin/logout']").await;
}

/// The reference (`R-…`) a thank-you page shows.
async fn reference_shown(browser: &Browser) -> String {
    let heading = browser.text_of("main h1").await;
    assert_eq!(heading, "Thank you for your news release");
    let paragraphs = browser
        .execute(
            "return [...document.querySelectorAll('main p')].map(p => p.textContent);",
            json!([]),
        )
        .await;
    paragraphs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .flat_map(str::split_whitespace)
        .find(|w| w.starts_with("R-"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no reference among {paragraphs}"))
}

// ---- The flow a person goes through ----

#[tokio::test]
async fn release_submitted_in_the_browser_is_approved_and_published() {
    if !browser_available() {
        return;
    }
    let dir = TempDir::new("browser-flow");
    write_config(&dir);
    add_admin(dir.path());
    let server = Demo::serve_with_env(dir, &[]);
    let browser = Browser::start().await;

    // The public fills in every field of the form.
    browser
        .goto(&server.url(&format!("/s/{SITE}/submit")))
        .await;
    let kind = browser.find("#release-kind option:not([value=''])").await;
    browser.click(&kind).await;
    let headline = "Harbour rowing club appoints its first woman captain";
    for (css, value) in [
        ("#release-organisation", "Harbour Rowing Club"),
        ("#release-contact_name", "Dana Whitfield"),
        ("#release-contact_email", "dana@rowing.example"),
        ("#release-contact_phone", "+1 407 555 0100"),
        ("#release-headline", headline),
        (
            "#release-body",
            "The Harbour Rowing Club has appointed Maria Okafor as its captain, the first \
             woman to hold the post in the club's ninety years.\n\nOkafor has rowed for the \
             club since 2009. Details are on [the club's site](https://rowing.example/news).",
        ),
        ("#release-dateline", "ORLANDO, Florida"),
    ] {
        let field = browser.find(css).await;
        browser.send_keys(&field, value).await;
    }
    let checked = browser
        .execute(
            "return [...document.querySelectorAll('input[name=sites]')].filter(c => c.checked).map(c => c.value);",
            json!([]),
        )
        .await;
    assert_eq!(checked, json!([SITE]), "this site is chosen already");
    let chosen_kind = browser
        .execute(
            "return document.getElementById('release-kind').value;",
            json!([]),
        )
        .await;
    assert_ne!(chosen_kind, json!(""), "a kind is chosen");
    let honeypot = browser
        .execute(
            "return document.getElementById('release-website').value;",
            json!([]),
        )
        .await;
    assert_eq!(honeypot, json!(""), "the honeypot is left empty");
    browser.screenshot("browser-submit-form.png").await;
    // A person takes longer than the form's minimum fill time.
    tokio::time::sleep(FILL_WAIT).await;
    browser
        .click_to_load(&browser.find("form.release-form button[type=submit]").await)
        .await;
    let reference = reference_shown(&browser).await;
    browser.screenshot("browser-submit-done.png").await;

    // An editor logs in and finds it in the queue.
    log_in(&browser, &server).await;
    browser.goto(&server.url("/admin/releases")).await;
    let rows = browser
        .execute(
            "return [...document.querySelectorAll('table tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()));",
            json!([]),
        )
        .await;
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == json!(reference))
        .unwrap_or_else(|| panic!("{reference} not in the queue: {rows}"));
    assert_eq!(row[1], json!(headline));
    assert_eq!(row[3], json!("Harbour Rowing Club"));
    browser.screenshot("browser-admin-queue.png").await;

    // Opens it and approves it.
    let link = browser
        .find("table tbody td a[href^='/admin/releases/']")
        .await;
    assert_eq!(browser.text(&link).await, reference);
    browser.click_to_load(&link).await;
    let title = browser.text_of("main h1, h1").await;
    assert!(title.contains(&reference), "{title}");
    browser
        .click_to_load(
            &browser
                .find("form[action$='/approve'] button[type=submit]")
                .await,
        )
        .await;
    let flash = browser.text_of("p.flash").await;
    assert!(flash.starts_with("Approved"), "{flash}");
    let fields = browser
        .execute(
            "const m = {}; for (const r of document.querySelectorAll('table.release-fields tr')) m[r.cells[0].textContent.trim()] = r.cells[1].textContent.trim(); return m;",
            json!([]),
        )
        .await;
    assert!(
        fields["Status"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("approved"),
        "{fields}"
    );
    let story: i64 = fields["Story"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no story id in {fields}"));
    browser.screenshot("browser-admin-approved.png").await;

    // The story is on the site, labelled "News release".
    browser
        .goto(&server.url(&format!("/s/{SITE}/story/{story}")))
        .await;
    assert_eq!(browser.text_of("article.story h1").await, headline);
    assert_eq!(
        browser.text_of("article.story .story-header .source").await,
        "News release"
    );
    let link = browser
        .execute(
            "const a = document.querySelector('.story-body a'); return a && [a.textContent, a.getAttribute('href')];",
            json!([]),
        )
        .await;
    assert_eq!(
        link,
        json!(["the club's site", "https://rowing.example/news"]),
        "the body's link"
    );
    let body = browser.text_of(".story-body").await;
    assert!(body.contains("Maria Okafor"), "{body}");
    browser.screenshot("browser-story.png").await;

    // And on the home page, with the same label.
    browser.goto(&server.url(&format!("/s/{SITE}/"))).await;
    let labelled = browser
        .execute(
            "return [...document.querySelectorAll('main a[href*=\"/story/\"]')].some(a => a.textContent.includes(arguments[0]));",
            json!([headline]),
        )
        .await;
    assert_eq!(labelled, json!(true), "the home page lists the story");
    browser.quit().await;
}

// ---- XSS ----

/// Payloads from the OWASP XSS Filter Evasion Cheat Sheet and PortSwigger's XSS cheat sheet,
/// `$N` standing for the payload's number. Each one's script, if it ran, sets
/// `window.__xss = N` (from a frame, its parent's).
const PAYLOADS: &[&str] = &[
    "<script>window.__xss=$N</script>",
    "<SCRIPT>window.__xss=$N</SCRIPT>",
    "<script src=\"data:text/javascript,window.__xss=$N\"></script>",
    "<img src=x onerror=window.__xss=$N>",
    "<IMG SRC=x ONERROR=\"window.__xss=$N\">",
    "<img src=x onerror=\"&#119;indow.__xss=$N\">",
    "<img src=x onerror=\"\\u0077\\u0069ndow.__xss=$N\">",
    "<img/src/onerror=window.__xss=$N>",
    "<img src=`x`onerror=window.__xss=$N>",
    "<img src=x onerror=window['__xss']=$N>",
    "<svg onload=window.__xss=$N>",
    "<svg/onload=window.__xss=$N>",
    "<svg><script>window.__xss=$N</script></svg>",
    "<svg><animate onbegin=window.__xss=$N attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:window.__xss=$N\"><text x=20 y=20>svg link</text></a></svg>",
    "<body onload=window.__xss=$N>",
    "<body onpageshow=window.__xss=$N>",
    "<iframe srcdoc=\"<script>parent.__xss=$N</script>\"></iframe>",
    "<iframe src=\"javascript:parent.__xss=$N\"></iframe>",
    "<iframe src=javascript&colon;parent.__xss=$N></iframe>",
    "<a href=\"javascript:window.__xss=$N\">plain javascript link</a>",
    "<a href=\"JaVaScRiPt:window.__xss=$N\">mixed case link</a>",
    "<a href=\"jav&#x09;ascript:window.__xss=$N\">tab entity link</a>",
    "<a href=\"jav&#x0A;ascript:window.__xss=$N\">newline entity link</a>",
    "<a href=\"jav\tascript:window.__xss=$N\">raw tab link</a>",
    "<a href=\" &#14;  javascript:window.__xss=$N\">leading junk link</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss=$N\">decimal entity link</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;window.__xss=$N\">hex entity link</a>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058window.__xss=$N\">padded entity link</a>",
    "<a href=\"javascript&colon;window.__xss=$N\">named colon link</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTwvc2NyaXB0Pg==\">data link $N</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=$N>",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__xss=$N>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=window.__xss=$N>",
    "<svg></p><style><a id=\"</style><img src=x onerror=window.__xss=$N>\">",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img src=x onerror=window.__xss=$N>\"></path></textarea></mtext></svg></mglyph></mi></math>",
    "<details open ontoggle=window.__xss=$N>",
    "<object data=\"javascript:window.__xss=$N\"></object>",
    "<object data=\"data:text/html,<script>parent.__xss=$N</script>\"></object>",
    "<embed src=\"javascript:window.__xss=$N\">",
    "<base href=\"javascript:window.__xss=$N//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__xss=$N\">",
    "<div style=\"width: expression(window.__xss=$N)\">css expression</div>",
    "<DIV STYLE=\"background-image: url(javascript:window.__xss=$N)\">css url</DIV>",
    "<style>@import 'javascript:window.__xss=$N';</style>",
    "<style>body{background:url(\"javascript:window.__xss=$N\")}</style>",
    "<style onload=window.__xss=$N></style>",
    "<link rel=stylesheet href=\"javascript:window.__xss=$N\">",
    "<scr<script>ipt>window.__xss=$N</scr</script>ipt>",
    "<<script>window.__xss=$N//<</script>",
    "<IMG \"\"\"><SCRIPT>window.__xss=$N</SCRIPT>\">",
    "\"><script>window.__xss=$N</script>",
    "'><img src=x onerror=window.__xss=$N>",
    "</script><script>window.__xss=$N</script>",
    "</title><script>window.__xss=$N</script>",
    "</textarea><script>window.__xss=$N</script>",
    "<!--<img src=\"--><img src=x onerror=window.__xss=$N//\">",
    "]]><script>window.__xss=$N</script><![CDATA[",
    "<input autofocus onfocus=window.__xss=$N>",
    "<select autofocus onfocus=window.__xss=$N></select>",
    "<xss autofocus tabindex=1 onfocus=window.__xss=$N></xss>",
    "<video><source onerror=window.__xss=$N></video>",
    "<audio src=x onerror=window.__xss=$N></audio>",
    "<marquee onstart=window.__xss=$N>marquee</marquee>",
    "<IMG SRC=\"jav&#x0D;ascript:window.__xss=$N\">",
    "<IMG SRC=javascript:window.__xss=$N>",
    "<TABLE BACKGROUND=\"javascript:window.__xss=$N\"><tr><td>table</td></tr></TABLE>",
    "<form action=\"javascript:window.__xss=$N\"><button>form</button></form>",
    "<button formaction=\"javascript:window.__xss=$N\">formaction</button>",
    "<img src=x onerror=eval(atob('d2luZG93Ll9feHNzPTE='))>",
    "<x onmouseover=window.__xss=$N>custom element handler</x>",
    "%3Cscript%3Ewindow.__xss=$N%3C/script%3E",
    "&lt;script&gt;window.__xss=$N&lt;/script&gt;",
];

fn payloads() -> Vec<String> {
    PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| p.replace("$N", &(i + 1).to_string()))
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A word per story so the stories differ (and are not taken for one another's copies).
const WORDS: &[&str] = &[
    "ferry",
    "library",
    "stadium",
    "orchard",
    "bridge",
    "council",
    "harbour",
    "museum",
    "market",
    "school",
    "railway",
    "theatre",
    "hospital",
    "airport",
    "garden",
    "festival",
    "reservoir",
    "lighthouse",
    "bakery",
    "cinema",
    "tramway",
    "observatory",
    "vineyard",
    "quarry",
];

fn filler(k: usize) -> String {
    let w = |j: usize| WORDS[(k * 7 + j * 5) % WORDS.len()];
    format!(
        "Story {k} on the {} and the {}: the {} committee met on day {k} to discuss the {} \
         near the {}, and agreed to report back about the {} in {} weeks.",
        w(0),
        w(1),
        w(2),
        w(3),
        w(4),
        w(5),
        k % 9 + 2
    )
}

/// One item a payload: the title, the description and content:encoded each carry it.
fn xss_feed(payloads: &[String]) -> String {
    let now = jiff::Timestamp::now();
    let mut items = String::new();
    for (i, p) in payloads.iter().enumerate() {
        let k = i + 1;
        let date = (now - jiff::SignedDuration::from_mins(i64::try_from(k).unwrap()))
            .strftime("%a, %d %b %Y %H:%M:%S +0000");
        let content = format!("<p>{}</p>{p}<p>Wire note {k}: {p}</p>", filler(k));
        items.push_str(&format!(
            "<item><title>{}</title><link>https://wire.example/2025/story-{k}</link>\
             <guid isPermaLink=\"false\">wire-xss-{k}</guid><pubDate>{date}</pubDate>\
             <category>World</category><description>{}</description>\
             <content:encoded>{}</content:encoded></item>\n",
            xml_escape(&format!("Wire story {k} {} {p}", WORDS[k % WORDS.len()])),
            xml_escape(&format!("{p} {}", filler(k))),
            xml_escape(&content),
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <title>Wire Service</title><link>https://wire.example/</link>\
         <description>Hostile wire.</description>\n{items}</channel></rss>\n"
    )
}

/// What a page shows that script could use: handlers, script URLs, frames, plugins, a
/// `<base>`, refreshes, foreign scripts and styles. Run on every HTML page after the check.
const DOM_AUDIT: &str = r#"
const bad = [];
const urlAttrs = ['href','src','action','formaction','data','xlink:href','background','poster','lowsrc','dynsrc','codebase','srcset'];
for (const el of document.querySelectorAll('*')) {
  const tag = el.localName;
  if (tag === 'script' && el.type !== 'application/ld+json') bad.push('script element: ' + el.outerHTML.slice(0, 100));
  if (['iframe','frame','frameset','object','embed','applet','base','style','bgsound'].includes(tag)) bad.push(tag + ' element: ' + el.outerHTML.slice(0, 100));
  if (tag === 'meta' && el.hasAttribute('http-equiv')) bad.push('meta http-equiv: ' + el.outerHTML.slice(0, 100));
  for (const a of el.attributes) {
    const n = a.name.toLowerCase();
    const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
    if (n.startsWith('on')) bad.push('handler ' + n + ' on ' + tag + ': ' + a.value.slice(0, 80));
    if (n === 'srcdoc') bad.push('srcdoc on ' + tag);
    if (urlAttrs.includes(n) && (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html') || v.includes('javascript:')))
      bad.push(n + ' on ' + tag + ': ' + a.value.slice(0, 80));
    if (n === 'style' && /expression|javascript:|url\(/.test(v)) bad.push('style on ' + tag + ': ' + a.value.slice(0, 80));
  }
}
return bad;
"#;

/// A page checked: no payload's script ran (CSP bypassed, so the markup alone decides).
#[derive(Debug)]
struct Visit {
    what: String,
    url: String,
}

/// The findings on one page: a script that ran, a navigation away, or dangerous markup.
/// Also whether the page shows a payload's text (escaped, as words on the page).
async fn check_page(browser: &Browser, visit: &Visit, html: bool) -> (Vec<String>, bool) {
    browser.goto(&visit.url).await;
    // Handlers that fire after load (ontoggle, onbegin, focus) get their moment.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut findings = Vec::new();
    let state = browser
        .execute(
            "return [typeof window.__xss, String(window.__xss), location.href, document.title, (document.body || document.documentElement).textContent.includes('__xss')];",
            json!([]),
        )
        .await;
    if state[0] != json!("undefined") {
        findings.push(format!(
            "{} ({}): script ran, window.__xss = {} (payload {})",
            visit.what,
            visit.url,
            state[1],
            state[1].as_str().unwrap_or("?")
        ));
    }
    // Still on the server (no refresh, <base> or script URL took it elsewhere).
    let at = state[2].as_str().unwrap_or_default();
    let origin = visit.url.split('/').take(3).collect::<Vec<_>>().join("/");
    if !at.starts_with(&format!("{origin}/")) {
        findings.push(format!(
            "{} ({}): the page went to {at}",
            visit.what, visit.url
        ));
    }
    if html {
        // The control: an inline script runs on this page, so a payload's would have too.
        let probe = browser
            .execute(
                "const s = document.createElement('script'); s.textContent = 'window.__probe = 1'; document.head.appendChild(s); s.remove(); const ran = window.__probe === 1; delete window.__probe; return ran;",
                json!([]),
            )
            .await;
        assert_eq!(
            probe,
            json!(true),
            "{}: CSP is not bypassed, the check would prove nothing",
            visit.what
        );
        let audit = browser.execute(DOM_AUDIT, json!([])).await;
        for item in audit.as_array().unwrap() {
            findings.push(format!(
                "{} ({}): {}",
                visit.what,
                visit.url,
                item.as_str().unwrap_or_default()
            ));
        }
    }
    (findings, state[4] == json!(true))
}

#[tokio::test]
async fn xss_payloads_from_feeds_and_releases_never_run() {
    if !browser_available() {
        return;
    }
    let payloads = payloads();
    assert!(payloads.len() >= 50, "{} payloads", payloads.len());
    let dir = TempDir::new("browser-xss");
    write_config(&dir);
    let feed = dir.path().join("hostile.xml");
    std::fs::write(&feed, xss_feed(&payloads)).unwrap();
    let out = masthead(
        dir.path(),
        &[
            "ingest",
            "--source",
            "Wire Service",
            "--file",
            feed.to_str().unwrap(),
        ],
        "",
    );
    eprintln!("ingest: {}", out.trim());
    add_admin(dir.path());
    let server = Demo::serve_with_env(dir, &[]);
    let browser = Browser::start().await;

    // The CSP as served blocks inline script: a probe injected into the page does not run.
    browser.goto(&server.url(&format!("/s/{SITE}/"))).await;
    let blocked = browser
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.__probe = 1'; document.head.appendChild(s); return window.__probe === undefined;",
            json!([]),
        )
        .await;
    assert_eq!(blocked, json!(true), "the site's CSP blocks inline script");
    // From here on the CSP is bypassed: the escaping and the sanitizer alone must hold.
    browser
        .cdp("Page.setBypassCSP", json!({ "enabled": true }))
        .await;
    // The detector works: the same kind of payload on a page that does not escape it runs.
    browser
        .goto("data:text/html,<p>control</p><img src=x onerror=window.__xss=1>")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        browser.execute("return window.__xss;", json!([])).await,
        json!(1),
        "the control payload runs on an unescaped page"
    );
    let audit = browser.execute(DOM_AUDIT, json!([])).await;
    assert!(
        audit.to_string().contains("handler onerror on img"),
        "the markup audit sees the control's handler: {audit}"
    );

    // The release form: five releases (the per-address burst), the payloads spread over
    // their headline, organisation, contact, dateline, event place and body.
    const RELEASES: usize = 5;
    let mut headlines = Vec::new();
    for (r, word) in WORDS.iter().enumerate().take(RELEASES) {
        let mine: Vec<&String> = payloads.iter().skip(r).step_by(RELEASES).collect();
        let pick = |j: usize| {
            mine.get(j % mine.len())
                .map_or("", |s| s.as_str())
                .to_owned()
        };
        let one_line = |j: usize, max: usize| -> String {
            let mut s = pick(j).replace(['\t', '\n'], " ");
            while s.chars().count() > max {
                s.pop();
            }
            s
        };
        let headline = {
            let mut h = format!("Release {} {} ", r + 1, word);
            h.push_str(&one_line(0, 180));
            h
        };
        let mut body = format!("{}\n\n", filler(100 + r));
        for (j, p) in mine.iter().enumerate() {
            body.push_str(&format!("Paragraph {j} of release {}.\n\n{p}\n\n", r + 1));
        }
        body.push_str(&format!("**{}** and *{}*.", pick(1), pick(2)));
        browser
            .goto(&server.url(&format!("/s/{SITE}/submit")))
            .await;
        browser.find("form.release-form").await;
        let fields = json!({
            "organisation": one_line(1, 200),
            "contact_name": one_line(2, 200),
            "contact_email": format!("xss{r}@example.org"),
            "headline": headline,
            "body": body,
            "dateline": one_line(3, 80),
            "event_place": one_line(4, 200),
        });
        browser
            .execute(
                "const form = document.querySelector('form.release-form'); \
                 const kind = form.querySelector('#release-kind'); kind.value = kind.options[1].value; \
                 for (const [name, value] of Object.entries(arguments[0])) form.elements[name].value = value;",
                json!([fields]),
            )
            .await;
        tokio::time::sleep(FILL_WAIT).await;
        browser
            .click_to_load(&browser.find("form.release-form button[type=submit]").await)
            .await;
        let heading = browser.text_of("main h1").await;
        if heading != "Thank you for your news release" {
            let problems = browser
                .execute(
                    "return [...document.querySelectorAll('.form-notice, .field-error')].map(e => e.textContent);",
                    json!([]),
                )
                .await;
            panic!("release {} refused: {heading}: {problems}", r + 1);
        }
        headlines.push(headline);
    }

    // Approved from the command line, as an editor could.
    let list = masthead(
        server.data.path(),
        &["releases", "list", "--status", "submitted", "--json"],
        "",
    );
    let ids: Vec<i64> = list
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), RELEASES, "{list}");
    let mut release_stories = Vec::new();
    for id in &ids {
        let out = masthead(
            server.data.path(),
            &["releases", "approve", &id.to_string()],
            "",
        );
        let story = out
            .split_whitespace()
            .skip_while(|w| *w != "story")
            .nth(1)
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or_else(|| panic!("no story in {out:?}"));
        release_stories.push(story);
    }

    // Every page the payloads reach.
    let mut visits = Vec::new();
    let stories = server_stories(&server);
    let feed_stories = stories
        .iter()
        .filter(|s| s["source"] == json!("Wire Service"))
        .count();
    assert_eq!(
        feed_stories,
        payloads.len(),
        "every feed item is a story on the site"
    );
    for s in &stories {
        let page = s["pages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .find(|p| p.contains(&format!("/s/{SITE}/")))
            .unwrap_or_else(|| panic!("story {} has no page on {SITE}", s["id"]));
        let path = page.get(page.find("/s/").unwrap()..).unwrap();
        visits.push(Visit {
            what: format!("story {} ({})", s["id"], s["source"]),
            url: server.url(path),
        });
    }
    for story in &release_stories {
        assert!(
            stories.iter().any(|s| s["id"] == json!(story)),
            "release story {story} is on the site"
        );
    }
    for (what, path) in [
        ("home page", format!("/s/{SITE}/")),
        ("home page, page 2", format!("/s/{SITE}/?page=2")),
        ("section page", format!("/s/{SITE}/section/world")),
        ("section page 2", format!("/s/{SITE}/section/world?page=2")),
        ("business section", format!("/s/{SITE}/section/business")),
        ("search: onerror", format!("/s/{SITE}/search?q=onerror")),
        ("search: script", format!("/s/{SITE}/search?q=script")),
        ("search: release", format!("/s/{SITE}/search?q=release")),
        (
            "search: reflected script",
            format!("/s/{SITE}/search?q=%3Cscript%3Ewindow.__xss%3D900%3C%2Fscript%3E"),
        ),
        (
            "search: reflected attribute",
            format!("/s/{SITE}/search?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D901%3E"),
        ),
        ("network home", "/".to_owned()),
    ] {
        visits.push(Visit {
            what: what.to_owned(),
            url: server.url(&path),
        });
    }
    let xml_visits = [
        ("RSS feed", format!("/s/{SITE}/feed.xml")),
        ("Atom feed", format!("/s/{SITE}/atom.xml")),
        (
            "section RSS feed",
            format!("/s/{SITE}/section/world/feed.xml"),
        ),
    ]
    .map(|(what, path)| Visit {
        what: what.to_owned(),
        url: server.url(&path),
    });

    let mut findings = Vec::new();
    let mut showing = Vec::new();
    for visit in &visits {
        let (found, shows) = check_page(&browser, visit, true).await;
        findings.extend(found);
        if shows {
            showing.push(visit.url.clone());
        }
    }
    for story in &release_stories {
        assert!(
            showing
                .iter()
                .any(|u| u.contains(&format!("/story/{story}/"))),
            "release story {story} shows its payloads as text"
        );
    }
    for visit in &xml_visits {
        let (found, shows) = check_page(&browser, visit, false).await;
        findings.extend(found);
        if shows {
            showing.push(visit.url.clone());
        }
        // The feed as text: its items are there, escaped, and nothing of theirs is an
        // element of the document.
        let elements = browser
            .execute(
                "return [...document.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', '*')].map(e => e.localName).filter(n => ['script','img','svg','iframe','object','embed','style'].includes(n));",
                json!([]),
            )
            .await;
        if elements != json!([]) {
            findings.push(format!(
                "{}: HTML elements in the feed: {elements}",
                visit.what
            ));
        }
        let source = browser.source().await;
        assert!(
            source.contains("Wire story"),
            "{}: the items are listed",
            visit.what
        );
    }

    // The admin's pages of the same text.
    log_in(&browser, &server).await;
    let mut admin = vec![
        Visit {
            what: "admin queue (approved)".to_owned(),
            url: server.url("/admin/releases?status=approved"),
        },
        Visit {
            what: "admin stories".to_owned(),
            url: server.url("/admin/stories"),
        },
    ];
    for id in &ids {
        admin.push(Visit {
            what: format!("admin release {id}"),
            url: server.url(&format!("/admin/releases/{id}")),
        });
    }
    for story in release_stories.iter().chain(
        stories
            .iter()
            .filter(|s| s["source"] == json!("Wire Service"))
            .filter_map(|s| s["id"].as_i64())
            .collect::<Vec<_>>()
            .iter()
            .take(5),
    ) {
        admin.push(Visit {
            what: format!("admin story {story}"),
            url: server.url(&format!("/admin/stories/{story}")),
        });
    }
    for visit in &admin {
        let (found, shows) = check_page(&browser, visit, true).await;
        findings.extend(found);
        if shows {
            showing.push(visit.url.clone());
        }
    }
    let pages = visits.len() + xml_visits.len() + admin.len();
    browser
        .goto(&server.url(&format!("/s/{SITE}/story/{}", release_stories[0])))
        .await;
    browser.screenshot("browser-xss-release-story.png").await;
    // The feed story of the mXSS payload (number 32).
    let mxss = stories
        .iter()
        .find(|s| {
            s["headline"]
                .as_str()
                .is_some_and(|t| t.contains("Wire story 32 "))
        })
        .and_then(|s| {
            visits
                .iter()
                .find(|v| v.what.starts_with(&format!("story {} ", s["id"])))
        })
        .unwrap_or_else(|| panic!("no page of wire story 32"));
    browser.goto(&mxss.url).await;
    browser.screenshot("browser-xss-feed-story.png").await;
    browser.quit().await;

    eprintln!(
        "XSS: {} payloads (through the feed's title, description and content:encoded, and \
         the release form's headline, organisation, contact, dateline, event place and body) \
         checked on {pages} pages with the CSP bypassed ({} of them show payload text, \
         escaped): {} findings",
        payloads.len(),
        showing.len(),
        findings.len()
    );
    assert!(
        findings.is_empty(),
        "XSS findings:\n{}",
        findings.join("\n")
    );
}

fn server_stories(server: &Demo) -> Vec<Value> {
    masthead(
        server.data.path(),
        &[
            "stories", "list", "--site", SITE, "--limit", "1000", "--json",
        ],
        "",
    )
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}
