//! How deeply documents nest, bounded as MongoDB bounds it (its `BSONDepth`). Every walk
//! over a document here (decoding, matching, comparing, sizing, encoding, dropping) recurses
//! once per level, so no document may nest deeper than these limits allow: a message is
//! checked on its raw bytes before it is decoded, a document before it is stored, and one a
//! pipeline stage builds before the next stage sees it. Walks once per part of a dotted path
//! (projection trees, update paths) are bounded by `path.rs` instead.

use std::convert::Infallible;

use bson::{Bson, Document, RawBsonRef, RawDocument};

use crate::error::{CmdResult, CommandError};

/// Levels of documents and arrays a message's document may have below itself
/// (`BSONDepth::kDefaultMaxAllowableDepth`).
pub const MAX_DEPTH: usize = 200;

/// Levels a stored document may have, itself included; empty documents and arrays do not
/// count. MongoDB keeps 20 levels below `MAX_DEPTH` for what it wraps around a document:
/// oplog entries, change events, cursor replies.
pub const MAX_STORAGE_DEPTH: usize = MAX_DEPTH - 20;

/// MongoDB's code for a document nested too deeply.
const OVERFLOW: i32 = 15;

/// The one walk: whether anything below `root` (an iterator over its values) nests more than
/// `limit` levels. `inner` turns a value into an iterator over its own values when it is a
/// level of its own. The walk keeps the open levels on a stack of its own instead of
/// recursing, so that it is safe on any input, and it stops as soon as the limit is passed.
fn nests_deeper<I, E>(
    root: I,
    limit: usize,
    mut inner: impl FnMut(I::Item) -> Result<Option<I>, E>,
) -> Result<bool, E>
where
    I: Iterator,
{
    let mut open = vec![root];
    while let Some(level) = open.last_mut() {
        let Some(value) = level.next() else {
            open.pop();
            continue;
        };
        if let Some(values) = inner(value)? {
            // The new level is `open.len()` levels below the root.
            if open.len() > limit {
                return Ok(true);
            }
            open.push(values);
        }
    }
    Ok(false)
}

/// Checks a message's document on its bytes, before anything decodes it: at most
/// [`MAX_DEPTH`] levels below it, or MongoDB's Overflow error; bytes that are not a document
/// are InvalidBSON.
pub fn check_raw(bytes: &[u8]) -> CmdResult<()> {
    let invalid = |e: bson::raw::Error| {
        CommandError::new(22, "InvalidBSON", format!("invalid BSON document: {e}"))
    };
    let root = RawDocument::from_bytes(bytes).map_err(invalid)?;
    let too_deep = nests_deeper(root.iter(), MAX_DEPTH, |element| {
        Ok(match element?.1 {
            RawBsonRef::Document(d) => Some(d.iter()),
            // An array is a document keyed "0", "1", ...
            RawBsonRef::Array(a) => Some(RawDocument::from_bytes(a.as_bytes())?.iter()),
            RawBsonRef::JavaScriptCodeWithScope(code) => Some(code.scope.iter()),
            _ => None,
        })
    })
    .map_err(invalid)?;
    if too_deep {
        return Err(CommandError::new(
            OVERFLOW,
            "Overflow",
            "BSONObj exceeds maximum nested object depth",
        ));
    }
    Ok(())
}

/// The values one level below a document, an array or a code's scope.
type Values<'a> = Box<dyn Iterator<Item = &'a Bson> + 'a>;

/// A value's own level, if it is one; `skip_empty` leaves out empty documents and arrays.
fn level(value: &Bson, skip_empty: bool) -> Option<Values<'_>> {
    match value {
        Bson::Document(d) if !(skip_empty && d.is_empty()) => Some(Box::new(d.values())),
        Bson::Array(a) if !(skip_empty && a.is_empty()) => Some(Box::new(a.iter())),
        Bson::JavaScriptCodeWithScope(code) => Some(Box::new(code.scope.values())),
        _ => None,
    }
}

fn in_memory_deeper(doc: &Document, limit: usize, skip_empty: bool) -> bool {
    let root: Values<'_> = Box::new(doc.values());
    let walked = nests_deeper(root, limit, |value| {
        Ok::<_, Infallible>(level(value, skip_empty))
    });
    match walked {
        Ok(deeper) => deeper,
        Err(never) => match never {},
    }
}

/// What is being stored: MongoDB words the error for each.
#[derive(Debug, Clone, Copy)]
pub enum Write {
    Insert,
    Update,
}

/// The error for a stored document deeper than [`MAX_STORAGE_DEPTH`]; also for an update
/// path that would create one.
pub fn storage_overflow(write: Write) -> CommandError {
    let message = match write {
        Write::Insert => {
            format!(
                "cannot insert document because it exceeds {MAX_STORAGE_DEPTH} levels of nesting"
            )
        }
        Write::Update => format!("Document exceeds maximum nesting depth of {MAX_STORAGE_DEPTH}"),
    };
    CommandError::new(OVERFLOW, "Overflow", message)
}

/// Checks a document about to be stored: at most [`MAX_STORAGE_DEPTH`] levels.
pub fn check_stored(doc: &Document, write: Write) -> CmdResult<()> {
    if in_memory_deeper(doc, MAX_STORAGE_DEPTH - 1, true) {
        return Err(storage_overflow(write));
    }
    Ok(())
}

/// Checks a document a pipeline stage or a projection built, before anything else walks it:
/// at most [`MAX_DEPTH`] levels, itself included, as MongoDB checks when it turns a
/// document it built into BSON.
pub fn check_built(doc: &Document) -> CmdResult<()> {
    if in_memory_deeper(doc, MAX_DEPTH - 1, false) {
        return Err(CommandError::new(
            OVERFLOW,
            "Overflow",
            format!(
                "cannot convert document to BSON because it exceeds the limit of {MAX_DEPTH} levels of nesting"
            ),
        ));
    }
    Ok(())
}

/// The bytes of `{"0": {"0": ... {"0": 1}}}` with `kinds.len()` levels below the top one,
/// each an array where `kinds` says `true`, outermost first: written front to back in one
/// pass, without recursion, since tests build documents far deeper than any recursive walk
/// could take.
#[cfg(any(test, feature = "fuzzing"))]
pub fn nested(kinds: &[bool]) -> Vec<u8> {
    const INNERMOST: [u8; 12] = [12, 0, 0, 0, 0x10, b'0', 0, 1, 0, 0, 0, 0]; // {"0": 1}
                                                                             // Each level around the innermost: its length, its element's type and key `"0"`, and
                                                                             // its terminating zero after what it holds.
    let total = INNERMOST.len() + 8 * kinds.len();
    let mut out = Vec::with_capacity(total);
    for (level, &array) in kinds.iter().enumerate() {
        let length = i32::try_from(total - 8 * level).unwrap_or(i32::MAX);
        out.extend(length.to_le_bytes());
        out.extend([if array { 0x04 } else { 0x03 }, b'0', 0]);
    }
    out.extend(INNERMOST);
    out.resize(total, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// `{"0": {"0": ... {"0": 1}}}`, `levels` documents below the top one, as bytes.
    fn nested_bytes(levels: usize) -> Vec<u8> {
        super::nested(&vec![false; levels])
    }

    /// `{a: {a: ... {a: 1}}}` in memory, `levels` documents below the top one.
    fn nested(levels: usize) -> Document {
        let mut doc = doc! { "a": 1 };
        for _ in 0..levels {
            doc = doc! { "a": doc };
        }
        doc
    }

    #[test]
    fn raw_documents_may_nest_max_depth_levels() {
        assert_eq!(check_raw(&nested_bytes(MAX_DEPTH)), Ok(()));
        for levels in [MAX_DEPTH + 1, 2_000, 10_000, 100_000] {
            let error = check_raw(&nested_bytes(levels)).unwrap_err();
            assert_eq!((error.code, error.code_name), (15, "Overflow"), "{levels}");
            assert_eq!(error.message, "BSONObj exceeds maximum nested object depth");
        }
    }

    #[test]
    fn arrays_and_code_scopes_are_levels_too() {
        // The bson crate encodes recursively: more stack than a test thread has, unoptimized.
        let big_stack = std::thread::Builder::new().stack_size(64 << 20);
        let checked = big_stack.spawn(|| {
            let mut value = Bson::Int32(1);
            for i in 0..=MAX_DEPTH {
                value = match i % 3 {
                    0 => Bson::Array(vec![value]),
                    1 => Bson::Document(doc! { "d": value }),
                    _ => Bson::JavaScriptCodeWithScope(bson::JavaScriptCodeWithScope {
                        code: "f()".into(),
                        scope: doc! { "s": value },
                    }),
                };
            }
            let deep = doc! { "v": value };
            (check_raw(&bson::to_vec(&deep).unwrap()), check_built(&deep))
        });
        let (raw, built) = checked.unwrap().join().unwrap();
        assert_eq!(raw.unwrap_err().code, 15);
        assert_eq!(built.unwrap_err().code, 15);
    }

    #[test]
    fn bytes_that_are_not_a_document_are_invalid_bson() {
        let mut bad_inner = nested_bytes(3);
        bad_inner[7] = 0x7f; // the second level's size
        for bytes in [
            &[][..],
            &[5, 0, 0, 0][..],
            &[6, 0, 0, 0, 0][..],
            &bad_inner[..],
        ] {
            let error = check_raw(bytes).unwrap_err();
            assert_eq!(
                (error.code, error.code_name),
                (22, "InvalidBSON"),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn stored_documents_may_have_180_levels_not_counting_empty_ones() {
        // The top document is level 1: 179 below it.
        assert_eq!(check_stored(&nested(179), Write::Insert), Ok(()));
        let error = check_stored(&nested(180), Write::Insert).unwrap_err();
        assert_eq!((error.code, error.code_name), (15, "Overflow"));
        assert_eq!(
            error.message,
            "cannot insert document because it exceeds 180 levels of nesting"
        );
        let with_empty = doc! { "a": nested(177), "e": { "e": { "e": {} } } };
        assert_eq!(
            check_stored(&doc! { "x": with_empty }, Write::Update),
            Ok(())
        );
        let mut deeper = nested(179);
        deeper.insert("b", doc! { "c": {} });
        assert_eq!(check_stored(&deeper, Write::Update), Ok(()));
        let error = check_stored(&doc! { "x": nested(179) }, Write::Update).unwrap_err();
        assert_eq!(
            error.message,
            "Document exceeds maximum nesting depth of 180"
        );
    }

    #[test]
    fn built_documents_may_have_200_levels() {
        assert_eq!(check_built(&nested(199)), Ok(()));
        let error = check_built(&nested(200)).unwrap_err();
        assert_eq!(error.code, 15);
        assert_eq!(
            error.message,
            "cannot convert document to BSON because it exceeds the limit of 200 levels of nesting"
        );
    }
}
