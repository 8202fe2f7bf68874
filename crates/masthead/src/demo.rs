//! The bundled demo network: its configuration and its sources' feed documents and photos.
//!
//! The stories are invented. They reach the store through the same ingest path as any
//! source's feed; only their dates are shifted so the newest is minutes old at start.

use std::net::SocketAddr;

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// A bundled source: its name and the feed file (under `demo/`) it publishes.
pub struct DemoSource {
    pub name: &'static str,
    pub file: &'static str,
    pub section: &'static str,
}

pub const SOURCES: &[DemoSource] = &[
    DemoSource {
        name: "Harbor Wire",
        file: "feeds/harbor-wire.xml",
        section: "world",
    },
    DemoSource {
        name: "Meridian Press",
        file: "feeds/meridian-press.xml",
        section: "world",
    },
    DemoSource {
        name: "Sunline News",
        file: "feeds/sunline-news.json",
        section: "world",
    },
];

/// The bytes of a bundled file.
pub fn file(path: &str) -> Option<&'static [u8]> {
    DEMO_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, bytes)| *bytes)
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("xml") => "application/xml; charset=utf-8",
        Some("json") => "application/feed+json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// The demo's masthead.toml, for a server reachable at `addr`.
pub fn config_toml(addr: SocketAddr) -> String {
    let base = format!("http://{addr}");
    let mut out = format!(
        r#"# The masthead demo network, written by `masthead demo`. Every other command works on it:
#   masthead --config THIS_FILE stories list
# It is rewritten each time the demo starts.

network_name = "Masthead Demo Network"
listen = "{addr}"
base_url = "{base}"
database_url = "sqlite://masthead.db"

[fetch]
# Only the demo's own bundled sources, never a whole range.
allow = ["{addr}"]
"#
    );
    for source in SOURCES {
        out.push_str(&format!(
            r#"
[[sources]]
name = "{name}"
url = "{base}/demo/{file}"
section = "{section}"
full_text = "never"
interval = "15m"
"#,
            name = source.name,
            file = source.file,
            section = source.section,
        ));
    }
    out.push_str(&format!(
        r#"
[[sites]]
slug = "orlando-echo"
name = "Orlando Echo"
hosts = ["orlando-echo.localhost"]
time_zone = "America/New_York"
tagline = "Central Florida’s window on the world"
sections = [
    {{ slug = "world", name = "World" }},
    {{ slug = "business", name = "Business" }},
    {{ slug = "sports", name = "Sports" }},
    {{ slug = "science", name = "Science" }},
]

[[sites]]
slug = "harbourside-times"
name = "Harbourside Times"
hosts = ["harbourside-times.localhost"]
time_zone = "Australia/Sydney"
tagline = "News for Sydney’s harbour suburbs"
sources = ["Harbor Wire", "Meridian Press"]
sections = [
    {{ slug = "world", name = "World" }},
    {{ slug = "business", name = "Business" }},
    {{ slug = "sports", name = "Sport" }},
    {{ slug = "science", name = "Science" }},
]

[[sites]]
slug = "deccan-courier"
name = "Deccan Courier"
hosts = ["deccan-courier.localhost"]
time_zone = "Asia/Kolkata"
tagline = "Pune and the Deccan, and the world beyond"
sources = ["Meridian Press", "Sunline News"]
sections = [
    {{ slug = "world", name = "World" }},
    {{ slug = "business", name = "Business" }},
    {{ slug = "science", name = "Science" }},
    {{ slug = "sports", name = "Sports" }},
]
"#
    ));
    out
}
