//! The real binary in a pseudo-terminal: with `--demo`, events arrive, a typed pipeline is
//! applied, an event's diff opens, and quitting restores the terminal; so do a panic and a
//! signal to stop. On a
//! playground the test writes to, the diff of an update shows exactly the field that changed.

use crate::common;

use std::ffi::OsStr;
use std::time::Duration;

use bson::{doc, Document};
use common::home::Home;
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
    // The events have the focus, also without --ns; p goes to the editor.
    tui.send("p");
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
    tui.wait_for("Space pause", SECONDS(10));
    tui.send(" ");
    tui.wait_for("paused", SECONDS(10));
    tui.send("k");
    tui.send(ENTER);
    tui.wait_for("Esc back", SECONDS(10));
    tui.send("2");
    // Which fields the demo's update changed is its own; the next test checks a diff's lines.
    tui.wait_for("Pre-image → current document (updateLookup):", SECONDS(10));
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0);
    assert_eq!(
        tui.modes_left_on(),
        [] as [&str; 0],
        "the terminal is restored"
    );
}

#[test]
fn a_panic_puts_the_terminal_back_then_says_what_happened() {
    let dir = std::env::temp_dir();
    let script = r#"stty -a; echo "mwatch starts"; "$MWATCH" --demo; status=$?; echo "mwatch ended"; stty -a; exit $status"#;
    let panic = [("MWATCH_DEBUG_PANIC", OsStr::new("1"))];
    let mut tui = Tui::spawn_sh(script, &panic, &dir, (120, 35));
    assert_eq!(tui.wait_exit(SECONDS(30)), 101, "{}", tui.screen());
    assert_eq!(tui.modes_left_on(), [] as [&str; 0]);
    // Raw mode also turns off the "\r" before each "\n": compare the settings alone.
    let output = String::from_utf8_lossy(&tui.output()).replace('\r', "");
    let (before, rest) = output
        .split_once("mwatch starts\n")
        .expect("the script ran");
    let (run, after) = rest.split_once("mwatch ended\n").expect("mwatch ended");
    assert!(before.contains("icanon"), "no stty -a output: {before}");
    assert_eq!(after, before, "stty -a after mwatch, then before");
    let told = run.find("panicked at").expect("the panic message");
    assert!(run[told..].contains("MWATCH_DEBUG_PANIC is set"), "{run:?}");
    // Each mode the TUI turned on was turned off before the message.
    for (on, off) in [
        ("\x1b[?1049h", "\x1b[?1049l"),
        ("\x1b[?25l", "\x1b[?25h"),
        ("\x1b[?1000h", "\x1b[?1000l"),
        ("\x1b[?1002h", "\x1b[?1002l"),
        ("\x1b[?1003h", "\x1b[?1003l"),
        ("\x1b[?1006h", "\x1b[?1006l"),
        ("\x1b[?2004h", "\x1b[?2004l"),
    ] {
        let turned_on = run[..told]
            .rfind(on)
            .unwrap_or_else(|| panic!("{on:?} never sent: {run:?}"));
        assert!(
            run[turned_on..told].contains(off),
            "{on:?} not undone by {off:?} before the panic message: {run:?}"
        );
    }
}

/// A signal that asks the process to stop (as `kill`, a closed terminal or a service manager
/// sends it) ends the TUI as quitting does: the terminal as it was, the exit code a shell
/// expects of a process that signal ended.
#[test]
fn a_signal_to_stop_puts_the_terminal_back() {
    for (name, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let dir = tempfile::tempdir().unwrap();
        // A job in the background reads /dev/null unless told otherwise.
        let script = r#"stty -a; echo "mwatch starts"; "$MWATCH" --demo </dev/tty & echo $! > mwatch.pid; wait $!; status=$?; echo "mwatch ended"; stty -a; exit $status"#;
        let mut tui = Tui::spawn_sh(script, &[], dir.path(), (120, 35));
        tui.wait_for("● live", SECONDS(30));
        let pid = std::fs::read_to_string(dir.path().join("mwatch.pid")).unwrap();
        let sent = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.trim().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert_eq!(tui.wait_exit(SECONDS(10)), 128 + number, "SIG{name}");
        assert_eq!(tui.modes_left_on(), [] as [&str; 0], "SIG{name}");
        let output = String::from_utf8_lossy(&tui.output()).replace('\r', "");
        let (before, rest) = output
            .split_once("mwatch starts\n")
            .expect("the script ran");
        let (_, after) = rest.split_once("mwatch ended\n").expect("mwatch ended");
        assert!(before.contains("icanon"), "no stty -a output: {before}");
        assert_eq!(
            after, before,
            "SIG{name}: stty -a after mwatch, then before"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diff_of_an_update_shows_the_field_with_its_value_before_and_after() {
    let (server, client) = common::setup().await;
    let db = client.database("e2e");
    db.run_command(
        doc! { "create": "orders", "changeStreamPreAndPostImages": { "enabled": true } },
    )
    .await
    .unwrap();
    let orders = db.collection::<Document>("orders");
    orders
        .insert_one(doc! { "_id": 1, "status": "new", "total": 5 })
        .await
        .unwrap();
    let home = Home::new();
    let mut tui = home.tui(&["--ns", "e2e.orders", &server.uri()]);
    tui.wait_for("● live", SECONDS(20));
    orders
        .update_one(doc! { "_id": 1 }, doc! { "$set": { "status": "paid" } })
        .await
        .unwrap();
    tui.wait_for(" update ", SECONDS(20));
    // The list follows the newest event, so Enter opens the update.
    tui.send(ENTER);
    tui.wait_for("Esc back", SECONDS(10));
    tui.send("2");
    let screen = tui.wait_for("Pre-image → current document (updateLookup):", SECONDS(10));
    let diff: Vec<&str> = screen
        .lines()
        .filter_map(|line| {
            line.split(['│', '║'])
                .find(|cell| is_diff_line(cell.trim_start()))
        })
        .map(str::trim)
        .collect();
    assert_eq!(diff, ["~ status: 'new' → 'paid'"], "{screen}");
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0);
}

/// The event rows below the seam, in the events pane (the right column, above the detail).
fn rows_after_seam(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|line| !line.contains("pipeline changed"))
        .skip(1)
        .take_while(|line| !line.contains("└──"))
        .filter_map(|line| line.split(['│', '║']).nth(3).map(str::to_string))
        .filter(|row| !row.trim().is_empty())
        .collect()
}

/// A line of a diff: a field added, removed or changed.
fn is_diff_line(text: &str) -> bool {
    ["+ ", "- ", "~ "].iter().any(|mark| text.starts_with(mark))
}
