//! The names of a store's bookmarks: whether one is taken, and the next free `name#n` for a
//! bookmark whose name is taken, each in constant time, so that importing N bookmarks of one
//! name stays linear (it took N^2.6 when every import scanned the list for `#2`, `#3`, ...).

use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub(super) struct Names {
    taken: HashSet<String>,
    /// For a name made unique before, the suffix to try next: every one below it is taken.
    next_suffix: HashMap<String, u64>,
}

impl Names {
    pub(super) fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Names {
        Names {
            taken: names.into_iter().map(str::to_string).collect(),
            next_suffix: HashMap::new(),
        }
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `name`; false if it was taken already.
    pub(super) fn insert(&mut self, name: &str) -> bool {
        #[cfg(test)]
        PROBES.with(|probes| probes.set(probes.get() + 1));
        self.taken.insert(name.to_string())
    }

    /// `name`, or `name#2`, `name#3`, ...: the first that is free, which is taken from now on.
    pub(super) fn claim_unique(&mut self, name: &str) -> String {
        if self.insert(name) {
            return name.to_string();
        }
        let mut next = self.next_suffix.get(name).copied().unwrap_or(2);
        let claimed = first_free(name, &mut next, |candidate| self.insert(candidate));
        self.next_suffix.insert(name.to_string(), next);
        claimed
    }
}

#[cfg(test)]
thread_local! {
    /// How many names were looked up in this thread, for the tests of the work an import does.
    pub(super) static PROBES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// `name#n` for the first n from `*next` on that `claim` takes (true: it was free); `*next`
/// moves past it. Each suffix is tried once over all the calls for one name.
fn first_free(name: &str, next: &mut u64, mut claim: impl FnMut(&str) -> bool) -> String {
    loop {
        let candidate = format!("{name}#{next}");
        *next += 1;
        if claim(&candidate) {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_taken_get_the_next_free_suffix() {
        let mut names = Names::of(["a", "a#3"]);
        let claimed: Vec<_> = (0..4).map(|_| names.claim_unique("a")).collect();
        assert_eq!(claimed, ["a#2", "a#4", "a#5", "a#6"]);
        assert_eq!(names.claim_unique("b"), "b");
        assert!(names.contains("a#6") && names.contains("b") && !names.contains("c"));
    }
}
