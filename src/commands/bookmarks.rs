//! `mwatch bookmarks list | show | rm | export | import`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use bson::{Bson, Document};

use super::{fail, say, stdout_failed, Outcome};
use crate::bookmarks::{
    default_path, ns_text, options_document, Bookmark, BookmarkStore, StoreError,
};
use crate::cli::BookmarksCommand;
use crate::format::iso_date;
use crate::format::utc_seconds;
use crate::printable::printable;
use crate::printable::shell_word;

/// Runs one `mwatch bookmarks` command on the store at [`default_path`].
pub fn run(command: &BookmarksCommand) -> ExitCode {
    let mut store = match default_path() {
        Ok(path) => BookmarkStore::open(path),
        Err(e) => return fail(e, Outcome::Failed),
    };
    // A command that only shows the store fails when it was not read: 'no bookmarks' would be
    // untrue. (One that changes it is refused by the store.)
    let shows_only = matches!(
        command,
        BookmarksCommand::List { .. }
            | BookmarksCommand::Show { .. }
            | BookmarksCommand::Export { .. }
    );
    if let Some(reason) = store.unread() {
        if shows_only {
            return fail(reason, Outcome::Failed);
        }
        // A change is refused with the reason: not said as a warning first.
        store.take_warning();
    }
    warn(&mut store);
    // Each command's output for stdout.
    let output = match command {
        BookmarksCommand::List { json: true } => {
            let list = serde_json::to_string_pretty(store.list()).expect("bookmarks are JSON");
            Ok(json_text(&list))
        }
        BookmarksCommand::List { json: false } => Ok(list_text(&store)),
        BookmarksCommand::Show { name } => store.find(name).map(show_text),
        BookmarksCommand::Rm { name } => store.remove(name).map(|removed| {
            format!(
                "removed bookmark '{}' (the previous file is kept as {}.bak)\n",
                printable(&removed.name),
                store.path().display()
            )
        }),
        BookmarksCommand::Export { file: None } => Ok(json_text(&store.export())),
        BookmarksCommand::Export { file: Some(file) } => store.export_to(file).map(|()| {
            format!(
                "exported {} bookmarks to {}\n",
                store.list().len(),
                file.display()
            )
        }),
        BookmarksCommand::Import { file } => store.import(file).map(|report| {
            let mut text = String::new();
            for name in &report.added {
                let _ = writeln!(text, "added    {}", printable(name));
            }
            for (from, to) in &report.renamed {
                let (from, to) = (printable(from), printable(to));
                let _ = writeln!(text, "added    {to}  (the name '{from}' was taken)");
            }
            for name in &report.skipped {
                let _ = writeln!(text, "skipped  {}  (already there)", printable(name));
            }
            if text.is_empty() {
                let _ = writeln!(text, "no bookmarks in {}", file.display());
            }
            text
        }),
    };
    match output {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => stdout_failed(&e).exit_code(),
            }
        }
        Err(e) if e.is_usage() => fail(e, Outcome::Usage),
        Err(e) => fail(e, Outcome::Failed),
    }
}

/// The store at [`default_path`], for a command: a problem with its file is a warning on
/// stderr.
pub(super) fn open_store() -> Result<BookmarkStore, StoreError> {
    let mut store = BookmarkStore::open(default_path()?);
    warn(&mut store);
    Ok(store)
}

fn warn(store: &mut BookmarkStore) {
    if let Some(warning) = store.take_warning() {
        say(format!("warning: {warning}"));
    }
}

fn list_text(store: &BookmarkStore) -> String {
    if store.list().is_empty() {
        return format!("no bookmarks in {}\n", store.path().display());
    }
    let width = store
        .list()
        .iter()
        .map(|b| printable(&b.name).chars().count())
        .max();
    let mut text = String::new();
    for bookmark in store.list() {
        let _ = writeln!(
            text,
            "{:<20}  {:<width$}  {}{}",
            event_time(bookmark),
            printable(&bookmark.name),
            printable(&event_summary(bookmark)),
            printable(&note_suffix(bookmark)),
            width = width.unwrap_or(0)
        );
    }
    text
}

/// JSON as printed: line by line, so that the control characters serde_json leaves in
/// strings (DEL, C1) are escaped too, as JSON allows, and the lines stay lines.
fn json_text(json: &str) -> String {
    json.lines()
        .map(|line| format!("{}\n", printable(line)))
        .collect()
}

fn event_time(bookmark: &Bookmark) -> String {
    bookmark
        .event_millis()
        .map(utc_seconds)
        .unwrap_or_else(|| "(time unknown)".to_string())
}

/// `update shop.orders {"_id": 7}`
fn event_summary(bookmark: &Bookmark) -> String {
    let op = if bookmark.op.is_empty() {
        "?"
    } else {
        &bookmark.op
    };
    let ns = bookmark.namespace();
    match &bookmark.document_key {
        Some(key) => format!("{op} {ns} {}", relaxed(key)),
        None => format!("{op} {ns}"),
    }
}

fn note_suffix(bookmark: &Bookmark) -> String {
    match bookmark.note.as_str() {
        "" => String::new(),
        note => format!("  ({note})"),
    }
}

fn relaxed(doc: &Document) -> String {
    Bson::Document(doc.clone())
        .into_relaxed_extjson()
        .to_string()
}

fn show_text(b: &Bookmark) -> String {
    let mut rows: Vec<(&str, String)> = vec![("name", b.name.clone())];
    if !b.note.is_empty() {
        rows.push(("note", b.note.clone()));
    }
    rows.push(("event", event_summary(b)));
    if let Some(ts) = b.cluster_time {
        let at = utc_seconds(i64::from(ts.time) * 1000);
        rows.push((
            "cluster time",
            format!("{}:{} ({at})", ts.time, ts.increment),
        ));
    }
    if let Some(wall) = b.wall_time {
        rows.push(("wall time", iso_date(wall).unwrap_or_default()));
    }
    rows.push(("watched", ns_text(&b.scope)));
    let stages: Vec<Bson> = b.pipeline.iter().cloned().map(Bson::Document).collect();
    rows.push((
        "pipeline",
        Bson::Array(stages).into_relaxed_extjson().to_string(),
    ));
    rows.push(("options", relaxed(&options_document(&b.options))));
    rows.push(("deployment", b.deployment.to_string()));
    let start = if b.invalidate {
        " (an invalidate event's: replays with startAfter)"
    } else {
        ""
    };
    rows.push(("token", format!("{}{start}", relaxed(&b.token))));
    if let Some(created) = b.created_at {
        rows.push(("created", iso_date(created).unwrap_or_default()));
    }
    rows.push(("replay", format!("mwatch --resume {}", shell_word(&b.name))));
    let mut text = String::new();
    for (label, value) in rows {
        let _ = writeln!(text, "{:<13} {}", format!("{label}:"), printable(&value));
    }
    text
}
