//! Aggregation: the stages a change stream applies to each event after `$changeStream`
//! ([`stages`]), and the pipelines `aggregate` runs on a collection ([`collection`]).

pub(crate) mod collection;
pub(crate) mod stages;
