//! The TUI: messages in, a pure `update`, effects out (see DESIGN.md). `run` is the only part
//! that touches the terminal, the clock and the channels.

pub mod bookmarks;
pub mod detail;
pub mod editor;
pub mod events;
pub mod input;
pub mod keys;
pub mod msg;
pub mod namespaces;
pub mod options;
pub mod run;
pub mod state;
pub mod stats;
pub mod update;
