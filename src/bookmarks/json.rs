//! How bookmarks are written as JSON. BSON values (the token, the pipeline, times, document
//! keys) are canonical Extended JSON, so every type survives a round trip exactly: a replayed
//! pipeline is the pipeline that was bookmarked. Change-stream options use MongoDB's own names.

use std::time::Duration;

use bson::{Bson, Document};
use clap::ValueEnum;
use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::source::{Scope, StreamOptions};

/// `#[serde(with = "ejson")]`: any BSON-serializable value as canonical Extended JSON.
pub mod ejson {
    use super::*;

    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        let bson = bson::to_bson(value).map_err(S::Error::custom)?;
        bson.into_canonical_extjson().serialize(s)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let json = serde_json::Value::deserialize(d)?;
        let bson = Bson::try_from(json).map_err(D::Error::custom)?;
        bson::from_bson(bson).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "ns")]`: a scope as the text `--ns` takes: `db.coll`, `db` or `*`.
pub mod ns {
    use super::*;

    pub fn serialize<S: Serializer>(scope: &Scope, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&ns_text(scope))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Scope, D::Error> {
        Scope::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "options")]`: stream options as a document of MongoDB option names.
pub mod options {
    use super::*;

    pub fn serialize<S: Serializer>(options: &StreamOptions, s: S) -> Result<S::Ok, S::Error> {
        ejson::serialize(&options_document(options), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<StreamOptions, D::Error> {
        let doc: Document = ejson::deserialize(d)?;
        parse_options(&doc).map_err(D::Error::custom)
    }
}

pub fn ns_text(scope: &Scope) -> String {
    match scope {
        Scope::Deployment => "*".to_string(),
        other => other.to_string(),
    }
}

/// The options as `$changeStream` and the drivers name them; unset ones are left out.
pub fn options_document(options: &StreamOptions) -> Document {
    let mut doc = Document::new();
    if let Some(mode) = options.full_document {
        doc.insert("fullDocument", value_name(mode));
    }
    if let Some(mode) = options.pre_image {
        doc.insert("fullDocumentBeforeChange", value_name(mode));
    }
    if options.expanded_events {
        doc.insert("showExpandedEvents", true);
    }
    if let Some(size) = options.batch_size {
        doc.insert("batchSize", i64::from(size));
    }
    if let Some(wait) = options.max_await {
        doc.insert(
            "maxAwaitTimeMS",
            i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
        );
    }
    if let Some(collation) = &options.collation {
        doc.insert("collation", collation.clone());
    }
    if let Some(comment) = &options.comment {
        doc.insert("comment", comment.clone());
    }
    doc
}

fn parse_options(doc: &Document) -> Result<StreamOptions, String> {
    let mut options = StreamOptions::default();
    for (key, value) in doc {
        match key.as_str() {
            "fullDocument" => options.full_document = Some(enum_value(key, value)?),
            "fullDocumentBeforeChange" => options.pre_image = Some(enum_value(key, value)?),
            "showExpandedEvents" => {
                options.expanded_events = value
                    .as_bool()
                    .ok_or_else(|| format!("option {key} must be true or false"))?
            }
            "batchSize" => {
                options.batch_size = Some(
                    integer(value)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("option {key} must be a positive integer"))?,
                )
            }
            "maxAwaitTimeMS" => {
                let millis = integer(value)
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("option {key} must be a positive integer"))?;
                options.max_await = Some(Duration::from_millis(millis));
            }
            "collation" => {
                options.collation = Some(
                    value
                        .as_document()
                        .cloned()
                        .ok_or_else(|| format!("option {key} must be a document"))?,
                )
            }
            "comment" => {
                options.comment = Some(
                    value
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("option {key} must be a string"))?,
                )
            }
            _ => return Err(format!("unknown change-stream option '{key}'")),
        }
    }
    Ok(options)
}

fn value_name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

fn enum_value<T: ValueEnum>(key: &str, value: &Bson) -> Result<T, String> {
    let names = || {
        T::value_variants()
            .iter()
            .map(|v| value_name(v.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    value
        .as_str()
        .and_then(|text| T::from_str(text, false).ok())
        .ok_or_else(|| format!("option {key} must be one of {}", names()))
}

fn integer(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FullDocument, PreImage};
    use bson::doc;

    #[test]
    fn options_round_trip_under_mongodb_names() {
        let options = StreamOptions {
            full_document: Some(FullDocument::UpdateLookup),
            pre_image: Some(PreImage::WhenAvailable),
            expanded_events: true,
            batch_size: Some(50),
            max_await: Some(Duration::from_millis(250)),
            collation: Some(doc! { "locale": "en", "strength": 2 }),
            comment: Some("why".into()),
        };
        let doc = options_document(&options);
        assert_eq!(doc.get_str("fullDocument"), Ok("updateLookup"));
        assert_eq!(doc.get_str("fullDocumentBeforeChange"), Ok("whenAvailable"));
        assert_eq!(doc.get_i64("maxAwaitTimeMS"), Ok(250));
        assert_eq!(parse_options(&doc), Ok(options));
        assert_eq!(parse_options(&doc! {}), Ok(StreamOptions::default()));
        // Numbers of either integer width, as a hand-written or older file may hold.
        let small = parse_options(&doc! { "batchSize": 50_i32, "maxAwaitTimeMS": 250_i32 });
        assert_eq!(
            small.map(|o| (o.batch_size, o.max_await)),
            Ok((Some(50), Some(Duration::from_millis(250))))
        );
        assert_eq!(options_document(&StreamOptions::default()), doc! {});
    }

    #[test]
    fn scopes_read_as_ns_takes_them() {
        let collection = Scope::Collection {
            db: "shop".into(),
            coll: "orders".into(),
        };
        let texts = [
            Scope::Deployment,
            Scope::Database("shop".into()),
            collection,
        ]
        .map(|s| ns_text(&s));
        assert_eq!(texts, ["*", "shop", "shop.orders"]);
    }

    #[test]
    fn bad_options_are_named() {
        let error = parse_options(&doc! { "fullDocument": "sometimes" }).unwrap_err();
        assert_eq!(
            error,
            "option fullDocument must be one of default, updateLookup, whenAvailable, required"
        );
        for (key, value) in [("batchSize", -1), ("batchSize", 0), ("maxAwaitTimeMS", 0)] {
            let error = parse_options(&doc! { key: value }).unwrap_err();
            assert_eq!(error, format!("option {key} must be a positive integer"));
        }
        let error = parse_options(&doc! { "resumeAfter": {} }).unwrap_err();
        assert_eq!(error, "unknown change-stream option 'resumeAfter'");
    }
}
