//! `mwatch --json` next to a bare driver loop, on the same playground and the same 200,000
//! events (replayed from the start of the oplog), each run 3 times (medians printed): events/s
//! through a pipe, the child's CPU per event (user + system, from `/proc/PID/stat`) and its
//! peak resident size (VmHWM). Then how long `mwatch --json | head -1` takes to end once head
//! has closed the pipe, on a stream with an event every 100 ms. With `MWATCH_BASELINE_BIN`
//! set, the same for that binary in the same run. The ratio is the headline: how much of the
//! driver's speed the headless pipeline (engine, batching, JSON) keeps.
//!
//! `MWATCH_BENCH_MEMORY=1`: 1,000,000 events instead, each binary run once: the VmHWM of
//! `--json` replaying them (the target: under 40 MB).
//!
//! Run: `cargo bench --bench headless_throughput`.

use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use bson::{doc, Document};
use mongodb::Client;
use mwatch_playground as playground;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use common::{bare_driver, median, proc, seed, serve};

const RUNS: usize = 3;

/// What one `--json` run measured.
#[derive(Clone, Copy)]
struct Run {
    per_second: f64,
    cpu_per_event: Duration,
    hwm: usize,
}

async fn headless(bin: &str, uri: &str, events: usize) -> Run {
    let start = Instant::now();
    let mut child = tokio::process::Command::new(bin)
        .args([uri, "--json", "--ns", "bench.events", "--start-at", "0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn mwatch");
    let pid = child.id().expect("running");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut lines = 0;
    let mut buffer = vec![0u8; 1 << 16];
    while lines < events {
        let n = stdout.read(&mut buffer).await.expect("read");
        assert!(n > 0, "{bin} stopped after {lines} events");
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = start.elapsed();
    let run = Run {
        per_second: events as f64 / elapsed.as_secs_f64(),
        cpu_per_event: proc::cpu(pid) / events as u32,
        hwm: proc::status(&pid.to_string(), "VmHWM"),
    };
    let _ = child.kill().await;
    run
}

/// `mwatch --json | head -1` on a live stream (an event every 100 ms): the time from closing
/// the pipe after the first line to the child's exit.
async fn close_to_exit(bin: &str, uri: &str, client: &Client) -> Duration {
    let mut child = tokio::process::Command::new(bin)
        .args([uri, "--json", "--ns", "bench.trickle"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn mwatch");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("watching") {
        line.clear();
        assert!(stderr.read_line(&mut line).await.expect("stderr") > 0);
    }
    let coll = client.database("bench").collection::<Document>("trickle");
    let trickle = tokio::spawn(async move {
        for n in 0.. {
            coll.insert_one(doc! { "n": n }).await.expect("insert");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    line.clear();
    stdout.read_line(&mut line).await.expect("line 1");
    drop(stdout);
    let closed = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("mwatch ends")
        .expect("wait");
    let took = closed.elapsed();
    trickle.abort();
    took
}

fn runs_text(values: &[f64]) -> String {
    let values: Vec<String> = values.iter().map(|v| format!("{v:.0}")).collect();
    values.join(", ")
}

/// The binaries measured: this one, and the baseline when given.
fn binaries() -> Vec<(&'static str, String)> {
    let mut binaries = vec![("mwatch", env!("CARGO_BIN_EXE_mwatch").to_string())];
    if let Ok(baseline) = std::env::var("MWATCH_BASELINE_BIN") {
        binaries.push(("baseline", baseline));
    }
    binaries
}

async fn memory(uri: &str, client: &Client) {
    const EVENTS: usize = 1_000_000;
    seed(client, EVENTS).await;
    for (name, bin) in binaries() {
        let run = headless(&bin, uri, EVENTS).await;
        println!(
            "{name} --json, 1,000,000 events replayed: VmHWM {:.1} MB ({:.0} events/s, {:.2} µs CPU per event)",
            run.hwm as f64 / (1 << 20) as f64,
            run.per_second,
            run.cpu_per_event.as_secs_f64() * 1e6
        );
    }
}

#[tokio::main]
async fn main() {
    // History for every event replayed.
    let config = playground::Config {
        history: 1_100_000,
        ..playground::Config::default()
    };
    let (server, client) = serve(config).await;
    let uri = server.uri();
    if std::env::var_os("MWATCH_BENCH_MEMORY").is_some() {
        return memory(&uri, &client).await;
    }
    const EVENTS: usize = 200_000;
    seed(&client, EVENTS).await;
    let binaries = binaries();
    let mut driver = Vec::new();
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); binaries.len()];
    // Rounds, each running every consumer once: the machine's noise falls on all alike.
    for _ in 0..RUNS {
        driver.push(EVENTS as f64 / bare_driver(&client, EVENTS).await.as_secs_f64());
        for ((_, bin), runs) in binaries.iter().zip(&mut runs) {
            runs.push(headless(bin, &uri, EVENTS).await);
        }
    }
    let driver_rate = median(&driver);
    println!(
        "bare driver loop:         {driver_rate:.0} events/s (runs: {})",
        runs_text(&driver)
    );
    let mut ratios = Vec::new();
    for ((name, bin), runs) in binaries.iter().zip(&runs) {
        let rates: Vec<f64> = runs.iter().map(|r| r.per_second).collect();
        let rate = median(&rates);
        let cpu: Vec<f64> = runs
            .iter()
            .map(|r| r.cpu_per_event.as_secs_f64() * 1e6)
            .collect();
        let cpu = median(&cpu);
        let hwm: Vec<f64> = runs
            .iter()
            .map(|r| r.hwm as f64 / (1 << 20) as f64)
            .collect();
        let hwm = median(&hwm);
        println!(
            "{name:<8} --json (a pipe): {rate:.0} events/s (runs: {}), {cpu:.2} µs CPU per event, VmHWM {hwm:.1} MB",
            runs_text(&rates)
        );
        let closing = close_to_exit(bin, &uri, &client).await;
        println!(
            "{name:<8} --json | head -1: exits {:.1} ms after the pipe closes",
            closing.as_secs_f64() * 1e3
        );
        ratios.push((name, rate / driver_rate));
    }
    for (name, ratio) in ratios.iter().skip(1) {
        println!("{name}: {ratio:.2} of the bare driver's rate");
    }
    println!("ratio: {:.2} of the bare driver's rate", ratios[0].1);
}
