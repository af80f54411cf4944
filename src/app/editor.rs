//! The pipeline editor: the text, its parse result (checked as you type), and the history of
//! applied pipelines.

use bson::Document;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Text};
use ratatui_textarea::{TextArea, WrapMode};

use crate::pipeline::{self, ParseError};
use crate::pipeline_history::remember;

#[derive(Debug, Clone)]
pub struct Editor {
    pub textarea: TextArea<'static>,
    pub parsed: Result<Vec<Document>, ParseError>,
    /// The text of the pipeline that runs now.
    pub applied: String,
    /// Why the server refused the text in the editor (the previous pipeline kept running);
    /// editing the text clears it.
    pub rejected: Option<String>,
    /// Applied pipelines, oldest first.
    pub history: Vec<String>,
    /// Position while browsing the history.
    browsing: Option<usize>,
}

impl Editor {
    pub fn new(text: &str) -> Editor {
        let mut editor = Editor {
            textarea: TextArea::default(),
            parsed: Ok(Vec::new()),
            applied: text.to_string(),
            rejected: None,
            history: Vec::new(),
            browsing: None,
        };
        editor.set_text(text);
        editor
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// Whether the text differs from the running pipeline.
    pub fn modified(&self) -> bool {
        self.text().trim() != self.applied.trim()
    }

    pub fn set_text(&mut self, text: &str) {
        let mut textarea = TextArea::new(text.lines().map(str::to_string).collect());
        textarea.set_styled_placeholder(
            Text::from(vec![
                Line::from("Stages after $changeStream, e.g."),
                Line::from("{$match: {operationType: 'update'}}"),
                Line::from("{$match: {'fullDocument.status': 'paid'}}"),
            ])
            .style(Style::new().fg(Color::DarkGray)),
        );
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        textarea.set_cursor_line_style(Style::new());
        // The pane is narrow: long stages wrap instead of scrolling sideways.
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.set_cursor_style(self.textarea.cursor_style());
        self.textarea = textarea;
        self.reparse();
    }

    /// Only the focused editor shows its cursor.
    pub fn show_cursor(&mut self, shown: bool) {
        let style = if shown {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        self.textarea.set_cursor_style(style);
    }

    /// Checks the text; an empty editor is the empty pipeline.
    pub fn reparse(&mut self) {
        self.rejected = None;
        let text = self.text();
        self.parsed = if text.trim().is_empty() {
            Ok(Vec::new())
        } else {
            pipeline::parse(&text).map(|p| p.stages)
        };
    }

    /// Passes a key (or paste) to the text widget; returns whether the text changed.
    pub fn input(&mut self, input: impl Into<ratatui_textarea::Input>) -> bool {
        let changed = self.textarea.input(input);
        if changed {
            self.browsing = None;
            self.reparse();
        }
        changed
    }

    pub fn paste(&mut self, text: &str) {
        if self.textarea.insert_str(text) {
            self.browsing = None;
            self.reparse();
        }
    }

    /// The server accepted `text`: it runs now and joins the history (the empty pipeline too:
    /// going back to no stages is a way out of a pipeline that fails).
    pub fn accepted(&mut self, text: &str) {
        self.applied = text.to_string();
        self.rejected = None;
        remember(&mut self.history, text);
    }

    /// The pipelines of earlier sessions (oldest first) go before this session's.
    pub fn loaded(&mut self, earlier: Vec<String>) {
        let session = std::mem::replace(&mut self.history, earlier);
        for text in &session {
            remember(&mut self.history, text);
        }
        self.browsing = None;
    }

    /// The text the user wrote for `stages`, the newest in the history, if it is there.
    pub fn text_of(&self, stages: &[Document]) -> Option<String> {
        if stages.is_empty() {
            return None;
        }
        self.history
            .iter()
            .rev()
            .find(|text| pipeline::parse(text).is_ok_and(|p| p.stages == stages))
            .cloned()
    }

    /// Steps through the history (`back`: older), passing over the text the editor shows
    /// (the first Alt-Up goes to the pipeline before the running one); false at either end.
    pub fn browse(&mut self, back: bool) -> bool {
        let shown = self.text();
        let start = self.browsing.unwrap_or(self.history.len());
        let differs = |i: &usize| self.history[*i].trim() != shown.trim();
        let next = if back {
            (0..start).rev().find(differs)
        } else if self.browsing.is_some() {
            (start + 1..self.history.len()).find(differs)
        } else {
            None
        };
        let Some(next) = next else {
            return false;
        };
        let text = self.history[next].clone();
        self.set_text(&text);
        self.browsing = Some(next);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_you_type_and_remembers_applied_pipelines() {
        let mut editor = Editor::new("");
        assert_eq!(editor.parsed, Ok(Vec::new()));
        editor.paste("{$match: {a: }");
        let error = editor.parsed.clone().unwrap_err();
        assert_eq!((error.line, error.column), (1, 14));
        assert!(editor.modified());
        editor.set_text("{$match: {a: 1}}");
        assert_eq!(editor.parsed.as_ref().unwrap().len(), 1);
        editor.accepted("{$match: {a: 1}}");
        assert!(!editor.modified());
        editor.accepted("{$match: {b: 2}}");
        editor.set_text("{$match: {b: 2}}");
        assert!(editor.browse(true), "the one before the running one");
        assert_eq!(editor.text(), "{$match: {a: 1}}");
        assert!(!editor.browse(true), "the oldest is the end");
        assert!(editor.browse(false));
        assert_eq!(editor.text(), "{$match: {b: 2}}");
        editor.accepted("");
        assert_eq!(editor.history, ["{$match: {a: 1}}", "{$match: {b: 2}}", ""]);
    }
}
