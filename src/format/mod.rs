//! Events as text: Extended JSON lines for `--json`, recordings and export; mongosh-style
//! documents for the screen (`mongosh`).

mod extjson;
pub mod mongosh;

pub use extjson::write_json;

use bson::DateTime;

use crate::event::ChangeEvent;
use crate::nesting::TooDeep;

/// `2024-01-02T12:01:03.120Z`: always milliseconds, as mongosh shows dates; `None` for dates
/// outside years 0-9999.
pub fn iso_date(date: DateTime) -> Option<String> {
    let text = date.try_to_rfc3339_string().ok()?;
    let (seconds, fraction) = match text.trim_end_matches('Z').split_once('.') {
        Some((seconds, fraction)) => (seconds.to_string(), fraction.to_string()),
        None => (text.trim_end_matches('Z').to_string(), String::new()),
    };
    Some(format!("{seconds}.{:0<3.3}Z", fraction))
}

/// `HH:MM:SS` or `HH:MM:SS.mmm` (UTC) of a time in milliseconds since the epoch.
pub fn time_of_day(millis: i64, with_millis: bool) -> String {
    let seconds = millis.div_euclid(1000).rem_euclid(86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if with_millis {
        format!("{clock}.{:03}", millis.rem_euclid(1000))
    } else {
        clock
    }
}

/// Why an event has no JSON value.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
    /// Not expected: the line is JSON, nested less deep than serde_json's limit (see
    /// `nesting`); said rather than written as `null`.
    #[error("its JSON does not read back: {0}")]
    Unreadable(#[from] serde_json::Error),
}

/// The event as Extended JSON (relaxed, or canonical to keep every type exact), for what
/// renders it otherwise (pretty); an error for an event nested deeper than anything walks.
pub fn json_value(event: &ChangeEvent, canonical: bool) -> Result<serde_json::Value, ValueError> {
    let line = json_line(event, canonical)?;
    Ok(serde_json::from_str(&line)?)
}

/// `2026-11-21T10:00:00Z`.
pub fn utc_seconds(millis: i64) -> String {
    // Whole seconds: RFC 3339 text has no fraction then.
    DateTime::from_millis(millis.div_euclid(1000) * 1000)
        .try_to_rfc3339_string()
        .unwrap_or_else(|_| format!("{}s", millis / 1000))
}

/// `2 h 5 min`, `3 d 4 h`, `40 s`: precise enough to see why the history is gone.
pub fn age_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} d {} h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

/// The event as messages name it: by its cluster time, as `--start-at` takes it.
pub fn event_name(event: &ChangeEvent) -> String {
    match event.cluster_time() {
        Some(ts) => format!("the event at cluster time {}:{}", ts.time, ts.increment),
        None => "an event without a cluster time".to_string(),
    }
}

/// One line of Extended JSON (relaxed, or canonical to keep every type exact). The control
/// characters serde_json leaves in strings (DEL, C1) are escaped too, as JSON allows: the
/// line may be printed to a terminal.
pub fn json_line(event: &ChangeEvent, canonical: bool) -> Result<String, TooDeep> {
    let mut line = Vec::new();
    write_json(&mut line, event.raw(), canonical)?;
    // The writer writes UTF-8: text from valid strings, and ASCII.
    Ok(String::from_utf8(line).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, oid::ObjectId, DateTime};

    #[test]
    fn utc_seconds_drop_the_milliseconds() {
        assert_eq!(utc_seconds(1_763_719_728_456), "2025-11-21T10:08:48Z");
        assert_eq!(utc_seconds(1_763_719_728_000), "2025-11-21T10:08:48Z");
        assert_eq!(utc_seconds(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(age_text(40), "40 s");
        assert_eq!(age_text(125), "2 min");
        assert_eq!(age_text(7500), "2 h 5 min");
        assert_eq!(age_text(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(age_text(-5), "0 s");
    }

    #[test]
    fn dates_and_times_of_day_keep_their_milliseconds() {
        assert_eq!(
            iso_date(DateTime::from_millis(1_764_000_000_250)).as_deref(),
            Some("2025-11-24T16:00:00.250Z")
        );
        assert_eq!(
            iso_date(DateTime::from_millis(0)).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(time_of_day(1_764_000_000_250, true), "16:00:00.250");
        assert_eq!(time_of_day(-1, false), "23:59:59");
    }

    /// What `w` writes: the pretty event, with every double as the bson crate's conversion
    /// wrote it (read back without drift).
    #[test]
    fn json_values_keep_doubles_exact() {
        for x in [
            1e-30 / 3.0,
            0.1 + 0.2,
            5e-324,
            1.797_693_134_862_315_7e308,
            -2.5e-7,
        ] {
            let document = doc! { "x": x, "nested": { "y": [x] } };
            let event = ChangeEvent::from_document(&document).unwrap();
            let old = bson::Bson::Document(document).into_relaxed_extjson();
            assert_eq!(
                serde_json::to_string_pretty(&json_value(&event, false).unwrap()).unwrap(),
                serde_json::to_string_pretty(&old).unwrap(),
                "{x:e}"
            );
        }
    }

    #[test]
    fn json_lines_hold_no_control_character() {
        let text = "a\x1b[2J\x07\x7f\u{9b}31m";
        let event = ChangeEvent::from_document(&doc! { text: text }).unwrap();
        let line = json_line(&event, false).unwrap();
        assert!(!line.contains(char::is_control), "{line:?}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back[text], text);
    }

    #[test]
    fn relaxed_and_canonical_extended_json() {
        let id = ObjectId::parse_str("64b7f0a1e4b0a1a2b3c4d5e6").unwrap();
        let event =
            ChangeEvent::from_document(&doc! { "n": 1, "id": id, "at": DateTime::from_millis(0) })
                .unwrap();
        assert_eq!(
            json_line(&event, false).unwrap(),
            r#"{"n":1,"id":{"$oid":"64b7f0a1e4b0a1a2b3c4d5e6"},"at":{"$date":"1970-01-01T00:00:00Z"}}"#
        );
        assert_eq!(
            json_line(&event, true).unwrap(),
            r#"{"n":{"$numberInt":"1"},"id":{"$oid":"64b7f0a1e4b0a1a2b3c4d5e6"},"at":{"$date":{"$numberLong":"0"}}}"#
        );
    }
}
