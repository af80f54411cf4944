//! Points in time a user can type: RFC 3339, a clock time today in UTC (`10:30`), a
//! `seconds:increment` cluster time, a time relative to now (`-5m`), or `now`. They become
//! `startAtOperationTime` Timestamps.

use bson::{DateTime, Timestamp};

use crate::format::utc_seconds;

/// Parses `text`; `now` is the current time in milliseconds since the epoch.
pub fn parse(text: &str, now_millis: i64) -> Result<Timestamp, String> {
    let text = text.trim();
    if text == "now" {
        return seconds_to_timestamp(now_millis / 1000, text);
    }
    if let Some(relative) = text.strip_prefix('-') {
        let seconds = parse_duration(relative)
            .ok_or_else(|| format!("'{text}' is not a relative time like -30s, -5m, -2h or -1d"))?;
        return seconds_to_timestamp(now_millis / 1000 - seconds, text);
    }
    if let Some(seconds) = clock_today(text, now_millis)? {
        return seconds_to_timestamp(seconds, text);
    }
    if let Some((secs, inc)) = text
        .split_once(':')
        .filter(|(s, _)| s.bytes().all(|b| b.is_ascii_digit()))
    {
        if let (Ok(time), Ok(increment)) = (secs.parse::<u32>(), inc.parse::<u32>()) {
            return Ok(Timestamp { time, increment });
        }
    }
    match DateTime::parse_rfc3339_str(text) {
        Ok(date) => seconds_to_timestamp(date.timestamp_millis().div_euclid(1000), text),
        Err(_) => Err(format!(
            "'{text}' is not a time: use RFC 3339 (2026-11-21T10:00:00Z), HH:MM[:SS] today in UTC (10:30), seconds:increment (1763719200:1), relative (-5m) or now"
        )),
    }
}

/// `HH:MM` or `HH:MM:SS` today, in UTC: seconds since the epoch. Two-digit minutes tell it
/// from `seconds:increment` (`5:1`). A time later than now is refused rather than waited for:
/// just after midnight, `23:50` more likely means yesterday.
fn clock_today(text: &str, now_millis: i64) -> Result<Option<i64>, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let digits = |part: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let looks_like_clock = (2..=3).contains(&parts.len())
        && digits(parts[0], 1..=2)
        && parts[1..].iter().all(|part| digits(part, 2..=2));
    if !looks_like_clock {
        return Ok(None);
    }
    let number = |i: usize| parts.get(i).map_or(0, |p| p.parse::<i64>().unwrap_or(0));
    let (hours, minutes, seconds) = (number(0), number(1), number(2));
    if hours > 23 || minutes > 59 || seconds > 59 {
        return Err(format!(
            "'{text}' is not a time of day (HH:MM or HH:MM:SS, UTC)"
        ));
    }
    let midnight = now_millis.div_euclid(86_400_000) * 86_400;
    let at = midnight + hours * 3600 + minutes * 60 + seconds;
    if at > now_millis.div_euclid(1000) {
        return Err(format!(
            "{text} UTC today is later than now; for yesterday write {}",
            utc_seconds((at - 86_400) * 1000)
        ));
    }
    Ok(Some(at))
}

fn parse_duration(text: &str) -> Option<i64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let scale = match unit {
        "s" | "sec" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(scale)
}

fn seconds_to_timestamp(seconds: i64, text: &str) -> Result<Timestamp, String> {
    let time = u32::try_from(seconds)
        .map_err(|_| format!("'{text}' is outside the range of cluster times"))?;
    Ok(Timestamp { time, increment: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_763_719_200_000; // 2025-11-21T10:00:00Z

    #[test]
    fn accepts_the_four_forms() {
        assert_eq!(
            parse("-5m", NOW).unwrap(),
            Timestamp {
                time: 1_763_718_900,
                increment: 0
            }
        );
        assert_eq!(parse("-1d", NOW).unwrap().time, 1_763_632_800);
        assert_eq!(parse("now", NOW).unwrap().time, 1_763_719_200);
        assert_eq!(
            parse("1763719200:7", NOW).unwrap(),
            Timestamp {
                time: 1_763_719_200,
                increment: 7
            }
        );
        assert_eq!(
            parse("2025-11-21T10:00:00Z", NOW).unwrap().time,
            1_763_719_200
        );
        assert_eq!(
            parse("2025-11-21T12:00:00+02:00", NOW).unwrap().time,
            1_763_719_200
        );
    }

    #[test]
    fn clock_times_are_today_in_utc() {
        let today = |text| parse(text, NOW + 1_800_000).map(|ts| ts.time);
        assert_eq!(today("10:00"), Ok(1_763_719_200));
        assert_eq!(today("09:59:30"), Ok(1_763_719_170));
        assert_eq!(today("0:00"), Ok(1_763_683_200));
        assert!(today("10:31").unwrap_err().contains("later than now"));
        assert!(today("10:31")
            .unwrap_err()
            .ends_with("for yesterday write 2025-11-20T10:31:00Z"));
        assert!(today("24:00").unwrap_err().contains("not a time of day"));
        assert_eq!(today("5:1"), Ok(5), "seconds:increment, not a clock");
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(parse("-5x", NOW).unwrap_err().contains("relative time"));
        assert!(parse("yesterday", NOW).unwrap_err().contains("RFC 3339"));
        assert!(parse("1900-01-01T00:00:00Z", NOW)
            .unwrap_err()
            .contains("range"));
    }
}
