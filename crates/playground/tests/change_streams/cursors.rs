//! Change-stream cursors command by command: getMore waits for a write (no polling), an idle
//! getMore ends with an empty batch and an advanced token, killCursors and failed getMores
//! close the cursor. How long an idle getMore waits is tested in paused time, by the server's
//! unit tests.

use mwatch_testkit as common;

use std::time::Duration;

use bson::{doc, Document};
use common::error_code;
use mongodb::{Client, Database};

/// Opens a change stream on `db.c` with `options` in the stage; returns (cursor id, PBRT).
async fn open(db: &Database, options: Document) -> (i64, String) {
    let reply = db
        .run_command(
            doc! { "aggregate": "c", "pipeline": [{ "$changeStream": options }], "cursor": {} },
        )
        .await
        .unwrap();
    cursor_of(&reply)
}

fn cursor_of(reply: &Document) -> (i64, String) {
    let cursor = reply.get_document("cursor").unwrap();
    let token = cursor
        .get_document("postBatchResumeToken")
        .unwrap()
        .get_str("_data")
        .unwrap();
    (cursor.get_i64("id").unwrap(), token.to_string())
}

/// A getMore's maxTimeMS that no test waits out.
const HOUR: i64 = 3_600_000;

async fn get_more(
    db: &Database,
    id: i64,
    max_time_ms: Option<i64>,
) -> mongodb::error::Result<Document> {
    let mut command = doc! { "getMore": id, "collection": "c" };
    if let Some(ms) = max_time_ms {
        command.insert("maxTimeMS", ms);
    }
    db.run_command(command).await
}

fn next_batch(reply: &Document) -> &Vec<bson::Bson> {
    reply
        .get_document("cursor")
        .unwrap()
        .get_array("nextBatch")
        .unwrap()
}

async fn insert(client: &Client, coll: &str, n: i32) {
    client
        .database("cur")
        .collection::<Document>(coll)
        .insert_one(doc! { "n": n })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_waiting_get_more_returns_the_write_that_woke_it() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, _) = open(&db, doc! {}).await;
    let writer = client.clone();
    tokio::spawn(async move {
        // Most likely after the getMore below has started waiting: the server's own tests
        // pin the wake-up down in paused time.
        tokio::time::sleep(Duration::from_millis(300)).await;
        insert(&writer, "c", 1).await;
    });
    // An hour's maxTimeMS: only the write can end this wait within the limit.
    let reply = common::within(
        "the write to wake the getMore",
        get_more(&db, id, Some(HOUR)),
    )
    .await
    .unwrap();
    let batch = next_batch(&reply);
    assert_eq!(batch.len(), 1);
    let event = batch[0].as_document().unwrap();
    assert_eq!(
        event.get_document("fullDocument").unwrap().get_i32("n"),
        Ok(1)
    );
    assert_eq!(reply.get_document("cursor").unwrap().get_i64("id"), Ok(id));
}

#[tokio::test]
async fn an_idle_get_more_returns_an_empty_batch_with_a_later_token() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, first) = open(&db, doc! {}).await;
    // Writes elsewhere move the cluster time, and so the high-water mark, forward.
    insert(&client, "elsewhere", 1).await;
    let reply = get_more(&db, id, Some(400)).await.unwrap();
    assert!(next_batch(&reply).is_empty());
    let (same_id, later) = cursor_of(&reply);
    assert_eq!(same_id, id);
    assert!(later > first, "{later} should sort after {first}");
    let seen = common::command_counts(&client).await;
    assert_eq!(
        seen.get_document("getMore")
            .unwrap()
            .get_i64("lastMaxTimeMS"),
        Ok(400)
    );

    // Without maxTimeMS the wait is MongoDB's default (one second, as the server's own tests
    // show), not forever.
    let reply = common::within("a getMore without maxTimeMS", get_more(&db, id, None))
        .await
        .unwrap();
    assert!(next_batch(&reply).is_empty());
}

#[tokio::test]
async fn kill_cursors_closes_a_change_stream() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, _) = open(&db, doc! {}).await;
    let reply = db
        .run_command(doc! { "killCursors": "c", "cursors": [id, 12345i64] })
        .await
        .unwrap();
    assert_eq!(reply.get_array("cursorsKilled").unwrap(), &vec![id.into()]);
    assert_eq!(
        reply.get_array("cursorsNotFound").unwrap(),
        &vec![12345i64.into()]
    );
    assert_eq!(
        error_code(get_more(&db, id, Some(10)).await.unwrap_err()),
        43
    );
}

#[tokio::test]
async fn a_failed_get_more_kills_its_cursor_so_no_event_is_skipped() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let coll = db.collection::<Document>("c");
    coll.insert_one(doc! { "_id": 1, "v": 0 }).await.unwrap();
    // No pre-images are kept for `c`, so `required` fails at the update.
    let (id, _) = open(&db, doc! { "fullDocumentBeforeChange": "required" }).await;
    coll.insert_one(doc! { "_id": 2 }).await.unwrap();
    coll.update_one(doc! { "_id": 1 }, doc! { "$set": { "v": 1 } })
        .await
        .unwrap();
    assert_eq!(
        error_code(get_more(&db, id, Some(10)).await.unwrap_err()),
        47
    );
    // The insert read before the failure was never delivered: the cursor is gone rather
    // than positioned after it.
    assert_eq!(
        error_code(get_more(&db, id, Some(10)).await.unwrap_err()),
        43
    );
}

/// The number of events in each getMore reply until `total` came.
async fn batches(db: &Database, id: i64, batch_size: Option<i32>, total: usize) -> Vec<usize> {
    common::within("the events", batches_unbounded(db, id, batch_size, total)).await
}

async fn batches_unbounded(
    db: &Database,
    id: i64,
    batch_size: Option<i32>,
    total: usize,
) -> Vec<usize> {
    let mut sizes = Vec::new();
    while sizes.iter().sum::<usize>() < total {
        let mut command = doc! { "getMore": id, "collection": "c", "maxTimeMS": HOUR };
        if let Some(n) = batch_size {
            command.insert("batchSize", n);
        }
        let reply = db.run_command(command).await.unwrap();
        sizes.push(next_batch(&reply).len());
        assert!(sizes.len() <= total, "no batch made progress: {sizes:?}");
    }
    sizes
}

#[tokio::test]
async fn a_get_more_returns_at_most_batch_size_events() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, _) = open(&db, doc! {}).await;
    for n in 0..10 {
        insert(&client, "c", n).await;
    }
    assert_eq!(batches(&db, id, Some(4), 10).await, [4, 4, 2]);
}

/// A reply stays near MongoDB's 16 MiB: events of 1 MiB come in more than one batch.
#[tokio::test]
async fn a_get_more_stops_near_16_mib() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, _) = open(&db, doc! {}).await;
    let big = "x".repeat(1024 * 1024);
    let c = db.collection::<Document>("c");
    for n in 0..20 {
        c.insert_one(doc! { "n": n, "big": &big }).await.unwrap();
    }
    let sizes = batches(&db, id, None, 20).await;
    assert!(sizes.len() == 2 && sizes[0] >= 15, "{sizes:?}");
}
