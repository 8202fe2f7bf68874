//! An instant together with the UTC offset it was published in.
//!
//! Feeds say "04:01 +10:00"; the page shows the time in the *site's* zone, but the store and
//! the JSON output keep the source's own offset, so both are carried.

use jiff::{Timestamp, tz::Offset};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimeError {
    #[error("time {micros} µs is outside the supported range")]
    Range { micros: i64 },
    #[error("UTC offset {seconds} s is outside ±25:59")]
    Offset { seconds: i32 },
}

/// Unix microseconds plus the offset (seconds east of UTC) the source used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OffsetTime {
    pub unix_micros: i64,
    pub offset_seconds: i32,
}

impl PartialOrd for OffsetTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OffsetTime {
    /// Orders by instant; the offset only breaks ties so `Ord` agrees with `Eq`.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.unix_micros, self.offset_seconds).cmp(&(other.unix_micros, other.offset_seconds))
    }
}

impl OffsetTime {
    pub fn new(unix_micros: i64, offset_seconds: i32) -> Result<Self, TimeError> {
        Timestamp::from_microsecond(unix_micros).map_err(|_| TimeError::Range {
            micros: unix_micros,
        })?;
        Offset::from_seconds(offset_seconds).map_err(|_| TimeError::Offset {
            seconds: offset_seconds,
        })?;
        Ok(Self {
            unix_micros,
            offset_seconds,
        })
    }

    pub fn from_timestamp(ts: Timestamp, offset: Offset) -> Self {
        Self {
            unix_micros: ts.as_microsecond(),
            offset_seconds: offset.seconds(),
        }
    }

    pub fn now_utc() -> Self {
        Self::from_timestamp(Timestamp::now(), Offset::UTC)
    }

    pub fn timestamp(self) -> Timestamp {
        // Values are range-checked on construction; a bad row from the database falls back to
        // the epoch rather than panicking a page render.
        Timestamp::from_microsecond(self.unix_micros).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    pub fn offset(self) -> Offset {
        Offset::from_seconds(self.offset_seconds).unwrap_or(Offset::UTC)
    }

    /// RFC 3339 in the source's own offset: `2025-04-12T04:01:00+10:00`.
    pub fn to_rfc3339(self) -> String {
        let local = self.offset().to_datetime(self.timestamp());
        let off = self.offset_seconds;
        let sign = if off < 0 { '-' } else { '+' };
        let abs = off.unsigned_abs();
        format!(
            "{}{}{:02}:{:02}",
            local.strftime("%Y-%m-%dT%H:%M:%S"),
            sign,
            abs / 3600,
            (abs % 3600) / 60
        )
    }

    /// Shifted by a number of microseconds (the demo re-dates its bundled stories).
    pub fn shifted(self, micros: i64) -> Self {
        Self {
            unix_micros: self.unix_micros.saturating_add(micros),
            offset_seconds: self.offset_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_keeps_the_source_offset() {
        let t = OffsetTime::new(1_744_394_460_000_000, 10 * 3600).unwrap();
        assert_eq!(t.to_rfc3339(), "2025-04-12T04:01:00+10:00");
        let t = OffsetTime::new(1_744_394_460_000_000, -(4 * 3600 + 30 * 60)).unwrap();
        assert_eq!(t.to_rfc3339(), "2025-04-11T13:31:00-04:30");
    }

    #[test]
    fn out_of_range_values_are_refused() {
        assert!(OffsetTime::new(i64::MAX, 0).is_err());
        assert!(OffsetTime::new(0, 200_000).is_err());
    }
}
