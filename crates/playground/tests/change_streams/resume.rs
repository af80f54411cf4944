//! Resuming change streams: every token the playground emits is accepted back, and resuming
//! yields exactly the events that followed, none lost or repeated.

use mwatch_testkit as common;

use bson::{doc, Document};
use common::error_code;
use common::streams::{assert_quiet, next_events, op_types, token_of};
use mongodb::Client;
use mwatch_testkit::streams::numbers;

async fn insert_range(client: &Client, coll: &str, range: std::ops::Range<i32>) {
    let docs: Vec<Document> = range.map(|n| doc! { "n": n }).collect();
    client
        .database("r")
        .collection::<Document>(coll)
        .insert_many(docs)
        .await
        .unwrap();
}

#[tokio::test]
async fn resume_after_an_event_token_yields_exactly_the_following_events() {
    let (_server, client) = common::setup().await;
    let coll = client.database("r").collection::<Document>("c");
    let mut first = coll.watch().await.unwrap().with_type::<Document>();
    insert_range(&client, "c", 0..10).await;
    let events = next_events(&mut first, 10).await;
    assert_eq!(numbers(&events), (0..10).collect::<Vec<_>>());

    let mut resumed = coll
        .watch()
        .resume_after(token_of(&events[3]))
        .await
        .unwrap()
        .with_type::<Document>();
    assert_eq!(
        numbers(&next_events(&mut resumed, 6).await),
        (4..10).collect::<Vec<_>>()
    );
    assert_quiet(&mut resumed).await;

    // startAfter behaves the same on an ordinary event.
    let mut after = coll
        .watch()
        .start_after(token_of(&events[8]))
        .await
        .unwrap()
        .with_type::<Document>();
    assert_eq!(numbers(&next_events(&mut after, 1).await), [9]);
}

#[tokio::test]
async fn resume_from_a_post_batch_resume_token_skips_nothing_and_repeats_nothing() {
    let (_server, client) = common::setup().await;
    let coll = client.database("r").collection::<Document>("c");
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    insert_range(&client, "c", 0..3).await;
    let seen = next_events(&mut stream, 3).await;
    assert_eq!(numbers(&seen), [0, 1, 2]);
    // Writes elsewhere advance the high-water mark while this stream's batches are empty.
    insert_range(&client, "elsewhere", 0..5).await;
    let drain = async { while stream.next_if_any().await.unwrap().is_some() {} };
    common::within("an empty batch", drain).await;
    let pbrt = stream.resume_token().expect("a post-batch resume token");
    // The token moved past the last event during the quiet period.
    assert_ne!(bson::to_bson(&pbrt).unwrap(), *seen[2].get("_id").unwrap());
    drop(stream);

    insert_range(&client, "c", 3..5).await;
    let mut resumed = coll
        .watch()
        .resume_after(pbrt)
        .await
        .unwrap()
        .with_type::<Document>();
    assert_eq!(numbers(&next_events(&mut resumed, 2).await), [3, 4]);
    assert_quiet(&mut resumed).await;
}

/// The first event ever written to r.c, for comparing tokens.
async fn next_first(client: &Client) -> Document {
    let coll = client.database("r").collection::<Document>("c");
    let mut s = coll
        .watch()
        .start_at_operation_time(bson::Timestamp {
            time: 0,
            increment: 0,
        })
        .await
        .unwrap()
        .with_type::<Document>();
    next_events(&mut s, 1).await.remove(0)
}

#[tokio::test]
async fn start_at_operation_time_includes_events_at_that_time() {
    let (_server, client) = common::setup().await;
    let coll = client.database("r").collection::<Document>("c");
    insert_range(&client, "c", 0..5).await;
    let all = next_events(
        &mut coll
            .watch()
            .start_at_operation_time(bson::Timestamp {
                time: 0,
                increment: 0,
            })
            .await
            .unwrap()
            .with_type::<Document>(),
        5,
    )
    .await;
    let third = all[2].get_timestamp("clusterTime").unwrap();
    let mut from_third = coll
        .watch()
        .start_at_operation_time(third)
        .await
        .unwrap()
        .with_type::<Document>();
    assert_eq!(numbers(&next_events(&mut from_third, 3).await), [2, 3, 4]);
    assert_quiet(&mut from_third).await;
}

#[tokio::test]
async fn start_after_an_invalidate_continues_on_the_recreated_collection() {
    let (_server, client) = common::setup().await;
    let coll = client.database("r").collection::<Document>("c");
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    coll.drop().await.unwrap();
    let events = next_events(&mut stream, 2).await;
    assert_eq!(op_types(&events), ["drop", "invalidate"]);
    let invalidate = token_of(&events[1]);

    let err = coll
        .watch()
        .resume_after(invalidate.clone())
        .await
        .unwrap_err();
    assert_eq!(error_code(err), 260);

    let mut after = coll
        .watch()
        .start_after(invalidate)
        .await
        .unwrap()
        .with_type::<Document>();
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    assert_eq!(numbers(&next_events(&mut after, 1).await), [1]);
}

#[tokio::test]
async fn illegal_option_combinations_and_unknown_tokens_fail_like_mongodb() {
    let (_server, client) = common::setup().await;
    let db = client.database("r");
    insert_range(&client, "c", 0..1).await;
    let first = next_first(&client).await;
    let token = first.get_document("_id").unwrap().clone();
    let aggregate = |stage: Document| doc! { "aggregate": "c", "pipeline": [{ "$changeStream": stage }], "cursor": {} };

    let both = db
        .run_command(aggregate(
            doc! { "resumeAfter": token.clone(), "startAfter": token.clone() },
        ))
        .await;
    assert_eq!(error_code(both.unwrap_err()), 50865);
    let with_time = db
        .run_command(aggregate(doc! { "resumeAfter": token.clone(), "startAtOperationTime": bson::Timestamp { time: 1, increment: 0 } }))
        .await;
    assert_eq!(error_code(with_time.unwrap_err()), 40674);
    let garbage = db
        .run_command(aggregate(doc! { "resumeAfter": { "_data": "nonsense" } }))
        .await;
    assert_eq!(error_code(garbage.unwrap_err()), 260);

    // A well-formed event token for a moment when nothing happened.
    let data = token.get_str("_data").unwrap();
    let shifted = format!(
        "82{:016X}{}",
        u64::from_str_radix(&data[2..18], 16).unwrap() + 12345,
        &data[18..]
    );
    let missing = db
        .run_command(aggregate(doc! { "resumeAfter": { "_data": shifted } }))
        .await;
    assert_eq!(error_code(missing.unwrap_err()), 280);
}

#[tokio::test]
async fn watching_internal_namespaces_is_refused() {
    let (_server, client) = common::setup().await;
    let err = client
        .database("admin")
        .collection::<Document>("x")
        .watch()
        .await
        .unwrap_err();
    assert_eq!(error_code(err), 73);
    let err = client
        .database("shop")
        .collection::<Document>("system.views")
        .watch()
        .await
        .unwrap_err();
    assert_eq!(error_code(err), 73);
    let err = client
        .database("shop")
        .run_command(doc! { "aggregate": 1, "pipeline": [{ "$changeStream": { "allChangesForCluster": true } }], "cursor": {} })
        .await
        .unwrap_err();
    assert_eq!(error_code(err), 72);
}
