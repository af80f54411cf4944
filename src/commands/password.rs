//! Passwords kept off the command line, where every local user can read them (`ps`,
//! `/proc/PID/cmdline`): a warning when one is there, and `-p` (or `-u NAME`), which asks for
//! the password at the terminal without echo, as mongosh does.

use std::process::ExitCode;

use super::{fail, usage_error, Outcome, UsageError};
use crate::cli::WatchArgs;
use crate::redact::{secrets_in, split_credentials, user_and_password};
use crate::signals::Signals;
use crate::source::connect::{check_syntax, ConnectError};

/// Says, once and before anything else, what secret the connection string given as an
/// argument carries (its password, or an option such as `tlsCertificateKeyFilePassword`);
/// `-p` is offered for a password when it was not used.
pub fn warn_if_in_arguments(args: &WatchArgs) {
    let Some(uri) = &args.uri else { return };
    let secrets = secrets_in(uri);
    if secrets.is_empty() {
        return;
    }
    let prompt = if secrets.iter().any(|s| s == "password") && !args.password_prompt {
        ", or type the password at a prompt with -p"
    } else {
        ""
    };
    eprintln!(
        "mwatch: warning: the connection string's {} can be read by every local user while mwatch runs (ps); give the connection string in $MONGODB_URI{prompt}",
        secrets.join(" and ")
    );
}

/// `uri` with the user of `-u` and the password typed at the prompt, when `-p` asks for one
/// (or `-u` names a user and `uri` has no password). The string is checked before the
/// prompt. Ending it on a signal or a mistake, says why and gives the exit code.
pub async fn with_credentials(
    uri: String,
    args: &WatchArgs,
    signals: &mut Signals,
) -> Result<String, ExitCode> {
    if !args.password_prompt && args.username.is_none() {
        return Ok(uri);
    }
    // Before the prompt; and spliced into a string the driver misreads (a user or password
    // not percent-encoded), a user or password could change the host.
    if let Err(e) = check_syntax(&uri) {
        return Err(match e {
            ConnectError::BadUri(_) => fail(e, Outcome::Usage),
            ConnectError::Unreachable(_) => fail(e, Outcome::Failed),
        });
    }
    let (own_user, own_password) = match split_credentials(&uri) {
        Some((_, Some(credentials), _)) => user_and_password(credentials),
        _ => ("", None),
    };
    if !args.password_prompt && own_password.is_some() {
        return Ok(splice(
            &uri,
            args.username.as_deref().unwrap_or(own_user),
            None,
        ));
    }
    let user = args.username.as_deref().unwrap_or(own_user);
    if user.is_empty() {
        return Err(usage_error(UsageError(
            "no user to ask the password of: give one with -u NAME or in the connection string (mongodb://NAME@host)".to_string(),
        )));
    }
    let password = prompt::read(signals).await.map_err(|e| match e {
        prompt::Ended::Signal(number) => Outcome::Signal(number).exit_code(),
        prompt::Ended::NoTerminal(e) => usage_error(UsageError(format!(
            "-p: no terminal to ask for the password on ({e}); give the connection string in $MONGODB_URI instead"
        ))),
        prompt::Ended::Failed(e) => fail(format!("-p: cannot read the password: {e}"), Outcome::Failed),
    })?;
    Ok(splice(&uri, user, Some(&password)))
}

/// `uri` with `user` (already percent-encoded when it came from `uri`) and `password` as its
/// credentials; without a new password, the one it had stays.
fn splice(uri: &str, user: &str, password: Option<&str>) -> String {
    let Some((scheme, credentials, rest)) = split_credentials(uri) else {
        // Not a connection string: the driver says so.
        return uri.to_string();
    };
    let (own_user, kept) = credentials.map_or(("", None), user_and_password);
    let user = if own_user == user {
        own_user.to_string()
    } else {
        percent_encoded(user)
    };
    match password.map(percent_encoded).or(kept.map(str::to_string)) {
        Some(password) => format!("{scheme}{user}:{password}@{rest}"),
        None => format!("{scheme}{user}@{rest}"),
    }
}

/// Every byte but RFC 3986's unreserved characters as `%XX`, as a connection string's
/// credentials need them.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

mod prompt {
    use std::io;

    use crate::signals::Signals;

    const PROMPT: &str = "Enter password: ";

    pub enum Ended {
        /// A signal to stop (Ctrl-C included) came during the prompt.
        Signal(i32),
        NoTerminal(io::Error),
        Failed(io::Error),
    }

    /// Asks on the terminal (`/dev/tty`, also when stdin is redirected) and reads the password
    /// without echo. Echo is turned off here, before the prompt is written, and put back here
    /// whatever ends the wait: the thread that reads the line never changes the terminal (it
    /// cannot be interrupted). The terminal stays in canonical mode with its signal keys, so
    /// Ctrl-C is SIGINT and Ctrl-Z SIGTSTP; stopped, the job leaves the terminal as it was,
    /// and continued, it turns echo off again and asks again, as sudo does.
    #[cfg(unix)]
    pub async fn read(signals: &mut Signals) -> Result<String, Ended> {
        use std::io::{BufReader, Write};

        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .map_err(Ended::NoTerminal)?;
        let echo = EchoOff::new(&tty).map_err(Ended::Failed)?;
        let ask = || -> io::Result<()> {
            echo.off()?;
            (&tty).write_all(PROMPT.as_bytes())
        };
        ask().map_err(Ended::Failed)?;
        let reader = tty.try_clone().map_err(Ended::Failed)?;
        let (sender, mut typed) = tokio::sync::oneshot::channel();
        // Not a blocking task of the runtime: mwatch ends without waiting for it.
        std::thread::spawn(move || {
            let _ = sender.send(read_line(BufReader::new(reader)));
        });
        loop {
            tokio::select! {
                biased;
                signal = signals.stop.recv() => {
                    echo.restore();
                    let _ = (&tty).write_all(b"\n");
                    return Err(Ended::Signal(signal));
                }
                () = signals.job.recv() => {
                    echo.restore();
                    let _ = (&tty).write_all(b"\n");
                    crate::signals::stop_job().map_err(Ended::Failed)?;
                    ask().map_err(Ended::Failed)?;
                }
                typed = &mut typed => {
                    return match typed {
                        Ok(Ok(password)) => Ok(password),
                        Ok(Err(e)) => Err(Ended::Failed(e)),
                        Err(_) => Err(Ended::Failed(io::Error::other("the prompt stopped"))),
                    };
                }
            }
        }
    }

    /// A line as the terminal's line discipline gives it, without its end.
    #[cfg(unix)]
    fn read_line(mut reader: impl io::BufRead) -> io::Result<String> {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no password typed",
            ));
        }
        let end = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(end);
        Ok(line)
    }

    /// The terminal's settings before the prompt, put back when dropped.
    #[cfg(unix)]
    struct EchoOff<'a> {
        tty: &'a std::fs::File,
        before: rustix::termios::Termios,
    }

    #[cfg(unix)]
    impl EchoOff<'_> {
        fn new(tty: &std::fs::File) -> io::Result<EchoOff<'_>> {
            let before = rustix::termios::tcgetattr(tty)?;
            Ok(EchoOff { tty, before })
        }

        /// No echo but of Enter's new line; what was typed ahead (and shown) is dropped.
        fn off(&self) -> io::Result<()> {
            use rustix::termios::{tcsetattr, LocalModes, OptionalActions};
            let mut settings = self.before.clone();
            settings.local_modes.remove(LocalModes::ECHO);
            settings.local_modes.insert(LocalModes::ECHONL);
            tcsetattr(self.tty, OptionalActions::Flush, &settings)?;
            Ok(())
        }

        fn restore(&self) {
            let now = rustix::termios::OptionalActions::Now;
            let _ = rustix::termios::tcsetattr(self.tty, now, &self.before);
        }
    }

    #[cfg(unix)]
    impl Drop for EchoOff<'_> {
        fn drop(&mut self) {
            self.restore();
        }
    }

    /// Elsewhere rpassword turns echo off and on around its own read.
    #[cfg(not(unix))]
    pub async fn read(signals: &mut Signals) -> Result<String, Ended> {
        let (sender, typed) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = sender.send(rpassword::prompt_password(PROMPT));
        });
        tokio::select! {
            signal = signals.stop.recv() => Err(Ended::Signal(signal)),
            typed = typed => match typed {
                Ok(Ok(password)) => Ok(password),
                Ok(Err(e)) => Err(Ended::Failed(e)),
                Err(_) => Err(Ended::Failed(io::Error::other("the prompt stopped"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_and_password_go_into_the_credentials_percent_encoded() {
        let new = Some("p@ss:w/rd?#%é");
        let encoded = "p%40ss%3Aw%2Frd%3F%23%25%C3%A9";
        assert_eq!(
            splice("mongodb://h:1/?replicaSet=rs0", "ann b", new),
            format!("mongodb://ann%20b:{encoded}@h:1/?replicaSet=rs0")
        );
        assert_eq!(
            splice("mongodb+srv://ann%40x@h/db", "ann%40x", new),
            format!("mongodb+srv://ann%40x:{encoded}@h/db"),
            "the connection string's own user is encoded already"
        );
        assert_eq!(
            splice("mongodb://ann:old@h/", "bob", None),
            "mongodb://bob:old@h/",
            "-u alone keeps the password"
        );
        assert_eq!(
            splice("mongodb://ann:old@h/", "ann", Some("new")),
            "mongodb://ann:new@h/"
        );
        assert_eq!(splice("not a uri", "ann", new), "not a uri");
        // An '@' in an option is not where credentials end: the host stays.
        for uri in [
            "mongodb://db.example.com/?appName=ops@laptop",
            "mongodb+srv://db.example.com/?tlsCAFile=/home/ann@corp/ca.pem",
        ] {
            let (scheme, rest) = uri.split_once("://").unwrap();
            assert_eq!(
                splice(uri, "ann", Some("pw")),
                format!("{scheme}://ann:pw@{rest}")
            );
        }
    }
}
