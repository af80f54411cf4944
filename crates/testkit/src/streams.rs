//! Reading change streams in tests, with a time limit so a bug fails instead of hanging.

use std::time::Duration;

use bson::{Bson, Document};
use futures_util::StreamExt;
use mongodb::change_stream::event::ResumeToken;
use mongodb::change_stream::ChangeStream;

use crate::within;

/// The next `n` events, failing the test if they do not arrive within [`LIMIT`](crate::LIMIT).
pub async fn next_events(stream: &mut ChangeStream<Document>, n: usize) -> Vec<Document> {
    let mut events = Vec::new();
    let read = async {
        while events.len() < n {
            match stream.next().await {
                Some(event) => events.push(event.expect("change stream error")),
                None => break,
            }
        }
    };
    within(&format!("{n} change events"), read).await;
    events
}

/// The error the stream gives next (within [`LIMIT`](crate::LIMIT)).
pub async fn first_error(stream: &mut ChangeStream<Document>) -> mongodb::error::Error {
    within("a change stream error", stream.next())
        .await
        .expect("the stream should not end")
        .unwrap_err()
}

/// How long [`assert_quiet`] watches a stream.
const QUIET: Duration = Duration::from_millis(1500);

/// Asserts that the stream gives neither an event nor an error for [`QUIET`]: it keeps asking
/// the server (one getMore per empty batch) until the window ends.
pub async fn assert_quiet(stream: &mut ChangeStream<Document>) {
    let watch = async {
        loop {
            match stream.next_if_any().await {
                Ok(None) => {}
                Ok(Some(event)) => panic!("unexpected event: {event}"),
                Err(e) => panic!("unexpected change stream error: {e}"),
            }
        }
    };
    tokio::time::timeout(QUIET, watch)
        .await
        .expect_err("only the window's end stops the watch");
}

pub fn op_types(events: &[Document]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e.get_str("operationType").expect("operationType"))
        .collect()
}

pub fn token_of(event: &Document) -> ResumeToken {
    bson::from_bson(Bson::Document(
        event.get_document("_id").expect("_id").clone(),
    ))
    .expect("token")
}

pub fn keys(doc: &Document) -> Vec<&str> {
    doc.keys().map(String::as_str).collect()
}

/// The `n` of each event's full document: tests insert `{n: 0}`, `{n: 1}`, ... so that a lost
/// or repeated event shows as a gap or a repeat.
pub fn numbers(events: &[Document]) -> Vec<i32> {
    events
        .iter()
        .map(|e| {
            e.get_document("fullDocument")
                .expect("fullDocument")
                .get_i32("n")
                .expect("fullDocument.n")
        })
        .collect()
}
