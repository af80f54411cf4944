//! The array operators besides `$push`: `$addToSet`, `$pop`, `$pull` and `$pullAll`.

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::query::ElementFilter;
use crate::update::path::{element_string, update_at, value_string};
use crate::update::push::integer;
use crate::values::{type_name, values_equal};

/// The values `$addToSet: {field: value}` adds: `value`, or those in
/// `{$each: [...]}`, without duplicates.
pub(super) fn parse_add_to_set(value: &Bson) -> CmdResult<Vec<Bson>> {
    // Only a document whose *first* field is `$each` is the modifier form.
    let each = match value {
        Bson::Document(spec) => spec
            .iter()
            .next()
            .filter(|(key, _)| *key == "$each")
            .map(|(_, each)| (spec.len(), each)),
        _ => None,
    };
    let values = match each {
        None => vec![value.clone()],
        Some((1, Bson::Array(items))) => items.clone(),
        Some((_, Bson::Array(_))) => {
            return Err(CommandError::bad_value(format!(
                "Found unexpected fields after $each in $addToSet: {}",
                value_string(value)
            )))
        }
        Some((_, other)) => {
            return Err(CommandError::type_mismatch(format!(
                "The argument to $each in $addToSet must be an array but it was of type {}",
                type_name(other)
            )))
        }
    };
    let mut unique: Vec<Bson> = Vec::with_capacity(values.len());
    for value in values {
        if !unique.iter().any(|seen| values_equal(seen, &value)) {
            unique.push(value);
        }
    }
    Ok(unique)
}

/// `$addToSet`: appends the values the array does not hold yet.
pub(super) fn add_to_set(doc: &mut Document, path: &[String], values: &[Bson]) -> CmdResult<()> {
    update_at(doc, path, |current| match current {
        None => Ok(Some(Bson::Array(values.to_vec()))),
        Some(Bson::Array(items)) => {
            for value in values {
                if !items.iter().any(|item| values_equal(item, value)) {
                    items.push(value.clone());
                }
            }
            Ok(None)
        }
        Some(other) => Err(CommandError::bad_value(format!(
            "Cannot apply $addToSet to non-array field. Field named '{}' has non-array type {}",
            path.last().map_or("", String::as_str),
            type_name(other)
        ))),
    })
}

/// `$pop: {field: -1 | 1}`: whether to remove the first element (else the last).
pub(super) fn parse_pop(field: &str, value: &Bson) -> CmdResult<bool> {
    let direction = match value {
        Bson::Double(v) if v.fract() != 0.0 => {
            return Err(CommandError::failed_to_parse(format!(
                "Expected an integer: {}",
                element_string(field, value)
            )))
        }
        other => integer(other).ok_or_else(|| {
            CommandError::failed_to_parse(format!(
                "Expected a number in: {}",
                element_string(field, value)
            ))
        })?,
    };
    match direction {
        1 => Ok(false),
        -1 => Ok(true),
        other => Err(CommandError::failed_to_parse(format!(
            "$pop expects 1 or -1, found: {other}"
        ))),
    }
}

/// `$pop`: a missing field or an empty array is left alone.
pub(super) fn pop(doc: &mut Document, path: &[String], first: bool) -> CmdResult<()> {
    update_at(doc, path, |current| match current {
        None => Ok(None),
        Some(Bson::Array(items)) => {
            if items.is_empty() {
                // Nothing to remove.
            } else if first {
                items.remove(0);
            } else {
                items.pop();
            }
            Ok(None)
        }
        Some(other) => Err(CommandError::type_mismatch(format!(
            "Path '{}' contains an element of non-array type '{}'",
            path.join("."),
            type_name(other)
        ))),
    })
}

/// `$pullAll: {field: [...]}`: the values to remove.
pub(super) fn parse_pull_all(value: &Bson) -> CmdResult<Vec<Bson>> {
    match value {
        Bson::Array(items) => Ok(items.clone()),
        other => Err(CommandError::bad_value(format!(
            "$pullAll requires an array argument but was given a {}",
            type_name(other)
        ))),
    }
}

/// `$pull`: removes the elements matching `condition`.
pub(super) fn pull(doc: &mut Document, path: &[String], condition: &Bson) -> CmdResult<()> {
    let filter = ElementFilter::parse(condition)?;
    cull(doc, path, |item| filter.matches(item))
}

/// `$pullAll`: removes the elements equal to one of `values`.
pub(super) fn pull_all(doc: &mut Document, path: &[String], values: &[Bson]) -> CmdResult<()> {
    cull(doc, path, |item| {
        values.iter().any(|value| values_equal(item, value))
    })
}

/// Removes the elements `matches` selects from the array at `path`.
fn cull<M>(doc: &mut Document, path: &[String], matches: M) -> CmdResult<()>
where
    M: Fn(&Bson) -> bool,
{
    update_at(doc, path, |current| match current {
        None => Ok(None),
        Some(Bson::Array(items)) => {
            items.retain(|item| !matches(item));
            Ok(None)
        }
        Some(_) => Err(CommandError::bad_value(
            "Cannot apply $pull to a non-array value",
        )),
    })
}

#[cfg(test)]
mod tests {
    use crate::update::tests::{run, run_err};
    use crate::update::Update;
    use bson::{doc, Bson};

    #[test]
    fn add_to_set_adds_only_missing_values() {
        let out = run(
            doc! { "_id": 1, "tags": ["a", 1], "more": ["a"] },
            doc! { "$addToSet": { "tags": 1.0, "more": { "$each": ["a", "c", "c", "d"] }, "new": { "x": 1 } } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "tags": ["a", 1], "more": ["a", "c", "d"], "new": [{ "x": 1 }] }
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "t": "x" },
            doc! { "$addToSet": { "t": 1 } },
        );
        assert_eq!(
            (code, message.as_str()),
            (2, "Cannot apply $addToSet to non-array field. Field named 't' has non-array type string")
        );
        let err = Update::parse(&doc! { "$addToSet": { "t": { "$each": 1 } } }).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                14,
                "The argument to $each in $addToSet must be an array but it was of type int"
            )
        );
        let err =
            Update::parse(&doc! { "$addToSet": { "t": { "$each": [1], "x": 1 } } }).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                2,
                "Found unexpected fields after $each in $addToSet: { $each: [ 1 ], x: 1 }"
            )
        );
        // `$each` that is not the first field is just part of a document value.
        let out = run(
            doc! { "_id": 1 },
            doc! { "$addToSet": { "t": { "x": 1, "$each": [1] } } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "t": [{ "x": 1, "$each": [1] }] });
    }

    #[test]
    fn pop_removes_the_first_or_last_element() {
        let out = run(
            doc! { "_id": 1, "a": [1, 2, 3], "b": [1, 2, 3], "e": [] },
            doc! { "$pop": { "a": -1, "b": 1.0, "e": 1, "missing": 1 } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "a": [2, 3], "b": [1, 2], "e": [] });
        let (code, message) = run_err(doc! { "_id": 1, "a": 5 }, doc! { "$pop": { "a": 1 } });
        assert_eq!(
            (code, message.as_str()),
            (14, "Path 'a' contains an element of non-array type 'int'")
        );
        for (arg, message) in [
            (Bson::Int32(2), "$pop expects 1 or -1, found: 2"),
            (Bson::String("x".into()), "Expected a number in: a: \"x\""),
            (Bson::Double(0.5), "Expected an integer: a: 0.5"),
        ] {
            let err = Update::parse(&doc! { "$pop": { "a": arg } }).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (9, message));
        }
    }

    #[test]
    fn pull_removes_matching_elements() {
        let out = run(
            doc! { "_id": 1, "scores": [1, 6, 7, 3], "tags": ["a", "b", "a"], "items": [{ "k": 1, "v": 1 }, { "k": 2 }], "other": [] },
            doc! { "$pull": { "scores": { "$gte": 6 }, "tags": "a", "items": { "k": 1 }, "missing": 1 } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "scores": [1, 3], "tags": ["b"], "items": [{ "k": 2 }], "other": [] }
        );
        let (code, message) = run_err(doc! { "_id": 1, "a": 1 }, doc! { "$pull": { "a": 1 } });
        assert_eq!(
            (code, message.as_str()),
            (2, "Cannot apply $pull to a non-array value")
        );
        assert_eq!(
            Update::parse(&doc! { "$pull": { "a": { "$bogus": 1 } } })
                .unwrap_err()
                .code,
            2
        );
    }

    #[test]
    fn pull_all_removes_equal_elements() {
        let out = run(
            doc! { "_id": 1, "a": [1, 2, 3, 1.0, [1]] },
            doc! { "$pullAll": { "a": [1, 3, [1]] } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "a": [2] });
        let err = Update::parse(&doc! { "$pullAll": { "a": 1 } }).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (2, "$pullAll requires an array argument but was given a int")
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "a": "s" },
            doc! { "$pullAll": { "a": [1] } },
        );
        assert_eq!(
            (code, message.as_str()),
            (2, "Cannot apply $pull to a non-array value")
        );
    }
}
