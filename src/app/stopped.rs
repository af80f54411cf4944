//! A stream that stopped: nothing is read from the server until the user restarts it. Every
//! place that shows the stream's state asks here, so they all say the same.

use crate::source::Status;

use super::state::State;

/// Why the stream stopped, if it did.
pub fn reason(state: &State) -> Option<String> {
    // No stream before the server answered: the connecting dialog says why.
    if state.recording.is_some() || state.connecting.is_some() {
        return None;
    }
    match &state.watch.status {
        Status::Failed(reason) | Status::HistoryLost(reason) => Some(reason.clone()),
        Status::Invalidated { .. } => {
            Some("its collection or database was dropped or renamed".to_string())
        }
        Status::Connecting | Status::Live | Status::Paused | Status::Resuming(_) => None,
    }
}

pub fn has_stopped(state: &State) -> bool {
    reason(state).is_some()
}
