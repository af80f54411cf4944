//! How deep mwatch follows documents nested in one another. Events and documents come from a
//! server or a file, and a hostile one can nest them any depth: every recursive walk over
//! them (the formatter, the diff, the search) follows at most [`MAX_DEPTH`] levels from where
//! it starts, and says so where it stops. Most start at the event; the diff and the image
//! tabs start at an image, one level down, so they reach one level deeper into the event.
//! The conversions done by the bson and serde crates, which recurse without a limit, are
//! only called once [`within_limit`] has checked the bytes without recursing.

use bson::{Document, RawBsonRef, RawDocument};

/// Levels of documents and arrays, the outermost counting as one (a code-with-scope's scope
/// as two, see [`at_most`]). A real server's events hold documents of at most 100 levels
/// (MongoDB's limit for stored documents) inside the event's own few; deeper comes from a
/// hostile server or file. With the three levels scalars add, and the three a bookmark
/// store puts around a resume token, below serde_json's 128, so a recording or a store is
/// read back; and within what the crates' conversions take of a 2 MB thread's stack even
/// in a debug build (1.5 MB).
pub const MAX_DEPTH: usize = 110;

/// What a walk shows where it stops.
pub const MARKER: &str = "… nested too deeply";

/// A document nested deeper than [`MAX_DEPTH`] that was to be converted whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the event is nested deeper than {MAX_DEPTH} levels (more than MongoDB allows)")]
pub struct TooDeep;

/// Whether `doc` holds at most [`MAX_DEPTH`] levels of documents and arrays, each level
/// weighted by the objects its Extended JSON nests (see [`at_most`]). Walks the bytes with a
/// stack of its own, never deeper than the limit, so any depth is answered.
pub fn within_limit(doc: &RawDocument) -> bool {
    at_most(doc, MAX_DEPTH)
}

/// Whether `doc` nests at most `levels` levels, counted as its Extended JSON nests objects
/// and arrays: a document or an array is one, the scope of a code-with-scope two (it is
/// written `{"$code": …, "$scope": {…}}`). Scalars are not counted: they add at most three
/// (`{"$dbPointer": {"$id": {"$oid": …}}}`).
fn at_most(doc: &RawDocument, levels: usize) -> bool {
    // Each open document with the levels it counts for.
    let mut open = vec![(doc.iter_elements(), 1)];
    let mut depth = 1;
    while let Some((elements, _)) = open.last_mut() {
        let (inner, weight) = match elements.next() {
            None | Some(Err(_)) => {
                if let Some((_, weight)) = open.pop() {
                    depth -= weight;
                }
                continue;
            }
            Some(Ok(element)) => match element.value() {
                Ok(RawBsonRef::Document(inner)) => (inner, 1),
                Ok(RawBsonRef::Array(inner)) => match RawDocument::from_bytes(inner.as_bytes()) {
                    Ok(inner) => (inner, 1),
                    Err(_) => continue,
                },
                Ok(RawBsonRef::JavaScriptCodeWithScope(code)) => (code.scope, 2),
                _ => continue,
            },
        };
        depth += weight;
        if depth > levels {
            return false;
        }
        open.push((inner.iter_elements(), weight));
    }
    true
}

/// `doc` as an owned document (which the bson crate builds by recursing), if it is within
/// the limit and well formed.
pub fn to_document(doc: &RawDocument) -> Result<Option<Document>, TooDeep> {
    if !within_limit(doc) {
        return Err(TooDeep);
    }
    Ok(Document::try_from(doc).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{Bson, RawDocumentBuf};
    use mwatch_testkit::deep::nested;

    #[test]
    fn the_limit_is_counted_in_levels() {
        assert!(within_limit(&nested(MAX_DEPTH)));
        assert!(!within_limit(&nested(MAX_DEPTH + 1)));
        assert!(within_limit(&bson::rawdoc! {}));
    }

    #[test]
    fn arrays_and_code_scopes_are_levels_too() {
        // Each step adds one level (an array, a document) or two (a code-with-scope's scope,
        // as its Extended JSON nests two objects): with the outer document, 13 levels.
        let mut value = Bson::Int32(1);
        for level in 1..10 {
            value = match level % 3 {
                0 => Bson::Array(vec![value]),
                1 => Bson::JavaScriptCodeWithScope(bson::JavaScriptCodeWithScope {
                    code: "f".into(),
                    scope: bson::doc! { "s": value },
                }),
                _ => Bson::Document(bson::doc! { "d": value }),
            };
        }
        let raw = |value: &Bson| {
            RawDocumentBuf::from_document(&bson::doc! { "v": value.clone() }).unwrap()
        };
        assert!(at_most(&raw(&value), 13));
        assert!(!at_most(&raw(&value), 12));
        assert!(!at_most(&raw(&Bson::Array(vec![value])), 13));
    }

    /// The depths a hostile server or file could send: answered without recursing.
    #[test]
    fn any_depth_is_answered() {
        for depth in [MAX_DEPTH + 1, 10_000, 100_000] {
            let doc = nested(depth);
            assert!(!within_limit(&doc));
            assert_eq!(to_document(&doc), Err(TooDeep));
        }
        let doc = to_document(&nested(MAX_DEPTH)).unwrap().unwrap();
        // What is let through converts on a test thread's stack, to Extended JSON and back.
        let json = Bson::Document(doc).into_canonical_extjson().to_string();
        assert!(json.len() > MAX_DEPTH);
    }
}
