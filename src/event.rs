//! A change event as mwatch keeps it: the raw BSON bytes as the server sent them, plus the few
//! fields the event list needs, read tolerantly. Anything missing or odd (an unknown operation
//! type, a server that is not quite MongoDB) is shown as it is, never an error.

use std::ops::Range;

use bson::{DateTime, Document, RawBsonRef, RawDocument, RawDocumentBuf, Timestamp};

use crate::nesting;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpType {
    Insert,
    Update,
    Replace,
    Delete,
    Drop,
    Rename,
    DropDatabase,
    Invalidate,
    Create,
    CreateIndexes,
    DropIndexes,
    Modify,
    ShardCollection,
    /// Any other (or missing) `operationType`; the raw event has the name.
    Other,
}

impl OpType {
    pub const ALL: [OpType; 14] = [
        OpType::Insert,
        OpType::Update,
        OpType::Replace,
        OpType::Delete,
        OpType::Drop,
        OpType::Rename,
        OpType::DropDatabase,
        OpType::Invalidate,
        OpType::Create,
        OpType::CreateIndexes,
        OpType::DropIndexes,
        OpType::Modify,
        OpType::ShardCollection,
        OpType::Other,
    ];

    pub fn from_name(name: &str) -> OpType {
        OpType::ALL
            .into_iter()
            .find(|op| *op != OpType::Other && op.name() == name)
            .unwrap_or(OpType::Other)
    }

    pub fn name(self) -> &'static str {
        match self {
            OpType::Insert => "insert",
            OpType::Update => "update",
            OpType::Replace => "replace",
            OpType::Delete => "delete",
            OpType::Drop => "drop",
            OpType::Rename => "rename",
            OpType::DropDatabase => "dropDatabase",
            OpType::Invalidate => "invalidate",
            OpType::Create => "create",
            OpType::CreateIndexes => "createIndexes",
            OpType::DropIndexes => "dropIndexes",
            OpType::Modify => "modify",
            OpType::ShardCollection => "shardCollection",
            OpType::Other => "other",
        }
    }
}

/// One received event. Kept small: the bytes plus three extracted fields and where its `ns`
/// is; everything else is read from the bytes when it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEvent {
    raw: Box<[u8]>,
    op: OpType,
    cluster_time: Option<Timestamp>,
    wall_time: Option<DateTime>,
    /// Where the `ns` document is in `raw` (empty if there is none): every arriving event is
    /// asked for its namespace (the store counts them, the namespace pane looks for new ones),
    /// which then reads no other field.
    ns: Range<u32>,
}

impl ChangeEvent {
    /// Reads the extracted fields in one pass over the event's fields (of a field named twice,
    /// the last counts), off the UI's path: the change-stream task makes the events.
    pub fn from_raw(raw: RawDocumentBuf) -> ChangeEvent {
        let doc: &RawDocument = &raw;
        let (mut op, mut cluster_time, mut wall_time, mut ns) = (OpType::Other, None, None, 0..0);
        for (key, value) in doc.iter().filter_map(Result::ok) {
            match (key, value) {
                ("operationType", RawBsonRef::String(name)) => op = OpType::from_name(name),
                ("clusterTime", RawBsonRef::Timestamp(ts)) => cluster_time = Some(ts),
                ("wallTime", RawBsonRef::DateTime(dt)) => wall_time = Some(dt),
                ("ns", RawBsonRef::Document(inner)) => ns = within(doc, inner),
                _ => {}
            }
        }
        ChangeEvent {
            raw: raw.into_bytes().into_boxed_slice(),
            op,
            cluster_time,
            wall_time,
            ns,
        }
    }

    pub fn from_document(doc: &Document) -> Option<ChangeEvent> {
        RawDocumentBuf::from_document(doc)
            .ok()
            .map(ChangeEvent::from_raw)
    }

    pub fn raw(&self) -> &RawDocument {
        // The bytes came from a RawDocumentBuf, so they are a well-framed document.
        RawDocument::from_bytes(&self.raw).unwrap_or_else(|_| empty())
    }

    /// Size of the event in BSON bytes.
    pub fn size(&self) -> usize {
        self.raw.len()
    }

    pub fn op(&self) -> OpType {
        self.op
    }

    /// The operation type as the server named it (also for unknown ones).
    pub fn op_name(&self) -> &str {
        match self.raw().get("operationType") {
            Ok(Some(RawBsonRef::String(name))) => name,
            _ => "?",
        }
    }

    pub fn cluster_time(&self) -> Option<Timestamp> {
        self.cluster_time
    }

    pub fn wall_time(&self) -> Option<DateTime> {
        self.wall_time
    }

    /// `db.coll`, or `db` for database-level events.
    pub fn namespace(&self) -> Option<String> {
        Some(match self.ns()? {
            (db, Some(coll)) => format!("{db}.{coll}"),
            (db, None) => db.to_string(),
        })
    }

    /// The database and collection the event names, borrowed: what is asked of every event
    /// that arrives builds no string.
    pub fn ns(&self) -> Option<(&str, Option<&str>)> {
        let ns = self.ns_document()?;
        // `get`, not bson's `get_str`: that builds its error's `String` even when the field
        // is there.
        let text = |key| match ns.get(key) {
            Ok(Some(RawBsonRef::String(text))) => Some(text),
            _ => None,
        };
        Some((text("db")?, text("coll")))
    }

    /// The event's `ns` document.
    pub fn ns_document(&self) -> Option<&RawDocument> {
        let bytes = self.raw.get(self.ns.start as usize..self.ns.end as usize)?;
        RawDocument::from_bytes(bytes).ok()
    }

    pub fn document_key(&self) -> Option<&RawDocument> {
        self.raw().get_document("documentKey").ok()
    }

    /// The event's `_id`: its resume token (none if nested deeper than anything walks).
    pub fn resume_token(&self) -> Option<Document> {
        let token = self.raw().get_document("_id").ok()?;
        nesting::to_document(token).ok().flatten()
    }

    /// The event as an owned document; `None` if it is not well formed or nested deeper than
    /// anything walks.
    pub fn to_document(&self) -> Option<Document> {
        nesting::to_document(self.raw()).ok().flatten()
    }
}

fn empty() -> &'static RawDocument {
    const EMPTY: [u8; 5] = [5, 0, 0, 0, 0];
    RawDocument::from_bytes(&EMPTY).expect("the empty document is valid")
}

/// Where `part` (a document read from `whole`) lies in `whole`'s bytes.
fn within(whole: &RawDocument, part: &RawDocument) -> Range<u32> {
    let start = part.as_bytes().as_ptr() as usize - whole.as_bytes().as_ptr() as usize;
    let end = start + part.as_bytes().len();
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(start), Ok(end)) => start..end,
        _ => 0..0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn event(doc: Document) -> ChangeEvent {
        ChangeEvent::from_document(&doc).unwrap()
    }

    #[test]
    fn extracts_the_summary_fields() {
        let e = event(doc! {
            "_id": { "_data": "82AB" },
            "operationType": "update",
            "clusterTime": Timestamp { time: 5, increment: 1 },
            "wallTime": DateTime::from_millis(5000),
            "ns": { "db": "shop", "coll": "orders" },
            "documentKey": { "_id": 7 },
        });
        assert_eq!(e.op(), OpType::Update);
        assert_eq!(
            e.cluster_time(),
            Some(Timestamp {
                time: 5,
                increment: 1
            })
        );
        assert_eq!(e.wall_time(), Some(DateTime::from_millis(5000)));
        assert_eq!(e.namespace().as_deref(), Some("shop.orders"));
        assert_eq!(e.ns(), Some(("shop", Some("orders"))));
        assert_eq!(e.document_key().unwrap().get_i32("_id").unwrap(), 7);
        assert_eq!(e.resume_token(), Some(doc! { "_data": "82AB" }));
    }

    #[test]
    fn tolerates_odd_and_unknown_events() {
        let e = event(
            doc! { "operationType": "reshardCollection", "clusterTime": "not a timestamp", "ns": { "db": "x" } },
        );
        assert_eq!(e.op(), OpType::Other);
        assert_eq!(e.op_name(), "reshardCollection");
        assert_eq!(e.cluster_time(), None);
        assert_eq!(e.namespace().as_deref(), Some("x"));
        assert!(e.resume_token().is_none());
        assert_eq!(event(doc! { "ns": "shop.orders" }).ns(), None);
        let bare = event(doc! {});
        assert_eq!(
            (bare.op(), bare.op_name(), bare.namespace()),
            (OpType::Other, "?", None)
        );
    }

    #[test]
    fn every_known_name_round_trips() {
        for op in OpType::ALL.into_iter().filter(|op| *op != OpType::Other) {
            assert_eq!(OpType::from_name(op.name()), op);
        }
    }
}
