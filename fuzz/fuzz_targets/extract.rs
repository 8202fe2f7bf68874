//! `masthead_extract::extract` on arbitrary UTF-8 with a fixed page URL.
#![no_main]

use libfuzzer_sys::fuzz_target;


fuzz_target!(|html: &str| {
    if let Ok(url) = url::Url::parse("https://news.fuzz.example/world/2025/04/12/story.html") {
        let _ = masthead_extract::extract(html, &url);
    }
});
