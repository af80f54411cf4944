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

/// Prints batches of events as JSON lines: written into a buffer kept from batch to batch,
/// then with one write per batch (stdout is line buffered: it would write each line), or per
/// [`Self::KEPT`] bytes for a batch of large events, so the buffer stays bounded.
pub(super) struct LinePrinter<W: Write> {
    canonical: bool,
    lines: Vec<u8>,
    out: W,
}

impl LinePrinter<io::Stdout> {
    pub(super) fn new(canonical: bool) -> LinePrinter<io::Stdout> {
        LinePrinter::to(io::stdout(), canonical)
    }
}

impl<W: Write> LinePrinter<W> {
    /// What the buffer holds before it is written out, and may keep between batches.
    const KEPT: usize = 4 << 20;

    fn to(out: W, canonical: bool) -> LinePrinter<W> {
        LinePrinter {
            canonical,
            lines: Vec::new(),
            out,
        }
    }

    /// Prints `events`, one JSON line each. A failure is how the command ends: a closed
    /// stdout (`| head -1`) quietly, as SIGPIPE would have ended it.
    pub(super) fn print(&mut self, events: &[ChangeEvent]) -> Result<(), Outcome> {
        let printed = self.write_lines(events);
        self.lines.clear();
        if self.lines.capacity() > Self::KEPT {
            self.lines = Vec::new();
        }
        printed.map_err(|e| stdout_failed(&e))
    }

    fn write_lines(&mut self, events: &[ChangeEvent]) -> io::Result<()> {
        for event in events {
            match write_json(&mut self.lines, event.raw(), self.canonical) {
                Ok(()) => self.lines.push(b'\n'),
                Err(e) => {
                    // Said after the events before it, wherever stderr goes (`2>&1`).
                    self.write_out()?;
                    say(format!("skipped {}: {e}", event_name(event)));
                }
            }
            if self.lines.len() >= Self::KEPT {
                self.write_out()?;
            }
        }
        self.write_out()
    }

    fn write_out(&mut self) -> io::Result<()> {
        if !self.lines.is_empty() {
            self.out.write_all(&self.lines)?;
            self.out.flush()?;
            self.lines.clear();
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembers the size of each write.
    #[derive(Default)]
    struct Sink {
        writes: Vec<usize>,
    }

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes.push(bytes.len());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_batch_of_large_events_is_written_in_bounded_pieces() {
        // 1 MiB of control characters: each written as a 6-byte escape.
        let text = "\u{1}".repeat(1 << 20);
        let event = ChangeEvent::from_document(&bson::doc! { "text": text }).unwrap();
        let line = {
            let mut line = Vec::new();
            write_json(&mut line, event.raw(), false).unwrap();
            line.len() + 1
        };
        let events = vec![event; 3];
        let mut printer = LinePrinter::to(Sink::default(), false);
        printer.print(&events).unwrap();
        let writes = &printer.out.writes;
        assert_eq!(writes.iter().sum::<usize>(), line * 3);
        assert!(
            writes
                .iter()
                .all(|&size| size < LinePrinter::<Sink>::KEPT + line),
            "{writes:?}"
        );
        assert!(printer.lines.capacity() <= LinePrinter::<Sink>::KEPT + line);
    }

    /// A skipped event is said after the lines before it are written (`2>&1` keeps the order).
    #[test]
    fn the_lines_before_a_skipped_event_are_written_first() {
        use crate::nesting::MAX_DEPTH;
        let event = ChangeEvent::from_document(&bson::doc! { "n": 1 }).unwrap();
        let deep = ChangeEvent::from_raw(mwatch_testkit::deep::nested(MAX_DEPTH + 1));
        let mut printer = LinePrinter::to(Sink::default(), false);
        printer.print(&[event.clone(), deep, event]).unwrap();
        assert_eq!(printer.out.writes, [8, 8]);
    }

    #[test]
    fn a_batch_of_small_events_is_one_write() {
        let event = ChangeEvent::from_document(&bson::doc! { "n": 1 }).unwrap();
        let mut printer = LinePrinter::to(Sink::default(), false);
        printer.print(&vec![event; 1000]).unwrap();
        assert_eq!(printer.out.writes.len(), 1);
    }
}
