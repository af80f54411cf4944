//! What `main` dispatches to: one file per subcommand or mode. Each takes its parsed
//! arguments (see [`crate::cli`]), says what went wrong on stderr as `mwatch: ...`, and returns
//! the exit code.
//!
//! - [`watch`]: `mwatch [URI] [flags]`, the default: a watch in the TUI, or with `--json` by
//!   [`headless`], which prints events as JSON lines.
//!   [`broken_pipe`] notices its reader gone while no event comes.
//! - [`replay`]: `mwatch replay FILE`, a recording in the TUI or as JSON lines.
//! - [`bookmarks`]: `mwatch bookmarks list | show | rm | export | import`.
//! - [`playground`]: `mwatch playground`, the embedded server until a signal to stop.
//! - [`password`]: a password on the command line warned about, or asked for at the
//!   terminal (`-p`, `-u`).
//! - [`setup`]: the flags of a watch turned into a connection string and a watch spec;
//!   [`resume`]: the bookmark `--resume NAME` means, and the advice when its history is lost.

pub mod bookmarks;
pub mod broken_pipe;
pub mod headless;
pub mod password;
pub mod playground;
pub mod replay;
pub mod resume;
pub mod setup;
pub mod watch;

use std::io::Write as _;
use std::process::ExitCode;

use crate::printable::printable_lines;

/// A bad flag value: reported with exit code 2, before anything is opened or connected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// How a command ended, which decides its exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done: an invalidated stream, the end of a recording.
    Clean,
    /// A signal asked the process to stop (its number), or stdout was closed
    /// ([`crate::signals::BROKEN_PIPE`]): what was printed so far is whole.
    Signal(i32),
    /// The connection, the stream or the disk failed.
    Failed,
    /// The start point is older than the server's history (286 ChangeStreamHistoryLost).
    HistoryLost,
    /// A bad argument: nothing was attempted.
    Usage,
}

impl Outcome {
    /// 0 when clean, 2 for a usage error, 128 + the signal's number as a shell reports a
    /// process that signal ended, else 1.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Signal(number) => ExitCode::from(128u8.saturating_add(number as u8)),
            Outcome::Failed | Outcome::HistoryLost => ExitCode::FAILURE,
            Outcome::Usage => ExitCode::from(2),
        }
    }
}

/// How a command ends when writing to stdout failed: quietly when the reader went away
/// (`| head -1`), as SIGPIPE would have ended it; else saying why.
fn stdout_failed(error: &std::io::Error) -> Outcome {
    match error.kind() {
        std::io::ErrorKind::BrokenPipe => Outcome::Signal(crate::signals::BROKEN_PIPE),
        _ => {
            say(format!("cannot write to standard output: {error}"));
            Outcome::Failed
        }
    }
}

/// Says `message` on stderr as `mwatch: ...`. Messages carry names, hosts and server errors
/// from outside: their control characters are shown escaped, but the lines of a message of
/// several stay lines. A stderr that cannot be written (its reader gone: `2>&1 | head -1`)
/// loses the message, where `eprintln!` would panic.
fn say(message: impl std::fmt::Display) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "mwatch: {}",
        printable_lines(&message.to_string())
    );
}

/// Says what went wrong and ends with `outcome`'s exit code.
fn fail(message: impl std::fmt::Display, outcome: Outcome) -> ExitCode {
    say(message);
    outcome.exit_code()
}

fn usage_error(error: UsageError) -> ExitCode {
    fail(error, Outcome::Usage)
}
