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
    // catches that, and no message should say it.
    std::panic::set_hook(Box::new(|_| {}));
    drop(runtime);
    code
}
