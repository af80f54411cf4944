//! Messages: the message log (`L`), long notices cut with a pointer to it, dialogs that wrap
//! and show their own keys, and the way on after an invalidate dialog is closed.

use bson::doc;
use mwatch::app::msg::{Cmd, Msg};
use mwatch::app::update::update;
use mwatch::source::{SourceMsg, Start, Status};

use crate::common::tui::*;

/// The screen's last row: the notice or the keys.
fn footer(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn every_notice_and_warning_is_kept_in_the_log_with_its_time() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'y');
    update(
        &mut state,
        Msg::Done(Err("cannot write /tmp/x.json: Permission denied".into())),
    );
    press(&mut state, 'j');
    assert_eq!(notice(&state), None, "a notice lasts until the next key");
    press(&mut state, 'L');
    let screen = screen(&state);
    assert!(screen.contains("Message log"), "{screen}");
    let copied = screen
        .find("16:00:00  copied the event as JSON")
        .unwrap_or_else(|| panic!("{screen}"));
    let refused = screen
        .find("16:00:00  cannot write /tmp/x.json: Permission denied")
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(refused < copied, "newest first: {screen}");
    esc(&mut state);
    assert!(!screen_of(&state).contains("Message log"));
}

fn screen_of(state: &mwatch::app::state::State) -> String {
    screen(state)
}

#[test]
fn the_log_keeps_the_last_500_messages() {
    let mut state = live(Some("shop.orders"), SIZE);
    for n in 1..=600 {
        update(&mut state, Msg::Done(Ok(format!("message number {n}"))));
    }
    press(&mut state, 'L');
    let screen = screen(&state);
    assert!(screen.contains("500 messages"), "{screen}");
    assert!(screen.contains("message number 600"), "{screen}");
    for _ in 0..1000 {
        press(&mut state, 'j');
    }
    let screen = screen_of(&state);
    assert!(
        screen.contains("message number 101"),
        "the oldest kept: {screen}"
    );
    assert!(!screen.contains("message number 100\n"), "{screen}");
}

#[test]
fn a_notice_too_long_for_the_footer_ends_in_an_ellipsis_that_points_to_the_log() {
    let mut state = live(Some("shop.orders"), (80, 24));
    let long = format!(
        "cannot write {}/event.json: No such file or directory",
        "/very/long/path".repeat(6)
    );
    update(&mut state, Msg::Done(Err(long.clone())));
    let screen = screen(&state);
    let last = footer(&screen);
    assert!(last.ends_with("… L log"), "{last}");
    assert!(last.starts_with("cannot write /very/long/path"), "{last}");
    press(&mut state, 'L');
    let screen = screen_of(&state);
    assert!(
        screen.contains("No such file or directory"),
        "the log wraps the whole message: {screen}"
    );
}

#[test]
fn a_stream_error_too_long_for_the_status_line_points_to_the_log() {
    let mut state = live(Some("shop.orders"), (80, 24));
    let reason = "connection closed by the server while reading the reply of getMore on shop.orders; retrying with back-off".to_string();
    source(
        &mut state,
        SourceMsg::Status {
            watch: 1,
            status: Status::Resuming(reason.clone()),
        },
    );
    let screen = screen(&state);
    let status = screen.lines().rev().nth(1).unwrap();
    assert!(status.ends_with("… L log"), "{status}");
    press(&mut state, 'L');
    let screen = screen_of(&state);
    assert!(screen.contains("retrying with back-off"), "{screen}");
}

#[test]
fn the_invalidate_dialog_shows_its_keys_and_continuing_stays_possible_after_closing_it() {
    let mut state = running();
    let invalidate = doc! { "_data": "82AA" };
    invalidated(&mut state, 1, Some(invalidate.clone()));
    let screen = screen(&state);
    assert!(screen.contains("[c] continue  [Esc/q] close"), "{screen}");
    esc(&mut state);
    let screen = screen_of(&state);
    assert!(screen.contains("invalidated · c continue"), "{screen}");
    let cmds = press(&mut state, 'c');
    let (_, spec) = watch_cmd(&cmds);
    assert_eq!(spec.start, Start::StartAfter(invalidate));
}

#[test]
fn c_on_a_stream_that_was_not_invalidated_says_so() {
    let mut state = running();
    let cmds: Vec<Cmd> = press(&mut state, 'c');
    assert!(cmds.is_empty());
    assert!(notice(&state).is_some_and(|(text, _)| text.contains("not invalidated")));
}

#[test]
fn the_history_lost_dialog_wraps_a_long_name_and_shows_its_keys_at_60x15() {
    let mut state = running();
    state.size = (60, 15);
    state.relayout();
    let name = "a-bookmark-with-a-very-long-name-that-goes-on-and-on";
    let saved = mwatch::bookmarks::Bookmark {
        name: name.into(),
        ..sample(name)
    };
    press(&mut state, 'B');
    stored(&mut state, vec![saved]);
    let (id, _) = watch_cmd(&enter(&mut state));
    rejected(&mut state, id, "history lost", true);
    let screen = screen(&state);
    assert!(
        screen.contains("[s] start there  [Esc/q] close"),
        "{screen}"
    );
    let inside = |line: &str| line.trim_matches(|c| "│║ ".contains(c)).to_string();
    assert!(
        screen.lines().any(|line| inside(line) == "replayed."),
        "the end of the text is there: {screen}"
    );
}

#[test]
fn the_delete_question_and_the_options_form_show_their_keys_from_the_tables() {
    let mut state = running();
    press(&mut state, 'B');
    stored(&mut state, vec![sample("old")]);
    press(&mut state, 'd');
    let shown = screen(&state);
    assert!(
        shown.contains("delete bookmark 'old'?  [y] yes  [n/Esc] no"),
        "{shown}"
    );
    esc(&mut state);
    esc(&mut state);
    press(&mut state, 'o');
    let shown = screen(&state);
    assert!(
        shown.contains("[←/→] change  [Enter] apply  [Esc] cancel"),
        "{shown}"
    );
}

#[test]
fn a_failed_namespace_listing_is_logged_too() {
    let mut state = live(Some("shop.orders"), SIZE);
    update(&mut state, Msg::Namespaces(Err("connection reset".into())));
    press(&mut state, 'L');
    let shown = screen(&state);
    assert!(
        shown.contains("cannot list namespaces: connection reset"),
        "{shown}"
    );
}
