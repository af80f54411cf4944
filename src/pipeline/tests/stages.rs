//! Stage validation: names, order and shapes.

use bson::doc;

use super::{error, stages};

const ALLOWED: &str = "$match, $project, $addFields, $set, $unset, $replaceRoot, $replaceWith, $redact, $changeStreamSplitLargeEvent";

#[test]
fn every_allowed_stage() {
    let text = "[
        {$match: {operationType: 'update'}},
        {$project: {fullDocument: 1}},
        {$addFields: {a: 1}},
        {$set: {b: '$a'}},
        {$unset: 'a'},
        {$unset: ['a', 'b']},
        {$replaceRoot: {newRoot: '$fullDocument'}},
        {$replaceWith: '$fullDocument'},
        {$redact: '$$KEEP'},
        {$changeStreamSplitLargeEvent: {}},
    ]";
    assert_eq!(
        stages(text),
        vec![
            doc! { "$match": { "operationType": "update" } },
            doc! { "$project": { "fullDocument": 1 } },
            doc! { "$addFields": { "a": 1 } },
            doc! { "$set": { "b": "$a" } },
            doc! { "$unset": "a" },
            doc! { "$unset": ["a", "b"] },
            doc! { "$replaceRoot": { "newRoot": "$fullDocument" } },
            doc! { "$replaceWith": "$fullDocument" },
            doc! { "$redact": "$$KEEP" },
            doc! { "$changeStreamSplitLargeEvent": {} },
        ]
    );
}

#[test]
fn refused_stages_list_the_allowed_ones() {
    assert_eq!(
        error("[{$match: {}}, {$group: {_id: null}}]"),
        format!("1:17: $group is not allowed after $changeStream (allowed: {ALLOWED})")
    );
    assert_eq!(
        error("{$sort: {a: 1}}"),
        format!("1:2: $sort is not allowed after $changeStream (allowed: {ALLOWED})")
    );
}

#[test]
fn change_stream_itself_is_refused() {
    assert_eq!(
        error("[{$changeStream: {}}, {$match: {}}]"),
        "1:3: $changeStream is added by mwatch; write only the stages after it"
    );
}

#[test]
fn unknown_stages_get_a_suggestion() {
    assert_eq!(
        error("{$mtach: {}}"),
        "1:2: unknown stage '$mtach' (did you mean $match?)"
    );
    assert_eq!(
        error("{match: {}}"),
        "1:2: unknown stage 'match' (did you mean $match?)"
    );
    assert_eq!(
        error("{$Project: {a: 1}}"),
        "1:2: unknown stage '$Project' (did you mean $project?)"
    );
    assert_eq!(
        error("{$frobnicate: {}}"),
        format!("1:2: unknown stage '$frobnicate' (allowed: {ALLOWED})")
    );
    assert_eq!(
        error("{operationType: 'insert'}"),
        "1:2: unknown stage 'operationType': stage names start with '$'; to filter, write {$match: {...}}"
    );
}

#[test]
fn split_large_event_must_be_last() {
    assert_eq!(
        error("[{$changeStreamSplitLargeEvent: {}},\n {$match: {}}]"),
        "1:3: $changeStreamSplitLargeEvent must be the last stage"
    );
    assert_eq!(
        error("{$changeStreamSplitLargeEvent: true}"),
        "1:32: $changeStreamSplitLargeEvent must be a document, found a boolean"
    );
}

#[test]
fn a_stage_is_a_one_key_document() {
    assert_eq!(
        error("[{$match: {}}, 5]"),
        "1:16: a stage must be a document like {$match: {...}}"
    );
    assert_eq!(
        error("'$match'"),
        "1:1: a stage must be a document like {$match: {...}}"
    );
    assert_eq!(
        error("[[]]"),
        "1:2: a stage must be a document like {$match: {...}}"
    );
    assert_eq!(
        error("[{$match: {}, $project: {a: 1}}]"),
        "1:2: a stage must have exactly one key, found 2: $match, $project"
    );
    assert_eq!(
        error("{}"),
        "1:1: a stage must have exactly one key, found 0"
    );
}

#[test]
fn stage_values_must_have_the_right_shape() {
    assert_eq!(
        error("{$match: 'insert'}"),
        "1:10: $match must be a document, found a string"
    );
    assert_eq!(
        error("{$match: [1]}"),
        "1:10: $match must be a document, found an array"
    );
    assert_eq!(
        error("{$match: {$date: '2026-11-21'}}"),
        "1:10: $match must be a document, found a date"
    );
    assert_eq!(
        error("{$project: 1}"),
        "1:12: $project must be a document, found a number"
    );
    assert_eq!(
        error("{$project: {}}"),
        "1:12: $project must name at least one field"
    );
    assert_eq!(
        error("{$addFields: null}"),
        "1:14: $addFields must be a document, found null"
    );
    assert_eq!(
        error("{$set: 'a'}"),
        "1:8: $set must be a document, found a string"
    );
    assert_eq!(
        error("{$unset: 1}"),
        "1:10: $unset must be a field name or an array of field names, found a number"
    );
    assert_eq!(
        error("{$unset: []}"),
        "1:10: $unset must name at least one field"
    );
    assert_eq!(
        error("{$unset: ['a', 2]}"),
        "1:16: $unset fields must be strings, found a number"
    );
    assert_eq!(
        error("{$replaceRoot: '$fullDocument'}"),
        "1:16: $replaceRoot must be a document like {newRoot: \"$fullDocument\"}, found a string"
    );
    assert_eq!(
        error("{$replaceRoot: {}}"),
        "1:16: $replaceRoot must have a newRoot field, like {newRoot: \"$fullDocument\"}"
    );
    assert_eq!(
        error("{$replaceRoot: {newRoot: '$a', x: 1}}"),
        "1:32: unknown field 'x' in $replaceRoot (expected newRoot)"
    );
}

#[test]
fn value_errors_inside_a_stage_keep_their_position() {
    assert_eq!(
        error("[\n  {$match: {\n    _id: ObjectId('12345')\n  }}\n]"),
        "3:19: invalid ObjectId: expected 24 hex digits, found 5"
    );
}
