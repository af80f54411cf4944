//! Commands. This file dispatches a command document by name to one function per command, all
//! synchronous under the state lock, and shapes the reply body. `handshake.rs` answers what
//! drivers ask about the server (hello, buildInfo, ...); `crud.rs` owns the writes, where every
//! document change also goes to the oplog; `ddl.rs` databases, collections and indexes; `read.rs`
//! find, count, aggregate, getMore and killCursors. (A change-stream getMore that has to wait for
//! a write is parked by `server.rs`.)

mod crud;
mod ddl;
pub mod handshake;
mod read;

use bson::{doc, Bson, Document};

use super::error::{CmdResult, CommandError};
use super::state::State;

pub use read::get_more;

pub const COMMAND_NOT_FOUND: i32 = 59;

/// Runs one command and returns its reply body (without the cluster-time envelope).
pub fn run(state: &mut State, command: &Document, connection_id: i32) -> CmdResult<Document> {
    let name = command.keys().next().map(String::as_str).unwrap_or("");
    let db = command.get_str("$db").unwrap_or("admin");
    match name {
        "hello" | "isMaster" | "ismaster" => Ok(handshake::hello(state, command, connection_id)),
        "buildInfo" | "buildinfo" => Ok(handshake::build_info()),
        "serverStatus" => Ok(handshake::server_status(state)),
        "ping" | "endSessions" | "killAllSessions" | "killSessions" | "refreshSessions"
        | "logout" => Ok(ok()),
        "getParameter" => {
            Ok(doc! { "featureCompatibilityVersion": { "version": "7.0" }, "ok": 1.0 })
        }
        "listDatabases" => ddl::list_databases(state, command),
        "listCollections" => ddl::list_collections(state, command, db),
        "create" => ddl::create(state, command, db),
        "collMod" => ddl::coll_mod(state, command, db),
        "drop" => ddl::drop(state, command, db),
        "dropDatabase" => ddl::drop_database(state, db),
        "renameCollection" => ddl::rename(state, command, db),
        "createIndexes" => ddl::create_indexes(state, command, db),
        "dropIndexes" | "deleteIndexes" => ddl::drop_indexes(state, command, db),
        "listIndexes" => ddl::list_indexes(state, command, db),
        "insert" => crud::insert(state, command, db),
        "update" => crud::update(state, command, db),
        "delete" => crud::delete(state, command, db),
        "findAndModify" | "findandmodify" => crud::find_and_modify(state, command, db),
        "find" => read::find(state, command, db),
        "count" => read::count(state, command, db),
        "aggregate" => read::aggregate(state, command, db),
        "getMore" => get_more(state, command, false).map(|reply| reply.unwrap_or_default()),
        "killCursors" => read::kill_cursors(state, command),
        "configureFailPoint" if db == "admin" => state.failpoints.configure(command),
        "" => Err(CommandError::failed_to_parse("empty command")),
        other => Err(CommandError::new(
            COMMAND_NOT_FOUND,
            "CommandNotFound",
            format!("no such command: '{other}'"),
        )),
    }
}

pub fn ok() -> Document {
    doc! { "ok": 1.0 }
}

/// The collection name a command names in its first field (`{find: "orders", ...}`).
fn collection_arg<'a>(command: &'a Document, name: &str) -> CmdResult<&'a str> {
    match command.get(name) {
        Some(Bson::String(coll)) if !coll.is_empty() => Ok(coll),
        Some(Bson::String(_)) => Err(CommandError::new(
            73,
            "InvalidNamespace",
            "Invalid namespace specified",
        )),
        Some(other) => Err(wrong_type(name, name, other, "string")),
        None => Err(missing(name, name)),
    }
}

fn wrong_type(command: &str, field: &str, value: &Bson, expected: &str) -> CommandError {
    CommandError::type_mismatch(format!(
        "BSON field '{command}.{field}' is the wrong type '{}', expected type '{expected}'",
        super::values::type_name(value)
    ))
}

fn missing(command: &str, field: &str) -> CommandError {
    CommandError::new(
        40414,
        "Location40414",
        format!("BSON field '{command}.{field}' is missing but a required field"),
    )
}

/// An optional sub-document argument.
fn doc_arg<'a>(command: &'a Document, name: &str, field: &str) -> CmdResult<Option<&'a Document>> {
    match command.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d)),
        Some(other) => Err(wrong_type(name, field, other, "object")),
    }
}

/// An optional array argument.
fn array_arg<'a>(
    command: &'a Document,
    name: &str,
    field: &str,
) -> CmdResult<Option<&'a Vec<Bson>>> {
    match command.get(field) {
        None => Ok(None),
        Some(Bson::Array(a)) => Ok(Some(a)),
        Some(other) => Err(wrong_type(name, field, other, "array")),
    }
}

/// An optional non-negative count (`limit`, `skip`, `batchSize`).
fn count_arg(command: &Document, name: &str, field: &str) -> CmdResult<Option<usize>> {
    match command.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(value) => match super::values::to_i64(value) {
            Some(n) if n >= 0 => Ok(Some(n as usize)),
            Some(n) => Err(CommandError::bad_value(format!(
                "{field} value must be non-negative, but received: {n}"
            ))),
            None => Err(wrong_type(name, field, value, "long")),
        },
    }
}

/// A cursor reply: `{cursor: {<batch_field>, id: Int64, ns}, ok}`.
fn cursor_reply(batch_field: &str, batch: Vec<Document>, id: i64, ns: &str) -> Document {
    doc! {
        "cursor": { batch_field: batch, "id": id, "ns": ns },
        "ok": 1.0,
    }
}
