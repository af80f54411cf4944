use std::process::ExitCode;

use clap::Parser;
use mwatch::cli::{Cli, Command};
use mwatch::commands::{bookmarks, playground, replay, watch};

/// mimalloc, not glibc's malloc: events are made on the runtime's worker threads and freed on
/// the UI's, and glibc keeps such memory in per-thread arenas that the next events, made on
/// another thread, do not reuse. With glibc the TUI's 100,000-event store took 77 MB when it
/// first filled and 142 MB once 1,000,000 events had flowed through it; with mimalloc 81 and
/// 83 MB (`cargo bench --bench event_memory`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mwatch: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match cli.command {
        Some(Command::Playground(args)) => runtime.block_on(playground::run(args)),
        Some(Command::Replay(args)) => runtime.block_on(replay::run(args)),
        Some(Command::Bookmarks { command }) => bookmarks::run(&command),
        None => runtime.block_on(watch::run(cli.watch)),
    };
    // The work is done; dropping the runtime waits for file writes still under way (a bookmark
    // saved just before quitting) and cancels the rest. Cancelled mid-request, the driver's
    // tasks can panic (an `unwrap` of a cancelled task's or a dropped pool's answer): tokio
    // catches that, and no message should say it. Any other panic still says what it is.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map_or("", |l| l.file()).replace('\\', "/");
        if !is_cancelled_driver_task(&file) {
            previous(info);
        }
    }));
    drop(runtime);
    code
}

/// Where the driver (3.x) unwraps what a cancelled task or a dropped connection pool answers.
const DRIVER_CANCELLED: &[&str] = &[
    "/src/runtime/join_handle.rs",
    "/src/cmap/connection_requester.rs",
];

/// Whether a panic at `file` is one of the driver's that a task cancelled at shutdown meets.
fn is_cancelled_driver_task(file: &str) -> bool {
    file.contains("/mongodb-") && DRIVER_CANCELLED.iter().any(|end| file.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::DRIVER_CANCELLED;

    #[test]
    fn only_the_drivers_known_panics_are_silenced() {
        let registry = "/home/u/.cargo/registry/src/index.crates.io-x/mongodb-3.9.1";
        for known in DRIVER_CANCELLED {
            assert!(super::is_cancelled_driver_task(&format!(
                "{registry}{known}"
            )));
        }
        for other in [
            format!("{registry}/src/cmap/conn.rs"),
            "src/runtime/join_handle.rs".to_string(),
            String::new(),
        ] {
            assert!(!super::is_cancelled_driver_task(&other), "{other}");
        }
    }
}
