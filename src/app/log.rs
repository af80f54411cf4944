//! The message log: every notice and warning of the session with its time, so that a message
//! cut to fit the footer, or gone with the next key, can still be read whole (`L`).

use std::collections::VecDeque;

use crate::printable::printable_lines;

/// Messages kept; older ones are dropped first.
pub const LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Milliseconds since the epoch.
    pub at: i64,
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<Entry>,
}

impl MessageLog {
    pub fn push(&mut self, at: i64, text: &str, error: bool) {
        if self.entries.len() == LIMIT {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            at,
            // Messages carry names, hosts and server errors: kept as they can be drawn, line
            // by line.
            text: printable_lines(text).into_owned(),
            error,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().rev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_up_to_the_limit() {
        let mut log = MessageLog::default();
        for n in 0..LIMIT + 3 {
            log.push(n as i64, &n.to_string(), false);
        }
        assert_eq!(log.len(), LIMIT);
        assert_eq!(
            log.newest_first().next().unwrap().text,
            (LIMIT + 2).to_string()
        );
        assert_eq!(log.newest_first().last().unwrap().text, "3");
    }
}
