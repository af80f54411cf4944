//! Text from a server or a file made safe to print: its control characters (ESC, BEL, CR,
//! C1 …) shown as visible escapes, as the mongosh formatter shows them in strings, so that
//! no name, note, host or message can move the cursor, clear the screen or retitle the
//! terminal. Used where such text is printed or drawn.

use std::borrow::Cow;

/// `text` with each control character as a visible escape (`\n`, `\t`, `\r`, else
/// `\u001b`); borrowed when there is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c`, escaped if it is a control character.
pub fn push(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
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
}
