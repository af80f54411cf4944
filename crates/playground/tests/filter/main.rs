//! The public `Filter` on change events, as mwatch previews a `$match` on events it holds:
//! documents shaped like MongoDB's events, raw BSON, the errors a refused filter carries, and
//! agreement with a change stream's own `$match`.

use mwatch_testkit as common;

use bson::{doc, oid::ObjectId, DateTime, Document, RawDocument, RawDocumentBuf, Timestamp};
use common::streams::next_events;
use mwatch_playground::{Filter, FilterError};

/// The head every change event starts with, then `rest`.
fn event(op: &str, rest: Document) -> Document {
    let mut event = doc! {
        "_id": { "_data": "8265A1B2C3000000012B042C0100296E5A1004" },
        "operationType": op,
        "clusterTime": Timestamp { time: 1_705_000_000, increment: 1 },
        "wallTime": DateTime::from_millis(1_705_000_000_000),
    };
    event.extend(rest);
    event
}

fn insert_event() -> Document {
    let id = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
    event(
        "insert",
        doc! {
            "fullDocument": {
                "_id": id,
                "status": "new",
                "total": 42.5,
                "items": [{ "sku": "pen-blue", "qty": 2 }, { "sku": "mug", "qty": 1 }],
            },
            "ns": { "db": "shop", "coll": "orders" },
            "documentKey": { "_id": id },
        },
    )
}

fn update_event() -> Document {
    event(
        "update",
        doc! {
            "ns": { "db": "shop", "coll": "orders" },
            "documentKey": { "_id": 7 },
            "updateDescription": {
                "updatedFields": { "status": "paid" },
                "removedFields": ["coupon"],
                "truncatedArrays": [],
            },
        },
    )
}

fn matches(filter: Document, event: &Document) -> bool {
    Filter::parse(&filter).unwrap().matches(event)
}

#[test]
fn filters_select_events_by_their_fields() {
    let (insert, update) = (insert_event(), update_event());
    let writes = doc! { "operationType": { "$in": ["insert", "update", "replace"] } };
    assert!(matches(writes.clone(), &insert) && matches(writes, &update));
    assert!(matches(
        doc! { "ns": { "db": "shop", "coll": "orders" } },
        &insert
    ));
    assert!(!matches(
        doc! { "ns": { "coll": "orders", "db": "shop" } },
        &insert
    ));
    assert!(matches(doc! { "fullDocument.items.sku": "mug" }, &insert));
    assert!(matches(
        doc! { "fullDocument.items": { "$elemMatch": { "sku": "pen-blue", "qty": { "$gte": 2 } } } },
        &insert
    ));
    assert!(matches(
        doc! { "fullDocument.total": { "$gt": 40 } },
        &insert
    ));
    // An update event has no full document unless asked for: a missing field equals null.
    assert!(matches(doc! { "fullDocument": null }, &update));
    assert!(matches(
        doc! { "updateDescription.updatedFields.status": "paid", "updateDescription.removedFields": "coupon" },
        &update
    ));
    assert!(!matches(
        doc! { "updateDescription.updatedFields.status": { "$exists": true } },
        &insert
    ));
    assert!(matches(
        doc! { "$or": [{ "ns.coll": { "$regex": "^ord" } }, { "operationType": "drop" }], "clusterTime": { "$type": "timestamp" } },
        &update
    ));
    assert!(matches(
        doc! { "$expr": { "$gt": [{ "$size": "$fullDocument.items" }, 1] } },
        &insert
    ));
    assert!(!matches(
        doc! { "$expr": { "$gt": [{ "$size": "$fullDocument.items" }, 1] } },
        &update
    ));
}

#[test]
fn raw_events_match_as_documents_do_and_unreadable_bytes_match_nothing() {
    let filter = Filter::parse(&doc! { "fullDocument.status": "new" }).unwrap();
    for event in [insert_event(), update_event()] {
        let raw = RawDocumentBuf::from_document(&event).unwrap();
        assert_eq!(filter.matches_raw(&raw), filter.matches(&event), "{event}");
    }
    // A string element whose length runs past the end of the document.
    let bytes = [12, 0, 0, 0, 2, b'a', 0, 0xff, 0xff, 0xff, 0x7f, 0];
    let unreadable = RawDocument::from_bytes(&bytes).unwrap();
    assert!(!Filter::parse(&doc! {}).unwrap().matches_raw(unreadable));
}

fn error(filter: Document) -> FilterError {
    Filter::parse(&filter).unwrap_err()
}

#[test]
fn refused_filters_carry_mongodb_codes_and_messages() {
    let e = error(doc! { "fullDocument.qty": { "$foo": 1 } });
    assert_eq!(
        (e.code, e.code_name, e.message.as_str()),
        (2, "BadValue", "unknown operator: $foo")
    );
    assert_eq!(e.to_string(), "BadValue (2): unknown operator: $foo");
    let source: &dyn std::error::Error = &e;
    assert!(source.source().is_none());

    assert_eq!(
        error(doc! { "$where": "this.qty > 1" }).message,
        "$where is not supported"
    );
    assert_eq!(
        error(doc! { "ns.coll": { "$in": "orders" } }).message,
        "$in needs an array"
    );
    let e = error(doc! { "$expr": { "$bogus": ["$a"] } });
    assert_eq!((e.code, e.code_name), (168, "InvalidPipelineOperator"));
    let e = error(doc! { "$expr": { "$lt": ["$wallTime", "$$NOW"] } });
    assert_eq!(
        (e.code, e.message.as_str()),
        (17276, "Use of undefined variable: NOW")
    );
    assert_eq!(error(doc! { "ns.coll": { "$regex": "(" } }).code, 51091);
}

/// What a change stream's `$match` lets through, `Filter` picks out of the unfiltered stream.
#[tokio::test]
async fn a_filter_agrees_with_a_change_streams_match() {
    let (_server, client) = common::setup().await;
    let coll = client.database("shop").collection::<Document>("orders");
    let filter = doc! { "$or": [
        { "operationType": "delete" },
        { "fullDocument.qty": { "$gte": 3 } },
        { "updateDescription.updatedFields.status": { "$exists": true } },
    ] };
    let watch = |pipeline: Vec<Document>| {
        let coll = coll.clone();
        async move {
            coll.watch()
                .pipeline(pipeline)
                .await
                .unwrap()
                .with_type::<Document>()
        }
    };
    let mut all = watch(vec![]).await;
    let mut matched = watch(vec![doc! { "$match": filter.clone() }]).await;

    for qty in 1..=4 {
        coll.insert_one(doc! { "_id": qty, "qty": qty })
            .await
            .unwrap();
    }
    coll.update_one(doc! { "_id": 1 }, doc! { "$set": { "status": "paid" } })
        .await
        .unwrap();
    coll.update_one(doc! { "_id": 2 }, doc! { "$inc": { "qty": 1 } })
        .await
        .unwrap();
    coll.delete_one(doc! { "_id": 4 }).await.unwrap();

    let events = next_events(&mut all, 7).await;
    let filter = Filter::parse(&filter).unwrap();
    let picked: Vec<Document> = events
        .into_iter()
        .filter(|e| filter.matches_raw(&RawDocumentBuf::from_document(e).unwrap()))
        .collect();
    assert_eq!(
        picked.len(),
        4,
        "inserts of 3 and 4, the status update, the delete"
    );
    assert_eq!(next_events(&mut matched, 4).await, picked);
}
