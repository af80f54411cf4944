//! Whatever is typed, the parser answers Ok or Err and never panics: the
//! TUI parses every keystroke.

use crate::pipeline::{parse, parse_value};
use mwatch_testkit::Rng;

const VALID: &[&str] = &[
    r#"[{"$match": {"operationType": {"$in": ["insert", "update"]}, "fullDocument.n": {"$gt": -1.5e2}}}]"#,
    "[\n  // orders from today\n  {$match: {'fullDocument.status': /^new/i, wallTime: {$gte: ISODate('2026-11-21T10:00:00.5+02:00')},},},\n  /* trim */ {$project: {fullDocument: 1, n: NumberLong('5')}},\n]",
    "{$match: {_id: ObjectId('65f1a2b3c4d5e6f708091a2b'), t: Timestamp({t: 1, i: 2}), d: new Date(0), u: UUID('00010203-0405-0607-0809-0a0b0c0d0e0f'), x: NumberDecimal('1.5'), k: [MinKey(), MaxKey()], b: BinData(0, 'aGk=')}}",
    r#"[{"$match": {"a": {"$oid": "65f1a2b3c4d5e6f708091a2b"}, "d": {"$date": {"$numberLong": "5"}}, "r": {"$regularExpression": {"pattern": "a", "options": "i"}}, "b": {"$binary": {"base64": "aGk=", "subType": "00"}}, "n": {"$numberDouble": "NaN"}}}, {"$changeStreamSplitLargeEvent": {}}]"#,
    "[{$replaceRoot: {newRoot: '$fullDocument'}}, {$unset: ['a', \"b\\u00e9\\n\"]}, {$set: {'é😀': 0x1F, y: .5, z: +Infinity}}]",
];

/// Both entry points on `text`; a panic fails the test with the input.
fn must_not_panic(text: &str) {
    let result = std::panic::catch_unwind(|| {
        // Ok or Err are both right for random text: not panicking is what is tested here; the
        // other pipeline tests check what valid and invalid texts give.
        let _ = parse(text);
        let _ = parse_value(text);
    });
    assert!(result.is_ok(), "panicked on {text:?}");
}

#[test]
fn valid_samples_parse() {
    for text in VALID {
        if let Err(e) = parse(text) {
            panic!("{text:?}: {e}");
        }
    }
}

#[test]
fn every_prefix_and_suffix() {
    for text in VALID {
        for (i, _) in text.char_indices() {
            must_not_panic(&text[..i]);
            must_not_panic(&text[i..]);
        }
    }
}

#[test]
fn every_single_char_deletion() {
    for text in VALID {
        for (i, c) in text.char_indices() {
            let mut edited = text.to_string();
            edited.replace_range(i..i + c.len_utf8(), "");
            must_not_panic(&edited);
        }
    }
}

const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ":",
    ",",
    "'",
    "\"",
    "\\",
    "/",
    "*",
    "//",
    "/*",
    "*/",
    "\n",
    " ",
    "$match",
    "$project",
    "a",
    "é",
    "😀",
    "0",
    "1",
    "-",
    "+",
    ".",
    "e",
    "0x",
    "Infinity",
    "NaN",
    "true",
    "null",
    "new",
    "Date",
    "ObjectId",
    "ISODate",
    "NumberLong",
    "Timestamp",
    "UUID",
    "BinData",
    "RegExp",
    "$oid",
    "$date",
    "$numberLong",
    "$binary",
    "$timestamp",
    "\\u",
    "\\ud800",
    "\\x",
    "i",
    "g",
    "2026-11-21",
    "T10:00:00Z",
    "+02:00",
    "65f1a2b3c4d5e6f708091a2b",
    "\r",
];

#[test]
fn random_token_soup() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let len = rng.below(24);
        let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        must_not_panic(&text);
    }
}

#[test]
fn random_mutations_of_valid_pipelines() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..5_000 {
        let mut text = VALID[rng.below(VALID.len())].to_string();
        for _ in 0..1 + rng.below(3) {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = boundaries[rng.below(boundaries.len())];
            text.insert_str(at, PIECES[rng.below(PIECES.len())]);
        }
        must_not_panic(&text);
    }
}

/// Decimal and date strings reach code outside this module (bson's
/// Decimal128 parser) or arithmetic on user numbers.
#[test]
fn random_decimal_and_date_strings() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let decimal_chars: Vec<char> = "0123456789.eE+-9nNaIf".chars().collect();
    let date_chars: Vec<char> = "0123456789-:T.Z+ ".chars().collect();
    let long = format!("{}e-6200", "9".repeat(60));
    must_not_panic(&format!("NumberDecimal('{long}')"));
    must_not_panic(&format!("NumberDecimal('{}')", "9".repeat(7000)));
    for _ in 0..20_000 {
        let decimal: String = (0..rng.below(40))
            .map(|_| decimal_chars[rng.below(decimal_chars.len())])
            .collect();
        must_not_panic(&format!("NumberDecimal('{decimal}')"));
        let date: String = (0..rng.below(32))
            .map(|_| date_chars[rng.below(date_chars.len())])
            .collect();
        must_not_panic(&format!("ISODate('{date}')"));
    }
    for year in ["0000", "9999"] {
        for tail in ["-12-31T23:59:59.999-23:59", "-01-01T00:00:00+23:59"] {
            must_not_panic(&format!("ISODate('{year}{tail}')"));
        }
    }
}
