//! `$push` and its modifiers `$each`, `$position`, `$sort` and `$slice`.

use std::cmp::Ordering;

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::path::Use;
use crate::update::path::{id_string, lookup, update_at, Lookup};
use crate::values::{compare, type_name};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Push {
    values: Vec<Bson>,
    /// Where to insert; negative counts from the end. `None` appends.
    position: Option<i64>,
    sort: Option<Sort>,
    /// Keep this many elements: from the front, or from the back when negative.
    slice: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
enum Sort {
    /// `$sort: 1` or `-1`: by the elements themselves.
    Whole { descending: bool },
    /// `$sort: {field: 1, ...}`: by fields of document elements.
    Fields(Vec<(Vec<String>, bool)>),
}

impl Push {
    /// `$push: {field: value}`: `value` is pushed as is unless it is a document with an `$each`.
    pub(super) fn parse(value: &Bson) -> CmdResult<Push> {
        let mut push = Push {
            values: vec![value.clone()],
            position: None,
            sort: None,
            slice: None,
        };
        let Bson::Document(spec) = value else {
            return Ok(push);
        };
        if !spec.contains_key("$each") {
            return Ok(push);
        }
        for (clause, argument) in spec {
            match clause.as_str() {
                "$each" => {
                    let Bson::Array(items) = argument else {
                        return Err(CommandError::bad_value(format!(
                            "The argument to $each in $push must be an array but it was of type: {}",
                            type_name(argument)
                        )));
                    };
                    push.values = items.clone();
                }
                "$slice" => {
                    push.slice = Some(integer(argument).ok_or_else(|| {
                        CommandError::bad_value(format!(
                            "The value for $slice must be an integer value but was given type: {}",
                            type_name(argument)
                        ))
                    })?);
                }
                "$sort" => push.sort = Some(parse_sort(argument)?),
                "$position" => {
                    push.position = Some(integer(argument).ok_or_else(|| {
                        CommandError::bad_value(format!(
                            "The value for $position must be an integer value, not of type: {}",
                            type_name(argument)
                        ))
                    })?);
                }
                other => {
                    return Err(CommandError::bad_value(format!(
                        "Unrecognized clause in $push: {other}"
                    )))
                }
            }
        }
        Ok(push)
    }

    /// The array after this push: insert, then sort, then slice.
    pub(super) fn applied_to(&self, mut items: Vec<Bson>) -> Vec<Bson> {
        let len = items.len();
        let at = match self.position {
            None => len,
            Some(p) if p >= 0 => usize::try_from(p).map_or(len, |p| p.min(len)),
            Some(p) => len.saturating_sub(usize::try_from(p.unsigned_abs()).unwrap_or(usize::MAX)),
        };
        items.splice(at..at, self.values.iter().cloned());
        if let Some(sort) = &self.sort {
            items = merge_sort(items, &|a, b| sort.compare(a, b));
        }
        match self.slice {
            Some(n) if n >= 0 => items.truncate(usize::try_from(n).unwrap_or(usize::MAX)),
            Some(n) => {
                let keep = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
                let excess = items.len().saturating_sub(keep);
                items.drain(..excess);
            }
            None => {}
        }
        items
    }
}

/// A stable merge sort. Unlike `slice::sort_by` it cannot panic when the
/// comparison is not a total order, which mixed-precision numbers can make
/// `compare` (a long equal to a double equal to a different long).
fn merge_sort<F>(mut items: Vec<Bson>, compare: &F) -> Vec<Bson>
where
    F: Fn(&Bson, &Bson) -> Ordering,
{
    if items.len() < 2 {
        return items;
    }
    let right = merge_sort(items.split_off(items.len() / 2), compare);
    let left = merge_sort(items, compare);
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(a), Some(b)) = (left.peek(), right.peek()) {
        // Ties keep the left (earlier) element first.
        let next = if compare(b, a).is_lt() {
            right.next()
        } else {
            left.next()
        };
        merged.extend(next);
    }
    merged.extend(left);
    merged.extend(right);
    merged
}

/// `$push`: a missing field becomes the array of pushed values.
pub(super) fn push(doc: &mut Document, path: &[String], push: &Push) -> CmdResult<()> {
    let id = id_string(doc.get("_id"));
    update_at(doc, path, |current| match current {
        None => Ok(Some(Bson::Array(push.applied_to(Vec::new())))),
        Some(Bson::Array(items)) => {
            *items = push.applied_to(std::mem::take(items));
            Ok(None)
        }
        Some(other) => Err(CommandError::bad_value(format!(
            "The field '{}' must be an array but is of type {} in document {{{id}}}",
            path.join("."),
            type_name(other)
        ))),
    })
}

/// An integral number, as MongoDB accepts for `$slice`, `$position` and `$pop`.
pub(super) fn integer(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 && v.abs() < 9.2e18 => Some(*v as i64),
        _ => None,
    }
}

/// 1 or -1, as a "descending" flag.
fn direction(value: &Bson) -> Option<bool> {
    match crate::values::to_f64(value) {
        Some(1.0) => Some(false),
        Some(-1.0) => Some(true),
        _ => None,
    }
}

fn parse_sort(value: &Bson) -> CmdResult<Sort> {
    let not_a_direction =
        || CommandError::bad_value("The $sort element value must be either 1 or -1");
    let spec = match value {
        Bson::Document(spec) => spec,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => {
            let descending = direction(value).ok_or_else(not_a_direction)?;
            return Ok(Sort::Whole { descending });
        }
        _ => {
            return Err(CommandError::bad_value(
                "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to \
                 sort embedded fields",
            ))
        }
    };
    if spec.is_empty() {
        return Err(CommandError::bad_value(
            "The $sort pattern is empty when it should be a set of fields.",
        ));
    }
    let mut fields = Vec::with_capacity(spec.len());
    for (field, order) in spec {
        let descending = direction(order).ok_or_else(not_a_direction)?;
        if field.is_empty() {
            return Err(CommandError::bad_value("The $sort field cannot be empty"));
        }
        let path: Vec<String> = crate::path::split(field, Use::Field)?
            .into_iter()
            .map(String::from)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(CommandError::bad_value(format!(
                "The $sort field is a dotted field but has an empty part: {field}"
            )));
        }
        fields.push((path, descending));
    }
    Ok(Sort::Fields(fields))
}

impl Sort {
    fn compare(&self, a: &Bson, b: &Bson) -> Ordering {
        let ordered = |ordering: Ordering, descending: bool| {
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        };
        match self {
            Sort::Whole { descending } => ordered(compare(a, b), *descending),
            Sort::Fields(fields) => fields
                .iter()
                .map(|(path, descending)| {
                    ordered(compare(sort_key(a, path), sort_key(b, path)), *descending)
                })
                .find(|ordering| ordering.is_ne())
                .unwrap_or(Ordering::Equal),
        }
    }
}

/// The value a field sort looks at: missing fields and non-documents sort as null.
fn sort_key<'a>(element: &'a Bson, path: &[String]) -> &'a Bson {
    static NULL: Bson = Bson::Null;
    match element {
        Bson::Document(doc) => match lookup(doc, path) {
            Lookup::Found(value) => value,
            _ => &NULL,
        },
        _ => &NULL,
    }
}

#[cfg(test)]
mod tests {
    use crate::update::tests::{run, run_err};
    use crate::update::Update;
    use bson::{doc, Bson, Document};

    fn push(doc: Document, spec: Document) -> Bson {
        let out = run(
            doc,
            doc! { "$push": { "a": spec.get("v").cloned().unwrap_or(Bson::Null) } },
        )
        .unwrap();
        out.get("a").cloned().unwrap_or(Bson::Null)
    }

    #[test]
    fn push_appends_and_creates() {
        let out = run(
            doc! { "_id": 1, "a": [1], "n": { "list": [] } },
            doc! { "$push": { "a": { "x": 1 }, "n.list": [2], "created": "v" } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "a": [1, { "x": 1 }], "n": { "list": [[2]] }, "created": ["v"] }
        );
    }

    #[test]
    fn push_onto_a_non_array_fails() {
        let (code, message) = run_err(doc! { "_id": 1, "x": "s" }, doc! { "$push": { "x": 1 } });
        assert_eq!(
            (code, message.as_str()),
            (
                2,
                "The field 'x' must be an array but is of type string in document {_id: 1}"
            )
        );
        let (_, message) = run_err(doc! { "a": { "b": 1 } }, doc! { "$push": { "a.b": 1 } });
        assert_eq!(
            message,
            "The field 'a.b' must be an array but is of type int in document {no id}"
        );
    }

    #[test]
    fn position_inserts_from_the_front_or_the_back() {
        let base = doc! { "_id": 1, "a": [1, 2, 3] };
        let at = |position: Bson| {
            push(
                base.clone(),
                doc! { "v": { "$each": [8, 9], "$position": position } },
            )
        };
        assert_eq!(at(Bson::Int32(0)), Bson::from(vec![8, 9, 1, 2, 3]));
        assert_eq!(at(Bson::Int32(1)), Bson::from(vec![1, 8, 9, 2, 3]));
        assert_eq!(at(Bson::Int64(99)), Bson::from(vec![1, 2, 3, 8, 9]));
        assert_eq!(at(Bson::Int32(-1)), Bson::from(vec![1, 2, 8, 9, 3]));
        assert_eq!(at(Bson::Double(-99.0)), Bson::from(vec![8, 9, 1, 2, 3]));
        assert_eq!(at(Bson::Int64(i64::MIN)), Bson::from(vec![8, 9, 1, 2, 3]));
    }

    #[test]
    fn sort_and_slice_follow_the_insert() {
        let base = doc! { "_id": 1, "a": [3, 1] };
        assert_eq!(
            push(base.clone(), doc! { "v": { "$each": [2], "$sort": 1 } }),
            Bson::from(vec![1, 2, 3])
        );
        assert_eq!(
            push(base.clone(), doc! { "v": { "$each": [2], "$sort": -1.0 } }),
            Bson::from(vec![3, 2, 1])
        );
        assert_eq!(
            push(base.clone(), doc! { "v": { "$each": [2], "$slice": 2 } }),
            Bson::from(vec![3, 1])
        );
        assert_eq!(
            push(base.clone(), doc! { "v": { "$each": [2], "$slice": -2 } }),
            Bson::from(vec![1, 2])
        );
        assert_eq!(
            push(base.clone(), doc! { "v": { "$each": [], "$slice": 0 } }),
            Bson::Array(vec![])
        );
        assert_eq!(
            push(base, doc! { "v": { "$each": [], "$slice": i64::MIN } }),
            Bson::from(vec![3, 1])
        );
    }

    #[test]
    fn sort_by_fields_keeps_the_top_scores() {
        let base = doc! { "_id": 1, "a": [{ "n": "x", "s": 5 }, { "n": "y", "s": 9 }] };
        let out = push(
            base,
            doc! { "v": { "$each": [{ "n": "z", "s": 7 }, { "n": "w", "s": 9 }], "$sort": { "s": -1 }, "$slice": 3 } },
        );
        let expected =
            bson::bson!([{ "n": "y", "s": 9 }, { "n": "w", "s": 9 }, { "n": "z", "s": 7 }]);
        assert_eq!(out, expected);

        // Missing fields and non-documents sort as null; dotted fields reach inside.
        let base = doc! { "_id": 1, "a": [{ "p": { "q": 2 } }, 5, { "p": { "q": 1 } }, {}] };
        let out = push(base, doc! { "v": { "$each": [], "$sort": { "p.q": 1 } } });
        assert_eq!(
            out,
            bson::bson!([5, {}, { "p": { "q": 1 } }, { "p": { "q": 2 } }])
        );
    }

    #[test]
    fn sorting_never_panics_on_mixed_precision_numbers() {
        let big = 1_i64 << 53;
        let values: Vec<Bson> = (0..64)
            .map(|i| match i % 3 {
                0 => Bson::Int64(big + i),
                1 => Bson::Double((big + i) as f64),
                _ => Bson::Int64(big - i),
            })
            .collect();
        let out = push(
            doc! { "_id": 1, "a": [] },
            doc! { "v": { "$each": values, "$sort": 1 } },
        );
        assert!(matches!(out, Bson::Array(items) if items.len() == 64));
    }

    #[test]
    fn documents_without_each_are_pushed_as_is() {
        let base = doc! { "_id": 1, "a": [] };
        assert_eq!(
            push(base, doc! { "v": { "$slice": 1 } }),
            bson::bson!([{ "$slice": 1 }])
        );
    }

    #[test]
    fn bad_modifiers_are_refused() {
        for (spec, message) in [
            (doc! { "$each": [1], "$foo": 1 }, "Unrecognized clause in $push: $foo"),
            (doc! { "$each": 1 }, "The argument to $each in $push must be an array but it was of type: int"),
            (doc! { "$each": [], "$slice": "x" }, "The value for $slice must be an integer value but was given type: string"),
            (doc! { "$each": [], "$position": 1.5 }, "The value for $position must be an integer value, not of type: double"),
            (doc! { "$each": [], "$sort": 2 }, "The $sort element value must be either 1 or -1"),
            (doc! { "$each": [], "$sort": { "a": 0 } }, "The $sort element value must be either 1 or -1"),
            (doc! { "$each": [], "$sort": {} }, "The $sort pattern is empty when it should be a set of fields."),
            (doc! { "$each": [], "$sort": { "": 1 } }, "The $sort field cannot be empty"),
            (doc! { "$each": [], "$sort": { "a..b": 1 } }, "The $sort field is a dotted field but has an empty part: a..b"),
            (
                doc! { "$each": [], "$sort": "up" },
                "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields",
            ),
        ] {
            let err = Update::parse(&doc! { "$push": { "a": spec } }).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (2, message));
        }
    }
}
