//! What the detail view shows for an event, tab by tab, as lines of tagged text. Kept apart
//! from the drawing so that scrolling can clamp to it and tests can read it.

use bson::{RawBsonRef, RawDocument};

use crate::diff::{diff, Change};
use crate::event::{ChangeEvent, OpType};
use crate::format::mongosh::{self, DocLine, Kind, Piece};
use crate::printable::{into_printable, printable};
use crate::source::{FullDocument, PreImage, Scope, StreamOptions};

use super::msg::Tab;
use super::state::State;

/// Characters of a value shown on one diff line.
const VALUE_WIDTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    Added,
    Removed,
    Changed,
    /// An explanation or a hint, not data.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    pub mark: Mark,
    pub line: DocLine,
}

impl DetailLine {
    /// A note; it may name what the server sent (an operation type).
    fn note(text: impl Into<String>) -> DetailLine {
        let text = into_printable(text.into());
        DetailLine {
            mark: Mark::Note,
            line: DocLine {
                indent: 0,
                pieces: vec![Piece {
                    kind: Kind::Punct,
                    text,
                }],
            },
        }
    }

    pub fn text(&self) -> String {
        self.line.text()
    }

    /// A diff line's sign (`+ `, `- `, `~ `, `✂ `): it is repeated on every row the line
    /// wraps to, so that each row says what it is.
    pub fn marker(&self) -> Option<&str> {
        match self.mark {
            Mark::Added | Mark::Removed | Mark::Changed => {
                self.line.pieces.first().map(|piece| piece.text.as_str())
            }
            Mark::Plain | Mark::Note => None,
        }
    }

    /// Where the line breaks into rows on a screen `width` columns wide: the character
    /// offset each row starts at. Rows after the first begin with the line's marker, if any.
    pub fn row_starts(&self, width: usize) -> Vec<usize> {
        let lead = self.marker().map_or(0, |m| m.chars().count());
        row_starts(&self.text(), width, lead)
    }
}

/// Character offsets where `text` breaks into rows of `width` columns, the rows after the
/// first having `lead` columns fewer (for a repeated marker): after the last space that fits
/// (a space just past the edge may end a row: it shows as nothing), else (one long word) at
/// the edge.
pub fn row_starts(text: &str, width: usize, lead: usize) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut starts = vec![0];
    let mut start = 0;
    let mut room = width.max(1);
    while chars.len() - start > room {
        let edge = start + room;
        let after_space = (start + 1..=edge + 1)
            .rev()
            .find(|&i| chars[i - 1] == ' ' && chars.get(i) != Some(&' '));
        start = after_space.unwrap_or(edge);
        starts.push(start);
        room = width.saturating_sub(lead).max(1);
    }
    starts
}

/// What the content depends on beyond the event.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub options: &'a StreamOptions,
    /// The event's collection has pre- and post-images enabled.
    pub images_enabled: bool,
    /// Columns available, for laying out documents.
    pub width: usize,
}

impl Context<'_> {
    /// The context of the event selected in `state`.
    pub fn of(state: &State) -> Context<'_> {
        let images_enabled = state
            .events
            .selected_event()
            .and_then(|e| e.namespace())
            .and_then(|ns| Scope::parse(&ns).ok())
            .is_some_and(|scope| state.namespaces.images(&scope));
        Context {
            options: &state.watch.spec.options,
            images_enabled,
            width: state.detail.width,
        }
    }
}

fn document<'a>(event: &'a ChangeEvent, field: &str) -> Option<&'a RawDocument> {
    event.raw().get_document(field).ok()
}

fn plain(doc: &RawDocument, limit: usize, width: usize) -> Vec<DetailLine> {
    mongosh::lines(doc, limit, width)
        .into_iter()
        .map(|line| DetailLine {
            mark: Mark::Plain,
            line,
        })
        .collect()
}

/// The first `limit` lines of `tab` for `event`.
pub fn content(event: &ChangeEvent, tab: Tab, context: Context, limit: usize) -> Vec<DetailLine> {
    let mut lines = match tab {
        Tab::Event => plain(event.raw(), limit, context.width),
        Tab::FullDocument => match document(event, "fullDocument") {
            Some(doc) => plain(doc, limit, context.width),
            None => missing_full_document(event, context),
        },
        Tab::PreImage => match document(event, "fullDocumentBeforeChange") {
            Some(doc) => plain(doc, limit, context.width),
            None => {
                let mut lines = vec![DetailLine::note("No pre-image in this event.")];
                lines.extend(pre_image_hint(event, context));
                lines
            }
        },
        Tab::Diff => diff_lines(event, context),
    };
    lines.truncate(limit);
    lines
}

fn missing_full_document(event: &ChangeEvent, context: Context) -> Vec<DetailLine> {
    let mut lines = vec![DetailLine::note(format!(
        "No full document in this {} event.",
        event.op_name()
    ))];
    let asked = context
        .options
        .full_document
        .is_some_and(|f| f != FullDocument::Default);
    if event.op() == OpType::Update && !asked {
        lines.push(DetailLine::note(
            "Updates carry one with fullDocument: updateLookup (press o to set it).",
        ));
    }
    lines
}

/// How to get pre-images: enable them on the collection, or ask for them in the options.
fn pre_image_hint(event: &ChangeEvent, context: Context) -> Vec<DetailLine> {
    if !matches!(
        event.op(),
        OpType::Update | OpType::Replace | OpType::Delete
    ) {
        return Vec::new();
    }
    let asked = context
        .options
        .pre_image
        .is_some_and(|p| p != PreImage::Off);
    if context.images_enabled && !asked {
        return vec![DetailLine::note(
            "Pre-images are enabled on this collection: press o and set fullDocumentBeforeChange to whenAvailable.",
        )];
    }
    let ns = event.raw().get_document("ns").ok();
    let db = ns.and_then(|ns| ns.get_str("db").ok()).unwrap_or("<db>");
    let coll = ns
        .and_then(|ns| ns.get_str("coll").ok())
        .unwrap_or("<collection>");
    let mut lines = vec![DetailLine::note(format!(
        "Enable pre-images: db.getSiblingDB({}).runCommand({{ collMod: {}, changeStreamPreAndPostImages: {{ enabled: true }} }})",
        quoted(db),
        quoted(coll)
    ))];
    if !asked {
        lines.push(DetailLine::note(
            "then press o and set fullDocumentBeforeChange to whenAvailable.",
        ));
    }
    lines
}

fn quoted(text: &str) -> String {
    mongosh::inline(RawBsonRef::String(text), usize::MAX)
}

fn diff_line(mark: Mark, sign: &str, path: &str, values: &[RawBsonRef<'_>]) -> DetailLine {
    let mut pieces = vec![
        Piece {
            kind: Kind::Punct,
            text: sign.to_string(),
        },
        Piece {
            kind: Kind::Field,
            text: printable(path).into_owned(),
        },
    ];
    for (i, value) in values.iter().enumerate() {
        pieces.push(Piece {
            kind: Kind::Punct,
            text: if i == 0 { ": " } else { " → " }.to_string(),
        });
        pieces.extend(mongosh::inline_pieces(*value, VALUE_WIDTH));
    }
    DetailLine {
        mark,
        line: DocLine { indent: 0, pieces },
    }
}

/// A structural diff of the pre-image and the post-image; else what `updateDescription` says.
fn diff_lines(event: &ChangeEvent, context: Context) -> Vec<DetailLine> {
    let before = document(event, "fullDocumentBeforeChange");
    let after = document(event, "fullDocument");
    let empty = bson::rawdoc! {};
    let no_pre_image = before.is_none();
    let (before, after, heading) = match (event.op(), before, after) {
        (OpType::Insert, _, Some(after)) => (&*empty, after, "Inserted document:"),
        (OpType::Delete, Some(before), _) => (before, &*empty, "Deleted document (pre-image):"),
        // A replace carries its replacement, whatever fullDocument asked for.
        (OpType::Replace, Some(before), Some(after)) => {
            (before, after, "Pre-image → replacement document:")
        }
        (OpType::Replace, None, Some(after)) => (
            &*empty,
            after,
            "Replacement document (no pre-image to compare it with):",
        ),
        (OpType::Update, Some(before), Some(after)) => {
            let source = match context.options.full_document {
                Some(FullDocument::UpdateLookup) => "Pre-image → current document (updateLookup):",
                _ => "Pre-image → post-image:",
            };
            (before, after, source)
        }
        _ => return update_description_lines(event, context),
    };
    let differences = diff(before, after);
    let mut lines = vec![DetailLine::note(heading)];
    if differences.is_empty() {
        lines.push(DetailLine::note("No field changed."));
    }
    for d in &differences {
        lines.push(match &d.change {
            Change::Added(v) => diff_line(Mark::Added, "+ ", &d.path, &[*v]),
            Change::Removed(v) => diff_line(Mark::Removed, "- ", &d.path, &[*v]),
            Change::Changed { before, after } => {
                diff_line(Mark::Changed, "~ ", &d.path, &[*before, *after])
            }
        });
    }
    if no_pre_image && event.op() == OpType::Replace {
        lines.extend(pre_image_hint(event, context));
    }
    lines
}

fn update_description_lines(event: &ChangeEvent, context: Context) -> Vec<DetailLine> {
    let Ok(description) = event.raw().get_document("updateDescription") else {
        let mut lines = vec![DetailLine::note(format!(
            "Nothing to compare in this {} event.",
            event.op_name()
        ))];
        lines.extend(pre_image_hint(event, context));
        return lines;
    };
    let mut lines = vec![DetailLine::note(
        "From updateDescription (no pre-image, so new values only):",
    )];
    if let Ok(updated) = description.get_document("updatedFields") {
        for (path, value) in updated.iter().filter_map(Result::ok) {
            lines.push(diff_line(Mark::Changed, "~ ", path, &[value]));
        }
    }
    if let Ok(removed) = description.get_array("removedFields") {
        for path in removed.into_iter().filter_map(Result::ok) {
            if let RawBsonRef::String(path) = path {
                lines.push(diff_line(Mark::Removed, "- ", path, &[]));
            }
        }
    }
    if let Ok(truncated) = description.get_array("truncatedArrays") {
        for entry in truncated.into_iter().filter_map(Result::ok) {
            let RawBsonRef::Document(entry) = entry else {
                continue;
            };
            let field = entry.get_str("field").unwrap_or("?");
            let size = entry.get("newSize").ok().flatten();
            let mut line = diff_line(Mark::Changed, "✂ ", field, &[]);
            line.line.pieces.push(Piece {
                kind: Kind::Punct,
                text: " truncated to ".to_string(),
            });
            line.line.pieces.extend(
                size.map(|s| mongosh::inline_pieces(s, VALUE_WIDTH))
                    .unwrap_or_default(),
            );
            lines.push(line);
        }
    }
    lines.extend(pre_image_hint(event, context));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn texts(
        event: bson::Document,
        tab: Tab,
        options: &StreamOptions,
        images: bool,
    ) -> Vec<String> {
        let event = ChangeEvent::from_document(&event).unwrap();
        let context = Context {
            options,
            images_enabled: images,
            width: 80,
        };
        content(&event, tab, context, 100)
            .iter()
            .map(DetailLine::text)
            .collect()
    }

    #[test]
    fn long_lines_break_after_a_space_or_else_at_the_edge() {
        assert_eq!(row_starts("short", 10, 0), [0]);
        assert_eq!(row_starts("Enable pre-images: db.run", 12, 0), [0, 7, 19]);
        assert_eq!(
            row_starts("abcd efgh ij", 4, 0),
            [0, 5, 10],
            "the space past the edge ends the row"
        );
        assert_eq!(row_starts(&"x".repeat(25), 10, 0), [0, 10, 20]);
        assert_eq!(row_starts("", 10, 0), [0]);
    }

    #[test]
    fn diffs_pre_and_post_images() {
        let event = doc! {
            "operationType": "update",
            "ns": { "db": "shop", "coll": "orders" },
            "fullDocumentBeforeChange": { "_id": 1, "status": "new", "items": ["a"] },
            "fullDocument": { "_id": 1, "status": "paid", "items": ["a", "b"] },
        };
        let options = StreamOptions::default();
        assert_eq!(
            texts(event, Tab::Diff, &options, true),
            [
                "Pre-image → post-image:",
                "~ status: 'new' → 'paid'",
                "+ items.1: 'b'",
            ]
        );
    }

    #[test]
    fn falls_back_to_the_update_description_with_the_collmod_hint() {
        let event = doc! {
            "operationType": "update",
            "ns": { "db": "shop", "coll": "orders" },
            "updateDescription": {
                "updatedFields": { "status": "paid", "warehouse.bin": "A20" },
                "removedFields": ["note"],
                "truncatedArrays": [{ "field": "items", "newSize": 1 }],
            },
        };
        let options = StreamOptions::default();
        let lines = texts(event.clone(), Tab::Diff, &options, false);
        assert_eq!(
            lines[1..5],
            [
                "~ status: 'paid'",
                "~ warehouse.bin: 'A20'",
                "- note",
                "✂ items truncated to 1"
            ]
        );
        assert!(lines[5].contains("runCommand({ collMod: 'orders', changeStreamPreAndPostImages: { enabled: true } })"), "{lines:?}");
        let enabled = texts(event, Tab::PreImage, &options, true);
        assert!(enabled[1].contains("press o"), "{enabled:?}");
    }

    #[test]
    fn inserts_show_every_field_added_and_missing_documents_say_why() {
        let options = StreamOptions::default();
        let insert = doc! { "operationType": "insert", "fullDocument": { "_id": 7, "n": 1 } };
        assert_eq!(
            texts(insert, Tab::Diff, &options, false),
            ["Inserted document:", "+ _id: 7", "+ n: 1"]
        );
        let update = doc! { "operationType": "update" };
        let lines = texts(update, Tab::FullDocument, &options, false);
        assert!(lines[1].contains("updateLookup"), "{lines:?}");
    }

    #[test]
    fn a_replace_is_compared_with_its_own_document_or_shows_it() {
        // Even with updateLookup asked for, a replace carries the replacement itself.
        let options = StreamOptions {
            full_document: Some(FullDocument::UpdateLookup),
            ..StreamOptions::default()
        };
        let replace = doc! {
            "operationType": "replace",
            "ns": { "db": "shop", "coll": "inventory" },
            "fullDocumentBeforeChange": { "_id": "lamp", "stock": 3 },
            "fullDocument": { "_id": "lamp", "stock": 12 },
        };
        assert_eq!(
            texts(replace.clone(), Tab::Diff, &options, true),
            ["Pre-image → replacement document:", "~ stock: 3 → 12"]
        );
        let mut without = replace;
        without.remove("fullDocumentBeforeChange");
        let lines = texts(without, Tab::Diff, &options, false);
        assert_eq!(
            lines[..3],
            [
                "Replacement document (no pre-image to compare it with):",
                "+ _id: 'lamp'",
                "+ stock: 12"
            ]
        );
        assert!(lines[3].contains("collMod"), "{lines:?}");
    }

    #[test]
    fn a_wrapped_diff_line_keeps_room_for_its_marker_on_every_row() {
        let value = "x".repeat(20);
        let line = diff_line(Mark::Added, "+ ", "note", &[RawBsonRef::String(&value)]);
        assert_eq!(line.marker(), Some("+ "));
        // "+ note: 'xxx…'" on 12 columns: the rows after the first hold 10 characters.
        assert_eq!(line.row_starts(12), [0, 8, 18, 28]);
        assert_eq!(DetailLine::note("a note").marker(), None);
    }
}
