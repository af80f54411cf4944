//! Memory per retained event: 1,000,000 change events of about 300 bytes in the event store,
//! counted by a global allocator that tracks live bytes. Target: under 2x the raw BSON size.
//! Run: `cargo bench --bench event_memory`.
// A counting allocator is the one place the workspace needs `unsafe`: it forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bson::{doc, oid::ObjectId, DateTime, RawDocumentBuf, Timestamp};
use mwatch::event::ChangeEvent;
use mwatch::store::EventStore;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const EVENTS: usize = 1_000_000;

fn event(n: u32) -> RawDocumentBuf {
    let id = ObjectId::new();
    let doc = doc! {
        "_id": { "_data": format!("8265{n:08X}000000012B022C0100296E5A1004{n:08X}46645F69640064{n:08X}0004") },
        "operationType": "insert",
        "clusterTime": Timestamp { time: 1_763_700_000 + n / 10, increment: n % 10 },
        "wallTime": DateTime::from_millis(1_763_700_000_000 + i64::from(n)),
        "fullDocument": { "_id": id, "orderNo": i64::from(n), "status": "new", "total": 12.5, "items": 3 },
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": id },
    };
    RawDocumentBuf::from_document(&doc).expect("encode")
}

fn main() {
    let mut store = EventStore::new(EVENTS, usize::MAX);
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..EVENTS as u32 {
        store.push_event(ChangeEvent::from_raw(event(n)));
    }
    let used = LIVE.load(Ordering::Relaxed) - before;
    let raw = store.bytes();
    println!(
        "event store: {} events, raw BSON {:.1} bytes/event, retained {:.1} bytes/event = {:.2}x raw (target < 2x)",
        store.len(),
        raw as f64 / EVENTS as f64,
        used as f64 / EVENTS as f64,
        used as f64 / raw as f64
    );
}
