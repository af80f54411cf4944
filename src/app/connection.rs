//! Connecting to the server, before anything can be watched: the TUI draws at once and says
//! how long it has been trying, and a failure stays on screen with a way to try again.

use std::time::Duration;

use crate::source::connect::Destination;

#[derive(Debug, Clone, PartialEq)]
pub struct Connecting {
    /// Answers to an earlier attempt are ignored.
    pub attempt: u64,
    /// When this attempt started, in milliseconds since the epoch.
    pub since: i64,
    pub to: Destination,
    /// Why the attempt failed (password hidden), once it has.
    pub failed: Option<String>,
}

impl Connecting {
    /// Whole seconds since the attempt started, as of `now`.
    pub fn elapsed(&self, now: i64) -> u64 {
        Duration::from_millis(now.saturating_sub(self.since).max(0) as u64).as_secs()
    }
}
