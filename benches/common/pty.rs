//! A program in a pseudo-terminal, as the benches run `mwatch`: a terminal of `COLS`x`ROWS`
//! with TERM set, read all along by a thread (a terminal nobody reads blocks the writer) into
//! a vt100 screen, with the bytes received counted.

use std::ffi::OsStr;
use std::io::Read;
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};

use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};

pub const ROWS: u16 = 35;
pub const COLS: u16 = 120;

/// What the terminal has received.
pub struct Screen {
    pub parser: vt100::Parser,
    pub bytes: usize,
}

pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    pub pid: u32,
    screen: Arc<Mutex<Screen>>,
}

impl Pty {
    /// Starts `bin args` with `env`; `on_read` looks at the screen after every read (for a
    /// time taken as soon as a text shows, with no polling interval added).
    pub fn spawn<S: AsRef<OsStr>>(
        bin: &str,
        args: &[S],
        env: &[(&str, &OsStr)],
        mut on_read: impl FnMut(&vt100::Screen) + Send + 'static,
    ) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                ..PtySize::default()
            })
            .expect("open a pty");
        let mut command = CommandBuilder::new(bin);
        command.args(args);
        command.env("TERM", "xterm-256color");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pair
            .slave
            .spawn_command(command)
            .unwrap_or_else(|e| panic!("spawn {bin}: {e}"));
        // Only the child holds the terminal side, so reading ends when it exits.
        drop(pair.slave);
        let pid = child.process_id().expect("a pid");
        let size = |n| NonZeroU16::new(n).expect("a size");
        let screen = Arc::new(Mutex::new(Screen {
            parser: vt100::Parser::new(size(ROWS), size(COLS), 0),
            bytes: 0,
        }));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let received = screen.clone();
        std::thread::spawn(move || {
            // The master side stays open while this reads.
            let _master = pair.master;
            let mut buffer = [0u8; 1 << 14];
            while let Ok(n @ 1..) = reader.read(&mut buffer) {
                let mut screen = received.lock().expect("screen");
                screen.bytes += n;
                screen.parser.process(&buffer[..n]);
                on_read(screen.parser.screen());
            }
        });
        Pty { child, pid, screen }
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.screen
            .lock()
            .expect("screen")
            .parser
            .screen()
            .contents()
    }

    /// The bytes received so far.
    pub fn bytes(&self) -> usize {
        self.screen.lock().expect("screen").bytes
    }

    /// Kills the program and waits for it.
    pub fn stop(mut self) {
        self.child.kill().expect("kill the program");
        self.child.wait().expect("wait for the program");
    }
}
