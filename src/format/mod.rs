//! Events as text: Extended JSON lines for `--json`, recordings and export; mongosh-style
//! documents for the screen (`mongosh`).

pub mod mongosh;

use bson::{Bson, DateTime};

use crate::event::ChangeEvent;

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

/// The event as Extended JSON (relaxed, or canonical to keep every type exact).
pub fn json_value(event: &ChangeEvent, canonical: bool) -> serde_json::Value {
    let Some(doc) = event.to_document() else {
        return serde_json::Value::Object(serde_json::Map::new());
    };
    if canonical {
        Bson::Document(doc).into_canonical_extjson()
    } else {
        Bson::Document(doc).into_relaxed_extjson()
    }
}

/// One line of Extended JSON (relaxed, or canonical to keep every type exact).
pub fn json_line(event: &ChangeEvent, canonical: bool) -> String {
    json_value(event, canonical).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, oid::ObjectId, DateTime};

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

    #[test]
    fn relaxed_and_canonical_extended_json() {
        let id = ObjectId::parse_str("64b7f0a1e4b0a1a2b3c4d5e6").unwrap();
        let event =
            ChangeEvent::from_document(&doc! { "n": 1, "id": id, "at": DateTime::from_millis(0) })
                .unwrap();
        assert_eq!(
            json_line(&event, false),
            r#"{"n":1,"id":{"$oid":"64b7f0a1e4b0a1a2b3c4d5e6"},"at":{"$date":"1970-01-01T00:00:00Z"}}"#
        );
        assert_eq!(
            json_line(&event, true),
            r#"{"n":{"$numberInt":"1"},"id":{"$oid":"64b7f0a1e4b0a1a2b3c4d5e6"},"at":{"$date":{"$numberLong":"0"}}}"#
        );
    }
}
