//! The real binary in a pseudo-terminal, on a server that does not answer: the TUI draws at
//! once, says why it cannot connect (no password), and quitting restores the terminal.

use crate::common;

use std::time::Duration;

use common::pty::{Tui, ESC};

#[test]
fn an_unreachable_server_is_shown_in_the_tui_and_esc_quits() {
    let dir = std::env::temp_dir();
    let uri = "mongodb://ann:hunter2@127.0.0.1:1/?serverSelectionTimeoutMS=1500";
    let mut tui = Tui::spawn(&[uri], &[], &dir, (100, 30));
    let shown = tui.wait_for("Connecting to 127.0.0.1:1 ·", Duration::from_secs(10));
    assert!(shown.contains("[r] retry  [Esc/q] quit"), "{shown}");
    let shown = tui.wait_for("Cannot connect", Duration::from_secs(10));
    assert!(
        shown.contains("cannot reach 127.0.0.1:1 within 1.5 s"),
        "{shown}"
    );
    assert!(shown.contains("mwatch --demo"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    tui.send("r");
    tui.wait_for("Connecting to 127.0.0.1:1 ·", Duration::from_secs(10));
    tui.send(ESC);
    // Quitting without ever connecting is a failure: exit code 1.
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 1);
    // The reason stays in the shell, after the screen that showed it is gone.
    let output = String::from_utf8_lossy(&tui.output()).into_owned();
    let after = output.rsplit("\x1b[?1049l").next().unwrap_or_default();
    assert!(
        after.contains("mwatch: quit before connecting to 127.0.0.1:1"),
        "{after:?}"
    );
    assert!(!output.contains("hunter2"));
    assert_eq!(
        tui.modes_left_on(),
        [] as [&str; 0],
        "the terminal is restored"
    );
}
