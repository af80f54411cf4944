//! What mwatch shows best must be testable: images, expanded events, lost history,
//! standalone servers and injected faults, all through the official driver.

use mwatch_testkit as common;

use bson::{doc, Bson, Document};
use common::command_error;
use common::streams::{first_error, keys, next_events, op_types, token_of};
use mongodb::change_stream::ChangeStream;
use mongodb::event::{command::CommandEvent, EventHandler};
use mongodb::options::{ChangeStreamOptions, FullDocumentBeforeChangeType, FullDocumentType};
use mongodb::{Client, Collection};
use mwatch_playground::{self as playground, Config, Playground};
use mwatch_testkit::streams::numbers;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// `shop.<coll>`'s `changeStreamPreAndPostImages` option as listCollections shows it.
async fn images_setting(client: &Client, coll: &str) -> Option<Document> {
    let listed = client
        .database("shop")
        .run_command(doc! { "listCollections": 1, "filter": { "name": coll } })
        .await
        .unwrap();
    let batch = listed
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    let [info] = batch.as_slice() else {
        panic!("not one collection {coll}: {batch:?}");
    };
    let options = info.as_document().unwrap().get_document("options").unwrap();
    options
        .get_document("changeStreamPreAndPostImages")
        .ok()
        .cloned()
}

#[tokio::test]
async fn pre_and_post_images_follow_the_collection_setting() {
    let (_server, client) = common::setup().await;
    let db = client.database("shop");
    db.run_command(
        doc! { "create": "orders", "changeStreamPreAndPostImages": { "enabled": true } },
    )
    .await
    .unwrap();
    assert_eq!(
        images_setting(&client, "orders").await,
        Some(doc! { "enabled": true })
    );

    let orders = db.collection::<Document>("orders");
    let mut stream = orders
        .watch()
        .full_document(FullDocumentType::Required)
        .full_document_before_change(FullDocumentBeforeChangeType::Required)
        .await
        .unwrap()
        .with_type::<Document>();
    orders
        .insert_one(doc! { "_id": 1, "status": "new" })
        .await
        .unwrap();
    orders
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "status": "paid" } })
        .await
        .unwrap();
    orders.delete_one(doc! { "_id": 1 }).await.unwrap();
    let events = next_events(&mut stream, 3).await;
    let update = &events[1];
    assert_eq!(
        update.get_document("fullDocument").unwrap(),
        &doc! { "_id": 1, "status": "paid" }
    );
    assert_eq!(
        update.get_document("fullDocumentBeforeChange").unwrap(),
        &doc! { "_id": 1, "status": "new" }
    );
    assert_eq!(keys(update).last(), Some(&"fullDocumentBeforeChange"));
    assert_eq!(
        events[2].get_document("fullDocumentBeforeChange").unwrap(),
        &doc! { "_id": 1, "status": "paid" }
    );
}

/// On `shop.plain`, which keeps no images, opens a `lenient` and a `strict` stream and updates
/// a document. Checks that the strict stream fails with 47, no labels and a message that says
/// what it was configured to `require`; returns the lenient stream with its event.
async fn update_without_images(
    client: &Client,
    lenient: ChangeStreamOptions,
    strict: ChangeStreamOptions,
    require: &str,
) -> (ChangeStream<Document>, Document) {
    let plain = client.database("shop").collection::<Document>("plain");
    plain.insert_one(doc! { "_id": 1, "v": 1 }).await.unwrap();
    let mut lenient = plain
        .watch()
        .with_options(lenient)
        .await
        .unwrap()
        .with_type::<Document>();
    // Opening with `required` succeeds; the error comes at iteration.
    let mut strict = plain
        .watch()
        .with_options(strict)
        .await
        .unwrap()
        .with_type::<Document>();
    plain
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "v": 2 } })
        .await
        .unwrap();
    let event = next_events(&mut lenient, 1).await.remove(0);
    let (code, message, labels) = command_error(first_error(&mut strict).await);
    assert_eq!(code, 47);
    assert!(labels.is_empty(), "{labels:?}");
    let expected = format!("Change stream was configured to require {require}");
    assert!(message.starts_with(&expected), "{message}");
    (lenient, event)
}

fn pre_images(mode: FullDocumentBeforeChangeType) -> ChangeStreamOptions {
    ChangeStreamOptions::builder()
        .full_document_before_change(Some(mode))
        .build()
}

fn post_images(mode: FullDocumentType) -> ChangeStreamOptions {
    ChangeStreamOptions::builder()
        .full_document(Some(mode))
        .build()
}

#[tokio::test]
async fn missing_images_are_null_when_available_and_an_error_when_required() {
    let (_server, client) = common::setup().await;
    let (mut lenient, event) = update_without_images(
        &client,
        pre_images(FullDocumentBeforeChangeType::WhenAvailable),
        pre_images(FullDocumentBeforeChangeType::Required),
        "a pre-image for all update, delete and replace events, but the pre-image was not found for event",
    )
    .await;
    assert_eq!(event.get("fullDocumentBeforeChange"), Some(&Bson::Null));

    // collMod turns images on for later writes, and listCollections shows it.
    assert_eq!(images_setting(&client, "plain").await, None);
    client
        .database("shop")
        .run_command(
            doc! { "collMod": "plain", "changeStreamPreAndPostImages": { "enabled": true } },
        )
        .await
        .unwrap();
    let plain = client.database("shop").collection::<Document>("plain");
    plain
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "v": 3 } })
        .await
        .unwrap();
    let events = next_events(&mut lenient, 1).await;
    assert_eq!(
        events[0].get_document("fullDocumentBeforeChange").unwrap(),
        &doc! { "_id": 1, "v": 2 }
    );
    assert_eq!(
        images_setting(&client, "plain").await,
        Some(doc! { "enabled": true })
    );
}

#[tokio::test]
async fn missing_post_images_are_null_when_available_and_an_error_when_required() {
    let (_server, client) = common::setup().await;
    let (_, event) = update_without_images(
        &client,
        post_images(FullDocumentType::WhenAvailable),
        post_images(FullDocumentType::Required),
        "a post-image for all update events, but the post-image was not found for event",
    )
    .await;
    assert_eq!(event.get("fullDocument"), Some(&Bson::Null));
}

#[tokio::test]
async fn expanded_events_show_ddl_with_operation_descriptions() {
    let (_server, client) = common::setup().await;
    let db = client.database("shop");
    let mut stream = db
        .watch()
        .show_expanded_events(true)
        .await
        .unwrap()
        .with_type::<Document>();
    let mut plain = db.watch().await.unwrap().with_type::<Document>();
    db.run_command(doc! { "create": "items" }).await.unwrap();
    db.run_command(
        doc! { "createIndexes": "items", "indexes": [{ "key": { "sku": 1 }, "name": "sku_1" }] },
    )
    .await
    .unwrap();
    db.run_command(doc! { "dropIndexes": "items", "index": "sku_1" })
        .await
        .unwrap();
    db.run_command(
        doc! { "collMod": "items", "changeStreamPreAndPostImages": { "enabled": true } },
    )
    .await
    .unwrap();
    common::admin(
        &client,
        doc! { "renameCollection": "shop.items", "to": "shop.goods" },
    )
    .await;
    let goods = db.collection::<Document>("goods");
    goods
        .insert_one(doc! { "_id": 1, "m": { "0": "a" }, "arr": [{ "0": 1 }] })
        .await
        .unwrap();
    goods
        .update_one(
            doc! { "_id": 1 },
            doc! { "$set": { "m.0": "b", "arr.0.0": 2 } },
        )
        .await
        .unwrap();

    let events = next_events(&mut stream, 7).await;
    assert_eq!(
        op_types(&events),
        [
            "create",
            "createIndexes",
            "dropIndexes",
            "modify",
            "rename",
            "insert",
            "update"
        ]
    );
    // Numeric field names are ambiguous in dotted paths: the update says which are indexes.
    let update = events[6].get_document("updateDescription").unwrap();
    assert_eq!(
        update.get_document("disambiguatedPaths").unwrap(),
        &doc! { "m.0": ["m", "0"], "arr.0.0": ["arr", 0, "0"] }
    );
    assert_eq!(
        keys(&events[0]),
        [
            "_id",
            "operationType",
            "clusterTime",
            "collectionUUID",
            "wallTime",
            "ns",
            "operationDescription"
        ]
    );
    assert!(events[0]
        .get_document("operationDescription")
        .unwrap()
        .contains_key("idIndex"));
    let index = &events[1]
        .get_document("operationDescription")
        .unwrap()
        .get_array("indexes")
        .unwrap()[0];
    assert_eq!(
        index.as_document().unwrap().get_str("name").unwrap(),
        "sku_1"
    );
    let modify = &events[3];
    assert_eq!(
        modify.get_document("operationDescription").unwrap(),
        &doc! { "changeStreamPreAndPostImages": { "enabled": true } }
    );
    assert!(modify
        .get_document("stateBeforeChange")
        .unwrap()
        .contains_key("collectionOptions"));
    assert_eq!(
        events[4].get_document("operationDescription").unwrap(),
        &doc! { "to": { "db": "shop", "coll": "goods" } }
    );
    // Without showExpandedEvents only the rename, the insert and the update are shown, and
    // the update has no disambiguatedPaths.
    let plain_events = next_events(&mut plain, 3).await;
    assert_eq!(op_types(&plain_events), ["rename", "insert", "update"]);
    assert!(!plain_events[2]
        .get_document("updateDescription")
        .unwrap()
        .contains_key("disambiguatedPaths"));
}

/// A playground that keeps five oplog entries, and a stream on its collection `h.c`.
async fn watched_with_short_history() -> (Playground, Collection<Document>, ChangeStream<Document>)
{
    let (server, client) = common::setup_with(Config {
        history: 5,
        ..Config::default()
    })
    .await;
    let coll = client.database("h").collection::<Document>("c");
    let stream = coll.watch().await.unwrap().with_type::<Document>();
    (server, coll, stream)
}

#[tokio::test]
async fn resuming_before_the_kept_history_fails_with_history_lost() {
    let (_server, coll, mut stream) = watched_with_short_history().await;
    coll.insert_many((0..3).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    let first = next_events(&mut stream, 3).await.remove(0);
    coll.insert_many((3..13).map(|n| doc! { "n": n }))
        .await
        .unwrap();

    let err = coll
        .watch()
        .resume_after(token_of(&first))
        .await
        .unwrap_err();
    let (code, message, labels) = command_error(err);
    assert_eq!(code, 286);
    assert_eq!(
        message,
        "Resume of change stream was not possible, as the resume point may no longer be in the oplog."
    );
    assert!(labels.contains(&"NonResumableChangeStreamError".to_string()));
    let old = first.get_timestamp("clusterTime").unwrap();
    let err = coll.watch().start_at_operation_time(old).await.unwrap_err();
    assert_eq!(command_error(err).0, 286);
}

#[tokio::test]
async fn an_open_stream_that_falls_behind_the_kept_history_fails_with_history_lost() {
    let (_server, coll, mut stream) = watched_with_short_history().await;
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    next_events(&mut stream, 1).await;
    // Ten writes while the stream is not read: the oldest of them leave the history.
    for n in 1..=10 {
        coll.insert_one(doc! { "n": n }).await.unwrap();
    }
    let read = async {
        loop {
            match stream.next_if_any().await {
                Ok(Some(event)) => panic!("an event past a gap: {event:?}"),
                Ok(None) => continue,
                Err(e) => break e,
            }
        }
    };
    let err = common::within("the history-lost error", read).await;
    assert_eq!(command_error(err).0, 286);
}

#[tokio::test]
async fn a_standalone_server_refuses_change_streams() {
    let (_server, client) = common::setup_with(Config {
        standalone: true,
        ..Config::default()
    })
    .await;
    let hello = common::admin(&client, doc! { "hello": 1 }).await;
    assert!(!hello.contains_key("setName"));
    let coll = client.database("s").collection::<Document>("c");
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    let (code, message, _) = command_error(coll.watch().await.unwrap_err());
    assert_eq!(code, 40573);
    assert_eq!(
        message,
        "The $changeStream stage is only supported on replica sets"
    );
}

/// A client that counts the `aggregate` commands it sends: each resume sends one.
async fn counting_aggregates(uri: &str) -> (Client, Arc<AtomicUsize>) {
    let aggregates = Arc::new(AtomicUsize::new(0));
    let counter = aggregates.clone();
    let mut options = mongodb::options::ClientOptions::parse(uri).await.unwrap();
    options.command_event_handler = Some(EventHandler::callback(move |event: CommandEvent| {
        if matches!(&event, CommandEvent::Started(s) if s.command_name == "aggregate") {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }));
    (Client::with_options(options).unwrap(), aggregates)
}

/// Writes while the stream is being failed, and checks the driver resumed and every event
/// arrived once.
async fn survives_fault(fail_point: Document) {
    let server = common::playground().await;
    let (client, aggregates) = counting_aggregates(&server.uri()).await;
    let coll = client.database("f").collection::<Document>("c");
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    coll.insert_many((0..5).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    assert_eq!(numbers(&next_events(&mut stream, 5).await), [0, 1, 2, 3, 4]);
    common::admin(&client, fail_point).await;
    for n in 5..10 {
        coll.insert_one(doc! { "n": n }).await.unwrap();
    }
    assert_eq!(numbers(&next_events(&mut stream, 5).await), [5, 6, 7, 8, 9]);
    coll.insert_one(doc! { "n": 10 }).await.unwrap();
    assert_eq!(numbers(&next_events(&mut stream, 1).await), [10]);
    assert!(
        aggregates.load(Ordering::SeqCst) >= 2,
        "the fault never made the driver resume"
    );
}

#[tokio::test]
async fn a_resumable_error_mid_stream_is_resumed_without_loss_or_repeats() {
    survives_fault(doc! {
        "configureFailPoint": "failGetMoreAfterCursorCheckout",
        "mode": { "times": 1 },
        "data": { "errorCode": 10107 },
    })
    .await;
    survives_fault(doc! {
        "configureFailPoint": "failCommand",
        "mode": { "times": 2 },
        "data": { "failCommands": ["getMore"], "errorCode": 6, "errorLabels": ["ResumableChangeStreamError"] },
    })
    .await;
}

#[tokio::test]
async fn a_dropped_connection_mid_stream_is_resumed_without_loss_or_repeats() {
    survives_fault(doc! {
        "configureFailPoint": "failCommand",
        "mode": { "times": 1 },
        "data": { "failCommands": ["getMore"], "closeConnection": true },
    })
    .await;
}

#[tokio::test]
async fn an_unlabelled_error_is_not_resumed() {
    let (_server, client) = common::setup().await;
    let coll = client.database("f").collection::<Document>("c");
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    common::admin(
        &client,
        doc! {
            "configureFailPoint": "failCommand",
            "mode": { "times": 1 },
            "data": { "failCommands": ["getMore"], "errorCode": 6 },
        },
    )
    .await;
    assert_eq!(command_error(first_error(&mut stream).await).0, 6);
}

#[tokio::test]
async fn the_demo_workload_exercises_every_kind_of_change() {
    let workload = playground::Workload {
        rate: 2000.0,
        seed: 7,
    };
    let (_server, client) = common::setup_with(Config {
        workload: Some(workload),
        ..Config::default()
    })
    .await;
    let start = bson::Timestamp {
        time: 0,
        increment: 0,
    };
    let mut stream = client
        .database("shop")
        .watch()
        .show_expanded_events(true)
        .start_at_operation_time(start)
        .await
        .unwrap()
        .with_type::<Document>();
    let events = next_events(&mut stream, 1500).await;
    let seen: std::collections::BTreeSet<&str> = op_types(&events).into_iter().collect();
    for kind in [
        "create",
        "insert",
        "update",
        "replace",
        "delete",
        "createIndexes",
        "rename",
        "drop",
    ] {
        assert!(seen.contains(kind), "no {kind} among {seen:?}");
    }
    // Orders keep pre-images, so their updates can be diffed.
    assert_eq!(
        images_setting(&client, "orders").await,
        Some(doc! { "enabled": true })
    );
}
