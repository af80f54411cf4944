//! The predicates of a query filter (`$gt`, `$in`, `$regex`, `$type`, ...) and how they match
//! the values a path reaches: MongoDB's array expansion, null/missing rules and type
//! bracketing.

use std::cmp::Ordering;

use bson::Bson;

use crate::error::{CmdResult, CommandError};
use crate::query::pattern::{regex_literal, MatchRegex};
use crate::query::{is_operator_document, ElementFilter};
use crate::values::{compare, to_f64, type_name, type_order};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CmpOp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone)]
pub(super) enum Pred {
    Cmp(CmpOp, Bson),
    Regex(MatchRegex),
    /// `$in`: values and regexes.
    In(Vec<Pred>),
    Exists,
    /// `$type`: aliases as `values::type_name` spells them, or "number".
    Type(Vec<&'static str>),
    Mod(i64, i64),
    Size(i64),
    ElemMatch(Box<ElementFilter>),
    /// `$all`: every predicate must match.
    All(Vec<Pred>),
    /// `$ne`, `$nin`, `$not`, `$exists: false`: none of the predicates may match together.
    Not(Vec<Pred>),
}

impl Pred {
    /// Matches the values a path found (`None` for a place where the field is missing).
    pub(super) fn matches(&self, found: &[Option<&Bson>]) -> bool {
        match self {
            Pred::Not(preds) => !preds.iter().all(|p| p.matches(found)),
            Pred::Exists => found.iter().any(Option::is_some),
            Pred::All(preds) => !preds.is_empty() && preds.iter().all(|p| p.matches(found)),
            // These look at the array itself, never at its elements.
            Pred::Size(_) | Pred::ElemMatch(_) => {
                found.iter().flatten().any(|v| self.matches_value(v))
            }
            _ => found.iter().any(|value| match value {
                None => self.matches_missing(),
                // An array matches if it matches as a whole or any element does.
                Some(array @ Bson::Array(items)) => {
                    self.matches_value(array) || items.iter().any(|item| self.matches_value(item))
                }
                Some(v) => self.matches_value(v),
            }),
        }
    }

    /// Matches one value as it is, without looking into arrays (as `$elemMatch` does).
    pub(super) fn matches_value(&self, value: &Bson) -> bool {
        match self {
            Pred::Cmp(op, operand) => compare_bracketed(*op, value, operand),
            Pred::Regex(regex) => regex.matches(value),
            Pred::In(items) => items.iter().any(|p| p.matches_value(value)),
            Pred::Exists => true,
            Pred::Type(names) => names.iter().any(|name| has_type(name, value)),
            Pred::Mod(divisor, remainder) => match value {
                Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => {
                    let x = to_f64(value).unwrap_or(f64::NAN);
                    let n = match value {
                        Bson::Int64(n) => *n,
                        _ if x.is_finite() => x as i64,
                        _ => return false,
                    };
                    n.wrapping_rem(*divisor) == *remainder
                }
                _ => false,
            },
            Pred::Size(n) => {
                matches!(value, Bson::Array(items) if i64::try_from(items.len()) == Ok(*n))
            }
            Pred::ElemMatch(filter) => {
                matches!(value, Bson::Array(items) if items.iter().any(|i| filter.matches(i)))
            }
            Pred::All(preds) => !preds.is_empty() && preds.iter().all(|p| p.matches_value(value)),
            Pred::Not(preds) => !preds.iter().all(|p| p.matches_value(value)),
        }
    }

    /// A missing field equals null: `{a: null}`, `{a: {$gte: null}}` and `{a: {$in: [null]}}`
    /// match documents without `a`.
    fn matches_missing(&self) -> bool {
        match self {
            Pred::Cmp(CmpOp::Eq | CmpOp::Gte | CmpOp::Lte, Bson::Null) => true,
            Pred::In(items) => items.iter().any(|p| p.matches_missing()),
            _ => false,
        }
    }
}

/// Query comparisons only compare values of the same canonical type ($gt: 5 never matches a
/// string), except against MinKey and MaxKey.
fn compare_bracketed(op: CmpOp, value: &Bson, operand: &Bson) -> bool {
    let nan = |v: &Bson| {
        matches!(v, Bson::Double(_) | Bson::Decimal128(_)) && to_f64(v).is_some_and(f64::is_nan)
    };
    if type_order(value) == 3 && type_order(operand) == 3 && (nan(value) || nan(operand)) {
        // NaN equals only NaN and is neither less nor greater than any number.
        return matches!(op, CmpOp::Eq | CmpOp::Gte | CmpOp::Lte) && nan(value) && nan(operand);
    }
    if type_order(value) != type_order(operand) && !matches!(operand, Bson::MinKey | Bson::MaxKey) {
        return false;
    }
    let ord = compare(value, operand);
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Gte => ord != Ordering::Less,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Lte => ord != Ordering::Greater,
    }
}

/// `$in`/`$nin` lists: values to equal and regexes to match.
pub(super) fn parse_in(op: &str, arg: &Bson) -> CmdResult<Pred> {
    let Bson::Array(items) = arg else {
        return Err(CommandError::bad_value(format!("{op} needs an array")));
    };
    let items = items.iter().map(|item| match item {
        Bson::RegularExpression(r) => regex_literal(r),
        Bson::Document(d) if is_operator_document(d) => {
            Err(CommandError::bad_value(format!("cannot nest $ under {op}")))
        }
        other => Ok(Pred::Cmp(CmpOp::Eq, other.clone())),
    });
    Ok(Pred::In(items.collect::<CmdResult<_>>()?))
}

const TYPE_CODES: [(&str, i64); 21] = [
    ("double", 1),
    ("string", 2),
    ("object", 3),
    ("array", 4),
    ("binData", 5),
    ("undefined", 6),
    ("objectId", 7),
    ("bool", 8),
    ("date", 9),
    ("null", 10),
    ("regex", 11),
    ("dbPointer", 12),
    ("javascript", 13),
    ("symbol", 14),
    ("javascriptWithScope", 15),
    ("int", 16),
    ("timestamp", 17),
    ("long", 18),
    ("decimal", 19),
    ("minKey", -1),
    ("maxKey", 127),
];

fn has_type(name: &str, value: &Bson) -> bool {
    if name == "number" {
        type_order(value) == 3
    } else {
        type_name(value) == name
    }
}

/// `$type`: an alias, a numeric code, or an array of them.
pub(super) fn parse_types(arg: &Bson) -> CmdResult<Pred> {
    let specs = match arg {
        Bson::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    if specs.is_empty() {
        return Err(CommandError::bad_value(
            "$type must match at least one type",
        ));
    }
    let mut names = Vec::with_capacity(specs.len());
    for spec in specs {
        let name = match spec {
            Bson::String(alias) if alias == "number" => Some("number"),
            Bson::String(alias) => TYPE_CODES.iter().find(|(n, _)| n == alias).map(|(n, _)| *n),
            number if type_order(number) == 3 => {
                let code = to_f64(number)
                    .filter(|c| c.fract() == 0.0)
                    .map(|c| c as i64);
                TYPE_CODES
                    .iter()
                    .find(|(_, c)| Some(*c) == code)
                    .map(|(n, _)| *n)
            }
            _ => {
                return Err(CommandError::bad_value(
                    "type must be represented as a number or a string",
                ))
            }
        };
        names.push(name.ok_or_else(|| match spec {
            Bson::String(alias) => {
                CommandError::bad_value(format!("Unknown type name alias: {alias}"))
            }
            other => CommandError::bad_value(format!("Invalid numerical type code: {other}")),
        })?);
    }
    Ok(Pred::Type(names))
}

/// `$size`: a non-negative whole number.
pub(super) fn parse_size(arg: &Bson) -> CmdResult<Pred> {
    let Some(n) = to_f64(arg).filter(|_| type_order(arg) == 3) else {
        return Err(CommandError::bad_value("$size needs a number"));
    };
    if n.fract() != 0.0 {
        return Err(CommandError::bad_value("$size must be a whole number"));
    }
    if n < 0.0 {
        return Err(CommandError::bad_value("$size may not be negative"));
    }
    Ok(Pred::Size(n as i64))
}

/// `$mod: [divisor, remainder]`; fractional parts are truncated.
pub(super) fn parse_mod(arg: &Bson) -> CmdResult<Pred> {
    let Bson::Array(items) = arg else {
        return Err(CommandError::bad_value(
            "malformed mod, needs to be an array",
        ));
    };
    let [divisor, remainder] = items.as_slice() else {
        let problem = if items.len() < 2 {
            "not enough elements"
        } else {
            "too many elements"
        };
        return Err(CommandError::bad_value(format!("malformed mod, {problem}")));
    };
    let integer = |value: &Bson, role: &str| -> CmdResult<i64> {
        let Some(x) = to_f64(value).filter(|_| type_order(value) == 3) else {
            return Err(CommandError::bad_value(format!(
                "malformed mod, {role} not a number"
            )));
        };
        if !x.is_finite() {
            let message =
                format!("malformed mod, {role} value is invalid :: caused by :: Unable to coerce NaN/Inf to integral type");
            return Err(CommandError::bad_value(message));
        }
        Ok(match value {
            Bson::Int64(n) => *n,
            _ => x as i64,
        })
    };
    let (divisor, remainder) = (
        integer(divisor, "divisor")?,
        integer(remainder, "remainder")?,
    );
    if divisor == 0 {
        return Err(CommandError::bad_value("divisor cannot be 0"));
    }
    Ok(Pred::Mod(divisor, remainder))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::tests::{error, matches};
    use crate::query::Filter;
    use bson::Regex as BsonRegex;
    use bson::{bson, doc};

    fn regex(pattern: &str, options: &str) -> Bson {
        Bson::RegularExpression(BsonRegex {
            pattern: pattern.into(),
            options: options.into(),
        })
    }

    fn cmp(op: CmpOp, value: Bson, operand: Bson) -> bool {
        compare_bracketed(op, &value, &operand)
    }

    #[test]
    fn comparisons_are_type_bracketed() {
        assert!(cmp(CmpOp::Gt, Bson::Int32(6), Bson::Int32(5)));
        assert!(cmp(CmpOp::Gte, Bson::Double(5.0), Bson::Int64(5)));
        assert!(!cmp(CmpOp::Gt, Bson::from("abc"), Bson::Int32(5)));
        assert!(!cmp(CmpOp::Lt, Bson::Null, Bson::Int32(5)));
        assert!(cmp(CmpOp::Lt, Bson::from("abc"), Bson::from("abd")));
        assert!(cmp(CmpOp::Gt, Bson::from("abc"), Bson::MinKey));
        assert!(cmp(CmpOp::Lt, bson!({ "a": 1 }), Bson::MaxKey));
    }

    #[test]
    fn nan_only_equals_nan() {
        assert!(cmp(
            CmpOp::Eq,
            Bson::Double(f64::NAN),
            Bson::Double(f64::NAN)
        ));
        assert!(!cmp(CmpOp::Lt, Bson::Double(f64::NAN), Bson::Int32(5)));
        assert!(!cmp(CmpOp::Gt, Bson::Int32(5), Bson::Double(f64::NAN)));
        assert!(cmp(
            CmpOp::Lte,
            Bson::Double(f64::NAN),
            Bson::Double(f64::NAN)
        ));
    }

    #[test]
    fn type_specs() {
        let t = parse_types(&bson!(["number", 2])).unwrap();
        assert!(t.matches_value(&Bson::Int64(1)));
        assert!(t.matches_value(&Bson::from("s")));
        assert!(!t.matches_value(&Bson::Null));
        assert!(parse_types(&Bson::Double(4.0))
            .unwrap()
            .matches_value(&bson!([])));
        assert_eq!(
            parse_types(&Bson::from("nope")).unwrap_err().message,
            "Unknown type name alias: nope"
        );
        assert_eq!(
            parse_types(&Bson::Int32(99)).unwrap_err().message,
            "Invalid numerical type code: 99"
        );
        assert_eq!(parse_types(&bson!({})).unwrap_err().code, 2);
        assert_eq!(parse_types(&bson!([])).unwrap_err().code, 2);
    }

    #[test]
    fn size_and_mod_arguments() {
        assert!(parse_size(&Bson::Int32(2))
            .unwrap()
            .matches_value(&bson!([1, 2])));
        assert_eq!(
            parse_size(&Bson::from("2")).unwrap_err().message,
            "$size needs a number"
        );
        assert_eq!(
            parse_size(&Bson::Double(1.5)).unwrap_err().message,
            "$size must be a whole number"
        );
        assert_eq!(
            parse_size(&Bson::Int32(-1)).unwrap_err().message,
            "$size may not be negative"
        );
        let m = parse_mod(&bson!([4, 1])).unwrap();
        assert!(m.matches_value(&Bson::Int32(5)) && m.matches_value(&Bson::Double(9.9)));
        assert!(!m.matches_value(&Bson::Int32(4)) && !m.matches_value(&Bson::from("5")));
        assert!(!m.matches_value(&Bson::Double(f64::NAN)));
        assert_eq!(
            parse_mod(&Bson::Int32(4)).unwrap_err().message,
            "malformed mod, needs to be an array"
        );
        assert_eq!(
            parse_mod(&bson!([4])).unwrap_err().message,
            "malformed mod, not enough elements"
        );
        assert_eq!(
            parse_mod(&bson!([4, 1, 2])).unwrap_err().message,
            "malformed mod, too many elements"
        );
        assert_eq!(
            parse_mod(&bson!(["a", 1])).unwrap_err().message,
            "malformed mod, divisor not a number"
        );
        assert_eq!(
            parse_mod(&bson!([0, 1])).unwrap_err().message,
            "divisor cannot be 0"
        );
    }

    #[test]
    fn regexes() {
        assert!(matches(
            doc! { "name": regex("ab", "i") },
            doc! { "name": "xABy" }
        ));
        assert!(matches(
            doc! { "name": { "$regex": "^ab", "$options": "i" } },
            doc! { "name": "ABc" }
        ));
        assert!(matches(
            doc! { "name": { "$options": "i", "$regex": "^ab" } },
            doc! { "name": "ABc" }
        ));
        assert!(matches(
            doc! { "name": { "$regex": regex("^ab", "") , "$options": "i" } },
            doc! { "name": "ABc" }
        ));
        assert!(matches(
            doc! { "tags": regex("^b", "") },
            doc! { "tags": ["a", "bc"] }
        ));
        assert!(!matches(doc! { "n": regex("1", "") }, doc! { "n": 1 }));
        assert!(matches(
            doc! { "r": { "$eq": regex("a", "i") } },
            doc! { "r": regex("a", "i") }
        ));
        assert_eq!(error(doc! { "a": { "$regex": "(" } }).0, 51091);
        assert_eq!(
            error(doc! { "a": { "$regex": regex("a", "i"), "$options": "m" } }).0,
            51075
        );
        assert_eq!(
            error(doc! { "a": { "$options": "i" } }),
            (2, "$options needs a $regex".into())
        );
        assert_eq!(
            error(doc! { "a": { "$regex": 5 } }),
            (2, "$regex has to be a string".into())
        );
        assert_eq!(error(doc! { "a": { "$ne": regex("a", "") } }).0, 2);
    }

    #[test]
    fn operators_never_panic_on_odd_arguments() {
        let odd = [
            Bson::Null,
            Bson::Int64(i64::MIN),
            Bson::Double(f64::NAN),
            Bson::Double(-1e300),
            Bson::Double(0.5),
            Bson::from(""),
            regex("a", "i"),
            bson!([]),
            bson!([null, [1]]),
            bson!({}),
            bson!({ "$gt": 1 }),
            Bson::MinKey,
            Bson::MaxKey,
        ];
        let ops = [
            "$eq",
            "$ne",
            "$gt",
            "$lte",
            "$in",
            "$nin",
            "$exists",
            "$regex",
            "$not",
            "$elemMatch",
            "$all",
            "$size",
            "$type",
            "$mod",
        ];
        let docs = [
            doc! {},
            doc! { "a": [1, { "b": [null, 2.5] }, [3]] },
            doc! { "a": { "b": "x" } },
        ];
        for op in ops {
            for arg in &odd {
                for path in ["a", "a.b", "a.0.b", "a.1"] {
                    if let Ok(filter) = Filter::parse(&doc! { path: { op: arg.clone() } }) {
                        docs.iter().for_each(|d| {
                            filter.matches(d);
                        });
                    }
                }
                if let Ok(element) = ElementFilter::parse(&bson!({ op: arg.clone() })) {
                    odd.iter().for_each(|v| {
                        element.matches(v);
                    });
                }
            }
        }
    }
}
