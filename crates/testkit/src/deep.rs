//! Documents nested any depth, as a hostile server or file could send them. Built as raw
//! bytes without recursing (the bson crate's own builders recurse), so a test can make one
//! 100,000 levels deep and check that nothing walks it with the stack.

use bson::{rawdoc, RawDocument, RawDocumentBuf};

/// `{ d: { d: … { x: 1 } } }`, `depth` levels in all (the outermost counting as one).
pub fn nested(depth: usize) -> RawDocumentBuf {
    around(depth, &rawdoc! { "x": 1 })
}

/// `{ d: { d: … inner } }`, `depth` levels in all, `inner` the innermost.
pub fn around(depth: usize, inner: &RawDocument) -> RawDocumentBuf {
    let inner = inner.as_bytes();
    let wrappers = depth.saturating_sub(1);
    // Each wrapping level is its length (4 bytes), the element's type and key "d" (3) before
    // the inner document, and the terminating zero after it.
    let mut bytes = Vec::with_capacity(inner.len() + 8 * wrappers);
    for level in 0..wrappers {
        let len = inner.len() + 8 * (wrappers - level);
        let len = i32::try_from(len).expect("a nested document under 2 GB");
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&[0x03, b'd', 0]);
    }
    bytes.extend_from_slice(inner);
    bytes.resize(bytes.len() + wrappers, 0);
    RawDocumentBuf::from_bytes(bytes).expect("well framed")
}

/// A change event (an insert into `shop.orders`) whose `fullDocument` is [`nested`] `depth`
/// levels deep.
pub fn insert(depth: usize) -> RawDocumentBuf {
    let mut event = event("insert", rawdoc! { "_data": "82DEEP" });
    event.append("fullDocument", nested(depth));
    event
}

/// An update of `shop.orders` whose pre- and post-image are `depth` levels deep, `x` changed
/// from 1 to 2 at the bottom.
pub fn update(depth: usize) -> RawDocumentBuf {
    let mut event = event("update", rawdoc! { "_data": "82DEEP" });
    event.append("fullDocumentBeforeChange", nested(depth));
    event.append("fullDocument", around(depth, &rawdoc! { "x": 2 }));
    event
}

/// An insert whose resume token (`_id`) is `depth` levels deep.
pub fn token(depth: usize) -> RawDocumentBuf {
    event("insert", nested(depth))
}

fn event(op: &str, id: RawDocumentBuf) -> RawDocumentBuf {
    let mut event = rawdoc! { "_id": id };
    event.append("operationType", op);
    event.append(
        "clusterTime",
        bson::Timestamp {
            time: 1_764_000_001,
            increment: 1,
        },
    );
    event.append("wallTime", bson::DateTime::from_millis(1_764_000_001_000));
    event.append("ns", rawdoc! { "db": "shop", "coll": "orders" });
    event.append("documentKey", rawdoc! { "_id": 1 });
    event
}
