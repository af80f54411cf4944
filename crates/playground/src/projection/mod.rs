//! Projections (`find`'s projection, `$project`, `$addFields`/`$set`, `$unset`), as MongoDB 7.0
//! applies them: inclusion keeps fields in document order and appends computed fields; exclusion
//! removes fields; both reach through sub-documents and arrays of documents. The tests are in
//! `tests.rs`.

use bson::{Bson, Document};

use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::expr::{validate_field_name, Expr};
use crate::path::Use;
use crate::values::to_f64;

#[derive(Debug, Clone)]
pub struct Projection {
    kind: Kind,
    root: Node,
    /// Aggregation projections reach into arrays nested in arrays; find's do not.
    recurse_nested_arrays: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Inclusion,
    Exclusion,
    /// `$addFields`: every field kept, computed ones set.
    AddFields,
}

/// One level of the projection tree, in specification order.
#[derive(Debug, Clone, Default)]
struct Node {
    fields: Vec<(String, Child)>,
}

#[derive(Debug, Clone)]
enum Child {
    Include,
    Exclude,
    Computed(Expr),
    Nested(Node),
}

/// What a specification says about one dotted path.
enum Leaf {
    Include,
    Exclude,
    Computed(Expr),
}

impl From<Leaf> for Child {
    fn from(leaf: Leaf) -> Child {
        match leaf {
            Leaf::Include => Child::Include,
            Leaf::Exclude => Child::Exclude,
            Leaf::Computed(expr) => Child::Computed(expr),
        }
    }
}

impl Projection {
    /// A projection specification. Without `allow_expressions` (find) only 1/0/true/false are
    /// accepted; with it (`$project`) other values are computed fields. An empty specification
    /// is an error for `$project` and the identity for find.
    pub fn parse(spec: &Document, allow_expressions: bool) -> CmdResult<Projection> {
        if spec.is_empty() {
            if allow_expressions {
                return Err(location_error!(
                    51272,
                    "projection specification must have at least one field"
                ));
            }
            return Ok(Projection {
                kind: Kind::Exclusion,
                root: Node::default(),
                recurse_nested_arrays: false,
            });
        }
        let mode = if allow_expressions {
            Mode::Project
        } else {
            Mode::Find
        };
        let mut leaves = Vec::new();
        flatten(spec, "", mode, &mut leaves)?;
        let kind = projection_kind(&leaves)?;
        let mut root = tree(leaves)?;
        // `_id` is included unless the projection says otherwise.
        if kind == Kind::Inclusion && root.child("_id").is_none() {
            root.fields.push(("_id".to_string(), Child::Include));
        }
        Ok(Projection {
            kind,
            root,
            recurse_nested_arrays: allow_expressions,
        })
    }

    /// `$addFields`/`$set`: every value is an expression (a nested document without `$` keys
    /// adds fields inside the existing sub-document).
    pub fn add_fields(spec: &Document) -> CmdResult<Projection> {
        let mut leaves = Vec::new();
        flatten(spec, "", Mode::AddFields, &mut leaves)?;
        Ok(Projection {
            kind: Kind::AddFields,
            root: tree(leaves)?,
            recurse_nested_arrays: true,
        })
    }

    pub fn apply(&self, doc: &Document) -> CmdResult<Document> {
        match self.kind {
            Kind::Inclusion => {
                let mut out = self.include(&self.root, doc);
                self.compute(&self.root, &mut out, doc)?;
                Ok(out)
            }
            Kind::Exclusion => Ok(self.exclude(&self.root, doc)),
            Kind::AddFields => {
                let mut out = doc.clone();
                self.compute(&self.root, &mut out, doc)?;
                Ok(out)
            }
        }
    }

    fn include(&self, node: &Node, doc: &Document) -> Document {
        let mut out = Document::new();
        for (key, value) in doc {
            match node.child(key) {
                Some(Child::Include) => {
                    out.insert(key.clone(), value.clone());
                }
                Some(Child::Nested(sub)) => {
                    if let Some(projected) = self.include_value(sub, value) {
                        out.insert(key.clone(), projected);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// A sub-projection keeps documents (projected) and arrays of them; scalars are dropped.
    fn include_value(&self, node: &Node, value: &Bson) -> Option<Bson> {
        match value {
            Bson::Document(d) => Some(Bson::Document(self.include(node, d))),
            Bson::Array(items) => Some(Bson::Array(
                items
                    .iter()
                    .filter(|item| self.recurse_nested_arrays || !matches!(item, Bson::Array(_)))
                    .filter_map(|item| self.include_value(node, item))
                    .collect(),
            )),
            _ => None,
        }
    }

    fn exclude(&self, node: &Node, doc: &Document) -> Document {
        let mut out = Document::new();
        for (key, value) in doc {
            match node.child(key) {
                Some(Child::Exclude) => {}
                Some(Child::Nested(sub)) => {
                    out.insert(key.clone(), self.exclude_value(sub, value));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        out
    }

    fn exclude_value(&self, node: &Node, value: &Bson) -> Bson {
        match value {
            Bson::Document(d) => Bson::Document(self.exclude(node, d)),
            Bson::Array(items) => Bson::Array(
                items
                    .iter()
                    .map(|item| match item {
                        Bson::Array(_) if !self.recurse_nested_arrays => item.clone(),
                        _ => self.exclude_value(node, item),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Sets the computed fields of `node` in `target`; expressions see the whole document.
    fn compute(&self, node: &Node, target: &mut Document, root: &Document) -> CmdResult<()> {
        for (key, child) in &node.fields {
            match child {
                Child::Computed(expr) => match expr.eval(root)? {
                    Some(value) => {
                        target.insert(key.clone(), value);
                    }
                    // A missing result (say `$$REMOVE`) leaves the field out.
                    None => {
                        target.remove(key);
                    }
                },
                Child::Nested(sub) if sub.has_computed() => {
                    let current = target.get(key).cloned();
                    let value = self.compute_value(sub, current, root)?;
                    target.insert(key.clone(), value);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Computed sub-fields go into a document, into each element of an array, and replace
    /// anything else with a new document.
    fn compute_value(&self, node: &Node, value: Option<Bson>, root: &Document) -> CmdResult<Bson> {
        match value {
            Some(Bson::Document(mut d)) => {
                self.compute(node, &mut d, root)?;
                Ok(Bson::Document(d))
            }
            Some(Bson::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Bson::Array(_) if !self.recurse_nested_arrays => Ok(item),
                    other => self.compute_value(node, Some(other), root),
                })
                .collect::<CmdResult<Vec<_>>>()
                .map(Bson::Array),
            _ => {
                let mut d = Document::new();
                self.compute(node, &mut d, root)?;
                Ok(Bson::Document(d))
            }
        }
    }
}

impl Node {
    fn child(&self, key: &str) -> Option<&Child> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, child)| child)
    }

    fn has_computed(&self) -> bool {
        self.fields.iter().any(|(_, child)| match child {
            Child::Computed(_) => true,
            Child::Nested(sub) => sub.has_computed(),
            _ => false,
        })
    }

    /// Adds a leaf at a dotted path; a path may not pass through or repeat another one.
    fn insert(&mut self, path: &str, leaf: Leaf) -> CmdResult<()> {
        let mut node = self;
        let mut parts = crate::path::split(path, Use::Field)?.into_iter().peekable();
        while let Some(part) = parts.next() {
            let position = node.fields.iter().position(|(k, _)| k == part);
            if parts.peek().is_none() {
                if position.is_some() {
                    return Err(location_error!(31250, format!("Path collision at {path}")));
                }
                node.fields.push((part.to_string(), leaf.into()));
                return Ok(());
            }
            let index = position.unwrap_or_else(|| {
                node.fields
                    .push((part.to_string(), Child::Nested(Node::default())));
                node.fields.len() - 1
            });
            match node.fields.get_mut(index) {
                Some((_, Child::Nested(next))) => node = next,
                _ => {
                    let rest: Vec<&str> = parts.collect();
                    let message = format!(
                        "Path collision at {path} remaining portion {}",
                        rest.join(".")
                    );
                    return Err(location_error!(31249, message));
                }
            }
        }
        Ok(())
    }
}

/// Which values a specification accepts: find takes only flags, `$project` flags and
/// expressions, `$addFields` only expressions.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Find,
    Project,
    AddFields,
}

/// Turns a (possibly nested) specification into dotted paths and their leaves, in order.
fn flatten(
    spec: &Document,
    prefix: &str,
    mode: Mode,
    out: &mut Vec<(String, Leaf)>,
) -> CmdResult<()> {
    for (key, value) in spec {
        if key.is_empty() {
            let message = "FieldPath cannot be constructed with empty string";
            return Err(location_error!(40352, message));
        }
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        for part in crate::path::split(&path, Use::Field)? {
            validate_field_name(part)?;
        }
        let is_operator = matches!(value, Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')));
        let leaf = match (value, mode) {
            (Bson::Document(d), Mode::Find | Mode::Project) if d.is_empty() => {
                let message = format!("An empty sub-projection is not a valid value. Found empty object at path {path}");
                return Err(location_error!(51270, message));
            }
            (Bson::Document(d), _) if !d.is_empty() && !is_operator => {
                flatten(d, &path, mode, out)?;
                continue;
            }
            (Bson::Boolean(b), Mode::Find | Mode::Project) => flag(*b),
            // Any non-zero number (even NaN) includes.
            (n, Mode::Find | Mode::Project) if to_f64(n).is_some() => flag(to_f64(n) != Some(0.0)),
            (_, Mode::Find) => {
                let message = format!("Unsupported projection value for field '{path}': {value}");
                return Err(CommandError::bad_value(message));
            }
            _ => Leaf::Computed(Expr::parse(value)?),
        };
        out.push((path, leaf));
    }
    Ok(())
}

fn flag(include: bool) -> Leaf {
    if include {
        Leaf::Include
    } else {
        Leaf::Exclude
    }
}

/// The projection tree of the leaves.
fn tree(leaves: Vec<(String, Leaf)>) -> CmdResult<Node> {
    let mut root = Node::default();
    for (path, leaf) in leaves {
        root.insert(&path, leaf)?;
    }
    Ok(root)
}

/// Inclusion or exclusion, from the leaves in order; `_id` may go either way in both.
fn projection_kind(leaves: &[(String, Leaf)]) -> CmdResult<Kind> {
    let mut kind = None;
    let mut id_included = true;
    for (path, leaf) in leaves {
        match leaf {
            Leaf::Include | Leaf::Exclude if path == "_id" => {
                id_included = matches!(leaf, Leaf::Include)
            }
            Leaf::Include if kind == Some(Kind::Exclusion) => {
                let message =
                    format!("Cannot do inclusion on field {path} in exclusion projection");
                return Err(location_error!(31253, message));
            }
            Leaf::Computed(_) if kind == Some(Kind::Exclusion) => {
                let message = "Cannot use expression other than $meta in exclusion projection";
                return Err(location_error!(31252, message));
            }
            Leaf::Include | Leaf::Computed(_) => kind = Some(Kind::Inclusion),
            Leaf::Exclude if kind == Some(Kind::Inclusion) => {
                let message =
                    format!("Cannot do exclusion on field {path} in inclusion projection");
                return Err(location_error!(31254, message));
            }
            Leaf::Exclude => kind = Some(Kind::Exclusion),
        }
    }
    // A projection of `_id` alone includes or excludes just that.
    Ok(kind.unwrap_or(if id_included {
        Kind::Inclusion
    } else {
        Kind::Exclusion
    }))
}

#[cfg(test)]
mod tests;
