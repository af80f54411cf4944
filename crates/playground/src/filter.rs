//! The public face of `query`: a MongoDB query filter compiled once and tested against
//! documents a program already holds (mwatch previews a `$match` on the events it shows). It
//! wraps the filter the server itself runs for `find` and `$match`, so both agree.

use bson::{Document, RawDocument};

use crate::error::CommandError;
use crate::query;

/// A compiled MongoDB query filter, as `find` and `$match` take it.
///
/// [`Filter::parse`] checks and compiles the filter once (regexes included);
/// [`Filter::matches`] then tests documents with MongoDB 7.0's semantics: dotted paths that
/// fan out over arrays and index them (`"items.0.sku"`), an array matching when it or any of
/// its elements does, null matching a missing field, comparisons only within one type bracket
/// (numbers of any BSON type compare by value), and strings compared by their bytes (the
/// simple collation; there is no other).
///
/// ```
/// use bson::doc;
/// use mwatch_playground::Filter;
///
/// let filter = Filter::parse(&doc! {
///     "operationType": { "$in": ["insert", "update"] },
///     "fullDocument.qty": { "$gte": 10 },
/// })
/// .unwrap();
/// let event = doc! {
///     "operationType": "insert",
///     "ns": { "db": "shop", "coll": "orders" },
///     "fullDocument": { "_id": 1, "qty": 12 },
/// };
/// assert!(filter.matches(&event));
/// ```
///
/// # Operators
///
/// - Equality: `{field: value}`, a regex value, and whole documents and arrays (field order
///   counts, as in MongoDB). A DBRef (`{$ref, $id}`) is a value, not an operator.
/// - Comparison: `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin` (`$in` and `$nin`
///   take regexes too).
/// - Logical: `$and`, `$or`, `$nor` at the top level, `$not` on a field (an operator
///   document or a regex).
/// - Element: `$exists`, `$type` (aliases such as `"string"` and `"number"`, numeric codes,
///   or an array of them).
/// - Evaluation: `$regex` with `$options` (`i`, `m`, `s`, `x`, `u`), `$mod`, and `$expr` with
///   these aggregation expressions: `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$cmp`, `$and`,
///   `$or`, `$not`, `$cond`, `$ifNull`, `$switch`, `$in`, `$add`, `$subtract`, `$multiply`,
///   `$divide`, `$mod`, `$abs`, `$concat`, `$toLower`, `$toUpper`, `$strLenCP`, `$substrCP`,
///   `$size`, `$arrayElemAt`, `$isArray`, `$type`, `$getField`, `$mergeObjects`,
///   `$objectToArray`, `$toString`, `$literal`, field paths and the variables `$$ROOT`,
///   `$$CURRENT`, `$$REMOVE`, `$$DESCEND`, `$$PRUNE`, `$$KEEP`. An `$expr` that fails on a
///   document (say `$add` of a string) does not match it.
/// - Array: `$all` (values, regexes, or `$elemMatch` conditions), `$elemMatch`, `$size`.
/// - `$comment` is accepted and ignored.
///
/// # Refused
///
/// Parsing fails with a [`FilterError`] carrying MongoDB's code and message:
///
/// - operators MongoDB has and this crate does not implement, with code 2 (BadValue) and
///   "`<op>` is not supported": `$where`, `$text`, `$jsonSchema`, `$alwaysTrue`, `$alwaysFalse`
///   at the top level; `$geoWithin`, `$geoIntersects`, `$near`, `$nearSphere`, `$within` and
///   the `$bits…` operators on a field;
/// - unknown operators, with code 2: "unknown operator: `$x`" on a field, "unknown top level
///   operator: `$x`…" at the top level;
/// - malformed arguments with MongoDB's codes and messages, for instance 2 for
///   `{$in: 1}` ("$in needs an array"), 168 (InvalidPipelineOperator) for an unknown
///   expression in `$expr`, 17276 for an undefined variable such as `$$NOW`, 51091 for an
///   invalid regex.
#[derive(Debug, Clone)]
pub struct Filter(query::Filter);

/// Why [`Filter::parse`] refused a filter, as MongoDB would report it in a command error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code_name} ({code}): {message}")]
pub struct FilterError {
    /// MongoDB's numeric error code, e.g. 2.
    pub code: i32,
    /// MongoDB's name for the code, e.g. `"BadValue"`, or `"Location<code>"` for codes
    /// without a name.
    pub code_name: &'static str,
    /// The message, e.g. `"unknown operator: $foo"`.
    pub message: String,
}

impl From<CommandError> for FilterError {
    fn from(e: CommandError) -> Self {
        FilterError {
            code: e.code,
            code_name: e.code_name,
            message: e.message,
        }
    }
}

impl Filter {
    /// Compiles a filter; see [`Filter`] for the operators it takes and how it refuses others.
    pub fn parse(filter: &Document) -> Result<Filter, FilterError> {
        Ok(Filter(query::Filter::parse(filter)?))
    }

    /// Whether `doc` matches, as a `find` with this filter or a `$match` stage would decide.
    pub fn matches(&self, doc: &Document) -> bool {
        self.0.matches(doc)
    }

    /// [`Filter::matches`] for raw BSON, such as a change event kept as bytes. The document is
    /// decoded once and then matched; bytes that are not a valid BSON document match nothing.
    pub fn matches_raw(&self, doc: &RawDocument) -> bool {
        Document::try_from(doc).is_ok_and(|doc| self.matches(&doc))
    }
}
