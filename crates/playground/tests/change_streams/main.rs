//! Change streams through the official driver: events and their shapes at every scope, the
//! stages after `$changeStream`, cursors, resuming, and what mwatch relies on most (images,
//! expanded events, lost history, injected faults).

mod cursors;
mod events;
mod fidelity;
mod pipelines;
mod resume;
mod scopes;

use bson::Document;

/// The `n` of each event's full document: the tests insert `{n: 0}`, `{n: 1}`, ... so that
/// a lost or repeated event shows as a gap or a repeat.
fn numbers(events: &[Document]) -> Vec<i32> {
    events
        .iter()
        .map(|e| {
            e.get_document("fullDocument")
                .unwrap()
                .get_i32("n")
                .unwrap()
        })
        .collect()
}
