//! Checks that the stages are ones a change stream accepts, shaped as
//! MongoDB expects, so mistakes show up while typing rather than as a
//! server error after connecting.

use bson::{Bson, Document};

use super::convert::to_bson;
use super::syntax::{Entry, Kind, Node};
use super::{suggest, ParseError};

/// The stages MongoDB allows after `$changeStream`.
const ALLOWED: &[&str] = &[
    "$match",
    "$project",
    "$addFields",
    "$set",
    "$unset",
    "$replaceRoot",
    "$replaceWith",
    "$redact",
    "$changeStreamSplitLargeEvent",
];

/// Real stages that a change stream refuses, told apart from typos.
const REFUSED: &[&str] = &[
    "$bucket",
    "$bucketAuto",
    "$collStats",
    "$count",
    "$currentOp",
    "$densify",
    "$documents",
    "$facet",
    "$fill",
    "$geoNear",
    "$graphLookup",
    "$group",
    "$indexStats",
    "$limit",
    "$listLocalSessions",
    "$listSearchIndexes",
    "$listSessions",
    "$lookup",
    "$merge",
    "$out",
    "$planCacheStats",
    "$sample",
    "$search",
    "$searchMeta",
    "$setWindowFields",
    "$skip",
    "$sort",
    "$sortByCount",
    "$unionWith",
    "$unwind",
    "$vectorSearch",
];

/// The stages of a pipeline: a single stage document or an array of them.
pub(crate) fn stages(root: &Node) -> Result<Vec<Document>, ParseError> {
    let nodes: Vec<&Node> = match &root.kind {
        Kind::Array(items) => items.iter().collect(),
        _ => vec![root],
    };
    let last = nodes.len().saturating_sub(1);
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| stage(node, i == last))
        .collect()
}

fn stage(node: &Node, is_last: bool) -> Result<Document, ParseError> {
    let Kind::Object(entries) = &node.kind else {
        return Err(ParseError::at(
            node.pos,
            "a stage must be a document like {$match: {...}}",
        ));
    };
    let [entry] = entries.as_slice() else {
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        let listed = if keys.is_empty() {
            String::new()
        } else {
            format!(": {}", keys.join(", "))
        };
        return Err(ParseError::at(
            node.pos,
            format!(
                "a stage must have exactly one key, found {}{listed}",
                keys.len()
            ),
        ));
    };
    check_name(entry)?;
    if entry.key == "$changeStreamSplitLargeEvent" && !is_last {
        return Err(ParseError::at(
            entry.key_pos,
            "$changeStreamSplitLargeEvent must be the last stage",
        ));
    }
    let value = to_bson(&entry.value)?;
    check_shape(entry, &value)?;
    let mut doc = Document::new();
    doc.insert(entry.key.clone(), value);
    Ok(doc)
}

fn check_name(entry: &Entry) -> Result<(), ParseError> {
    let name = entry.key.as_str();
    let message = if ALLOWED.contains(&name) {
        return Ok(());
    } else if name == "$changeStream" {
        "$changeStream is added by mwatch; write only the stages after it".to_string()
    } else if REFUSED.contains(&name) {
        format!(
            "{name} is not allowed after $changeStream (allowed: {})",
            ALLOWED.join(", ")
        )
    } else if let Some(known) = suggest(name, ALLOWED) {
        format!("unknown stage '{name}' (did you mean {known}?)")
    } else if !name.starts_with('$') {
        // Most likely a bare filter such as {operationType: "insert"}.
        format!("unknown stage '{name}': stage names start with '$'; to filter, write {{$match: {{...}}}}")
    } else {
        format!("unknown stage '{name}' (allowed: {})", ALLOWED.join(", "))
    };
    Err(ParseError::at(entry.key_pos, message))
}

/// Checks what MongoDB would refuse in a stage's value.
fn check_shape(entry: &Entry, value: &Bson) -> Result<(), ParseError> {
    let name = entry.key.as_str();
    let node = &entry.value;
    let error = |message: String| Err(ParseError::at(node.pos, message));
    match (name, value) {
        ("$project", Bson::Document(doc)) if doc.is_empty() => {
            error("$project must name at least one field".to_string())
        }
        (
            "$match" | "$project" | "$addFields" | "$set" | "$changeStreamSplitLargeEvent",
            Bson::Document(_),
        ) => Ok(()),
        ("$match" | "$project" | "$addFields" | "$set" | "$changeStreamSplitLargeEvent", _) => {
            error(format!(
                "{name} must be a document, found {}",
                describe(value)
            ))
        }
        ("$unset", Bson::String(_)) => Ok(()),
        ("$unset", Bson::Array(fields)) if fields.is_empty() => {
            error("$unset must name at least one field".to_string())
        }
        ("$unset", Bson::Array(fields)) => {
            let Kind::Array(items) = &node.kind else {
                // An array value always comes from an array literal.
                return Ok(());
            };
            match fields
                .iter()
                .zip(items)
                .find(|(f, _)| !matches!(f, Bson::String(_)))
            {
                Some((field, item)) => Err(ParseError::at(
                    item.pos,
                    format!("$unset fields must be strings, found {}", describe(field)),
                )),
                None => Ok(()),
            }
        }
        ("$unset", _) => error(format!(
            "$unset must be a field name or an array of field names, found {}",
            describe(value)
        )),
        ("$replaceRoot", Bson::Document(doc)) => {
            let Kind::Object(entries) = &node.kind else {
                return Ok(());
            };
            if let Some(extra) = entries.iter().find(|e| e.key != "newRoot") {
                return Err(ParseError::at(
                    extra.key_pos,
                    format!(
                        "unknown field '{}' in $replaceRoot (expected newRoot)",
                        extra.key
                    ),
                ));
            }
            if doc.contains_key("newRoot") {
                Ok(())
            } else {
                error(
                    "$replaceRoot must have a newRoot field, like {newRoot: \"$fullDocument\"}"
                        .to_string(),
                )
            }
        }
        ("$replaceRoot", _) => error(format!(
            "$replaceRoot must be a document like {{newRoot: \"$fullDocument\"}}, found {}",
            describe(value)
        )),
        // $replaceWith and $redact take any expression.
        _ => Ok(()),
    }
}

fn describe(value: &Bson) -> &'static str {
    match value {
        Bson::Document(_) => "a document",
        Bson::Array(_) => "an array",
        Bson::String(_) => "a string",
        Bson::Double(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Decimal128(_) => "a number",
        Bson::Boolean(_) => "a boolean",
        Bson::Null => "null",
        Bson::ObjectId(_) => "an ObjectId",
        Bson::DateTime(_) => "a date",
        Bson::RegularExpression(_) => "a regex",
        Bson::Timestamp(_) => "a timestamp",
        Bson::Binary(_) => "binary data",
        _ => "a special value",
    }
}
