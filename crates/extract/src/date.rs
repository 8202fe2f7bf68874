//! Publication and update times as pages write them, kept with their UTC offset.
//!
//! Input: a date string from JSON-LD, a `<meta>` or a `<time datetime>`. Output: an
//! [`OffsetTime`] carrying the page's own offset (`2025-04-12T04:01:00+10:00` stays `+10:00`).
//! Accepted: RFC 3339 / ISO 8601 with or without `T`, seconds, fractions or a colon in the
//! offset (`+1000`), RFC 2822 (`Sat, 12 Apr 2025 04:01:00 +1000`), and a date alone. A time
//! with no offset (or a date alone, read as midnight) is taken as UTC, offset 0: the page did
//! not say where it was, and guessing from the site would invent data. It never reads the clock.

use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::Offset;
use masthead_model::OffsetTime;

pub(crate) fn parse(s: &str) -> Option<OffsetTime> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(t) = parse_iso(s) {
        return Some(t);
    }
    parse_rfc2822(s)
}

fn parse_iso(s: &str) -> Option<OffsetTime> {
    let pieces = Pieces::parse(s).ok().or_else(|| {
        // "2025-04-12T04:01:00.000+0000" parses; some CMSs write "2025-04-12 04:01:00 +10:00"
        // with a space before the offset, which Temporal does not accept.
        let (head, tail) = s.rsplit_once(' ')?;
        if tail.starts_with(['+', '-']) || tail == "Z" {
            Pieces::parse(format!("{head}{tail}").as_str())
                .ok()
                .map(Pieces::into_owned)
        } else {
            None
        }
    })?;
    let date: Date = pieces.date();
    let time: Time = pieces.time().unwrap_or(Time::midnight());
    let offset = match pieces.offset() {
        Some(PiecesOffset::Numeric(n)) => n.offset(),
        Some(PiecesOffset::Zulu) | None => Offset::UTC,
        Some(_) => Offset::UTC,
    };
    let dt = DateTime::from_parts(date, time);
    let ts = offset.to_timestamp(dt).ok()?;
    Some(OffsetTime::from_timestamp(ts, offset))
}

fn parse_rfc2822(s: &str) -> Option<OffsetTime> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let zoned = PARSER.parse_zoned_datetime(s).ok()?;
    Some(OffsetTime::from_timestamp(
        zoned.timestamp(),
        zoned.offset(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(s: &str) -> Option<String> {
        parse(s).map(OffsetTime::to_rfc3339)
    }

    #[test]
    fn offsets_are_kept() {
        assert_eq!(
            rfc("2025-04-12T04:01:00+10:00").as_deref(),
            Some("2025-04-12T04:01:00+10:00")
        );
        assert_eq!(
            rfc("2025-04-12T04:01:00.123-0430").as_deref(),
            Some("2025-04-12T04:01:00-04:30")
        );
        assert_eq!(
            rfc("2025-04-11T18:01:00Z").as_deref(),
            Some("2025-04-11T18:01:00+00:00")
        );
        assert_eq!(
            rfc("2025-04-12 04:01:00 +10:00").as_deref(),
            Some("2025-04-12T04:01:00+10:00")
        );
        assert_eq!(
            rfc("Sat, 12 Apr 2025 04:01:00 +1000").as_deref(),
            Some("2025-04-12T04:01:00+10:00")
        );
    }

    #[test]
    fn naive_times_are_utc() {
        assert_eq!(
            rfc("2018-04-05T06:00").as_deref(),
            Some("2018-04-05T06:00:00+00:00")
        );
        assert_eq!(
            rfc("2018-04-05").as_deref(),
            Some("2018-04-05T00:00:00+00:00")
        );
    }

    #[test]
    fn junk_is_none() {
        assert_eq!(rfc(""), None);
        assert_eq!(rfc("yesterday"), None);
        assert_eq!(rfc("2025-13-45"), None);
        assert_eq!(rfc(&"9".repeat(500)), None);
    }
}
