//! Query filters, as find, update, delete, `$match` and the public `Filter` (`filter.rs`) use
//! them: compiled once by `Filter::parse`, then matched against documents. This file owns parsing,
//! the logical clauses and path traversal (array fan-out, numeric indexes); `pred.rs` the field
//! predicates and MongoDB's array, null/missing and type-bracketing rules; `pattern.rs` regexes
//! and their options.

mod pattern;
mod pred;

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::expr::{truthy, Expr};
use crate::query::pattern::{parse_regex, regex_literal};
use crate::query::pred::{parse_in, parse_mod, parse_size, parse_types, CmpOp, Pred};
use crate::values::values_equal;

/// A compiled query filter; its clauses must all match.
#[derive(Debug, Clone)]
pub struct Filter {
    clauses: Vec<Clause>,
}

#[derive(Debug, Clone)]
enum Clause {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Nor(Vec<Filter>),
    Expr(Expr),
    /// A dotted path and the predicates its values must satisfy (each on its own).
    Path(Vec<String>, Vec<Pred>),
}

/// The condition of `$elemMatch` and of the update operator `$pull`, applied to one element.
#[derive(Debug, Clone)]
pub struct ElementFilter(ElementKind);

#[derive(Debug, Clone)]
enum ElementKind {
    /// `{$gte: 6}`: operators applied to the element itself.
    Operators(Vec<Pred>),
    /// `{sku: "x"}`: a query on an element that is a document.
    Query(Filter),
    /// Anything else: equality.
    Equals(Bson),
}

/// Field operators MongoDB has that this server does not implement.
fn is_unsupported(op: &str) -> bool {
    matches!(
        op,
        "$geoWithin" | "$geoIntersects" | "$near" | "$nearSphere" | "$within" | "$text"
    ) || op.starts_with("$bits")
}

/// Top-level operators MongoDB has that this server does not implement.
const UNSUPPORTED_TOP_LEVEL: [&str; 5] = [
    "$where",
    "$text",
    "$jsonSchema",
    "$alwaysTrue",
    "$alwaysFalse",
];

impl Filter {
    pub fn parse(filter: &Document) -> CmdResult<Filter> {
        let mut clauses = Vec::with_capacity(filter.len());
        for (key, value) in filter {
            clauses.push(match key.as_str() {
                "$and" => Clause::And(parse_list(value)?),
                "$or" => Clause::Or(parse_list(value)?),
                "$nor" => Clause::Nor(parse_list(value)?),
                "$expr" => Clause::Expr(Expr::parse(value)?),
                "$comment" => continue,
                op if UNSUPPORTED_TOP_LEVEL.contains(&op) => {
                    return Err(CommandError::bad_value(format!("{op} is not supported")));
                }
                op if op.starts_with('$') => {
                    return Err(CommandError::bad_value(format!(
                        "unknown top level operator: {op}. If you have a field name that starts with a '$' \
                         symbol, consider using $getField or $setField."
                    )));
                }
                path => Clause::Path(path.split('.').map(String::from).collect(), parse_condition(value)?),
            });
        }
        Ok(Filter { clauses })
    }

    pub fn matches(&self, doc: &Document) -> bool {
        self.clauses.iter().all(|clause| clause.matches(doc))
    }
}

impl Clause {
    fn matches(&self, doc: &Document) -> bool {
        match self {
            Clause::And(filters) => filters.iter().all(|f| f.matches(doc)),
            Clause::Or(filters) => filters.iter().any(|f| f.matches(doc)),
            Clause::Nor(filters) => !filters.iter().any(|f| f.matches(doc)),
            // An expression that fails to evaluate (say `$add` of a string) matches nothing.
            Clause::Expr(expr) => expr.eval(doc).is_ok_and(|value| truthy(&value)),
            Clause::Path(parts, preds) => {
                let mut found = Vec::new();
                collect(doc, parts, &mut found);
                preds.iter().all(|pred| pred.matches(&found))
            }
        }
    }
}

impl ElementFilter {
    pub fn parse(cond: &Bson) -> CmdResult<ElementFilter> {
        Ok(ElementFilter(match cond {
            // `$and`/`$or`/... and `$expr` apply to documents, so they make a query.
            Bson::Document(d)
                if is_operator_document(d) && !d.keys().next().is_some_and(|k| is_pathless(k)) =>
            {
                ElementKind::Operators(parse_operators(d)?)
            }
            Bson::Document(d) => ElementKind::Query(Filter::parse(d)?),
            Bson::RegularExpression(r) => ElementKind::Operators(vec![regex_literal(r)?]),
            other => ElementKind::Equals(other.clone()),
        }))
    }

    pub fn matches(&self, value: &Bson) -> bool {
        match &self.0 {
            ElementKind::Operators(preds) => preds.iter().all(|pred| pred.matches_value(value)),
            ElementKind::Query(filter) => matches!(value, Bson::Document(d) if filter.matches(d)),
            ElementKind::Equals(expected) => values_equal(expected, value),
        }
    }
}

/// Collects what a dotted path reaches: sub-documents are entered, arrays fan out over their
/// document elements, and a numeric part also indexes the array. `None` marks a place where
/// the field is missing (which equality with null matches).
fn collect<'a>(doc: &'a Document, parts: &[String], found: &mut Vec<Option<&'a Bson>>) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    match doc.get(first) {
        Some(value) => collect_value(value, rest, found),
        None => found.push(None),
    }
}

fn collect_value<'a>(value: &'a Bson, rest: &[String], found: &mut Vec<Option<&'a Bson>>) {
    let Some((next, after)) = rest.split_first() else {
        found.push(Some(value));
        return;
    };
    match value {
        Bson::Document(d) => collect(d, rest, found),
        Bson::Array(items) => {
            let index = array_index(next);
            for (i, item) in items.iter().enumerate() {
                if index == Some(i) {
                    collect_value(item, after, found);
                } else if let Bson::Document(d) = item {
                    collect(d, rest, found);
                }
            }
        }
        _ => found.push(None),
    }
}

/// A path part that can index an array: digits only, without leading zeros.
fn array_index(part: &str) -> Option<usize> {
    let canonical = !part.is_empty()
        && part.bytes().all(|b| b.is_ascii_digit())
        && (part == "0" || !part.starts_with('0'));
    canonical.then(|| part.parse().ok()).flatten()
}

fn parse_list(value: &Bson) -> CmdResult<Vec<Filter>> {
    match value {
        Bson::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Bson::Document(d) => Filter::parse(d),
                _ => Err(CommandError::bad_value(
                    "$or/$and/$nor entries need to be full objects",
                )),
            })
            .collect(),
        _ => Err(CommandError::bad_value(
            "$and/$or/$nor must be a nonempty array",
        )),
    }
}

/// A field's condition: an operator document, a regex, or a value to equal.
fn parse_condition(value: &Bson) -> CmdResult<Vec<Pred>> {
    match value {
        Bson::Document(d) if is_operator_document(d) => parse_operators(d),
        Bson::RegularExpression(r) => Ok(vec![regex_literal(r)?]),
        other => Ok(vec![Pred::Cmp(CmpOp::Eq, other.clone())]),
    }
}

/// As MongoDB decides: by the first key; DBRefs (`{$ref, $id}`) are values.
pub(super) fn is_operator_document(d: &Document) -> bool {
    d.keys()
        .next()
        .is_some_and(|k| k.starts_with('$') && !matches!(k.as_str(), "$ref" | "$id" | "$db"))
}

fn is_pathless(op: &str) -> bool {
    matches!(
        op,
        "$and" | "$or" | "$nor" | "$expr" | "$where" | "$text" | "$comment" | "$jsonSchema"
    )
}

fn parse_operators(d: &Document) -> CmdResult<Vec<Pred>> {
    let mut preds = Vec::with_capacity(d.len());
    for (op, arg) in d {
        let cmp = |cmp_op| Pred::Cmp(cmp_op, arg.clone());
        preds.push(match op.as_str() {
            "$eq" => cmp(CmpOp::Eq),
            "$ne" if matches!(arg, Bson::RegularExpression(_)) => {
                return Err(CommandError::bad_value("Can't have regex as arg to $ne."));
            }
            "$ne" => Pred::Not(vec![cmp(CmpOp::Eq)]),
            "$gt" => cmp(CmpOp::Gt),
            "$gte" => cmp(CmpOp::Gte),
            "$lt" => cmp(CmpOp::Lt),
            "$lte" => cmp(CmpOp::Lte),
            "$in" => parse_in(op, arg)?,
            "$nin" => Pred::Not(vec![parse_in(op, arg)?]),
            "$exists" if truthy(&Some(arg.clone())) => Pred::Exists,
            "$exists" => Pred::Not(vec![Pred::Exists]),
            "$regex" => parse_regex(arg, d.get("$options"))?,
            "$options" if d.contains_key("$regex") => continue,
            "$options" => return Err(CommandError::bad_value("$options needs a $regex")),
            "$not" => Pred::Not(parse_not(arg)?),
            "$elemMatch" if matches!(arg, Bson::Document(_)) => {
                Pred::ElemMatch(Box::new(ElementFilter::parse(arg)?))
            }
            "$elemMatch" => return Err(CommandError::bad_value("$elemMatch needs an Object")),
            "$all" => parse_all(arg)?,
            "$size" => parse_size(arg)?,
            "$type" => parse_types(arg)?,
            "$mod" => parse_mod(arg)?,
            op if is_unsupported(op) => {
                return Err(CommandError::bad_value(format!("{op} is not supported")));
            }
            op => return Err(CommandError::bad_value(format!("unknown operator: {op}"))),
        });
    }
    Ok(preds)
}

fn parse_not(arg: &Bson) -> CmdResult<Vec<Pred>> {
    match arg {
        Bson::RegularExpression(r) => Ok(vec![regex_literal(r)?]),
        Bson::Document(d) if d.is_empty() => Err(CommandError::bad_value("$not cannot be empty")),
        // A document without operators fails here with "unknown operator", as in MongoDB.
        Bson::Document(d) => parse_operators(d),
        _ => Err(CommandError::bad_value("$not needs a regex or a document")),
    }
}

/// `$all`: values (or regexes) that must all be matched, or `$elemMatch` conditions.
fn parse_all(arg: &Bson) -> CmdResult<Pred> {
    let Bson::Array(items) = arg else {
        return Err(CommandError::bad_value("$all needs an array"));
    };
    let is_elem_match = |item: &Bson| matches!(item, Bson::Document(d) if d.keys().next().is_some_and(|k| k == "$elemMatch"));
    let elem_match_mode = items.first().is_some_and(is_elem_match);
    let mut preds = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Bson::Document(d) if elem_match_mode && is_elem_match(item) => {
                preds.extend(parse_operators(d)?)
            }
            _ if elem_match_mode => {
                return Err(CommandError::bad_value(
                    "$all/$elemMatch has to be consistent",
                ))
            }
            Bson::RegularExpression(r) => preds.push(regex_literal(r)?),
            Bson::Document(d) if is_operator_document(d) => {
                return Err(CommandError::bad_value("no $ expressions in $all"));
            }
            other => preds.push(Pred::Cmp(CmpOp::Eq, other.clone())),
        }
    }
    Ok(Pred::All(preds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc, Regex as BsonRegex};

    fn matches(filter: Document, doc: Document) -> bool {
        Filter::parse(&filter).unwrap().matches(&doc)
    }

    fn error(filter: Document) -> (i32, String) {
        let e = Filter::parse(&filter).unwrap_err();
        (e.code, e.message)
    }

    fn regex(pattern: &str, options: &str) -> Bson {
        Bson::RegularExpression(BsonRegex {
            pattern: pattern.into(),
            options: options.into(),
        })
    }

    #[test]
    fn equality_and_arrays() {
        assert!(matches(doc! { "a": 1 }, doc! { "a": 1.0 }));
        assert!(!matches(doc! { "a": 1 }, doc! { "a": "1" }));
        assert!(matches(doc! { "a": 2 }, doc! { "a": [1, 2] }));
        assert!(matches(doc! { "a": [1, 2] }, doc! { "a": [1, 2] }));
        assert!(matches(doc! { "a": [1, 2] }, doc! { "a": [[1, 2], 3] }));
        assert!(!matches(doc! { "a": [2, 1] }, doc! { "a": [1, 2] }));
        assert!(matches(doc! { "a": { "b": 1 } }, doc! { "a": { "b": 1 } }));
        assert!(!matches(
            doc! { "a": { "b": 1 } },
            doc! { "a": { "b": 1, "c": 2 } }
        ));
        assert!(matches(doc! {}, doc! { "x": 1 }));
        assert!(matches(doc! { "a": 1, "b": 2 }, doc! { "a": 1, "b": 2 }));
        assert!(!matches(doc! { "a": 1, "b": 3 }, doc! { "a": 1, "b": 2 }));
    }

    #[test]
    fn null_matches_missing() {
        assert!(matches(doc! { "a": null }, doc! {}));
        assert!(matches(doc! { "a": null }, doc! { "a": null }));
        assert!(!matches(doc! { "a": null }, doc! { "a": 0 }));
        assert!(!matches(doc! { "a": null }, doc! { "a": [] }));
        assert!(matches(doc! { "a": { "$ne": null } }, doc! { "a": 0 }));
        assert!(!matches(doc! { "a": { "$ne": null } }, doc! {}));
        assert!(matches(doc! { "a": { "$in": [null, 5] } }, doc! {}));
        assert!(matches(doc! { "a": { "$gte": null } }, doc! {}));
        assert!(!matches(doc! { "a": { "$gt": null } }, doc! {}));
        // The cases of MongoDB's jstests/core/null2.js.
        for (doc, expected) in [
            (doc! { "a": [{ "b": 5 }] }, false),
            (doc! { "a": [{}] }, true),
            (doc! { "a": [] }, false),
            (doc! { "a": [{}, { "b": 5 }] }, true),
            (doc! { "a": [5, { "b": 5 }] }, false),
        ] {
            assert_eq!(
                matches(doc! { "a.b": null }, doc.clone()),
                expected,
                "{doc}"
            );
            assert_eq!(
                matches(doc! { "a.b": { "$in": [null] } }, doc.clone()),
                expected,
                "{doc}"
            );
        }
        assert!(matches(doc! { "a.b": null }, doc! { "a": 5 }));
    }

    #[test]
    fn dotted_paths_fan_out_and_index() {
        let d = doc! { "items": [{ "sku": "a", "qty": 1 }, { "sku": "b", "qty": 5 }], "m": { "n": { "o": 3 } } };
        assert!(matches(doc! { "items.sku": "b" }, d.clone()));
        assert!(!matches(doc! { "items.sku": "c" }, d.clone()));
        assert!(matches(doc! { "items.qty": { "$gt": 4 } }, d.clone()));
        assert!(matches(doc! { "items.1.sku": "b" }, d.clone()));
        assert!(!matches(doc! { "items.0.sku": "b" }, d.clone()));
        assert!(matches(doc! { "m.n.o": 3 }, d.clone()));
        assert!(matches(doc! { "a.1": 5 }, doc! { "a": [4, 5] }));
        assert!(matches(doc! { "a.0": 7 }, doc! { "a": { "0": 7 } }));
        assert!(matches(
            doc! { "a.b.c": 1 },
            doc! { "a": [{ "b": [{ "c": 0 }, { "c": 1 }] }] }
        ));
        assert!(!matches(doc! { "a.b": 1 }, doc! { "a": [[{ "b": 1 }]] }));
        assert!(matches(
            doc! { "a.5": { "$exists": false } },
            doc! { "a": [1] }
        ));
    }

    #[test]
    fn comparisons_are_type_bracketed() {
        assert!(matches(doc! { "a": { "$gt": 5 } }, doc! { "a": 6 }));
        assert!(!matches(doc! { "a": { "$gt": 5 } }, doc! { "a": "abc" }));
        assert!(matches(
            doc! { "a": { "$gt": 5, "$lt": 10 } },
            doc! { "a": [1, 20] }
        ));
        assert!(matches(doc! { "a": { "$lte": "b" } }, doc! { "a": "a" }));
        assert!(matches(doc! { "a": { "$lt": 3 } }, doc! { "a": [5, 2] }));
        assert!(!matches(doc! { "a": { "$lt": 3 } }, doc! { "a": [] }));
    }

    #[test]
    fn in_nin_ne() {
        assert!(matches(doc! { "a": { "$in": [1, 2] } }, doc! { "a": 2 }));
        assert!(matches(
            doc! { "a": { "$in": [1, 2] } },
            doc! { "a": [3, 2] }
        ));
        assert!(matches(
            doc! { "a": { "$in": [regex("^x", "")] } },
            doc! { "a": "xyz" }
        ));
        assert!(!matches(
            doc! { "a": { "$nin": [1, 2] } },
            doc! { "a": [3, 2] }
        ));
        assert!(matches(doc! { "a": { "$nin": [1, 2] } }, doc! {}));
        assert!(matches(doc! { "a": { "$ne": 1 } }, doc! { "a": [2, 3] }));
        assert!(!matches(doc! { "a": { "$ne": 1 } }, doc! { "a": [1, 3] }));
        assert_eq!(
            error(doc! { "a": { "$in": 1 } }),
            (2, "$in needs an array".into())
        );
        assert_eq!(
            error(doc! { "a": { "$nin": {} } }),
            (2, "$nin needs an array".into())
        );
        assert_eq!(error(doc! { "a": { "$in": [{ "$gt": 1 }] } }).0, 2);
    }

    #[test]
    fn exists() {
        assert!(matches(
            doc! { "a": { "$exists": true } },
            doc! { "a": null }
        ));
        assert!(!matches(doc! { "a": { "$exists": 1 } }, doc! {}));
        assert!(matches(doc! { "a": { "$exists": false } }, doc! { "b": 1 }));
        assert!(matches(
            doc! { "a.b": { "$exists": false } },
            doc! { "a": [1, 2] }
        ));
        assert!(!matches(
            doc! { "a.b": { "$exists": false } },
            doc! { "a": [{ "b": 1 }, {}] }
        ));
    }

    #[test]
    fn logical_operators() {
        let d = doc! { "a": 1, "b": 2 };
        assert!(matches(
            doc! { "$and": [{ "a": 1 }, { "b": 2 }] },
            d.clone()
        ));
        assert!(matches(doc! { "$or": [{ "a": 5 }, { "b": 2 }] }, d.clone()));
        assert!(!matches(
            doc! { "$nor": [{ "a": 5 }, { "b": 2 }] },
            d.clone()
        ));
        assert!(matches(doc! { "$nor": [{ "a": 5 }] }, d.clone()));
        assert!(matches(doc! { "a": { "$not": { "$gt": 5 } } }, d.clone()));
        assert!(matches(doc! { "z": { "$not": { "$gt": 5 } } }, d.clone()));
        assert!(!matches(
            doc! { "s": { "$not": regex("^a", "") } },
            doc! { "s": "abc" }
        ));
        assert!(matches(doc! { "$comment": "why", "a": 1 }, d.clone()));
        for bad in [doc! { "$and": [] }, doc! { "$or": 1 }, doc! { "$nor": {} }] {
            assert_eq!(
                error(bad),
                (2, "$and/$or/$nor must be a nonempty array".into())
            );
        }
        assert_eq!(
            error(doc! { "$or": [1] }),
            (2, "$or/$and/$nor entries need to be full objects".into())
        );
        assert_eq!(
            error(doc! { "a": { "$not": 5 } }),
            (2, "$not needs a regex or a document".into())
        );
        assert_eq!(error(doc! { "a": { "$not": {} } }).0, 2);
        assert_eq!(
            error(doc! { "a": { "$not": { "b": 1 } } }),
            (2, "unknown operator: b".into())
        );
    }

    #[test]
    fn elem_match_all_size_type_mod() {
        let d = doc! { "scores": [3, 8], "items": [{ "sku": "a", "qty": 1 }, { "sku": "b", "qty": 5 }], "t": [1, "x"] };
        assert!(matches(
            doc! { "scores": { "$elemMatch": { "$gte": 6, "$lt": 9 } } },
            d.clone()
        ));
        assert!(!matches(
            doc! { "scores": { "$elemMatch": { "$gt": 3, "$lt": 8 } } },
            d.clone()
        ));
        assert!(matches(
            doc! { "items": { "$elemMatch": { "sku": "b", "qty": { "$gt": 2 } } } },
            d.clone()
        ));
        assert!(!matches(
            doc! { "items": { "$elemMatch": { "sku": "a", "qty": { "$gt": 2 } } } },
            d.clone()
        ));
        assert!(matches(
            doc! { "items": { "$elemMatch": { "$or": [{ "qty": 5 }, { "qty": 9 }] } } },
            d.clone()
        ));
        assert!(!matches(doc! { "scores": { "$elemMatch": {} } }, d.clone()));
        assert!(matches(doc! { "scores": { "$all": [8, 3] } }, d.clone()));
        assert!(!matches(doc! { "scores": { "$all": [8, 4] } }, d.clone()));
        assert!(!matches(doc! { "scores": { "$all": [] } }, d.clone()));
        assert!(matches(
            doc! { "items": { "$all": [{ "$elemMatch": { "qty": 1 } }, { "$elemMatch": { "qty": 5 } }] } },
            d.clone()
        ));
        assert!(matches(doc! { "scores": { "$size": 2 } }, d.clone()));
        assert!(!matches(doc! { "items.sku": { "$size": 2 } }, d.clone()));
        assert!(matches(doc! { "t": { "$type": "string" } }, d.clone()));
        assert!(matches(doc! { "t": { "$type": "array" } }, d.clone()));
        assert!(matches(doc! { "scores": { "$type": "number" } }, d.clone()));
        assert!(matches(doc! { "scores": { "$mod": [4, 0] } }, d.clone()));
        assert_eq!(
            error(doc! { "a": { "$elemMatch": 1 } }),
            (2, "$elemMatch needs an Object".into())
        );
        assert_eq!(
            error(doc! { "a": { "$all": 1 } }),
            (2, "$all needs an array".into())
        );
        assert_eq!(
            error(doc! { "a": { "$all": [{ "$elemMatch": {} }, 1] } }).0,
            2
        );
        assert_eq!(error(doc! { "a": { "$all": [{ "$gt": 1 }] } }).0, 2);
    }

    #[test]
    fn expr_clause() {
        assert!(matches(
            doc! { "$expr": { "$gt": ["$a", "$b"] } },
            doc! { "a": 3, "b": 2 }
        ));
        assert!(!matches(
            doc! { "$expr": { "$gt": ["$a", "$b"] } },
            doc! { "a": 1, "b": 2 }
        ));
        assert!(!matches(
            doc! { "$expr": { "$add": ["$a", "x"] } },
            doc! { "a": 1 }
        ));
        assert_eq!(error(doc! { "$expr": { "$bogus": 1 } }).0, 168);
    }

    #[test]
    fn unknown_operators() {
        assert_eq!(
            error(doc! { "a": { "$foo": 1 } }),
            (2, "unknown operator: $foo".into())
        );
        let (code, message) = error(doc! { "$foo": 1 });
        assert_eq!(code, 2);
        assert!(
            message.starts_with("unknown top level operator: $foo"),
            "{message}"
        );
        assert_eq!(error(doc! { "a": { "$near": [0, 0] } }).0, 2);
        assert_eq!(error(doc! { "$where": "true" }).0, 2);
        // A DBRef is a value, not an operator document.
        assert!(matches(
            doc! { "r": { "$ref": "c", "$id": 1 } },
            doc! { "r": { "$ref": "c", "$id": 1 } }
        ));
    }

    #[test]
    fn element_filters_for_pull_and_elem_match() {
        let ops = ElementFilter::parse(&bson!({ "$gte": 6 })).unwrap();
        assert!(ops.matches(&Bson::Int32(7)) && !ops.matches(&Bson::Int32(5)));
        assert!(!ops.matches(&bson!([7])));
        let query = ElementFilter::parse(&bson!({ "sku": "a" })).unwrap();
        assert!(query.matches(&bson!({ "sku": "a", "qty": 2 })));
        assert!(!query.matches(&Bson::from("a")));
        let equal = ElementFilter::parse(&bson!([1, 2])).unwrap();
        assert!(equal.matches(&bson!([1, 2])) && !equal.matches(&Bson::Int32(1)));
        assert!(ElementFilter::parse(&regex("^a", ""))
            .unwrap()
            .matches(&Bson::from("abc")));
        assert!(ElementFilter::parse(&bson!({ "$in": [1, 2] }))
            .unwrap()
            .matches(&Bson::Int32(2)));
        assert_eq!(
            ElementFilter::parse(&bson!({ "$foo": 1 }))
                .unwrap_err()
                .code,
            2
        );
    }
}
