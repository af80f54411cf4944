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

    /// Oplog entries kept for resuming; older resume points fail with ChangeStreamHistoryLost.
    #[arg(long, default_value_t = mwatch_history_default(), value_parser = clap::value_parser!(u64).range(1..))]
    pub history: u64,

    /// Behave as a standalone server (no replica set): change streams are refused.
    #[arg(long)]
    pub standalone: bool,

    /// Run a synthetic shop workload (orders, customers, inventory).
    #[arg(long)]
    pub workload: bool,

    /// Workload operations per second.
    #[arg(long, default_value_t = 15.0, requires = "workload", value_parser = parse_rate)]
    pub rate: f64,

    /// Workload random seed, for a repeatable sequence of operations.
    #[arg(long, default_value_t = 42, requires = "workload")]
    pub seed: u64,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate <= 100_000.0 => Ok(rate),
        _ => Err(format!(
            "'{text}' is not a rate between 0 and 100000 operations per second"
        )),
    }
}

fn mwatch_history_default() -> u64 {
    crate::playground::DEFAULT_HISTORY as u64
}
