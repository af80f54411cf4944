//! The runtime's loop itself on a `TestBackend`, with scripted keys: it performs the commands,
//! records what a playground sends, and draws at most once a frame, and not at all when idle.

use std::convert::Infallible;
use std::future::Future;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use bson::{doc, Document};
use futures_util::Stream;
use mwatch::app::state::{Config, Recording};
use mwatch::runtime::{run, Io, Suspend, FRAME};
use mwatch::source::connect::{prepare, Deployment, Target};
use mwatch::source::recording::{Recorder, Replay};
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Size};
use ratatui::Terminal;
use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};

use crate::common;
use crate::common::tui::{buffer_text, config, events, SIZE};

/// A `TestBackend` that the test reads while `run` draws on it, counting the frames drawn.
#[derive(Clone)]
struct Screen(Arc<Mutex<Drawn>>);

struct Drawn {
    backend: TestBackend,
    frames: usize,
    /// When each frame was drawn (tokio's clock: paused tests read exact instants).
    times: Vec<Instant>,
}

impl Screen {
    fn new((width, height): (u16, u16)) -> Screen {
        Screen(Arc::new(Mutex::new(Drawn {
            backend: TestBackend::new(width, height),
            frames: 0,
            times: Vec::new(),
        })))
    }

    fn frames(&self) -> usize {
        self.0.lock().unwrap().frames
    }

    fn frame_times(&self) -> Vec<Instant> {
        self.0.lock().unwrap().times.clone()
    }

    fn text(&self) -> String {
        buffer_text(self.0.lock().unwrap().backend.buffer())
    }

    /// Waits until the screen shows `text`; fails the test with the screen after a while.
    async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.text();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "no '{text}' on:\n{screen}");
            sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Backend for Screen {
    type Error = Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Infallible>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.0.lock().unwrap().backend.draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().backend.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().backend.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Infallible> {
        self.0.lock().unwrap().backend.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Infallible> {
        self.0.lock().unwrap().backend.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().backend.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Infallible> {
        self.0.lock().unwrap().backend.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Infallible> {
        self.0.lock().unwrap().backend.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Infallible> {
        self.0.lock().unwrap().backend.window_size()
    }

    /// `Terminal::draw` flushes once at the end of each frame.
    fn flush(&mut self) -> Result<(), Infallible> {
        let mut drawn = self.0.lock().unwrap();
        drawn.frames += 1;
        drawn.times.push(Instant::now());
        drawn.backend.flush()
    }
}

/// What a copy wrote, kept for the test instead of going to the terminal.
#[derive(Clone, Default)]
struct Clipboard(Arc<Mutex<Vec<u8>>>);

impl Write for Clipboard {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Scripted terminal input: what is sent arrives as typed keys.
struct Keys(mpsc::UnboundedSender<Event>);

impl Keys {
    fn key(&self, code: KeyCode) {
        self.send(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn ctrl(&self, c: char) {
        self.send(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    fn typed(&self, text: &str) {
        text.chars().for_each(|c| self.key(KeyCode::Char(c)));
    }

    fn send(&self, key: KeyEvent) {
        self.0.send(Event::Key(key)).expect("run is reading keys");
    }
}

type Input = std::pin::Pin<Box<dyn Stream<Item = io::Result<Event>>>>;

/// The keys to type, and what `run` gets from outside: them as its input, `clipboard`, and a
/// bookmark file in `dir`.
fn outside(clipboard: &Clipboard, dir: &Path) -> (Keys, Io<Input>) {
    let (keys, typed) = mpsc::unbounded_channel();
    let input: Input = Box::pin(futures_util::stream::unfold(
        typed,
        |mut typed| async move {
            let event = typed.recv().await?;
            Some((Ok(event), typed))
        },
    ));
    let io = Io {
        input,
        clipboard: Box::new(clipboard.clone()),
        bookmarks: Ok(dir.join("bookmarks.json")),
        suspend: Suspend::none(),
    };
    (Keys(keys), io)
}

/// The fixture's config, showing a recording of `events` instead of watching a server.
fn recording(events: Vec<mwatch::event::ChangeEvent>) -> Config {
    Config {
        recording: Some(Recording {
            name: "fixture.jsonl".into(),
            events,
            warning: None,
        }),
        ..config(Some("shop.orders"), SIZE)
    }
}

/// Where `uri` leads, and the fixture's config for it, as `mwatch URI` makes them.
async fn server_config(uri: &str, scope: Option<&str>) -> (Target, Config) {
    let target = prepare(uri).await.unwrap();
    let config = Config {
        deployment: Deployment::at(target.uri.clone()),
        destination: target.destination.clone(),
        ..config(scope, SIZE)
    };
    (target, config)
}

/// Runs the loop while `script` types into it; once the script is done (its last key is `q`),
/// the loop must end too. Returns what it returned.
async fn run_scripted(
    run: impl Future<Output = anyhow::Result<()>>,
    script: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    tokio::pin!(run);
    tokio::select! {
        result = &mut run => panic!("the loop ended before its script: {result:?}"),
        () = script => {}
    }
    common::within("the loop to end on q", run).await
}

#[tokio::test]
async fn q_ends_the_loop_with_ok() {
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    keys.key(KeyCode::Char('q'));
    common::within(
        "the loop to end on q",
        run(&mut terminal, io, None, recording(events()), None),
    )
    .await
    .unwrap();
    assert!(screen.text().contains("recording fixture.jsonl"));
}

#[tokio::test]
async fn w_writes_the_event_to_a_file_asks_before_overwriting_and_y_copies_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("event.json");
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let clipboard = Clipboard::default();
    let (keys, io) = outside(&clipboard, dir.path());
    let write = || {
        keys.key(KeyCode::Char('w'));
        keys.ctrl('u');
        keys.typed(&file.display().to_string());
        keys.key(KeyCode::Enter);
    };
    let script = async {
        write();
        let wrote = format!("wrote the event to {}", file.display());
        screen.wait_for(&wrote).await;
        std::fs::write(&file, "older").unwrap();
        write();
        screen.wait_for(&format!("{} exists", file.display())).await;
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "older");
        keys.key(KeyCode::Char('y'));
        screen.wait_for(&wrote).await;
        keys.key(KeyCode::Char('y'));
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(
        run(&mut terminal, io, None, recording(events()), None),
        script,
    )
    .await
    .unwrap();

    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains("\n  \"operationType\": \"insert\""),
        "{written}"
    );
    let copied = String::from_utf8(clipboard.0.lock().unwrap().clone()).unwrap();
    let encoded = copied
        .strip_prefix("\x1b]52;c;")
        .and_then(|rest| rest.strip_suffix('\x07'))
        .unwrap_or_else(|| panic!("not an OSC 52 sequence: {copied:?}"));
    let json = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert!(String::from_utf8(json)
        .unwrap()
        .contains("\"operationType\":\"insert\""));
}

#[tokio::test]
async fn the_recorder_keeps_what_a_playground_sends_and_the_screen_shows_it() {
    let (server, client) = common::setup().await;
    let orders = client.database("rt").collection::<Document>("orders");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let recorder = Recorder::open(&file).unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let (target, config) = server_config(&server.uri(), Some("rt.orders")).await;
    let script = async {
        screen.wait_for("● live").await;
        for n in 1..=3 {
            orders.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
        }
        let shown = screen.wait_for("{ n: 3 }").await;
        assert!(
            shown.contains("{ n: 1 }") && shown.contains("{ n: 2 }"),
            "{shown}"
        );
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(
        run(&mut terminal, io, Some(target), config, Some(recorder)),
        script,
    )
    .await
    .unwrap();

    let recorded: Vec<_> = Replay::open(&file)
        .unwrap()
        .map(|event| event.unwrap().to_document().unwrap())
        .collect();
    let inserted: Vec<_> = recorded
        .iter()
        .map(|event| {
            let ns = event.get_document("ns").unwrap();
            let doc = event.get_document("fullDocument").unwrap();
            (
                event.get_str("operationType").unwrap(),
                ns.get_str("coll").unwrap(),
                doc.get_i32("n").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inserted,
        [
            ("insert", "orders", 1),
            ("insert", "orders", 2),
            ("insert", "orders", 3)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn bursts_are_drawn_once_a_frame_and_an_idle_loop_draws_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let script = async {
        // The first frame, and the first tick's.
        sleep(Duration::from_secs(2)).await;

        let before = screen.frames();
        sleep(Duration::from_secs(10)).await;
        assert_eq!(screen.frames(), before, "ten idle seconds draw nothing");

        let before = screen.frames();
        for _ in 0..100 {
            keys.key(KeyCode::Down);
        }
        sleep(FRAME * 3).await;
        assert_eq!(
            screen.frames() - before,
            3,
            "100 keys at once: the first two drawn at once (nothing was drawn for long: one \
             frame of slack), the 98 others together a frame later"
        );

        // A key every 5 ms for a second: at most one frame per frame interval, and the screen
        // keeps up.
        let before = screen.frames();
        let keys_sent = 200;
        for _ in 0..keys_sent {
            keys.key(KeyCode::Down);
            sleep(Duration::from_millis(5)).await;
        }
        sleep(FRAME * 3).await;
        let drawn = screen.frames() - before;
        let span = Duration::from_millis(5 * keys_sent);
        // The first key's frame and one of slack, one per interval after them, the last
        // key's a frame later.
        let most = (span.as_millis() / FRAME.as_millis()) as usize + 3;
        assert!(
            (most / 2..=most).contains(&drawn),
            "{drawn} frames for keys over {span:?}, at most {most}"
        );
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(
        run(&mut terminal, io, None, recording(Vec::new()), None),
        script,
    )
    .await
    .unwrap();
}

/// A change that comes after a quiet spell is drawn at once, even when a lone frame (the clock's
/// tick, a key) was drawn a moment before: the frame cap is for floods, not for one change.
#[tokio::test(start_paused = true)]
async fn a_lone_change_is_drawn_at_once_even_just_after_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let script = async {
        // Between the clock's ticks.
        sleep(Duration::from_millis(2500)).await;
        let first = Instant::now();
        keys.key(KeyCode::Down);
        sleep(Duration::from_millis(10)).await;
        let second = Instant::now();
        keys.key(KeyCode::Down);
        sleep(FRAME * 3).await;
        let times = screen.frame_times();
        assert!(times.contains(&first), "the first key drawn at once");
        assert!(
            times.contains(&second),
            "the key 10 ms later drawn at once too, not a frame after the first: {:?}",
            times
                .iter()
                .filter(|t| **t >= first)
                .map(|t| *t - first)
                .collect::<Vec<_>>()
        );
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(
        run(&mut terminal, io, None, recording(Vec::new()), None),
        script,
    )
    .await
    .unwrap();
}

/// The screen draws at once while connecting; a server that does not answer leaves the TUI on
/// the error, and `r` connects once it is there.
#[tokio::test]
async fn connecting_is_shown_then_a_failure_then_r_connects() {
    let server = common::playground().await;
    let addr = server.addr();
    server.stop().await;
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new((80, 24));
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let uri = format!("mongodb://ann:hunter2@{addr}/?serverSelectionTimeoutMS=1500");
    let (target, config) = server_config(&uri, Some("rt.orders")).await;
    let script = async {
        let shown = screen
            .wait_for(&format!(
                "Connecting to {addr} · 0 s (gives up after 1.5 s)"
            ))
            .await;
        assert!(shown.contains("[r] retry  [Esc/q] quit"), "{shown}");
        let shown = screen.wait_for("Cannot connect").await;
        assert!(
            shown.contains(&format!("cannot reach {addr} within 1.5 s")),
            "{shown}"
        );
        assert!(shown.contains("mwatch --demo"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let _again = mwatch_playground::start(mwatch_playground::Config {
            port: addr.port(),
            users: vec![("ann".into(), "hunter2".into())],
            ..Default::default()
        })
        .await
        .unwrap();
        keys.key(KeyCode::Char('r'));
        screen.wait_for("● live").await;
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(run(&mut terminal, io, Some(target), config, None), script)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_replica_set_name_is_said_on_screen() {
    let server = common::playground().await;
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let uri = format!(
        "mongodb://{}/?replicaSet=wrong&serverSelectionTimeoutMS=1000",
        server.addr()
    );
    let (target, config) = server_config(&uri, None).await;
    let script = async {
        let shown = screen.wait_for("Cannot connect").await;
        assert!(
            shown.contains("answered, but its replica set is named 'rs0', not"),
            "{shown}"
        );
        keys.key(KeyCode::Esc);
    };
    // Quitting without ever connecting fails, with the reason for the shell.
    let error = run_scripted(run(&mut terminal, io, Some(target), config, None), script)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("its replica set is named 'rs0'"),
        "{error}"
    );
}

/// The pipeline applied in one session is there, with Alt-↑, in the next one on the same
/// deployment: the runtime saves and loads the history beside the bookmarks.
#[tokio::test]
async fn the_pipeline_history_outlives_the_session() {
    let server = common::playground().await;
    let dir = tempfile::tempdir().unwrap();
    let session = |script: &'static str| {
        let server_uri = server.uri();
        let dir = dir.path().to_path_buf();
        async move {
            let screen = Screen::new(SIZE);
            let mut terminal = Terminal::new(screen.clone()).unwrap();
            let (keys, io) = outside(&Clipboard::default(), &dir);
            let (target, config) = server_config(&server_uri, Some("rt.history")).await;
            let script = async {
                screen.wait_for("● live").await;
                keys.key(KeyCode::Char('p'));
                if script == "apply" {
                    keys.typed("// mine");
                    keys.key(KeyCode::Enter);
                    keys.typed("{$match: {operationType: 'delete'}}");
                    keys.ctrl('s');
                    screen.wait_for("running: 1 stage(s)").await;
                } else {
                    keys.send(KeyEvent::new(KeyCode::Up, KeyModifiers::ALT));
                    screen.wait_for("// mine").await;
                }
                keys.key(KeyCode::Esc);
                keys.key(KeyCode::Char('q'));
            };
            run_scripted(run(&mut terminal, io, Some(target), config, None), script)
                .await
                .unwrap();
        }
    };
    session("apply").await;
    let saved = std::fs::read_to_string(dir.path().join("pipelines.json")).unwrap();
    assert!(saved.contains("// mine"), "{saved}");
    session("recall").await;
}

/// A real outage (connections closed under the stream, the driver's resume failing too): the
/// screen says resuming, then marks where the stream resumed, and the events go on.
#[tokio::test]
async fn an_outage_shows_as_resuming_then_as_a_seam_row() {
    let (server, client) = common::setup().await;
    let orders = client.database("rt").collection::<Document>("outage");
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let (target, config) = server_config(&server.uri(), Some("rt.outage")).await;
    let script = async {
        screen.wait_for("● live").await;
        orders.insert_one(doc! { "n": 1 }).await.unwrap();
        screen.wait_for("{ n: 1 }").await;
        let data = doc! { "failCommands": ["getMore", "aggregate"], "closeConnection": true };
        common::fail_command(&client, common::times(3), data).await;
        // The getMore waiting now answers the next write; the ones after it fail.
        orders.insert_one(doc! { "n": 2 }).await.unwrap();
        screen.wait_for(" without the server").await;
        orders.insert_one(doc! { "n": 3 }).await.unwrap();
        let shown = screen.wait_for("{ n: 3 }").await;
        assert!(shown.contains("── resumed after "), "{shown}");
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(run(&mut terminal, io, Some(target), config, None), script)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_search_of_many_events_is_taken_step_by_step_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::new(SIZE);
    let mut terminal = Terminal::new(screen.clone()).unwrap();
    let (keys, io) = outside(&Clipboard::default(), dir.path());
    let many = (0..5_000).map(common::tui::insert).collect();
    let script = async {
        screen.wait_for("Events · 5,000 kept").await;
        keys.typed("/no-such-text");
        keys.key(KeyCode::Enter);
        screen
            .wait_for("no retained event contains 'no-such-text'")
            .await;
        assert!(screen.text().contains("/no-such-text · no match"));
        keys.key(KeyCode::Char('q'));
    };
    run_scripted(run(&mut terminal, io, None, recording(many), None), script)
        .await
        .unwrap();
}
