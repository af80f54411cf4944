//! The TUI: screens as snapshots, `update` key by key, the runtime's loop on a `TestBackend`,
//! and the real binary in a pseudo-terminal.

#[path = "../common/mod.rs"]
mod common;

mod bookmark_keys;
mod diff;
mod e2e;
mod e2e_bookmarks;
mod passwords;
mod readme;
mod replay_offers;
mod run;
mod screens;
mod search;
mod update;
mod write;
