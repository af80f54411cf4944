//! The event list. Virtualized: only the rows on screen are read and formatted, so a million
//! retained events cost no more to draw than ten.

use bson::{RawBsonRef, RawDocument};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::msg::Focus;
use crate::app::state::State;
use crate::event::{ChangeEvent, OpType};
use crate::format::{mongosh, time_of_day};
use crate::source::{Scope, Status};
use crate::store::Row;

use super::{focused, pane, search, theme};

/// Column widths; the summary takes what is left. No namespace column when watching a
/// single collection: it would say the same on every row.
struct Columns {
    time: usize,
    op: usize,
    ns: usize,
    key: usize,
}

impl Columns {
    fn new(width: usize, one_collection: bool) -> Columns {
        let wide = width >= 70;
        let ns = match (one_collection, wide) {
            (true, _) => 0,
            (false, true) => 16,
            (false, false) => 14,
        };
        if wide {
            Columns {
                time: 12,
                op: 13,
                ns,
                key: 12,
            }
        } else {
            Columns {
                time: 8,
                op: 8,
                ns,
                key: 10,
            }
        }
    }
}

/// `text` cut or padded to `width` characters, and a space.
pub(super) fn pad(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut.push(' ');
        cut
    } else {
        format!("{text}{} ", " ".repeat(width - count))
    }
}

/// The wall time (milliseconds), else the cluster time (seconds), as a time of day (UTC).
fn time(event: &ChangeEvent, with_millis: bool) -> String {
    match (event.wall_time(), event.cluster_time()) {
        (Some(wall), _) => time_of_day(wall.timestamp_millis(), with_millis),
        (None, Some(ts)) => time_of_day(i64::from(ts.time) * 1000, false),
        (None, None) => String::new(),
    }
}

fn names(doc: Option<&RawDocument>) -> Vec<String> {
    doc.map(|d| {
        d.iter()
            .filter_map(Result::ok)
            .map(|(k, _)| k.to_string())
            .collect()
    })
    .unwrap_or_default()
}

/// What changed, in a few words: field names for updates, the new name for renames, the
/// document for inserts and replaces, index names for index events.
pub fn summary(event: &ChangeEvent, width: usize) -> String {
    let raw = event.raw();
    match event.op() {
        OpType::Update => {
            let description = raw.get_document("updateDescription").ok();
            let mut fields = names(description.and_then(|d| d.get_document("updatedFields").ok()));
            if let Some(removed) = description.and_then(|d| d.get_array("removedFields").ok()) {
                fields.extend(removed.into_iter().filter_map(|v| match v {
                    Ok(RawBsonRef::String(name)) => Some(format!("-{name}")),
                    _ => None,
                }));
            }
            fields.join(", ")
        }
        OpType::Rename => match raw.get_document("to") {
            Ok(to) => {
                let db = to.get_str("db").unwrap_or("?");
                let coll = to.get_str("coll").unwrap_or("?");
                format!("→ {db}.{coll}")
            }
            Err(_) => String::new(),
        },
        OpType::Insert | OpType::Replace => match raw.get_document("fullDocument") {
            Ok(doc) => without_id(doc, width),
            Err(_) => String::new(),
        },
        OpType::CreateIndexes | OpType::DropIndexes => raw
            .get_document("operationDescription")
            .and_then(|d| d.get_array("indexes"))
            .map(|indexes| {
                indexes
                    .into_iter()
                    .filter_map(|i| match i {
                        Ok(RawBsonRef::Document(spec)) => {
                            spec.get_str("name").ok().map(str::to_string)
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The document's fields after its `_id` (the key column already shows it), on one line.
fn without_id(doc: &RawDocument, width: usize) -> String {
    let mut rest = bson::RawDocumentBuf::new();
    for (key, value) in doc
        .iter()
        .filter_map(Result::ok)
        .filter(|(k, _)| *k != "_id")
    {
        rest.append(key, value.to_raw_bson());
    }
    mongosh::inline(RawBsonRef::Document(&rest), width)
}

fn document_key(event: &ChangeEvent, width: usize) -> String {
    match event.document_key() {
        // The _id alone reads best; sharded collections add their shard key.
        Some(key) if key.iter().count() == 1 => match key.get("_id") {
            // ObjectIds made one after another differ at the end.
            Ok(Some(RawBsonRef::ObjectId(id))) => format!("…{}", &id.to_hex()[16..]),
            Ok(Some(id)) => mongosh::inline(id, width),
            _ => mongosh::inline(RawBsonRef::Document(key), width),
        },
        Some(key) => mongosh::inline(RawBsonRef::Document(key), width),
        None => String::new(),
    }
}

/// `bookmarked`: a bookmark was made of this event.
fn event_line(
    event: &ChangeEvent,
    columns: &Columns,
    width: usize,
    bookmarked: bool,
) -> Line<'static> {
    let mut used = columns.time + columns.op + columns.ns + columns.key + 4;
    let mut spans = vec![
        Span::styled(
            pad(&time(event, columns.time > 8), columns.time),
            theme::dim(),
        ),
        Span::styled(pad(event.op_name(), columns.op), theme::op(event.op())),
    ];
    if columns.ns > 0 {
        spans.push(Span::raw(pad(
            &event.namespace().unwrap_or_default(),
            columns.ns,
        )));
    }
    spans.push(Span::styled(
        pad(&document_key(event, columns.key), columns.key),
        Style::new().fg(Color::Magenta),
    ));
    if bookmarked {
        used += 2;
        spans.push(Span::styled("★ ", Style::new().fg(Color::Yellow)));
    }
    spans.push(Span::raw(summary(event, width.saturating_sub(used))));
    Line::from(spans)
}

fn seam_line(text: &str, width: usize) -> Line<'static> {
    let label = format!("── {text} ");
    let fill = width.saturating_sub(label.chars().count());
    Line::from(Span::styled(
        format!("{label}{}", "─".repeat(fill)),
        Style::new().fg(Color::Cyan),
    ))
}

/// Whether a bookmark was made of `event` (looked up for visible rows only).
fn bookmarked(state: &State, event: &ChangeEvent) -> bool {
    if state.bookmarks.is_empty() {
        return false;
    }
    event
        .resume_token()
        .is_some_and(|token| state.bookmarks.iter().any(|b| b.token == token))
}

fn title(state: &State) -> String {
    let list = &state.events;
    let count = list.store.event_count();
    let mut title = format!(" Events ({count}) ");
    if list.follow {
        title.push_str("following ");
    } else if list.unseen > 0 {
        title.push_str(&format!("paused · +{} new (G follows) ", list.unseen));
    } else {
        title.push_str("paused ");
    }
    if let Some(search) = search::label(state) {
        title.push_str(&format!("· {search} "));
    }
    title
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let has_focus = focused(state, Focus::Events);
    let block = pane(title(state), has_focus);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let list = &state.events;
    let width = inner.width as usize;
    if list.store.is_empty() {
        let (text, style) = match &state.watch.status {
            Status::Connecting => ("Opening the change stream…".to_string(), theme::dim()),
            Status::Failed(reason) | Status::HistoryLost(reason) => (
                format!("The stream could not start: {reason}"),
                theme::error(),
            ),
            _ => (
                "Waiting for events… (writes to the watched namespace appear here)".to_string(),
                theme::dim(),
            ),
        };
        let paragraph = Paragraph::new(Line::from(Span::styled(text, style)));
        frame.render_widget(paragraph.wrap(Wrap { trim: true }), inner);
        return;
    }
    let one_collection = matches!(state.watch.spec.scope, Scope::Collection { .. });
    // One column of gutter marks the selection, also where colours do not show.
    let width = width.saturating_sub(1);
    let columns = Columns::new(width, one_collection);
    let lines: Vec<Line> = (list.offset..)
        .take(inner.height as usize)
        .map_while(|i| Some((i, list.store.get(i)?)))
        .map(|(i, row)| {
            let mut line = match row {
                Row::Event(event) => search::highlight(
                    state,
                    event_line(event, &columns, width, bookmarked(state, event)),
                ),
                Row::Seam(text) => seam_line(text, width),
            };
            let selected = i == list.selected;
            line.spans
                .insert(0, Span::raw(if selected { "›" } else { " " }));
            if selected {
                line.style(theme::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
