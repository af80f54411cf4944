//! The real terminal: raw mode, the alternate screen, mouse and paste reporting for the
//! runtime's loop, and the terminal put back as it was on return, on error, on panic and when
//! a signal asks the process to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT); given back while
//! Ctrl-Z or SIGTSTP stops the job, and taken again when it is continued (unless a signal to
//! stop came meanwhile).

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[cfg(unix)]
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

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
use crate::signals::{JobStops, Signals};
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

/// Runs the TUI on this process's terminal until the user quits or a signal asks the
/// process to stop: on the change streams of the server `target` leads to, or (with none) on
/// the recording in `config`. From now on SIGTSTP gives the terminal back before the job
/// stops.
pub async fn run(
    target: Option<Target>,
    config: Config,
    recorder: Option<Recorder>,
    Signals { mut stop, job }: Signals,
) -> anyhow::Result<Exit> {
    // Before the terminal changes: what the handlers see while the job is stopped.
    let suspend = job_control(job)?;
    let _guard = enter()?;
    // Dropped before the guard: ratatui shows the cursor again, then the guard leaves.
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let io = Io {
        input: EventStream::new(),
        clipboard: Box::new(io::stdout()),
        bookmarks: default_path().map_err(|e| e.to_string()),
        suspend: suspend.suspend,
    };
    // A signal drops the loop where it waits; the guard then puts the terminal back. What is
    // written (bookmarks, the pipeline history) is replaced atomically, and `--record` writes
    // and flushes a batch before the loop waits again, so nothing is half done. A signal that
    // came while the job was stopped wins over whatever the loop did then.
    let ended = tokio::select! {
        biased;
        signal = stop.recv() => return Ok(Exit::Signal(signal)),
        result = super::run(&mut terminal, io, target, config, recorder) => result,
    };
    match suspend.stopped_by.load(Ordering::SeqCst) {
        0 => ended.map(|()| Exit::Quit),
        signal => Ok(Exit::Signal(signal as i32)),
    }
}

/// Job control, and the signal to stop that came while the job was stopped (its number,
/// else 0), which is then how the TUI ends.
struct JobControl {
    suspend: Suspend,
    stopped_by: Arc<AtomicUsize>,
}

/// Ctrl-Z and SIGTSTP, which the TUI handles from now on: the default stop would leave the
/// shell a raw terminal in the alternate screen. A signal to stop sent to the stopped job
/// (`kill %1` is SIGTERM then SIGCONT; closing the terminal, SIGHUP then SIGCONT) is noted
/// as it comes, so that the terminal is not taken again (from the background, which would stop
/// the job again; or a closed one) on the way out.
#[cfg(unix)]
fn job_control(job: JobStops) -> io::Result<JobControl> {
    let stopped_by = Arc::new(AtomicUsize::new(0));
    for signal in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
        signal_hook::flag::register_usize(signal, Arc::clone(&stopped_by), signal as usize)?;
    }
    let requests = futures_util::stream::unfold(job, |mut job| async move {
        job.recv().await;
        Some(((), job))
    });
    let noted = Arc::clone(&stopped_by);
    Ok(JobControl {
        suspend: Suspend {
            requests: Box::pin(requests),
            stop: Box::new(move || {
                restore();
                crate::signals::stop_job()?;
                // Continued. A signal to stop sent with SIGCONT may reach another thread a
                // moment later, and `bg` or `kill %1` continue the job in the background:
                // the terminal is taken back only once it is the job's again (taking it from
                // the background would stop the job again).
                loop {
                    if noted.load(Ordering::SeqCst) != 0 {
                        // Ends the loop before it draws on a terminal no longer its own.
                        return Err(io::Error::other("a signal to stop came while stopped"));
                    }
                    if in_foreground() {
                        return modes_on();
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }),
        },
        stopped_by,
    })
}

/// Whether the terminal's foreground job is this process's (true when there is no terminal
/// to ask).
#[cfg(unix)]
fn in_foreground() -> bool {
    match rustix::termios::tcgetpgrp(io::stdout()) {
        Ok(group) => group == rustix::process::getpgrp(),
        Err(_) => true,
    }
}

/// No job control off Unix: Ctrl-Z only draws the screen anew.
#[cfg(not(unix))]
fn job_control(_job: JobStops) -> io::Result<JobControl> {
    Ok(JobControl {
        suspend: Suspend::none(),
        stopped_by: Arc::new(AtomicUsize::new(0)),
    })
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
