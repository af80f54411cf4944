//! mongosh helpers, regex literals and ISO dates.

use bson::oid::ObjectId;
use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, DateTime, Decimal128, Regex, Timestamp};

use super::super::date::parse_iso_date;
use super::{stages, value, value_error};

const OID: &str = "65f1a2b3c4d5e6f708091a2b";

fn date(ms: i64) -> Bson {
    Bson::DateTime(DateTime::from_millis(ms))
}

fn regex(pattern: &str, options: &str) -> Bson {
    Bson::RegularExpression(Regex {
        pattern: pattern.into(),
        options: options.into(),
    })
}

#[test]
fn object_id() {
    let expected = Bson::ObjectId(ObjectId::parse_str(OID).expect("valid test ObjectId"));
    assert_eq!(value(&format!("ObjectId(\"{OID}\")")), expected);
    assert_eq!(value(&format!("ObjectId('{OID}')")), expected);
    assert_eq!(value(&format!("new ObjectId( '{OID}' , )")), expected);
    assert!(matches!(value("ObjectId()"), Bson::ObjectId(_)));
}

#[test]
fn dates() {
    let ms = 1_795_255_200_000;
    assert_eq!(value("ISODate('2026-11-21T10:00:00Z')"), date(ms));
    assert_eq!(value("new Date('2026-11-21T10:00:00Z')"), date(ms));
    assert_eq!(value("new Date(1795255200000)"), date(ms));
    assert_eq!(value("new Date(1.5e3)"), date(1500));
    assert!(matches!(value("ISODate()"), Bson::DateTime(_)));
    assert!(matches!(value("new Date()"), Bson::DateTime(_)));
}

#[test]
fn iso_date_forms() {
    let day = 1_795_219_200_000; // 2026-11-21T00:00:00Z
    let cases = [
        ("2026-11-21", day),
        ("2026-11-21T10:00", day + 36_000_000),
        ("2026-11-21T10:00:00Z", day + 36_000_000),
        ("2026-11-21t10:00:00z", day + 36_000_000),
        ("2026-11-21 10:00:00", day + 36_000_000),
        ("2026-11-21T10:00:00.5Z", day + 36_000_500),
        ("2026-11-21T10:00:00.123456Z", day + 36_000_123),
        ("2026-11-21T10:00:00+02:00", day + 28_800_000),
        ("2026-11-21T10:00:00-0130", day + 41_400_000),
        ("2026-11-21T10:00:00+02", day + 28_800_000),
        ("2024-02-29T23:59:59.999Z", 1_709_251_199_999),
        ("1970-01-01", 0),
        ("1969-12-31", -86_400_000),
        ("0001-01-01", -62_135_596_800_000),
    ];
    for (text, ms) in cases {
        assert_eq!(parse_iso_date(text), Ok(ms), "{text}");
    }
}

#[test]
fn iso_date_errors() {
    assert_eq!(
        parse_iso_date("2026-13-01"),
        Err("month 13 is out of range".to_string())
    );
    assert_eq!(
        parse_iso_date("2025-02-29"),
        Err("day 29 is out of range".to_string())
    );
    assert_eq!(
        parse_iso_date("2026-11-21T24:00:00Z"),
        Err("hour 24 is out of range".to_string())
    );
    for text in [
        "",
        "2026",
        "2026-1-1",
        "2026-11-21T",
        "2026-11-21T10",
        "2026-11-21T10:00:00.Z",
        "2026-11-21Z",
        "2026-11-21T10:00:00+2",
    ] {
        assert!(parse_iso_date(text).is_err(), "{text}");
    }
    assert_eq!(
        value_error("ISODate('2026-02-30')"),
        "1:9: invalid date \"2026-02-30\": day 30 is out of range"
    );
}

#[test]
fn numbers() {
    assert_eq!(value("NumberLong(123)"), Bson::Int64(123));
    assert_eq!(
        value("NumberLong('9223372036854775807')"),
        Bson::Int64(i64::MAX)
    );
    assert_eq!(value("NumberInt(5)"), Bson::Int32(5));
    assert_eq!(value("NumberInt('-5')"), Bson::Int32(-5));
    let decimal = |s: &str| Bson::Decimal128(s.parse::<Decimal128>().expect("decimal"));
    assert_eq!(value("NumberDecimal('1.10')"), decimal("1.10"));
    assert_eq!(value("Decimal128(\"-2.5E+3\")"), decimal("-2.5E+3"));
    assert_eq!(value("NumberDecimal(1.10)"), decimal("1.10"));
    assert_eq!(value("NumberDecimal('NaN')"), decimal("NaN"));
}

#[test]
fn uuid_with_or_without_hyphens() {
    let uuid = Bson::Binary(Binary {
        subtype: BinarySubtype::Uuid,
        bytes: (0u8..16).collect(),
    });
    assert_eq!(value("UUID('00010203-0405-0607-0809-0a0b0c0d0e0f')"), uuid);
    assert_eq!(value("UUID('000102030405060708090A0B0C0D0E0F')"), uuid);
    assert!(matches!(
        value("UUID()"),
        Bson::Binary(Binary {
            subtype: BinarySubtype::Uuid,
            ..
        })
    ));
}

#[test]
fn timestamps() {
    let expected = Bson::Timestamp(Timestamp {
        time: 1_700_000_000,
        increment: 2,
    });
    assert_eq!(value("Timestamp(1700000000, 2)"), expected);
    assert_eq!(value("Timestamp({t: 1700000000, i: 2})"), expected);
    assert_eq!(value("new Timestamp({i: 2, t: 1700000000})"), expected);
}

#[test]
fn keys_and_binary() {
    assert_eq!(value("MinKey()"), Bson::MinKey);
    assert_eq!(value("MaxKey()"), Bson::MaxKey);
    assert_eq!(
        value("BinData(0, 'aGVsbG8=')"),
        Bson::Binary(Binary {
            subtype: BinarySubtype::Generic,
            bytes: b"hello".to_vec()
        })
    );
    assert_eq!(
        value("BinData(4, 'AAECAwQFBgcICQoLDA0ODw==')"),
        Bson::Binary(Binary {
            subtype: BinarySubtype::Uuid,
            bytes: (0u8..16).collect()
        })
    );
}

#[test]
fn regex_literals() {
    assert_eq!(value("/^abc/"), regex("^abc", ""));
    assert_eq!(value("/a.c/mi"), regex("a.c", "im"));
    assert_eq!(value("/x/xusmli"), regex("x", "ilmsux"));
    // Escapes are kept as written, and '/' inside a class does not end it.
    assert_eq!(value(r"/a\/b[/]\d+/"), regex(r"a\/b[/]\d+", ""));
    assert_eq!(value("RegExp('^a', 'si')"), regex("^a", "is"));
    assert_eq!(value("new RegExp('^a')"), regex("^a", ""));
}

#[test]
fn regex_in_a_filter() {
    assert_eq!(
        stages("{$match: {'fullDocument.name': /^Ann/i}}"),
        vec![doc! { "$match": { "fullDocument.name": regex("^Ann", "i") } }]
    );
}

#[test]
fn helpers_inside_a_pipeline() {
    let text = format!(
        "[{{$match: {{'documentKey._id': ObjectId('{OID}'), wallTime: {{$gte: ISODate('2026-11-21')}}, \
         'fullDocument.n': NumberLong(5)}}}}]"
    );
    let oid = ObjectId::parse_str(OID).expect("valid test ObjectId");
    assert_eq!(
        stages(&text),
        vec![doc! { "$match": {
            "documentKey._id": oid,
            "wallTime": { "$gte": DateTime::from_millis(1_795_219_200_000) },
            "fullDocument.n": 5_i64,
        } }]
    );
}

#[test]
fn helper_errors() {
    assert_eq!(
        value_error("ObjectId('abcde')"),
        "1:10: invalid ObjectId: expected 24 hex digits, found 5"
    );
    assert_eq!(
        value_error("ObjectId(1)"),
        "1:10: ObjectId expects a string, found a number"
    );
    assert_eq!(
        value_error("ObjectId('a', 'b')"),
        "1:15: ObjectId takes at most 1 argument, found 2"
    );
    assert_eq!(
        value_error("ObjectID('x')"),
        "1:1: unknown function 'ObjectID' (did you mean ObjectId?)"
    );
    assert_eq!(
        value_error("NumberLng(1)"),
        "1:1: unknown function 'NumberLng' (did you mean NumberLong?)"
    );
    assert_eq!(
        value_error("Dat(1)"),
        "1:1: unknown function 'Dat' (did you mean new Date?)"
    );
    assert_eq!(value_error("Foo(1)"), "1:1: unknown function 'Foo'");
    assert_eq!(value_error("new Foo()"), "1:5: unknown function 'Foo'");
    assert_eq!(
        value_error("Date('2026-11-21')"),
        "1:1: Date(...) without 'new' gives a string; write new Date(...) or ISODate(...)"
    );
    assert_eq!(
        value_error("new Date(1, 2)"),
        "1:13: new Date takes at most 1 argument, found 2"
    );
    assert_eq!(
        value_error("new Date(true)"),
        "1:10: new Date expects an ISO date string or milliseconds, found a boolean"
    );
    assert_eq!(
        value_error("new Date(Infinity)"),
        "1:10: invalid date: Infinity milliseconds"
    );
    assert_eq!(
        value_error("NumberLong()"),
        "1:1: NumberLong takes 1 argument, found 0"
    );
    assert_eq!(
        value_error("NumberLong(1.5)"),
        "1:12: NumberLong expects a 64-bit integer, found 1.5"
    );
    assert_eq!(
        value_error("NumberInt(2147483648)"),
        "1:11: NumberInt is out of range for a 32-bit integer: 2147483648"
    );
    assert_eq!(
        value_error("NumberDecimal('abc')"),
        "1:15: invalid decimal \"abc\""
    );
    assert_eq!(
        value_error("NumberDecimal(0x10)"),
        "1:15: invalid decimal \"0x10\""
    );
    assert_eq!(
        value_error("NumberDecimal([])"),
        "1:15: NumberDecimal expects a string like \"1.5\", found an array"
    );
    assert_eq!(
        value_error("UUID('0001-zz')"),
        "1:6: invalid UUID: 'z' is not a hex digit"
    );
    assert_eq!(
        value_error("Timestamp(1)"),
        "1:11: Timestamp expects a document with t, i, found a number"
    );
    assert_eq!(
        value_error("Timestamp(1, 2, 3)"),
        "1:17: Timestamp takes 1 or 2 arguments, found 3"
    );
    assert_eq!(
        value_error("Timestamp(1, 4294967296)"),
        "1:14: Timestamp i must be from 0 to 4294967295, found 4294967296"
    );
    assert_eq!(
        value_error("MinKey(1)"),
        "1:8: MinKey takes no arguments, found 1"
    );
    assert_eq!(
        value_error("BinData(256, '')"),
        "1:9: BinData subtype must be from 0 to 255, found 256"
    );
    assert_eq!(
        value_error("BinData(0)"),
        "1:1: BinData takes 2 arguments, found 1"
    );
    assert_eq!(
        value_error("BinData(0, 'a')"),
        "1:12: invalid base64 in BinData"
    );
    assert_eq!(
        value_error("RegExp(1)"),
        "1:8: RegExp expects a string, found a number"
    );
    assert_eq!(
        value_error("RegExp('a', 'ii')"),
        "1:13: duplicate regex flag 'i'"
    );
}

#[test]
fn regex_flag_errors_point_at_the_flag() {
    assert_eq!(
        value_error("{a: /x/ig}"),
        "1:9: invalid regex flag 'g' (allowed: i, l, m, s, u, x)"
    );
    assert_eq!(value_error("/x/mm"), "1:5: duplicate regex flag 'm'");
}
