//! Events nested deeper than anything walks them (a hostile server can send any depth, a real
//! one about 100 levels): every tab of the detail, the search, copying and writing the event
//! show or refuse them, saying where they stopped, and nothing overflows the stack.

use crate::common;

use common::tui::*;
use mwatch::app::detail::{content, Context};
use mwatch::app::msg::{Cmd, Msg, Tab};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::event::ChangeEvent;
use mwatch::nesting::{MARKER, MAX_DEPTH};
use mwatch_testkit::deep;

/// Depths past the limit: just past it, and what only a hostile server sends.
const DEPTHS: [usize; 3] = [200, 10_000, 100_000];

/// A live state whose newest event is `event`, shown in the detail.
fn showing(event: bson::RawDocumentBuf) -> State {
    let mut state = live(Some("shop.orders"), SIZE);
    let watch = state.watch.id;
    receive(&mut state, watch, vec![ChangeEvent::from_raw(event)]);
    enter(&mut state);
    state
}

/// All the lines of `tab` for the selected event, as text.
fn lines(state: &State, tab: Tab) -> Vec<String> {
    let event = state.events.selected_event().unwrap();
    content(event, tab, Context::of(state), usize::MAX)
        .iter()
        .map(|line| line.text())
        .collect()
}

#[test]
fn every_tab_of_a_deep_event_draws_and_marks_where_it_stops() {
    for depth in DEPTHS {
        let mut state = showing(deep::update(depth));
        for (key, tab) in [
            ('1', Tab::Event),
            ('2', Tab::Diff),
            ('3', Tab::FullDocument),
            ('4', Tab::PreImage),
        ] {
            press(&mut state, key);
            let screen = screen(&state);
            assert!(screen.contains(" Detail"), "{depth} {tab:?}: {screen}");
            // The diff says where it stopped by the path of its change (below).
            if tab != Tab::Diff {
                let lines = lines(&state, tab);
                assert!(
                    lines.iter().any(|line| line.contains(MARKER)),
                    "{depth} {tab:?}: {lines:?}"
                );
            }
        }
    }
}

#[test]
fn the_diff_of_deep_images_names_the_level_it_stopped_at() {
    let mut state = showing(deep::update(10_000));
    press(&mut state, '2');
    let lines = lines(&state, Tab::Diff);
    // The images differ at their bottom, past the limit: one change, at the level where the
    // diff stopped, of the values below it compared whole.
    assert_eq!(lines.len(), 2, "{lines:?}");
    let path = lines[1].trim_start_matches("~ ").split(':').next().unwrap();
    assert_eq!(path.split('.').count(), MAX_DEPTH + 1, "{path}");
}

#[test]
fn a_search_of_deep_events_ends() {
    for depth in DEPTHS {
        let mut state = showing(deep::insert(depth));
        press(&mut state, '/');
        type_text(&mut state, "no-such-text");
        let mut cmds = enter(&mut state);
        let mut steps = 0;
        while cmds == [Cmd::ContinueSearch] {
            cmds = update(&mut state, Msg::ContinueSearch);
            steps += 1;
            assert!(steps < 100, "the search ends");
        }
        let screen = screen(&state);
        assert!(screen.contains(" Detail"), "{screen}");
    }
}

#[test]
fn a_deep_event_is_not_copied_or_written_but_said_why() {
    for depth in DEPTHS {
        let mut state = showing(deep::insert(depth));
        assert!(press(&mut state, 'y').is_empty());
        let (text, warning) = notice(&state).unwrap();
        assert!(warning && text.contains("nested deeper than"), "{text}");
        press(&mut state, 'w');
        let (text, warning) = notice(&state).unwrap();
        assert!(warning && text.contains("nested deeper than"), "{text}");
        assert!(prompt(&state).is_none());
    }
}

#[test]
fn an_event_as_deep_as_mongodb_allows_is_copied_and_written() {
    // The event is one level, its fullDocument the rest.
    let mut state = showing(deep::insert(MAX_DEPTH - 1));
    match &press(&mut state, 'y')[..] {
        [Cmd::Copy(json)] => assert!(json.contains(r#"{"d":{"d":"#), "{json}"),
        other => panic!("{other:?}"),
    }
    press(&mut state, 'w');
    assert!(prompt(&state).is_some());
}

#[test]
fn a_deep_resume_token_is_no_bookmark() {
    for depth in DEPTHS {
        let mut state = showing(deep::token(depth));
        assert!(screen(&state).contains(" Detail"));
        assert!(press(&mut state, 'b').is_empty());
        assert!(notice(&state).is_some_and(|(_, warning)| warning));
    }
}
