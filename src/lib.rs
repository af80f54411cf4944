//! mwatch: a terminal UI for MongoDB change streams. `main` parses the command line ([`cli`])
//! and hands it to [`commands`], which use the modules below.
//!
//! - [`commands`]: one file per subcommand or mode (the TUI watch, `--json`, replay,
//!   bookmarks, playground), and the flags of a watch turned into a watch spec.
//! - [`runtime`]: the TUI's loop: terminal input, the change-stream task and the clock in as
//!   messages, `update`'s effects performed, frames drawn with [`ui`]; and the real terminal.
//! - [`app`]: the TUI's state machine: messages, state, the pure `update`, the key table, the
//!   pane layout. No IO.
//! - [`ui`]: the view, one file per pane; reads the state, never changes it.
//! - [`source`]: connecting, the change-stream task and its channel protocol, recordings,
//!   the search for the oldest point the server still has.
//! - [`bookmarks`]: bookmarks and their store; no commands, no printing.
//! - [`pipeline`]: parses the pipeline a user types (mongosh syntax) into stages.
//! - [`event`], [`store`]: a change event as kept (raw BSON plus a few fields), and the
//!   bounded buffer of them.
//! - [`format`](mod@format): events as text (Extended JSON lines, mongosh-style documents).
//! - [`diff`]: field-by-field diff of a pre-image and a post-image.
//! - [`start_at`]: the times a user can type for `--start-at`.
//! - [`redact`]: hides passwords in connection strings; [`deployment`]: which deployment one
//!   names (hosts and replica set).
//! - [`signals`]: the signals that ask mwatch to stop, caught to end as quitting does.
//! - [`cli`]: the command line (clap definitions).

pub mod app;
pub mod bookmarks;
pub mod cli;
pub mod commands;
pub mod deployment;
pub mod diff;
pub mod event;
pub mod files;
pub mod format;
pub mod json_position;
pub mod nesting;
pub mod numbers;
pub mod pipeline;
pub mod pipeline_history;
pub mod printable;
pub mod redact;
pub mod runtime;
pub mod signals;
pub mod source;
pub mod start_at;
pub mod store;
pub mod ui;
