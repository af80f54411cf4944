//! Running the real `mwatch` TUI in a pseudo-terminal, reading its screen as a terminal would
//! show it (vt100) and the bytes it wrote, and typing into it.
//!
//! `wait_for` blocks its thread while it polls; in a `#[tokio::test]` that also runs a
//! playground, use `flavor = "multi_thread"` so the playground keeps serving meanwhile.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

/// Keys as a terminal sends them. An `ESC` sent together with the next key reads as Alt and
/// that key: wait for what `ESC` does before sending more.
pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";

pub struct Tui {
    /// Kept open: dropping it hangs up the terminal.
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Everything written to the terminal, escape sequences included.
    output: Arc<Mutex<Vec<u8>>>,
    /// Reads the terminal until it closes.
    reader: Option<JoinHandle<()>>,
}

impl Tui {
    /// Starts `mwatch ARGS` on a `cols` x `rows` terminal, in directory `dir`, with `env` added
    /// to a clean environment (no `MONGODB_URI` from the outside).
    pub fn spawn(args: &[&str], env: &[(&str, &OsStr)], dir: &Path, size: (u16, u16)) -> Tui {
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_mwatch"));
        command.args(args);
        Tui::start(command, env, dir, size)
    }

    /// Like [`Tui::spawn`], running the shell script `script` with `$MWATCH` the binary: to
    /// look at the terminal before and after mwatch (`stty -a`).
    pub fn spawn_sh(script: &str, env: &[(&str, &OsStr)], dir: &Path, size: (u16, u16)) -> Tui {
        let mut command = CommandBuilder::new("sh");
        command.args(["-c", script]);
        command.env("MWATCH", env!("CARGO_BIN_EXE_mwatch"));
        Tui::start(command, env, dir, size)
    }

    fn start(
        mut command: CommandBuilder,
        env: &[(&str, &OsStr)],
        dir: &Path,
        (cols, rows): (u16, u16),
    ) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        command.cwd(dir);
        command.env_remove("MONGODB_URI");
        command.env("TERM", "xterm-256color");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).expect("spawn mwatch");
        // The child holds its own copy; ours would keep the terminal open after it exits.
        drop(pair.slave);
        let size = |n: u16| NonZeroU16::new(n).expect("a terminal size above 0");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let mut output = pair.master.try_clone_reader().expect("pty reader");
        let parser = Arc::clone(&screen);
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::clone(&bytes);
        // It ends when the terminal closes.
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n @ 1..) = output.read(&mut buffer) {
                parser.lock().unwrap().process(&buffer[..n]);
                written.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        Tui {
            _master: pair.master,
            writer,
            child,
            screen,
            output: bytes,
            reader: Some(reader),
        }
    }

    /// Sends the signal `name` (`TERM`, `HUP`, ...) to the program, as `kill -NAME` does.
    pub fn kill(&self, name: &str) {
        super::cli::kill(name, self.pid());
    }

    /// The process started (with [`Tui::spawn_sh`], the shell: the job's group leader).
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("running")
    }

    /// The terminal's name (`/dev/pts/N`), for `stty -F`.
    pub fn tty(&self) -> String {
        let link = std::fs::read_link(format!("/proc/{}/fd/0", self.pid())).expect("the terminal");
        link.display().to_string()
    }

    /// Waits until the terminal's echo is `on` (`stty -F`), as a program turned it.
    pub fn wait_for_echo(&self, on: bool, within: Duration) {
        let tty = self.tty();
        let word = if on { " echo " } else { " -echo " };
        let deadline = Instant::now() + within;
        loop {
            let out = std::process::Command::new("stty")
                .args(["-a", "-F", &tty])
                .output()
                .expect("run stty");
            let text = String::from_utf8_lossy(&out.stdout);
            let settings = format!(
                " {} ",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            if settings.contains(word) {
                return;
            }
            assert!(Instant::now() < deadline, "no{word}on {tty}: {settings}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys` (text, or the constants above).
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("type into mwatch");
        self.writer.flush().expect("type into mwatch");
    }

    /// The modes a TUI turns on that are still on once it has exited ([`Tui::wait_exit`]):
    /// none if it put the terminal back.
    pub fn modes_left_on(&mut self) -> Vec<&'static str> {
        self.read_to_end();
        modes_on(self.screen.lock().unwrap().screen())
    }

    /// Everything written to the terminal, once the program has exited ([`Tui::wait_exit`])
    /// and the terminal closed.
    pub fn output(&mut self) -> Vec<u8> {
        self.read_to_end();
        self.output.lock().unwrap().clone()
    }

    /// Waits until the reader has taken in everything the exited program wrote: its last
    /// bytes may still be on their way when the exit is seen.
    fn read_to_end(&mut self) {
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the terminal reader");
        }
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// The cell at `row`, `column` (from 0), with its colours and attributes.
    pub fn cell(&self, row: u16, column: u16) -> Option<vt100::Cell> {
        self.screen
            .lock()
            .unwrap()
            .screen()
            .cell(row, column)
            .cloned()
    }

    /// Waits until the screen shows `text`; returns the screen. Fails the test with the screen
    /// after `timeout`, or if mwatch exits first.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        self.wait_for_all(&[text], timeout)
    }

    /// Waits until the screen shows every one of `texts`; returns the screen. A frame can reach
    /// the terminal in pieces, so what a test asserts about a screen is what it waits for.
    pub fn wait_for_all(&mut self, texts: &[&str], timeout: Duration) -> String {
        let what = texts
            .iter()
            .map(|text| format!("'{text}'"))
            .collect::<Vec<_>>()
            .join(" and ");
        self.wait_until(&what, timeout, |screen| {
            texts.iter().all(|text| screen.contains(text))
        })
    }

    /// Like [`Tui::wait_for`], for a condition on the screen that `what` describes.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> String {
        self.wait_for_terminal(what, timeout, |screen| done(&screen.contents()))
    }

    /// Like [`Tui::wait_until`], for a condition on the whole terminal: its text and its
    /// modes ([`modes_on`]).
    pub fn wait_for_terminal(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&vt100::Screen) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let (done, screen) = {
                let parser = self.screen.lock().unwrap();
                (done(parser.screen()), parser.screen().contents())
            };
            if done {
                return screen;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mwatch exited ({status:?}) before showing {what}:\n{screen}");
            }
            if Instant::now() > deadline {
                panic!("no {what} on the screen within {timeout:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for mwatch to exit; returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for mwatch") {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                panic!("mwatch did not exit within {timeout:?}:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The modes a TUI turns on that are on in `screen`.
pub fn modes_on(screen: &vt100::Screen) -> Vec<&'static str> {
    [
        (screen.alternate_screen(), "alternate screen"),
        (screen.hide_cursor(), "hidden cursor"),
        (
            screen.mouse_protocol_mode() != vt100::MouseProtocolMode::None,
            "mouse reporting",
        ),
        (screen.bracketed_paste(), "bracketed paste"),
    ]
    .into_iter()
    .filter_map(|(on, mode)| on.then_some(mode))
    .collect()
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until the process `pid` is stopped (state `T` in /proc).
pub fn wait_stopped(pid: impl std::fmt::Display, how: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(") ").map(|(_, rest)| &rest[..1]);
        if state == Some("T") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{how}: {pid} not stopped: {stat}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
