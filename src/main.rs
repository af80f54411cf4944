use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use mongodb::Client;
use mwatch::app::state::{Config, Recording};
use mwatch::cli::{Cli, Command, PlaygroundArgs, ReplayArgs, WatchArgs};
use mwatch::headless::{self, Outcome};
use mwatch::source::connect::{connect, ConnectError, Deployment};
use mwatch::source::recording::{self, Recorder};
use mwatch::source::WatchSpec;
use mwatch::store::{EventStore, DEFAULT_MAX_EVENTS};
use mwatch::{app, bookmarks, setup};
use mwatch_playground as playground;

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
        Some(Command::Replay(args)) if args.json => {
            headless::replay(&args.file, args.canonical).exit_code()
        }
        Some(Command::Replay(args)) => runtime.block_on(replay(args)),
        Some(Command::Bookmarks { command }) => bookmarks::cli::run(&command),
        None => runtime.block_on(watch(cli.watch)),
    }
}

async fn watch(args: WatchArgs) -> ExitCode {
    let bookmark = match args.resume.as_deref().map(bookmarks::replay::lookup) {
        Some(Err(e)) => return usage_error(e),
        Some(Ok(bookmark)) => bookmark,
        None => None,
    };
    let (mut spec, pipeline_text) = match setup::spec(&args, bookmark.as_ref()) {
        Ok(watch) => watch,
        Err(e) => return usage_error(e),
    };
    // Before anything is opened or created.
    if !args.json && !std::io::stdout().is_terminal() {
        return usage_error(setup::UsageError(
            "standard output is not a terminal; use --json to print events as JSON lines"
                .to_string(),
        ));
    }
    let recorder = match setup::recorder(&args) {
        Ok(recorder) => recorder,
        Err(e) => return usage_error(e),
    };
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
        match setup::uri(&args, std::env::var("MONGODB_URI").ok(), bookmark.as_ref()) {
            Ok(uri) => (uri, None),
            Err(e) => return usage_error(e),
        }
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
    if let Some(bookmark) = &bookmark {
        eprintln!(
            "mwatch: replaying bookmark '{}' (made on {})",
            bookmark.name, bookmark.deployment
        );
    }
    if args.json {
        eprintln!("mwatch: connected to {deployment}; watching {}", spec.scope);
        let outcome = headless::watch(client.clone(), spec.clone(), args.canonical, recorder).await;
        if let (Outcome::HistoryLost, Some(bookmark)) = (&outcome, &bookmark) {
            let now = bson::DateTime::now().timestamp_millis();
            let advice = bookmarks::replay::history_lost(&client, &spec, bookmark, now).await;
            eprintln!("mwatch: {advice}");
        }
        return outcome.exit_code();
    }
    setup::tui_defaults(&mut spec.options, deployment.version.as_deref());
    let config = Config {
        deployment,
        spec,
        pipeline_text,
        scope_given: args.ns.is_some() || bookmark.is_some(),
        store: EventStore::default(),
        now: 0,
        size: (80, 24),
        recording: None,
    };
    tui(Some(client), config, recorder).await
}

/// Runs the TUI until the user quits: on `client`'s change streams, else on the recording in
/// `config`.
async fn tui(client: Option<Client>, config: Config, recorder: Option<Recorder>) -> ExitCode {
    match app::terminal::run(client, config, recorder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mwatch: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(error: setup::UsageError) -> ExitCode {
    eprintln!("mwatch: {error}");
    Outcome::Usage.exit_code()
}

/// `mwatch replay FILE`: the recording in the TUI.
async fn replay(args: ReplayArgs) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        return usage_error(setup::UsageError(
            "standard output is not a terminal; use --json to print the recording".to_string(),
        ));
    }
    let (events, warning) = match recording::load(&args.file, DEFAULT_MAX_EVENTS) {
        Ok(loaded) => loaded,
        // Only opening fails: a file that is not there is a usage error, as with --json.
        Err(e) => return usage_error(setup::UsageError(e.0)),
    };
    let name = args.file.display().to_string();
    let config = Config {
        deployment: Deployment {
            uri: name.clone(),
            version: None,
            set_name: None,
            mongos: false,
        },
        spec: WatchSpec::default(),
        pipeline_text: String::new(),
        scope_given: false,
        store: EventStore::default(),
        now: 0,
        size: (80, 24),
        recording: Some(Recording {
            name,
            events,
            warning,
        }),
    };
    tui(None, config, None).await
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
