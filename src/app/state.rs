//! Everything the TUI knows. `update` changes it; `view` only reads it.

use crate::event::ChangeEvent;
use crate::source::connect::{Deployment, Listing};
use crate::source::{Status, WatchSpec};
use crate::store::{EventStore, Row};

use super::editor::Editor;
use super::events::EventList;
use super::input::LineInput;
use super::keys::Context;
use super::msg::{Cmd, Focus, Tab};
use super::namespaces::Namespaces;
use super::options::OptionsForm;
use super::stats::Stats;

/// What the TUI starts with.
#[derive(Debug)]
pub struct Config {
    pub deployment: Deployment,
    pub spec: WatchSpec,
    /// The pipeline as the user wrote it (shown in the editor).
    pub pipeline_text: String,
    /// A scope was given on the command line: start on the event list.
    pub scope_given: bool,
    pub store: EventStore,
    pub now: i64,
    pub size: (u16, u16),
    /// Show a recording instead of watching (`mwatch replay FILE`).
    pub recording: Option<Recording>,
}

/// A recording read back, shown in place of a live stream.
#[derive(Debug)]
pub struct Recording {
    pub name: String,
    pub events: Vec<ChangeEvent>,
    /// What went wrong reading it (a cut last line, a bad line), if anything.
    pub warning: Option<String>,
}

/// Why a watch is (re)started: the seam row says it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    First,
    Pipeline,
    Scope,
    Options,
}

/// A watch asked for but not yet confirmed by the task.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: u64,
    pub spec: WatchSpec,
    pub reason: Reason,
    /// For a new pipeline: its text, to remember once it runs.
    pub pipeline_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    /// What runs now (before the first start: what was asked for).
    pub spec: WatchSpec,
    /// The running watch's id; 0 before the first one started.
    pub id: u64,
    pub next_id: u64,
    pub pending: Option<Pending>,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Search,
    WriteEvent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub purpose: Purpose,
    pub input: LineInput,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help { scroll: usize },
    Options(OptionsForm),
    Prompt(Prompt),
}

/// A one-line message for the user, until the next key.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub tab: Tab,
    pub scroll: usize,
    /// Content lines and columns that fit (set from the layout).
    pub height: usize,
    pub width: usize,
}

#[derive(Debug)]
pub struct State {
    pub deployment: Deployment,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub namespaces: Namespaces,
    pub editor: Editor,
    pub watch: Watch,
    pub events: EventList,
    pub detail: Detail,
    pub stats: Stats,
    /// The active search, for `n` / `N`.
    pub search: Option<String>,
    pub notice: Option<Notice>,
    pub size: (u16, u16),
    /// Milliseconds since the epoch, from the last message that carried the time.
    pub now: i64,
    /// Something shown changed since the last frame.
    pub dirty: bool,
    /// The name of the recording shown, when not watching a server.
    pub recording: Option<String>,
}

impl State {
    /// The state and the commands that start it: the first watch and the namespace listing.
    pub fn new(config: Config) -> (State, Vec<Cmd>) {
        let spec = config.spec;
        let first = Pending {
            id: 1,
            spec: spec.clone(),
            reason: Reason::First,
            pipeline_text: Some(config.pipeline_text.clone()),
        };
        let cmds = vec![
            Cmd::Watch {
                id: 1,
                spec: Box::new(spec.clone()),
            },
            Cmd::ListNamespaces,
        ];
        let mut state = State {
            deployment: config.deployment,
            focus: if config.scope_given {
                Focus::Events
            } else {
                Focus::Namespaces
            },
            overlay: None,
            namespaces: Namespaces::default(),
            editor: Editor::new(&config.pipeline_text),
            watch: Watch {
                spec,
                id: 0,
                next_id: 2,
                pending: Some(first),
                status: Status::Connecting,
            },
            events: EventList::new(config.store),
            detail: Detail {
                tab: Tab::Event,
                scroll: 0,
                height: 1,
                width: 80,
            },
            stats: Stats::default(),
            search: None,
            notice: None,
            size: config.size,
            now: config.now,
            dirty: true,
            recording: None,
        };
        state.stats.tick(config.now);
        state.relayout();
        match config.recording {
            None => (state, cmds),
            Some(recording) => {
                state.show(recording);
                (state, Vec::new())
            }
        }
    }

    /// Shows a recording: its events, nothing to watch or list.
    fn show(&mut self, recording: Recording) {
        self.watch.pending = None;
        self.focus = Focus::Events;
        self.namespaces.listed(Ok(Listing::NotAllowed(
            "a recording: there is no server to list".to_string(),
        )));
        self.stats.record(&recording.events, self.now);
        self.events.push(Row::Seam(format!(
            "recording {}: {} events",
            recording.name,
            recording.events.len()
        )));
        self.events.push_events(recording.events);
        if let Some(warning) = recording.warning {
            self.warn(warning);
        }
        self.recording = Some(recording.name);
    }

    /// Where keys go: the overlay if there is one, else the focused pane.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Options(_)) => Context::Options,
            Some(Overlay::Prompt(_)) => Context::Input,
            None => match self.focus {
                Focus::Namespaces => Context::Namespaces,
                Focus::Pipeline => Context::Pipeline,
                Focus::Events => Context::Events,
                Focus::Detail => Context::Detail,
            },
        }
    }

    /// Takes the pane sizes from the layout, so paging and scrolling know what fits.
    pub fn relayout(&mut self) {
        let (width, height) = self.size;
        if let Some(areas) =
            crate::ui::layout::areas(ratatui::layout::Rect::new(0, 0, width, height))
        {
            self.events
                .set_height(areas.events.height.saturating_sub(2) as usize);
            self.detail.height = areas.detail.height.saturating_sub(3) as usize;
            self.detail.width = areas.detail.width.saturating_sub(2) as usize;
        }
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }
}
