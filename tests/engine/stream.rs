//! The change-stream engine against the playground: gapless restarts, rejected pipelines,
//! invalidation and explanations.

use crate::common;

use std::time::Duration;

use bson::{doc, Document};
use mwatch::source::connect::connect;
use mwatch::source::{engine, Control, Scope, SourceMsg, Start, Status, StreamOptions, WatchSpec};
use mwatch_playground::Playground;
use tokio::sync::mpsc;

pub(super) fn spec(pipeline: Vec<Document>, start: Start) -> Box<WatchSpec> {
    Box::new(WatchSpec {
        scope: Scope::Collection {
            db: "e".into(),
            coll: "c".into(),
        },
        pipeline,
        options: StreamOptions::default(),
        start,
    })
}

/// Messages of accepted watches, as a consumer would keep them.
pub(super) struct Consumer {
    pub(super) messages: mpsc::Receiver<SourceMsg>,
    pub(super) current: Option<u64>,
    /// (watch id, event) for every event of the current watch.
    pub(super) events: Vec<(u64, Document)>,
    pub(super) rejected: Vec<(u64, String)>,
    /// The watches of `rejected` whose start point the server's history no longer holds.
    pub(super) history_lost: Vec<u64>,
    pub(super) statuses: Vec<Status>,
}

impl Consumer {
    pub(super) fn new(messages: mpsc::Receiver<SourceMsg>) -> Self {
        Consumer {
            messages,
            current: None,
            events: Vec::new(),
            rejected: Vec::new(),
            history_lost: Vec::new(),
            statuses: Vec::new(),
        }
    }

    async fn step(&mut self) {
        let message = common::within("the engine's next message", self.messages.recv())
            .await
            .expect("the engine stopped");
        match message {
            SourceMsg::Started { watch } => self.current = Some(watch),
            SourceMsg::Rejected {
                watch,
                error,
                history_lost,
            } => {
                self.rejected.push((watch, error));
                if history_lost {
                    self.history_lost.push(watch);
                }
            }
            SourceMsg::Events { watch, events } if Some(watch) == self.current => {
                self.events
                    .extend(events.iter().map(|e| (watch, e.to_document().unwrap())));
            }
            SourceMsg::Status { watch, status } if Some(watch) == self.current => {
                self.statuses.push(status)
            }
            _ => {}
        }
    }

    /// Reads messages until `done`; messages that never satisfy it fail the test too.
    pub(super) async fn until(&mut self, done: impl Fn(&Consumer) -> bool) {
        let read = async {
            while !done(self) {
                self.step().await;
            }
        };
        common::within("the engine to reach the expected state", read).await;
    }
}

/// An engine connected to `server` as mwatch connects, and a consumer of its messages.
async fn start(server: &Playground) -> (mpsc::Sender<Control>, Consumer) {
    let (connection, _) = connect(&server.uri()).await.unwrap();
    let (control, messages) = engine::spawn(connection);
    (control, Consumer::new(messages))
}

pub(super) async fn send_watch(control: &mpsc::Sender<Control>, id: u64, spec: Box<WatchSpec>) {
    control.send(Control::Watch { id, spec }).await.unwrap();
}

/// An engine on `server` whose watch 1 (all of `e.c`, from now) has started.
pub(super) async fn watching_everything(server: &Playground) -> (mpsc::Sender<Control>, Consumer) {
    let (control, mut consumer) = start(server).await;
    send_watch(&control, 1, spec(vec![], Start::Now)).await;
    consumer.until(|c| c.current == Some(1)).await;
    (control, consumer)
}

fn n_of(event: &Document) -> i32 {
    event
        .get_document("fullDocument")
        .unwrap()
        .get_i32("n")
        .unwrap()
}

#[tokio::test]
async fn pipeline_changes_under_continuous_writes_lose_and_repeat_nothing() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, mut consumer) = start(&server).await;
    let tagged = |tag: i32| {
        vec![
            doc! { "$match": { "operationType": "insert" } },
            doc! { "$addFields": { "tag": tag } },
        ]
    };
    send_watch(&control, 1, spec(tagged(1), Start::Now)).await;
    consumer.until(|c| c.current == Some(1)).await;

    const TOTAL: i32 = 600;
    let writer = tokio::spawn(async move {
        for n in 0..TOTAL {
            coll.insert_one(doc! { "n": n }).await.unwrap();
            if n % 20 == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    for id in 2..=4 {
        let seen = consumer.events.len();
        consumer.until(|c| c.events.len() >= seen + 60).await;
        send_watch(&control, id, spec(tagged(id as i32), Start::Continue)).await;
        consumer.until(|c| c.current == Some(id)).await;
    }
    consumer.until(|c| c.events.len() >= TOTAL as usize).await;
    writer.await.unwrap();

    let numbers: Vec<i32> = consumer.events.iter().map(|(_, e)| n_of(e)).collect();
    assert_eq!(
        numbers,
        (0..TOTAL).collect::<Vec<_>>(),
        "every write exactly once, in order"
    );
    // Each event carries the tag of the pipeline that delivered it: all four took part.
    let tags: std::collections::BTreeSet<i32> = consumer
        .events
        .iter()
        .map(|(_, e)| e.get_i32("tag").unwrap())
        .collect();
    assert_eq!(tags.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4]);
    for (watch, event) in &consumer.events {
        assert_eq!(event.get_i32("tag").unwrap() as u64, *watch);
    }
}

#[tokio::test]
async fn max_await_is_what_the_server_gets_as_the_get_mores_max_time_ms() {
    let (server, client) = common::setup().await;
    let (control, mut consumer) = start(&server).await;
    let mut watch = spec(vec![], Start::Now);
    watch.options.max_await = Some(Duration::from_millis(250));
    send_watch(&control, 1, watch).await;
    consumer.until(|c| c.current == Some(1)).await;
    let coll = client.database("e").collection::<Document>("c");
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    // The event comes in a getMore's reply, so that getMore has been counted.
    consumer.until(|c| c.events.len() == 1).await;
    let seen = common::command_counts(&client).await;
    assert_eq!(
        seen.get_document("getMore")
            .unwrap()
            .get_i64("lastMaxTimeMS"),
        Ok(250)
    );
}

#[tokio::test]
async fn a_rejected_pipeline_leaves_the_stream_running() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, mut consumer) = watching_everything(&server).await;
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    consumer.until(|c| c.events.len() == 1).await;

    let bad = vec![doc! { "$group": { "_id": null } }];
    send_watch(&control, 2, spec(bad, Start::Continue)).await;
    consumer.until(|c| !c.rejected.is_empty()).await;
    assert_eq!(consumer.rejected[0].0, 2);
    assert!(
        consumer.rejected[0].1.contains("$group is not permitted"),
        "{:?}",
        consumer.rejected
    );

    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    consumer.until(|c| c.events.len() == 2).await;
    assert_eq!(consumer.current, Some(1));
    assert_eq!(n_of(&consumer.events[1].1), 1);
}

#[tokio::test]
async fn invalidation_is_reported_with_a_token_to_continue_from() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    let (control, mut consumer) = watching_everything(&server).await;
    coll.drop().await.unwrap();
    consumer
        .until(|c| {
            c.statuses
                .iter()
                .any(|s| matches!(s, Status::Invalidated { .. }))
        })
        .await;
    let Some(Status::Invalidated { token: Some(token) }) = consumer.statuses.last().cloned() else {
        panic!("no token: {:?}", consumer.statuses)
    };
    // Continuing after the invalidate sees the recreated collection.
    send_watch(&control, 2, spec(vec![], Start::StartAfter(token))).await;
    consumer.until(|c| c.current == Some(2)).await;
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    consumer
        .until(|c| c.events.iter().any(|(w, _)| *w == 2))
        .await;
    assert_eq!(n_of(&consumer.events.last().unwrap().1), 1);
}

#[tokio::test]
async fn a_standalone_server_gets_the_replica_set_explanation() {
    let server = mwatch_playground::start(mwatch_playground::Config {
        standalone: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let (control, mut consumer) = start(&server).await;
    send_watch(&control, 1, spec(vec![], Start::Now)).await;
    consumer.until(|c| !c.rejected.is_empty()).await;
    let error = &consumer.rejected[0].1;
    assert!(
        error.contains("change streams need a replica set"),
        "{error}"
    );
    assert!(
        error.contains("rs.initiate()") && error.contains("mwatch --demo"),
        "{error}"
    );
}

#[tokio::test]
async fn a_lost_connection_is_resumed_from_the_last_token() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (_control, mut consumer) = watching_everything(&server).await;
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    consumer.until(|c| c.events.len() == 1).await;
    // Every getMore and aggregate fails until the writes are done: the stream is resuming
    // while they happen, so they can only arrive by resuming from the last token.
    let data = doc! { "failCommands": ["getMore", "aggregate"], "closeConnection": true };
    common::fail_command(&client, "alwaysOn".into(), data.clone()).await;
    consumer
        .until(|c| matches!(c.statuses.last(), Some(Status::Resuming(_))))
        .await;
    for n in 1..4 {
        coll.insert_one(doc! { "n": n }).await.unwrap();
    }
    common::fail_command(&client, "off".into(), data).await;
    consumer.until(|c| c.events.len() == 4).await;
    let numbers: Vec<i32> = consumer.events.iter().map(|(_, e)| n_of(e)).collect();
    assert_eq!(numbers, [0, 1, 2, 3]);
    assert!(
        consumer
            .statuses
            .iter()
            .any(|s| matches!(s, Status::Resuming(_))),
        "{:?}",
        consumer.statuses
    );
    assert_eq!(consumer.statuses.last(), Some(&Status::Live));
}

#[tokio::test]
async fn pause_holds_events_back_resume_delivers_them_all_and_stop_ends_the_task() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, mut consumer) = watching_everything(&server).await;
    control.send(Control::Pause).await.unwrap();
    consumer
        .until(|c| c.statuses.last() == Some(&Status::Paused))
        .await;
    coll.insert_many((0..5).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    // Paused: nothing is forwarded.
    let quiet = tokio::time::timeout(Duration::from_millis(1500), consumer.messages.recv()).await;
    assert!(quiet.is_err(), "a message while paused: {quiet:?}");

    control.send(Control::Resume).await.unwrap();
    consumer.until(|c| c.events.len() == 5).await;
    let numbers: Vec<i32> = consumer.events.iter().map(|(_, e)| n_of(e)).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4]);
    assert!(consumer.statuses.contains(&Status::Live));

    control.send(Control::Stop).await.unwrap();
    let end = async { while consumer.messages.recv().await.is_some() {} };
    common::within("the engine to stop after Stop", end).await;
}

fn in_coll(coll: &str, start: Start) -> Box<WatchSpec> {
    Box::new(WatchSpec {
        scope: Scope::Collection {
            db: "e".into(),
            coll: coll.into(),
        },
        ..*spec(vec![], start)
    })
}

/// `Continue` goes on from the last event on the same scope (after an invalidate, with
/// startAfter, as resumeAfter is refused there), and from now on another scope.
#[tokio::test]
async fn continue_resumes_on_the_same_scope_only_and_after_an_invalidate() {
    let (server, client) = common::setup().await;
    let db = client.database("e");
    let (c, d) = (
        db.collection::<Document>("c"),
        db.collection::<Document>("d"),
    );
    let (control, mut consumer) = watching_everything(&server).await;
    c.insert_one(doc! { "n": 0 }).await.unwrap();
    consumer.until(|c| c.events.len() == 1).await;
    // Written before the watch of `e.d` opens: not seen, as it starts now.
    d.insert_one(doc! { "n": 1 }).await.unwrap();
    send_watch(&control, 2, in_coll("d", Start::Continue)).await;
    consumer.until(|c| c.current == Some(2)).await;
    d.insert_one(doc! { "n": 2 }).await.unwrap();
    consumer.until(|c| c.events.len() == 2).await;
    assert_eq!(n_of(&consumer.events[1].1), 2);

    d.drop().await.unwrap();
    consumer
        .until(|c| matches!(c.statuses.last(), Some(Status::Invalidated { .. })))
        .await;
    send_watch(&control, 3, in_coll("d", Start::Continue)).await;
    consumer.until(|c| c.current == Some(3)).await;
    d.insert_one(doc! { "n": 3 }).await.unwrap();
    consumer
        .until(|c| c.events.iter().any(|(w, _)| *w == 3))
        .await;
    assert_eq!(consumer.rejected, []);
    assert_eq!(n_of(&consumer.events.last().unwrap().1), 3);
}

/// Events that are ready go out together, at most a thousand to a message.
#[tokio::test]
async fn ready_events_are_forwarded_in_batches_of_at_most_a_thousand() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, mut consumer) = watching_everything(&server).await;
    control.send(Control::Pause).await.unwrap();
    let answered = common::command_total(&client, "getMore").await;
    coll.insert_many((0..2500).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    // Paused, the reader still reads: once the server has answered the getMore waiting for
    // them, the driver holds all 2,500 events, and the reader takes them as they are ready.
    common::until_commands(&client, "getMore", answered + 1).await;
    control.send(Control::Resume).await.unwrap();
    let mut sizes = Vec::new();
    let read = async {
        while sizes.iter().sum::<usize>() < 2500 {
            if let Some(SourceMsg::Events { events, .. }) = consumer.messages.recv().await {
                sizes.push(events.len());
            }
        }
    };
    common::within("2,500 events", read).await;
    assert_eq!(sizes, [1000, 1000, 500]);
}

/// Large events go out in batches of about a megabyte, not a thousand of them: what is
/// queued is bounded in bytes.
#[tokio::test]
async fn large_events_are_forwarded_in_batches_of_about_a_megabyte() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, mut consumer) = watching_everything(&server).await;
    control.send(Control::Pause).await.unwrap();
    let answered = common::command_total(&client, "getMore").await;
    let pad = "x".repeat(100_000);
    coll.insert_many((0..30).map(|n| doc! { "n": n, "pad": &pad }))
        .await
        .unwrap();
    common::until_commands(&client, "getMore", answered + 1).await;
    control.send(Control::Resume).await.unwrap();
    let mut batches: Vec<(usize, usize)> = Vec::new();
    let read = async {
        while batches.iter().map(|b| b.0).sum::<usize>() < 30 {
            if let Some(SourceMsg::Events { events, .. }) = consumer.messages.recv().await {
                batches.push((events.len(), events.iter().map(|e| e.size()).sum()));
            }
        }
    };
    common::within("30 events", read).await;
    // At most a megabyte, and the event that goes past it.
    assert!(
        batches.iter().all(|b| b.1 <= (1 << 20) + 101_000),
        "{batches:?}"
    );
    assert!(batches.len() >= 3, "{batches:?}");
}

/// When the consumer goes, the engine ends and its stream is closed on the server.
#[tokio::test]
async fn the_engine_ends_and_closes_its_stream_when_the_consumer_goes() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (control, consumer) = watching_everything(&server).await;
    drop(consumer);
    // The engine notices when it next has something to forward.
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    common::within("the engine to end", control.closed()).await;
    common::until_commands(&client, "killCursors", 1).await;
}

/// A replaced stream is closed on the server at once, though no event comes to wake it.
#[tokio::test]
async fn a_replaced_stream_is_closed_on_the_server_at_once() {
    let (server, client) = common::setup().await;
    let (control, mut consumer) = watching_everything(&server).await;
    let insert_only = vec![doc! { "$match": { "operationType": "insert" } }];
    send_watch(&control, 2, spec(insert_only, Start::Continue)).await;
    consumer.until(|c| c.current == Some(2)).await;
    common::until_commands(&client, "killCursors", 1).await;
}

/// A watch's position starts where it opened: its start token, else the server's first
/// post-batch token. A switch made before any event was forwarded continues from there, so
/// the events held back are read again by the new stream.
#[tokio::test]
async fn a_switch_before_any_event_was_forwarded_continues_from_where_the_watch_opened() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let insert_only = || vec![doc! { "$match": { "operationType": "insert" } }];
    let (control, mut consumer) = start(&server).await;
    // Opened now, paused: n = 0 is written, then the switch.
    control.send(Control::Pause).await.unwrap();
    send_watch(&control, 1, spec(vec![], Start::Now)).await;
    consumer.until(|c| c.current == Some(1)).await;
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    send_watch(&control, 2, spec(insert_only(), Start::Continue)).await;
    consumer.until(|c| c.current == Some(2)).await;
    control.send(Control::Resume).await.unwrap();
    consumer.until(|c| c.events.len() == 1).await;
    assert_eq!(n_of(&consumer.events[0].1), 0);
    let first_token = consumer.events[0].1.get_document("_id").unwrap().clone();

    // Opened from a token, paused: its first batch (n = 1, 2) is after the token, and a switch
    // does not skip it.
    coll.insert_many((1..3).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    consumer.until(|c| c.events.len() == 3).await;
    control.send(Control::Pause).await.unwrap();
    send_watch(&control, 3, spec(vec![], Start::ResumeAfter(first_token))).await;
    consumer.until(|c| c.current == Some(3)).await;
    send_watch(&control, 4, spec(insert_only(), Start::Continue)).await;
    consumer.until(|c| c.current == Some(4)).await;
    control.send(Control::Resume).await.unwrap();
    consumer.until(|c| c.events.len() == 5).await;
    let numbers: Vec<i32> = consumer.events[3..].iter().map(|(_, e)| n_of(e)).collect();
    assert_eq!(numbers, [1, 2]);
}

/// An error a resume cannot fix ends the stream once, as Failed, with the server's words.
#[tokio::test]
async fn an_error_that_resuming_cannot_fix_fails_the_stream_once() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (_control, mut consumer) = watching_everything(&server).await;
    common::fail_command(
        &client,
        common::times(1),
        doc! { "failCommands": ["getMore"], "errorCode": 280 },
    )
    .await;
    coll.insert_one(doc! { "n": 0 }).await.unwrap();
    consumer
        .until(|c| matches!(c.statuses.last(), Some(Status::Failed(_))))
        .await;
    let Some(Status::Failed(reason)) = consumer.statuses.last() else {
        unreachable!()
    };
    assert!(reason.contains("(280): "), "{reason}");
    assert!(
        !consumer
            .statuses
            .iter()
            .any(|s| matches!(s, Status::Resuming(_))),
        "{:?}",
        consumer.statuses
    );
    // Nothing follows a failure, not even a later write.
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    let more = tokio::time::timeout(Duration::from_millis(1500), consumer.messages.recv()).await;
    assert!(matches!(more, Err(_) | Ok(None)), "{more:?}");
}

/// A getMore that fails while the reader is taking a batch (the connection closes under it):
/// the stream goes on from the last event read, losing and repeating nothing, and is not
/// reported invalidated. The reader never drops a driver future half-way: one that hits a
/// resumable error starts the driver's own resume, and dropping it then would leave the
/// cursor without its session and on its failed cursor (see `engine::read`).
#[tokio::test]
async fn a_connection_lost_while_a_batch_is_taken_loses_and_repeats_nothing() {
    let (server, client) = common::setup().await;
    let coll = client.database("e").collection::<Document>("c");
    let (_control, mut consumer) = watching_everything(&server).await;
    const TOTAL: i32 = 2500;
    // The getMore waiting now was sent before the fail point: the next ones fail, one at a
    // time, while the events of the previous reply are being taken.
    let data = doc! { "failCommands": ["getMore"], "closeConnection": true };
    common::fail_command(&client, common::times(2), data).await;
    coll.insert_many((0..TOTAL).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    consumer.until(|c| c.events.len() >= TOTAL as usize).await;
    let numbers: Vec<i32> = consumer.events.iter().map(|(_, e)| n_of(e)).collect();
    assert_eq!(numbers, (0..TOTAL).collect::<Vec<_>>());
    assert!(
        !consumer
            .statuses
            .iter()
            .any(|s| matches!(s, Status::Invalidated { .. } | Status::Failed(_))),
        "{:?}",
        consumer.statuses
    );
    // Nothing more arrives: no event is repeated after the resume.
    let more = tokio::time::timeout(Duration::from_millis(500), consumer.messages.recv()).await;
    assert!(
        !matches!(more, Ok(Some(SourceMsg::Events { .. }))),
        "{more:?}"
    );
}
