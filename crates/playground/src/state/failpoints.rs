//! Fault injection with MongoDB's test commands: `configureFailPoint` with `failCommand` and
//! `failGetMoreAfterCursorCheckout`, so tests can make commands fail or connections drop.

use bson::{doc, Bson, Document};

use crate::error::{CmdResult, CommandError};
use crate::values::to_i64;

/// Codes for which MongoDB labels a change-stream getMore error `ResumableChangeStreamError`
/// (the RetriableError, NetworkError and NeedRetargetting categories, plus 234 and 133).
const RESUMABLE_CODES: [i32; 17] = [
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 13388, 234, 133,
];

/// What an active fail point does to a command.
#[derive(Debug, PartialEq)]
pub enum Injected {
    Error(CommandError),
    CloseConnection,
}

/// How often a fail point fires: `alwaysOn`, `{times: n}` or `{skip: n}`.
#[derive(Debug, Clone)]
struct Mode {
    skip: u64,
    times: Option<u64>,
}

impl Mode {
    fn parse(value: Option<&Bson>) -> CmdResult<Option<Mode>> {
        let count = |d: &Document, key: &str| {
            d.get(key)
                .and_then(to_i64)
                .filter(|n| *n >= 0)
                .map(|n| n as u64)
        };
        match value {
            Some(Bson::String(s)) if s == "alwaysOn" => Ok(Some(Mode {
                skip: 0,
                times: None,
            })),
            Some(Bson::String(s)) if s == "off" => Ok(None),
            Some(Bson::Document(d)) if count(d, "times").is_some() => Ok(Some(Mode {
                skip: 0,
                times: count(d, "times"),
            })),
            Some(Bson::Document(d)) if count(d, "skip").is_some() => Ok(Some(Mode {
                skip: count(d, "skip").unwrap_or(0),
                times: None,
            })),
            _ => Err(CommandError::bad_value(
                "mode must be 'alwaysOn', 'off', {times: n} or {skip: n}",
            )),
        }
    }

    /// Counts one matching command; returns whether the fail point fires for it.
    fn fire(&mut self) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        match &mut self.times {
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
            None => true,
        }
    }
}

#[derive(Debug, Clone)]
struct FailCommand {
    mode: Mode,
    commands: Vec<String>,
    error_code: Option<i32>,
    labels: Vec<String>,
    close_connection: bool,
}

#[derive(Debug, Clone)]
struct FailGetMore {
    mode: Mode,
    error_code: i32,
}

#[derive(Debug, Default)]
pub struct FailPoints {
    fail_command: Option<FailCommand>,
    fail_get_more: Option<FailGetMore>,
}

impl FailPoints {
    /// `{configureFailPoint: name, mode, data}`.
    pub fn configure(&mut self, command: &Document) -> CmdResult<Document> {
        let name = command.get_str("configureFailPoint").unwrap_or("");
        let mode = Mode::parse(command.get("mode"))?;
        let empty = Document::new();
        let data = command.get_document("data").unwrap_or(&empty);
        let error_code = data.get("errorCode").and_then(to_i64).map(|c| c as i32);
        match name {
            "failCommand" => {
                self.fail_command = match mode {
                    None => None,
                    Some(mode) => {
                        let strings = |key: &str| -> Vec<String> {
                            data.get_array(key)
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|v| v.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default()
                        };
                        let close_connection = data.get_bool("closeConnection").unwrap_or(false);
                        if error_code.is_none() && !close_connection {
                            return Err(CommandError::bad_value(
                                "failCommand needs data.errorCode or data.closeConnection",
                            ));
                        }
                        Some(FailCommand {
                            mode,
                            commands: strings("failCommands"),
                            error_code,
                            labels: strings("errorLabels"),
                            close_connection,
                        })
                    }
                }
            }
            "failGetMoreAfterCursorCheckout" => {
                self.fail_get_more = mode.map(|mode| FailGetMore {
                    mode,
                    error_code: error_code.unwrap_or(10107),
                });
            }
            other => {
                return Err(CommandError::bad_value(format!(
                    "Cannot find failpoint: {other}"
                )));
            }
        }
        Ok(doc! { "count": 0i64, "ok": 1.0 })
    }

    /// Whether a fail point intercepts this command. `on_stream` tells a getMore on a
    /// change-stream cursor, whose errors MongoDB labels as resumable where it applies.
    pub fn intercept(&mut self, name: &str, on_stream: bool) -> Option<Injected> {
        if name == "configureFailPoint" {
            return None;
        }
        if let Some(fail) = &mut self.fail_command {
            if fail.commands.iter().any(|c| c == name) && fail.mode.fire() {
                if fail.close_connection {
                    return Some(Injected::CloseConnection);
                }
                let mut error = injected_error(fail.error_code.unwrap_or(8));
                // Labels are exactly those given, as with MongoDB's failCommand.
                error.labels = fail.labels.iter().filter_map(|l| known_label(l)).collect();
                return Some(Injected::Error(error));
            }
        }
        if let Some(fail) = &mut self.fail_get_more {
            if name == "getMore" && fail.mode.fire() {
                let mut error = injected_error(fail.error_code);
                if on_stream && RESUMABLE_CODES.contains(&fail.error_code) {
                    error = error.with_label("ResumableChangeStreamError");
                }
                return Some(Injected::Error(error));
            }
        }
        None
    }
}

fn injected_error(code: i32) -> CommandError {
    CommandError::new(
        code,
        "FailPointInjected",
        format!("Failing command via 'failCommand' failpoint (code {code})"),
    )
}

/// Labels are `&'static str` in replies; unknown ones are dropped.
fn known_label(label: &str) -> Option<&'static str> {
    [
        "ResumableChangeStreamError",
        "NonResumableChangeStreamError",
        "RetryableWriteError",
        "TransientTransactionError",
        "UnknownTransactionCommitResult",
        "NoWritesPerformed",
    ]
    .into_iter()
    .find(|known| *known == label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_the_given_number_of_times_on_the_named_commands() {
        let mut points = FailPoints::default();
        points
            .configure(&doc! {
                "configureFailPoint": "failCommand",
                "mode": { "times": 2 },
                "data": { "failCommands": ["getMore"], "errorCode": 6, "errorLabels": ["ResumableChangeStreamError"] },
            })
            .unwrap();
        assert_eq!(points.intercept("find", false), None);
        let Some(Injected::Error(e)) = points.intercept("getMore", true) else {
            panic!("no error")
        };
        assert_eq!((e.code, e.labels), (6, vec!["ResumableChangeStreamError"]));
        assert!(points.intercept("getMore", true).is_some());
        assert_eq!(points.intercept("getMore", true), None);
    }

    #[test]
    fn get_more_after_checkout_labels_resumable_codes_on_streams_only() {
        let mut points = FailPoints::default();
        let on = doc! { "configureFailPoint": "failGetMoreAfterCursorCheckout", "mode": "alwaysOn", "data": { "errorCode": 10107 } };
        points.configure(&on).unwrap();
        let Some(Injected::Error(e)) = points.intercept("getMore", true) else {
            panic!("no error")
        };
        assert_eq!(e.labels, vec!["ResumableChangeStreamError"]);
        let Some(Injected::Error(e)) = points.intercept("getMore", false) else {
            panic!("no error")
        };
        assert!(e.labels.is_empty());
        points
            .configure(
                &doc! { "configureFailPoint": "failGetMoreAfterCursorCheckout", "mode": "off" },
            )
            .unwrap();
        assert_eq!(points.intercept("getMore", true), None);
    }

    #[test]
    fn skip_mode_and_close_connection() {
        let mut points = FailPoints::default();
        points
            .configure(&doc! {
                "configureFailPoint": "failCommand",
                "mode": { "skip": 1 },
                "data": { "failCommands": ["insert"], "closeConnection": true },
            })
            .unwrap();
        assert_eq!(points.intercept("insert", false), None);
        assert_eq!(
            points.intercept("insert", false),
            Some(Injected::CloseConnection)
        );
        assert!(points
            .configure(&doc! { "configureFailPoint": "nope", "mode": "off" })
            .is_err());
    }
}
