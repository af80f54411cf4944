//! How much the event store keeps (`--keep`): a number of events, or a size of raw BSON.
//! A count is the user's bound: it keeps up to the largest size `--keep` takes (1 TiB), so
//! `--keep 1000000` keeps a million events whatever their size. A size keeps as many events
//! as fit in it. Only the default holds both bounds: the newest 100,000 events, 256 MiB at most.

use std::fmt;

use crate::numbers::thousands;
use crate::printable::printable;

/// The newest `events` events, `bytes` of raw BSON at most; the newest event is always kept.
/// Seam rows count for neither (see `EventStore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub events: usize,
    pub bytes: usize,
    /// The unit `bytes` is shown in: the one the user wrote.
    pub unit: Unit,
}

/// A unit of size: its name and how many bytes it is.
pub type Unit = (&'static str, u64);

pub const DEFAULT_MAX_EVENTS: usize = 100_000;
const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;

/// The most events `--keep N` takes: at a few hundred bytes an event, far more than memory.
pub const MOST_EVENTS: u64 = 1_000_000_000;
/// The largest size `--keep` takes.
pub const MOST_BYTES: u64 = 1 << 40;

/// The most bytes a store can hold here: `MOST_BYTES`, less where `usize` is smaller.
fn largest() -> usize {
    usize::try_from(MOST_BYTES).unwrap_or(usize::MAX)
}

/// Units of a size, as a user may write them (case aside).
const UNITS: [Unit; 9] = [
    ("B", 1),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// What to write, said with every refusal.
const HOW: &str =
    "write a count as digits only; a size takes a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)";

impl Default for Keep {
    fn default() -> Self {
        Keep {
            events: DEFAULT_MAX_EVENTS,
            bytes: DEFAULT_MAX_BYTES,
            unit: ("MiB", 1 << 20),
        }
    }
}

impl Keep {
    /// The newest `events` events, whatever their size (up to the largest size).
    pub fn count(events: usize) -> Keep {
        Keep {
            events: events.max(1),
            bytes: largest(),
            ..Keep::default()
        }
    }

    /// As many of the newest events as fit in `bytes`.
    pub fn size(bytes: usize) -> Keep {
        Keep {
            events: usize::MAX,
            bytes,
            unit: ("B", 1),
        }
    }

    /// Reads `--keep`'s value: a plain number is a count of events (1 to a billion), a number
    /// with a unit a size (1 B to 1 TiB; KB, MB, GB, TB are powers of 1000, KiB, MiB, GiB, TiB
    /// of 1024).
    pub fn parse(text: &str) -> Result<Keep, String> {
        let shown = printable(text);
        let trimmed = text.trim();
        if trimmed.starts_with('-') {
            return Err(format!("'{shown}' is negative; {HOW}"));
        }
        let digits = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(digits);
        let unit = unit.trim_start();
        if number.is_empty() {
            return Err(format!("'{shown}' is neither a count nor a size; {HOW}"));
        }
        let Some(unit) = UNITS
            .iter()
            .find(|(name, _)| unit.eq_ignore_ascii_case(name))
            .copied()
            .or(unit.is_empty().then_some(("", 0)))
        else {
            return Err(format!(
                "'{shown}': unknown unit '{}'; {HOW}",
                printable(unit)
            ));
        };
        let count = unit.1 == 0;
        let (most, largest) = if count {
            (MOST_EVENTS, usize::MAX as u64)
        } else {
            (MOST_BYTES, largest() as u64)
        };
        let value = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit.1.max(1)))
            .filter(|n| *n <= most.min(largest))
            .and_then(|n| usize::try_from(n).ok());
        match value {
            Some(0) => Err(format!("'{shown}': keeping nothing leaves nothing to show")),
            Some(n) if count => Ok(Keep::count(n)),
            Some(n) => Ok(Keep {
                unit,
                ..Keep::size(n)
            }),
            None if count => Err(format!(
                "'{shown}' is more than the {} events mwatch keeps at most",
                thousands(most.min(largest))
            )),
            None => Err(format!(
                "'{shown}' is more than the {} mwatch keeps at most",
                shown_in(most.min(largest), ("TiB", 1 << 40))
            )),
        }
    }

    /// Whether `events` events of `bytes` in all are more than this keeps.
    pub fn exceeded(&self, events: usize, bytes: usize) -> bool {
        events > self.events || (bytes > self.bytes && events > 1)
    }

    /// The bound that drops events, the count or (`by_bytes`) the size, as a sentence's
    /// object: "the newest 100,000 events" or "256 MiB of events".
    pub fn bound(&self, by_bytes: bool) -> String {
        if by_bytes {
            format!("{} of events", shown_in(self.bytes as u64, self.unit))
        } else {
            format!("the newest {} events", thousands(self.events as u64))
        }
    }
}

/// What the store keeps, as a sentence's object: "the newest 100,000 events, 256 MiB at most".
impl fmt::Display for Keep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = shown_in(self.bytes as u64, self.unit);
        if self.events == usize::MAX {
            write!(f, "the newest {size} of events")
        } else if self.bytes == largest() {
            write!(f, "the newest {} events", thousands(self.events as u64))
        } else {
            write!(
                f,
                "the newest {} events, {size} at most",
                thousands(self.events as u64)
            )
        }
    }
}

/// `bytes` in `unit` if a whole number of it, else in bytes.
fn shown_in(bytes: u64, (name, scale): Unit) -> String {
    if scale > 0 && bytes.is_multiple_of(scale) {
        format!("{} {name}", thousands(bytes / scale))
    } else {
        format!("{} B", thousands(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_number_is_events_and_a_unit_makes_it_a_size() {
        let keep = |text: &str| Keep::parse(text).unwrap();
        assert_eq!(keep("500000"), Keep::count(500_000));
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

    /// `--keep 1000000` keeps a million events even when they take more than the default's
    /// 256 MiB: the count is what the user asked for.
    #[test]
    fn a_count_is_not_held_to_the_default_size() {
        let million = Keep::parse("1000000").unwrap();
        assert!(!million.exceeded(1_000_000, 305 * 1_000_000));
        assert!(million.exceeded(1_000_001, 305 * 1_000_001));
        assert_eq!(million.to_string(), "the newest 1,000,000 events");
    }

    #[test]
    fn nothing_negative_huge_or_unknown_is_taken() {
        for (text, error) in [
            ("0", "keeping nothing"),
            ("0MB", "keeping nothing"),
            ("-5", "'-5' is negative; write a count as digits only"),
            ("-5MB", "'-5MB' is negative"),
            ("", "neither a count nor a size"),
            ("MB", "neither"),
            ("1.5GB", "unknown unit '.5GB'"),
            ("12XB", "unknown unit 'XB'"),
            (
                "1,000,000",
                "unknown unit ',000,000'; write a count as digits only; a size takes a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
            ),
            ("5 events", "unknown unit 'events'; write a count as digits only"),
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

    /// Where `usize` cannot hold 1 TiB, a size too big for it is refused, not taken as
    /// "keep everything".
    #[test]
    fn the_largest_size_is_what_usize_holds() {
        assert_eq!(largest() as u64, MOST_BYTES.min(usize::MAX as u64));
        if usize::BITS == 32 {
            assert!(Keep::parse("5GB").unwrap_err().contains("more than the"));
        }
    }

    #[test]
    fn it_says_what_it_keeps_in_the_unit_written() {
        assert_eq!(
            Keep::default().to_string(),
            "the newest 100,000 events, 256 MiB at most"
        );
        let said = |text: &str| Keep::parse(text).unwrap().to_string();
        assert_eq!(said("512MB"), "the newest 512 MB of events");
        assert_eq!(said("1500KiB"), "the newest 1,500 KiB of events");
        assert_eq!(said("1024KB"), "the newest 1,024 KB of events");
        assert_eq!(said("4"), "the newest 4 events");
        assert_eq!(Keep::size(1500).to_string(), "the newest 1,500 B of events");
    }

    #[test]
    fn it_says_which_bound_drops_events() {
        let default = Keep::default();
        assert_eq!(default.bound(false), "the newest 100,000 events");
        assert_eq!(default.bound(true), "256 MiB of events");
    }
}
