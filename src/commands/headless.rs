//! `--json`: events to stdout as JSON lines (flushed per batch, so `| jq` works live),
//! status and errors to stderr.

use std::io::{self, Write};

use super::resume::history_lost;
use super::Outcome;
use crate::bookmarks::Bookmark;
use crate::event::ChangeEvent;
use crate::format::json_line;
use crate::source::connect::Connection;
use crate::source::history::oldest_after;
use crate::source::recording::Recorder;
use crate::source::{engine, Control, SourceMsg, Status, WatchSpec};

/// Prints `events`, one JSON line each, and flushes them.
pub(super) fn print_batch(events: &[ChangeEvent], canonical: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for event in events {
        writeln!(out, "{}", json_line(event, canonical))?;
    }
    out.flush()
}

/// Watches until Ctrl-C, invalidation or failure. When the replay of `bookmark` finds its
/// history lost, says how to go on.
pub async fn watch(
    connection: Connection,
    spec: WatchSpec,
    canonical: bool,
    recorder: Option<Recorder>,
    bookmark: Option<&Bookmark>,
) -> Outcome {
    let client = connection.client.clone();
    let outcome = print_events(connection, spec.clone(), canonical, recorder).await;
    if let (Outcome::HistoryLost, Some(bookmark)) = (&outcome, bookmark) {
        let now = bson::DateTime::now().timestamp_millis();
        let oldest = oldest_after(&client, &spec, bookmark.cluster_time, now).await;
        eprintln!("mwatch: {}", history_lost(bookmark, now, oldest));
    }
    outcome
}

async fn print_events(
    connection: Connection,
    spec: WatchSpec,
    canonical: bool,
    mut recorder: Option<Recorder>,
) -> Outcome {
    let (control, mut messages) = engine::spawn(connection);
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
            Some(SourceMsg::Started { .. } | SourceMsg::Reopened { .. }) => {}
            Some(SourceMsg::Status { status, .. }) => match status {
                Status::Connecting | Status::Paused => {}
                Status::Live => eprintln!("mwatch: watching"),
                Status::Resuming(reason) => {
                    eprintln!(
                        "mwatch: the stream stopped ({reason}); resuming after the last event"
                    )
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
