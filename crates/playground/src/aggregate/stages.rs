//! The pipeline stages a change stream accepts after `$changeStream`, applied to one event at
//! a time: `$match`, `$project`, `$addFields`/`$set`, `$unset`, `$replaceRoot`/`$replaceWith`,
//! `$redact` and `$changeStreamSplitLargeEvent`.

use bson::{Bson, Document};

use crate::depth;
use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::{display, display_document, shown, type_name_of, Expr};
use crate::projection::Projection;
use crate::query::Filter;
use crate::values::type_name;

#[derive(Debug, Clone)]
pub struct Pipeline {
    stages: Vec<Stage>,
}

#[derive(Debug, Clone)]
enum Stage {
    Match(Filter),
    /// `$project`, `$addFields`/`$set` and `$unset`.
    Transform(Projection),
    /// `$replaceRoot` and `$replaceWith`; the name is how errors refer to the expression.
    ReplaceRoot(Expr, &'static str),
    Redact(Expr),
    /// Events are never too large here, so splitting does nothing.
    SplitLargeEvent,
}

/// The stages `Pipeline` applies one document at a time, other than the change-stream-only
/// `$changeStreamSplitLargeEvent`: an aggregation over a collection can use them too.
pub const PER_DOCUMENT: [&str; 8] = [
    "$match",
    "$project",
    "$addFields",
    "$set",
    "$unset",
    "$replaceRoot",
    "$replaceWith",
    "$redact",
];

/// Stages MongoDB knows but does not allow in a change stream.
const NOT_PERMITTED: [&str; 30] = [
    "$group",
    "$sort",
    "$limit",
    "$skip",
    "$lookup",
    "$unwind",
    "$out",
    "$merge",
    "$facet",
    "$bucket",
    "$bucketAuto",
    "$count",
    "$sample",
    "$geoNear",
    "$graphLookup",
    "$sortByCount",
    "$unionWith",
    "$densify",
    "$fill",
    "$setWindowFields",
    "$documents",
    "$collStats",
    "$indexStats",
    "$currentOp",
    "$listSessions",
    "$listLocalSessions",
    "$search",
    "$searchMeta",
    "$planCacheStats",
    "$listSearchIndexes",
];

impl Pipeline {
    pub fn parse(stages: &[Bson]) -> CmdResult<Pipeline> {
        let mut parsed = Vec::with_capacity(stages.len());
        for (position, stage) in stages.iter().enumerate() {
            let (name, arg) = stage_spec(stage)?;
            let stage = parse_stage(name, arg)?;
            if matches!(stage, Stage::SplitLargeEvent) && position + 1 != stages.len() {
                let message = "$changeStreamSplitLargeEvent must be the last stage in the pipeline";
                return Err(location_error!(7182802, message));
            }
            parsed.push(stage);
        }
        Ok(Pipeline { stages: parsed })
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the event through the stages; `None` when a stage filters it out.
    pub fn apply(&self, doc: Document) -> CmdResult<Option<Document>> {
        let mut doc = doc;
        for stage in &self.stages {
            doc = match stage {
                Stage::Match(filter) if filter.matches(&doc) => doc,
                Stage::Match(_) => return Ok(None),
                Stage::Transform(projection) => projection.apply(&doc)?,
                Stage::ReplaceRoot(expr, what) => match expr.eval(&doc)? {
                    Some(Bson::Document(new_root)) => new_root,
                    other => {
                        let message = format!(
                            "{what} must evaluate to an object, but resulting value was: {}. Type of resulting \
                             value: '{}'. Input document: {}",
                            shown(other.as_ref()),
                            type_name_of(other.as_ref()),
                            display_document(&doc)
                        );
                        return Err(location_error!(40228, message));
                    }
                },
                Stage::Redact(expr) => match redact(expr, &doc, &doc)? {
                    Some(kept) => kept,
                    None => return Ok(None),
                },
                Stage::SplitLargeEvent => doc,
            };
            // A stage may nest its input as deep as its own specification goes
            // (`{$set: {a: {b: … "$$ROOT"}}}`, up to some 197 levels around it), and stages
            // may follow one another without end.
            depth::check_built(&doc)?;
        }
        Ok(Some(doc))
    }
}

/// A stage's name and argument: `{$match: {...}}` -> `("$match", {...})`.
pub fn stage_spec(stage: &Bson) -> CmdResult<(&str, &Bson)> {
    let Bson::Document(spec) = stage else {
        return Err(CommandError::type_mismatch(
            "Each element of the 'pipeline' array must be an object",
        ));
    };
    let mut fields = spec.iter();
    let (Some((name, arg)), None) = (fields.next(), fields.next()) else {
        let message = "A pipeline stage specification object must contain exactly one field.";
        return Err(location_error!(40323, message));
    };
    Ok((name, arg))
}

fn parse_stage(name: &str, arg: &Bson) -> CmdResult<Stage> {
    // MongoDB prefixes errors in a projection-like stage's specification with its name.
    let in_stage = |mut e: CommandError| {
        e.message = format!("Invalid {name} :: caused by :: {}", e.message);
        e
    };
    Ok(match (name, arg) {
        ("$match", Bson::Document(filter)) => Stage::Match(Filter::parse(filter)?),
        ("$match", _) => {
            return Err(location_error!(
                15959,
                "the match filter must be an expression in an object"
            ))
        }
        ("$project", Bson::Document(spec)) => {
            Stage::Transform(Projection::parse(spec, true).map_err(in_stage)?)
        }
        ("$project", _) => {
            return Err(location_error!(
                15969,
                "$project specification must be an object"
            ))
        }
        ("$addFields" | "$set", Bson::Document(spec)) => {
            Stage::Transform(Projection::add_fields(spec).map_err(in_stage)?)
        }
        ("$addFields" | "$set", other) => {
            let message = format!(
                "{name} specification stage must be an object, got {}",
                type_name(other)
            );
            return Err(location_error!(40272, message));
        }
        ("$unset", _) => Stage::Transform(parse_unset(arg)?.map_err(in_stage)?),
        ("$replaceRoot", _) => Stage::ReplaceRoot(parse_replace_root(arg)?, "'newRoot' expression"),
        ("$replaceWith", _) => Stage::ReplaceRoot(Expr::parse(arg)?, "'replacement document'"),
        ("$redact", _) => Stage::Redact(Expr::parse(arg)?),
        ("$changeStreamSplitLargeEvent", Bson::Document(spec)) if spec.is_empty() => {
            Stage::SplitLargeEvent
        }
        ("$changeStreamSplitLargeEvent", _) => {
            return Err(location_error!(
                7182800,
                "$changeStreamSplitLargeEvent spec should be an empty object"
            ));
        }
        ("$changeStream", _) => {
            return Err(location_error!(
                40602,
                "$changeStream is only valid as the first stage in a pipeline"
            ));
        }
        _ if NOT_PERMITTED.contains(&name) => {
            let message = format!("{name} is not permitted in a $changeStream pipeline");
            return Err(CommandError::new(20, "IllegalOperation", message));
        }
        _ => {
            return Err(location_error!(
                40324,
                format!("Unrecognized pipeline stage name: '{name}'")
            ))
        }
    })
}

/// `$unset: "a"` or `["a", "b.c"]`: an exclusion projection of those paths. The outer result
/// holds the argument's own errors, the inner one the projection's.
fn parse_unset(arg: &Bson) -> CmdResult<CmdResult<Projection>> {
    let paths = match arg {
        Bson::String(path) => vec![path.as_str()],
        Bson::Array(items) if items.is_empty() => {
            let message =
                "$unset specification must be a string or an array with at least one field";
            return Err(location_error!(31119, message));
        }
        Bson::Array(items) => {
            let mut paths = Vec::with_capacity(items.len());
            for item in items {
                let Bson::String(path) = item else {
                    let message = "$unset specification must be a string or an array containing only string values";
                    return Err(location_error!(31120, message));
                };
                paths.push(path.as_str());
            }
            paths
        }
        _ => {
            return Err(location_error!(
                31002,
                "$unset specification must be a string or an array"
            ))
        }
    };
    let spec: Document = paths
        .into_iter()
        .map(|path| (path.to_string(), Bson::Int32(0)))
        .collect();
    Ok(Projection::parse(&spec, true))
}

fn parse_replace_root(arg: &Bson) -> CmdResult<Expr> {
    let Bson::Document(spec) = arg else {
        let message = format!(
            "expected an object as specification for $replaceRoot stage, got {}",
            type_name(arg)
        );
        return Err(location_error!(40229, message));
    };
    let mut new_root = None;
    for (key, value) in spec {
        if key != "newRoot" {
            let message = format!("BSON field '$replaceRoot.{key}' is an unknown field.");
            return Err(CommandError::new(40415, "IDLUnknownField", message));
        }
        new_root = Some(Expr::parse(value)?);
    }
    new_root.ok_or_else(|| {
        let message = "BSON field '$replaceRoot.newRoot' is missing but a required field";
        CommandError::new(40414, "IDLFailedToParse", message)
    })
}

/// `$redact` at one document level: `$$PRUNE` drops it, `$$KEEP` keeps it whole, and
/// `$$DESCEND` keeps its fields while redacting the documents within (also inside arrays).
fn redact(expr: &Expr, root: &Document, current: &Document) -> CmdResult<Option<Document>> {
    let decision = expr.eval_at(root, current)?;
    match decision.as_ref() {
        Some(Bson::String(s)) if s == "prune" => Ok(None),
        Some(Bson::String(s)) if s == "keep" => Ok(Some(current.clone())),
        Some(Bson::String(s)) if s == "descend" => {
            let mut out = Document::new();
            for (key, value) in current {
                if let Some(kept) = redact_value(expr, root, value)? {
                    out.insert(key.clone(), kept);
                }
            }
            Ok(Some(out))
        }
        other => {
            let message = format!(
                "$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and \
                 $$PRUNE, but returned {}",
                other.map_or_else(|| "MISSING".to_string(), display)
            );
            Err(location_error!(17053, message))
        }
    }
}

fn redact_value(expr: &Expr, root: &Document, value: &Bson) -> CmdResult<Option<Bson>> {
    Ok(match value {
        Bson::Document(d) => redact(expr, root, d)?.map(Bson::Document),
        Bson::Array(items) => {
            let mut kept = Vec::with_capacity(items.len());
            for item in items {
                kept.extend(redact_value(expr, root, item)?);
            }
            Some(Bson::Array(kept))
        }
        other => Some(other.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};

    fn pipeline(stages: Bson) -> CmdResult<Pipeline> {
        match stages {
            Bson::Array(items) => Pipeline::parse(&items),
            _ => unreachable!("tests pass arrays"),
        }
    }

    fn run(stages: Bson, doc: Document) -> Option<Document> {
        pipeline(stages).unwrap().apply(doc).unwrap()
    }

    fn error(stages: Bson) -> (i32, &'static str, String) {
        let e = pipeline(stages).unwrap_err();
        (e.code, e.code_name, e.message)
    }

    fn event() -> Document {
        doc! {
            "_id": { "_data": "826" },
            "operationType": "insert",
            "ns": { "db": "shop", "coll": "orders" },
            "documentKey": { "_id": 1 },
            "fullDocument": { "_id": 1, "total": 30, "items": [{ "sku": "a" }, { "sku": "b" }] },
        }
    }

    #[test]
    fn match_filters_events() {
        assert!(run(
            bson!([{ "$match": { "operationType": "insert" } }]),
            event()
        )
        .is_some());
        assert!(run(
            bson!([{ "$match": { "operationType": "delete" } }]),
            event()
        )
        .is_none());
        assert!(run(
            bson!([{ "$match": { "fullDocument.items.sku": "b" } }]),
            event()
        )
        .is_some());
        assert!(pipeline(bson!([])).unwrap().stages.is_empty());
        assert_eq!(run(bson!([]), event()), Some(event()));
    }

    #[test]
    fn project_add_fields_set_unset() {
        let projected = run(
            bson!([{ "$project": { "operationType": 1, "db": "$ns.db" } }]),
            event(),
        )
        .unwrap();
        assert_eq!(
            projected,
            doc! { "_id": { "_data": "826" }, "operationType": "insert", "db": "shop" }
        );
        let added = run(bson!([{ "$addFields": { "big": { "$gt": ["$fullDocument.total", 10] } } }, { "$set": { "ns.env": "prod" } }]), event()).unwrap();
        assert_eq!(added.get("big"), Some(&Bson::Boolean(true)));
        assert_eq!(
            added.get("ns"),
            Some(&bson!({ "db": "shop", "coll": "orders", "env": "prod" }))
        );
        let unset = run(
            bson!([{ "$unset": ["fullDocument", "ns.coll"] }, { "$unset": "documentKey" }]),
            event(),
        )
        .unwrap();
        assert_eq!(
            unset,
            doc! { "_id": { "_data": "826" }, "operationType": "insert", "ns": { "db": "shop" } }
        );
    }

    #[test]
    fn replace_root_and_replace_with() {
        assert_eq!(
            run(
                bson!([{ "$replaceRoot": { "newRoot": "$fullDocument" } }]),
                event()
            )
            .unwrap()
            .get("total"),
            Some(&Bson::Int32(30))
        );
        assert_eq!(
            run(
                bson!([{ "$replaceWith": { "t": "$fullDocument.total" } }]),
                event()
            ),
            Some(doc! { "t": 30 })
        );
        let e = pipeline(bson!([{ "$replaceRoot": { "newRoot": "$ns.db" } }]))
            .unwrap()
            .apply(doc! { "ns": { "db": "x" } })
            .unwrap_err();
        assert_eq!((e.code, e.code_name), (40228, "Location40228"));
        assert_eq!(
            e.message,
            "'newRoot' expression must evaluate to an object, but resulting value was: \"x\". Type of resulting value: 'string'. Input document: {ns: {db: \"x\"}}"
        );
        let e = pipeline(bson!([{ "$replaceWith": "$nope" }]))
            .unwrap()
            .apply(doc! {})
            .unwrap_err();
        assert!(e.message.starts_with("'replacement document' must evaluate to an object, but resulting value was: MISSING. Type of resulting value: 'missing'"), "{}", e.message);
        assert_eq!(error(bson!([{ "$replaceRoot": 1 }])).0, 40229);
        assert_eq!(
            error(bson!([{ "$replaceRoot": {} }])),
            (
                40414,
                "IDLFailedToParse",
                "BSON field '$replaceRoot.newRoot' is missing but a required field".into()
            )
        );
        assert_eq!(
            error(bson!([{ "$replaceRoot": { "newRoot": "$a", "x": 1 } }])).0,
            40415
        );
    }

    #[test]
    fn redact_descends_prunes_and_keeps() {
        let doc = doc! {
            "level": 1, "name": "top",
            "secret": { "level": 5, "data": "x" },
            "list": [{ "level": 1, "v": 1 }, { "level": 9, "v": 2 }, 3],
        };
        let stage = bson!([{ "$redact": { "$cond": { "if": { "$lte": ["$level", 2] }, "then": "$$DESCEND", "else": "$$PRUNE" } } }]);
        assert_eq!(
            run(stage, doc.clone()),
            Some(doc! { "level": 1, "name": "top", "list": [{ "level": 1, "v": 1 }, 3] })
        );
        assert_eq!(
            run(bson!([{ "$redact": "$$KEEP" }]), doc.clone()),
            Some(doc.clone())
        );
        assert_eq!(run(bson!([{ "$redact": "$$PRUNE" }]), doc.clone()), None);
        let e = pipeline(bson!([{ "$redact": "$name" }]))
            .unwrap()
            .apply(doc)
            .unwrap_err();
        assert_eq!(e.code, 17053);
    }

    #[test]
    fn split_large_event_must_be_last() {
        assert!(run(
            bson!([{ "$match": {} }, { "$changeStreamSplitLargeEvent": {} }]),
            event()
        )
        .is_some());
        let (code, _, message) =
            error(bson!([{ "$changeStreamSplitLargeEvent": {} }, { "$match": {} }]));
        assert_eq!(
            (code, message.as_str()),
            (
                7182802,
                "$changeStreamSplitLargeEvent must be the last stage in the pipeline"
            )
        );
        assert_eq!(
            error(bson!([{ "$changeStreamSplitLargeEvent": 1 }])).0,
            7182800
        );
    }

    #[test]
    fn every_per_document_stage_is_one_pipelines_apply() {
        for name in PER_DOCUMENT {
            // Whatever the argument's faults, the name itself is known and allowed.
            if let Err(e) = parse_stage(name, &Bson::Null) {
                assert!(![20, 40324].contains(&e.code), "{name}: {e}");
            }
        }
    }

    #[test]
    fn stage_shape_errors() {
        let one_field =
            "A pipeline stage specification object must contain exactly one field.".to_string();
        assert_eq!(
            error(bson!([{ "$match": {}, "$project": { "a": 1 } }])),
            (40323, "Location40323", one_field.clone())
        );
        assert_eq!(error(bson!([{}])).2, one_field);
        assert_eq!(error(bson!([1])).0, 14);
        assert_eq!(
            error(bson!([{ "$bogus": 1 }])),
            (
                40324,
                "Location40324",
                "Unrecognized pipeline stage name: '$bogus'".into()
            )
        );
        assert_eq!(
            error(bson!([{ "$group": { "_id": null } }])),
            (
                20,
                "IllegalOperation",
                "$group is not permitted in a $changeStream pipeline".into()
            )
        );
        assert_eq!(error(bson!([{ "$changeStream": {} }])).0, 40602);
        assert_eq!(
            error(bson!([{ "$match": 1 }])),
            (
                15959,
                "Location15959",
                "the match filter must be an expression in an object".into()
            )
        );
        assert_eq!(error(bson!([{ "$match": { "$foo": 1 } }])).0, 2);
        assert_eq!(error(bson!([{ "$project": 1 }])).0, 15969);
        assert_eq!(
            error(bson!([{ "$addFields": 1 }])).2,
            "$addFields specification stage must be an object, got int"
        );
        assert_eq!(error(bson!([{ "$unset": 1 }])).0, 31002);
        assert_eq!(error(bson!([{ "$unset": [] }])).0, 31119);
        assert_eq!(error(bson!([{ "$unset": ["a", 1] }])).0, 31120);
    }

    #[test]
    fn projection_errors_name_the_stage() {
        let (code, _, message) = error(bson!([{ "$project": { "a": 1, "b": 0 } }]));
        assert_eq!((code, message.as_str()), (31254, "Invalid $project :: caused by :: Cannot do exclusion on field b in inclusion projection"));
        assert_eq!(error(bson!([{ "$project": {} }])).2, "Invalid $project :: caused by :: projection specification must have at least one field");
        let (code, _, message) = error(bson!([{ "$set": { "a": { "$bogus": 1 } } }]));
        assert_eq!(
            (code, message.as_str()),
            (
                168,
                "Invalid $set :: caused by :: Unrecognized expression '$bogus'"
            )
        );
        assert_eq!(error(bson!([{ "$unset": ["a", "a.b"] }])).0, 31249);
    }
}
