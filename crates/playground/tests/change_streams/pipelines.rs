//! The stages after `$changeStream` through the official driver: the reshaping stages, the
//! richer `$match` operators, and the error when a pipeline touches the resume token.

use mwatch_testkit as common;

use bson::{doc, Document};
use common::streams::{first_error, keys, next_events};
use mongodb::change_stream::ChangeStream;
use mongodb::Collection;

async fn watch(coll: &Collection<Document>, pipeline: Vec<Document>) -> ChangeStream<Document> {
    coll.watch()
        .pipeline(pipeline)
        .await
        .unwrap()
        .with_type::<Document>()
}

#[tokio::test]
async fn reshaping_stages_and_expressions_apply_to_each_event() {
    let (_server, client) = common::setup().await;
    let coll = client.database("p").collection::<Document>("c");
    let mut stream = watch(
        &coll,
        vec![
            doc! { "$addFields": { "where": { "$concat": ["$ns.db", ".", "$ns.coll"] } } },
            doc! { "$set": { "big": { "$gte": ["$fullDocument.qty", 10] } } },
            doc! { "$unset": ["clusterTime", "wallTime"] },
            doc! { "$redact": { "$cond": [{ "$eq": ["$secret", true] }, "$$PRUNE", "$$DESCEND"] } },
            doc! { "$project": { "operationType": 1, "where": 1, "big": 1, "qty": "$fullDocument.qty", "doc": "$fullDocument", "tag": { "$literal": "x" } } },
            doc! { "$replaceWith": { "$mergeObjects": ["$$ROOT", { "seen": true }] } },
        ],
    )
    .await;
    coll.insert_one(doc! { "_id": 1, "qty": 12, "extra": { "secret": true } })
        .await
        .unwrap();
    coll.insert_one(doc! { "_id": 2, "qty": 3 }).await.unwrap();
    let events = next_events(&mut stream, 2).await;
    let first = &events[0];
    assert_eq!(
        keys(first),
        [
            "_id",
            "operationType",
            "where",
            "big",
            "qty",
            "doc",
            "tag",
            "seen"
        ]
    );
    assert_eq!(first.get_str("where"), Ok("p.c"));
    assert_eq!(first.get_bool("big"), Ok(true));
    assert_eq!(first.get_i32("qty"), Ok(12));
    assert_eq!(first.get_str("tag"), Ok("x"));
    // $redact pruned the sub-document marked secret.
    assert_eq!(first.get_document("doc"), Ok(&doc! { "_id": 1, "qty": 12 }));
    assert_eq!(events[1].get_bool("big"), Ok(false));
}

#[tokio::test]
async fn match_operators_select_events() {
    let (_server, client) = common::setup().await;
    let coll = client.database("p").collection::<Document>("m");
    let filters = [
        doc! { "fullDocument.lines": { "$elemMatch": { "sku": "pen", "qty": { "$gt": 1 } } } },
        doc! { "fullDocument.tags": { "$all": ["a", "b"] } },
        doc! { "fullDocument.tags": { "$size": 3 } },
        doc! { "fullDocument.n": { "$type": "string" } },
        doc! { "fullDocument.k": { "$mod": [4, 1] } },
        doc! { "$expr": { "$and": [{ "$gt": ["$fullDocument.k", 2] }, { "$lt": ["$fullDocument.k", 9] }] } },
        doc! { "fullDocument.k": { "$not": { "$in": [1, 5] } }, "fullDocument.name": { "$regex": "^b", "$options": "i" } },
        doc! { "$nor": [{ "fullDocument.k": { "$exists": false } }, { "fullDocument.k": { "$lte": 5 } }] },
    ];
    let mut streams = Vec::new();
    for filter in &filters {
        streams.push(watch(&coll, vec![doc! { "$match": filter.clone() }]).await);
    }
    let docs = [
        doc! { "_id": 1, "k": 1, "name": "Ann", "tags": ["a"], "lines": [{ "sku": "pen", "qty": 1 }] },
        doc! { "_id": 2, "k": 5, "name": "bob", "tags": ["a", "b", "c"], "n": "five" },
        doc! { "_id": 3, "k": 6, "name": "Bea", "tags": ["b", "a"], "lines": [{ "sku": "ink", "qty": 5 }, { "sku": "pen", "qty": 2 }] },
        doc! { "_id": 4, "name": "cy" },
    ];
    coll.insert_many(docs).await.unwrap();
    // A marker every stream sees last, so each stream's selection is complete.
    coll.insert_one(doc! { "_id": 99, "k": 9, "name": "b", "tags": ["a", "b", "z"], "n": "x", "lines": [{ "sku": "pen", "qty": 9 }] })
        .await
        .unwrap();
    let expected: [&[i32]; 8] = [
        &[3, 99],
        &[2, 3, 99],
        &[2, 99],
        &[2, 99],
        &[1, 2, 99],
        &[2, 3],
        &[3, 99],
        &[3, 99],
    ];
    for ((stream, filter), expected) in streams.iter_mut().zip(&filters).zip(expected) {
        let ids: Vec<i32> = next_events(stream, expected.len())
            .await
            .iter()
            .map(|e| {
                e.get_document("documentKey")
                    .unwrap()
                    .get_i32("_id")
                    .unwrap()
            })
            .collect();
        assert_eq!(ids, expected, "filter {filter}");
    }
}

#[tokio::test]
async fn a_pipeline_that_removes_or_changes_the_resume_token_fails_at_iteration_with_280() {
    let (_server, client) = common::setup().await;
    let coll = client.database("p").collection::<Document>("t");
    // Opening succeeds, as with MongoDB: the error comes with the first event.
    let mut removed = watch(&coll, vec![doc! { "$project": { "_id": 0 } }]).await;
    let mut changed = watch(&coll, vec![doc! { "$set": { "_id": "mine" } }]).await;
    let mut replaced = watch(
        &coll,
        vec![doc! { "$replaceRoot": { "newRoot": "$fullDocument" } }],
    )
    .await;
    coll.insert_one(doc! { "_id": 1 }).await.unwrap();
    for stream in [&mut removed, &mut changed, &mut replaced] {
        let (code, _, labels) = common::command_error(first_error(stream).await);
        assert_eq!(code, 280);
        assert!(
            labels.contains(&"NonResumableChangeStreamError".to_string()),
            "{labels:?}"
        );
    }
}
