use std::process::ExitCode;

use clap::Parser;
use mwatch::cli::{Cli, Command};
use mwatch::commands::{bookmarks, playground, replay, watch};

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
    // tasks can panic ("called `Result::unwrap()` on an `Err` value: RecvError"): tokio
    // catches that, and no message should say it. Any other panic still says what it is.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map_or("", |l| l.file()).replace('\\', "/");
        if !is_cancelled_driver_request(&file) {
            previous(info);
        }
    }));
    drop(runtime);
    code
}

/// Whether a panic at `file` is the driver's connection request that lost its pool (an
/// `unwrap` of the pool's answer), which a cancelled task may meet.
fn is_cancelled_driver_request(file: &str) -> bool {
    file.contains("/mongodb-") && file.ends_with("/src/cmap/connection_requester.rs")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_drivers_known_panic_is_silenced() {
        let registry = "/home/u/.cargo/registry/src/index.crates.io-x/mongodb-3.9.1";
        assert!(super::is_cancelled_driver_request(&format!(
            "{registry}/src/cmap/connection_requester.rs"
        )));
        for other in [
            format!("{registry}/src/cmap/conn.rs"),
            "src/runtime/mod.rs".to_string(),
            String::new(),
        ] {
            assert!(!super::is_cancelled_driver_request(&other), "{other}");
        }
    }
}
