//! BSON values as MongoDB compares and addresses them.

use std::cmp::Ordering;

use bson::spec::BinarySubtype;
use bson::{Bson, Document};

/// MongoDB's canonical type order: values of different types sort by it.
pub fn type_order(value: &Bson) -> u8 {
    match value {
        Bson::MinKey => 1,
        Bson::Null | Bson::Undefined => 2,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => 3,
        Bson::String(_) | Bson::Symbol(_) => 4,
        Bson::Document(_) => 5,
        Bson::Array(_) => 6,
        Bson::Binary(_) => 7,
        Bson::ObjectId(_) => 8,
        Bson::Boolean(_) => 9,
        Bson::DateTime(_) => 10,
        Bson::Timestamp(_) => 11,
        Bson::RegularExpression(_) => 12,
        Bson::DbPointer(_) => 13,
        Bson::JavaScriptCode(_) => 14,
        Bson::JavaScriptCodeWithScope(_) => 15,
        Bson::MaxKey => 16,
    }
}

/// The value of a number as a double (`None` for other types).
pub fn to_f64(value: &Bson) -> Option<f64> {
    match value {
        Bson::Int32(v) => Some(f64::from(*v)),
        Bson::Int64(v) => Some(*v as f64),
        Bson::Double(v) => Some(*v),
        Bson::Decimal128(d) => Some(d.to_string().parse().unwrap_or(f64::NAN)),
        _ => None,
    }
}

/// The value of an integral number (`None` for other types and fractional doubles).
pub fn to_i64(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 && v.abs() < 9.2e18 => Some(*v as i64),
        _ => None,
    }
}

fn compare_numbers(a: &Bson, b: &Bson) -> Ordering {
    if let (Some(x), Some(y)) = (integral(a), integral(b)) {
        return x.cmp(&y);
    }
    let (x, y) = (to_f64(a).unwrap_or(f64::NAN), to_f64(b).unwrap_or(f64::NAN));
    // NaN sorts below every other number and equals itself.
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Exact integers, so that large Int64 values compare without rounding.
fn integral(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        _ => None,
    }
}

/// Compares two values in MongoDB's sort order.
pub fn compare(a: &Bson, b: &Bson) -> Ordering {
    let by_type = type_order(a).cmp(&type_order(b));
    if by_type != Ordering::Equal {
        return by_type;
    }
    match (a, b) {
        (Bson::String(x), Bson::String(y)) => x.cmp(y),
        (Bson::Symbol(x), Bson::Symbol(y)) => x.cmp(y),
        (Bson::String(x), Bson::Symbol(y)) | (Bson::Symbol(x), Bson::String(y)) => x.cmp(y),
        (Bson::Document(x), Bson::Document(y)) => compare_documents(x, y),
        (Bson::Array(x), Bson::Array(y)) => compare_slices(x, y),
        (Bson::Binary(x), Bson::Binary(y)) => x
            .bytes
            .len()
            .cmp(&y.bytes.len())
            .then(u8::from(x.subtype).cmp(&u8::from(y.subtype)))
            .then(x.bytes.cmp(&y.bytes)),
        (Bson::ObjectId(x), Bson::ObjectId(y)) => x.bytes().cmp(&y.bytes()),
        (Bson::Boolean(x), Bson::Boolean(y)) => x.cmp(y),
        (Bson::DateTime(x), Bson::DateTime(y)) => x.cmp(y),
        (Bson::Timestamp(x), Bson::Timestamp(y)) => {
            (x.time, x.increment).cmp(&(y.time, y.increment))
        }
        (Bson::RegularExpression(x), Bson::RegularExpression(y)) => {
            (&x.pattern, &x.options).cmp(&(&y.pattern, &y.options))
        }
        (Bson::JavaScriptCode(x), Bson::JavaScriptCode(y)) => x.cmp(y),
        _ if type_order(a) == 3 => compare_numbers(a, b),
        _ => Ordering::Equal,
    }
}

pub fn values_equal(a: &Bson, b: &Bson) -> bool {
    compare(a, b) == Ordering::Equal
}

fn compare_slices(x: &[Bson], y: &[Bson]) -> Ordering {
    for (a, b) in x.iter().zip(y) {
        let ord = compare(a, b);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    x.len().cmp(&y.len())
}

pub fn compare_documents(x: &Document, y: &Document) -> Ordering {
    for ((ka, va), (kb, vb)) in x.iter().zip(y.iter()) {
        let ord = type_order(va)
            .cmp(&type_order(vb))
            .then_with(|| ka.cmp(kb))
            .then_with(|| compare(va, vb));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    x.len().cmp(&y.len())
}

/// The value at a dotted path, strictly: numeric parts index arrays, nothing fans out.
pub fn get_path<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut current = doc.get(parts.next()?)?;
    for part in parts {
        current = match current {
            Bson::Document(d) => d.get(part)?,
            Bson::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The encoded size of a document, added up from its values rather than by encoding it: a
/// change-stream batch sizes every event it holds, and the reply encodes them anyway.
pub fn bson_size(doc: &Document) -> usize {
    // int32 size, the elements, a terminating 0.
    5 + doc
        .iter()
        .map(|(key, value)| element_size(key.len(), value))
        .sum::<usize>()
}

/// A type byte, the key as a C string, the value.
fn element_size(key_len: usize, value: &Bson) -> usize {
    1 + key_len + 1 + value_size(value)
}

fn value_size(value: &Bson) -> usize {
    // int32 length, the UTF-8 bytes, a terminating 0.
    let string = |s: &str| 4 + s.len() + 1;
    match value {
        Bson::Double(_) | Bson::DateTime(_) | Bson::Timestamp(_) | Bson::Int64(_) => 8,
        Bson::Int32(_) => 4,
        Bson::Decimal128(_) => 16,
        Bson::ObjectId(_) => 12,
        Bson::Boolean(_) => 1,
        Bson::Null | Bson::Undefined | Bson::MinKey | Bson::MaxKey => 0,
        Bson::String(s) | Bson::JavaScriptCode(s) | Bson::Symbol(s) => string(s),
        Bson::Document(d) => bson_size(d),
        // A document keyed "0", "1", ...
        Bson::Array(items) => {
            5 + items
                .iter()
                .enumerate()
                .map(|(i, item)| element_size(decimal_digits(i), item))
                .sum::<usize>()
        }
        // int32 length, subtype, bytes; the old binary subtype repeats the length inside.
        Bson::Binary(b) => {
            let old = if b.subtype == BinarySubtype::BinaryOld {
                4
            } else {
                0
            };
            4 + 1 + old + b.bytes.len()
        }
        Bson::RegularExpression(r) => r.pattern.len() + 1 + r.options.len() + 1,
        Bson::JavaScriptCodeWithScope(c) => 4 + string(&c.code) + bson_size(&c.scope),
        // Its parts are private: encode it (a deprecated type no client sends).
        Bson::DbPointer(_) => {
            let mut bytes = Vec::new();
            let wrapped = bson::doc! { "": value.clone() };
            wrapped.to_writer(&mut bytes).map_or(0, |_| bytes.len() - 7)
        }
    }
}

fn decimal_digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// The `$type` alias of a value, as MongoDB names it.
pub fn type_name(value: &Bson) -> &'static str {
    match value {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::Undefined => "undefined",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::DbPointer(_) => "dbPointer",
        Bson::JavaScriptCode(_) => "javascript",
        Bson::Symbol(_) => "symbol",
        Bson::JavaScriptCodeWithScope(_) => "javascriptWithScope",
        Bson::Int32(_) => "int",
        Bson::Timestamp(_) => "timestamp",
        Bson::Int64(_) => "long",
        Bson::Decimal128(_) => "decimal",
        Bson::MinKey => "minKey",
        Bson::MaxKey => "maxKey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn numbers_compare_across_types() {
        assert!(values_equal(&Bson::Int32(1), &Bson::Double(1.0)));
        assert!(values_equal(&Bson::Int64(7), &Bson::Int32(7)));
        assert_eq!(
            compare(&Bson::Int64(i64::MAX), &Bson::Int64(i64::MAX - 1)),
            Ordering::Greater
        );
        assert_eq!(
            compare(&Bson::Double(f64::NAN), &Bson::Int32(-5)),
            Ordering::Less
        );
    }

    #[test]
    fn types_sort_in_canonical_order() {
        let ordered = [
            Bson::MinKey,
            Bson::Null,
            Bson::Int32(9),
            Bson::String("a".into()),
            Bson::Document(doc! {}),
            Bson::Array(vec![]),
            Bson::Boolean(false),
            Bson::MaxKey,
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(&pair[0], &pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn sizes_are_those_of_the_encoding() {
        use bson::{oid::ObjectId, Binary, DateTime, Decimal128, JavaScriptCodeWithScope, Regex};
        // A DBPointer can only be read, not built: one element `p` of type 0x0C.
        let mut pointer = vec![0x0C, b'p', 0];
        pointer.extend(5i32.to_le_bytes());
        pointer.extend(b"a.bc\0");
        pointer.extend([1u8; 12]);
        let mut raw = ((4 + pointer.len() + 1) as i32).to_le_bytes().to_vec();
        raw.extend(pointer);
        raw.push(0);
        let pointer = Document::from_reader(raw.as_slice()).unwrap();
        let every_type = doc! {
            "d": 1.5, "s": "héllo", "doc": { "a": [1, "x", { "b": null }] },
            "long array": (0..120).map(Bson::Int32).collect::<Vec<_>>(),
            "bin": Binary { subtype: BinarySubtype::Generic, bytes: vec![1, 2, 3] },
            "old": Binary { subtype: BinarySubtype::BinaryOld, bytes: vec![1, 2, 3] },
            "u": Bson::Undefined, "oid": ObjectId::new(), "b": true, "dt": DateTime::now(),
            "n": null, "re": Regex { pattern: "^a".into(), options: "i".into() },
            "js": Bson::JavaScriptCode("f()".into()), "sym": Bson::Symbol("s".into()),
            "jsw": JavaScriptCodeWithScope { code: "g()".into(), scope: doc! { "x": 1 } },
            "i": 1, "ts": bson::Timestamp { time: 1, increment: 2 }, "l": 5i64,
            "dec": Decimal128::from_bytes([0; 16]), "max": Bson::MaxKey, "min": Bson::MinKey,
            "p": pointer.get("p").unwrap().clone(),
        };
        for doc in [every_type, doc! {}] {
            let mut bytes = Vec::new();
            doc.to_writer(&mut bytes).unwrap();
            assert_eq!(bson_size(&doc), bytes.len(), "{doc}");
        }
    }

    #[test]
    fn paths_reach_into_documents_and_arrays() {
        let d = doc! { "a": { "b": [10, { "c": "x" }] } };
        assert_eq!(get_path(&d, "a.b.0"), Some(&Bson::Int32(10)));
        assert_eq!(get_path(&d, "a.b.1.c"), Some(&Bson::String("x".into())));
        assert_eq!(get_path(&d, "a.b.c"), None);
        assert_eq!(get_path(&d, "z"), None);
    }
}
