//! Change streams at each scope, as the official driver sees them from the playground.

mod common;

use bson::{doc, Bson, Document};
use common::streams::{assert_quiet, keys, next_events, op_types};
use mongodb::options::{FullDocumentType, UpdateModifications};

#[tokio::test]
async fn collection_stream_sees_every_operation_type_with_mongodb_shapes() {
    let (_server, client) = common::setup().await;
    let db = client.database("shop");
    let orders = db.collection::<Document>("orders");
    let mut stream = orders.watch().await.unwrap().with_type::<Document>();

    orders.insert_one(doc! { "_id": 1, "status": "new", "items": ["a", "b"], "addr": { "city": "Oslo", "zip": "0150" } }).await.unwrap();
    orders
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "status": "paid", "addr.city": "Bergen" }, "$unset": { "addr.zip": "" }, "$pop": { "items": 1 } })
        .await
        .unwrap();
    orders
        .replace_one(doc! { "_id": 1 }, doc! { "status": "replaced" })
        .await
        .unwrap();
    orders.delete_one(doc! { "_id": 1 }).await.unwrap();
    orders.drop().await.unwrap();

    let events = next_events(&mut stream, 6).await;
    assert_eq!(
        op_types(&events),
        [
            "insert",
            "update",
            "replace",
            "delete",
            "drop",
            "invalidate"
        ]
    );

    let insert = &events[0];
    assert_eq!(
        keys(insert),
        [
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "fullDocument",
            "ns",
            "documentKey"
        ]
    );
    assert!(matches!(
        insert.get("clusterTime"),
        Some(Bson::Timestamp(_))
    ));
    assert!(matches!(insert.get("wallTime"), Some(Bson::DateTime(_))));
    assert_eq!(
        insert.get_document("ns").unwrap(),
        &doc! { "db": "shop", "coll": "orders" }
    );
    assert_eq!(
        insert.get_document("documentKey").unwrap(),
        &doc! { "_id": 1 }
    );
    assert!(insert.get_document("_id").unwrap().get_str("_data").is_ok());

    let update = &events[1];
    assert_eq!(
        keys(update),
        [
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "ns",
            "documentKey",
            "updateDescription"
        ]
    );
    assert_eq!(
        update.get_document("updateDescription").unwrap(),
        &doc! {
            "updatedFields": { "status": "paid", "addr.city": "Bergen" },
            "removedFields": ["addr.zip"],
            "truncatedArrays": [{ "field": "items", "newSize": 1 }],
        }
    );

    let replace = &events[2];
    assert_eq!(
        replace.get_document("fullDocument").unwrap(),
        &doc! { "_id": 1, "status": "replaced" }
    );
    assert_eq!(
        keys(&events[3]),
        [
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "ns",
            "documentKey"
        ]
    );
    assert_eq!(
        keys(&events[4]),
        ["_id", "operationType", "clusterTime", "wallTime", "ns"]
    );

    let invalidate = &events[5];
    assert_eq!(
        keys(invalidate),
        ["_id", "operationType", "clusterTime", "wallTime"]
    );
    // The cursor is closed after an invalidate: the stream ends.
    assert!(next_events(&mut stream, 1).await.is_empty());
    assert!(!stream.is_alive());
}

#[tokio::test]
async fn update_lookup_returns_the_current_document() {
    let (_server, client) = common::setup().await;
    let coll = client.database("app").collection::<Document>("users");
    let mut stream = coll
        .watch()
        .full_document(FullDocumentType::UpdateLookup)
        .await
        .unwrap()
        .with_type::<Document>();
    coll.insert_one(doc! { "_id": "u1", "visits": 1 })
        .await
        .unwrap();
    coll.update_one(doc! { "_id": "u1" }, doc! { "$inc": { "visits": 1 } })
        .await
        .unwrap();
    let events = next_events(&mut stream, 2).await;
    assert_eq!(
        events[1].get_document("fullDocument").unwrap(),
        &doc! { "_id": "u1", "visits": 2 }
    );
    assert_eq!(
        keys(&events[1]),
        [
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "fullDocument",
            "ns",
            "documentKey",
            "updateDescription"
        ]
    );
}

#[tokio::test]
async fn database_stream_spans_collections_and_is_invalidated_by_drop_database() {
    let (_server, client) = common::setup().await;
    let db = client.database("shop");
    let mut stream = db.watch().await.unwrap().with_type::<Document>();
    db.collection::<Document>("a")
        .insert_one(doc! { "x": 1 })
        .await
        .unwrap();
    db.collection::<Document>("b")
        .insert_one(doc! { "x": 2 })
        .await
        .unwrap();
    client
        .database("other")
        .collection::<Document>("c")
        .insert_one(doc! { "x": 3 })
        .await
        .unwrap();
    client
        .database("admin")
        .run_command(doc! { "renameCollection": "shop.a", "to": "shop.a2" })
        .await
        .unwrap();
    db.drop().await.unwrap();
    let events = next_events(&mut stream, 7).await;
    assert_eq!(
        op_types(&events),
        [
            "insert",
            "insert",
            "rename",
            "drop",
            "drop",
            "dropDatabase",
            "invalidate"
        ]
    );
    assert_eq!(
        events[2].get_document("to").unwrap(),
        &doc! { "db": "shop", "coll": "a2" }
    );
    assert_eq!(
        events[5].get_document("ns").unwrap(),
        &doc! { "db": "shop" }
    );
    assert!(next_events(&mut stream, 1).await.is_empty());
}

#[tokio::test]
async fn cluster_stream_sees_all_databases_and_survives_drops() {
    let (_server, client) = common::setup().await;
    let mut stream = client.watch().await.unwrap().with_type::<Document>();
    client
        .database("one")
        .collection::<Document>("c")
        .insert_one(doc! { "n": 1 })
        .await
        .unwrap();
    client
        .database("two")
        .collection::<Document>("c")
        .insert_one(doc! { "n": 2 })
        .await
        .unwrap();
    client.database("one").drop().await.unwrap();
    client
        .database("two")
        .collection::<Document>("c")
        .insert_one(doc! { "n": 3 })
        .await
        .unwrap();
    let events = next_events(&mut stream, 5).await;
    assert_eq!(
        op_types(&events),
        ["insert", "insert", "drop", "dropDatabase", "insert"]
    );
    let dbs: Vec<&str> = events
        .iter()
        .map(|e| e.get_document("ns").unwrap().get_str("db").unwrap())
        .collect();
    assert_eq!(dbs, ["one", "two", "one", "one", "two"]);
}

#[tokio::test]
async fn renaming_the_watched_collection_invalidates_its_stream() {
    let (_server, client) = common::setup().await;
    let coll = client.database("d").collection::<Document>("old");
    coll.insert_one(doc! { "x": 1 }).await.unwrap();
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    client
        .database("admin")
        .run_command(doc! { "renameCollection": "d.old", "to": "d.new" })
        .await
        .unwrap();
    let events = next_events(&mut stream, 2).await;
    assert_eq!(op_types(&events), ["rename", "invalidate"]);
    assert_eq!(
        events[0].get_document("ns").unwrap(),
        &doc! { "db": "d", "coll": "old" }
    );
}

#[tokio::test]
async fn match_and_project_stages_filter_and_shape_events() {
    let (_server, client) = common::setup().await;
    let coll = client.database("shop").collection::<Document>("orders");
    let pipeline = [
        doc! { "$match": { "operationType": { "$in": ["insert", "update"] }, "fullDocument.total": { "$gte": 100 } } },
        doc! { "$project": { "operationType": 1, "fullDocument.total": 1 } },
    ];
    let mut stream = coll
        .watch()
        .pipeline(pipeline)
        .await
        .unwrap()
        .with_type::<Document>();
    coll.insert_one(doc! { "_id": 1, "total": 5, "who": "a" })
        .await
        .unwrap();
    coll.insert_one(doc! { "_id": 2, "total": 500, "who": "b" })
        .await
        .unwrap();
    coll.delete_one(doc! { "_id": 1 }).await.unwrap();
    let events = next_events(&mut stream, 1).await;
    assert_eq!(keys(&events[0]), ["_id", "operationType", "fullDocument"]);
    assert_eq!(
        events[0].get_document("fullDocument").unwrap(),
        &doc! { "total": 500 }
    );
    assert_quiet(&mut stream).await;
}

#[tokio::test]
async fn disallowed_and_unknown_stages_fail_like_mongodb() {
    let (_server, client) = common::setup().await;
    let coll = client.database("shop").collection::<Document>("orders");
    let code = |e: mongodb::error::Error| match *e.kind {
        mongodb::error::ErrorKind::Command(c) => (c.code, c.message),
        other => panic!("not a command error: {other:?}"),
    };
    let err = coll
        .watch()
        .pipeline([doc! { "$group": { "_id": null } }])
        .await
        .unwrap_err();
    let (c, message) = code(err);
    assert_eq!(c, 20);
    assert!(
        message.contains("$group is not permitted in a $changeStream pipeline"),
        "{message}"
    );
    let err = coll
        .watch()
        .pipeline([doc! { "$bogus": {} }])
        .await
        .unwrap_err();
    let (c, message) = code(err);
    assert_eq!(c, 40324);
    assert!(
        message.contains("Unrecognized pipeline stage name: '$bogus'"),
        "{message}"
    );
}

#[tokio::test]
async fn update_operators_produce_matching_update_descriptions() {
    let (_server, client) = common::setup().await;
    let coll = client.database("shop").collection::<Document>("carts");
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    coll.insert_one(doc! { "_id": 1, "items": [{ "sku": "a", "qty": 1 }], "n": 1 })
        .await
        .unwrap();
    coll.update_one(
        doc! { "_id": 1 },
        doc! { "$push": { "items": { "sku": "b", "qty": 2 } }, "$inc": { "n": 1 } },
    )
    .await
    .unwrap();
    coll.update_one(
        doc! { "_id": 1 },
        UpdateModifications::Pipeline(vec![doc! { "$set": { "n": 10 } }]),
    )
    .await
    .unwrap();
    let events = next_events(&mut stream, 3).await;
    let push = events[1].get_document("updateDescription").unwrap();
    assert_eq!(
        push.get_document("updatedFields").unwrap(),
        &doc! { "items.1": { "sku": "b", "qty": 2 }, "n": 2 }
    );
    let pipeline = events[2].get_document("updateDescription").unwrap();
    assert_eq!(
        pipeline.get_document("updatedFields").unwrap(),
        &doc! { "n": 10 }
    );
}
