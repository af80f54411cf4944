//! The TUI: screens as snapshots, `update` key by key, and the real binary in a pseudo-terminal.

#[path = "../common/mod.rs"]
mod common;

mod bookmark_keys;
mod e2e;
mod e2e_bookmarks;
mod readme;
mod replay_offers;
mod screens;
mod update;
