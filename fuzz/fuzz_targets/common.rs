//! How `feed_parse` treats panics (the other targets keep libfuzzer-sys's abort hook: nothing
//! under them catches panics on purpose).
//!
//! libfuzzer-sys installs a panic hook that aborts on *any* panic, even one the code under
//! test catches. `masthead_feed::parse` deliberately catches panics inside feed-rs and
//! quick-xml and turns them into a `FeedError`, so under that hook every known dependency
//! panic would stop the run. By default we replace the hook with a silent one: a caught
//! panic is then just an error result, and an uncaught one still reaches libfuzzer-sys's own
//! `catch_unwind`, which aborts and saves the input. With `MASTHEAD_FUZZ_STRICT=1` the abort
//! hook stays, to hunt for dependency panics (and to see the message and stack when
//! reproducing a crash).

use std::sync::Once;

pub fn tolerate_caught_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("MASTHEAD_FUZZ_STRICT").is_none() {
            std::panic::set_hook(Box::new(|_| {}));
        }
    });
}
