use mwatch_testkit as common;

use std::time::Duration;

use bson::{doc, Document};
use mongodb::options::ClientOptions;
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

/// Hellos the server has answered so far, from its own counters, and the `maxAwaitTimeMS`
/// the last hello that had one asked for.
async fn hellos_received(observer: &Client) -> (i64, Option<i64>) {
    let commands = common::command_counts(observer).await;
    let hellos: Vec<&Document> = ["hello", "isMaster", "ismaster"]
        .iter()
        .filter_map(|name| commands.get_document(name).ok())
        .collect();
    let total = hellos.iter().map(|h| h.get_i64("total").unwrap()).sum();
    let awaited = hellos
        .iter()
        .find_map(|h| h.get_i64("lastMaxAwaitTimeMS").ok());
    (total, awaited)
}

#[tokio::test]
async fn an_idle_client_polls_with_hellos_that_ask_the_server_for_no_wait() {
    let server = common::playground().await;
    // The playground's hello has no topologyVersion, so drivers poll it every heartbeat
    // instead of streaming hellos it would have to hold for maxAwaitTimeMS (an awaitable hello
    // answered at once would make the driver's monitor loop without pause).
    let reply = common::admin(
        &common::client_for(&server.uri()).await,
        doc! { "hello": 1 },
    )
    .await;
    assert!(!reply.contains_key("topologyVersion"), "{reply}");

    let mut options = ClientOptions::parse(server.uri()).await.unwrap();
    // The shortest heartbeat drivers allow, so the monitor checks several times in a second.
    options.heartbeat_freq = Some(Duration::from_millis(500));
    let client = Client::with_options(options).unwrap();
    common::admin(&client, doc! { "ping": 1 }).await;
    let (before, _) = hellos_received(&client).await;
    let polled = async {
        loop {
            let (total, awaited) = hellos_received(&client).await;
            if total >= before + 3 {
                return awaited;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let awaited = common::within("three more monitor hellos", polled).await;
    assert_eq!(awaited, None, "a hello asked the server to wait");
}
