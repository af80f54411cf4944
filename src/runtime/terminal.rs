//! The real terminal: raw mode, the alternate screen, mouse and paste reporting for the
//! runtime's loop, and the terminal put back as it was on return, on error, on panic and when
//! a signal asks the process to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT); given back while
//! Ctrl-Z or SIGTSTP stops the process, and taken again when it is continued.

use std::io;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;

use crate::bookmarks::default_path;
use crate::signals::stop_signals;
use crate::source::connect::Target;
use crate::source::recording::Recorder;

use super::{Io, Suspend};
use crate::app::state::Config;

/// How the TUI ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal asked the process to stop (its number).
    Signal(i32),
}

/// Runs the TUI on this process's terminal until the user quits or a signal asks the process
/// to stop: on the change streams of the server `target` leads to, or (with none) on the
/// recording in `config`.
pub async fn run(
    target: Option<Target>,
    config: Config,
    recorder: Option<Recorder>,
) -> anyhow::Result<Exit> {
    // Before the terminal changes: a signal from now on ends the loop, not the process.
    let stop = stop_signals()?;
    let _guard = enter()?;
    // Dropped before the guard: ratatui shows the cursor again, then the guard leaves.
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let io = Io {
        input: EventStream::new(),
        clipboard: Box::new(io::stdout()),
        bookmarks: default_path().map_err(|e| e.to_string()),
        suspend: job_control()?,
    };
    // A signal drops the loop where it waits; the guard then puts the terminal back. What is
    // written (bookmarks, the pipeline history) is replaced atomically, and `--record` writes
    // and flushes a batch before the loop waits again, so nothing is half done.
    tokio::select! {
        result = super::run(&mut terminal, io, target, config, recorder) => result.map(|()| Exit::Quit),
        signal = stop => Ok(Exit::Signal(signal)),
    }
}

/// Ctrl-Z and SIGTSTP, which the TUI handles from now on: the default stop would leave the
/// shell a raw terminal in the alternate screen.
#[cfg(unix)]
fn job_control() -> io::Result<Suspend> {
    use signal_hook::consts::SIGTSTP;
    use tokio::signal::unix::{signal, SignalKind};
    let stops = signal(SignalKind::from_raw(SIGTSTP))?;
    let requests = futures_util::stream::unfold(stops, |mut stops| async move {
        stops.recv().await.map(|()| ((), stops))
    });
    Ok(Suspend {
        requests: Box::pin(requests),
        stop: Box::new(|| {
            restore();
            // As the default action of SIGTSTP would (SIGSTOP), until SIGCONT.
            signal_hook::low_level::emulate_default_handler(SIGTSTP)?;
            modes_on()
        }),
    })
}

#[cfg(not(unix))]
fn job_control() -> io::Result<Suspend> {
    Ok(Suspend::none())
}

/// Puts the terminal back as it was. Safe to call more than once.
fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal when dropped: on return, on error, and (with the panic hook) on panic.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn enter() -> io::Result<Guard> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    let guard = Guard;
    modes_on()?;
    Ok(guard)
}

/// The TUI's modes: raw, the alternate screen, mouse and paste reporting.
fn modes_on() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )
}
