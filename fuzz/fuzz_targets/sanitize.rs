//! `masthead_normalize::sanitize` and `plain_text` on arbitrary UTF-8; sanitizing twice
//! changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;


fuzz_target!(|html: &str| {
    let once = masthead_normalize::sanitize(html);
    let twice = masthead_normalize::sanitize(once.as_str());
    assert_eq!(
        once.as_str(),
        twice.as_str(),
        "sanitize is not idempotent on {html:?}"
    );
    let _ = masthead_normalize::plain_text(&once);
});
