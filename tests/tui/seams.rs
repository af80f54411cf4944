//! Seam rows say what happened there: a watch started, the same watch went on after an
//! outage, the list was cleared. Only a watch start claims a new stream.

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Focus, Msg};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::source::{SourceMsg, Status};

fn status(state: &mut State, status: Status, now: i64) {
    let msg = SourceMsg::Status { watch: 1, status };
    update(state, Msg::Source { msg, now });
}

/// The words in the Detail pane (the rightmost box under its title), on one line.
fn detail_words(state: &State) -> String {
    let screen = screen(state);
    let words: Vec<String> = screen
        .lines()
        .skip_while(|line| !line.contains(" Detail"))
        .skip(1)
        .take_while(|line| !line.contains('└') && !line.contains('╚'))
        .map(|line| {
            let cells: Vec<&str> = line.split(['│', '║']).collect();
            cells[cells.len().saturating_sub(2)].to_string()
        })
        .collect();
    words
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn each_kind_of_seam_says_what_happened_there() {
    // A watch start.
    let mut state = running();
    press(&mut state, 'g');
    let words = detail_words(&state);
    assert!(words.contains("A watch started here"), "{words}");

    // The same watch after an outage.
    receive(&mut state, 1, vec![insert(1)]);
    status(&mut state, Status::Resuming("I/O error".into()), NOW);
    status(&mut state, Status::Live, NOW + 3_000);
    key(&mut state, ratatui::crossterm::event::KeyCode::End);
    assert!(seams(&state)
        .last()
        .unwrap()
        .starts_with("resumed after 3 s"));
    let words = detail_words(&state);
    assert!(!words.contains("watch started"), "{words}");
    assert!(words.contains("the same watch went on"), "{words}");

    // A cleared list.
    state.focus = Focus::Events;
    press(&mut state, ':');
    type_text(&mut state, "clear ev");
    enter(&mut state);
    let words = detail_words(&state);
    assert!(!words.contains("watch started"), "{words}");
    assert!(words.contains("the same watch went on"), "{words}");
}

#[test]
fn a_blip_shorter_than_a_second_makes_no_seam() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1)]);
    let before = seams(&state);
    status(&mut state, Status::Resuming("monitoring".into()), NOW);
    status(&mut state, Status::Live, NOW + 400);
    assert_eq!(seams(&state), before);

    // As short, but the stream was opened again: that is marked.
    status(
        &mut state,
        Status::Resuming("I/O error".into()),
        NOW + 1_000,
    );
    let msg = SourceMsg::Reopened { watch: 1 };
    update(
        &mut state,
        Msg::Source {
            msg,
            now: NOW + 1_300,
        },
    );
    status(&mut state, Status::Live, NOW + 1_300);
    assert_eq!(
        seams(&state).last().unwrap(),
        "resumed after 0 s without the server"
    );
    assert_eq!(seams(&state).len(), before.len() + 1);
}
