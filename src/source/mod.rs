//! Where events come from, and the channel protocol between the change-stream task and its
//! consumer (the headless printer or the TUI).
//!
//! The consumer sends [`Control`] messages; the task answers with [`SourceMsg`]s, each tagged
//! with the id of the watch it belongs to, so messages from a superseded watch can be dropped.

pub mod connect;
pub mod engine;
pub mod history;
pub mod recording;

use std::time::Duration;

use bson::{Document, Timestamp};
use mongodb::options::{Collation, FullDocumentBeforeChangeType, FullDocumentType};

use crate::event::ChangeEvent;

/// What to watch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Scope {
    #[default]
    Deployment,
    Database(String),
    Collection {
        db: String,
        coll: String,
    },
}

impl Scope {
    /// `db.coll`, `db`, or empty / `*` for the whole deployment. The collection part may itself
    /// contain dots (`db.a.b` is collection `a.b`).
    pub fn parse(text: &str) -> Result<Scope, String> {
        let text = text.trim();
        if text.is_empty() || text == "*" {
            return Ok(Scope::Deployment);
        }
        if text.contains(char::is_whitespace) {
            return Err(format!(
                "namespace '{text}' contains a space; expected db or db.collection"
            ));
        }
        match text.split_once('.') {
            None => Ok(Scope::Database(text.to_string())),
            Some((db, coll)) if !db.is_empty() && !coll.is_empty() => Ok(Scope::Collection {
                db: db.to_string(),
                coll: coll.to_string(),
            }),
            _ => Err(format!("namespace '{text}' is not db or db.collection")),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Deployment => f.write_str("the whole deployment"),
            Scope::Database(db) => f.write_str(db),
            Scope::Collection { db, coll } => write!(f, "{db}.{coll}"),
        }
    }
}

/// `fullDocument`: what update events carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FullDocument {
    Default,
    #[value(name = "updateLookup")]
    UpdateLookup,
    #[value(name = "whenAvailable")]
    WhenAvailable,
    Required,
}

impl FullDocument {
    /// The server's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            FullDocument::Default => "default",
            FullDocument::UpdateLookup => "updateLookup",
            FullDocument::WhenAvailable => "whenAvailable",
            FullDocument::Required => "required",
        }
    }

    pub fn driver_option(self) -> FullDocumentType {
        match self {
            FullDocument::Default => FullDocumentType::Other("default".to_string()),
            FullDocument::UpdateLookup => FullDocumentType::UpdateLookup,
            FullDocument::WhenAvailable => FullDocumentType::WhenAvailable,
            FullDocument::Required => FullDocumentType::Required,
        }
    }
}

/// `fullDocumentBeforeChange`: whether events carry the pre-image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreImage {
    Off,
    #[value(name = "whenAvailable")]
    WhenAvailable,
    Required,
}

impl PreImage {
    /// The server's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            PreImage::Off => "off",
            PreImage::WhenAvailable => "whenAvailable",
            PreImage::Required => "required",
        }
    }

    pub fn driver_option(self) -> FullDocumentBeforeChangeType {
        match self {
            PreImage::Off => FullDocumentBeforeChangeType::Off,
            PreImage::WhenAvailable => FullDocumentBeforeChangeType::WhenAvailable,
            PreImage::Required => FullDocumentBeforeChangeType::Required,
        }
    }
}

/// The change-stream options a user can set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamOptions {
    pub full_document: Option<FullDocument>,
    pub pre_image: Option<PreImage>,
    pub expanded_events: bool,
    pub batch_size: Option<u32>,
    pub max_await: Option<Duration>,
    pub collation: Option<Document>,
    pub comment: Option<String>,
}

/// A collation document (`{locale: "en", strength: 2}`) as the driver takes it; the error
/// says what is wrong with it.
pub fn collation(doc: &Document) -> Result<Collation, String> {
    bson::from_document(doc.clone()).map_err(|e| format!("invalid collation {doc}: {e}"))
}

/// Where a watch starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Start {
    /// From now on.
    #[default]
    Now,
    /// Right after the current watch's position when the scope is unchanged (a new pipeline
    /// or new options lose no event and repeat none); otherwise from now.
    Continue,
    ResumeAfter(Document),
    /// Like `ResumeAfter`, but also accepts an invalidate event's token.
    StartAfter(Document),
    AtTime(Timestamp),
}

/// What to watch and how; the default is the whole deployment, unfiltered, from now on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchSpec {
    pub scope: Scope,
    pub pipeline: Vec<Document>,
    pub options: StreamOptions,
    pub start: Start,
}

/// Consumer -> task.
#[derive(Debug)]
pub enum Control {
    /// Start (or replace) the watch. If the server refuses it, the current one keeps running.
    Watch {
        id: u64,
        spec: Box<WatchSpec>,
    },
    /// Stop reading (the server cursor stays open) until `Resume`.
    Pause,
    Resume,
    Stop,
}

/// The state of the running watch.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Connecting,
    Live,
    Paused,
    /// The stream failed with an error it can resume from (a lost connection, a server
    /// stepping down); the task is reopening it from its last token.
    Resuming(String),
    /// The resume point is older than the server's oplog.
    HistoryLost(String),
    /// The watched collection or database was dropped or renamed; `token` (the invalidate
    /// event's) can continue with `startAfter`.
    Invalidated {
        token: Option<Document>,
    },
    /// A non-recoverable error ended the stream.
    Failed(String),
}

/// Task -> consumer.
#[derive(Debug)]
pub enum SourceMsg {
    /// The watch is open; from now on its messages replace those of the previous one.
    Started {
        watch: u64,
    },
    /// The server refused a new watch; the previous one (if any) keeps running.
    Rejected {
        watch: u64,
        error: String,
        /// The start point is older than the server's oplog (286 ChangeStreamHistoryLost):
        /// starting later, with `Start::AtTime`, may work (see [`history::oldest_after`]).
        history_lost: bool,
    },
    Events {
        watch: u64,
        events: Vec<ChangeEvent>,
    },
    Status {
        watch: u64,
        status: Status,
    },
    /// After an outage, the watch was opened again from where it had got to (a `Live` status
    /// follows). An outage that ends without it was the driver's monitoring alone.
    Reopened {
        watch: u64,
    },
}

/// The TUI shows documents and diffs, so unless told otherwise it asks for what they need:
/// the current document on updates, and pre-images where the server has them (6.0+).
pub fn tui_defaults(options: &mut StreamOptions, version: Option<&str>) {
    options
        .full_document
        .get_or_insert(FullDocument::UpdateLookup);
    let major = version
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    if major.is_some_and(|m| m >= 6) {
        options.pre_image.get_or_insert(PreImage::WhenAvailable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tui_asks_for_documents_and_pre_images_unless_told_otherwise() {
        let mut options = StreamOptions::default();
        tui_defaults(&mut options, Some("7.0.14"));
        assert_eq!(options.full_document, Some(FullDocument::UpdateLookup));
        assert_eq!(options.pre_image, Some(PreImage::WhenAvailable));
        let mut old = StreamOptions {
            full_document: Some(FullDocument::Default),
            ..StreamOptions::default()
        };
        tui_defaults(&mut old, Some("5.0.3"));
        assert_eq!(old.full_document, Some(FullDocument::Default));
        assert_eq!(old.pre_image, None, "pre-images need 6.0");
    }

    #[test]
    fn namespaces_name_a_collection_a_database_or_everything() {
        let collection = |db: &str, coll: &str| Scope::Collection {
            db: db.into(),
            coll: coll.into(),
        };
        assert_eq!(Scope::parse(""), Ok(Scope::Deployment));
        assert_eq!(Scope::parse(" * "), Ok(Scope::Deployment));
        assert_eq!(Scope::parse("shop"), Ok(Scope::Database("shop".into())));
        assert_eq!(
            Scope::parse("shop.orders"),
            Ok(collection("shop", "orders"))
        );
        assert_eq!(Scope::parse("shop.a.b"), Ok(collection("shop", "a.b")));
        for bad in ["shop.", ".orders", "a b"] {
            let error = Scope::parse(bad).unwrap_err();
            assert!(error.contains(&format!("'{bad}'")), "{error}");
        }
    }
}
