//! Aggregation pipelines, built from queries, projections and expressions. `stages.rs` owns the
//! stages a change stream applies to one event at a time after `$changeStream`, parsed once when
//! the stream opens; `collection.rs` owns the pipelines `aggregate` runs over a collection's
//! documents, and the `$sort` order that `find` shares.

pub(crate) mod collection;
pub(crate) mod stages;
