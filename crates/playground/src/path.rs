//! Dotted field paths (`a.b.c`), split in one place with MongoDB's limits on how many parts
//! they may have. Projection trees, update paths and match paths are walked once per part,
//! some by recursion, so a path of millions of parts (a 16 MB key) must be refused here,
//! before any of them is built.

use crate::error::{location_error, CmdResult, CommandError};

/// Parts a field path may have (`FieldPath::kMaxParts`).
const MAX_PARTS: usize = 200;

/// Parts a query's path may have: MongoDB keeps 20 below [`MAX_PARTS`] for match expressions.
const MAX_MATCH_PARTS: usize = MAX_PARTS - 20;

/// Where a path is used; MongoDB bounds and words each differently.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Use {
    /// Projections, expressions, update paths, sort keys.
    Field,
    /// A query's path.
    Match,
}

/// The parts of `path`, or MongoDB's error when it has too many. Empty parts are kept: each
/// caller words its own error for them.
pub fn split(path: &str, used: Use) -> CmdResult<Vec<&str>> {
    let limit = match used {
        Use::Field => MAX_PARTS,
        Use::Match => MAX_MATCH_PARTS,
    };
    // Never more than `limit + 1` parts are collected, whatever the path's length.
    let parts: Vec<&str> = path.splitn(limit + 1, '.').collect();
    if parts.len() <= limit {
        return Ok(parts);
    }
    let message = "FieldPath is too long";
    Err(match used {
        Use::Field => CommandError::new(15, "Overflow", message),
        Use::Match => location_error!(5729100, message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dotted(parts: usize) -> String {
        vec!["a"; parts].join(".")
    }

    #[test]
    fn field_paths_may_have_200_parts() {
        assert_eq!(split(&dotted(200), Use::Field).unwrap().len(), 200);
        for parts in [201, 1_000_000] {
            let error = split(&dotted(parts), Use::Field).unwrap_err();
            assert_eq!((error.code, error.code_name), (15, "Overflow"));
            assert_eq!(error.message, "FieldPath is too long");
        }
    }

    #[test]
    fn match_paths_may_have_180_parts() {
        assert_eq!(split(&dotted(180), Use::Match).unwrap().len(), 180);
        let error = split(&dotted(181), Use::Match).unwrap_err();
        assert_eq!((error.code, error.code_name), (5729100, "Location5729100"));
    }

    #[test]
    fn empty_parts_are_kept() {
        assert_eq!(split("a..b.", Use::Field).unwrap(), ["a", "", "b", ""]);
        assert_eq!(split("", Use::Field).unwrap(), [""]);
    }
}
