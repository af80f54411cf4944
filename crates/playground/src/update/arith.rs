//! The arithmetic operators `$inc`, `$mul` and `$bit`, with MongoDB's numeric
//! result types.

use bson::{Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::update::path::{element_string, id_string, update_at};
use crate::values::{to_f64, type_name};

/// Checks the argument of `$inc` (`operator`) or `$mul`: a number.
pub(super) fn parse_number(operator: &str, field: &str, value: &Bson) -> CmdResult<Bson> {
    match value {
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => Ok(value.clone()),
        Bson::Decimal128(_) => Err(decimal_unsupported(operator)),
        other => {
            let verb = if operator == "$inc" {
                "increment"
            } else {
                "multiply"
            };
            Err(CommandError::type_mismatch(format!(
                "Cannot {verb} with non-numeric argument: {{{}}}",
                element_string(field, other)
            )))
        }
    }
}

fn decimal_unsupported(operator: &str) -> CommandError {
    CommandError::bad_value(format!(
        "{operator} on decimal128 values is not supported by this playground server"
    ))
}

/// `$inc`: a missing field is set to the increment.
pub(super) fn increment(doc: &mut Document, path: &[String], by: &Bson) -> CmdResult<()> {
    let id = id_string(doc.get("_id"));
    update_at(doc, path, |current| match current {
        None => Ok(Some(by.clone())),
        Some(value) => arithmetic("$inc", value, by, path, &id).map(Some),
    })
}

/// `$mul`: a missing field becomes a zero of the multiplier's type.
pub(super) fn multiply(doc: &mut Document, path: &[String], by: &Bson) -> CmdResult<()> {
    let id = id_string(doc.get("_id"));
    let zero = Bson::Int32(0);
    update_at(doc, path, |current| {
        let value = current.map_or(&zero, |value| &*value);
        arithmetic("$mul", value, by, path, &id).map(Some)
    })
}

/// `current + arg` ($inc) or `current * arg` ($mul): int32 with int32 stays
/// int32 unless it overflows into int64; int64 overflow is an error;
/// anything with a double is a double.
fn arithmetic(
    operator: &str,
    current: &Bson,
    arg: &Bson,
    path: &[String],
    id: &str,
) -> CmdResult<Bson> {
    let add = operator == "$inc";
    match (current, arg) {
        (Bson::Decimal128(_), _) | (_, Bson::Decimal128(_)) => Err(decimal_unsupported(operator)),
        (Bson::Int32(a), Bson::Int32(b)) => {
            let (a, b) = (i64::from(*a), i64::from(*b));
            let result = if add { a + b } else { a * b };
            Ok(i32::try_from(result).map_or(Bson::Int64(result), Bson::Int32))
        }
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            let (a, b) = (as_i64(current), as_i64(arg));
            let result = if add {
                a.checked_add(b)
            } else {
                a.checked_mul(b)
            };
            result.map(Bson::Int64).ok_or_else(|| {
                let kind = if matches!(current, Bson::Int32(_)) {
                    "NumberInt"
                } else {
                    "NumberLong"
                };
                CommandError::bad_value(format!(
                    "Failed to apply {operator} operations to current value (({kind}){a}) for \
                     document {{{id}}}"
                ))
            })
        }
        (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_), _) => {
            let a = to_f64(current).unwrap_or(0.0);
            let b = to_f64(arg).unwrap_or(0.0);
            Ok(Bson::Double(if add { a + b } else { a * b }))
        }
        (other, _) => Err(CommandError::type_mismatch(format!(
            "Cannot apply {operator} to a value of non-numeric type. {{{id}}} has the field \
             '{}' of non-numeric type {}",
            path.last().map_or("", String::as_str),
            type_name(other)
        ))),
    }
}

fn as_i64(value: &Bson) -> i64 {
    match value {
        Bson::Int32(v) => i64::from(*v),
        Bson::Int64(v) => *v,
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BitOp {
    And,
    Or,
    Xor,
}

impl BitOp {
    fn apply<T>(self, a: T, b: T) -> T
    where
        T: std::ops::BitAnd<Output = T>
            + std::ops::BitOr<Output = T>
            + std::ops::BitXor<Output = T>,
    {
        match self {
            BitOp::And => a & b,
            BitOp::Or => a | b,
            BitOp::Xor => a ^ b,
        }
    }
}

/// `$bit: {field: {and: 5, or: 2}}`: the operations, applied in that order.
pub(super) fn parse_bit(value: &Bson) -> CmdResult<Vec<(BitOp, Bson)>> {
    let Bson::Document(spec) = value else {
        return Err(CommandError::bad_value(format!(
            "The $bit modifier is not compatible with a {}. You must pass in an embedded \
             document: {{$bit: {{field: {{and/or/xor: #}}}}",
            type_name(value)
        )));
    };
    let mut ops = Vec::new();
    for (name, operand) in spec {
        let op = match name.as_str() {
            "and" => BitOp::And,
            "or" => BitOp::Or,
            "xor" => BitOp::Xor,
            _ => {
                return Err(CommandError::bad_value(format!(
                    "The $bit modifier only supports 'and', 'or', and 'xor', not '{name}' which \
                     is an unknown operator: {{{}}}",
                    element_string(name, operand)
                )))
            }
        };
        if !matches!(operand, Bson::Int32(_) | Bson::Int64(_)) {
            return Err(CommandError::bad_value(format!(
                "The $bit modifier field must be an Integer(32/64 bit); a '{}' is not supported \
                 here: {{{}}}",
                type_name(operand),
                element_string(name, operand)
            )));
        }
        ops.push((op, operand.clone()));
    }
    if ops.is_empty() {
        return Err(CommandError::bad_value(
            "You must pass in at least one bitwise operation. The format is: \
             {$bit: {field: {and/or/xor: #}}",
        ));
    }
    Ok(ops)
}

/// `$bit`: a missing field starts as int32 0; int32 stays int32 unless an operand is int64.
pub(super) fn bitwise(doc: &mut Document, path: &[String], ops: &[(BitOp, Bson)]) -> CmdResult<()> {
    let id = id_string(doc.get("_id"));
    update_at(doc, path, |current| {
        let start = match current {
            None => Bson::Int32(0),
            Some(value @ (Bson::Int32(_) | Bson::Int64(_))) => value.clone(),
            Some(other) => {
                return Err(CommandError::bad_value(format!(
                    "Cannot apply $bit to a value of non-integral type.{id} has the field {} of \
                     non-integer type {}",
                    path.last().map_or("", String::as_str),
                    type_name(other)
                )))
            }
        };
        let result = ops
            .iter()
            .fold(start, |acc, (op, operand)| match (acc, operand) {
                (Bson::Int32(a), Bson::Int32(b)) => Bson::Int32(op.apply(a, *b)),
                (acc, operand) => Bson::Int64(op.apply(as_i64(&acc), as_i64(operand))),
            });
        Ok(Some(result))
    })
}

#[cfg(test)]
mod tests {
    use crate::update::tests::{run, run_err};
    use crate::update::Update;
    use bson::{doc, Bson};

    #[test]
    fn inc_keeps_mongodb_numeric_types() {
        let out = run(
            doc! { "_id": 1, "i": 1, "max": i32::MAX, "l": 5_i64, "d": 1.5, "neg": i32::MIN },
            doc! { "$inc": { "i": 1, "max": 1, "l": 1, "d": 1, "neg": -1, "new": 2.5, "i2": 0_i64 } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! {
                "_id": 1, "i": 2, "max": 2_147_483_648_i64, "l": 6_i64, "d": 2.5,
                "neg": -2_147_483_649_i64, "i2": 0_i64, "new": 2.5,
            }
        );
        let out = run(doc! { "_id": 1, "i": 1 }, doc! { "$inc": { "i": 0.5 } }).unwrap();
        assert_eq!(out, doc! { "_id": 1, "i": 1.5 });
    }

    #[test]
    fn inc_errors_like_mongodb() {
        let (code, message) = run_err(doc! { "_id": 1, "x": "a" }, doc! { "$inc": { "x": 1 } });
        assert_eq!(
            (code, message.as_str()),
            (14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'x' of non-numeric type string")
        );
        let err = Update::parse(&doc! { "$inc": { "x": "a" } }).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (14, "Cannot increment with non-numeric argument: {x: \"a\"}")
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "n": i64::MAX },
            doc! { "$inc": { "n": 1 } },
        );
        assert_eq!(
            (code, message.as_str()),
            (2, "Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 1}")
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "a": { "b": [] } },
            doc! { "$inc": { "a.b": 1 } },
        );
        assert_eq!(
            (code, message.as_str()),
            (14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'b' of non-numeric type array")
        );
        let decimal: bson::Decimal128 = "1.5".parse().unwrap();
        assert_eq!(
            Update::parse(&doc! { "$inc": { "x": decimal } })
                .unwrap_err()
                .code,
            2
        );
        let (code, _) = run_err(doc! { "_id": 1, "x": decimal }, doc! { "$inc": { "x": 1 } });
        assert_eq!(code, 2);
    }

    #[test]
    fn mul_multiplies_and_creates_typed_zeros() {
        let out = run(
            doc! { "_id": 1, "a": 3, "b": 100_000, "c": 2.0 },
            doc! { "$mul": { "a": 2, "b": 100_000, "c": 3, "i": 7, "l": 7_i64, "d": -2.5 } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "a": 6, "b": 10_000_000_000_i64, "c": 6.0, "d": -0.0, "i": 0, "l": 0_i64 }
        );
        assert!(matches!(out.get("d"), Some(Bson::Double(d)) if d.is_sign_negative()));
        let (code, message) = run_err(
            doc! { "_id": 1, "n": i64::MAX },
            doc! { "$mul": { "n": 2 } },
        );
        assert_eq!(code, 2);
        assert!(
            message.starts_with("Failed to apply $mul operations"),
            "{message}"
        );
        let err = Update::parse(&doc! { "$mul": { "x": true } }).unwrap_err();
        assert_eq!(
            err.message,
            "Cannot multiply with non-numeric argument: {x: true}"
        );
    }

    #[test]
    fn bit_combines_integers() {
        let out = run(
            doc! { "_id": 1, "a": 13, "b": 13, "c": 13, "l": 1_i64 },
            doc! { "$bit": { "a": { "and": 10 }, "b": { "or": 2, "xor": 1 }, "c": { "or": 16_i64 }, "l": { "or": 2 }, "n": { "or": 5 } } },
        )
        .unwrap();
        assert_eq!(
            out,
            doc! { "_id": 1, "a": 8, "b": 14, "c": 29_i64, "l": 3_i64, "n": 5 }
        );
        let (code, message) = run_err(
            doc! { "_id": 1, "f": 1.0 },
            doc! { "$bit": { "f": { "and": 1 } } },
        );
        assert_eq!(
            (code, message.as_str()),
            (2, "Cannot apply $bit to a value of non-integral type._id: 1 has the field f of non-integer type double")
        );
        for spec in [
            doc! { "f": 1 },
            doc! { "f": {} },
            doc! { "f": { "nand": 1 } },
            doc! { "f": { "and": 1.0 } },
        ] {
            assert_eq!(Update::parse(&doc! { "$bit": spec }).unwrap_err().code, 2);
        }
    }
}
