//! BSON as mongosh prints it (`ObjectId('..')`, `ISODate('..')`, unquoted keys), as pieces of
//! text tagged with a kind so the screen can colour them. Works on raw BSON, so only what is
//! shown is ever decoded, and stops after the lines that fit.

use base64::Engine;
use bson::spec::BinarySubtype;
use bson::{RawArray, RawBsonRef, RawDocument};

use crate::nesting::{MARKER, MAX_DEPTH};
use crate::printable;

/// Nested values shorter than this stay on one line, as in mongosh (or the screen's width,
/// if narrower).
const INLINE_WIDTH: usize = 72;
const INDENT: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Field,
    Str,
    Number,
    /// `ObjectId(..)`, `ISODate(..)`, `Long(..)` and the other typed values.
    Typed,
    /// `null`, `true`, `false`.
    Keyword,
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub kind: Kind,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocLine {
    /// In columns.
    pub indent: usize,
    pub pieces: Vec<Piece>,
}

impl DocLine {
    pub fn text(&self) -> String {
        let mut text = " ".repeat(self.indent);
        for piece in &self.pieces {
            text.push_str(&piece.text);
        }
        text
    }
}

fn piece(kind: Kind, text: impl Into<String>) -> Piece {
    Piece {
        kind,
        text: text.into(),
    }
}

/// The first `limit` lines of `doc`, pretty-printed for a screen `width` columns wide.
pub fn lines(doc: &RawDocument, limit: usize, width: usize) -> Vec<DocLine> {
    let mut out = Printer {
        lines: Vec::new(),
        limit,
        inline_width: width.min(INLINE_WIDTH),
    };
    let mut first = DocLine::default();
    // The top level always opens up, one field a line, however small.
    if doc.iter().next().is_some() {
        out.document(&mut first, doc, 0);
    } else {
        first.pieces.push(piece(Kind::Punct, "{}"));
    }
    out.finish(first);
    out.lines
}

/// `value` on one line, cut to at most `max` characters (ending in `…` when cut).
pub fn inline(value: RawBsonRef<'_>, max: usize) -> String {
    let mut text = String::new();
    for p in inline_pieces(value, max.saturating_add(1)) {
        text.push_str(&p.text);
    }
    if text.chars().count() > max {
        text = text.chars().take(max.saturating_sub(1)).collect();
        text.push('…');
    }
    text
}

/// `value` on one line as pieces; stops once about `budget` characters are produced.
pub fn inline_pieces(value: RawBsonRef<'_>, budget: usize) -> Vec<Piece> {
    pieces_at(value, budget, 0)
}

/// [`inline_pieces`] of a value `depth` levels down.
fn pieces_at(value: RawBsonRef<'_>, budget: usize, depth: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut used = 0;
    push_inline(&mut pieces, &mut used, value, budget, depth);
    pieces
}

/// What stands for a document or an array [`MAX_DEPTH`] levels down: nothing walks deeper.
fn too_deep(value: RawBsonRef<'_>) -> Option<Piece> {
    let text = match value {
        RawBsonRef::Document(_) => format!("{{ {MARKER} }}"),
        RawBsonRef::Array(_) => format!("[ {MARKER} ]"),
        _ => return None,
    };
    Some(piece(Kind::Punct, text))
}

/// Appends one piece; returns false once `budget` is exceeded.
fn add(out: &mut Vec<Piece>, used: &mut usize, p: Piece, budget: usize) -> bool {
    *used += p.text.chars().count();
    out.push(p);
    *used <= budget
}

/// Appends the one-line form of `value`, `depth` levels down; returns false once `budget` is
/// exceeded.
fn push_inline(
    out: &mut Vec<Piece>,
    used: &mut usize,
    value: RawBsonRef<'_>,
    budget: usize,
    depth: usize,
) -> bool {
    let punct = |text: &str| piece(Kind::Punct, text);
    if depth >= MAX_DEPTH {
        if let Some(marker) = too_deep(value) {
            return add(out, used, marker, budget);
        }
    }
    match value {
        RawBsonRef::Document(doc) => {
            let mut entries = doc.iter().peekable();
            if entries.peek().is_none() {
                return add(out, used, punct("{}"), budget);
            }
            if !add(out, used, punct("{ "), budget) {
                return false;
            }
            for (i, entry) in entries.enumerate() {
                let Ok((key, value)) = entry else { break };
                if (i > 0 && !add(out, used, punct(", "), budget))
                    || !add(out, used, piece(Kind::Field, key_text(key)), budget)
                    || !add(out, used, punct(": "), budget)
                    || !push_inline(out, used, value, budget, depth + 1)
                {
                    return false;
                }
            }
            add(out, used, punct(" }"), budget)
        }
        RawBsonRef::Array(array) => {
            let mut items = array.into_iter().peekable();
            if items.peek().is_none() {
                return add(out, used, punct("[]"), budget);
            }
            if !add(out, used, punct("[ "), budget) {
                return false;
            }
            for (i, item) in items.enumerate() {
                let Ok(item) = item else { break };
                if (i > 0 && !add(out, used, punct(", "), budget))
                    || !push_inline(out, used, item, budget, depth + 1)
                {
                    return false;
                }
            }
            add(out, used, punct(" ]"), budget)
        }
        scalar => add(out, used, scalar_piece(scalar), budget),
    }
}

struct Printer {
    lines: Vec<DocLine>,
    limit: usize,
    inline_width: usize,
}

impl Printer {
    fn full(&self) -> bool {
        self.lines.len() >= self.limit
    }

    fn finish(&mut self, line: DocLine) {
        if !self.full() {
            self.lines.push(line);
        }
    }

    /// Writes `value` starting on `line` (which already holds the key); may emit finished
    /// lines and leaves the last, unfinished one in `line`.
    fn value(&mut self, line: &mut DocLine, value: RawBsonRef<'_>, depth: usize) {
        let room = self.inline_width.saturating_sub(line.indent + width(line));
        let pieces = pieces_at(value, room, depth);
        let fits = pieces.iter().map(|p| p.text.chars().count()).sum::<usize>() <= room;
        // Past the limit, the pieces are the marker: it stays on the line, fitting or not.
        let container = matches!(value, RawBsonRef::Document(_) | RawBsonRef::Array(_));
        if fits || !container || depth >= MAX_DEPTH {
            line.pieces.extend(pieces);
            return;
        }
        match value {
            RawBsonRef::Document(doc) => self.document(line, doc, depth),
            RawBsonRef::Array(array) => self.array(line, array, depth),
            _ => {}
        }
    }

    fn document(&mut self, line: &mut DocLine, doc: &RawDocument, depth: usize) {
        line.pieces.push(piece(Kind::Punct, "{"));
        let entries: Vec<_> = doc.iter().filter_map(Result::ok).collect();
        let count = entries.len();
        for (i, (key, value)) in entries.into_iter().enumerate() {
            if self.full() {
                return;
            }
            self.finish(std::mem::take(line));
            line.indent = (depth + 1) * INDENT;
            line.pieces.push(piece(Kind::Field, key_text(key)));
            line.pieces.push(piece(Kind::Punct, ": "));
            self.value(line, value, depth + 1);
            if i + 1 < count {
                line.pieces.push(piece(Kind::Punct, ","));
            }
        }
        self.finish(std::mem::take(line));
        line.indent = depth * INDENT;
        line.pieces.push(piece(Kind::Punct, "}"));
    }

    fn array(&mut self, line: &mut DocLine, array: &RawArray, depth: usize) {
        line.pieces.push(piece(Kind::Punct, "["));
        let items: Vec<_> = array.into_iter().filter_map(Result::ok).collect();
        let count = items.len();
        for (i, item) in items.into_iter().enumerate() {
            if self.full() {
                return;
            }
            self.finish(std::mem::take(line));
            line.indent = (depth + 1) * INDENT;
            self.value(line, item, depth + 1);
            if i + 1 < count {
                line.pieces.push(piece(Kind::Punct, ","));
            }
        }
        self.finish(std::mem::take(line));
        line.indent = depth * INDENT;
        line.pieces.push(piece(Kind::Punct, "]"));
    }
}

fn width(line: &DocLine) -> usize {
    line.pieces.iter().map(|p| p.text.chars().count()).sum()
}

/// Keys that are identifiers stay bare, others are quoted (`'a.b'`), as mongosh does.
pub fn key_text(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        key.to_string()
    } else {
        quote(key)
    }
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c => printable::push(&mut out, c),
        }
    }
    out.push('\'');
    out
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:?}")
    }
}

fn uuid(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn scalar_piece(value: RawBsonRef<'_>) -> Piece {
    let typed = |text: String| piece(Kind::Typed, text);
    match value {
        RawBsonRef::Double(v) => piece(Kind::Number, number(v)),
        RawBsonRef::Int32(v) => piece(Kind::Number, v.to_string()),
        RawBsonRef::Int64(v) => typed(format!("Long('{v}')")),
        RawBsonRef::Decimal128(v) => typed(format!("Decimal128('{v}')")),
        RawBsonRef::String(s) => piece(Kind::Str, quote(s)),
        RawBsonRef::Boolean(b) => piece(Kind::Keyword, b.to_string()),
        RawBsonRef::Null => piece(Kind::Keyword, "null"),
        RawBsonRef::Undefined => piece(Kind::Keyword, "undefined"),
        RawBsonRef::ObjectId(id) => typed(format!("ObjectId('{id}')")),
        RawBsonRef::DateTime(dt) => typed(match super::iso_date(dt) {
            Some(text) => format!("ISODate('{text}')"),
            None => format!("new Date({})", dt.timestamp_millis()),
        }),
        RawBsonRef::Timestamp(ts) => typed(format!(
            "Timestamp({{ t: {}, i: {} }})",
            ts.time, ts.increment
        )),
        RawBsonRef::Binary(bin) if bin.subtype == BinarySubtype::Uuid && bin.bytes.len() == 16 => {
            typed(format!("UUID('{}')", uuid(bin.bytes)))
        }
        RawBsonRef::Binary(bin) => typed(format!(
            "Binary.createFromBase64('{}', {})",
            base64::engine::general_purpose::STANDARD.encode(bin.bytes),
            u8::from(bin.subtype)
        )),
        RawBsonRef::RegularExpression(re) => typed(format!(
            "/{}/{}",
            printable::printable(re.pattern),
            printable::printable(re.options)
        )),
        RawBsonRef::JavaScriptCode(code) => typed(format!("Code({})", quote(code))),
        RawBsonRef::JavaScriptCodeWithScope(code) => {
            typed(format!("Code({}, {{…}})", quote(code.code)))
        }
        RawBsonRef::Symbol(s) => typed(format!("Symbol({})", quote(s))),
        RawBsonRef::MaxKey => typed("MaxKey()".to_string()),
        RawBsonRef::MinKey => typed("MinKey()".to_string()),
        RawBsonRef::DbPointer(_) => typed("DBPointer(…)".to_string()),
        // Containers are handled by the callers; this keeps the match total.
        RawBsonRef::Document(_) => piece(Kind::Punct, "{…}"),
        RawBsonRef::Array(_) => piece(Kind::Punct, "[…]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, oid::ObjectId, Binary, DateTime, Decimal128, Regex, Timestamp};

    fn text(doc: &bson::Document, limit: usize) -> String {
        let raw = bson::RawDocumentBuf::from_document(doc).unwrap();
        lines(&raw, limit, 80)
            .iter()
            .map(DocLine::text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn prints_types_as_mongosh_does() {
        let id = ObjectId::parse_str("64b7f0a1e4b0a1a2b3c4d5e6").unwrap();
        let doc = doc! {
            "_id": id,
            "n": 1, "big": 5_i64, "x": 2.5, "whole": 3.0,
            "at": DateTime::from_millis(0),
            "ts": Timestamp { time: 7, increment: 2 },
            "re": Regex { pattern: "^a".into(), options: "i".into() },
            "u": Binary { subtype: BinarySubtype::Uuid, bytes: vec![0x11; 16] },
            "d": "2.50".parse::<Decimal128>().unwrap(),
            "s": "it's", "a.b": true, "nil": null,
        };
        assert_eq!(
            text(&doc, 100),
            "{\n  _id: ObjectId('64b7f0a1e4b0a1a2b3c4d5e6'),\n  n: 1,\n  big: Long('5'),\n  x: 2.5,\n  whole: 3,\n  at: ISODate('1970-01-01T00:00:00.000Z'),\n  ts: Timestamp({ t: 7, i: 2 }),\n  re: /^a/i,\n  u: UUID('11111111-1111-1111-1111-111111111111'),\n  d: Decimal128('2.50'),\n  s: 'it\\'s',\n  'a.b': true,\n  nil: null\n}"
        );
    }

    #[test]
    fn small_values_stay_inline_and_large_ones_nest() {
        let doc = doc! {
            "ns": { "db": "shop", "coll": "orders" },
            "items": [ { "sku": "a-very-long-stock-keeping-unit", "qty": 1 }, { "sku": "another-long-stock-keeping-unit", "qty": 2 } ],
            "empty": {}, "none": [],
        };
        assert_eq!(
            text(&doc, 100),
            "{\n  ns: { db: 'shop', coll: 'orders' },\n  items: [\n    { sku: 'a-very-long-stock-keeping-unit', qty: 1 },\n    { sku: 'another-long-stock-keeping-unit', qty: 2 }\n  ],\n  empty: {},\n  none: []\n}"
        );
    }

    #[test]
    fn stops_at_the_line_limit() {
        let doc = doc! { "a": 1, "b": 2, "c": 3, "d": 4 };
        assert_eq!(text(&doc, 3), "{\n  a: 1,\n  b: 2,");
        assert_eq!(text(&doc, 0), "");
    }

    /// However deep the document, the lines stop at the limit with a marker, on a test
    /// thread's stack.
    #[test]
    fn nesting_past_the_limit_is_marked() {
        for depth in [MAX_DEPTH + 1, 100_000] {
            let doc = mwatch_testkit::deep::nested(depth);
            let lines = lines(&doc, usize::MAX, 80);
            // The first line opens the outermost level; the one after the deepest shown says
            // what is below.
            let deepest = &lines[MAX_DEPTH];
            assert_eq!(deepest.indent, MAX_DEPTH * INDENT);
            assert_eq!(deepest.text().trim(), "d: { … nested too deeply }");
            let value = RawBsonRef::Document(&doc);
            let text = inline(value, usize::MAX);
            assert!(text.contains("{ d: { … nested too deeply } }"));
            assert!(!text.contains("x: 1"));
        }
    }

    #[test]
    fn inline_cuts_with_an_ellipsis() {
        let raw = bson::RawDocumentBuf::from_document(&doc! { "_id": "abcdefghij" }).unwrap();
        let value = RawBsonRef::Document(&raw);
        assert_eq!(inline(value, 100), "{ _id: 'abcdefghij' }");
        assert_eq!(inline(value, 10), "{ _id: 'a…");
    }
}
