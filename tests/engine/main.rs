//! The change-stream side against a playground: connecting and listing, the engine's streams,
//! and replaying bookmarks.

#[path = "../common/mod.rs"]
mod common;

mod bookmark_replay;
mod connect;
mod deep;
mod history;
mod stream;
