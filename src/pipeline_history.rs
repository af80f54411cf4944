//! `pipelines.json`, beside the bookmarks: the pipelines applied, per deployment (filed under
//! its [`DeploymentId::key`](crate::deployment::DeploymentId::key), which holds no user name or
//! password), kept between runs for Alt-Up. Bounded: the newest pipelines of the deployments
//! used last. A file that cannot be read is moved aside and reported, never fatal.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::deployment::DeploymentId;
use crate::files::{aside_path, create_private_dir, write_atomically};
use crate::redact::RedactedUri;

/// Pipelines kept per deployment.
pub const PER_DEPLOYMENT: usize = 50;
/// Deployments kept, the ones used last.
pub const DEPLOYMENTS: usize = 20;
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    /// The deployment used last first.
    deployments: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    deployment: String,
    /// Oldest first.
    pipelines: Vec<String>,
}

/// What the history of pipelines run on `uri` is filed under: its hosts and replica set
/// (the text itself, password hidden, if it is not a connection string).
pub fn history_key(uri: &RedactedUri) -> String {
    DeploymentId::of(uri).map_or_else(|| uri.to_string(), |id| id.key())
}

/// The history file beside the bookmark store at `bookmarks`.
pub fn path_beside(bookmarks: &Path) -> PathBuf {
    bookmarks.with_file_name("pipelines.json")
}

/// The pipelines kept for `deployment`, oldest first. A file that cannot be read is moved
/// aside; the error says so.
pub fn load(path: &Path, deployment: &str) -> Result<Vec<String>, String> {
    let file = read(path).map_err(|problem| set_aside(path, &problem))?;
    Ok(file
        .deployments
        .into_iter()
        .find(|e| e.deployment == deployment)
        .map(|e| e.pipelines)
        .unwrap_or_default())
}

/// Adds `pipelines` (oldest first) to what the file keeps for `deployment`, which becomes the
/// deployment used last. Another mwatch may have added some since the load: they are kept.
pub fn save(path: &Path, deployment: &str, pipelines: &[String]) -> Result<(), String> {
    let mut file =
        read(path).map_err(|problem| format!("pipeline history not saved: {problem}"))?;
    let at = file
        .deployments
        .iter()
        .position(|e| e.deployment == deployment);
    let mut entry = match at {
        Some(at) => file.deployments.remove(at),
        None => Entry {
            deployment: deployment.to_string(),
            pipelines: Vec::new(),
        },
    };
    for text in pipelines {
        remember(&mut entry.pipelines, text);
    }
    file.deployments.insert(0, entry);
    file.deployments.truncate(DEPLOYMENTS);
    file.version = VERSION;
    let mut text = serde_json::to_string_pretty(&file).expect("the history serializes");
    text.push('\n');
    let write = || -> io::Result<()> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        write_atomically(path, text.as_bytes())
    };
    write().map_err(|e| {
        format!(
            "pipeline history not saved: cannot write {}: {e}",
            path.display()
        )
    })
}

/// Puts `text` last in `list` (oldest first), once, and keeps the newest
/// [`PER_DEPLOYMENT`].
pub fn remember(list: &mut Vec<String>, text: &str) {
    let text = text.trim();
    list.retain(|t| t.trim() != text);
    list.push(text.to_string());
    let extra = list.len().saturating_sub(PER_DEPLOYMENT);
    list.drain(..extra);
}

/// The file's contents (none yet: empty), or what is wrong with it.
fn read(path: &Path) -> Result<HistoryFile, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HistoryFile::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let file: HistoryFile = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
    if file.version > VERSION {
        return Err(format!(
            "{} was written by a newer mwatch (format {})",
            path.display(),
            file.version
        ));
    }
    Ok(file)
}

/// Moves an unreadable file out of the way (so the next save starts afresh and nothing of it
/// is lost); says what happened.
fn set_aside(path: &Path, problem: &str) -> String {
    let aside = aside_path(path);
    match fs::rename(path, &aside) {
        Ok(()) => format!(
            "{problem}; mwatch moved it to {} and starts with no pipeline history",
            aside.display()
        ),
        Err(e) => format!("{problem}; it could not be moved aside ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: &str = "mongodb://db1:27017/?replicaSet=rs0";

    #[test]
    fn pipelines_are_kept_per_deployment_newest_last_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_beside(&dir.path().join("home/bookmarks.json"));
        assert_eq!(load(&path, HERE), Ok(Vec::new()), "no file yet");
        save(&path, HERE, &["".into(), "{$match: {a: 1}}".into()]).unwrap();
        save(&path, "mongodb://other:1/", &["{x: 1}".into()]).unwrap();
        save(&path, HERE, &["{$match: {b: 2}}".into(), "".into()]).unwrap();
        assert_eq!(
            load(&path, HERE).unwrap(),
            ["{$match: {a: 1}}", "{$match: {b: 2}}", ""]
        );
        assert_eq!(load(&path, "mongodb://other:1/").unwrap(), ["{x: 1}"]);
        let many: Vec<String> = (0..PER_DEPLOYMENT + 5)
            .map(|n| format!("{{n: {n}}}"))
            .collect();
        save(&path, HERE, &many).unwrap();
        let kept = load(&path, HERE).unwrap();
        assert_eq!(kept.len(), PER_DEPLOYMENT);
        assert_eq!(
            kept.last().unwrap(),
            &format!("{{n: {}}}", PER_DEPLOYMENT + 4)
        );
        for n in 0..DEPLOYMENTS + 3 {
            save(&path, &format!("mongodb://h{n}:1/"), &["{}".into()]).unwrap();
        }
        assert!(
            load(&path, HERE).unwrap().is_empty(),
            "used longest ago: gone"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_is_reported_and_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipelines.json");
        fs::write(&path, "{ broken").unwrap();
        let error = load(&path, HERE).unwrap_err();
        assert!(error.contains("pipelines.json:1:"), "{error}");
        assert!(error.contains("moved it to"), "{error}");
        assert!(!path.exists());
        assert_eq!(load(&path, HERE), Ok(Vec::new()));
        save(&path, HERE, &["{}".into()]).unwrap();
        assert_eq!(load(&path, HERE).unwrap(), ["{}"]);
    }
}
