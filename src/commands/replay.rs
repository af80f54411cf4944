//! `mwatch replay FILE`: a recording made with `--record`, in the TUI or (with `--json`)
//! printed back as JSON lines.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use super::headless::LinePrinter;
use super::{fail, say, usage_error, Outcome, UsageError};
use crate::app::state::{Config, Recording};
use crate::cli::ReplayArgs;
use crate::redact::RedactedUri;
use crate::signals::Signals;
use crate::source::connect::{Deployment, Destination};
use crate::source::recording::{self, Replay};
use crate::source::WatchSpec;
use crate::store::EventStore;

/// Shows or prints the recording `args` names.
pub async fn run(args: ReplayArgs) -> ExitCode {
    if args.json {
        return print(&args.file, args.canonical).exit_code();
    }
    if !std::io::stdout().is_terminal() {
        return usage_error(UsageError(
            "standard output is not a terminal; use --json to print the recording".to_string(),
        ));
    }
    let keep = args.keep.keep();
    let (events, warning) = match recording::load(&args.file, keep) {
        Ok(loaded) => loaded,
        Err(e) if e.is_open() => return fail(e, Outcome::Usage),
        Err(e) => return fail(e, Outcome::Failed),
    };
    let name = args.file.display().to_string();
    let config = Config {
        // The title shows the file where a deployment's URI would be.
        deployment: Deployment::at(RedactedUri::new(&name)),
        destination: Destination::default(),
        spec: WatchSpec::default(),
        pipeline_text: String::new(),
        store: EventStore::keeping(keep),
        now: 0,
        size: (80, 24),
        recording: Some(Recording {
            name,
            events,
            warning,
        }),
    };
    match Signals::new() {
        Ok(signals) => super::watch::tui(None, config, None, signals).await,
        Err(e) => fail(format!("cannot handle signals: {e}"), Outcome::Failed),
    }
}

/// `--json`: prints the recording back.
fn print(path: &Path, canonical: bool) -> Outcome {
    let mut replay = match Replay::open(path) {
        Ok(replay) => replay,
        Err(e) => {
            say(e);
            return Outcome::Usage;
        }
    };
    let mut printer = LinePrinter::new(canonical);
    let mut batch = Vec::new();
    for event in replay.by_ref() {
        match event {
            Ok(event) => batch.push(event),
            Err(e) => {
                if let Err(outcome) = printer.print(&batch) {
                    return outcome;
                }
                say(e);
                return Outcome::Failed;
            }
        }
        if batch.len() == 1000 {
            if let Err(outcome) = printer.print(&std::mem::take(&mut batch)) {
                return outcome;
            }
        }
    }
    if let Err(outcome) = printer.print(&batch) {
        return outcome;
    }
    if let Some(warning) = replay.warning {
        say(format!("warning: {warning}"));
    }
    Outcome::Clean
}
