//! Everything the server holds, behind one lock: the data (`storage`), the oplog and its clock,
//! open cursors, and the settings the hello reply advertises. `failpoints.rs` owns fault injection
//! (`configureFailPoint`), `metrics.rs` the command counters that `serverStatus` reports.

pub(crate) mod failpoints;
pub(crate) mod metrics;

use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use bson::{doc, Binary, DateTime, Document, Timestamp};

use crate::auth::Users;
use crate::changestream::oplog::{Clock, Entry, Op, Oplog};
use crate::changestream::StreamCursor;
use crate::error::{CmdResult, CommandError};
use crate::state::failpoints::FailPoints;
use crate::state::metrics::Metrics;
use crate::storage::{Collection, Namespace, Storage};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `host:port` as the hello reply advertises it.
    pub host: String,
    pub standalone: bool,
    pub users: Users,
}

#[derive(Debug)]
pub enum Cursor {
    /// The rest of a `find` (or listCollections...) result.
    Find {
        ns: String,
        docs: VecDeque<Document>,
    },
    Stream(Box<StreamCursor>),
}

#[derive(Debug)]
pub struct State {
    pub settings: Settings,
    pub storage: Storage,
    pub oplog: Oplog,
    pub clock: Clock,
    pub cursors: HashMap<i64, Cursor>,
    pub failpoints: FailPoints,
    pub metrics: Metrics,
    next_cursor: i64,
}

pub fn now_secs() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0)
}

impl State {
    pub fn new(settings: Settings, history: usize) -> Self {
        State {
            settings,
            storage: Storage::default(),
            oplog: Oplog::new(history),
            clock: Clock::new(now_secs()),
            cursors: HashMap::new(),
            failpoints: FailPoints::default(),
            metrics: Metrics::default(),
            next_cursor: 0x2a00_0000_0000,
        }
    }

    pub fn last_ts(&self) -> Timestamp {
        self.clock.last()
    }

    /// Appends a write to the oplog and returns its cluster time.
    pub fn record(&mut self, ns: Namespace, uuid: Option<Binary>, op: Op) -> Timestamp {
        let ts = self.clock.tick(now_secs());
        self.oplog.push(Entry {
            ts,
            wall: DateTime::now(),
            ns,
            uuid,
            op,
        });
        ts
    }

    pub fn is_stream_cursor(&self, id: Option<&bson::Bson>) -> bool {
        let id = id.and_then(crate::values::to_i64).unwrap_or(0);
        matches!(self.cursors.get(&id), Some(Cursor::Stream(_)))
    }

    pub fn add_cursor(&mut self, cursor: Cursor) -> i64 {
        self.next_cursor += 1;
        self.cursors.insert(self.next_cursor, cursor);
        self.next_cursor
    }

    /// Creates a collection (recording the `create` event) with the given options.
    pub fn create_collection(&mut self, db: &str, coll: &str, options: Document) -> CmdResult<()> {
        check_name(db, coll)?;
        if self.storage.collection(db, coll).is_some() {
            return Err(CommandError::new(
                48,
                "NamespaceExists",
                format!("Collection {db}.{coll} already exists."),
            ));
        }
        let collection = Collection::new(options.clone());
        let uuid = collection.uuid.clone();
        let mut description = options;
        if !description.contains_key("viewOn") {
            description.insert(
                "idIndex",
                doc! { "v": 2, "key": { "_id": 1 }, "name": "_id_" },
            );
        }
        self.storage.insert_collection(db, coll, collection);
        self.record(
            Namespace::collection(db, coll),
            Some(uuid),
            Op::Create { description },
        );
        Ok(())
    }

    /// The collection a write goes to, created on first use as MongoDB does.
    pub fn writable(&mut self, db: &str, coll: &str) -> CmdResult<&mut Collection> {
        if self.storage.collection(db, coll).is_none() {
            self.create_collection(db, coll, Document::new())?;
        }
        let collection = self
            .storage
            .collection_mut(db, coll)
            .ok_or_else(|| CommandError::namespace_not_found(format!("{db}.{coll}")))?;
        if collection.is_view() {
            return Err(CommandError::new(
                166,
                "CommandNotSupportedOnView",
                format!("Namespace {db}.{coll} is a view, not a collection"),
            ));
        }
        Ok(collection)
    }
}

/// Names MongoDB would refuse.
pub fn check_name(db: &str, coll: &str) -> CmdResult<()> {
    let invalid = |what: String| CommandError::new(73, "InvalidNamespace", what);
    if db.is_empty() || db.contains(['/', '\\', '.', ' ', '"', '$', '\0']) {
        return Err(invalid(format!("Invalid database name: '{db}'")));
    }
    if coll.is_empty() || coll.contains(['$', '\0']) || coll.starts_with('.') {
        return Err(invalid(format!("Invalid collection name: {coll}")));
    }
    Ok(())
}
