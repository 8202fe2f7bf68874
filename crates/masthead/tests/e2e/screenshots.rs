//! Headless Chromium renders an article page at phone (390 px) and desktop (1280 px) widths.
//! The PNGs land in `target/screenshots/` for people to look at; the test checks that the
//! browser rendered the page at the asked width.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{Demo, TempDir};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn article_page_renders_at_phone_and_desktop_widths() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must have chromium installed (.ci/run installs Debian's chromium)"
        );
        eprintln!("NOTE: chromium not found; screenshots not taken (apt-get install chromium)");
        return;
    };
    let demo = Demo::start();
    let stories = demo.stories("orlando-echo");
    // A story with a lead image and a subhead shows every element of the page.
    let story = stories
        .iter()
        .filter(|s| s["content_html"].as_str().unwrap_or("").contains("<h2"))
        .find_map(|s| {
            let id = s["id"].as_i64().unwrap().to_string();
            let out = demo.cli(&["stories", "show", &id, "--json"]);
            let full: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            full["image"].is_object().then_some(full)
        })
        .expect("a demo story with a lead image and a subhead");
    let page = story["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .find(|p| p.contains("/s/orlando-echo/"))
        .unwrap()
        .to_owned();

    let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();
    let home = demo.url("/s/orlando-echo/");
    for (url, width, height, name) in [
        (&page, 390, 2400, "article-phone.png"),
        (&page, 1280, 1800, "article-desktop.png"),
        (&home, 390, 2400, "home-phone.png"),
        (&home, 1280, 1800, "home-desktop.png"),
    ] {
        let profile = TempDir::new("chromium");
        let path = out_dir.join(name);
        let _ = std::fs::remove_file(&path);
        let status = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--screenshot={}", path.display()))
            .arg(url)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(png_size(&bytes), (width, height), "{name}");
        eprintln!("screenshot: {}", path.display());
    }
}
