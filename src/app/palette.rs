//! The command palette: every action of the four panes with its keys, and the few with no key
//! of their own, found by typing. Listed from the key tables, so it cannot disagree with them.

use super::input::LineInput;
use super::keys::{self, Binding, Context};
use super::msg::Focus;

/// The panes whose actions the palette lists, in this order; an action that means the same
/// in several is listed once, for the first.
const PANES: [(Context, Focus); 4] = [
    (Context::Events, Focus::Events),
    (Context::Detail, Focus::Detail),
    (Context::Namespaces, Focus::Namespaces),
    (Context::Pipeline, Focus::Pipeline),
];

/// One action: where it runs and its line of the key tables.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub context: Context,
    pub pane: Focus,
    pub binding: &'static Binding,
}

impl Entry {
    /// Its keys, e.g. `g/Home`; empty for an action with no key.
    pub fn keys(&self) -> String {
        keys::keys_label(self.binding)
    }

    /// Where it runs when the palette was opened from `pane`: there, if that pane has the
    /// same command (`z` zooms the detail from the detail), else in its own pane.
    pub fn runs_in(&self, pane: Focus) -> (Context, Focus) {
        let here = PANES.into_iter().find(|(_, p)| *p == pane);
        match here {
            Some((context, _))
                if keys::tables(context)
                    .into_iter()
                    .flatten()
                    .any(|binding| same(binding, self.binding)) =>
            {
                (context, pane)
            }
            _ => (self.context, self.pane),
        }
    }

    fn matches(&self, words: &[String]) -> bool {
        let text = format!("{} {}", self.keys(), self.binding.help).to_lowercase();
        words.iter().all(|word| text.contains(word.as_str()))
    }
}

/// Two lines of the key tables mean the same command.
fn same(a: &Binding, b: &Binding) -> bool {
    a.action == b.action && a.help == b.help
}

/// Every action, pane by pane, then those with no key (which run in the events pane).
pub fn entries() -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for (context, pane) in PANES {
        let mut tables = keys::tables(context);
        if context == Context::Events {
            tables.push(keys::KEYLESS);
        }
        for binding in tables.into_iter().flatten() {
            let listed = entries.iter().any(|e| same(e.binding, binding));
            if !listed {
                entries.push(Entry {
                    context,
                    pane,
                    binding,
                });
            }
        }
    }
    entries
}

#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub input: LineInput,
    /// Among the matching entries.
    pub selected: usize,
}

impl Palette {
    pub fn new() -> Palette {
        Palette {
            input: LineInput::new(""),
            selected: 0,
        }
    }

    /// The entries whose keys or help contain every word typed (any case); those whose
    /// help has the words as typed, together, first.
    pub fn matching(&self) -> Vec<Entry> {
        let typed = self.input.text().trim().to_lowercase();
        let words: Vec<String> = typed.split_whitespace().map(str::to_string).collect();
        let mut matching: Vec<Entry> = entries()
            .into_iter()
            .filter(|e| e.matches(&words))
            .collect();
        matching.sort_by_key(|e| !e.binding.help.to_lowercase().contains(&typed));
        matching
    }

    /// Moves the choice by `delta`, within the matching entries.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.matching().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}

impl Default for Palette {
    fn default() -> Self {
        Palette::new()
    }
}
