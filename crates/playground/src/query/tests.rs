use super::*;
use bson::{bson, doc, Regex as BsonRegex};

pub(super) fn matches(filter: Document, doc: Document) -> bool {
    Filter::parse(&filter).unwrap().matches(&doc)
}

pub(super) fn error(filter: Document) -> (i32, String) {
    let e = Filter::parse(&filter).unwrap_err();
    (e.code, e.message)
}

fn regex(pattern: &str, options: &str) -> Bson {
    Bson::RegularExpression(BsonRegex {
        pattern: pattern.into(),
        options: options.into(),
    })
}

#[test]
fn equality_and_arrays() {
    assert!(matches(doc! { "a": 1 }, doc! { "a": 1.0 }));
    assert!(!matches(doc! { "a": 1 }, doc! { "a": "1" }));
    assert!(matches(doc! { "a": 2 }, doc! { "a": [1, 2] }));
    assert!(matches(doc! { "a": [1, 2] }, doc! { "a": [1, 2] }));
    assert!(matches(doc! { "a": [1, 2] }, doc! { "a": [[1, 2], 3] }));
    assert!(!matches(doc! { "a": [2, 1] }, doc! { "a": [1, 2] }));
    assert!(matches(doc! { "a": { "b": 1 } }, doc! { "a": { "b": 1 } }));
    assert!(!matches(
        doc! { "a": { "b": 1 } },
        doc! { "a": { "b": 1, "c": 2 } }
    ));
    assert!(matches(doc! {}, doc! { "x": 1 }));
    assert!(matches(doc! { "a": 1, "b": 2 }, doc! { "a": 1, "b": 2 }));
    assert!(!matches(doc! { "a": 1, "b": 3 }, doc! { "a": 1, "b": 2 }));
}

#[test]
fn null_matches_missing() {
    assert!(matches(doc! { "a": null }, doc! {}));
    assert!(matches(doc! { "a": null }, doc! { "a": null }));
    assert!(!matches(doc! { "a": null }, doc! { "a": 0 }));
    assert!(!matches(doc! { "a": null }, doc! { "a": [] }));
    assert!(matches(doc! { "a": { "$ne": null } }, doc! { "a": 0 }));
    assert!(!matches(doc! { "a": { "$ne": null } }, doc! {}));
    assert!(matches(doc! { "a": { "$in": [null, 5] } }, doc! {}));
    assert!(matches(doc! { "a": { "$gte": null } }, doc! {}));
    assert!(!matches(doc! { "a": { "$gt": null } }, doc! {}));
    // The cases of MongoDB's jstests/core/null2.js.
    for (doc, expected) in [
        (doc! { "a": [{ "b": 5 }] }, false),
        (doc! { "a": [{}] }, true),
        (doc! { "a": [] }, false),
        (doc! { "a": [{}, { "b": 5 }] }, true),
        (doc! { "a": [5, { "b": 5 }] }, false),
    ] {
        assert_eq!(
            matches(doc! { "a.b": null }, doc.clone()),
            expected,
            "{doc}"
        );
        assert_eq!(
            matches(doc! { "a.b": { "$in": [null] } }, doc.clone()),
            expected,
            "{doc}"
        );
    }
    assert!(matches(doc! { "a.b": null }, doc! { "a": 5 }));
}

#[test]
fn dotted_paths_fan_out_and_index() {
    let d = doc! { "items": [{ "sku": "a", "qty": 1 }, { "sku": "b", "qty": 5 }], "m": { "n": { "o": 3 } } };
    assert!(matches(doc! { "items.sku": "b" }, d.clone()));
    assert!(!matches(doc! { "items.sku": "c" }, d.clone()));
    assert!(matches(doc! { "items.qty": { "$gt": 4 } }, d.clone()));
    assert!(matches(doc! { "items.1.sku": "b" }, d.clone()));
    assert!(!matches(doc! { "items.0.sku": "b" }, d.clone()));
    assert!(matches(doc! { "m.n.o": 3 }, d.clone()));
    assert!(matches(doc! { "a.1": 5 }, doc! { "a": [4, 5] }));
    assert!(matches(doc! { "a.0": 7 }, doc! { "a": { "0": 7 } }));
    assert!(matches(
        doc! { "a.b.c": 1 },
        doc! { "a": [{ "b": [{ "c": 0 }, { "c": 1 }] }] }
    ));
    assert!(!matches(doc! { "a.b": 1 }, doc! { "a": [[{ "b": 1 }]] }));
    assert!(matches(
        doc! { "a.5": { "$exists": false } },
        doc! { "a": [1] }
    ));
}

#[test]
fn comparisons_are_type_bracketed() {
    assert!(matches(doc! { "a": { "$gt": 5 } }, doc! { "a": 6 }));
    assert!(!matches(doc! { "a": { "$gt": 5 } }, doc! { "a": "abc" }));
    assert!(matches(
        doc! { "a": { "$gt": 5, "$lt": 10 } },
        doc! { "a": [1, 20] }
    ));
    assert!(matches(doc! { "a": { "$lte": "b" } }, doc! { "a": "a" }));
    assert!(matches(doc! { "a": { "$lt": 3 } }, doc! { "a": [5, 2] }));
    assert!(!matches(doc! { "a": { "$lt": 3 } }, doc! { "a": [] }));
}

#[test]
fn in_nin_ne() {
    assert!(matches(doc! { "a": { "$in": [1, 2] } }, doc! { "a": 2 }));
    assert!(matches(
        doc! { "a": { "$in": [1, 2] } },
        doc! { "a": [3, 2] }
    ));
    assert!(matches(
        doc! { "a": { "$in": [regex("^x", "")] } },
        doc! { "a": "xyz" }
    ));
    assert!(!matches(
        doc! { "a": { "$nin": [1, 2] } },
        doc! { "a": [3, 2] }
    ));
    assert!(matches(doc! { "a": { "$nin": [1, 2] } }, doc! {}));
    assert!(matches(doc! { "a": { "$ne": 1 } }, doc! { "a": [2, 3] }));
    assert!(!matches(doc! { "a": { "$ne": 1 } }, doc! { "a": [1, 3] }));
    assert_eq!(
        error(doc! { "a": { "$in": 1 } }),
        (2, "$in needs an array".into())
    );
    assert_eq!(
        error(doc! { "a": { "$nin": {} } }),
        (2, "$nin needs an array".into())
    );
    assert_eq!(error(doc! { "a": { "$in": [{ "$gt": 1 }] } }).0, 2);
}

#[test]
fn exists() {
    assert!(matches(
        doc! { "a": { "$exists": true } },
        doc! { "a": null }
    ));
    assert!(!matches(doc! { "a": { "$exists": 1 } }, doc! {}));
    assert!(matches(doc! { "a": { "$exists": false } }, doc! { "b": 1 }));
    assert!(matches(
        doc! { "a.b": { "$exists": false } },
        doc! { "a": [1, 2] }
    ));
    assert!(!matches(
        doc! { "a.b": { "$exists": false } },
        doc! { "a": [{ "b": 1 }, {}] }
    ));
}

#[test]
fn logical_operators() {
    let d = doc! { "a": 1, "b": 2 };
    assert!(matches(
        doc! { "$and": [{ "a": 1 }, { "b": 2 }] },
        d.clone()
    ));
    assert!(matches(doc! { "$or": [{ "a": 5 }, { "b": 2 }] }, d.clone()));
    assert!(!matches(
        doc! { "$nor": [{ "a": 5 }, { "b": 2 }] },
        d.clone()
    ));
    assert!(matches(doc! { "$nor": [{ "a": 5 }] }, d.clone()));
    assert!(matches(doc! { "a": { "$not": { "$gt": 5 } } }, d.clone()));
    assert!(matches(doc! { "z": { "$not": { "$gt": 5 } } }, d.clone()));
    assert!(!matches(
        doc! { "s": { "$not": regex("^a", "") } },
        doc! { "s": "abc" }
    ));
    assert!(matches(doc! { "$comment": "why", "a": 1 }, d.clone()));
    for bad in [doc! { "$and": [] }, doc! { "$or": 1 }, doc! { "$nor": {} }] {
        assert_eq!(
            error(bad),
            (2, "$and/$or/$nor must be a nonempty array".into())
        );
    }
    assert_eq!(
        error(doc! { "$or": [1] }),
        (2, "$or/$and/$nor entries need to be full objects".into())
    );
    assert_eq!(
        error(doc! { "a": { "$not": 5 } }),
        (2, "$not needs a regex or a document".into())
    );
    assert_eq!(error(doc! { "a": { "$not": {} } }).0, 2);
    assert_eq!(
        error(doc! { "a": { "$not": { "b": 1 } } }),
        (2, "unknown operator: b".into())
    );
}

#[test]
fn elem_match_all_size_type_mod() {
    let d = doc! { "scores": [3, 8], "items": [{ "sku": "a", "qty": 1 }, { "sku": "b", "qty": 5 }], "t": [1, "x"] };
    assert!(matches(
        doc! { "scores": { "$elemMatch": { "$gte": 6, "$lt": 9 } } },
        d.clone()
    ));
    assert!(!matches(
        doc! { "scores": { "$elemMatch": { "$gt": 3, "$lt": 8 } } },
        d.clone()
    ));
    assert!(matches(
        doc! { "items": { "$elemMatch": { "sku": "b", "qty": { "$gt": 2 } } } },
        d.clone()
    ));
    assert!(!matches(
        doc! { "items": { "$elemMatch": { "sku": "a", "qty": { "$gt": 2 } } } },
        d.clone()
    ));
    assert!(matches(
        doc! { "items": { "$elemMatch": { "$or": [{ "qty": 5 }, { "qty": 9 }] } } },
        d.clone()
    ));
    assert!(!matches(doc! { "scores": { "$elemMatch": {} } }, d.clone()));
    assert!(matches(doc! { "scores": { "$all": [8, 3] } }, d.clone()));
    assert!(!matches(doc! { "scores": { "$all": [8, 4] } }, d.clone()));
    assert!(!matches(doc! { "scores": { "$all": [] } }, d.clone()));
    assert!(matches(
        doc! { "items": { "$all": [{ "$elemMatch": { "qty": 1 } }, { "$elemMatch": { "qty": 5 } }] } },
        d.clone()
    ));
    assert!(matches(doc! { "scores": { "$size": 2 } }, d.clone()));
    assert!(!matches(doc! { "items.sku": { "$size": 2 } }, d.clone()));
    assert!(matches(doc! { "t": { "$type": "string" } }, d.clone()));
    assert!(matches(doc! { "t": { "$type": "array" } }, d.clone()));
    assert!(matches(doc! { "scores": { "$type": "number" } }, d.clone()));
    assert!(matches(doc! { "scores": { "$mod": [4, 0] } }, d.clone()));
    assert_eq!(
        error(doc! { "a": { "$elemMatch": 1 } }),
        (2, "$elemMatch needs an Object".into())
    );
    assert_eq!(
        error(doc! { "a": { "$all": 1 } }),
        (2, "$all needs an array".into())
    );
    assert_eq!(
        error(doc! { "a": { "$all": [{ "$elemMatch": {} }, 1] } }).0,
        2
    );
    assert_eq!(error(doc! { "a": { "$all": [{ "$gt": 1 }] } }).0, 2);
}

#[test]
fn expr_clause() {
    assert!(matches(
        doc! { "$expr": { "$gt": ["$a", "$b"] } },
        doc! { "a": 3, "b": 2 }
    ));
    assert!(!matches(
        doc! { "$expr": { "$gt": ["$a", "$b"] } },
        doc! { "a": 1, "b": 2 }
    ));
    assert!(!matches(
        doc! { "$expr": { "$add": ["$a", "x"] } },
        doc! { "a": 1 }
    ));
    assert_eq!(error(doc! { "$expr": { "$bogus": 1 } }).0, 168);
}

#[test]
fn unknown_operators() {
    assert_eq!(
        error(doc! { "a": { "$foo": 1 } }),
        (2, "unknown operator: $foo".into())
    );
    let (code, message) = error(doc! { "$foo": 1 });
    assert_eq!(code, 2);
    assert!(
        message.starts_with("unknown top level operator: $foo"),
        "{message}"
    );
    assert_eq!(error(doc! { "a": { "$near": [0, 0] } }).0, 2);
    assert_eq!(error(doc! { "$where": "true" }).0, 2);
    // A DBRef is a value, not an operator document.
    assert!(matches(
        doc! { "r": { "$ref": "c", "$id": 1 } },
        doc! { "r": { "$ref": "c", "$id": 1 } }
    ));
}

#[test]
fn element_filters_for_pull_and_elem_match() {
    let ops = ElementFilter::parse(&bson!({ "$gte": 6 })).unwrap();
    assert!(ops.matches(&Bson::Int32(7)) && !ops.matches(&Bson::Int32(5)));
    assert!(!ops.matches(&bson!([7])));
    let query = ElementFilter::parse(&bson!({ "sku": "a" })).unwrap();
    assert!(query.matches(&bson!({ "sku": "a", "qty": 2 })));
    assert!(!query.matches(&Bson::from("a")));
    let equal = ElementFilter::parse(&bson!([1, 2])).unwrap();
    assert!(equal.matches(&bson!([1, 2])) && !equal.matches(&Bson::Int32(1)));
    assert!(ElementFilter::parse(&regex("^a", ""))
        .unwrap()
        .matches(&Bson::from("abc")));
    assert!(ElementFilter::parse(&bson!({ "$in": [1, 2] }))
        .unwrap()
        .matches(&Bson::Int32(2)));
    assert_eq!(
        ElementFilter::parse(&bson!({ "$foo": 1 }))
            .unwrap_err()
            .code,
        2
    );
}
