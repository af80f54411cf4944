//! The real binary with `--demo` in a pseudo-terminal: events arrive, a typed pipeline is
//! applied, an event's diff opens, and quitting restores the terminal.

use crate::common;

use std::time::Duration;

use common::pty::{Tui, ENTER, ESC};

const CTRL_S: &str = "\x13";
const SECONDS: fn(u64) -> Duration = Duration::from_secs;

#[test]
fn demo_pipeline_diff_and_quit() {
    let dir = std::env::temp_dir();
    let mut tui = Tui::spawn(&["--demo"], &[], &dir, (120, 35));
    tui.wait_for("● live", SECONDS(30));
    tui.wait_until("demo events", SECONDS(30), |screen| {
        screen.matches("shop.").count() > 5
    });
    // Without --ns the namespace picker has the focus; Tab goes to the editor.
    tui.send("\t");
    tui.wait_for("Ctrl-S apply", SECONDS(10));
    tui.send("{$match: {operationType: 'update', 'ns.coll': 'orders'}}");
    tui.wait_for("✓ 1 stage(s)", SECONDS(10));
    tui.send(CTRL_S);
    tui.wait_for("pipeline changed", SECONDS(10));
    tui.wait_for("running: 1 stage(s)", SECONDS(10));
    // Only updates of orders arrive after the seam.
    tui.wait_until(
        "3 rows after the seam, all updates of orders",
        SECONDS(30),
        |screen| {
            let rows = rows_after_seam(screen);
            rows.len() >= 3
                && rows
                    .iter()
                    .all(|row| row.contains(" update ") && row.contains("shop.orders"))
        },
    );
    tui.send(ESC);
    tui.wait_for("G/End follow", SECONDS(10));
    tui.send(" ");
    tui.wait_for("paused", SECONDS(10));
    tui.send("k");
    tui.send(ENTER);
    tui.wait_for("Esc back", SECONDS(10));
    tui.send("2");
    // A changed field in the diff.
    tui.wait_for_all(&["Pre-image →", "~ "], SECONDS(10));
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0);
    assert!(!tui.in_alternate_screen(), "the terminal is restored");
}

/// The event rows below the seam, in the events pane (the right column, above the detail).
fn rows_after_seam(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|line| !line.contains("pipeline changed"))
        .skip(1)
        .take_while(|line| !line.contains("└──"))
        .filter_map(|line| line.split('│').nth(3).map(str::to_string))
        .filter(|row| !row.trim().is_empty())
        .collect()
}
