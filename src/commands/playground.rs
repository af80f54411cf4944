//! `mwatch playground`: the embedded server (a replica set, or a standalone one), with or
//! without a workload, until Ctrl-C.

use std::process::ExitCode;

use mwatch_playground as playground;

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
    if args.standalone {
        println!(
            "mwatch playground: MongoDB {} standalone server listening on {}",
            playground::VERSION,
            server.addr()
        );
        println!("  connect with:  {}", server.direct_uri());
    } else {
        println!(
            "mwatch playground: MongoDB {} replica set '{}' listening on {}",
            playground::VERSION,
            playground::SET_NAME,
            server.addr()
        );
        println!("  connect with:  {}", server.uri());
        println!("  or directly:   {}", server.direct_uri());
    }
    if args.workload {
        println!(
            "  workload:      a shop in database 'shop', {} operations/s (seed {})",
            args.rate, args.seed
        );
    }
    if args.standalone {
        println!("  standalone:    no replica set; change streams are refused (code 40573)");
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    server.stop().await;
    ExitCode::SUCCESS
}
