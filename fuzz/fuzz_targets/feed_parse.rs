//! `masthead_feed::parse` and `parse_opml` on arbitrary bytes: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_panics();
    let base = url::Url::parse("https://fuzz.example/feeds/feed.xml").ok();
    if let Ok(feed) = masthead_feed::parse(data, base.as_ref()) {
        // What the adapter promises: links are absolute http(s).
        for entry in &feed.entries {
            if let Some(url) = &entry.url {
                assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
            }
        }
    }
    let _ = masthead_feed::parse_opml(data);
});
