//! Shared test helpers: a playground on a free loopback port and a driver client for it.
#![allow(dead_code)]

pub mod cli;
pub mod home;
pub mod pty;
pub mod streams;

use std::time::Duration;

use mongodb::options::ClientOptions;
use mongodb::Client;
use mwatch::playground::{self, Config, Playground};

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
