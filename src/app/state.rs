//! Everything the TUI knows. `update` changes it; `view` only reads it.

use std::path::PathBuf;

use bson::{Document, Timestamp};

use crate::bookmarks::Bookmark;
use crate::event::ChangeEvent;
use crate::pipeline_history::history_key;
use crate::printable::printable;
use crate::source::connect::{Deployment, Destination, Listing};
use crate::source::{Status, WatchSpec};
use crate::store::{EventStore, Row, SeamKind};

use super::bookmarks::{BookmarkPane, Mode};
use super::connection::Connecting;
use super::editor::Editor;
use super::events::EventList;
use super::input::LineInput;
use super::keys::Context;
use super::layout::Areas;
use super::log::MessageLog;
use super::msg::{Cmd, Focus, Tab};
use super::namespaces::Namespaces;
use super::options::OptionsForm;
use super::palette::Palette;
use super::search::Search;
use super::stats::Stats;

/// What the TUI starts with.
#[derive(Debug)]
pub struct Config {
    /// What is known of the deployment before connecting: its connection string.
    pub deployment: Deployment,
    /// Where the TUI connects first (not used for a recording).
    pub destination: Destination,
    pub spec: WatchSpec,
    /// The pipeline as the user wrote it (shown in the editor).
    pub pipeline_text: String,
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
    /// Replaying from a bookmark (its name).
    Replay(String),
    /// Replaying from a time.
    FromTime(Timestamp),
    /// Going on after an invalidate event.
    AfterInvalidate,
    /// The stream had stopped; the user restarted it.
    Restart,
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
    /// Every watch started, oldest first: the events after the last seam row came from the
    /// last one, those after the seam before it from the one before, and so on.
    pub started: Vec<WatchSpec>,
    /// When the running watch lost the server (it is resuming), in milliseconds since the epoch.
    pub outage_since: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    Search,
    /// Naming the file for an event: its contents, made when `w` was pressed, wait here (the
    /// selection may move meanwhile).
    WriteEvent {
        contents: String,
    },
    /// Naming a new bookmark, then giving it a note; the bookmark waits here meanwhile.
    BookmarkName(Box<Bookmark>),
    BookmarkNote(Box<Bookmark>),
    /// When to replay the stream from.
    ReplayTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub purpose: Purpose,
    pub input: LineInput,
}

/// The event's file exists: replace it, or give another name?
#[derive(Debug, Clone, PartialEq)]
pub struct Overwrite {
    /// The name as typed, to edit.
    pub typed: String,
    /// Where that is.
    pub path: PathBuf,
    pub contents: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Options(OptionsForm),
    Prompt(Prompt),
    Bookmarks(BookmarkPane),
    /// The message log, scrolled down `scroll` messages from the newest.
    Log {
        scroll: usize,
    },
    Palette(Palette),
    Overwrite(Overwrite),
}

/// A watch that cannot go on, and the way on that mwatch offers. Shown as a dialog under any
/// overlay, so it never takes the place of something the user is typing.
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    /// The server's history no longer reaches back to where the watch was to start (or had
    /// got to).
    Lost(Box<Lost>),
    /// The stream was invalidated; the invalidate event's token can continue it.
    Invalidated(Document),
}

/// What a history-lost dialog says and offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost {
    /// The watch that could not go on: the search for the oldest point answers for it.
    pub watch: u64,
    /// What was asked for, as the user knows it: `bookmark 'x'`, a time, or `the stream's
    /// position`.
    pub what: String,
    /// When that was, in milliseconds since the epoch, if known.
    pub at: Option<i64>,
    /// The stream stopped (rather than a replay refused while the previous stream runs on).
    pub stopped: bool,
    /// What to watch from the oldest point instead, and its pipeline's text for the editor.
    pub spec: WatchSpec,
    pub pipeline_text: Option<String>,
    pub oldest: Oldest,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Oldest {
    Searching,
    At(Timestamp),
    /// The server would not say.
    Unknown,
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
    /// Not connected yet (or the last attempt failed): the panes wait for the server.
    pub connecting: Option<Connecting>,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub offer: Option<Offer>,
    pub namespaces: Namespaces,
    pub editor: Editor,
    pub watch: Watch,
    pub events: EventList,
    pub detail: Detail,
    /// The focused pane takes the whole body.
    pub zoomed: bool,
    pub stats: Stats,
    /// The bookmark store's contents, as last read (oldest first).
    pub bookmarks: Vec<Bookmark>,
    /// The active search, for `n` / `N`.
    pub search: Option<Search>,
    pub notice: Option<Notice>,
    /// Every notice and warning of the session.
    pub log: MessageLog,
    pub size: (u16, u16),
    /// Milliseconds since the epoch, from the last message that carried the time.
    pub now: i64,
    /// Something shown changed since the last frame.
    pub dirty: bool,
    /// The name of the recording shown, when not watching a server.
    pub recording: Option<String>,
}

impl State {
    /// The state and the commands that start it: connecting (then the first watch and the
    /// namespace listing) and the bookmarks (to mark bookmarked events).
    pub fn new(config: Config) -> (State, Vec<Cmd>) {
        let spec = config.spec;
        let first = Pending {
            id: 1,
            spec: spec.clone(),
            reason: Reason::First,
            pipeline_text: Some(config.pipeline_text.clone()),
        };
        let cmds = vec![
            Cmd::Connect { attempt: 1 },
            Cmd::LoadBookmarks,
            Cmd::LoadHistory {
                deployment: history_key(&config.deployment.uri),
            },
        ];
        let mut state = State {
            deployment: config.deployment,
            connecting: Some(Connecting {
                attempt: 1,
                since: config.now,
                to: config.destination,
                failed: None,
            }),
            // The events, also when no scope was given: a newcomer's first `q` or `?` must not
            // go into the namespace filter.
            focus: Focus::Events,
            overlay: None,
            offer: None,
            namespaces: Namespaces::default(),
            editor: Editor::new(&config.pipeline_text),
            watch: Watch {
                spec,
                id: 0,
                next_id: 2,
                pending: Some(first),
                status: Status::Connecting,
                started: Vec::new(),
                outage_since: None,
            },
            events: EventList::new(config.store),
            detail: Detail {
                tab: Tab::Event,
                scroll: 0,
                height: 1,
                width: 80,
            },
            zoomed: false,
            stats: Stats::default(),
            bookmarks: Vec::new(),
            search: None,
            notice: None,
            log: MessageLog::default(),
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
        self.connecting = None;
        self.watch.pending = None;
        self.focus = Focus::Events;
        self.namespaces.listed(Ok(Listing::NotAllowed(
            "a recording: there is no server to list".to_string(),
        )));
        self.stats.record(&recording.events, self.now);
        self.events.push(Row::seam(
            SeamKind::Recording,
            format!(
                "recording {}: {} events",
                recording.name,
                recording.events.len()
            ),
        ));
        self.events.push_events(recording.events);
        if let Some(warning) = recording.warning {
            self.warn(warning);
        }
        self.recording = Some(recording.name);
    }

    /// Where keys go: the overlay if there is one, else the offer, else the focused pane.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Log { .. }) => Context::Log,
            Some(Overlay::Palette(_)) => Context::Palette,
            Some(Overlay::Options(_)) => Context::Options,
            Some(Overlay::Prompt(_)) => Context::Input,
            Some(Overlay::Bookmarks(pane)) => match pane.mode {
                Mode::List => Context::Bookmarks,
                Mode::Filter | Mode::Rename { .. } => Context::Input,
                Mode::ConfirmDelete(_) | Mode::ConfirmReplayHere(_) => Context::Confirm,
            },
            None if self.connecting.is_some() => Context::Connection,
            Some(Overlay::Overwrite(_)) => Context::Confirm,
            None => match (&self.offer, self.focus) {
                (Some(Offer::Lost(_)), _) => Context::Lost,
                (Some(Offer::Invalidated(_)), _) => Context::Invalidated,
                (None, Focus::Namespaces) => Context::Namespaces,
                (None, Focus::Pipeline) => Context::Pipeline,
                (None, Focus::Events) => Context::Events,
                (None, Focus::Detail) => Context::Detail,
            },
        }
    }

    /// Where the panes are on the screen, as the view draws them.
    pub fn areas(&self) -> Option<Areas> {
        let (width, height) = self.size;
        let size = ratatui::layout::Rect::new(0, 0, width, height);
        super::layout::areas(size, self.focus, self.zoomed)
    }

    /// Takes the pane sizes from the layout, so paging and scrolling know what fits. A pane
    /// not drawn (another one zoomed) keeps its size: its scroll position is not to change.
    pub fn relayout(&mut self) {
        let Some(areas) = self.areas() else {
            return;
        };
        if !areas.events.is_empty() {
            let list = super::stopped::list_areas(self, areas.events).list;
            self.events.set_height(list.height as usize);
        }
        if !areas.detail.is_empty() {
            self.detail.height = areas.detail.height.saturating_sub(3) as usize;
            self.detail.width = areas.detail.width.saturating_sub(2) as usize;
        }
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.say(text.into(), false);
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.say(text.into(), true);
    }

    /// Shows a message until the next key, and keeps it in the log.
    fn say(&mut self, text: String, error: bool) {
        self.log.push(self.now, &text, error);
        let text = printable(&text).into_owned();
        self.notice = Some(Notice { text, error });
    }
}
