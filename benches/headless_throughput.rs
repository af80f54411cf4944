//! `mwatch --json` throughput next to a bare driver loop, on the same playground and the same
//! 200,000 events (replayed from the start of the oplog). The ratio is the figure: how much of
//! the driver's speed the headless pipeline (engine, batching, JSON) keeps.
//! Run: `cargo bench --bench headless_throughput`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use bson::{doc, Document, RawDocumentBuf, Timestamp};
use futures_util::StreamExt;
use mongodb::Client;
use mwatch_playground as playground;
use tokio::io::AsyncReadExt;

const EVENTS: usize = 200_000;

async fn bare_driver(client: &Client) -> Duration {
    let coll = client.database("bench").collection::<Document>("events");
    let start = Instant::now();
    let mut stream = coll
        .watch()
        .start_at_operation_time(Timestamp {
            time: 0,
            increment: 0,
        })
        .await
        .expect("watch")
        .with_type::<RawDocumentBuf>();
    for _ in 0..EVENTS {
        stream.next().await.expect("event").expect("event");
    }
    start.elapsed()
}

async fn headless(uri: &str) -> Duration {
    let start = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mwatch"))
        .args([uri, "--json", "--ns", "bench.events", "--start-at", "0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn mwatch");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut lines = 0;
    let mut buffer = vec![0u8; 1 << 16];
    while lines < EVENTS {
        let n = stdout.read(&mut buffer).await.expect("read");
        assert!(n > 0, "mwatch stopped after {lines} events");
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = start.elapsed();
    let _ = child.kill().await;
    elapsed
}

#[tokio::main]
async fn main() {
    let server = playground::start(playground::Config::default())
        .await
        .expect("playground");
    let client = Client::with_uri_str(server.uri()).await.expect("client");
    let coll = client.database("bench").collection::<Document>("events");
    for batch in 0..EVENTS / 1000 {
        let docs = (0..1000)
            .map(|i| doc! { "batch": batch as i32, "i": i, "status": "new", "total": 12.5 });
        coll.insert_many(docs).await.expect("insert");
    }
    let per_second = |d: Duration| EVENTS as f64 / d.as_secs_f64();
    let driver = per_second(bare_driver(&client).await);
    let json = per_second(headless(&server.uri()).await);
    println!("bare driver loop:       {driver:.0} events/s");
    println!("mwatch --json (a pipe): {json:.0} events/s");
    println!("ratio: {:.2} of the bare driver's rate", json / driver);
}
