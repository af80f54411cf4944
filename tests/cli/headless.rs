//! `mwatch --json` as a user runs it: the real binary against a playground.

use crate::common;

use bson::{doc, Document};
use common::cli::{finish, json_lines, refused_before_connecting, run, wait_for_line, watching};
use tokio::io::BufReader;

fn op_types(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["operationType"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn prints_every_operation_type_as_json_lines_and_ends_on_invalidate() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let (child, lines) = watching(&[&uri, "--json", "--ns", "h.c"]).await;
    assert!(
        lines[0].contains("replica set rs0") && lines[0].contains("watching h.c"),
        "{lines:?}"
    );

    let coll = client.database("h").collection::<Document>("c");
    coll.insert_one(doc! { "_id": 1, "n": 1, "at": bson::DateTime::from_millis(0) })
        .await
        .unwrap();
    coll.update_one(doc! { "_id": 1 }, doc! { "$set": { "n": 2 } })
        .await
        .unwrap();
    coll.replace_one(doc! { "_id": 1 }, doc! { "n": 3 })
        .await
        .unwrap();
    coll.delete_one(doc! { "_id": 1 }).await.unwrap();
    coll.drop().await.unwrap();

    let (code, stdout, stderr) = finish(child).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        op_types(&stdout),
        [
            "insert",
            "update",
            "replace",
            "delete",
            "drop",
            "invalidate"
        ]
    );
    let insert: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    // Relaxed Extended JSON: plain numbers, typed dates.
    assert_eq!(insert["fullDocument"]["n"], 1);
    assert_eq!(
        insert["fullDocument"]["at"]["$date"],
        "1970-01-01T00:00:00Z"
    );
    assert!(stderr.contains("invalidated"), "{stderr}");
}

#[tokio::test]
async fn prints_ddl_rename_and_database_events_with_expanded_events() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let (child, _) = watching(&[&uri, "--json", "--ns", "d", "--expanded-events"]).await;

    let db = client.database("d");
    db.create_collection("a").await.unwrap();
    db.run_command(
        doc! { "createIndexes": "a", "indexes": [{ "key": { "k": 1 }, "name": "k_1" }] },
    )
    .await
    .unwrap();
    db.run_command(doc! { "dropIndexes": "a", "index": "k_1" })
        .await
        .unwrap();
    db.run_command(doc! { "collMod": "a", "changeStreamPreAndPostImages": { "enabled": true } })
        .await
        .unwrap();
    client
        .database("admin")
        .run_command(doc! { "renameCollection": "d.a", "to": "d.b" })
        .await
        .unwrap();
    db.drop().await.unwrap();

    let (code, stdout, stderr) = finish(child).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        op_types(&stdout),
        [
            "create",
            "createIndexes",
            "dropIndexes",
            "modify",
            "rename",
            "drop",
            "dropDatabase",
            "invalidate"
        ]
    );
    let rename: serde_json::Value = serde_json::from_str(stdout.lines().nth(4).unwrap()).unwrap();
    assert_eq!(rename["to"]["coll"], "b");
    assert_eq!(rename["operationDescription"]["to"]["coll"], "b");
}

#[tokio::test]
async fn records_what_it_prints_and_replays_it() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.jsonl");
    let file_arg = file.to_str().unwrap();
    let (child, _) = watching(&[
        &uri,
        "--json",
        "--canonical",
        "--ns",
        "h.r",
        "--record",
        file_arg,
    ])
    .await;
    let coll = client.database("h").collection::<Document>("r");
    coll.insert_many([doc! { "n": 1i64 }, doc! { "n": 2.5 }])
        .await
        .unwrap();
    coll.drop().await.unwrap();
    let (code, live, _) = finish(child).await;
    assert_eq!(code, 0);

    let (code, replayed, stderr) = run(&["replay", file_arg, "--json", "--canonical"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(replayed, live);
    assert!(live.contains(r#""$numberLong":"1""#), "{live}");
}

#[tokio::test]
async fn bad_flags_and_uris_exit_2_with_a_message() {
    let (code, _, stderr) = run(&["--json", "--ns", "a b"]).await;
    assert_eq!(
        (code, stderr.trim()),
        (
            2,
            "mwatch: --ns: namespace 'a b' contains a space; expected db or db.collection"
        )
    );
    let (code, _, stderr) = run(&["mongodb://host:notaport/", "--json"]).await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid connection string 'mongodb://host:notaport/'"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--json", "--full-document", "sometimes"]).await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'sometimes' for '--full-document"),
        "{stderr}"
    );
    let (code, _, _) = run(&["--json", "--batch-size", "0"]).await;
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&["--json", "--start-at", "yesterday"]).await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--start-at: 'yesterday' is not a time"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--json", "--resume", "{_data: 1"]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("--resume:1:"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_host_fails_within_15_s_without_showing_the_password() {
    // mwatch's own server selection timeout (`run` allows 15 s in all).
    let (code, stdout, stderr) = run(&["mongodb://ann:hunter2@127.0.0.1:1/", "--json"]).await;
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("cannot reach 127.0.0.1:1 within 5 s"),
        "{stderr}"
    );
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// A playground where `ann` logs in with `hunter2`, and a connection string for `password`.
async fn with_ann(password: &str) -> (mwatch_playground::Playground, String) {
    let server = mwatch_playground::start(mwatch_playground::Config {
        users: vec![("ann".into(), "hunter2".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let uri = format!("mongodb://ann:{password}@{}/?replicaSet=rs0", server.addr());
    (server, uri)
}

#[tokio::test]
async fn a_password_never_reaches_output_or_recordings() {
    let (_server, uri) = with_ann("hunter2").await;
    let client = common::client_for(&uri).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.jsonl");
    let (child, lines) = watching(&[
        &uri,
        "--json",
        "--ns",
        "h.pw",
        "--record",
        file.to_str().unwrap(),
    ])
    .await;
    let coll = client.database("h").collection::<Document>("pw");
    coll.insert_many((1..=3).map(|n| doc! { "_id": n }))
        .await
        .unwrap();
    coll.drop().await.unwrap();
    let (code, stdout, rest) = finish(child).await;
    let stderr = lines.concat() + &rest;
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("mongodb://ann:****@"), "{stderr}");
    let recorded = std::fs::read_to_string(&file).expect("the recording");
    for text in [&stdout, &stderr, &recorded] {
        assert!(!text.contains("hunter2"), "{text}");
    }
    for text in [&stdout, &recorded] {
        let events = json_lines(text);
        let ids: Vec<_> = events
            .iter()
            .filter_map(|e| e.get_document("documentKey").ok()?.get_i32("_id").ok())
            .collect();
        assert_eq!((ids, events.len()), (vec![1, 2, 3], 5), "{text}");
    }
}

#[tokio::test]
async fn a_failed_login_says_so_without_the_password() {
    let (_server, uri) = with_ann("hunter3").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.jsonl");
    let (code, stdout, stderr) = run(&[&uri, "--json", "--record", file.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot log in to") && stderr.contains("Authentication failed."),
        "{stderr}"
    );
    for text in [&stdout, &stderr] {
        assert!(!text.contains("hunter3"), "{text}");
    }
    // The file is opened before connecting, and nothing reached it.
    assert_eq!(std::fs::read_to_string(&file).expect("the recording"), "");
}

#[tokio::test]
async fn a_standalone_server_is_explained() {
    let server = mwatch_playground::start(mwatch_playground::Config {
        standalone: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let (code, _, stderr) = run(&[&server.uri(), "--json"]).await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains("standalone") && stderr.contains("change streams need a replica set"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_mongosh_syntax_pipeline_filters_events() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let pipeline = "[ // only big inserts\n  {$match: {operationType: /^ins/, 'fullDocument.n': {$gte: NumberInt(5)}}},\n]";
    let (child, _) = watching(&[&uri, "--json", "--ns", "h.p", "--pipeline", pipeline]).await;
    let coll = client.database("h").collection::<Document>("p");
    coll.insert_many((0..10).map(|n| doc! { "n": n }))
        .await
        .unwrap();
    coll.update_many(doc! {}, doc! { "$inc": { "n": 100 } })
        .await
        .unwrap();
    coll.drop().await.unwrap();
    let (code, stdout, stderr) = finish(child).await;
    assert_eq!(code, 0, "{stderr}");
    let numbers: Vec<i64> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["fullDocument"]["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers, [5, 6, 7, 8, 9]);
}

#[tokio::test]
async fn a_bad_pipeline_is_refused_before_connecting_with_its_position() {
    let stderr =
        refused_before_connecting(&["--pipeline", "[{$match: {a: 1}},\n {$group: {_id: null}}]"])
            .await;
    assert!(
        stderr.starts_with("mwatch: --pipeline:2:3: $group is not allowed after $changeStream"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--json", "--pipeline", "{$match: {a: ObjectId('123')}}"]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("--pipeline:1:"), "{stderr}");
    assert!(stderr.contains("ObjectId"), "{stderr}");
}

/// A resumable server error is said as what it is, not as a lost connection; the stream goes
/// on from the last event.
#[tokio::test]
async fn a_resumable_server_error_is_named_and_the_stream_goes_on() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let coll = client.database("h").collection::<Document>("c");
    coll.insert_one(doc! { "_id": 0 }).await.unwrap();
    let (mut child, _) = watching(&[&uri, "--json", "--ns", "h.c"]).await;
    // Every getMore and resume fails until the fail point is off: what is written meanwhile
    // comes back only from the last event. (A fail point of a few times could be missed: a
    // getMore already waiting may return the writes first.)
    let data = doc! {
        "failCommands": ["getMore", "aggregate"],
        "errorCode": 91,
        "errorLabels": ["ResumableChangeStreamError"],
    };
    common::fail_command(&client, "alwaysOn".into(), data.clone()).await;
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let said = wait_for_line(&mut err, " (91): ").await;
    child.stderr = Some(err.into_inner());
    coll.insert_one(doc! { "_id": 1 }).await.unwrap();
    coll.drop().await.unwrap();
    common::fail_command(&client, "off".into(), data).await;
    let (code, stdout, rest) = finish(child).await;
    let stderr = said.concat() + &rest;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(op_types(&stdout), ["insert", "drop", "invalidate"]);
    assert!(
        stderr.contains("mwatch: the stream stopped (")
            && stderr.contains(" (91): Failing command via 'failCommand' failpoint (code 91)")
            && stderr.contains("); resuming after the last event"),
        "{stderr}"
    );
    assert!(!stderr.contains("connection lost"), "{stderr}");
}
