//! The TUI as a state machine: messages in, a pure `update`, effects out as data. No IO, no
//! clock, no channels: the `runtime` performs the effects and feeds the messages, and
//! `ui` draws the state.

pub mod bookmarks;
pub mod connection;
pub mod detail;
pub mod editor;
pub mod events;
pub mod footer;
pub mod input;
pub mod keys;
pub mod layout;
pub mod log;
pub mod msg;
pub mod namespaces;
pub mod options;
pub mod palette;
pub mod search;
pub mod state;
pub mod stats;
pub mod stopped;
pub mod unlisted;
pub mod update;

/// The value `step` places after `current` in `values`, wrapping around (`values.len() - 1`
/// steps back one); from the first value if `current` is not among them.
fn cycle<T: PartialEq + Copy>(values: &[T], current: T, step: usize) -> T {
    let at = values.iter().position(|v| *v == current).unwrap_or(0);
    values[(at + step) % values.len()]
}
