//! Aggregations over a collection (anything but `$changeStream`): enough for what drivers and
//! shells build on `aggregate`, such as pymongo's `count_documents` and mongosh's
//! `countDocuments` (`$match`, `$skip`, `$limit`, then `$group` by a constant with `$sum`),
//! plus the stages a change stream accepts. Any other stage is refused by name.

use std::cmp::Ordering;

use bson::{doc, Bson, Document};

use crate::aggregate::stages::{stage_spec, Pipeline, PER_DOCUMENT};
use crate::depth;
use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::numeric::{add, int_or_long, is_number};
use crate::expr::Expr;
use crate::values::{compare, get_path, to_i64};

fn unsupported(what: String) -> CommandError {
    CommandError::new(
        115,
        "CommandNotSupported",
        format!(
            "the mwatch playground does not run {what}; its aggregations use {}, $sort, $skip, \
             $limit, $count and $group with $sum",
            PER_DOCUMENT.join(", ")
        ),
    )
}

/// Sorts documents by a sort specification such as `{status: 1, total: -1}`.
pub(crate) fn sort_documents(docs: &mut [&Document], sort: &Document) -> CmdResult<()> {
    let mut keys = Vec::new();
    for (field, direction) in sort {
        let ascending = match to_i64(direction) {
            Some(1) => true,
            Some(-1) => false,
            _ => {
                return Err(CommandError::new(
                    15975,
                    "Location15975",
                    format!("$sort key ordering must be 1 (for ascending) or -1 (for descending), got {direction} for {field}"),
                ))
            }
        };
        crate::path::split(field, crate::path::Use::Field)?;
        keys.push((field.as_str(), ascending));
    }
    if let [("$natural", ascending)] = keys.as_slice() {
        if !ascending {
            docs.reverse();
        }
        return Ok(());
    }
    docs.sort_by(|a, b| {
        keys.iter()
            .map(|(field, ascending)| {
                let (x, y) = (
                    get_path(a, field).unwrap_or(&Bson::Null),
                    get_path(b, field).unwrap_or(&Bson::Null),
                );
                let ord = compare(x, y);
                if *ascending {
                    ord
                } else {
                    ord.reverse()
                }
            })
            .find(|ord| *ord != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    Ok(())
}

/// Runs `stages` over `docs` (a collection's documents in natural order).
pub fn run(mut docs: Vec<Document>, stages: &[Bson]) -> CmdResult<Vec<Document>> {
    for stage in stages {
        let (name, arg) = stage_spec(stage)?;
        docs = match name {
            name if PER_DOCUMENT.contains(&name) => {
                let pipeline = Pipeline::parse(std::slice::from_ref(stage))?;
                let mut out = Vec::with_capacity(docs.len());
                for doc in docs {
                    out.extend(pipeline.apply(doc)?);
                }
                out
            }
            "$sort" => {
                let Bson::Document(spec) = arg else {
                    let message = "the $sort key specification must be an object";
                    return Err(location_error!(15973, message));
                };
                let mut sorted: Vec<&Document> = docs.iter().collect();
                sort_documents(&mut sorted, spec)?;
                sorted.into_iter().cloned().collect()
            }
            "$skip" => docs.into_iter().skip(count(name, arg, 0)?).collect(),
            "$limit" => {
                docs.truncate(count(name, arg, 1)?);
                docs
            }
            "$count" => count_stage(arg, docs.len())?,
            "$group" => group(&docs, arg)?,
            other => return Err(unsupported(format!("{other} in aggregations"))),
        };
    }
    Ok(docs)
}

/// The argument of `$skip` or `$limit`: a whole number of at least `min`.
fn count(stage: &str, arg: &Bson, min: i64) -> CmdResult<usize> {
    match to_i64(arg) {
        Some(n) if n >= min => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => Err(CommandError::bad_value(format!(
            "invalid argument to {stage} stage: expected a whole number of at least {min}, got {arg}"
        ))),
    }
}

fn count_stage(arg: &Bson, n: usize) -> CmdResult<Vec<Document>> {
    match arg {
        // It becomes a field name, which BSON ends with a NUL byte.
        Bson::String(field) if field.contains('\0') => Err(location_error!(
            40159,
            "the count field cannot contain a null byte"
        )),
        Bson::String(field)
            if !field.is_empty() && !field.starts_with('$') && !field.contains('.') =>
        {
            // Like MongoDB, no documents means no result at all (not a count of 0).
            Ok(if n == 0 {
                Vec::new()
            } else {
                vec![doc! { field: int_or_long(n as i64) }]
            })
        }
        _ => Err(location_error!(
            40156,
            "the count field must be a non-empty string, not starting with '$' and without '.'"
        )),
    }
}

/// `$group` with an `_id` expression and `$sum` accumulators, groups in order of first sight.
fn group(docs: &[Document], spec: &Bson) -> CmdResult<Vec<Document>> {
    let Bson::Document(spec) = spec else {
        let message = "a group's fields must be specified in an object";
        return Err(location_error!(15947, message));
    };
    let id = Expr::parse(
        spec.get("_id")
            .ok_or_else(|| location_error!(15955, "a group specification must include an _id"))?,
    )?;
    let mut sums = Vec::new();
    for (field, accumulator) in spec.iter().filter(|(field, _)| *field != "_id") {
        match accumulator {
            Bson::Document(a) if a.len() == 1 && a.contains_key("$sum") => {
                sums.push((field.clone(), Expr::parse(&a["$sum"])?));
            }
            _ => {
                return Err(unsupported(format!(
                    "the accumulator of '{field}' in $group"
                )))
            }
        }
    }
    let mut groups: Vec<(Bson, Vec<Bson>)> = Vec::new();
    for doc in docs {
        let key = id.eval(doc)?.unwrap_or(Bson::Null);
        let at = match groups
            .iter()
            .position(|(k, _)| compare(k, &key) == Ordering::Equal)
        {
            Some(at) => at,
            None => {
                groups.push((key, vec![Bson::Int32(0); sums.len()]));
                groups.len() - 1
            }
        };
        for ((_, expr), total) in sums.iter().zip(groups[at].1.iter_mut()) {
            // $sum skips values that are not numbers, as MongoDB's accumulator does.
            if let Some(value) = expr.eval(doc)?.filter(|v| is_number(Some(v))) {
                let sum = add([Ok(Some(total.clone())), Ok(Some(value))].into_iter())?;
                *total = sum.unwrap_or(Bson::Null);
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, totals)| {
            let mut out = doc! { "_id": key };
            for ((field, _), total) in sums.iter().zip(totals) {
                out.insert(field, total);
            }
            // `_id: "$$ROOT"` nests the input one level deeper, stage after stage.
            depth::check_built(&out)?;
            Ok(out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::bson;

    fn docs() -> Vec<Document> {
        (1..=5)
            .map(|n| doc! { "_id": n, "k": n % 2, "v": n, "f": 0.5 })
            .collect()
    }

    fn stages(value: Bson) -> Vec<Bson> {
        value.as_array().unwrap().clone()
    }

    #[test]
    fn counts_documents_as_drivers_ask() {
        let count = stages(bson!([
            { "$match": { "v": { "$gte": 2 } } },
            { "$skip": 1 },
            { "$limit": 2 },
            { "$group": { "_id": 1, "n": { "$sum": 1 } } },
        ]));
        assert_eq!(run(docs(), &count).unwrap(), [doc! { "_id": 1, "n": 2 }]);
        assert!(run(Vec::new(), &count).unwrap().is_empty());
        assert_eq!(
            run(docs(), &stages(bson!([{ "$count": "total" }]))).unwrap(),
            [doc! { "total": 5 }]
        );
    }

    #[test]
    fn groups_sum_with_mongodb_types_and_sorts() {
        let grouped = run(
            docs(),
            &stages(bson!([
                { "$group": { "_id": "$k", "total": { "$sum": "$v" }, "halves": { "$sum": "$f" }, "none": { "$sum": "$missing" } } },
                { "$sort": { "_id": 1 } },
            ])),
        )
        .unwrap();
        assert_eq!(
            grouped,
            [
                doc! { "_id": 0, "total": 6, "halves": 1.0, "none": 0 },
                doc! { "_id": 1, "total": 9, "halves": 1.5, "none": 0 },
            ]
        );
        let shaped = run(
            docs(),
            &stages(bson!([{ "$sort": { "v": -1 } }, { "$limit": 1 }, { "$project": { "v": 1 } }])),
        )
        .unwrap();
        assert_eq!(shaped, [doc! { "_id": 5, "v": 5 }]);
    }

    #[test]
    fn other_stages_and_accumulators_are_refused_by_name() {
        let error = run(docs(), &stages(bson!([{ "$lookup": {} }]))).unwrap_err();
        assert_eq!(error.code, 115);
        assert!(
            error.message.contains("$lookup in aggregations"),
            "{}",
            error.message
        );
        let error = run(
            docs(),
            &stages(bson!([{ "$group": { "_id": null, "a": { "$avg": "$v" } } }])),
        )
        .unwrap_err();
        assert!(
            error.message.contains("accumulator of 'a'"),
            "{}",
            error.message
        );
        assert_eq!(
            run(docs(), &stages(bson!([{ "$limit": 0 }])))
                .unwrap_err()
                .code,
            2
        );
        assert_eq!(
            run(docs(), &stages(bson!([{ "$count": "$x" }])))
                .unwrap_err()
                .code,
            40156
        );
        // Found by fuzzing: the count's document could not be sent.
        let error = run(docs(), &stages(bson!([{ "$count": "a\0b" }]))).unwrap_err();
        assert_eq!(error.code, 40159);
        assert_eq!(error.message, "the count field cannot contain a null byte");
        // Stage shapes are checked as for change streams (and as MongoDB does).
        assert_eq!(run(docs(), &stages(bson!([1]))).unwrap_err().code, 14);
        assert_eq!(
            run(docs(), &stages(bson!([{ "$match": {}, "$limit": 1 }])))
                .unwrap_err()
                .code,
            40323
        );
    }
}
