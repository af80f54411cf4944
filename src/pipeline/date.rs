//! ISO 8601 dates as `ISODate(..)` and `{$date: ".."}` take them.

const FORMAT: &str = "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM]";

/// Milliseconds since the Unix epoch for `2026-11-21`,
/// `2026-11-21T10:00:00Z`, `2026-11-21T10:00:00.123+02:00` and the like.
/// A date without a time is midnight; a time without an offset is UTC, as
/// in mongosh's `ISODate`. The error says what is wrong, without the text.
pub(crate) fn parse_iso_date(text: &str) -> Result<i64, String> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let format = || FORMAT.to_string();
    let year = c.number(4).ok_or_else(format)?;
    let month = c.after(b'-').and_then(|c| c.number(2)).ok_or_else(format)?;
    let day = c.after(b'-').and_then(|c| c.number(2)).ok_or_else(format)?;
    check("month", month, 1, 12)?;
    check("day", day, 1, days_in_month(year, month))?;

    let mut time_ms = 0;
    let mut offset_minutes = 0;
    if c.eat(b'T') || c.eat(b't') || c.eat(b' ') {
        let hour = c.number(2).ok_or_else(format)?;
        let minute = c.after(b':').and_then(|c| c.number(2)).ok_or_else(format)?;
        let mut second = 0;
        let mut millis = 0;
        if c.eat(b':') {
            second = c.number(2).ok_or_else(format)?;
            if c.eat(b'.') {
                millis = c.fraction_millis().ok_or_else(format)?;
            }
        }
        check("hour", hour, 0, 23)?;
        check("minute", minute, 0, 59)?;
        check("second", second, 0, 59)?;
        time_ms = ((hour * 60 + minute) * 60 + second) * 1000 + millis;
        offset_minutes = c.offset().ok_or_else(format)?;
    }
    if c.at != c.bytes.len() {
        return Err(format());
    }
    Ok(days_from_civil(year, month, day) * 86_400_000 + time_ms - offset_minutes * 60_000)
}

fn check(what: &str, value: i64, min: i64, max: i64) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("{what} {value:02} is out of range"))
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar
/// (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, b: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&b);
        if found {
            self.at += 1;
        }
        found
    }

    /// Itself if the next byte is `b` (consumed), for chaining.
    fn after(&mut self, b: u8) -> Option<&mut Self> {
        self.eat(b).then_some(self)
    }

    /// Exactly `len` ASCII digits.
    fn number(&mut self, len: usize) -> Option<i64> {
        let digits = self.bytes.get(self.at..self.at + len)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += len;
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// Fractional seconds as milliseconds; digits past the third are dropped.
    fn fraction_millis(&mut self) -> Option<i64> {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        let digits = &self.bytes[start..self.at];
        if digits.is_empty() {
            return None;
        }
        Some(
            (0..3)
                .map(|i| digits.get(i).map_or(0, |d| i64::from(d - b'0')))
                .fold(0, |n, d| n * 10 + d),
        )
    }

    /// `Z`, `+HH:MM`, `+HHMM`, `+HH` or nothing (UTC), in minutes east of UTC.
    fn offset(&mut self) -> Option<i64> {
        if self.eat(b'Z') || self.eat(b'z') || self.at == self.bytes.len() {
            return Some(0);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return None;
        };
        let hours = self.number(2)?;
        let minutes = if self.eat(b':') {
            self.number(2)?
        } else {
            self.number(2).unwrap_or(0)
        };
        (hours <= 23 && minutes <= 59).then_some(sign * (hours * 60 + minutes))
    }
}
