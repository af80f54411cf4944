//! The operation log: every write appends an entry stamped by a monotonic cluster clock.
//! Change streams read events from it.

use std::collections::VecDeque;

use bson::{Binary, Bson, DateTime, Document, Timestamp};

use crate::storage::Namespace;
use crate::update::desc::UpdateDescription;

/// Cluster time: seconds since the epoch and an increment, strictly increasing.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    last: Timestamp,
}

impl Clock {
    pub fn new(now_secs: u32) -> Self {
        Clock {
            last: Timestamp {
                time: now_secs,
                increment: 0,
            },
        }
    }

    /// The time of the latest write (or of start-up).
    pub fn last(&self) -> Timestamp {
        self.last
    }

    pub fn tick(&mut self, now_secs: u32) -> Timestamp {
        self.last = if now_secs > self.last.time {
            Timestamp {
                time: now_secs,
                increment: 1,
            }
        } else {
            successor(self.last)
        };
        self.last
    }
}

/// The smallest timestamp after `ts`.
pub fn successor(ts: Timestamp) -> Timestamp {
    match ts.increment.checked_add(1) {
        Some(increment) => Timestamp {
            time: ts.time,
            increment,
        },
        None => Timestamp {
            time: ts.time.saturating_add(1),
            increment: 0,
        },
    }
}

pub fn ts_key(ts: Timestamp) -> u64 {
    (u64::from(ts.time) << 32) | u64::from(ts.increment)
}

#[derive(Debug, Clone)]
pub enum Op {
    Insert {
        doc: Document,
    },
    Update {
        id: Bson,
        description: Box<UpdateDescription>,
        /// Set only when the collection keeps pre- and post-images.
        images: Option<Images>,
    },
    Replace {
        doc: Document,
        pre_image: Option<Document>,
    },
    Delete {
        id: Bson,
        pre_image: Option<Document>,
    },
    /// A collection was created (`create` events are expanded-only).
    Create {
        description: Document,
    },
    CreateIndexes {
        indexes: Vec<Document>,
    },
    DropIndexes {
        indexes: Vec<Document>,
    },
    /// collMod: the arguments given, and the collection's options before them.
    Modify {
        description: Document,
        before: Document,
    },
    Drop,
    Rename {
        to: Namespace,
        drop_target: Option<Binary>,
    },
    DropDatabase,
}

impl Op {
    /// DDL that only streams with `showExpandedEvents` show.
    pub fn is_expanded_only(&self) -> bool {
        matches!(
            self,
            Op::Create { .. }
                | Op::CreateIndexes { .. }
                | Op::DropIndexes { .. }
                | Op::Modify { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub struct Images {
    pub pre: Document,
    pub post: Document,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub ts: Timestamp,
    pub wall: DateTime,
    pub ns: Namespace,
    pub uuid: Option<Binary>,
    pub op: Op,
}

/// Entries in cluster-time order, keeping at most `capacity` of them.
#[derive(Debug)]
pub struct Oplog {
    entries: VecDeque<Entry>,
    capacity: usize,
    /// Time of the newest entry dropped for capacity: resuming at or before it is impossible.
    lost_until: Option<Timestamp>,
}

impl Oplog {
    pub fn new(capacity: usize) -> Self {
        Oplog {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            lost_until: None,
        }
    }

    pub fn push(&mut self, entry: Entry) {
        if self.entries.len() == self.capacity {
            if let Some(dropped) = self.entries.pop_front() {
                self.lost_until = Some(dropped.ts);
            }
        }
        self.entries.push_back(entry);
    }

    /// Index of the first entry at or after `ts`.
    pub fn position(&self, ts: Timestamp) -> usize {
        let key = ts_key(ts);
        self.entries.partition_point(|e| ts_key(e.ts) < key)
    }

    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    pub fn contains(&self, ts: Timestamp) -> bool {
        self.get(self.position(ts))
            .is_some_and(|e| ts_key(e.ts) == ts_key(ts))
    }

    /// Whether an entry at or after `ts` has been dropped: a reader that still had to read
    /// from `ts` on missed it.
    pub fn is_lost(&self, ts: Timestamp) -> bool {
        self.lost_until
            .is_some_and(|lost| ts_key(ts) <= ts_key(lost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ts: Timestamp) -> Entry {
        Entry {
            ts,
            wall: DateTime::from_millis(0),
            ns: Namespace::collection("d", "c"),
            uuid: None,
            op: Op::Drop,
        }
    }

    #[test]
    fn clock_is_strictly_increasing_even_when_time_stands_still_or_goes_back() {
        let mut clock = Clock::new(100);
        let a = clock.tick(100);
        let b = clock.tick(99);
        let c = clock.tick(101);
        assert!(ts_key(a) < ts_key(b) && ts_key(b) < ts_key(c));
        assert_eq!((c.time, c.increment), (101, 1));
    }

    #[test]
    fn capacity_drops_oldest_and_remembers_the_loss() {
        let mut log = Oplog::new(2);
        let mut clock = Clock::new(1);
        let times: Vec<_> = (0..3).map(|_| clock.tick(1)).collect();
        for t in &times {
            log.push(entry(*t));
        }
        assert_eq!(log.entries.len(), 2);
        assert!(log.is_lost(times[0]));
        assert!(!log.is_lost(times[1]));
        assert!(
            !log.is_lost(successor(times[0])),
            "a reader past the dropped entry had read it"
        );
        assert!(log.is_lost(Timestamp {
            time: 0,
            increment: 1
        }));
        assert!(log.contains(times[2]));
        assert_eq!(log.position(times[1]), 0);
    }
}
