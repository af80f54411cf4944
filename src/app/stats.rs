//! Counters for the status line: events per second over the last minute, counts by operation
//! type, and lag. Fed with the arrival time by `update`, so it needs no clock.

use std::collections::VecDeque;

use crate::event::{ChangeEvent, OpType};

/// Seconds of history behind the rate and the sparkline.
pub const WINDOW: usize = 60;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Events received per operation type, in `OpType::ALL` order.
    counts: [u64; OpType::ALL.len()],
    /// Events per second, oldest first; the last entry is the current second.
    seconds: VecDeque<u32>,
    /// The second (since the epoch) of the last entry.
    current: i64,
    /// Arrival time minus the newest event's time (wall time, else cluster time), in ms.
    pub lag_ms: Option<i64>,
}

fn op_index(op: OpType) -> usize {
    OpType::ALL.iter().position(|o| *o == op).unwrap_or(0)
}

impl Stats {
    /// Moves the window to `now`; returns whether anything shown changed.
    pub fn tick(&mut self, now: i64) -> bool {
        let second = now.div_euclid(1000);
        if self.seconds.is_empty() {
            self.current = second;
            self.seconds.push_back(0);
            return true;
        }
        let mut changed = false;
        // A clock that jumped far ahead just clears the window.
        let steps = (second - self.current).clamp(0, WINDOW as i64);
        for _ in 0..steps {
            changed |= self.seconds.iter().any(|n| *n > 0);
            self.seconds.push_back(0);
            if self.seconds.len() > WINDOW {
                self.seconds.pop_front();
            }
        }
        self.current = self.current.max(second);
        changed
    }

    pub fn record(&mut self, events: &[ChangeEvent], now: i64) {
        self.tick(now);
        for event in events {
            self.counts[op_index(event.op())] += 1;
        }
        if let Some(last) = self.seconds.back_mut() {
            *last = last.saturating_add(events.len() as u32);
        }
        // The wall time has milliseconds; the cluster time only seconds.
        let newest = events.iter().rev().find_map(|e| {
            e.wall_time()
                .map(|w| w.timestamp_millis())
                .or_else(|| e.cluster_time().map(|ts| i64::from(ts.time) * 1000))
        });
        if let Some(time) = newest {
            self.lag_ms = Some((now - time).max(0));
        }
    }

    /// Events received.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn count(&self, op: OpType) -> u64 {
        self.counts[op_index(op)]
    }

    /// Operation types seen, with their counts, most frequent first.
    pub fn by_op(&self) -> Vec<(OpType, u64)> {
        let mut seen: Vec<(OpType, u64)> = OpType::ALL
            .into_iter()
            .map(|op| (op, self.count(op)))
            .filter(|(_, n)| *n > 0)
            .collect();
        seen.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        seen
    }

    /// Events per second over the last completed seconds (up to ten), for a steady figure.
    pub fn rate(&self) -> f64 {
        let done: Vec<u32> = self
            .seconds
            .iter()
            .rev()
            .skip(1)
            .take(10)
            .copied()
            .collect();
        if done.is_empty() {
            return 0.0;
        }
        f64::from(done.iter().sum::<u32>()) / done.len() as f64
    }

    /// Per-second counts of the last minute, oldest first, padded with zeros at the front.
    pub fn history(&self) -> Vec<u32> {
        let mut all = vec![0; WINDOW - self.seconds.len().min(WINDOW)];
        all.extend(self.seconds.iter().copied());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, Timestamp};

    fn events(n: usize, op: &str, time: u32) -> Vec<ChangeEvent> {
        (0..n)
            .map(|_| {
                ChangeEvent::from_document(&doc! {
                    "operationType": op,
                    "clusterTime": Timestamp { time, increment: 1 },
                })
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn counts_rates_and_lag() {
        let mut stats = Stats::default();
        stats.tick(10_000);
        stats.record(&events(4, "insert", 9), 10_500);
        stats.record(&events(2, "update", 10), 11_200);
        assert!(stats.tick(12_000));
        assert_eq!(stats.total(), 6);
        assert_eq!(
            stats.by_op(),
            vec![(OpType::Insert, 4), (OpType::Update, 2)]
        );
        assert_eq!(stats.rate(), 3.0);
        assert_eq!(stats.lag_ms, Some(1_200));
        let history = stats.history();
        assert_eq!(history.len(), WINDOW);
        assert_eq!(&history[WINDOW - 3..], &[4, 2, 0]);
    }

    #[test]
    fn an_idle_minute_settles_and_then_changes_nothing() {
        let mut stats = Stats::default();
        stats.tick(0);
        stats.record(&events(1, "insert", 0), 0);
        let mut now = 0;
        while stats.tick(now) || now < 2_000 {
            now += 1_000;
        }
        assert!(now <= (WINDOW as i64 + 2) * 1000);
        assert_eq!(stats.rate(), 0.0);
        assert!(!stats.tick(now + 1_000), "nothing left to redraw when idle");
    }
}
