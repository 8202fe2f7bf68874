//! Retry delays for failing sources.
//!
//! Job: turn a count of consecutive failures into the delay before the next try: exponential,
//! capped, with full jitter so that sources failing together (one host down) spread their retries.
//! Input: the failure count, a base and a cap. Output: a [`Duration`].
//! Never: sleeps, or decides to pause a source (the scheduler does, from the same count).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Delay before the next try after `consecutive_failures` failures in a row: a uniformly random
/// duration in `[0, min(max, base · 2^(failures-1))]` ("full jitter"). Zero failures → zero.
/// A server's `Retry-After` ([`crate::FetchError::retry_after`]), when larger, should win.
pub fn backoff(consecutive_failures: u32, base: Duration, max: Duration) -> Duration {
    if consecutive_failures == 0 {
        return Duration::ZERO;
    }
    let doublings = consecutive_failures.saturating_sub(1).min(63);
    let ceiling = base
        .checked_mul(1u32.checked_shl(doublings).unwrap_or(u32::MAX))
        .unwrap_or(max)
        .min(max);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    match nanos.checked_add(1) {
        Some(span) => Duration::from_nanos(random_u64() % span),
        None => Duration::from_nanos(random_u64()),
    }
}

/// A random u64 without a dependency: std's `RandomState` is seeded from the OS once per thread
/// and stepped for every new state, and hashing nothing yields a well-mixed value of its keys.
/// Plenty for jitter; not for anything secret.
fn random_u64() -> u64 {
    RandomState::new().build_hasher().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_with_jitter() {
        let base = Duration::from_secs(60);
        let max = Duration::from_secs(6 * 60 * 60);
        assert_eq!(backoff(0, base, max), Duration::ZERO);
        for failures in 1..40 {
            let ceiling = base.saturating_mul(1 << (failures - 1).min(20)).min(max);
            for _ in 0..50 {
                assert!(
                    backoff(failures, base, max) <= ceiling,
                    "failures {failures}"
                );
            }
        }
        assert!(backoff(u32::MAX, base, max) <= max);
        assert!(backoff(3, Duration::MAX, Duration::MAX) <= Duration::MAX);
        // Jitter: 200 draws under a 4-minute ceiling are not all equal, and spread over it.
        let draws: Vec<Duration> = (0..200).map(|_| backoff(3, base, max)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_secs(120)));
        assert!(draws.iter().any(|d| *d > Duration::from_secs(120)));
    }
}
