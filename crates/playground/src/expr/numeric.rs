//! Arithmetic expression operators (`$add`, `$subtract`, `$multiply`, `$divide`, `$mod`,
//! `$abs`) with MongoDB's result types: the widest operand's type, ints widening to longs and
//! longs to doubles on overflow.

use bson::{Bson, DateTime};

use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::{nullish, type_name_of};
use crate::values::to_f64;

type Evaluated = CmdResult<Option<Bson>>;

/// MongoDB's numeric types, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum Width {
    Int,
    Long,
    Double,
    Decimal,
}

fn width(value: Option<&Bson>) -> Option<Width> {
    match value? {
        Bson::Int32(_) => Some(Width::Int),
        Bson::Int64(_) => Some(Width::Long),
        Bson::Double(_) => Some(Width::Double),
        Bson::Decimal128(_) => Some(Width::Decimal),
        _ => None,
    }
}

pub(crate) fn is_number(value: Option<&Bson>) -> bool {
    width(value).is_some()
}

pub(crate) fn int_or_long(n: i64) -> Bson {
    i32::try_from(n).map_or(Bson::Int64(n), Bson::Int32)
}

/// The value as a 32-bit integer, if it is a number with no fractional part that fits.
pub(super) fn integral_i32(value: Option<&Bson>) -> Option<i32> {
    match value? {
        Bson::Int32(n) => Some(*n),
        Bson::Int64(n) => i32::try_from(*n).ok(),
        other => {
            let f = to_f64(other)?;
            let fits = f.fract() == 0.0 && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX);
            fits.then_some(f as i32)
        }
    }
}

/// Decimal arithmetic is done in doubles (the bson crate has none), then stored as a decimal.
fn decimal(x: f64) -> Bson {
    format!("{x:e}")
        .parse()
        .map_or(Bson::Double(x), Bson::Decimal128)
}

fn as_f64(value: Option<&Bson>) -> f64 {
    value.and_then(to_f64).unwrap_or(0.0)
}

/// Integers exactly; doubles truncated (saturating), as MongoDB coerces them to longs.
fn as_i64(value: Option<&Bson>) -> i64 {
    match value {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        other => as_f64(other) as i64,
    }
}

/// A running `$add` or `$multiply`: exact in 64-bit integers until a double appears or the
/// integer result would overflow, then in doubles.
struct Fold {
    widest: Width,
    long: i64,
    double: f64,
    in_double: bool,
    long_op: fn(i64, i64) -> Option<i64>,
    double_op: fn(f64, f64) -> f64,
}

impl Fold {
    fn new(
        identity: i64,
        long_op: fn(i64, i64) -> Option<i64>,
        double_op: fn(f64, f64) -> f64,
    ) -> Fold {
        let double = identity as f64;
        Fold {
            widest: Width::Int,
            long: identity,
            double,
            in_double: false,
            long_op,
            double_op,
        }
    }

    /// Folds in a number, or a date's milliseconds (which do not change the result type).
    fn push(&mut self, value: &Bson) {
        let (long, double) = match value {
            Bson::DateTime(dt) => (dt.timestamp_millis(), dt.timestamp_millis() as f64),
            number => (as_i64(Some(number)), as_f64(Some(number))),
        };
        if let Some(w) = width(Some(value)) {
            self.widest = if w > self.widest { w } else { self.widest };
        }
        if !self.in_double && self.widest <= Width::Long {
            match (self.long_op)(self.long, long) {
                Some(result) => self.long = result,
                None => {
                    self.in_double = true;
                    self.double = (self.double_op)(self.long as f64, double);
                }
            }
            return;
        }
        if !self.in_double {
            self.in_double = true;
            self.double = self.long as f64;
        }
        self.double = (self.double_op)(self.double, double);
    }

    fn number(&self) -> Bson {
        if self.widest == Width::Decimal {
            decimal(self.double)
        } else if self.in_double {
            Bson::Double(self.double)
        } else if self.widest == Width::Int {
            int_or_long(self.long)
        } else {
            Bson::Int64(self.long)
        }
    }
}

/// Operands are evaluated in order; the first null or missing one makes the result null.
pub(crate) fn add(operands: impl Iterator<Item = Evaluated>) -> Evaluated {
    let mut sum = Fold::new(0, i64::checked_add, |a, b| a + b);
    let mut has_date = false;
    for operand in operands {
        match operand? {
            v if nullish(v.as_ref()) => return Ok(Some(Bson::Null)),
            Some(date @ Bson::DateTime(_)) => {
                if has_date {
                    return Err(location_error!(
                        16612,
                        "only one date allowed in an $add expression"
                    ));
                }
                has_date = true;
                sum.push(&date);
            }
            Some(n) if is_number(Some(&n)) => sum.push(&n),
            other => {
                let message = format!(
                    "$add only supports numeric or date types, not {}",
                    type_name_of(other.as_ref())
                );
                return Err(CommandError::type_mismatch(message));
            }
        }
    }
    if !has_date {
        return Ok(Some(sum.number()));
    }
    let millis = if sum.in_double {
        if !(sum.double >= i64::MIN as f64 && sum.double < i64::MAX as f64) {
            return Err(CommandError::new(15, "Overflow", "date overflow in $add"));
        }
        sum.double.round() as i64
    } else {
        sum.long
    };
    Ok(Some(Bson::DateTime(DateTime::from_millis(millis))))
}

pub(super) fn multiply(operands: impl Iterator<Item = Evaluated>) -> Evaluated {
    let mut product = Fold::new(1, i64::checked_mul, |a, b| a * b);
    for operand in operands {
        match operand? {
            v if nullish(v.as_ref()) => return Ok(Some(Bson::Null)),
            Some(n) if is_number(Some(&n)) => product.push(&n),
            other => {
                let message = format!(
                    "$multiply only supports numeric types, not {}",
                    type_name_of(other.as_ref())
                );
                return Err(CommandError::type_mismatch(message));
            }
        }
    }
    Ok(Some(product.number()))
}

pub(super) fn subtract(lhs: Option<Bson>, rhs: Option<Bson>) -> Evaluated {
    let (l, r) = (lhs.as_ref(), rhs.as_ref());
    if let (Some(wl), Some(wr)) = (width(l), width(r)) {
        let result = match if wl > wr { wl } else { wr } {
            Width::Decimal => decimal(as_f64(l) - as_f64(r)),
            Width::Double => Bson::Double(as_f64(l) - as_f64(r)),
            Width::Long => as_i64(l)
                .checked_sub(as_i64(r))
                .map_or(Bson::Double(as_f64(l) - as_f64(r)), Bson::Int64),
            Width::Int => int_or_long(as_i64(l) - as_i64(r)),
        };
        return Ok(Some(result));
    }
    if nullish(l) || nullish(r) {
        return Ok(Some(Bson::Null));
    }
    match (l, r) {
        (Some(Bson::DateTime(a)), Some(Bson::DateTime(b))) => Ok(Some(Bson::Int64(
            a.timestamp_millis().saturating_sub(b.timestamp_millis()),
        ))),
        (Some(Bson::DateTime(a)), Some(n)) if is_number(Some(n)) => {
            let millis = a.timestamp_millis().saturating_sub(as_i64(Some(n)));
            Ok(Some(Bson::DateTime(DateTime::from_millis(millis))))
        }
        (Some(Bson::DateTime(_)), other) => {
            let message = format!("can't $subtract {} from Date", type_name_of(other));
            Err(CommandError::type_mismatch(message))
        }
        _ => {
            let message = format!(
                "can't $subtract {} from {}",
                type_name_of(r),
                type_name_of(l)
            );
            Err(CommandError::type_mismatch(message))
        }
    }
}

pub(super) fn divide(lhs: Option<Bson>, rhs: Option<Bson>) -> Evaluated {
    let (l, r) = (lhs.as_ref(), rhs.as_ref());
    match (width(l), width(r)) {
        (Some(wl), Some(wr)) => {
            if as_f64(r) == 0.0 {
                return Err(CommandError::bad_value("can't $divide by zero"));
            }
            let quotient = as_f64(l) / as_f64(r);
            let is_decimal = wl == Width::Decimal || wr == Width::Decimal;
            Ok(Some(if is_decimal {
                decimal(quotient)
            } else {
                Bson::Double(quotient)
            }))
        }
        _ if nullish(l) || nullish(r) => Ok(Some(Bson::Null)),
        _ => {
            let message = format!(
                "$divide only supports numeric types, not {} and {}",
                type_name_of(l),
                type_name_of(r)
            );
            Err(CommandError::type_mismatch(message))
        }
    }
}

pub(super) fn modulo(lhs: Option<Bson>, rhs: Option<Bson>) -> Evaluated {
    let (l, r) = (lhs.as_ref(), rhs.as_ref());
    let (Some(wl), Some(wr)) = (width(l), width(r)) else {
        if nullish(l) || nullish(r) {
            return Ok(Some(Bson::Null));
        }
        let message = format!(
            "$mod only supports numeric types, not {} and {}",
            type_name_of(l),
            type_name_of(r)
        );
        return Err(location_error!(16611, message));
    };
    let (lf, rf) = (as_f64(l), as_f64(r));
    if rf == 0.0 {
        return Err(location_error!(16610, "can't $mod by zero"));
    }
    Ok(Some(if wl == Width::Decimal || wr == Width::Decimal {
        decimal(lf % rf)
    } else if wl == Width::Double || rf.fract() != 0.0 {
        Bson::Double(lf % rf)
    } else {
        // Both integral and the divisor non-zero. wrapping_rem turns the one overflowing case
        // (MIN % -1) into 0, as MongoDB does; an int dividend keeps the result an int.
        let remainder = as_i64(l).wrapping_rem(as_i64(r));
        if wl == Width::Long || wr == Width::Long {
            Bson::Int64(remainder)
        } else {
            int_or_long(remainder)
        }
    }))
}

pub(super) fn abs(value: Option<Bson>) -> Evaluated {
    Ok(Some(match value {
        v if nullish(v.as_ref()) => Bson::Null,
        Some(Bson::Double(d)) => Bson::Double(d.abs()),
        Some(d @ Bson::Decimal128(_)) => decimal(as_f64(Some(&d)).abs()),
        Some(Bson::Int32(n)) => int_or_long(i64::from(n).abs()),
        Some(Bson::Int64(n)) => match n.checked_abs() {
            Some(a) => Bson::Int64(a),
            None => return Err(location_error!(28680, "can't take $abs of long long min")),
        },
        other => {
            let message = format!(
                "$abs only supports numeric types, not {}",
                type_name_of(other.as_ref())
            );
            return Err(location_error!(28765, message));
        }
    }))
}

#[cfg(test)]
mod tests {
    use crate::expr::Expr;
    use bson::{bson, doc, Bson, Document};

    fn eval(expr: Bson) -> super::Evaluated {
        let root: Document = doc! { "i": 7, "l": 10_i64, "d": 2.5, "s": "x", "when": bson::DateTime::from_millis(1000) };
        Expr::parse(&expr)?.eval(&root)
    }

    fn value(expr: Bson) -> Bson {
        eval(expr).unwrap().unwrap()
    }

    fn error(expr: Bson) -> (i32, &'static str, String) {
        let e = eval(expr).unwrap_err();
        (e.code, e.code_name, e.message)
    }

    #[test]
    fn add_keeps_the_narrowest_type() {
        assert_eq!(value(bson!({ "$add": [1, 2] })), Bson::Int32(3));
        assert_eq!(value(bson!({ "$add": ["$i", "$l"] })), Bson::Int64(17));
        assert_eq!(value(bson!({ "$add": ["$i", "$d"] })), Bson::Double(9.5));
        assert_eq!(value(bson!({ "$add": [] })), Bson::Int32(0));
        assert_eq!(
            value(bson!({ "$add": [i32::MAX, 1] })),
            Bson::Int64(2_147_483_648)
        );
        assert_eq!(
            value(bson!({ "$add": [i64::MAX, 1_i64] })),
            Bson::Double(i64::MAX as f64 + 1.0)
        );
    }

    #[test]
    fn add_nulls_dates_and_errors() {
        assert_eq!(value(bson!({ "$add": [1, null] })), Bson::Null);
        assert_eq!(value(bson!({ "$add": [1, "$missing", "$s"] })), Bson::Null);
        assert_eq!(
            value(bson!({ "$add": ["$when", 500] })),
            Bson::DateTime(bson::DateTime::from_millis(1500))
        );
        assert_eq!(
            value(bson!({ "$add": [0.6, "$when"] })),
            Bson::DateTime(bson::DateTime::from_millis(1001))
        );
        let (code, name, message) = error(bson!({ "$add": [1, "$s"] }));
        assert_eq!(
            (code, name, message.as_str()),
            (
                14,
                "TypeMismatch",
                "$add only supports numeric or date types, not string"
            )
        );
        assert_eq!(error(bson!({ "$add": ["$when", "$when"] })).0, 16612);
    }

    #[test]
    fn subtract() {
        assert_eq!(value(bson!({ "$subtract": [10, 4] })), Bson::Int32(6));
        assert_eq!(
            value(bson!({ "$subtract": ["$l", 0.5] })),
            Bson::Double(9.5)
        );
        assert_eq!(
            value(bson!({ "$subtract": [i64::MIN, 1_i64] })),
            Bson::Double(i64::MIN as f64 - 1.0)
        );
        assert_eq!(
            value(bson!({ "$subtract": ["$when", "$when"] })),
            Bson::Int64(0)
        );
        assert_eq!(
            value(bson!({ "$subtract": ["$when", 1000] })),
            Bson::DateTime(bson::DateTime::from_millis(0))
        );
        assert_eq!(value(bson!({ "$subtract": ["$missing", 1] })), Bson::Null);
        assert_eq!(
            error(bson!({ "$subtract": [1, "$when"] })).2,
            "can't $subtract date from int"
        );
        assert_eq!(
            error(bson!({ "$subtract": ["$when", "$s"] })).2,
            "can't $subtract string from Date"
        );
    }

    #[test]
    fn multiply_divide_mod_abs() {
        assert_eq!(value(bson!({ "$multiply": [3, 4] })), Bson::Int32(12));
        assert_eq!(value(bson!({ "$multiply": [] })), Bson::Int32(1));
        assert_eq!(
            value(bson!({ "$multiply": [i64::MAX, 2_i64] })),
            Bson::Double(i64::MAX as f64 * 2.0)
        );
        assert_eq!(value(bson!({ "$multiply": [2, "$d"] })), Bson::Double(5.0));
        assert_eq!(error(bson!({ "$multiply": [2, "$s"] })).0, 14);
        assert_eq!(value(bson!({ "$divide": [7, 2] })), Bson::Double(3.5));
        assert_eq!(value(bson!({ "$divide": [7, null] })), Bson::Null);
        assert_eq!(
            error(bson!({ "$divide": [1, 0] })),
            (2, "BadValue", "can't $divide by zero".to_string())
        );
        assert_eq!(
            error(bson!({ "$divide": ["$s", 1] })).2,
            "$divide only supports numeric types, not string and int"
        );
        assert_eq!(value(bson!({ "$mod": [7, 3] })), Bson::Int32(1));
        assert_eq!(value(bson!({ "$mod": [-7, 3_i64] })), Bson::Int64(-1));
        assert_eq!(value(bson!({ "$mod": [7.5, 2] })), Bson::Double(1.5));
        assert_eq!(value(bson!({ "$mod": [7, 2.0] })), Bson::Int32(1));
        assert_eq!(value(bson!({ "$mod": [i32::MIN, -1] })), Bson::Int32(0));
        assert_eq!(
            value(bson!({ "$mod": [7, 4_294_967_296.0] })),
            Bson::Int32(7)
        );
        assert_eq!(
            error(bson!({ "$mod": [7, 0] })),
            (16610, "Location16610", "can't $mod by zero".to_string())
        );
        assert_eq!(error(bson!({ "$mod": ["$s", 2] })).0, 16611);
        assert_eq!(value(bson!({ "$abs": -3 })), Bson::Int32(3));
        assert_eq!(
            value(bson!({ "$abs": [i32::MIN] })),
            Bson::Int64(2_147_483_648)
        );
        assert_eq!(value(bson!({ "$abs": -2.5 })), Bson::Double(2.5));
        assert_eq!(value(bson!({ "$abs": "$missing" })), Bson::Null);
        assert_eq!(error(bson!({ "$abs": i64::MIN })).0, 28680);
        assert_eq!(error(bson!({ "$abs": "$s" })).0, 28765);
    }

    #[test]
    fn decimals_stay_decimal() {
        let five: Bson = Bson::Decimal128("5".parse().unwrap());
        let sum = value(bson!({ "$add": [five.clone(), 1] }));
        assert!(
            matches!(sum, Bson::Decimal128(d) if d.to_string() == "6"),
            "{sum:?}"
        );
        assert!(matches!(
            value(bson!({ "$abs": five })),
            Bson::Decimal128(_)
        ));
    }

    #[test]
    fn arity_is_checked() {
        let (code, _, message) = error(bson!({ "$subtract": [1] }));
        assert_eq!(
            (code, message.as_str()),
            (
                16020,
                "Expression $subtract takes exactly 2 arguments. 1 were passed in."
            )
        );
    }
}
