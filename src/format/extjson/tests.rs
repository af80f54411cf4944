//! The writer against the conversion it replaced (raw → `Document` → `serde_json::Value` →
//! text, then `into_printable`), kept here only as the reference: byte for byte, in relaxed
//! and canonical mode, on a corpus of every BSON type and edge case, and on random documents.

use bson::spec::BinarySubtype;
use bson::{
    doc, oid::ObjectId, Binary, Bson, DateTime, Decimal128, Document, JavaScriptCodeWithScope,
    RawDocument, RawDocumentBuf, Regex, Timestamp,
};
use proptest::prelude::*;

use super::write_json;
use crate::nesting::{self, TooDeep, MAX_DEPTH};
use crate::printable::into_printable;

/// What mwatch wrote before the writer.
fn reference(doc: &RawDocument, canonical: bool) -> Result<String, TooDeep> {
    let Some(doc) = nesting::to_document(doc)? else {
        return Ok("{}".to_string());
    };
    let json = if canonical {
        Bson::Document(doc).into_canonical_extjson()
    } else {
        Bson::Document(doc).into_relaxed_extjson()
    };
    Ok(into_printable(json.to_string()))
}

fn written(doc: &RawDocument, canonical: bool) -> Result<String, TooDeep> {
    let mut out = b"before ".to_vec();
    write_json(&mut out, doc, canonical).map(|()| {
        let text = String::from_utf8(out).unwrap();
        text.strip_prefix("before ").unwrap().to_string()
    })
}

fn same(doc: &RawDocument) {
    for canonical in [false, true] {
        assert_eq!(
            written(doc, canonical),
            reference(doc, canonical),
            "canonical: {canonical}, {doc:?}"
        );
    }
}

fn raw(doc: &Document) -> RawDocumentBuf {
    RawDocumentBuf::from_document(doc).unwrap()
}

fn dates() -> Vec<Bson> {
    [
        0,
        1,
        250,
        100,
        5,
        -1,
        -62_135_596_800_000,
        951_782_400_000, // 2000-02-29
        1_764_000_000_250,
        253_402_300_799_999, // 9999-12-31T23:59:59.999
        253_402_300_800_000, // 10000-01-01
        i64::MAX,
        i64::MIN,
    ]
    .into_iter()
    .map(|millis| Bson::DateTime(DateTime::from_millis(millis)))
    .collect()
}

fn doubles() -> Vec<Bson> {
    [
        0.0,
        -0.0,
        1.0,
        -1.5,
        0.1,
        12.5,
        1e300,
        -1e-300,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        1e21,
        123_456_789_012_345_680.0,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ]
    .into_iter()
    .map(Bson::Double)
    .collect()
}

/// One of every type, with the edge cases of both modes.
fn every_type() -> Document {
    let id = ObjectId::parse_str("64b7f0a1e4b0a1a2b3c4d5e6").unwrap();
    let pointer = Bson::try_from(serde_json::json!({
        "$dbPointer": { "$ref": "shop.orders\u{7f}", "$id": { "$oid": "64b7f0a1e4b0a1a2b3c4d5e6" } }
    }))
    .unwrap();
    let binaries: Vec<Bson> = [0u8, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff]
        .into_iter()
        .map(|subtype| {
            Bson::Binary(Binary {
                subtype: BinarySubtype::from(subtype),
                bytes: vec![0, 1, 2, 250, 255],
            })
        })
        .collect();
    let scalars = doc! {
        "int32": i32::MIN, "int64": i64::MAX, "small64": 5_i64, "true": true, "false": false,
        "null": Bson::Null, "oid": id, "ts": Timestamp { time: u32::MAX, increment: 7 },
        "regex": Regex { pattern: "a\"b\\/\u{1}".into(), options: "xsmi".into() },
        "code": Bson::JavaScriptCode("function() { return '\u{85}'; }".into()),
        "symbol": Bson::Symbol("sym\u{202e}".into()),
        "decimal": Decimal128::from_bytes([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x30]),
        "decimalNaN": Decimal128::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7c]),
        "undefined": Bson::Undefined, "min": Bson::MinKey, "max": Bson::MaxKey,
        "pointer": pointer, "binaries": binaries, "dates": dates(), "doubles": doubles(),
        "empty": {}, "emptyArray": [], "nested": [[{ "a": [1, { "b": [] }] }]],
    };
    let strings = doc! {
        "plain": "shop.orders é 日本",
        "escapes": "\"\\/\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1b}[2J\u{1f} \u{7f}",
        "c1": "\u{80}\u{85}\u{9b}\u{9f}\u{a0}",
        "bidi": "\u{200d}\u{200e}\u{200f}\u{2029}\u{202a}\u{202e}\u{202f}\u{2065}\u{2066}\u{2069}\u{206a}",
        "key \u{1b}\u{7f}\u{202e}\"": "keys are escaped too",
        "": "",
    };
    let scope = JavaScriptCodeWithScope {
        code: "f(x)\u{9b}".into(),
        scope: doc! {
            "scalars": scalars.clone(),
            "inner": Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
                code: "g".into(),
                scope: doc! { "d": DateTime::from_millis(5), "n": f64::NAN, "b": Binary { subtype: BinarySubtype::Generic, bytes: vec![1, 2] } },
            }),
        },
    };
    doc! {
        "_id": { "_data": "8266F0A1E4000000012B022C0100296E5A1004" },
        "operationType": "insert",
        "scalars": scalars,
        "strings": strings,
        "scope": Bson::JavaScriptCodeWithScope(scope),
        "emptyScope": Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope { code: String::new(), scope: doc! {} }),
    }
}

/// Every character as serde_json writes it in a string, then as `printable` escapes it.
#[test]
fn every_character_is_escaped_as_before() {
    let mut out = Vec::new();
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        let text = c.to_string();
        out.clear();
        super::string(&mut out, &text);
        let expected = into_printable(serde_json::to_string(&text).unwrap());
        assert_eq!(out, expected.as_bytes(), "{c:?}");
    }
}

#[test]
fn every_type_and_edge_case_is_written_as_before() {
    same(&raw(&every_type()));
    same(&raw(&doc! {}));
    for value in dates().into_iter().chain(doubles()) {
        same(&raw(&doc! { "v": value }));
    }
}

/// A key named twice (an owned document keeps the first place and the last value).
#[test]
fn a_key_named_twice_is_written_once() {
    let mut doc = RawDocumentBuf::new();
    doc.append("a", 1);
    doc.append("b", 2);
    doc.append("a", "three");
    let mut many = RawDocumentBuf::new();
    for i in 0..100 {
        many.append(format!("k{}", i % 70), i);
    }
    let mut outer = RawDocumentBuf::new();
    outer.append("doc", doc.clone());
    outer.append("many", many.clone());
    outer.append("doc", many);
    for doc in [&doc, &outer] {
        same(doc);
    }
}

fn malformed(element: &[u8]) -> RawDocumentBuf {
    let len = 4 + element.len() + 1;
    let mut bytes = i32::try_from(len).unwrap().to_le_bytes().to_vec();
    bytes.extend_from_slice(element);
    bytes.push(0);
    RawDocumentBuf::from_bytes(bytes).unwrap()
}

/// What a server should never send is written as before (`{}`), never a panic.
#[test]
fn malformed_documents_are_written_as_before() {
    let bad_utf8 = malformed(&[0x02, b's', 0, 2, 0, 0, 0, 0xff, 0]);
    let bad_type = malformed(&[0x7e, b'x', 0]);
    let short_string = malformed(&[0x02, b's', 0, 9, 0, 0, 0, b'a', 0]);
    for doc in [&bad_utf8, &bad_type, &short_string] {
        same(doc);
        let mut outer = raw(&doc! { "before": 1 });
        outer.append("inner", doc.clone());
        same(&outer);
    }
}

/// Deeper than [`MAX_DEPTH`] is refused as before, also past a malformed part, and whatever
/// the depth, without recursing.
#[test]
fn deep_documents_are_refused_as_before() {
    use mwatch_testkit::deep::{around, nested};
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 100_000] {
        same(&nested(depth));
    }
    let bad = malformed(&[0x7e, b'x', 0]);
    for depth in [MAX_DEPTH, MAX_DEPTH + 1] {
        let mut doc = RawDocumentBuf::new();
        doc.append("bad", bad.clone());
        doc.append("deep", nested(depth - 1));
        same(&doc);
        same(&around(depth, &bad));
    }
    let mut out = b"kept".to_vec();
    assert_eq!(
        write_json(&mut out, &nested(MAX_DEPTH + 1), false),
        Err(TooDeep)
    );
    assert_eq!(out, b"kept");
}

/// Any BSON value, nested a few levels.
fn value() -> impl Strategy<Value = Bson> {
    let text = "[a\"\\\u{0}-\u{1f}\u{7f}-\u{a0}\u{200e}\u{202a}-\u{202e}\u{2066}-\u{2069}é日]{0,6}";
    // Keys and patterns are C strings: no NUL.
    let name = "[a\"\\\u{1}-\u{1f}\u{7f}-\u{a0}\u{200e}\u{202e}é]{0,3}";
    let leaf = prop_oneof![
        any::<f64>().prop_map(Bson::Double),
        text.prop_map(Bson::String),
        any::<String>().prop_map(Bson::String),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        any::<i64>().prop_map(|m| Bson::DateTime(DateTime::from_millis(m))),
        (-100_000_000_000_000i64..300_000_000_000_000)
            .prop_map(|m| Bson::DateTime(DateTime::from_millis(m))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(Timestamp { time, increment })),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(subtype, bytes)| {
            Bson::Binary(Binary {
                subtype: BinarySubtype::from(subtype),
                bytes,
            })
        }),
        any::<[u8; 12]>().prop_map(|bytes| Bson::ObjectId(ObjectId::from_bytes(bytes))),
        (name, "[imsxlu]{0,5}")
            .prop_map(|(pattern, options)| Bson::RegularExpression(Regex { pattern, options })),
        text.prop_map(Bson::JavaScriptCode),
        text.prop_map(Bson::Symbol),
        any::<[u8; 16]>().prop_map(|bytes| Bson::Decimal128(Decimal128::from_bytes(bytes))),
        Just(Bson::Undefined),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        let fields = prop::collection::vec((name, inner.clone()), 0..4)
            .prop_map(|fields| fields.into_iter().collect::<Document>());
        prop_oneof![
            prop::collection::vec(inner, 0..4).prop_map(Bson::Array),
            fields.clone().prop_map(Bson::Document),
            (text, fields).prop_map(|(code, scope)| Bson::JavaScriptCodeWithScope(
                JavaScriptCodeWithScope { code, scope }
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]
    #[test]
    fn random_documents_are_written_as_before(fields in prop::collection::vec(("[a-c]{0,2}", value()), 0..6)) {
        // Keys named twice too: appended raw, as a server could send them.
        let mut doc = RawDocumentBuf::new();
        for (key, value) in fields {
            doc.append(key, bson::RawBson::try_from(value).unwrap());
        }
        for canonical in [false, true] {
            prop_assert_eq!(written(&doc, canonical), reference(&doc, canonical));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]
    /// Bytes a server should never send (a few bytes of a well-framed event changed): read
    /// as before, malformed where the bson crate finds them malformed, and never a panic.
    #[test]
    fn damaged_documents_are_written_as_before(
        base in prop_oneof![Just(raw(&every_type())), prop::collection::vec(("[a-c]{0,2}", value()), 0..6).prop_map(|fields| {
            let mut doc = RawDocumentBuf::new();
            for (key, value) in fields {
                doc.append(key, bson::RawBson::try_from(value).unwrap());
            }
            doc
        })],
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = base.into_bytes();
        let inside = bytes.len() - 5;
        for (at, byte) in changes {
            if inside > 0 {
                bytes[4 + at.index(inside)] = byte;
            }
        }
        let doc = RawDocumentBuf::from_bytes(bytes).unwrap();
        for canonical in [false, true] {
            let before = std::panic::catch_unwind(|| reference(&doc, canonical));
            let now = written(&doc, canonical);
            if let Ok(before) = before {
                prop_assert_eq!(now, before);
            }
        }
    }
}
