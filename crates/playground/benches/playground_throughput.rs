//! Events per second from the playground to one official-driver change-stream watcher, with
//! inserts in batches of 1,000 small documents. Run: `cargo bench --bench playground_throughput`.

use std::time::{Duration, Instant};

use bson::{doc, Document};
use futures_util::StreamExt;
use mongodb::Client;
use mwatch_playground as playground;

const BATCHES: usize = 200;
const BATCH: usize = 1_000;

#[tokio::main]
async fn main() {
    let server = playground::start(playground::Config::default())
        .await
        .expect("start playground");
    let client = Client::with_uri_str(server.uri()).await.expect("client");
    let coll = client.database("bench").collection::<Document>("events");
    let mut stream = coll.watch().await.expect("watch").with_type::<Document>();

    let writer = {
        let coll = coll.clone();
        tokio::spawn(async move {
            for b in 0..BATCHES {
                let docs: Vec<Document> = (0..BATCH)
                    .map(|i| doc! { "batch": b as i32, "i": i as i32, "status": "new", "total": 12.5 })
                    .collect();
                coll.insert_many(docs).await.expect("insert");
            }
        })
    };

    let total = BATCHES * BATCH;
    let start = Instant::now();
    let mut received = 0;
    while received < total {
        match tokio::time::timeout(Duration::from_secs(30), stream.next()).await {
            Ok(Some(Ok(_))) => received += 1,
            other => panic!("stream stopped after {received} events: {other:?}"),
        }
    }
    let elapsed = start.elapsed();
    writer.await.expect("writer");
    println!(
        "playground -> driver watcher: {received} events in {:.2} s = {:.0} events/s",
        elapsed.as_secs_f64(),
        received as f64 / elapsed.as_secs_f64()
    );
}
