//! What flows through the TUI: messages in (`Msg`), user intents (`Action`), effects out (`Cmd`).

use std::path::PathBuf;

use bson::Timestamp;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use crate::bookmarks::Bookmark;
use crate::source::connect::{Deployment, Listing};
use crate::source::{SourceMsg, WatchSpec};

/// Everything `update` reacts to. Time comes in messages, never from a clock inside `update`.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Once a second (and on demand): the current time, in milliseconds since the epoch.
    Tick {
        now: i64,
    },
    /// From the change-stream task, with the time it arrived.
    Source {
        msg: SourceMsg,
        now: i64,
    },
    /// The runtime connected for `attempt` (what the server is), or why it could not.
    Connected {
        attempt: u64,
        result: Result<Deployment, String>,
    },
    Namespaces(Result<Listing, String>),
    /// The next step of the search (asked for with [`Cmd::ContinueSearch`]).
    ContinueSearch,
    /// A `Cmd` finished: what to tell the user.
    Done(Result<String, String>),
    /// [`Cmd::WriteFile`] found a file at `path` (the absolute form of what the user `typed`)
    /// and left it: ask whether to replace it.
    FileExists {
        typed: String,
        path: PathBuf,
        contents: String,
    },
    /// The bookmark store after a bookmark command (load, save, rename, delete).
    Bookmarks(StoreReply),
    /// The pipelines of earlier sessions on this deployment (oldest first), or what was
    /// wrong with their file.
    History(Result<Vec<String>, String>),
    /// The oldest point the server still has for the watch that lost its history (`watch`, as
    /// in [`Cmd::FindOldest`]); None when the server would not say.
    Oldest {
        watch: u64,
        at: Option<Timestamp>,
    },
}

/// What the bookmark store holds after a command, and what to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreReply {
    /// Oldest cluster time first, as the store keeps them.
    pub list: Vec<Bookmark>,
    /// What the command did, or why it failed (and what was wrong with the file, if anything).
    pub notice: Option<Result<String, String>>,
    /// A bookmark the store refused, given back so that the user can fix its name and retry.
    pub unsaved: Option<Box<Bookmark>>,
}

/// The pane that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Namespaces,
    Pipeline,
    Events,
    Detail,
}

impl Focus {
    pub const ORDER: [Focus; 4] = [
        Focus::Namespaces,
        Focus::Pipeline,
        Focus::Events,
        Focus::Detail,
    ];
}

/// The detail view's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Event,
    Diff,
    FullDocument,
    PreImage,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Event, Tab::Diff, Tab::FullDocument, Tab::PreImage];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Event => "Event",
            Tab::Diff => "Diff",
            Tab::FullDocument => "Full document",
            Tab::PreImage => "Pre-image",
        }
    }
}

/// A user intent, independent of the key that asked for it. Key tables map keys to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Suspend,
    Help,
    FocusNext,
    FocusPrev,
    FocusPipeline,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    /// Go to the newest event and follow the tail.
    Follow,
    /// Stop following the tail (the stream keeps flowing), or follow again.
    TogglePause,
    /// Enter: open the selected event / choose the namespace / confirm.
    Open,
    /// Esc: leave the pane, close the overlay, clear the search.
    Back,
    ShowTab(Tab),
    /// The focused pane takes the whole body, or gives it back.
    Zoom,
    TabLeft,
    TabRight,
    /// Apply the edited pipeline (gapless restart).
    Apply,
    HistoryPrev,
    HistoryNext,
    Options,
    Search,
    /// The next match of the search.
    SearchNext,
    SearchPrev,
    Copy,
    Write,
    Refresh,
    /// In the options form: change the selected value.
    ChangeValue,
    /// Bookmark the selected event.
    Bookmark,
    ShowBookmarks,
    /// Replay the stream from a time the user types.
    ReplayTime,
    Rename,
    Delete,
    /// Yes to a question (delete this bookmark?).
    Yes,
    /// History lost: start at the oldest point the server still has.
    StartOldest,
    /// An invalidated stream: go on after the invalidate (`startAfter`).
    ContinueAfter,
    /// Open the message log.
    MessageLog,
    /// Connect again (the last attempt failed, or is taking long).
    Reconnect,
    /// Open the command palette.
    Palette,
    /// Empty the event list (the stream goes on).
    ClearEvents,
    /// Restart a stream that stopped, from where it got to.
    RetryStream,
}

/// Effects, performed by the runtime; results come back as `Msg`s.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Connect to the server (the runtime holds its connection string); answered with
    /// [`Msg::Connected`] for `attempt`. A new attempt replaces one still under way.
    Connect {
        attempt: u64,
    },
    Watch {
        id: u64,
        spec: Box<WatchSpec>,
    },
    ListNamespaces,
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Write `contents` to `path` (`~` is the home directory; relative to the current one).
    /// A file that is there is replaced only if `overwrite`; else [`Msg::FileExists`] asks.
    WriteFile {
        path: PathBuf,
        contents: String,
        overwrite: bool,
    },
    /// Read the bookmark store; the runtime answers with [`Msg::Bookmarks`], as it does for the
    /// three changes below.
    LoadBookmarks,
    SaveBookmark(Box<Bookmark>),
    RenameBookmark {
        from: String,
        to: String,
    },
    DeleteBookmark(String),
    /// Read the pipeline history kept for `deployment` (a [`DeploymentId::key`]); answered
    /// with [`Msg::History`].
    ///
    /// [`DeploymentId::key`]: crate::deployment::DeploymentId::key
    LoadHistory {
        deployment: String,
    },
    /// Add `pipelines` (oldest first) to the history kept for `deployment`.
    SaveHistory {
        deployment: String,
        pipelines: Vec<String>,
    },
    /// Find the oldest point a watch of `spec` can start at, `lost` being gone; answered with
    /// [`Msg::Oldest`] for `watch`.
    FindOldest {
        watch: u64,
        spec: Box<WatchSpec>,
        lost: Option<Timestamp>,
    },
    /// Send [`Msg::ContinueSearch`] once the input waiting has been read: a search takes
    /// bounded steps, and keys are handled between them.
    ContinueSearch,
    /// Stop the process until it is continued, the terminal given back meanwhile (Ctrl-Z);
    /// the runtime answers with [`Msg::Resize`] once continued.
    Suspend,
    Quit,
}
