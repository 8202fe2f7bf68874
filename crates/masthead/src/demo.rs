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

[mail]
# No relay: mail (confirmations, digests) lands in the outbox directory beside this file.
from = "Masthead Demo Network <news@demo.masthead.invalid>"
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
    out.push_str(
        r#"
[[sites]]
slug = "orlando-echo"
name = "Orlando Echo"
hosts = ["orlando-echo.localhost"]
time_zone = "America/New_York"
tagline = "Central Florida’s window on the world"
sections = [
    { slug = "world", name = "World" },
    { slug = "business", name = "Business" },
    { slug = "sports", name = "Sports" },
    { slug = "science", name = "Science" },
]

[[sites]]
slug = "harbourside-times"
name = "Harbourside Times"
hosts = ["harbourside-times.localhost"]
time_zone = "Australia/Sydney"
tagline = "News for Sydney’s harbour suburbs"
sources = ["Harbor Wire", "Meridian Press"]
sections = [
    { slug = "world", name = "World" },
    { slug = "business", name = "Business" },
    { slug = "sports", name = "Sport" },
    { slug = "science", name = "Science" },
]

[[sites]]
slug = "deccan-courier"
name = "Deccan Courier"
hosts = ["deccan-courier.localhost"]
time_zone = "Asia/Kolkata"
tagline = "Pune and the Deccan, and the world beyond"
sources = ["Meridian Press", "Sunline News"]
sections = [
    { slug = "world", name = "World" },
    { slug = "business", name = "Business" },
    { slug = "science", name = "Science" },
    { slug = "sports", name = "Sports" },
]
"#,
    );
    out
}

/// The bundled feed `path` with every date moved by `shift_micros`, each keeping its own UTC
/// offset: the demo's sources publish "today's" news whenever it starts. Dates are found in
/// the elements and keys the three bundled formats use; anything unparsable is left alone.
pub fn redated(path: &str, bytes: &[u8], shift_micros: i64) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let marks: &[(&str, &str)] = if path.ends_with(".json") {
        &[
            ("\"date_published\": \"", "\""),
            ("\"date_modified\": \"", "\""),
        ]
    } else {
        &[
            ("<pubDate>", "</pubDate>"),
            ("<published>", "</published>"),
            ("<updated>", "</updated>"),
        ]
    };
    let mut out = text.to_owned();
    for (open, close) in marks {
        out = replace_between(&out, open, close, |date| shift_date(date, shift_micros));
    }
    out.into_bytes()
}

fn replace_between(
    text: &str,
    open: &str,
    close: &str,
    f: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let (before, after_open) = rest.split_at(start + open.len());
        out.push_str(before);
        let Some(end) = after_open.find(close) else {
            rest = after_open;
            break;
        };
        let (value, after) = after_open.split_at(end);
        out.push_str(&f(value.trim()).unwrap_or_else(|| value.to_owned()));
        rest = after;
    }
    out.push_str(rest);
    out
}

fn shift_date(date: &str, shift_micros: i64) -> Option<String> {
    let shift = jiff::SignedDuration::from_micros(shift_micros);
    if let Ok(zdt) = jiff::fmt::rfc2822::parse(date) {
        let moved = zdt.timestamp().checked_add(shift).ok()?;
        let tz = jiff::tz::TimeZone::fixed(zdt.offset());
        return jiff::fmt::rfc2822::to_string(&moved.to_zoned_datetime(tz)).ok();
    }
    let ts: jiff::Timestamp = date.parse().ok()?;
    let moved = ts.checked_add(shift).ok()?;
    let t = masthead_model::OffsetTime::from_timestamp(moved, rfc3339_offset(date)?);
    Some(t.to_rfc3339())
}

/// The offset an RFC 3339 time was written in: `Z` or the trailing `±HH:MM`.
fn rfc3339_offset(date: &str) -> Option<jiff::tz::Offset> {
    if date.ends_with('Z') || date.ends_with('z') {
        return Some(jiff::tz::Offset::UTC);
    }
    let tail: Vec<char> = date.chars().rev().take(6).collect();
    let tail: String = tail.into_iter().rev().collect();
    let sign = match tail.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (h, m) = tail.get(1..)?.split_once(':')?;
    let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    jiff::tz::Offset::from_seconds(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    #[test]
    fn redating_keeps_each_offset() {
        let rss = b"<item><pubDate>Wed, 14 Jan 2026 21:10:00 +1000</pubDate></item>";
        let out = String::from_utf8(redated("feeds/a.xml", rss, 24 * HOUR)).unwrap();
        assert_eq!(
            out,
            "<item><pubDate>Thu, 15 Jan 2026 21:10:00 +1000</pubDate></item>"
        );
        let atom = b"<published>2026-01-14T08:00:00+05:30</published><updated>2026-01-14T02:30:00Z</updated>";
        let out = String::from_utf8(redated("feeds/a.xml", atom, -2 * HOUR)).unwrap();
        assert_eq!(
            out,
            "<published>2026-01-14T06:00:00+05:30</published><updated>2026-01-14T00:30:00+00:00</updated>"
        );
        let json = br#"{"date_published": "2026-01-13T10:00:00-04:00", "title": "x"}"#;
        let out = String::from_utf8(redated("feeds/a.json", json, HOUR)).unwrap();
        assert_eq!(
            out,
            r#"{"date_published": "2026-01-13T11:00:00-04:00", "title": "x"}"#
        );
    }

    #[test]
    fn every_bundled_feed_is_present_and_redates() {
        for source in SOURCES {
            let bytes = file(source.file).unwrap();
            let moved = redated(source.file, bytes, 365 * 24 * HOUR);
            assert_ne!(moved, bytes, "{} has dates to move", source.file);
            assert!(
                String::from_utf8(moved).unwrap().contains("2027-01-1")
                    || source.file.ends_with("harbor-wire.xml"),
                "{}",
                source.file
            );
        }
    }
}
