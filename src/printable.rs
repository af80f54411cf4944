//! Text from a server or a file made safe to print: its control characters (ESC, BEL, CR,
//! C1 …) and bidirectional formatting characters shown as visible escapes, as the mongosh formatter shows them in strings, so that
//! no name, note, host or message can move the cursor, clear the screen or retitle the
//! terminal. Used where such text is printed or drawn.

use std::borrow::Cow;

/// `text` with each control character as a visible escape (`\n`, `\t`, `\r`, else
/// `\u001b`); borrowed when there is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// [`printable`], but line breaks are kept: for messages of several lines (a message is
/// printed or drawn line by line, so a break moves nothing but to the next line).
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

/// [`printable`] of an owned `text`, which is kept as it is when there is nothing to escape.
pub fn into_printable(text: String) -> String {
    match printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

fn escaped(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let escapes = |c: char| hidden(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(escapes) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escapes(c) {
            push(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the bidirectional formatting ones (which reorder what follows on
/// the line, so that text reads as something else).
pub fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends `c`, escaped if it is a control or bidirectional formatting character.
pub fn push(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if hidden(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
    }
}

/// The name as one shell word, quoted when it needs to be. A name with characters shown
/// escaped is quoted as `$'…'`, where the shell reads those escapes back: the word printed
/// names the same bookmark, and moves no cursor.
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@#.:_-+/=,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else if let Cow::Owned(_) = printable(text) {
        let mut word = String::from("$'");
        for c in text.chars() {
            match c {
                '\\' => word.push_str(r"\\"),
                '\'' => word.push_str(r"\'"),
                c => push(&mut word, c),
            }
        }
        word.push('\'');
        word
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_as_escapes() {
        assert_eq!(
            printable("a\x1b[2Jb\x07c\r\n\td\u{9b}e\x7f"),
            "a\\u001b[2Jb\\u0007c\\r\\n\\td\\u009be\\u007f"
        );
        assert!(matches!(printable("shop.orders é"), Cow::Borrowed(_)));
    }

    #[test]
    fn bidirectional_formatting_shows_as_escapes() {
        assert_eq!(
            printable("a\u{202E}b\u{200F}c\u{2066}d\u{2069}"),
            "a\\u202eb\\u200fc\\u2066d\\u2069"
        );
    }

    #[test]
    fn messages_keep_their_lines() {
        assert_eq!(printable_lines("a\n\x1bb\r\n"), "a\n\\u001bb\\r\n");
    }

    #[test]
    fn a_name_with_escaped_characters_is_a_word_the_shell_reads_back() {
        let name = "a\x1b[2J b'c\\\u{202E}";
        let word = shell_word(name);
        assert_eq!(word, r"$'a\u001b[2J b\'c\\\u202e'");
        let out = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {word}")])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), name);
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
