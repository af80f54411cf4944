//! Query regexes (`/re/i`, `$regex` with `$options`): MongoDB's options, and matching strings
//! or a stored regex with the same source.

use bson::{Bson, Regex as BsonRegex};
use regex::{Regex, RegexBuilder};

use crate::error::location_error;
use crate::error::{CmdResult, CommandError};
use crate::query::pred::Pred;

/// A compiled query regex; it matches strings, or a stored regex with the same source.
#[derive(Debug, Clone)]
pub(super) struct MatchRegex {
    regex: Regex,
    pattern: String,
    options: String,
}

impl MatchRegex {
    /// Compiles with MongoDB's options translated: i, m, s and x mean the same to the regex
    /// crate; u (UTF-8) is always on here.
    pub(super) fn new(pattern: &str, options: &str) -> CmdResult<MatchRegex> {
        let mut builder = RegexBuilder::new(pattern);
        for flag in options.chars() {
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                'x' => builder.ignore_whitespace(true),
                'u' => &mut builder,
                _ => {
                    return Err(location_error!(
                        51108,
                        format!("invalid flag in regex options: {flag}")
                    ))
                }
            };
        }
        let regex = builder.build().map_err(|e| {
            // The regex crate's message ends with a one-line summary after a source diagram.
            let text = e.to_string();
            let summary = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or(&text);
            let summary = summary.trim().trim_start_matches("error: ");
            location_error!(51091, format!("Regular expression is invalid: {summary}"))
        })?;
        let mut sorted: Vec<char> = options.chars().collect();
        sorted.sort_unstable();
        Ok(MatchRegex {
            regex,
            pattern: pattern.to_string(),
            options: sorted.into_iter().collect(),
        })
    }

    pub(super) fn matches(&self, value: &Bson) -> bool {
        match value {
            Bson::String(s) | Bson::Symbol(s) => self.regex.is_match(s),
            Bson::RegularExpression(r) => {
                let mut options: Vec<char> = r.options.chars().collect();
                options.sort_unstable();
                r.pattern == self.pattern && options.into_iter().collect::<String>() == self.options
            }
            _ => false,
        }
    }
}

/// A regex given as a BSON regex value.
pub(super) fn regex_literal(regex: &BsonRegex) -> CmdResult<Pred> {
    Ok(Pred::Regex(MatchRegex::new(
        &regex.pattern,
        &regex.options,
    )?))
}

/// `$regex` (a string or regex) with the `$options` beside it, if any.
pub(super) fn parse_regex(arg: &Bson, options: Option<&Bson>) -> CmdResult<Pred> {
    let options = match options {
        None => "",
        Some(Bson::String(s)) => s.as_str(),
        Some(_) => return Err(CommandError::bad_value("$options has to be a string")),
    };
    match arg {
        Bson::String(pattern) => Ok(Pred::Regex(MatchRegex::new(pattern, options)?)),
        Bson::RegularExpression(r) if options.is_empty() => regex_literal(r),
        Bson::RegularExpression(r) if r.options.is_empty() => {
            Ok(Pred::Regex(MatchRegex::new(&r.pattern, options)?))
        }
        Bson::RegularExpression(_) => Err(location_error!(
            51075,
            "options set in both $regex and $options"
        )),
        _ => Err(CommandError::bad_value("$regex has to be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_options_and_errors() {
        let r = MatchRegex::new("^ab", "i").unwrap();
        assert!(r.matches(&Bson::from("ABc")));
        assert!(!r.matches(&Bson::Int32(1)));
        assert!(r.matches(&Bson::RegularExpression(BsonRegex {
            pattern: "^ab".into(),
            options: "i".into()
        })));
        assert!(MatchRegex::new("^b", "m")
            .unwrap()
            .matches(&Bson::from("a\nb")));
        assert!(MatchRegex::new("a.b", "s")
            .unwrap()
            .matches(&Bson::from("a\nb")));
        assert!(MatchRegex::new("a b # comment", "x")
            .unwrap()
            .matches(&Bson::from("ab")));
        let err = MatchRegex::new("(", "").unwrap_err();
        assert_eq!((err.code, err.code_name), (51091, "Location51091"));
        assert!(
            err.message.starts_with("Regular expression is invalid: "),
            "{}",
            err.message
        );
        assert_eq!(MatchRegex::new("a", "q").unwrap_err().code, 51108);
    }
}
