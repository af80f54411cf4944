//! Update documents as MongoDB 7.0 applies them: a replacement, or operators (`$set`, `$inc`,
//! ...) at dotted paths; the document an upsert starts from; and the `updateDescription` of a
//! change event. Operators apply in MongoDB 5.0+'s order: by path, field names compared as strings
//! except that numeric names compare as numbers. `ops.rs` parses and applies each operator, with
//! `$inc`/`$mul`/`$bit` in `arith.rs`, `$push` in `push.rs` and the other array operators in
//! `array.rs`; `apply.rs` applies a whole update and keeps `_id` valid; `path.rs` is dotted-path
//! access; `desc.rs` diffs a document before and after into an `updateDescription`.

mod apply;
mod arith;
mod array;
pub(crate) mod desc;
mod ops;
mod path;
mod push;

use std::cmp::Ordering;

use bson::{Bson, DateTime, Document, Timestamp};

use crate::error::{CmdResult, CommandError};
use crate::update::apply::{apply_operators, id_first, replace};
use crate::update::ops::{parse_op, Kind, Op};
use crate::update::path::{check_array_filters, element_string, parse_path, update_at};
use crate::values::type_name;

/// A parsed update document.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The whole document but its `_id` is replaced.
    Replacement(Document),
    /// Operators, sorted in the order they apply.
    Operators(Vec<FieldUpdate>),
}

/// One operator at one path, such as `$inc: {"a.b": 1}`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldUpdate {
    pub(super) path: Vec<String>,
    op: Op,
}

/// What an update may need beyond the document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpdateContext {
    /// For `$currentDate` (as a date).
    pub now: DateTime,
    /// For `$currentDate` as a timestamp, and empty timestamps in a replacement.
    pub now_ts: Timestamp,
    /// The document is being created by an upsert, which enables `$setOnInsert`.
    pub is_insert: bool,
}

impl Update {
    pub fn parse(spec: &Document) -> CmdResult<Update> {
        match spec.keys().next() {
            Some(first) if first.starts_with('$') => parse_operators(spec).map(Update::Operators),
            _ => Ok(Update::Replacement(spec.clone())),
        }
    }

    /// The document after the update. `doc` is not changed.
    pub fn apply(&self, doc: &Document, ctx: &UpdateContext) -> CmdResult<Document> {
        match self {
            Update::Replacement(replacement) => replace(doc, replacement, ctx),
            Update::Operators(updates) => apply_operators(doc, updates, ctx),
        }
    }
}

fn parse_operators(spec: &Document) -> CmdResult<Vec<FieldUpdate>> {
    let mut updates = Vec::new();
    let mut claimed = Vec::new();
    for (name, fields) in spec {
        let kind = Kind::from_name(name).ok_or_else(|| {
            CommandError::failed_to_parse(format!(
                "Unknown modifier: {name}. Expected a valid update modifier or pipeline-style \
                 update specified as an array"
            ))
        })?;
        let Bson::Document(fields) = fields else {
            return Err(CommandError::failed_to_parse(format!(
                "Modifiers operate on fields but we found type {} instead. For example: \
                 {{$mod: {{<field>: ...}}}} not {{{}}}",
                type_name(fields),
                element_string(name, fields)
            )));
        };
        for (field, value) in fields {
            let source = parse_path(field)?;
            check_array_filters(&source)?;
            let (path, op) = parse_op(kind, source, field, value)?;
            // A $rename claims its source as well as its destination.
            if let Op::Rename { from } = &op {
                claim(&mut claimed, from)?;
            }
            claim(&mut claimed, &path)?;
            updates.push(FieldUpdate { path, op });
        }
    }
    updates.sort_by(|a, b| compare_paths(&a.path, &b.path));
    Ok(updates)
}

/// Records that an operator updates `path`, refusing overlaps with paths
/// already claimed the way MongoDB's update tree does.
fn claim(claimed: &mut Vec<Vec<String>>, path: &[String]) -> CmdResult<()> {
    if let Some(at) = claimed
        .iter()
        .filter_map(|other| conflict(path, other))
        .min()
    {
        return Err(CommandError::new(
            40,
            "ConflictingUpdateOperators",
            format!(
                "Updating the path '{}' would create a conflict at '{}'",
                path.join("."),
                path.iter().take(at).cloned().collect::<Vec<_>>().join(".")
            ),
        ));
    }
    claimed.push(path.to_vec());
    Ok(())
}

/// How many leading parts of `path` reach its conflict with `other`, if any:
/// one is a prefix of the other, or below a shared prefix one goes through
/// `$[]` (an array of elements) and the other through a field name.
fn conflict(path: &[String], other: &[String]) -> Option<usize> {
    let common = path.iter().zip(other).take_while(|(a, b)| a == b).count();
    if common == path.len() || common == other.len() {
        return Some(common);
    }
    let all_elements = |parts: &[String]| parts.get(common).is_some_and(|p| p == "$[]");
    (all_elements(path) != all_elements(other)).then_some(common)
}

/// MongoDB's order of update paths: part by part, numeric field names by
/// value (so `a.2` before `a.10`), zero-padded ones and others as strings.
pub(super) fn compare_paths(a: &[String], b: &[String]) -> Ordering {
    let numeric = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_digit()) && !(s.len() > 1 && s.starts_with('0'))
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            if numeric(x) && numeric(y) {
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            } else {
                x.cmp(y)
            }
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// The document an upsert starts from: the filter's top-level equality
/// conditions (`field: value` and `field: {$eq: value}`, also inside a
/// top-level `$and`), dotted paths expanded into sub-documents, `_id` first.
pub fn upsert_seed(filter: &Document) -> Document {
    let mut equalities = Vec::new();
    collect_equalities(filter, &mut equalities);
    let mut seed = Document::new();
    let mut placed: Vec<Vec<String>> = Vec::new();
    for (field, value) in equalities {
        // The filter was parsed before, so its paths are within the limit.
        let Ok(parts) = crate::path::split(field, crate::path::Use::Match) else {
            continue;
        };
        let path: Vec<String> = parts.into_iter().map(String::from).collect();
        // MongoDB refuses conditions on overlapping paths; keep the first.
        if placed
            .iter()
            .any(|p| p.starts_with(&path) || path.starts_with(p))
        {
            continue;
        }
        if update_at(&mut seed, &path, |_| Ok(Some(value.clone()))).is_ok() {
            placed.push(path);
        }
    }
    id_first(seed)
}

fn collect_equalities<'a>(filter: &'a Document, out: &mut Vec<(&'a str, &'a Bson)>) {
    for (key, value) in filter {
        if key == "$and" {
            if let Bson::Array(clauses) = value {
                for clause in clauses {
                    if let Bson::Document(clause) = clause {
                        collect_equalities(clause, out);
                    }
                }
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        match value {
            Bson::Document(condition)
                if condition.keys().next().is_some_and(|k| k.starts_with('$')) =>
            {
                if let Some(equal) = condition.get("$eq") {
                    out.push((key, equal));
                }
            }
            Bson::RegularExpression(_) => {}
            other => out.push((key, other)),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use bson::doc;

    pub(crate) fn ctx(is_insert: bool) -> UpdateContext {
        UpdateContext {
            now: DateTime::from_millis(1_700_000_000_000),
            now_ts: Timestamp {
                time: 1_700_000_000,
                increment: 7,
            },
            is_insert,
        }
    }

    /// Parses `spec` and applies it to `doc` as a plain update.
    pub(crate) fn run(doc: Document, spec: Document) -> CmdResult<Document> {
        Update::parse(&spec)?.apply(&doc, &ctx(false))
    }

    pub(crate) fn run_err(doc: Document, spec: Document) -> (i32, String) {
        let err = run(doc, spec).unwrap_err();
        (err.code, err.message)
    }

    #[test]
    fn parse_tells_replacements_from_operators() {
        assert_eq!(
            Update::parse(&doc! {}).unwrap(),
            Update::Replacement(doc! {})
        );
        assert!(matches!(
            Update::parse(&doc! { "a": 1 }).unwrap(),
            Update::Replacement(_)
        ));
        assert!(
            matches!(Update::parse(&doc! { "$set": {} }).unwrap(), Update::Operators(ops) if ops.is_empty())
        );
        assert_eq!(
            run(doc! { "_id": 1, "a": 1 }, doc! { "$set": {}, "$unset": {} }).unwrap(),
            doc! { "_id": 1, "a": 1 }
        );
    }

    #[test]
    fn unknown_modifiers_and_malformed_operators_fail_to_parse() {
        for (spec, message) in [
            (
                doc! { "$foo": { "a": 1 } },
                "Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array",
            ),
            (
                doc! { "$set": { "a": 1 }, "b": 2 },
                "Unknown modifier: b. Expected a valid update modifier or pipeline-style update specified as an array",
            ),
            (
                doc! { "$set": 1 },
                "Modifiers operate on fields but we found type int instead. For example: {$mod: {<field>: ...}} not {$set: 1}",
            ),
        ] {
            let err = Update::parse(&spec).unwrap_err();
            assert_eq!((err.code, err.code_name, err.message.as_str()), (9, "FailedToParse", message));
        }
    }

    #[test]
    fn bad_paths_are_refused() {
        for (field, code, message) in [
            ("", 56, "An empty update path is not valid."),
            ("a..b", 56, "The update path 'a..b' contains an empty field name, which is not allowed."),
            ("$.a", 2, "Cannot have positional (i.e. '$') element in the first position in path '$.a'"),
            ("a.$.b.$", 2, "Too many positional (i.e. '$') elements found in path 'a.$.b.$'"),
            ("a.$[id]", 2, "No array filter found for identifier 'id' in path 'a.$[id]'"),
            ("$[].a", 2, "Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '$[].a'"),
        ] {
            let err = Update::parse(&doc! { "$set": { field: 1 } }).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (code, message), "{field}");
        }
    }

    #[test]
    fn overlapping_paths_conflict() {
        for (spec, message) in [
            (
                doc! { "$set": { "a": 1 }, "$inc": { "a.b": 1 } },
                "Updating the path 'a.b' would create a conflict at 'a'",
            ),
            (
                doc! { "$set": { "a.b": 1 }, "$unset": { "a": "" } },
                "Updating the path 'a' would create a conflict at 'a'",
            ),
            (
                doc! { "$set": { "a": 1 }, "$inc": { "a": 1 } },
                "Updating the path 'a' would create a conflict at 'a'",
            ),
            (
                doc! { "$set": { "x.y.z": 1 }, "$max": { "x.y": 1 } },
                "Updating the path 'x.y' would create a conflict at 'x.y'",
            ),
            (
                doc! { "$rename": { "a": "b" }, "$set": { "a": 1 } },
                "Updating the path 'a' would create a conflict at 'a'",
            ),
            (
                doc! { "$rename": { "a": "b" }, "$set": { "b.c": 1 } },
                "Updating the path 'b.c' would create a conflict at 'b'",
            ),
            (
                doc! { "$set": { "a.$[]": 1, "a.0": 2 } },
                "Updating the path 'a.0' would create a conflict at 'a'",
            ),
            (
                doc! { "$set": { "a.$[]": 1 }, "$inc": { "a.$[].b": 2 } },
                "Updating the path 'a.$[].b' would create a conflict at 'a.$[]'",
            ),
        ] {
            let err = Update::parse(&spec).unwrap_err();
            assert_eq!(
                (err.code, err.code_name, err.message.as_str()),
                (40, "ConflictingUpdateOperators", message)
            );
        }
        // Paths that share a prefix but not a field do not conflict.
        assert_eq!(
            run(
                doc! { "_id": 1, "ab": 1 },
                doc! { "$set": { "a.b": 1, "a.c": 1 }, "$inc": { "ab": 1 } }
            )
            .unwrap(),
            doc! { "_id": 1, "ab": 2, "a": { "b": 1, "c": 1 } }
        );
        assert_eq!(
            run(
                doc! { "_id": 1, "a": [{ "c": 1 }, { "c": 2 }] },
                doc! { "$set": { "a.$[].b": 1 }, "$inc": { "a.$[].c": 1 } }
            )
            .unwrap(),
            doc! { "_id": 1, "a": [{ "c": 2, "b": 1 }, { "c": 3, "b": 1 }] }
        );
    }

    #[test]
    fn fields_are_created_in_path_order() {
        let out = run(
            doc! { "_id": 1, "b": 0 },
            doc! { "$set": { "z": 1, "a": 1, "m.10": 1 }, "$inc": { "m.9": 1, "b": 1 } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "b": 1, "a": 1, "m": { "9": 1, "10": 1 }, "z": 1 }
        );
        let keys: Vec<&String> = out.keys().collect();
        assert_eq!(keys, ["_id", "b", "a", "m", "z"]);
        let inner: Vec<&String> = out.get_document("m").unwrap().keys().collect();
        assert_eq!(inner, ["9", "10"]);
    }

    #[test]
    fn path_order_compares_numbers_by_value() {
        let path = |p: &str| p.split('.').map(String::from).collect::<Vec<_>>();
        let mut paths = [
            path("a.10"),
            path("a.9"),
            path("a.09"),
            path("a.b"),
            path("a.1x"),
            path("a"),
        ];
        paths.sort_by(|a, b| compare_paths(a, b));
        let dotted: Vec<String> = paths.iter().map(|p| p.join(".")).collect();
        // Zero-padded names compare as strings; "1x" counts as numeric, longer than "9".
        assert_eq!(dotted, ["a", "a.09", "a.9", "a.10", "a.1x", "a.b"]);
    }

    #[test]
    fn upserts_start_from_the_filter_equalities() {
        let filter = doc! {
            "name": "ann", "age": { "$gt": 5 }, "a.b": 1, "a.c": { "$eq": 2, "$lt": 9 },
            "$or": [{ "x": 1 }], "re": bson::Regex { pattern: "^a".into(), options: String::new() },
            "sub": { "k": 1 }, "_id": 7,
        };
        let seed = upsert_seed(&filter);
        assert_eq!(
            seed,
            doc! { "_id": 7, "name": "ann", "a": { "b": 1, "c": 2 }, "sub": { "k": 1 } }
        );
        assert_eq!(seed.keys().next().map(String::as_str), Some("_id"));

        let seed = upsert_seed(
            &doc! { "$and": [{ "x": 1 }, { "y": { "$eq": null } }, { "$and": [{ "z": 3 }] }] },
        );
        assert_eq!(seed, doc! { "x": 1, "y": null, "z": 3 });
        assert_eq!(upsert_seed(&doc! { "a": 1, "a.b": 2 }), doc! { "a": 1 });
        assert_eq!(
            upsert_seed(&doc! { "a.b": 2, "a": 1 }),
            doc! { "a": { "b": 2 } }
        );
    }
}
