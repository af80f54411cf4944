//! `--resume NAME`: finding the bookmark a name or a token means, and what to say when the
//! server's history no longer reaches back to it.

use bson::Timestamp;

use super::bookmarks::open_store;
use super::UsageError;
use crate::bookmarks::{Bookmark, BookmarkStore, StoreError};
use crate::format::{age_text, utc_seconds};
use crate::printable::shell_word;

/// The bookmark `--resume TEXT` names, or None when TEXT is a token (JSON, or bare hex that
/// is no bookmark's name). Store warnings go to stderr.
pub fn lookup(text: &str) -> Result<Option<Bookmark>, UsageError> {
    if text.trim_start().starts_with('{') {
        return Ok(None);
    }
    let store = open_store().map_err(|e| UsageError(format!("--resume: {e}")))?;
    resolve(text, &store)
}

fn resolve(text: &str, store: &BookmarkStore) -> Result<Option<Bookmark>, UsageError> {
    match store.find(text) {
        Ok(bookmark) => Ok(Some(bookmark.clone())),
        Err(_) if text.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(None),
        Err(StoreError::Unknown { close, .. }) if close.is_empty() => Err(UsageError(format!(
            "--resume: '{text}' is neither a bookmark (see `mwatch bookmarks list`) nor a resume token like {{\"_data\": \"82...\"}}"
        ))),
        Err(e) => Err(UsageError(format!("--resume: {e}"))),
    }
}

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

    #[test]
    fn resume_text_is_a_name_or_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = BookmarkStore::open(dir.path().join("bookmarks.json"));
        store.add(crate::bookmarks::sample("before-fix")).unwrap();
        store.add(crate::bookmarks::sample("cafe")).unwrap();
        assert_eq!(
            resolve("before-fix", &store).unwrap().unwrap().name,
            "before-fix"
        );
        // A name wins over a token spelled the same; other hex is a token.
        assert_eq!(resolve("cafe", &store).unwrap().unwrap().name, "cafe");
        assert_eq!(resolve("82AB", &store).unwrap(), None);
        let typo = resolve("befor-fix", &store).unwrap_err();
        assert_eq!(
            typo.0,
            "--resume: no bookmark is named 'befor-fix'; did you mean 'before-fix'?"
        );
        let nothing = resolve("zzz", &store).unwrap_err();
        assert!(nothing.0.contains("neither a bookmark"), "{nothing}");
    }
}
