//! Watch options of the real binary: `--start-at` in its three forms, `--collation`,
//! `--record` and `replay`, Ctrl-C, `--demo`, and TLS options reaching the driver.

use crate::common;

use bson::{doc, Document, Timestamp};
use common::cli::{
    finish, interrupt, mwatch, refused_before_connecting, run, wait_for_line, watching,
};
use mongodb::Client;
use tokio::io::BufReader;

/// Three inserts into `o.c` and a drop (which ends any stream replaying them); returns the
/// cluster times of the inserts.
async fn write_history(client: &Client) -> Vec<Timestamp> {
    let db = client.database("o");
    let mut times = Vec::new();
    for n in 0..3 {
        let reply = db
            .run_command(doc! { "insert": "c", "documents": [{ "n": n }] })
            .await
            .unwrap();
        times.push(reply.get_timestamp("operationTime").unwrap());
    }
    db.collection::<Document>("c").drop().await.unwrap();
    times
}

/// Replays the history `write_history` left in `o.c`, with `extra` flags; (code, stdout, stderr).
async fn replay_history(uri: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![uri, "--json", "--ns", "o.c", "--start-at", "-5m"];
    args.extend(extra);
    run(&args).await
}

/// `fullDocument.n` of each insert line and the operation types of all lines.
fn summary(stdout: &str) -> (Vec<i64>, Vec<String>) {
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let numbers = lines
        .iter()
        .filter_map(|e| e["fullDocument"]["n"].as_i64())
        .collect();
    let ops = lines
        .iter()
        .map(|e| e["operationType"].as_str().unwrap().to_string())
        .collect();
    (numbers, ops)
}

#[tokio::test]
async fn start_at_takes_a_cluster_time_an_rfc_3339_time_or_a_relative_time() {
    let (server, client) = common::setup().await;
    let times = write_history(&client).await;
    let uri = server.uri();
    let second = format!("{}:{}", times[1].time, times[1].increment);
    let a_minute_ago =
        bson::DateTime::from_millis(bson::DateTime::now().timestamp_millis() - 60_000)
            .try_to_rfc3339_string()
            .unwrap();
    for (start, expected) in [
        (second.as_str(), vec![1, 2]),
        ("-5m", vec![0, 1, 2]),
        (a_minute_ago.as_str(), vec![0, 1, 2]),
    ] {
        let (code, stdout, stderr) =
            run(&[&uri, "--json", "--ns", "o.c", "--start-at", start]).await;
        assert_eq!(code, 0, "{start}: {stderr}");
        let (numbers, ops) = summary(&stdout);
        assert_eq!(numbers, expected, "{start}");
        assert_eq!(&ops[ops.len() - 2..], ["drop", "invalidate"], "{start}");
    }
}

#[tokio::test]
async fn a_collation_is_passed_to_the_driver_and_a_bad_one_refused_before_connecting() {
    let (server, client) = common::setup().await;
    write_history(&client).await;
    let uri = server.uri();
    let (code, stdout, stderr) =
        replay_history(&uri, &["--collation", "{locale: 'en', strength: 2}"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary(&stdout).0, [0, 1, 2]);

    let stderr = refused_before_connecting(&["--collation", "{strength: 2}"]).await;
    assert_eq!(
        stderr,
        "mwatch: --collation: invalid collation { \"strength\": 2 }: missing field `locale`\n"
    );
}

#[tokio::test]
async fn record_appends_and_replay_skips_a_truncated_last_line_with_a_warning() {
    let (server, client) = common::setup().await;
    write_history(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.jsonl");
    let file_arg = file.to_str().unwrap();
    let uri = server.uri();
    let (code, first, _) = replay_history(&uri, &["--record", file_arg]).await;
    assert_eq!(code, 0);
    let (code, second, _) = replay_history(&uri, &["--record", file_arg]).await;
    assert_eq!(code, 0);
    assert_eq!(first, second, "the same history twice");
    let recorded = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        recorded.lines().count(),
        2 * first.lines().count(),
        "appended"
    );

    // A recording cut off mid-write.
    std::fs::write(&file, format!("{recorded}{{\"_id\": {{\"_data\": \"82")).unwrap();
    let (code, replayed, stderr) = run(&["replay", file_arg, "--json"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(replayed, format!("{first}{second}"));
    let last = 2 * first.lines().count() + 1;
    assert!(
        stderr.contains(&format!(
            "warning: {file_arg}:{last}: skipped a truncated last line"
        )),
        "{stderr}"
    );

    let missing = dir.path().join("missing.jsonl");
    let (code, _, stderr) = run(&["replay", missing.to_str().unwrap(), "--json"]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot open recording"), "{stderr}");
    let nowhere = dir.path().join("no/such/dir/rec.jsonl");
    let stderr = refused_before_connecting(&["--record", nowhere.to_str().unwrap()]).await;
    assert!(
        stderr.starts_with("mwatch: --record: cannot open"),
        "{stderr}"
    );
}

#[tokio::test]
async fn ctrl_c_ends_a_watch_with_130() {
    let (server, _client) = common::setup().await;
    let (child, _) = watching(&[&server.uri(), "--json"]).await;
    interrupt(&child).await;
    let (code, stdout, stderr) = finish(child).await;
    // As a shell reports a process SIGINT ended: 128 + 2.
    assert_eq!(code, 130, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[tokio::test]
async fn demo_watches_the_shop_workload() {
    let mut child = mwatch(&["--demo", "--json"]).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut namespaces = Vec::new();
    for _ in 0..5 {
        let line = wait_for_line(&mut stdout, "operationType").await.concat();
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        namespaces.push(event["ns"]["db"].as_str().unwrap().to_string());
    }
    assert!(namespaces.iter().all(|db| db == "shop"), "{namespaces:?}");
    child.stdout = Some(stdout.into_inner());
    interrupt(&child).await;
    assert_eq!(finish(child).await.0, 130);
}

#[tokio::test]
async fn tls_options_are_the_drivers() {
    let server = common::playground().await;
    // The driver attempts a TLS handshake, which the plain playground refuses.
    let tls = format!(
        "mongodb://{}/?tls=true&directConnection=true",
        server.addr()
    );
    let (code, _, stderr) = run(&[&tls, "--json"]).await;
    assert_eq!(code, 1);
    // The server speaks no TLS: the handshake is what fails, not the address.
    let refused = format!("mwatch: cannot reach {} within 5 s: ", server.addr());
    assert!(
        stderr.starts_with(&refused) && stderr.contains("tls handshake"),
        "{stderr}"
    );
    // The driver reads the CA file before connecting.
    let ca = format!("{tls}&tlsCAFile=/nonexistent/ca.pem");
    let (code, _, stderr) = run(&[&ca, "--json"]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/ca.pem"), "{stderr}");
}

#[tokio::test]
async fn resume_continues_after_a_token_and_explains_lost_history() {
    let (server, client) = common::setup_with(mwatch_playground::Config {
        history: 8,
        ..Default::default()
    })
    .await;
    let coll = client.database("o").collection::<Document>("c");
    let mut stream = coll.watch().await.unwrap().with_type::<Document>();
    write_history(&client).await;
    let events = common::streams::next_events(&mut stream, 3).await;
    let uri = server.uri();
    // The token's JSON, as mwatch printed it in the event's `_id`.
    let token = events[0].get_document("_id").unwrap().to_string();
    let resume = [uri.as_str(), "--json", "--ns", "o.c", "--resume", &token];
    let (code, stdout, stderr) = run(&resume).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        summary(&stdout),
        (
            vec![1, 2],
            vec![
                "insert".into(),
                "insert".into(),
                "drop".into(),
                "invalidate".into()
            ]
        )
    );

    // Enough writes elsewhere push the first events out of the kept history.
    for n in 0..10 {
        client
            .database("o")
            .collection::<Document>("other")
            .insert_one(doc! { "n": n })
            .await
            .unwrap();
    }
    let (code, stdout, stderr) = run(&resume).await;
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("history lost"), "{stderr}");
}
