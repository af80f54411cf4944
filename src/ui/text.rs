//! Text that must be read whole: wrapped at word boundaries to the width it has, or, where
//! there is one row, cut with `…` and a pointer to the message log that has all of it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::detail::row_starts;
use crate::app::keys::{key_for, Context};
use crate::app::msg::Action;
use crate::printable::printable;

/// `text` in rows of at most `width` columns, broken after spaces, each in `style`.
pub fn wrap(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let chars: Vec<char> = text.chars().collect();
    let starts = row_starts(text, width, 0);
    let ends = starts.iter().skip(1).copied().chain([chars.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| {
            let row: String = chars[start..end].iter().collect();
            Line::from(Span::styled(row.trim_end().to_string(), style))
        })
        .collect()
}

/// Text from a server, a file or the user as drawn: its control characters shown escaped.
/// ratatui drops them, so the text drawn would differ from the text and its width be
/// miscounted; every such text goes through here (or [`printable`] where its width is counted
/// first).
pub fn untrusted(text: &str, style: Style) -> Span<'static> {
    Span::styled(printable(text).into_owned(), style)
}

/// What a cut message ends with: how to read the rest from `context`. `… L log` where a key
/// opens the log; `… Ctrl-P: log` where letters are text but the palette opens; elsewhere (a
/// prompt, a dialog) only that the log has it.
pub fn to_the_log(context: Context) -> String {
    let log = key_for(context, Action::MessageLog);
    if !log.is_empty() {
        return format!("… {log} log");
    }
    let palette = key_for(context, Action::Palette);
    if !palette.is_empty() {
        return format!("… {palette}: log");
    }
    "… all in the log".to_string()
}

/// `line` as it fits in `width` columns: whole, or cut to end in `tail` (which starts with `…`).
pub fn fit(line: Line<'static>, width: u16, tail: &str) -> Line<'static> {
    let width = width as usize;
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(tail.chars().count());
    let mut spans = Vec::new();
    for span in line.spans {
        if room == 0 {
            break;
        }
        let kept: String = span.content.chars().take(room).collect();
        room -= kept.chars().count();
        spans.push(Span::styled(kept, span.style));
    }
    spans.push(Span::styled(tail.to_string(), crate::ui::theme::dim()));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_fits_is_kept_and_one_that_does_not_ends_in_the_tail() {
        let line = Line::from(vec![Span::raw("abc "), Span::raw("defgh")]);
        assert_eq!(fit(line.clone(), 9, "… x"), line);
        let cut = fit(line, 8, "… x");
        assert_eq!(cut.to_string(), "abc d… x");
        assert_eq!(cut.width(), 8);
    }

    #[test]
    fn wrapping_breaks_after_spaces() {
        let rows: Vec<String> = wrap("one two three", Style::new(), 8)
            .iter()
            .map(Line::to_string)
            .collect();
        assert_eq!(rows, ["one two", "three"]);
    }
}
