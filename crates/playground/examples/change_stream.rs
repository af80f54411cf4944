//! Starts a playground, watches a collection with the official driver, inserts a document,
//! prints the change event, and checks it against a `$match` filter without the server.
//!
//! ```text
//! cargo run -p mwatch-playground --example change_stream
//! ```

use bson::{doc, Document};
use futures_util::TryStreamExt;
use mongodb::Client;
use mwatch_playground::{Config, Filter};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let playground = mwatch_playground::start(Config::default()).await?;
    println!("playground at {}", playground.uri());

    let client = Client::with_uri_str(playground.uri()).await?;
    let orders = client.database("shop").collection::<Document>("orders");
    let mut stream = orders.watch().await?.with_type::<Document>();
    orders.insert_one(doc! { "item": "pen", "qty": 3 }).await?;

    let event = stream.try_next().await?.ok_or("the stream ended")?;
    println!("{event}");

    let big_inserts = Filter::parse(&doc! {
        "operationType": "insert",
        "fullDocument.qty": { "$gte": 2 },
    })?;
    println!("an insert of 2 or more: {}", big_inserts.matches(&event));

    playground.stop().await;
    Ok(())
}
