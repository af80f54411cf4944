//! `mwatch playground`: the embedded server (a replica set, or a standalone one), with or
//! without a workload, until Ctrl-C.

use std::io::{self, Write};
use std::process::ExitCode;

use mwatch_playground as playground;

use super::stdout_failed;
use crate::cli::PlaygroundArgs;

/// Serves until Ctrl-C.
pub async fn run(args: PlaygroundArgs) -> ExitCode {
    let config = playground::Config {
        bind: args.bind,
        port: args.port,
        history: usize::try_from(args.history).unwrap_or(usize::MAX),
        standalone: args.standalone,
        workload: args.workload.then_some(playground::Workload {
            rate: args.rate,
            seed: args.seed,
        }),
        users: Vec::new(),
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
    // Written at once: a closed stdout (`| head -1`) ends the command, as SIGPIPE would.
    if let Err(e) = io::stdout().write_all(banner(&args, &server).as_bytes()) {
        return stdout_failed(&e).exit_code();
    }
    let _ = tokio::signal::ctrl_c().await;
    server.stop().await;
    ExitCode::SUCCESS
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
