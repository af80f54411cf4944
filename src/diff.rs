//! Structural diff of two documents (a pre-image and a post-image), field by field: nested
//! documents are compared key by key, so a change deep inside shows with its full path
//! (`items.2.qty`). Array elements are aligned first (a longest common subsequence; elements
//! that are subdocuments with an `_id` are matched by that `_id`), so that one element pulled
//! from an array shows as one removal rather than a change at every later position.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use bson::{RawBsonRef, RawDocument};

use crate::nesting::MAX_DEPTH;

/// Cells of alignment tables one diff may use, all its array pairs together, once their common
/// ends are trimmed (one pair of about 500 by 500 elements, a megabyte). Arrays past what is
/// left are compared by position instead: time and memory stay bounded whatever the
/// documents hold, however many arrays they have.
const MAX_CELLS: usize = 250_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Change<'a> {
    Added(RawBsonRef<'a>),
    Removed(RawBsonRef<'a>),
    Changed {
        before: RawBsonRef<'a>,
        after: RawBsonRef<'a>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Difference<'a> {
    /// Dotted path; array elements by index (in `after`, or in `before` for a removal).
    pub path: String,
    pub change: Change<'a>,
}

/// The differences from `before` to `after`, in the order of `after`'s fields, removed fields
/// where they stood in `before`.
pub fn diff<'a>(before: &'a RawDocument, after: &'a RawDocument) -> Vec<Difference<'a>> {
    let mut out = Out {
        differences: Vec::new(),
        cells: MAX_CELLS,
    };
    documents("", before, after, 0, &mut out);
    out.differences
}

/// A diff under way: the differences found so far, and the alignment cells left.
struct Out<'a> {
    differences: Vec<Difference<'a>>,
    cells: usize,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn documents<'a>(
    prefix: &str,
    before: &'a RawDocument,
    after: &'a RawDocument,
    depth: usize,
    out: &mut Out<'a>,
) {
    for (key, old) in before.iter().filter_map(Result::ok) {
        if !matches!(after.get(key), Ok(Some(_))) {
            out.differences.push(Difference {
                path: join(prefix, key),
                change: Change::Removed(old),
            });
        }
    }
    for (key, new) in after.iter().filter_map(Result::ok) {
        let path = join(prefix, key);
        match before.get(key) {
            Ok(Some(old)) => values(path, old, new, depth, out),
            _ => out.differences.push(Difference {
                path,
                change: Change::Added(new),
            }),
        }
    }
}

fn values<'a>(
    path: String,
    before: RawBsonRef<'a>,
    after: RawBsonRef<'a>,
    depth: usize,
    out: &mut Out<'a>,
) {
    match (before, after) {
        (RawBsonRef::Document(b), RawBsonRef::Document(a)) if depth < MAX_DEPTH => {
            documents(&path, b, a, depth + 1, out)
        }
        (RawBsonRef::Array(b), RawBsonRef::Array(a)) if depth < MAX_DEPTH => {
            let old: Vec<_> = b.into_iter().filter_map(Result::ok).collect();
            let new: Vec<_> = a.into_iter().filter_map(Result::ok).collect();
            arrays(&path, &old, &new, depth + 1, out)
        }
        (b, a) if !same(b, a) => out.differences.push(Difference {
            path,
            change: Change::Changed {
                before: b,
                after: a,
            },
        }),
        _ => {}
    }
}

/// One step of an alignment of two arrays: an element of both (by index in each), or of one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Both(usize, usize),
    Old(usize),
    New(usize),
}

fn arrays<'a>(
    path: &str,
    old: &[RawBsonRef<'a>],
    new: &[RawBsonRef<'a>],
    depth: usize,
    out: &mut Out<'a>,
) {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for step in align(old, new, &mut out.cells) {
        match step {
            Step::Old(i) => removed.push(i),
            Step::New(j) => added.push(j),
            Step::Both(i, j) => {
                gap(path, (old, &removed), (new, &added), depth, out);
                removed.clear();
                added.clear();
                values(join(path, &j.to_string()), old[i], new[j], depth, out);
            }
        }
    }
    gap(path, (old, &removed), (new, &added), depth, out);
}

/// A run of removed and added elements between aligned ones. A removed element facing an
/// added one is a change of that element (`$set: {'a.1': …}`), unless both are subdocuments
/// with an `_id` (they are different ones: a removal and an addition).
fn gap<'a>(
    path: &str,
    (old, removed): (&[RawBsonRef<'a>], &[usize]),
    (new, added): (&[RawBsonRef<'a>], &[usize]),
    depth: usize,
    out: &mut Out<'a>,
) {
    let at = |i: usize| join(path, &i.to_string());
    let mut gone = Vec::new();
    let mut came = Vec::new();
    for (&i, &j) in removed.iter().zip(added) {
        if has_id(old[i]) && has_id(new[j]) {
            gone.push(i);
            came.push(j);
        } else {
            values(at(j), old[i], new[j], depth, out);
        }
    }
    let pairs = removed.len().min(added.len());
    gone.extend(&removed[pairs..]);
    came.extend(&added[pairs..]);
    out.differences.extend(gone.into_iter().map(|i| Difference {
        path: at(i),
        change: Change::Removed(old[i]),
    }));
    out.differences.extend(came.into_iter().map(|j| Difference {
        path: at(j),
        change: Change::Added(new[j]),
    }));
}

/// Aligns `old` with `new`: the common ends as they are, the middle by a longest common
/// subsequence of element keys ([`key`]) if its table fits in the `cells` left (which it
/// uses), else by position.
fn align(old: &[RawBsonRef<'_>], new: &[RawBsonRef<'_>], cells: &mut usize) -> Vec<Step> {
    let old_keys: Vec<u64> = old.iter().map(|v| key(*v)).collect();
    let new_keys: Vec<u64> = new.iter().map(|v| key(*v)).collect();
    let prefix = old_keys
        .iter()
        .zip(&new_keys)
        .take_while(|(o, n)| o == n)
        .count();
    let suffix = old_keys[prefix..]
        .iter()
        .rev()
        .zip(new_keys[prefix..].iter().rev())
        .take_while(|(o, n)| o == n)
        .count();
    let (o, n) = (
        &old_keys[prefix..old.len() - suffix],
        &new_keys[prefix..new.len() - suffix],
    );
    let mut steps: Vec<Step> = (0..prefix).map(|i| Step::Both(i, i)).collect();
    let cost = o.len().saturating_mul(n.len());
    let middle = if cost <= *cells {
        *cells -= cost;
        common_subsequence(o, n)
    } else {
        by_position(o.len(), n.len())
    };
    steps.extend(middle.into_iter().map(|step| match step {
        Step::Both(i, j) => Step::Both(prefix + i, prefix + j),
        Step::Old(i) => Step::Old(prefix + i),
        Step::New(j) => Step::New(prefix + j),
    }));
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    steps.extend((0..suffix).map(|k| Step::Both(old_end + k, new_end + k)));
    steps
}

fn by_position(old: usize, new: usize) -> Vec<Step> {
    (0..old.max(new))
        .map(|i| match (i < old, i < new) {
            (true, true) => Step::Both(i, i),
            (true, false) => Step::Old(i),
            _ => Step::New(i),
        })
        .collect()
}

/// The classic table: `len[i][j]` is the length of the longest common subsequence of `o[i..]`
/// and `n[j..]`; walking it from the start gives the alignment. Needs `(o + 1) * (n + 1)` cells.
fn common_subsequence(o: &[u64], n: &[u64]) -> Vec<Step> {
    let width = n.len() + 1;
    let mut len = vec![0u32; (o.len() + 1) * width];
    for i in (0..o.len()).rev() {
        for j in (0..n.len()).rev() {
            len[i * width + j] = if o[i] == n[j] {
                len[(i + 1) * width + j + 1] + 1
            } else {
                len[(i + 1) * width + j].max(len[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut steps = Vec::with_capacity(o.len() + n.len());
    while i < o.len() && j < n.len() {
        if o[i] == n[j] {
            steps.push(Step::Both(i, j));
            i += 1;
            j += 1;
        } else if len[(i + 1) * width + j] >= len[i * width + j + 1] {
            steps.push(Step::Old(i));
            i += 1;
        } else {
            steps.push(Step::New(j));
            j += 1;
        }
    }
    steps.extend((i..o.len()).map(Step::Old));
    steps.extend((j..n.len()).map(Step::New));
    steps
}

fn id_of(value: RawBsonRef<'_>) -> Option<RawBsonRef<'_>> {
    match value {
        RawBsonRef::Document(doc) => doc.get("_id").ok().flatten(),
        _ => None,
    }
}

fn has_id(value: RawBsonRef<'_>) -> bool {
    id_of(value).is_some()
}

/// What aligns array elements: a subdocument with an `_id` by its `_id`, anything else by its
/// whole value. A hash, so that the table compares numbers, not documents; two elements that
/// collide are merely aligned and then compared field by field, which reports them right.
fn key(value: RawBsonRef<'_>) -> u64 {
    let mut hasher = DefaultHasher::new();
    match id_of(value) {
        Some(id) => {
            "_id".hash(&mut hasher);
            fingerprint(id, &mut hasher);
        }
        None => fingerprint(value, &mut hasher),
    }
    hasher.finish()
}

fn fingerprint(value: RawBsonRef<'_>, hasher: &mut DefaultHasher) {
    (value.element_type() as u8).hash(hasher);
    match value {
        RawBsonRef::Document(doc) => doc.as_bytes().hash(hasher),
        RawBsonRef::Array(array) => array.as_bytes().hash(hasher),
        RawBsonRef::String(text) | RawBsonRef::Symbol(text) | RawBsonRef::JavaScriptCode(text) => {
            text.hash(hasher)
        }
        RawBsonRef::Double(x) => x.to_bits().hash(hasher),
        RawBsonRef::Int32(x) => x.hash(hasher),
        RawBsonRef::Int64(x) => x.hash(hasher),
        RawBsonRef::Boolean(x) => x.hash(hasher),
        RawBsonRef::ObjectId(id) => id.bytes().hash(hasher),
        RawBsonRef::DateTime(at) => at.timestamp_millis().hash(hasher),
        RawBsonRef::Timestamp(ts) => (ts.time, ts.increment).hash(hasher),
        RawBsonRef::Binary(binary) => binary.bytes.hash(hasher),
        RawBsonRef::Decimal128(d) => d.bytes().hash(hasher),
        // Rare kinds: equal by type; the field-by-field comparison tells them apart.
        _ => {}
    }
}

/// Equal values of the same BSON type (`1` and `1.0` differ: a type change is a change).
/// NaN equals NaN here, so an unchanged NaN field is not reported.
fn same(a: RawBsonRef<'_>, b: RawBsonRef<'_>) -> bool {
    match (a, b) {
        (RawBsonRef::Double(x), RawBsonRef::Double(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, Bson, RawDocumentBuf};

    fn raw(doc: bson::Document) -> RawDocumentBuf {
        RawDocumentBuf::from_document(&doc).unwrap()
    }

    /// `path op value` lines, for compact assertions.
    fn summary(before: bson::Document, after: bson::Document) -> Vec<String> {
        let (b, a) = (raw(before), raw(after));
        let show = |v: &RawBsonRef| Bson::try_from(*v).unwrap().to_string();
        diff(&b, &a)
            .iter()
            .map(|d| match &d.change {
                Change::Added(v) => format!("+ {} {}", d.path, show(v)),
                Change::Removed(v) => format!("- {} {}", d.path, show(v)),
                Change::Changed { before, after } => {
                    format!("~ {} {} -> {}", d.path, show(before), show(after))
                }
            })
            .collect()
    }

    #[test]
    fn reports_added_removed_and_changed_fields_with_nested_paths() {
        let before = doc! { "_id": 1, "status": "new", "note": "x", "addr": { "city": "Oslo", "zip": "0150" } };
        let after = doc! { "_id": 1, "status": "shipped", "addr": { "city": "Bergen", "zip": "0150" }, "paid": true };
        assert_eq!(
            summary(before, after),
            vec![
                "- note \"x\"",
                "~ status \"new\" -> \"shipped\"",
                "~ addr.city \"Oslo\" -> \"Bergen\"",
                "+ paid true",
            ]
        );
    }

    #[test]
    fn compares_arrays_by_index() {
        let before = doc! { "items": [ { "sku": "a", "qty": 1 }, { "sku": "b", "qty": 1 } ] };
        let after = doc! { "items": [ { "sku": "a", "qty": 3 } ], "tags": [] };
        assert_eq!(
            summary(before, after),
            vec![
                "~ items.0.qty 1 -> 3",
                "- items.1 { \"sku\": \"b\", \"qty\": 1 }",
                "+ tags []",
            ]
        );
    }

    #[test]
    fn a_type_change_is_a_change_and_equal_documents_have_none() {
        let (before, after) = (raw(doc! { "n": 1 }), raw(doc! { "n": 1.0 }));
        assert!(matches!(
            diff(&before, &after)[..],
            [Difference {
                change: Change::Changed {
                    before: RawBsonRef::Int32(1),
                    after: RawBsonRef::Double(_)
                },
                ..
            }]
        ));
        let doubles = doc! { "price": 2.5, "nan": f64::NAN };
        assert!(summary(doubles.clone(), doubles).is_empty());
        assert_eq!(
            summary(doc! { "x": f64::NAN }, doc! { "x": 1.5 }),
            ["~ x NaN -> 1.5"]
        );
        let same = doc! { "a": [1, { "b": f64::NAN }], "c": null };
        assert!(summary(same.clone(), same).is_empty());
    }

    #[test]
    fn one_pulled_element_is_one_removal() {
        let before = doc! { "tags": ["a", "b", "c"] };
        assert_eq!(
            summary(before.clone(), doc! { "tags": ["b", "c"] }),
            ["- tags.0 \"a\""]
        );
        assert_eq!(
            summary(before.clone(), doc! { "tags": ["a", "c"] }),
            ["- tags.1 \"b\""]
        );
        assert_eq!(
            summary(before, doc! { "tags": ["x", "a", "b", "c", "d"] }),
            ["+ tags.0 \"x\"", "+ tags.4 \"d\""]
        );
    }

    #[test]
    fn a_replaced_element_is_a_change_in_place() {
        assert_eq!(
            summary(doc! { "t": ["a", "b", "c"] }, doc! { "t": ["a", "x", "c"] }),
            ["~ t.1 \"b\" -> \"x\""]
        );
    }

    #[test]
    fn subdocuments_with_an_id_are_matched_by_id() {
        let before = doc! { "items": [
            { "_id": 1, "sku": "pen", "qty": 1 },
            { "_id": 2, "sku": "ink", "qty": 1 },
            { "_id": 3, "sku": "cap", "qty": 1 },
        ] };
        let after = doc! { "items": [
            { "_id": 2, "sku": "ink", "qty": 5 },
            { "_id": 3, "sku": "cap", "qty": 1 },
            { "_id": 4, "sku": "box", "qty": 1 },
        ] };
        assert_eq!(
            summary(before, after),
            [
                "- items.0 { \"_id\": 1, \"sku\": \"pen\", \"qty\": 1 }",
                "~ items.0.qty 1 -> 5",
                "+ items.2 { \"_id\": 4, \"sku\": \"box\", \"qty\": 1 }",
            ]
        );
    }

    #[test]
    fn long_arrays_are_compared_by_position() {
        // The first element removed and the last changed, so that no common ends can be
        // trimmed: past the bound the alignment would cost too much, and every position shows.
        let numbers = |n: i32| -> (Vec<i32>, Vec<i32>) {
            let mut after: Vec<i32> = (1..n).collect();
            after[n as usize - 2] = -1;
            ((0..n).collect(), after)
        };
        let (before, after) = numbers(1_000);
        let changes = summary(doc! { "a": before }, doc! { "a": after });
        assert_eq!(changes.len(), 1_000);
        assert_eq!(changes[0], "~ a.0 0 -> 1");
        let (before, after) = numbers(400);
        assert_eq!(
            summary(doc! { "a": before }, doc! { "a": after }),
            ["- a.0 0", "~ a.398 399 -> -1"]
        );
    }

    /// The alignment tables of one diff share one budget, however many arrays it holds: each
    /// of these pairs fits alone, but after two of them the third is compared by position.
    #[test]
    fn the_alignment_budget_is_for_the_whole_diff() {
        let mut before = bson::Document::new();
        let mut after = bson::Document::new();
        for key in ["a", "b", "c"] {
            let mut pulled: Vec<i32> = (1..300).collect();
            pulled[298] = -1;
            before.insert(key, (0..300).collect::<Vec<i32>>());
            after.insert(key, pulled);
        }
        let changes = summary(before, after);
        assert_eq!(
            changes[..4],
            [
                "- a.0 0",
                "~ a.298 299 -> -1",
                "- b.0 0",
                "~ b.298 299 -> -1"
            ]
        );
        assert_eq!(changes.len(), 4 + 300, "c by position: {changes:?}");
    }

    #[test]
    fn nesting_deeper_than_the_bound_is_compared_whole() {
        let mut before = doc! { "x": 1 };
        let mut after = doc! { "x": 2 };
        for _ in 0..(MAX_DEPTH + 10) {
            before = doc! { "d": before };
            after = doc! { "d": after };
        }
        let changes = summary(before, after);
        assert_eq!(changes.len(), 1);
        let path_depth = changes[0].split(' ').nth(1).unwrap().split('.').count();
        assert_eq!(
            path_depth,
            MAX_DEPTH + 1,
            "the top-level field and the levels below it"
        );
    }
}
