//! The TUI's runtime, above `app` (the pure state machine) and `ui` (the view): it owns the
//! clock and the channels. It turns terminal input, the change-stream task's messages and a
//! once-a-second tick into `Msg`s, feeds them to `update`, performs the `Cmd`s it returns, and
//! redraws when something changed, as [`pace`] says: a lone change at once, a flood ~30 times
//! a second, and after a slow frame a pause as long as drawing it took, so that input and the
//! stream are read between frames; an idle mwatch sleeps. The terminal it draws on and reads
//! from is given to it: the real one by [`terminal::run`], a `TestBackend` and scripted input
//! in tests.

mod files;
mod pace;
pub mod terminal;

use pace::Pace;
pub use pace::FRAME;

use std::io::{self, Write};
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use futures_util::{Stream, StreamExt};
use mongodb::Client;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event;
use ratatui::Terminal;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

use crate::bookmarks::{BookmarkStore, StoreError};
use crate::pipeline_history::{self, path_beside};
use crate::source::connect::{list_namespaces, Connection, Deployment, Target};
use crate::source::engine;
use crate::source::history::oldest_after;
use crate::source::recording::Recorder;
use crate::source::{Control, SourceMsg};
use crate::ui;

use crate::app::keys::{key_for, Context};
use crate::app::msg::{Action, Cmd, Msg, StoreReply};
use crate::app::state::{Config, State};
use crate::app::update::update;

/// What the loop reads and writes besides the screen, given from outside so that a test can
/// give its own.
pub struct Io<I> {
    /// Terminal events: keys, mouse, paste and resizes. The TUI ends when it ends.
    pub input: I,
    /// Where a copy goes, as an OSC 52 sequence for the terminal to put on the clipboard.
    pub clipboard: Box<dyn Write + Send>,
    /// The bookmark file, or why there is none (said when a bookmark command needs it).
    pub bookmarks: Result<PathBuf, String>,
    /// Ctrl-Z and SIGTSTP.
    pub suspend: Suspend,
}

/// Job control: Ctrl-Z, or SIGTSTP from `kill`, stops mwatch until it is continued (`fg`,
/// SIGCONT) with the terminal given back meanwhile, as vim and less do; the screen is then
/// drawn anew, at the terminal's size then.
pub struct Suspend {
    /// SIGTSTP received (in raw mode Ctrl-Z is a key, which asks with [`Cmd::Suspend`]).
    pub requests: Pin<Box<dyn Stream<Item = ()> + Send>>,
    /// Gives the terminal back, stops the process until it is continued, takes the terminal
    /// again.
    pub stop: Box<dyn FnMut() -> io::Result<()> + Send>,
}

impl Suspend {
    /// No job control: a terminal that is not the process's own (tests), or no Unix.
    pub fn none() -> Suspend {
        Suspend {
            requests: Box::pin(futures_util::stream::pending()),
            stop: Box::new(|| Ok(())),
        }
    }
}

/// Stops as [`Suspend`] says; returns the size to draw at once continued, with the screen
/// cleared so that the next frame draws all of it.
fn stop_until_continued<B>(terminal: &mut Terminal<B>, suspend: &mut Suspend) -> anyhow::Result<Msg>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    (suspend.stop)()?;
    let size = terminal.size()?;
    // Clears all of it, where `clear` would ask the terminal where its cursor is.
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok(Msg::Resize {
        width: size.width,
        height: size.height,
    })
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::FocusGained | Event::FocusLost => None,
    }
}

/// Copies through the terminal (OSC 52), which works over ssh and in tmux with set-clipboard.
fn copy_to_clipboard(out: &mut dyn Write, text: &str) -> io::Result<()> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// Performs a bookmark command on the store at `path`; blocking file IO.
fn bookmark_command(path: Result<PathBuf, String>, cmd: Cmd) -> StoreReply {
    let mut reply = StoreReply {
        list: Vec::new(),
        notice: None,
        unsaved: None,
    };
    let mut store = match path {
        Ok(path) => BookmarkStore::open(path),
        Err(e) => {
            if let Cmd::SaveBookmark(bookmark) = cmd {
                reply.unsaved = Some(bookmark);
            }
            reply.notice = Some(Err(e));
            return reply;
        }
    };
    let warning = store.take_warning();
    // The store's own message says it when it refuses every change.
    let explained = |e: StoreError| match e {
        StoreError::ReadOnly(_) => e.to_string(),
        e => format!("not saved: {e}"),
    };
    let done = match cmd {
        Cmd::SaveBookmark(bookmark) => match store.add((*bookmark).clone()) {
            Ok(name) => {
                let key = key_for(Context::Events, Action::ShowBookmarks);
                Some(Ok(format!(
                    "bookmarked as '{name}' ({key} lists the bookmarks)"
                )))
            }
            Err(e) => {
                reply.unsaved = Some(bookmark);
                Some(Err(explained(e)))
            }
        },
        Cmd::RenameBookmark { from, to } => Some(
            store
                .rename(&from, &to)
                .map(|()| format!("renamed '{from}' to '{to}'"))
                .map_err(explained),
        ),
        Cmd::DeleteBookmark(name) => Some(
            store
                .remove(&name)
                .map(|_| format!("deleted bookmark '{name}'"))
                .map_err(explained),
        ),
        _ => None,
    };
    // One line: a warning about the file comes after what the command did.
    let warning = warning.map(|w| w.replace('\n', " "));
    reply.notice = match (done, warning) {
        (done, None) => done,
        (None, Some(warning)) => Some(Err(warning)),
        (Some(Ok(text) | Err(text)), Some(warning)) => Some(Err(format!("{text}; {warning}"))),
    };
    reply.list = store.list().to_vec();
    reply
}

/// A connection attempt's outcome: its number, and the client with what the server is.
type Connected = (u64, Result<(Connection, Deployment), String>);

struct Runtime {
    /// Where to connect; `None` when showing a recording.
    target: Option<Target>,
    /// The attempt under way (its number and task), replaced by a new one.
    attempt: u64,
    connecting: Option<JoinHandle<()>>,
    connected: mpsc::Sender<Connected>,
    /// `None` until connected, and when showing a recording: no server to watch or list.
    client: Option<Client>,
    control: Option<mpsc::Sender<Control>>,
    /// Results of background commands come back here.
    results: mpsc::Sender<Msg>,
    clipboard: Box<dyn Write + Send>,
    bookmarks: Result<PathBuf, String>,
    /// A search asked for its next step ([`Cmd::ContinueSearch`]).
    search_step: bool,
    /// Ctrl-Z asked to stop ([`Cmd::Suspend`]).
    suspend_asked: bool,
}

impl Runtime {
    /// An attempt still under way when the TUI ends is dropped.
    fn abort_connecting(&mut self) {
        if let Some(attempt) = self.connecting.take() {
            attempt.abort();
        }
    }

    async fn stop(&self) {
        if let Some(control) = &self.control {
            let _ = control.send(Control::Stop).await;
        }
    }

    /// Performs one command; returns false to quit.
    async fn perform(&mut self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Quit => return false,
            Cmd::Connect { attempt } => {
                let Some(target) = self.target.clone() else {
                    return true;
                };
                self.abort_connecting();
                self.attempt = attempt;
                let connected = self.connected.clone();
                self.connecting = Some(tokio::spawn(async move {
                    let result = target.connect().await.map_err(|e| e.to_string());
                    let _ = connected.send((attempt, result)).await;
                }));
            }
            Cmd::ContinueSearch => self.search_step = true,
            Cmd::Suspend => self.suspend_asked = true,
            Cmd::Watch { id, spec } => {
                if let Some(control) = &self.control {
                    let _ = control.send(Control::Watch { id, spec }).await;
                }
            }
            Cmd::ListNamespaces => {
                let Some(client) = self.client.clone() else {
                    return true;
                };
                let results = self.results.clone();
                tokio::spawn(async move {
                    let listing = list_namespaces(&client).await;
                    let _ = results.send(Msg::Namespaces(listing)).await;
                });
            }
            Cmd::Copy(text) => {
                if let Err(e) = copy_to_clipboard(&mut self.clipboard, &text) {
                    let _ = self
                        .results
                        .send(Msg::Done(Err(format!("cannot copy: {e}"))))
                        .await;
                }
            }
            Cmd::WriteFile {
                path,
                contents,
                overwrite,
            } => {
                let msg = files::write_file(path, contents, overwrite);
                let _ = self.results.send(msg).await;
            }
            Cmd::LoadBookmarks
            | Cmd::SaveBookmark(_)
            | Cmd::RenameBookmark { .. }
            | Cmd::DeleteBookmark(_) => {
                let results = self.results.clone();
                let path = self.bookmarks.clone();
                tokio::spawn(async move {
                    let work = move || bookmark_command(path, cmd);
                    if let Ok(reply) = tokio::task::spawn_blocking(work).await {
                        let _ = results.send(Msg::Bookmarks(reply)).await;
                    }
                });
            }
            Cmd::LoadHistory { deployment } => {
                // Without a place for bookmarks there is none for the history either; the
                // bookmark commands say why.
                let Ok(path) = self.bookmarks.as_ref().map(|b| path_beside(b)) else {
                    return true;
                };
                let results = self.results.clone();
                tokio::spawn(async move {
                    let work = move || pipeline_history::load(&path, &deployment);
                    if let Ok(loaded) = tokio::task::spawn_blocking(work).await {
                        let _ = results.send(Msg::History(loaded)).await;
                    }
                });
            }
            Cmd::SaveHistory {
                deployment,
                pipelines,
            } => {
                let Ok(path) = self.bookmarks.as_ref().map(|b| path_beside(b)) else {
                    return true;
                };
                // Waited for (a few milliseconds, when a pipeline starts): a quit right after
                // must not lose it.
                let work = move || pipeline_history::save(&path, &deployment, &pipelines);
                if let Ok(Err(problem)) = tokio::task::spawn_blocking(work).await {
                    let _ = self.results.send(Msg::Done(Err(problem))).await;
                }
            }
            Cmd::FindOldest { watch, spec, lost } => {
                let Some(client) = self.client.clone() else {
                    return true;
                };
                let results = self.results.clone();
                tokio::spawn(async move {
                    let at = oldest_after(&client, &spec, lost, now_millis()).await;
                    let _ = results.send(Msg::Oldest { watch, at }).await;
                });
            }
        }
        true
    }
}

/// Runs the TUI on `terminal` until the user quits or `io.input` ends: on the change streams
/// of the server `target` leads to (connecting on screen), or (with none) on the recording in
/// `config`.
pub async fn run<B, I>(
    terminal: &mut Terminal<B>,
    io: Io<I>,
    target: Option<Target>,
    mut config: Config,
    mut recorder: Option<Recorder>,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    I: Stream<Item = io::Result<Event>> + Unpin,
{
    let size = terminal.size()?;
    config.size = (size.width, size.height);
    config.now = now_millis();

    // The change-stream task starts once connected.
    let mut source = mpsc::channel(1).1;
    let mut source_open = false;
    let (connected, mut connected_rx) = mpsc::channel(1);
    let (results, mut results_rx) = mpsc::channel(16);
    let Io {
        mut input,
        clipboard,
        bookmarks,
        mut suspend,
    } = io;
    let mut runtime = Runtime {
        target,
        attempt: 0,
        connecting: None,
        connected,
        client: None,
        control: None,
        results,
        clipboard,
        bookmarks,
        search_step: false,
        suspend_asked: false,
    };
    let (mut state, cmds) = State::new(config);
    for cmd in cmds {
        runtime.perform(cmd).await;
    }
    // As crossterm reads it: set and not empty.
    let view = match std::env::var_os("NO_COLOR") {
        Some(value) if !value.is_empty() => ui::view_without_colour,
        _ => ui::view,
    };
    let mut ticks = interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let start = Instant::now();
    let mut pace = Pace::new(start);
    terminal.draw(|frame| view(&state, frame))?;
    pace.drawn(start, Instant::now());
    state.dirty = false;
    // Debug builds only: lets the tests panic a TUI that has drawn, to see what the panic hook
    // leaves of the terminal (tests/tui/e2e.rs).
    #[cfg(debug_assertions)]
    if std::env::var_os("MWATCH_DEBUG_PANIC").is_some() {
        panic!("MWATCH_DEBUG_PANIC is set");
    }

    loop {
        let next_frame = pace.next();
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => to_msg(event),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            msg = source.recv(), if source_open => match msg {
                Some(msg) => {
                    if let (Some(rec), SourceMsg::Events { events, .. }) = (recorder.as_mut(), &msg) {
                        match rec.write(events) {
                            // One message a batch, however many were left out; this loop
                            // reads the channel, so a full one is not waited on.
                            Ok(left_out) => if let Some(first) = left_out.first() {
                                let note = match left_out.len() - 1 {
                                    0 => first.clone(),
                                    more => format!("{first} (and {more} more events left out)"),
                                };
                                let _ = runtime.results.try_send(Msg::Done(Err(note)));
                            }
                            Err(e) => {
                                recorder = None;
                                let _ = runtime.results.send(Msg::Done(Err(format!("recording stopped: {e}")))).await;
                            }
                        }
                    }
                    Some(Msg::Source { msg, now: now_millis() })
                }
                None => {
                    source_open = false;
                    Some(Msg::Done(Err("the change-stream task stopped".to_string())))
                }
            },
            // An attempt replaced may have finished before it could be stopped.
            Some((attempt, result)) = connected_rx.recv() => {
                if attempt != runtime.attempt || runtime.client.is_some() {
                    continue;
                }
                let result = result.map(|(connection, deployment)| {
                    runtime.client = Some(connection.client.clone());
                    let (control, stream) = engine::spawn(connection);
                    runtime.control = Some(control);
                    source = stream;
                    source_open = true;
                    deployment
                });
                Some(Msg::Connected { attempt, result })
            }
            Some(msg) = results_rx.recv() => Some(msg),
            _ = ticks.tick() => Some(Msg::Tick { now: now_millis() }),
            // Ready at once, but taken in turn with input that is ready too: keys are read
            // between the steps of a search.
            () = std::future::ready(()), if runtime.search_step => {
                runtime.search_step = false;
                Some(Msg::ContinueSearch)
            }
            Some(()) = suspend.requests.next() => Some(stop_until_continued(terminal, &mut suspend)?),
            () = std::future::ready(()), if runtime.suspend_asked => {
                runtime.suspend_asked = false;
                Some(stop_until_continued(terminal, &mut suspend)?)
            }
            _ = sleep_until(next_frame), if state.dirty => None,
        };
        if let Some(msg) = msg {
            for cmd in update(&mut state, msg) {
                if !runtime.perform(cmd).await {
                    runtime.stop().await;
                    runtime.abort_connecting();
                    return never_connected(&state);
                }
            }
        }
        let start = Instant::now();
        if state.dirty && start >= pace.next() {
            terminal.draw(|frame| view(&state, frame))?;
            state.dirty = false;
            pace.drawn(start, Instant::now());
        }
    }
    runtime.stop().await;
    runtime.abort_connecting();
    never_connected(&state)
}

/// Quitting before ever connecting is a failure: the shell gets the reason (it was only on the
/// screen that is now gone) and a non-zero exit code.
fn never_connected(state: &State) -> anyhow::Result<()> {
    match &state.connecting {
        None => Ok(()),
        Some(connecting) => Err(match &connecting.failed {
            Some(reason) => anyhow::anyhow!("{reason}"),
            None => anyhow::anyhow!("quit before connecting to {}", connecting.to.hosts),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::{sample, Bookmark};

    #[test]
    fn bookmark_commands_report_the_store_and_give_back_what_they_could_not_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = || Ok(dir.path().join("bookmarks.json"));
        let save =
            |bookmark: Bookmark| bookmark_command(path(), Cmd::SaveBookmark(Box::new(bookmark)));
        let names = |reply: &StoreReply| -> Vec<String> {
            reply.list.iter().map(|b| b.name.clone()).collect()
        };

        let reply = save(sample("a"));
        assert_eq!(
            reply.notice,
            Some(Ok("bookmarked as 'a' (B lists the bookmarks)".into()))
        );
        assert_eq!(names(&reply), ["a"]);
        let reply = save(sample("a"));
        assert_eq!(
            reply.notice,
            Some(Err("not saved: a bookmark named 'a' already exists".into()))
        );
        assert_eq!(reply.unsaved.map(|b| b.name), Some("a".into()));

        let renamed = Cmd::RenameBookmark {
            from: "a".into(),
            to: "b".into(),
        };
        let reply = bookmark_command(path(), renamed);
        assert_eq!(reply.notice, Some(Ok("renamed 'a' to 'b'".into())));
        assert_eq!(names(&reply), ["b"]);
        let reply = bookmark_command(path(), Cmd::LoadBookmarks);
        assert_eq!((&reply.notice, names(&reply)), (&None, vec!["b".into()]));
        let reply = bookmark_command(path(), Cmd::DeleteBookmark("b".into()));
        assert_eq!(reply.notice, Some(Ok("deleted bookmark 'b'".into())));
        assert!(reply.list.is_empty());

        std::fs::write(dir.path().join("bookmarks.json"), "{ broken").unwrap();
        let reply = save(sample("c"));
        // Saved, and a warning: the broken file was moved aside (`bookmarks.json.corrupt-…`).
        assert_eq!(names(&reply), ["c"]);
        let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.to_string_lossy().contains(".corrupt-"))
            .collect();
        let [aside] = aside.as_slice() else {
            panic!("one file moved aside: {aside:?}")
        };
        let Some(Err(text)) = &reply.notice else {
            panic!("a warning expected: {reply:?}")
        };
        assert!(
            text.starts_with("bookmarked as 'c' (B lists the bookmarks); ")
                && text.contains(&format!(
                    " mwatch moved it to {} and starts with no bookmarks",
                    aside.display()
                )),
            "what the file had is reported too, on one line: {text}"
        );
        assert!(!text.contains('\n'));

        let nowhere = bookmark_command(
            Err("cannot find a data directory".into()),
            Cmd::SaveBookmark(Box::new(sample("d"))),
        );
        assert_eq!(
            nowhere.notice,
            Some(Err("cannot find a data directory".into()))
        );
        assert_eq!(nowhere.unsaved.map(|b| b.name), Some("d".into()));
    }
}
