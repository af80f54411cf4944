//! String, array, object and conversion operators (`$concat`, `$substrCP`, `$arrayElemAt`,
//! `$mergeObjects`, `$toString`, ...).

use bson::{doc, Bson, Document};

use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::numeric::{int_or_long, integral_i32, is_number};
use crate::expr::{nullish, shown, type_name_of, Expr};
use crate::values::type_name;

type Evaluated = CmdResult<Option<Bson>>;

pub(super) fn concat(operands: impl Iterator<Item = Evaluated>) -> Evaluated {
    let mut out = String::new();
    for operand in operands {
        match operand? {
            Some(Bson::String(s)) => out.push_str(&s),
            v if nullish(v.as_ref()) => return Ok(Some(Bson::Null)),
            other => {
                let message = format!(
                    "$concat only supports strings, not {}",
                    type_name_of(other.as_ref())
                );
                return Err(location_error!(16702, message));
            }
        }
    }
    Ok(Some(Bson::String(out)))
}

/// `$toLower` / `$toUpper`: ASCII-only, like MongoDB; null and missing give "".
pub(super) fn change_case(value: Option<Bson>, upper: bool) -> Evaluated {
    let text = coerce_to_string(value.as_ref())?;
    Ok(Some(Bson::String(if upper {
        text.to_ascii_uppercase()
    } else {
        text.to_ascii_lowercase()
    })))
}

pub(super) fn str_len_cp(value: Option<Bson>) -> Evaluated {
    match value {
        Some(Bson::String(s)) => Ok(Some(int_or_long(s.chars().count() as i64))),
        other => {
            let message = format!(
                "$strLenCP requires a string argument, found: {}",
                type_name_of(other.as_ref())
            );
            Err(location_error!(34471, message))
        }
    }
}

pub(super) fn substr_cp(
    input: Option<Bson>,
    start: Option<Bson>,
    length: Option<Bson>,
) -> Evaluated {
    let text = coerce_to_string(input.as_ref())?;
    let (start, length) = (start.as_ref(), length.as_ref());
    if !is_number(start) {
        let message = format!(
            "$substrCP: starting index must be a numeric type (is BSON type {})",
            type_name_of(start)
        );
        return Err(location_error!(34450, message));
    }
    let Some(start_index) = integral_i32(start) else {
        let message = format!(
            "$substrCP: starting index cannot be represented as a 32-bit integral value: {}",
            shown(start)
        );
        return Err(location_error!(34451, message));
    };
    if !is_number(length) {
        let message = format!(
            "$substrCP: length must be a numeric type (is BSON type {})",
            type_name_of(length)
        );
        return Err(location_error!(34452, message));
    }
    let Some(length) = integral_i32(length) else {
        let message = format!(
            "$substrCP: length cannot be represented as a 32-bit integral value: {}",
            shown(length)
        );
        return Err(location_error!(34453, message));
    };
    let Ok(length) = usize::try_from(length) else {
        return Err(location_error!(
            34454,
            "$substrCP: length must be a nonnegative integer."
        ));
    };
    let Ok(start_index) = usize::try_from(start_index) else {
        return Err(location_error!(
            34455,
            "$substrCP: the starting index must be nonnegative integer."
        ));
    };
    Ok(Some(Bson::String(
        text.chars().skip(start_index).take(length).collect(),
    )))
}

pub(super) fn size(value: Option<Bson>) -> Evaluated {
    match value {
        Some(Bson::Array(items)) => Ok(Some(int_or_long(items.len() as i64))),
        other => {
            let message = format!(
                "The argument to $size must be an array, but was of type: {}",
                type_name_of(other.as_ref())
            );
            Err(location_error!(17124, message))
        }
    }
}

pub(super) fn array_elem_at(array: Option<Bson>, index: Option<Bson>) -> Evaluated {
    if nullish(array.as_ref()) || nullish(index.as_ref()) {
        return Ok(Some(Bson::Null));
    }
    let Some(Bson::Array(items)) = array else {
        let message = format!(
            "$arrayElemAt's first argument must be an array, but is {}",
            type_name_of(array.as_ref())
        );
        return Err(location_error!(28689, message));
    };
    if !is_number(index.as_ref()) {
        let message = format!(
            "$arrayElemAt's second argument must be a numeric value, but is {}",
            type_name_of(index.as_ref())
        );
        return Err(location_error!(28690, message));
    }
    let Some(i) = integral_i32(index.as_ref()) else {
        let message = format!(
            "$arrayElemAt's second argument must be representable as a 32-bit integer: {}",
            shown(index.as_ref())
        );
        return Err(location_error!(28691, message));
    };
    // Negative indexes count from the end; out of range is missing.
    let position = match usize::try_from(i) {
        Ok(p) => Some(p),
        Err(_) => items.len().checked_sub(i.unsigned_abs() as usize),
    };
    Ok(position.and_then(|p| items.get(p)).cloned())
}

pub(super) fn merge_objects(operands: impl Iterator<Item = Evaluated>) -> Evaluated {
    let mut out = Document::new();
    for operand in operands {
        match operand? {
            // Later fields overwrite earlier ones in place.
            Some(Bson::Document(d)) => out.extend(d),
            v if nullish(v.as_ref()) => {}
            other => {
                let message = format!(
                    "$mergeObjects requires object inputs, but input {} is of type {}",
                    shown(other.as_ref()),
                    type_name_of(other.as_ref())
                );
                return Err(location_error!(40400, message));
            }
        }
    }
    Ok(Some(Bson::Document(out)))
}

pub(super) fn object_to_array(value: Option<Bson>) -> Evaluated {
    match value {
        Some(Bson::Document(d)) => Ok(Some(Bson::Array(
            d.into_iter()
                .map(|(k, v)| Bson::Document(doc! { "k": k, "v": v }))
                .collect(),
        ))),
        v if nullish(v.as_ref()) => Ok(Some(Bson::Null)),
        other => {
            let message = format!(
                "$objectToArray requires a document input, found: {}",
                type_name_of(other.as_ref())
            );
            Err(location_error!(40390, message))
        }
    }
}

/// `$getField: "name"` or `{field: "name", input: <expr>}`; the field must be a constant string.
pub(super) fn parse_get_field(arg: &Bson) -> CmdResult<(String, Expr)> {
    let (mut field, mut input) = (None, None);
    match arg {
        Bson::Document(spec) if !spec.keys().next().is_some_and(|k| k.starts_with('$')) => {
            for (key, value) in spec {
                match key.as_str() {
                    "field" => field = Some(Expr::parse(value)?),
                    "input" => input = Some(Expr::parse(value)?),
                    _ => {
                        return Err(location_error!(
                            3041701,
                            format!("$getField found an unknown argument: {key}")
                        ))
                    }
                }
            }
        }
        other => field = Some(Expr::parse(other)?),
    }
    let field = field
        .ok_or_else(|| location_error!(3041702, "$getField requires 'field' to be specified"))?;
    let name = match field.constant() {
        Some(Bson::String(s)) => s.clone(),
        Some(other) => {
            let message = format!(
                "$getField requires 'field' to evaluate to type String, but got {}",
                type_name(other)
            );
            return Err(location_error!(5654602, message));
        }
        None => {
            let message = "$getField requires 'field' to evaluate to a constant, but got a non-constant argument";
            return Err(location_error!(5654601, message));
        }
    };
    let input = match input {
        Some(e) => e,
        None => Expr::parse(&Bson::from("$$CURRENT"))?,
    };
    Ok((name, input))
}

pub(super) fn get_field(field: &str, input: Option<Bson>) -> Evaluated {
    match input {
        Some(Bson::Document(d)) => Ok(d.get(field).cloned()),
        v if nullish(v.as_ref()) => Ok(Some(Bson::Null)),
        // Any other input has no fields, so the result is missing.
        _ => Ok(None),
    }
}

/// `$toString`, i.e. `$convert` to string: null and missing give null.
pub(super) fn to_string(value: Option<Bson>) -> Evaluated {
    let text = match value {
        v if nullish(v.as_ref()) => return Ok(Some(Bson::Null)),
        Some(Bson::String(s)) => s,
        Some(Bson::Boolean(b)) => b.to_string(),
        Some(Bson::Int32(n)) => n.to_string(),
        Some(Bson::Int64(n)) => n.to_string(),
        Some(Bson::Double(d)) if d.is_nan() => "NaN".to_string(),
        Some(Bson::Double(d)) if d.is_infinite() => {
            if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
        }
        Some(Bson::Double(d)) => format_g(d),
        Some(Bson::Decimal128(d)) => d.to_string(),
        Some(Bson::ObjectId(id)) => id.to_hex(),
        Some(Bson::DateTime(dt)) => iso_date(dt.timestamp_millis()),
        other => {
            let message = format!(
                "Unsupported conversion from {} to string in $convert with no onError value",
                type_name_of(other.as_ref())
            );
            return Err(CommandError::new(241, "ConversionFailure", message));
        }
    };
    Ok(Some(Bson::String(text)))
}

/// How MongoDB turns a value into text for string operators like `$toLower`.
fn coerce_to_string(value: Option<&Bson>) -> CmdResult<String> {
    Ok(match value {
        None | Some(Bson::Null) | Some(Bson::Undefined) => String::new(),
        Some(Bson::String(s)) | Some(Bson::Symbol(s)) | Some(Bson::JavaScriptCode(s)) => s.clone(),
        Some(Bson::Int32(n)) => n.to_string(),
        Some(Bson::Int64(n)) => n.to_string(),
        Some(Bson::Double(d)) => format_g(*d),
        Some(Bson::Decimal128(d)) => d.to_string(),
        Some(Bson::DateTime(dt)) => iso_date(dt.timestamp_millis()),
        Some(Bson::Timestamp(ts)) => format!("Timestamp({}, {})", ts.time, ts.increment),
        Some(other) => {
            let message = format!(
                "can't convert from BSON type {} to String",
                type_name(other)
            );
            return Err(location_error!(16007, message));
        }
    })
}

/// A double as C's `printf("%g")` writes it (MongoDB's string streams do): six significant
/// digits, trailing zeros dropped, exponent form outside 1e-4..1e6.
fn format_g(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let trim = |s: &str| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    let scientific = format!("{x:.5e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mantissa), exponent.unsigned_abs());
    }
    let decimals = usize::try_from(5 - exponent).unwrap_or(0);
    trim(&format!("{x:.decimals$}"))
}

/// `2024-01-31T12:00:00.000Z`, as MongoDB renders dates as strings.
fn iso_date(millis: i64) -> String {
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Civil-from-days (H. Hinnant): days since 1970-01-01 to year, month, day.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second, milli) =
        (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::{format_g, iso_date};
    use crate::expr::Expr;
    use bson::{bson, doc, oid::ObjectId, Bson, Document};

    fn eval(expr: Bson) -> super::Evaluated {
        let root: Document = doc! {
            "s": "Héllo", "n": 5, "arr": [10, 20, 30], "o": { "a": 1, "b": 2 },
            "when": bson::DateTime::from_millis(1_706_702_400_123),
        };
        Expr::parse(&expr)?.eval(&root)
    }

    fn value(expr: Bson) -> Bson {
        eval(expr).unwrap().unwrap()
    }

    fn code(expr: Bson) -> i32 {
        eval(expr).unwrap_err().code
    }

    #[test]
    fn strings() {
        assert_eq!(
            value(bson!({ "$concat": ["a", "$s", "!"] })),
            Bson::from("aHéllo!")
        );
        assert_eq!(value(bson!({ "$concat": ["a", "$missing"] })), Bson::Null);
        assert_eq!(code(bson!({ "$concat": ["a", "$n"] })), 16702);
        assert_eq!(value(bson!({ "$toUpper": "$s" })), Bson::from("HéLLO"));
        assert_eq!(value(bson!({ "$toLower": ["$s"] })), Bson::from("héllo"));
        assert_eq!(value(bson!({ "$toLower": "$missing" })), Bson::from(""));
        assert_eq!(value(bson!({ "$toUpper": 2.5 })), Bson::from("2.5"));
        assert_eq!(code(bson!({ "$toUpper": "$o" })), 16007);
        assert_eq!(value(bson!({ "$strLenCP": "$s" })), Bson::Int32(5));
        assert_eq!(code(bson!({ "$strLenCP": "$missing" })), 34471);
    }

    #[test]
    fn substr_cp_counts_code_points() {
        assert_eq!(
            value(bson!({ "$substrCP": ["$s", 1, 3] })),
            Bson::from("éll")
        );
        assert_eq!(
            value(bson!({ "$substrCP": ["$s", 4, 100] })),
            Bson::from("o")
        );
        assert_eq!(value(bson!({ "$substrCP": ["$s", 9, 1] })), Bson::from(""));
        assert_eq!(value(bson!({ "$substrCP": [null, 0, 1] })), Bson::from(""));
        assert_eq!(code(bson!({ "$substrCP": ["$s", "a", 1] })), 34450);
        assert_eq!(code(bson!({ "$substrCP": ["$s", 1.5, 1] })), 34451);
        assert_eq!(code(bson!({ "$substrCP": ["$s", 0, "x"] })), 34452);
        assert_eq!(code(bson!({ "$substrCP": ["$s", 0, -1] })), 34454);
        assert_eq!(code(bson!({ "$substrCP": ["$s", -1, 1] })), 34455);
    }

    #[test]
    fn arrays() {
        assert_eq!(value(bson!({ "$size": "$arr" })), Bson::Int32(3));
        assert_eq!(code(bson!({ "$size": "$missing" })), 17124);
        assert_eq!(
            value(bson!({ "$arrayElemAt": ["$arr", 1] })),
            Bson::Int32(20)
        );
        assert_eq!(
            value(bson!({ "$arrayElemAt": ["$arr", -1] })),
            Bson::Int32(30)
        );
        assert_eq!(eval(bson!({ "$arrayElemAt": ["$arr", 3] })).unwrap(), None);
        assert_eq!(eval(bson!({ "$arrayElemAt": ["$arr", -4] })).unwrap(), None);
        assert_eq!(
            value(bson!({ "$arrayElemAt": ["$missing", 0] })),
            Bson::Null
        );
        assert_eq!(code(bson!({ "$arrayElemAt": ["$s", 0] })), 28689);
        assert_eq!(code(bson!({ "$arrayElemAt": ["$arr", "x"] })), 28690);
        assert_eq!(code(bson!({ "$arrayElemAt": ["$arr", 0.5] })), 28691);
    }

    #[test]
    fn objects() {
        assert_eq!(
            value(bson!({ "$mergeObjects": ["$o", { "b": 3, "c": 4 }, null] })),
            bson!({ "a": 1, "b": 3, "c": 4 })
        );
        assert_eq!(value(bson!({ "$mergeObjects": [] })), bson!({}));
        let e = eval(bson!({ "$mergeObjects": ["$o", "x"] })).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                40400,
                "$mergeObjects requires object inputs, but input \"x\" is of type string"
            )
        );
        assert_eq!(
            value(bson!({ "$objectToArray": "$o" })),
            bson!([{ "k": "a", "v": 1 }, { "k": "b", "v": 2 }])
        );
        assert_eq!(value(bson!({ "$objectToArray": "$missing" })), Bson::Null);
        assert_eq!(code(bson!({ "$objectToArray": "$n" })), 40390);
    }

    #[test]
    fn to_string_conversions() {
        let id = ObjectId::parse_str("65b9a0c0a1b2c3d4e5f60718").unwrap();
        assert_eq!(
            value(bson!({ "$toString": id })),
            Bson::from("65b9a0c0a1b2c3d4e5f60718")
        );
        assert_eq!(value(bson!({ "$toString": "$n" })), Bson::from("5"));
        assert_eq!(value(bson!({ "$toString": true })), Bson::from("true"));
        assert_eq!(value(bson!({ "$toString": 2.0 })), Bson::from("2"));
        assert_eq!(
            value(bson!({ "$toString": f64::NEG_INFINITY })),
            Bson::from("-Infinity")
        );
        assert_eq!(
            value(bson!({ "$toString": "$when" })),
            Bson::from("2024-01-31T12:00:00.123Z")
        );
        assert_eq!(value(bson!({ "$toString": "$missing" })), Bson::Null);
        let e = eval(bson!({ "$toString": "$o" })).unwrap_err();
        assert_eq!((e.code, e.code_name), (241, "ConversionFailure"));
    }

    #[test]
    fn printf_g_formatting() {
        let cases = [
            (1.0, "1"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.23456789, "-1.23457"),
            (999999.5, "1e+06"),
            (-0.0, "-0"),
        ];
        for (x, expected) in cases {
            assert_eq!(format_g(x), expected, "{x}");
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_date(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn get_field() {
        assert_eq!(value(bson!({ "$getField": "n" })), Bson::Int32(5));
        assert_eq!(
            value(bson!({ "$getField": { "field": "a", "input": "$o" } })),
            Bson::Int32(1)
        );
        let dollar_field = bson!({ "$getField": { "field": { "$literal": "$x" }, "input": { "$literal": { "$x": 3 } } } });
        assert_eq!(value(dollar_field), Bson::Int32(3));
        assert_eq!(
            value(bson!({ "$getField": { "field": "a", "input": "$missing" } })),
            Bson::Null
        );
        assert_eq!(
            eval(bson!({ "$getField": { "field": "a", "input": "$s" } })).unwrap(),
            None
        );
        assert_eq!(code(bson!({ "$getField": { "input": "$o" } })), 3041702);
        assert_eq!(
            code(bson!({ "$getField": { "field": "a", "bad": 1 } })),
            3041701
        );
        assert_eq!(code(bson!({ "$getField": "$s" })), 5654601);
        assert_eq!(code(bson!({ "$getField": 5 })), 5654602);
    }

    #[test]
    fn operators_never_panic_on_odd_arguments() {
        let odd = [
            Bson::Null,
            Bson::Int32(i32::MIN),
            Bson::Int64(i64::MIN),
            Bson::Int64(i64::MAX),
            Bson::Double(f64::NAN),
            Bson::Double(f64::INFINITY),
            Bson::Double(-0.0),
            Bson::Double(4_294_967_296.0),
            Bson::from("$arr"),
            Bson::from("$o"),
            Bson::from("$missing"),
            Bson::from("é"),
            bson!([]),
            bson!([[]]),
            bson!({}),
            Bson::DateTime(bson::DateTime::from_millis(i64::MIN)),
            Bson::Decimal128("1E+6000".parse().unwrap()),
        ];
        let names = [
            "$eq",
            "$cmp",
            "$and",
            "$not",
            "$cond",
            "$ifNull",
            "$switch",
            "$in",
            "$add",
            "$subtract",
            "$multiply",
            "$divide",
            "$mod",
            "$abs",
            "$concat",
            "$toLower",
            "$strLenCP",
            "$substrCP",
            "$size",
            "$arrayElemAt",
            "$isArray",
            "$type",
            "$getField",
            "$mergeObjects",
            "$objectToArray",
            "$toString",
        ];
        for name in names {
            for a in &odd {
                for b in &odd {
                    for arg in [
                        a.clone(),
                        bson!([a.clone(), b.clone()]),
                        bson!([a.clone(), b.clone(), b.clone()]),
                    ] {
                        // A value or an error are both right here: not panicking is the point.
                        let _ = eval(bson!({ name: arg }));
                    }
                }
            }
        }
    }
}
