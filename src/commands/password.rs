//! Passwords kept off the command line, where every local user can read them (`ps`,
//! `/proc/PID/cmdline`): a warning when one is there, and `-p` (or `-u NAME`), which asks for
//! the password at the terminal without echo, as mongosh does.

use std::process::ExitCode;

use super::{fail, usage_error, Outcome, UsageError};
use crate::cli::WatchArgs;
use crate::redact::{has_hidden_secret, split_credentials, RedactedUri};

/// Says, once and before anything else, that the connection string given as an argument
/// carries a secret (a password, or an option such as `tlsCertificateKeyFilePassword`).
pub fn warn_if_in_arguments(args: &WatchArgs) {
    if let Some(uri) = &args.uri {
        if has_hidden_secret(RedactedUri::new(uri).as_str()) {
            eprintln!(
                "mwatch: warning: the connection string's password can be read by every local user while mwatch runs (ps); give the connection string in $MONGODB_URI, or type the password at a prompt with -p"
            );
        }
    }
}

/// `uri` with the user of `-u` and the password typed at the prompt, when `-p` asks for one
/// (or `-u` names a user and `uri` has no password). Ending it on a signal or a mistake, says
/// why and gives the exit code.
pub async fn with_credentials(uri: String, args: &WatchArgs) -> Result<String, ExitCode> {
    let credentials = split_credentials(&uri).and_then(|(_, credentials, _)| credentials);
    let has_password = credentials.is_some_and(|c| c.contains(':'));
    if !args.password_prompt && (args.username.is_none() || has_password) {
        return Ok(match &args.username {
            Some(user) => splice(&uri, user, None),
            None => uri,
        });
    }
    let user = match (&args.username, credentials) {
        (Some(user), _) => user.clone(),
        (None, Some(credentials)) => credentials.split(':').next().unwrap_or("").to_string(),
        (None, None) => String::new(),
    };
    if user.is_empty() {
        return Err(usage_error(UsageError(
            "no user to ask the password of: give one with -u NAME or in the connection string (mongodb://NAME@host)".to_string(),
        )));
    }
    let password = prompt::read().await.map_err(|e| match e {
        prompt::Ended::Signal(number) => Outcome::Signal(number).exit_code(),
        prompt::Ended::NoTerminal(e) => usage_error(UsageError(format!(
            "-p: no terminal to ask for the password on ({e}); give the connection string in $MONGODB_URI instead"
        ))),
        prompt::Ended::Failed(e) => fail(format!("-p: cannot read the password: {e}"), Outcome::Failed),
    })?;
    Ok(splice(&uri, &user, Some(&password)))
}

/// `uri` with `user` (already percent-encoded when it came from `uri`) and `password` as its
/// credentials; without a new password, the one it had stays.
fn splice(uri: &str, user: &str, password: Option<&str>) -> String {
    let Some((scheme, credentials, rest)) = split_credentials(uri) else {
        // Not a connection string: the driver says so.
        return uri.to_string();
    };
    let kept = credentials
        .and_then(|c| c.split_once(':'))
        .map(|(_, p)| p.to_string());
    let user = match credentials.and_then(|c| c.split(':').next()) {
        Some(own) if own == user => own.to_string(),
        _ => percent_encoded(user),
    };
    match password.map(percent_encoded).or(kept) {
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

    use crate::signals::stop_signals;

    pub enum Ended {
        /// A signal to stop (Ctrl-C included) came during the prompt.
        Signal(i32),
        NoTerminal(io::Error),
        Failed(io::Error),
    }

    /// Asks on the terminal (`/dev/tty`, also when stdin is redirected) and reads the password
    /// without echo. A signal to stop ends the wait with the terminal's settings as they were:
    /// the reading thread cannot be interrupted, so they are put back here.
    pub async fn read() -> Result<String, Ended> {
        let stop = stop_signals().map_err(Ended::Failed)?;
        let terminal = Terminal::open().map_err(Ended::NoTerminal)?;
        let (sender, typed) = tokio::sync::oneshot::channel();
        // Not a blocking task of the runtime: mwatch ends without waiting for it.
        std::thread::spawn(move || {
            let _ = sender.send(rpassword::prompt_password("Enter password: "));
        });
        tokio::select! {
            typed = typed => match typed {
                Ok(Ok(password)) => Ok(password),
                // Ctrl-C: the prompt reads it as a key and raises SIGINT.
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => Err(Ended::Signal(2)),
                Ok(Err(e)) => Err(Ended::Failed(e)),
                Err(_) => Err(Ended::Failed(io::Error::other("the prompt stopped"))),
            },
            signal = stop => {
                terminal.restore();
                eprintln!();
                Err(Ended::Signal(signal))
            }
        }
    }

    /// The terminal's settings before the prompt changed them.
    #[cfg(unix)]
    struct Terminal {
        tty: std::fs::File,
        settings: rustix::termios::Termios,
    }

    #[cfg(unix)]
    impl Terminal {
        fn open() -> io::Result<Terminal> {
            let tty = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")?;
            let settings = rustix::termios::tcgetattr(&tty)?;
            Ok(Terminal { tty, settings })
        }

        fn restore(&self) {
            let now = rustix::termios::OptionalActions::Now;
            let _ = rustix::termios::tcsetattr(&self.tty, now, &self.settings);
        }
    }

    #[cfg(not(unix))]
    struct Terminal;

    #[cfg(not(unix))]
    impl Terminal {
        fn open() -> io::Result<Terminal> {
            Ok(Terminal)
        }

        fn restore(&self) {}
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
    }
}
