//! What ingesting events allocates in `update`: nothing per event once a namespace was seen
//! (the namespace list and the store's counts look names up by their bytes).

#[path = "../common/allocations.rs"]
// Each user takes what it needs of it.
#[allow(dead_code)]
mod counting;

use bson::{doc, DateTime, Timestamp};
use mwatch::event::ChangeEvent;

use crate::common::tui::{live, receive, NOW, SIZE};
use counting::{allocations, Counting};

#[global_allocator]
static COUNTING: Counting = Counting;

/// An insert into `db.coll`, the `n`th.
fn insert_into(db: &str, coll: &str, n: i32) -> ChangeEvent {
    ChangeEvent::from_document(&doc! {
        "_id": { "_data": format!("82{n:08X}") },
        "operationType": "insert",
        "clusterTime": Timestamp { time: (NOW / 1000) as u32, increment: n as u32 },
        "wallTime": DateTime::from_millis(NOW),
        "ns": { "db": db, "coll": coll },
        "documentKey": { "_id": n },
        "fullDocument": { "_id": n },
    })
    .unwrap()
}

#[test]
fn events_of_a_namespace_seen_before_allocate_nothing_each() {
    const EVENTS: i32 = 2_000;
    // Listed (`shop.orders`) and not listed (`shop.scratch`, never in the fixture's listing).
    for coll in ["orders", "scratch"] {
        let mut state = live(None, SIZE);
        let watch = state.watch.id;
        receive(&mut state, watch, vec![insert_into("shop", coll, 0)]);
        let events: Vec<ChangeEvent> = (1..=EVENTS).map(|n| insert_into("shop", coll, n)).collect();
        let before = state.stats.total();
        let ((), made) = allocations(|| receive(&mut state, watch, events));
        // The store's rows grow by doubling: a few allocations for the whole batch.
        assert!(
            made < u64::from(EVENTS as u32 / 100),
            "{made} allocations for {EVENTS} events of shop.{coll}"
        );
        assert_eq!(state.stats.total(), before + EVENTS as u64);
    }
}
