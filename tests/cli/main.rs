//! The real binary as a user runs it from a shell: watch options, `--json`, `playground` and
//! `bookmarks`.

#[path = "../common/mod.rs"]
mod common;

mod bookmark_files;
mod bookmarks;
mod closed_stderr;
mod corpus;
mod escapes;
mod headless;
mod options;
mod password;
mod playground;
mod replay;
mod signals;
mod usage;
