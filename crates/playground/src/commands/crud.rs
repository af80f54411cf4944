//! Writes: insert, update, delete, findAndModify. Every change to a document goes through
//! `insert_document`, `change_document` or `remove_document`, which also write the oplog.

use bson::{doc, oid::ObjectId, Bson, DateTime, Document};

use super::read::{matching, parse_filter};
use super::{array_arg, collection_arg, doc_arg};
use crate::aggregate::collection::sort_documents;
use crate::aggregate::stages::Pipeline;
use crate::changestream::oplog::{Images, Op};
use crate::depth;
use crate::error::{CmdResult, CommandError};
use crate::projection::Projection;
use crate::query::Filter;
use crate::state::State;
use crate::storage::{IdKey, Namespace};
use crate::update::desc::describe;
use crate::update::{upsert_seed, Update, UpdateContext};

/// What an update statement's `u` holds.
enum Change {
    Update(Update),
    /// An aggregation pipeline (`u: [{$set: ...}]`).
    Pipeline(Pipeline),
}

impl Change {
    fn parse(value: Option<&Bson>, field: &str) -> CmdResult<Change> {
        match value {
            Some(Bson::Document(spec)) => Ok(Change::Update(Update::parse(spec)?)),
            Some(Bson::Array(stages)) => Ok(Change::Pipeline(Pipeline::parse(stages)?)),
            Some(other) => Err(super::wrong_type("update", field, other, "object")),
            None => Err(super::missing("update", field)),
        }
    }

    fn is_replacement(&self) -> bool {
        matches!(self, Change::Update(Update::Replacement(_)))
    }

    /// The document the change makes of `doc`, if MongoDB would store it.
    fn apply(&self, state: &State, doc: &Document, is_insert: bool) -> CmdResult<Document> {
        let changed = match self {
            Change::Update(update) => update.apply(
                doc,
                &UpdateContext {
                    now: DateTime::now(),
                    now_ts: state.last_ts(),
                    is_insert,
                },
            ),
            Change::Pipeline(pipeline) => {
                let mut out = pipeline.apply(doc.clone())?.unwrap_or_default();
                // `_id` survives pipeline updates, in first position.
                if let Some(id) = doc.get("_id") {
                    out.remove("_id");
                    let mut with_id = doc! { "_id": id.clone() };
                    with_id.extend(out);
                    out = with_id;
                }
                Ok(out)
            }
        }?;
        depth::check_stored(&changed, depth::Write::Update)?;
        Ok(changed)
    }
}

fn duplicate_key(ns: &str, id: &Bson) -> CommandError {
    CommandError::new(
        11000,
        "DuplicateKey",
        format!("E11000 duplicate key error collection: {ns} index: _id_ dup key: {{ _id: {id} }}"),
    )
}

/// Stores a new document (adding an ObjectId `_id` if it has none) and returns its `_id`.
fn insert_document(state: &mut State, db: &str, coll: &str, mut doc: Document) -> CmdResult<Bson> {
    depth::check_stored(&doc, depth::Write::Insert)?;
    let id = match doc.get("_id") {
        Some(Bson::Array(_)) => {
            return Err(CommandError::new(
                2,
                "BadValue",
                "can't use an array for _id",
            ));
        }
        Some(id) => id.clone(),
        None => {
            let id = Bson::ObjectId(ObjectId::new());
            let mut with_id = doc! { "_id": id.clone() };
            with_id.extend(doc);
            doc = with_id;
            id
        }
    };
    let collection = state.writable(db, coll)?;
    let key = IdKey::of(&id);
    if collection.docs.contains_key(&key) {
        return Err(duplicate_key(&format!("{db}.{coll}"), &id));
    }
    collection.docs.insert(key, doc.clone());
    let uuid = Some(collection.uuid.clone());
    state.record(Namespace::collection(db, coll), uuid, Op::Insert { doc });
    Ok(id)
}

/// Replaces `before` with `after` in place, recording an update or a replace event.
fn change_document(
    state: &mut State,
    db: &str,
    coll: &str,
    before: &Document,
    after: Document,
    replacement: bool,
) -> CmdResult<()> {
    let id = before.get("_id").cloned().unwrap_or(Bson::Null);
    let collection = state.writable(db, coll)?;
    let images = collection.images_enabled();
    let uuid = Some(collection.uuid.clone());
    if let Some(slot) = collection.docs.get_mut(&IdKey::of(&id)) {
        *slot = after.clone();
    }
    let op = if replacement {
        Op::Replace {
            doc: after,
            pre_image: images.then(|| before.clone()),
        }
    } else {
        Op::Update {
            id,
            description: Box::new(describe(before, &after)),
            images: images.then(|| Images {
                pre: before.clone(),
                post: after,
            }),
        }
    };
    state.record(Namespace::collection(db, coll), uuid, op);
    Ok(())
}

fn remove_document(state: &mut State, db: &str, coll: &str, doc: &Document) -> CmdResult<()> {
    let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
    let collection = state.writable(db, coll)?;
    collection.docs.shift_remove(&IdKey::of(&id));
    let pre_image = collection.images_enabled().then(|| doc.clone());
    let uuid = Some(collection.uuid.clone());
    state.record(
        Namespace::collection(db, coll),
        uuid,
        Op::Delete { id, pre_image },
    );
    Ok(())
}

/// Collects per-statement errors as `writeErrors`; an ordered batch stops at the first.
struct WriteErrors {
    ordered: bool,
    errors: Vec<Document>,
}

impl WriteErrors {
    fn new(command: &Document) -> Self {
        WriteErrors {
            ordered: command.get_bool("ordered").unwrap_or(true),
            errors: Vec::new(),
        }
    }

    /// Records a failed statement; returns whether to stop.
    fn push(&mut self, index: usize, error: &CommandError) -> bool {
        let mut entry =
            doc! { "index": index as i32, "code": error.code, "errmsg": &error.message };
        if error.code == 11000 {
            entry.insert("keyPattern", doc! { "_id": 1 });
        }
        self.errors.push(entry);
        self.ordered
    }

    fn finish(self, mut reply: Document) -> Document {
        if !self.errors.is_empty() {
            reply.insert("writeErrors", self.errors);
        }
        reply.insert("ok", 1.0);
        reply
    }
}

fn statements<'a>(command: &'a Document, name: &str, field: &str) -> CmdResult<Vec<&'a Document>> {
    let items = array_arg(command, name, field)?.ok_or_else(|| super::missing(name, field))?;
    items
        .iter()
        .map(|item| match item {
            Bson::Document(d) => Ok(d),
            other => Err(super::wrong_type(name, field, other, "object")),
        })
        .collect()
}

pub fn insert(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "insert")?;
    crate::state::check_name(db, coll)?;
    let docs = statements(command, "insert", "documents")?;
    let mut errors = WriteErrors::new(command);
    let mut n = 0;
    for (index, doc) in docs.into_iter().enumerate() {
        match insert_document(state, db, coll, doc.clone()) {
            Ok(_) => n += 1,
            Err(e) if errors.push(index, &e) => break,
            Err(_) => {}
        }
    }
    Ok(errors.finish(doc! { "n": n }))
}

/// The outcome of one update statement.
#[derive(Default)]
struct Updated {
    matched: i32,
    modified: i32,
    upserted: Option<Bson>,
}

fn update_one_statement(
    state: &mut State,
    db: &str,
    coll: &str,
    statement: &Document,
) -> CmdResult<Updated> {
    let query =
        doc_arg(statement, "update", "q")?.ok_or_else(|| super::missing("update.updates", "q"))?;
    let filter = Filter::parse(query)?;
    let change = Change::parse(statement.get("u"), "u")?;
    let multi = statement.get_bool("multi").unwrap_or(false);
    if multi && change.is_replacement() {
        return Err(CommandError::failed_to_parse(
            "multi update is not supported for replacement-style update",
        ));
    }
    let targets: Vec<Document> = matching(state, db, coll, &filter)
        .into_iter()
        .take(if multi { usize::MAX } else { 1 })
        .cloned()
        .collect();
    let mut result = Updated::default();
    if targets.is_empty() && statement.get_bool("upsert").unwrap_or(false) {
        let seed = upsert_seed(query);
        let created = change.apply(state, &seed, true)?;
        result.upserted = Some(insert_document(state, db, coll, created)?);
        return Ok(result);
    }
    for before in targets {
        let after = change.apply(state, &before, false)?;
        result.matched += 1;
        if after != before {
            result.modified += 1;
            change_document(state, db, coll, &before, after, change.is_replacement())?;
        }
    }
    Ok(result)
}

pub fn update(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "update")?;
    crate::state::check_name(db, coll)?;
    let mut errors = WriteErrors::new(command);
    let (mut n, mut modified, mut upserted) = (0, 0, Vec::new());
    for (index, statement) in statements(command, "update", "updates")?
        .into_iter()
        .enumerate()
    {
        match update_one_statement(state, db, coll, statement) {
            Ok(result) => {
                n += result.matched;
                modified += result.modified;
                if let Some(id) = result.upserted {
                    n += 1;
                    upserted.push(doc! { "index": index as i32, "_id": id });
                }
            }
            Err(e) if errors.push(index, &e) => break,
            Err(_) => {}
        }
    }
    let mut reply = doc! { "n": n, "nModified": modified };
    if !upserted.is_empty() {
        reply.insert("upserted", upserted);
    }
    Ok(errors.finish(reply))
}

pub fn delete(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "delete")?;
    let mut errors = WriteErrors::new(command);
    let mut n = 0;
    for (index, statement) in statements(command, "delete", "deletes")?
        .into_iter()
        .enumerate()
    {
        let result = (|| -> CmdResult<i32> {
            let filter = parse_filter(statement, "delete", "q")?;
            let limit = statement
                .get("limit")
                .and_then(crate::values::to_i64)
                .unwrap_or(0);
            let targets: Vec<Document> = matching(state, db, coll, &filter)
                .into_iter()
                .take(if limit == 1 { 1 } else { usize::MAX })
                .cloned()
                .collect();
            for doc in &targets {
                remove_document(state, db, coll, doc)?;
            }
            Ok(targets.len() as i32)
        })();
        match result {
            Ok(count) => n += count,
            Err(e) if errors.push(index, &e) => break,
            Err(_) => {}
        }
    }
    Ok(errors.finish(doc! { "n": n }))
}

pub fn find_and_modify(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let name = "findAndModify";
    let coll = collection_arg(
        command,
        command.keys().next().map(String::as_str).unwrap_or(name),
    )?;
    crate::state::check_name(db, coll)?;
    let filter = parse_filter(command, name, "query")?;
    let remove = command.get_bool("remove").unwrap_or(false);
    let return_new = command.get_bool("new").unwrap_or(false);
    let upsert = command.get_bool("upsert").unwrap_or(false);
    let projection = match doc_arg(command, name, "fields")? {
        Some(spec) if !spec.is_empty() => Some(Projection::parse(spec, false)?),
        _ => None,
    };
    let change = match (remove, command.get("update")) {
        (true, Some(_)) => {
            return Err(CommandError::failed_to_parse(
                "Cannot specify both an update and remove=true",
            ))
        }
        (true, None) => None,
        (false, update) => Some(Change::parse(update, "update")?),
    };
    if remove && (upsert || return_new) {
        return Err(CommandError::failed_to_parse(
            "Cannot specify both upsert=true and remove=true",
        ));
    }
    let mut candidates = matching(state, db, coll, &filter);
    if let Some(sort) = doc_arg(command, name, "sort")? {
        sort_documents(&mut candidates, sort)?;
    }
    let target = candidates.first().map(|d| (*d).clone());
    let (value, last_error) = match (target, change) {
        (Some(before), None) => {
            remove_document(state, db, coll, &before)?;
            (Some(before), doc! { "n": 1 })
        }
        (None, None) => (None, doc! { "n": 0 }),
        (Some(before), Some(change)) => {
            let after = change.apply(state, &before, false)?;
            if after != before {
                change_document(
                    state,
                    db,
                    coll,
                    &before,
                    after.clone(),
                    change.is_replacement(),
                )?;
            }
            let value = if return_new { after } else { before };
            (Some(value), doc! { "n": 1, "updatedExisting": true })
        }
        (None, Some(change)) if upsert => {
            let query = doc_arg(command, name, "query")?
                .cloned()
                .unwrap_or_default();
            let seed = upsert_seed(&query);
            let created = change.apply(state, &seed, true)?;
            let id = insert_document(state, db, coll, created)?;
            let stored = state
                .storage
                .collection(db, coll)
                .and_then(|c| c.get(&id))
                .cloned();
            (
                stored.filter(|_| return_new),
                doc! { "n": 1, "updatedExisting": false, "upserted": id },
            )
        }
        (None, Some(_)) => (None, doc! { "n": 0, "updatedExisting": false }),
    };
    let value = match (value, projection) {
        (Some(doc), Some(p)) => Bson::Document(p.apply(&doc)?),
        (Some(doc), None) => Bson::Document(doc),
        (None, _) => Bson::Null,
    };
    Ok(doc! { "lastErrorObject": last_error, "value": value, "ok": 1.0 })
}
