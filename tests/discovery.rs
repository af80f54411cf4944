mod common;

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
    let hello = client
        .database("admin")
        .run_command(doc! { "hello": 1 })
        .await
        .unwrap();
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

#[tokio::test]
async fn an_idle_client_does_not_flood_the_server_with_hellos() {
    use mongodb::event::{sdam::SdamEvent, EventHandler};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let server = common::playground().await;
    let heartbeats = Arc::new(AtomicUsize::new(0));
    let counter = heartbeats.clone();
    let mut options = mongodb::options::ClientOptions::parse(server.uri())
        .await
        .unwrap();
    options.sdam_event_handler = Some(EventHandler::callback(move |event: SdamEvent| {
        if matches!(event, SdamEvent::ServerHeartbeatStarted(_)) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }));
    let client = Client::with_options(options).unwrap();
    client
        .database("admin")
        .run_command(doc! { "ping": 1 })
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // The budget is 50 hellos in 10 s; a busy-looping monitor would send thousands.
    let seen = heartbeats.load(Ordering::SeqCst);
    assert!(seen < 15, "{seen} heartbeats in 3 s");
}
