//! One story once: two sources carrying the same story show it once on every page, list and
//! feed; updates keep the first publication time and a revision; a kill is final.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::{Demo, TempDir, bin, get};

fn config(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.path().join("masthead.toml");
    std::fs::write(
        &path,
        r#"
network_name = "Test network"
listen = "127.0.0.1:0"
database_url = "sqlite://test.db"

[[sources]]
name = "Alpha Wire"
url = "https://alpha.example/feed.xml"
full_text = "never"

[[sources]]
name = "Beta Wire"
url = "https://beta.example/feed.xml"
full_text = "never"

[[sites]]
slug = "test-times"
name = "Test Times"
hosts = ["test-times.localhost"]
time_zone = "America/New_York"
sections = [{ slug = "world", name = "World" }]
"#,
    )
    .unwrap();
    path
}

fn masthead(config: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .arg("--config")
        .arg(config)
        .args(args)
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

fn fixture(name: &str) -> String {
    format!("{}/tests/e2e/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn stories(config: &std::path::Path) -> Vec<Value> {
    masthead(config, &["stories", "list", "--limit", "100", "--json"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn the_same_story_from_two_sources_shows_once_and_a_kill_is_final() {
    let dir = TempDir::new("once");
    let cfg = config(&dir);
    masthead(
        &cfg,
        &[
            "ingest",
            "--source",
            "Alpha Wire",
            "--file",
            &fixture("wire-a.xml"),
        ],
    );
    masthead(
        &cfg,
        &[
            "ingest",
            "--source",
            "Beta Wire",
            "--file",
            &fixture("wire-b.xml"),
        ],
    );
    let all = stories(&cfg);
    assert_eq!(all.len(), 4);
    let alpha = all.iter().find(|s| s["guid"] == "alpha-ferry").unwrap();
    let beta = all.iter().find(|s| s["guid"] == "beta-ferry").unwrap();
    assert_eq!(
        alpha["cluster"], beta["cluster"],
        "the re-post joins the original's cluster"
    );
    let library = all.iter().find(|s| s["guid"] == "alpha-library").unwrap();
    assert_ne!(
        library["cluster"], alpha["cluster"],
        "a different story stays apart"
    );

    let server = Demo::serve(dir);
    let cfg = server.config();
    let count = |body: &str, needle: &str| body.matches(needle).count();
    let (status, section) = get(&server.url("/s/test-times/section/world")).await;
    assert_eq!(status, 200);
    assert_eq!(
        count(&section, "River ferry service resumes"),
        1,
        "{section}"
    );
    let (_, feed) = get(&server.url("/s/test-times/feed.xml")).await;
    assert_eq!(count(&feed, "<title>River ferry service resumes"), 1);
    // The teaser list of another story lists the ferry story once.
    let library_path = library["pages"][0].as_str().unwrap();
    let library_path = &library_path[library_path.find("/s/").unwrap()..];
    let (_, page) = get(&server.url(library_path)).await;
    let doc = Html::parse_document(&page);
    let teasers: Vec<String> = doc
        .select(&Selector::parse(".more-information li a").unwrap())
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(
        teasers.iter().filter(|t| t.contains("river ferry")).count(),
        1,
        "{teasers:?}"
    );

    // A kill: the page answers 410, lists and feeds drop it, a re-ingest does not revive it.
    let alpha_id = alpha["id"].as_i64().unwrap().to_string();
    masthead(&cfg, &["stories", "kill", &alpha_id, "--reason", "legal"]);
    masthead(
        &cfg,
        &[
            "stories",
            "kill",
            &beta["id"].as_i64().unwrap().to_string(),
            "--reason",
            "legal",
        ],
    );
    let alpha_path = alpha["pages"][0].as_str().unwrap();
    let alpha_path = &alpha_path[alpha_path.find("/s/").unwrap()..];
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await; // the page cache's lifetime
    let (status, _) = get(&server.url(alpha_path)).await;
    assert_eq!(status, 410);
    let (_, feed) = get(&server.url("/s/test-times/feed.xml")).await;
    assert_eq!(count(&feed, "River ferry"), 0);
    masthead(
        &cfg,
        &[
            "ingest",
            "--source",
            "Alpha Wire",
            "--file",
            &fixture("wire-a.xml"),
        ],
    );
    let after = stories(&cfg);
    assert!(
        after.iter().all(|s| s["guid"] != "alpha-ferry"),
        "a killed story stays down"
    );
    let shown = masthead(&cfg, &["stories", "show", &alpha_id, "--json"]);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["killed"]["reason"], "legal");
}

#[test]
fn an_update_keeps_the_first_publication_time_and_a_revision() {
    let dir = TempDir::new("update");
    let cfg = config(&dir);
    masthead(
        &cfg,
        &[
            "ingest",
            "--source",
            "Alpha Wire",
            "--file",
            &fixture("wire-a.xml"),
        ],
    );
    let edited = std::fs::read_to_string(fixture("wire-a.xml"))
        .unwrap()
        .replace(
            "Fares are unchanged at four dollars a car.",
            "Fares rise to five dollars a car.",
        )
        .replace(
            "<pubDate>Sat, 12 Apr 2025 08:00:00 -0400</pubDate>",
            "<pubDate>Sat, 12 Apr 2025 11:00:00 -0400</pubDate>",
        );
    let edited_path = dir.path().join("edited.xml");
    std::fs::write(&edited_path, edited).unwrap();
    let out = masthead(
        &cfg,
        &[
            "ingest",
            "--source",
            "Alpha Wire",
            "--file",
            edited_path.to_str().unwrap(),
        ],
    );
    assert!(out.contains("0 new, 1 updated, 2 unchanged"), "{out}");
    let ferry = stories(&cfg)
        .into_iter()
        .find(|s| s["guid"] == "alpha-ferry")
        .unwrap();
    assert_eq!(
        ferry["published"], "2025-04-12T08:00:00-04:00",
        "first publication time kept"
    );
    assert_eq!(ferry["updated"], "2025-04-12T11:00:00-04:00");
    assert!(ferry["text"].as_str().unwrap().contains("five dollars"));
    let id = ferry["id"].as_i64().unwrap().to_string();
    let revisions = masthead(&cfg, &["stories", "revisions", &id, "--json"]);
    let revisions: Vec<Value> = revisions
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(revisions.len(), 1);
    assert!(
        revisions[0]["text"]
            .as_str()
            .unwrap()
            .contains("four dollars")
    );
}
