//! Where a JSON text went wrong, said once: mwatch names the place as `file:line:column:`
//! in front of serde_json's message, which ends with the same place in words.

/// The message of `e` without its ` at line L column C`.
pub fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&position).unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_position_is_taken_off_the_end_only() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\" 1}").unwrap_err();
        assert_eq!(super::message(&e), "expected `:`");
        let e = serde_json::from_str::<u8>("").unwrap_err();
        assert_eq!(super::message(&e), "EOF while parsing a value");
    }
}
