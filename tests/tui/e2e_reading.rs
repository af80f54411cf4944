//! The real binary in a pseudo-terminal, on `--demo`: an event opened and scrolled in the
//! detail stays exactly as it is while the stream flows on, until the user follows again.

use crate::common;

use std::ffi::OsStr;
use std::time::Duration;

use common::pty::{Tui, ENTER};

const SECONDS: fn(u64) -> Duration = Duration::from_secs;

/// The Detail pane as text: its title line and its rows, inside its double border (it has
/// the focus).
fn detail(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|line| !line.contains("Detail ·"))
        .take_while(|line| !line.contains('╚'))
        .map(|line| {
            line.trim_matches(['║', '╔', '╗', '═'])
                .trim_end()
                .to_string()
        })
        .collect()
}

/// The events that arrived while paused, from the Events title (`+N new`).
fn unseen(screen: &str) -> u64 {
    screen
        .split_once("paused · +")
        .and_then(|(_, rest)| rest.split_once(" new"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn an_opened_and_scrolled_event_stays_put_while_the_demo_flows_on() {
    let dir = std::env::temp_dir();
    // At 80x24 the detail has room for six rows: every event is longer, so it scrolls.
    let mut tui = Tui::spawn(&["--demo"], &[], &dir, (80, 24));
    tui.wait_for("● live", SECONDS(30));
    // An event is selected, not the seam row the list starts with.
    tui.wait_until("an event in the detail", SECONDS(30), |screen| {
        screen.contains("Detail · following") && !screen.contains("following · a seam")
    });
    tui.send(ENTER);
    tui.wait_for("Detail · pinned", SECONDS(10));
    let opened = detail(&tui.screen());
    tui.send("j");
    let scrolled = tui.wait_until("the detail scrolled", SECONDS(10), |screen| {
        let now = detail(screen);
        now.len() > 2 && now[2] != opened[2]
    });
    let before = detail(&scrolled);
    // A few seconds of the demo (15 events a second) arrive meanwhile.
    let after = tui.wait_until(
        "45 events (3 s of the demo) arrived while pinned",
        SECONDS(30),
        |screen| unseen(screen) >= 45,
    );
    assert_eq!(detail(&after), before, "{after}");
    tui.send(" ");
    tui.wait_for("Detail · following", SECONDS(10));
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0);
}

/// Where `text` starts on `screen`: row and column.
fn position(screen: &str, text: &str) -> (u16, u16) {
    screen
        .lines()
        .enumerate()
        .find_map(|(row, line)| {
            let at = line.find(text)?;
            Some((row as u16, line[..at].chars().count() as u16))
        })
        .unwrap_or_else(|| panic!("no '{text}' on the screen:\n{screen}"))
}

#[test]
fn without_colour_the_focus_the_active_tab_and_the_selection_still_show() {
    let dir = std::env::temp_dir();
    let no_color = [("NO_COLOR", OsStr::new("1"))];
    let mut tui = Tui::spawn(&["--demo"], &no_color, &dir, (120, 35));
    let screen = tui.wait_until("an event in the detail", SECONDS(30), |screen| {
        screen.contains("Detail · following") && !screen.contains("following · a seam")
    });
    // By their glyphs: a double border, a marker.
    assert!(screen.contains("╔ Events"), "{screen}");
    let (row, column) = position(&screen, "▸1 Event");
    // And by their attributes, which no colour change may reset.
    let tab = tui.cell(row, column + 1).unwrap();
    assert!(tab.inverse() && tab.bold(), "the active tab: {tab:?}");
    let (row, column) = position(&screen, "›");
    let selected = tui.cell(row, column + 1).unwrap();
    assert!(selected.bold(), "the selected row: {selected:?}");
    for row in 0..35 {
        for column in 0..120 {
            let cell = tui.cell(row, column).unwrap();
            assert_eq!(
                (cell.fgcolor(), cell.bgcolor()),
                (vt100::Color::Default, vt100::Color::Default),
                "a colour at {row},{column}"
            );
        }
    }
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0);
}
