//! Change streams through the official driver: events and their shapes at every scope, the
//! stages after `$changeStream`, cursors, resuming, and what mwatch relies on most (images,
//! expanded events, lost history, injected faults).

mod cursors;
mod events;
mod fidelity;
mod pipelines;
mod resume;
mod scopes;
