//! Starting up: the TUI draws at once while it connects, counts the seconds, and stays with
//! the error (and `r` to try again) when it cannot connect.

use mwatch::app::msg::{Cmd, Msg};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::source::{Scope, Status};

use crate::common::tui::*;

#[test]
fn the_tui_connects_first_then_watches_and_lists() {
    let (mut state, cmds) = State::new(config(Some("shop.orders"), SIZE));
    assert_eq!(cmds[..2], [Cmd::Connect { attempt: 1 }, Cmd::LoadBookmarks]);
    assert!(matches!(cmds[2..], [Cmd::LoadHistory { .. }]), "{cmds:?}");
    let shown = screen(&state);
    assert!(
        shown.contains("Connecting to 127.0.0.1:27017 · 0 s (gives up after 5 s)"),
        "{shown}"
    );
    assert!(shown.contains("[r] retry  [Esc/q] quit"), "{shown}");
    update(&mut state, Msg::Tick { now: NOW + 2_000 });
    assert!(state.dirty, "the count moves");
    assert!(screen(&state).contains("127.0.0.1:27017 · 2 s (gives up after 5 s)"));

    let cmds = connected(&mut state, 1);
    let (id, spec) = watch_cmd(&cmds[..1]);
    assert_eq!((id, spec.scope), (1, Scope::parse("shop.orders").unwrap()));
    assert_eq!(cmds[1..], [Cmd::ListNamespaces]);
    assert!(!screen(&state).contains("Connecting to"));
    assert_eq!(state.deployment, deployment(), "what the server said it is");
    assert!(state
        .log
        .newest_first()
        .next()
        .unwrap()
        .text
        .starts_with("connected to mongodb://ann:****@127.0.0.1:27017/"),);
}

#[test]
fn a_failed_connection_stays_on_screen_with_a_retry_and_a_hint_at_the_demo() {
    let (mut state, _) = State::new(config(Some("shop.orders"), (60, 15)));
    let error =
        "cannot reach 127.0.0.1:27017 within 5 s: I/O error: Connection refused (os error 111)";
    connection_failed(&mut state, error);
    let shown = screen(&state);
    assert!(shown.contains("Cannot connect"), "{shown}");
    assert!(
        shown.contains("(os error 111)"),
        "the error is wrapped, whole: {shown}"
    );
    assert!(shown.contains("--demo"), "{shown}");
    assert!(matches!(state.watch.status, Status::Failed(_)));
    assert_eq!(state.log.newest_first().next().unwrap().text, error);

    update(&mut state, Msg::Tick { now: NOW + 1_000 });
    assert_eq!(press(&mut state, 'r'), [Cmd::Connect { attempt: 2 }]);
    assert!(screen(&state).contains("Connecting to"));
    assert!(matches!(state.watch.status, Status::Connecting));
    // A late answer to the first attempt changes nothing.
    assert!(connected(&mut state, 1).is_empty());
    assert!(screen(&state).contains("Connecting to"));
    let cmds = connected(&mut state, 2);
    assert_eq!(cmds.len(), 2, "{cmds:?}");
}

#[test]
fn esc_and_q_quit_while_connecting() {
    let (mut state, _) = State::new(config(None, SIZE));
    assert_eq!(esc(&mut state), [Cmd::Quit]);
    assert_eq!(press(&mut state, 'q'), [Cmd::Quit]);
    assert!(
        press(&mut state, 'p').is_empty(),
        "the panes wait for the server"
    );
}

/// Before a connection nothing arrives: the list does not claim to follow anything.
#[test]
fn the_event_list_says_not_connected_until_it_is() {
    let (mut state, _) = State::new(config(Some("shop.orders"), SIZE));
    let title = |state: &State| {
        screen(state)
            .lines()
            .find(|line| line.contains(" Events ·"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(title(&state).contains("not connected"), "{}", title(&state));
    assert!(!title(&state).contains("following"), "{}", title(&state));
    connection_failed(&mut state, "cannot reach 127.0.0.1:27017 within 5 s");
    assert!(title(&state).contains("not connected"), "{}", title(&state));
    update(&mut state, Msg::Tick { now: NOW + 1_000 });
    press(&mut state, 'r');
    connected(&mut state, 2);
    assert!(title(&state).contains("following"), "{}", title(&state));
}
