//! Test helpers shared by the workspace's integration tests (the playground's and the app's):
//! a playground on a free loopback port, a driver client for it, and change-stream readers
//! that fail a test instead of hanging it.

pub mod deep;
pub mod streams;

use std::future::Future;
use std::time::Duration;

use bson::{doc, Document};
use mongodb::options::ClientOptions;
use mongodb::Client;
use mwatch_playground::{self as playground, Config, Playground};

/// How long a test waits for something that should happen: ample on a loaded CI machine, and
/// a regression fails the test instead of hanging the run.
pub const LIMIT: Duration = Duration::from_secs(10);

/// `future`'s output; the test fails, naming `what` it waited for, if it takes over [`LIMIT`].
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {LIMIT:?} waiting for {what}"))
}

pub async fn playground() -> Playground {
    playground::start(Config::default())
        .await
        .expect("start playground")
}

pub async fn client_for(uri: &str) -> Client {
    let mut options = ClientOptions::parse(uri).await.expect("parse uri");
    options.server_selection_timeout = Some(Duration::from_secs(5));
    Client::with_options(options).expect("client")
}

/// A playground and a client that discovered it as replica set `rs0`.
pub async fn setup() -> (Playground, Client) {
    setup_with(Config::default()).await
}

/// Like [`setup`], with a playground configured as `config` says.
pub async fn setup_with(config: Config) -> (Playground, Client) {
    let server = playground::start(config).await.expect("start playground");
    let client = client_for(&server.uri()).await;
    (server, client)
}

/// Runs a command on `admin`; an error fails the test.
pub async fn admin(client: &Client, command: Document) -> Document {
    client
        .database("admin")
        .run_command(command)
        .await
        .expect("admin command")
}

/// A server error's code, message and labels; any other error fails the test.
pub fn command_error(e: mongodb::error::Error) -> (i32, String, Vec<String>) {
    let labels = e.labels().iter().cloned().collect();
    match *e.kind {
        mongodb::error::ErrorKind::Command(c) => (c.code, c.message, labels),
        other => panic!("not a command error: {other:?}"),
    }
}

/// A server error's code; any other error fails the test.
pub fn error_code(e: mongodb::error::Error) -> i32 {
    command_error(e).0
}

/// The server's command counters: `serverStatus().metrics.commands`.
pub async fn command_counts(client: &Client) -> Document {
    let status = admin(client, doc! { "serverStatus": 1 }).await;
    status
        .get_document("metrics")
        .and_then(|m| m.get_document("commands"))
        .expect("metrics.commands")
        .clone()
}

/// How many `name` commands the server has answered.
pub async fn command_total(client: &Client, name: &str) -> i64 {
    command_counts(client)
        .await
        .get_document(name)
        .and_then(|counts| counts.get_i64("total"))
        .unwrap_or(0)
}

/// Waits until the server has answered `total` `name` commands in all.
pub async fn until_commands(client: &Client, name: &str, total: i64) {
    let reached = async {
        while command_total(client, name).await < total {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    within(&format!("{total} {name} commands"), reached).await;
}

/// Sets the server's `failCommand` fail point: `mode` is [`times`]`(n)`, `"alwaysOn"` or
/// `"off"`; `data` says which commands fail and how.
pub async fn fail_command(client: &Client, mode: bson::Bson, data: Document) {
    admin(
        client,
        doc! { "configureFailPoint": "failCommand", "mode": mode, "data": data },
    )
    .await;
}

/// The fail-point mode that fires on the next `n` matching commands.
pub fn times(n: i32) -> bson::Bson {
    bson::Bson::Document(doc! { "times": n })
}

/// A small deterministic generator (xorshift), so that failures of randomized tests reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
