//! Events as text: Extended JSON lines for `--json`, recordings and export; mongosh-style
//! documents for the screen (`mongosh`).

pub mod mongosh;

use bson::Bson;

use crate::event::ChangeEvent;

/// One line of Extended JSON (relaxed, or canonical to keep every type exact).
pub fn json_line(event: &ChangeEvent, canonical: bool) -> String {
    let Some(doc) = event.to_document() else {
        return "{}".to_string();
    };
    let value = if canonical {
        Bson::Document(doc).into_canonical_extjson()
    } else {
        Bson::Document(doc).into_relaxed_extjson()
    };
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, oid::ObjectId, DateTime};

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
