//! The stream across outages and the server's history: a quiet stream keeps its place, a
//! point the history no longer holds is said so, a server that goes away is said at once.

use crate::common;

use bson::{doc, Document};
use mwatch::source::connect::connect;
use mwatch::source::{engine, Start, Status};

use super::stream::{send_watch, spec, watching_everything, Consumer};

/// A playground that keeps only 50 oplog entries, so that a test can outrun its history.
async fn with_short_history() -> (mwatch_playground::Playground, mongodb::Client) {
    common::setup_with(mwatch_playground::Config {
        history: 50,
        ..Default::default()
    })
    .await
}

/// A quiet stream keeps its place with the server's post-batch tokens: after other
/// collections' writes pushed its last event out of the history, a pipeline change still
/// continues from where it is.
#[tokio::test]
async fn a_quiet_stream_keeps_its_place_as_the_history_moves_on() {
    let (server, client) = with_short_history().await;
    let db = client.database("e");
    let (control, mut consumer) = watching_everything(&server).await;
    db.collection::<Document>("c")
        .insert_one(doc! { "n": 0 })
        .await
        .unwrap();
    consumer.until(|c| c.events.len() == 1).await;
    // Two rounds of 30 writes elsewhere: each fits in the history, together they push the
    // event out; the stream's idle getMores in between carry it past them.
    let other = db.collection::<Document>("other");
    for _ in 0..2 {
        other
            .insert_many((0..30).map(|n| doc! { "n": n }))
            .await
            .unwrap();
        let answered = common::command_total(&client, "getMore").await;
        common::until_commands(&client, "getMore", answered + 2).await;
    }
    let insert_only = vec![doc! { "$match": { "operationType": "insert" } }];
    send_watch(&control, 2, spec(insert_only, Start::Continue)).await;
    consumer
        .until(|c| c.current == Some(2) || !c.rejected.is_empty())
        .await;
    assert_eq!(consumer.rejected, []);
}

/// Resuming after an outage from a point the history no longer holds says so, and stops:
/// mwatch retries while the server is unreachable, then reports what the server says.
#[tokio::test]
async fn a_resume_from_a_point_the_history_lost_says_so() {
    let (server, client) = with_short_history().await;
    let db = client.database("e");
    let (_control, mut consumer) = watching_everything(&server).await;
    let data = doc! { "failCommands": ["getMore", "aggregate"], "closeConnection": true };
    common::fail_command(&client, "alwaysOn".into(), data.clone()).await;
    // mwatch's own retries, not the driver's word that the server went away for a moment.
    consumer
        .until(|c| {
            matches!(c.statuses.last(), Some(Status::Resuming(why)) if !why.contains("no server answers"))
        })
        .await;
    // While mwatch retries, the history moves past its last point.
    db.collection::<Document>("other")
        .insert_many((0..100).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    common::fail_command(&client, "off".into(), data).await;
    consumer
        .until(|c| matches!(c.statuses.last(), Some(Status::HistoryLost(_))))
        .await;
}

/// A server that goes away is said at once: the driver's monitoring knows before its own retry
/// of the stream gives up, which here would take a minute (`serverSelectionTimeoutMS`), far
/// past the test's bound.
#[tokio::test]
async fn a_server_that_goes_away_shows_as_resuming_at_once() {
    let server = common::playground().await;
    let uri = format!("{}&serverSelectionTimeoutMS=60000", server.uri());
    let (connection, _) = connect(&uri).await.unwrap();
    let (control, messages) = engine::spawn(connection);
    let mut consumer = Consumer::new(messages);
    send_watch(&control, 1, spec(vec![], Start::Now)).await;
    consumer.until(|c| c.current == Some(1)).await;
    server.stop().await;
    consumer
        .until(|c| matches!(c.statuses.last(), Some(Status::Resuming(_))))
        .await;
    let Some(Status::Resuming(why)) = consumer.statuses.last() else {
        unreachable!()
    };
    assert!(why.contains("no server answers"), "{why}");
}

/// A resume token the server does not know (here a moment of its history when nothing
/// happened; in life, a server restarted with its history gone: 280, "the resume token was not
/// found") is history lost, with the same way on as 286, not a bare error.
#[tokio::test]
async fn a_resume_token_the_server_does_not_know_is_history_lost() {
    let (server, client) = common::setup().await;
    let (control, mut consumer) = watching_everything(&server).await;
    let coll = client.database("e").collection::<Document>("c");
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    consumer.until(|c| !c.events.is_empty()).await;
    let token = consumer.events[0].1.get_document("_id").unwrap().clone();
    let data = token.get_str("_data").unwrap();
    let unknown = format!(
        "82{:016X}{}",
        u64::from_str_radix(&data[2..18], 16).unwrap() + 12345,
        &data[18..]
    );
    let start = Start::ResumeAfter(doc! { "_data": unknown });
    send_watch(&control, 2, spec(vec![], start)).await;
    consumer.until(|c| !c.rejected.is_empty()).await;
    assert_eq!(consumer.history_lost, [2], "{:?}", consumer.rejected);
    let error = &consumer.rejected[0].1;
    assert!(
        error.contains("no longer in the server's history"),
        "{error}"
    );
}
