//! An embedded MongoDB "playground": a single-node replica set (`rs0`) that speaks the wire
//! protocol well enough for the official drivers, with change streams. It depends only on
//! bson and tokio; the app uses it through [`start`].

mod aggregate;
mod changestream;
mod commands;
mod error;
mod expr;
mod filter;
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

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use commands::handshake::{SET_NAME, VERSION};
pub use filter::{Filter, FilterError};
pub use workload::Workload;

/// Default number of oplog entries kept for resuming.
pub const DEFAULT_HISTORY: usize = 1_000_000;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Oplog entries kept; resuming from before them fails with ChangeStreamHistoryLost.
    pub history: usize,
    /// Report no replica set: change streams then fail as on a standalone mongod.
    pub standalone: bool,
    /// Run the synthetic shop workload in the background.
    pub workload: Option<Workload>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            history: DEFAULT_HISTORY,
            standalone: false,
            workload: None,
        }
    }
}

/// A running playground; it stops when dropped.
pub struct Playground {
    addr: SocketAddr,
    standalone: bool,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Binds the listener and serves in the background on the current tokio runtime.
pub async fn start(config: Config) -> io::Result<Playground> {
    let listener = TcpListener::bind((config.bind, config.port)).await?;
    let addr = listener.local_addr()?;
    let settings = state::Settings {
        host: advertised_host(addr),
        standalone: config.standalone,
    };
    let shared = Arc::new(server::Shared::new(state::State::new(
        settings,
        config.history,
    )));
    let (shutdown, stopped) = watch::channel(false);
    if let Some(workload) = config.workload {
        tokio::spawn(workload::run(shared.clone(), workload, stopped.clone()));
    }
    let task = tokio::spawn(server::serve(listener, shared, stopped));
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
