//! The real binary as a user runs it from a shell: watch options, `--json`, `playground` and
//! `bookmarks`.

#[path = "../common/mod.rs"]
mod common;

mod bookmarks;
mod escapes;
mod headless;
mod options;
mod password;
mod playground;
mod signals;
mod usage;
