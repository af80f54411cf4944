//! What the benches share: the real app loop (`runtime::run`) on a `TestBackend` that times
//! its frames and says when a text first shows, scripted keys, the events to replay (`seed`)
//! and the bare driver loop to compare with (`bare_driver`), the CPU the process spent apart
//! from the in-process playground, and `median`, `percentile` and `ms` for the figures.
#![allow(dead_code)]

pub mod proc;
pub mod pty;

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, Document, RawDocumentBuf, Timestamp};
use futures_util::{Stream, StreamExt};
use mongodb::change_stream::ChangeStream;
use mongodb::{Client, Collection};
use mwatch::app::state::Config;
use mwatch::runtime::{self, Io, Suspend};
use mwatch::source::connect::{prepare, Deployment};
use mwatch::source::{Scope, Start, StreamOptions, WatchSpec};
use mwatch::store::EventStore;
use mwatch_playground as playground;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Size};
use ratatui::Terminal;
use tokio::sync::mpsc;

/// The terminal the TUI draws on, columns by rows.
pub const SIZE: (u16, u16) = (120, 35);

/// A text a frame is awaited for, and where to say when it was drawn.
struct Wanted {
    text: String,
    /// Whether the text is to show (or to be gone).
    shows: bool,
    seen: mpsc::UnboundedSender<(String, Instant)>,
}

#[derive(Default)]
struct Drawn {
    /// When the terminal asked the size, which `Terminal::draw` does first.
    frame_start: Option<Instant>,
    /// Each frame's time, from that to the flush that ends it.
    frame_times: Vec<Duration>,
    wanted: Vec<Wanted>,
}

/// A `TestBackend` that the bench reads while `run` draws on it.
#[derive(Clone)]
pub struct Probe {
    backend: Arc<Mutex<TestBackend>>,
    drawn: Arc<Mutex<Drawn>>,
}

impl Probe {
    pub fn new() -> Probe {
        Probe {
            backend: Arc::new(Mutex::new(TestBackend::new(SIZE.0, SIZE.1))),
            drawn: Arc::default(),
        }
    }

    /// Says on `seen` when the first frame that shows `text` (or, `shows` false, that no
    /// longer shows it) was drawn, once.
    pub fn want(&self, text: &str, shows: bool, seen: &mpsc::UnboundedSender<(String, Instant)>) {
        self.drawn.lock().unwrap().wanted.push(Wanted {
            text: text.to_string(),
            shows,
            seen: seen.clone(),
        });
    }

    /// The frame times so far, taken away.
    pub fn take_frame_times(&self) -> Vec<Duration> {
        std::mem::take(&mut self.drawn.lock().unwrap().frame_times)
    }

    pub fn text(&self) -> String {
        let backend = self.backend.lock().unwrap();
        let buffer = backend.buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }
}

impl Backend for Probe {
    type Error = Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Infallible>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.backend.lock().unwrap().draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Infallible> {
        self.backend.lock().unwrap().hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Infallible> {
        self.backend.lock().unwrap().show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Infallible> {
        self.backend.lock().unwrap().get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Infallible> {
        self.backend.lock().unwrap().set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Infallible> {
        self.backend.lock().unwrap().clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Infallible> {
        self.backend.lock().unwrap().clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Infallible> {
        self.drawn.lock().unwrap().frame_start = Some(Instant::now());
        self.backend.lock().unwrap().size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Infallible> {
        self.backend.lock().unwrap().window_size()
    }

    /// `Terminal::draw` flushes once at the end of each frame: the frame is on screen.
    fn flush(&mut self) -> Result<(), Infallible> {
        let now = Instant::now();
        let mut drawn = self.drawn.lock().unwrap();
        if let Some(start) = drawn.frame_start.take() {
            drawn.frame_times.push(now - start);
        }
        if !drawn.wanted.is_empty() {
            let text = self.text();
            drawn.wanted.retain(|wanted| {
                let done = text.contains(&wanted.text) == wanted.shows;
                if done {
                    let _ = wanted.seen.send((wanted.text.clone(), now));
                }
                !done
            });
        }
        Ok(())
    }
}

/// Terminal input the bench types.
pub struct Keys(mpsc::UnboundedSender<Event>);

impl Keys {
    pub fn key(&self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let _ = self.0.send(Event::Key(key));
    }
}

pub type Input = Pin<Box<dyn Stream<Item = io::Result<Event>> + Send>>;

/// The keys to type and the `Io` that `run` reads them from (no clipboard, no bookmarks).
pub fn outside() -> (Keys, Io<Input>) {
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
        clipboard: Box::new(io::sink()),
        bookmarks: Err("no bookmarks in a bench".to_string()),
        suspend: Suspend::none(),
    };
    (Keys(keys), io)
}

/// Where [`seed`] writes and [`bare_driver`] reads: `mwatch --ns bench.events`.
pub const DB: &str = "bench";
pub const COLL: &str = "events";

/// Inserts `n` documents (a multiple of 1,000) of about 305 bytes of change event each into
/// `bench.events`.
pub async fn seed(client: &Client, n: usize) {
    let coll = client.database(DB).collection::<Document>(COLL);
    for batch in 0..n / 1000 {
        let docs = (0..1000)
            .map(|i| doc! { "batch": batch as i32, "i": i, "status": "new", "total": 12.5 });
        coll.insert_many(docs).await.expect("insert");
    }
}

/// The bare driver loop the benches compare with: `bench.events`'s change stream from the
/// start of the oplog (as `--start-at 0:0`), each event taken as raw BSON and dropped; the
/// time from opening it to the `n`th event.
pub async fn bare_driver(client: &Client, n: usize) -> Duration {
    let coll = client.database(DB).collection::<Document>(COLL);
    let start = Instant::now();
    let mut stream = from_the_start(&coll).await;
    for _ in 0..n {
        stream.next().await.expect("an event").expect("an event");
    }
    start.elapsed()
}

/// A playground on a free loopback port (with `config`), and a driver client of it.
pub async fn serve(config: playground::Config) -> (playground::Playground, Client) {
    let server = playground::start(config).await.expect("playground");
    let client = Client::with_uri_str(server.uri()).await.expect("client");
    (server, client)
}

/// A change stream on `coll` from the start of the oplog, its events as raw BSON.
pub async fn from_the_start(coll: &Collection<Document>) -> ChangeStream<RawDocumentBuf> {
    coll.watch()
        .start_at_operation_time(Timestamp {
            time: 0,
            increment: 0,
        })
        .await
        .expect("watch")
        .with_type::<RawDocumentBuf>()
}

/// Runs the TUI as `mwatch URI --ns db.coll` does (with `--start-at 0:0` for `start`
/// `AtTime`), on `probe`, until `q` is typed.
pub async fn run_tui(uri: &str, db: &str, coll: &str, start: Start, probe: Probe, io: Io<Input>) {
    let target = prepare(uri).await.expect("a connection string");
    let config = Config {
        deployment: Deployment::at(target.uri.clone()),
        destination: target.destination.clone(),
        spec: WatchSpec {
            scope: Scope::Collection {
                db: db.to_string(),
                coll: coll.to_string(),
            },
            pipeline: Vec::new(),
            options: StreamOptions::default(),
            start,
        },
        pipeline_text: String::new(),
        store: EventStore::default(),
        now: 0,
        size: SIZE,
        recording: None,
    };
    let mut terminal = Terminal::new(probe).expect("terminal");
    runtime::run(&mut terminal, io, Some(target), config, None)
        .await
        .expect("the TUI runs");
}

/// Waits for what `seen` says next, at most `limit`, naming what it waited for otherwise.
pub async fn next_seen(
    seen: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    what: &str,
    limit: Duration,
) -> Instant {
    match tokio::time::timeout(limit, seen.recv()).await {
        Ok(Some((_, at))) => at,
        _ => panic!("no frame with {what} within {limit:?}"),
    }
}

/// CPU time the process has spent, user and system, all its threads; and each of the
/// playground's connection threads (`playground-conn-N`, as the playground names them).
pub struct Cpu {
    process: Duration,
    playground: HashMap<String, Duration>,
}

/// Clock ticks per second in `/proc` (Linux's USER_HZ).
const TICKS: u64 = 100;

/// The CPU time in a `/proc` `stat` file; fails loudly, as a figure of 0 would mislead.
fn cpu_of(stat: &Path) -> Duration {
    let text = std::fs::read_to_string(stat)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", stat.display()));
    // After the command name (in parentheses, which may hold spaces): fields 3 on; utime
    // and stime are fields 14 and 15.
    let rest = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("{} is not a stat file: {text:?}", stat.display()));
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no field {n} in {}: {text:?}", stat.display()))
    };
    Duration::from_millis((field(14) + field(15)) * 1000 / TICKS)
}

impl Cpu {
    pub fn now() -> Cpu {
        let mut playground = HashMap::new();
        for task in std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
        {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if comm.starts_with("playground-conn") {
                let tid = task.file_name().to_string_lossy().into_owned();
                playground.insert(tid, cpu_of(&task.path().join("stat")));
            }
        }
        Cpu {
            process: cpu_of(Path::new("/proc/self/stat")),
            playground,
        }
    }

    /// CPU spent since `earlier` outside the playground's connection threads (one that ended
    /// meanwhile counts as outside for its last moments).
    pub fn since(&self, earlier: &Cpu) -> Duration {
        let playground: Duration = self
            .playground
            .iter()
            .map(|(tid, now)| {
                now.saturating_sub(earlier.playground.get(tid).copied().unwrap_or_default())
            })
            .sum();
        self.process
            .saturating_sub(earlier.process)
            .saturating_sub(playground)
    }
}

/// The value at `part` of `values` (0.5 the median, 1.0 the largest), nearest rank; they need
/// not be sorted. Panics when there are none: a bench that measured nothing is broken.
pub fn percentile<T: Copy + PartialOrd>(values: &[T], part: f64) -> T {
    assert!(!values.is_empty(), "a percentile of no values");
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let last = sorted.len() - 1;
    sorted[((last as f64) * part.clamp(0.0, 1.0)).round() as usize]
}

/// The median of `values` (durations, rates, …), as [`percentile`] at 0.5.
pub fn median<T: Copy + PartialOrd>(values: &[T]) -> T {
    percentile(values, 0.5)
}

/// A duration in milliseconds, as the benches print them.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
