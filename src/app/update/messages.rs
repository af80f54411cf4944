//! The message log's side of `update`: scrolling it, and what the stream's states add to it.

use crate::source::Status;

use super::super::msg::{Action, Cmd};
use super::super::state::{Overlay, State};
use super::super::stopped;

/// Messages a page moves.
const PAGE: usize = 10;

pub(super) fn log(state: &mut State, action: Action) -> Vec<Cmd> {
    let last = state.log.len().saturating_sub(1);
    if let Some(Overlay::Log { scroll }) = &mut state.overlay {
        *scroll = match action {
            Action::Up => scroll.saturating_sub(1),
            Action::Down => (*scroll + 1).min(last),
            Action::PageUp => scroll.saturating_sub(PAGE),
            Action::PageDown => (*scroll + PAGE).min(last),
            Action::Top => 0,
            Action::Follow => last,
            _ => {
                state.overlay = None;
                return Vec::new();
            }
        };
    }
    Vec::new()
}

/// Logs what a new stream state says when it carries a reason (the status line shows it,
/// maybe cut); a state repeated is not logged again.
pub(super) fn log_status(state: &mut State, status: &Status) {
    if *status == state.watch.status {
        return;
    }
    let text = match status {
        Status::Resuming(reason) => format!("the stream is resuming: {reason}"),
        Status::HistoryLost(reason) => format!("the stream's history is lost: {reason}"),
        Status::Failed(reason) => format!("the stream failed: {reason}"),
        Status::Invalidated { .. } => format!("the stream ended: {}", stopped::INVALIDATED),
        Status::Connecting | Status::Live | Status::Paused => return,
    };
    state.log.push(state.now, &text, true);
}
