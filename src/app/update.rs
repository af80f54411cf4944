//! `update`: the one place state changes. Pure: no IO, no clock, no channels; effects are
//! returned as [`Cmd`]s for the runtime to perform.

mod bookmarks;
mod connection;
mod messages;
mod palette;
mod search;
mod stream;
mod write;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Margin, Position, Rect};

use crate::format::{json_line, time_of_day};
use crate::source::{Start, WatchSpec};
use crate::store::{Row, SeamKind};

use super::cycle;
use super::detail;
use super::keys::{self, Context};
use super::layout;
use super::msg::{Action, Cmd, Focus, Msg, Tab};
use super::options::OptionsForm;
use super::palette::Palette;
use super::state::{Overlay, Purpose, Reason, State};
use super::stopped;
use stream::start_watch;

/// Lines the mouse wheel scrolls.
const WHEEL: isize = 3;

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    // A message that changes nothing must not cancel the redraw an earlier one asked for
    // (a tick right after the stream went live did, and the screen kept saying "connecting").
    let undrawn = state.dirty;
    // A key or a click that moves what the user reads takes it over from a search under way.
    let by_user = matches!(msg, Msg::Key(_) | Msg::Mouse(_));
    let read = reading(state);
    let cmds = handle(state, msg);
    if by_user && reading(state) != read {
        search::settle(state);
    }
    state.dirty |= undrawn;
    // The layout depends on the size, the focus and the zoom: page sizes follow it, and a
    // detail given more room shows more of its end rather than empty rows.
    let detail_size = (state.detail.height, state.detail.width);
    state.relayout();
    if (state.detail.height, state.detail.width) != detail_size {
        state.detail.scroll = detail_scroll_within(state, state.detail.scroll);
    }
    let editing =
        state.focus == Focus::Pipeline && state.overlay.is_none() && state.offer.is_none();
    state.editor.show_cursor(editing);
    cmds
}

/// What the user reads: the selected row, whether it follows the tail, the detail's scroll.
fn reading(state: &State) -> (usize, bool, usize) {
    (
        state.events.selected,
        state.events.follow,
        state.detail.scroll,
    )
}

fn handle(state: &mut State, msg: Msg) -> Vec<Cmd> {
    state.dirty = true;
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => {
            state.dirty = false;
            Vec::new()
        }
        Msg::Key(key) => {
            state.notice = None;
            let context = state.context();
            match keys::lookup(context, &key) {
                Some(action) => act(state, context, action),
                None => {
                    text(state, context, &key);
                    Vec::new()
                }
            }
        }
        Msg::Paste(text) => {
            paste(state, &text);
            Vec::new()
        }
        Msg::Mouse(mouse) => {
            self::mouse(state, mouse);
            Vec::new()
        }
        Msg::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Msg::Tick { now } => tick(state, now),
        Msg::Source { msg, now } => {
            state.now = now;
            let mut cmds = stream::source(state, msg);
            // Events that arrived are searched too.
            cmds.extend(search::step(state));
            cmds
        }
        Msg::Connected { attempt, result } => connection::connected(state, attempt, result),
        Msg::ContinueSearch => search::step(state),
        Msg::Namespaces(result) => {
            if let Err(e) = &result {
                let text = format!("cannot list namespaces: {e}");
                state.log.push(state.now, &text, true);
            }
            state.namespaces.listed(result);
            Vec::new()
        }
        Msg::Done(Ok(text)) => {
            state.notify(text);
            Vec::new()
        }
        Msg::Done(Err(text)) => {
            state.warn(text);
            Vec::new()
        }
        Msg::FileExists {
            typed,
            path,
            contents,
        } => {
            write::exists(state, typed, path, contents);
            Vec::new()
        }
        Msg::Bookmarks(reply) => {
            bookmarks::stored(state, reply);
            Vec::new()
        }
        Msg::History(Ok(earlier)) => {
            state.editor.loaded(earlier);
            Vec::new()
        }
        Msg::History(Err(problem)) => {
            state.warn(problem);
            Vec::new()
        }
        Msg::Oldest { watch, at } => {
            stream::oldest(state, watch, at);
            Vec::new()
        }
    }
}

fn tick(state: &mut State, now: i64) -> Vec<Cmd> {
    state.now = now;
    // While connecting, the seconds count on screen.
    let counting = state
        .connecting
        .as_ref()
        .is_some_and(|c| c.failed.is_none());
    state.dirty = state.stats.tick(now) || counting;
    if state.namespaces.stale && !state.namespaces.loading {
        state.namespaces.stale = false;
        state.namespaces.loading = true;
        // The pane's title says it is listing.
        state.dirty = true;
        return vec![Cmd::ListNamespaces];
    }
    Vec::new()
}

fn act(state: &mut State, context: Context, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => return vec![Cmd::Quit],
        Action::Suspend => return vec![Cmd::Suspend],
        Action::Help => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::MessageLog => state.overlay = Some(Overlay::Log { scroll: 0 }),
        Action::Palette => state.overlay = Some(Overlay::Palette(Palette::new())),
        Action::FocusNext => state.focus = cycle(&Focus::ORDER, state.focus, 1),
        Action::FocusPrev => {
            state.focus = cycle(&Focus::ORDER, state.focus, Focus::ORDER.len() - 1)
        }
        Action::FocusPipeline => state.focus = Focus::Pipeline,
        _ => {
            return match context {
                Context::Help => help(state, action),
                Context::Log => messages::log(state, action),
                Context::Connection => connection::retry(state),
                Context::Palette => palette::palette(state, action),
                Context::Options => options(state, action),
                Context::Input if matches!(state.overlay, Some(Overlay::Bookmarks(_))) => {
                    bookmarks::pane_input(state, action)
                }
                Context::Input => prompt(state, action),
                Context::Bookmarks => bookmarks::pane(state, action),
                Context::Confirm if matches!(state.overlay, Some(Overlay::Overwrite(_))) => {
                    write::confirm(state, action)
                }
                Context::Confirm => bookmarks::confirm(state, action),
                Context::Lost | Context::Invalidated => stream::offer(state, action),
                Context::Namespaces => namespaces(state, action),
                Context::Pipeline => pipeline(state, action),
                Context::Events | Context::Detail => list(state, context, action),
            }
        }
    }
    Vec::new()
}

fn help(state: &mut State, action: Action) -> Vec<Cmd> {
    if let Some(Overlay::Help { scroll }) = &mut state.overlay {
        match action {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll += 10,
            _ => state.overlay = None,
        }
    }
    Vec::new()
}

fn options(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Options(form)) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::Up => form.move_by(-1),
        Action::Down => form.move_by(1),
        Action::ChangeValue => form.change(),
        Action::Back => state.overlay = None,
        Action::Open => match form.to_options(&state.watch.spec.options) {
            Err(e) => form.error = Some(e),
            Ok(options) => {
                state.overlay = None;
                if options == state.watch.spec.options {
                    state.notify("options unchanged");
                    return Vec::new();
                }
                let spec = WatchSpec {
                    options,
                    start: Start::Continue,
                    ..state.watch.spec.clone()
                };
                return start_watch(state, spec, Reason::Options, None);
            }
        },
        _ => {}
    }
    Vec::new()
}

fn prompt(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Prompt(prompt)) = state.overlay.take() else {
        return Vec::new();
    };
    if action != Action::Open {
        return Vec::new();
    }
    let text = prompt.input.text().trim().to_string();
    match prompt.purpose {
        Purpose::Search if !text.is_empty() => return search::start(state, &text),
        Purpose::Search => state.search = None,
        Purpose::WriteEvent { contents } if !text.is_empty() => {
            return write::prompted(text, contents)
        }
        Purpose::WriteEvent { .. } => {}
        purpose => return bookmarks::prompted(state, purpose, text),
    }
    Vec::new()
}

fn namespaces(state: &mut State, action: Action) -> Vec<Cmd> {
    let picker = &mut state.namespaces;
    match action {
        Action::Up => picker.move_by(-1),
        Action::Down => picker.move_by(1),
        Action::PageUp => picker.move_by(-10),
        Action::PageDown => picker.move_by(10),
        Action::Refresh if state.recording.is_none() => {
            picker.loading = true;
            return vec![Cmd::ListNamespaces];
        }
        Action::Back if !picker.filter.is_empty() => {
            picker.filter.clear();
            picker.clamp();
        }
        Action::Back => state.focus = Focus::Events,
        Action::Open => match picker.chosen() {
            None => {}
            Some(Err(e)) => state.warn(e),
            Some(Ok(scope)) => {
                state.focus = Focus::Events;
                picker.filter.clear();
                picker.clamp();
                if scope == state.watch.spec.scope && state.watch.pending.is_none() {
                    state.notify(format!("already watching {scope}"));
                    return Vec::new();
                }
                let spec = WatchSpec {
                    scope,
                    start: Start::Now,
                    ..state.watch.spec.clone()
                };
                return start_watch(state, spec, Reason::Scope, None);
            }
        },
        _ => {}
    }
    Vec::new()
}

fn pipeline(state: &mut State, action: Action) -> Vec<Cmd> {
    match action {
        Action::Back => state.focus = Focus::Events,
        Action::HistoryPrev | Action::HistoryNext
            if !state.editor.browse(action == Action::HistoryPrev) =>
        {
            state.notify("no more pipelines in the history")
        }
        Action::Apply => match &state.editor.parsed {
            Err(e) => state.warn(format!(
                "not applied: the pipeline has an error at {}:{}: {}",
                e.line, e.column, e.message
            )),
            Ok(stages) => {
                let spec = WatchSpec {
                    pipeline: stages.clone(),
                    start: Start::Continue,
                    ..state.watch.spec.clone()
                };
                let text = state.editor.text();
                return start_watch(state, spec, Reason::Pipeline, Some(text));
            }
        },
        _ => {}
    }
    Vec::new()
}

fn list(state: &mut State, context: Context, action: Action) -> Vec<Cmd> {
    let page = state.events.height as isize;
    match (context, action) {
        (_, Action::ShowTab(tab)) => show_tab(state, tab),
        (_, Action::Zoom) => state.zoomed = !state.zoomed,
        (_, Action::TabLeft) => step_tab(state, Tab::ALL.len() - 1),
        (_, Action::TabRight) => step_tab(state, 1),
        (_, Action::Options) => {
            state.overlay = Some(Overlay::Options(OptionsForm::new(
                &state.watch.spec.options,
            )))
        }
        (_, Action::Search) => search::ask(state),
        (_, Action::Bookmark) => bookmarks::new_bookmark(state),
        (_, Action::ShowBookmarks) => return bookmarks::show(state),
        (_, Action::ReplayTime) => bookmarks::ask_time(state),
        (_, Action::RetryStream) => return stream::retry(state),
        (_, Action::SearchNext) => search::next(state, true),
        (_, Action::SearchPrev) => search::next(state, false),
        (_, Action::Copy) => match state.events.selected_event().map(|e| json_line(e, false)) {
            Some(Ok(json)) => {
                state.notify("copied the event as JSON (OSC 52)");
                return vec![Cmd::Copy(json)];
            }
            Some(Err(e)) => state.warn(format!("cannot copy the event: {e}")),
            None => state.warn("no event selected"),
        },
        (_, Action::Write) => write::ask(state),
        (Context::Events, Action::Up) => select_by(state, -1),
        (Context::Events, Action::Down) => select_by(state, 1),
        (Context::Events, Action::PageUp) => select_by(state, -page),
        (Context::Events, Action::PageDown) => select_by(state, page),
        (Context::Events, Action::Top) => {
            state.events.top();
            state.detail.scroll = 0;
        }
        (Context::Events, Action::Follow) => follow(state),
        (_, Action::TogglePause) if state.events.follow => state.events.pause(),
        (_, Action::TogglePause) => follow(state),
        // Opening an event pins it: the detail holds still while events arrive.
        (Context::Events, Action::Open) if state.events.selected_event().is_some() => {
            state.events.pause();
            state.focus = Focus::Detail
        }
        (Context::Events, Action::Back) => state.search = None,
        (Context::Events, Action::ContinueAfter) => return stream::continue_invalidated(state),
        (Context::Events, Action::ClearEvents) => {
            state.events.clear();
            state.detail.scroll = 0;
            let time = time_of_day(state.now, false);
            state.events.push(Row::seam(
                SeamKind::Cleared,
                format!("events cleared {time}"),
            ));
        }
        (Context::Detail, Action::Back) if search::running(state) => state.search = None,
        (Context::Detail, Action::Back) => state.focus = Focus::Events,
        (Context::Detail, Action::Up) => scroll_detail(state, -1),
        (Context::Detail, Action::Down) => scroll_detail(state, 1),
        (Context::Detail, Action::PageUp) => scroll_detail(state, -(state.detail.height as isize)),
        (Context::Detail, Action::PageDown) => scroll_detail(state, state.detail.height as isize),
        (Context::Detail, Action::Top) => scroll_detail(state, isize::MIN / 2),
        (Context::Detail, Action::Follow) => scroll_detail(state, isize::MAX / 2),
        _ => {}
    }
    Vec::new()
}

fn show_tab(state: &mut State, tab: Tab) {
    state.detail.tab = tab;
    state.detail.scroll = 0;
}

fn step_tab(state: &mut State, step: usize) {
    show_tab(state, cycle(&Tab::ALL, state.detail.tab, step));
}

/// Selects the newest event and follows the tail again: the detail is no longer pinned.
fn follow(state: &mut State) {
    state.events.follow_tail();
    state.detail.scroll = 0;
}

fn select_by(state: &mut State, delta: isize) {
    state.events.move_by(delta);
    state.detail.scroll = 0;
}

/// Scrolls the detail by `delta` rows and pins the event shown: arriving events no longer
/// move it.
pub(super) fn scroll_detail(state: &mut State, delta: isize) {
    state.events.pause();
    let target = state.detail.scroll.saturating_add_signed(delta);
    state.detail.scroll = detail_scroll_within(state, target);
}

/// `target`, no further than where the detail's last row shows at the bottom.
/// Only the lines up to a screenful past `target` are laid out, not the whole document: every
/// line takes a row at least, so if they are all there the position is in range.
fn detail_scroll_within(state: &State, target: usize) -> usize {
    const MAX_LINES: usize = 100_000;
    let limit = target.saturating_add(state.detail.height).min(MAX_LINES);
    let last = match state.events.selected_event() {
        Some(event) => {
            let lines = detail::content(event, state.detail.tab, detail::Context::of(state), limit);
            last_scroll(state, &lines)
        }
        None => 0,
    };
    target.min(last)
}

/// The scroll position that shows the last row of `lines` at the detail's bottom.
pub(super) fn last_scroll(state: &State, lines: &[detail::DetailLine]) -> usize {
    let rows: usize = lines
        .iter()
        .map(|line| line.row_starts(state.detail.width).len())
        .sum();
    rows.saturating_sub(state.detail.height)
}

/// Keys that are not commands: text for the focused input.
fn text(state: &mut State, context: Context, key: &KeyEvent) {
    match (context, &mut state.overlay) {
        (Context::Input, Some(Overlay::Prompt(prompt))) => {
            prompt.input.key(key);
        }
        (Context::Palette, Some(Overlay::Palette(palette))) => {
            palette.input.key(key);
            palette.selected = 0;
        }
        (Context::Input, Some(Overlay::Bookmarks(pane))) => {
            state.dirty = bookmarks::pane_text(pane, &state.bookmarks, key);
        }
        (Context::Options, Some(Overlay::Options(form))) => form.key(key),
        (Context::Namespaces, _) => {
            if state.namespaces.filter.key(key) {
                state.namespaces.select_best();
            }
        }
        (Context::Pipeline, _) => {
            state.editor.input(*key);
        }
        _ => state.dirty = false,
    }
}

fn paste(state: &mut State, text: &str) {
    match (state.context(), &mut state.overlay) {
        (Context::Input, Some(Overlay::Prompt(prompt))) => prompt.input.insert(text),
        (Context::Palette, Some(Overlay::Palette(palette))) => {
            palette.input.insert(text);
            palette.selected = 0;
        }
        (Context::Input, Some(Overlay::Bookmarks(pane))) => {
            bookmarks::pane_paste(pane, &state.bookmarks, text)
        }
        (Context::Namespaces, _) => {
            state.namespaces.filter.insert(text);
            state.namespaces.select_best();
        }
        (Context::Pipeline, _) => state.editor.paste(text),
        _ => state.dirty = false,
    }
}

/// The wheel scrolls the pane under the pointer; a click focuses it (and picks an event).
/// Under a dialog (an overlay, the connecting dialog, an offer) the panes take no mouse: what
/// it changed would not show.
fn mouse(state: &mut State, mouse: MouseEvent) {
    let panes = matches!(
        state.context(),
        Context::Namespaces | Context::Pipeline | Context::Events | Context::Detail
    );
    let Some(areas) = state.areas().filter(|_| panes) else {
        state.dirty = false;
        return;
    };
    let at = Position::new(mouse.column, mouse.row);
    let pane = Focus::ORDER
        .into_iter()
        .map(|pane| (areas.pane(pane), pane))
        .find(|(rect, _)| rect.contains(at));
    let Some((rect, pane)) = pane else {
        state.dirty = false;
        return;
    };
    let delta = match mouse.kind {
        MouseEventKind::ScrollUp => -WHEEL,
        MouseEventKind::ScrollDown => WHEEL,
        MouseEventKind::Down(MouseButton::Left) => {
            click(state, pane, rect, at);
            return;
        }
        _ => {
            state.dirty = false;
            return;
        }
    };
    match pane {
        Focus::Events => select_by(state, delta),
        Focus::Detail => scroll_detail(state, delta),
        Focus::Namespaces => state.namespaces.move_by(delta),
        Focus::Pipeline => state.dirty = false,
    }
}

/// A click focuses the pane; on an event it selects it, on the detail's tab bar it picks a tab.
fn click(state: &mut State, pane: Focus, rect: Rect, at: Position) {
    state.focus = pane;
    match pane {
        Focus::Events => {
            // The rows as drawn: not the stopped stream's banner under them.
            let list = stopped::list_areas(state, rect).list;
            if list.contains(at) {
                state.events.pause();
                let row = usize::from(at.y - list.y);
                state.events.select(state.events.offset + row);
                state.detail.scroll = 0;
            }
        }
        // The detail's first row is its tab bar.
        Focus::Detail => {
            let inner = rect.inner(Margin::new(1, 1));
            if inner.contains(at) && at.y == inner.y {
                if let Some(tab) = layout::tab_at(at.x - inner.x, state.detail.tab) {
                    show_tab(state, tab);
                }
            }
        }
        Focus::Namespaces | Focus::Pipeline => {}
    }
}
