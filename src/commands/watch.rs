//! `mwatch [URI] [flags]`, the default mode: reads the connection string (or starts the
//! `--demo` playground) and watches in the TUI, which connects on screen, or with `--json`
//! connects and hands the stream to [`super::headless`].

use std::io::IsTerminal;
use std::process::ExitCode;

use mwatch_playground as playground;

use super::{fail, headless, password, resume, say, setup, usage_error, Outcome, UsageError};
use crate::app::state::Config;
use crate::cli::WatchArgs;
use crate::runtime;
use crate::runtime::terminal::Exit;
use crate::signals::{until_stopped, Signals};
use crate::source::connect::{prepare, ConnectError, Deployment, Target};
use crate::source::recording::Recorder;
use crate::store::EventStore;

/// Checks the flags, connects and watches until the user quits (or, with `--json`, until
/// Ctrl-C or the stream ends).
pub async fn run(args: WatchArgs) -> ExitCode {
    // First: from now on a signal is handled by whatever waits (the prompt, the connection,
    // the watch), never lost in between.
    let mut signals = match Signals::new() {
        Ok(signals) => signals,
        Err(e) => return fail(format!("cannot handle signals: {e}"), Outcome::Failed),
    };
    password::warn_if_in_arguments(&args);
    let bookmark = match args.resume.as_deref().map(resume::lookup) {
        Some(Err(e)) => return usage_error(e),
        Some(Ok(bookmark)) => bookmark,
        None => None,
    };
    let (spec, pipeline_text) = match setup::spec(&args, bookmark.as_ref()) {
        Ok(watch) => watch,
        Err(e) => return usage_error(e),
    };
    // Before anything is opened or created.
    if !args.json && !std::io::stdout().is_terminal() {
        return usage_error(UsageError(
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
                return fail(
                    format!("cannot start the demo playground: {e}"),
                    Outcome::Failed,
                )
            }
        }
    } else {
        let uri = match setup::uri(&args, std::env::var("MONGODB_URI").ok(), bookmark.as_ref()) {
            Ok(uri) => uri,
            Err(e) => return usage_error(e),
        };
        match password::with_credentials(uri, &args, &mut signals).await {
            Ok(uri) => (uri, None),
            Err(code) => return code,
        }
    };
    // Only a mistyped string is refused here, before the screen changes (and a
    // `mongodb+srv://` string's DNS lookup, which cannot wait for the screen to draw).
    let target = match until_stopped(prepare(&uri), &mut signals).await {
        Ok(Ok(target)) => target,
        Ok(Err(e)) => return connect_failed(e),
        Err(signal) => return Outcome::Signal(signal).exit_code(),
    };
    if let Some(bookmark) = &bookmark {
        say(format!(
            "replaying bookmark '{}' (made on {})",
            bookmark.name, bookmark.deployment
        ));
    }
    if args.json {
        let (connection, deployment) = match until_stopped(target.connect(), &mut signals).await {
            Ok(Ok(connected)) => connected,
            Ok(Err(e)) => return connect_failed(e),
            Err(signal) => return Outcome::Signal(signal).exit_code(),
        };
        say(format!(
            "connected to {deployment}; watching {}",
            spec.scope
        ));
        let printing = headless::Printing {
            spec,
            canonical: args.canonical,
            recorder,
        };
        let outcome = headless::watch(connection, printing, signals, bookmark.as_ref()).await;
        return outcome.exit_code();
    }
    let config = Config {
        deployment: Deployment::at(target.uri.clone()),
        destination: target.destination.clone(),
        spec,
        pipeline_text,
        store: EventStore::keeping(args.keep.keep()),
        now: 0,
        size: (80, 24),
        recording: None,
    };
    tui(Some(target), config, recorder, signals).await
}

fn connect_failed(error: ConnectError) -> ExitCode {
    match error {
        ConnectError::BadUri(_) => fail(error, Outcome::Usage),
        ConnectError::Unreachable(_) => fail(error, Outcome::Failed),
    }
}

/// Runs the TUI until the user quits or a signal stops it: on the change streams of the
/// server `target` leads to, else on the recording in `config`.
pub(super) async fn tui(
    target: Option<Target>,
    config: Config,
    recorder: Option<Recorder>,
    signals: Signals,
) -> ExitCode {
    match runtime::terminal::run(target, config, recorder, signals).await {
        Ok(Exit::Quit) => ExitCode::SUCCESS,
        Ok(Exit::Signal(signal)) => Outcome::Signal(signal).exit_code(),
        Err(e) => fail(e, Outcome::Failed),
    }
}
