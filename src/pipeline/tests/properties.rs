//! Properties of the parser over random input (proptest; bounded case counts, so they run in
//! CI): whatever the text, it answers without panicking, and an error points into the text.
//! Well-formed pipelines of random structure parse, up to the nesting limit and not past it.
//! A failing input is shrunk, printed, and saved by proptest under `proptest-regressions/`.

use proptest::prelude::*;

use crate::nesting::MAX_DEPTH;
use crate::pipeline::{parse, parse_value};

/// Cases per property and run: 4 properties x 1,000 = 4,000 parses (well under a second).
const CASES: u32 = 1_000;

fn check(text: &str) -> Result<(), TestCaseError> {
    for result in [parse(text).map(drop), parse_value(text).map(drop)] {
        if let Err(e) = result {
            prop_assert!(e.points_into(text), "{e} is outside {text:?}");
        }
    }
    Ok(())
}

/// A value as JSON, relaxed JSON or mongosh syntax would write it, nested `depth` deep at most.
fn value(depth: u32) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| format!("NumberLong('{n}')")),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        "[a-z ]{0,8}".prop_map(|s| format!("'{s}'")),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("ObjectId('65f1a2b3c4d5e6f708091a2b')".to_string()),
        Just("ISODate('2026-11-21T10:00:00Z')".to_string()),
        Just("/^a.b/i".to_string()),
        Just(r#"{"$numberDecimal": "1.5"}"#.to_string()),
    ];
    leaf.prop_recursive(depth, 64, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| { format!("[{}]", items.join(", ")) }),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|fields| { format!("{{{}}}", document_fields(&fields).join(", ")) }),
        ]
    })
}

/// A field name and how to write it: bare, in single quotes with a dot, or in JSON's quotes.
fn key() -> impl Strategy<Value = (String, u8)> {
    ("[a-z_][a-z0-9_]{0,6}", 0u8..3)
}

/// `key: value` for each field; the `_N` suffix keeps the names apart (a document with a
/// name twice is refused).
fn document_fields(fields: &[((String, u8), String)]) -> Vec<String> {
    let written = |i: usize, (name, style): &(String, u8)| match style {
        0 => format!("{name}_{i}"),
        1 => format!("'{name}.x_{i}'"),
        _ => serde_json::to_string(&format!("é😀 {name}_{i}")).unwrap(),
    };
    (fields.iter().enumerate())
        .map(|(i, (key, value))| format!("{}: {value}", written(i, key)))
        .collect()
}

/// `[{$match: VALUE-FIELDS}]` with comments and line breaks sprinkled in.
fn pipeline() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((key(), value(8)), 0..4),
        any::<bool>(),
    )
        .prop_map(|(fields, commented)| {
            let fields = document_fields(&fields);
            let gap = if commented {
                "\n  // a comment\n  "
            } else {
                " "
            };
            format!(
                "[{gap}{{$match: {{{}}}}},{gap}]",
                fields.join(&format!(",{gap}"))
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn any_text_is_answered_with_an_error_in_it(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn json_like_text_is_answered_with_an_error_in_it(
        text in "[\\[\\]{}():,'\"\\\\/*$a-zA-Z0-9 \n\r\t.eE+\\-_é]{0,120}"
    ) {
        check(&text)?;
    }

    /// Well-formed random pipelines parse; cut anywhere or with a byte spliced in, they are
    /// answered with an error inside the text.
    #[test]
    fn random_pipelines_parse_and_their_damage_is_placed(
        text in pipeline(),
        cut in any::<prop::sample::Index>(),
        splice in "[\\[\\]{}:,'\"]",
    ) {
        if let Err(e) = parse(&text) {
            prop_assert!(false, "{text:?}: {e}");
        }
        // Every char boundary, the end of the text included.
        let boundaries: Vec<usize> =
            text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let at = boundaries[cut.index(boundaries.len())];
        check(&text[..at])?;
        check(&format!("{}{splice}{}", &text[..at], &text[at..]))?;
    }

    /// Nesting is accepted to `MAX_DEPTH` levels and refused past it, at the place it goes too deep,
    /// however deep the text goes (never a stack overflow).
    #[test]
    fn deep_nesting_is_refused_at_its_place(
        depth in 0usize..1_500,
        open in prop::sample::select(vec![("[", "]"), ("{a: ", "}"), ("{'$and': [", "]}")]),
        closed in any::<bool>(),
    ) {
        let (start, end) = open;
        let mut text = format!("[{{$match: {{x: {}1", start.repeat(depth));
        if closed {
            text.push_str(&end.repeat(depth));
            text.push_str("}}]");
        }
        check(&text)?;
        let levels = depth * if start.starts_with("{'") { 2 } else { 1 };
        if closed && levels + 3 <= MAX_DEPTH {
            prop_assert!(parse(&text).is_ok(), "{levels} levels: {text}");
        }
        if levels + 3 > MAX_DEPTH {
            let e = parse(&text).unwrap_err();
            prop_assert!(e.message.contains("nested too deeply"), "{e}");
        }
    }
}
