//! Text to a tree of values that remembers where each one starts.
//!
//! The grammar is JSON widened to what people type in mongosh: unquoted
//! keys, single-quoted strings, comments, trailing commas, JSON5 numbers,
//! function calls such as `ObjectId("..")` and regex literals. Which calls
//! exist, and what Extended JSON objects mean, is left to `convert`.

mod literals;

use std::collections::HashSet;

use super::{ParseError, Pos};
use crate::nesting::MAX_DEPTH;
use crate::printable::printable;

pub(crate) struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

pub(crate) enum Kind {
    Null,
    Bool(bool),
    /// `text` is the literal as typed, so `NumberDecimal(1.10)` keeps its digits.
    Number {
        value: Number,
        text: String,
    },
    Str(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
    Call {
        name: String,
        name_pos: Pos,
        /// Written as `new Name(..)`.
        is_new: bool,
        args: Vec<Node>,
    },
    Regex {
        pattern: String,
        flags: String,
        flags_pos: Pos,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Double(f64),
}

pub(crate) struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Kind {
    /// What a value is, for "expected .., found .." messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number { .. } => "a number",
            Kind::Str(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "a document",
            Kind::Call { .. } => "a function call",
            Kind::Regex { .. } => "a regex",
        }
    }
}

/// Parses a whole pipeline. `None` means the text holds only whitespace
/// and comments.
pub(crate) fn parse_pipeline(text: &str) -> Result<Option<Node>, ParseError> {
    let mut parser = Parser::new(text);
    parser.skip_trivia()?;
    if parser.peek().is_none() {
        return Ok(None);
    }
    parser.whole(true).map(Some)
}

/// Parses text holding exactly one value.
pub(crate) fn parse_value(text: &str) -> Result<Node, ParseError> {
    Parser::new(text).whole(false)
}

fn describe_char(c: Option<char>) -> String {
    match c {
        None => "end of input".to_string(),
        Some('\n') => "a line break".to_string(),
        Some('\'') => "\"'\"".to_string(),
        Some(c) => format!("'{}'", printable(&c.to_string())),
    }
}

/// Chars of unquoted keys and of words such as `true` or `ObjectId`.
/// Dots are included so that `fullDocument.status: 1` works unquoted.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '.'
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of `pos` in `text`.
    offset: usize,
    pos: Pos,
    /// Brackets and parentheses not closed yet, to say which one is open
    /// when the text ends early.
    open: Vec<(char, Pos)>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            offset: 0,
            pos: Pos { line: 1, column: 1 },
            open: Vec::new(),
        }
    }

    /// One value and nothing after it but whitespace and comments.
    fn whole(mut self, is_pipeline: bool) -> Result<Node, ParseError> {
        let node = self.value()?;
        self.skip_trivia()?;
        match self.peek() {
            None => Ok(node),
            // Several stages typed without the array around them.
            Some(',') if is_pipeline => Err(self.error(
                "unexpected ',' after the stage; write several stages as an array: [{...}, {...}]",
            )),
            found => Err(self.error(format!(
                "expected end of input after the value, found {}",
                describe_char(found)
            ))),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.text[self.offset..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.pos, message)
    }

    /// The error for finding something other than `expected` at the
    /// current position. At the end of the text it names the innermost
    /// unclosed bracket, which is what the user has to fix.
    fn unexpected(&self, expected: &str) -> ParseError {
        match (self.peek(), self.open.last()) {
            (None, Some((bracket, at))) => self.error(format!(
                "unexpected end of input: '{bracket}' at {}:{} is not closed",
                at.line, at.column
            )),
            (found, _) => self.error(format!(
                "expected {expected}, found {}",
                describe_char(found)
            )),
        }
    }

    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(), self.peek_second()) {
                (Some(c), _) if c.is_whitespace() || c == '\u{feff}' => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.pos;
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => {
                                return Err(ParseError::at(start, "unterminated comment"));
                            }
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        self.skip_trivia()?;
        let pos = self.pos;
        let kind = match self.peek() {
            Some('{') => self.object()?,
            Some('[') => self.array()?,
            Some(quote @ ('"' | '\'')) => Kind::Str(self.string(quote)?),
            Some('/') => self.regex()?,
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => self.number()?,
            Some(c) if is_word_char(c) => self.word_value()?,
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Node { pos, kind })
    }

    /// Consumes the opening bracket at the current position.
    fn open(&mut self, bracket: char) -> Result<(), ParseError> {
        // Deeper is refused: nothing downstream walks it (see `nesting`).
        if self.open.len() >= MAX_DEPTH {
            return Err(self.error(format!("nested too deeply (more than {MAX_DEPTH} levels)")));
        }
        self.open.push((bracket, self.pos));
        self.bump();
        Ok(())
    }

    /// After an item of a list: consumes `,` (true: more may follow) or
    /// the closing bracket (false: the list is done).
    fn separator(&mut self, close: char, after: &str) -> Result<bool, ParseError> {
        self.skip_trivia()?;
        match self.peek() {
            Some(',') => {
                self.bump();
                Ok(true)
            }
            Some(c) if c == close => {
                self.bump();
                self.open.pop();
                Ok(false)
            }
            _ => Err(self.unexpected(&format!("',' or '{close}' after {after}"))),
        }
    }

    /// Consumes the closing bracket if it comes next, allowing empty lists
    /// and trailing commas.
    fn close(&mut self, close: char) -> Result<bool, ParseError> {
        self.skip_trivia()?;
        if self.peek() == Some(close) {
            self.bump();
            self.open.pop();
            return Ok(true);
        }
        Ok(false)
    }

    fn object(&mut self) -> Result<Kind, ParseError> {
        self.open('{')?;
        let mut entries: Vec<Entry> = Vec::new();
        let mut keys = HashSet::new();
        loop {
            if self.close('}')? {
                break;
            }
            let key_pos = self.pos;
            let key = match self.peek() {
                Some(quote @ ('"' | '\'')) => self.string(quote)?,
                Some(c) if is_word_char(c) => self.word(),
                _ => return Err(self.unexpected("a key or '}'")),
            };
            // BSON keys end at a NUL byte: the server would read another key, or none.
            if key.contains('\0') {
                return Err(ParseError::at(
                    key_pos,
                    "a key cannot hold a NUL character (\\u0000)",
                ));
            }
            if !keys.insert(key.clone()) {
                return Err(ParseError::at(key_pos, format!("duplicate key '{key}'")));
            }
            self.skip_trivia()?;
            if self.peek() != Some(':') {
                return Err(self.unexpected(&format!("':' after key '{key}'")));
            }
            self.bump();
            let value = self.value()?;
            entries.push(Entry {
                key,
                key_pos,
                value,
            });
            if !self.separator('}', "a value")? {
                break;
            }
        }
        Ok(Kind::Object(entries))
    }

    fn array(&mut self) -> Result<Kind, ParseError> {
        self.open('[')?;
        let mut items = Vec::new();
        loop {
            if self.close(']')? {
                break;
            }
            items.push(self.value()?);
            if !self.separator(']', "a value")? {
                break;
            }
        }
        Ok(Kind::Array(items))
    }

    /// Arguments of a call, starting at `(`.
    fn arguments(&mut self) -> Result<Vec<Node>, ParseError> {
        self.open('(')?;
        let mut args = Vec::new();
        loop {
            if self.close(')')? {
                break;
            }
            args.push(self.value()?);
            if !self.separator(')', "an argument")? {
                break;
            }
        }
        Ok(args)
    }

    fn word(&mut self) -> String {
        let start = self.offset;
        while self.peek().is_some_and(is_word_char) {
            self.bump();
        }
        self.text[start..self.offset].to_string()
    }

    /// A bare word in value position: a keyword or a function call.
    fn word_value(&mut self) -> Result<Kind, ParseError> {
        let pos = self.pos;
        let word = self.word();
        let number = |value: f64| Kind::Number {
            value: Number::Double(value),
            text: word.clone(),
        };
        match word.as_str() {
            "true" => return Ok(Kind::Bool(true)),
            "false" => return Ok(Kind::Bool(false)),
            "null" => return Ok(Kind::Null),
            "Infinity" => return Ok(number(f64::INFINITY)),
            "NaN" => return Ok(number(f64::NAN)),
            "undefined" => return Err(ParseError::at(pos, "undefined is not supported; use null")),
            _ => {}
        }
        let is_new = word == "new";
        let (name, name_pos) = if is_new {
            self.skip_trivia()?;
            let name_pos = self.pos;
            if !self.peek().is_some_and(char::is_alphabetic) {
                return Err(self.unexpected("a name after 'new', like Date(...)"));
            }
            (self.word(), name_pos)
        } else {
            (word, pos)
        };
        self.skip_trivia()?;
        if self.peek() != Some('(') {
            if is_new {
                return Err(self.unexpected(&format!("'(' after 'new {name}'")));
            }
            return Err(ParseError::at(
                pos,
                format!("unexpected word '{name}' (strings must be quoted)"),
            ));
        }
        let args = self.arguments()?;
        Ok(Kind::Call {
            name,
            name_pos,
            is_new,
            args,
        })
    }
}
