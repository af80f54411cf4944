//! Extended JSON written straight from an event's BSON bytes, in one pass, into a buffer the
//! caller reuses: what `--json`, recordings and copies print. It writes exactly what the bson
//! crate's conversion (`Bson::into_relaxed_extjson` / `into_canonical_extjson`, rendered by
//! serde_json) writes, plus the escapes of [`crate::printable`] for what serde_json leaves in
//! strings (DEL, C1 controls, bidirectional formatting), without building a `Document` or a
//! `serde_json::Value` per event. The test in `tests.rs` holds the old conversion as the
//! reference.

mod elements;

use std::collections::HashMap;
use std::io::Write as _;

use base64::Engine as _;
use bson::RawDocument;
use serde::Serialize;

use elements::{Elements, Malformed, Value};

use crate::nesting::{self, TooDeep, MAX_DEPTH};
use crate::printable;

/// How values are written.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Relaxed,
    Canonical,
    /// A code-with-scope's scope in relaxed mode, which the bson crate writes with its serde
    /// form: non-finite doubles as `null`, dates as `$numberLong`, generic binary as an array
    /// of bytes.
    Scope,
}

/// The items of an open document or array.
enum Items<'a> {
    Fields(Elements<'a>),
    /// A document naming a key twice, as an owned document holds it (and the old conversion
    /// wrote it): each key where it first came, with its last value.
    Deduplicated(std::vec::IntoIter<(&'a str, Value<'a>)>),
    /// An array's elements, whose keys are not written.
    Values(Elements<'a>),
}

struct Open<'a> {
    items: Items<'a>,
    mode: Mode,
    close: &'static [u8],
    /// The levels open with this one, as `nesting` counts them.
    depth: usize,
    first: bool,
}

enum Failure {
    TooDeep,
    Malformed,
    /// A document names a key twice: the values it replaces are not written, so the event is
    /// first read whole by the bson crate, which is what refuses or lets it through.
    KeyTwice,
}

impl From<Malformed> for Failure {
    fn from(_: Malformed) -> Failure {
        Failure::Malformed
    }
}

/// Appends `doc` as one line of Extended JSON (without its line break). An event nested
/// deeper than [`MAX_DEPTH`] is refused and nothing is appended; a malformed one is written
/// `{}`, as the old conversion, which could not read it, wrote it.
pub fn write_json(out: &mut Vec<u8>, doc: &RawDocument, canonical: bool) -> Result<(), TooDeep> {
    let start = out.len();
    let mode = if canonical {
        Mode::Canonical
    } else {
        Mode::Relaxed
    };
    let failure = match write_document(out, doc.as_bytes(), mode, false) {
        Ok(()) => return Ok(()),
        Err(failure) => failure,
    };
    out.truncate(start);
    // Too deep wins over malformed wherever the two are, as the depth is checked before
    // anything is converted.
    match failure {
        Failure::TooDeep => return Err(TooDeep),
        Failure::Malformed if !nesting::within_limit(doc) => return Err(TooDeep),
        Failure::Malformed => {}
        // `to_document` checks the depth first.
        Failure::KeyTwice => {
            if nesting::to_document(doc)?.is_some()
                && write_document(out, doc.as_bytes(), mode, true).is_ok()
            {
                return Ok(());
            }
        }
    }
    out.truncate(start);
    out.extend_from_slice(b"{}");
    Ok(())
}

/// Walks `doc` with a stack of its own, at most [`MAX_DEPTH`] levels deep. `read_whole`: the
/// bson crate has read the whole event, so keys named twice may be written once.
fn write_document<'a>(
    out: &mut Vec<u8>,
    doc: &'a [u8],
    mode: Mode,
    read_whole: bool,
) -> Result<(), Failure> {
    let mut open: Vec<Open<'a>> = Vec::new();
    out.push(b'{');
    enter(&mut open, fields(doc, read_whole)?, mode, b"}", 1)?;
    while let Some(top) = open.last_mut() {
        let item = match &mut top.items {
            Items::Fields(fields) => fields.next().map(|f| f.map(|(k, v)| (Some(k), v))),
            Items::Deduplicated(fields) => fields.next().map(|(k, v)| Ok((Some(k), v))),
            Items::Values(values) => values.next().map(|v| v.map(|(_, v)| (None, v))),
        };
        let Some(item) = item else {
            out.extend_from_slice(top.close);
            open.pop();
            continue;
        };
        let (key, value) = item?;
        if !top.first {
            out.push(b',');
        }
        top.first = false;
        if let Some(key) = key {
            string(out, key);
            out.push(b':');
        }
        let mode = top.mode;
        match value {
            Value::Document(inner) => {
                out.push(b'{');
                enter(&mut open, fields(inner, read_whole)?, mode, b"}", 1)?;
            }
            Value::Array(inner) => {
                out.push(b'[');
                enter(
                    &mut open,
                    Items::Values(Elements::new(inner)),
                    mode,
                    b"]",
                    1,
                )?;
            }
            Value::CodeWithScope(code, scope) => {
                out.extend_from_slice(b"{\"$code\":");
                string(out, code);
                out.extend_from_slice(b",\"$scope\":{");
                let inner = if mode == Mode::Canonical {
                    Mode::Canonical
                } else {
                    Mode::Scope
                };
                enter(&mut open, fields(scope, read_whole)?, inner, b"}}", 2)?;
            }
            scalar => write_scalar(out, scalar, mode),
        }
    }
    Ok(())
}

/// Opens a document or an array counting for `weight` levels; refused beyond [`MAX_DEPTH`].
fn enter<'a>(
    open: &mut Vec<Open<'a>>,
    items: Items<'a>,
    mode: Mode,
    close: &'static [u8],
    weight: usize,
) -> Result<(), Failure> {
    let depth = open.last().map_or(0, |o| o.depth) + weight;
    if depth > MAX_DEPTH {
        return Err(Failure::TooDeep);
    }
    open.push(Open {
        items,
        mode,
        close,
        depth,
        first: true,
    });
    Ok(())
}

/// The fields of `doc`, each key once.
fn fields(doc: &[u8], read_whole: bool) -> Result<Items<'_>, Failure> {
    if !names_a_key_twice(doc)? {
        return Ok(Items::Fields(Elements::new(doc)));
    }
    if !read_whole {
        return Err(Failure::KeyTwice);
    }
    let mut kept: Vec<(&str, Value)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for field in Elements::new(doc) {
        let (key, value) = field?;
        match index.get(key) {
            Some(&i) => kept[i].1 = value,
            None => {
                index.insert(key, kept.len());
                kept.push((key, value));
            }
        }
    }
    Ok(Items::Deduplicated(kept.into_iter()))
}

/// Whether two of `doc`'s keys may be the same (equal hashes; exact for distinct ones, which
/// is what matters: the deduplicating path writes any document right). Usual documents have
/// a few keys: their hashes stay on the stack.
fn names_a_key_twice(doc: &[u8]) -> Result<bool, Failure> {
    const FEW: usize = 32;
    let mut few = [0u64; FEW];
    let mut count = 0;
    let mut many = Vec::new();
    for element in Elements::new(doc) {
        let hash = key_hash(element?.0);
        if count < FEW {
            if few[..count].contains(&hash) {
                return Ok(true);
            }
            few[count] = hash;
            count += 1;
        } else {
            many.push(hash);
        }
    }
    if many.is_empty() {
        return Ok(false);
    }
    many.extend_from_slice(&few);
    many.sort_unstable();
    Ok(many.windows(2).any(|pair| pair[0] == pair[1]))
}

/// FNV-1a: keys are short.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}

fn write_scalar(out: &mut Vec<u8>, value: Value, mode: Mode) {
    match value {
        Value::Double(v) => double(out, v, mode),
        Value::String(text) => string(out, text),
        Value::Boolean(v) => out.extend_from_slice(if v { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Int32(v) if mode == Mode::Canonical => {
            wrapped_number(out, "{\"$numberInt\":\"", v, "\"}")
        }
        Value::Int32(v) => number(out, v),
        Value::Int64(v) if mode == Mode::Canonical => {
            wrapped_number(out, "{\"$numberLong\":\"", v, "\"}")
        }
        Value::Int64(v) => number(out, v),
        Value::ObjectId(id) => {
            out.extend_from_slice(b"{\"$oid\":\"");
            hex(out, id);
            out.extend_from_slice(b"\"}");
        }
        Value::DateTime(millis) => match (mode, rfc3339_date(millis)) {
            (Mode::Relaxed, Some(iso)) => {
                out.extend_from_slice(b"{\"$date\":\"");
                out.extend_from_slice(&iso.bytes[..iso.len]);
                out.extend_from_slice(b"\"}");
            }
            _ => wrapped_number(out, "{\"$date\":{\"$numberLong\":\"", millis, "\"}}"),
        },
        // The generic subtype.
        Value::Binary(0, bytes) if mode == Mode::Scope => {
            out.push(b'[');
            for (i, byte) in bytes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                number(out, *byte);
            }
            out.push(b']');
        }
        Value::Binary(subtype, bytes) => {
            out.extend_from_slice(b"{\"$binary\":{\"base64\":\"");
            out.extend_from_slice(
                base64::engine::general_purpose::STANDARD
                    .encode(bytes)
                    .as_bytes(),
            );
            out.extend_from_slice(b"\",\"subType\":\"");
            hex(out, &[subtype]);
            out.extend_from_slice(b"\"}}");
        }
        Value::Regex(pattern, options) => {
            let mut options: Vec<char> = options.chars().collect();
            options.sort_unstable();
            let options: String = options.into_iter().collect();
            out.extend_from_slice(b"{\"$regularExpression\":{\"pattern\":");
            string(out, pattern);
            out.extend_from_slice(b",\"options\":");
            string(out, &options);
            out.extend_from_slice(b"}}");
        }
        Value::Code(code) => {
            out.extend_from_slice(b"{\"$code\":");
            string(out, code);
            out.push(b'}');
        }
        Value::Symbol(symbol) => {
            out.extend_from_slice(b"{\"$symbol\":");
            string(out, symbol);
            out.push(b'}');
        }
        Value::Timestamp { time, increment } => {
            out.extend_from_slice(b"{\"$timestamp\":{\"t\":");
            number(out, time);
            out.extend_from_slice(b",\"i\":");
            number(out, increment);
            out.extend_from_slice(b"}}");
        }
        Value::Decimal128(v) => {
            out.extend_from_slice(b"{\"$numberDecimal\":");
            string(out, &bson::Decimal128::from_bytes(v).to_string());
            out.push(b'}');
        }
        Value::DbPointer(namespace, id) => {
            out.extend_from_slice(b"{\"$dbPointer\":{\"$ref\":");
            string(out, namespace);
            out.extend_from_slice(b",\"$id\":{\"$oid\":\"");
            hex(out, id);
            out.extend_from_slice(b"\"}}}");
        }
        Value::Undefined => out.extend_from_slice(b"{\"$undefined\":true}"),
        Value::MinKey => out.extend_from_slice(b"{\"$minKey\":1}"),
        Value::MaxKey => out.extend_from_slice(b"{\"$maxKey\":1}"),
        // Written by the walk.
        Value::Document(_) | Value::Array(_) | Value::CodeWithScope(..) => {}
    }
}

fn double(out: &mut Vec<u8>, v: f64, mode: Mode) {
    let special = match v {
        _ if mode == Mode::Scope => None,
        _ if v.is_nan() => Some(if v.is_sign_negative() { "-NaN" } else { "NaN" }),
        _ if v.is_infinite() => Some(if v.is_sign_negative() {
            "-Infinity"
        } else {
            "Infinity"
        }),
        _ if mode == Mode::Canonical && v == 0.0 => {
            Some(if v.is_sign_negative() { "-0.0" } else { "0.0" })
        }
        _ => None,
    };
    if let Some(text) = special {
        wrapped_text(out, text);
    } else if mode == Mode::Canonical && v.is_normal() {
        out.extend_from_slice(b"{\"$numberDouble\":\"");
        // Writing into a Vec does not fail.
        let _ = write!(out, "{v}");
        if v.fract() == 0.0 {
            out.extend_from_slice(b".0");
        }
        out.extend_from_slice(b"\"}");
    } else {
        // serde_json's own float text (and `null` for what is not finite, in a scope).
        number(out, v);
    }
}

fn wrapped_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"{\"$numberDouble\":\"");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\"}");
}

/// A number as serde_json writes it.
fn number(out: &mut Vec<u8>, v: impl Serialize) {
    // Writing into a Vec does not fail.
    let _ = serde_json::to_writer(&mut *out, &v);
}

fn wrapped_number(out: &mut Vec<u8>, before: &str, v: impl Serialize, after: &str) {
    out.extend_from_slice(before.as_bytes());
    number(out, v);
    out.extend_from_slice(after.as_bytes());
}

fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 0xf)]);
    }
}

/// `text` as a JSON string: escaped as serde_json escapes (quote, backslash, controls below
/// 0x20), then as [`printable`] escapes what is left (DEL, C1 controls, bidirectional
/// formatting characters: whatever [`printable::hidden`] says), `\u` with four lowercase hex
/// digits.
fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.push(b'"');
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let (escape, width): (Option<&[u8]>, usize) = match byte {
            b'"' => (Some(b"\\\""), 1),
            b'\\' => (Some(b"\\\\"), 1),
            b'\n' => (Some(b"\\n"), 1),
            b'\r' => (Some(b"\\r"), 1),
            b'\t' => (Some(b"\\t"), 1),
            0x08 => (Some(b"\\b"), 1),
            0x0c => (Some(b"\\f"), 1),
            0..0x20 | 0x7f => (None, 1),
            0x80.. => match text[i..].chars().next() {
                Some(c) if printable::hidden(c) => (None, c.len_utf8()),
                // Passed over whole: it needs no escape.
                c => {
                    i += c.map_or(1, char::len_utf8);
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[plain..i]);
        match escape {
            Some(escape) => out.extend_from_slice(escape),
            None => {
                let c = text[i..].chars().next().map_or(0, u32::from);
                // Writing into a Vec does not fail.
                let _ = write!(out, "\\u{c:04x}");
            }
        }
        i += width;
        plain = i;
    }
    out.extend_from_slice(&bytes[plain..]);
    out.push(b'"');
}

/// `1970-01-01T00:00:00.25Z`: a date as RFC 3339 text (the fraction without its trailing
/// zeros, none when whole), for the dates relaxed mode writes so: from 1970 to 9999.
struct Rfc3339Date {
    bytes: [u8; 24],
    len: usize,
}

fn rfc3339_date(millis: i64) -> Option<Rfc3339Date> {
    // 10000-01-01T00:00:00Z.
    const END: i64 = 253_402_300_800_000;
    if !(0..END).contains(&millis) {
        return None;
    }
    let in_day = millis % 86_400_000;
    let (year, month, day) = time::OffsetDateTime::from_unix_timestamp(millis / 1000)
        .ok()?
        .to_calendar_date();
    let (year, month, day) = (i64::from(year), i64::from(u8::from(month)), i64::from(day));
    let mut bytes = [0u8; 24];
    let digits = |bytes: &mut [u8], value: i64| {
        let mut value = value;
        for slot in bytes.iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    digits(&mut bytes[0..4], year);
    bytes[4] = b'-';
    digits(&mut bytes[5..7], month);
    bytes[7] = b'-';
    digits(&mut bytes[8..10], day);
    bytes[10] = b'T';
    digits(&mut bytes[11..13], in_day / 3_600_000);
    bytes[13] = b':';
    digits(&mut bytes[14..16], in_day / 60_000 % 60);
    bytes[16] = b':';
    digits(&mut bytes[17..19], in_day / 1000 % 60);
    let mut len = 19;
    let fraction = in_day % 1000;
    if fraction != 0 {
        bytes[19] = b'.';
        digits(&mut bytes[20..23], fraction);
        len = 23;
        while bytes[len - 1] == b'0' {
            len -= 1;
        }
    }
    bytes[len] = b'Z';
    Some(Rfc3339Date {
        bytes,
        len: len + 1,
    })
}

#[cfg(test)]
mod tests;
