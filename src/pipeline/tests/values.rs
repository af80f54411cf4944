//! Plain values: strict and relaxed JSON, numbers, strings, comments.

use bson::{bson, doc, Bson};

use super::{stages, value};
use crate::pipeline::{parse, Pipeline};

#[test]
fn empty_text_is_an_empty_pipeline() {
    for text in [
        "",
        "   ",
        "\n\t \r\n",
        "// all filters off\n",
        "/* nothing */",
        "/* 2 * 3 and 4 / 5 */",
        "[]",
        " [ ] ",
    ] {
        assert_eq!(parse(text), Ok(Pipeline::default()), "{text:?}");
    }
}

#[test]
fn single_stage_and_array_give_the_same_pipeline() {
    let expected = vec![doc! { "$match": { "operationType": "insert" } }];
    assert_eq!(
        stages(r#"{"$match": {"operationType": "insert"}}"#),
        expected
    );
    assert_eq!(
        stages(r#"[{"$match": {"operationType": "insert"}}]"#),
        expected
    );
}

#[test]
fn strict_json() {
    let text = r#"[
        {"$match": {"operationType": {"$in": ["insert", "update"]}, "fullDocument.n": {"$gt": -1.5e2}}},
        {"$project": {"fullDocument": 1, "ns": true, "x": null}}
    ]"#;
    assert_eq!(
        stages(text),
        vec![
            doc! { "$match": {
                "operationType": { "$in": ["insert", "update"] },
                "fullDocument.n": { "$gt": -150.0 },
            } },
            doc! { "$project": { "fullDocument": 1, "ns": true, "x": Bson::Null } },
        ]
    );
}

#[test]
fn relaxed_json_as_typed_in_mongosh() {
    let text = "[
        // only new orders
        { $match: { operationType: 'insert', fullDocument.status: \"new\", _id: {$exists: true}, }, },
        /* keep it small */
        { $project: { 'fullDocument.total': 1, }, },
    ]";
    assert_eq!(
        stages(text),
        vec![
            doc! { "$match": {
                "operationType": "insert",
                "fullDocument.status": "new",
                "_id": { "$exists": true },
            } },
            doc! { "$project": { "fullDocument.total": 1 } },
        ]
    );
}

#[test]
fn key_order_is_kept() {
    let keys: Vec<String> = match value("{b: 1, a: 2, c: 3}") {
        Bson::Document(doc) => doc.keys().cloned().collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(keys, ["b", "a", "c"]);
}

#[test]
fn unquoted_keys_may_be_numeric_or_unicode() {
    assert_eq!(
        value("{0: 'a', café: 1, $a.b_c: 2}"),
        bson!({ "0": "a", "café": 1, "$a.b_c": 2 })
    );
}

#[test]
fn integers_take_the_smallest_type() {
    assert_eq!(value("0"), Bson::Int32(0));
    assert_eq!(value("-7"), Bson::Int32(-7));
    assert_eq!(value("+1"), Bson::Int32(1));
    assert_eq!(value("2147483647"), Bson::Int32(i32::MAX));
    assert_eq!(value("-2147483648"), Bson::Int32(i32::MIN));
    assert_eq!(value("2147483648"), Bson::Int64(2_147_483_648));
    assert_eq!(value("-9223372036854775808"), Bson::Int64(i64::MIN));
    assert_eq!(
        value("9223372036854775808"),
        Bson::Double(9_223_372_036_854_775_808.0)
    );
}

#[test]
fn hex_integers() {
    assert_eq!(value("0x1F"), Bson::Int32(31));
    assert_eq!(value("0Xff"), Bson::Int32(255));
    assert_eq!(value("-0x10"), Bson::Int32(-16));
    assert_eq!(value("0x100000000"), Bson::Int64(1 << 32));
    assert_eq!(
        value("0x10000000000000000"),
        Bson::Double(18_446_744_073_709_551_616.0)
    );
    // Past i64, a double keeps its sign too.
    assert_eq!(
        value("-0x10000000000000000"),
        Bson::Double(-18_446_744_073_709_551_616.0)
    );
}

#[test]
fn fractions_and_exponents_are_doubles() {
    assert_eq!(value("1.0"), Bson::Double(1.0));
    assert_eq!(value(".5"), Bson::Double(0.5));
    assert_eq!(value("-.5"), Bson::Double(-0.5));
    assert_eq!(value("5."), Bson::Double(5.0));
    assert_eq!(value("1e3"), Bson::Double(1000.0));
    assert_eq!(value("2.5E-1"), Bson::Double(0.25));
    assert_eq!(value("1e+2"), Bson::Double(100.0));
}

#[test]
fn infinity_and_nan() {
    assert_eq!(value("Infinity"), Bson::Double(f64::INFINITY));
    assert_eq!(value("+Infinity"), Bson::Double(f64::INFINITY));
    assert_eq!(value("-Infinity"), Bson::Double(f64::NEG_INFINITY));
    assert!(matches!(value("NaN"), Bson::Double(d) if d.is_nan()));
    assert!(matches!(value("-NaN"), Bson::Double(d) if d.is_nan()));
}

#[test]
fn keywords() {
    assert_eq!(value("[true, false, null]"), bson!([true, false, null]));
}

#[test]
fn string_escapes() {
    assert_eq!(value(r#""a\"b\\c\/d""#), Bson::String("a\"b\\c/d".into()));
    assert_eq!(
        value(r#""\b\f\n\r\t\v\0""#),
        Bson::String("\u{8}\u{c}\n\r\t\u{b}\0".into())
    );
    assert_eq!(value(r#""\u00e9\x41""#), Bson::String("éA".into()));
    assert_eq!(value(r#""\ud83d\ude00""#), Bson::String("😀".into()));
    assert_eq!(value(r#"'it\'s'"#), Bson::String("it's".into()));
    assert_eq!(value(r#"'say "hi"'"#), Bson::String("say \"hi\"".into()));
    assert_eq!(value(r#""\\d+""#), Bson::String("\\d+".into()));
    assert_eq!(value("'é😀'"), Bson::String("é😀".into()));
}

#[test]
fn backslash_newline_continues_a_string() {
    assert_eq!(value("'ab\\\ncd'"), Bson::String("abcd".into()));
    assert_eq!(value("'ab\\\r\ncd'"), Bson::String("abcd".into()));
}

#[test]
fn comments_anywhere() {
    let text = "/* a */ { // b\n $match /* c */ : /* d */ { x /* e */ : 1 // f\n } } // g";
    assert_eq!(stages(text), vec![doc! { "$match": { "x": 1 } }]);
}

#[test]
fn comment_markers_inside_strings_are_text() {
    assert_eq!(
        value("'// not /* a comment'"),
        Bson::String("// not /* a comment".into())
    );
}

#[test]
fn trailing_commas() {
    assert_eq!(value("[1, 2, ]"), bson!([1, 2]));
    assert_eq!(value("{a: 1, }"), bson!({ "a": 1 }));
    assert_eq!(value("[{a: [1,],},]"), bson!([{ "a": [1] }]));
}

#[test]
fn empty_containers() {
    assert_eq!(value("{}"), bson!({}));
    assert_eq!(value("[]"), bson!([]));
    assert_eq!(value("{a: [], b: {}}"), bson!({ "a": [], "b": {} }));
}

#[test]
fn whitespace_of_all_kinds() {
    assert_eq!(value("\u{feff}\r\n\t{ a :\u{a0}1 }\r\n"), bson!({ "a": 1 }));
}

#[test]
fn nesting_up_to_the_limit() {
    let text = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let deepest = (1..100).fold(bson!([]), |inner, _| bson!([inner]));
    assert_eq!(value(&text), deepest);
}
