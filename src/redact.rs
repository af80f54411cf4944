//! Passwords never leave mwatch: every connection string or message that may contain one is
//! passed through [`redact`] before it is shown, logged, recorded or saved.

/// What a hidden password reads as.
const HIDDEN: &str = "****";

/// A connection string with its password hidden. It can only be made by [`RedactedUri::new`],
/// so whatever holds one (the title bar's deployment, bookmarks) cannot be handed a raw URI;
/// one read from a file (a hand-edited `bookmarks.json`) is redacted as it is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct RedactedUri(String);

impl<'de> serde::Deserialize<'de> for RedactedUri {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|uri| RedactedUri::new(&uri))
    }
}

impl RedactedUri {
    pub fn new(uri: &str) -> RedactedUri {
        RedactedUri(redact(uri))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RedactedUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Replaces the password of every `mongodb://` / `mongodb+srv://` URI in `text` with `****`.
/// The user name stays (it helps to know who is connected); a password with no URI around
/// it cannot be recognised, so callers redact the URI before building messages from it.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let (before, uri_and_after) = rest.split_at(start);
        out.push_str(before);
        let scheme_len = uri_and_after.find("://").map_or(0, |i| i + 3);
        let (scheme, after_scheme) = uri_and_after.split_at(scheme_len);
        out.push_str(scheme);
        // The authority ends at the first '/', '?', '#' or whitespace, but a password may hold
        // any of those except whitespace, so the credentials end at the *last* '@' before it.
        let authority_end = after_scheme
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after_scheme.len());
        let authority = &after_scheme[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let credentials = &authority[..at];
                match credentials.find(':') {
                    Some(colon) => {
                        out.push_str(&credentials[..colon]);
                        out.push(':');
                        out.push_str(HIDDEN);
                    }
                    None => out.push_str(credentials),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after_scheme[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Whether a connection string passed through [`redact`] had a password (so it no longer
/// connects as it is).
pub fn has_hidden_password(redacted_uri: &str) -> bool {
    redacted_uri.contains(&format!(":{HIDDEN}@"))
}

fn find_scheme(text: &str) -> Option<usize> {
    let plain = text.find("mongodb://");
    let srv = text.find("mongodb+srv://");
    match (plain, srv) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_passwords_and_keeps_the_rest() {
        assert_eq!(
            redact("mongodb://ann:s3cr3t@db1:27017,db2/?replicaSet=rs0"),
            "mongodb://ann:****@db1:27017,db2/?replicaSet=rs0"
        );
        assert_eq!(
            redact("mongodb+srv://ann:p%40ss@cluster0.example.net/app"),
            "mongodb+srv://ann:****@cluster0.example.net/app"
        );
        assert_eq!(
            redact("mongodb://localhost:27017"),
            "mongodb://localhost:27017"
        );
        assert_eq!(
            redact("mongodb://ann@host/?authMechanism=X"),
            "mongodb://ann@host/?authMechanism=X"
        );
    }

    #[test]
    fn handles_passwords_with_reserved_characters_and_uris_inside_messages() {
        let message = "failed to connect to mongodb://bob:a/b@c?d@host:1/x: timed out, retrying mongodb://bob:a/b@c?d@host:1/x";
        let redacted = redact(message);
        assert!(!redacted.contains("a/b@c?d"), "{redacted}");
        assert_eq!(
            redacted.matches("bob:****@host:1/x").count(),
            2,
            "{redacted}"
        );
        // A quote or a space ends the URI: a later '@' is not its credentials' end.
        for (text, shown) in [
            (
                "uri 'mongodb://ann:pw@h/db' by bob@corp",
                "uri 'mongodb://ann:****@h/db' by bob@corp",
            ),
            (
                "uri \"mongodb://ann:pw@h/db\"bob@corp",
                "uri \"mongodb://ann:****@h/db\"bob@corp",
            ),
            (
                "mongodb://ann:pw@h/db bob@corp",
                "mongodb://ann:****@h/db bob@corp",
            ),
        ] {
            assert_eq!(redact(text), shown);
        }
        assert!(redacted.starts_with("failed to connect to "));
        assert!(redacted.contains(": timed out, retrying "));
    }

    #[test]
    fn tells_whether_a_password_was_hidden() {
        assert!(has_hidden_password(&redact("mongodb://ann:pw@h/")));
        assert!(!has_hidden_password(&redact("mongodb://ann@h/")));
        assert!(!has_hidden_password(&redact("mongodb://h/")));
    }

    #[test]
    fn leaves_text_without_uris_alone() {
        assert_eq!(
            redact("no uri here: user:pass@host"),
            "no uri here: user:pass@host"
        );
        assert_eq!(redact(""), "");
    }
}
