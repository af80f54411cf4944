//! The real `mwatch` binary in a pseudo-terminal, its screen parsed by `vt100`, so tests can
//! type keys and wait for text to appear as a user would.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    // Kept so the terminal stays open while the program runs.
    _master: Box<dyn MasterPty + Send>,
}

impl Tui {
    /// Starts `mwatch args` on a `cols` x `rows` terminal, with `env` set.
    pub fn start(args: &[&str], env: &[(&str, &str)], cols: NonZeroU16, rows: NonZeroU16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: rows.get(),
                cols: cols.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_mwatch"));
        command.args(args);
        command.env("TERM", "xterm-256color");
        command.env_remove("MONGODB_URI");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).expect("start mwatch");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let parser = Arc::clone(&screen);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
        Tui {
            child,
            writer,
            screen,
            _master: pair.master,
        }
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn in_alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    /// Sends raw bytes (keys as the terminal encodes them), then lets the program read them.
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // A lone Esc followed at once by a key would read as Alt-key.
        thread::sleep(Duration::from_millis(150));
    }

    /// Waits until the screen satisfies `done`; panics with the screen after `seconds`.
    pub fn wait_until(&self, what: &str, seconds: u64, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let text = self.text();
            if done(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{text}");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str, seconds: u64) -> String {
        self.wait_until(&format!("'{text}'"), seconds, |screen| {
            screen.contains(text)
        })
    }

    /// Waits for the program to end; its exit code.
    pub fn exit_code(&mut self, seconds: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("mwatch did not exit; the screen:\n{}", self.text());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
