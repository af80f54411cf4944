//! `mwatch --json --resume NAME` against a playground: a bookmark replays exactly what followed
//! it, with its own scope, pipeline and options; one older than the server's history says so
//! and where replay can still start.

use crate::common;

use bson::{doc, DateTime, Document};
use common::cli::{json_lines, tokens};
use common::home::Home;
use common::streams::{next_events, numbers, op_types};
use mongodb::options::FullDocumentType;
use mongodb::Client;
use mwatch::bookmarks::Bookmark;
use mwatch::event::ChangeEvent;
use mwatch::redact::RedactedUri;
use mwatch::source::{FullDocument, Scope, Start, StreamOptions, WatchSpec};
use mwatch_playground::Config;

/// A watch of r.orders from now, with no pipeline and default options.
fn orders_spec() -> WatchSpec {
    WatchSpec {
        scope: Scope::parse("r.orders").unwrap(),
        pipeline: Vec::new(),
        options: StreamOptions::default(),
        start: Start::Now,
    }
}

/// Saves a bookmark of `event`, seen by a watch of `spec` on `uri`, as `name`.
fn save(home: &Home, name: &str, event: &Document, spec: &WatchSpec, uri: &str) {
    let event = ChangeEvent::from_document(event).unwrap();
    let bookmark =
        Bookmark::from_event(&event, spec, &RedactedUri::new(uri), DateTime::now()).unwrap();
    let saved = home
        .store()
        .add(Bookmark {
            name: name.into(),
            ..bookmark
        })
        .unwrap();
    assert_eq!(saved, name);
}

async fn write_history(client: &Client) {
    let orders = client.database("r").collection::<Document>("orders");
    for n in 0..6 {
        orders.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
    }
    orders
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "n": 10 } })
        .await
        .unwrap();
    orders.delete_one(doc! { "_id": 2 }).await.unwrap();
    let elsewhere = client.database("r").collection::<Document>("other");
    elsewhere.insert_one(doc! { "n": 99 }).await.unwrap();
    orders.insert_one(doc! { "_id": 6, "n": 6 }).await.unwrap();
    orders.drop().await.unwrap();
}

#[tokio::test]
async fn replaying_a_bookmark_yields_exactly_the_events_after_it() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let pipeline = vec![doc! { "$match": { "operationType": { "$ne": "delete" } } }];
    let mut stream = client
        .database("r")
        .collection::<Document>("orders")
        .watch()
        .pipeline(pipeline.clone())
        .full_document(FullDocumentType::UpdateLookup)
        .await
        .unwrap()
        .with_type::<Document>();
    write_history(&client).await;
    // 6 inserts, the update, the last insert, drop and invalidate: the delete is filtered out
    // and r.other is not watched.
    let seen = next_events(&mut stream, 10).await;
    assert_eq!(
        op_types(&seen)[5..],
        ["insert", "update", "insert", "drop", "invalidate"]
    );
    let spec = WatchSpec {
        pipeline,
        options: StreamOptions {
            full_document: Some(FullDocument::UpdateLookup),
            ..StreamOptions::default()
        },
        ..orders_spec()
    };
    let home = Home::new();
    save(&home, "third-insert", &seen[2], &spec, &uri);

    // No connection string, scope, pipeline or option on the command line: all from the bookmark.
    let (code, stdout, stderr) = home.run(&["--json", "--resume", "third-insert"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("replaying bookmark 'third-insert'"),
        "{stderr}"
    );
    let replayed = json_lines(&stdout);
    assert_eq!(tokens(&replayed), tokens(&seen[3..]));
    let update = &replayed[3];
    assert_eq!(update.get_str("operationType"), Ok("update"));
    assert!(
        update.contains_key("fullDocument"),
        "updateLookup was used: {update}"
    );

    // A flag overrides what the bookmark says: with no pipeline the delete comes back.
    let (code, stdout, stderr) = home
        .run(&["--json", "--resume", "third-insert", "--pipeline", "[]"])
        .await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        op_types(&json_lines(&stdout)),
        [
            "insert",
            "insert",
            "insert",
            "update",
            "delete",
            "insert",
            "drop",
            "invalidate"
        ]
    );
}

#[tokio::test]
async fn an_invalidate_bookmark_continues_after_the_drop() {
    let (server, client) = common::setup().await;
    let orders = client.database("r").collection::<Document>("orders");
    orders.insert_one(doc! { "n": 0 }).await.unwrap();
    let mut stream = orders.watch().await.unwrap().with_type::<Document>();
    orders.drop().await.unwrap();
    let seen = next_events(&mut stream, 2).await;
    let spec = orders_spec();
    let home = Home::new();
    save(&home, "dropped", &seen[1], &spec, &server.uri());
    orders.insert_one(doc! { "n": 1 }).await.unwrap();
    orders.drop().await.unwrap();

    let (code, stdout, stderr) = home.run(&["--json", "--resume", "dropped"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        op_types(&json_lines(&stdout)),
        ["insert", "drop", "invalidate"]
    );
}

#[tokio::test]
async fn a_bookmark_older_than_the_history_says_how_old_and_where_replay_can_start() {
    let (server, client) = common::setup_with(Config {
        history: 5,
        ..Config::default()
    })
    .await;
    let orders = client.database("r").collection::<Document>("orders");
    let mut stream = orders.watch().await.unwrap().with_type::<Document>();
    orders.insert_one(doc! { "n": 0 }).await.unwrap();
    // Read before the history moves past it: a stream that falls behind fails too.
    let first = next_events(&mut stream, 1).await.remove(0);
    orders
        .insert_many((1..20).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    orders.drop().await.unwrap();
    let spec = orders_spec();
    let home = Home::new();
    save(&home, "first", &first, &spec, &server.uri());

    let (code, stdout, stderr) = home.run(&["--json", "--resume", "first"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("history lost"), "{stderr}");
    assert!(
        stderr.contains("bookmark 'first' is ") && stderr.contains(" s old ("),
        "{stderr}"
    );
    assert!(stderr.contains("--resume first --start-at now"), "{stderr}");
    let suggested = stderr
        .split("--resume first --start-at ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no --start-at suggestion: {stderr}"));

    // The suggested point is the oldest the server kept: the last four inserts and the drop.
    let (code, stdout, stderr) = home
        .run(&["--json", "--resume", "first", "--start-at", suggested])
        .await;
    assert_eq!(code, 0, "{stderr}");
    let replayed = json_lines(&stdout);
    assert_eq!(op_types(&replayed)[4..], ["drop", "invalidate"]);
    assert_eq!(numbers(&replayed[..4]), [16, 17, 18, 19]);
}
