//! Change-stream cursors command by command: getMore waits for a write (no polling), an idle
//! getMore ends after maxTimeMS with an advanced token, killCursors and failed getMores
//! close the cursor.

use mwatch_testkit as common;

use std::time::{Duration, Instant};

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
async fn a_waiting_get_more_returns_as_soon_as_a_write_arrives() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, _) = open(&db, doc! {}).await;
    let writer = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        insert(&writer, "c", 1).await;
    });
    let started = Instant::now();
    let reply = get_more(&db, id, Some(30_000)).await.unwrap();
    // Woken by the write, not by the 30 s deadline.
    assert!(started.elapsed() < Duration::from_secs(15));
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
async fn an_idle_get_more_waits_max_time_ms_then_returns_an_empty_batch_with_a_later_token() {
    let (_server, client) = common::setup().await;
    let db = client.database("cur");
    let (id, first) = open(&db, doc! {}).await;
    // Writes elsewhere move the cluster time, and so the high-water mark, forward.
    insert(&client, "elsewhere", 1).await;
    let started = Instant::now();
    let reply = get_more(&db, id, Some(400)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(next_batch(&reply).is_empty());
    let (same_id, later) = cursor_of(&reply);
    assert_eq!(same_id, id);
    assert!(later > first, "{later} should sort after {first}");

    // Without maxTimeMS the wait is MongoDB's default, one second.
    let started = Instant::now();
    let reply = get_more(&db, id, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1000));
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
