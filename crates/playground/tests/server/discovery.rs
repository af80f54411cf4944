use mwatch_testkit as common;

use bson::{doc, Document};
use mongodb::Client;

async fn round_trip(client: &Client) {
    let coll = client.database("shop").collection::<Document>("orders");
    coll.insert_one(doc! { "_id": 1, "item": "pen" })
        .await
        .expect("insert");
    let found = coll.find_one(doc! { "_id": 1 }).await.expect("find");
    assert_eq!(found, Some(doc! { "_id": 1, "item": "pen" }));
}

#[tokio::test]
async fn discovers_the_replica_set() {
    let (server, client) = common::setup().await;
    round_trip(&client).await;
    let hello = common::admin(&client, doc! { "hello": 1 }).await;
    assert_eq!(hello.get_str("setName").unwrap(), "rs0");
    assert_eq!(
        hello.get_array("hosts").unwrap()[0].as_str().unwrap(),
        server.addr().to_string()
    );
}

#[tokio::test]
async fn connects_directly() {
    let server = common::playground().await;
    let client = common::client_for(&server.direct_uri()).await;
    round_trip(&client).await;
}

/// Hellos the server has answered so far, from its own counters.
async fn hellos_received(observer: &Client) -> i64 {
    let commands = common::command_counts(observer).await;
    ["hello", "isMaster", "ismaster"]
        .iter()
        .filter_map(|name| commands.get_document(name).ok())
        .map(|counts| counts.get_i64("total").unwrap())
        .sum()
}

#[tokio::test]
async fn an_idle_client_sends_fewer_than_50_hellos_in_10_s() {
    let server = common::playground().await;
    let observer = common::client_for(&server.uri()).await;
    let before = hellos_received(&observer).await;
    assert!(before > 0, "the observer's own handshake is counted");

    let client = common::client_for(&server.uri()).await;
    common::admin(&client, doc! { "ping": 1 }).await;
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    // Both clients' monitors and connection handshakes count; a busy-looping monitor would
    // send thousands.
    let sent = hellos_received(&observer).await - before;
    assert!(sent < 50, "{sent} hellos in 10 s");
    drop(client);
}
