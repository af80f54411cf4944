//! Tree values to BSON. Extended JSON v2 wrappers (`{$oid: ".."}`) and
//! mongosh helpers (`ObjectId("..")`) become the BSON types they stand for.

use bson::oid::ObjectId;
use bson::spec::BinarySubtype;
use bson::{
    Binary, Bson, DateTime, Decimal128, Document, JavaScriptCodeWithScope, Regex, Timestamp,
};

use super::date::parse_iso_date;
use super::syntax::{Entry, Kind, Node, Number};
use super::{suggest, ParseError, Pos};

/// Keys that make a one-key document an Extended JSON value (see `ejson`).
const EJSON_KEYS: &[&str] = &[
    "$oid",
    "$date",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$uuid",
    "$regularExpression",
    "$timestamp",
    "$minKey",
    "$maxKey",
    "$symbol",
    "$code",
];

/// The mongosh helpers understood, for "did you mean" suggestions.
const FUNCTIONS: &[&str] = &[
    "ObjectId",
    "ISODate",
    "Date",
    "NumberLong",
    "NumberInt",
    "NumberDecimal",
    "Decimal128",
    "UUID",
    "Timestamp",
    "MinKey",
    "MaxKey",
    "BinData",
    "RegExp",
];

/// The regex options MongoDB accepts.
const REGEX_OPTIONS: &str = "ilmsux";

pub(crate) fn to_bson(node: &Node) -> Result<Bson, ParseError> {
    Ok(match &node.kind {
        Kind::Null => Bson::Null,
        Kind::Bool(b) => Bson::Boolean(*b),
        Kind::Number { value, .. } => number(*value),
        Kind::Str(s) => Bson::String(s.clone()),
        Kind::Array(items) => Bson::Array(items.iter().map(to_bson).collect::<Result<_, _>>()?),
        Kind::Object(entries) => object(entries)?,
        Kind::Call {
            name,
            name_pos,
            is_new,
            args,
        } => call(name, *name_pos, *is_new, args)?,
        Kind::Regex {
            pattern,
            flags,
            flags_pos,
        } => {
            let options = regex_options(flags).map_err(|(index, message)| {
                let pos = Pos {
                    line: flags_pos.line,
                    column: flags_pos.column + index,
                };
                ParseError::at(pos, message)
            })?;
            Bson::RegularExpression(Regex {
                pattern: without_nul(pattern, node.pos)?.to_string(),
                options,
            })
        }
    })
}

/// A regex pattern, which BSON ends at a NUL byte: one holding a NUL cannot be sent.
fn without_nul(pattern: &str, pos: Pos) -> Result<&str, ParseError> {
    match pattern.contains('\0') {
        true => Err(ParseError::at(
            pos,
            "a regex cannot hold a NUL character (\\u0000)",
        )),
        false => Ok(pattern),
    }
}

/// Integers take the smallest type that holds them, as mongosh does.
fn number(n: Number) -> Bson {
    match n {
        Number::Int(i) => i32::try_from(i).map_or(Bson::Int64(i), Bson::Int32),
        Number::Double(d) => Bson::Double(d),
    }
}

fn object(entries: &[Entry]) -> Result<Bson, ParseError> {
    if let [only] = entries {
        if let Some(value) = ejson(only)? {
            return Ok(value);
        }
    }
    if let Some(wrapper) = entries
        .iter()
        .find(|e| EJSON_KEYS.contains(&e.key.as_str()))
    {
        let code = entries.iter().find(|e| e.key == "$code");
        let scope = entries.iter().find(|e| e.key == "$scope");
        if let (2, Some(code), Some(scope)) = (entries.len(), code, scope) {
            return code_with_scope(code, scope);
        }
        // Half an Extended JSON value is almost surely a mistake, such as
        // the legacy `{$binary: "..", $type: ".."}`.
        return Err(ParseError::at(
            wrapper.key_pos,
            format!("{} must be the only key of its document", wrapper.key),
        ));
    }
    let mut doc = Document::new();
    for entry in entries {
        doc.insert(entry.key.clone(), to_bson(&entry.value)?);
    }
    Ok(Bson::Document(doc))
}

/// The value of a one-key document if its key is an Extended JSON type
/// (canonical or relaxed), `None` for an ordinary document.
fn ejson(entry: &Entry) -> Result<Option<Bson>, ParseError> {
    let key = entry.key.as_str();
    let v = &entry.value;
    Ok(Some(match key {
        "$oid" => Bson::ObjectId(object_id(v, key)?),
        "$date" => Bson::DateTime(match &v.kind {
            Kind::Str(_) => iso_date(v, key)?,
            Kind::Number { .. } => millis(v)?,
            Kind::Object(_) => {
                let [ms] = fields(v, key, ["$numberLong"])?;
                DateTime::from_millis(integer(ms, "$numberLong")?)
            }
            other => {
                return Err(ParseError::at(
                    v.pos,
                    format!(
                        "$date expects an ISO date string, milliseconds or {{$numberLong: \"..\"}}, found {}",
                        other.describe()
                    ),
                ))
            }
        }),
        "$numberLong" => Bson::Int64(integer(v, key)?),
        "$numberInt" => Bson::Int32(int32(v, key)?),
        "$numberDouble" => Bson::Double(double(v, key)?),
        "$numberDecimal" => Bson::Decimal128(decimal(v, key)?),
        "$binary" => {
            let [data, subtype] = fields(v, key, ["base64", "subType"])?;
            let code = string(subtype, "subType")?;
            let valid = (1..=2).contains(&code.len()) && code.chars().all(|c| c.is_ascii_hexdigit());
            match u8::from_str_radix(code, 16) {
                Ok(code) if valid => binary(data, key, code)?,
                _ => {
                    return Err(ParseError::at(
                        subtype.pos,
                        format!("subType expects a hex byte like \"04\", found \"{code}\""),
                    ))
                }
            }
        }
        "$uuid" => uuid(v, key)?,
        "$regularExpression" => {
            let [pattern, options] = fields(v, key, ["pattern", "options"])?;
            regex_from(pattern, Some(options), key)?
        }
        "$timestamp" => {
            let [t, i] = fields(v, key, ["t", "i"])?;
            timestamp(t, i, key)?
        }
        "$minKey" | "$maxKey" => match v.kind {
            Kind::Number {
                value: Number::Int(1),
                ..
            } if key == "$minKey" => Bson::MinKey,
            Kind::Number {
                value: Number::Int(1),
                ..
            } => Bson::MaxKey,
            _ => return Err(ParseError::at(v.pos, format!("{key} expects 1, found {}", found(v)))),
        },
        "$symbol" => Bson::Symbol(string(v, key)?.to_string()),
        "$code" => Bson::JavaScriptCode(string(v, key)?.to_string()),
        _ => return Ok(None),
    }))
}

fn code_with_scope(code: &Entry, scope: &Entry) -> Result<Bson, ParseError> {
    let code = string(&code.value, "$code")?.to_string();
    match to_bson(&scope.value)? {
        Bson::Document(scope) => Ok(Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
            code,
            scope,
        })),
        _ => Err(ParseError::at(
            scope.value.pos,
            format!(
                "$scope expects a document, found {}",
                scope.value.kind.describe()
            ),
        )),
    }
}

/// A mongosh helper call such as `ObjectId("..")` or `new Date(..)`.
fn call(name: &str, name_pos: Pos, is_new: bool, args: &[Node]) -> Result<Bson, ParseError> {
    let arity = |min: usize, max: usize| {
        let expected = match (min, max) {
            (0, 0) => "no arguments".to_string(),
            (1, 1) => "1 argument".to_string(),
            (0, _) => format!("at most {max} argument{}", if max == 1 { "" } else { "s" }),
            _ if min == max => format!("{min} arguments"),
            _ => format!("{min} or {max} arguments"),
        };
        let shown = if is_new {
            format!("new {name}")
        } else {
            name.to_string()
        };
        // Point at the first extra argument, or at the name if some are missing.
        let pos = args.get(max).map_or(name_pos, |a| a.pos);
        ParseError::at(
            pos,
            format!("{shown} takes {expected}, found {}", args.len()),
        )
    };
    Ok(match (name, args) {
        ("ObjectId", []) => Bson::ObjectId(ObjectId::new()),
        ("ObjectId", [hex]) => Bson::ObjectId(object_id(hex, name)?),
        ("ObjectId", _) => return Err(arity(0, 1)),
        ("ISODate", []) => Bson::DateTime(DateTime::now()),
        ("ISODate", [text]) => Bson::DateTime(iso_date(text, name)?),
        ("ISODate", _) => return Err(arity(0, 1)),
        ("Date", _) if !is_new => {
            return Err(ParseError::at(
                name_pos,
                "Date(...) without 'new' gives a string; write new Date(...) or ISODate(...)",
            ))
        }
        ("Date", []) => Bson::DateTime(DateTime::now()),
        ("Date", [arg]) => Bson::DateTime(match &arg.kind {
            Kind::Str(_) => iso_date(arg, "new Date")?,
            Kind::Number { .. } => millis(arg)?,
            other => {
                return Err(ParseError::at(
                    arg.pos,
                    format!(
                        "new Date expects an ISO date string or milliseconds, found {}",
                        other.describe()
                    ),
                ))
            }
        }),
        ("Date", _) => return Err(arity(0, 1)),
        ("NumberLong", [n]) => Bson::Int64(integer(n, name)?),
        ("NumberInt", [n]) => Bson::Int32(int32(n, name)?),
        ("NumberDecimal" | "Decimal128", [n]) => Bson::Decimal128(decimal(n, name)?),
        ("NumberLong" | "NumberInt" | "NumberDecimal" | "Decimal128", _) => {
            return Err(arity(1, 1))
        }
        ("UUID", []) => Bson::Binary(Binary::from(bson::Uuid::new())),
        ("UUID", [hex]) => uuid(hex, name)?,
        ("UUID", _) => return Err(arity(0, 1)),
        ("Timestamp", [t, i]) => timestamp(t, i, name)?,
        ("Timestamp", [doc]) => {
            let [t, i] = fields(doc, name, ["t", "i"])?;
            timestamp(t, i, name)?
        }
        ("Timestamp", _) => return Err(arity(1, 2)),
        ("MinKey", []) => Bson::MinKey,
        ("MaxKey", []) => Bson::MaxKey,
        ("MinKey" | "MaxKey", _) => return Err(arity(0, 0)),
        ("BinData", [subtype, data]) => {
            let code = integer(subtype, "BinData subtype")?;
            match u8::try_from(code) {
                Ok(code) => binary(data, name, code)?,
                Err(_) => {
                    return Err(ParseError::at(
                        subtype.pos,
                        format!("BinData subtype must be from 0 to 255, found {code}"),
                    ))
                }
            }
        }
        ("BinData", _) => return Err(arity(2, 2)),
        ("RegExp", [pattern]) => regex_from(pattern, None, name)?,
        ("RegExp", [pattern, flags]) => regex_from(pattern, Some(flags), name)?,
        ("RegExp", _) => return Err(arity(1, 2)),
        _ => {
            let message = match suggest(name, FUNCTIONS) {
                Some("Date") => format!("unknown function '{name}' (did you mean new Date?)"),
                Some(known) => format!("unknown function '{name}' (did you mean {known}?)"),
                None => format!("unknown function '{name}'"),
            };
            return Err(ParseError::at(name_pos, message));
        }
    })
}

/// The named fields of a document, in the order asked for; any other field
/// is an error.
fn fields<'a, const N: usize>(
    node: &'a Node,
    what: &str,
    names: [&str; N],
) -> Result<[&'a Node; N], ParseError> {
    let Kind::Object(entries) = &node.kind else {
        return Err(ParseError::at(
            node.pos,
            format!(
                "{what} expects a document with {}, found {}",
                names.join(", "),
                node.kind.describe()
            ),
        ));
    };
    if let Some(extra) = entries.iter().find(|e| !names.contains(&e.key.as_str())) {
        return Err(ParseError::at(
            extra.key_pos,
            format!(
                "unknown field '{}' in {what} (expected {})",
                extra.key,
                names.join(", ")
            ),
        ));
    }
    let mut out = [node; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = match entries.iter().find(|e| e.key == name) {
            Some(entry) => &entry.value,
            None => {
                return Err(ParseError::at(
                    node.pos,
                    format!("{what} is missing '{name}'"),
                ))
            }
        };
    }
    Ok(out)
}

/// The value as typed, for messages.
fn found(node: &Node) -> String {
    match &node.kind {
        Kind::Number { text, .. } => text.clone(),
        Kind::Str(s) => format!("\"{s}\""),
        other => other.describe().to_string(),
    }
}

fn string<'a>(node: &'a Node, what: &str) -> Result<&'a str, ParseError> {
    match &node.kind {
        Kind::Str(s) => Ok(s),
        other => Err(ParseError::at(
            node.pos,
            format!("{what} expects a string, found {}", other.describe()),
        )),
    }
}

/// An integer written as a number or as a string (`NumberLong("123")`,
/// `{$numberLong: "123"}`).
fn integer(node: &Node, what: &str) -> Result<i64, ParseError> {
    let parsed = match &node.kind {
        Kind::Number {
            value: Number::Int(i),
            ..
        } => Some(*i),
        Kind::Str(s) => s.parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        ParseError::at(
            node.pos,
            format!("{what} expects a 64-bit integer, found {}", found(node)),
        )
    })
}

fn int32(node: &Node, what: &str) -> Result<i32, ParseError> {
    let n = integer(node, what)?;
    i32::try_from(n).map_err(|_| {
        ParseError::at(
            node.pos,
            format!("{what} is out of range for a 32-bit integer: {n}"),
        )
    })
}

fn uint32(node: &Node, what: &str) -> Result<u32, ParseError> {
    let n = integer(node, what)?;
    u32::try_from(n).map_err(|_| {
        ParseError::at(
            node.pos,
            format!("{what} must be from 0 to {}, found {n}", u32::MAX),
        )
    })
}

/// `{$numberDouble: "1.5"}`, also `"Infinity"`, `"-Infinity"` and `"NaN"`.
fn double(node: &Node, what: &str) -> Result<f64, ParseError> {
    let parsed = match &node.kind {
        Kind::Number { value, .. } => match value {
            Number::Int(i) => Some(*i as f64),
            Number::Double(d) => Some(*d),
        },
        Kind::Str(s) => match s.as_str() {
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            "NaN" => Some(f64::NAN),
            _ if is_decimal_syntax(s) => s.parse().ok(),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| {
        ParseError::at(
            node.pos,
            format!("{what} expects a number, found {}", found(node)),
        )
    })
}

/// A decimal from a string, or from a number literal as typed
/// (`NumberDecimal(1.10)` keeps both digits).
fn decimal(node: &Node, what: &str) -> Result<Decimal128, ParseError> {
    let text = match &node.kind {
        Kind::Str(s) => s.as_str(),
        Kind::Number { text, .. } => text.as_str(),
        other => {
            return Err(ParseError::at(
                node.pos,
                format!(
                    "{what} expects a string like \"1.5\", found {}",
                    other.describe()
                ),
            ))
        }
    };
    if !is_decimal_syntax(text) && !is_special_decimal(text) {
        return Err(ParseError::at(
            node.pos,
            format!("invalid decimal \"{text}\""),
        ));
    }
    text.parse()
        .map_err(|_| ParseError::at(node.pos, format!("decimal out of range: {text}")))
}

/// `[+-]digits[.digits][e[+-]digits]`, with digits on at least one side of the dot.
fn is_decimal_syntax(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    exponent_ok && !(int.is_empty() && frac.is_empty()) && all_digits(int) && all_digits(frac)
}

fn is_special_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    ["nan", "inf", "infinity"].contains(&unsigned.to_ascii_lowercase().as_str())
}

fn object_id(node: &Node, what: &str) -> Result<ObjectId, ParseError> {
    let hex = string(node, what)?;
    let error = |message: String| ParseError::at(node.pos, format!("invalid ObjectId: {message}"));
    let count = hex.chars().count();
    if count != 24 {
        return Err(error(format!("expected 24 hex digits, found {count}")));
    }
    if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(error(format!("'{c}' is not a hex digit")));
    }
    ObjectId::parse_str(hex).map_err(|e| error(e.to_string()))
}

/// A UUID, with or without hyphens, as Binary subtype 4.
fn uuid(node: &Node, what: &str) -> Result<Bson, ParseError> {
    let text = string(node, what)?;
    let error = |message: String| ParseError::at(node.pos, format!("invalid UUID: {message}"));
    let hex: Vec<char> = text.chars().filter(|c| *c != '-').collect();
    if let Some(c) = hex.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(error(format!("'{c}' is not a hex digit")));
    }
    if hex.len() != 32 {
        return Err(error(format!(
            "expected 32 hex digits, found {}",
            hex.len()
        )));
    }
    let bytes = hex
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .filter_map(|c| c.to_digit(16))
                .fold(0, |acc, d| acc * 16 + d) as u8
        })
        .collect();
    Ok(Bson::Binary(Binary {
        subtype: BinarySubtype::Uuid,
        bytes,
    }))
}

fn binary(data: &Node, what: &str, subtype: u8) -> Result<Bson, ParseError> {
    let base64 = string(data, what)?;
    Binary::from_base64(base64, BinarySubtype::from(subtype))
        .map(Bson::Binary)
        .map_err(|_| ParseError::at(data.pos, format!("invalid base64 in {what}")))
}

fn iso_date(node: &Node, what: &str) -> Result<DateTime, ParseError> {
    let text = string(node, what)?;
    parse_iso_date(text)
        .map(DateTime::from_millis)
        .map_err(|message| ParseError::at(node.pos, format!("invalid date \"{text}\": {message}")))
}

/// A date from milliseconds since the Unix epoch.
fn millis(node: &Node) -> Result<DateTime, ParseError> {
    match &node.kind {
        Kind::Number {
            value: Number::Int(ms),
            ..
        } => Ok(DateTime::from_millis(*ms)),
        // i64 holds about ±9.2e18; JavaScript dates stop far sooner.
        Kind::Number {
            value: Number::Double(ms),
            ..
        } if ms.is_finite() && ms.abs() < 9.0e18 => Ok(DateTime::from_millis(ms.trunc() as i64)),
        _ => Err(ParseError::at(
            node.pos,
            format!("invalid date: {} milliseconds", found(node)),
        )),
    }
}

fn timestamp(t: &Node, i: &Node, what: &str) -> Result<Bson, ParseError> {
    Ok(Bson::Timestamp(Timestamp {
        time: uint32(t, &format!("{what} t"))?,
        increment: uint32(i, &format!("{what} i"))?,
    }))
}

/// A regex from string arguments; the options are checked and sorted as
/// MongoDB stores them.
fn regex_from(pattern: &Node, options: Option<&Node>, what: &str) -> Result<Bson, ParseError> {
    let pattern = without_nul(string(pattern, what)?, pattern.pos)?.to_string();
    let options = match options {
        None => String::new(),
        Some(node) => regex_options(string(node, what)?)
            .map_err(|(_, message)| ParseError::at(node.pos, message))?,
    };
    Ok(Bson::RegularExpression(Regex { pattern, options }))
}

/// Checks regex flags and sorts them. On error, says which char (by index)
/// is wrong.
fn regex_options(flags: &str) -> Result<String, (usize, String)> {
    let mut options: Vec<char> = Vec::new();
    for (index, c) in flags.chars().enumerate() {
        if !REGEX_OPTIONS.contains(c) {
            return Err((
                index,
                format!("invalid regex flag '{c}' (allowed: i, l, m, s, u, x)"),
            ));
        }
        if options.contains(&c) {
            return Err((index, format!("duplicate regex flag '{c}'")));
        }
        options.push(c);
    }
    options.sort_unstable();
    Ok(options.into_iter().collect())
}
