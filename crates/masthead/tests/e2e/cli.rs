//! The command line as operators and scripts use it.

use std::process::Command;

use serde_json::Value;

use crate::support::{TempDir, bin};

fn run(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_LISTEN")
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    format!("{}/tests/e2e/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A network with one site and the test wire as its source.
fn network(dir: &TempDir) -> String {
    let config = dir.path().join("masthead.toml");
    std::fs::write(
        &config,
        r#"
network_name = "Test network"
listen = "127.0.0.1:0"
database_url = "sqlite://test.db"

[[sources]]
name = "Test Wire"
url = "https://testwire.example/feed.xml"
section = "world"
full_text = "never"

[[sites]]
slug = "test-times"
name = "Test Times"
hosts = ["test-times.localhost"]
time_zone = "Australia/Sydney"
sections = [
    { slug = "world", name = "World" },
    { slug = "business", name = "Business" },
    { slug = "sports", name = "Sports" },
]
"#,
    )
    .unwrap();
    config.display().to_string()
}

#[test]
fn help_reads_well_and_bad_usage_exits_2() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in [
        "demo", "init", "serve", "migrate", "ingest", "sources", "stories",
    ] {
        assert!(help.contains(command), "--help lists {command}");
    }
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn init_writes_a_config_that_migrate_accepts() {
    let dir = TempDir::new("init");
    let data = dir.path().display().to_string();
    let out = run(&["init", "--data", &data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = format!("{data}/masthead.toml");
    let out = run(&["--config", &config, "migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("masthead.db").exists());
    // Refuses to overwrite without --force.
    assert_eq!(run(&["init", "--data", &data]).status.code(), Some(1));
}

#[test]
fn invalid_configuration_is_refused_naming_the_key() {
    let dir = TempDir::new("badcfg");
    let config = dir.path().join("masthead.toml");
    std::fs::write(&config, "listen = \"not an address\"\n").unwrap();
    let out = run(&["migrate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("listen"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn ingesting_the_same_file_twice_adds_nothing() {
    let dir = TempDir::new("ingest");
    let config = network(&dir);
    let file = fixture("wire.xml");
    let first = run(&[
        "--config",
        &config,
        "ingest",
        "--source",
        "Test Wire",
        "--file",
        &file,
    ]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first = String::from_utf8(first.stdout).unwrap();
    assert!(first.contains("3 entries, 3 new"), "{first}");
    let second = run(&[
        "ingest",
        "--source",
        "Test Wire",
        "--file",
        &file,
        "--config",
        &config,
    ]);
    assert!(second.status.success());
    let second = String::from_utf8(second.stdout).unwrap();
    assert!(second.contains("0 new, 0 updated, 3 unchanged"), "{second}");

    let out = run(&["--config", &config, "stories", "list", "--json"]);
    let stories: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(stories.len(), 3);
    let ferry = stories
        .iter()
        .find(|s| s["guid"] == "testwire-0001")
        .unwrap();
    // The source's own offset is kept, and the typographic quotes are exact.
    assert_eq!(ferry["published"], "2025-04-12T04:01:00+10:00");
    assert_eq!(
        ferry["headline"],
        "Ferry operator’s new timetable draws “mixed” reviews"
    );
    assert_eq!(ferry["dateline"], "SYDNEY, Australia");
    assert_eq!(ferry["sites"], serde_json::json!(["test-times"]));
    assert!(
        ferry["text"]
            .as_str()
            .unwrap()
            .contains("\n\nWhat changes\n\n")
    );
    assert_eq!(
        ferry["url"],
        "https://testwire.example/2025/ferry-timetable"
    );
    let footbridge = stories
        .iter()
        .find(|s| s["guid"] == "testwire-0002")
        .unwrap();
    assert_eq!(footbridge["published"], "2025-04-11T09:30:00-04:00");
}

#[test]
fn ingest_reports_a_document_that_is_not_a_feed_and_stores_nothing() {
    let dir = TempDir::new("notfeed");
    let config = network(&dir);
    let page = dir.path().join("page.html");
    std::fs::write(&page, "<html><body><p>not a feed</p></body></html>").unwrap();
    let out = run(&[
        "--config",
        &config,
        "ingest",
        "--source",
        "Test Wire",
        "--file",
        page.to_str().unwrap(),
    ]);
    // The pass ran, so the exit status is 0; the summary says the source failed and why.
    assert_eq!(out.status.code(), Some(0));
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(summary.contains("Test Wire: failed:"), "{summary}");
    let out = run(&["--config", &config, "stories", "list", "--json"]);
    assert!(out.stdout.is_empty());
    // A file that cannot be read is bad usage of the command, not a source failure.
    let out = run(&[
        "--config",
        &config,
        "ingest",
        "--source",
        "Test Wire",
        "--file",
        "/nonexistent/feed.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
}
