//! Recordings: every received event appended to a file as one line of canonical Extended
//! JSON, and read back as an event source.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use bson::Bson;

use crate::event::ChangeEvent;
use crate::format::{event_name, write_json};
use crate::store::{EventStore, Keep};

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

    /// Appends a batch and flushes it, so a crash loses at most the batch being written. An
    /// event too deep to write as a line replay reads back is left out, and said: what comes
    /// back is what to say of each one left out. An error only when writing fails.
    pub fn write(&mut self, events: &[ChangeEvent]) -> io::Result<Vec<String>> {
        let mut left_out = Vec::new();
        let mut line = Vec::new();
        for event in events {
            line.clear();
            match write_json(&mut line, event.raw(), true) {
                Ok(()) => {
                    line.push(b'\n');
                    self.out.write_all(&line)?;
                }
                Err(e) => left_out.push(format!(
                    "left {} out of the recording: {e}",
                    event_name(event)
                )),
            }
        }
        self.out.flush()?;
        Ok(left_out)
    }
}

/// The largest event a server sends: 16 MiB of BSON.
const EVENT_MAX: usize = 16 * 1024 * 1024;

/// The longest line a recording may hold: what the recorder writes for the largest event, in
/// canonical Extended JSON. That takes at most 12 bytes for each byte of BSON (the most is a
/// regular expression with an empty pattern and options under a one-character key of a
/// control character: 5 bytes, written `"\u0001":{"$regularExpression":{"pattern":"",
/// "options":""}},` in 60), so 12 x 16 MiB. A longer line is not an event, and is not read
/// into memory beyond this.
pub const MAX_LINE: usize = 12 * EVENT_MAX;

/// The most values (counted by [`values`]) the line of an event holds: every BSON element
/// takes at least 3 bytes (a type, a key and its end), and no element is written with more
/// than 2 of the bytes counted for each 3 of its BSON (the most: `undefined`, 3 bytes, written
/// with the `,` before it and the `{` of `{"$undefined":true}`).
const MAX_VALUES: usize = EVENT_MAX / 3 * 2;

/// The `,` `[` `{` of a line of JSON outside its strings: a value of the parsed line is the
/// first thing after a `[` or `{` or follows a `,`, so the line parses into at most one more
/// value than this.
fn values(line: &[u8]) -> usize {
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    for &b in line {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => count += 1,
                _ => {}
            }
        }
    }
    count
}

/// What went wrong reading a recording, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    // The io error is in the message, so it is not also the `source()` (a chain would say it
    // twice).
    /// The file cannot be opened, or is a directory.
    #[error("cannot open recording {}: {error}", path.display())]
    Open { path: PathBuf, error: io::Error },
    /// Reading failed after the file was opened.
    #[error("{}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    /// A line (1-based) that is not a change event, where in it if known, and why.
    #[error("{}:{line}{}: {problem}", path.display(), at_column(*column))]
    BadLine {
        path: PathBuf,
        line: usize,
        column: Option<usize>,
        problem: String,
    },
    /// The file ended before a single event.
    #[error("{}: holds no event", path.display())]
    NoEvent { path: PathBuf },
}

impl ReplayError {
    /// The file named is not one to replay (a usage error), as opposed to a recording with
    /// something wrong inside.
    pub fn is_open(&self) -> bool {
        matches!(self, ReplayError::Open { .. })
    }
}

/// How [`read_line`] ended.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A line was read (without its `\n`).
    Read,
    /// The last line, without a `\n` at its end: its write may have been cut short.
    Unended,
    /// The line is longer than the bound: it is read no further.
    TooLong,
    /// The end of the input, before any byte of a line.
    End,
}

/// Reads the next line of `input` into `line` (cleared first), up to `max` bytes.
pub fn read_line(input: &mut impl BufRead, max: usize, line: &mut Vec<u8>) -> io::Result<Line> {
    line.clear();
    let mut started = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(if started { Line::Unended } else { Line::End });
        }
        started = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let part = newline.unwrap_or(buffer.len());
        if line.len() + part > max {
            return Ok(Line::TooLong);
        }
        line.extend_from_slice(&buffer[..part]);
        input.consume(newline.map_or(part, |at| at + 1));
        if newline.is_some() {
            return Ok(Line::Read);
        }
    }
}

/// Reads a recording line by line. A bad last line without its `\n` (a recording interrupted
/// mid-write) is skipped with a warning; a bad line anywhere else is an error, and so is a
/// recording with no event.
pub struct Replay {
    path: PathBuf,
    input: Box<dyn BufRead>,
    line: Vec<u8>,
    number: usize,
    events: usize,
    ended: bool,
    /// Set when the truncated last line was skipped.
    pub warning: Option<String>,
}

impl Replay {
    pub fn open(path: &Path) -> Result<Replay, ReplayError> {
        let opened = File::open(path).and_then(|file| {
            // A directory opens, and fails only when read.
            if file.metadata()?.is_dir() {
                return Err(io::Error::from(io::ErrorKind::IsADirectory));
            }
            Ok(file)
        });
        let file = opened.map_err(|error| ReplayError::Open {
            path: path.to_path_buf(),
            error,
        })?;
        Ok(Replay::from_reader(path, BufReader::new(file)))
    }

    /// A recording read from `input`, named `path` in messages.
    pub fn from_reader(path: &Path, input: impl BufRead + 'static) -> Replay {
        Replay {
            path: path.to_path_buf(),
            input: Box::new(input),
            line: Vec::new(),
            number: 0,
            events: 0,
            ended: false,
            warning: None,
        }
    }

    /// The event of a line, or why it is none (and the column where, when known).
    fn parse(line: &[u8]) -> Result<ChangeEvent, (Option<usize>, String)> {
        let line = std::str::from_utf8(line).map_err(|e| {
            let problem = format!("not UTF-8 (byte {} of the line)", e.valid_up_to() + 1);
            (None, problem)
        })?;
        // Parsed values take far more memory than their text: a bound on them, before parsing.
        if values(line.as_bytes()) > MAX_VALUES {
            return Err((None, "more values than an event can hold".to_string()));
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| (Some(e.column()), crate::json_position::message(&e)))?;
        match Bson::try_from(value).map_err(|e| (None, e.to_string()))? {
            Bson::Document(doc) => ChangeEvent::from_document(&doc)
                .ok_or_else(|| (None, "not a BSON document".to_string())),
            other => {
                let problem = format!("expected an object, found {}", short(&other));
                Err((None, problem))
            }
        }
    }

    fn bad_line(&self, column: Option<usize>, problem: String) -> ReplayError {
        ReplayError::BadLine {
            path: self.path.clone(),
            line: self.number,
            column,
            problem,
        }
    }

    /// The next event, or why there is none; `next` stops after an error.
    fn next_item(&mut self) -> Option<Result<ChangeEvent, ReplayError>> {
        loop {
            let read = match read_line(&mut self.input, MAX_LINE, &mut self.line) {
                Ok(read) => read,
                Err(error) => {
                    let path = self.path.clone();
                    return Some(Err(ReplayError::Read { path, error }));
                }
            };
            if read == Line::End {
                let path = self.path.clone();
                return (self.events == 0).then_some(Err(ReplayError::NoEvent { path }));
            }
            self.number += 1;
            if read == Line::TooLong {
                let problem = format!(
                    "the line is longer than {} MiB, more than any event is written as",
                    MAX_LINE >> 20
                );
                return Some(Err(self.bad_line(None, problem)));
            }
            if self.line.trim_ascii().is_empty() {
                continue;
            }
            return match Replay::parse(&self.line) {
                Ok(event) => {
                    self.events += 1;
                    Some(Ok(event))
                }
                Err(_) if self.events > 0 && read == Line::Unended => {
                    self.warning = Some(format!(
                        "{}:{}: skipped a truncated last line (the recording was interrupted mid-write)",
                        self.path.display(),
                        self.number
                    ));
                    None
                }
                Err((column, problem)) => Some(Err(self.bad_line(column, problem))),
            };
        }
    }
}

/// `:C` for a column, nothing for none.
fn at_column(column: Option<usize>) -> String {
    column.map(|c| format!(":{c}")).unwrap_or_default()
}

fn short(value: &Bson) -> String {
    let text = value.to_string();
    text.chars().take(40).collect()
}

impl Iterator for Replay {
    type Item = Result<ChangeEvent, ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        let item = self.next_item();
        self.ended = !matches!(item, Some(Ok(_)));
        item
    }
}

/// The newest events of a recording that the TUI's store keeps, and what went wrong reading
/// it: a bad line stops the reading but keeps what came before it (an error if nothing did).
pub fn load(path: &Path, keep: Keep) -> Result<(Vec<ChangeEvent>, Option<String>), ReplayError> {
    let mut replay = Replay::open(path)?;
    let mut store = EventStore::keeping(keep);
    let mut read = 0usize;
    let mut error = None;
    for event in replay.by_ref() {
        match event {
            Ok(event) => {
                read += 1;
                store.push_event(event);
            }
            // Nothing to show: the file is no recording.
            Err(e) if read == 0 => return Err(e),
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let mut notes: Vec<String> = error.into_iter().chain(replay.warning.take()).collect();
    if store.dropped() > 0 {
        notes.push(format!(
            "showing the last {} of {read} events (the list keeps {})",
            store.event_count(),
            store.dropping_bound()
        ));
    }
    let warning = (!notes.is_empty()).then(|| notes.join("; "));
    Ok((store.into_events(), warning))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::json_line;
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
    fn lines_are_read_up_to_a_bound_and_no_further() {
        let mut input = io::BufReader::with_capacity(4, &b"ab\n\nabcdef\ngh"[..]);
        let mut line = Vec::new();
        let mut next = |max| {
            let read = read_line(&mut input, max, &mut line).unwrap();
            (read, String::from_utf8(line.clone()).unwrap())
        };
        assert_eq!(next(5), (Line::Read, "ab".into()));
        assert_eq!(next(5), (Line::Read, "".into()));
        assert_eq!(
            next(5),
            (Line::TooLong, "abcd".into()),
            "read to the bound only"
        );
        assert_eq!(
            next(5),
            (Line::Read, "ef".into()),
            "where the long line was left"
        );
        assert_eq!(
            next(5),
            (Line::Unended, "gh".into()),
            "a last line without its newline"
        );
        assert_eq!(next(5), (Line::End, "".into()));
    }

    #[test]
    fn load_keeps_the_newest_events_and_says_how_many_were_left_out() {
        let path = temp("load");
        let mut recorder = Recorder::open(&path).unwrap();
        recorder.write(&[event(1), event(2), event(3)]).unwrap();
        drop(recorder);
        let (events, warning) = load(&path, keep(2)).unwrap();
        assert_eq!(events, vec![event(2), event(3)]);
        assert_eq!(
            warning.as_deref(),
            Some("showing the last 2 of 3 events (the list keeps the newest 2 events)")
        );
        assert_eq!(load(&path, keep(5)).unwrap().1, None);
        let _ = std::fs::remove_file(&path);
    }

    /// A recording of big events is held no more than the store would: not all of its newest
    /// 100,000 events when they take more than its bytes.
    #[test]
    fn load_keeps_no_more_bytes_than_the_store() {
        let path = temp("load-bytes");
        let mut recorder = Recorder::open(&path).unwrap();
        recorder.write(&[event(1), event(2), event(3)]).unwrap();
        drop(recorder);
        let bytes = event(2).size() + event(3).size();
        let (events, warning) = load(&path, Keep::size(bytes)).unwrap();
        assert_eq!(events, vec![event(2), event(3)]);
        assert_eq!(
            warning.as_deref(),
            Some(
                format!("showing the last 2 of 3 events (the list keeps {bytes} B of events)")
                    .as_str()
            )
        );
        let _ = std::fs::remove_file(&path);
    }

    /// One event bigger than the whole size is still shown, alone.
    #[test]
    fn load_keeps_an_event_bigger_than_the_size() {
        let path = temp("load-big");
        let mut recorder = Recorder::open(&path).unwrap();
        recorder.write(&[event(1), event(2)]).unwrap();
        drop(recorder);
        let (events, warning) = load(&path, Keep::size(1)).unwrap();
        assert_eq!(events, vec![event(2)]);
        assert!(warning.unwrap().contains("last 1 of 2 events"));
        let _ = std::fs::remove_file(&path);
    }

    fn keep(events: usize) -> Keep {
        Keep::count(events)
    }

    /// The TUI shows nothing of a file with no event: it is refused, as `--json` refuses it.
    #[test]
    fn load_refuses_a_file_with_no_event() {
        let path = temp("none");
        for (text, error) in [
            ("", ": holds no event"),
            ("not json", ":1:2: expected ident"),
        ] {
            std::fs::write(&path, text).unwrap();
            let refused = load(&path, keep(10)).unwrap_err();
            assert!(!refused.is_open());
            assert!(refused.to_string().contains(error), "{refused}");
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_with_its_position() {
        let path = temp("bad");
        std::fs::write(&path, "{\"a\":1}\nnot json\n{\"b\":2}\n").unwrap();
        let results: Vec<_> = Replay::open(&path).unwrap().collect();
        let first = results[0].as_ref().unwrap().to_document();
        assert_eq!(first, Some(doc! { "a": 1 }));
        let at_line_2 = format!("{}:2:2: ", path.display());
        let error = results[1].as_ref().unwrap_err().to_string();
        assert!(error.starts_with(&at_line_2), "{error}");
        let (events, warning) = load(&path, keep(10)).unwrap();
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

    /// The longest line an event is written as: an element of 5 bytes (a regular expression
    /// with an empty pattern and options under a one-character key of a control character) is
    /// written in 60 bytes. The line fits under [`MAX_LINE`].
    #[test]
    fn the_largest_line_per_byte_of_bson_fits_the_bound() {
        let mut doc = bson::Document::new();
        for c in 1u8..0x20 {
            let regex = bson::Regex {
                pattern: String::new(),
                options: String::new(),
            };
            doc.insert(char::from(c).to_string(), regex);
        }
        let bson_bytes = bson::to_vec(&doc).unwrap().len();
        let line = json_line(&ChangeEvent::from_document(&doc).unwrap(), true).unwrap();
        assert!(
            line.len() > 11 * bson_bytes,
            "{} of {bson_bytes}",
            line.len()
        );
        assert!(
            line.len() * EVENT_MAX <= MAX_LINE * bson_bytes,
            "{} bytes for {bson_bytes} of BSON",
            line.len()
        );
    }

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert_eq!(values(br#"{"a":[1,2,{}],"b":"[{,\"{"}"#), 6);
        assert_eq!(values(b"1"), 0);
    }

    /// A line within the byte bound that would be parsed into more values than any event
    /// holds (each taking ~80 bytes of memory) is refused before it is parsed.
    #[test]
    fn a_line_of_more_values_than_an_event_holds_is_refused_unparsed() {
        let mut line = b"{\"a\":[".to_vec();
        line.extend(b"0,".repeat(MAX_VALUES));
        line.extend(b"0]}\n");
        let results: Vec<_> =
            Replay::from_reader(Path::new("many"), io::Cursor::new(line)).collect();
        let error = results[0].as_ref().unwrap_err().to_string();
        assert_eq!(error, "many:1: more values than an event can hold");
    }

    /// Only a last line without its newline is a write cut short; a complete bad last line is
    /// an error as anywhere else.
    #[test]
    fn a_bad_last_line_with_its_newline_is_an_error_not_a_truncation() {
        let event = json_line(&event(1), true).unwrap();
        let complete = format!("{event}\n[1,2,3]\n");
        let mut replay = Replay::from_reader(Path::new("rec"), io::Cursor::new(complete));
        assert!(replay.next().unwrap().is_ok());
        let error = replay.next().unwrap().unwrap_err().to_string();
        assert_eq!(error, "rec:2: expected an object, found [1, 2, 3]");
        assert_eq!(replay.warning, None);
    }

    /// The line is named once, with the column serde found the problem at.
    #[test]
    fn a_json_error_names_its_line_and_column_once() {
        let text = "{\"a\":1}\n{\"a\" 1}\n";
        let error = Replay::from_reader(Path::new("rec"), io::Cursor::new(text))
            .nth(1)
            .unwrap()
            .unwrap_err()
            .to_string();
        assert_eq!(error, "rec:2:6: expected `:`");
    }
}
