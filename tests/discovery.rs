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
