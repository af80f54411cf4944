//! Structural diff of two documents (a pre-image and a post-image), field by field: nested
//! documents are compared key by key and arrays index by index, so a change deep inside shows
//! with its full path (`items.2.qty`).

use bson::{RawBsonRef, RawDocument};

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
    /// Dotted path; array elements by index.
    pub path: String,
    pub change: Change<'a>,
}

/// The differences from `before` to `after`, in the order of `after`'s fields, removed fields
/// where they stood in `before`.
pub fn diff<'a>(before: &'a RawDocument, after: &'a RawDocument) -> Vec<Difference<'a>> {
    let mut out = Vec::new();
    documents("", before, after, &mut out);
    out
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
    out: &mut Vec<Difference<'a>>,
) {
    for (key, old) in before.iter().filter_map(Result::ok) {
        if !matches!(after.get(key), Ok(Some(_))) {
            out.push(Difference {
                path: join(prefix, key),
                change: Change::Removed(old),
            });
        }
    }
    for (key, new) in after.iter().filter_map(Result::ok) {
        let path = join(prefix, key);
        match before.get(key) {
            Ok(Some(old)) => values(path, old, new, out),
            _ => out.push(Difference {
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
    out: &mut Vec<Difference<'a>>,
) {
    match (before, after) {
        (RawBsonRef::Document(b), RawBsonRef::Document(a)) => documents(&path, b, a, out),
        (RawBsonRef::Array(b), RawBsonRef::Array(a)) => {
            let old: Vec<_> = b.into_iter().filter_map(Result::ok).collect();
            let new: Vec<_> = a.into_iter().filter_map(Result::ok).collect();
            for i in 0..old.len().max(new.len()) {
                let path = join(&path, &i.to_string());
                match (old.get(i), new.get(i)) {
                    (Some(o), Some(n)) => values(path, *o, *n, out),
                    (Some(o), None) => out.push(Difference {
                        path,
                        change: Change::Removed(*o),
                    }),
                    (None, Some(n)) => out.push(Difference {
                        path,
                        change: Change::Added(*n),
                    }),
                    (None, None) => {}
                }
            }
        }
        (b, a) if !same(b, a) => out.push(Difference {
            path,
            change: Change::Changed {
                before: b,
                after: a,
            },
        }),
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
}
