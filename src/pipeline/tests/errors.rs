//! Syntax errors: wording and exact line:column.

use super::{error, value_error};
use crate::pipeline::{parse, ParseError};

#[test]
fn error_fields_and_display() {
    let e = parse("[\n  {$match: 1]").expect_err("must fail");
    assert_eq!(
        e,
        ParseError {
            line: 2,
            column: 13,
            message: "expected ',' or '}' after a value, found ']'".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "2:13: expected ',' or '}' after a value, found ']'"
    );
}

#[test]
fn missing_separators() {
    assert_eq!(
        error("{$match: {a: 1 b: 2}}"),
        "1:16: expected ',' or '}' after a value, found 'b'"
    );
    assert_eq!(
        error("[{$match: {}} {$match: {}}]"),
        "1:15: expected ',' or ']' after a value, found '{'"
    );
    assert_eq!(
        error("{$match {}}"),
        "1:9: expected ':' after key '$match', found '{'"
    );
    assert_eq!(
        error("{$match: {a: 1,, b: 2}}"),
        "1:16: expected a key or '}', found ','"
    );
    assert_eq!(error("[1,,2]"), "1:4: expected a value, found ','");
    assert_eq!(
        error("{$match: {a: }}"),
        "1:14: expected a value, found '}'"
    );
    assert_eq!(
        value_error("ObjectId('a' 'b')"),
        "1:14: expected ',' or ')' after an argument, found \"'\""
    );
}

#[test]
fn unclosed_brackets_name_the_opening_one() {
    assert_eq!(
        error("{"),
        "1:2: unexpected end of input: '{' at 1:1 is not closed"
    );
    assert_eq!(
        error("[\n  {$match: {a: 1}"),
        "2:18: unexpected end of input: '{' at 2:3 is not closed"
    );
    assert_eq!(
        error("[{$match: {}}"),
        "1:14: unexpected end of input: '[' at 1:1 is not closed"
    );
    assert_eq!(
        error("{$match: {a: "),
        "1:14: unexpected end of input: '{' at 1:10 is not closed"
    );
    assert_eq!(
        value_error("ObjectId("),
        "1:10: unexpected end of input: '(' at 1:9 is not closed"
    );
    assert_eq!(
        value_error("{a // comment"),
        "1:14: unexpected end of input: '{' at 1:1 is not closed"
    );
}

#[test]
fn unterminated_tokens_point_at_their_start() {
    assert_eq!(error("{$match: {a: 'abc}}"), "1:14: unterminated string");
    assert_eq!(
        error("{$match: {a: \"abc\n\"}}"),
        "1:14: unterminated string"
    );
    assert_eq!(error("{$match: {a: 'ab\\"), "1:14: unterminated string");
    assert_eq!(error("{$match: {a: /abc}}"), "1:14: unterminated regex");
    assert_eq!(error("{$match: {a: /a[/]"), "1:14: unterminated regex");
    assert_eq!(error("[\n /* note\n"), "2:2: unterminated comment");
}

#[test]
fn bad_escapes() {
    assert_eq!(
        value_error(r#""\d+""#),
        r"1:2: invalid escape '\d' (write '\\d' for a backslash)"
    );
    assert_eq!(
        value_error(r#""\u12""#),
        "1:2: invalid escape: expected 4 hex digits"
    );
    assert_eq!(
        value_error(r#""\xZ1""#),
        "1:2: invalid escape: expected 2 hex digits"
    );
    assert_eq!(
        value_error(r#""a\ud800b""#),
        "1:3: invalid escape: lone surrogate"
    );
    assert_eq!(
        value_error(r#""\udc00""#),
        "1:2: invalid escape: lone surrogate"
    );
    // A high surrogate followed by another escape than \u is alone too.
    assert_eq!(
        value_error(r#""\ud83d\n""#),
        "1:2: invalid escape: lone surrogate"
    );
    // \0 is NUL only when no digit follows: JSON5 has no octal escapes.
    assert!(value_error(r#""\01""#).starts_with("1:2: "));
}

#[test]
fn bad_numbers() {
    assert_eq!(value_error("12abc"), "1:3: unexpected 'a' after a number");
    assert_eq!(value_error("1.2.3"), "1:4: unexpected '.' after a number");
    assert_eq!(value_error("[-]"), "1:3: expected a digit, found ']'");
    assert_eq!(value_error("[.]"), "1:3: expected a digit, found ']'");
    assert_eq!(
        value_error("1e"),
        "1:3: expected a digit in the exponent, found end of input"
    );
    assert_eq!(
        value_error("0x"),
        "1:3: expected hex digits after '0x', found end of input"
    );
    assert_eq!(value_error("-foo"), "1:2: expected a number, found 'foo'");
}

#[test]
fn bare_words() {
    assert_eq!(
        error("{$match: {status: active}}"),
        "1:19: unexpected word 'active' (strings must be quoted)"
    );
    assert_eq!(
        value_error("{a: undefined}"),
        "1:5: undefined is not supported; use null"
    );
    assert_eq!(
        value_error("new"),
        "1:4: expected a name after 'new', like Date(...), found end of input"
    );
    assert_eq!(
        value_error("new Date"),
        "1:9: expected '(' after 'new Date', found end of input"
    );
    assert_eq!(
        value_error("True"),
        "1:1: unexpected word 'True' (strings must be quoted)"
    );
}

#[test]
fn duplicate_keys_point_at_the_second() {
    assert_eq!(
        error("{$match: {\n  status: 'a',\n  'status': 'b'\n}}"),
        "3:3: duplicate key 'status'"
    );
}

#[test]
fn a_key_with_a_nul_is_refused_where_it_is() {
    assert_eq!(
        error("{$match: {\n  'a\\u0000b': 1}}"),
        "2:3: a key cannot hold a NUL character (\\u0000)"
    );
    assert_eq!(
        error("{$match: {\"a\0b\": 1}}"),
        "1:11: a key cannot hold a NUL character (\\u0000)"
    );
    // Regex patterns too; a $regex string is a string, which may hold one.
    assert_eq!(
        error("{$match: {a: /x\0y/}}"),
        "1:14: a regex cannot hold a NUL character (\\u0000)"
    );
    assert_eq!(
        error("{$match: {a: {$regularExpression: {pattern: 'x\\u0000', options: ''}}}}"),
        "1:45: a regex cannot hold a NUL character (\\u0000)"
    );
}

#[test]
fn text_after_the_pipeline() {
    assert_eq!(
        error("{$match: {}}, {$project: {a: 1}}"),
        "1:13: unexpected ',' after the stage; write several stages as an array: [{...}, {...}]"
    );
    assert_eq!(
        error("[] ]"),
        "1:4: expected end of input after the value, found ']'"
    );
    assert_eq!(
        value_error("1 2"),
        "1:3: expected end of input after the value, found '2'"
    );
    assert_eq!(
        value_error("1,"),
        "1:2: expected end of input after the value, found ','"
    );
}

#[test]
fn empty_value() {
    assert_eq!(value_error(""), "1:1: expected a value, found end of input");
    assert_eq!(
        value_error("\n  // nothing"),
        "2:13: expected a value, found end of input"
    );
}

#[test]
fn columns_count_chars_not_bytes() {
    // 'é' and '😀' are 2 and 4 bytes but one column each.
    assert_eq!(
        error("{$match: {'é😀': 1 x}}"),
        "1:19: expected ',' or '}' after a value, found 'x'"
    );
    assert_eq!(
        error("[\n  {$match: {name: 'Zoë', 'naïve': 1,\n   é: ]}}"),
        "3:7: expected a value, found ']'"
    );
}

#[test]
fn crlf_line_endings() {
    assert_eq!(
        error("[\r\n{$match: {a: 1}},\r\n{$mtach: {}}]"),
        "3:2: unknown stage '$mtach' (did you mean $match?)"
    );
}

#[test]
fn found_line_break_is_named() {
    assert_eq!(
        error("{$match\n: {a: 1 \n b}}"),
        "3:2: expected ',' or '}' after a value, found 'b'"
    );
    assert_eq!(
        value_error("{a\n\n"),
        "3:1: unexpected end of input: '{' at 1:1 is not closed"
    );
}

#[test]
fn nesting_too_deep_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000);
    assert_eq!(
        value_error(&text),
        "1:111: nested too deeply (more than 110 levels)"
    );
    let text = "{a:".repeat(50_000);
    assert_eq!(
        value_error(&text),
        "1:331: nested too deeply (more than 110 levels)"
    );
    let text = "ObjectId(".repeat(1000);
    assert_eq!(
        value_error(&text),
        "1:999: nested too deeply (more than 110 levels)"
    );
}

#[test]
fn an_unexpected_control_character_is_named_escaped() {
    assert_eq!(
        error("{$match: {a: 1 \u{1b}: 2}}"),
        "1:16: expected ',' or '}' after a value, found '\\u001b'"
    );
}
