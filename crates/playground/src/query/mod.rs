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
use crate::path::Use;
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
                path => Clause::Path(crate::path::split(path, Use::Match)?.into_iter().map(String::from).collect(), parse_condition(value)?),
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
mod tests;
