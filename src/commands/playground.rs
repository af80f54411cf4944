//! `mwatch playground`: the embedded server (a replica set, or a standalone one), with or
//! without a workload, until a signal asks it to stop (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT).

use std::convert::Infallible;
use std::io::{self, Write};
use std::process::ExitCode;

use mwatch_playground as playground;

use super::{stdout_failed, Outcome};
use crate::cli::PlaygroundArgs;
use crate::signals::{self, until_stopped, Signals};

/// Serves until a signal to stop, then closes the listener and its connections and exits
/// as the other commands do, with 128 + the signal's number.
pub async fn run(args: PlaygroundArgs) -> ExitCode {
    // Before the server starts: a signal that comes meanwhile is caught, not lost.
    let mut signals = match Signals::new() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("mwatch playground: cannot handle signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = playground::Config {
        bind: args.bind,
        port: args.port,
        history: usize::try_from(args.history).unwrap_or(usize::MAX),
        standalone: args.standalone,
        workload: args.workload.then_some(playground::Workload {
            rate: args.rate,
            seed: args.seed,
        }),
        ..playground::Config::default()
    };
    let server = match playground::start(config).await {
        Ok(server) => server,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "mwatch playground: {}:{} is already in use (another mongod or playground?); pick another with --port",
                args.bind, args.port
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!(
                "mwatch playground: cannot listen on {}:{}: {e}",
                args.bind, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    // A pipe already closed (`| true`) ends the command here, as SIGPIPE would. One closed
    // later (`| head -1`) is not noticed: the banner is the only write.
    if let Err(e) = io::stdout().write_all(banner(&args, &server).as_bytes()) {
        return stdout_failed(&e).exit_code();
    }
    let Err(signal) = until_stopped(std::future::pending::<Infallible>(), &mut signals).await;
    server.stop().await;
    eprintln!("mwatch playground: stopped by {}", signals::name(signal));
    Outcome::Signal(signal).exit_code()
}

fn banner(args: &PlaygroundArgs, server: &playground::Playground) -> String {
    let mut text = if args.standalone {
        format!(
            "mwatch playground: MongoDB {} standalone server listening on {}\n  connect with:  {}\n",
            playground::VERSION,
            server.addr(),
            server.direct_uri()
        )
    } else {
        format!(
            "mwatch playground: MongoDB {} replica set '{}' listening on {}\n  connect with:  {}\n  or directly:   {}\n",
            playground::VERSION,
            playground::SET_NAME,
            server.addr(),
            server.uri(),
            server.direct_uri()
        )
    };
    if args.workload {
        text.push_str(&format!(
            "  workload:      a shop in database 'shop', {} operations/s (seed {})\n",
            args.rate, args.seed
        ));
    }
    if args.standalone {
        text.push_str("  standalone:    no replica set; change streams are refused (code 40573)\n");
    }
    text.push_str("Press Ctrl-C to stop.\n");
    text
}
