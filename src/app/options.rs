//! The options form (`o`): the change-stream options a user changes while watching.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::source::{FullDocument, PreImage, StreamOptions};

use super::cycle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    FullDocument,
    PreImage,
    ExpandedEvents,
    BatchSize,
    MaxAwait,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::FullDocument,
        Field::PreImage,
        Field::ExpandedEvents,
        Field::BatchSize,
        Field::MaxAwait,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::FullDocument => "fullDocument",
            Field::PreImage => "fullDocumentBeforeChange",
            Field::ExpandedEvents => "showExpandedEvents",
            Field::BatchSize => "batchSize",
            Field::MaxAwait => "maxAwaitTimeMS",
        }
    }
}

const FULL_DOCUMENT: [Option<FullDocument>; 4] = [
    None,
    Some(FullDocument::UpdateLookup),
    Some(FullDocument::WhenAvailable),
    Some(FullDocument::Required),
];
const PRE_IMAGE: [Option<PreImage>; 3] = [
    None,
    Some(PreImage::WhenAvailable),
    Some(PreImage::Required),
];

/// The form being edited; numbers are kept as typed until applied.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsForm {
    pub selected: usize,
    pub full_document: Option<FullDocument>,
    pub pre_image: Option<PreImage>,
    pub expanded_events: bool,
    pub batch_size: String,
    pub max_await: String,
    pub error: Option<String>,
}

impl OptionsForm {
    pub fn new(options: &StreamOptions) -> OptionsForm {
        OptionsForm {
            selected: 0,
            full_document: options
                .full_document
                .filter(|f| *f != FullDocument::Default),
            pre_image: options.pre_image.filter(|p| *p != PreImage::Off),
            expanded_events: options.expanded_events,
            batch_size: options
                .batch_size
                .map(|n| n.to_string())
                .unwrap_or_default(),
            max_await: options
                .max_await
                .map(|d| d.as_millis().to_string())
                .unwrap_or_default(),
            error: None,
        }
    }

    pub fn field(&self) -> Field {
        Field::ALL[self.selected]
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(Field::ALL.len() - 1);
    }

    /// The value as shown in the form.
    pub fn value(&self, field: Field) -> String {
        let or_default = |text: &str| {
            if text.is_empty() {
                "server default".to_string()
            } else {
                text.to_string()
            }
        };
        match field {
            Field::FullDocument => match self.full_document {
                None => "default".to_string(),
                Some(f) => f.name().to_string(),
            },
            Field::PreImage => match self.pre_image {
                None => "off".to_string(),
                Some(p) => p.name().to_string(),
            },
            Field::ExpandedEvents => self.expanded_events.to_string(),
            Field::BatchSize => or_default(&self.batch_size),
            Field::MaxAwait => or_default(&self.max_await),
        }
    }

    /// Space / arrows on the selected field.
    pub fn change(&mut self) {
        match self.field() {
            Field::FullDocument => {
                self.full_document = cycle(&FULL_DOCUMENT, self.full_document, 1)
            }
            Field::PreImage => self.pre_image = cycle(&PRE_IMAGE, self.pre_image, 1),
            Field::ExpandedEvents => self.expanded_events = !self.expanded_events,
            Field::BatchSize | Field::MaxAwait => {}
        }
    }

    /// Digits and Backspace edit the number fields.
    pub fn key(&mut self, key: &KeyEvent) {
        let text = match self.field() {
            Field::BatchSize => &mut self.batch_size,
            Field::MaxAwait => &mut self.max_await,
            _ => return,
        };
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() && text.len() < 9 => text.push(c),
            KeyCode::Backspace => {
                text.pop();
            }
            _ => {}
        }
    }

    /// The options to watch with, or what is wrong with the form.
    pub fn to_options(&self, base: &StreamOptions) -> Result<StreamOptions, String> {
        let number = |field: Field, text: &str| -> Result<Option<u64>, String> {
            match text.parse::<u64>() {
                _ if text.is_empty() => Ok(None),
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("{} must be a positive number", field.label())),
            }
        };
        let batch_size = number(Field::BatchSize, &self.batch_size)?;
        let max_await = number(Field::MaxAwait, &self.max_await)?;
        Ok(StreamOptions {
            full_document: self.full_document,
            pre_image: self.pre_image,
            expanded_events: self.expanded_events,
            batch_size: batch_size.map(|n| n as u32),
            max_await: max_await.map(Duration::from_millis),
            ..base.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    #[test]
    fn cycles_values_and_edits_numbers() {
        let mut form = OptionsForm::new(&StreamOptions::default());
        form.change();
        assert_eq!(form.value(Field::FullDocument), "updateLookup");
        form.move_by(1);
        form.change();
        form.change();
        assert_eq!(form.value(Field::PreImage), "required");
        form.change();
        assert_eq!(form.value(Field::PreImage), "off");
        form.move_by(2);
        assert_eq!(form.field(), Field::BatchSize);
        for c in ['1', 'x', '0'] {
            form.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let options = form.to_options(&StreamOptions::default()).unwrap();
        assert_eq!(options.batch_size, Some(10));
        assert_eq!(options.full_document, Some(FullDocument::UpdateLookup));
        form.batch_size = "0".into();
        assert_eq!(
            form.to_options(&StreamOptions::default()).unwrap_err(),
            "batchSize must be a positive number"
        );
    }
}
