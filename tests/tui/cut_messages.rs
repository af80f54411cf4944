//! A message cut to one row points to the message log with a key that opens it from where
//! the keyboard is: `L` where letters are commands, the palette where they are text.

use crate::common;
use crate::stream_state::stopped;

use common::tui::*;
use mwatch::app::msg::Focus;

/// The status line: the second row from the bottom.
fn status_line(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[lines.len() - 2].to_string()
}

#[test]
fn a_cut_message_names_the_key_that_opens_the_log_from_where_the_keyboard_is() {
    for size in SIZES {
        let mut state = stopped(size);
        assert_eq!(state.focus, Focus::Pipeline);
        let line = status_line(&screen(&state));
        assert!(line.ends_with("… Ctrl-P: log"), "{size:?}, editing: {line}");

        esc(&mut state);
        state.focus = Focus::Events;
        let line = status_line(&screen(&state));
        assert!(line.ends_with("… L log"), "{size:?}, events: {line}");

        // A prompt has no key to the log: it only says the log has it all.
        press(&mut state, '/');
        let line = status_line(&screen(&state));
        assert!(
            line.ends_with("… all in the log"),
            "{size:?}, a prompt: {line}"
        );
    }
}
