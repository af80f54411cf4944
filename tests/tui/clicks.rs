//! The mouse: a click selects the row drawn where it lands, also when the stopped stream's
//! banner takes rows from the list, and does nothing under a dialog.

use crate::common;
use crate::stream_state::FATAL;

use common::tui::*;
use mwatch::app::msg::{Focus, Msg};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::source::{SourceMsg, Status};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// A live state on `shop.orders` with 40 more events, whose stream then failed.
fn stopped_with_many_rows(size: (u16, u16)) -> State {
    let mut state = live(Some("shop.orders"), size);
    arrive(&mut state, (1..=40).map(insert).collect());
    let watch = state.watch.id;
    source(
        &mut state,
        SourceMsg::Status {
            watch,
            status: Status::Failed(FATAL.into()),
        },
    );
    state
}

/// The screen row the selection marker `›` is drawn on.
fn marked_row(state: &State) -> Option<usize> {
    screen(state).lines().position(|line| line.contains('›'))
}

/// The list's row at screen `row`, right of the gutter at `column`.
fn row_text(screen: &str, row: usize, column: u16) -> String {
    let line = screen.lines().nth(row).unwrap_or_default();
    line.chars()
        .skip(usize::from(column) + 1)
        .take(40)
        .collect()
}

#[test]
fn a_click_selects_the_row_drawn_where_it_lands_above_the_stopped_banner() {
    for size in SIZES {
        let mut state = stopped_with_many_rows(size);
        let text = screen(&state);
        let lines: Vec<&str> = text.lines().collect();
        let top = lines.iter().position(|l| l.contains(" Events")).unwrap();
        let banner = lines
            .iter()
            .position(|l| l.contains("✖ The stream stopped"))
            .unwrap_or_else(|| panic!("no banner:\n{text}"));
        // At 60x15 the banner takes every row: it matters more.
        assert!(banner > top + 1 || size == (60, 15), "{text}");
        // The list's gutter, right of the pane's corner.
        let title = &lines[top][..lines[top].find(" Events").unwrap()];
        let column = title.chars().count() as u16;
        // From the bottom: the first click is on a list that follows the tail.
        for row in (top + 1..banner).rev() {
            let before = row_text(&screen(&state), row, column);
            click(&mut state, column, row as u16);
            let after = screen(&state);
            assert_eq!(
                marked_row(&state),
                Some(row),
                "{size:?}: row {row}:\n{after}"
            );
            assert_eq!(
                row_text(&after, row, column),
                before,
                "{size:?}: the row clicked is selected:\n{after}"
            );
        }
        // A click on the banner selects nothing hidden under it.
        let selected = state.events.selected;
        click(&mut state, column, banner as u16);
        assert_eq!(state.events.selected, selected, "{size:?}");
        let drawn = marked_row(&state).filter(|row| *row > top);
        assert_eq!(drawn, (banner > top + 1).then_some(top + 1), "{size:?}");
    }
}

#[test]
fn a_page_is_the_rows_the_list_shows_above_the_stopped_banner() {
    let mut state = stopped_with_many_rows(SIZE);
    update(
        &mut state,
        Msg::Key(key_event(KeyCode::Esc, KeyModifiers::NONE)),
    );
    state.focus = Focus::Events;
    press(&mut state, 'g');
    let first = marked_row(&state).unwrap();
    // The rows drawn between the title and the banner.
    let text = screen(&state);
    let banner = text
        .lines()
        .position(|l| l.contains("✖ The stream stopped"))
        .unwrap();
    let shown = banner - first;
    key(&mut state, KeyCode::PageDown);
    assert_eq!(state.events.selected, shown, "{}", screen(&state));
    assert_eq!(
        marked_row(&state),
        Some(banner - 1),
        "just above the banner"
    );
}

#[test]
fn a_click_under_a_dialog_changes_nothing() {
    // The connecting dialog.
    let (mut state, _) = State::new(config(Some("shop.orders"), SIZE));
    let before = (state.focus, state.events.follow);
    click(&mut state, 60, 10);
    click(&mut state, 60, 25);
    assert_eq!((state.focus, state.events.follow), before);

    // The offer to continue after an invalidate.
    let mut state = live(Some("shop.orders"), SIZE);
    let watch = state.watch.id;
    invalidated(&mut state, watch, Some(token(99)));
    assert!(state.offer.is_some());
    let before = (state.focus, state.events.follow, state.events.selected);
    for row in [5, 10, 25] {
        click(&mut state, 60, row);
    }
    assert_eq!(
        (state.focus, state.events.follow, state.events.selected),
        before
    );
}
