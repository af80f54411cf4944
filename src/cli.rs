//! Command-line interface (clap definitions).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::source::{FullDocument, PreImage};
use crate::store::Keep;

#[derive(Debug, Parser)]
#[command(
    name = "mwatch",
    version,
    about = "Explore MongoDB change streams in your terminal",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(flatten)]
    pub watch: WatchArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the embedded playground (a single-node replica set `rs0`) until Ctrl-C.
    Playground(PlaygroundArgs),
    /// Show a recording made with --record in the TUI, or print it with --json.
    Replay(ReplayArgs),
    /// List, show, delete, export and import bookmarks.
    Bookmarks {
        #[command(subcommand)]
        command: BookmarksCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BookmarksCommand {
    /// List the bookmarks, oldest cluster time first.
    List {
        /// Print a JSON array, one object per bookmark (token and pipeline as Extended JSON).
        #[arg(long)]
        json: bool,
    },
    /// Show one bookmark in full.
    Show {
        /// The bookmark's name.
        name: String,
    },
    /// Delete a bookmark (the previous file stays as bookmarks.json.bak).
    Rm {
        /// The bookmark's name.
        name: String,
    },
    /// Write every bookmark to FILE (a new file), or to stdout.
    Export {
        /// A file that does not exist yet [default: stdout].
        file: Option<PathBuf>,
    },
    /// Add the bookmarks of FILE (from export, or list --json); a name that is taken by a
    /// different bookmark gets a #2 suffix, one already there is skipped.
    Import {
        /// A file written by export or list --json.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Connection string [default: $MONGODB_URI, else mongodb://localhost:27017]. A password
    /// here is visible to every local user (ps): use $MONGODB_URI or -p.
    pub uri: Option<String>,

    /// The user to log in as, instead of the connection string's; asks for the password as -p
    /// does unless the connection string has one.
    #[arg(short = 'u', long, value_name = "NAME", conflicts_with = "demo")]
    pub username: Option<String>,

    /// Ask for the password at the terminal, without echo, instead of giving it in the
    /// connection string (as mongosh's -p).
    #[arg(short = 'p', long, conflicts_with = "demo")]
    pub password_prompt: bool,

    /// What to watch: db.collection, db, or * for the whole deployment.
    #[arg(long, value_name = "NS")]
    pub ns: Option<String>,

    /// Stages after $changeStream (JSON, relaxed JSON or mongosh syntax), or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub pipeline: Option<String>,

    /// fullDocument: whether and how update events carry the document after the change.
    #[arg(long, value_name = "MODE")]
    pub full_document: Option<FullDocument>,

    /// fullDocumentBeforeChange.
    #[arg(long, value_name = "MODE")]
    pub pre_image: Option<PreImage>,

    /// Also show DDL events (create, createIndexes, modify, ...).
    #[arg(long)]
    pub expanded_events: bool,

    /// Replay a bookmark (by name: its scope, pipeline and options, unless flags say
    /// otherwise), or resume after a token (its JSON, e.g. '{"_data": "82..."}').
    #[arg(long, value_name = "NAME|TOKEN")]
    pub resume: Option<String>,

    /// Start at a time: RFC 3339, HH:MM[:SS] today (UTC), seconds:increment, relative like
    /// -5m, or now. With --resume NAME: replay the bookmark's stream from that time instead.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub start_at: Option<String>,

    /// Most events per batch the server returns (batchSize).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: Option<u32>,

    /// Longest wait for new events per getMore, in milliseconds.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_await: Option<u64>,

    /// Collation as JSON, e.g. '{locale: "en", strength: 2}'.
    #[arg(long, value_name = "JSON")]
    pub collation: Option<String>,

    /// A comment attached to the change-stream commands (shows in the server's logs).
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Print events as JSON lines (relaxed Extended JSON) instead of the TUI, which needs
    /// standard output to be a terminal.
    #[arg(long)]
    pub json: bool,

    /// With --json: canonical Extended JSON.
    #[arg(long, requires = "json")]
    pub canonical: bool,

    /// Append every received event to FILE (canonical Extended JSON lines).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Watch an embedded playground with a synthetic workload (no MongoDB needed).
    #[arg(long, conflicts_with = "uri")]
    pub demo: bool,

    #[command(flatten)]
    pub keep: KeepArg,
}

/// `--keep`, for the TUI of a watch and of a replay.
#[derive(Debug, Args)]
pub struct KeepArg {
    /// How many events the TUI keeps, the newest: a count (digits only, up to 1000000000,
    /// whatever their size), or a size of their BSON with a unit, such as 512MB or 2GiB (B, KB,
    /// MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: of 1024; up to 1TiB) [default: the
    /// newest 100000 events, 256MiB at most].
    #[arg(
        long,
        value_name = "N|SIZE",
        value_parser = Keep::parse,
        conflicts_with = "json",
        // `--keep -5` and `--keep -5MB` are bad values, not unknown flags.
        allow_hyphen_values = true
    )]
    pub keep: Option<Keep>,
}

impl KeepArg {
    pub fn keep(&self) -> Keep {
        self.keep.unwrap_or_default()
    }
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A file written by --record.
    pub file: PathBuf,

    /// Print events as JSON lines (relaxed Extended JSON) instead of the TUI, which needs
    /// standard output to be a terminal.
    #[arg(long)]
    pub json: bool,

    /// With --json: canonical Extended JSON.
    #[arg(long, requires = "json")]
    pub canonical: bool,

    #[command(flatten)]
    pub keep: KeepArg,
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
    #[arg(long, default_value_t = history_default(), value_parser = clap::value_parser!(u64).range(1..))]
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

fn history_default() -> u64 {
    mwatch_playground::DEFAULT_HISTORY as u64
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// `--help` of every subcommand explains each argument and subcommand.
    #[test]
    fn every_argument_and_subcommand_has_help() {
        fn check(command: &clap::Command, path: &str) {
            for arg in command.get_arguments() {
                assert!(
                    arg.get_help().is_some(),
                    "`{path}` {} has no help text",
                    arg.get_id()
                );
            }
            for sub in command.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                assert!(sub.get_about().is_some(), "`{path}` has no help text");
                check(sub, &path);
            }
        }
        check(&Cli::command(), "mwatch");
    }
}
