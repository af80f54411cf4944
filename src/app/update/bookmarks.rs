//! Bookmarks in `update`: `b` (a name, a note, then save), the `B` pane (filter, rename,
//! delete, replay) and `t` (replay from a time). The store belongs to the runtime: these ask
//! for it with `Cmd`s and show what comes back in `Msg::Bookmarks`.

use bson::DateTime;
use ratatui::crossterm::event::KeyEvent;

use crate::bookmarks::{check_name, Bookmark};
use crate::deployment::same_deployment;
use crate::source::{Start, WatchSpec};
use crate::store::Row;

use super::super::bookmarks::{BookmarkPane, Mode};
use super::super::input::LineInput;
use super::super::msg::{Action, Cmd, StoreReply};
use super::super::state::{Overlay, Prompt, Purpose, Reason, State};
use super::stream::start_watch;

fn prompt(state: &mut State, purpose: Purpose, text: &str) {
    state.overlay = Some(Overlay::Prompt(Prompt {
        purpose,
        input: LineInput::new(text),
    }));
}

/// `b`: asks for a name (the default filled in) for a bookmark of the selected event.
pub(super) fn new_bookmark(state: &mut State) {
    let row = state.events.selected;
    let Some(event) = state.events.selected_event() else {
        return state.warn("no event selected");
    };
    let spec = watch_of(state, row);
    let created = DateTime::from_millis(state.now);
    match Bookmark::from_event(event, spec, &state.deployment.uri, created) {
        Some(mut bookmark) => {
            bookmark.pipeline_text = state.editor.text_of(&bookmark.pipeline);
            let name = bookmark.name.clone();
            prompt(state, Purpose::BookmarkName(Box::new(bookmark)), &name);
        }
        None => state.warn("this event has no resume token, so it cannot be bookmarked"),
    }
}

/// What the event in `row` was received by: the watch that started at the last seam above it.
fn watch_of(state: &State, row: usize) -> &WatchSpec {
    let later_seams = state
        .events
        .store
        .iter()
        .skip(row)
        .filter(|r| matches!(r, Row::Seam(_)))
        .count();
    let started = state.watch.started.iter().rev().nth(later_seams);
    started.unwrap_or(&state.watch.spec)
}

/// `t`: asks when to replay from.
pub(super) fn ask_time(state: &mut State) {
    prompt(state, Purpose::ReplayTime, "");
}

/// Why `name` cannot be a bookmark's, if it cannot: a bad name, or one another bookmark has
/// (`own`, the name the bookmark has or would get anyway, is not taken).
fn name_problem(all: &[Bookmark], name: &str, own: &str) -> Option<String> {
    if let Err(e) = check_name(name) {
        return Some(e);
    }
    let taken = name != own && all.iter().any(|b| b.name == name);
    taken.then(|| format!("a bookmark named '{name}' already exists"))
}

/// Enter on a bookmark or replay prompt, with its (trimmed) text.
pub(super) fn prompted(state: &mut State, purpose: Purpose, text: String) -> Vec<Cmd> {
    match purpose {
        Purpose::BookmarkName(mut bookmark) => {
            match name_problem(&state.bookmarks, &text, &bookmark.default_name()) {
                Some(problem) => {
                    prompt(state, Purpose::BookmarkName(bookmark), &text);
                    state.warn(problem);
                }
                None => {
                    bookmark.name = text;
                    let note = bookmark.note.clone();
                    prompt(state, Purpose::BookmarkNote(bookmark), &note);
                }
            }
        }
        Purpose::BookmarkNote(mut bookmark) => {
            bookmark.note = text;
            return vec![Cmd::SaveBookmark(bookmark)];
        }
        Purpose::ReplayTime if text.is_empty() => {}
        Purpose::ReplayTime => match crate::start_at::parse(&text, state.now) {
            Ok(ts) => {
                let spec = WatchSpec {
                    start: Start::AtTime(ts),
                    ..state.watch.spec.clone()
                };
                return start_watch(state, spec, Reason::FromTime(ts), None);
            }
            Err(e) => {
                prompt(state, Purpose::ReplayTime, &text);
                state.warn(e);
            }
        },
        Purpose::Search | Purpose::WriteEvent { .. } => {}
    }
    Vec::new()
}

/// The store answered a bookmark command.
pub(super) fn stored(state: &mut State, reply: StoreReply) {
    state.bookmarks = reply.list;
    if let Some(Overlay::Bookmarks(pane)) = &mut state.overlay {
        pane.loading = false;
        pane.clamp(&state.bookmarks);
    }
    match reply.notice {
        Some(Ok(text)) => state.notify(text),
        Some(Err(text)) => state.warn(text),
        None => {}
    }
    // Nothing typed is lost: a bookmark the store refused comes back to have its name fixed.
    if let (Some(bookmark), None) = (reply.unsaved, &state.overlay) {
        let name = bookmark.name.clone();
        prompt(state, Purpose::BookmarkName(bookmark), &name);
    }
}

/// `B`: the pane, with the bookmarks read afresh (another mwatch may have changed them).
pub(super) fn show(state: &mut State) -> Vec<Cmd> {
    state.overlay = Some(Overlay::Bookmarks(BookmarkPane::new()));
    vec![Cmd::LoadBookmarks]
}

/// Keys on the bookmark list.
pub(super) fn pane(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Bookmarks(pane)) = &mut state.overlay else {
        return Vec::new();
    };
    let all = &state.bookmarks;
    let chosen = pane.chosen(all).cloned();
    match (action, chosen) {
        (Action::Up, _) => pane.move_by(-1, all),
        (Action::Down, _) => pane.move_by(1, all),
        (Action::PageUp, _) => pane.move_by(-10, all),
        (Action::PageDown, _) => pane.move_by(10, all),
        (Action::Top, _) => pane.selected = 0,
        (Action::Follow, _) => pane.move_by(isize::MAX / 2, all),
        (Action::Search, _) => pane.mode = Mode::Filter,
        (Action::Back, _) if !pane.filter.is_empty() => {
            pane.filter.clear();
            pane.clamp(all);
        }
        (Action::Back, _) => state.overlay = None,
        (Action::Rename, Some(bookmark)) => {
            pane.mode = Mode::Rename {
                input: LineInput::new(&bookmark.name),
                from: bookmark.name,
            }
        }
        (Action::Delete, Some(bookmark)) => pane.mode = Mode::ConfirmDelete(bookmark.name),
        (Action::Open, Some(bookmark))
            if !same_deployment(&bookmark.deployment, &state.deployment.uri) =>
        {
            pane.mode = Mode::ConfirmReplayHere(bookmark.name)
        }
        (Action::Open, Some(bookmark)) => return replay(state, bookmark),
        (Action::Rename | Action::Delete | Action::Open, None) => {
            state.warn("no bookmark selected")
        }
        _ => state.dirty = false,
    }
    Vec::new()
}

/// Watches again from right after the bookmarked event, as it was watched then.
fn replay(state: &mut State, bookmark: Bookmark) -> Vec<Cmd> {
    state.overlay = None;
    let spec = WatchSpec {
        scope: bookmark.scope.clone(),
        pipeline: bookmark.pipeline.clone(),
        options: bookmark.options.clone(),
        start: bookmark.start(),
    };
    let text = bookmark.pipeline_text();
    start_watch(state, spec, Reason::Replay(bookmark.name), Some(text))
}

/// Enter / Esc while typing the filter or a new name.
pub(super) fn pane_input(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Bookmarks(pane)) = &mut state.overlay else {
        return Vec::new();
    };
    let mode = std::mem::replace(&mut pane.mode, Mode::List);
    match (mode, action) {
        (Mode::Filter, Action::Back) => {
            pane.filter.clear();
            pane.clamp(&state.bookmarks);
        }
        (Mode::Rename { from, input }, Action::Open) => {
            let to = input.text().trim().to_string();
            match name_problem(&state.bookmarks, &to, &from) {
                _ if to == from => {}
                Some(problem) => {
                    pane.mode = Mode::Rename { from, input };
                    state.warn(problem);
                }
                None => return vec![Cmd::RenameBookmark { from, to }],
            }
        }
        // Enter keeps the filter; Esc leaves a rename.
        _ => {}
    }
    Vec::new()
}

/// `y` or `n` to deleting a bookmark, or to replaying here one of another deployment.
pub(super) fn confirm(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Bookmarks(pane)) = &mut state.overlay else {
        return Vec::new();
    };
    match std::mem::replace(&mut pane.mode, Mode::List) {
        Mode::ConfirmDelete(name) if action == Action::Yes => vec![Cmd::DeleteBookmark(name)],
        Mode::ConfirmReplayHere(name) if action == Action::Yes => {
            match state.bookmarks.iter().find(|b| b.name == name).cloned() {
                Some(bookmark) => replay(state, bookmark),
                None => {
                    state.warn(format!("bookmark '{name}' is gone"));
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    }
}

/// A text key while typing the filter or a new name; true if it was one.
pub(super) fn pane_text(pane: &mut BookmarkPane, all: &[Bookmark], key: &KeyEvent) -> bool {
    match &mut pane.mode {
        Mode::Filter if pane.filter.key(key) => {
            pane.selected = 0;
            pane.clamp(all);
            true
        }
        Mode::Rename { input, .. } => input.key(key),
        _ => false,
    }
}

/// Pasted text for the filter or a new name.
pub(super) fn pane_paste(pane: &mut BookmarkPane, all: &[Bookmark], text: &str) {
    match &mut pane.mode {
        Mode::Filter => {
            pane.filter.insert(text);
            pane.selected = 0;
            pane.clamp(all);
        }
        Mode::Rename { input, .. } => input.insert(text),
        _ => {}
    }
}
