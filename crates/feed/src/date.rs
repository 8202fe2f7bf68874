//! Feed timestamps with the offset the source wrote them in.
//!
//! Input: the text of a `pubDate`, `dc:date`, `published`, `updated` or `date_published`.
//! Output: the instant plus the source's UTC offset in seconds.
//! Zone abbreviations: RFC 2822's own (GMT, UT, EST…PDT, military), plus a short list of
//! unambiguous ones feeds use (CEST, AEST…); any other is "-0000" (UTC) as RFC 2822 §4.3 says.
//! Never guesses between meanings of an ambiguous one (IST is India, Ireland or Israel).

use chrono::{DateTime, Utc};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};

/// Parses RFC 3339 / ISO 8601 and RFC 2822 (with its obsolete forms and the usual feed
/// mistakes), keeping the offset.
pub(crate) fn parse(text: &str) -> Option<(Timestamp, i32)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if looks_iso(text) {
        return parse_iso(text);
    }
    // jiff follows RFC 2822 and reads every zone name it does not know as UTC; for the ones we
    // know better, the token parser decides.
    let last = text.rsplit(char::is_whitespace).next().unwrap_or_default();
    if extra_zone_hours(last).is_some() {
        return parse_rfc2822_lenient(text);
    }
    parse_rfc2822_strict(text).or_else(|| parse_rfc2822_lenient(text))
}

/// feed-rs's timestamp hook must return UTC, so the offset travels in the nanoseconds below
/// the microsecond, which nothing downstream keeps: `500 + offset in quarter hours`, so that
/// 0 means "not carried". Keying a side table by instant alone would confuse two entries at
/// the same instant written in different zones. Returns whether the offset fit (every zone
/// in use today is a whole number of quarter hours).
pub(crate) fn carry(timestamp: Timestamp, offset: i32) -> Option<(DateTime<Utc>, bool)> {
    let micros = timestamp.as_microsecond();
    let code = (offset % 900 == 0)
        .then(|| 500 + offset / 900)
        .and_then(|c| u32::try_from(c).ok())
        .filter(|c| (1..1000).contains(c));
    let sub_micros = u32::try_from(micros.rem_euclid(1_000_000)).ok()?;
    let carried = DateTime::from_timestamp(
        micros.div_euclid(1_000_000),
        sub_micros * 1000 + code.unwrap_or(0),
    )?;
    Some((carried, code.is_some()))
}

/// The instant in microseconds and, when [`carry`] could carry it, the offset.
pub(crate) fn uncarry(at: DateTime<Utc>) -> (i64, Option<i32>) {
    let code = at.timestamp_subsec_nanos() % 1000;
    let offset = (code != 0)
        .then(|| i32::try_from(code).ok())
        .flatten()
        .map(|c| (c - 500) * 900);
    (at.timestamp_micros(), offset)
}

// ISO dates start with a four-digit year and a dash; RFC 2822 never does.
fn looks_iso(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 5 && bytes.iter().take(4).all(u8::is_ascii_digit) && bytes.get(4) == Some(&b'-')
}

fn parse_iso(text: &str) -> Option<(Timestamp, i32)> {
    // Some feeds put a space before the offset.
    parse_iso_strict(text).or_else(|| parse_iso_strict(&text.replace(" +", "+").replace(" -", "-")))
}

fn parse_iso_strict(text: &str) -> Option<(Timestamp, i32)> {
    let pieces = Pieces::parse(text).ok()?;
    // A local time with no offset is taken as UTC: feeds that omit it are mostly servers
    // printing UTC, and any other guess would need the site's zone, which we do not know here.
    let offset = pieces.to_numeric_offset().unwrap_or(Offset::UTC);
    let time = pieces.time().unwrap_or(Time::midnight());
    let timestamp = TimeZone::fixed(offset)
        .to_timestamp(pieces.date().to_datetime(time))
        .ok()?;
    Some((timestamp, offset.seconds()))
}

fn parse_rfc2822_strict(text: &str) -> Option<(Timestamp, i32)> {
    // Weekdays in feeds are often wrong or abbreviated oddly; they add nothing to the instant.
    static PARSER: jiff::fmt::rfc2822::DateTimeParser =
        jiff::fmt::rfc2822::DateTimeParser::new().relaxed_weekday(true);
    let zoned = PARSER.parse_zoned_datetime(text).ok()?;
    let offset = zoned.offset().seconds();
    Some((zoned.timestamp(), offset))
}

/// Token by token, so that long month names, month-first order, single-digit hours, missing
/// seconds, "UTC" and "24:00" still parse.
fn parse_rfc2822_lenient(text: &str) -> Option<(Timestamp, i32)> {
    let mut day: Option<i8> = None;
    let mut month: Option<i8> = None;
    let mut year: Option<i16> = None;
    let mut time: Option<Time> = None;
    let mut offset: Option<i32> = None;
    let mut day_bump = false;

    for token in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        if time.is_some()
            && offset.is_none()
            && let Some(seconds) = zone_offset(token)
        {
            offset = Some(seconds);
            continue;
        }
        if month.is_none()
            && let Some(m) = month_number(token)
        {
            month = Some(m);
            continue;
        }
        if time.is_none() && token.contains(':') {
            let (t, bump) = parse_clock(token)?;
            time = Some(t);
            day_bump = bump;
            continue;
        }
        if token.bytes().all(|b| b.is_ascii_digit()) {
            if token.len() <= 2 && day.is_none() {
                day = token.parse().ok();
            } else if year.is_none() {
                year = Some(full_year(token)?);
            } else {
                return None;
            }
            continue;
        }
        if token.chars().all(char::is_alphabetic) {
            if time.is_none() {
                // A weekday, right or wrong, in any spelling.
                continue;
            }
            if offset.is_none() {
                // RFC 2822 §4.3: an unknown zone name "SHOULD be considered equivalent to -0000".
                offset = Some(0);
                continue;
            }
        }
        return None;
    }

    let date = Date::new(year?, month?, day?).ok()?;
    let date = if day_bump {
        date.tomorrow().ok()?
    } else {
        date
    };
    let offset = offset.unwrap_or(0);
    let timestamp = TimeZone::fixed(Offset::from_seconds(offset).ok()?)
        .to_timestamp(date.to_datetime(time?))
        .ok()?;
    Some((timestamp, offset))
}

/// Unambiguous zone abbreviations outside RFC 2822, in minutes east of UTC.
fn extra_zone_hours(token: &str) -> Option<i32> {
    let minutes = match token.to_ascii_uppercase().as_str() {
        "WET" => 0,
        "CET" | "WEST" | "BST" => 60,
        "CEST" | "EET" | "SAST" => 120,
        "EEST" | "MSK" => 180,
        "PKT" => 300,
        "HKT" | "SGT" | "AWST" => 480,
        "JST" | "KST" => 540,
        "ACST" => 570,
        "AEST" => 600,
        "ACDT" => 630,
        "AEDT" => 660,
        "NZST" => 720,
        "NZDT" => 780,
        "HST" => -600,
        "AKST" => -540,
        "AKDT" => -480,
        "NST" => -210,
        "NDT" => -150,
        _ => return None,
    };
    Some(minutes)
}

fn month_number(token: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if token.len() < 3 || !token.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    let position = MONTHS.iter().position(|m| lower.starts_with(m))?;
    i8::try_from(position + 1).ok()
}

/// `H:MM`, `HH:MM:SS` or `HH:MM:SS.fff`; "24:00" is the next day's midnight.
fn parse_clock(token: &str) -> Option<(Time, bool)> {
    let mut parts = token.split(':');
    let hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let second: i8 = match parts.next() {
        Some(s) => {
            let whole = s.split('.').next()?;
            whole.parse().ok()?
        }
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    if hour == 24 && minute == 0 && second == 0 {
        return Some((Time::midnight(), true));
    }
    // A leap second is clamped rather than refused.
    Some((Time::new(hour, minute, second.min(59), 0).ok()?, false))
}

/// RFC 2822 §4.3: two-digit years below 50 are 20xx, three-digit ones add 1900.
fn full_year(token: &str) -> Option<i16> {
    let n: i16 = token.parse().ok()?;
    match token.len() {
        1 | 2 if n < 50 => Some(2000 + n),
        1 | 2 => Some(1900 + n),
        3 => Some(1900 + n),
        4 => Some(n),
        _ => None,
    }
}

/// Numeric offsets (`+1000`, `-04:00`, `+05`) and the zone names RFC 2822 allows, plus "UTC".
fn zone_offset(token: &str) -> Option<i32> {
    let named = match token.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" => Some(0),
        "EST" => Some(-5),
        "EDT" | "AST" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        // RFC 2822 §4.3: the other military zones were defined with the wrong sign and
        // "SHOULD all be considered equivalent to -0000".
        other if other.len() == 1 && other.chars().all(|c| c.is_ascii_alphabetic()) => Some(0),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(hours * 3600);
    }
    if let Some(minutes) = extra_zone_hours(token) {
        return Some(minutes * 60);
    }
    let (sign, digits) = match token.chars().next()? {
        '+' => (1, token.get(1..)?),
        '-' => (-1, token.get(1..)?),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = match digits.len() {
        2 => (digits.parse().ok()?, 0),
        4 => (
            digits.get(..2)?.parse().ok()?,
            digits.get(2..)?.parse().ok()?,
        ),
        _ => return None,
    };
    if minutes >= 60 {
        return None;
    }
    let seconds = sign * (hours * 3600 + minutes * 60);
    Offset::from_seconds(seconds).ok().map(|o| o.seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc3339(text: &str) -> String {
        let (ts, off) = parse(text).unwrap_or_else(|| panic!("no date from {text:?}"));
        masthead_model::OffsetTime::new(ts.as_microsecond(), off)
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn rfc2822_keeps_the_offset() {
        assert_eq!(
            rfc3339("Sat, 12 Apr 2025 04:01:00 +1000"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 14:01:00 -0400"),
            "2025-04-11T14:01:00-04:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 23:31:00 +0530"),
            "2025-04-11T23:31:00+05:30"
        );
    }

    #[test]
    fn rfc2822_obsolete_zone_names() {
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 13:01:00 EST"),
            "2025-04-11T13:01:00-05:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 14:01:00 EDT"),
            "2025-04-11T14:01:00-04:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 12:01:00 CST"),
            "2025-04-11T12:01:00-06:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 13:01:00 CDT"),
            "2025-04-11T13:01:00-05:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 11:01:00 MST"),
            "2025-04-11T11:01:00-07:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 12:01:00 MDT"),
            "2025-04-11T12:01:00-06:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 10:01:00 PST"),
            "2025-04-11T10:01:00-08:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 11:01:00 PDT"),
            "2025-04-11T11:01:00-07:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 GMT"),
            "2025-04-11T18:01:00+00:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 UT"),
            "2025-04-11T18:01:00+00:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 UTC"),
            "2025-04-11T18:01:00+00:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 Z"),
            "2025-04-11T18:01:00+00:00"
        );
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 A"),
            "2025-04-11T18:01:00+00:00"
        );
    }

    #[test]
    fn common_zone_names_beyond_rfc2822() {
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 20:01:00 CEST"),
            "2025-04-11T20:01:00+02:00"
        );
        assert_eq!(
            rfc3339("Sat, 12 Apr 2025 04:01 AEST"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("Sat, 12 Apr 2025 03:31 ACST"),
            "2025-04-12T03:31:00+09:30"
        );
        // Ambiguous or unknown: UTC, as RFC 2822 says.
        assert_eq!(
            rfc3339("Fri, 11 Apr 2025 18:01:00 IST"),
            "2025-04-11T18:01:00+00:00"
        );
        assert_eq!(
            rfc3339("11 April 2025 18:01 XYZT"),
            "2025-04-11T18:01:00+00:00"
        );
    }

    #[test]
    fn rfc2822_sloppy_forms() {
        // two-digit year, missing seconds, missing day name
        assert_eq!(
            rfc3339("Sat, 12 Apr 25 04:01 +1000"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("12 Apr 2025 04:01:00 +1000"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(rfc3339("12 Apr 99 04:01 GMT"), "1999-04-12T04:01:00+00:00");
        // wrong weekday, long names, single-digit hour, month first, no zone
        assert_eq!(
            rfc3339("Mon, 12 Apr 2025 04:01:00 +1000"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("Saturday, 12 April 2025 4:01:00 +10:00"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("Apr 12 2025 04:01:00 -0000"),
            "2025-04-12T04:01:00+00:00"
        );
        assert_eq!(rfc3339("12 Apr 2025 04:01:00"), "2025-04-12T04:01:00+00:00");
        assert_eq!(
            rfc3339("11 Apr 2025 24:00:00 +0200"),
            "2025-04-12T00:00:00+02:00"
        );
    }

    #[test]
    fn iso8601_forms() {
        assert_eq!(
            rfc3339("2025-04-12T04:01:00+10:00"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("2025-04-12T04:01+10:00"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(rfc3339("2025-04-11T18:01:00Z"), "2025-04-11T18:01:00+00:00");
        assert_eq!(rfc3339("2025-04-11t18:01:00z"), "2025-04-11T18:01:00+00:00");
        assert_eq!(
            rfc3339("2025-04-12T04:01:00.123456+10:00"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("2025-04-12T04:01:00+1000"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(
            rfc3339("2025-04-12 04:01:00 +10:00"),
            "2025-04-12T04:01:00+10:00"
        );
        assert_eq!(rfc3339("2025-04-12T04:01:00"), "2025-04-12T04:01:00+00:00");
        assert_eq!(rfc3339("2025-04-12"), "2025-04-12T00:00:00+00:00");
        let (ts, _) = parse("2025-04-12T04:01:00.250+10:00").unwrap();
        assert_eq!(ts.as_microsecond() % 1_000_000, 250_000);
    }

    #[test]
    fn offsets_ride_through_utc_values() {
        for (text, micros, offset) in [
            (
                "Sat, 12 Apr 2025 04:01:00 +1000",
                1_744_394_460_000_000,
                36_000,
            ),
            (
                "Fri, 11 Apr 2025 23:31:00 +0530",
                1_744_394_460_000_000,
                19_800,
            ),
            (
                "Fri, 11 Apr 2025 13:01:00 EST",
                1_744_394_460_000_000,
                -18_000,
            ),
            (
                "1969-12-31T23:59:59.999999-12:00",
                -1 + 12 * 3_600_000_000,
                -43_200,
            ),
            ("2025-04-12T04:01:00.5+14:00", 1_744_380_060_500_000, 50_400),
        ] {
            let (ts, off) = parse(text).unwrap();
            let (carried, fits) = carry(ts, off).unwrap();
            assert!(fits, "{text}");
            assert_eq!(carried.timestamp_micros(), micros, "{text}");
            assert_eq!(uncarry(carried), (micros, Some(offset)), "{text}");
        }
        // An offset that is not whole quarter hours is not carried.
        let (ts, off) = parse("2025-04-12T04:01:00+00:17").unwrap();
        let (carried, fits) = carry(ts, off).unwrap();
        assert!(!fits);
        assert_eq!(uncarry(carried), (ts.as_microsecond(), None));
    }

    #[test]
    fn nonsense_is_no_date() {
        for text in [
            "",
            "yesterday",
            "31 Feb 2025 10:00:00 GMT",
            "2025-13-01T00:00:00Z",
            "12 Apr 2025 04:01:00 +9999",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
