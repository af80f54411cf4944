//! Reads and cursors: find, count, aggregate (`$changeStream`, or over a collection with
//! `aggregate::collection`), getMore, killCursors.

use std::collections::VecDeque;

use bson::{doc, Bson, Document};

use super::{array_arg, collection_arg, count_arg, cursor_reply, doc_arg};
use crate::aggregate::collection::sort_documents;
use crate::changestream;
use crate::error::{CmdResult, CommandError};
use crate::projection::Projection;
use crate::query::Filter;
use crate::state::{Cursor, State};
use crate::values::bson_size;

const DEFAULT_BATCH: usize = 101;
/// Keeps a getMore reply well under the 48 MB message limit.
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Documents of a collection that match `filter`, in natural order.
pub(super) fn matching<'a>(
    state: &'a State,
    db: &str,
    coll: &str,
    filter: &Filter,
) -> Vec<&'a Document> {
    state
        .storage
        .collection(db, coll)
        .map(|c| c.docs.values().filter(|d| filter.matches(d)).collect())
        .unwrap_or_default()
}

pub(super) fn parse_filter(command: &Document, name: &str, field: &str) -> CmdResult<Filter> {
    Filter::parse(doc_arg(command, name, field)?.unwrap_or(&Document::new()))
}

pub fn find(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "find")?;
    let filter = parse_filter(command, "find", "filter")?;
    let projection = match doc_arg(command, "find", "projection")? {
        Some(spec) if !spec.is_empty() => Some(Projection::parse(spec, false)?),
        _ => None,
    };
    let skip = count_arg(command, "find", "skip")?.unwrap_or(0);
    // A negative limit means "one batch of at most that many", as the legacy protocol did.
    let (limit, single_batch) = match command.get("limit").and_then(crate::values::to_i64) {
        Some(n) if n < 0 => (Some(n.unsigned_abs() as usize), true),
        _ => (
            count_arg(command, "find", "limit")?.filter(|n| *n > 0),
            false,
        ),
    };
    let single_batch = single_batch || command.get_bool("singleBatch").unwrap_or(false);
    let batch_size = count_arg(command, "find", "batchSize")?.unwrap_or(DEFAULT_BATCH);

    let mut docs = matching(state, db, coll, &filter);
    if let Some(sort) = doc_arg(command, "find", "sort")? {
        sort_documents(&mut docs, sort)?;
    }
    let selected = docs
        .into_iter()
        .skip(skip)
        .take(limit.unwrap_or(usize::MAX));
    let mut results = VecDeque::new();
    for doc in selected {
        results.push_back(match &projection {
            Some(p) => p.apply(doc)?,
            None => doc.clone(),
        });
    }
    let ns = format!("{db}.{coll}");
    Ok(first_batch(state, ns, results, batch_size, single_batch))
}

/// The reply with the first `batch_size` results; a cursor keeps the rest for getMore.
fn first_batch(
    state: &mut State,
    ns: String,
    mut results: VecDeque<Document>,
    batch_size: usize,
    single_batch: bool,
) -> Document {
    let first: Vec<Document> = results.drain(..batch_size.min(results.len())).collect();
    let id = if results.is_empty() || single_batch {
        0
    } else {
        state.add_cursor(Cursor::Find {
            ns: ns.clone(),
            docs: results,
        })
    };
    cursor_reply("firstBatch", first, id, &ns)
}

pub fn count(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "count")?;
    let filter = parse_filter(command, "count", "query")?;
    let skip = count_arg(command, "count", "skip")?.unwrap_or(0);
    let limit = count_arg(command, "count", "limit")?
        .filter(|n| *n > 0)
        .unwrap_or(usize::MAX);
    let n = matching(state, db, coll, &filter)
        .len()
        .saturating_sub(skip)
        .min(limit);
    Ok(doc! { "n": n as i64, "ok": 1.0 })
}

/// Change streams, and simple aggregations over a collection (see `aggregate::collection`).
pub fn aggregate(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let stages = array_arg(command, "aggregate", "pipeline")?
        .ok_or_else(|| super::missing("aggregate", "pipeline"))?;
    let is_change_stream = |stage: &Bson| {
        stage
            .as_document()
            .is_some_and(|s| s.contains_key("$changeStream"))
    };
    let batch_size =
        match doc_arg(command, "aggregate", "cursor")? {
            Some(cursor) => count_arg(cursor, "aggregate", "batchSize")?.unwrap_or(DEFAULT_BATCH),
            None => return Err(CommandError::failed_to_parse(
                "The 'cursor' option is required, except for aggregate with the explain argument",
            )),
        };
    if !stages.first().is_some_and(is_change_stream) {
        if stages.iter().any(is_change_stream) {
            return Err(CommandError::new(
                40602,
                "Location40602",
                "$changeStream is only valid as the first stage in a pipeline",
            ));
        }
        let coll = collection_arg(command, "aggregate")?;
        let docs = state
            .storage
            .collection(db, coll)
            .map(|c| c.docs.values().cloned().collect())
            .unwrap_or_default();
        let results = crate::aggregate::collection::run(docs, stages)?.into();
        return Ok(first_batch(
            state,
            format!("{db}.{coll}"),
            results,
            batch_size,
            false,
        ));
    }
    if state.settings.standalone {
        return Err(CommandError::new(
            40573,
            "Location40573",
            "The $changeStream stage is only supported on replica sets",
        ));
    }
    let mut cursor = changestream::open(command, db, stages, &state.oplog, state.clock.last())?;
    let batch = changestream::read(
        &mut cursor,
        &state.oplog,
        &state.storage,
        state.clock.last(),
        batch_size,
        MAX_BATCH_BYTES,
    )?;
    let ns = cursor.reply_ns.clone();
    let id = if batch.closed {
        0
    } else {
        state.add_cursor(Cursor::Stream(Box::new(cursor)))
    };
    Ok(stream_reply("firstBatch", batch, id, &ns))
}

fn stream_reply(field: &str, batch: changestream::Batch, id: i64, ns: &str) -> Document {
    doc! {
        "cursor": {
            field: batch.events,
            "postBatchResumeToken": batch.resume_token.to_document(),
            "id": id,
            "ns": ns,
        },
        "ok": 1.0,
    }
}

/// getMore. On a change stream with nothing new, returns `None` when the caller may wait
/// for a write and ask again.
pub fn get_more(
    state: &mut State,
    command: &Document,
    may_wait: bool,
) -> CmdResult<Option<Document>> {
    let id = match command.get("getMore") {
        Some(Bson::Int64(id)) => *id,
        Some(Bson::Int32(id)) => i64::from(*id),
        Some(other) => return Err(super::wrong_type("getMore", "getMore", other, "long")),
        None => return Err(super::missing("getMore", "getMore")),
    };
    let batch_size = count_arg(command, "getMore", "batchSize")?.filter(|n| *n > 0);
    let not_found = || CommandError::new(43, "CursorNotFound", format!("cursor id {id} not found"));
    let reply = match state.cursors.get_mut(&id).ok_or_else(not_found)? {
        Cursor::Find { ns, docs } => {
            let mut batch = Vec::new();
            let mut bytes = 0;
            while batch.len() < batch_size.unwrap_or(usize::MAX) && bytes < MAX_BATCH_BYTES {
                let Some(doc) = docs.pop_front() else { break };
                bytes += bson_size(&doc);
                batch.push(doc);
            }
            let ns = ns.clone();
            let exhausted = docs.is_empty();
            if exhausted {
                state.cursors.remove(&id);
            }
            cursor_reply("nextBatch", batch, if exhausted { 0 } else { id }, &ns)
        }
        Cursor::Stream(cursor) => {
            let read = changestream::read(
                cursor,
                &state.oplog,
                &state.storage,
                state.clock.last(),
                batch_size.unwrap_or(usize::MAX),
                MAX_BATCH_BYTES,
            );
            let batch = match read {
                Ok(batch) => batch,
                Err(error) => {
                    // As with mongod, a failed getMore kills its cursor: the events read
                    // before the failure went nowhere, so no later getMore may skip them.
                    state.cursors.remove(&id);
                    return Err(error);
                }
            };
            if batch.events.is_empty() && !batch.closed && may_wait {
                return Ok(None);
            }
            let ns = cursor.reply_ns.clone();
            let closed = batch.closed;
            if closed {
                state.cursors.remove(&id);
            }
            stream_reply("nextBatch", batch, if closed { 0 } else { id }, &ns)
        }
    };
    Ok(Some(reply))
}

pub fn kill_cursors(state: &mut State, command: &Document) -> CmdResult<Document> {
    let ids = array_arg(command, "killCursors", "cursors")?
        .ok_or_else(|| super::missing("killCursors", "cursors"))?;
    let (mut killed, mut not_found) = (Vec::new(), Vec::new());
    for id in ids {
        let id = crate::values::to_i64(id).unwrap_or(0);
        if state.cursors.remove(&id).is_some() {
            killed.push(id);
        } else {
            not_found.push(id);
        }
    }
    Ok(doc! {
        "cursorsKilled": killed,
        "cursorsNotFound": not_found,
        "cursorsAlive": [],
        "cursorsUnknown": [],
        "ok": 1.0,
    })
}
