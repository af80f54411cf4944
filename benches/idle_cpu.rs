//! CPU used by the real `mwatch` binary over 10 s in a pseudo-terminal once it is live, and the
//! bytes it writes to the terminal meanwhile (a redraw writes bytes, so ~0 bytes means no
//! redraws). Idle: nothing written to the playground. Target: ~0 CPU, no redraws without a
//! change. For comparison, the same with the playground's default workload (15 operations/s),
//! first on collections not watched, then on the watched database.
//! Run: `cargo bench --bench idle_cpu`.

use std::io::Read;
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mwatch_playground as playground;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

const WINDOW: Duration = Duration::from_secs(10);
/// The unit of the CPU times in /proc/<pid>/stat (USER_HZ): 100 on Linux (x86, arm), assumed
/// rather than read with sysconf so as to need no libc dependency.
const TICKS_PER_SECOND: u64 = 100;
const ROWS: u16 = 35;
const COLS: u16 = 120;

/// What the terminal has received from mwatch.
struct Screen {
    parser: vt100::Parser,
    bytes: usize,
}

/// User plus system CPU time of a process (all its threads), in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc stat");
    // Field 2, the command name in parentheses, may hold spaces; the rest are plain numbers,
    // so after it field 3 comes first and utime, stime (fields 14, 15) are at 11, 12.
    let after_name = &stat[stat.rfind(')').expect("command name") + 2..];
    let fields: Vec<u64> = after_name
        .split(' ')
        .skip(11)
        .take(2)
        .map(|f| f.parse().expect("a number"))
        .collect();
    fields.iter().sum()
}

/// Runs mwatch on `uri` watching `ns` until it is live, then measures it for `WINDOW`.
/// Returns the CPU time used and the bytes written to the terminal.
async fn measure(uri: &str, ns: &str) -> (Duration, usize) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            ..PtySize::default()
        })
        .expect("open a pty");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_mwatch"));
    command.args([uri, "--ns", ns]);
    command.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(command).expect("spawn mwatch");
    // Only the child holds the terminal side, so reading ends when it exits.
    drop(pair.slave);
    let pid = child.process_id().expect("pid");

    let screen = Arc::new(Mutex::new(Screen {
        parser: vt100::Parser::new(
            NonZeroU16::new(ROWS).expect("rows"),
            NonZeroU16::new(COLS).expect("cols"),
            0,
        ),
        bytes: 0,
    }));
    // Read continuously: a terminal nobody reads blocks the writer once its buffer is full.
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let received = screen.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 1 << 14];
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            let mut screen = received.lock().expect("screen");
            screen.bytes += n;
            screen.parser.process(&buffer[..n]);
        }
    });

    let deadline = Instant::now() + Duration::from_secs(30);
    while !screen
        .lock()
        .expect("screen")
        .parser
        .screen()
        .contents()
        .contains("● live")
    {
        assert!(
            Instant::now() < deadline,
            "mwatch did not go live:\n{}",
            screen.lock().expect("screen").parser.screen().contents()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let bytes_before = screen.lock().expect("screen").bytes;
    let ticks_before = cpu_ticks(pid);
    tokio::time::sleep(WINDOW).await;
    let ticks = cpu_ticks(pid) - ticks_before;
    let bytes = screen.lock().expect("screen").bytes - bytes_before;

    child.kill().expect("kill mwatch");
    child.wait().expect("wait for mwatch");
    (
        Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND),
        bytes,
    )
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
        "mwatch in a {COLS}x{ROWS} pty over {} s after it shows 'live' (CPU in {} ms ticks):",
        WINDOW.as_secs(),
        1000 / TICKS_PER_SECOND
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
