//! The fixture's world: its clock, its deployment (given with a password) and the demo
//! shop's events it serves.

use bson::{doc, oid::ObjectId, DateTime, Document, Timestamp};
use mwatch::event::ChangeEvent;
use mwatch::redact::RedactedUri;
use mwatch::source::connect::Deployment;

/// 2025-11-24T16:00:00Z: every time in the fixture is relative to it.
pub const NOW: i64 = 1_764_000_000_000;

/// A minute before [`NOW`]: when the first watch of [`live`] states starts.
pub const START: i64 = NOW - 60_000;

/// The terminal size of the states that do not take one.
pub const SIZE: (u16, u16) = (120, 35);

/// The fixture's password: its deployment is given with it, as a user types the URI, so every
/// screen shows the mask the code makes.
pub const PASSWORD: &str = "s3cr3t-pw";

/// The URI the fixture's deployment was given, password and all.
pub const URI: &str = "mongodb://ann:s3cr3t-pw@127.0.0.1:27017/?replicaSet=rs0";

pub fn deployment() -> Deployment {
    Deployment {
        uri: RedactedUri::new(URI),
        version: Some("7.0.14".to_string()),
        set_name: Some("rs0".to_string()),
        mongos: false,
    }
}

fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes([0x65, 0x5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, n])
}

/// An event of the demo shop, `n` seconds after [`START`].
fn event(n: u32, op: &str, coll: &str, extra: Document) -> ChangeEvent {
    let seconds = (START / 1000) as u32 + n;
    let mut event = doc! {
        "_id": { "_data": format!("82{seconds:08X}{n:08X}2B0229296E04") },
        "operationType": op,
        "clusterTime": Timestamp { time: seconds, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(seconds) * 1000 + 250),
        "ns": { "db": "shop", "coll": coll },
    };
    event.extend(extra);
    ChangeEvent::from_document(&event).unwrap()
}

fn order(n: u8, status: &str, items: Vec<Document>) -> Document {
    doc! { "_id": oid(n), "orderNo": i64::from(n) + 1000, "customer": "ann", "status": status, "items": items, "total": 42.5 }
}

/// A mix of what the demo produces: inserts, updates with and without images, a replace, a
/// delete, an index build and a rename.
pub fn events() -> Vec<ChangeEvent> {
    let pen = doc! { "sku": "pen", "qty": 2 };
    let ink = doc! { "sku": "ink", "qty": 1 };
    vec![
        event(
            1,
            "insert",
            "orders",
            doc! {
                "fullDocument": order(1, "new", vec![pen.clone()]),
                "documentKey": { "_id": oid(1) },
            },
        ),
        event(
            2,
            "update",
            "orders",
            doc! {
                "documentKey": { "_id": oid(1) },
                "updateDescription": { "updatedFields": { "status": "paid", "items.1": ink.clone() }, "removedFields": [], "truncatedArrays": [] },
                "fullDocument": order(1, "paid", vec![pen.clone(), ink.clone()]),
                "fullDocumentBeforeChange": order(1, "new", vec![pen.clone()]),
            },
        ),
        event(
            3,
            "update",
            "customers",
            doc! {
                "documentKey": { "_id": 7 },
                "updateDescription": { "updatedFields": { "lastSeen": DateTime::from_millis(NOW - 57_000) }, "removedFields": ["promo"], "truncatedArrays": [] },
            },
        ),
        event(
            4,
            "replace",
            "inventory",
            doc! {
                "documentKey": { "_id": "lamp" },
                "fullDocument": { "_id": "lamp", "stock": 12, "price": 172.5 },
            },
        ),
        event(
            5,
            "delete",
            "orders",
            doc! { "documentKey": { "_id": oid(2) } },
        ),
        event(
            6,
            "createIndexes",
            "orders",
            doc! {
                "operationDescription": { "indexes": [ { "v": 2, "key": { "status": 1 }, "name": "status_1" } ] },
            },
        ),
        event(
            7,
            "rename",
            "scratch",
            doc! { "to": { "db": "shop", "coll": "scratch_old" } },
        ),
        event(
            8,
            "insert",
            "orders",
            doc! {
                "fullDocument": order(3, "new", vec![ink]),
                "documentKey": { "_id": oid(3) },
            },
        ),
    ]
}

/// Events after [`events`], in the seconds after [`NOW`]: order 3 paid, a customer seen, a
/// new order.
pub fn later_events() -> Vec<ChangeEvent> {
    let ink = doc! { "sku": "ink", "qty": 1 };
    vec![
        event(
            61,
            "update",
            "orders",
            doc! {
                "documentKey": { "_id": oid(3) },
                "updateDescription": { "updatedFields": { "status": "paid" }, "removedFields": [], "truncatedArrays": [] },
                "fullDocument": order(3, "paid", vec![ink.clone()]),
                "fullDocumentBeforeChange": order(3, "new", vec![ink.clone()]),
            },
        ),
        event(
            62,
            "update",
            "customers",
            doc! {
                "documentKey": { "_id": 7 },
                "updateDescription": { "updatedFields": { "lastSeen": DateTime::from_millis(NOW + 2_000) }, "removedFields": [], "truncatedArrays": [] },
            },
        ),
        event(
            63,
            "insert",
            "orders",
            doc! {
                "fullDocument": order(4, "new", vec![ink]),
                "documentKey": { "_id": oid(4) },
            },
        ),
    ]
}
