//! Command counters, reported by `serverStatus` as `metrics.commands` the way mongod does, so
//! a client (or a test) can see what the server received, for example how many hellos an idle
//! driver sends. Beyond mongod, each command's entry also shows the last `maxTimeMS` and
//! `maxAwaitTimeMS` it was sent with: how long clients asked getMores and hellos to wait.

use std::collections::BTreeMap;
use std::time::Instant;

use bson::{doc, Document};

use crate::values::to_i64;

/// Counted under this name: commands the server does not know, as mongod does. It keeps the
/// table bounded whatever names clients send.
const UNKNOWN: &str = "<UNKNOWN>";

/// The arguments that ask the server to wait, and the names their last values are shown under.
const WAITS: [(&str, &str); 2] = [
    ("maxTimeMS", "lastMaxTimeMS"),
    ("maxAwaitTimeMS", "lastMaxAwaitTimeMS"),
];

/// What the server saw of one command name.
#[derive(Debug, Default)]
struct Seen {
    total: i64,
    failed: i64,
    /// `lastMaxTimeMS` and `lastMaxAwaitTimeMS`, once a command carried them.
    waits: Document,
}

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    commands: BTreeMap<String, Seen>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            commands: BTreeMap::new(),
        }
    }
}

impl Metrics {
    /// Counts `command`, named `name`; `known` is false when it was refused as
    /// CommandNotFound.
    pub fn count(&mut self, name: &str, command: &Document, known: bool, failed: bool) {
        let name = if known { name } else { UNKNOWN };
        let seen = self.commands.entry(name.to_string()).or_default();
        seen.total += 1;
        if failed {
            seen.failed += 1;
        }
        for (argument, shown) in WAITS {
            if let Some(ms) = command.get(argument).and_then(to_i64) {
                seen.waits.insert(shown, ms);
            }
        }
    }

    /// Seconds since the server started.
    pub fn uptime(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// `{<name>: {failed, total}}`, as in `serverStatus().metrics.commands`, with the last
    /// waits asked for.
    pub fn commands(&self) -> Document {
        self.commands
            .iter()
            .map(|(name, seen)| {
                let mut entry = doc! { "failed": seen.failed, "total": seen.total };
                entry.extend(seen.waits.clone());
                (name.clone(), entry.into())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_totals_and_failures_and_lumps_unknown_names_together() {
        let mut metrics = Metrics::default();
        metrics.count("hello", &doc! { "hello": 1 }, true, false);
        metrics.count("hello", &doc! { "hello": 1 }, true, false);
        metrics.count("find", &doc! { "find": "c" }, true, true);
        metrics.count("bogus1", &doc! { "bogus1": 1 }, false, true);
        metrics.count("bogus2", &doc! { "bogus2": 1 }, false, true);
        assert_eq!(
            metrics.commands(),
            doc! {
                "<UNKNOWN>": { "failed": 2i64, "total": 2i64 },
                "find": { "failed": 1i64, "total": 1i64 },
                "hello": { "failed": 0i64, "total": 2i64 },
            }
        );
    }

    #[test]
    fn keeps_the_last_wait_each_command_was_sent_with() {
        let mut metrics = Metrics::default();
        metrics.count(
            "getMore",
            &doc! { "getMore": 1i64, "maxTimeMS": 400 },
            true,
            false,
        );
        metrics.count(
            "getMore",
            &doc! { "getMore": 1i64, "maxTimeMS": 250i64 },
            true,
            false,
        );
        // A getMore without maxTimeMS leaves the last one shown.
        metrics.count("getMore", &doc! { "getMore": 1i64 }, true, false);
        metrics.count(
            "hello",
            &doc! { "hello": 1, "topologyVersion": {}, "maxAwaitTimeMS": 10_000 },
            true,
            false,
        );
        assert_eq!(
            metrics.commands(),
            doc! {
                "getMore": { "failed": 0i64, "total": 3i64, "lastMaxTimeMS": 250i64 },
                "hello": { "failed": 0i64, "total": 1i64, "lastMaxAwaitTimeMS": 10_000i64 },
            }
        );
    }
}
