//! The key tables: which key means which [`Action`] in which context. The footer hints and the
//! help screen are generated from these same tables, so they cannot disagree with the keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::msg::{Action, Tab};

mod bookmarks;
mod editing;
mod key;
mod messages;
mod palette;

pub use bookmarks::{BOOKMARKS, CONFIRM, INVALIDATED, LOST};
pub use editing::{INPUT, OPTIONS, PIPELINE};
pub use key::Key;
use key::{alt, ch, ctrl, plain};
pub use messages::{CONNECTION, LOG};
pub use palette::{KEYLESS, PALETTE};

/// Where the keyboard is: a pane, or an overlay on top of the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Namespaces,
    Pipeline,
    Events,
    Detail,
    Options,
    Help,
    /// A one-line prompt (search text, file name, bookmark name, filter).
    Input,
    Bookmarks,
    /// A yes/no question.
    Confirm,
    /// A replay whose start the server no longer has.
    Lost,
    Invalidated,
    /// The message log.
    Log,
    /// Connecting to the server, or it failed.
    Connection,
    /// The command palette.
    Palette,
}

impl Context {
    pub const ALL: [Context; 14] = [
        Context::Namespaces,
        Context::Pipeline,
        Context::Events,
        Context::Detail,
        Context::Options,
        Context::Help,
        Context::Input,
        Context::Bookmarks,
        Context::Confirm,
        Context::Lost,
        Context::Invalidated,
        Context::Log,
        Context::Connection,
        Context::Palette,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Namespaces => "Namespaces",
            Context::Pipeline => "Pipeline editor",
            Context::Events => "Events",
            Context::Detail => "Detail",
            Context::Options => "Options",
            Context::Help => "Help",
            Context::Input => "Prompt",
            Context::Bookmarks => "Bookmarks",
            Context::Confirm => "Question",
            Context::Lost => "History lost",
            Context::Invalidated => "Stream invalidated",
            Context::Log => "Message log",
            Context::Connection => "Connection",
            Context::Palette => "Command palette",
        }
    }
}

/// One line of a key table.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// For the help screen.
    pub help: &'static str,
    /// For the footer, if the binding is worth a hint there.
    pub hint: Option<&'static str>,
}

const fn bind(
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        action,
        help,
        hint,
    }
}

/// Keys that work everywhere, also in overlays.
pub const ALWAYS: &[Binding] = &[
    bind(&[ctrl('c')], Action::Quit, "quit", Some("quit")),
    bind(
        &[ctrl('z')],
        Action::Suspend,
        if cfg!(unix) {
            "suspend: back to the shell, fg resumes"
        } else {
            "redraw the screen"
        },
        None,
    ),
];

/// Keys that work in every pane, also while typing.
pub const GLOBAL: &[Binding] = &[
    bind(
        &[plain(KeyCode::Tab)],
        Action::FocusNext,
        "next pane",
        Some("pane"),
    ),
    bind(
        &[plain(KeyCode::BackTab)],
        Action::FocusPrev,
        "previous pane",
        None,
    ),
    bind(&[plain(KeyCode::F(1))], Action::Help, "help", Some("help")),
    bind(
        &[ctrl('p')],
        Action::Palette,
        "command palette: every action, by name",
        None,
    ),
];

/// Single-letter commands, in the panes where letters are not text.
pub const COMMANDS: &[Binding] = &[
    bind(&[ch('?')], Action::Help, "help: all keys", Some("help")),
    bind(&[ch('q')], Action::Quit, "quit", Some("quit")),
    bind(
        &[ch(':')],
        Action::Palette,
        "command palette: every action, by name",
        None,
    ),
    bind(
        &[ch('p')],
        Action::FocusPipeline,
        "edit the pipeline",
        Some("pipeline"),
    ),
    bind(
        &[ch('o')],
        Action::Options,
        "change-stream options",
        Some("options"),
    ),
    bind(
        &[ch('/')],
        Action::Search,
        "search retained events",
        Some("search"),
    ),
    bind(&[ch('n')], Action::SearchNext, "next match", None),
    bind(&[ch('N')], Action::SearchPrev, "previous match", None),
    bind(
        &[ch('y')],
        Action::Copy,
        "copy the event as JSON (OSC 52)",
        None,
    ),
    bind(&[ch('w')], Action::Write, "write the event to a file", None),
    bind(
        &[ch('r')],
        Action::RetryStream,
        "restart a stopped stream",
        Some("retry"),
    ),
    bind(
        &[ch('b')],
        Action::Bookmark,
        "bookmark the event, to replay from it later",
        Some("bookmark"),
    ),
    bind(
        &[ch('B')],
        Action::ShowBookmarks,
        "bookmarks: replay, rename, delete",
        None,
    ),
    bind(
        &[ch('L')],
        Action::MessageLog,
        "message log: all notices and errors",
        None,
    ),
    bind(
        &[ch('t')],
        Action::ReplayTime,
        "replay from a time (RFC 3339, HH:MM, -10m)",
        None,
    ),
    bind(
        &[ch('z')],
        Action::Zoom,
        "zoom: the focused pane takes the whole screen, and back",
        None,
    ),
    bind(
        &[ch('1')],
        Action::ShowTab(Tab::Event),
        "detail: the event",
        None,
    ),
    bind(
        &[ch('2')],
        Action::ShowTab(Tab::Diff),
        "detail: field-level diff",
        None,
    ),
    bind(
        &[ch('3')],
        Action::ShowTab(Tab::FullDocument),
        "detail: full document",
        None,
    ),
    bind(
        &[ch('4')],
        Action::ShowTab(Tab::PreImage),
        "detail: pre-image",
        None,
    ),
];

const UP: &[Key] = &[plain(KeyCode::Up), ch('k')];
const DOWN: &[Key] = &[plain(KeyCode::Down), ch('j')];
const PAGE_UP: &[Key] = &[plain(KeyCode::PageUp)];
const PAGE_DOWN: &[Key] = &[plain(KeyCode::PageDown)];
const TOP: &[Key] = &[ch('g'), plain(KeyCode::Home)];
const BOTTOM: &[Key] = &[ch('G'), plain(KeyCode::End)];

pub const EVENTS: &[Binding] = &[
    bind(UP, Action::Up, "previous event", None),
    bind(DOWN, Action::Down, "next event", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(TOP, Action::Top, "oldest event", None),
    // The footer's `Space follow` says it when paused.
    bind(
        BOTTOM,
        Action::Follow,
        "newest event, follow the tail",
        None,
    ),
    bind(
        &[ch(' ')],
        Action::TogglePause,
        "pause following (the stream flows on)",
        Some("pause"),
    ),
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "open the event's detail",
        Some("detail"),
    ),
    bind(
        &[plain(KeyCode::Left), ch('h')],
        Action::TabLeft,
        "previous detail tab",
        None,
    ),
    bind(
        &[plain(KeyCode::Right), ch('l')],
        Action::TabRight,
        "next detail tab",
        None,
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "clear (or stop) the search",
        None,
    ),
    bind(
        &[ch('c')],
        Action::ContinueAfter,
        "an invalidated stream: continue after the invalidate",
        None,
    ),
];

pub const DETAIL: &[Binding] = &[
    bind(UP, Action::Up, "scroll up", None),
    bind(DOWN, Action::Down, "scroll down", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(TOP, Action::Top, "top", None),
    bind(BOTTOM, Action::Follow, "bottom", None),
    bind(
        &[ch(' ')],
        Action::TogglePause,
        "follow the newest event again, or pin the one shown",
        None,
    ),
    bind(
        &[plain(KeyCode::Left), ch('h')],
        Action::TabLeft,
        "previous tab",
        Some("tab"),
    ),
    bind(
        &[plain(KeyCode::Right), ch('l')],
        Action::TabRight,
        "next tab",
        None,
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "back to the events (a search under way: stop it)",
        Some("back"),
    ),
];

pub const NAMESPACES: &[Binding] = &[
    bind(
        &[plain(KeyCode::Up)],
        Action::Up,
        "previous namespace",
        None,
    ),
    bind(
        &[plain(KeyCode::Down)],
        Action::Down,
        "next namespace",
        None,
    ),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "watch it, or the typed namespace",
        Some("watch"),
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "clear the filter, then go to the events",
        Some("events"),
    ),
    bind(
        &[ctrl('r')],
        Action::Refresh,
        "list the namespaces again",
        None,
    ),
];

pub const HELP: &[Binding] = &[
    bind(UP, Action::Up, "scroll up", None),
    bind(DOWN, Action::Down, "scroll down", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(
        &[plain(KeyCode::Esc), ch('?'), ch('q')],
        Action::Back,
        "close the help",
        Some("close"),
    ),
];

/// The tables that apply in `context`, most specific first. Single-letter commands are off
/// where letters are text (the namespace filter, the editor, prompts).
pub fn tables(context: Context) -> Vec<&'static [Binding]> {
    match context {
        Context::Namespaces => vec![NAMESPACES, GLOBAL, ALWAYS],
        Context::Pipeline => vec![PIPELINE, GLOBAL, ALWAYS],
        Context::Events => vec![EVENTS, COMMANDS, GLOBAL, ALWAYS],
        Context::Detail => vec![DETAIL, COMMANDS, GLOBAL, ALWAYS],
        Context::Options => vec![OPTIONS, ALWAYS],
        Context::Help => vec![HELP, ALWAYS],
        Context::Input => vec![INPUT, ALWAYS],
        Context::Bookmarks => vec![BOOKMARKS, ALWAYS],
        Context::Confirm => vec![CONFIRM, ALWAYS],
        Context::Lost => vec![LOST, ALWAYS],
        Context::Invalidated => vec![INVALIDATED, ALWAYS],
        Context::Log => vec![LOG, ALWAYS],
        Context::Connection => vec![CONNECTION, ALWAYS],
        Context::Palette => vec![PALETTE, ALWAYS],
    }
}

/// The action `key` means in `context`; `None` means the key is text for the focused widget.
pub fn lookup(context: Context, key: &KeyEvent) -> Option<Action> {
    tables(context)
        .into_iter()
        .flat_map(|table| table.iter())
        .find(|binding| binding.keys.iter().any(|k| k.matches(key)))
        .map(|binding| binding.action)
}

/// The key for `action` in `context`, for messages that tell the user what to press.
pub fn key_for(context: Context, action: Action) -> String {
    tables(context)
        .into_iter()
        .flat_map(|table| table.iter())
        .find(|binding| binding.action == action)
        .map_or_else(String::new, |binding| binding.keys[0].label())
}

/// `key label`, for the help screen: all keys of a binding, e.g. `g/Home`.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}

/// The footer: `(keys, hint)` pairs for `context` (two keys at most, e.g. `G/End`); a hint
/// shows once, with its most specific keys.
pub fn hints(context: Context) -> Vec<(String, &'static str)> {
    hint_pairs(hint_bindings(context))
}

/// The hints of `context`'s own table, without the keys that work everywhere: what a dialog
/// shows inside its box.
pub fn own_hints(context: Context) -> Vec<(String, &'static str)> {
    hint_pairs(bindings_with_hints(&tables(context)[..1]))
}

fn hint_pairs(bindings: Vec<(String, &'static Binding)>) -> Vec<(String, &'static str)> {
    bindings
        .into_iter()
        .map(|(keys, binding)| (keys, binding.hint.unwrap_or_default()))
        .collect()
}

/// [`hints`] with their bindings, for a footer that follows the state (`app::footer`).
pub fn hint_bindings(context: Context) -> Vec<(String, &'static Binding)> {
    bindings_with_hints(&tables(context))
}

fn bindings_with_hints(tables: &[&'static [Binding]]) -> Vec<(String, &'static Binding)> {
    let mut hints: Vec<(String, &'static Binding)> = Vec::new();
    for binding in tables.iter().flat_map(|table| table.iter()) {
        if binding.hint.is_some() && !hints.iter().any(|(_, b)| b.hint == binding.hint) {
            let keys: Vec<String> = binding.keys.iter().take(2).map(Key::label).collect();
            hints.push((keys.join("/"), binding));
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn letters_are_commands_in_lists_and_text_in_editors() {
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Events, &q), Some(Action::Quit));
        assert_eq!(lookup(Context::Detail, &q), Some(Action::Quit));
        assert_eq!(lookup(Context::Pipeline, &q), None);
        assert_eq!(lookup(Context::Namespaces, &q), None);
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for context in [
            Context::Pipeline,
            Context::Namespaces,
            Context::Input,
            Context::Help,
        ] {
            assert_eq!(lookup(context, &ctrl_c), Some(Action::Quit), "{context:?}");
        }
    }

    #[test]
    fn shifted_letters_and_modified_arrows_are_told_apart() {
        let big_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Events, &big_g), Some(Action::Follow));
        let alt_up = key(KeyCode::Up, KeyModifiers::ALT);
        assert_eq!(
            lookup(Context::Pipeline, &alt_up),
            Some(Action::HistoryPrev)
        );
        let up = key(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(
            lookup(Context::Pipeline, &up),
            None,
            "plain arrows move the cursor"
        );
        let back_tab = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            lookup(Context::Pipeline, &back_tab),
            Some(Action::FocusPrev)
        );
    }

    #[test]
    fn no_key_means_two_things_in_one_context() {
        for context in Context::ALL {
            let mut seen = Vec::new();
            for binding in tables(context).into_iter().flat_map(|t| t.iter()) {
                for k in binding.keys {
                    assert!(!seen.contains(k), "{context:?}: {} bound twice", k.label());
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn hints_come_from_the_table() {
        let hints = hints(Context::Pipeline);
        assert_eq!(hints[0], ("Ctrl-S".to_string(), "apply"));
        assert!(hints.contains(&("Tab".to_string(), "pane")));
        assert!(hints.contains(&("F1".to_string(), "help")));
        let events = super::hints(Context::Events);
        assert!(events.contains(&("q".to_string(), "quit")));
        assert!(
            !events.contains(&("Ctrl-C".to_string(), "quit")),
            "one hint per intent"
        );
    }
}
