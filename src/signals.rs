//! The signals that ask mwatch to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT), caught so that the
//! TUI and `--json` end as quitting does: the terminal put back, output and recording whole.
//! A process a signal ended exits, as a shell reports it, with 128 + the signal's number.

use std::io;

/// SIGPIPE's number: what a write to a closed pipe (`mwatch --json | head -1`) would have
/// ended the process with, had Rust not ignored it.
pub const BROKEN_PIPE: i32 = 13;

/// Waits for a signal that asks the process to stop, and says which (its number). Registered
/// at once, so none is missed once this returns.
#[cfg(unix)]
pub fn stop_signals() -> io::Result<impl std::future::Future<Output = i32>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut quit = signal(SignalKind::quit())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => 15,
            _ = hangup.recv() => 1,
            _ = interrupt.recv() => 2,
            _ = quit.recv() => 3,
        }
    })
}

#[cfg(not(unix))]
pub fn stop_signals() -> io::Result<impl std::future::Future<Output = i32>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        2
    })
}
