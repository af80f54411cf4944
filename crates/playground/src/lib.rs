//! An embedded MongoDB for tests and demos: a single-node replica set (`rs0`) that speaks the
//! wire protocol well enough for the official drivers, change streams included, with no MongoDB
//! installed. It keeps everything in memory, and depends on bson, tokio and a few small crates.
//!
//! - [`start`] a [`Playground`] with a [`Config`] (loopback and a free port by default), hand
//!   its [`uri`](Playground::uri) to a driver, and drop it (or [`stop`](Playground::stop) it)
//!   when done.
//! - [`Filter`] compiles a query filter once and tests documents against it with MongoDB's
//!   semantics, without a server.
//!
//! ```
//! use bson::{doc, Document};
//! use mongodb::Client;
//! use mwatch_playground::Config;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Runtime::new()?;
//! runtime.block_on(async {
//!     // A replica set on 127.0.0.1 and a free port, until `playground` is dropped.
//!     let playground = mwatch_playground::start(Config::default()).await?;
//!     let client = Client::with_uri_str(playground.uri()).await?;
//!     let orders = client.database("shop").collection::<Document>("orders");
//!     orders.insert_one(doc! { "_id": 1, "item": "pen" }).await?;
//!     let found = orders.find_one(doc! { "item": "pen" }).await?;
//!     assert_eq!(found, Some(doc! { "_id": 1, "item": "pen" }));
//!     Ok(())
//! })
//! # }
//! ```
//!
//! # How it is built
//!
//! A request comes in at the top; each layer uses only the ones below it:
//!
//! - **server** (`server.rs`): accepts connections, runs each request's command under the
//!   state lock, and parks change-stream getMores until a write arrives or `maxTimeMS` passes.
//!   (`workload.rs` is a client inside the process that runs a synthetic shop on top of it.)
//! - **wire** (`wire.rs`): message framing; OP_MSG both ways, and OP_QUERY in and OP_REPLY
//!   out for legacy handshakes.
//! - **commands** (`commands/`): one function per command: the handshake, writes, DDL, reads
//!   and cursors.
//! - **state** (`state/`): everything behind the lock: storage, oplog, clock, open cursors,
//!   fail points and command counters.
//! - **change streams and storage** (`changestream/`, `storage.rs`): the oplog every write
//!   appends to, the events a stream reads from it, resume tokens; in-memory databases and
//!   collections.
//! - **aggregation** (`aggregate/`): the stages after `$changeStream`, and pipelines over a
//!   collection.
//! - **updates** (`update/`): update operators, replacements, upserts, and an update event's
//!   `updateDescription`.
//! - **queries and projections** (`query/`, `projection/`): filters, and the shapes of
//!   `find`'s projection and `$project`. `filter.rs` makes the query filter public.
//! - **expressions** (`expr/`): aggregation expressions, for `$expr`, projections and stages.
//! - **values and errors** (`values.rs`, `error.rs`): BSON as MongoDB compares and addresses
//!   it; errors as MongoDB reports them, with its codes and messages.

#![warn(missing_docs)]

mod aggregate;
mod auth;
mod changestream;
mod commands;
mod depth;
mod error;
mod expr;
mod filter;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod path;
mod projection;
mod query;
mod server;
mod state;
mod storage;
mod update;
mod values;
mod wire;
mod workload;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use commands::handshake::{SET_NAME, VERSION};
pub use filter::{Filter, FilterError};
pub use workload::Workload;

/// Compiles the README's example, so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

/// Default number of oplog entries kept for resuming ([`Config::history`]).
pub const DEFAULT_HISTORY: usize = 1_000_000;

/// How to [`start`] a playground. The default listens on 127.0.0.1 and a free port, as a
/// replica set with [`DEFAULT_HISTORY`] and no workload; change what you need with struct
/// update syntax:
///
/// ```
/// use mwatch_playground::Config;
///
/// let config = Config { port: 27017, history: 100, ..Config::default() };
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on. Other machines can reach an unspecified address such as
    /// 0.0.0.0; the playground then advertises itself as `localhost`.
    pub bind: IpAddr,
    /// The port to listen on; 0 picks a free one ([`Playground::addr`] tells which).
    pub port: u16,
    /// Oplog entries kept; resuming from before them fails with ChangeStreamHistoryLost.
    pub history: usize,
    /// Report no replica set: change streams then fail as on a standalone mongod, and
    /// [`Playground::uri`] connects directly.
    pub standalone: bool,
    /// Run the synthetic shop workload in the background.
    pub workload: Option<Workload>,
    /// Users of the `admin` database, as (name, password), who log in with SCRAM-SHA-256
    /// (`mongodb://name:password@host/`). With any, commands other than those a driver needs
    /// to connect and log in are refused until it has; with none, no login is asked for.
    pub users: Vec<(String, String)>,
    /// How long a message may take to arrive once its first byte has: a connection that
    /// starts a message and stalls is closed after it.
    pub message_timeout: Duration,
    /// Bytes the unfinished messages of all connections may hold together beyond the first
    /// 64 KiB of each, which every connection has of its own (at least one largest message,
    /// 48 MB): once a message's first 64 KiB are in, it waits for room for all the rest.
    /// Reading messages takes at most this plus `max_connections` × 64 KiB.
    pub message_memory: usize,
    /// Connections served at once (MongoDB's `net.maxIncomingConnections`); more are closed
    /// as soon as they are accepted. Each takes a thread and a few file descriptors.
    pub max_connections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            history: DEFAULT_HISTORY,
            standalone: false,
            workload: None,
            users: Vec::new(),
            message_timeout: Duration::from_secs(30),
            message_memory: 2 * wire::MAX_MESSAGE,
            max_connections: 256,
        }
    }
}

/// A running playground. Dropping it shuts it down: it accepts no more connections and closes
/// the open ones. [`Playground::stop`] does the same and waits until the port is free.
#[derive(Debug)]
pub struct Playground {
    addr: SocketAddr,
    standalone: bool,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Starts a playground: binds the listener (an error if the port is taken) and serves in the
/// background, on the current tokio runtime, until the returned [`Playground`] is dropped.
pub async fn start(config: Config) -> io::Result<Playground> {
    let listener = TcpListener::bind((config.bind, config.port)).await?;
    let addr = listener.local_addr()?;
    let settings = state::Settings {
        host: advertised_host(addr),
        standalone: config.standalone,
        users: auth::Users::new(&config.users),
    };
    let shared = Arc::new(server::Shared::new(state::State::new(
        settings,
        config.history,
    )));
    let (shutdown, stopped) = watch::channel(false);
    if let Some(workload) = config.workload {
        tokio::spawn(workload::run(shared.clone(), workload, stopped.clone()));
    }
    let intake = Arc::new(wire::Intake::new(
        config.message_timeout,
        config.message_memory,
    ));
    let limits = server::Limits {
        intake,
        max_connections: config.max_connections,
    };
    let task = tokio::spawn(server::serve(listener, shared, limits, stopped));
    Ok(Playground {
        addr,
        standalone: config.standalone,
        shutdown,
        task: Some(task),
    })
}

/// The address clients should dial: drivers replace their seed list with it.
fn advertised_host(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() => format!("localhost:{}", addr.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

impl Playground {
    /// The address it listens on, with the port it picked if [`Config::port`] was 0.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A connection string that discovers the replica set (or, standalone, connects directly).
    pub fn uri(&self) -> String {
        if self.standalone {
            self.direct_uri()
        } else {
            format!(
                "mongodb://{}/?replicaSet={SET_NAME}",
                advertised_host(self.addr)
            )
        }
    }

    /// A connection string that talks to this one server without discovery.
    pub fn direct_uri(&self) -> String {
        format!(
            "mongodb://{}/?directConnection=true",
            advertised_host(self.addr)
        )
    }

    /// Stops accepting and closes every connection.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
