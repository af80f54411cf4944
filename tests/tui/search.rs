//! `/` search: it starts empty, jumps to the first match after the selection, says which field
//! matched and where the match is among all ("2 of 3"), highlights what it found, and never
//! holds the keys: a search of many events runs in bounded steps that `Esc` stops.

use bson::{doc, DateTime, Timestamp};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Cmd, Focus, Msg};
use mwatch::app::state::{Purpose, State};
use mwatch::app::update::update;
use mwatch::event::ChangeEvent;

fn search(state: &mut State, text: &str) -> Vec<Cmd> {
    press(state, '/');
    type_text(state, text);
    enter(state)
}

/// The Events pane's title row.
fn events_title(state: &State) -> String {
    screen(state)
        .lines()
        .find(|line| line.contains(" Events ·"))
        .unwrap_or_default()
        .to_string()
}

/// A delete whose pre-image says the order was replaced: nothing in the row says so.
fn replaced_order_deleted() -> ChangeEvent {
    let time = (NOW / 1000) as u32 + 1;
    ChangeEvent::from_document(&doc! {
        "_id": token(1),
        "operationType": "delete",
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": 99 },
        "fullDocumentBeforeChange": { "_id": 99, "status": "replaced" },
    })
    .unwrap()
}

#[test]
fn a_match_says_which_field_matched_and_where_it_is_among_all() {
    let mut state = live(Some("shop.orders"), SIZE);
    arrive(&mut state, vec![replaced_order_deleted()]);
    assert!(
        search(&mut state, "replaced").is_empty(),
        "a few events: done at once"
    );
    assert_eq!(state.events.selected_event().unwrap().op_name(), "delete");
    let (text, error) = notice(&state).unwrap();
    assert!(!error);
    assert!(
        text.contains("matched in fullDocumentBeforeChange.status"),
        "{text}"
    );
    assert!(
        events_title(&state).contains("/replaced · 1 of 1"),
        "{}",
        events_title(&state)
    );

    // `ann` is the customer of every order event: the count goes round with n and N.
    search(&mut state, "ann");
    let title = events_title(&state);
    assert!(title.contains("/ann · 1 of 3"), "{title}");
    assert!(notice(&state)
        .unwrap()
        .0
        .contains("matched in fullDocument.customer"));
    press(&mut state, 'n');
    assert!(events_title(&state).contains("/ann · 2 of 3"));
    press(&mut state, 'N');
    press(&mut state, 'N');
    assert!(
        events_title(&state).contains("/ann · 3 of 3"),
        "N wraps round"
    );
}

#[test]
fn slash_starts_empty_and_esc_clears_the_search() {
    let mut state = live(Some("shop.orders"), SIZE);
    search(&mut state, "ann");
    press(&mut state, '/');
    assert_eq!(prompt(&state), Some((&Purpose::Search, "")));
    esc(&mut state);
    esc(&mut state);
    assert!(state.search.is_none());
    assert!(!events_title(&state).contains("/ann"));
}

#[test]
fn n_with_no_search_says_how_to_search_and_stays() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'n');
    assert_eq!(state.focus, Focus::Events);
    assert_eq!(notice(&state), Some(("no search: / to search", false)));
    press(&mut state, 'N');
    assert_eq!(state.focus, Focus::Events);
}

#[test]
fn events_that_arrive_later_are_searched_too() {
    let mut state = live(Some("shop.orders"), SIZE);
    search(&mut state, "ann");
    assert!(events_title(&state).contains("1 of 3"));
    arrive(&mut state, later_events());
    press(&mut state, 'N');
    assert!(
        events_title(&state).contains("/ann · 5 of 5"),
        "{}",
        events_title(&state)
    );
}

#[test]
fn smart_case_searches_case_sensitively_only_with_capitals() {
    let mut state = live(Some("shop.orders"), SIZE);
    search(&mut state, "ANN");
    assert_eq!(
        notice(&state),
        Some(("no retained event contains 'ANN'", true))
    );
    search(&mut state, "Ann");
    assert!(notice(&state).unwrap().1);
    search(&mut state, "aNN".to_lowercase().as_str());
    assert!(!notice(&state).unwrap().1);
}

/// Cells drawn with the search's highlight, as text, row by row.
fn highlighted(state: &State) -> Vec<String> {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| mwatch::ui::view(state, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| &buffer[(x, y)])
                .filter(|cell| cell.bg == Color::Yellow)
                .map(|cell| cell.symbol())
                .collect::<String>()
        })
        .filter(|row| !row.is_empty())
        .collect()
}

#[test]
fn matches_are_highlighted_in_the_rows_and_the_detail() {
    // Smart case: `orderno` finds `orderNo`, in the inserts' rows and in the detail, which
    // scrolls to the first line that shows it (at 80x24 it would be below the pane).
    for size in [(120, 35), (80, 24)] {
        let mut state = live(Some("shop.orders"), size);
        search(&mut state, "orderno");
        assert_eq!(highlighted(&state), ["orderNo"; 3], "{size:?}");
    }
}

/// `n` inserts into `shop.orders`, received by the running watch.
fn many(n: u32) -> State {
    let mut state = running();
    receive(&mut state, 1, (0..n).map(insert).collect());
    state
}

#[test]
fn a_search_of_many_events_goes_in_steps_that_esc_stops() {
    let mut state = many(5_000);
    let cmds = search(&mut state, "no-such-text");
    assert_eq!(cmds, [Cmd::ContinueSearch], "not all at once");
    let title = events_title(&state);
    assert!(title.contains("searching"), "{title}");
    let mut steps = 1;
    while update(&mut state, Msg::ContinueSearch) == [Cmd::ContinueSearch] {
        steps += 1;
        assert!(steps < 1_000, "the search ends");
    }
    assert!(steps >= 2, "{steps} more steps after the first");
    assert_eq!(
        notice(&state),
        Some(("no retained event contains 'no-such-text'", true))
    );
    assert!(events_title(&state).contains("no match"));

    // Esc stops a search that is under way; what is left of it does nothing.
    assert_eq!(search(&mut state, "zzz"), [Cmd::ContinueSearch]);
    esc(&mut state);
    assert!(state.search.is_none());
    assert!(update(&mut state, Msg::ContinueSearch).is_empty());
    // From the detail too.
    assert_eq!(search(&mut state, "zzz"), [Cmd::ContinueSearch]);
    state.focus = Focus::Detail;
    esc(&mut state);
    assert!(state.search.is_none());
}

#[test]
fn the_first_match_after_the_selection_is_found_first() {
    let mut state = many(5_000);
    // `"n": 1234` is in one event only, far from the newest; the search goes from the
    // selection (the newest) round to the oldest.
    let mut cmds = search(&mut state, "1234");
    while cmds == [Cmd::ContinueSearch] {
        cmds = update(&mut state, Msg::ContinueSearch);
    }
    let event = state.events.selected_event().unwrap();
    assert!(mwatch::format::json_line(event, false)
        .unwrap()
        .contains("\"n\":1234}"));
    let text = notice(&state).unwrap().0;
    assert!(text.contains("matched in"), "{text}");
}

#[test]
fn a_search_on_screen() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        arrive(&mut state, vec![replaced_order_deleted()]);
        search(&mut state, "replaced");
        insta::assert_snapshot!(sized("search", size), screen(&state));
    }
}

/// A search still looking when the user moves the selection (`k`) or pins the event shown
/// (`Enter`) leaves the selection where the user put it: a match found later is counted, not
/// gone to.
#[test]
fn a_search_under_way_does_not_move_a_selection_the_user_took() {
    for keys in ["k", "\n"] {
        let mut state = many(5_000);
        let mut cmds = search(&mut state, "1234");
        assert_eq!(cmds, [Cmd::ContinueSearch], "not found in the first step");
        for c in keys.chars() {
            match c {
                '\n' => enter(&mut state),
                c => press(&mut state, c),
            };
        }
        let chosen = state.events.selected;
        while cmds == [Cmd::ContinueSearch] {
            cmds = update(&mut state, Msg::ContinueSearch);
        }
        assert_eq!(state.events.selected, chosen, "after {keys:?}");
        let title = events_title(&state);
        assert!(
            title.contains("1 match") || title.contains("of 1"),
            "{title}"
        );
    }
}
