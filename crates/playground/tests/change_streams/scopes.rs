//! Every operation type at each of the three scopes (collection, database, deployment), with
//! the fields MongoDB sends, in its order and with its BSON types.

use mwatch_testkit as common;

use bson::{doc, Bson, Document};
use common::streams::{assert_quiet, keys, next_events, op_types};
use mongodb::Client;

/// The fields every event starts with.
const HEAD: [&str; 4] = ["_id", "operationType", "clusterTime", "wallTime"];

/// The fields after `HEAD` in each kind of event, in MongoDB's order (no options, no expanded
/// events).
fn fields_after_head(op: &str) -> &'static [&'static str] {
    match op {
        "insert" | "replace" => &["fullDocument", "ns", "documentKey"],
        "update" => &["ns", "documentKey", "updateDescription"],
        "delete" => &["ns", "documentKey"],
        "drop" | "dropDatabase" => &["ns"],
        "rename" => &["ns", "to"],
        "invalidate" => &[],
        other => panic!("unexpected operation type {other}"),
    }
}

/// Checks one event's fields, their order and their types.
fn assert_shape(event: &Document) {
    let op = event.get_str("operationType").unwrap();
    assert_eq!(
        keys(event),
        [&HEAD[..], fields_after_head(op)].concat(),
        "{event}"
    );
    let token = event.get_document("_id").unwrap().get_str("_data").unwrap();
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
        "{token}"
    );
    assert!(matches!(event.get("clusterTime"), Some(Bson::Timestamp(_))));
    assert!(matches!(event.get("wallTime"), Some(Bson::DateTime(_))));
    if let Ok(ns) = event.get_document("ns") {
        let expected: &[&str] = if op == "dropDatabase" {
            &["db"]
        } else {
            &["db", "coll"]
        };
        assert_eq!(keys(ns), expected, "{event}");
    }
}

/// Namespaces of the events as `db.coll` or `db`.
fn namespaces(events: &[Document]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e.get_document("ns").ok())
        .map(|ns| match ns.get_str("coll") {
            Ok(coll) => format!("{}.{coll}", ns.get_str("db").unwrap()),
            Err(_) => ns.get_str("db").unwrap().to_string(),
        })
        .collect()
}

/// One of each kind of change in database `all`, then a write in `other`.
async fn write_every_kind(client: &Client) {
    let db = client.database("all");
    let a = db.collection::<Document>("a");
    a.insert_one(doc! { "_id": 1, "items": [1, 2, 3], "sub": { "x": 1, "y": 2 } })
        .await
        .unwrap();
    a.update_one(
        doc! { "_id": 1 },
        doc! { "$set": { "sub.x": 10 }, "$unset": { "sub.y": "" }, "$pop": { "items": 1 } },
    )
    .await
    .unwrap();
    a.replace_one(doc! { "_id": 1 }, doc! { "replaced": true })
        .await
        .unwrap();
    a.delete_one(doc! { "_id": 1 }).await.unwrap();
    db.collection::<Document>("b")
        .insert_one(doc! { "_id": 2 })
        .await
        .unwrap();
    client
        .database("admin")
        .run_command(doc! { "renameCollection": "all.a", "to": "all.a2" })
        .await
        .unwrap();
    db.collection::<Document>("b").drop().await.unwrap();
    db.drop().await.unwrap();
    client
        .database("other")
        .collection::<Document>("c")
        .insert_one(doc! { "_id": 3 })
        .await
        .unwrap();
}

#[tokio::test]
async fn every_operation_type_at_every_scope_has_mongodb_shapes() {
    let (_server, client) = common::setup().await;
    let db = client.database("all");
    // `all.b` must exist before its stream opens for its drop to reach the stream.
    db.create_collection("b").await.unwrap();
    let mut on_a = db
        .collection::<Document>("a")
        .watch()
        .await
        .unwrap()
        .with_type::<Document>();
    let mut on_b = db
        .collection::<Document>("b")
        .watch()
        .await
        .unwrap()
        .with_type::<Document>();
    let mut on_db = db.watch().await.unwrap().with_type::<Document>();
    let mut on_all = client.watch().await.unwrap().with_type::<Document>();
    write_every_kind(&client).await;

    let a = next_events(&mut on_a, 6).await;
    assert_eq!(
        op_types(&a),
        [
            "insert",
            "update",
            "replace",
            "delete",
            "rename",
            "invalidate"
        ]
    );
    let b = next_events(&mut on_b, 3).await;
    assert_eq!(op_types(&b), ["insert", "drop", "invalidate"]);
    // What the database and the deployment streams both see, up to the dropDatabase.
    let database_changes = [
        "insert",
        "update",
        "replace",
        "delete",
        "insert",
        "rename",
        "drop",
        "drop",
        "dropDatabase",
    ];
    let in_db = next_events(&mut on_db, 10).await;
    assert_eq!(
        op_types(&in_db),
        [&database_changes[..], &["invalidate"]].concat()
    );
    assert_eq!(
        namespaces(&in_db),
        ["all.a", "all.a", "all.a", "all.a", "all.b", "all.a", "all.b", "all.a2", "all"]
    );
    let everywhere = next_events(&mut on_all, 10).await;
    // The deployment stream is not invalidated: it goes on to the next database.
    assert_eq!(
        op_types(&everywhere),
        [&database_changes[..], &["insert"]].concat()
    );
    assert_eq!(namespaces(&everywhere).last().unwrap(), "other.c");

    for event in a.iter().chain(&b).chain(&in_db).chain(&everywhere) {
        assert_shape(event);
    }
    // The same write is the same event, with the same token, whatever the scope.
    assert_eq!(a[1], in_db[1]);
    assert_eq!(a[1], everywhere[1]);

    assert_eq!(
        a[0].get_document("fullDocument").unwrap(),
        &doc! { "_id": 1, "items": [1, 2, 3], "sub": { "x": 1, "y": 2 } }
    );
    assert_eq!(
        a[0].get_document("documentKey").unwrap(),
        &doc! { "_id": 1 }
    );
    assert_eq!(
        a[1].get_document("updateDescription").unwrap(),
        &doc! {
            "updatedFields": { "sub.x": 10 },
            "removedFields": ["sub.y"],
            "truncatedArrays": [{ "field": "items", "newSize": 2 }],
        }
    );
    assert_eq!(
        a[2].get_document("fullDocument").unwrap(),
        &doc! { "_id": 1, "replaced": true }
    );
    assert_eq!(
        a[4].get_document("to").unwrap(),
        &doc! { "db": "all", "coll": "a2" }
    );
    // Invalidated streams are closed by the server.
    for closed in [&mut on_a, &mut on_b, &mut on_db] {
        assert!(next_events(closed, 1).await.is_empty());
        assert!(!closed.is_alive());
    }
    assert!(on_all.is_alive());
}

#[tokio::test]
async fn dropping_the_database_of_a_watched_collection_invalidates_its_stream() {
    let (_server, client) = common::setup().await;
    let coll = client.database("gone").collection::<Document>("c");
    coll.insert_one(doc! { "_id": 1 }).await.unwrap();
    let mut on_c = coll.watch().await.unwrap().with_type::<Document>();
    client.database("gone").drop().await.unwrap();
    let events = next_events(&mut on_c, 2).await;
    assert_eq!(op_types(&events), ["drop", "invalidate"]);
    events.iter().for_each(assert_shape);
    assert!(next_events(&mut on_c, 1).await.is_empty());
}

/// A stream on a collection that is not there when its database is dropped (SERVER-35029):
/// no drop of its own comes first, so the dropDatabase shows and invalidates it. Dropping
/// another database does neither.
#[tokio::test]
async fn a_database_drop_invalidates_a_stream_on_a_collection_that_is_not_there() {
    let (_server, client) = common::setup().await;
    for db in ["gone", "elsewhere"] {
        let other = client.database(db).collection::<Document>("other");
        other.insert_one(doc! { "_id": 1 }).await.unwrap();
    }
    let never = client.database("gone").collection::<Document>("never");
    let mut on_never = never.watch().await.unwrap().with_type::<Document>();
    client.database("elsewhere").drop().await.unwrap();
    client.database("gone").drop().await.unwrap();
    let events = next_events(&mut on_never, 2).await;
    assert_eq!(op_types(&events), ["dropDatabase", "invalidate"]);
    assert_eq!(namespaces(&events[..1]), ["gone"]);
    assert!(next_events(&mut on_never, 1).await.is_empty());
}

#[tokio::test]
async fn a_database_stream_sees_its_own_database_only() {
    let (_server, client) = common::setup().await;
    let mut on_mine = client
        .database("mine")
        .watch()
        .await
        .unwrap()
        .with_type::<Document>();
    for db in ["theirs", "mine"] {
        let c = client.database(db).collection::<Document>("c");
        c.insert_one(doc! { "_id": 1 }).await.unwrap();
    }
    let events = next_events(&mut on_mine, 1).await;
    assert_eq!(namespaces(&events), ["mine.c"]);
    assert_quiet(&mut on_mine).await;
}

/// As MongoDB's: system collections show in no database or deployment stream, and the admin,
/// config and local databases in no deployment stream.
#[tokio::test]
async fn system_collections_and_internal_databases_stay_out_of_wide_streams() {
    let (_server, client) = common::setup().await;
    let mut on_app = client
        .database("app")
        .watch()
        .await
        .unwrap()
        .with_type::<Document>();
    let mut on_all = client.watch().await.unwrap().with_type::<Document>();
    for (db, coll) in [
        ("app", "system.js"),
        ("admin", "c"),
        ("config", "c"),
        ("app", "c"),
    ] {
        let c = client.database(db).collection::<Document>(coll);
        c.insert_one(doc! { "_id": 1 }).await.unwrap();
    }
    for stream in [&mut on_app, &mut on_all] {
        let events = next_events(stream, 1).await;
        assert_eq!(namespaces(&events), ["app.c"]);
        assert_quiet(stream).await;
    }
}
