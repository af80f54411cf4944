//! Command counters, reported by `serverStatus` as `metrics.commands` the way mongod does, so
//! a client (or a test) can see what the server received, for example how many hellos an idle
//! driver sends.

use std::collections::BTreeMap;
use std::time::Instant;

use bson::{doc, Document};

/// Counted under this name: commands the server does not know, as mongod does. It keeps the
/// table bounded whatever names clients send.
const UNKNOWN: &str = "<UNKNOWN>";

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// Command name -> (total, failed).
    commands: BTreeMap<String, (i64, i64)>,
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
    /// Counts one command; `known` is false when it was refused as CommandNotFound.
    pub fn count(&mut self, name: &str, known: bool, failed: bool) {
        let name = if known { name } else { UNKNOWN };
        let entry = self.commands.entry(name.to_string()).or_default();
        entry.0 += 1;
        if failed {
            entry.1 += 1;
        }
    }

    /// Seconds since the server started.
    pub fn uptime(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// `{<name>: {failed, total}}`, as in `serverStatus().metrics.commands`.
    pub fn commands(&self) -> Document {
        self.commands
            .iter()
            .map(|(name, (total, failed))| {
                (
                    name.clone(),
                    doc! { "failed": *failed, "total": *total }.into(),
                )
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
        metrics.count("hello", true, false);
        metrics.count("hello", true, false);
        metrics.count("find", true, true);
        metrics.count("bogus1", false, true);
        metrics.count("bogus2", false, true);
        assert_eq!(
            metrics.commands(),
            doc! {
                "<UNKNOWN>": { "failed": 2i64, "total": 2i64 },
                "find": { "failed": 1i64, "total": 1i64 },
                "hello": { "failed": 0i64, "total": 2i64 },
            }
        );
    }
}
