//! Namespaces seen in events but not in the listing, by their names: each asks for a new
//! listing once only, so that one never listed (not allowed, or already gone) does not cause a
//! listing every second. Kept by name, not by the event's `ns` document, whose field order and
//! extra fields (a pipeline's `$set`) may differ from one event to the next.

use std::collections::{HashMap, HashSet};

/// At most this many are kept; past it, new ones are not noted and ask for no listing (a
/// deployment with that many namespaces no listing shows is not browsed in the picker).
const MOST: usize = 10_000;

/// The longest namespace MongoDB has (`db.coll`, 255 bytes): anything longer cannot be listed,
/// so is not noted; with [`MOST`] it bounds the memory kept.
const LONGEST: usize = 255;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unlisted {
    /// Collection names by database; `""` for an event that names only a database.
    names: HashMap<Box<str>, HashSet<Box<str>>>,
    count: usize,
}

impl Unlisted {
    /// Notes `db` (and `coll` in it); whether it is new and was noted. Looking up one noted
    /// before allocates nothing.
    pub fn note(&mut self, db: &str, coll: Option<&str>) -> bool {
        let coll = coll.unwrap_or("");
        let known = self.names.get(db).is_some_and(|colls| colls.contains(coll));
        if known || self.count >= MOST || db.len() + 1 + coll.len() > LONGEST {
            return false;
        }
        self.names.entry(db.into()).or_default().insert(coll.into());
        self.count += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_each_name_once_up_to_a_bound() {
        let mut unlisted = Unlisted::default();
        assert!(unlisted.note("shop", Some("scratch")));
        assert!(!unlisted.note("shop", Some("scratch")));
        assert!(unlisted.note("shop", None), "the database alone is another");
        assert!(
            !unlisted.note("shop", Some(&"x".repeat(LONGEST))),
            "too long to be one"
        );
        for n in 0..2 * MOST {
            unlisted.note(&format!("db{n}"), Some("c"));
        }
        assert_eq!(unlisted.count, MOST);
        assert_eq!(
            unlisted.names.values().map(HashSet::len).sum::<usize>(),
            MOST
        );
    }
}
