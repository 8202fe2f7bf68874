//! Times as a site shows them, and site zones by name.
//!
//! Input: an instant with its source offset, and a site's IANA zone. Output: a line such as
//! `12 Apr 2025, 04:01 GMT+10` in the site's zone (the source's offset is ignored here; the
//! JSON output keeps it). Zones come from jiff's bundled tzdb, so output never depends on the
//! host's `/usr/share/zoneinfo`. It never reads the clock.

use jiff::tz::TimeZone;
use masthead_model::OffsetTime;

use crate::NormalizeError;

/// The instant in the site's zone: `2 Apr 2025, 04:01 GMT+10`.
///
/// The day of the month has no leading zero (`2 Apr`, as newspapers print it); the time is
/// 24-hour with leading zeros (`04:01`). The offset is the zone's offset at that instant:
/// `GMT` when zero, whole hours as `GMT+10` / `GMT-4`, others as `GMT+5:30` / `GMT-3:30` /
/// `GMT+5:45` (seconds of historical offsets are dropped).
pub fn format_site_time(t: OffsetTime, zone: &TimeZone) -> String {
    let zoned = t.timestamp().to_zoned_datetime(zone.clone());
    format!(
        "{} {}",
        zoned.strftime("%-d %b %Y, %H:%M"),
        gmt(zoned.offset().seconds())
    )
}

fn gmt(offset_seconds: i32) -> String {
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let abs = offset_seconds.unsigned_abs();
    let (hours, minutes) = (abs / 3600, (abs % 3600) / 60);
    match (hours, minutes) {
        (0, 0) => "GMT".to_owned(),
        (h, 0) => format!("GMT{sign}{h}"),
        (h, m) => format!("GMT{sign}{h}:{m:02}"),
    }
}

/// A zone by IANA name (`Australia/Sydney`), from the tzdb bundled into the binary.
pub fn parse_zone(name: &str) -> Result<TimeZone, NormalizeError> {
    jiff::tz::db()
        .get(name)
        .map_err(|source| NormalizeError::UnknownZone {
            name: name.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant written in RFC 3339 (any offset): the source offset must not matter.
    fn at(rfc3339: &str) -> OffsetTime {
        let ts: jiff::Timestamp = rfc3339.parse().unwrap();
        OffsetTime::from_timestamp(ts, jiff::tz::Offset::UTC)
    }

    fn show(rfc3339: &str, zone: &str) -> String {
        format_site_time(at(rfc3339), &parse_zone(zone).unwrap())
    }

    #[test]
    fn design_example() {
        assert_eq!(
            show("2025-04-11T18:01:00Z", "Australia/Brisbane"),
            "12 Apr 2025, 04:01 GMT+10"
        );
        let t = OffsetTime::new(1_744_394_460_000_000, -4 * 3600).unwrap();
        assert_eq!(
            format_site_time(t, &parse_zone("Australia/Brisbane").unwrap()),
            "12 Apr 2025, 04:01 GMT+10"
        );
    }

    #[test]
    fn sydney_leaves_daylight_time_in_april_2025() {
        // Daylight time ends 2025-04-06 03:00 AEDT = 2025-04-05T16:00Z.
        assert_eq!(
            show("2025-04-05T15:59:00Z", "Australia/Sydney"),
            "6 Apr 2025, 02:59 GMT+11"
        );
        assert_eq!(
            show("2025-04-05T16:00:00Z", "Australia/Sydney"),
            "6 Apr 2025, 02:00 GMT+10"
        );
        assert_eq!(
            show("2025-04-11T18:01:00Z", "Australia/Sydney"),
            "12 Apr 2025, 04:01 GMT+10"
        );
    }

    #[test]
    fn sydney_enters_daylight_time_in_october_2025() {
        // Daylight time starts 2025-10-05 02:00 AEST = 2025-10-04T16:00Z.
        assert_eq!(
            show("2025-10-04T15:59:00Z", "Australia/Sydney"),
            "5 Oct 2025, 01:59 GMT+10"
        );
        assert_eq!(
            show("2025-10-04T16:00:00Z", "Australia/Sydney"),
            "5 Oct 2025, 03:00 GMT+11"
        );
    }

    #[test]
    fn new_york_both_sides_of_its_changes() {
        // Spring forward 2025-03-09 02:00 EST = 07:00Z.
        assert_eq!(
            show("2025-03-09T06:59:00Z", "America/New_York"),
            "9 Mar 2025, 01:59 GMT-5"
        );
        assert_eq!(
            show("2025-03-09T07:00:00Z", "America/New_York"),
            "9 Mar 2025, 03:00 GMT-4"
        );
        // Fall back 2025-11-02 02:00 EDT = 06:00Z; 01:30 happens twice.
        assert_eq!(
            show("2025-11-02T05:30:00Z", "America/New_York"),
            "2 Nov 2025, 01:30 GMT-4"
        );
        assert_eq!(
            show("2025-11-02T06:30:00Z", "America/New_York"),
            "2 Nov 2025, 01:30 GMT-5"
        );
    }

    #[test]
    fn half_and_quarter_hour_zones() {
        assert_eq!(
            show("2025-04-11T18:01:00Z", "Asia/Kolkata"),
            "11 Apr 2025, 23:31 GMT+5:30"
        );
        assert_eq!(
            show("2025-04-11T18:01:00Z", "Asia/Kathmandu"),
            "11 Apr 2025, 23:46 GMT+5:45"
        );
        assert_eq!(
            show("2025-01-15T12:00:00Z", "America/St_Johns"),
            "15 Jan 2025, 08:30 GMT-3:30"
        );
    }

    #[test]
    fn zero_offset_is_gmt() {
        assert_eq!(
            show("2025-01-15T09:05:00Z", "UTC"),
            "15 Jan 2025, 09:05 GMT"
        );
        assert_eq!(
            show("2025-01-15T09:05:00Z", "Europe/London"),
            "15 Jan 2025, 09:05 GMT"
        );
        assert_eq!(
            show("2025-07-15T09:05:00Z", "Europe/London"),
            "15 Jul 2025, 10:05 GMT+1"
        );
    }

    #[test]
    fn offset_formatting() {
        assert_eq!(gmt(0), "GMT");
        assert_eq!(gmt(36_000), "GMT+10");
        assert_eq!(gmt(-14_400), "GMT-4");
        assert_eq!(gmt(19_800), "GMT+5:30");
        assert_eq!(gmt(-12_600), "GMT-3:30");
        assert_eq!(gmt(20_700), "GMT+5:45");
        assert_eq!(gmt(-1_800), "GMT-0:30");
        assert_eq!(gmt(30), "GMT");
    }

    #[test]
    fn unknown_zone_is_named_in_the_error() {
        let err = parse_zone("Mars/Olympus_Mons").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus_Mons"), "{err}");
        assert!(parse_zone("").is_err());
        assert!(parse_zone("Europe/Berlin").is_ok());
    }
}
