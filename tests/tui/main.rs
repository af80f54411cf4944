//! The TUI: screens as snapshots, `update` key by key, the runtime's loop on a `TestBackend`,
//! and the real binary in a pseudo-terminal.

#[path = "../common/mod.rs"]
mod common;

mod allocations;
mod bookmark_keys;
mod clicks;
mod connecting;
mod cut_messages;
mod deep;
mod dialogs;
mod diff;
mod e2e;
mod e2e_bookmarks;
mod e2e_connect;
mod e2e_reading;
mod e2e_signals;
mod e2e_suspend;
mod escapes;
mod footer;
mod keep;
mod large_paste;
mod messages;
mod palette;
mod passwords;
mod pipeline_history;
mod pipeline_pane;
mod reading;
mod readme;
mod replay_offers;
mod run;
mod screens;
mod screens_messages;
mod screens_reading;
mod screens_state;
mod seams;
mod search;
mod stream_state;
mod update;
mod write;
