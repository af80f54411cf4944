//! Recordings: every received event appended to a file as one line of canonical Extended
//! JSON, and read back as an event source.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use bson::Bson;

use crate::event::ChangeEvent;
use crate::format::json_line;

pub struct Recorder {
    out: BufWriter<File>,
}

impl Recorder {
    /// Opens `path` for appending (creating it if needed).
    pub fn open(path: &Path) -> io::Result<Recorder> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Recorder {
            out: BufWriter::new(file),
        })
    }

    /// Appends a batch and flushes it, so a crash loses at most the batch being written.
    pub fn write(&mut self, events: &[ChangeEvent]) -> io::Result<()> {
        for event in events {
            match json_line(event, true) {
                Ok(line) => writeln!(self.out, "{line}")?,
                Err(e) => {
                    // What came before it is kept.
                    self.out.flush()?;
                    return Err(io::Error::new(io::ErrorKind::InvalidData, e));
                }
            }
        }
        self.out.flush()
    }
}

/// What went wrong reading a recording, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    // The io error is in the message, so it is not also the `source()` (a chain would say it
    // twice).
    /// The file cannot be opened.
    #[error("cannot open recording {}: {error}", path.display())]
    Open { path: PathBuf, error: io::Error },
    /// Reading failed after the file was opened.
    #[error("{}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    /// A line (1-based) that is not a change event, and why.
    #[error("{}:{line}: {problem}", path.display())]
    BadLine {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

/// Reads a recording line by line. A last line cut short (a recording interrupted mid-write)
/// is skipped with a warning; a bad line anywhere else is an error.
pub struct Replay {
    path: PathBuf,
    lines: std::iter::Peekable<std::io::Lines<BufReader<File>>>,
    number: usize,
    /// Set when the truncated last line was skipped.
    pub warning: Option<String>,
}

impl Replay {
    pub fn open(path: &Path) -> Result<Replay, ReplayError> {
        let file = File::open(path).map_err(|error| ReplayError::Open {
            path: path.to_path_buf(),
            error,
        })?;
        Ok(Replay {
            path: path.to_path_buf(),
            lines: BufReader::new(file).lines().peekable(),
            number: 0,
            warning: None,
        })
    }

    fn parse(line: &str) -> Result<ChangeEvent, String> {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        match Bson::try_from(value).map_err(|e| e.to_string())? {
            Bson::Document(doc) => {
                ChangeEvent::from_document(&doc).ok_or_else(|| "not a BSON document".to_string())
            }
            other => Err(format!("expected an object, found {}", short(&other))),
        }
    }
}

fn short(value: &Bson) -> String {
    let text = value.to_string();
    text.chars().take(40).collect()
}

impl Iterator for Replay {
    type Item = Result<ChangeEvent, ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.lines.next()? {
                Ok(line) => line,
                Err(error) => {
                    return Some(Err(ReplayError::Read {
                        path: self.path.clone(),
                        error,
                    }))
                }
            };
            self.number += 1;
            if line.trim().is_empty() {
                continue;
            }
            return match Replay::parse(&line) {
                Ok(event) => Some(Ok(event)),
                Err(_) if self.lines.peek().is_none() => {
                    self.warning = Some(format!(
                        "{}:{}: skipped a truncated last line (the recording was interrupted mid-write)",
                        self.path.display(),
                        self.number
                    ));
                    None
                }
                Err(problem) => Some(Err(ReplayError::BadLine {
                    path: self.path.clone(),
                    line: self.number,
                    problem,
                })),
            };
        }
    }
}

/// The newest `keep` events of a recording, for the TUI, and what went wrong reading it: a
/// bad line stops the reading but keeps what came before it.
pub fn load(path: &Path, keep: usize) -> Result<(Vec<ChangeEvent>, Option<String>), ReplayError> {
    let mut replay = Replay::open(path)?;
    let mut events = VecDeque::new();
    let mut read = 0usize;
    let mut error = None;
    for event in replay.by_ref() {
        match event {
            Ok(event) => {
                read += 1;
                events.push_back(event);
                if events.len() > keep {
                    events.pop_front();
                }
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let mut notes: Vec<String> = error.into_iter().chain(replay.warning.take()).collect();
    if read > events.len() {
        notes.push(format!(
            "showing the last {} of {read} events",
            events.len()
        ));
    }
    let warning = (!notes.is_empty()).then(|| notes.join("; "));
    Ok((events.into(), warning))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, DateTime, Timestamp};

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mwatch-rec-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    fn event(n: i64) -> ChangeEvent {
        ChangeEvent::from_document(&doc! {
            "operationType": "insert",
            "clusterTime": Timestamp { time: 1, increment: n as u32 },
            "wallTime": DateTime::from_millis(n),
            "fullDocument": { "n": n, "big": i64::MAX },
        })
        .unwrap()
    }

    #[test]
    fn round_trips_exact_types_and_skips_a_truncated_tail() {
        let path = temp("roundtrip");
        let mut recorder = Recorder::open(&path).unwrap();
        recorder.write(&[event(1), event(2)]).unwrap();
        drop(recorder);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"operationType\": \"ins");
        std::fs::write(&path, text).unwrap();

        let mut replay = Replay::open(&path).unwrap();
        let events: Vec<ChangeEvent> = replay.by_ref().map(Result::unwrap).collect();
        assert_eq!(events, vec![event(1), event(2)]);
        assert!(replay
            .warning
            .unwrap()
            .contains(":3: skipped a truncated last line"));
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn load_keeps_the_newest_events_and_says_how_many_were_left_out() {
        let path = temp("load");
        let mut recorder = Recorder::open(&path).unwrap();
        recorder.write(&[event(1), event(2), event(3)]).unwrap();
        drop(recorder);
        let (events, warning) = load(&path, 2).unwrap();
        assert_eq!(events, vec![event(2), event(3)]);
        assert_eq!(warning.as_deref(), Some("showing the last 2 of 3 events"));
        assert_eq!(load(&path, 5).unwrap().1, None);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_with_its_position() {
        let path = temp("bad");
        std::fs::write(&path, "{\"a\":1}\nnot json\n{\"b\":2}\n").unwrap();
        let results: Vec<_> = Replay::open(&path).unwrap().collect();
        let first = results[0].as_ref().unwrap().to_document();
        assert_eq!(first, Some(doc! { "a": 1 }));
        let at_line_2 = format!("{}:2: ", path.display());
        let error = results[1].as_ref().unwrap_err().to_string();
        assert!(error.starts_with(&at_line_2), "{error}");
        let (events, warning) = load(&path, 10).unwrap();
        let kept: Vec<_> = events.iter().map(ChangeEvent::to_document).collect();
        assert_eq!(
            kept,
            [Some(doc! { "a": 1 })],
            "what came before the bad line is kept"
        );
        let warning = warning.unwrap();
        assert!(warning.contains(&at_line_2), "{warning}");
        let _ = std::fs::remove_file(&path);
        assert!(Replay::open(&path)
            .err()
            .unwrap()
            .to_string()
            .contains("cannot open recording"));
    }
}
