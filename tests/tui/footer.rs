//! The footer follows the state: what Space does now, hints by importance with `…` when some
//! do not fit, `r retry` only when there is something to restart, and nothing a recording
//! cannot do.

use crate::common;
use crate::stream_state::stopped;

use common::tui::*;
use mwatch::app::state::{Recording, State};
use mwatch::store::EventStore;
use ratatui::crossterm::event::KeyCode;

/// The footer: the screen's last line.
fn footer(state: &State) -> String {
    screen(state).lines().last().unwrap_or_default().to_string()
}

#[test]
fn space_says_what_it_does_now() {
    let mut state = live(Some("shop.orders"), SIZE);
    assert!(footer(&state).contains("Space pause"), "{}", footer(&state));
    press(&mut state, ' ');
    assert!(
        footer(&state).contains("Space follow"),
        "{}",
        footer(&state)
    );
    assert!(!footer(&state).contains("pause"), "{}", footer(&state));
}

#[test]
fn hints_that_do_not_fit_end_in_an_ellipsis_the_important_ones_first() {
    let state = live(Some("shop.orders"), (80, 24));
    let line = footer(&state);
    assert!(line.ends_with('…'), "{line}");
    assert!(line.chars().count() <= 80);
    for hint in ["Space pause", "Enter detail", "/ search", "p pipeline"] {
        assert!(line.contains(hint), "{hint}: {line}");
    }
    let wide = live(Some("shop.orders"), (200, 60));
    let line = footer(&wide);
    assert!(!line.ends_with('…'), "{line}");
    for hint in ["o options", "b bookmark", "Tab pane", "? help", "q quit"] {
        assert!(line.contains(hint), "{hint}: {line}");
    }
    assert!(!line.contains("retry"), "nothing to retry: {line}");
}

#[test]
fn a_stopped_stream_puts_retry_first() {
    let mut state = stopped((80, 24));
    esc(&mut state);
    assert!(footer(&state).starts_with("r retry"), "{}", footer(&state));
}

#[test]
fn a_recording_offers_nothing_it_cannot_do() {
    let mut config = config(None, (200, 60));
    config.store = EventStore::default();
    config.recording = Some(Recording {
        name: "shop.jsonl".into(),
        events: events(),
        warning: None,
    });
    let (mut state, _) = mwatch::app::state::State::new(config);
    let line = footer(&state);
    for cannot in ["pipeline", "options", "bookmark", "retry"] {
        assert!(!line.contains(cannot), "{cannot}: {line}");
    }
    assert!(line.contains("/ search"), "{line}");
    // Nothing to watch in the namespaces, nothing to apply in the editor.
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    assert!(!footer(&state).contains("watch"), "{}", footer(&state));
    key(&mut state, KeyCode::Tab);
    assert!(!footer(&state).contains("apply"), "{}", footer(&state));
    assert!(!footer(&state).contains("history"), "{}", footer(&state));
}
