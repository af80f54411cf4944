//! Connecting to a deployment, learning what it is, and listing what can be watched.

use std::time::Duration;

use bson::{doc, Document};
use futures_util::TryStreamExt;
use mongodb::event::sdam::SdamEvent;
use mongodb::event::EventHandler;
use mongodb::options::ClientOptions;
use mongodb::Client;
use tokio::sync::watch;

use crate::redact::{redact, unencoded_in_credentials, RedactedUri};

const SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the question "which replica set are you in" waits at most (asked beside the
/// server selection, so it adds nothing to an attempt).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Past the selection timeout, what an attempt may take to come back with the driver's own
/// reason before it is cut short: the dialog's "gives up after N s" stays true to the second.
const GRACE: Duration = Duration::from_millis(500);

/// What the server says it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub uri: RedactedUri,
    pub version: Option<String>,
    pub set_name: Option<String>,
    pub mongos: bool,
}

impl Deployment {
    /// All that is known before connecting: where it is.
    pub fn at(uri: RedactedUri) -> Deployment {
        Deployment {
            uri,
            version: None,
            set_name: None,
            mongos: false,
        }
    }
}

impl std::fmt::Display for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.uri)?;
        let kind = match (&self.set_name, self.mongos) {
            (_, true) => "mongos".to_string(),
            (Some(set), false) => format!("replica set {set}"),
            (None, false) => "standalone".to_string(),
        };
        match &self.version {
            Some(version) => write!(f, " ({kind}, MongoDB {version})"),
            None => write!(f, " ({kind})"),
        }
    }
}

/// Why [`connect`] failed, said in full (with any password hidden).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConnectError {
    /// The connection string itself is wrong (a usage error).
    #[error("{0}")]
    BadUri(String),
    /// No server answered in time, or the handshake failed.
    #[error("{0}")]
    Unreachable(String),
}

/// A driver error as one line a person can act on, with passwords removed.
pub fn describe_error(error: &mongodb::error::Error) -> String {
    let text = match error.kind.as_ref() {
        mongodb::error::ErrorKind::Command(c) => {
            format!("{} ({}): {}", c.code_name, c.code, c.message)
        }
        mongodb::error::ErrorKind::ServerSelection { message, .. } => selection_reason(message),
        // The kind alone: the error's own text adds "labels: {}, source: None, ...".
        kind => kind.to_string(),
    };
    redact(&text)
}

/// A timeout as people write it: "5 s", "0.5 s".
fn seconds(timeout: Duration) -> String {
    format!("{} s", timeout.as_secs_f64())
}

/// The driver's selection error lists the whole topology; the useful part is each server's
/// error ("Connection refused", "failed to lookup address", ...).
fn selection_reason(message: &str) -> String {
    let reasons: Vec<&str> = message
        .split("Error: ")
        .skip(1)
        .map(|part| {
            part.split(", labels")
                .next()
                .unwrap_or(part)
                .trim_start_matches("Kind: ")
        })
        .collect();
    if reasons.is_empty() {
        message.to_string()
    } else {
        reasons.join("; ")
    }
}

/// Where a connection goes, as the TUI shows it while connecting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Destination {
    /// `host:port,host:port`.
    pub hosts: String,
    /// How long the driver looks for a server before it gives up; a whole attempt (asking
    /// what the server is included) gives up then too.
    pub timeout: Duration,
}

/// Why `uri` could not be read.
fn read_failed(uri: &str, e: &mongodb::error::Error) -> ConnectError {
    let shown = RedactedUri::new(uri);
    match e.kind.as_ref() {
        // mongodb+srv:// looks its hosts up in DNS while parsing: a failed lookup is a
        // network problem, not a mistyped string.
        mongodb::error::ErrorKind::DnsResolve { .. } => ConnectError::Unreachable(format!(
            "cannot look up the hosts of '{shown}': {}",
            describe_error(e)
        )),
        // The driver's words would quote the misread piece of the password.
        _ => ConnectError::BadUri(match unencoded_in_credentials(uri) {
            Some(c) => format!(
                "invalid connection string '{shown}': the user name and password must be \
                 percent-encoded: `{c}` is `%{:02X}`",
                u32::from(c)
            ),
            None => format!("invalid connection string '{shown}': {}", describe_error(e)),
        }),
    }
}

/// A connection string read and checked, not yet connected. It holds the password, so it
/// has no `Debug`: it stays in the runtime and is never shown.
#[derive(Clone)]
pub struct Target {
    options: ClientOptions,
    pub uri: RedactedUri,
    pub destination: Destination,
}

/// Whether `uri` reads as a connection string, without looking anything up (no DNS for a
/// `mongodb+srv://` one): what can be said before asking for its password.
pub fn check_syntax(uri: &str) -> Result<(), ConnectError> {
    mongodb::options::ConnectionString::parse(uri)
        .map(drop)
        .map_err(|e| read_failed(uri, &e))
}

/// Reads a connection string (a `mongodb+srv://` one looks its hosts up in DNS): app name
/// `mwatch`, a few seconds to find a server unless the string says otherwise.
pub async fn prepare(uri: &str) -> Result<Target, ConnectError> {
    let shown = RedactedUri::new(uri);
    let mut options = ClientOptions::parse(uri)
        .await
        .map_err(|e| read_failed(uri, &e))?;
    options.app_name = Some("mwatch".to_string());
    // The driver's retry of a read rebuilds a change stream's resume `aggregate` without its
    // resume token (mongodb 3.9: the token is taken on the first try), so a resume that fails
    // once and then succeeds starts from now and loses the events in between. Without the retry,
    // the failure reaches the engine, which reopens from its own last token.
    options.retry_reads = Some(false);
    options
        .server_selection_timeout
        .get_or_insert(SELECTION_TIMEOUT);
    options.connect_timeout.get_or_insert(SELECTION_TIMEOUT);
    let timeout = options
        .server_selection_timeout
        .unwrap_or(SELECTION_TIMEOUT);
    let hosts: Vec<String> = options.hosts.iter().map(|h| h.to_string()).collect();
    Ok(Target {
        options,
        uri: shown,
        destination: Destination {
            hosts: hosts.join(","),
            timeout,
        },
    })
}

/// A client, and the driver's word on whether a server it may read from is known. The engine
/// says the server is gone as soon as the driver's monitoring knows, not when the driver's own
/// retry of the stream gives up (up to the server-selection timeout later).
#[derive(Debug)]
pub struct Connection {
    pub client: Client,
    /// True while a server to read from is known.
    pub reachable: watch::Receiver<bool>,
}

/// Connects to `uri` and asks what the server is: [`prepare`], then [`Target::connect`].
pub async fn connect(uri: &str) -> Result<(Connection, Deployment), ConnectError> {
    prepare(uri).await?.connect().await
}

impl Target {
    /// Connects and asks what the server is; gives up after the destination's timeout, which
    /// the connecting dialog shows.
    pub async fn connect(&self) -> Result<(Connection, Deployment), ConnectError> {
        let Destination { hosts, timeout } = &self.destination;
        // Each step has its own timeout, but a server that accepts and then says nothing
        // (or answers `hello` and hangs on `buildInfo`) is bounded only by this.
        match tokio::time::timeout(*timeout + GRACE, self.attempt()).await {
            Ok(result) => result,
            Err(_) => Err(ConnectError::Unreachable(format!(
                "cannot reach {hosts} within {}: no answer",
                seconds(*timeout)
            ))),
        }
    }

    async fn attempt(&self) -> Result<(Connection, Deployment), ConnectError> {
        let Destination { hosts, timeout } = &self.destination;
        // With a set name, which set the first host is in is asked at once, beside the
        // selection: when the selection gives up, the answer is there.
        let probe = self.options.repl_set_name.is_some().then(|| {
            let target = self.clone();
            tokio::spawn(async move { target.wrong_set().await })
        });
        let mut options = self.options.clone();
        let (news, reachable) = watch::channel(true);
        let criteria = options.selection_criteria.clone();
        options.sdam_event_handler = Some(EventHandler::callback(move |event| {
            if let SdamEvent::TopologyDescriptionChanged(change) = event {
                let now = change.new_description.has_readable_server(criteria.clone());
                news.send_if_modified(|known| std::mem::replace(known, now) != now);
            }
        }));
        let client =
            Client::with_options(options).map_err(|e| ConnectError::BadUri(describe_error(&e)))?;
        let admin = client.database("admin");
        let hello = match admin.run_command(doc! { "hello": 1 }).await {
            Ok(hello) => {
                if let Some(probe) = &probe {
                    probe.abort();
                }
                hello
            }
            Err(e) => {
                let kind = e.kind.as_ref();
                let text = match kind {
                    mongodb::error::ErrorKind::Authentication { .. } => {
                        format!("cannot log in to {hosts}: {}", describe_error(&e))
                    }
                    mongodb::error::ErrorKind::ServerSelection { .. } => {
                        let wrong_set = match probe {
                            Some(probe) => probe.await.ok().flatten(),
                            None => None,
                        };
                        match wrong_set {
                            Some(text) => text,
                            None => format!(
                                "cannot reach {hosts} within {}: {}",
                                seconds(*timeout),
                                describe_error(&e)
                            ),
                        }
                    }
                    _ => format!(
                        "cannot reach {hosts} within {}: {}",
                        seconds(*timeout),
                        describe_error(&e)
                    ),
                };
                return Err(ConnectError::Unreachable(text));
            }
        };
        // Some servers refuse buildInfo to unauthenticated users; the version is only shown.
        let version = admin
            .run_command(doc! { "buildInfo": 1 })
            .await
            .ok()
            .and_then(|info| info.get_str("version").ok().map(str::to_string));
        let deployment = Deployment {
            uri: self.uri.clone(),
            version,
            set_name: hello.get_str("setName").ok().map(str::to_string),
            mongos: hello.get_str("msg") == Ok("isdbgrid"),
        };
        Ok((Connection { client, reachable }, deployment))
    }

    /// When a `replicaSet=` was given: asks the first host directly which set it is in, for
    /// when no server can be selected. The driver drops a server of another set without a word,
    /// so its error reads as if nothing answered. `None` when that host does not answer either
    /// (or answers with the set asked for).
    async fn wrong_set(&self) -> Option<String> {
        let wanted = self.options.repl_set_name.clone()?;
        let host = self.options.hosts.first()?.clone();
        let mut options = self.options.clone();
        options.hosts = vec![host.clone()];
        options.repl_set_name = None;
        options.direct_connection = Some(true);
        // `hello` needs no login, and a login refused would hide the answer.
        options.credential = None;
        // No longer than the selection it stands beside.
        let timeout = self.destination.timeout.min(PROBE_TIMEOUT);
        options.server_selection_timeout = Some(timeout);
        options.connect_timeout = Some(timeout);
        let hello = Client::with_options(options)
            .ok()?
            .database("admin")
            .run_command(doc! { "hello": 1 })
            .await
            .ok()?;
        match hello.get_str("setName") {
            Ok(name) if name == wanted => None,
            Ok(name) => Some(format!(
                "{host} answered, but its replica set is named '{name}', not '{wanted}': \
                 correct replicaSet= in the connection string, or leave it out"
            )),
            Err(_) => Some(format!(
                "{host} answered, but it is not a member of a replica set (the connection \
                 string asks for replicaSet={wanted}); change streams need one"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CollectionInfo {
    pub name: String,
    pub view: bool,
    /// `changeStreamPreAndPostImages` is enabled: updates and deletes carry pre-images.
    pub images: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseInfo {
    pub name: String,
    pub collections: Vec<CollectionInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    Listed(Vec<DatabaseInfo>),
    /// The user may not list namespaces (but may still watch one they name).
    NotAllowed(String),
}

const UNAUTHORIZED: i32 = 13;

fn is_unauthorized(error: &mongodb::error::Error) -> bool {
    matches!(error.kind.as_ref(), mongodb::error::ErrorKind::Command(c) if c.code == UNAUTHORIZED)
}

/// Databases and their collections, skipping the internal `admin`, `config` and `local`.
pub async fn list_namespaces(client: &Client) -> Result<Listing, String> {
    let listed = client
        .database("admin")
        .run_command(doc! { "listDatabases": 1, "nameOnly": true, "authorizedDatabases": true })
        .await;
    let reply = match listed {
        Ok(reply) => reply,
        Err(e) if is_unauthorized(&e) => {
            return Ok(Listing::NotAllowed(format!(
                "not allowed to list databases ({}); type a namespace instead",
                describe_error(&e)
            )))
        }
        Err(e) => return Err(describe_error(&e)),
    };
    let names: Vec<String> = reply
        .get_array("databases")
        .map(|dbs| {
            dbs.iter()
                .filter_map(|d| d.as_document()?.get_str("name").ok().map(str::to_string))
                .filter(|name| !["admin", "config", "local"].contains(&name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut databases = Vec::new();
    for name in names {
        let collections = match list_collections(client, &name).await {
            Ok(collections) => collections,
            Err(e) if is_unauthorized(&e) => Vec::new(),
            Err(e) => return Err(describe_error(&e)),
        };
        databases.push(DatabaseInfo { name, collections });
    }
    Ok(Listing::Listed(databases))
}

async fn list_collections(
    client: &Client,
    db: &str,
) -> mongodb::error::Result<Vec<CollectionInfo>> {
    let cursor = client
        .database(db)
        .run_cursor_command(doc! { "listCollections": 1, "authorizedCollections": true })
        .await?;
    let specs: Vec<Document> = cursor.try_collect().await?;
    let mut collections: Vec<CollectionInfo> = specs
        .iter()
        .filter_map(|spec| {
            let name = spec.get_str("name").ok()?;
            let images = spec
                .get_document("options")
                .and_then(|o| o.get_document("changeStreamPreAndPostImages"))
                .and_then(|o| o.get_bool("enabled"))
                .unwrap_or(false);
            Some(CollectionInfo {
                name: name.to_string(),
                view: spec.get_str("type") == Ok("view"),
                images,
            })
        })
        .filter(|c| !c.name.starts_with("system."))
        .collect();
    collections.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(collections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_errors_come_down_to_each_servers_reason() {
        let message = "Server selection timeout: No available servers. Topology: { Type: Unknown, Servers: [ { Address: localhost:1, Type: Unknown, Error: Kind: I/O error: Connection refused (os error 111), labels: {} } ] }";
        assert_eq!(
            selection_reason(message),
            "I/O error: Connection refused (os error 111)"
        );
        assert_eq!(selection_reason("something else"), "something else");
    }

    #[test]
    fn timeouts_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }
}
