//! A stream that stopped: nothing is read from the server until the user restarts it. Every
//! place that shows the stream's state asks here, so they all say the same.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

use crate::source::Status;

use super::detail::row_starts;
use super::keys::{key_for, Context};
use super::msg::Action;
use super::state::State;
use crate::printable::printable;

/// Why an invalidated stream ended, wherever it is said.
pub const INVALIDATED: &str = "its collection or database was dropped or renamed";

/// Why the stream stopped, if it did.
pub fn reason(state: &State) -> Option<String> {
    // No stream before the server answered: the connecting dialog says why.
    if state.recording.is_some() || state.connecting.is_some() {
        return None;
    }
    match &state.watch.status {
        Status::Failed(reason) | Status::HistoryLost(reason) => {
            Some(printable(reason).into_owned())
        }
        Status::Invalidated { .. } => Some(INVALIDATED.to_string()),
        Status::Connecting | Status::Live | Status::Paused | Status::Resuming(_) => None,
    }
}

pub fn has_stopped(state: &State) -> bool {
    reason(state).is_some()
}

/// The event list's pane split between its rows and the stopped stream's banner. Both the
/// view and `update` (paging, clicks) take it from here, so a click lands on the row drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAreas {
    /// Where the rows go.
    pub list: Rect,
    /// Where the banner goes (empty while the stream runs).
    pub banner: Rect,
    /// The banner's rows as drawn.
    pub banner_rows: Vec<String>,
}

/// The inside of the events pane at `pane`: the banner takes the rows it needs under the
/// rows (all of them in a small pane: this matters more); at the top of a list with none.
pub fn list_areas(state: &State, pane: Rect) -> ListAreas {
    let inner = pane.inner(Margin::new(1, 1));
    let banner_rows = banner(state, inner.width as usize, inner.height as usize);
    // No more rows than the pane has (a u16).
    let banner_height = Constraint::Length(banner_rows.len() as u16);
    let (list, banner) = if state.events.store.is_empty() {
        let [banner, list] = Layout::vertical([banner_height, Constraint::Min(0)]).areas(inner);
        (list, banner)
    } else {
        let [list, banner] = Layout::vertical([Constraint::Min(0), banner_height]).areas(inner);
        (list, banner)
    };
    ListAreas {
        list,
        banner,
        banner_rows,
    }
}

/// The banner's rows at `width`, at most `height` of them (the last cut with `…`): the ways
/// out, then the reason. None while the stream runs.
fn banner(state: &State, width: usize, height: usize) -> Vec<String> {
    let Some(reason) = reason(state) else {
        return Vec::new();
    };
    let mut rows: Vec<String> = texts(state, &reason)
        .iter()
        .flat_map(|text| {
            let chars: Vec<char> = text.chars().collect();
            let starts = row_starts(text, width, 0);
            let ends: Vec<usize> = starts
                .iter()
                .skip(1)
                .copied()
                .chain([chars.len()])
                .collect();
            starts
                .iter()
                .zip(ends)
                .map(|(&start, end)| chars[start..end].iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    if rows.len() > height {
        rows.truncate(height);
        if let Some(last) = rows.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{kept}…");
        }
    }
    rows
}

/// The banner's text: the ways out, then the reason.
fn texts(state: &State, reason: &str) -> [String; 2] {
    let retry = key_for(Context::Events, Action::RetryStream);
    if state.watch.id == 0 {
        return [
            format!("✖ The stream could not start. {retry} retry"),
            reason.to_string(),
        ];
    }
    let pipeline = key_for(Context::Events, Action::FocusPipeline);
    let back = key_for(Context::Pipeline, Action::HistoryPrev);
    [
        format!(
            "✖ The stream stopped. {retry} retry from where it got to · {pipeline} then {back} the pipeline before"
        ),
        format!("Why: {reason}"),
    ]
}
