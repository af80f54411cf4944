//! Projection tests: find projections, `$project`, `$addFields`, and their errors.

use super::*;
use bson::{bson, doc};

fn project(spec: Document, doc: Document) -> Document {
    Projection::parse(&spec, true).unwrap().apply(&doc).unwrap()
}

fn find_project(spec: Document, doc: Document) -> Document {
    Projection::parse(&spec, false)
        .unwrap()
        .apply(&doc)
        .unwrap()
}

fn error(spec: Document) -> (i32, &'static str, String) {
    let e = Projection::parse(&spec, true).unwrap_err();
    (e.code, e.code_name, e.message)
}

#[test]
fn inclusion_keeps_document_order_and_id() {
    let d = doc! { "_id": 1, "a": 1, "b": 2, "c": 3 };
    assert_eq!(
        project(doc! { "c": 1, "a": true }, d.clone()),
        doc! { "_id": 1, "a": 1, "c": 3 }
    );
    assert_eq!(
        project(doc! { "c": 1, "_id": 0 }, d.clone()),
        doc! { "c": 3 }
    );
    assert_eq!(project(doc! { "_id": 1 }, d.clone()), doc! { "_id": 1 });
    assert_eq!(
        project(doc! { "a": 2.5, "missing": 1 }, d.clone()),
        doc! { "_id": 1, "a": 1 }
    );
}

#[test]
fn exclusion() {
    let d = doc! { "_id": 1, "a": 1, "b": 2 };
    assert_eq!(
        project(doc! { "a": 0 }, d.clone()),
        doc! { "_id": 1, "b": 2 }
    );
    assert_eq!(
        project(doc! { "_id": 0 }, d.clone()),
        doc! { "a": 1, "b": 2 }
    );
    assert_eq!(
        project(doc! { "a": false, "_id": 1 }, d.clone()),
        doc! { "_id": 1, "b": 2 }
    );
}

#[test]
fn dotted_and_nested_specs_are_the_same() {
    let d = doc! { "_id": 1, "a": { "b": 1, "c": 2 }, "x": 5 };
    let expected = doc! { "_id": 1, "a": { "b": 1 } };
    assert_eq!(project(doc! { "a.b": 1 }, d.clone()), expected);
    assert_eq!(project(doc! { "a": { "b": 1 } }, d.clone()), expected);
    assert_eq!(
        project(doc! { "a.c": 0 }, d.clone()),
        doc! { "_id": 1, "a": { "b": 1 }, "x": 5 }
    );
    // A sub-document without the field stays, empty; a scalar is dropped.
    assert_eq!(
        project(doc! { "a.z": 1 }, d.clone()),
        doc! { "_id": 1, "a": {} }
    );
    assert_eq!(project(doc! { "x.y": 1 }, d.clone()), doc! { "_id": 1 });
}

#[test]
fn projections_reach_through_arrays() {
    let d = doc! { "_id": 1, "a": [{ "b": 1, "c": 2 }, 7, [{ "b": 3, "c": 4 }]] };
    assert_eq!(
        project(doc! { "a.b": 1 }, d.clone()),
        doc! { "_id": 1, "a": [{ "b": 1 }, [{ "b": 3 }]] }
    );
    assert_eq!(
        project(doc! { "a.c": 0 }, d.clone()),
        doc! { "_id": 1, "a": [{ "b": 1 }, 7, [{ "b": 3 }]] }
    );
    // find does not reach into arrays nested in arrays.
    assert_eq!(
        find_project(doc! { "a.b": 1 }, d.clone()),
        doc! { "_id": 1, "a": [{ "b": 1 }] }
    );
    assert_eq!(
        find_project(doc! { "a.c": 0 }, d.clone()),
        doc! { "_id": 1, "a": [{ "b": 1 }, 7, [{ "b": 3, "c": 4 }]] }
    );
}

#[test]
fn computed_fields_come_after_included_ones() {
    let d = doc! { "_id": 1, "ns": { "db": "test", "coll": "c" }, "x": 1 };
    let spec = doc! { "db": "$ns.db", "x": 1, "label": "literal", "lit": { "$literal": 1 }, "sum": { "$add": ["$x", 1] } };
    assert_eq!(
        project(spec, d.clone()),
        doc! { "_id": 1, "x": 1, "db": "test", "label": "literal", "lit": 1, "sum": 2 }
    );
    assert_eq!(
        project(doc! { "gone": "$nope", "_id": 0 }, d.clone()),
        doc! {}
    );
    assert_eq!(
        project(doc! { "ns.kind": "c", "ns.db": 1 }, d.clone()),
        doc! { "_id": 1, "ns": { "db": "test", "kind": "c" } }
    );
    assert_eq!(
        project(doc! { "x.y": { "$literal": 2 } }, d.clone()),
        doc! { "_id": 1, "x": { "y": 2 } }
    );
    assert_eq!(
        project(doc! { "arr": ["$x", 2] }, d),
        doc! { "_id": 1, "arr": [1, 2] }
    );
}

#[test]
fn mixing_and_collisions_are_errors() {
    assert_eq!(
        error(doc! { "a": 1, "b": 0 }),
        (
            31254,
            "Location31254",
            "Cannot do exclusion on field b in inclusion projection".into()
        )
    );
    assert_eq!(
        error(doc! { "a": 0, "b": 1 }),
        (
            31253,
            "Location31253",
            "Cannot do inclusion on field b in exclusion projection".into()
        )
    );
    assert_eq!(error(doc! { "a": 0, "b": "$x" }).0, 31252);
    assert_eq!(
        error(doc! { "a": 1, "a.b": 1 }),
        (
            31249,
            "Location31249",
            "Path collision at a.b remaining portion b".into()
        )
    );
    assert_eq!(
        error(doc! { "a.b": 1, "a": 1 }),
        (31250, "Location31250", "Path collision at a".into())
    );
    assert_eq!(error(doc! { "a": {} }).0, 51270);
    assert_eq!(
        error(doc! {}),
        (
            51272,
            "Location51272",
            "projection specification must have at least one field".into()
        )
    );
    assert_eq!(error(doc! { "$a": 1 }).0, 16410);
    assert_eq!(error(doc! { "a..b": 1 }).0, 15998);
    assert_eq!(error(doc! { "": 1 }).0, 40352);
    assert_eq!(error(doc! { "a": { "$bogus": 1 } }).0, 168);
    assert_eq!(
        Projection::parse(&doc! { "a": "$b" }, false)
            .unwrap_err()
            .code,
        2
    );
}

#[test]
fn empty_find_projection_is_the_identity() {
    let d = doc! { "_id": 1, "a": [1] };
    assert_eq!(find_project(doc! {}, d.clone()), d);
}

#[test]
fn add_fields() {
    let apply =
        |spec: Document, d: Document| Projection::add_fields(&spec).unwrap().apply(&d).unwrap();
    let d = doc! { "_id": 1, "a": { "c": 2 }, "n": 5, "arr": [{ "x": 1 }, 3] };
    assert_eq!(
        apply(doc! { "n": 6, "z": true }, d.clone()),
        doc! { "_id": 1, "a": { "c": 2 }, "n": 6, "arr": [{ "x": 1 }, 3], "z": true }
    );
    // A nested document adds inside the existing one; $literal replaces.
    assert_eq!(
        apply(doc! { "a": { "b": 1 } }, d.clone()).get("a"),
        Some(&bson!({ "c": 2, "b": 1 }))
    );
    assert_eq!(
        apply(doc! { "a": { "$literal": { "b": 1 } } }, d.clone()).get("a"),
        Some(&bson!({ "b": 1 }))
    );
    assert_eq!(
        apply(doc! { "arr.y": "$n" }, d.clone()).get("arr"),
        Some(&bson!([{ "x": 1, "y": 5 }, { "y": 5 }]))
    );
    assert_eq!(
        apply(doc! { "n.m": 1 }, d.clone()).get("n"),
        Some(&bson!({ "m": 1 }))
    );
    assert_eq!(apply(doc! { "n": "$$REMOVE" }, d.clone()).get("n"), None);
    assert_eq!(
        apply(doc! { "e": {} }, d.clone()).get("e"),
        Some(&bson!({}))
    );
    assert_eq!(
        Projection::add_fields(&doc! { "a": 1, "a.b": 2 })
            .unwrap_err()
            .code,
        31249
    );
}
