//! Which deployment a connection string names: its hosts and replica set, whatever the user
//! name, the options or the order of the hosts. A bookmark made on another deployment is told
//! apart by it, and the pipeline history is kept per deployment by its key.

use crate::redact::RedactedUri;

const DEFAULT_PORT: &str = "27017";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentId {
    /// `mongodb+srv://`: the host is a DNS name that lists the servers.
    pub srv: bool,
    /// `host:port`, lower case, sorted.
    pub hosts: Vec<String>,
    pub replica_set: Option<String>,
}

impl DeploymentId {
    /// None when `uri` is not a connection string (an old bookmark that has none).
    pub fn of(uri: &RedactedUri) -> Option<DeploymentId> {
        let text = uri.as_str();
        let (srv, rest) = if let Some(rest) = text.strip_prefix("mongodb+srv://") {
            (true, rest)
        } else {
            (false, text.strip_prefix("mongodb://")?)
        };
        let (authority, options) = match rest.split_once('/') {
            Some((authority, path)) => (authority, path.split_once('?').map(|(_, o)| o)),
            None => match rest.split_once('?') {
                Some((authority, options)) => (authority, Some(options)),
                None => (rest, None),
            },
        };
        let hosts_text = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let mut hosts: Vec<String> = hosts_text
            .split(',')
            .filter(|h| !h.is_empty())
            .map(|h| with_port(&h.to_lowercase(), srv))
            .collect();
        if hosts.is_empty() {
            return None;
        }
        hosts.sort();
        hosts.dedup();
        let replica_set = options.and_then(|options| {
            options.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.eq_ignore_ascii_case("replicaSet")
                    .then(|| value.to_string())
            })
        });
        Some(DeploymentId {
            srv,
            hosts,
            replica_set,
        })
    }

    /// The same servers: a host in common (a seed list may name some members only), and the
    /// same replica set where both name one.
    pub fn same(&self, other: &DeploymentId) -> bool {
        let sets_agree = match (&self.replica_set, &other.replica_set) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.srv == other.srv && sets_agree && self.hosts.iter().any(|h| other.hosts.contains(h))
    }

    /// The deployment as one line with no credentials, to file things under:
    /// `mongodb://a:27017,b:27017/?replicaSet=rs0`.
    pub fn key(&self) -> String {
        let scheme = if self.srv { "mongodb+srv" } else { "mongodb" };
        let set = self
            .replica_set
            .as_ref()
            .map_or_else(String::new, |set| format!("?replicaSet={set}"));
        format!("{scheme}://{}/{set}", self.hosts.join(","))
    }
}

/// Whether two connection strings name the same deployment; an unknown one (an old bookmark
/// saved none) is taken to be the same.
pub fn same_deployment(a: &RedactedUri, b: &RedactedUri) -> bool {
    match (DeploymentId::of(a), DeploymentId::of(b)) {
        (Some(a), Some(b)) => a.same(&b),
        _ => true,
    }
}

fn with_port(host: &str, srv: bool) -> String {
    // `[::1]:27017` has a port after the bracket; `[::1]` and `h` have none.
    let has_port = match host.rsplit_once(']') {
        Some((_, after)) => after.starts_with(':'),
        None => host.contains(':'),
    };
    if has_port || srv {
        host.to_string()
    } else {
        format!("{host}:{DEFAULT_PORT}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(uri: &str) -> DeploymentId {
        DeploymentId::of(&RedactedUri::new(uri)).unwrap()
    }

    #[test]
    fn hosts_and_replica_set_make_the_deployment_not_the_text() {
        let a = id("mongodb://ann:secret@DB2:27017,db1/?replicaSet=rs0&w=1");
        assert_eq!(a.hosts, ["db1:27017", "db2:27017"]);
        assert_eq!(a.replica_set.as_deref(), Some("rs0"));
        assert_eq!(a.key(), "mongodb://db1:27017,db2:27017/?replicaSet=rs0");
        assert!(!a.key().contains("ann") && !a.key().contains("****"));
        assert!(a.same(&id("mongodb://db1:27017/?directConnection=true")));
        assert!(a.same(&id("mongodb://bob@db2/admin?replicaSet=rs0")));
        assert!(!a.same(&id("mongodb://db1/?replicaSet=rs1")), "another set");
        assert!(!a.same(&id("mongodb://db3:27017/?replicaSet=rs0")));
        assert!(!a.same(&id("mongodb://db1:27018/")));
        assert!(!a.same(&id("mongodb+srv://db1/")));
        assert_eq!(id("mongodb://[::1]").hosts, ["[::1]:27017"]);
        assert_eq!(id("mongodb://[::1]:1").hosts, ["[::1]:1"]);
        assert_eq!(
            id("mongodb+srv://c.example.net/?x=1").hosts,
            ["c.example.net"]
        );
    }

    #[test]
    fn an_unknown_deployment_is_not_another_one() {
        assert!(DeploymentId::of(&RedactedUri::new("")).is_none());
        assert!(same_deployment(
            &RedactedUri::new(""),
            &RedactedUri::new("mongodb://h")
        ));
        assert!(!same_deployment(
            &RedactedUri::new("mongodb://a"),
            &RedactedUri::new("mongodb://b")
        ));
    }
}
