//! `--json`: events to stdout as JSON lines (written per batch, so `| jq` works live),
//! status and errors to stderr.

use std::io::{self, Write};

use super::broken_pipe::stdout_broken;
use super::resume::history_lost;
use super::{say, stdout_failed, Outcome};
use crate::bookmarks::Bookmark;
use crate::event::ChangeEvent;
use crate::format::{event_name, write_json};
use crate::signals::{until_stopped, Signals, BROKEN_PIPE};
use crate::source::connect::Connection;
use crate::source::history::oldest_after;
use crate::source::recording::Recorder;
use crate::source::{engine, Control, SourceMsg, Status, WatchSpec};

/// Prints batches of events as JSON lines: each batch written into a buffer kept from batch
/// to batch, then with one write (stdout is line buffered: it would write each line).
pub(super) struct LinePrinter {
    canonical: bool,
    lines: Vec<u8>,
}

impl LinePrinter {
    /// What the buffer may keep between batches: a batch of large events is let go.
    const KEPT: usize = 4 << 20;

    pub(super) fn new(canonical: bool) -> LinePrinter {
        LinePrinter {
            canonical,
            lines: Vec::new(),
        }
    }

    /// Prints `events`, one JSON line each. A failure is how the command ends: a closed
    /// stdout (`| head -1`) quietly, as SIGPIPE would have ended it.
    pub(super) fn print(&mut self, events: &[ChangeEvent]) -> Result<(), Outcome> {
        self.lines.clear();
        for event in events {
            match write_json(&mut self.lines, event.raw(), self.canonical) {
                Ok(()) => self.lines.push(b'\n'),
                Err(e) => say(format!("skipped {}: {e}", event_name(event))),
            }
        }
        let mut out = io::stdout().lock();
        let printed = out.write_all(&self.lines).and_then(|()| out.flush());
        if self.lines.capacity() > Self::KEPT {
            self.lines = Vec::new();
        }
        printed.map_err(|e| stdout_failed(&e))
    }
}

/// How `--json` prints: the watch, and its output.
pub struct Printing {
    pub spec: WatchSpec,
    pub canonical: bool,
    pub recorder: Option<Recorder>,
}

/// Watches until one of `stop` (Ctrl-C), invalidation or failure; `job` (Ctrl-Z) stops the
/// job meanwhile. When the replay of `bookmark` finds its history lost, says how to go on.
pub async fn watch(
    connection: Connection,
    printing: Printing,
    signals: Signals,
    bookmark: Option<&Bookmark>,
) -> Outcome {
    let client = connection.client.clone();
    let spec = printing.spec.clone();
    let outcome = print_events(connection, printing, signals).await;
    if let (Outcome::HistoryLost, Some(bookmark)) = (&outcome, bookmark) {
        let now = bson::DateTime::now().timestamp_millis();
        let oldest = oldest_after(&client, &spec, bookmark.cluster_time, now).await;
        say(history_lost(bookmark, now, oldest));
    }
    outcome
}

async fn print_events(connection: Connection, printing: Printing, mut signals: Signals) -> Outcome {
    let Printing {
        spec,
        canonical,
        mut recorder,
    } = printing;
    let (control, mut messages) = engine::spawn(connection);
    let mut printer = LinePrinter::new(canonical);
    let broken = stdout_broken();
    tokio::pin!(broken);
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
    loop {
        // Each batch is printed and recorded whole before the next wait, so a signal finds
        // nothing half written.
        let waited = tokio::select! {
            waited = until_stopped(messages.recv(), &mut signals) => waited,
            () = &mut broken => Err(BROKEN_PIPE),
        };
        let message = match waited {
            Ok(message) => message,
            Err(signal) => {
                let _ = control.send(Control::Stop).await;
                return Outcome::Signal(signal);
            }
        };
        match message {
            None => return Outcome::Failed,
            Some(SourceMsg::Events { events, .. }) => {
                if let Some(recorder) = recorder.as_mut() {
                    match recorder.write(&events) {
                        Ok(left_out) => left_out.into_iter().for_each(say),
                        Err(e) => {
                            say(format!("recording failed: {e}"));
                            return Outcome::Failed;
                        }
                    }
                }
                if let Err(outcome) = printer.print(&events) {
                    return outcome;
                }
            }
            Some(SourceMsg::Rejected {
                error,
                history_lost,
                ..
            }) => {
                say(error);
                return if history_lost {
                    Outcome::HistoryLost
                } else {
                    Outcome::Failed
                };
            }
            Some(SourceMsg::Started { .. } | SourceMsg::Reopened { .. }) => {}
            Some(SourceMsg::Status { status, .. }) => match status {
                Status::Connecting | Status::Paused => {}
                Status::Live => say("watching"),
                Status::Resuming(reason) => say(format!(
                    "the stream stopped ({reason}); resuming after the last event"
                )),
                Status::Invalidated { .. } => {
                    say("the stream was invalidated (its collection or database was dropped or renamed)");
                    return Outcome::Clean;
                }
                Status::HistoryLost(reason) => {
                    say(reason);
                    return Outcome::HistoryLost;
                }
                Status::Failed(reason) => {
                    say(reason);
                    return Outcome::Failed;
                }
            },
        }
    }
}
