use std::process::ExitCode;

use clap::Parser;
use mwatch::cli::{Cli, Command, PlaygroundArgs};
use mwatch::playground;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mwatch: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Playground(args)) => runtime.block_on(serve_playground(args)),
        None if cli.demo => {
            println!("mwatch --demo: the TUI is coming soon. Meanwhile `mwatch playground` serves the embedded replica set.");
            ExitCode::SUCCESS
        }
        None => {
            println!(
                "mwatch: the change-stream viewer is coming soon; try `mwatch playground --help`."
            );
            ExitCode::SUCCESS
        }
    }
}

async fn serve_playground(args: PlaygroundArgs) -> ExitCode {
    let config = playground::Config {
        bind: args.bind,
        port: args.port,
        history: usize::try_from(args.history).unwrap_or(usize::MAX),
        standalone: args.standalone,
        workload: args.workload.then_some(playground::Workload {
            rate: args.rate,
            seed: args.seed,
        }),
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
    println!(
        "mwatch playground: MongoDB {} replica set '{}' listening on {}",
        playground::VERSION,
        playground::SET_NAME,
        server.addr()
    );
    println!("  connect with:  {}", server.uri());
    println!("  or directly:   {}", server.direct_uri());
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
