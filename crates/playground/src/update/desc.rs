//! The `updateDescription` of a change stream `update` event, computed from
//! the document before and after the update the way MongoDB diffs documents
//! (`doc_diff::computeDocDiff`) and reads the diff back into a description.

use std::collections::BTreeSet;

use bson::{doc, Bson, Document};

use crate::update::path::identical;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateDescription {
    /// Dotted path -> new value.
    pub updated_fields: Document,
    /// Dotted paths.
    pub removed_fields: Vec<String>,
    /// Dotted path of an array -> its new, smaller length.
    pub truncated_arrays: Vec<(String, i32)>,
    /// Dotted path -> its parts, for paths that a dotted string leaves
    /// ambiguous (MongoDB 6.1+, shown with `showExpandedEvents`).
    pub disambiguated_paths: Document,
}

impl UpdateDescription {
    /// `{updatedFields, removedFields, truncatedArrays[, disambiguatedPaths]}`;
    /// `expanded` (showExpandedEvents) adds `disambiguatedPaths`.
    pub fn to_document(&self, expanded: bool) -> Document {
        let truncated: Vec<Document> = self
            .truncated_arrays
            .iter()
            .map(|(field, size)| doc! { "field": field, "newSize": size })
            .collect();
        let mut description = doc! {
            "updatedFields": self.updated_fields.clone(),
            "removedFields": self.removed_fields.clone(),
            "truncatedArrays": truncated,
        };
        if expanded {
            description.insert("disambiguatedPaths", self.disambiguated_paths.clone());
        }
        description
    }
}

/// What changed from `before` to `after`. `_id` is never reported.
///
/// Within each sub-document, MongoDB lists changed and added fields first,
/// then removed ones, then what changed inside sub-documents and arrays.
/// In an array, a shorter length is reported as truncation, and elements
/// that differ (or were appended) by index.
pub fn describe(before: &Document, after: &Document) -> UpdateDescription {
    let mut builder = Builder::default();
    builder.document(before, after);
    builder.description
}

/// A part of the path being described.
enum Part {
    Field(String),
    Index(usize),
}

#[derive(Default)]
struct Builder {
    /// The current path, each part with whether the path is ambiguous up to it.
    path: Vec<(Part, bool)>,
    description: UpdateDescription,
}

impl Builder {
    fn document(&mut self, before: &Document, after: &Document) {
        let at_root = self.path.is_empty();
        let (pre, post) = (fields(before, at_root), fields(after, at_root));

        // Walk both in step; a field out of step is removed unless it shows
        // up again later (then it is re-added: moved fields count as updated).
        let mut updated = Vec::new();
        let mut nested = Vec::new();
        let mut removed = Vec::new();
        let mut out_of_step = BTreeSet::new();
        let (mut i, mut j) = (0, 0);
        while let (Some((name, old)), Some((new_name, new))) = (pre.get(i), post.get(j)) {
            if name != new_name {
                out_of_step.insert(*name);
                i += 1;
                continue;
            }
            if !identical(old, new) {
                if same_container_type(old, new) {
                    nested.push((*name, *old, *new));
                } else {
                    updated.push((*name, *new));
                }
            }
            i += 1;
            j += 1;
        }
        removed.extend(pre.iter().skip(i).map(|(name, _)| *name));
        for &(name, value) in post.iter().skip(j) {
            updated.push((name, value));
            out_of_step.remove(name);
        }
        removed.extend(out_of_step);

        for (name, value) in updated {
            self.with(Part::Field(name.clone()), |b| b.updated(value));
        }
        for name in removed {
            self.with(Part::Field(name.clone()), Builder::removed);
        }
        for (name, old, new) in nested {
            self.with(Part::Field(name.clone()), |b| b.changed(old, new));
        }
    }

    fn array(&mut self, before: &[Bson], after: &[Bson]) {
        if after.len() < before.len() {
            let size = i32::try_from(after.len()).unwrap_or(i32::MAX);
            let field = self.dotted();
            self.description.truncated_arrays.push((field, size));
            self.note_if_ambiguous();
        }
        for (index, new) in after.iter().enumerate() {
            match before.get(index) {
                Some(old) if identical(old, new) => {}
                Some(old) => self.with(Part::Index(index), |b| b.changed(old, new)),
                None => self.with(Part::Index(index), |b| b.updated(new)),
            }
        }
    }

    /// A value that differs: documents and arrays are described inside,
    /// anything else is updated as a whole.
    fn changed(&mut self, before: &Bson, after: &Bson) {
        match (before, after) {
            (Bson::Document(old), Bson::Document(new)) => self.document(old, new),
            (Bson::Array(old), Bson::Array(new)) => self.array(old, new),
            _ => self.updated(after),
        }
    }

    fn updated(&mut self, value: &Bson) {
        let field = self.dotted();
        self.description.updated_fields.insert(field, value.clone());
        self.note_if_ambiguous();
    }

    fn removed(&mut self) {
        let field = self.dotted();
        self.description.removed_fields.push(field);
        self.note_if_ambiguous();
    }

    /// Runs `f` with `part` appended to the path.
    fn with(&mut self, part: Part, f: impl FnOnce(&mut Builder)) {
        // Once ambiguous, a path stays so. A numeric field name is ambiguous
        // (it reads as an array index) except at the top, where no array is;
        // a field name with a dot anywhere is. Array indexes alone are not.
        let ambiguous = self.path.last().is_some_and(|(_, ambiguous)| *ambiguous)
            || match &part {
                Part::Field(name) => {
                    (!self.path.is_empty() && is_numeric(name)) || name.contains('.')
                }
                Part::Index(_) => false,
            };
        self.path.push((part, ambiguous));
        f(self);
        self.path.pop();
    }

    fn dotted(&self) -> String {
        let parts: Vec<String> = self
            .path
            .iter()
            .map(|(part, _)| match part {
                Part::Field(name) => name.clone(),
                Part::Index(index) => index.to_string(),
            })
            .collect();
        parts.join(".")
    }

    fn note_if_ambiguous(&mut self) {
        if !self.path.last().is_some_and(|(_, ambiguous)| *ambiguous) {
            return;
        }
        let parts: Vec<Bson> = self
            .path
            .iter()
            .map(|(part, _)| match part {
                Part::Field(name) => Bson::String(name.clone()),
                Part::Index(index) => Bson::Int32(i32::try_from(*index).unwrap_or(i32::MAX)),
            })
            .collect();
        let field = self.dotted();
        self.description.disambiguated_paths.insert(field, parts);
    }
}

/// The fields of a document, without `_id` at the top.
fn fields(doc: &Document, at_root: bool) -> Vec<(&String, &Bson)> {
    doc.iter()
        .filter(|(key, _)| !(at_root && *key == "_id"))
        .collect()
}

fn same_container_type(a: &Bson, b: &Bson) -> bool {
    matches!(
        (a, b),
        (Bson::Document(_), Bson::Document(_)) | (Bson::Array(_), Bson::Array(_))
    )
}

/// Digits without a leading zero: what MongoDB could read as an array index.
fn is_numeric(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && !(name.len() > 1 && name.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::tests::run;

    /// The description of applying `spec` to `before`.
    fn describe_update(before: Document, spec: Document) -> UpdateDescription {
        let after = run(before.clone(), spec).unwrap();
        describe(&before, &after)
    }

    fn keys(doc: &Document) -> Vec<&str> {
        doc.keys().map(String::as_str).collect()
    }

    #[test]
    fn set_of_a_nested_field() {
        let d = describe_update(
            doc! { "_id": 1, "user": { "name": "ann", "address": { "city": "Oslo", "zip": "0150" } } },
            doc! { "$set": { "user.address.city": "Bergen" } },
        );
        assert_eq!(d.updated_fields, doc! { "user.address.city": "Bergen" });
        assert!(d.removed_fields.is_empty() && d.truncated_arrays.is_empty());
        assert!(d.disambiguated_paths.is_empty());
    }

    #[test]
    fn unset_and_new_fields() {
        let d = describe_update(
            doc! { "_id": 1, "a": 1, "b": 2, "c": { "d": 1, "e": 2 } },
            doc! { "$unset": { "b": "", "c.d": "" }, "$set": { "z": true } },
        );
        assert_eq!(d.updated_fields, doc! { "z": true });
        assert_eq!(d.removed_fields, ["b", "c.d"]);
    }

    #[test]
    fn push_reports_the_appended_element() {
        let d = describe_update(
            doc! { "_id": 1, "items": [{ "sku": "a" }, { "sku": "b" }] },
            doc! { "$push": { "items": { "sku": "c", "qty": 2 } } },
        );
        assert_eq!(
            d.updated_fields,
            doc! { "items.2": { "sku": "c", "qty": 2 } }
        );
        assert!(d.truncated_arrays.is_empty());
        // An array index alone does not make a path ambiguous.
        assert!(d.disambiguated_paths.is_empty());
    }

    #[test]
    fn pop_and_pull_truncate_and_shift() {
        let d = describe_update(
            doc! { "_id": 1, "a": [1, 2, 3] },
            doc! { "$pop": { "a": 1 } },
        );
        assert_eq!(d.truncated_arrays, [("a".to_string(), 2)]);
        assert!(d.updated_fields.is_empty());

        let d = describe_update(
            doc! { "_id": 1, "a": [1, 2, 3] },
            doc! { "$pop": { "a": -1 } },
        );
        assert_eq!(d.truncated_arrays, [("a".to_string(), 2)]);
        assert_eq!(d.updated_fields, doc! { "a.0": 2, "a.1": 3 });

        let d = describe_update(
            doc! { "_id": 1, "tags": ["x", "y", "z", "w"] },
            doc! { "$pull": { "tags": "y" } },
        );
        assert_eq!(d.truncated_arrays, [("tags".to_string(), 3)]);
        assert_eq!(d.updated_fields, doc! { "tags.1": "z", "tags.2": "w" });
        assert_eq!(keys(&d.updated_fields), ["tags.1", "tags.2"]);
    }

    #[test]
    fn changed_elements_are_described_inside() {
        let d = describe_update(
            doc! { "_id": 1, "items": [{ "sku": "a", "qty": 1 }, { "sku": "b", "qty": 1 }] },
            doc! { "$inc": { "items.1.qty": 4 } },
        );
        assert_eq!(d.updated_fields, doc! { "items.1.qty": 5 });
    }

    #[test]
    fn a_value_of_another_type_is_replaced_whole() {
        let d = describe_update(
            doc! { "_id": 1, "a": { "b": 1 }, "n": 1, "s": 5, "l": [1] },
            doc! { "$set": { "a": 5, "n": 1.0, "s": { "t": 1 }, "l": { "0": 1 } } },
        );
        assert_eq!(
            d.updated_fields,
            doc! { "a": 5, "n": 1.0, "s": { "t": 1 }, "l": { "0": 1 } }
        );
        assert!(d.removed_fields.is_empty());
    }

    #[test]
    fn changes_are_listed_level_by_level() {
        let before = doc! { "_id": 1, "a": { "x": 1 }, "b": 5, "old": 0, "c": [1] };
        let after = doc! { "_id": 1, "a": { "x": 2 }, "b": 6, "c": [1, 2], "new": 1 };
        let d = describe(&before, &after);
        assert_eq!(keys(&d.updated_fields), ["b", "new", "a.x", "c.1"]);
        assert_eq!(d.removed_fields, ["old"]);
    }

    #[test]
    fn moved_fields_are_reported_as_updated() {
        let d = describe(&doc! { "a": 1, "b": 2, "c": 3 }, &doc! { "b": 2, "a": 1 });
        assert_eq!(d.updated_fields, doc! { "a": 1 });
        assert_eq!(d.removed_fields, ["c"]);
    }

    #[test]
    fn the_id_and_unchanged_documents_report_nothing() {
        let d = describe(
            &doc! { "_id": 1, "a": [1, { "b": 2 }] },
            &doc! { "_id": 2, "a": [1, { "b": 2 }] },
        );
        assert_eq!(d, UpdateDescription::default());
        let d = describe(&doc! { "x": { "_id": 1 } }, &doc! { "x": { "_id": 2 } });
        assert_eq!(d.updated_fields, doc! { "x._id": 2 });
    }

    #[test]
    fn numeric_field_names_are_disambiguated_but_indexes_are_not() {
        // "m.0" is a field named "0" here ...
        let d = describe(&doc! { "m": { "0": "a" } }, &doc! { "m": { "0": "b" } });
        assert_eq!(d.updated_fields, doc! { "m.0": "b" });
        assert_eq!(d.disambiguated_paths, doc! { "m.0": ["m", "0"] });
        // ... and an array index there.
        let d = describe(&doc! { "m": ["a"] }, &doc! { "m": ["b"] });
        assert_eq!(d.updated_fields, doc! { "m.0": "b" });
        assert!(d.disambiguated_paths.is_empty());
        // Indexes before an ambiguous field are kept as numbers.
        let d = describe(
            &doc! { "arr": [{ "1": "x" }] },
            &doc! { "arr": [{ "1": "y" }] },
        );
        assert_eq!(d.disambiguated_paths, doc! { "arr.0.1": ["arr", 0, "1"] });
        // A top-level numeric name cannot be an index; a leading zero is not a number.
        let d = describe(
            &doc! { "0": 1, "m": { "01": 1 } },
            &doc! { "0": 2, "m": { "01": 2 } },
        );
        assert_eq!(d.updated_fields, doc! { "0": 2, "m.01": 2 });
        assert!(d.disambiguated_paths.is_empty());
    }

    #[test]
    fn ambiguity_covers_removals_truncations_and_dotted_names() {
        let before = doc! { "m": { "5": 1, "7": [1, 2] }, "a.b": 1 };
        let after = doc! { "m": { "7": [1] }, "a.b": 2 };
        let d = describe(&before, &after);
        assert_eq!(d.updated_fields, doc! { "a.b": 2 });
        assert_eq!(d.removed_fields, ["m.5"]);
        assert_eq!(d.truncated_arrays, [("m.7".to_string(), 1)]);
        assert_eq!(
            d.disambiguated_paths,
            doc! { "a.b": ["a.b"], "m.5": ["m", "5"], "m.7": ["m", "7"] }
        );
        // Once ambiguous, later indexes are listed too.
        let d = describe(
            &doc! { "m": { "1": [1, 2] } },
            &doc! { "m": { "1": [1, 3] } },
        );
        assert_eq!(d.disambiguated_paths, doc! { "m.1.1": ["m", "1", 1] });
    }

    #[test]
    fn to_document_matches_the_change_event_shape() {
        let d = describe(
            &doc! { "_id": 1, "a": [1, 2, 3], "m": { "0": 1 } },
            &doc! { "_id": 1, "a": [1], "m": { "0": 2 } },
        );
        assert_eq!(
            d.to_document(false),
            doc! {
                "updatedFields": { "m.0": 2 },
                "removedFields": [],
                "truncatedArrays": [{ "field": "a", "newSize": 1_i32 }],
            }
        );
        let expanded = d.to_document(true);
        assert_eq!(
            keys(&expanded),
            [
                "updatedFields",
                "removedFields",
                "truncatedArrays",
                "disambiguatedPaths"
            ]
        );
        assert_eq!(
            expanded.get_document("disambiguatedPaths").unwrap(),
            &doc! { "m.0": ["m", "0"] }
        );
        assert_eq!(
            UpdateDescription::default().to_document(true),
            doc! { "updatedFields": {}, "removedFields": [], "truncatedArrays": [], "disambiguatedPaths": {} }
        );
    }
}
