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
        let (authority, credentials_end) = uri_parts(after_scheme);
        match credentials_end {
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
                out.push_str(&hide_secret_options(&authority[at..]));
            }
            None => out.push_str(&hide_secret_options(authority)),
        }
        rest = &after_scheme[authority.len()..];
    }
    out.push_str(rest);
    out
}

/// URI options whose values are secrets, named as drivers name them (compared without case,
/// as drivers do). `authMechanismProperties` is one when it carries `AWS_SESSION_TOKEN`.
const SECRET_OPTIONS: &[&str] = &[
    "tlsCertificateKeyFilePassword",
    "sslPEMKeyPassword",
    "proxyPassword",
];

/// The key of the option `pair` (`key=value`) if its value is a secret.
fn secret_key(pair: &str) -> Option<&str> {
    let (key, value) = pair.split_once('=')?;
    let secret = SECRET_OPTIONS.iter().any(|s| s.eq_ignore_ascii_case(key))
        || (key.eq_ignore_ascii_case("authMechanismProperties")
            && value.to_ascii_uppercase().contains("AWS_SESSION_TOKEN"));
    secret.then_some(key)
}

/// The options of `hosts_and_options` (`host/db?options`), each as `key=value` and the
/// separator after it. Options are separated by `&` (or the old `;`).
fn options(hosts_and_options: &str) -> impl Iterator<Item = (&str, &str)> {
    let options = hosts_and_options.split_once('?').map_or("", |(_, o)| o);
    options
        .split_inclusive(['&', ';'])
        .map(|option| match option.strip_suffix(['&', ';']) {
            Some(pair) => (pair, &option[pair.len()..]),
            None => (option, ""),
        })
}

/// `host/db?options` (what follows the credentials) with the value of every secret option
/// hidden.
fn hide_secret_options(hosts_and_options: &str) -> String {
    let Some((hosts, _)) = hosts_and_options.split_once('?') else {
        return hosts_and_options.to_string();
    };
    let mut out = format!("{hosts}?");
    for (pair, separator) in options(hosts_and_options) {
        match secret_key(pair) {
            Some(key) => out.push_str(&format!("{key}={HIDDEN}{separator}")),
            None => out.push_str(&format!("{pair}{separator}")),
        }
    }
    out
}

/// What secrets a connection string holds, as a user would name them: "password", and the
/// names of secret options as written.
pub fn secrets_in(uri: &str) -> Vec<String> {
    let Some((_, credentials, rest)) = split_credentials(uri) else {
        return Vec::new();
    };
    let password = credentials
        .and_then(|c| user_and_password(c).1)
        .map(|_| "password".to_string());
    let options = options(rest).filter_map(|(pair, _)| secret_key(pair).map(str::to_string));
    password.into_iter().chain(options).collect()
}

/// What follows `scheme://`, up to the end of the URI (whitespace or a quote), and where its
/// credentials end. The driver looks for them before the options, at the last '@': an '@' in
/// an option's value (`appName=ops@laptop`) is not theirs. A password with an unencoded '/'
/// or '?' (which the driver misreads) ends at the last '@' of all, so that it is hidden whole:
/// when what precedes it is not a list of hosts (`bob:a/b@h`), or when an '@' comes before
/// any option's value (`ann:12/34@h`, `ann:12?34@h`).
fn uri_parts(after_scheme: &str) -> (&str, Option<usize>) {
    let end = after_scheme
        .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .unwrap_or(after_scheme.len());
    let uri = &after_scheme[..end];
    let (authority, rest) = uri.split_at(uri.find(['/', '?']).unwrap_or(uri.len()));
    if let Some(at) = authority.rfind('@') {
        return (uri, Some(at));
    }
    let in_an_option = |before_at: &str| {
        before_at
            .split_once('?')
            .is_some_and(|(_, options)| options.contains('='))
    };
    let misread = rest
        .find('@')
        .is_some_and(|at| !is_host_list(authority) || !in_an_option(&rest[..at]));
    (uri, uri.rfind('@').filter(|_| misread))
}

/// `host`, `host:port`, `[ipv6]:port`, ... separated by commas (an authority without
/// credentials).
fn is_host_list(authority: &str) -> bool {
    authority.split(',').all(|host| {
        if let Some(ipv6) = host.strip_prefix('[') {
            return ipv6.split_once(']').is_some_and(|(_, port)| {
                port.is_empty() || port.strip_prefix(':').is_some_and(is_port)
            });
        }
        host.split_once(':').is_none_or(|(_, port)| is_port(port))
    })
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The first character of a connection string's user name or password that must be
/// percent-encoded but is not, like the `?` of `ann:S3cr?t@host`. Drivers misread such a
/// string, and their errors then quote pieces of the password.
pub fn unencoded_in_credentials(uri: &str) -> Option<char> {
    let (_, credentials, _) = split_credentials(uri)?;
    let (user, password) = user_and_password(credentials?);
    user.chars()
        .chain(password.unwrap_or("").chars())
        .find(|c| matches!(c, ':' | '/' | '?' | '#' | '[' | ']' | '@'))
}

/// Credentials (`user:password`, as [`split_credentials`] gives them) as the user and the
/// password if there is one, both as written (percent-encoded).
pub fn user_and_password(credentials: &str) -> (&str, Option<&str>) {
    match credentials.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (credentials, None),
    }
}

/// A redacted connection string whose password was hidden, without it: what `-p` can ask for.
pub fn without_hidden_password(redacted_uri: &str) -> String {
    match split_credentials(redacted_uri) {
        Some((scheme, Some(credentials), rest)) => match user_and_password(credentials) {
            (user, Some(HIDDEN)) => format!("{scheme}{user}@{rest}"),
            _ => redacted_uri.to_string(),
        },
        _ => redacted_uri.to_string(),
    }
}

/// A connection string in three: up to and with its `://`, its credentials (`user:password`,
/// before the last `@`) if it has any, and what follows them.
pub fn split_credentials(uri: &str) -> Option<(&str, Option<&str>, &str)> {
    let (scheme, after_scheme) = uri.split_at(uri.find("://")? + 3);
    Some(match uri_parts(after_scheme).1 {
        Some(at) => (scheme, Some(&after_scheme[..at]), &after_scheme[at + 1..]),
        None => (scheme, None, after_scheme),
    })
}

/// Whether a connection string passed through [`redact`] had a password or a secret option
/// (so it no longer connects as it is).
pub fn has_hidden_secret(redacted_uri: &str) -> bool {
    redacted_uri.contains(&format!(":{HIDDEN}@")) || redacted_uri.contains(&format!("={HIDDEN}"))
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
    fn a_redacted_uri_shows_only_its_redacted_text() {
        let uri = RedactedUri::new("mongodb://ann:pw@h/?proxyPassword=p");
        let shown = "mongodb://ann:****@h/?proxyPassword=****";
        assert_eq!((uri.to_string().as_str(), uri.as_str()), (shown, shown));
    }

    #[test]
    fn tells_whether_a_secret_was_hidden() {
        assert!(has_hidden_secret(&redact("mongodb://ann:pw@h/")));
        assert!(has_hidden_secret(&redact("mongodb://h/?proxyPassword=x")));
        assert!(!has_hidden_secret(&redact("mongodb://ann@h/?tls=true")));
        assert!(!has_hidden_secret(&redact("mongodb://h/")));
    }

    #[test]
    fn hides_the_values_of_secret_options() {
        for (uri, shown) in [
            (
                "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=k3y&appName=a",
                "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=****&appName=a",
            ),
            (
                "mongodb://ann:pw@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:t0k",
                "mongodb://ann:****@h/?authMechanism=MONGODB-AWS&authMechanismProperties=****",
            ),
            (
                "mongodb+srv://c.example.net/?SSLPEMKEYPASSWORD=k;proxyPassword=p;w=1",
                "mongodb+srv://c.example.net/?SSLPEMKEYPASSWORD=****;proxyPassword=****;w=1",
            ),
            // The options follow the last '@': a '?' in a password is not where they start.
            (
                "mongodb://bob:a?proxyPassword=x@h/?proxyPassword=p",
                "mongodb://bob:****@h/?proxyPassword=****",
            ),
            ("mongodb://h/?appName=x", "mongodb://h/?appName=x"),
        ] {
            assert_eq!(redact(uri), shown);
        }
    }

    #[test]
    fn finds_what_a_password_must_encode() {
        for (uri, found) in [
            ("mongodb://ann:S3cr?t@h/", Some('?')),
            ("mongodb://ann:a/b@h/", Some('/')),
            ("mongodb://ann:12/34@h/", Some('/')),
            ("mongodb://ann:12?34@h/", Some('?')),
            ("mongodb+srv://ann:a/b@h/?appName=x@y", Some('/')),
            ("mongodb://h/?appName=a@b", None),
            ("mongodb://ann:a:b@h/", Some(':')),
            ("mongodb://ann:a@b@h/?w=1", Some('@')),
            ("mongodb://a#nn:pw@h/", Some('#')),
            ("mongodb://ann:p%3Fw@h/", None),
            ("mongodb://h/?appName=a:b", None),
            ("not a uri", None),
        ] {
            assert_eq!(unencoded_in_credentials(uri), found, "{uri}");
        }
    }

    /// An '@' in the options or the path is not where credentials end: the driver looks for
    /// them before the first '/' only.
    #[test]
    fn an_at_sign_after_the_hosts_is_not_the_end_of_credentials() {
        for scheme in ["mongodb://", "mongodb+srv://"] {
            for rest in [
                "db.example.com/?appName=ops@laptop",
                "db.example.com?appName=ops@laptop",
                "db:27017/?appName=a@b",
                "h1:1,[::1]:2/?tlsCAFile=/home/ann@corp/ca.pem",
            ] {
                let uri = format!("{scheme}{rest}");
                assert_eq!(redact(&uri), uri);
                assert_eq!(split_credentials(&uri), Some((scheme, None, rest)));
                assert!(!has_hidden_secret(&redact(&uri)), "{uri}");
            }
            let uri = format!("{scheme}ann:pw@db:1/?appName=a@b");
            assert_eq!(redact(&uri), format!("{scheme}ann:****@db:1/?appName=a@b"));
            assert_eq!(
                split_credentials(&uri),
                Some((scheme, Some("ann:pw"), "db:1/?appName=a@b"))
            );
        }
    }

    #[test]
    fn names_the_secrets_a_connection_string_holds() {
        for (uri, found) in [
            ("mongodb://ann:pw@h/?appName=a@b", &["password"][..]),
            ("mongodb://ann@h/?appName=a:b@c", &[]),
            (
                "mongodb://h/?authMechanismProperties=SERVICE_NAME:mongodb",
                &[],
            ),
            (
                "mongodb+srv://ann:pw@h/?authMechanismProperties=AWS_SESSION_TOKEN:t&tlsCertificateKeyFilePassword=k",
                &["password", "authMechanismProperties", "tlsCertificateKeyFilePassword"],
            ),
        ] {
            assert_eq!(secrets_in(uri), found, "{uri}");
            assert_eq!(has_hidden_secret(&redact(uri)), !found.is_empty(), "{uri}");
        }
    }

    #[test]
    fn a_hidden_password_can_be_taken_out() {
        assert_eq!(
            without_hidden_password("mongodb://ann:****@h/?appName=a@b"),
            "mongodb://ann@h/?appName=a@b"
        );
        for kept in ["mongodb://ann@h/", "mongodb://h/?proxyPassword=****", "x"] {
            assert_eq!(without_hidden_password(kept), kept);
        }
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
