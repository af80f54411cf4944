//! The Diff tab of an update that pulled from arrays: one removal shows as one line, elements
//! with an `_id` are followed by it, and a long value wraps with its marker on every row.

use bson::{doc, DateTime, Timestamp};
use insta::assert_snapshot;

use crate::common;

use common::tui::*;
use mwatch::event::ChangeEvent;

/// An order that lost tag 'a' and the pen (`$pull`), and got more ink and a long note.
fn pulled() -> ChangeEvent {
    let time = (NOW / 1000) as u32 + 1;
    let note = |text: &str| {
        format!("{text}: the customer called to say the pen was not needed after all, keep the ink")
    };
    ChangeEvent::from_document(&doc! {
        "_id": token(1),
        "operationType": "update",
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": 5 },
        "updateDescription": {
            "updatedFields": { "tags": ["b", "c"], "items": [{ "_id": 2, "sku": "ink", "qty": 3 }] },
            "removedFields": [],
            "truncatedArrays": [],
        },
        "fullDocumentBeforeChange": {
            "_id": 5,
            "tags": ["a", "b", "c"],
            "items": [{ "_id": 1, "sku": "pen", "qty": 1 }, { "_id": 2, "sku": "ink", "qty": 1 }],
            "note": note("before"),
        },
        "fullDocument": {
            "_id": 5,
            "tags": ["b", "c"],
            "items": [{ "_id": 2, "sku": "ink", "qty": 3 }],
            "note": note("after"),
        },
    })
    .unwrap()
}

#[test]
fn a_pull_shows_as_one_removal_per_element() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        arrive(&mut state, vec![pulled()]);
        enter(&mut state);
        press(&mut state, '2');
        let screen = screen(&state);
        assert!(screen.contains("- tags.0: 'a'"), "{screen}");
        assert!(!screen.contains("tags.1"), "{screen}");
        assert_snapshot!(sized("array_diff", size), screen);
    }
}
