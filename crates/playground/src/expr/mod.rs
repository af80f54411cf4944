//! Aggregation expressions (`"$a.b"`, `{$add: [...]}`, `{x: <expr>}`) as MongoDB 7.0 parses and
//! evaluates them, for `$expr` in queries, projections and the pipeline stages. This file owns
//! the expression tree, field paths, the variables (`$$ROOT`, `$$CURRENT`, `$$REMOVE`, ...) and
//! truthiness; `ops.rs` parses every operator and evaluates the logical and conditional ones;
//! `numeric.rs` owns the arithmetic and `data.rs` strings, arrays, objects and conversions.

pub(crate) mod data;
pub(crate) mod numeric;
mod ops;

use std::cmp::Ordering;

use bson::{Bson, Document};

use crate::error::{location_error, CmdResult};
use crate::expr::ops::Op;
use crate::path::Use;
use crate::values::{compare, to_f64, type_name};

/// A parsed expression; evaluation yields `None` for "missing", which differs from null.
#[derive(Debug, Clone)]
pub struct Expr(Node);

#[derive(Debug, Clone)]
enum Node {
    Literal(Bson),
    /// A variable and the field path below it: `"$a.b"` is `CURRENT` then `a.b`.
    Path(Var, Vec<String>),
    Object(Vec<(String, Expr)>),
    Array(Vec<Expr>),
    Op(Box<Op>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Var {
    Root,
    Current,
    Remove,
    Descend,
    Prune,
    Keep,
}

/// What `$$ROOT` and `$$CURRENT` refer to; they differ only inside `$redact`.
pub(super) struct Scope<'a> {
    pub root: &'a Document,
    pub current: &'a Document,
}

impl Expr {
    pub fn parse(value: &Bson) -> CmdResult<Expr> {
        let node = match value {
            Bson::String(s) if s.starts_with('$') => parse_path(s)?,
            Bson::Document(d) => parse_document(d)?,
            Bson::Array(items) => {
                Node::Array(items.iter().map(Expr::parse).collect::<CmdResult<_>>()?)
            }
            other => Node::Literal(other.clone()),
        };
        Ok(Expr(node))
    }

    /// Evaluates with `$$ROOT` and `$$CURRENT` both set to `root`.
    pub fn eval(&self, root: &Document) -> CmdResult<Option<Bson>> {
        self.eval_in(&Scope {
            root,
            current: root,
        })
    }

    /// Evaluates with `$$CURRENT` (what `"$field"` reads) set to a sub-document of `root`.
    pub(super) fn eval_at(&self, root: &Document, current: &Document) -> CmdResult<Option<Bson>> {
        self.eval_in(&Scope { root, current })
    }

    pub(super) fn eval_in(&self, scope: &Scope) -> CmdResult<Option<Bson>> {
        match &self.0 {
            Node::Literal(value) => Ok(Some(value.clone())),
            Node::Path(var, fields) => Ok(eval_path(*var, fields, scope)),
            Node::Object(fields) => {
                let mut out = Document::new();
                for (name, expr) in fields {
                    // Missing values leave the field out.
                    if let Some(value) = expr.eval_in(scope)? {
                        out.insert(name.clone(), value);
                    }
                }
                Ok(Some(Bson::Document(out)))
            }
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    // An array cannot hold "missing", so it becomes null.
                    out.push(item.eval_in(scope)?.unwrap_or(Bson::Null));
                }
                Ok(Some(Bson::Array(out)))
            }
            Node::Op(op) => op.eval(scope),
        }
    }

    /// The value of a constant expression (a literal), used where MongoDB requires one.
    pub(super) fn constant(&self) -> Option<&Bson> {
        match &self.0 {
            Node::Literal(value) => Some(value),
            _ => None,
        }
    }
}

/// Null, undefined and missing: what most operators turn into a null result.
pub(super) fn nullish(value: Option<&Bson>) -> bool {
    matches!(value, None | Some(Bson::Null) | Some(Bson::Undefined))
}

/// MongoDB's truthiness: missing, null, undefined, false and zero are false.
pub fn truthy(value: &Option<Bson>) -> bool {
    match value {
        None | Some(Bson::Null) | Some(Bson::Undefined) => false,
        Some(Bson::Boolean(b)) => *b,
        Some(Bson::Int32(n)) => *n != 0,
        Some(Bson::Int64(n)) => *n != 0,
        Some(Bson::Double(d)) => *d != 0.0,
        Some(number @ Bson::Decimal128(_)) => to_f64(number) != Some(0.0),
        Some(_) => true,
    }
}

fn parse_document(d: &Document) -> CmdResult<Node> {
    let Some((first, arg)) = d.iter().next() else {
        return Ok(Node::Literal(Bson::Document(Document::new())));
    };
    if first.starts_with('$') {
        if d.len() != 1 {
            return Err(location_error!(
                15983,
                format!(
                    "An object representing an expression must have exactly one field: {}",
                    display_document(d)
                )
            ));
        }
        return match first.as_str() {
            "$literal" | "$const" => Ok(Node::Literal(arg.clone())),
            name => Ok(Node::Op(Box::new(Op::parse(name, arg)?))),
        };
    }
    let mut fields = Vec::with_capacity(d.len());
    for (name, value) in d {
        validate_field_name(name)?;
        if name.contains('.') {
            return Err(location_error!(
                16412,
                "FieldPath field names may not contain '.'."
            ));
        }
        fields.push((name.clone(), Expr::parse(value)?));
    }
    Ok(Node::Object(fields))
}

fn parse_path(raw: &str) -> CmdResult<Node> {
    if raw == "$" {
        return Err(location_error!(
            16872,
            "'$' by itself is not a valid FieldPath"
        ));
    }
    let (var, path) = match raw.strip_prefix("$$") {
        Some(rest) => {
            let (name, path) = rest
                .split_once('.')
                .map_or((rest, None), |(n, p)| (n, Some(p)));
            let var = match name {
                "" => {
                    return Err(location_error!(
                        16869,
                        "empty variable names are not allowed"
                    ))
                }
                "ROOT" => Var::Root,
                "CURRENT" => Var::Current,
                "REMOVE" => Var::Remove,
                "DESCEND" => Var::Descend,
                "PRUNE" => Var::Prune,
                "KEEP" => Var::Keep,
                _ => {
                    return Err(location_error!(
                        17276,
                        format!("Use of undefined variable: {name}")
                    ))
                }
            };
            (var, path)
        }
        None => (Var::Current, raw.get(1..)),
    };
    let parts = path
        .map(|p| crate::path::split(p, Use::Field))
        .transpose()?;
    let mut fields = Vec::new();
    for field in parts.into_iter().flatten() {
        validate_field_name(field)?;
        fields.push(field.to_string());
    }
    Ok(Node::Path(var, fields))
}

/// The checks MongoDB applies to each part of a field path.
pub(super) fn validate_field_name(name: &str) -> CmdResult<()> {
    if name.is_empty() {
        return Err(location_error!(
            15998,
            "FieldPath field names may not be empty strings."
        ));
    }
    if name.starts_with('$') {
        return Err(location_error!(
            16410,
            "FieldPath field names may not start with '$'. Consider using $getField or $setField."
        ));
    }
    Ok(())
}

fn eval_path(var: Var, fields: &[String], scope: &Scope) -> Option<Bson> {
    let doc = match var {
        Var::Root => scope.root,
        Var::Current => scope.current,
        Var::Remove => return None,
        // These evaluate to the strings `$redact` looks for.
        Var::Descend => return fields.is_empty().then(|| Bson::String("descend".into())),
        Var::Prune => return fields.is_empty().then(|| Bson::String("prune".into())),
        Var::Keep => return fields.is_empty().then(|| Bson::String("keep".into())),
    };
    if fields.is_empty() {
        return Some(Bson::Document(doc.clone()));
    }
    path_in_document(doc, fields)
}

/// Aggregation paths fan out over arrays of documents, giving an array of the values found;
/// numeric parts do not index arrays here (unlike query paths).
fn path_in_document(doc: &Document, fields: &[String]) -> Option<Bson> {
    let (first, rest) = fields.split_first()?;
    let value = doc.get(first)?;
    if rest.is_empty() {
        return Some(value.clone());
    }
    match value {
        Bson::Document(d) => path_in_document(d, rest),
        Bson::Array(items) => Some(Bson::Array(
            items
                .iter()
                .filter_map(|item| match item {
                    Bson::Document(d) => path_in_document(d, rest),
                    _ => None,
                })
                .collect(),
        )),
        _ => None,
    }
}

/// Aggregation's comparison: like sort order, but missing and undefined rank together just
/// below null (the query language treats them alike instead).
pub(super) fn compare_values(a: Option<&Bson>, b: Option<&Bson>) -> Ordering {
    fn low_rank(value: Option<&Bson>) -> u8 {
        match value {
            Some(Bson::MinKey) => 0,
            None | Some(Bson::Undefined) => 1,
            Some(Bson::Null) => 2,
            Some(_) => 3,
        }
    }
    match (a, b) {
        (Some(x), Some(y)) if low_rank(a) == 3 && low_rank(b) == 3 => compare(x, y),
        _ => low_rank(a).cmp(&low_rank(b)),
    }
}

/// The `$type` name of a possibly missing value.
pub(super) fn type_name_of(value: Option<&Bson>) -> &'static str {
    value.map_or("missing", type_name)
}

/// A possibly missing value as error messages show it.
pub(super) fn shown(value: Option<&Bson>) -> String {
    value.map_or_else(|| "MISSING".to_string(), display)
}

/// A value written the way MongoDB's error messages show it.
pub(super) fn display(value: &Bson) -> String {
    match value {
        Bson::String(s) => format!("\"{s}\""),
        Bson::Document(d) => display_document(d),
        Bson::Array(items) => format!(
            "[{}]",
            items.iter().map(display).collect::<Vec<_>>().join(", ")
        ),
        Bson::Double(d) => format!("{d:?}"),
        Bson::Int32(n) => n.to_string(),
        Bson::Int64(n) => n.to_string(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => "null".to_string(),
        Bson::ObjectId(id) => format!("ObjectId('{id}')"),
        Bson::DateTime(dt) => format!("new Date({})", dt.timestamp_millis()),
        other => other.to_string(),
    }
}

pub(super) fn display_document(d: &Document) -> String {
    if d.is_empty() {
        return "{}".to_string();
    }
    let fields: Vec<String> = d
        .iter()
        .map(|(k, v)| format!("{k}: {}", display(v)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn eval(expr: Bson, root: &Document) -> CmdResult<Option<Bson>> {
        Expr::parse(&expr)?.eval(root)
    }

    fn code(expr: Bson) -> i32 {
        Expr::parse(&expr).unwrap_err().code
    }

    #[test]
    fn field_paths_read_and_fan_out_over_arrays() {
        let root =
            doc! { "a": { "b": 1 }, "items": [{ "sku": "x" }, 5, { "other": 1 }, { "sku": "y" }] };
        assert_eq!(
            eval(Bson::from("$a.b"), &root).unwrap(),
            Some(Bson::Int32(1))
        );
        assert_eq!(
            eval(Bson::from("$items.sku"), &root).unwrap(),
            Some(bson::bson!(["x", "y"]))
        );
        assert_eq!(eval(Bson::from("$missing"), &root).unwrap(), None);
        assert_eq!(eval(Bson::from("$a.b.c"), &root).unwrap(), None);
        // Numeric parts are field names in aggregation, not array indexes.
        assert_eq!(
            eval(Bson::from("$items.0"), &root).unwrap(),
            Some(bson::bson!([]))
        );
    }

    #[test]
    fn variables() {
        let root = doc! { "a": 1 };
        assert_eq!(
            eval(Bson::from("$$ROOT"), &root).unwrap(),
            Some(Bson::Document(root.clone()))
        );
        assert_eq!(
            eval(Bson::from("$$CURRENT.a"), &root).unwrap(),
            Some(Bson::Int32(1))
        );
        assert_eq!(eval(Bson::from("$$REMOVE"), &root).unwrap(), None);
        assert_eq!(
            eval(Bson::from("$$PRUNE"), &root).unwrap(),
            Some(Bson::from("prune"))
        );
        let inner = doc! { "a": 2 };
        let expr = Expr::parse(&Bson::from("$a")).unwrap();
        assert_eq!(expr.eval_at(&root, &inner).unwrap(), Some(Bson::Int32(2)));
        assert_eq!(code(Bson::from("$$nope")), 17276);
        assert_eq!(code(Bson::from("$$")), 16869);
        assert_eq!(code(Bson::from("$")), 16872);
        assert_eq!(code(Bson::from("$a..b")), 15998);
        assert_eq!(code(Bson::from("$a.$b")), 16410);
    }

    #[test]
    fn literals_objects_and_arrays() {
        let root = doc! { "a": 1 };
        assert_eq!(
            eval(Bson::from("plain"), &root).unwrap(),
            Some(Bson::from("plain"))
        );
        assert_eq!(
            eval(bson::bson!({ "$literal": "$a" }), &root).unwrap(),
            Some(Bson::from("$a"))
        );
        assert_eq!(
            eval(
                bson::bson!({ "x": "$a", "gone": "$nope", "n": { "m": 2 } }),
                &root
            )
            .unwrap(),
            Some(bson::bson!({ "x": 1, "n": { "m": 2 } }))
        );
        assert_eq!(
            eval(bson::bson!(["$a", "$nope"]), &root).unwrap(),
            Some(bson::bson!([1, null]))
        );
        assert_eq!(eval(bson::bson!({}), &root).unwrap(), Some(bson::bson!({})));
        assert_eq!(code(bson::bson!({ "$add": [1], "$sub": 2 })), 15983);
        assert_eq!(code(bson::bson!({ "a.b": 1 })), 16412);
        let err = Expr::parse(&bson::bson!({ "$foo": 1 })).unwrap_err();
        assert_eq!(
            (err.code, err.code_name, err.message.as_str()),
            (
                168,
                "InvalidPipelineOperator",
                "Unrecognized expression '$foo'"
            )
        );
    }

    #[test]
    fn truthiness() {
        for falsy in [
            None,
            Some(Bson::Null),
            Some(Bson::Undefined),
            Some(Bson::Boolean(false)),
            Some(Bson::Int32(0)),
            Some(Bson::Int64(0)),
            Some(Bson::Double(0.0)),
        ] {
            assert!(!truthy(&falsy), "{falsy:?}");
        }
        for truthy_value in [
            Bson::Int32(2),
            Bson::from(""),
            bson::bson!([]),
            bson::bson!({}),
            Bson::Double(f64::NAN),
        ] {
            assert!(truthy(&Some(truthy_value.clone())), "{truthy_value:?}");
        }
    }

    #[test]
    fn missing_sorts_below_null() {
        assert_eq!(compare_values(None, Some(&Bson::Null)), Ordering::Less);
        assert_eq!(compare_values(None, None), Ordering::Equal);
        assert_eq!(
            compare_values(Some(&Bson::Undefined), None),
            Ordering::Equal
        );
        assert_eq!(compare_values(Some(&Bson::MinKey), None), Ordering::Less);
        assert_eq!(
            compare_values(Some(&Bson::from("a")), Some(&Bson::Int32(5))),
            Ordering::Greater
        );
    }

    #[test]
    fn display_matches_mongodb_style() {
        assert_eq!(
            display(&bson::bson!({ "a": [1, "x", null], "b": 1.5 })),
            "{a: [1, \"x\", null], b: 1.5}"
        );
    }
}
