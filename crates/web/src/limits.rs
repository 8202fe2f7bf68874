//! Per-client rate limits for public POSTs: a token bucket per client address, in memory.
//!
//! Input: the client's IP (the socket peer; IPv6 clients are counted per /64, the block one
//! household or host usually holds) and the time. Output: allowed, or how long to wait. The
//! map never grows past its bound: buckets that have refilled completely say nothing a fresh
//! one would not, so they are dropped first, and if that is not enough the map is cleared.
//! Each node limits on its own; a limit across nodes would need the store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sign-up attempts: a burst of 5, then one every 12 seconds (5 a minute).
pub(crate) const SIGNUP_BURST: f64 = 5.0;
pub(crate) const SIGNUP_PER_MINUTE: f64 = 5.0;
const MAX_CLIENTS: usize = 50_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug)]
pub(crate) struct IpLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    burst: f64,
    per_second: f64,
    max_clients: usize,
}

impl IpLimiter {
    pub fn new(burst: f64, per_minute: f64) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            burst: burst.max(1.0),
            per_second: (per_minute / 60.0).max(f64::MIN_POSITIVE),
            max_clients: MAX_CLIENTS,
        }
    }

    /// Takes one token for `ip` at `now`: `Ok` when allowed, else the wait until the next one.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = client_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.max_clients && !buckets.contains_key(&key) {
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            buckets.retain(|_, b| now.saturating_duration_since(b.updated) < full_after);
            if buckets.len() >= self.max_clients {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

/// IPv4 addresses as they are (an IPv4-mapped IPv6 address included); IPv6 by its /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_steady_rate() {
        let limiter = IpLimiter::new(5.0, 5.0);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(limiter.take(ip, t0).is_ok());
        }
        let wait = limiter.take(ip, t0).unwrap_err();
        assert!(wait > Duration::from_secs(11) && wait <= Duration::from_secs(12));
        assert!(limiter.take(other, t0).is_ok(), "per client");
        assert!(limiter.take(ip, t0 + Duration::from_secs(12)).is_ok());
        assert!(limiter.take(ip, t0 + Duration::from_secs(12)).is_err());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_v4_as_v4() {
        let limiter = IpLimiter::new(1.0, 1.0);
        let t0 = Instant::now();
        assert!(limiter.take("2001:db8::1".parse().unwrap(), t0).is_ok());
        assert!(limiter.take("2001:db8::2".parse().unwrap(), t0).is_err());
        assert!(limiter.take("2001:db8:0:1::1".parse().unwrap(), t0).is_ok());
        assert!(limiter.take("192.0.2.9".parse().unwrap(), t0).is_ok());
        assert!(
            limiter
                .take("::ffff:192.0.2.9".parse().unwrap(), t0)
                .is_err()
        );
    }

    #[test]
    fn stays_bounded() {
        let mut limiter = IpLimiter::new(1.0, 60.0);
        limiter.max_clients = 3;
        let t0 = Instant::now();
        for i in 0..10u8 {
            let _ = limiter.take(IpAddr::from([192, 0, 2, i]), t0);
        }
        assert!(limiter.buckets.lock().unwrap().len() <= 3);
    }
}
