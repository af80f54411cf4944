//! A private `MWATCH_HOME` for a test: its bookmark store, and the binary run with it.

use std::path::PathBuf;

use mwatch::bookmarks::BookmarkStore;

use super::cli::{finish, mwatch};
use super::pty::Tui;

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn file(&self) -> PathBuf {
        self.dir.path().join("bookmarks.json")
    }

    pub fn store(&self) -> BookmarkStore {
        BookmarkStore::open(self.file())
    }

    pub fn names(&self) -> Vec<String> {
        self.store().list().iter().map(|b| b.name.clone()).collect()
    }

    /// Starts the TUI, `mwatch ARGS`, with this home, on a 100 x 30 terminal.
    pub fn tui(&self, args: &[&str]) -> Tui {
        let home = self.dir.path();
        Tui::spawn(args, &[("MWATCH_HOME", home.as_os_str())], home, (100, 30))
    }

    /// Runs `mwatch ARGS` with this home; returns the exit code, stdout and stderr.
    pub async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut command = mwatch(args);
        command.env("MWATCH_HOME", self.dir.path());
        finish(command.spawn().unwrap()).await
    }
}
