//! The TUI replaying a history next to a bare driver loop, on the same in-process playground and
//! the same 200,000 inserts (about 305 bytes of BSON each, replayed from the start of the oplog
//! as `mwatch --ns bench.events --start-at 0:0` does). The TUI is the real app loop
//! (`runtime::run`) drawing on a 120x35 `TestBackend`: it is done when a frame shows every
//! event received. Prints, per consumer, events/s and CPU per event (the process's CPU apart
//! from the playground's connection threads: the driver, the engine, `update` and drawing), the
//! TUI's frame times, and how long a key typed while it ingests takes to show (Up pauses the
//! list, End follows again: from the key sent to the frame that shows it). Three rounds each,
//! alternated; the medians make the headline. Run: `cargo bench --bench tui_ingest`.

mod common;

use std::time::{Duration, Instant};

use bson::Timestamp;
use common::{
    bare_driver, median, ms, next_seen, outside, percentile, run_tui, seed, Cpu, Probe, COLL, DB,
};
use mwatch::source::Start;
use mwatch_playground as playground;
use ratatui::crossterm::event::KeyCode;
use tokio::sync::mpsc;

const EVENTS: usize = 200_000;
/// What the status line says once all `EVENTS` arrived.
const ALL_RECEIVED: &str = "200,000 received";
/// What the status line says once the watch runs.
const WATCHING: &str = "kept · following";
const ROUNDS: usize = 3;
/// Longest wait for a frame: far more than anything measured.
const LIMIT: Duration = Duration::from_secs(30);

/// One consumer's run: wall time and CPU for all the events.
struct Run {
    elapsed: Duration,
    cpu: Duration,
}

/// The TUI's run, its frame times and its keys' times to the screen.
async fn tui(uri: &str) -> (Run, Vec<Duration>, Vec<Duration>) {
    let probe = Probe::new();
    let (keys, io) = outside();
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let (done_tx, mut done) = mpsc::unbounded_channel();
    // Timed from the first frame that shows the watch running (connecting, the handshake and
    // the listing before it are not the bare loop's either) to the first frame that shows the
    // last event (drawn up to a frame's time, 33 ms, after it arrived).
    let (started_tx, mut started) = mpsc::unbounded_channel();
    probe.want(WATCHING, true, &started_tx);
    probe.want(ALL_RECEIVED, true, &done_tx);
    let tui = run_tui(
        uri,
        DB,
        COLL,
        Start::AtTime(Timestamp {
            time: 0,
            increment: 0,
        }),
        probe.clone(),
        io,
    );
    let script = async {
        let mut key_times = Vec::new();
        // Once the watch runs, a key at a time while the events flow in.
        let start = next_seen(&mut started, WATCHING, LIMIT).await;
        let cpu = Cpu::now();
        loop {
            if let Ok((_, at)) = done.try_recv() {
                return (at - start, Cpu::now().since(&cpu), key_times);
            }
            for (key, shows) in [
                (KeyCode::Up, "kept · paused"),
                (KeyCode::End, "kept · following"),
            ] {
                probe.want(shows, true, &seen_tx);
                let sent = Instant::now();
                keys.key(key);
                key_times.push(next_seen(&mut seen, shows, LIMIT).await - sent);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::pin!(tui);
    let (elapsed, cpu, key_times) = tokio::select! {
        () = &mut tui => panic!("the TUI ended before its script"),
        out = script => out,
    };
    keys.key(KeyCode::Char('q'));
    tokio::time::timeout(LIMIT, tui)
        .await
        .expect("the TUI ends on q");
    // Its client's connections close before the next round is measured.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let run = Run { elapsed, cpu };
    (run, probe.take_frame_times(), key_times)
}

#[tokio::main]
async fn main() {
    let (server, client) = common::serve(playground::Config::default()).await;
    seed(&client, EVENTS).await;
    let rate = |run: &Run| EVENTS as f64 / run.elapsed.as_secs_f64();
    let cpu_us = |run: &Run| run.cpu.as_secs_f64() * 1e6 / EVENTS as f64;
    let (mut driver_rates, mut tui_rates) = (Vec::new(), Vec::new());
    let (mut frames, mut keys) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let cpu = Cpu::now();
        let elapsed = bare_driver(&client, EVENTS).await;
        let driver = Run {
            elapsed,
            cpu: Cpu::now().since(&cpu),
        };
        let (app, frame_times, key_times) = tui(&server.uri()).await;
        println!(
            "round {round}: bare driver loop {:>7.0} events/s, {:.2} µs CPU an event | TUI {:>7.0} events/s, {:.2} µs CPU an event, {} frames, {} keys",
            rate(&driver),
            cpu_us(&driver),
            rate(&app),
            cpu_us(&app),
            frame_times.len(),
            key_times.len()
        );
        driver_rates.push(rate(&driver));
        tui_rates.push(rate(&app));
        frames.extend(frame_times);
        keys.extend(key_times);
    }
    println!(
        "TUI frame time while ingesting: p50 {:.2} ms p99 {:.2} ms max {:.2} ms ({} frames)",
        ms(percentile(&frames, 0.5)),
        ms(percentile(&frames, 0.99)),
        ms(percentile(&frames, 1.0)),
        frames.len()
    );
    println!(
        "key to frame while ingesting: p50 {:.1} ms p99 {:.1} ms max {:.1} ms ({} keys)",
        ms(percentile(&keys, 0.5)),
        ms(percentile(&keys, 0.99)),
        ms(percentile(&keys, 1.0)),
        keys.len()
    );
    let (driver, app) = (median(&driver_rates), median(&tui_rates));
    println!("bare driver loop (median): {driver:.0} events/s");
    println!("TUI (median):              {app:.0} events/s");
    println!("ratio: {:.2} of the bare driver's rate", app / driver);
}
