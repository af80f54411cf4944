use std::process::ExitCode;

use clap::Parser;
use mwatch::cli::{Cli, Command, PlaygroundArgs, WatchArgs};
use mwatch::headless::{self, Outcome};
use mwatch::source::connect::{connect, ConnectError};
use mwatch::source::recording::Recorder;
use mwatch::{playground, setup};

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
        Some(Command::Replay(args)) => {
            if !args.json {
                eprintln!(
                    "mwatch replay: the TUI is coming soon; use --json to print the recording"
                );
                return Outcome::Usage.exit_code();
            }
            headless::replay(&args.file, args.canonical).exit_code()
        }
        None => runtime.block_on(watch(cli.watch)),
    }
}

async fn watch(args: WatchArgs) -> ExitCode {
    let spec = match setup::spec(&args) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("mwatch: {e}");
            return Outcome::Usage.exit_code();
        }
    };
    // Opened before connecting: a path that cannot be written is a usage error.
    let recorder = match &args.record {
        None => None,
        Some(path) => match Recorder::open(path) {
            Ok(recorder) => Some(recorder),
            Err(e) => {
                eprintln!("mwatch: --record: cannot open {}: {e}", path.display());
                return Outcome::Usage.exit_code();
            }
        },
    };
    if !args.json {
        eprintln!(
            "mwatch: the TUI is not built yet; printing events as JSON lines (as with --json)"
        );
    }
    // The demo's playground lives as long as this function.
    let (uri, _demo) = if args.demo {
        let config = playground::Config {
            workload: Some(playground::Workload::default()),
            ..playground::Config::default()
        };
        match playground::start(config).await {
            Ok(server) => (server.uri(), Some(server)),
            Err(e) => {
                eprintln!("mwatch: cannot start the demo playground: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        (setup::uri(&args, std::env::var("MONGODB_URI").ok()), None)
    };
    let (client, deployment) = match connect(&uri).await {
        Ok(connected) => connected,
        Err(ConnectError::BadUri(message)) => {
            eprintln!("mwatch: {message}");
            return Outcome::Usage.exit_code();
        }
        Err(ConnectError::Unreachable(message)) => {
            eprintln!("mwatch: {message}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("mwatch: connected to {deployment}; watching {}", spec.scope);
    headless::watch(client, spec, args.canonical, recorder)
        .await
        .exit_code()
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
