//! The search as shown: its matches highlighted in any line, and its state in the events
//! pane's title ("/ann · 3 of 41").

use ratatui::text::{Line, Span};

use crate::app::state::State;

use super::theme;

/// `line` with the search's matches highlighted (the text is unchanged, so wrapping is too).
pub fn highlight(state: &State, line: Line<'static>) -> Line<'static> {
    let Some(search) = &state.search else {
        return line;
    };
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let found = search.needle.find_all(&text);
    if found.is_empty() {
        return line;
    }
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * found.len());
    let mut at = 0;
    for span in line.spans {
        let end = at + span.content.chars().count();
        // Cut the span where a match starts or ends inside it.
        let mut cuts: Vec<usize> = found
            .iter()
            .flat_map(|m| [m.start, m.end])
            .filter(|&c| c > at && c < end)
            .collect();
        cuts.push(end);
        let mut from = at;
        let mut chars = span.content.chars();
        for cut in cuts {
            let piece: String = chars.by_ref().take(cut - from).collect();
            let inside = found.iter().any(|m| m.start <= from && from < m.end);
            let style = if inside {
                span.style.patch(theme::found())
            } else {
                span.style
            };
            spans.push(Span::styled(piece, style));
            from = cut;
        }
        at = end;
    }
    Line { spans, ..line }
}

/// The search in the events title: its text, which match is selected among how many, and how
/// far it has got while it still looks.
pub fn label(state: &State) -> Option<String> {
    let search = state.search.as_ref()?;
    let store = &state.events.store;
    let count = search.count(store);
    let scanning = search.scanning(store);
    let mut label = format!("/{} · ", search.query);
    label.push_str(&match search.position(store, state.events.selected) {
        Some(n) => format!("{n} of {count}"),
        None if count == 0 && !scanning => "no match".to_string(),
        None if count == 1 => "1 match".to_string(),
        None => format!("{count} matches"),
    });
    if scanning {
        label.push_str(&format!(" · searching {}%", search.progress(store)));
    }
    Some(label)
}
