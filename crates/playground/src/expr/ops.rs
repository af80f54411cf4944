//! Aggregation expression operators: parsing with MongoDB 7.0's argument rules and error
//! codes, and evaluation of the logical and conditional ones. Arithmetic is in
//! `numeric.rs`; strings, arrays, objects and conversions are in `data.rs`.

use std::cmp::Ordering;

use bson::Bson;

use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::data;
use crate::expr::numeric;
use crate::expr::{compare_values, nullish, truthy, type_name_of, Expr, Scope};
use crate::values::type_name;

#[derive(Debug, Clone, Copy)]
pub(super) enum Comparison {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Cmp,
}

#[derive(Debug, Clone)]
pub(super) enum Op {
    Compare(Comparison, Expr, Expr),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Expr),
    Cond(Expr, Expr, Expr),
    IfNull(Vec<Expr>),
    Switch(Vec<(Expr, Expr)>, Option<Expr>),
    In(Expr, Expr),
    Add(Vec<Expr>),
    Subtract(Expr, Expr),
    Multiply(Vec<Expr>),
    Divide(Expr, Expr),
    Mod(Expr, Expr),
    Abs(Expr),
    Concat(Vec<Expr>),
    ToLower(Expr),
    ToUpper(Expr),
    StrLenCP(Expr),
    SubstrCP(Expr, Expr, Expr),
    Size(Expr),
    ArrayElemAt(Expr, Expr),
    IsArray(Expr),
    Type(Expr),
    GetField(String, Expr),
    MergeObjects(Vec<Expr>),
    ObjectToArray(Expr),
    ToString(Expr),
}

impl Op {
    pub(super) fn parse(name: &str, arg: &Bson) -> CmdResult<Op> {
        let compare = |cmp| fixed(name, arg).map(|[a, b]| Op::Compare(cmp, a, b));
        Ok(match name {
            "$eq" => compare(Comparison::Eq)?,
            "$ne" => compare(Comparison::Ne)?,
            "$gt" => compare(Comparison::Gt)?,
            "$gte" => compare(Comparison::Gte)?,
            "$lt" => compare(Comparison::Lt)?,
            "$lte" => compare(Comparison::Lte)?,
            "$cmp" => compare(Comparison::Cmp)?,
            "$and" => Op::And(args(arg)?),
            "$or" => Op::Or(args(arg)?),
            "$not" => fixed(name, arg).map(|[a]| Op::Not(a))?,
            "$cond" => parse_cond(arg)?,
            "$ifNull" => {
                let list = args(arg)?;
                if list.len() < 2 {
                    let message =
                        format!("$ifNull needs at least two arguments, had: {}", list.len());
                    return Err(location_error!(1257300, message));
                }
                Op::IfNull(list)
            }
            "$switch" => parse_switch(arg)?,
            "$in" => fixed(name, arg).map(|[a, b]| Op::In(a, b))?,
            "$add" => Op::Add(args(arg)?),
            "$subtract" => fixed(name, arg).map(|[a, b]| Op::Subtract(a, b))?,
            "$multiply" => Op::Multiply(args(arg)?),
            "$divide" => fixed(name, arg).map(|[a, b]| Op::Divide(a, b))?,
            "$mod" => fixed(name, arg).map(|[a, b]| Op::Mod(a, b))?,
            "$abs" => fixed(name, arg).map(|[a]| Op::Abs(a))?,
            "$concat" => Op::Concat(args(arg)?),
            "$toLower" => fixed(name, arg).map(|[a]| Op::ToLower(a))?,
            "$toUpper" => fixed(name, arg).map(|[a]| Op::ToUpper(a))?,
            "$strLenCP" => fixed(name, arg).map(|[a]| Op::StrLenCP(a))?,
            "$substrCP" => fixed(name, arg).map(|[a, b, c]| Op::SubstrCP(a, b, c))?,
            "$size" => fixed(name, arg).map(|[a]| Op::Size(a))?,
            "$arrayElemAt" => fixed(name, arg).map(|[a, b]| Op::ArrayElemAt(a, b))?,
            "$isArray" => fixed(name, arg).map(|[a]| Op::IsArray(a))?,
            "$type" => fixed(name, arg).map(|[a]| Op::Type(a))?,
            "$getField" => {
                data::parse_get_field(arg).map(|(field, input)| Op::GetField(field, input))?
            }
            "$mergeObjects" => Op::MergeObjects(args(arg)?),
            "$objectToArray" => fixed(name, arg).map(|[a]| Op::ObjectToArray(a))?,
            "$toString" => fixed(name, arg).map(|[a]| Op::ToString(a))?,
            _ => {
                let message = format!("Unrecognized expression '{name}'");
                return Err(CommandError::new(168, "InvalidPipelineOperator", message));
            }
        })
    }

    pub(super) fn eval(&self, scope: &Scope) -> CmdResult<Option<Bson>> {
        let value = |e: &Expr| e.eval_in(scope);
        let found = |v: Bson| Ok(Some(v));
        match self {
            Op::Compare(cmp, a, b) => {
                let ord = compare_values(value(a)?.as_ref(), value(b)?.as_ref());
                found(match cmp {
                    Comparison::Eq => Bson::Boolean(ord == Ordering::Equal),
                    Comparison::Ne => Bson::Boolean(ord != Ordering::Equal),
                    Comparison::Gt => Bson::Boolean(ord == Ordering::Greater),
                    Comparison::Gte => Bson::Boolean(ord != Ordering::Less),
                    Comparison::Lt => Bson::Boolean(ord == Ordering::Less),
                    Comparison::Lte => Bson::Boolean(ord != Ordering::Greater),
                    Comparison::Cmp => Bson::Int32(ord as i32),
                })
            }
            Op::And(list) => {
                for e in list {
                    if !truthy(&value(e)?) {
                        return found(Bson::Boolean(false));
                    }
                }
                found(Bson::Boolean(true))
            }
            Op::Or(list) => {
                for e in list {
                    if truthy(&value(e)?) {
                        return found(Bson::Boolean(true));
                    }
                }
                found(Bson::Boolean(false))
            }
            Op::Not(e) => found(Bson::Boolean(!truthy(&value(e)?))),
            Op::Cond(test, then, otherwise) => value(if truthy(&value(test)?) {
                then
            } else {
                otherwise
            }),
            Op::IfNull(list) => {
                // The last argument is the replacement, returned even if it is null itself.
                let mut last = None;
                for e in list {
                    last = value(e)?;
                    if !nullish(last.as_ref()) {
                        break;
                    }
                }
                Ok(last)
            }
            Op::Switch(branches, default) => {
                for (case, then) in branches {
                    if truthy(&value(case)?) {
                        return value(then);
                    }
                }
                match default {
                    Some(e) => value(e),
                    None => Err(location_error!(
                        40066,
                        "$switch could not find a matching branch for an input, and no default was specified."
                    )),
                }
            }
            Op::In(needle, haystack) => {
                let needle = value(needle)?;
                match value(haystack)? {
                    Some(Bson::Array(items)) => found(Bson::Boolean(items.iter().any(|item| {
                        compare_values(needle.as_ref(), Some(item)) == Ordering::Equal
                    }))),
                    other => {
                        let found_type = type_name_of(other.as_ref());
                        let message = format!(
                            "$in requires an array as a second argument, found: {found_type}"
                        );
                        Err(location_error!(40081, message))
                    }
                }
            }
            Op::Add(list) => numeric::add(list.iter().map(|e| e.eval_in(scope))),
            Op::Subtract(a, b) => numeric::subtract(value(a)?, value(b)?),
            Op::Multiply(list) => numeric::multiply(list.iter().map(|e| e.eval_in(scope))),
            Op::Divide(a, b) => numeric::divide(value(a)?, value(b)?),
            Op::Mod(a, b) => numeric::modulo(value(a)?, value(b)?),
            Op::Abs(e) => numeric::abs(value(e)?),
            Op::Concat(list) => data::concat(list.iter().map(|e| e.eval_in(scope))),
            Op::ToLower(e) => data::change_case(value(e)?, false),
            Op::ToUpper(e) => data::change_case(value(e)?, true),
            Op::StrLenCP(e) => data::str_len_cp(value(e)?),
            Op::SubstrCP(s, start, length) => {
                data::substr_cp(value(s)?, value(start)?, value(length)?)
            }
            Op::Size(e) => data::size(value(e)?),
            Op::ArrayElemAt(array, index) => data::array_elem_at(value(array)?, value(index)?),
            Op::IsArray(e) => found(Bson::Boolean(matches!(value(e)?, Some(Bson::Array(_))))),
            Op::Type(e) => found(Bson::String(type_name_of(value(e)?.as_ref()).to_string())),
            Op::GetField(field, input) => data::get_field(field, value(input)?),
            Op::MergeObjects(list) => data::merge_objects(list.iter().map(|e| e.eval_in(scope))),
            Op::ObjectToArray(e) => data::object_to_array(value(e)?),
            Op::ToString(e) => data::to_string(value(e)?),
        }
    }
}

fn args(arg: &Bson) -> CmdResult<Vec<Expr>> {
    match arg {
        Bson::Array(items) => items.iter().map(Expr::parse).collect(),
        other => Ok(vec![Expr::parse(other)?]),
    }
}

fn fixed<const N: usize>(name: &str, arg: &Bson) -> CmdResult<[Expr; N]> {
    let list = args(arg)?;
    let count = list.len();
    list.try_into().map_err(|_| {
        location_error!(
            16020,
            format!("Expression {name} takes exactly {N} arguments. {count} were passed in.")
        )
    })
}

fn parse_cond(arg: &Bson) -> CmdResult<Op> {
    let Bson::Document(spec) = arg else {
        return fixed("$cond", arg).map(|[a, b, c]| Op::Cond(a, b, c));
    };
    let (mut test, mut then, mut otherwise) = (None, None, None);
    for (key, value) in spec {
        let slot = match key.as_str() {
            "if" => &mut test,
            "then" => &mut then,
            "else" => &mut otherwise,
            _ => {
                return Err(location_error!(
                    17083,
                    format!("Unrecognized parameter to $cond: {key}")
                ))
            }
        };
        *slot = Some(Expr::parse(value)?);
    }
    let test = test.ok_or_else(|| location_error!(17080, "Missing 'if' parameter to $cond"))?;
    let then = then.ok_or_else(|| location_error!(17081, "Missing 'then' parameter to $cond"))?;
    let otherwise =
        otherwise.ok_or_else(|| location_error!(17082, "Missing 'else' parameter to $cond"))?;
    Ok(Op::Cond(test, then, otherwise))
}

fn parse_switch(arg: &Bson) -> CmdResult<Op> {
    let Bson::Document(spec) = arg else {
        let message = format!(
            "$switch requires an object as an argument, found: {}",
            type_name(arg)
        );
        return Err(location_error!(40060, message));
    };
    let (mut branches, mut default) = (Vec::new(), None);
    for (key, value) in spec {
        match (key.as_str(), value) {
            ("branches", Bson::Array(items)) => {
                for item in items {
                    branches.push(parse_branch(item)?);
                }
            }
            ("branches", other) => {
                let message = format!(
                    "$switch expected an array for 'branches', found: {}",
                    type_name(other)
                );
                return Err(location_error!(40061, message));
            }
            ("default", value) => default = Some(Expr::parse(value)?),
            _ => {
                return Err(location_error!(
                    40067,
                    format!("$switch found an unknown argument: {key}")
                ))
            }
        }
    }
    if branches.is_empty() {
        return Err(location_error!(
            40068,
            "$switch requires at least one branch."
        ));
    }
    Ok(Op::Switch(branches, default))
}

fn parse_branch(branch: &Bson) -> CmdResult<(Expr, Expr)> {
    let Bson::Document(spec) = branch else {
        let message = format!(
            "$switch expected each branch to be an object, found: {}",
            type_name(branch)
        );
        return Err(location_error!(40062, message));
    };
    let (mut case, mut then) = (None, None);
    for (key, value) in spec {
        match key.as_str() {
            "case" => case = Some(Expr::parse(value)?),
            "then" => then = Some(Expr::parse(value)?),
            _ => {
                let message = format!("$switch found an unknown argument to a branch: {key}");
                return Err(location_error!(40063, message));
            }
        }
    }
    let case = case.ok_or_else(|| {
        location_error!(
            40064,
            "$switch requires each branch have a 'case' expression"
        )
    })?;
    let then = then.ok_or_else(|| {
        location_error!(
            40065,
            "$switch requires each branch have a 'then' expression."
        )
    })?;
    Ok((case, then))
}

#[cfg(test)]
mod tests {
    use super::CmdResult;
    use crate::expr::Expr;
    use bson::{bson, doc, Bson, Document};

    fn eval(expr: Bson) -> CmdResult<Option<Bson>> {
        let root: Document =
            doc! { "a": 1, "b": 2, "s": "x", "n": null, "arr": [1, 2], "o": { "f": 7 } };
        Expr::parse(&expr)?.eval(&root)
    }

    fn value(expr: Bson) -> Bson {
        eval(expr).unwrap().unwrap()
    }

    fn code(expr: Bson) -> i32 {
        eval(expr).unwrap_err().code
    }

    #[test]
    fn comparisons_use_full_bson_order() {
        assert_eq!(value(bson!({ "$eq": ["$a", 1.0] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$ne": ["$a", "$b"] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$gt": ["$s", 100] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$lte": ["$b", 2] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$cmp": ["$a", "$b"] })), Bson::Int32(-1));
        assert_eq!(value(bson!({ "$cmp": ["$b", "$a"] })), Bson::Int32(1));
        // Missing is not null in aggregation.
        assert_eq!(
            value(bson!({ "$eq": ["$missing", null] })),
            Bson::Boolean(false)
        );
        assert_eq!(
            value(bson!({ "$lt": ["$missing", null] })),
            Bson::Boolean(true)
        );
        assert_eq!(
            value(bson!({ "$eq": ["$missing", "$alsoMissing"] })),
            Bson::Boolean(true)
        );
        assert_eq!(code(bson!({ "$eq": [1] })), 16020);
    }

    #[test]
    fn logic() {
        assert_eq!(
            value(bson!({ "$and": [1, "$s", true] })),
            Bson::Boolean(true)
        );
        assert_eq!(
            value(bson!({ "$and": [1, "$missing"] })),
            Bson::Boolean(false)
        );
        assert_eq!(value(bson!({ "$and": [] })), Bson::Boolean(true));
        assert_eq!(
            value(bson!({ "$or": [0, null, "$a"] })),
            Bson::Boolean(true)
        );
        assert_eq!(value(bson!({ "$or": [] })), Bson::Boolean(false));
        assert_eq!(value(bson!({ "$not": ["$n"] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$not": 1 })), Bson::Boolean(false));
        assert_eq!(code(bson!({ "$not": [1, 2] })), 16020);
    }

    #[test]
    fn cond_both_forms() {
        assert_eq!(
            value(bson!({ "$cond": [{ "$gt": ["$a", 0] }, "pos", "neg"] })),
            Bson::from("pos")
        );
        assert_eq!(
            value(bson!({ "$cond": { "if": "$missing", "then": 1, "else": "$s" } })),
            Bson::from("x")
        );
        assert_eq!(code(bson!({ "$cond": [true, 1] })), 16020);
        assert_eq!(code(bson!({ "$cond": { "then": 1, "else": 2 } })), 17080);
        assert_eq!(code(bson!({ "$cond": { "if": 1, "else": 2 } })), 17081);
        assert_eq!(code(bson!({ "$cond": { "if": 1, "then": 2 } })), 17082);
        assert_eq!(
            code(bson!({ "$cond": { "if": 1, "then": 2, "else": 3, "x": 4 } })),
            17083
        );
    }

    #[test]
    fn if_null() {
        assert_eq!(
            value(bson!({ "$ifNull": ["$n", "$missing", "$a"] })),
            Bson::Int32(1)
        );
        assert_eq!(
            value(bson!({ "$ifNull": ["$s", "other"] })),
            Bson::from("x")
        );
        assert_eq!(
            eval(bson!({ "$ifNull": ["$n", "$missing"] })).unwrap(),
            None
        );
        assert_eq!(code(bson!({ "$ifNull": ["$n"] })), 1257300);
    }

    #[test]
    fn switch() {
        let expr = |default: Option<Bson>| {
            let mut spec = doc! { "branches": [
                { "case": { "$eq": ["$a", 2] }, "then": "two" },
                { "case": { "$eq": ["$a", 1] }, "then": "one" },
            ] };
            if let Some(d) = default {
                spec.insert("default", d);
            }
            bson!({ "$switch": spec })
        };
        assert_eq!(value(expr(None)), Bson::from("one"));
        let no_match = bson!({ "$switch": { "branches": [{ "case": false, "then": 1 }] } });
        assert_eq!(code(no_match), 40066);
        let defaulted =
            bson!({ "$switch": { "branches": [{ "case": false, "then": 1 }], "default": "d" } });
        assert_eq!(value(defaulted), Bson::from("d"));
        assert_eq!(value(expr(Some(Bson::from("unused")))), Bson::from("one"));
        assert_eq!(code(bson!({ "$switch": 1 })), 40060);
        assert_eq!(code(bson!({ "$switch": { "branches": 1 } })), 40061);
        assert_eq!(code(bson!({ "$switch": { "branches": [1] } })), 40062);
        assert_eq!(
            code(bson!({ "$switch": { "branches": [{ "case": 1, "then": 1, "x": 1 }] } })),
            40063
        );
        assert_eq!(
            code(bson!({ "$switch": { "branches": [{ "then": 1 }] } })),
            40064
        );
        assert_eq!(
            code(bson!({ "$switch": { "branches": [{ "case": 1 }] } })),
            40065
        );
        assert_eq!(
            code(bson!({ "$switch": { "branches": [], "other": 1 } })),
            40067
        );
        assert_eq!(code(bson!({ "$switch": { "branches": [] } })), 40068);
    }

    #[test]
    fn in_and_type_checks() {
        assert_eq!(
            value(bson!({ "$in": ["$a", [3, 1.0]] })),
            Bson::Boolean(true)
        );
        assert_eq!(value(bson!({ "$in": ["$a", "$arr"] })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$in": [5, "$arr"] })), Bson::Boolean(false));
        let e = eval(bson!({ "$in": [1, "$missing"] })).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                40081,
                "$in requires an array as a second argument, found: missing"
            )
        );
        assert_eq!(value(bson!({ "$isArray": "$arr" })), Bson::Boolean(true));
        assert_eq!(value(bson!({ "$isArray": ["$s"] })), Bson::Boolean(false));
        assert_eq!(value(bson!({ "$type": "$a" })), Bson::from("int"));
        assert_eq!(value(bson!({ "$type": "$missing" })), Bson::from("missing"));
        assert_eq!(value(bson!({ "$type": [[1]] })), Bson::from("array"));
    }
}
