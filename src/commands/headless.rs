//! `--json`: events to stdout as JSON lines (flushed per batch, so `| jq` works live),
//! status and errors to stderr.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use mongodb::Client;

use crate::event::ChangeEvent;
use crate::format::json_line;
use crate::source::recording::{Recorder, Replay};
use crate::source::{engine, Control, SourceMsg, Status, WatchSpec};

/// How a headless run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Ctrl-C, an invalidated stream, or a closed stdout.
    Clean,
    /// The connection or the stream failed.
    Failed,
    /// The start point is older than the server's history (286 ChangeStreamHistoryLost).
    HistoryLost,
    /// A bad argument: nothing was attempted.
    Usage,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Failed | Outcome::HistoryLost => ExitCode::FAILURE,
            Outcome::Usage => ExitCode::from(2),
        }
    }
}

fn print_batch(events: &[ChangeEvent], canonical: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for event in events {
        writeln!(out, "{}", json_line(event, canonical))?;
    }
    out.flush()
}

/// Watches until Ctrl-C, invalidation or failure.
pub async fn watch(
    client: Client,
    spec: WatchSpec,
    canonical: bool,
    mut recorder: Option<Recorder>,
) -> Outcome {
    let (control, mut messages) = engine::spawn(client);
    const WATCH: u64 = 1;
    if control
        .send(Control::Watch {
            id: WATCH,
            spec: Box::new(spec),
        })
        .await
        .is_err()
    {
        return Outcome::Failed;
    }
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let message = tokio::select! {
            _ = &mut interrupted => {
                let _ = control.send(Control::Stop).await;
                return Outcome::Clean;
            }
            message = messages.recv() => message,
        };
        match message {
            None => return Outcome::Failed,
            Some(SourceMsg::Events { events, .. }) => {
                if let Some(recorder) = recorder.as_mut() {
                    if let Err(e) = recorder.write(&events) {
                        eprintln!("mwatch: recording failed: {e}");
                        return Outcome::Failed;
                    }
                }
                if print_batch(&events, canonical).is_err() {
                    // stdout closed (e.g. `| head`): nothing more to do.
                    return Outcome::Clean;
                }
            }
            Some(SourceMsg::Rejected {
                error,
                history_lost,
                ..
            }) => {
                eprintln!("mwatch: {error}");
                return if history_lost {
                    Outcome::HistoryLost
                } else {
                    Outcome::Failed
                };
            }
            Some(SourceMsg::Started { .. }) => {}
            Some(SourceMsg::Status { status, .. }) => match status {
                Status::Connecting | Status::Paused => {}
                Status::Live => eprintln!("mwatch: watching"),
                Status::Resuming(reason) => {
                    eprintln!("mwatch: connection lost, resuming: {reason}")
                }
                Status::Invalidated { .. } => {
                    eprintln!("mwatch: the stream was invalidated (its collection or database was dropped or renamed)");
                    return Outcome::Clean;
                }
                Status::HistoryLost(reason) => {
                    eprintln!("mwatch: {reason}");
                    return Outcome::HistoryLost;
                }
                Status::Failed(reason) => {
                    eprintln!("mwatch: {reason}");
                    return Outcome::Failed;
                }
            },
        }
    }
}

/// `mwatch replay FILE --json`: prints a recording back.
pub fn replay(path: &Path, canonical: bool) -> Outcome {
    let mut replay = match Replay::open(path) {
        Ok(replay) => replay,
        Err(e) => {
            eprintln!("mwatch: {e}");
            return Outcome::Usage;
        }
    };
    let mut batch = Vec::new();
    for event in replay.by_ref() {
        match event {
            Ok(event) => batch.push(event),
            Err(e) => {
                let _ = print_batch(&batch, canonical);
                eprintln!("mwatch: {e}");
                return Outcome::Failed;
            }
        }
        if batch.len() == 1000 && print_batch(&std::mem::take(&mut batch), canonical).is_err() {
            return Outcome::Clean;
        }
    }
    let _ = print_batch(&batch, canonical);
    if let Some(warning) = replay.warning {
        eprintln!("mwatch: warning: {warning}");
    }
    Outcome::Clean
}
