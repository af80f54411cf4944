//! `/`, `n`, `N` and `Esc` for the search (see `app::search`), and its steps.

use super::super::detail;
use super::super::input::LineInput;
use super::super::msg::Cmd;
use super::super::search::{field, Search, STEP};
use super::super::state::{Overlay, Prompt, Purpose, State};
use super::last_scroll;

/// `/`: a prompt for a new search, empty: what is typed is the whole search, not an addition
/// to the last one.
pub(super) fn ask(state: &mut State) {
    state.overlay = Some(Overlay::Prompt(Prompt {
        purpose: Purpose::Search,
        input: LineInput::new(""),
    }));
}

/// Starts a search for `text` after the selection; a newer search replaces an older one.
pub(super) fn start(state: &mut State, text: &str) -> Vec<Cmd> {
    state.search = Some(Search::new(
        text,
        &state.events.store,
        state.events.selected,
    ));
    step(state)
}

/// Looks at the next rows, if any are left (also those that just arrived): goes to the first
/// match found, and asks for another step while rows are left.
pub(super) fn step(state: &mut State) -> Vec<Cmd> {
    let store = &state.events.store;
    let Some(search) = state.search.as_mut().filter(|s| s.scanning(store)) else {
        return Vec::new();
    };
    let found = search.step(store, STEP);
    let scanning = search.scanning(store);
    let first = store.first_number();
    match found {
        Some(row) if !search.settled => show(state, (row - first) as usize),
        None if !search.settled && !scanning => {
            search.settled = true;
            let text = format!("no retained event contains '{}'", search.query);
            state.warn(text);
        }
        _ => {}
    }
    if scanning {
        vec![Cmd::ContinueSearch]
    } else {
        Vec::new()
    }
}

/// `n` / `N`: the next (previous) match, round the ends.
pub(super) fn next(state: &mut State, forward: bool) {
    let store = &state.events.store;
    let Some(search) = &state.search else {
        state.notify("no search: / to search");
        return;
    };
    match search.next(store, state.events.selected, forward) {
        Some(index) => show(state, index),
        None if search.scanning(store) => {
            let text = format!("/{}: searching, no match yet", search.query);
            state.notify(text);
        }
        None => {
            let text = format!("no retained event contains '{}'", search.query);
            state.warn(text);
        }
    }
}

/// Selects the match at `index`, scrolls the detail to it and says which field matched.
fn show(state: &mut State, index: usize) {
    let Some(search) = state.search.as_mut() else {
        return;
    };
    // Gone to a match: the search no longer moves the selection by itself.
    search.settled = true;
    let (needle, query) = (search.needle.clone(), search.query.clone());
    state.events.follow = false;
    state.events.select(index);
    state.detail.scroll = 0;
    let Some(event) = state.events.selected_event() else {
        return;
    };
    let place = field(event, &needle)
        .map(|path| format!(": matched in {path}"))
        .unwrap_or_default();
    // The detail's first line that shows the match, among its first lines (laid out once:
    // they also say how far the detail scrolls).
    let lines = detail::content(event, state.detail.tab, detail::Context::of(state), 10_000);
    if let Some(at) = lines.iter().position(|line| needle.is_in(&line.text())) {
        let width = state.detail.width;
        let rows: usize = lines[..at].iter().map(|l| l.row_starts(width).len()).sum();
        state.detail.scroll = rows.min(last_scroll(state, &lines));
    }
    state.notify(format!("/{query}{place}  (n next, N previous, Esc clears)"));
}

/// The user moved the selection or pinned it: a search under way no longer goes to the first
/// match it finds (it still counts and highlights them).
pub(super) fn settle(state: &mut State) {
    if let Some(search) = state.search.as_mut() {
        search.settled = true;
    }
}

/// Whether a search is still looking (`Esc` stops it).
pub(super) fn running(state: &State) -> bool {
    state
        .search
        .as_ref()
        .is_some_and(|s| s.scanning(&state.events.store))
}
