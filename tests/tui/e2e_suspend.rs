//! Job control in a pseudo-terminal: Ctrl-Z (a key in raw mode) and SIGTSTP (from `kill`)
//! stop mwatch with the terminal as it was before it started (cooked, main screen, no mouse
//! reporting), as vim and less do; SIGCONT (`fg`) takes the terminal again and draws the
//! whole screen anew. After quitting, `stty -a` reads as it did before mwatch.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::{modes_on, Tui};

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
        tui.wait_for_terminal("the terminal's own modes", SECONDS(10), |screen| {
            modes_on(screen).is_empty()
        });
        assert_eq!(
            stty(&tty),
            before,
            "{how}: stty -a while stopped, then before"
        );
        kill("CONT", &pid);
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

fn kill(signal: &str, pid: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal}");
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

/// Waits until the process `pid` is stopped (state `T` in /proc).
fn wait_stopped(pid: &str, how: &str) {
    let deadline = Instant::now() + SECONDS(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(") ").map(|(_, rest)| &rest[..1]);
        if state == Some("T") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{how}: mwatch not stopped: {stat}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
