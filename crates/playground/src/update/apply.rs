//! Applying an update to a document: operators one concrete path at a time
//! (`$[]` resolved to array indexes), or a replacement; and keeping `_id`
//! unchanged, valid and first.

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::update::ops::{apply_op, Op};
use crate::update::path::{element_string, identical, lookup, Lookup};
use crate::update::{compare_paths, FieldUpdate, UpdateContext};
use crate::values::{type_name, values_equal};

/// One operator at one concrete path, or the error met finding that path.
struct Step<'a> {
    path: Vec<String>,
    target: Result<&'a FieldUpdate, CommandError>,
}

pub(super) fn apply_operators(
    doc: &Document,
    updates: &[FieldUpdate],
    ctx: &UpdateContext,
) -> CmdResult<Document> {
    if let Some(update) = updates.iter().find(|u| u.path.iter().any(|p| p == "$")) {
        return Err(CommandError::bad_value(format!(
            "The positional operator '$' (in path '{}') is not supported by this playground \
             server; use '$[]' or name the array index",
            update.path.join(".")
        )));
    }
    // `$[]` is resolved against the document as it was: no other operator
    // can touch those arrays, as that would have been a conflict.
    let mut steps = Vec::new();
    for update in updates {
        expand(doc, update, Vec::new(), &update.path, &mut steps);
    }
    steps.sort_by(|a, b| compare_paths(&a.path, &b.path));

    let original_id = doc.get("_id");
    let mut result = doc.clone();
    for step in steps {
        let update = step.target?;
        apply_op(&update.op, &mut result, &step.path, ctx)?;
        check_id_unchanged(original_id, &result, update, &step.path)?;
    }
    check_id_type(&result)?;
    Ok(id_first(result))
}

/// Pushes the steps for `update` at `done` + `rest`, each `$[]` in `rest`
/// replaced by every index of the array found there.
fn expand<'a>(
    doc: &Document,
    update: &'a FieldUpdate,
    mut done: Vec<String>,
    rest: &[String],
    steps: &mut Vec<Step<'a>>,
) {
    let Some(at) = rest.iter().position(|p| p == "$[]") else {
        done.extend_from_slice(rest);
        steps.push(Step {
            path: done,
            target: Ok(update),
        });
        return;
    };
    let (before, after) = rest.split_at(at);
    let after = after.get(1..).unwrap_or_default();
    done.extend_from_slice(before);
    let failure = match lookup(doc, &done) {
        Lookup::Found(Bson::Array(items)) => {
            for index in 0..items.len() {
                let mut element = done.clone();
                element.push(index.to_string());
                expand(doc, update, element, after, steps);
            }
            return;
        }
        Lookup::Found(other) => format!(
            "Cannot apply array updates to non-array element {}",
            element_string(done.last().map_or("", String::as_str), other)
        ),
        Lookup::Missing | Lookup::Blocked { .. } => format!(
            "The path '{}' must exist in the document in order to apply array updates.",
            done.join(".")
        ),
    };
    steps.push(Step {
        path: done,
        target: Err(CommandError::bad_value(failure)),
    });
}

/// `_id` may be created (by an upsert) but never changed.
fn check_id_unchanged(
    original: Option<&Bson>,
    result: &Document,
    update: &FieldUpdate,
    path: &[String],
) -> CmdResult<()> {
    let Some(original) = original else {
        return Ok(());
    };
    let renamed_from = match &update.op {
        Op::Rename { from } if from.first().is_some_and(|p| p == "_id") => Some(from),
        _ => None,
    };
    let touches_id = renamed_from.is_some() || path.first().is_some_and(|p| p == "_id");
    if !touches_id || result.get("_id").is_some_and(|id| identical(id, original)) {
        return Ok(());
    }
    let message = match renamed_from {
        Some(from) => format!(
            "Unsetting the path '{}' using $rename would modify the immutable field '_id'",
            from.join(".")
        ),
        None => format!(
            "Performing an update on the path '{}' would modify the immutable field '_id'",
            path.join(".")
        ),
    };
    Err(CommandError::new(66, "ImmutableField", message))
}

pub(super) fn replace(
    doc: &Document,
    replacement: &Document,
    ctx: &UpdateContext,
) -> CmdResult<Document> {
    if let Some(key) = replacement.keys().find(|key| key.starts_with('$')) {
        return Err(CommandError::new(
            52,
            "DollarPrefixedFieldName",
            format!(
                "The dollar ($) prefixed field '{key}' in '{key}' is not allowed in the context \
                 of an update's replacement document. Consider using an aggregation pipeline \
                 with $replaceWith."
            ),
        ));
    }
    check_id_type(replacement)?;
    let id = match (doc.get("_id"), replacement.get("_id")) {
        (Some(old), Some(new)) if !values_equal(old, new) => {
            return Err(CommandError::new(
                66,
                "ImmutableField",
                format!(
                    "After applying the update, the (immutable) field '_id' was found to have \
                     been altered to {}",
                    element_string("_id", new)
                ),
            ))
        }
        (old, new) => new.or(old),
    };
    let mut result = Document::new();
    if let Some(id) = id {
        result.insert("_id", id.clone());
    }
    for (key, value) in replacement {
        if key == "_id" {
            continue;
        }
        // Like an insert, an empty timestamp becomes the current one.
        let value = match value {
            Bson::Timestamp(ts) if ts.time == 0 && ts.increment == 0 => Bson::Timestamp(ctx.now_ts),
            other => other.clone(),
        };
        result.insert(key.clone(), value);
    }
    Ok(result)
}

/// `_id` first, as MongoDB stores documents.
pub(super) fn id_first(mut doc: Document) -> Document {
    if doc.keys().next().is_some_and(|key| key != "_id") {
        if let Some(id) = doc.remove("_id") {
            let mut reordered = Document::new();
            reordered.insert("_id", id);
            reordered.extend(doc);
            return reordered;
        }
    }
    doc
}

fn check_id_type(doc: &Document) -> CmdResult<()> {
    match doc.get("_id") {
        Some(id @ (Bson::Array(_) | Bson::RegularExpression(_) | Bson::Undefined)) => {
            Err(CommandError::new(
                53,
                "InvalidIdField",
                format!("The '_id' value cannot be of type {}", type_name(id)),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::update::tests::{ctx, run, run_err};
    use crate::update::{upsert_seed, Update};
    use bson::{doc, Bson, Timestamp};

    #[test]
    fn set_creates_paths_and_pads_arrays() {
        let out = run(
            doc! { "_id": 1, "a": { "x": 1 }, "arr": [0] },
            doc! { "$set": { "a.b.c": true, "arr.3": "y", "arr.1": "x", "new.0": 1 } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "a": { "x": 1, "b": { "c": true } }, "arr": [0, "x", null, "y"], "new": { "0": 1 } }
        );
    }

    #[test]
    fn set_through_a_scalar_is_not_viable() {
        let (code, message) = run_err(doc! { "_id": 1, "a": 5 }, doc! { "$set": { "a.b": 1 } });
        assert_eq!(
            (code, message.as_str()),
            (28, "Cannot create field 'b' in element {a: 5}")
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "a": [1, 2] },
            doc! { "$set": { "a.b": 1 } },
        );
        assert_eq!(
            (code, message.as_str()),
            (28, "Cannot create field 'b' in element {a: [ 1, 2 ]}")
        );
    }

    #[test]
    fn unset_removes_fields_and_nulls_array_elements() {
        let out = run(
            doc! { "_id": 1, "a": { "b": 1, "c": 2 }, "arr": [1, 2], "s": 5 },
            doc! { "$unset": { "a.b": "", "arr.0": 1, "missing": "", "s.deeper": "" } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "a": { "c": 2 }, "arr": [null, 2], "s": 5 }
        );
    }

    #[test]
    fn all_positional_updates_every_element() {
        let out = run(
            doc! { "_id": 1, "scores": [1, 2.5], "items": [{ "q": 1 }, { "q": 2 }], "m": [[1, 2], [3]], "none": [] },
            doc! {
                "$inc": { "scores.$[]": 10 },
                "$set": { "items.$[].done": true, "none.$[].x": 1 },
                "$mul": { "m.$[].$[]": 2 },
            },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! {
                "_id": 1, "scores": [11, 12.5],
                "items": [{ "q": 1, "done": true }, { "q": 2, "done": true }],
                "m": [[2, 4], [6]], "none": [],
            }
        );
    }

    #[test]
    fn all_positional_needs_an_existing_array() {
        for (doc, message) in [
            (
                doc! { "_id": 1 },
                "The path 'a' must exist in the document in order to apply array updates.",
            ),
            (
                doc! { "_id": 1, "a": 5 },
                "Cannot apply array updates to non-array element a: 5",
            ),
        ] {
            let (code, got) = run_err(doc, doc! { "$set": { "a.$[]": 1 } });
            assert_eq!((code, got.as_str()), (2, message));
        }
        let (code, message) = run_err(
            doc! { "_id": 1, "a": [1] },
            doc! { "$set": { "a.$[].x": 1 } },
        );
        assert_eq!(
            (code, message.as_str()),
            (28, "Cannot create field 'x' in element {0: 1}")
        );
    }

    #[test]
    fn replacement_keeps_the_id_first() {
        let doc = doc! { "_id": 1, "a": 1, "b": 2 };
        assert_eq!(
            run(doc.clone(), doc! { "c": 3 }).unwrap(),
            doc! { "_id": 1, "c": 3 }
        );
        let out = run(doc.clone(), doc! { "c": 3, "_id": 1 }).unwrap();
        assert_eq!(out.keys().collect::<Vec<_>>(), ["_id", "c"]);
        assert_eq!(run(doc.clone(), doc! {}).unwrap(), doc! { "_id": 1 });
        // Equal by value is not a change: MongoDB keeps the replacement's 1.0.
        assert_eq!(run(doc, doc! { "_id": 1.0 }).unwrap(), doc! { "_id": 1.0 });
    }

    #[test]
    fn replacement_cannot_change_the_id_or_hold_operators() {
        let (code, message) = run_err(doc! { "_id": 1, "a": 1 }, doc! { "_id": 2, "a": 1 });
        assert_eq!(
            (code, message.as_str()),
            (66, "After applying the update, the (immutable) field '_id' was found to have been altered to _id: 2")
        );
        let err = run(doc! { "_id": 1 }, doc! { "a": 1, "$set": { "b": 1 } }).unwrap_err();
        assert_eq!((err.code, err.code_name), (52, "DollarPrefixedFieldName"));
        assert!(err
            .message
            .starts_with("The dollar ($) prefixed field '$set' in '$set' is not allowed"));
        // Nested `$` fields are fine since MongoDB 5.0.
        assert_eq!(
            run(doc! { "_id": 1 }, doc! { "a": { "$x": 1 } }).unwrap(),
            doc! { "_id": 1, "a": { "$x": 1 } }
        );
    }

    #[test]
    fn replacement_fills_empty_timestamps() {
        let out = run(
            doc! { "_id": 1 },
            doc! { "t": Timestamp { time: 0, increment: 0 } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "t": ctx(false).now_ts });
    }

    #[test]
    fn operators_cannot_change_the_id() {
        let doc = doc! { "_id": 1, "a": 2, "sub": { "_id": 1 } };
        for spec in [
            doc! { "$set": { "_id": 2 } },
            doc! { "$set": { "_id": 1.0 } },
            doc! { "$inc": { "_id": 1 } },
            doc! { "$unset": { "_id": "" } },
            doc! { "$rename": { "a": "_id" } },
        ] {
            let (code, message) = run_err(doc.clone(), spec);
            assert_eq!(
                (code, message.as_str()),
                (
                    66,
                    "Performing an update on the path '_id' would modify the immutable field '_id'"
                )
            );
        }
        let (code, message) = run_err(doc.clone(), doc! { "$rename": { "_id": "x" } });
        assert_eq!(
            (code, message.as_str()),
            (
                66,
                "Unsetting the path '_id' using $rename would modify the immutable field '_id'"
            )
        );
        // Setting it to the very same value, or touching another `_id`, is fine.
        assert_eq!(
            run(doc.clone(), doc! { "$set": { "_id": 1 } }).unwrap(),
            doc
        );
        assert_eq!(
            run(doc, doc! { "$set": { "sub._id": 5 } }).unwrap(),
            doc! { "_id": 1, "a": 2, "sub": { "_id": 5 } }
        );
    }

    #[test]
    fn set_on_insert_applies_only_to_inserts() {
        let update =
            Update::parse(&doc! { "$set": { "a": 1 }, "$setOnInsert": { "created": true } })
                .unwrap();
        assert_eq!(
            update.apply(&doc! { "_id": 1 }, &ctx(false)).unwrap(),
            doc! { "_id": 1, "a": 1 }
        );
        assert_eq!(
            update.apply(&doc! { "_id": 1 }, &ctx(true)).unwrap(),
            doc! { "_id": 1, "a": 1, "created": true }
        );
    }

    #[test]
    fn ids_must_be_storable() {
        let update = Update::parse(&doc! { "$set": { "_id": [1] } }).unwrap();
        let err = update.apply(&doc! {}, &ctx(true)).unwrap_err();
        assert_eq!(
            (err.code, err.code_name, err.message.as_str()),
            (
                53,
                "InvalidIdField",
                "The '_id' value cannot be of type array"
            )
        );
        let (code, _) = run_err(doc! {}, doc! { "_id": bson::Bson::Undefined });
        assert_eq!(code, 53);
    }
    #[test]
    fn the_positional_operator_fails_only_when_applied() {
        let update = Update::parse(&doc! { "$set": { "items.$.qty": 1 } }).unwrap();
        let err = update
            .apply(&doc! { "_id": 1, "items": [{ "qty": 0 }] }, &ctx(false))
            .unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message.contains("positional operator '$'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn upserted_documents_get_their_id_first() {
        let seed = upsert_seed(&doc! { "name": "x" });
        let update =
            Update::parse(&doc! { "$set": { "n": 1 }, "$setOnInsert": { "_id": 5 } }).unwrap();
        let out = update.apply(&seed, &ctx(true)).unwrap();
        assert_eq!(out.keys().collect::<Vec<_>>(), ["_id", "name", "n"]);

        // With an `_id` in the filter, the update may not change it.
        let seed = upsert_seed(&doc! { "_id": 1 });
        let err = update.apply(&seed, &ctx(true)).unwrap_err();
        assert_eq!(err.code, 66);

        // A replacement upsert keeps the filter's `_id`.
        let replacement = Update::parse(&doc! { "v": 1 }).unwrap();
        assert_eq!(
            replacement.apply(&seed, &ctx(true)).unwrap(),
            doc! { "_id": 1, "v": 1 }
        );
    }

    #[test]
    fn odd_inputs_fail_cleanly_instead_of_panicking() {
        let docs = [
            doc! {},
            doc! { "_id": 1, "a": [], "s": "x", "n": null, "d": { "0": [[1], { "x": 1 }] } },
            doc! { "_id": [1], "a": [1, [2, [3]]], "big": i64::MAX, "f": f64::NAN },
        ];
        let paths = [
            "a",
            "a.0",
            "a.99999999999999999999",
            "a.$[]",
            "a.$[].$[]",
            "s.x",
            "d.0.1.x",
            "_id",
            "n.m",
        ];
        let values = [
            Bson::Null,
            Bson::Int32(-1),
            Bson::Int64(i64::MIN),
            Bson::Double(f64::INFINITY),
        ];
        for doc in &docs {
            for path in paths {
                for value in &values {
                    for operator in [
                        "$set",
                        "$inc",
                        "$mul",
                        "$max",
                        "$push",
                        "$pop",
                        "$pull",
                        "$bit",
                        "$addToSet",
                        "$rename",
                        "$unset",
                    ] {
                        let spec = doc! { operator: { path: value.clone() } };
                        if let Ok(update) = Update::parse(&spec) {
                            // Applied or refused are both right: not panicking is the point.
                            let _ = update.apply(doc, &ctx(true));
                            let _ = update.apply(doc, &ctx(false));
                        }
                    }
                }
            }
        }
    }
}
