//! Parses what a user types (on the command line or in the TUI editor) into
//! the stages placed after `$changeStream`.
//!
//! Accepted syntax: strict JSON, relaxed JSON as typed in mongosh (unquoted
//! keys, single quotes, comments, trailing commas), Extended JSON v2 and the
//! mongosh helpers (`ObjectId(..)`, `ISODate(..)`, `/regex/i`, ...).
//!
//! Parsing runs in three steps: `syntax` builds a tree that remembers where
//! each value starts, `convert` turns values into BSON, and `stages` checks
//! that the stages are ones a change stream accepts. Every error carries the
//! 1-based line and column (in chars) so the TUI can point at it while the
//! user types.

mod convert;
mod date;
mod stages;
mod syntax;
#[cfg(test)]
mod tests;

use bson::{Bson, Document};

/// A parsed pipeline: the stages after `$changeStream`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pipeline {
    pub stages: Vec<Document>,
}

/// Why the text could not be parsed, and where (1-based line and column,
/// the column counting chars rather than bytes).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// Whether the error's line and column (1-based, columns in chars) are a place in `text`
    /// (a line it has, at most one past that line's end), as they must be for any text: what
    /// the property tests and the fuzz target check.
    pub fn points_into(&self, text: &str) -> bool {
        let lines: Vec<&str> = text.split('\n').collect();
        (1..=lines.len()).contains(&self.line)
            && (1..=lines[self.line - 1].chars().count() + 1).contains(&self.column)
    }

    fn at(pos: Pos, message: impl Into<String>) -> Self {
        ParseError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// A 1-based position in the text.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pos {
    line: usize,
    column: usize,
}

/// Parses a pipeline: a single stage document or an array of them.
/// Text with only whitespace and comments is an empty pipeline (no filter).
pub fn parse(text: &str) -> Result<Pipeline, ParseError> {
    match syntax::parse_pipeline(text)? {
        None => Ok(Pipeline::default()),
        Some(root) => Ok(Pipeline {
            stages: stages::stages(&root)?,
        }),
    }
}

/// Parses a single value, such as `--collation '{locale: "fr"}'` or a
/// resume token.
pub fn parse_value(text: &str) -> Result<Bson, ParseError> {
    convert::to_bson(&syntax::parse_value(text)?)
}

/// Stages as the editor shows them when they were not typed (a bookmark's, say): Extended
/// JSON, one stage a line, which [`parse`] reads back. No stages is the empty text.
pub fn to_text(stages: &[Document]) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let stages: Vec<String> = stages
        .iter()
        .map(|stage| {
            Bson::Document(stage.clone())
                .into_relaxed_extjson()
                .to_string()
        })
        .collect();
    format!("[\n  {}\n]", stages.join(",\n  "))
}

/// The closest candidate to a mistyped name, if one is close enough to be
/// a likely typo.
fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    if let Some(exact) = candidates.iter().find(|c| c.to_lowercase() == lower) {
        return Some(exact);
    }
    let max_distance = if word.chars().count() <= 3 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= max_distance)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}
