//! Extended JSON v2, canonical and relaxed.

use bson::oid::ObjectId;
use bson::spec::BinarySubtype;
use bson::{bson, doc, Binary, Bson, DateTime, JavaScriptCodeWithScope, Regex, Timestamp};

use super::{value, value_error};

const OID: &str = "65f1a2b3c4d5e6f708091a2b";

fn oid() -> Bson {
    Bson::ObjectId(ObjectId::parse_str(OID).expect("valid test ObjectId"))
}

#[test]
fn object_id() {
    assert_eq!(value(&format!(r#"{{"$oid": "{OID}"}}"#)), oid());
    assert_eq!(value(&format!("{{$oid: '{}'}}", OID.to_uppercase())), oid());
}

#[test]
fn dates() {
    let ms = 1_795_255_200_000; // 2026-11-21T10:00:00Z
    let date = Bson::DateTime(DateTime::from_millis(ms));
    assert_eq!(value(r#"{"$date": "2026-11-21T10:00:00Z"}"#), date);
    assert_eq!(
        value(r#"{"$date": {"$numberLong": "1795255200000"}}"#),
        date
    );
    assert_eq!(value(r#"{"$date": 1795255200000}"#), date);
    assert_eq!(
        value(r#"{"$date": -1}"#),
        Bson::DateTime(DateTime::from_millis(-1))
    );
}

#[test]
fn numbers() {
    assert_eq!(value(r#"{"$numberLong": "42"}"#), Bson::Int64(42));
    assert_eq!(
        value(r#"{"$numberLong": "-9223372036854775808"}"#),
        Bson::Int64(i64::MIN)
    );
    assert_eq!(value(r#"{"$numberInt": "-7"}"#), Bson::Int32(-7));
    assert_eq!(value(r#"{"$numberDouble": "1.5"}"#), Bson::Double(1.5));
    assert_eq!(value(r#"{"$numberDouble": "-1e3"}"#), Bson::Double(-1000.0));
    assert_eq!(
        value(r#"{"$numberDouble": "Infinity"}"#),
        Bson::Double(f64::INFINITY)
    );
    assert_eq!(
        value(r#"{"$numberDouble": "-Infinity"}"#),
        Bson::Double(f64::NEG_INFINITY)
    );
    assert!(matches!(value(r#"{"$numberDouble": "NaN"}"#), Bson::Double(d) if d.is_nan()));
    assert_eq!(
        value(r#"{"$numberDecimal": "1.10"}"#),
        Bson::Decimal128("1.10".parse().expect("decimal"))
    );
}

#[test]
fn decimal_keeps_its_digits() {
    match value(r#"{"$numberDecimal": "-12.500"}"#) {
        Bson::Decimal128(d) => assert_eq!(d.to_string(), "-12.500"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn binary_and_uuid() {
    assert_eq!(
        value(r#"{"$binary": {"base64": "aGVsbG8=", "subType": "00"}}"#),
        Bson::Binary(Binary {
            subtype: BinarySubtype::Generic,
            bytes: b"hello".to_vec()
        })
    );
    assert_eq!(
        value(r#"{"$binary": {"subType": "80", "base64": ""}}"#),
        Bson::Binary(Binary {
            subtype: BinarySubtype::UserDefined(0x80),
            bytes: vec![]
        })
    );
    let uuid = Bson::Binary(Binary {
        subtype: BinarySubtype::Uuid,
        bytes: (0u8..16).collect(),
    });
    assert_eq!(
        value(r#"{"$uuid": "00010203-0405-0607-0809-0a0b0c0d0e0f"}"#),
        uuid
    );
}

#[test]
fn regular_expression_options_are_sorted() {
    assert_eq!(
        value(r#"{"$regularExpression": {"pattern": "^a.*", "options": "xi"}}"#),
        Bson::RegularExpression(Regex {
            pattern: "^a.*".into(),
            options: "ix".into()
        })
    );
}

#[test]
fn timestamp() {
    assert_eq!(
        value(r#"{"$timestamp": {"t": 1700000000, "i": 3}}"#),
        Bson::Timestamp(Timestamp {
            time: 1_700_000_000,
            increment: 3
        })
    );
    assert_eq!(
        value(r#"{"$timestamp": {"t": 4294967295, "i": 0}}"#),
        Bson::Timestamp(Timestamp {
            time: u32::MAX,
            increment: 0
        })
    );
}

#[test]
fn keys_symbol_and_code() {
    assert_eq!(value(r#"{"$minKey": 1}"#), Bson::MinKey);
    assert_eq!(value(r#"{"$maxKey": 1}"#), Bson::MaxKey);
    assert_eq!(value(r#"{"$symbol": "s"}"#), Bson::Symbol("s".into()));
    assert_eq!(
        value(r#"{"$code": "f()"}"#),
        Bson::JavaScriptCode("f()".into())
    );
    assert_eq!(
        value(r#"{"$code": "f(x)", "$scope": {"x": 1}}"#),
        Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
            code: "f(x)".into(),
            scope: doc! { "x": 1 }
        })
    );
}

#[test]
fn wrappers_nested_in_a_filter() {
    let text = format!(
        r#"{{"documentKey._id": {{"$in": [{{"$oid": "{OID}"}}]}}, "n": {{"$numberLong": "5"}}}}"#
    );
    assert_eq!(
        value(&text),
        bson!({ "documentKey._id": { "$in": [oid()] }, "n": 5_i64 })
    );
}

#[test]
fn query_operators_are_not_mistaken_for_wrappers() {
    assert_eq!(
        value("{$regex: 'a', $options: 'i'}"),
        Bson::Document(doc! { "$regex": "a", "$options": "i" })
    );
    assert_eq!(
        value("{$type: 'string'}"),
        Bson::Document(doc! { "$type": "string" })
    );
}

#[test]
fn malformed_wrappers_are_errors_at_the_value() {
    assert_eq!(
        value_error("{$oid: 'xyz'}"),
        "1:8: invalid ObjectId: expected 24 hex digits, found 3"
    );
    assert_eq!(
        value_error("{$oid: 'zz000000000000000000000z'}"),
        "1:8: invalid ObjectId: 'z' is not a hex digit"
    );
    assert_eq!(
        value_error("{$oid: 5}"),
        "1:8: $oid expects a string, found a number"
    );
    assert_eq!(
        value_error("{$date: 'tomorrow'}"),
        format!("1:9: invalid date \"tomorrow\": {}", DATE_FORMAT)
    );
    assert_eq!(
        value_error("{$date: true}"),
        "1:9: $date expects an ISO date string, milliseconds or {$numberLong: \"..\"}, found a boolean"
    );
    assert_eq!(
        value_error("{$numberLong: '1.5'}"),
        "1:15: $numberLong expects a 64-bit integer, found \"1.5\""
    );
    assert_eq!(
        value_error("{$numberLong: 1.5}"),
        "1:15: $numberLong expects a 64-bit integer, found 1.5"
    );
    assert_eq!(
        value_error("{$numberInt: '3000000000'}"),
        "1:14: $numberInt is out of range for a 32-bit integer: 3000000000"
    );
    assert_eq!(
        value_error("{$numberDouble: 'abc'}"),
        "1:17: $numberDouble expects a number, found \"abc\""
    );
    assert_eq!(
        value_error("{$numberDecimal: '1.2.3'}"),
        "1:18: invalid decimal \"1.2.3\""
    );
    assert_eq!(
        value_error("{$numberDecimal: '1e99999'}"),
        "1:18: decimal out of range: 1e99999"
    );
    assert_eq!(
        value_error("{$uuid: '0001'}"),
        "1:9: invalid UUID: expected 32 hex digits, found 4"
    );
    assert_eq!(
        value_error("{$minKey: 2}"),
        "1:11: $minKey expects 1, found 2"
    );
    assert_eq!(
        value_error("{$symbol: 1}"),
        "1:11: $symbol expects a string, found a number"
    );
}

#[test]
fn malformed_wrapper_documents() {
    assert_eq!(
        value_error("{$binary: {base64: 'aGk=', subType: '4', x: 1}}"),
        "1:42: unknown field 'x' in $binary (expected base64, subType)"
    );
    assert_eq!(
        value_error("{$binary: {base64: 'aGk='}}"),
        "1:11: $binary is missing 'subType'"
    );
    assert_eq!(
        value_error("{$binary: {base64: '!!', subType: '00'}}"),
        "1:20: invalid base64 in $binary"
    );
    assert_eq!(
        value_error("{$binary: {base64: 'aGk=', subType: 'zz'}}"),
        "1:37: subType expects a hex byte like \"04\", found \"zz\""
    );
    assert_eq!(
        value_error("{$binary: 'aGk='}"),
        "1:11: $binary expects a document with base64, subType, found a string"
    );
    assert_eq!(
        value_error("{$timestamp: {t: -1, i: 0}}"),
        "1:18: $timestamp t must be from 0 to 4294967295, found -1"
    );
    assert_eq!(
        value_error("{$regularExpression: {pattern: 'a', options: 'g'}}"),
        "1:46: invalid regex flag 'g' (allowed: i, l, m, s, u, x)"
    );
    assert_eq!(
        value_error("{$code: 'f()', $scope: 1}"),
        "1:24: $scope expects a document, found a number"
    );
}

#[test]
fn a_wrapper_key_must_stand_alone() {
    assert_eq!(
        value_error("{$binary: 'aGk=', $type: '00'}"),
        "1:2: $binary must be the only key of its document"
    );
    assert_eq!(
        value_error(&format!("{{a: 1, $oid: '{OID}'}}")),
        "1:8: $oid must be the only key of its document"
    );
}

const DATE_FORMAT: &str = "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM]";
