//! The footer's hints, from the key tables, as the state makes them true: what Space does
//! now, `retry` only for a stream that stopped, nothing a recording cannot do; the most
//! important first, since a narrow terminal shows only the first few.

use super::keys::{self, Binding, Context};
use super::msg::Action;
use super::state::State;
use super::stopped;

/// After `retry` and the focused pane's own hints, those of the keys shared by several panes
/// come in this order; any others follow in table order.
const SHARED: [Action; 7] = [
    Action::Search,
    Action::FocusPipeline,
    Action::Options,
    Action::Bookmark,
    Action::Help,
    Action::FocusNext,
    Action::Quit,
];

/// What a recording cannot do in any pane: it has no server to watch, change or replay from.
const NOT_IN_A_RECORDING: [Action; 7] = [
    Action::RetryStream,
    Action::FocusPipeline,
    Action::Options,
    Action::Bookmark,
    Action::ShowBookmarks,
    Action::ReplayTime,
    Action::Refresh,
];

/// What a recording cannot do in one pane (the same key does something it can elsewhere).
fn not_here_in_a_recording(context: Context, action: Action) -> bool {
    match context {
        Context::Namespaces | Context::Bookmarks => action == Action::Open,
        Context::Pipeline => matches!(
            action,
            Action::Apply | Action::HistoryPrev | Action::HistoryNext
        ),
        _ => false,
    }
}

/// `(keys, hint)` pairs for the footer, most important first.
pub fn hints(state: &State) -> Vec<(String, &'static str)> {
    let context = state.context();
    let mut hints: Vec<(String, &'static Binding)> = keys::hint_bindings(context)
        .into_iter()
        .filter(|(_, binding)| possible(state, context, binding.action))
        .collect();
    let own = keys::tables(context)[0];
    hints.sort_by_key(|(_, binding)| {
        if binding.action == Action::RetryStream {
            0
        } else if own.iter().any(|b| std::ptr::eq(b, *binding)) {
            1
        } else {
            2 + SHARED
                .iter()
                .position(|a| *a == binding.action)
                .unwrap_or(SHARED.len())
        }
    });
    hints
        .into_iter()
        .map(|(keys, binding)| (keys, label(state, binding)))
        .collect()
}

fn possible(state: &State, context: Context, action: Action) -> bool {
    let in_a_recording =
        NOT_IN_A_RECORDING.contains(&action) || not_here_in_a_recording(context, action);
    if state.recording.is_some() && in_a_recording {
        return false;
    }
    action != Action::RetryStream || stopped::has_stopped(state)
}

fn label(state: &State, binding: &Binding) -> &'static str {
    match binding.action {
        Action::TogglePause if !state.events.follow => "follow",
        _ => binding.hint.unwrap_or_default(),
    }
}
