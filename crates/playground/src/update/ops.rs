//! The update operators: parsing one field's argument, and applying it at
//! one concrete path of a document. `$inc`, `$mul` and `$bit` live in
//! `arith.rs`, `$push` in `push.rs` and the other array operators in
//! `array.rs`.

use std::cmp::Ordering;

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::query::ElementFilter;
use crate::update::arith::{bitwise, increment, multiply, parse_bit, parse_number, BitOp};
use crate::update::array::{
    add_to_set, parse_add_to_set, parse_pop, parse_pull_all, pop, pull, pull_all,
};
use crate::update::path::{
    element_string, enclosing_array, id_string, is_array_filter, lookup, parse_path, unset_at,
    update_at, Lookup,
};
use crate::update::push::{push, Push};
use crate::update::UpdateContext;
use crate::values::{compare, type_name};

/// The operators MongoDB accepts in an update document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Set,
    SetOnInsert,
    Unset,
    Inc,
    Mul,
    Min,
    Max,
    Rename,
    CurrentDate,
    Bit,
    Push,
    AddToSet,
    Pop,
    Pull,
    PullAll,
}

impl Kind {
    pub(super) fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "$set" => Kind::Set,
            "$setOnInsert" => Kind::SetOnInsert,
            "$unset" => Kind::Unset,
            "$inc" => Kind::Inc,
            "$mul" => Kind::Mul,
            "$min" => Kind::Min,
            "$max" => Kind::Max,
            "$rename" => Kind::Rename,
            "$currentDate" => Kind::CurrentDate,
            "$bit" => Kind::Bit,
            "$push" => Kind::Push,
            "$addToSet" => Kind::AddToSet,
            "$pop" => Kind::Pop,
            "$pull" => Kind::Pull,
            "$pullAll" => Kind::PullAll,
            _ => return None,
        })
    }
}

/// One operator applied to one field, its argument validated.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    Set(Bson),
    SetOnInsert(Bson),
    Unset,
    Inc(Bson),
    Mul(Bson),
    Min(Bson),
    Max(Bson),
    /// Lives at the destination path; moves the value found at `from`.
    Rename {
        from: Vec<String>,
    },
    CurrentDate {
        timestamp: bool,
    },
    Bit(Vec<(BitOp, Bson)>),
    Push(Push),
    AddToSet(Vec<Bson>),
    Pop {
        first: bool,
    },
    /// The condition; kept as BSON and parsed where applied, so that this
    /// type relies on nothing of `ElementFilter` but `parse` and `matches`.
    Pull(Bson),
    PullAll(Vec<Bson>),
}

/// Parses `field: value` under operator `kind`. Returns the path the operator
/// applies at (for `$rename`, the destination) and the operation.
pub(super) fn parse_op(
    kind: Kind,
    path: Vec<String>,
    field: &str,
    value: &Bson,
) -> CmdResult<(Vec<String>, Op)> {
    let op = match kind {
        Kind::Set => Op::Set(value.clone()),
        Kind::SetOnInsert => Op::SetOnInsert(value.clone()),
        Kind::Unset => Op::Unset,
        Kind::Inc => Op::Inc(parse_number("$inc", field, value)?),
        Kind::Mul => Op::Mul(parse_number("$mul", field, value)?),
        Kind::Min => Op::Min(value.clone()),
        Kind::Max => Op::Max(value.clone()),
        Kind::Rename => return parse_rename(path, field, value),
        Kind::CurrentDate => parse_current_date(value)?,
        Kind::Bit => Op::Bit(parse_bit(value)?),
        Kind::Push => Op::Push(Push::parse(value)?),
        Kind::AddToSet => Op::AddToSet(parse_add_to_set(value)?),
        Kind::Pop => Op::Pop {
            first: parse_pop(field, value)?,
        },
        Kind::Pull => {
            ElementFilter::parse(value)?;
            Op::Pull(value.clone())
        }
        Kind::PullAll => Op::PullAll(parse_pull_all(value)?),
    };
    Ok((path, op))
}

fn parse_rename(from: Vec<String>, field: &str, value: &Bson) -> CmdResult<(Vec<String>, Op)> {
    let Bson::String(target) = value else {
        return Err(CommandError::bad_value(format!(
            "The 'to' field for $rename must be a string: {}",
            element_string(field, value)
        )));
    };
    // It becomes a field name, which BSON ends with a NUL byte.
    if target.contains('\0') {
        return Err(CommandError::bad_value(
            "The 'to' field for $rename cannot contain an embedded null byte",
        ));
    }
    let to = parse_path(target)?;
    if from == to {
        return Err(CommandError::bad_value(format!(
            "The source and target field for $rename must differ: {}",
            element_string(field, value)
        )));
    }
    if from.starts_with(&to) || to.starts_with(&from) {
        return Err(CommandError::bad_value(format!(
            "The source and target field for $rename must not be on the same path: {}",
            element_string(field, value)
        )));
    }
    let dynamic = |path: &[String]| path.iter().any(|p| p == "$" || is_array_filter(p));
    if dynamic(&from) {
        return Err(CommandError::bad_value(format!(
            "The source field for $rename may not be dynamic: {field}"
        )));
    }
    if dynamic(&to) {
        return Err(CommandError::bad_value(format!(
            "The destination field for $rename may not be dynamic: {target}"
        )));
    }
    Ok((to, Op::Rename { from }))
}

fn parse_current_date(value: &Bson) -> CmdResult<Op> {
    match value {
        // MongoDB takes any boolean, even `false`, to mean a date.
        Bson::Boolean(_) => Ok(Op::CurrentDate { timestamp: false }),
        Bson::Document(spec) => {
            let mut timestamp = None;
            for (key, option) in spec {
                if key != "$type" {
                    return Err(CommandError::bad_value(format!(
                        "Unrecognized $currentDate option: {key}"
                    )));
                }
                timestamp = match option.as_str() {
                    Some("date") => Some(false),
                    Some("timestamp") => Some(true),
                    _ => timestamp,
                };
            }
            timestamp
                .map(|timestamp| Op::CurrentDate { timestamp })
                .ok_or_else(|| {
                    CommandError::bad_value(
                        "The '$type' string field is required to be 'date' or 'timestamp': \
                         {$currentDate: {field : {$type: 'date'}}}",
                    )
                })
        }
        other => Err(CommandError::bad_value(format!(
            "{} is not valid type for $currentDate. Please use a boolean ('true') or a $type \
             expression ({{$type: 'timestamp/date'}}).",
            type_name(other)
        ))),
    }
}

/// Applies `op` at the concrete `path` (no `$[]` left in it).
pub(super) fn apply_op(
    op: &Op,
    doc: &mut Document,
    path: &[String],
    ctx: &UpdateContext,
) -> CmdResult<()> {
    match op {
        Op::Set(value) => update_at(doc, path, |_| Ok(Some(value.clone()))),
        Op::SetOnInsert(value) if ctx.is_insert => {
            update_at(doc, path, |_| Ok(Some(value.clone())))
        }
        Op::SetOnInsert(_) => Ok(()),
        Op::Unset => {
            unset_at(doc, path);
            Ok(())
        }
        Op::Inc(by) => increment(doc, path, by),
        Op::Mul(by) => multiply(doc, path, by),
        Op::Min(arg) => update_at(doc, path, |current| {
            Ok(match current {
                Some(value) if compare(value, arg) != Ordering::Greater => None,
                _ => Some(arg.clone()),
            })
        }),
        Op::Max(arg) => update_at(doc, path, |current| {
            Ok(match current {
                Some(value) if compare(value, arg) != Ordering::Less => None,
                _ => Some(arg.clone()),
            })
        }),
        Op::Rename { from } => rename(doc, from, path),
        Op::CurrentDate { timestamp } => update_at(doc, path, |_| {
            Ok(Some(if *timestamp {
                Bson::Timestamp(ctx.now_ts)
            } else {
                Bson::DateTime(ctx.now)
            }))
        }),
        Op::Bit(ops) => bitwise(doc, path, ops),
        Op::Push(spec) => push(doc, path, spec),
        Op::AddToSet(values) => add_to_set(doc, path, values),
        Op::Pop { first } => pop(doc, path, *first),
        Op::Pull(condition) => pull(doc, path, condition),
        Op::PullAll(values) => pull_all(doc, path, values),
    }
}

/// `$rename`: moves the value at `from` to `to`; a missing source is a no-op.
fn rename(doc: &mut Document, from: &[String], to: &[String]) -> CmdResult<()> {
    let id = id_string(doc.get("_id"));
    let value = match lookup(doc, from) {
        Lookup::Found(value) => value.clone(),
        Lookup::Missing => return Ok(()),
        Lookup::Blocked { part, element } => {
            return Err(CommandError::new(
                28,
                "PathNotViable",
                format!(
                    "cannot use the part ({} of {}) to traverse the element ({{{element}}})",
                    from.get(part).map_or("", String::as_str),
                    from.join(".")
                ),
            ))
        }
    };
    for (path, role) in [(from, "source"), (to, "destination")] {
        if let Some(array) = enclosing_array(doc, path) {
            return Err(CommandError::bad_value(format!(
                "The {role} field cannot be an array element, '{}' in doc with {id} has an array \
                 field called '{array}'",
                path.join(".")
            )));
        }
    }
    update_at(doc, to, |_| Ok(Some(value)))?;
    unset_at(doc, from);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::update::tests::{ctx, run, run_err};
    use crate::update::Update;
    use bson::{doc, Timestamp};

    #[test]
    fn min_and_max_compare_in_bson_order() {
        let out = run(
            doc! { "_id": 1, "lo": 5, "hi": 5, "same": 5, "t": 1 },
            doc! { "$min": { "lo": 3, "same": 5.0, "new": 1 }, "$max": { "hi": 2, "t": "text" } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "lo": 3, "hi": 5, "same": 5, "t": "text", "new": 1 }
        );
    }

    #[test]
    fn rename_moves_values() {
        let out = run(
            doc! { "_id": 1, "a": 1, "b": { "c": 2 }, "keep": 0 },
            doc! { "$rename": { "a": "x", "b.c": "b.d", "nothing": "y" } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "b": { "d": 2 }, "keep": 0, "x": 1 });
        // Onto an existing field: it is overwritten where it is.
        let out = run(
            doc! { "_id": 1, "a": 1, "b": 2, "c": 3 },
            doc! { "$rename": { "c": "a" } },
        )
        .unwrap();
        assert_eq!(out, doc! { "_id": 1, "a": 3, "b": 2 });
        assert_eq!(out.keys().collect::<Vec<_>>(), ["_id", "a", "b"]);
    }

    #[test]
    fn rename_errors_like_mongodb() {
        for (spec, message) in [
            (
                doc! { "$rename": { "a": "a" } },
                "The source and target field for $rename must differ: a: \"a\"",
            ),
            (
                doc! { "$rename": { "a": "a.b" } },
                "The source and target field for $rename must not be on the same path: a: \"a.b\"",
            ),
            (
                doc! { "$rename": { "a": 1 } },
                "The 'to' field for $rename must be a string: a: 1",
            ),
            // Found by fuzzing: the renamed document could not be sent.
            (
                doc! { "$rename": { "a": "x\0y" } },
                "The 'to' field for $rename cannot contain an embedded null byte",
            ),
            (
                doc! { "$rename": { "a.$[]": "b" } },
                "The source field for $rename may not be dynamic: a.$[]",
            ),
            (
                doc! { "$rename": { "a": "b.$" } },
                "The destination field for $rename may not be dynamic: b.$",
            ),
        ] {
            let err = Update::parse(&spec).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (2, message));
        }
        let doc = doc! { "_id": 1, "a": 1, "arr": [{ "x": 1 }], "s": 5 };
        let (code, message) = run_err(doc.clone(), doc! { "$rename": { "arr.0.x": "y" } });
        assert_eq!(
            (code, message.as_str()),
            (2, "The source field cannot be an array element, 'arr.0.x' in doc with _id: 1 has an array field called 'arr'")
        );
        let (code, message) = run_err(doc.clone(), doc! { "$rename": { "a": "arr.0.y" } });
        assert_eq!(
            (code, message.as_str()),
            (2, "The destination field cannot be an array element, 'arr.0.y' in doc with _id: 1 has an array field called 'arr'")
        );
        let (code, message) = run_err(doc.clone(), doc! { "$rename": { "s.t": "y" } });
        assert_eq!(
            (code, message.as_str()),
            (
                28,
                "cannot use the part (t of s.t) to traverse the element ({s: 5})"
            )
        );
        let (code, _) = run_err(doc, doc! { "$rename": { "a": "s.t" } });
        assert_eq!(code, 28);
    }

    #[test]
    fn current_date_uses_the_context_clock() {
        let update = Update::parse(&doc! {
            "$currentDate": { "d": true, "f": false, "t": { "$type": "timestamp" }, "e": { "$type": "date" } }
        })
        .unwrap();
        let now = ctx(false);
        let out = update.apply(&doc! { "_id": 1, "d": 0 }, &now).unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "d": now.now, "e": now.now, "f": now.now, "t": now.now_ts }
        );
        for (spec, message) in [
            (doc! { "x": { "$type": "nope" } }, "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}"),
            (doc! { "x": { "other": 1 } }, "Unrecognized $currentDate option: other"),
            (doc! { "x": "now" }, "string is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'})."),
        ] {
            let err = Update::parse(&doc! { "$currentDate": spec }).unwrap_err();
            assert_eq!((err.code, err.message.as_str()), (2, message));
        }
        assert_ne!(
            now.now_ts,
            Timestamp {
                time: 0,
                increment: 0
            }
        );
    }
}
