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

/// An update of `shop.orders` without its images: a test adds the documents it wants.
pub fn bare_update() -> RawDocumentBuf {
    event("update", rawdoc! { "_data": "82DEEP" })
}

/// An update of `shop.orders` whose pre- and post-image are `depth` levels deep, `x` changed
/// from 1 to 2 at the bottom.
pub fn update(depth: usize) -> RawDocumentBuf {
    let mut event = bare_update();
    event.append("fullDocumentBeforeChange", nested(depth));
    event.append("fullDocument", around(depth, &rawdoc! { "x": 2 }));
    event
}

/// An insert whose resume token (`_id`) is `depth` levels deep.
pub fn token(depth: usize) -> RawDocumentBuf {
    event("insert", nested(depth))
}

/// An insert whose resume token (`_id`) nests `scopes` code-with-scope values in one another,
/// a DBPointer at the bottom: the BSON levels Extended JSON writes deepest (two objects for
/// each scope, three for the pointer). Built with the bson crate, for depths it converts.
pub fn code_scopes(scopes: usize) -> RawDocumentBuf {
    // `{ p: DBPointer("shop.orders", ObjectId(0…)) }`, which the bson crate cannot build: the
    // length, the element (type 0x0C, key, namespace as a string, 12 bytes of id), the end.
    let mut bytes = 36_i32.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[0x0C, b'p', 0]);
    bytes.extend_from_slice(&12_i32.to_le_bytes());
    bytes.extend_from_slice(b"shop.orders\0");
    bytes.extend_from_slice(&[0; 13]);
    let pointer = RawDocumentBuf::from_bytes(bytes).expect("well framed");
    let mut token = bson::Document::try_from(pointer.as_ref()).expect("a DBPointer");
    for _ in 0..scopes {
        let code = bson::JavaScriptCodeWithScope {
            code: "f".into(),
            scope: token,
        };
        token = bson::doc! { "c": code };
    }
    event(
        "insert",
        RawDocumentBuf::from_document(&token).expect("converts"),
    )
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
