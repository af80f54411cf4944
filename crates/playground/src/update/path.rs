//! Dotted-path access for update operators, and BSON values printed the way
//! MongoDB prints them inside error messages.

use bson::{Bson, Document};

use crate::depth;
use crate::error::{CmdResult, CommandError};
use crate::path::Use;

/// MongoDB refuses to pad an array with more nulls than this in one update.
const MAX_PADDING: usize = 1_500_000;

/// Splits a dotted update path, rejecting what MongoDB rejects before it
/// looks at any document (array filters are checked by `check_array_filters`).
pub(super) fn parse_path(dotted: &str) -> CmdResult<Vec<String>> {
    if dotted.is_empty() {
        return Err(empty_field(
            "An empty update path is not valid.".to_string(),
        ));
    }
    let parts: Vec<String> = crate::path::split(dotted, Use::Field)?
        .into_iter()
        .map(String::from)
        .collect();
    if parts.iter().any(String::is_empty) {
        return Err(empty_field(format!(
            "The update path '{dotted}' contains an empty field name, which is not allowed."
        )));
    }
    if parts.iter().filter(|part| *part == "$").count() > 1 {
        return Err(CommandError::bad_value(format!(
            "Too many positional (i.e. '$') elements found in path '{dotted}'"
        )));
    }
    if parts.first().is_some_and(|part| part == "$") {
        return Err(CommandError::bad_value(format!(
            "Cannot have positional (i.e. '$') element in the first position in path '{dotted}'"
        )));
    }
    Ok(parts)
}

fn empty_field(message: String) -> CommandError {
    CommandError::new(56, "EmptyFieldName", message)
}

/// `$[]` or `$[identifier]`.
pub(super) fn is_array_filter(part: &str) -> bool {
    part.len() >= 3 && part.starts_with("$[") && part.ends_with(']')
}

/// Only the all-elements `$[]` is usable: there are never `arrayFilters` to
/// name an identifier, so `$[id]` fails as in MongoDB without them.
pub(super) fn check_array_filters(parts: &[String]) -> CmdResult<()> {
    let dotted = parts.join(".");
    for (i, part) in parts.iter().enumerate() {
        if !is_array_filter(part) {
            continue;
        }
        if i == 0 {
            return Err(CommandError::bad_value(format!(
                "Cannot have array filter identifier (i.e. '$[<id>]') element in the first \
                 position in path '{dotted}'"
            )));
        }
        if part != "$[]" {
            let identifier = part
                .strip_prefix("$[")
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap_or_default();
            return Err(CommandError::bad_value(format!(
                "No array filter found for identifier '{identifier}' in path '{dotted}'"
            )));
        }
    }
    Ok(())
}

/// A path part as an array index: ASCII digits only (leading zeros allowed, as MongoDB).
pub(super) fn array_index(part: &str) -> Option<usize> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// BSON binary equality: same types, same bytes, same field order. Unlike
/// `values_equal`, `1` and `1.0` differ and so do `{a, b}` and `{b, a}`.
pub(super) fn identical(a: &Bson, b: &Bson) -> bool {
    match (a, b) {
        (Bson::Double(x), Bson::Double(y)) => x.to_bits() == y.to_bits(),
        (Bson::Document(x), Bson::Document(y)) => documents_identical(x, y),
        (Bson::Array(x), Bson::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| identical(a, b))
        }
        _ => a == b,
    }
}

fn documents_identical(x: &Document, y: &Document) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|((ka, va), (kb, vb))| ka == kb && identical(va, vb))
}

/// What a path leads to in a document.
pub(super) enum Lookup<'a> {
    Found(&'a Bson),
    Missing,
    /// Part `part` of the path would have to go through `element` (printed as
    /// `name: value`), which is neither a document nor, for an index, an array.
    Blocked {
        part: usize,
        element: String,
    },
}

pub(super) fn lookup<'a>(doc: &'a Document, path: &[String]) -> Lookup<'a> {
    let Some((first, rest)) = path.split_first() else {
        return Lookup::Missing;
    };
    let Some(mut current) = doc.get(first) else {
        return Lookup::Missing;
    };
    let mut name = first;
    for (i, part) in rest.iter().enumerate() {
        let next = match (current, array_index(part)) {
            (Bson::Document(d), _) => d.get(part),
            (Bson::Array(items), Some(index)) => items.get(index),
            _ => {
                return Lookup::Blocked {
                    part: i + 1,
                    element: element_string(name, current),
                }
            }
        };
        match next {
            Some(value) => current = value,
            None => return Lookup::Missing,
        }
        name = part;
    }
    Lookup::Found(current)
}

/// The name of the deepest existing array that encloses the value at `path`.
pub(super) fn enclosing_array(doc: &Document, path: &[String]) -> Option<String> {
    let (first, rest) = path.split_first()?;
    let mut current = doc.get(first)?;
    let mut name = first;
    let mut found = None;
    for part in rest {
        let next = match current {
            Bson::Document(d) => d.get(part),
            Bson::Array(items) => {
                found = Some(name.clone());
                array_index(part).and_then(|i| items.get(i))
            }
            _ => None,
        };
        let Some(value) = next else { break };
        current = value;
        name = part;
    }
    found
}

/// Changes the value at `path`. `change` receives the current value (which it
/// may edit in place) or `None` when there is none, and returns a value to
/// store there, or `None` to leave it. Storing at a missing path creates the
/// sub-documents on the way and pads arrays with nulls, as MongoDB does.
pub(super) fn update_at<F>(doc: &mut Document, path: &[String], change: F) -> CmdResult<()>
where
    F: FnOnce(Option<&mut Bson>) -> CmdResult<Option<Bson>>,
{
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    match doc.get_mut(first) {
        Some(slot) => update_in(slot, first, rest, change),
        None => {
            if let Some(value) = change(None)? {
                doc.insert(first.clone(), nest(rest, value)?);
            }
            Ok(())
        }
    }
}

/// `update_at` for the rest of a path below `value` (named `name`).
fn update_in<F>(value: &mut Bson, name: &str, path: &[String], change: F) -> CmdResult<()>
where
    F: FnOnce(Option<&mut Bson>) -> CmdResult<Option<Bson>>,
{
    let Some((first, rest)) = path.split_first() else {
        if let Some(new) = change(Some(&mut *value))? {
            *value = new;
        }
        return Ok(());
    };
    if let Bson::Document(d) = value {
        return update_at(d, path, change);
    }
    match (value, array_index(first)) {
        (Bson::Array(items), Some(index)) => {
            if let Some(slot) = items.get_mut(index) {
                return update_in(slot, first, rest, change);
            }
            let Some(new) = change(None)? else {
                return Ok(());
            };
            if index - items.len() > MAX_PADDING {
                return Err(CommandError::new(
                    34,
                    "CannotBackfillArray",
                    format!("can't backfill more than {MAX_PADDING} elements"),
                ));
            }
            items.resize(index, Bson::Null);
            items.push(nest(rest, new)?);
            Ok(())
        }
        (value, _) => match change(None)? {
            None => Ok(()),
            Some(_) => Err(CommandError::new(
                28,
                "PathNotViable",
                format!(
                    "Cannot create field '{first}' in element {{{}}}",
                    element_string(name, value)
                ),
            )),
        },
    }
}

/// `value` wrapped in sub-documents named by `path`.
fn nest(path: &[String], value: Bson) -> CmdResult<Bson> {
    // A path this long makes a document deeper than any stored one: refused before it is
    // built, since every later walk over it would recurse once per level.
    if path.len() >= depth::MAX_STORAGE_DEPTH {
        return Err(depth::storage_overflow(depth::Write::Update));
    }
    Ok(path.iter().rev().fold(value, |inner, name| {
        let mut doc = Document::new();
        doc.insert(name.clone(), inner);
        Bson::Document(doc)
    }))
}

/// Removes the value at `path`; an array element becomes null instead, as in MongoDB.
pub(super) fn unset_at(doc: &mut Document, path: &[String]) {
    match path.split_first() {
        Some((first, [])) => {
            doc.remove(first);
        }
        Some((first, rest)) => {
            if let Some(child) = doc.get_mut(first) {
                unset_in(child, rest);
            }
        }
        None => {}
    }
}

fn unset_in(value: &mut Bson, path: &[String]) {
    match value {
        Bson::Document(d) => unset_at(d, path),
        Bson::Array(items) => {
            let Some((first, rest)) = path.split_first() else {
                return;
            };
            let slot = array_index(first).and_then(|i| items.get_mut(i));
            match (slot, rest.is_empty()) {
                (Some(slot), true) => *slot = Bson::Null,
                (Some(slot), false) => unset_in(slot, rest),
                (None, _) => {}
            }
        }
        _ => {}
    }
}

/// `{_id: ...}` as MongoDB names a document in error messages.
pub(super) fn id_string(id: Option<&Bson>) -> String {
    match id {
        Some(id) => element_string("_id", id),
        None => "no id".to_string(),
    }
}

/// A field as MongoDB prints it in messages: `name: value`.
pub(super) fn element_string(name: &str, value: &Bson) -> String {
    format!("{name}: {}", value_string(value))
}

/// A value as MongoDB prints it in messages (its `BSONElement::toString`).
pub(super) fn value_string(value: &Bson) -> String {
    match value {
        Bson::Double(x) => double_string(*x),
        Bson::String(s) => format!("\"{s}\""),
        Bson::Document(d) if d.is_empty() => "{}".to_string(),
        Bson::Document(d) => {
            let fields: Vec<String> = d.iter().map(|(k, v)| element_string(k, v)).collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Bson::Array(items) if items.is_empty() => "[]".to_string(),
        Bson::Array(items) => {
            let items: Vec<String> = items.iter().map(value_string).collect();
            format!("[ {} ]", items.join(", "))
        }
        Bson::Binary(b) => {
            let hex: String = b.bytes.iter().map(|byte| format!("{byte:02X}")).collect();
            format!("BinData({}, {hex})", u8::from(b.subtype))
        }
        Bson::Undefined => "undefined".to_string(),
        Bson::ObjectId(id) => format!("ObjectId('{id}')"),
        Bson::Boolean(b) => b.to_string(),
        Bson::DateTime(d) => format!("new Date({})", d.timestamp_millis()),
        Bson::Null => "null".to_string(),
        Bson::RegularExpression(r) => format!("/{}/{}", r.pattern, r.options),
        Bson::DbPointer(_) => "DBPointer()".to_string(),
        Bson::JavaScriptCode(code) => code.clone(),
        Bson::JavaScriptCodeWithScope(c) => c.code.clone(),
        Bson::Symbol(s) => s.clone(),
        Bson::Int32(v) => v.to_string(),
        Bson::Timestamp(t) => format!("Timestamp({}, {})", t.time, t.increment),
        Bson::Int64(v) => v.to_string(),
        Bson::Decimal128(d) => format!("NumberDecimal(\"{d}\")"),
        Bson::MinKey => "MinKey".to_string(),
        Bson::MaxKey => "MaxKey".to_string(),
    }
}

/// Doubles as printed by `%.16g` with `.0` added to whole numbers (`5.0`, `1e+20`).
fn double_string(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        // Rust prints `1e20` / `1e-5`; C prints `1e+20` / `1e-05`.
        let text = format!("{x:e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => {
                let (sign, digits) = match exponent.strip_prefix('-') {
                    Some(digits) => ('-', digits),
                    None => ('+', exponent),
                };
                format!("{mantissa}e{sign}{digits:0>2}")
            }
            None => text,
        };
    }
    let text = x.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, oid::ObjectId};

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    fn set(doc: &mut Document, p: &str, value: Bson) -> CmdResult<()> {
        update_at(doc, &path(p), |_| Ok(Some(value)))
    }

    #[test]
    fn array_indexes_are_plain_digits() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("007"), Some(7));
        assert_eq!(array_index("+1"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index(""), None);
        assert_eq!(array_index("99999999999999999999999"), None);
    }

    #[test]
    fn identical_is_binary_equality() {
        assert!(identical(&Bson::Int32(1), &Bson::Int32(1)));
        assert!(!identical(&Bson::Int32(1), &Bson::Double(1.0)));
        assert!(!identical(&Bson::Double(0.0), &Bson::Double(-0.0)));
        assert!(identical(&Bson::Double(f64::NAN), &Bson::Double(f64::NAN)));
        let ab = Bson::Document(doc! { "a": 1, "b": 2 });
        let ba = Bson::Document(doc! { "b": 2, "a": 1 });
        assert!(!identical(&ab, &ba));
        assert!(identical(&ab, &ab.clone()));
    }

    #[test]
    fn setting_creates_documents_and_pads_arrays() {
        let mut d = doc! { "a": { "x": 1 }, "arr": [1] };
        set(&mut d, "a.b.c", Bson::Int32(5)).unwrap();
        set(&mut d, "arr.3", Bson::Int32(9)).unwrap();
        set(&mut d, "arr.5.k", Bson::Int32(1)).unwrap();
        set(&mut d, "n.0", Bson::Int32(1)).unwrap();
        assert_eq!(
            d,
            doc! {
                "a": { "x": 1, "b": { "c": 5 } },
                "arr": [1, null, null, 9, null, { "k": 1 }],
                "n": { "0": 1 },
            }
        );
    }

    #[test]
    fn setting_through_a_scalar_is_not_viable() {
        let mut d = doc! { "a": 5, "arr": [1, 2] };
        let err = set(&mut d, "a.b", Bson::Int32(1)).unwrap_err();
        assert_eq!((err.code, err.code_name), (28, "PathNotViable"));
        assert_eq!(err.message, "Cannot create field 'b' in element {a: 5}");
        let err = set(&mut d, "arr.x", Bson::Int32(1)).unwrap_err();
        assert_eq!(
            err.message,
            "Cannot create field 'x' in element {arr: [ 1, 2 ]}"
        );
        let err = set(&mut d, "arr.0.y", Bson::Int32(1)).unwrap_err();
        assert_eq!(err.message, "Cannot create field 'y' in element {0: 1}");
        // Leaving a non-viable path alone is fine.
        update_at(&mut d, &path("a.b"), |_| Ok(None)).unwrap();
    }

    #[test]
    fn huge_padding_is_refused() {
        let mut d = doc! { "a": [] };
        let err = set(&mut d, "a.2000000", Bson::Null).unwrap_err();
        assert_eq!(err.code, 34);
        assert_eq!(d, doc! { "a": [] });
    }

    #[test]
    fn unset_removes_fields_and_nulls_array_elements() {
        let mut d = doc! { "a": { "b": 1, "c": 2 }, "arr": [1, { "x": 1, "y": 2 }] };
        unset_at(&mut d, &path("a.b"));
        unset_at(&mut d, &path("arr.0"));
        unset_at(&mut d, &path("arr.1.x"));
        unset_at(&mut d, &path("missing.deep"));
        unset_at(&mut d, &path("arr.7"));
        assert_eq!(d, doc! { "a": { "c": 2 }, "arr": [null, { "y": 2 }] });
    }

    #[test]
    fn lookup_tells_missing_from_blocked() {
        let d = doc! { "a": { "b": [10, { "c": 1 }] }, "s": "x" };
        assert!(matches!(
            lookup(&d, &path("a.b.1.c")),
            Lookup::Found(Bson::Int32(1))
        ));
        assert!(matches!(lookup(&d, &path("a.b.5")), Lookup::Missing));
        assert!(matches!(lookup(&d, &path("a.zz")), Lookup::Missing));
        match lookup(&d, &path("s.t")) {
            Lookup::Blocked { part, element } => {
                assert_eq!((part, element.as_str()), (1, "s: \"x\""));
            }
            _ => panic!("expected a blocked path"),
        }
        assert!(matches!(
            lookup(&d, &path("a.b.x")),
            Lookup::Blocked { part: 2, .. }
        ));
    }

    #[test]
    fn enclosing_array_names_the_deepest_array() {
        let d = doc! { "a": [{ "b": [{ "c": 1 }] }], "d": { "e": 1 } };
        assert_eq!(
            enclosing_array(&d, &path("a.0.b.0.c")),
            Some("b".to_string())
        );
        assert_eq!(enclosing_array(&d, &path("a.0")), Some("a".to_string()));
        assert_eq!(enclosing_array(&d, &path("a")), None);
        assert_eq!(enclosing_array(&d, &path("d.e")), None);
        assert_eq!(enclosing_array(&d, &path("d.x.y")), None);
    }

    #[test]
    fn values_print_like_mongodb() {
        let oid = ObjectId::parse_str("65f000000000000000000001").unwrap();
        let d = doc! {
            "i": 5, "l": 7_i64, "d": 5.0, "f": 1.5, "big": 1e20, "tiny": 1e-5,
            "s": "x", "n": null, "b": true, "o": oid, "e": {}, "arr": [1, "a"], "sub": { "k": [] },
        };
        let printed: Vec<String> = d.iter().map(|(k, v)| element_string(k, v)).collect();
        assert_eq!(
            printed,
            [
                "i: 5",
                "l: 7",
                "d: 5.0",
                "f: 1.5",
                "big: 1e+20",
                "tiny: 1e-05",
                "s: \"x\"",
                "n: null",
                "b: true",
                "o: ObjectId('65f000000000000000000001')",
                "e: {}",
                "arr: [ 1, \"a\" ]",
                "sub: { k: [] }",
            ]
        );
        assert_eq!(id_string(None), "no id");
        assert_eq!(id_string(Some(&Bson::Int32(1))), "_id: 1");
    }
}
