//! Job control in a pseudo-terminal: Ctrl-Z (a key in raw mode) and SIGTSTP (from `kill`)
//! stop mwatch with the terminal as it was before it started (cooked, main screen, no mouse
//! reporting), as vim and less do; SIGCONT (`fg`) takes the terminal again and draws the
//! whole screen anew. The whole job stops, as with vim: a script that runs mwatch stops with
//! it. After quitting, `stty -a` reads as it did before mwatch.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::cli::kill;
use common::pty::{modes_on, wait_stopped, Tui};

const SECONDS: fn(u64) -> Duration = Duration::from_secs;
const CTRL_Z: &str = "\x1a";

#[test]
fn ctrl_z_and_sigtstp_give_the_terminal_back_until_sigcont() {
    let dir = tempfile::tempdir().unwrap();
    // A job in the background reads /dev/null unless told otherwise; `wait` waits for it to
    // end, not to stop.
    let script = r#"stty -a > stty.before; tty > tty.name; "$MWATCH" --demo </dev/tty & echo $! > mwatch.pid; wait $!; status=$?; echo "mwatch ended"; stty -a; exit $status"#;
    let mut tui = Tui::spawn_sh(script, &[], dir.path(), (120, 35));
    tui.wait_for("● live", SECONDS(30));
    let pid = read(dir.path(), "mwatch.pid");
    let tty = read(dir.path(), "tty.name");
    let before = words(&read(dir.path(), "stty.before"));
    assert!(before.contains(" icanon "), "no stty -a output: {before}");

    for (how, stop) in [("SIGTSTP", Stop::Signal), ("Ctrl-Z", Stop::Key)] {
        match stop {
            Stop::Signal => kill("TSTP", &pid),
            Stop::Key => tui.send(CTRL_Z),
        }
        wait_stopped(&pid, how);
        wait_stopped(tui.pid(), &format!("{how}: the shell that runs mwatch"));
        tui.wait_for_terminal("the terminal's own modes", SECONDS(10), |screen| {
            modes_on(screen).is_empty()
        });
        assert_eq!(
            stty(&tty),
            before,
            "{how}: stty -a while stopped, then before"
        );
        // As `fg` does: the whole job.
        kill("CONT", format!("-{}", tui.pid()));
        // Entering the alternate screen again clears it: what shows is a new frame.
        tui.wait_for_terminal("the TUI drawn again", SECONDS(10), |screen| {
            modes_on(screen).contains(&"alternate screen") && screen.contents().contains("● live")
        });
    }
    tui.send("q");
    assert_eq!(tui.wait_exit(SECONDS(10)), 0, "{}", tui.screen());
    assert_eq!(tui.modes_left_on(), [] as [&str; 0]);
    let output = String::from_utf8_lossy(&tui.output()).replace('\r', "");
    let (_, after) = output.split_once("mwatch ended\n").expect("mwatch ended");
    assert_eq!(words(after), before, "stty -a after mwatch, then before");
}

/// A signal to stop sent to the stopped job is what ends it once continued, with the exit
/// code it asks for: `kill %1` is SIGTERM then SIGCONT; a terminal closed meanwhile, SIGHUP
/// then SIGCONT. By then the shell has the terminal: mwatch, in the background, must not try
/// to take it again (the terminal would stop it again, SIGTTOU).
#[test]
fn a_signal_to_stop_sent_while_stopped_ends_mwatch_once_continued() {
    let dir = tempfile::tempdir().unwrap();
    // A shell with job control, as the user's: the job is its own process group.
    let job = r#"echo $$ > job.pid; "$MWATCH" --demo </dev/tty & echo $! > mwatch.pid; wait $!; echo $? > status"#;
    let script = format!("set -m; sh -c '{job}'; echo job stopped; sleep 60");
    let mut tui = Tui::spawn_sh(&script, &[], dir.path(), (120, 35));
    tui.wait_for("● live", SECONDS(30));
    tui.send(CTRL_Z);
    tui.wait_for("job stopped", SECONDS(10));
    kill("HUP", read(dir.path(), "mwatch.pid"));
    kill("CONT", format!("-{}", read(dir.path(), "job.pid")));
    let deadline = Instant::now() + SECONDS(10);
    let status = || std::fs::read_to_string(dir.path().join("status")).unwrap_or_default();
    while !status().ends_with('\n') {
        assert!(
            Instant::now() < deadline,
            "mwatch did not end: {}",
            tui.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status(), "129\n");
}

enum Stop {
    Signal,
    Key,
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .trim()
        .to_string()
}

/// `stty -a` of the terminal `tty`, its settings one word apart (how it wraps them depends
/// on where it prints).
fn stty(tty: &str) -> String {
    let out = std::process::Command::new("stty")
        .args(["-a", "-F", tty])
        .output()
        .unwrap();
    assert!(out.status.success(), "stty -F {tty}");
    words(&String::from_utf8_lossy(&out.stdout))
}

fn words(text: &str) -> String {
    format!(
        " {} ",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}
