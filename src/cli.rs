//! Command-line interface.

use std::net::IpAddr;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "mwatch",
    version,
    about = "Explore MongoDB change streams in your terminal"
)]
pub struct Cli {
    /// Watch an embedded playground replica set with a synthetic workload (no MongoDB needed).
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the embedded playground (a single-node replica set `rs0`) until Ctrl-C.
    Playground(PlaygroundArgs),
}

#[derive(Debug, Args)]
pub struct PlaygroundArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 27017)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
}
