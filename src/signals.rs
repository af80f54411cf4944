//! The signals that ask mwatch to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT), caught so that the
//! TUI and `--json` end as quitting does: the terminal put back, output and recording whole.
//! A process a signal ended exits, as a shell reports it, with 128 + the signal's number.
//! [`StopSignals`] is made once, before anything waits (the password prompt, the connection),
//! and handed on: a signal that comes while none listens is caught and lost, as tokio never
//! gives a signal back its default action.

use std::io;

/// SIGPIPE's number: what a write to a closed pipe (`mwatch --json | head -1`) would have
/// ended the process with, had Rust not ignored it.
pub const BROKEN_PIPE: i32 = 13;

/// The signals that ask the process to stop. None is missed while this lives: one that comes
/// between two [`StopSignals::recv`] is returned by the next.
#[cfg(unix)]
pub struct StopSignals {
    term: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignals {
    pub fn new() -> io::Result<StopSignals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    /// Waits for the next one and says which (its number). Cancel-safe: a `select!` may drop
    /// it.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => 15,
            _ = self.hangup.recv() => 1,
            _ = self.interrupt.recv() => 2,
            _ = self.quit.recv() => 3,
        }
    }
}

/// The name of a signal [`StopSignals::recv`] returns, as `kill -l` spells it.
pub fn name(number: i32) -> &'static str {
    match number {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Ctrl-C only.
#[cfg(not(unix))]
pub struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    pub fn new() -> io::Result<StopSignals> {
        Ok(StopSignals)
    }

    pub async fn recv(&mut self) -> i32 {
        let _ = tokio::signal::ctrl_c().await;
        2
    }
}

/// Stops the whole job (this process's group) until it is continued, as SIGTSTP's default
/// action would have stopped it had mwatch not caught it: `sh -c 'mwatch; echo done'` stops
/// with it, where stopping mwatch alone would leave the shell waiting.
#[cfg(unix)]
pub fn stop_job() -> io::Result<()> {
    use rustix::process::{kill_current_process_group, Signal};
    kill_current_process_group(Signal::STOP).map_err(io::Error::from)
}

#[cfg(not(unix))]
pub fn stop_job() -> io::Result<()> {
    Ok(())
}

/// SIGTSTP (Ctrl-Z at a cooked terminal, `kill -TSTP`), caught by what must put the terminal
/// back before the job stops ([`stop_job`]). Once caught it stays caught, so each phase after
/// the first that catches it (the password prompt) listens too and stops the job itself.
#[cfg(unix)]
pub struct JobStops(tokio::signal::unix::Signal);

#[cfg(unix)]
impl JobStops {
    pub fn new() -> io::Result<JobStops> {
        use tokio::signal::unix::{signal, SignalKind};
        signal(SignalKind::from_raw(rustix::process::Signal::TSTP.as_raw())).map(JobStops)
    }

    /// Waits for the next one. Cancel-safe.
    pub async fn recv(&mut self) {
        self.0.recv().await;
    }
}

/// No job control off Unix.
#[cfg(not(unix))]
pub struct JobStops;

#[cfg(not(unix))]
impl JobStops {
    pub fn new() -> io::Result<JobStops> {
        Ok(JobStops)
    }

    pub async fn recv(&mut self) {
        std::future::pending::<()>().await
    }
}

/// Both kinds, listened to from the start of a command to its end.
pub struct Signals {
    pub stop: StopSignals,
    pub job: JobStops,
}

impl Signals {
    pub fn new() -> io::Result<Signals> {
        Ok(Signals {
            stop: StopSignals::new()?,
            job: JobStops::new()?,
        })
    }
}

/// `work`'s result, unless a signal to stop comes first (its number); SIGTSTP meanwhile stops
/// the job.
pub async fn until_stopped<T>(
    work: impl std::future::Future<Output = T>,
    signals: &mut Signals,
) -> Result<T, i32> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            biased;
            signal = signals.stop.recv() => return Err(signal),
            () = signals.job.recv() => {
                if let Err(e) = stop_job() {
                    eprintln!("mwatch: cannot stop: {e}");
                }
            }
            done = &mut work => return Ok(done),
        }
    }
}
