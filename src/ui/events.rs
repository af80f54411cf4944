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
use crate::printable::printable;
use crate::source::{Scope, Status};
use crate::store::Row;

use super::text::untrusted;
use super::{focused, pane, search, stopped, theme};
use crate::numbers::thousands;

/// Column widths, 0 for a column not shown; the summary takes what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    time: usize,
    op: usize,
    ns: usize,
    key: usize,
}

/// Characters the summary keeps before a column makes way for it.
const MIN_SUMMARY: usize = 12;

impl Columns {
    /// The widest columns that leave the summary [`MIN_SUMMARY`] characters of `width`.
    /// Narrower, the columns first shrink (the time loses its milliseconds, names are cut),
    /// then go one by one: the time first (the list is in time order, and the detail's title
    /// has it), then the operation (the summary hints at it: fields for an update, a document
    /// for an insert, `→` for a rename), then the key, then the namespace (nothing else on a
    /// row says where it came from). Only then is the summary squeezed.
    /// `ns`: the namespace column is wanted at all.
    fn new(width: usize, ns: bool) -> Columns {
        let ns = |w| if ns { w } else { 0 };
        let wide = Columns {
            time: 12,
            op: 13,
            ns: ns(16),
            key: 12,
        };
        let narrow = Columns {
            time: 8,
            op: 8,
            ns: ns(14),
            key: 10,
        };
        let no_time = Columns { time: 0, ..narrow };
        let no_op = Columns { op: 0, ..no_time };
        let no_key = Columns { key: 0, ..no_op };
        let summary_only = Columns { ns: 0, ..no_key };
        [wide, narrow, no_time, no_op, no_key]
            .into_iter()
            .find(|columns| columns.used() + MIN_SUMMARY <= width)
            .unwrap_or(summary_only)
    }

    /// Characters the columns take, each with the space after it.
    fn used(&self) -> usize {
        [self.time, self.op, self.ns, self.key]
            .iter()
            .filter(|&&w| w > 0)
            .map(|w| w + 1)
            .sum()
    }
}

/// `text` cut or padded to `width` characters, and a space.
pub(super) fn pad(text: &str, width: usize) -> String {
    // Columns hold names and values from the server.
    let text = printable(text);
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
pub(super) fn time(event: &ChangeEvent, with_millis: bool) -> String {
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

pub(super) fn document_key(event: &ChangeEvent, width: usize) -> String {
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
    let mut used = columns.used();
    let mut spans = Vec::new();
    if columns.time > 0 {
        spans.push(Span::styled(
            pad(&time(event, columns.time > 8), columns.time),
            theme::dim(),
        ));
    }
    if columns.op > 0 {
        spans.push(Span::styled(
            pad(event.op_name(), columns.op),
            theme::op(event.op()),
        ));
    }
    if columns.ns > 0 {
        spans.push(Span::raw(pad(
            &event.namespace().unwrap_or_default(),
            columns.ns,
        )));
    }
    if columns.key > 0 {
        spans.push(Span::styled(
            pad(&document_key(event, columns.key), columns.key),
            Style::new().fg(Color::Magenta),
        ));
    }
    if bookmarked {
        used += 2;
        spans.push(Span::styled("★ ", Style::new().fg(Color::Yellow)));
    }
    spans.push(untrusted(
        &summary(event, width.saturating_sub(used)),
        Style::new(),
    ));
    Line::from(spans)
}

/// A seam row; cut with `…` when it does not fit (its detail shows it whole).
fn seam_line(text: &str, width: usize) -> Line<'static> {
    let label = format!("── {} ", printable(text));
    let label = if label.chars().count() > width {
        pad(&label, width.saturating_sub(1))
    } else {
        label
    };
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

/// The namespace column shows unless every retained event comes from the one collection
/// watched, which the title names: rows kept from an earlier scope keep their namespace.
fn namespace_column(state: &State) -> bool {
    let scope = &state.watch.spec.scope;
    let watched = match scope {
        Scope::Collection { .. } => scope.to_string(),
        Scope::Database(_) | Scope::Deployment => return true,
    };
    state.events.store.only_namespace() != Some(watched.as_str())
}

fn title(state: &State) -> String {
    let list = &state.events;
    let count = thousands(list.store.event_count() as u64);
    let mut title = format!(" Events · {count} kept · ");
    if state.connecting.is_some() {
        // Nothing arrives to follow yet.
        title.push_str("not connected ");
    } else if crate::app::stopped::has_stopped(state) {
        title.push_str("stopped ");
    } else if list.follow {
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
    frame.render_widget(pane(title(state), has_focus), area);
    let areas = crate::app::stopped::list_areas(state, area);
    stopped::render(&areas, frame);
    let inner = areas.list;
    let list = &state.events;
    let width = inner.width as usize;
    if list.store.is_empty() {
        if crate::app::stopped::has_stopped(state) {
            return;
        }
        let text = match &state.watch.status {
            _ if state.connecting.is_some() => "No stream until the server answers.",
            Status::Connecting => "Opening the change stream…",
            _ => "Waiting for events… (writes to the watched namespace appear here)",
        };
        let paragraph = Paragraph::new(Line::from(Span::styled(text, theme::dim())));
        frame.render_widget(paragraph.wrap(Wrap { trim: true }), inner);
        return;
    }
    // One column of gutter marks the selection, also where colours do not show.
    let width = width.saturating_sub(1);
    let columns = Columns::new(width, namespace_column(state));
    // The list's offset was set for the rows `areas.list` has, as clicks and paging count them.
    let lines: Vec<Line> = (list.offset..)
        .take(inner.height as usize)
        .map_while(|i| Some((i, list.store.get(i)?)))
        .map(|(i, row)| {
            let mut line = match row {
                Row::Event(event) => search::highlight(
                    state,
                    event_line(event, &columns, width, bookmarked(state, event)),
                ),
                Row::Seam(seam) => seam_line(&seam.text, width),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_lists_drop_the_time_then_the_operation_the_key_and_the_namespace() {
        let shown = |width| {
            let c = Columns::new(width, true);
            let names = [(c.time, "time"), (c.op, "op"), (c.ns, "ns"), (c.key, "key")];
            let shown: Vec<&str> = names
                .iter()
                .filter(|(w, _)| *w > 0)
                .map(|(_, n)| *n)
                .collect();
            assert!(
                width < MIN_SUMMARY || c.used() + MIN_SUMMARY <= width,
                "{width}"
            );
            shown
        };
        assert_eq!(shown(80), ["time", "op", "ns", "key"]);
        assert_eq!(Columns::new(80, true).time, 12, "with milliseconds");
        assert_eq!(shown(57), ["time", "op", "ns", "key"]);
        assert_eq!(Columns::new(57, true).time, 8, "without");
        assert_eq!(shown(50), ["op", "ns", "key"]);
        assert_eq!(shown(40), ["ns", "key"]);
        assert_eq!(shown(30), ["ns"]);
        assert_eq!(shown(20), [] as [&str; 0]);
        assert_eq!(Columns::new(57, false).ns, 0);
    }
}
