//! Bookmarks: a moment of a change stream, kept with everything needed to replay from it
//! (its resume token, what was watched, with which pipeline and options, and where).
//!
//! [`Bookmark::from_event`] makes one from a received event; [`BookmarkStore`] keeps them in
//! `bookmarks.json`.
//! The `mwatch bookmarks` command and `--resume NAME` live in `src/commands/`.

mod json;
mod names;
mod store;
mod token;

use bson::{DateTime, Document, Timestamp};
use serde::{Deserialize, Serialize};

use crate::event::{ChangeEvent, OpType};
use crate::format::utc_seconds;
use crate::nesting;
use crate::redact::RedactedUri;
use crate::source::{Scope, Start, StreamOptions, WatchSpec};

pub use json::{ns_text, options_document};
pub use store::{default_path, BookmarkStore, ImportReport, StoreError};
pub use token::token_time;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bookmark {
    pub name: String,
    #[serde(default)]
    pub note: String,
    /// The event's resume token (its `_id`).
    #[serde(with = "json::ejson")]
    pub token: Document,
    /// The token is an invalidate event's: replay with `startAfter` (`resumeAfter` refuses it).
    #[serde(default)]
    pub invalidate: bool,
    /// What was watched, as `--ns` takes it.
    #[serde(rename = "ns", with = "json::ns")]
    pub scope: Scope,
    #[serde(default, with = "json::ejson")]
    pub pipeline: Vec<Document>,
    /// The pipeline as the user wrote it (comments, mongosh syntax), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_text: Option<String>,
    #[serde(default, with = "json::options")]
    pub options: StreamOptions,
    #[serde(default, with = "json::ejson")]
    pub cluster_time: Option<Timestamp>,
    #[serde(default, with = "json::ejson")]
    pub wall_time: Option<DateTime>,
    /// The event's operation type, as the server named it.
    #[serde(default)]
    pub op: String,
    /// The event's namespace (the scope may be a whole database or deployment).
    #[serde(default)]
    pub event_ns: Option<String>,
    #[serde(default, with = "json::ejson")]
    pub document_key: Option<Document>,
    /// The connection string, with any password hidden.
    #[serde(default)]
    pub deployment: RedactedUri,
    #[serde(default, with = "json::ejson")]
    pub created_at: Option<DateTime>,
}

impl Bookmark {
    /// A bookmark of `event`, received by a watch of `spec` on `deployment`, named with
    /// [`Bookmark::default_name`].
    /// None when the event has no resume token to come back to.
    pub fn from_event(
        event: &ChangeEvent,
        spec: &WatchSpec,
        deployment: &RedactedUri,
        created_at: DateTime,
    ) -> Option<Bookmark> {
        let token = event.resume_token()?;
        let mut bookmark = Bookmark {
            name: String::new(),
            note: String::new(),
            cluster_time: event.cluster_time().or_else(|| token_time(&token)),
            token,
            invalidate: event.op() == OpType::Invalidate,
            scope: spec.scope.clone(),
            pipeline: spec.pipeline.clone(),
            pipeline_text: None,
            options: spec.options.clone(),
            wall_time: event.wall_time(),
            op: event.op_name().to_string(),
            event_ns: event.namespace(),
            document_key: event
                .document_key()
                .and_then(|key| nesting::to_document(key).ok().flatten()),
            deployment: deployment.clone(),
            created_at: Some(created_at),
        };
        bookmark.name = bookmark.default_name();
        Some(bookmark)
    }

    /// `<ns>@<time>`: the event's namespace (else the scope) and its time in UTC, to the second.
    pub fn default_name(&self) -> String {
        let ns = self.namespace();
        let millis = self
            .event_millis()
            .or(self.created_at.map(|t| t.timestamp_millis()))
            .unwrap_or(0);
        format!("{ns}@{}", utc_seconds(millis))
    }

    /// The event's namespace, else (an event of no namespace) what was watched, as `--ns`
    /// takes it.
    pub fn namespace(&self) -> String {
        self.event_ns
            .clone()
            .unwrap_or_else(|| ns_text(&self.scope))
    }

    /// The pipeline's text for the editor: as the user wrote it if it still says what the
    /// stages say (a hand-edited file may not), else the stages as JSON.
    pub fn pipeline_text(&self) -> String {
        match &self.pipeline_text {
            Some(text) if crate::pipeline::parse(text).is_ok_and(|p| p.stages == self.pipeline) => {
                text.clone()
            }
            _ => crate::pipeline::to_text(&self.pipeline),
        }
    }

    /// The `Start` a replay uses.
    pub fn start(&self) -> Start {
        if self.invalidate {
            Start::StartAfter(self.token.clone())
        } else {
            Start::ResumeAfter(self.token.clone())
        }
    }

    /// When the bookmarked event happened, in milliseconds since the epoch, if known.
    pub fn event_millis(&self) -> Option<i64> {
        self.wall_time
            .map(|t| t.timestamp_millis())
            .or(self.cluster_time.map(|ts| i64::from(ts.time) * 1000))
    }
}

/// A bookmark of an insert into `shop.orders` at 2025-11-21T10:00:00Z, for tests to vary.
#[cfg(test)]
pub(crate) fn sample(name: &str) -> Bookmark {
    Bookmark {
        name: name.into(),
        note: String::new(),
        token: bson::doc! { "_data": "8269203820000000012B0229296E04" },
        invalidate: false,
        scope: Scope::Collection {
            db: "shop".into(),
            coll: "orders".into(),
        },
        pipeline: Vec::new(),
        pipeline_text: None,
        options: StreamOptions::default(),
        cluster_time: Some(Timestamp {
            time: 1_763_719_200,
            increment: 1,
        }),
        wall_time: Some(DateTime::from_millis(1_763_719_200_000)),
        op: "insert".into(),
        event_ns: Some("shop.orders".into()),
        document_key: Some(bson::doc! { "_id": 1 }),
        deployment: RedactedUri::new("mongodb://h:27017/"),
        created_at: None,
    }
}

/// Why a name cannot be a bookmark's, if it cannot.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a bookmark name cannot be empty".to_string());
    }
    if name.trim() != name {
        return Err(format!(
            "bookmark name '{name}' starts or ends with a space"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a bookmark name cannot hold control characters".to_string());
    }
    // `--resume` reads text starting with '{' as a token.
    if name.starts_with('{') {
        return Err(format!(
            "bookmark name '{name}' starts with '{{' and would read as a resume token"
        ));
    }
    Ok(())
}

/// Names close to `wanted`: holding it, or a few typos away from it; closest first.
pub fn close_names<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let typos_allowed = (wanted.chars().count() / 3).max(1);
    let mut close: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let distance = if lower.contains(&wanted) {
                0
            } else {
                strsim::levenshtein(&wanted, &lower)
            };
            (distance <= typos_allowed).then_some((distance, name))
        })
        .collect();
    close.sort();
    close.into_iter().take(3).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn spec() -> WatchSpec {
        WatchSpec {
            scope: Scope::Database("shop".into()),
            pipeline: vec![doc! { "$match": { "operationType": "insert" } }],
            options: StreamOptions {
                expanded_events: true,
                ..StreamOptions::default()
            },
            start: Start::Now,
        }
    }

    fn event(op: &str) -> ChangeEvent {
        ChangeEvent::from_document(&doc! {
            "_id": { "_data": "8269203A30000000032B0229296E04" },
            "operationType": op,
            "clusterTime": Timestamp { time: 1_763_719_728, increment: 3 },
            "wallTime": DateTime::from_millis(1_763_719_728_456),
            "ns": { "db": "shop", "coll": "orders" },
            "documentKey": { "_id": 7 },
        })
        .unwrap()
    }

    #[test]
    fn a_bookmark_keeps_what_replay_needs_and_no_password() {
        let at = DateTime::from_millis(1_763_720_000_000);
        let bookmark = Bookmark::from_event(
            &event("insert"),
            &spec(),
            &RedactedUri::new("mongodb://ann:s3cr3t@db1:27017/?replicaSet=rs0"),
            at,
        )
        .unwrap();
        assert_eq!(bookmark.name, "shop.orders@2025-11-21T10:08:48Z");
        assert_eq!(
            bookmark.token.get_str("_data"),
            Ok("8269203A30000000032B0229296E04")
        );
        assert_eq!(bookmark.scope, Scope::Database("shop".into()));
        assert_eq!(bookmark.pipeline, spec().pipeline);
        assert!(bookmark.options.expanded_events);
        assert_eq!(bookmark.op, "insert");
        assert_eq!(bookmark.document_key, Some(doc! { "_id": 7 }));
        assert_eq!(
            bookmark.deployment.as_str(),
            "mongodb://ann:****@db1:27017/?replicaSet=rs0"
        );
        assert_eq!(bookmark.created_at, Some(at));
        assert_eq!(bookmark.start(), Start::ResumeAfter(bookmark.token.clone()));
        assert!(!bookmark.invalidate);
    }

    #[test]
    fn an_invalidate_replays_with_start_after() {
        let bookmark = Bookmark::from_event(
            &event("invalidate"),
            &spec(),
            &RedactedUri::new("mongodb://h"),
            DateTime::from_millis(0),
        )
        .unwrap();
        assert!(bookmark.invalidate);
        assert_eq!(bookmark.start(), Start::StartAfter(bookmark.token.clone()));
    }

    #[test]
    fn an_event_without_a_token_cannot_be_bookmarked() {
        let event = ChangeEvent::from_document(&doc! { "operationType": "insert" }).unwrap();
        assert!(Bookmark::from_event(
            &event,
            &spec(),
            &RedactedUri::new("mongodb://h"),
            DateTime::now()
        )
        .is_none());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("before the fix").is_ok());
        for bad in ["", "  ", " x", "a\nb", "{\"_data\": 1}"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn close_names_catch_typos_and_parts() {
        let names = [
            "shop.orders@2025-11-21T10:08:48Z",
            "before-fix",
            "after-fix",
            "unrelated",
        ];
        assert_eq!(close_names("befor-fix", names.into_iter()), ["before-fix"]);
        assert_eq!(
            close_names("FIX", names.into_iter()),
            ["after-fix", "before-fix"]
        );
        assert_eq!(
            close_names("orders", names.into_iter()),
            ["shop.orders@2025-11-21T10:08:48Z"]
        );
        assert!(close_names("zzz", names.into_iter()).is_empty());
    }
}
