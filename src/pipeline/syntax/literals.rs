//! Literals: strings, regexes and numbers.

use super::super::{ParseError, Pos};
use super::{is_word_char, Kind, Number, Parser};

impl Parser<'_> {
    /// A quoted string, at its opening quote; the same quote closes it.
    pub(super) fn string(&mut self, quote: char) -> Result<String, ParseError> {
        let start = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some('\n') => return Err(ParseError::at(start, "unterminated string")),
                Some(c) if c == quote => {
                    self.bump();
                    return Ok(out);
                }
                Some('\\') => self.escape(start, &mut out)?,
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    /// An escape sequence in a string starting at `start`, at its backslash.
    fn escape(&mut self, start: Pos, out: &mut String) -> Result<(), ParseError> {
        let at = self.pos;
        self.bump();
        let c = match self.bump() {
            None => return Err(ParseError::at(start, "unterminated string")),
            Some(c) => c,
        };
        match c {
            '"' | '\'' | '\\' | '/' => out.push(c),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => out.push('\0'),
            'x' => {
                let code = self.hex_escape(at, 2)?;
                out.extend(char::from_u32(code));
            }
            'u' => {
                let code = self.hex_escape(at, 4)?;
                out.push(self.unicode_escape(at, code)?);
            }
            // A backslash at the end of a line continues the string, as in JavaScript.
            '\n' => {}
            '\r' => {
                if self.peek() == Some('\n') {
                    self.bump();
                }
            }
            // `"\d"` is almost always a regex meant to keep its backslash.
            _ => {
                return Err(ParseError::at(
                    at,
                    format!("invalid escape '\\{c}' (write '\\\\{c}' for a backslash)"),
                ))
            }
        }
        Ok(())
    }

    fn hex_escape(&mut self, at: Pos, digits: usize) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..digits {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.bump();
                    code = code * 16 + d;
                }
                None => {
                    return Err(ParseError::at(
                        at,
                        format!("invalid escape: expected {digits} hex digits"),
                    ))
                }
            }
        }
        Ok(code)
    }

    /// Joins a UTF-16 surrogate pair, as JSON writes chars outside the BMP.
    fn unicode_escape(&mut self, at: Pos, code: u32) -> Result<char, ParseError> {
        let lone = || ParseError::at(at, "invalid escape: lone surrogate");
        if !(0xD800..0xDC00).contains(&code) {
            return char::from_u32(code).ok_or_else(lone);
        }
        if self.peek() != Some('\\') || self.peek_second() != Some('u') {
            return Err(lone());
        }
        let low_at = self.pos;
        self.bump();
        self.bump();
        let low = self.hex_escape(low_at, 4)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(lone());
        }
        char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)).ok_or_else(lone)
    }

    /// `/pattern/flags`. The pattern is kept as written (escapes included),
    /// as mongosh sends a RegExp's source.
    pub(super) fn regex(&mut self) -> Result<Kind, ParseError> {
        let start = self.pos;
        self.bump();
        let mut pattern = String::new();
        // A '/' inside [...] does not end the pattern.
        let mut in_class = false;
        loop {
            let c = match self.bump() {
                None | Some('\n') => return Err(ParseError::at(start, "unterminated regex")),
                Some(c) => c,
            };
            match c {
                '/' if !in_class => break,
                '\\' => {
                    pattern.push(c);
                    match self.bump() {
                        None | Some('\n') => {
                            return Err(ParseError::at(start, "unterminated regex"))
                        }
                        Some(escaped) => pattern.push(escaped),
                    }
                    continue;
                }
                '[' => in_class = true,
                ']' => in_class = false,
                _ => {}
            }
            pattern.push(c);
        }
        let flags_pos = self.pos;
        let mut flags = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
            self.bump();
            flags.push(c);
        }
        Ok(Kind::Regex {
            pattern,
            flags,
            flags_pos,
        })
    }

    /// JSON5 numbers: an optional sign, then decimal, hex, `Infinity` or `NaN`.
    pub(super) fn number(&mut self) -> Result<Kind, ParseError> {
        let start = self.offset;
        let negative = self.peek() == Some('-');
        if matches!(self.peek(), Some('-' | '+')) {
            self.bump();
        }
        let value = if self.peek().is_some_and(char::is_alphabetic) {
            let word_pos = self.pos;
            match self.word().as_str() {
                "Infinity" if negative => Number::Double(f64::NEG_INFINITY),
                "Infinity" => Number::Double(f64::INFINITY),
                "NaN" => Number::Double(f64::NAN),
                other => {
                    return Err(ParseError::at(
                        word_pos,
                        format!("expected a number, found '{other}'"),
                    ))
                }
            }
        } else if self.peek() == Some('0') && matches!(self.peek_second(), Some('x' | 'X')) {
            self.bump();
            self.bump();
            self.hex_number(negative)?
        } else {
            self.decimal_number(start)?
        };
        if let Some(c) = self.peek().filter(|c| is_word_char(*c)) {
            return Err(self.error(format!("unexpected '{c}' after a number")));
        }
        Ok(Kind::Number {
            value,
            text: self.text[start..self.offset].to_string(),
        })
    }

    fn hex_number(&mut self, negative: bool) -> Result<Number, ParseError> {
        let mut value: Option<i64> = Some(0);
        // Past i64 the value goes on as a double, as in JavaScript.
        let mut approx = 0f64;
        let mut any = false;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(16)) {
            self.bump();
            any = true;
            value = value
                .and_then(|v| v.checked_mul(16))
                .and_then(|v| v.checked_add(i64::from(d)));
            approx = approx * 16.0 + f64::from(d);
        }
        if !any {
            return Err(self.unexpected("hex digits after '0x'"));
        }
        Ok(match value {
            Some(v) if negative => Number::Int(-v),
            Some(v) => Number::Int(v),
            None if negative => Number::Double(-approx),
            None => Number::Double(approx),
        })
    }

    fn decimal_number(&mut self, start: usize) -> Result<Number, ParseError> {
        let int_digits = self.digits();
        let mut is_float = false;
        if self.peek() == Some('.') {
            self.bump();
            is_float = true;
            if self.digits() == 0 && int_digits == 0 {
                return Err(self.unexpected("a digit"));
            }
        } else if int_digits == 0 {
            return Err(self.unexpected("a digit"));
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            is_float = true;
            if matches!(self.peek(), Some('-' | '+')) {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let text = &self.text[start..self.offset];
        let parsed = if is_float {
            None
        } else {
            text.parse::<i64>().ok().map(Number::Int)
        };
        // Integers too large for i64 become doubles, as in mongosh.
        match parsed {
            Some(n) => Ok(n),
            None => text
                .parse::<f64>()
                .map(Number::Double)
                .map_err(|_| self.error(format!("invalid number '{text}'"))),
        }
    }

    /// Consumes ASCII digits and says how many.
    fn digits(&mut self) -> usize {
        let mut count = 0;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            count += 1;
        }
        count
    }
}
