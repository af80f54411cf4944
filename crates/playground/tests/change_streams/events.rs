//! Change-stream options and stages, as the official driver sees them from the playground.
//! (Every operation type at every scope: `scopes.rs`.)

use mwatch_testkit as common;

use bson::{doc, Document};
use common::streams::{assert_quiet, keys, next_events, op_types};
use mongodb::options::{FullDocumentType, UpdateModifications};

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
    for (stage, expected_code, expected_message) in [
        (
            doc! { "$group": { "_id": null } },
            20,
            "$group is not permitted in a $changeStream pipeline",
        ),
        (
            doc! { "$bogus": {} },
            40324,
            "Unrecognized pipeline stage name: '$bogus'",
        ),
        (
            doc! { "$changeStream": {} },
            40602,
            "$changeStream is only valid as the first stage in a pipeline",
        ),
    ] {
        let err = coll.watch().pipeline([stage]).await.unwrap_err();
        let (code, message, _) = common::command_error(err);
        assert_eq!(code, expected_code);
        assert_eq!(message, expected_message);
    }
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
