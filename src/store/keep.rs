//! How much the event store keeps (`--keep`): a number of events, or a size of raw BSON. The
//! other bound stays: a count keeps 256 MiB at most, so that a stream of big events cannot
//! take all memory; a size keeps as many events as fit in it.

use std::fmt;

use crate::numbers::thousands;
use crate::printable::printable;

/// The newest `events` rows, `bytes` of raw BSON at most; the newest row is always kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub events: usize,
    pub bytes: usize,
}

pub const DEFAULT_MAX_EVENTS: usize = 100_000;
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;

/// The most events `--keep N` takes: a billion events take at least 100 GB.
pub const MOST_EVENTS: u64 = 1_000_000_000;
/// The largest size `--keep` takes.
pub const MOST_BYTES: u64 = 1 << 40;

/// Units of a size, as a user may write them (case aside), the largest first.
const UNITS: [(&str, u64); 9] = [
    ("TiB", 1 << 40),
    ("TB", 1_000_000_000_000),
    ("GiB", 1 << 30),
    ("GB", 1_000_000_000),
    ("MiB", 1 << 20),
    ("MB", 1_000_000),
    ("KiB", 1 << 10),
    ("KB", 1_000),
    ("B", 1),
];

impl Default for Keep {
    fn default() -> Self {
        Keep {
            events: DEFAULT_MAX_EVENTS,
            bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl Keep {
    /// Reads `--keep`'s value: a plain number is a count of events (1 to a billion), a number
    /// with a unit a size (1 B to 1 TiB; KB, MB, GB, TB are powers of 1000, KiB, MiB, GiB, TiB
    /// of 1024).
    pub fn parse(text: &str) -> Result<Keep, String> {
        let shown = printable(text);
        let trimmed = text.trim();
        let digits = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(digits);
        let unit = unit.trim_start();
        if number.is_empty() {
            return Err(format!(
                "'{shown}' is neither a number of events nor a size such as 512MB"
            ));
        }
        let Some(scale) = UNITS
            .iter()
            .find(|(name, _)| unit.eq_ignore_ascii_case(name))
            .map(|(_, scale)| *scale)
            .or(unit.is_empty().then_some(0))
        else {
            return Err(format!(
                "'{shown}': unknown unit '{}' (use a whole number and KB, MB, GB, TB, or KiB, MiB, GiB, TiB)",
                printable(unit)
            ));
        };
        let most = if scale == 0 { MOST_EVENTS } else { MOST_BYTES };
        let value = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(scale.max(1)))
            .filter(|n| *n <= most);
        match value {
            Some(0) => Err(format!("'{shown}': keeping nothing leaves nothing to show")),
            Some(n) if scale == 0 => Ok(Keep {
                events: usize::try_from(n).unwrap_or(usize::MAX),
                ..Keep::default()
            }),
            Some(n) => Ok(Keep {
                events: usize::MAX,
                bytes: usize::try_from(n).unwrap_or(usize::MAX),
            }),
            None => Err(format!(
                "'{shown}' is more than the {} mwatch keeps at most",
                if scale == 0 {
                    format!("{} events", thousands(MOST_EVENTS))
                } else {
                    size(MOST_BYTES)
                }
            )),
        }
    }

    /// Whether `rows` rows of `bytes` in all are more than this keeps.
    pub fn exceeded(&self, rows: usize, bytes: usize) -> bool {
        rows > self.events || (bytes > self.bytes && rows > 1)
    }
}

/// What the store keeps, as a sentence's object: "the newest 100,000 events, 256 MiB at most".
impl fmt::Display for Keep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.events, self.bytes) {
            (usize::MAX, usize::MAX) => write!(f, "every event"),
            (usize::MAX, bytes) => write!(f, "the newest {} of events", size(bytes as u64)),
            (events, usize::MAX) => write!(f, "the newest {} events", thousands(events as u64)),
            (events, bytes) => write!(
                f,
                "the newest {} events, {} at most",
                thousands(events as u64),
                size(bytes as u64)
            ),
        }
    }
}

/// `bytes` in the largest unit that divides it.
fn size(bytes: u64) -> String {
    let (name, scale) = UNITS
        .iter()
        .find(|(_, scale)| bytes.is_multiple_of(*scale))
        .copied()
        .unwrap_or(("B", 1));
    format!("{} {name}", thousands(bytes / scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_number_is_events_and_a_unit_makes_it_a_size() {
        let keep = |text: &str| Keep::parse(text).unwrap();
        assert_eq!(
            keep("500000"),
            Keep {
                events: 500_000,
                bytes: DEFAULT_MAX_BYTES
            }
        );
        let bytes = |text: &str| {
            let keep = keep(text);
            assert_eq!(keep.events, usize::MAX, "{text}: a size bounds no count");
            keep.bytes
        };
        assert_eq!(bytes("512MB"), 512_000_000);
        assert_eq!(bytes("512 mb"), 512_000_000);
        assert_eq!(bytes("2GiB"), 2 << 30);
        assert_eq!(bytes("64KiB"), 64 << 10);
        assert_eq!(bytes("3kb"), 3_000);
        assert_eq!(bytes("1TB"), 1_000_000_000_000);
        assert_eq!(bytes("1TiB"), 1 << 40);
        assert_eq!(bytes("4096B"), 4096);
        assert_eq!(keep(" 10 ").events, 10);
    }

    #[test]
    fn nothing_negative_huge_or_unknown_is_taken() {
        for (text, error) in [
            ("0", "keeping nothing"),
            ("0MB", "keeping nothing"),
            ("-5", "neither a number of events nor a size"),
            ("", "neither"),
            ("MB", "neither"),
            ("1.5GB", "unknown unit '.5GB'"),
            ("12XB", "unknown unit 'XB'"),
            ("12 events", "unknown unit 'events'"),
            ("1000000001", "more than the 1,000,000,000 events"),
            ("99999999999999999999", "more than the 1,000,000,000 events"),
            ("2TiB", "more than the 1 TiB mwatch keeps at most"),
            ("18446744073709551615KB", "more than the 1 TiB"),
            ("9\u{1b}[2J", "'9\\u001b[2J': unknown unit '\\u001b[2J'"),
        ] {
            let refused = Keep::parse(text).unwrap_err();
            assert!(refused.contains(error), "{text}: {refused}");
        }
    }

    #[test]
    fn it_says_what_it_keeps() {
        assert_eq!(
            Keep::default().to_string(),
            "the newest 100,000 events, 256 MiB at most"
        );
        assert_eq!(
            Keep::parse("512MB").unwrap().to_string(),
            "the newest 512 MB of events"
        );
        assert_eq!(
            Keep::parse("1500KiB").unwrap().to_string(),
            "the newest 1,500 KiB of events"
        );
        let four = Keep {
            events: 4,
            bytes: usize::MAX,
        };
        assert_eq!(four.to_string(), "the newest 4 events");
    }
}
