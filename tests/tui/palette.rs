//! The command palette (`:` or Ctrl-P): every action with its key, those without a key too,
//! searchable; Enter runs the one selected where it belongs.

use mwatch::app::msg::{Cmd, Focus};
use mwatch::app::state::Overlay;
use mwatch::source::{Start, Status};
use ratatui::crossterm::event::KeyCode;

use crate::common::tui::*;

#[test]
fn colon_lists_every_action_with_its_key_and_those_without_one() {
    let mut state = live(Some("shop.orders"), (200, 60));
    press(&mut state, ':');
    let shown = screen(&state);
    for line in [
        "Ctrl-S",
        "apply the pipeline (no event lost)",
        "clear the events shown",
        "restart a stopped stream",
        "message log",
        "[Enter] run  [Esc] close",
    ] {
        assert!(shown.contains(line), "no '{line}' in:\n{shown}");
    }
    esc(&mut state);
    assert!(!screen(&state).contains("[Enter] run"));
}

#[test]
fn typing_filters_and_enter_runs_an_action_without_a_key() {
    let mut state = live(Some("shop.orders"), SIZE);
    assert!(state.events.store.len() > 1);
    press(&mut state, ':');
    type_text(&mut state, "clear ev");
    let shown = screen(&state);
    assert!(shown.contains("clear the events shown"), "{shown}");
    assert!(!shown.contains("apply the pipeline"), "{shown}");
    assert!(enter(&mut state).is_empty());
    assert_eq!(seams(&state).len(), 1);
    assert!(
        seams(&state)[0].starts_with("events cleared"),
        "{:?}",
        seams(&state)
    );
    assert_eq!(state.events.store.len(), 1, "only the seam row");
    assert!(
        !screen(&state).contains("[Enter] run"),
        "the palette closed"
    );
}

#[test]
fn ctrl_p_in_the_editor_finds_apply_and_runs_it_there() {
    let mut state = running();
    press(&mut state, 'p');
    ctrl(&mut state, 'p');
    type_text(&mut state, "apply");
    let (_, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(spec.start, Start::Continue);
    assert_eq!(state.focus, Focus::Pipeline);
}

#[test]
fn a_stopped_stream_is_restarted_from_the_palette_and_arrows_choose() {
    let mut state = running();
    source(
        &mut state,
        mwatch::source::SourceMsg::Status {
            watch: 1,
            status: Status::Failed("cursor killed".into()),
        },
    );
    press(&mut state, ':');
    type_text(&mut state, "restart");
    let (id, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(spec.start, Start::Continue);
    started(&mut state, id);
    assert!(seams(&state).last().unwrap().starts_with("restarted"));

    // Down then Up: the choice moves and comes back; nothing matches: Enter does nothing.
    press(&mut state, ':');
    let selected = |state: &mwatch::app::state::State| match &state.overlay {
        Some(Overlay::Palette(palette)) => palette.selected,
        other => panic!("no palette: {other:?}"),
    };
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Down);
    assert_eq!(selected(&state), 2);
    key(&mut state, KeyCode::Up);
    assert_eq!(selected(&state), 1);
    key(&mut state, KeyCode::PageUp);
    assert_eq!(selected(&state), 0);
    type_text(&mut state, "no such action at all");
    assert!(screen(&state).contains("no action matches"));
    assert!(enter(&mut state).is_empty());
}

#[test]
fn continue_after_an_invalidate_and_the_log_are_in_the_palette() {
    let mut state = running();
    invalidated(&mut state, 1, Some(bson::doc! { "_data": "82AA" }));
    esc(&mut state);
    press(&mut state, ':');
    type_text(&mut state, "continue after");
    let cmds: Vec<Cmd> = enter(&mut state);
    let (_, spec) = watch_cmd(&cmds);
    assert!(matches!(spec.start, Start::StartAfter(_)));
    press(&mut state, ':');
    type_text(&mut state, "message log");
    enter(&mut state);
    assert!(screen(&state).contains("Message log"));
}

#[test]
fn a_command_both_panes_have_runs_in_the_pane_the_palette_was_opened_from() {
    let mut state = live(Some("shop.orders"), SIZE);
    enter(&mut state);
    assert_eq!(state.focus, Focus::Detail);
    press(&mut state, ':');
    type_text(&mut state, "zoom");
    let shown = screen(&state);
    let line = shown.lines().find(|l| l.contains("zoom:")).unwrap();
    assert!(
        line.contains("and back  Detail"),
        "it says where it runs: {line}"
    );
    enter(&mut state);
    assert!(state.zoomed);
    assert_eq!(
        state.focus,
        Focus::Detail,
        "the detail is zoomed, not the list"
    );
    // One only the list has runs there.
    press(&mut state, 'z');
    press(&mut state, ':');
    type_text(&mut state, "clear ev");
    enter(&mut state);
    assert_eq!(state.focus, Focus::Events);
    assert_eq!(state.events.store.len(), 1, "only the seam row");
}
