//! Replaying a bookmark from the command line: its name quoted for the shell, and what to
//! say when the server's history no longer reaches back to it.

use bson::Timestamp;

use crate::bookmarks::Bookmark;
use crate::format::{age_text, utc_seconds};

/// What to tell a user whose bookmark is older than the server's history, at `now_millis`,
/// with the ways on: from `oldest`, the oldest point the server still has (if known), or from
/// now.
pub fn history_lost(bookmark: &Bookmark, now_millis: i64, oldest: Option<Timestamp>) -> String {
    let name = shell_word(&bookmark.name);
    let age = match bookmark.event_millis() {
        Some(at) => format!(
            "is {} old ({})",
            age_text((now_millis - at) / 1000),
            utc_seconds(at)
        ),
        None => "is of an unknown time".to_string(),
    };
    let from_oldest = match oldest {
        Some(ts) => format!(
            "  replay what the server still has:  mwatch --resume {name} --start-at {}:{}   (from {})",
            ts.time,
            ts.increment,
            utc_seconds(i64::from(ts.time) * 1000)
        ),
        None => format!("  replay from a later time:          mwatch --resume {name} --start-at TIME"),
    };
    format!(
        "bookmark '{}' {age}: the server's oplog no longer goes back that far, so its events cannot be replayed.\n{from_oldest}\n  or watch its stream from now:      mwatch --resume {name} --start-at now\n  (plus your connection string, if you gave one)",
        bookmark.name
    )
}

/// The name as one shell word, quoted when it needs to be.
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@#.:_-+/=,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::sample as bookmark;

    #[test]
    fn says_how_old_the_bookmark_is_and_how_to_go_on() {
        let now = 1_763_719_200_500 + (2 * 3600 + 5 * 60) * 1000;
        let oldest = Timestamp {
            time: 1_763_723_000,
            increment: 4,
        };
        let text = history_lost(&bookmark("before fix"), now, Some(oldest));
        assert!(
            text.starts_with(
                "bookmark 'before fix' is 2 h 5 min old (2025-11-21T10:00:00Z): the server's oplog"
            ),
            "{text}"
        );
        assert!(
            text.contains("mwatch --resume 'before fix' --start-at 1763723000:4   (from 2025-11-21T11:03:20Z)"),
            "{text}"
        );
        assert!(
            text.contains("--resume 'before fix' --start-at now"),
            "{text}"
        );
        let unknown = history_lost(&bookmark("x@1"), now, None);
        assert!(
            unknown.contains("mwatch --resume x@1 --start-at TIME"),
            "{unknown}"
        );
    }
}
