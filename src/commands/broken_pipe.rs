//! `mwatch --json | head -1`: the pipe closed by its reader, noticed while waiting for events
//! (a closed pipe is otherwise noticed only at the next write, which a quiet stream may not
//! make for a long time).

/// Resolves once stdout is a pipe whose reader has gone; pending for ever otherwise (not a
/// pipe, or off Unix). A socket as stdout (`systemd`, `socat`) gets no early exit: a closed
/// peer there is noticed at the next write.
pub async fn stdout_broken() {
    #[cfg(unix)]
    if let Some(gone) = unix::watch() {
        if gone.await.is_ok() {
            return;
        }
    }
    std::future::pending::<()>().await
}

#[cfg(unix)]
mod unix {
    use rustix::event::{poll, PollFd, PollFlags};
    use rustix::fs::{fstat, FileType};
    use rustix::io::Errno;
    use tokio::sync::oneshot;

    /// When stdout is a pipe, a thread waiting for it to report an error (on the writing
    /// end of a pipe: its reader has gone; poll reports it whatever was asked): it says so
    /// on the channel it returns. The thread is not joined: it waits until the process ends.
    pub(super) fn watch() -> Option<oneshot::Receiver<()>> {
        let stat = fstat(std::io::stdout()).ok()?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::Fifo {
            return None;
        }
        let (gone, receiver) = oneshot::channel();
        std::thread::Builder::new()
            .name("stdout-watch".to_string())
            // It only waits in `poll`.
            .stack_size(16 << 10)
            .spawn(move || {
                let stdout = std::io::stdout();
                let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
                loop {
                    match poll(&mut fds, None) {
                        Err(Errno::INTR) => continue,
                        Ok(_) if fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP) => {
                            let _ = gone.send(());
                            return;
                        }
                        _ => return,
                    }
                }
            })
            .ok()?;
        Some(receiver)
    }
}
