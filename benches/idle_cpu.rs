//! CPU used by the real `mwatch` binary over 10 s in a pseudo-terminal once it is live, and the
//! bytes it writes to the terminal meanwhile (a redraw writes bytes, so ~0 bytes means no
//! redraws). Idle: nothing written to the playground. Target: ~0 CPU, no redraws without a
//! change. For comparison, the same with the playground's default workload (15 operations/s),
//! first on collections not watched, then on the watched database.
//! Run: `cargo bench --bench idle_cpu`.

mod common;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use common::pty::{Pty, COLS, ROWS};
use mwatch_playground as playground;

const WINDOW: Duration = Duration::from_secs(10);

/// Runs mwatch on `uri` watching `ns` until it is live, then measures it for `WINDOW`.
/// Returns the CPU time used and the bytes written to the terminal.
async fn measure(uri: &str, ns: &str) -> (Duration, usize) {
    let env: [(&str, &OsStr); 0] = [];
    let pty = Pty::spawn(
        env!("CARGO_BIN_EXE_mwatch"),
        &[uri, "--ns", ns],
        &env,
        |_| {},
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !pty.contents().contains("● live") {
        assert!(
            Instant::now() < deadline,
            "mwatch did not go live:\n{}",
            pty.contents()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bytes_before = pty.bytes();
    let cpu_before = common::proc::cpu(pty.pid);
    tokio::time::sleep(WINDOW).await;
    let cpu = common::proc::cpu(pty.pid) - cpu_before;
    let bytes = pty.bytes() - bytes_before;
    pty.stop();
    (cpu, bytes)
}

#[tokio::main]
async fn main() {
    let cases = [
        ("idle, no writes", None, "some.coll"),
        (
            "workload 15 ops/s, unwatched",
            Some(playground::Workload::default()),
            "some.coll",
        ),
        (
            "workload 15 ops/s, watched",
            Some(playground::Workload::default()),
            "shop",
        ),
    ];
    println!(
        "mwatch in a {COLS}x{ROWS} pty over {} s after it shows 'live' (CPU in 10 ms ticks):",
        WINDOW.as_secs(),
    );
    for (label, workload, ns) in cases {
        let server = playground::start(playground::Config {
            workload,
            ..playground::Config::default()
        })
        .await
        .expect("start playground");
        let (cpu, bytes) = measure(&server.uri(), ns).await;
        println!(
            "  {label:<34} --ns {ns:<10} CPU {:>5} ms = {:>5.2}% of one core   terminal output {bytes} bytes",
            cpu.as_millis(),
            cpu.as_secs_f64() * 100.0 / WINDOW.as_secs_f64()
        );
        server.stop().await;
    }
}
