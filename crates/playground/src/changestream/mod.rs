//! Change streams. This file parses the `$changeStream` stage, turns oplog entries into change
//! events for one stream's scope and options (then runs the stream's pipeline from
//! `aggregate::stages` on them), and reads them in batches; `oplog.rs` owns the operation log that
//! every write appends to and the cluster clock that stamps it; `token.rs` owns resume tokens,
//! which name a position in that log. Waiting for the next event is the server's job, not this
//! folder's.

pub(crate) mod oplog;
pub(crate) mod token;

use bson::{doc, Bson, Document, Timestamp};

use crate::aggregate::stages::Pipeline;
use crate::changestream::oplog::{successor, Entry, Op, Oplog};
use crate::changestream::token::Token;
use crate::error::{CmdResult, CommandError};
use crate::storage::{Namespace, Storage};

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Collection(Namespace),
    Database(String),
    Cluster,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FullDocument {
    Default,
    UpdateLookup,
    WhenAvailable,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PreImage {
    Off,
    WhenAvailable,
    Required,
}

#[derive(Debug)]
pub struct StreamSpec {
    pub scope: Scope,
    pub full_document: FullDocument,
    pub pre_image: PreImage,
    pub expanded: bool,
    pub pipeline: Pipeline,
}

/// An open change-stream cursor: what it watches and the last point it has read.
#[derive(Debug)]
pub struct StreamCursor {
    pub spec: StreamSpec,
    pub position: Token,
    /// `ns` as the cursor replies show it (`db.coll`, `db.$cmd.aggregate`, ...).
    pub reply_ns: String,
}

/// One batch read from a stream.
#[derive(Debug)]
pub struct Batch {
    pub events: Vec<Document>,
    pub resume_token: Token,
    /// The stream was invalidated: the cursor closes after this batch.
    pub closed: bool,
}

const ADMIN_DBS: [&str; 3] = ["admin", "config", "local"];

/// Parses the aggregate command of a change stream and picks its starting point.
pub fn open(
    command: &Document,
    db: &str,
    stages: &[Bson],
    oplog: &Oplog,
    now: Timestamp,
) -> CmdResult<StreamCursor> {
    let options = match stages.first() {
        Some(Bson::Document(stage)) => match stage.get("$changeStream") {
            Some(Bson::Document(options)) => options,
            _ => {
                return Err(CommandError::type_mismatch(
                    "$changeStream stage must be an object",
                ))
            }
        },
        _ => {
            return Err(CommandError::type_mismatch(
                "$changeStream stage must be an object",
            ))
        }
    };
    let all_for_cluster = options.get_bool("allChangesForCluster").unwrap_or(false);
    let scope = scope_of(command, db, all_for_cluster)?;
    let mut start: Option<Token> = None;
    let mut full_document = FullDocument::Default;
    let mut pre_image = PreImage::Off;
    let mut expanded = false;
    let (mut resume_after, mut start_after, mut start_at) = (None, None, None);
    for (key, value) in options {
        match key.as_str() {
            "fullDocument" => {
                full_document = match enum_value(key, value)? {
                    "default" => FullDocument::Default,
                    "updateLookup" => FullDocument::UpdateLookup,
                    "whenAvailable" => FullDocument::WhenAvailable,
                    "required" => FullDocument::Required,
                    other => return Err(bad_enum(key, other)),
                }
            }
            "fullDocumentBeforeChange" => {
                pre_image = match enum_value(key, value)? {
                    "off" => PreImage::Off,
                    "whenAvailable" => PreImage::WhenAvailable,
                    "required" => PreImage::Required,
                    other => return Err(bad_enum(key, other)),
                }
            }
            "showExpandedEvents" => expanded = value.as_bool().unwrap_or(false),
            "resumeAfter" => resume_after = Some(Token::parse(value)?),
            "startAfter" => start_after = Some(Token::parse(value)?),
            "startAtOperationTime" => match value {
                Bson::Timestamp(ts) => start_at = Some(*ts),
                _ => return Err(CommandError::type_mismatch(
                    "BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'",
                )),
            },
            "allChangesForCluster" | "comment" | "allowToRunOnConfigDB" | "allowToRunOnSystemNS" => {}
            other => {
                return Err(CommandError::new(
                    40415,
                    "Location40415",
                    format!("BSON field '$changeStream.{other}' is an unknown field."),
                ))
            }
        }
    }
    if resume_after.is_some() && start_after.is_some() {
        return Err(CommandError::new(
            50865,
            "Location50865",
            "Do not specify both 'resumeAfter' and 'startAfter' in a $changeStream stage",
        ));
    }
    if (resume_after.is_some() || start_after.is_some()) && start_at.is_some() {
        return Err(CommandError::new(
            40674,
            "Location40674",
            "Only one type of resume option is allowed, but multiple were found.",
        ));
    }
    if let Some(token) = resume_after {
        if token.from_invalidate {
            return Err(CommandError::new(
                260,
                "InvalidResumeToken",
                "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.",
            ));
        }
    }
    if let Some(token) = resume_after.or(start_after) {
        check_resumable(token, oplog)?;
        start = Some(token);
    }
    if let Some(ts) = start_at {
        if oplog.is_lost(ts) {
            return Err(history_lost());
        }
        start = Some(Token::high_water_mark(ts));
    }
    let pipeline = Pipeline::parse(&stages[1..])?;
    let reply_ns = match &scope {
        Scope::Collection(ns) => ns.to_string(),
        Scope::Database(db) => format!("{db}.$cmd.aggregate"),
        Scope::Cluster => "admin.$cmd.aggregate".to_string(),
    };
    Ok(StreamCursor {
        spec: StreamSpec {
            scope,
            full_document,
            pre_image,
            expanded,
            pipeline,
        },
        position: start.unwrap_or_else(|| Token::high_water_mark(successor(now))),
        reply_ns,
    })
}

fn enum_value<'a>(key: &str, value: &'a Bson) -> CmdResult<&'a str> {
    value.as_str().ok_or_else(|| {
        CommandError::type_mismatch(format!(
            "BSON field '$changeStream.{key}' is the wrong type '{}', expected type 'string'",
            crate::values::type_name(value)
        ))
    })
}

fn bad_enum(key: &str, value: &str) -> CommandError {
    CommandError::bad_value(format!(
        "Enumeration value '{value}' for field '$changeStream.{key}' is not a valid value."
    ))
}

fn scope_of(command: &Document, db: &str, all_for_cluster: bool) -> CmdResult<Scope> {
    let collection = match command.get("aggregate") {
        Some(Bson::String(coll)) => Some(coll.as_str()),
        _ => None,
    };
    if all_for_cluster {
        if db != "admin" || collection.is_some() {
            return Err(CommandError::invalid_options(
                "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name",
            ));
        }
        return Ok(Scope::Cluster);
    }
    let internal = |what: String| {
        CommandError::new(
            73,
            "InvalidNamespace",
            format!("$changeStream may not be opened on the internal {what}"),
        )
    };
    if ADMIN_DBS.contains(&db) {
        return Err(internal(format!("{db} database")));
    }
    match collection {
        Some(coll) if coll.starts_with("system.") => {
            Err(internal(format!("{db}.{coll} collection")))
        }
        Some(coll) => Ok(Scope::Collection(Namespace::collection(db, coll))),
        None => Ok(Scope::Database(db.to_string())),
    }
}

fn history_lost() -> CommandError {
    CommandError::new(
        286,
        "ChangeStreamHistoryLost",
        "Resume of change stream was not possible, as the resume point may no longer be in the oplog.",
    )
    .with_label("NonResumableChangeStreamError")
}

fn check_resumable(token: Token, oplog: &Oplog) -> CmdResult<()> {
    let ts = token.timestamp();
    if oplog.is_lost(ts) {
        return Err(history_lost());
    }
    if token.kind == crate::changestream::token::Kind::Event && !oplog.contains(ts) {
        return Err(CommandError::new(
            280,
            "ChangeStreamFatalError",
            format!(
                "cannot resume stream; the resume token was not found. {}",
                Bson::Document(token.to_document())
            ),
        )
        .with_label("NonResumableChangeStreamError"));
    }
    Ok(())
}

/// Reads up to `limit` events (or about `max_bytes`) after the cursor's position, moving it forward. With no more
/// events, the position becomes a high-water mark past everything written so far.
pub fn read(
    cursor: &mut StreamCursor,
    oplog: &Oplog,
    storage: &Storage,
    now: Timestamp,
    limit: usize,
    max_bytes: usize,
) -> CmdResult<Batch> {
    // A stream whose next events left the kept history would silently skip them: MongoDB
    // fails it instead.
    if oplog.is_lost(cursor.position.unread_from()) {
        return Err(history_lost());
    }
    let mut events = Vec::new();
    let mut bytes = 0;
    let mut index = oplog.position(cursor.position.timestamp());
    while let Some(entry) = oplog.get(index) {
        index += 1;
        for (token, event) in events_for(entry, &cursor.spec, storage)? {
            if token <= cursor.position {
                continue;
            }
            let invalidate = token.from_invalidate;
            if let Some(out) = transform(&cursor.spec.pipeline, event)? {
                bytes += crate::values::bson_size(&out);
                events.push(out);
            }
            cursor.position = token;
            if invalidate {
                return Ok(Batch {
                    events,
                    resume_token: token,
                    closed: true,
                });
            }
            if events.len() >= limit || bytes >= max_bytes {
                return Ok(Batch {
                    events,
                    resume_token: token,
                    closed: false,
                });
            }
        }
    }
    let caught_up = Token::high_water_mark(successor(now));
    if caught_up > cursor.position {
        cursor.position = caught_up;
    }
    Ok(Batch {
        events,
        resume_token: cursor.position,
        closed: false,
    })
}

/// Runs the user's stages; the event's `_id` must come through untouched.
fn transform(pipeline: &Pipeline, event: Document) -> CmdResult<Option<Document>> {
    if pipeline.is_empty() {
        return Ok(Some(event));
    }
    let id = event.get("_id").cloned();
    let Some(out) = pipeline.apply(event)? else {
        return Ok(None);
    };
    if out.get("_id") != id.as_ref() {
        return Err(CommandError::new(
            280,
            "ChangeStreamFatalError",
            "Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.",
        )
        .with_label("NonResumableChangeStreamError"));
    }
    Ok(Some(out))
}

/// Whether an entry shows in a stream, and whether it ends the stream.
fn visibility(scope: &Scope, entry: &Entry) -> (bool, bool) {
    let ends = matches!(entry.op, Op::Drop | Op::Rename { .. } | Op::DropDatabase);
    match scope {
        Scope::Collection(ns) => {
            if matches!(entry.op, Op::DropDatabase) {
                (entry.ns.db == ns.db, entry.ns.db == ns.db)
            } else {
                (entry.ns == *ns, entry.ns == *ns && ends)
            }
        }
        Scope::Database(db) => {
            let shown = entry.ns.db == *db && !is_system(&entry.ns);
            (shown, shown && matches!(entry.op, Op::DropDatabase))
        }
        Scope::Cluster => (
            !ADMIN_DBS.contains(&entry.ns.db.as_str()) && !is_system(&entry.ns),
            false,
        ),
    }
}

fn is_system(ns: &Namespace) -> bool {
    ns.coll.as_deref().is_some_and(|c| c.starts_with("system."))
}

/// The change events (before the user's pipeline) that one oplog entry produces for a stream.
pub fn events_for(
    entry: &Entry,
    spec: &StreamSpec,
    storage: &Storage,
) -> CmdResult<Vec<(Token, Document)>> {
    let (shown, invalidates) = visibility(&spec.scope, entry);
    let mut out = Vec::new();
    if shown && (spec.expanded || !entry.op.is_expanded_only()) {
        let token = Token::event(entry.ts, 0, false);
        out.push((token, event(entry, token, spec, storage)?));
    }
    if invalidates {
        let token = Token::event(entry.ts, 1, true);
        out.push((
            token,
            doc! {
                "_id": token.to_document(),
                "operationType": "invalidate",
                "clusterTime": entry.ts,
                "wallTime": entry.wall,
            },
        ));
    }
    Ok(out)
}

fn operation_type(op: &Op) -> &'static str {
    match op {
        Op::Insert { .. } => "insert",
        Op::Update { .. } => "update",
        Op::Replace { .. } => "replace",
        Op::Delete { .. } => "delete",
        Op::Create { .. } => "create",
        Op::CreateIndexes { .. } => "createIndexes",
        Op::DropIndexes { .. } => "dropIndexes",
        Op::Modify { .. } => "modify",
        Op::Drop => "drop",
        Op::Rename { .. } => "rename",
        Op::DropDatabase => "dropDatabase",
    }
}

/// One change event, with MongoDB's field order.
fn event(entry: &Entry, token: Token, spec: &StreamSpec, storage: &Storage) -> CmdResult<Document> {
    let mut e = doc! {
        "_id": token.to_document(),
        "operationType": operation_type(&entry.op),
        "clusterTime": entry.ts,
    };
    if spec.expanded {
        if let Some(uuid) = &entry.uuid {
            e.insert("collectionUUID", uuid.clone());
        }
    }
    e.insert("wallTime", entry.wall);
    match &entry.op {
        Op::Insert { doc } => {
            e.insert("fullDocument", doc.clone());
            insert_ns_and_key(&mut e, entry, doc.get("_id"));
        }
        Op::Update {
            id,
            description,
            images,
        } => {
            let post = images.as_ref().map(|i| &i.post);
            match spec.full_document {
                FullDocument::Default => {}
                FullDocument::UpdateLookup => {
                    let current = entry
                        .ns
                        .coll
                        .as_deref()
                        .and_then(|coll| storage.collection(&entry.ns.db, coll))
                        .and_then(|c| c.get(id));
                    e.insert(
                        "fullDocument",
                        current.cloned().map_or(Bson::Null, Bson::Document),
                    );
                }
                FullDocument::WhenAvailable | FullDocument::Required => {
                    if spec.full_document == FullDocument::Required && post.is_none() {
                        return Err(missing_image("a post-image for all update events", &e));
                    }
                    e.insert(
                        "fullDocument",
                        post.cloned().map_or(Bson::Null, Bson::Document),
                    );
                }
            }
            insert_ns_and_key(&mut e, entry, Some(id));
            e.insert("updateDescription", description.to_document(spec.expanded));
            insert_pre_image(&mut e, spec, images.as_ref().map(|i| &i.pre))?;
        }
        Op::Replace { doc, pre_image } => {
            e.insert("fullDocument", doc.clone());
            insert_ns_and_key(&mut e, entry, doc.get("_id"));
            insert_pre_image(&mut e, spec, pre_image.as_ref())?;
        }
        Op::Delete { id, pre_image } => {
            insert_ns_and_key(&mut e, entry, Some(id));
            insert_pre_image(&mut e, spec, pre_image.as_ref())?;
        }
        Op::Create { description } => {
            e.insert("ns", entry.ns.to_document());
            e.insert("operationDescription", description.clone());
        }
        Op::CreateIndexes { indexes } | Op::DropIndexes { indexes } => {
            e.insert("ns", entry.ns.to_document());
            e.insert("operationDescription", doc! { "indexes": indexes.clone() });
        }
        Op::Modify {
            description,
            before,
        } => {
            e.insert("ns", entry.ns.to_document());
            e.insert("operationDescription", description.clone());
            e.insert(
                "stateBeforeChange",
                doc! { "collectionOptions": before.clone() },
            );
        }
        Op::Drop | Op::DropDatabase => {
            e.insert("ns", entry.ns.to_document());
        }
        Op::Rename { to, drop_target } => {
            e.insert("ns", entry.ns.to_document());
            e.insert("to", to.to_document());
            if spec.expanded {
                let mut description = doc! { "to": to.to_document() };
                if let Some(uuid) = drop_target {
                    description.insert("dropTarget", uuid.clone());
                }
                e.insert("operationDescription", description);
            }
        }
    }
    Ok(e)
}

fn insert_ns_and_key(e: &mut Document, entry: &Entry, id: Option<&Bson>) {
    e.insert("ns", entry.ns.to_document());
    e.insert(
        "documentKey",
        doc! { "_id": id.cloned().unwrap_or(Bson::Null) },
    );
}

fn insert_pre_image(e: &mut Document, spec: &StreamSpec, pre: Option<&Document>) -> CmdResult<()> {
    match spec.pre_image {
        PreImage::Off => {}
        PreImage::Required if pre.is_none() => {
            return Err(missing_image(
                "a pre-image for all update, delete and replace events",
                e,
            ))
        }
        PreImage::WhenAvailable | PreImage::Required => {
            e.insert(
                "fullDocumentBeforeChange",
                pre.cloned().map_or(Bson::Null, Bson::Document),
            );
        }
    }
    Ok(())
}

fn missing_image(what: &str, event: &Document) -> CommandError {
    CommandError::new(
        47,
        "NoMatchingDocument",
        format!(
            "Change stream was configured to require {what}, but the {} was not found for event: {}",
            if what.contains("pre-image") { "pre-image" } else { "post-image" },
            Bson::Document(event.clone())
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changestream::oplog::Clock;
    use bson::DateTime;

    /// An insert into `d.c` in the clock's current second.
    fn insert(oplog: &mut Oplog, clock: &mut Clock, n: i32) {
        let ts = clock.tick(clock.last().time);
        oplog.push(Entry {
            ts,
            wall: DateTime::from_millis(0),
            ns: Namespace::collection("d", "c"),
            uuid: None,
            op: Op::Insert {
                doc: doc! { "_id": n },
            },
        });
    }

    #[test]
    fn a_caught_up_stream_whose_next_event_left_the_history_fails_with_286() {
        let (mut oplog, mut clock, storage) = (Oplog::new(1), Clock::new(100), Storage::default());
        let stages = [Bson::Document(doc! { "$changeStream": {} })];
        let command = doc! { "aggregate": "c" };
        let mut cursor = open(&command, "d", &stages, &oplog, clock.last()).unwrap();
        // Caught up: the position is a high-water mark at the next write's cluster time.
        let batch = read(&mut cursor, &oplog, &storage, clock.last(), 10, usize::MAX).unwrap();
        assert!(batch.events.is_empty());
        // That write, then one more that pushes it out of the one-entry history, unread.
        insert(&mut oplog, &mut clock, 1);
        insert(&mut oplog, &mut clock, 2);
        let error = read(&mut cursor, &oplog, &storage, clock.last(), 10, usize::MAX).unwrap_err();
        assert_eq!(error.code, 286);
    }

    #[test]
    fn a_stream_that_read_the_dropped_entry_goes_on() {
        let (mut oplog, mut clock, storage) = (Oplog::new(1), Clock::new(100), Storage::default());
        let stages = [Bson::Document(doc! { "$changeStream": {} })];
        let command = doc! { "aggregate": "c" };
        let mut cursor = open(&command, "d", &stages, &oplog, clock.last()).unwrap();
        insert(&mut oplog, &mut clock, 1);
        let batch = read(&mut cursor, &oplog, &storage, clock.last(), 1, usize::MAX).unwrap();
        assert_eq!(batch.events.len(), 1);
        insert(&mut oplog, &mut clock, 2);
        let batch = read(&mut cursor, &oplog, &storage, clock.last(), 10, usize::MAX).unwrap();
        assert_eq!(batch.events.len(), 1);
    }
}
