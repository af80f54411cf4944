//! Databases, collections and indexes: list, create, modify, rename, drop.

use bson::{doc, Bson, Document};

use super::{array_arg, collection_arg, cursor_reply, doc_arg};
use crate::changestream::oplog::Op;
use crate::error::{CmdResult, CommandError};
use crate::query::Filter;
use crate::state::{check_name, State};
use crate::storage::{Collection, Namespace};

/// Databases every replica set has; listed like MongoDB lists them.
const SYSTEM_DATABASES: [&str; 3] = ["admin", "config", "local"];

/// `create` options kept and shown by listCollections; other fields are command plumbing.
const COLLECTION_OPTIONS: [&str; 12] = [
    "viewOn",
    "pipeline",
    "changeStreamPreAndPostImages",
    "capped",
    "size",
    "max",
    "validator",
    "validationLevel",
    "validationAction",
    "collation",
    "timeseries",
    "expireAfterSeconds",
];

pub fn list_databases(state: &mut State, command: &Document) -> CmdResult<Document> {
    let name_only = command.get_bool("nameOnly").unwrap_or(false);
    let filter =
        Filter::parse(doc_arg(command, "listDatabases", "filter")?.unwrap_or(&Document::new()))?;
    let mut names: Vec<&str> = state.storage.dbs.keys().map(String::as_str).collect();
    names.extend(SYSTEM_DATABASES);
    names.sort_unstable();
    names.dedup();
    let mut databases = Vec::new();
    let mut total: i64 = 0;
    for name in names {
        let size: i64 = state
            .storage
            .dbs
            .get(name)
            .map(|colls| colls.values().map(|c| c.size_bytes() as i64).sum())
            .unwrap_or(0);
        // Real servers never report zero bytes for a database that exists.
        let size = size.max(8192);
        let entry = if name_only {
            doc! { "name": name }
        } else {
            doc! { "name": name, "sizeOnDisk": size, "empty": false }
        };
        if filter.matches(&entry) {
            total += size;
            databases.push(entry);
        }
    }
    if name_only {
        return Ok(doc! { "databases": databases, "ok": 1.0 });
    }
    Ok(doc! {
        "databases": databases,
        "totalSize": total,
        "totalSizeMb": total / (1024 * 1024),
        "ok": 1.0,
    })
}

fn collection_info(name: &str, collection: &Collection) -> Document {
    if collection.is_view() {
        return doc! {
            "name": name,
            "type": "view",
            "options": collection.options.clone(),
            "info": { "readOnly": true },
        };
    }
    doc! {
        "name": name,
        "type": "collection",
        "options": collection.options.clone(),
        "info": { "readOnly": false, "uuid": collection.uuid.clone() },
        "idIndex": { "v": 2, "key": { "_id": 1 }, "name": "_id_" },
    }
}

pub fn list_collections(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let filter =
        Filter::parse(doc_arg(command, "listCollections", "filter")?.unwrap_or(&Document::new()))?;
    let name_only = command.get_bool("nameOnly").unwrap_or(false);
    let mut batch = Vec::new();
    for (name, collection) in state.storage.dbs.get(db).into_iter().flatten() {
        let info = collection_info(name, collection);
        if filter.matches(&info) {
            batch.push(if name_only {
                doc! { "name": name, "type": info.get_str("type").unwrap_or("collection") }
            } else {
                info
            });
        }
    }
    Ok(cursor_reply(
        "firstBatch",
        batch,
        0,
        &format!("{db}.$cmd.listCollections"),
    ))
}

fn options_of(command: &Document) -> Document {
    command
        .iter()
        .filter(|(key, _)| COLLECTION_OPTIONS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

pub fn create(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "create")?;
    state.create_collection(db, coll, options_of(command))?;
    Ok(super::ok())
}

pub fn coll_mod(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "collMod")?;
    let changes = options_of(command);
    let collection = state.storage.collection_mut(db, coll).ok_or_else(|| {
        CommandError::namespace_not_found(format!("ns does not exist: {db}.{coll}"))
    })?;
    let before = collection.options.clone();
    collection.options.extend(changes.clone());
    let uuid = Some(collection.uuid.clone());
    state.record(
        Namespace::collection(db, coll),
        uuid,
        Op::Modify {
            description: changes,
            before,
        },
    );
    Ok(super::ok())
}

pub fn drop(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "drop")?;
    let ns = format!("{db}.{coll}");
    // Since 7.0, dropping a collection that does not exist succeeds.
    let Some(collection) = state.storage.remove_collection(db, coll) else {
        return Ok(doc! { "ok": 1.0 });
    };
    state.record(
        Namespace::collection(db, coll),
        Some(collection.uuid),
        Op::Drop,
    );
    Ok(doc! { "nIndexesWas": collection.indexes.len() as i32, "ns": ns, "ok": 1.0 })
}

pub fn drop_database(state: &mut State, db: &str) -> CmdResult<Document> {
    let Some(collections) = state.storage.dbs.remove(db) else {
        return Ok(doc! { "ok": 1.0 });
    };
    // Like MongoDB: a drop event for each collection, then the database.
    for (name, collection) in collections {
        state.record(
            Namespace::collection(db, &name),
            Some(collection.uuid),
            Op::Drop,
        );
    }
    state.record(Namespace::database(db), None, Op::DropDatabase);
    Ok(doc! { "dropped": db, "ok": 1.0 })
}

fn split_namespace(value: Option<&Bson>, field: &str) -> CmdResult<Namespace> {
    let text = match value {
        Some(Bson::String(s)) => s.as_str(),
        Some(other) => {
            return Err(super::wrong_type(
                "renameCollection",
                field,
                other,
                "string",
            ))
        }
        None => return Err(super::missing("renameCollection", field)),
    };
    let (db, coll) = text.split_once('.').ok_or_else(|| {
        CommandError::new(
            73,
            "InvalidNamespace",
            format!("Invalid namespace specified '{text}'"),
        )
    })?;
    check_name(db, coll)?;
    Ok(Namespace::collection(db, coll))
}

pub fn rename(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    if db != "admin" {
        return Err(CommandError::new(
            13,
            "Unauthorized",
            "renameCollection may only be run against the admin database.",
        ));
    }
    let from = split_namespace(command.get("renameCollection"), "renameCollection")?;
    let to = split_namespace(command.get("to"), "to")?;
    let drop_target = command.get_bool("dropTarget").unwrap_or(false);
    let (from_coll, to_coll) = (
        from.coll.as_deref().unwrap_or(""),
        to.coll.as_deref().unwrap_or(""),
    );
    if from == to {
        return Err(CommandError::new(
            20,
            "IllegalOperation",
            "Can't rename a collection to itself",
        ));
    }
    if state.storage.collection(&from.db, from_coll).is_none() {
        return Err(CommandError::namespace_not_found(format!(
            "Source collection {from} does not exist"
        )));
    }
    let target_uuid = match state.storage.collection(&to.db, to_coll) {
        Some(_) if !drop_target => {
            return Err(CommandError::new(
                48,
                "NamespaceExists",
                "target namespace exists",
            ))
        }
        Some(_) => state
            .storage
            .remove_collection(&to.db, to_coll)
            .map(|c| c.uuid),
        None => None,
    };
    let Some(collection) = state.storage.remove_collection(&from.db, from_coll) else {
        return Err(CommandError::namespace_not_found(format!(
            "Source collection {from} does not exist"
        )));
    };
    let uuid = collection.uuid.clone();
    state.storage.insert_collection(&to.db, to_coll, collection);
    state.record(
        from,
        Some(uuid),
        Op::Rename {
            to,
            drop_target: target_uuid,
        },
    );
    Ok(super::ok())
}

pub fn create_indexes(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "createIndexes")?;
    let specs = array_arg(command, "createIndexes", "indexes")?
        .ok_or_else(|| super::missing("createIndexes", "indexes"))?;
    let created_automatically = state.storage.collection(db, coll).is_none();
    let collection = state.writable(db, coll)?;
    let before = collection.indexes.len() as i32;
    let mut added = Vec::new();
    for spec in specs {
        let spec = spec.as_document().ok_or_else(|| {
            CommandError::type_mismatch("Each index specification must be an object")
        })?;
        let key = spec.get_document("key").map_err(|_| {
            CommandError::failed_to_parse(
                "The 'key' field is a required property of an index specification",
            )
        })?;
        let name = spec.get_str("name").map_err(|_| {
            CommandError::failed_to_parse(
                "The 'name' field is a required property of an index specification",
            )
        })?;
        match collection.indexes.iter().find(|i| i.get_str("name") == Ok(name)) {
            Some(existing) if existing.get_document("key") == Ok(key) => continue,
            Some(_) => {
                return Err(CommandError::new(
                    86,
                    "IndexKeySpecsConflict",
                    format!("An existing index has the same name as the requested index. Requested index: {spec}"),
                ))
            }
            None => {}
        }
        let mut stored = doc! { "v": 2 };
        stored.extend(spec.clone());
        collection.indexes.push(stored.clone());
        added.push(stored);
    }
    let after = collection.indexes.len() as i32;
    let uuid = Some(collection.uuid.clone());
    if !added.is_empty() {
        state.record(
            Namespace::collection(db, coll),
            uuid,
            Op::CreateIndexes { indexes: added },
        );
    }
    Ok(doc! {
        "numIndexesBefore": before,
        "numIndexesAfter": after,
        "createdCollectionAutomatically": created_automatically,
        "ok": 1.0,
    })
}

pub fn drop_indexes(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let name = command
        .keys()
        .next()
        .map(String::as_str)
        .unwrap_or("dropIndexes");
    let coll = collection_arg(command, name)?;
    let collection = state
        .storage
        .collection_mut(db, coll)
        .ok_or_else(|| CommandError::namespace_not_found(format!("ns not found {db}.{coll}")))?;
    let was = collection.indexes.len() as i32;
    let wanted = |index: &Document| -> bool {
        match command.get("index") {
            Some(Bson::String(s)) if s == "*" => index.get_str("name") != Ok("_id_"),
            Some(Bson::String(s)) => index.get_str("name") == Ok(s.as_str()),
            Some(Bson::Array(names)) => names
                .iter()
                .any(|n| n.as_str().is_some_and(|n| index.get_str("name") == Ok(n))),
            Some(Bson::Document(key)) => index.get_document("key") == Ok(key),
            _ => false,
        }
    };
    let (dropped, kept): (Vec<Document>, Vec<Document>) =
        collection.indexes.iter().cloned().partition(|i| wanted(i));
    if dropped.iter().any(|i| i.get_str("name") == Ok("_id_")) {
        return Err(CommandError::invalid_options("cannot drop _id index"));
    }
    let star = matches!(command.get("index"), Some(Bson::String(s)) if s == "*");
    if dropped.is_empty() && !star {
        return Err(CommandError::new(
            27,
            "IndexNotFound",
            format!(
                "index not found with name [{}]",
                command
                    .get("index")
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            ),
        ));
    }
    collection.indexes = kept;
    let uuid = Some(collection.uuid.clone());
    if !dropped.is_empty() {
        state.record(
            Namespace::collection(db, coll),
            uuid,
            Op::DropIndexes { indexes: dropped },
        );
    }
    Ok(doc! { "nIndexesWas": was, "ok": 1.0 })
}

pub fn list_indexes(state: &mut State, command: &Document, db: &str) -> CmdResult<Document> {
    let coll = collection_arg(command, "listIndexes")?;
    let collection = state.storage.collection(db, coll).ok_or_else(|| {
        CommandError::namespace_not_found(format!("ns does not exist: {db}.{coll}"))
    })?;
    Ok(cursor_reply(
        "firstBatch",
        collection.indexes.clone(),
        0,
        &format!("{db}.$cmd.listIndexes.{coll}"),
    ))
}
